"""Reports: dashboard, charts, exports, funder report, certificates, directory, privacy, audit."""

from __future__ import annotations

import io
import json
import subprocess
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conference.checkin.models import CheckIn
from conference.core import signals
from conference.core.models import AuditLog, Congress, OutboxMail
from conference.core.time import utcnow
from conference.registration.models import Registration
from conference.reports import charts, directory, privacy, services
from conference.reports.models import ContactRequest, DirectoryProfile
from conference.workshops.models import WorkshopSeat
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- charts ----------------------------------------------------------------------------------


def test_bar_chart_is_an_accessible_svg_with_escaped_labels():
    svg = charts.bar_chart("Anmeldungen", [("<script>", 4), ("Caritas", 2), ("Leer", 0)])

    root = ET.fromstring(str(svg))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    title = root.find(SVG + "title")
    assert title.text == "Anmeldungen"
    assert title.get("id") in root.get("aria-labelledby").split()
    assert root.find(SVG + "desc").text == "<script>: 4; Caritas: 2; Leer: 0"
    widths = [float(r.get("width")) for r in root.iter(SVG + "rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert "<script>" not in str(svg)
    assert "style=" not in str(svg)


def test_bar_chart_draws_a_second_series_with_a_legend():
    svg = charts.bar_chart("Tage", [("Mo", 10), ("Di", 8)], second=[7, 0], legend=("a", "b"))

    root = ET.fromstring(str(svg))
    alt = [r for r in root.iter(SVG + "rect") if r.get("class") == "bar-alt"]
    assert [float(r.get("width")) for r in alt][1] == 0
    assert len(alt) == 2


def test_line_chart_goes_through_every_point_scaled_to_the_largest():
    svg = charts.line_chart("Verlauf", [("2026-01-01", 1), ("2026-01-02", 4), ("2026-01-03", 2)])

    root = ET.fromstring(str(svg))
    points = root.find(SVG + "polyline").get("points").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert len(points) == 3
    assert ys[1] == 12.0  # the largest value touches the top of the plot
    assert ys[0] > ys[2] > ys[1]
    assert root.find(SVG + "title").text == "Verlauf"


def test_empty_charts_still_render():
    assert ET.fromstring(str(charts.bar_chart("Leer", []))).get("role") == "img"
    assert ET.fromstring(str(charts.line_chart("Leer", []))).get("role") == "img"


# --- dashboard -------------------------------------------------------------------------------


def _edition(db):
    """A congress with two carriers, five registrations, a workshop and check-ins."""
    congress = factories.congress(starts_on=date(2026, 3, 10), days=2, slug="fk26")
    caritas = factories.carrier("Caritas", local_structures=1)
    awo = factories.carrier("AWO")
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Sprachpatenschaften", capacity=4)
    gate1 = factories.checkpoint(congress, code="day-1", day=congress.starts_on)
    gate2 = factories.checkpoint(congress, code="day-2", day=congress.ends_on)
    room = factories.checkpoint(
        congress, code="ws-1", day=congress.starts_on, session_id=workshop.id
    )
    a = factories.registration(
        congress,
        carrier_id=caritas.id,
        local_structure_id=caritas.local_structures[0].id,
        programme_role="mentor",
        diet="vegan",
        needs_step_free=True,
        first_name="Jürgen",
        last_name="Groß",
    )
    b = factories.registration(
        congress, carrier_id=caritas.id, programme_role="mentor", days=[congress.starts_on]
    )
    c = factories.registration(congress, carrier_id=awo.id, programme_role="guide")
    factories.registration(congress, organisation_other="Verein X", status="waitlisted")
    factories.registration(congress, carrier_id=awo.id, status="cancelled")
    workshop.seats_taken = 2
    db.session.add_all(
        [
            WorkshopSeat(registration_id=a.id, phase_id=phase.id, session_id=workshop.id),
            WorkshopSeat(registration_id=b.id, phase_id=phase.id, session_id=workshop.id),
            CheckIn(registration_id=a.id, checkpoint_id=gate1.id),
            CheckIn(registration_id=a.id, checkpoint_id=gate2.id),
            CheckIn(registration_id=a.id, checkpoint_id=room.id),
            CheckIn(registration_id=b.id, checkpoint_id=gate1.id),
            CheckIn(registration_id=c.id, checkpoint_id=gate2.id),
        ]
    )
    db.session.commit()
    return congress, a


def test_dashboard_figures_count_what_is_stored(app, db):
    congress, _a = _edition(db)

    with app.test_request_context("/?lang=en"):
        figures = {f.key: f for f in services.dashboard_figures(congress)}
        key = services.key_figures(congress)

    assert key == {
        "pending": 0,
        "confirmed": 3,
        "waitlisted": 1,
        "cancelled": 1,
        "attended": 3,
        "carriers": 2,
    }
    assert figures["carriers"].rows == [
        ["Caritas", 2],
        ["AWO", 1],
        ["No carrier organisation", 1],
    ]
    assert sorted(figures["roles"].rows) == [["Guide (Lots:in)", 1], ["Mentor", 2], ["Other", 1]]
    assert sorted(figures["levels"].rows) == [
        ["Carrier organisation (head office)", 2],
        ["Local structure", 1],
        ["No carrier organisation", 1],
    ]
    assert [r[1:] for r in figures["days"].rows] == [[3, 2], [2, 2]]
    assert figures["workshops"].rows == [["Sprachpatenschaften", 4, 2, 0, 50]]
    assert figures["checkin"].rows == [
        ["Eingang day-1", 2, 67],
        ["Eingang ws-1", 1, 33],
        ["Eingang day-2", 2, 67],
    ]
    assert ["Step-free access", 1] in figures["needs"].rows
    assert ["Vegan", 1] in figures["needs"].rows
    assert figures["over_time"].rows[-1][2] == 4  # cancelled ones do not count


def test_dashboard_page_shows_each_chart_beside_its_table(app, db, staff_client):
    client = staff_client("organiser")
    _edition(db)

    response = client.get("/admin/dashboard")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('role="img"') == 9
    assert page.count("<table") == 9
    assert "Sprachpatenschaften" in page and "Caritas" in page
    assert "style=" not in page and "<script" not in page


def test_dashboard_runs_the_same_queries_for_one_and_three_registrations(
    app, db, staff_client, count_queries
):
    client = staff_client("organiser")
    congress = factories.congress()
    carrier = factories.carrier()
    factories.registration(congress, carrier_id=carrier.id)
    db.session.commit()
    with app.app_context(), count_queries() as one:
        assert client.get("/admin/dashboard").status_code == 200
    for _ in range(2):
        factories.registration(congress, carrier_id=factories.carrier().id, diet="halal")
    db.session.commit()

    with app.app_context(), count_queries() as three:
        assert client.get("/admin/dashboard").status_code == 200

    assert (len(one), len(three)) == (19, 19)


def test_dashboard_is_for_organisers_only(app, db, staff_client):
    factories.congress()
    db.session.commit()

    assert staff_client("coordinator").get("/admin/dashboard").status_code == 403


def test_every_dashboard_table_and_the_needs_list_export_as_csv_and_xlsx(app, db, staff_client):
    client = staff_client("organiser")
    _edition(db)

    for key in (
        "over_time",
        "carriers",
        "roles",
        "sectors",
        "levels",
        "days",
        "workshops",
        "checkin",
        "needs",
    ):
        for fmt in ("csv", "xlsx"):
            assert client.get(f"/admin/dashboard/{key}.{fmt}").status_code == 200, key
    needs = client.get("/admin/dashboard/needs_list.xlsx")
    csv = client.get("/admin/dashboard/carriers.csv").data.decode("utf-8-sig")

    sheet = load_workbook(io.BytesIO(needs.data)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("Nachname", "Vorname", "Organisation", "Tage", "Ernährung")
    assert rows[1][:2] == ("Groß", "Jürgen") and rows[1][4] == "Vegan" and len(rows) == 2
    assert "Caritas;2" in csv
    assert client.get("/admin/dashboard/unknown.csv").status_code == 404
    assert client.get("/admin/dashboard/carriers.pdf").status_code == 404


def test_funder_report_pdf_holds_key_figures_and_charts(app, db, staff_client, tmp_path):
    client = staff_client("organiser")
    _edition(db)

    response = client.get("/admin/dashboard/report.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Fachkongress 2026" in text
    assert "Caritas" in text and "Sprachpatenschaften" in text
    # the chart labels are real text from the inline SVG, not only the tables
    assert text.count("Sprachpatenschaften") >= 2


def test_stats_api_contract_is_unchanged(app, db, staff_client):
    client = staff_client("organiser")
    congress, _a = _edition(db)

    data = client.get("/api/v1/stats").get_json()

    assert set(data) == {"congress", "registrations", "checked_in", "workshops"}
    assert data["congress"]["id"] == congress.id
    assert data["checked_in"] == {"day-1": 2, "day-2": 2, "ws-1": 1}


# --- certificates ----------------------------------------------------------------------------


def _past_edition(db, *, days_ago=3):
    congress = factories.congress(starts_on=date.today() - timedelta(days=days_ago + 1), days=2)
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Patenschaften stärken")
    gate = factories.checkpoint(congress, code="day-1", day=congress.starts_on)
    room = factories.checkpoint(congress, code="ws", day=congress.starts_on, session_id=workshop.id)
    person = factories.registration(congress, first_name="Şebnem", last_name="Yılmaz")
    db.session.add_all(
        [
            CheckIn(registration_id=person.id, checkpoint_id=gate.id),
            CheckIn(registration_id=person.id, checkpoint_id=room.id),
        ]
    )
    db.session.commit()
    return congress, person


def test_certificate_lists_the_days_and_workshops_checked_in(app, db, client, tmp_path):
    congress, person = _past_edition(db)

    response = client.get(f"/r/{person.manage_token}/certificate.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "Teilnahmebescheinigung" in text
    assert "Şebnem Yılmaz" in text
    assert "Patenschaften stärken" in text
    assert str(congress.starts_on.day) in text
    second_day = congress.ends_on.strftime("%-d. ")
    assert text.count(second_day) <= 1  # the second day was not attended: only in the date range


def test_certificate_is_refused_before_the_congress_is_over(app, db, client):
    congress = factories.congress(starts_on=date.today(), days=1)
    gate = factories.checkpoint(congress)
    person = factories.registration(congress)
    db.session.add(CheckIn(registration_id=person.id, checkpoint_id=gate.id))
    db.session.commit()

    response = client.get(f"/r/{person.manage_token}/certificate.pdf?lang=en")

    assert response.status_code == 409
    assert "available after the congress" in response.get_data(as_text=True)


def test_certificate_is_refused_without_any_check_in(app, db, client):
    congress, _person = _past_edition(db)
    absent = factories.registration(congress)
    db.session.commit()

    response = client.get(f"/r/{absent.manage_token}/certificate.pdf?lang=en")

    assert response.status_code == 409
    assert "no check-in" in response.get_data(as_text=True)


def test_unknown_token_gets_404_for_the_certificate(app, db, client):
    assert client.get("/r/not-a-token/certificate.pdf").status_code == 404
    assert client.get(f"/r/{'x' * 43}/certificate.pdf").status_code == 404


def test_manage_page_section_offers_the_certificate_only_when_available(app, db):
    _congress, person = _past_edition(db)
    future = factories.congress(current=False)
    later = factories.registration(future)
    db.session.commit()

    with app.test_request_context("/"):
        sections = signals.collect_manage_sections(person)
        none = signals.collect_manage_sections(later)

    assert any(f"/r/{person.manage_token}/certificate.pdf" in s for s in sections)
    assert not any("certificate.pdf" in s for s in none)


def test_organisation_batch_has_one_page_per_attendee_who_came(app, db, staff_client, tmp_path):
    congress, person = _past_edition(db)
    carrier = factories.carrier("Träger A")
    person.carrier_id = carrier.id
    second = factories.registration(congress, carrier_id=carrier.id, last_name="Zweite")
    factories.registration(congress, carrier_id=carrier.id, last_name="Nichtda")
    gate = (
        db.session.execute(
            select(CheckIn.checkpoint_id).where(CheckIn.registration_id == person.id)
        )
        .scalars()
        .first()
    )
    db.session.add(CheckIn(registration_id=second.id, checkpoint_id=gate))
    db.session.commit()
    client = staff_client("coordinator", organisation_id=carrier.id)

    response = client.get(f"/admin/certificates/organisation/{carrier.id}.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert text.count("Teilnahmebescheinigung") == 2
    assert "Zweite" in text and "Nichtda" not in text
    pages = subprocess.run(
        ["pdfinfo", str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "Pages:           2" in pages


# --- networking directory --------------------------------------------------------------------


def _listed(db, congress, name, *, region="", topics="", **fields):
    person = factories.registration(congress, last_name=name, **fields)
    directory.opt_in(person, region, topics, now=utcnow())
    return person


def test_directory_is_closed_to_unconfirmed_attendees(app, db, client):
    congress = factories.congress()
    waiting = factories.registration(congress, status="waitlisted")
    db.session.commit()

    assert client.get(f"/r/{waiting.manage_token}/directory").status_code == 403
    assert client.get(f"/r/{'a' * 43}/directory").status_code == 404


def test_directory_shows_only_listed_confirmed_people_of_the_same_congress(app, db, client):
    congress = factories.congress()
    caritas = factories.carrier("Caritas")
    me = _listed(db, congress, "Ich")
    _listed(
        db, congress, "Sprachfrau", region="Kassel", topics="Sprache, Sport", carrier_id=caritas.id
    )
    _listed(db, congress, "Sportmann", region="Berlin", topics="Sport")
    factories.registration(congress, last_name="Ungelistet")
    other = factories.congress(current=False)
    _listed(db, other, "Anderswo")
    gone = _listed(db, congress, "Storniert")
    gone.status = "cancelled"
    db.session.commit()

    page = client.get(f"/r/{me.manage_token}/directory").get_data(as_text=True)
    by_topic = client.get(f"/r/{me.manage_token}/directory?topic=sprache").get_data(as_text=True)
    by_region = client.get(f"/r/{me.manage_token}/directory?region=berl").get_data(as_text=True)
    by_org = client.get(f"/r/{me.manage_token}/directory?organisation={caritas.id}").get_data(
        as_text=True
    )

    assert "Sprachfrau" in page and "Sportmann" in page
    for hidden in ("Ungelistet", "Anderswo", "Storniert", "person"):
        assert hidden not in page.split('id="search-title"')[1]
    assert "Sprachfrau" in by_topic and "Sportmann" not in by_topic
    assert "Sportmann" in by_region and "Sprachfrau" not in by_region
    assert "Sprachfrau" in by_org and "Sportmann" not in by_org


def test_opting_in_and_out_through_the_manage_link(app, db, client):
    congress = factories.congress()
    person = factories.registration(congress)
    db.session.commit()

    client.post(
        f"/r/{person.manage_token}/directory/opt-in", data={"region": "Hessen", "topics": "Sport"}
    )
    profile = db.session.execute(select(DirectoryProfile)).scalar_one()
    assert (profile.registration_id, profile.region, profile.topics) == (
        person.id,
        "Hessen",
        "Sport",
    )

    client.post(f"/r/{person.manage_token}/directory/opt-out")

    assert _count(db, DirectoryProfile) == 0
    actions = db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions == ["directory.opted_in", "directory.opted_out"]


def test_manage_page_section_offers_the_directory_to_confirmed_attendees(app, db):
    congress = factories.congress()
    person = factories.registration(congress)
    pending = factories.registration(congress, status="pending")
    db.session.commit()

    with app.test_request_context("/"):
        sections = signals.collect_manage_sections(person)
        none = signals.collect_manage_sections(pending)

    assert any(f"/r/{person.manage_token}/directory/opt-in" in s for s in sections)
    assert none == []


def test_contact_request_is_relayed_without_the_senders_address(app, db, client, smtp):
    congress = factories.congress()
    sender = _listed(db, congress, "Absender", email="absender@example.org")
    recipient = _listed(db, congress, "Empfaengerin", email="empf@example.org", language="en")
    db.session.commit()
    profile_id = db.session.execute(
        select(DirectoryProfile.id).where(DirectoryProfile.registration_id == recipient.id)
    ).scalar_one()

    response = client.post(
        f"/r/{sender.manage_token}/directory/{profile_id}/contact",
        data={"message": "Lust auf Austausch zu Sprachpatenschaften?"},
    )
    from conference.core.mail import deliver_pending

    deliver_pending()

    assert response.status_code == 303
    mail = smtp.wait(1)[0]
    body = mail.get_body(("plain",)).get_content()
    assert mail["To"] == "empf@example.org"
    assert mail["Reply-To"] is None
    assert "absender@example.org" not in mail.as_string()
    assert "Lust auf Austausch zu Sprachpatenschaften?" in body
    assert f"/r/{recipient.manage_token}/directory" in body


def test_contact_request_includes_the_address_only_when_the_sender_agrees(app, db, client):
    congress = factories.congress()
    sender = _listed(db, congress, "Absender", email="absender@example.org")
    _listed(db, congress, "Empfaengerin")
    db.session.commit()
    profile_id = (
        db.session.execute(select(DirectoryProfile.id).order_by(DirectoryProfile.id.desc()))
        .scalars()
        .first()
    )

    client.post(
        f"/r/{sender.manage_token}/directory/{profile_id}/contact",
        data={"message": "Hallo", "share_email": "y"},
    )

    mail = db.session.execute(select(OutboxMail)).scalar_one()
    assert "absender@example.org" in mail.body_text
    assert mail.reply_to is None


def test_only_listed_attendees_may_send_contact_requests(app, db, client):
    congress = factories.congress()
    lurker = factories.registration(congress)
    _listed(db, congress, "Empfaengerin")
    db.session.commit()
    profile_id = db.session.execute(select(DirectoryProfile.id)).scalar_one()

    response = client.post(
        f"/r/{lurker.manage_token}/directory/{profile_id}/contact?lang=en", data={"message": "Hi"}
    )

    assert response.status_code == 403
    assert "join the directory first" in response.get_data(as_text=True)
    assert _count(db, OutboxMail) == 0


def test_sixth_contact_request_in_a_day_is_refused(app, db, client):
    congress = factories.congress()
    sender = _listed(db, congress, "Vielschreiber")
    targets = [_listed(db, congress, f"Ziel{i}") for i in range(6)]
    db.session.commit()
    ids = dict(
        db.session.execute(select(DirectoryProfile.registration_id, DirectoryProfile.id)).all()
    )

    statuses = [
        client.post(
            f"/r/{sender.manage_token}/directory/{ids[t.id]}/contact?lang=en",
            data={"message": f"Nachricht {i}"},
        ).status_code
        for i, t in enumerate(targets)
    ]

    assert statuses == [303] * 5 + [429]
    assert _count(db, ContactRequest) == 5
    assert _count(db, OutboxMail) == 5


def test_old_contact_requests_do_not_count_against_the_limit(app, db):
    congress = factories.congress()
    sender = _listed(db, congress, "Gestern")
    target = _listed(db, congress, "Ziel")
    profile = directory.profile_of(target)
    yesterday = utcnow() - timedelta(hours=25)
    for _ in range(5):
        db.session.add(
            ContactRequest(
                sender_id=sender.id, recipient_id=target.id, message="x", created_at=yesterday
            )
        )
    db.session.flush()

    directory.send_contact_request(sender, profile.id, "Heute", share_email=False, now=utcnow())

    assert _count(db, ContactRequest) == 6


def test_parallel_contact_requests_never_exceed_the_limit(app, db):
    congress = factories.congress()
    sender = _listed(db, congress, "Parallel")
    targets = [_listed(db, congress, f"Ziel{i}") for i in range(8)]
    db.session.commit()
    sender_id = sender.id
    profile_ids = [directory.profile_of(t).id for t in targets]
    db.session.commit()  # end the reading transaction: on SQLite it holds the write lock
    results = []
    barrier = threading.Barrier(8)

    def send(profile_id):
        with app.app_context():
            barrier.wait()
            try:
                me = db.session.get(Registration, sender_id)
                directory.send_contact_request(
                    me, profile_id, "Hallo", share_email=False, now=utcnow()
                )
                db.session.commit()
                results.append("ok")
            except directory.TooManyRequests:
                db.session.rollback()
                results.append("limit")
            except Exception as error:  # noqa: BLE001 - reported in the assertion below
                db.session.rollback()
                results.append(type(error).__name__)

    threads = [threading.Thread(target=send, args=(p,)) for p in profile_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.expire_all()
    assert sorted(results) == ["limit"] * 3 + ["ok"] * 5
    assert _count(db, ContactRequest) == 5


# --- privacy ---------------------------------------------------------------------------------


def test_export_json_holds_everything_about_the_person_but_no_tokens(app, db, staff_client):
    client = staff_client("organiser")
    congress, person = _edition(db)
    directory.opt_in(person, "Kassel", "Sport", now=utcnow())
    db.session.commit()

    response = client.get(f"/admin/privacy/registrations/{person.id}/export.json")

    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["registration"]["first_name"] == "Jürgen"
    assert data["registration"]["carrier_organisation"] == "Caritas"
    assert data["registration"]["days"] == ["2026-03-10", "2026-03-11"]
    assert [s["workshop"] for s in data["workshop_seats"]] == ["Sprachpatenschaften"]
    assert len(data["check_ins"]) == 3
    assert data["directory_profile"]["region"] == "Kassel"
    assert person.manage_token not in response.get_data(as_text=True)
    assert person.badge_token not in response.get_data(as_text=True)
    assert db.session.execute(
        select(AuditLog.action).where(AuditLog.action == "registration.exported")
    ).scalar_one()


def test_erasure_removes_personal_data_but_keeps_the_statistics(app, db, staff_client):
    client = staff_client("organiser")
    congress, person = _edition(db)
    directory.opt_in(person, "Kassel", "Sport", now=utcnow())
    db.session.commit()
    old_tokens = (person.manage_token, person.calendar_token, person.badge_token)
    person_id = person.id
    with app.test_request_context("/?lang=en"):
        before = {f.key: f.rows for f in services.dashboard_figures(congress)}

    refused = client.post(f"/admin/privacy/registrations/{person_id}/erase", data={})
    assert refused.status_code == 400 and _count(db, DirectoryProfile) == 1
    response = client.post(f"/admin/privacy/registrations/{person_id}/erase", data={"confirm": "y"})

    assert response.status_code == 303
    db.session.expire_all()
    erased = db.session.get(Registration, person_id)
    assert (erased.first_name, erased.email) == ("–", f"erased-{person_id}@invalid")
    assert erased.anonymised_at is not None
    assert not {erased.manage_token, erased.calendar_token, erased.badge_token} & set(old_tokens)
    assert (erased.status, erased.carrier.name, erased.diet) == ("confirmed", "Caritas", "vegan")
    assert _count(db, DirectoryProfile) == 0
    with app.test_request_context("/?lang=en"):
        after = {f.key: f.rows for f in services.dashboard_figures(congress)}
    assert after == before
    assert client.get(f"/r/{old_tokens[0]}/certificate.pdf").status_code == 404


def test_privacy_page_finds_people_and_is_for_organisers(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    factories.registration(congress, first_name="Małgorzata", last_name="Wiśniewska")
    db.session.commit()

    page = client.get("/admin/privacy?q=wiśniew").get_data(as_text=True)

    assert "Małgorzata Wiśniewska" in page


def test_door_staff_cannot_open_the_privacy_page(app, db, staff_client):
    factories.congress()
    db.session.commit()

    assert staff_client("checkin").get("/admin/privacy").status_code == 403


def test_retention_setting_is_saved_and_validated(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    db.session.commit()

    refused = client.post("/admin/privacy/retention", data={"retention_months": "0"})
    assert refused.status_code == 400
    assert "zwischen 1 und 240" in refused.get_data(as_text=True)
    assert db.session.get(Congress, congress.id).retention_months == 24
    client.post("/admin/privacy/retention", data={"retention_months": "12"})

    db.session.expire_all()
    assert db.session.get(Congress, congress.id).retention_months == 12


def test_anonymise_command_handles_only_congresses_past_their_retention(app, db):
    old = factories.congress(
        starts_on=date.today() - timedelta(days=800), current=False, slug="alt"
    )
    recent = factories.congress(starts_on=date.today() - timedelta(days=40), slug="neu")
    gate = factories.checkpoint(old)
    veteran = factories.registration(old, first_name="Alt", email="alt@example.org")
    factories.registration(recent, first_name="Neu", email="neu@example.org")
    db.session.add(CheckIn(registration_id=veteran.id, checkpoint_id=gate.id))
    from conference.checkin.models import ScanRecord
    from conference.core import audit

    audit.record("registration.updated", veteran, actor="x", last_name="Alt-Name")
    scanned = datetime.combine(old.starts_on, datetime.min.time(), tzinfo=UTC)
    db.session.add(
        ScanRecord(device="token:1", nonce="n1", at=scanned, response={"attendee": {"name": "Alt"}})
    )
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["anonymise", "--dry-run"])
    assert dry.exit_code == 0 and "Would anonymise 1 registrations of" in dry.output
    assert db.session.execute(
        select(Registration.first_name).order_by(Registration.id)
    ).scalars().all() == ["Alt", "Neu"]

    result = runner.invoke(args=["anonymise"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.execute(
        select(Registration.first_name).order_by(Registration.id)
    ).scalars().all() == ["–", "Neu"]
    assert db.session.get(Congress, old.id).anonymised_at is not None
    assert services.registration_counts(old)["confirmed"] == 1
    assert _count(db, CheckIn) == 1
    assert _count(db, ScanRecord) == 0
    details = db.session.execute(
        select(AuditLog.details).where(AuditLog.action == "registration.updated")
    ).scalar_one()
    assert details == {}
    again = runner.invoke(args=["anonymise"])
    assert "Nothing to anonymise." in again.output


def test_anonymise_command_takes_the_months_from_the_option(app, db):
    recent = factories.congress(starts_on=date.today() - timedelta(days=70), slug="kurz")
    factories.registration(recent, first_name="Kurz")
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["anonymise", "--months", "1"])

    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.execute(select(Registration.first_name)).scalar_one() == "–"


def test_months_before_clamps_to_the_end_of_the_month():
    assert privacy.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert privacy.months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)


# --- audit log -------------------------------------------------------------------------------


def test_audit_log_viewer_filters_and_pages(app, db, staff_client):
    client = staff_client("organiser")
    from conference.core import audit

    for i in range(60):
        audit.record("quota.set", actor="anna@example.org", quota=i)
    audit.record("organisation.merged", actor="bob@example.org", source_name="Dublette")
    db.session.commit()

    first = client.get("/admin/audit?lang=en").get_data(as_text=True)
    second = client.get("/admin/audit?lang=en&page=2").get_data(as_text=True)
    merged = client.get("/admin/audit?action=organisation&lang=en").get_data(as_text=True)
    by_actor = client.get("/admin/audit?actor=BOB&lang=en").get_data(as_text=True)

    assert "61 entries" in first and "Page 1 of 2" in first
    assert "source_name: Dublette" in first  # newest first
    assert "Page 2 of 2" in second and "quota: 0" in second
    assert "1 entries" in merged and "Dublette" in merged
    assert "1 entries" in by_actor
    assert client.get("/admin/audit?since=kaputt&page=x").status_code == 200


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/dashboard/report.pdf"])
def test_staff_pages_need_a_login(app, db, client, path):
    factories.congress()
    db.session.commit()

    assert client.get(path).status_code == 302


def test_certificate_time_uses_the_congress_time_zone(app, db):
    congress = factories.congress(starts_on=date(2026, 6, 1), days=1, timezone="Europe/Berlin")

    assert not services.congress_over(congress, datetime(2026, 6, 1, 21, 59, tzinfo=UTC))
    assert services.congress_over(congress, datetime(2026, 6, 1, 22, 0, tzinfo=UTC))


def test_audit_log_exports_the_filtered_entries(app, db, staff_client):
    client = staff_client("organiser")
    from conference.core import audit

    audit.record("quota.set", actor="anna@example.org", quota=3)
    audit.record("organisation.merged", actor="bob@example.org", source_name="=Dublette")
    db.session.commit()

    response = client.get("/admin/audit.xlsx?action=organisation")

    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert len(rows) == 2
    assert rows[1][1:3] == ("bob@example.org", "organisation.merged")
    assert json.loads(rows[1][5]) == {"source_name": "=Dublette"}
    assert client.get("/admin/audit.pdf").status_code == 404


def test_directory_page_runs_the_same_queries_for_one_and_three_entries(
    app, db, client, count_queries
):
    congress = factories.congress()
    me = _listed(db, congress, "Ich")
    _listed(db, congress, "Eins", carrier_id=factories.carrier().id)
    db.session.commit()
    with app.app_context(), count_queries() as one:
        assert "Eins" in client.get(f"/r/{me.manage_token}/directory").get_data(as_text=True)
    for name in ("Zwei", "Drei"):
        _listed(db, congress, name, carrier_id=factories.carrier().id)
    db.session.commit()

    with app.app_context(), count_queries() as three:
        page = client.get(f"/r/{me.manage_token}/directory").get_data(as_text=True)

    assert "Drei" in page
    assert (len(one), len(three)) == (6, 6)


def test_audit_page_runs_the_same_queries_for_one_and_three_entries(
    app, db, staff_client, count_queries
):
    client = staff_client("organiser")
    from conference.core import audit

    audit.record("quota.set", actor="a", quota=1)
    db.session.commit()
    with app.app_context(), count_queries() as one:
        assert client.get("/admin/audit").status_code == 200
    for i in range(2):
        audit.record("quota.set", actor="a", quota=i)
    db.session.commit()

    with app.app_context(), count_queries() as three:
        assert client.get("/admin/audit").status_code == 200

    assert (len(one), len(three)) == (3, 3)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_directory_forms_carry_a_working_csrf_token(app, db, client):
    import re

    congress = factories.congress()
    person = factories.registration(congress)
    db.session.commit()
    page = client.get(f"/r/{person.manage_token}/directory").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    forged = client.post(f"/r/{person.manage_token}/directory/opt-in", data={"region": "X"})
    joined = client.post(
        f"/r/{person.manage_token}/directory/opt-in",
        data={"region": "Nordhessen", "topics": "", "csrf_token": token},
    )

    assert forged.status_code == 400
    assert joined.status_code == 303
    assert db.session.execute(select(DirectoryProfile.region)).scalar_one() == "Nordhessen"


def test_dashboard_and_report_of_a_past_edition(app, db, staff_client, tmp_path):
    client = staff_client("organiser")
    past, _a = _edition(db)
    past.is_current = False
    factories.congress(title="Fachkongress 2027", slug="fk27")
    db.session.commit()

    current = client.get("/admin/dashboard").get_data(as_text=True)
    chosen = client.get(f"/admin/dashboard?congress={past.id}").get_data(as_text=True)
    report = client.get(f"/admin/dashboard/report.pdf?congress={past.id}")
    export = client.get(f"/admin/dashboard/carriers.csv?congress={past.id}")

    assert "Caritas" not in current and "Caritas" in chosen
    assert f"report.pdf?congress={past.id}" in chosen
    assert "Caritas" in pdf_text(report.data, tmp_path)
    assert "Caritas;2" in export.data.decode("utf-8-sig")
    assert client.get("/admin/dashboard?congress=x").status_code == 400
    assert client.get("/admin/dashboard?congress=999").status_code == 404
