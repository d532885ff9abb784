"""Issue 16: an organiser sets up, configures, copies and deletes editions in the browser; the
edition's texts (Markdown, de/en, the privacy notice versioned); the organising body on pages
and PDFs. Over HTTP, as the organiser does it, with what is stored read back."""

from __future__ import annotations

import io
import json
import re
import subprocess
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference.agenda.models import AgendaSession, Room, SessionStatus, Track
from conference.core.models import AuditLog, Congress, CongressDay
from conference.editions import services
from conference.editions.models import EditionText, OrganisingBody, PrivacyNotice
from conference.organisations.models import OrganisationQuota
from conference.registration.models import Registration
from conference.workshops.models import WorkshopPhase
from tests import factories
from tests.conftest import POSTGRES_URL

NEXT_YEAR = date.today().year + 1


def edition_form(**overrides) -> dict:
    data = {
        "title": f"Fachkongress {NEXT_YEAR}",
        "subtitle": "Menschen stärken Menschen",
        "starts_on": f"{NEXT_YEAR}-11-18",
        "ends_on": f"{NEXT_YEAR}-11-19",
        "timezone": "Europe/Berlin",
        "venue_name": "Tagungshaus Mitte",
        "venue_address": "Hauptstraße 5, 34117",
        "venue_city": "Kassel",
        "venue_accessibility": "Stufenlos erreichbar.",
        "opens_at": "08:30",
        "closes_at": "18:00",
        "capacity": "200",
        "expected_attendees": "180",
        "registration_opens_at": f"{date.today().year}-01-01T09:00",
        "registration_closes_at": f"{NEXT_YEAR}-11-10T23:59",
        "contact_email": "kongress@example.org",
        "retention_months": "24",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def settings_form(congress: Congress, **overrides) -> dict:
    values = {
        "title": congress.title,
        "slug": congress.slug,
        "starts_on": congress.starts_on.isoformat(),
        "ends_on": congress.ends_on.isoformat(),
        **overrides,
    }
    return edition_form(**values)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _error_beside(html: str, field: str) -> str:
    """The message shown beside a field (``<p class="error" id="<field>-error">``)."""
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert found, f"no error beside {field}"
    return found.group(1)


# --- creating an edition from an empty install ----------------------------------------------------


def test_staff_home_without_a_congress_leads_to_the_new_congress_form(app, staff_client):
    client = staff_client("admin")

    page = client.get("/staff").text

    assert "Es gibt noch keinen Kongress" in page
    assert 'href="/admin/congresses/new"' in page
    assert "Neuen Kongress anlegen" in page


def test_new_congress_form_has_the_labels_organisers_read(app, staff_client):
    page = staff_client("organiser").get("/admin/congresses/new").text

    for label in [
        "Titel", "Untertitel", "Beginn", "Ende", "Zeitzone", "Veranstaltungsort", "Adresse",
        "Stadt", "Hinweise zur Barrierefreiheit des Ortes", "Einlass ab", "Ende um",
        "Kapazität", "Erwartete Teilnehmende", "Anmeldung ab", "Anmeldung bis",
        "Kontakt-E-Mail", "Aufbewahrung in Monaten",
    ]:  # fmt: skip
        assert re.search(rf"<label[^>]*>{re.escape(label)}</label>", page), label
    assert '<option selected value="Europe/Berlin">' in page
    assert 'type="datetime-local"' in page and 'type="date"' in page


def test_creating_a_congress_stores_it_with_a_day_per_date_and_shows_its_settings(
    app, db, staff_client
):
    client = staff_client("organiser")

    response = client.post("/admin/congresses/new", data=edition_form())

    assert response.status_code == 303
    congress = db.session.execute(select(Congress)).scalar_one()
    assert response.headers["Location"] == f"/admin/congresses/{congress.id}"
    assert congress.title == f"Fachkongress {NEXT_YEAR}"
    assert congress.slug == f"fachkongress-{NEXT_YEAR}"
    assert congress.is_current is True
    assert [d.day for d in congress.days] == [date(NEXT_YEAR, 11, 18), date(NEXT_YEAR, 11, 19)]
    assert congress.opens_at == time(8, 30) and congress.closes_at == time(18)
    # Wall-clock times in the congress's zone (Berlin, CET in January: UTC+1).
    assert congress.registration_opens_at == datetime(date.today().year, 1, 1, 8, tzinfo=UTC)
    assert congress.capacity == 200 and congress.expected_attendees == 180
    notice = db.session.execute(select(PrivacyNotice)).scalar_one()
    assert (notice.number, congress.consent_text_version) == (1, "1")
    assert "[[Name der verantwortlichen Organisation]]" in notice.body_de
    settings = client.get(response.headers["Location"]).text
    assert "Dies ist die aktuelle Ausgabe" in settings
    entry = db.session.execute(
        select(AuditLog).where(AuditLog.action == "edition.created")
    ).scalar_one()
    assert entry.object_id == congress.id


def test_a_new_congress_is_served_on_the_public_pages_and_takes_registrations(
    app, db, staff_client, client, smtp
):
    staff_client("organiser").post("/admin/congresses/new", data=edition_form())
    congress = db.session.execute(select(Congress)).scalar_one()

    landing = client.get("/").text
    form = client.get("/register")
    signed_up = client.post(
        "/register",
        data={
            "first_name": "Amira",
            "last_name": "Haddad",
            "email": "amira@example.org",
            "carrier": "other",
            "organisation_other": "Stadt Kassel",
            "programme_role": "mentor",
            "sector": "civil_society",
            "days": [d.day.isoformat() for d in congress.days],
            "consent": "y",
            "diet": "none",
            "language": "de",
        },
    )

    assert f"Fachkongress {NEXT_YEAR}" in landing
    assert form.status_code == 200 and 'href="/datenschutz"' in form.text
    assert signed_up.status_code == 302, signed_up.text
    person = db.session.execute(select(Registration)).scalar_one()
    assert person.consent_version == "1"
    confirmed = client.post(f"/register/confirm/{person.confirm_token}")
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, person.id).status == "confirmed"
    assert client.get("/programme.json").json == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"ends_on": f"{NEXT_YEAR}-11-17"},
            "ends_on",
            "Das Ende kann nicht vor dem Beginn liegen.",
        ),
        (
            {"registration_closes_at": f"{date.today().year}-01-01T08:00"},
            "registration_closes_at",
            "Die Anmeldung kann nicht schließen, bevor sie öffnet.",
        ),
        ({"closes_at": "08:00"}, "closes_at", "Das Ende muss nach dem Einlass liegen."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice."),
        ({"starts_on": "18.11.2027"}, "starts_on", "Not a valid date value."),
        ({"capacity": "-3"}, "capacity", "Number must be at least 1."),
    ],
)
def test_creating_refuses_bad_input_beside_the_field_and_stores_nothing(
    app, db, staff_client, overrides, field, message
):
    response = staff_client("organiser").post(
        "/admin/congresses/new", data=edition_form(**overrides), headers={"Accept-Language": "de"}
    )

    assert response.status_code == 400
    assert _error_beside(response.text, field)
    if "Not a valid" not in message and "Number" not in message:
        assert _error_beside(response.text, field) == message
    assert _count(db, Congress) == 0


def test_a_second_congress_of_the_same_title_gets_its_own_short_name(app, db, staff_client):
    client = staff_client("organiser")

    client.post("/admin/congresses/new", data=edition_form())
    client.post("/admin/congresses/new", data=edition_form())

    slugs = db.session.scalars(select(Congress.slug).order_by(Congress.id)).all()
    assert slugs == [f"fachkongress-{NEXT_YEAR}", f"fachkongress-{NEXT_YEAR}-2"]
    assert db.session.scalar(select(func.count()).where(Congress.is_current)) == 1


# --- the settings page --------------------------------------------------------------------------


def test_settings_change_every_field_and_the_audit_log_names_them(app, db, staff_client):
    congress = factories.congress(title="Alt", slug="alt-2027")
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        f"/admin/congresses/{congress.id}",
        data=settings_form(
            congress, title="Fachkongress Neu", slug="neu-2027", venue_city="Erfurt"
        ),
    )

    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Congress, congress.id)
    assert (stored.title, stored.slug, stored.venue_city) == (
        "Fachkongress Neu",
        "neu-2027",
        "Erfurt",
    )
    log = client.get("/admin/audit?action=editions").text
    assert "hat die Einstellungen von „Fachkongress Neu“ geändert" in log
    assert "Titel" in log and "Kurzname in Adressen und Dateinamen" in log


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"ends_on": "START-1"}, "ends_on", "Das Ende kann nicht vor dem Beginn liegen."),
        ({"capacity": "4"}, "capacity", "Es sind bereits 5 Plätze belegt"),
        (
            {"registration_closes_at": f"{date.today().year - 1}-12-31T08:00"},
            "registration_closes_at",
            "Die Anmeldung kann nicht schließen",
        ),
        ({"slug": "vergeben-2026"}, "slug", "Ein anderer Kongress verwendet diesen Kurznamen"),
        ({"slug": "Mit Leerzeichen"}, "slug", "Verwenden Sie 3 bis 60 Kleinbuchstaben"),
        ({"ends_on": "START"}, "ends_on", "Mit den neuen Daten entfiele"),
        ({"starts_on": "START+1"}, "starts_on", "Mit den neuen Daten entfiele"),
    ],
)
def test_settings_refuse_beside_the_field_and_store_nothing(
    app, db, staff_client, overrides, field, expected
):
    congress = factories.congress(days=2, capacity=100, title="Bleibt")
    factories.congress(slug="vergeben-2026", current=False)
    congress.taken = 5
    # The second day holds a session, the first a registration: neither may disappear.
    factories.session(congress, day=congress.ends_on, status=SessionStatus.DRAFT)
    factories.registration(congress, days=[congress.starts_on], status="pending")
    db.session.commit()
    start = congress.starts_on
    values = {
        k: v.replace("START+1", (start + timedelta(days=1)).isoformat())
        .replace("START-1", (start - timedelta(days=1)).isoformat())
        .replace("START", start.isoformat())
        for k, v in overrides.items()
    }

    response = staff_client("organiser").post(
        f"/admin/congresses/{congress.id}", data=settings_form(congress, title="Geändert", **values)
    )

    assert response.status_code == 400
    assert _error_beside(response.text, field).startswith(expected)
    db.session.expire_all()
    stored = db.session.get(Congress, congress.id)
    assert stored.title == "Bleibt"
    assert (stored.starts_on, stored.ends_on, stored.capacity) == (
        start,
        start + timedelta(days=1),
        100,
    )
    assert len(stored.days) == 2


def test_longer_and_moved_dates_add_and_remove_the_unused_days_and_their_entrances(
    app, db, staff_client
):
    congress = factories.congress(starts_on=date(NEXT_YEAR, 11, 18), days=2)
    db.session.commit()
    services.ensure_checkpoints(congress)
    db.session.commit()

    response = staff_client("organiser").post(
        f"/admin/congresses/{congress.id}",
        data=settings_form(congress, starts_on=f"{NEXT_YEAR}-11-19", ends_on=f"{NEXT_YEAR}-11-21"),
    )

    assert response.status_code == 303
    db.session.expire_all()
    days = db.session.scalars(
        select(CongressDay.day)
        .where(CongressDay.congress_id == congress.id)
        .order_by(CongressDay.day)
    ).all()
    assert days == [date(NEXT_YEAR, 11, 19), date(NEXT_YEAR, 11, 20), date(NEXT_YEAR, 11, 21)]
    from conference.checkin.models import Checkpoint

    entrances = db.session.execute(
        select(Checkpoint.code, Checkpoint.day)
        .where(Checkpoint.congress_id == congress.id)
        .order_by(Checkpoint.code)
    ).all()
    assert entrances == [
        ("day-1", date(NEXT_YEAR, 11, 19)),
        ("day-2", date(NEXT_YEAR, 11, 20)),
        ("day-3", date(NEXT_YEAR, 11, 21)),
    ]


def test_the_time_zone_cannot_change_under_existing_sessions(app, db, staff_client):
    congress = factories.congress()
    factories.session(congress)
    db.session.commit()

    response = staff_client("organiser").post(
        f"/admin/congresses/{congress.id}", data=settings_form(congress, timezone="Europe/London")
    )

    assert response.status_code == 400
    assert "Zeitzone würde sie alle verschieben" in _error_beside(response.text, "timezone")


def test_day_capacities_are_set_and_never_below_the_seats_taken(app, db, staff_client):
    congress = factories.congress(days=2)
    first, second = congress.days
    first.taken = 7
    db.session.commit()
    client = staff_client("organiser")

    refused = client.post(
        f"/admin/congresses/{congress.id}/days",
        data={f"day-{first.id}": "6", f"day-{second.id}": "50"},
    )
    saved = client.post(
        f"/admin/congresses/{congress.id}/days",
        data={f"day-{first.id}": "80", f"day-{second.id}": ""},
    )

    assert refused.status_code == 400
    assert "Es sind bereits 7 Plätze belegt" in _error_beside(refused.text, f"day-{first.id}")
    assert saved.status_code == 303
    db.session.expire_all()
    assert [d.capacity for d in db.session.get(Congress, congress.id).days] == [80, None]
    bad = client.post(f"/admin/congresses/{congress.id}/days", data={f"day-{first.id}": "viele"})
    assert bad.status_code == 400
    assert "ganze Zahl" in _error_beside(bad.text, f"day-{first.id}")


def test_exactly_one_edition_is_current(app, db, staff_client, client):
    old = factories.congress(title="Fachkongress 2026", current=True)
    new = factories.congress(title="Fachkongress 2027", current=False)
    db.session.commit()

    response = staff_client("organiser").post(f"/admin/congresses/{new.id}/current")

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(Congress.title).where(Congress.is_current)).all() == [
        "Fachkongress 2027"
    ]
    assert "Fachkongress 2027" in client.get("/").text
    assert db.session.get(Congress, old.id).is_current is False


def test_the_database_refuses_a_second_current_edition(app, db):
    factories.congress(current=True)
    db.session.commit()

    with pytest.raises(IntegrityError):
        factories.congress(current=True)
    db.session.rollback()


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES_URL, reason="row locks of two connections need PostgreSQL")
def test_two_organisers_marking_different_editions_current_at_once_leave_one(app, db):
    """Two transactions race: the partial unique index lets one win, the other is refused."""
    editions = [factories.congress(current=i == 0) for i in range(3)]
    db.session.commit()
    ids = [e.id for e in editions[1:]]
    barrier = threading.Barrier(2)
    outcomes = []

    def mark(congress_id):
        with app.app_context():
            congress = db.session.get(Congress, congress_id)
            barrier.wait()
            try:
                services.mark_current(congress, actor="test")
                db.session.commit()
                outcomes.append("ok")
            except services.Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=mark, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Congress.is_current)) == 1
    assert "ok" in outcomes


def test_publishing_and_withdrawing_the_programme(app, db, staff_client, client):
    congress = factories.congress()
    congress.programme_published = False
    factories.session(congress, title="Eröffnung", status=SessionStatus.DRAFT)
    db.session.commit()
    organiser = staff_client("organiser")

    assert client.get("/programme.json").json == []
    organiser.post(f"/admin/congresses/{congress.id}/programme", data={"publish": "1"})
    published = client.get("/programme.json").json
    organiser.post(f"/admin/congresses/{congress.id}/programme", data={"publish": "0"})

    assert [s["title"] for s in published] == ["Eröffnung"]
    assert client.get("/programme.json").json == []


def test_registration_opens_and_closes_early_and_register_says_so(app, db, staff_client, client):
    opens = datetime.now(UTC) + timedelta(days=30)
    congress = factories.congress(registration_opens_at=opens)
    db.session.commit()
    organiser = staff_client("organiser")

    before = client.get("/register").text
    organiser.post(f"/admin/congresses/{congress.id}/registration", data={"open": "1"})
    opened = client.get("/register").text
    organiser.post(f"/admin/congresses/{congress.id}/registration", data={"open": "0"})
    closed = client.get("/register").text

    assert "Die Anmeldung öffnet am" in before
    assert "Vorname" in opened
    assert "Die Anmeldung zu diesem Kongress ist geschlossen" in closed
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-2:] == ["edition.registration_opened", "edition.registration_closed"]


# --- copying ---------------------------------------------------------------------------------------


def _source(db):
    source = factories.congress(title="Fachkongress 2026", starts_on=date(2026, 11, 19), days=2)
    source.days[1].capacity = 120
    room = factories.room(source, name="Saal 1", capacity=80)
    factories.track(source, name="Praxis")
    factories.session(source, title="Eröffnung", room_=room, start=time(9, 30), end=time(10, 30))
    phase = factories.phase(source, name="Nachmittag", day=source.ends_on)
    factories.workshop(source, phase, title="Tandems", room_=room)
    factories.session(source, title="Abgesagt", status=SessionStatus.CANCELLED)
    carrier = factories.carrier("Bundesverband Beispiel")
    db.session.add(OrganisationQuota(congress_id=source.id, carrier_id=carrier.id, quota=25))
    factories.registration(source, first_name="Nicht", last_name="Kopiert")
    services.save_text(
        source, "imprint", "# Impressum 2026", "", actor="test", now=datetime.now(UTC)
    )
    services.save_privacy_notice(
        source, "Hinweise v2", "Notice v2", actor="test", now=datetime.now(UTC)
    )
    db.session.commit()
    return source


def test_copy_preview_lists_what_will_be_copied_and_creates_nothing(app, db, staff_client):
    source = _source(db)

    page = staff_client("organiser").get(f"/admin/congresses/{source.id}/copy")

    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    for part in [
        "Räume: <strong>1</strong>",
        "Themenstränge: <strong>1</strong>",
        "Programmpunkte, als Entwürfe: <strong>2</strong>",
        "Workshop-Phasen: <strong>1</strong>",
        "Kontingente der Programmträger: <strong>1</strong>",
    ]:
        assert part in text, part
    assert 'value="Fachkongress 2027"' in page.text
    assert 'value="2027-11-18"' in page.text  # 52 weeks on: a Thursday again
    assert _count(db, Congress) == 1


def test_copy_preview_for_shorter_dates_says_what_is_left_out(app, db, staff_client):
    source = _source(db)

    page = staff_client("organiser").post(
        f"/admin/congresses/{source.id}/copy",
        data=edition_form(starts_on="2027-11-18", ends_on="2027-11-18", preview="1"),
    )

    assert page.status_code == 200
    assert "1 Programmpunkte liegen auf Tagen, die es zu den neuen Daten nicht gibt" in page.text
    assert _count(db, Congress) == 1


def test_copying_takes_everything_but_people_to_the_new_dates(app, db, staff_client):
    source = _source(db)

    response = staff_client("organiser").post(
        f"/admin/congresses/{source.id}/copy",
        data=edition_form(
            title="Fachkongress 2027", starts_on="2027-11-18", ends_on="2027-11-19", copy="1"
        ),
    )

    assert response.status_code == 303
    target = db.session.execute(
        select(Congress).where(Congress.title == "Fachkongress 2027")
    ).scalar_one()
    assert response.headers["Location"] == f"/admin/congresses/{target.id}"
    assert db.session.scalars(select(Room.name).where(Room.congress_id == target.id)).all() == [
        "Saal 1"
    ]
    assert db.session.scalars(select(Track.name).where(Track.congress_id == target.id)).all() == [
        "Praxis"
    ]
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.congress_id == target.id)
        .order_by(AgendaSession.starts_at)
    ).all()
    assert [(s.title, s.status) for s in sessions] == [("Eröffnung", "draft"), ("Tandems", "draft")]
    assert sessions[0].starts_at == datetime(2027, 11, 18, 8, 30, tzinfo=UTC)  # 9:30 in Berlin
    phase = db.session.execute(
        select(WorkshopPhase).where(WorkshopPhase.congress_id == target.id)
    ).scalar_one()
    assert (phase.name, phase.day) == ("Nachmittag", date(2027, 11, 19))
    assert sessions[1].phase_id == phase.id and sessions[1].room.name == "Saal 1"
    quota = db.session.execute(
        select(OrganisationQuota).where(OrganisationQuota.congress_id == target.id)
    ).scalar_one()
    assert (quota.quota, quota.taken) == (25, 0)
    assert [d.capacity for d in target.days] == [None, 120]
    text = db.session.execute(
        select(EditionText).where(EditionText.congress_id == target.id)
    ).scalar_one()
    assert (text.kind, text.body_de) == ("imprint", "# Impressum 2026")
    notice = services.newest_privacy_notice(target)
    assert (notice.number, notice.body_de) == (1, "Hinweise v2")
    assert db.session.scalar(select(func.count()).where(Registration.congress_id == target.id)) == 0
    assert target.is_current is False and source.is_current is True
    entry = db.session.execute(
        select(AuditLog).where(AuditLog.action == "edition.copied")
    ).scalar_one()
    assert entry.details["sessions"] == 2 and entry.details["source"] == source.id


def _preview_and_copy(db, organiser, source, *, ends_on="2027-11-19"):
    """The copy page's preview (whitespace folded), then the copy to 18 November 2027 on:
    (preview, response, the new edition or None)."""
    preview = re.sub(r"\s+", " ", organiser.get(f"/admin/congresses/{source.id}/copy").text)
    response = organiser.post(
        f"/admin/congresses/{source.id}/copy",
        data=edition_form(
            title="Fachkongress 2027", starts_on="2027-11-18", ends_on=ends_on, copy="1"
        ),
    )
    target = db.session.execute(
        select(Congress).where(Congress.title == "Fachkongress 2027")
    ).scalar_one_or_none()
    return preview, response, target


def test_copying_takes_the_registration_questions_and_mail_texts_along(app, db, staff_client):
    """Issue 17: the copy step of the questions and the mail texts is one of the edition's."""
    from conference.mailtexts import services as mailtexts
    from conference.questions import services as questions
    from conference.questions.models import QuestionKind

    source = _source(db)
    now = datetime.now(UTC)
    childcare = questions.save_question(
        source,
        questions.QuestionData(kind=QuestionKind.YES_NO, text_de="Kinderbetreuung?"),
        actor="test",
        now=now,
    )
    questions.save_question(
        source,
        questions.QuestionData(
            kind=QuestionKind.NUMBER,
            text_de="Für wie viele Kinder?",
            condition_option_id=childcare.options[0].id,
        ),
        actor="test",
        now=now,
    )
    mailtexts.save_text(
        source,
        "registration.confirm",
        "de",
        "Bitte bestätigen",
        "Hallo {first_name}, bitte bestätigen: {confirm_link}",
        actor="test",
        now=now,
    )
    db.session.commit()
    organiser = staff_client("organiser")

    preview, response, target = _preview_and_copy(db, organiser, source)

    assert "Anmeldefragen: <strong>2</strong>" in preview
    assert "Eigene Mailtexte: <strong>1</strong>" in preview
    assert response.status_code == 303
    copied = questions.questions_of(target.id)
    assert [q.text_de for q in copied] == ["Kinderbetreuung?", "Für wie viele Kinder?"]
    assert copied[1].condition_option_id == copied[0].options[0].id != childcare.options[0].id
    text = mailtexts.current_text(target.id, "registration.confirm", "de")
    assert (text.custom, text.subject) == (True, "Bitte bestätigen")
    entry = db.session.execute(
        select(AuditLog).where(AuditLog.action == "edition.copied")
    ).scalar_one()
    assert (entry.details["questions"], entry.details["mail_texts"]) == (2, 1)


def _survey_call_and_rules(db, source):
    """The evaluation survey, the call for contributions and three scheduled mails of
    ``source``: the parts of the areas above the editions."""
    from conference.cfp import services as cfp
    from conference.mailings import services as mailings
    from conference.surveys import services as surveys

    now = datetime.now(UTC)
    survey = surveys.save_settings(
        source,
        anonymous=True,
        closes_on=source.ends_on + timedelta(days=14),
        intro_de="Wie war der Kongress?",
        intro_en="How was the congress?",
        actor="test",
    )
    surveys.add_question(
        survey,
        surveys.QuestionInput(
            kind="rating", text_de="Gesamteindruck", low_de="schwach", high_de="stark"
        ),
        actor="test",
    )
    surveys.add_question(
        survey,
        surveys.QuestionInput(
            kind="single", text_de="Wie erfahren?", options_de=["Mail", "Träger"]
        ),
        actor="test",
    )
    call = cfp.save_call(
        source,
        deadline=now + timedelta(days=30),
        intro_de="Wir suchen Workshops.",
        intro_en="",
        abstract_limit=1200,
        anonymous_review=True,
        actor="test",
        now=now,
    )
    cfp.add_format(call, name_de="Workshop", name_en="", duration=90, kind="workshop", actor="test")
    cfp.add_criterion(call, name_de="Relevanz", name_en="", weight=3, actor="test")
    from conference.questions import services as questions
    from conference.questions.models import QuestionKind

    cfp.add_question(
        source,
        questions.QuestionData(kind=QuestionKind.SHORT_TEXT, text_de="Zielgruppe?"),
        actor="test",
        now=now,
    )
    mailings.add_preset(source, "practical", actor="test", now=now)
    texts = mailings.RuleInput(
        "Tag 2", "Hallo {first_name}", "Day 2", "Hello {first_name}",
        anchor="before_start", days=2, send_time=time(8, 0),
    )  # fmt: skip
    mailings.save_rule(
        source, texts, mailings.RecipientFilter(days=(source.ends_on,)), actor="test", now=now
    )
    workshop = db.session.scalars(
        select(AgendaSession).where(AgendaSession.title == "Tandems")
    ).one()
    mailings.save_rule(
        source, texts, mailings.RecipientFilter(workshop_ids=(workshop.id,)), actor="test", now=now
    )


def test_copying_takes_the_survey_the_call_and_the_scheduled_mails_along(app, db, staff_client):
    from conference.cfp.models import Call
    from conference.mailings.models import MailingRule
    from conference.mailings.recipients import RecipientFilter
    from conference.surveys.models import Survey

    source = _source(db)
    _survey_call_and_rules(db, source)
    db.session.commit()
    organiser = staff_client("organiser")

    preview, response, target = _preview_and_copy(db, organiser, source)

    assert "Fragen der Evaluationsbefragung: <strong>2</strong>" in preview
    assert (
        "Call for Contributions: Formate, Bewertungskriterien und Fragen: <strong>3</strong>"
        in (preview)
    )
    assert "Anmeldefragen: <strong>0</strong>" in preview  # the call's question is the call's
    assert "Geplante Mails, noch nicht versandt: <strong>2</strong>" in preview
    assert "1 geplante Mail wählt ihre Empfänger:innen nach einem Workshop" in preview
    assert "ohne Frist übernommen" in preview
    assert response.status_code == 303
    survey = db.session.execute(select(Survey).where(Survey.congress_id == target.id)).scalar_one()
    assert (survey.anonymous, survey.closes_on, survey.intro_en) == (
        True,
        date(2027, 12, 3),  # 14 days after the new end, as before
        "How was the congress?",
    )
    assert [(q.kind, q.text_de, q.low_de) for q in survey.questions] == [
        ("rating", "Gesamteindruck", "schwach"),
        ("single", "Wie erfahren?", ""),
    ]
    assert [o.label_de for o in survey.questions[1].options] == ["Mail", "Träger"]
    call = db.session.execute(select(Call).where(Call.congress_id == target.id)).scalar_one()
    assert call.deadline is None and call.is_open(datetime.now(UTC)) is False
    assert (call.intro_de, call.abstract_limit, call.anonymous_review) == (
        "Wir suchen Workshops.",
        1200,
        True,
    )
    assert [(f.name_de, f.duration_minutes) for f in call.formats] == [("Workshop", 90)]
    assert [(c.name_de, c.weight) for c in call.criteria] == [("Relevanz", 3)]
    rules = db.session.scalars(
        select(MailingRule).where(MailingRule.congress_id == target.id).order_by(MailingRule.id)
    ).all()
    assert [(r.preset, r.subject_de, r.ran_at) for r in rules] == [
        ("practical", rules[0].subject_de, None),
        (None, "Tag 2", None),
    ]
    assert RecipientFilter.from_json(rules[1].recipients).days == (date(2027, 11, 19),)
    entry = db.session.execute(
        select(AuditLog).where(AuditLog.action == "edition.copied")
    ).scalar_one()
    assert (
        entry.details["survey_questions"],
        entry.details["call_parts"],
        entry.details["mailing_rules"],
    ) == (2, 3, 2)


def test_a_shorter_copy_leaves_out_the_mails_of_days_it_does_not_have(app, db, staff_client):
    from conference.mailings.models import MailingRule

    source = _source(db)
    _survey_call_and_rules(db, source)
    db.session.commit()

    _preview, response, target = _preview_and_copy(
        db, staff_client("organiser"), source, ends_on="2027-11-18"
    )

    assert response.status_code == 303
    presets = db.session.scalars(
        select(MailingRule.preset).where(MailingRule.congress_id == target.id)
    ).all()
    assert presets == ["practical"]


def test_copying_an_edition_without_survey_call_or_rules_creates_none(app, db, staff_client):
    from conference.cfp.models import Call
    from conference.mailings.models import MailingRule
    from conference.surveys.models import Survey

    source = _source(db)
    organiser = staff_client("organiser")

    preview, _response, target = _preview_and_copy(db, organiser, source)

    assert "Fragen der Evaluationsbefragung: <strong>0</strong>" in preview
    assert "ohne Frist" not in preview and "geplante Mail" not in preview
    assert target is not None
    assert (_count(db, Survey), _count(db, Call), _count(db, MailingRule)) == (0, 0, 0)


def test_the_settings_page_links_to_the_editions_questions_and_mail_texts(app, db, staff_client):
    source = _source(db)

    page = staff_client("organiser").get(f"/admin/congresses/{source.id}").text
    questions = staff_client("organiser").get(f"/admin/congresses/{source.id}/questions").text

    assert f'href="/admin/congresses/{source.id}/questions">Anmeldefragen</a>' in page
    assert f'href="/admin/congresses/{source.id}/mail-texts">Mailtexte</a>' in page
    assert f'href="/admin/congresses/{source.id}"' in questions


def test_copying_refuses_bad_dates_beside_the_field_and_creates_nothing(app, db, staff_client):
    source = _source(db)

    response = staff_client("organiser").post(
        f"/admin/congresses/{source.id}/copy",
        data=edition_form(starts_on="2027-11-18", ends_on="2027-11-01", copy="1"),
    )

    assert response.status_code == 400
    assert _error_beside(response.text, "ends_on") == "Das Ende kann nicht vor dem Beginn liegen."
    assert _count(db, Congress) == 1


# --- past editions and deleting ---------------------------------------------------------------------


def test_an_edition_with_registrations_cannot_be_deleted(app, db, staff_client):
    past = factories.congress(title="Fachkongress 2025", current=False)
    factories.registration(past)
    factories.congress(title="Fachkongress 2026")
    db.session.commit()
    client = staff_client("organiser")

    page = client.get(f"/admin/congresses/{past.id}/delete")
    refused = client.post(f"/admin/congresses/{past.id}/delete", data={"confirm": "y"})

    assert "Sie enthält 1 Anmeldungen" in page.text
    assert refused.status_code == 409
    assert db.session.get(Congress, past.id) is not None


def test_an_empty_edition_is_deleted_after_confirmation(app, db, staff_client):
    factories.congress(title="Fachkongress 2026")
    empty = factories.congress(title="Versehentlich", current=False)
    factories.room(empty)
    db.session.commit()
    client = staff_client("organiser")

    unconfirmed = client.post(f"/admin/congresses/{empty.id}/delete", data={})
    confirmed = client.post(f"/admin/congresses/{empty.id}/delete", data={"confirm": "y"})

    assert unconfirmed.status_code == 400
    assert "Bitte setzen Sie das Häkchen" in _error_beside(unconfirmed.text, "confirm")
    assert confirmed.status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(Congress.title)).all() == ["Fachkongress 2026"]
    assert _count(db, Room) == 0
    log = client.get("/admin/audit").text
    assert "hat den Kongress „Versehentlich“" in log


def test_the_current_edition_cannot_be_deleted_while_others_exist(app, db, staff_client):
    current = factories.congress(title="Aktuell")
    factories.congress(title="Andere", current=False)
    db.session.commit()

    response = staff_client("organiser").post(
        f"/admin/congresses/{current.id}/delete", data={"confirm": "y"}
    )

    assert response.status_code == 409
    assert "Machen Sie zuerst eine andere Ausgabe zur aktuellen" in response.text


def test_past_editions_keep_their_dashboard_report_and_exports(app, db, staff_client):
    past = factories.congress(
        title="Fachkongress 2025", current=False, starts_on=date(2025, 11, 20)
    )
    factories.registration(past, first_name="Vergangen")
    factories.congress(title="Fachkongress 2026")
    db.session.commit()
    client = staff_client("organiser")

    settings = client.get(f"/admin/congresses/{past.id}").text
    dashboard = client.get(f"/admin/dashboard?congress={past.id}")
    report = client.get(f"/admin/dashboard/report.pdf?congress={past.id}")
    export = client.get(f"/admin/registrations/export.csv?congress={past.id}")
    current_export = client.get("/admin/registrations/export.csv")

    assert f'href="/admin/dashboard?congress={past.id}"' in settings
    assert f'href="/admin/registrations/export.csv?congress={past.id}"' in settings
    assert export.status_code == 200 and "Vergangen" in export.get_data(as_text=True)
    assert "Vergangen" not in current_export.get_data(as_text=True)
    assert client.get("/admin/registrations/export.csv?congress=x").status_code == 404
    assert client.get("/admin/registrations/export.csv?congress=99999").status_code == 404
    assert dashboard.status_code == 200 and "Fachkongress 2025" in dashboard.text
    assert report.status_code == 200 and report.data.startswith(b"%PDF")


# --- texts ------------------------------------------------------------------------------------------


def test_public_texts_are_linked_from_every_page_and_shown_in_the_visitors_language(
    app, db, client
):
    congress = factories.congress()
    now = datetime.now(UTC)
    services.save_text(
        congress,
        "imprint",
        "# Angaben\n\nVerein e. V.",
        "# Details\n\nAssociation",
        actor="t",
        now=now,
    )
    services.save_text(congress, "accessibility", "Nur deutsch.", "", actor="t", now=now)
    db.session.commit()

    landing = client.get("/").text
    german = client.get("/impressum").text
    english = client.get("/impressum?lang=en").text
    fallback = client.get("/barrierefreiheit?lang=en").text

    for path in ("/impressum", "/datenschutz", "/barrierefreiheit"):
        assert f'href="{path}"' in landing
    assert "<h2>Angaben</h2>" in german and "Verein e. V." in german
    assert "<h2>Details</h2>" in english and "Association" in english
    assert "This text is available in German only." in fallback
    assert '<div class="prose public-text" lang="de"><p>Nur deutsch.</p>' in fallback


def test_public_texts_without_a_congress_or_a_text_answer_politely(app, client):
    for path in ("/impressum", "/datenschutz", "/barrierefreiheit"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Dieser Text ist noch nicht veröffentlicht." in response.text


def test_markdown_is_rendered_and_sanitised(app, db, staff_client, client):
    congress = factories.congress()
    db.session.commit()
    dangerous = (
        "# Titel\n\n<script>alert(1)</script> [klick](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> [gut](https://example.org) **fett**"
    )

    staff_client("organiser").post(
        f"/admin/congresses/{congress.id}/texts/imprint",
        data={"body_de": dangerous, "body_en": "", "save": "1"},
    )
    page = client.get("/impressum").text

    body = page.split('class="prose public-text"')[1].split("</div>")[0]
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">gut</a>' in body
    assert "<strong>fett</strong>" in body and "<h2>Titel</h2>" in body


def test_preview_shows_the_rendered_text_without_storing_it(app, db, staff_client):
    congress = factories.congress()
    db.session.commit()

    response = staff_client("organiser").post(
        f"/admin/congresses/{congress.id}/texts/welcome",
        data={"body_de": "Willkommen **alle**", "body_en": "Welcome", "preview": "1"},
    )

    assert response.status_code == 200
    assert "<strong>alle</strong>" in response.text
    assert "Noch nicht gespeichert." in response.text
    assert _count(db, EditionText) == 0


def test_text_editors_start_from_the_templates_with_marked_gaps(app, db, staff_client):
    congress = factories.congress()
    db.session.commit()
    client = staff_client("organiser")

    privacy = client.get(f"/admin/congresses/{congress.id}/texts/privacy").text
    imprint = client.get(f"/admin/congresses/{congress.id}/texts/imprint").text

    for gap in [
        "[[Name der verantwortlichen Organisation]]",  # controller
        "[[E-Mail-Adresse der bzw. des Datenschutzbeauftragten]]",  # contact
        "Welche Daten wir verarbeiten und wozu",  # purposes
        "Rechtsgrundlagen",
        "[[Name und Ort der Druckerei]]",  # recipients: printer
        "[[Name des Veranstaltungsorts]]",  # recipients: venue
        "Speicherdauer",
        "Ihre Rechte",
        "[[Name und Anschrift der zuständigen Aufsichtsbehörde]]",
        "[[Name of the organisation responsible]]",
        "[[name and address of the supervisory authority]]",
    ]:
        assert gap in privacy, gap
    assert "Lücken sind noch zu füllen" in privacy
    assert "Angaben gemäß § 5 DDG" in imprint


def test_a_changed_privacy_notice_is_a_new_dated_version_that_registrations_record(
    app, db, staff_client, client
):
    congress = factories.congress()
    services.save_privacy_notice(
        congress, "Version eins", "Version one", actor="t", now=datetime.now(UTC)
    )
    early = factories.registration(congress, first_name="Früh")
    db.session.commit()
    organiser = staff_client("organiser")

    unchanged = organiser.post(
        f"/admin/congresses/{congress.id}/texts/privacy",
        data={"body_de": "Version eins", "body_en": "Version one", "save": "1"},
        follow_redirects=True,
    )
    changed = organiser.post(
        f"/admin/congresses/{congress.id}/texts/privacy",
        data={"body_de": "Version zwei", "body_en": "Version two", "save": "1"},
        follow_redirects=True,
    )
    late = factories.registration(db.session.get(Congress, congress.id), first_name="Spät")
    db.session.commit()

    assert "keine neue Version" in unchanged.text
    assert "Als Version 2 gespeichert." in changed.text
    versions = db.session.scalars(
        select(PrivacyNotice.label)
        .where(PrivacyNotice.congress_id == congress.id)
        .order_by(PrivacyNotice.number)
    ).all()
    assert versions == ["1", "2"]
    assert (early.consent_version, late.consent_version) == ("1", "2")
    assert "Version zwei" in client.get("/datenschutz").text
    detail = organiser.get(f"/admin/registrations/{early.id}").text
    assert "Datenschutzhinweise Version 1 vom" in detail
    export = json.loads(organiser.get(f"/admin/privacy/registrations/{late.id}/export.json").data)
    assert export["privacy_notice_accepted"]["version"] == "2"
    assert export["privacy_notice_accepted"]["text"].strip() == "Version zwei"
    assert export["privacy_notice_accepted"]["dated"][:4] == str(date.today().year)
    old = organiser.get(f"/admin/congresses/{congress.id}/texts/privacy/1")
    assert old.status_code == 200 and "Version eins" in old.text


def test_sign_up_records_the_current_privacy_version(app, db, client, smtp):
    congress = factories.congress()
    services.save_privacy_notice(congress, "Neu", "New", actor="t", now=datetime.now(UTC))
    db.session.commit()

    client.post(
        "/register",
        data={
            "first_name": "Amira",
            "last_name": "Haddad",
            "email": "amira@example.org",
            "carrier": "other",
            "organisation_other": "Stadt Kassel",
            "programme_role": "mentor",
            "sector": "civil_society",
            "days": [d.day.isoformat() for d in congress.days],
            "consent": "y",
            "diet": "none",
            "language": "de",
        },
    )

    assert db.session.execute(select(Registration.consent_version)).scalar_one() == "1"


def test_unknown_texts_and_versions_are_404(app, db, staff_client):
    congress = factories.congress()
    db.session.commit()
    client = staff_client("organiser")

    assert client.get(f"/admin/congresses/{congress.id}/texts/recipe").status_code == 404
    assert client.get(f"/admin/congresses/{congress.id}/texts/privacy/9").status_code == 404
    assert client.get("/admin/congresses/999999").status_code == 404


# --- the organising body -----------------------------------------------------------------------------


def _png(size=(60, 20)) -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


def _save_body(client, **data):
    return client.post(
        "/admin/organising-body",
        data={"name": "Netzwerk Engagement e. V.", "address": "Musterweg 3\n10115 Berlin", **data},
        content_type="multipart/form-data",
    )


def test_organising_body_appears_in_header_footer_and_logo(app, db, staff_client, client):
    factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    response = _save_body(organiser, logo=(io.BytesIO(_png()), "logo.png"))
    page = client.get("/").text
    logo = client.get(re.search(r'src="(/organising-body/logo\?v=\d+)"', page).group(1))

    assert response.status_code == 303
    header = page.split("</header>")[0]
    footer = page.split('<footer class="site-footer">')[1]
    assert "Netzwerk Engagement e. V." in header
    assert "Netzwerk Engagement e. V. · Musterweg 3 · 10115 Berlin" in footer
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == _png()
    assert (
        client.get(
            "/organising-body/logo", headers={"If-None-Match": logo.headers["ETag"]}
        ).status_code
        == 304
    )
    row = db.session.get(OrganisingBody, 1)
    assert (row.name, row.logo_mimetype) == ("Netzwerk Engagement e. V.", "image/png")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            (b"not an image at all", "logo.png"),
            "Das Logo muss ein PNG-, JPEG- oder WebP-Bild sein.",
        ),
        (
            (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "logo.png"),
            "Das Logo muss ein PNG-, JPEG- oder WebP-Bild sein.",
        ),
        (
            (b"GIF89a" + b"\0" * 100, "logo.gif"),
            "Das Logo muss ein PNG-, JPEG- oder WebP-Bild sein.",
        ),
        (
            (b"\x89PNG" + b"\0" * (1024 * 1024 + 10), "big.png"),
            "Das Logo darf höchstens 1 MB groß sein.",
        ),
    ],
)
def test_a_logo_that_is_not_a_small_image_is_refused_beside_the_field(
    app, db, staff_client, upload, message
):
    data, name = upload

    response = _save_body(staff_client("organiser"), logo=(io.BytesIO(data), name))

    assert response.status_code == 400
    assert _error_beside(response.text, "logo") == message
    assert db.session.get(OrganisingBody, 1) is None


def test_organising_body_replaces_the_fixed_texts_on_badges_tickets_certificates_and_report(
    app, db, staff_client, tmp_path
):
    congress = factories.congress(starts_on=date.today() - timedelta(days=5), days=1)
    person = factories.registration(congress, first_name="Jana", last_name="Berg")
    gate = factories.checkpoint(congress)
    from conference.checkin.models import CheckIn

    db.session.add(CheckIn(registration_id=person.id, checkpoint_id=gate.id))
    db.session.commit()
    organiser = staff_client("organiser")
    _save_body(organiser, logo=(io.BytesIO(_png()), "logo.png"))

    pdfs = {
        "badge": organiser.post(f"/admin/badges/{person.id}.pdf").data,
        "ticket": organiser.get(f"/r/{person.manage_token}/ticket.pdf").data,
        "certificate": organiser.get(f"/r/{person.manage_token}/certificate.pdf").data,
        "report": organiser.get("/admin/dashboard/report.pdf").data,
    }

    for kind, data in pdfs.items():
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        images = subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "Netzwerk Engagement e. V." in re.sub(r"\s+", " ", text), kind
        assert " 60 " in images and " 20 " in images, f"{kind} has no logo: {images}"


# --- access and the demo ---------------------------------------------------------------------------


EDITION_PAGES = [
    "/admin/congresses",
    "/admin/congresses/new",
    "/admin/congresses/{id}",
    "/admin/congresses/{id}/copy",
    "/admin/congresses/{id}/delete",
    "/admin/congresses/{id}/texts/imprint",
    "/admin/congresses/{id}/texts/privacy/1",
    "/admin/organising-body",
]


@pytest.mark.parametrize("role", ["checkin", "coordinator"])
def test_door_staff_and_coordinators_are_refused(app, db, staff_client, role):
    congress = factories.congress()
    services.save_privacy_notice(congress, "x", "y", actor="t", now=datetime.now(UTC))
    db.session.commit()
    client = staff_client(role)

    for path in EDITION_PAGES:
        assert client.get(path.format(id=congress.id)).status_code == 403, path
    assert client.post(f"/admin/congresses/{congress.id}/current").status_code == 403
    assert client.post("/admin/congresses/new", data=edition_form()).status_code == 403
    assert _count(db, Congress) == 1


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_organisers_and_admins_reach_every_page(app, db, staff_client, role):
    congress = factories.congress()
    services.save_privacy_notice(congress, "x", "y", actor="t", now=datetime.now(UTC))
    db.session.commit()
    client = staff_client(role)

    for path in EDITION_PAGES:
        assert client.get(path.format(id=congress.id)).status_code == 200, path


def test_the_demo_sets_its_texts_and_organising_body_through_the_services(app, db, client):
    from conference import demo

    demo.load(admin_email="admin@example.org", admin_password="demo password 12345")
    db.session.commit()

    page = client.get("/").text
    assert "Netzwerkstelle Fachkongress (Demo)" in page
    assert "<strong>Plenarien, ein Podium und zwei Workshop-Phasen</strong>" in page
    privacy = client.get("/datenschutz").text
    assert "[[" not in privacy and "Netzwerkstelle Fachkongress (Demo)" in privacy
    assert "Angaben gemäß § 5 DDG" in client.get("/impressum").text
    current = db.session.execute(select(Congress).where(Congress.is_current)).scalar_one()
    assert current.consent_text_version == "1"
    labels = db.session.scalars(
        select(Registration.consent_version)
        .where(Registration.congress_id == current.id)
        .distinct()
    ).all()
    assert labels == ["1"]
    assert (
        db.session.scalar(
            select(func.count()).where(AuditLog.action == "edition.organising_body_saved")
        )
        == 1
    )


def test_a_past_editions_certificates_come_for_a_carrier_after_a_new_edition_is_current(
    app, db, staff_client, tmp_path
):
    from conference.checkin.models import CheckIn

    past = factories.congress(title="Fachkongress 2025", starts_on=date(2025, 11, 20), days=1)
    carrier = factories.carrier("Träger A")
    person = factories.registration(past, carrier_id=carrier.id, first_name="Jana", last_name="Alt")
    db.session.add(CheckIn(registration_id=person.id, checkpoint_id=factories.checkpoint(past).id))
    factories.congress(title="Fachkongress 2026", current=False)
    db.session.commit()
    services.mark_current(
        db.session.execute(
            select(Congress).where(Congress.title == "Fachkongress 2026")
        ).scalar_one(),
        actor="t",
    )
    db.session.commit()
    client = staff_client("coordinator", organisation_id=carrier.id)

    current = client.get(f"/admin/certificates/organisation/{carrier.id}.pdf")
    old = client.get(f"/admin/certificates/organisation/{carrier.id}.pdf?congress={past.id}")

    assert current.status_code == 303  # nobody of the carrier came to the new one (yet)
    assert old.status_code == 200
    path = tmp_path / "old.pdf"
    path.write_bytes(old.data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Jana Alt" in text and "Fachkongress 2025" in text
