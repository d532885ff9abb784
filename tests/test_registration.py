"""Registration: sign-up with double opt-in, seats and waitlist, self-service, organisers, mail."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conference.attendee import lifecycle as attendee
from conference.core.models import AuditLog, Congress, CongressDay, OutboxMail
from conference.core.time import utcnow
from conference.organisations.models import LocalStructure, OrganisationQuota
from conference.registration import services
from conference.registration.models import Registration, Status
from conference.workshops import services as workshop_services
from conference.workshops.models import WorkshopSeat
from tests import factories
from tests.counters import assert_counters_match


def form_data(congress, **overrides):
    data = {
        "first_name": "Anna",
        "last_name": "Schmidt",
        "email": "anna@example.org",
        "language": "de",
        "carrier": "other",
        "local_structure": "",
        "organisation_other": "Stadt Kassel",
        "programme_role": "mentor",
        "sector": "civil_society",
        "diet": "none",
        "days": [d.day.isoformat() for d in congress.days],
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def registrations(db):
    return db.session.execute(select(Registration).order_by(Registration.id)).scalars().all()


def confirm_token_from(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"/register/confirm/([A-Za-z0-9_-]{43})", body).group(1)


def _confirm(client, email: str):
    from conference.extensions import db

    token = db.session.execute(
        select(Registration.confirm_token).where(Registration.email == email)
    ).scalar_one()
    return client.post(f"/register/confirm/{token}")


# --- sign-up and double opt-in ------------------------------------------------------------------


def test_new_registration_is_pending_and_confirmation_mail_arrives(client, db, smtp):
    congress = factories.congress()
    db.session.commit()

    response = client.post("/register", data=form_data(congress, email="Anna@Example.org"))

    message = smtp.wait(1)[0]
    stored = registrations(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/submitted")
    assert [(r.email, r.status) for r in stored] == [("anna@example.org", Status.PENDING)]
    assert stored[0].consent_version == congress.consent_text_version
    assert stored[0].consent_at is not None
    assert stored[0].photo_consent_at is None
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "Bitte bestätigen Sie Ihre Anmeldung"
    assert confirm_token_from(message) == stored[0].confirm_token
    assert "<html" in message.get_body(("html",)).get_content()
    assert congress.taken == 0


def test_following_the_confirmation_link_takes_a_seat_and_mails_the_confirmation(client, db, smtp):
    congress = factories.congress(capacity=10, day_capacity=5)
    db.session.commit()
    client.post("/register", data=form_data(congress))
    token = confirm_token_from(smtp.wait(1)[0])

    page = client.get(f"/register/confirm/{token}")
    response = client.post(f"/register/confirm/{token}")

    registration = registrations(db)[0]
    db.session.refresh(congress)
    mails = smtp.wait(2)
    assert page.status_code == 200
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/r/{registration.manage_token}")
    assert registration.status == Status.CONFIRMED
    assert registration.confirm_token is None
    assert congress.taken == 1
    assert [d.taken for d in congress.days] == [1, 1]
    assert mails[1]["Subject"] == "Ihre Anmeldung ist bestätigt"
    assert registration.manage_token in mails[1].get_body(("plain",)).get_content()
    assert_counters_match()


def test_get_on_the_confirmation_link_changes_nothing(client, db, smtp):
    congress = factories.congress()
    db.session.commit()
    client.post("/register", data=form_data(congress))
    token = confirm_token_from(smtp.wait(1)[0])

    response = client.get(f"/register/confirm/{token}")

    assert response.status_code == 200
    assert "Anmeldung bestätigen" in response.get_data(as_text=True)
    assert registrations(db)[0].status == Status.PENDING


def test_expired_link_offers_a_new_one_that_works(client, db, smtp):
    congress = factories.congress()
    db.session.commit()
    client.post("/register", data=form_data(congress))
    old_token = confirm_token_from(smtp.wait(1)[0])
    registration = registrations(db)[0]
    registration.confirm_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(f"/register/confirm/{old_token}")
    refused = client.post(f"/register/confirm/{old_token}")
    renewed = client.post(f"/register/confirm/{old_token}/renew")
    new_token = confirm_token_from(smtp.wait(2)[1])
    confirmed = client.post(f"/register/confirm/{new_token}")

    db.session.refresh(registration)
    assert "abgelaufen" in page.get_data(as_text=True)
    assert refused.status_code == 410
    assert renewed.status_code == 302
    assert new_token != old_token
    assert confirmed.status_code == 302
    assert registration.status == Status.CONFIRMED


def test_unknown_or_malformed_links_are_404_without_saying_more(client, db):
    factories.congress()
    db.session.commit()

    answers = [
        client.get(path).status_code
        for path in (
            "/r/" + "A" * 43,
            "/r/short",
            "/r/" + "ä" * 43,
            "/register/confirm/" + "B" * 43,
            "/register/confirm/x'--",
        )
    ]

    assert answers == [404, 404, 404, 404, 404]


def test_a_registered_address_gets_the_same_answer_and_its_own_link_by_mail(client, db, smtp):
    congress = factories.congress()
    anna = factories.registration(congress, email="anna@example.org", first_name="Anna")
    db.session.commit()

    again = client.post(
        "/register", data=form_data(congress, email="ANNA@example.org", first_name="Mallory")
    )
    new = client.post("/register", data=form_data(congress, email="bert@example.org"))

    assert (again.status_code, again.headers["Location"]) == (302, "/register/submitted")
    assert (new.status_code, new.headers["Location"]) == (302, "/register/submitted")
    mails = {m["To"]: m for m in smtp.wait(2)}
    body = mails["anna@example.org"].get_body(("plain",)).get_content()
    assert f"/r/{anna.manage_token}" in body
    assert "noch einmal das Anmeldeformular" in body
    assert "/register/confirm/" not in body
    db.session.refresh(anna)
    assert anna.first_name == "Anna"
    assert [r.email for r in registrations(db)] == ["anna@example.org", "bert@example.org"]


def test_a_pending_address_registering_again_gets_a_new_confirmation_link(client, db, smtp):
    congress = factories.congress()
    factories.registration(congress, email="anna@example.org", status=Status.PENDING)
    db.session.commit()

    answer = client.post("/register", data=form_data(congress, email="anna@example.org"))

    assert answer.headers["Location"] == "/register/submitted"
    assert confirm_token_from(smtp.wait(1)[0])
    assert len(registrations(db)) == 1


def test_bad_input_is_explained_beside_each_field_and_nothing_is_stored(client, db):
    congress = factories.congress()
    db.session.commit()

    response = client.post(
        "/register",
        data=form_data(
            congress,
            first_name="Zoë",
            last_name="",
            email="not-an-address",
            carrier="other",
            organisation_other="",
            days=[],
            consent=None,
            programme_role="pilot",
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Zoë"' in page
    assert 'id="last_name-error"' in page
    assert 'id="email-error"' in page
    assert 'id="organisation_other-error"' in page
    assert 'id="days-error"' in page
    assert 'id="consent-error"' in page
    assert 'id="programme_role-error"' in page
    assert registrations(db) == []


def test_local_structure_of_another_carrier_is_refused(client, db):
    congress = factories.congress()
    ours = factories.carrier(local_structures=1)
    other = factories.carrier(local_structures=1)
    db.session.commit()

    response = client.post(
        "/register",
        data=form_data(
            congress, carrier=str(ours.id), local_structure=str(other.local_structures[0].id)
        ),
    )

    assert response.status_code == 400
    assert 'id="local_structure-error"' in response.get_data(as_text=True)
    assert registrations(db) == []


def _local_structure_select(page: str) -> str:
    return re.search(r'<select[^>]*name="local_structure".*?</select>', page, re.S).group(0)


def test_local_structures_are_grouped_by_their_carrier_without_an_empty_group(client, db):
    """Issue 22.5, without JavaScript: one group per carrier, labelled with its name as the
    organisation field shows it, "none" outside every group, and no ``<optgroup label="">``."""
    factories.congress()
    alpha = factories.carrier("Alpha Verband", local_structures=2)
    factories.carrier("Beta ohne Orte")
    gamma = factories.carrier("Gamma Verband", local_structures=1)
    db.session.commit()

    select_html = _local_structure_select(client.get("/register").get_data(as_text=True))

    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select_html, re.S)
    assert [label for label, _options in groups] == ["Alpha Verband", "Gamma Verband"]
    assert re.findall(r">([^<]+)</option>", groups[0][1]) == [
        s.name for s in alpha.local_structures
    ]
    assert re.findall(r'data-carrier="(\d+)"', groups[1][1]) == [str(gamma.id)]
    before_groups = select_html.split("<optgroup", 1)[0]
    assert re.findall(r'<option[^>]*value=""[^>]*>([^<]+)<', before_groups) == [
        "Keine / nicht zutreffend"
    ]
    assert 'data-local-structures="carrier"' in select_html


def test_the_sign_up_form_stays_at_the_same_queries_with_500_local_structures(
    client, db, count_queries
):
    factories.congress()
    factories.carrier("Alpha Verband", local_structures=2)
    db.session.commit()
    client.get("/register")
    with count_queries() as few:
        client.get("/register")
    for n in range(25):
        factories.carrier(f"Verband {n:02d}", local_structures=20)
    db.session.commit()

    with count_queries() as many:
        page = client.get("/register").get_data(as_text=True)

    assert len(_local_structure_select(page).split("<option")) == 1 + 1 + 2 + 500
    assert len(many) == len(few)


def test_honeypot_filled_by_a_bot_stores_nothing(client, db, smtp):
    congress = factories.congress()
    db.session.commit()

    response = client.post("/register", data=form_data(congress, website="http://spam"))

    assert response.status_code == 302
    assert registrations(db) == []
    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 0


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_lost_link_requests_are_rate_limited(client, db):
    factories.congress()
    db.session.commit()

    codes = [
        client.post("/register/lost-link", data={"email": f"x{n}@example.org"}).status_code
        for n in range(6)
    ]

    assert codes == [302] * 5 + [429]


def test_registration_outside_the_window_is_closed(client, db):
    congress = factories.congress(registration_opens_at=utcnow() + timedelta(days=3))
    db.session.commit()

    page = client.get("/register")
    posted = client.post("/register", data=form_data(congress))

    assert "noch nicht" in page.get_data(as_text=True) or "öffnet" in page.get_data(as_text=True)
    assert posted.status_code == 409
    assert registrations(db) == []


def test_english_registrant_gets_english_mail(client, db, smtp):
    congress = factories.congress()
    db.session.commit()

    client.post("/register", data=form_data(congress, language="en"))

    assert smtp.wait(1)[0]["Subject"] == "Please confirm your registration"


def test_form_works_in_english_and_shows_programme_roles_in_german(client, db):
    factories.congress()
    db.session.commit()

    german = client.get("/register").get_data(as_text=True)
    english = client.get("/register?lang=en").get_data(as_text=True)

    for role in ("Pat:in", "Mentor:in", "Lots:in", "Koordinator:in", "hauptamtlich Mitarbeitende"):
        assert role in german
    assert "First name" in english
    assert 'class="honeypot"' in german


# --- capacity and waitlist ----------------------------------------------------------------------


def test_confirmation_when_full_goes_to_the_waitlist_with_its_position(client, db, smtp):
    congress = factories.congress(capacity=1)
    db.session.commit()
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        client.post("/register", data=form_data(congress, email=email))
        _confirm(client, email)

    stored = {r.email: r for r in registrations(db)}
    page = client.get(f"/r/{stored['c@example.org'].manage_token}").get_data(as_text=True)
    waitlist_mails = [m for m in smtp.wait(6) if "Warteliste" in m["Subject"]]
    assert [r.status for r in stored.values()] == [
        Status.CONFIRMED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    assert services.waitlist_position(stored["c@example.org"]) == 2
    assert "Nummer 2 auf der Warteliste" in page
    assert "Position 2" in waitlist_mails[-1].get_body(("plain",)).get_content()
    assert_counters_match()


def test_cancelling_frees_the_seat_and_promotes_the_first_waitlisted(client, db, smtp):
    congress = factories.congress(capacity=1)
    first = factories.registration(congress, email="first@example.org")
    congress.taken = 1
    for day in congress.days:
        day.taken = 1
    second = factories.registration(
        congress, status=Status.WAITLISTED, email="second@example.org", waitlisted_at=utcnow()
    )
    third = factories.registration(
        congress,
        status=Status.WAITLISTED,
        email="third@example.org",
        waitlisted_at=utcnow() + timedelta(seconds=1),
    )
    db.session.commit()

    page = client.get(f"/r/{first.manage_token}/cancel")
    response = client.post(f"/r/{first.manage_token}/cancel", data={"really": "y"})

    for row in (first, second, third, congress):
        db.session.refresh(row)
    mails = smtp.wait(2)
    assert page.status_code == 200
    assert response.status_code == 302
    assert (first.status, second.status, third.status) == (
        Status.CANCELLED,
        Status.CONFIRMED,
        Status.WAITLISTED,
    )
    assert congress.taken == 1
    assert sorted(m["To"] for m in mails) == ["first@example.org", "second@example.org"]
    assert services.waitlist_position(third) == 1
    assert_counters_match()


def test_cancel_needs_the_confirmation_tick(client, db):
    congress = factories.congress()
    registration = factories.registration(congress)
    db.session.commit()

    response = client.post(f"/r/{registration.manage_token}/cancel", data={})

    db.session.refresh(registration)
    assert response.status_code == 400
    assert registration.status == Status.CONFIRMED


def test_full_day_keeps_a_person_waiting_while_another_who_fits_moves_up(app, db):
    congress = factories.congress(capacity=10, day_capacity=1)
    day1, day2 = (d.day for d in congress.days)
    holder = factories.registration(congress, days=[day1, day2])
    congress.taken = 1
    for day in congress.days:
        day.taken = 1
    both = factories.registration(
        congress, status=Status.WAITLISTED, days=[day1, day2], waitlisted_at=utcnow()
    )
    second_only = factories.registration(
        congress,
        status=Status.WAITLISTED,
        days=[day2],
        waitlisted_at=utcnow() + timedelta(seconds=1),
    )
    db.session.commit()

    attendee.change_days(holder, [day1], now=utcnow(), actor="attendee")
    db.session.commit()

    for row in (both, second_only):
        db.session.refresh(row)
    assert both.status == Status.WAITLISTED
    assert second_only.status == Status.CONFIRMED
    assert_counters_match()


def test_carrier_quota_waitlists_its_people_beyond_the_quota(app, db):
    congress = factories.congress(capacity=100)
    carrier = factories.carrier()
    db.session.add(OrganisationQuota(congress_id=congress.id, carrier_id=carrier.id, quota=1))
    now = utcnow()
    results = []
    for n in range(2):
        registration = services.register(
            congress,
            _service_data(f"q{n}@example.org", carrier_id=carrier.id),
            [d.day for d in congress.days],
            services.Consent(True),
            now=now,
            confirmed=True,
            source="staff",
        )
        results.append(registration.status)
    db.session.commit()

    quota = db.session.execute(select(OrganisationQuota)).scalar_one()
    assert results == [Status.CONFIRMED, Status.WAITLISTED]
    assert quota.taken == 1
    assert_counters_match()


def _service_data(email: str, **fields) -> dict:
    return {
        "first_name": "Test",
        "last_name": "Person",
        "email": email,
        "organisation_other": "" if fields.get("carrier_id") else "Freie Initiative",
        "programme_role": "mentor",
        "sector": "civil_society",
        **fields,
    }


def test_parallel_confirmations_never_exceed_capacity(app, db):
    """40 threads confirm at once against 25 seats: exactly 25 get one, 15 wait."""
    congress = factories.congress(capacity=25, day_capacity=30)
    now = utcnow()
    tokens = []
    for n in range(40):
        registration = services.register(
            congress,
            _service_data(f"race{n}@example.org"),
            [d.day for d in congress.days],
            services.Consent(True),
            now=now,
            notify=False,
        )
        tokens.append(registration.confirm_token)
    db.session.commit()
    barrier = threading.Barrier(len(tokens))
    failures = []

    def confirm(token):
        with app.app_context():
            try:
                barrier.wait()
                services.confirm(token, now=utcnow())
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.expire_all()
    statuses = db.session.execute(
        select(Registration.status, func.count()).group_by(Registration.status)
    ).all()
    stored = db.session.get(Congress, congress.id)
    days = db.session.execute(select(CongressDay.taken)).scalars().all()
    assert failures == []
    assert dict(statuses) == {Status.CONFIRMED: 25, Status.WAITLISTED: 15}
    assert stored.taken == 25
    assert days == [25, 25]
    assert_counters_match()


# --- self-service -------------------------------------------------------------------------------


def test_attendee_edits_details_and_changes_days_on_the_manage_page(client, db):
    congress = factories.congress()
    registration = factories.registration(congress, first_name="Anna", organisation_other="X")
    congress.taken = 1
    for day in congress.days:
        day.taken = 1
    db.session.commit()
    token = registration.manage_token
    day1 = congress.days[0].day

    page = client.get(f"/r/{token}")
    edited = client.post(
        f"/r/{token}",
        data=form_data(congress, first_name="Anna-Lena", organisation_other="Y", photo_consent="y"),
    )
    days = client.post(f"/r/{token}/days", data={"days": [day1.isoformat()]})

    db.session.refresh(registration)
    db.session.refresh(congress)
    actions = db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert edited.status_code == 302 and days.status_code == 302
    assert registration.first_name == "Anna-Lena"
    assert registration.photo_consent_at is not None
    assert [d.day for d in registration.days] == [day1]
    assert [d.taken for d in congress.days] == [1, 0]
    assert "registration.updated" in actions and "registration.days_changed" in actions


def test_bad_edit_on_the_manage_page_keeps_the_input_and_changes_nothing(client, db):
    congress = factories.congress()
    registration = factories.registration(congress, first_name="Anna")
    db.session.commit()

    response = client.post(
        f"/r/{registration.manage_token}", data=form_data(congress, first_name="")
    )

    db.session.refresh(registration)
    assert response.status_code == 400
    assert 'id="first_name-error"' in response.get_data(as_text=True)
    assert registration.first_name == "Anna"


def test_lost_link_answers_the_same_for_known_and_unknown_addresses(client, db, smtp):
    congress = factories.congress()
    registration = factories.registration(congress, email="anna@example.org")
    db.session.commit()

    known = client.post(
        "/register/lost-link", data={"email": "anna@example.org"}, follow_redirects=True
    )
    unknown = client.post(
        "/register/lost-link", data={"email": "nobody@example.org"}, follow_redirects=True
    )

    message = smtp.wait(1)[0]

    def page(answer) -> str:
        # The signed CSRF token carries the second it was made in; everything else must agree.
        return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", answer.get_data(as_text=True))

    assert page(known) == page(unknown)
    assert message["To"] == "anna@example.org"
    assert registration.manage_token in message.get_body(("plain",)).get_content()
    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 1


# --- mail delivery ------------------------------------------------------------------------------


@pytest.mark.config(MAIL_PORT=1)
def test_smtp_down_keeps_the_registration_and_send_mail_delivers_later(
    app, client, db, smtp, smtp_server
):
    congress = factories.congress()
    db.session.commit()

    response = client.post("/register", data=form_data(congress))

    mail = db.session.execute(select(OutboxMail)).scalar_one()
    assert response.status_code == 302
    assert registrations(db)[0].status == Status.PENDING
    assert mail.status == "pending"
    assert mail.attempts == 1

    app.config["MAIL_PORT"] = smtp_server.port  # SMTP is back
    mail.next_attempt_at = utcnow()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])

    db.session.refresh(mail)
    assert "sent 1" in result.output
    assert smtp.wait(1)[0]["To"] == "anna@example.org"
    assert mail.status == "sent"


# --- escaping ----------------------------------------------------------------------------------

EVIL = '<script>alert("x")</script>'


def test_hostile_names_are_escaped_in_pages_mails_and_exports(client, db, smtp, staff_client):
    congress = factories.congress()
    db.session.commit()
    client.post(
        "/register",
        data=form_data(congress, first_name=EVIL, last_name='=HYPERLINK("http://x")‮'),
    )
    registration = registrations(db)[0]
    organiser = staff_client("organiser")

    manage = client.get(f"/r/{registration.manage_token}").get_data(as_text=True)
    listing = organiser.get("/admin/registrations").get_data(as_text=True)
    detail = organiser.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
    html_mail = smtp.wait(1)[0].get_body(("html",)).get_content()
    exported = organiser.get("/admin/registrations/export.csv").data.decode("utf-8-sig")

    for page in (manage, listing, detail, html_mail):
        assert EVIL not in page
        assert "&lt;script&gt;" in page
    row = list(csv.reader(io.StringIO(exported), delimiter=";"))[1]
    assert row[3].startswith("'=HYPERLINK")


# --- organisers -------------------------------------------------------------------------------------


def test_registration_list_query_count_is_the_same_for_one_and_three_rows(
    db, staff_client, count_queries
):
    congress = factories.congress()
    carrier = factories.carrier(local_structures=1)
    factories.registration(congress, carrier_id=carrier.id)
    db.session.commit()
    organiser = staff_client("organiser")
    organiser.get("/admin/registrations")
    db.session.commit()

    with count_queries() as one:
        first = organiser.get("/admin/registrations")
    for _ in range(2):
        factories.registration(
            congress, carrier_id=carrier.id, local_structure_id=carrier.local_structures[0].id
        )
    db.session.commit()
    with count_queries() as three:
        second = organiser.get("/admin/registrations")

    assert first.status_code == second.status_code == 200
    assert len(one) == len(three)


def test_list_of_5000_registrations_pages_with_the_same_queries(db, staff_client, count_queries):
    congress = factories.congress(capacity=None)
    carrier = factories.carrier()
    rows = [
        Registration(
            congress_id=congress.id,
            status=Status.CONFIRMED,
            first_name="Person",
            last_name=f"Nr{n:05d}",
            email=f"p{n}@example.org",
            carrier_id=carrier.id if n % 2 else None,
            organisation_other="" if n % 2 else "Andere",
        )
        for n in range(5000)
    ]
    db.session.add_all(rows)
    db.session.commit()
    organiser = staff_client("organiser")
    organiser.get("/admin/registrations")

    with count_queries() as queries:
        response = organiser.get(f"/admin/registrations?page=3&carrier={carrier.id}&q=nr0")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2500 Anmeldungen gefunden" in page
    assert "Seite 3 von 50" in page
    assert page.count("/admin/registrations/") >= 50
    assert len(queries) <= 12


def test_registration_list_sorts_names_by_german_rules_also_after_an_edit(db, staff_client):
    congress = factories.congress(capacity=None)
    for last in ["Zander", "Özdemir", "Ahmadi", "Cem", "Çelik", "Ohm", "Łukasiewicz", "Lutz"]:
        factories.registration(congress, first_name="Eva", last_name=last)
    db.session.commit()
    organiser = staff_client("organiser")

    def listed() -> list[str]:
        page = organiser.get("/admin/registrations").get_data(as_text=True)
        return re.findall(r"<bdi>([^,<]+), Eva</bdi>", page)

    before = listed()
    zander = db.session.execute(
        select(Registration).where(Registration.last_name == "Zander")
    ).scalar_one()
    services.update_registration(zander, {"last_name": "Ärmel"}, now=utcnow(), actor=None)
    db.session.commit()
    after = listed()

    assert before == ["Ahmadi", "Çelik", "Cem", "Łukasiewicz", "Lutz", "Ohm", "Özdemir", "Zander"]
    assert after[:2] == ["Ahmadi", "Ärmel"]


def test_filters_by_status_day_role_and_needs(db, staff_client):
    congress = factories.congress()
    day2 = congress.days[1].day
    factories.registration(congress, last_name="Alpha", programme_role="press")
    factories.registration(
        congress, last_name="Beta", days=[day2], needs_step_free=True, status=Status.WAITLISTED
    )
    db.session.commit()
    organiser = staff_client("organiser")

    def names(query):
        text = organiser.get("/admin/registrations?" + query).get_data(as_text=True)
        return [n for n in ("Alpha", "Beta") if n in text]

    assert names("status=waitlisted") == ["Beta"]
    assert names("role=press") == ["Alpha"]
    assert names(f"day={congress.days[0].day.isoformat()}") == ["Alpha"]
    assert names("need=step_free") == ["Beta"]
    assert names("q=alp") == ["Alpha"]
    assert names("day=nonsense&page=x") == ["Alpha", "Beta"]


def test_coordinator_sees_and_registers_only_their_organisation(db, staff_client):
    congress = factories.congress()
    ours = factories.carrier(local_structures=1)
    theirs = factories.carrier()
    own = factories.registration(congress, last_name="Eigene", carrier_id=ours.id)
    foreign = factories.registration(congress, last_name="Fremde", carrier_id=theirs.id)
    db.session.commit()
    coordinator = staff_client("coordinator", organisation_id=ours.id)

    listing = coordinator.get("/admin/registrations").get_data(as_text=True)
    own_detail = coordinator.get(f"/admin/registrations/{own.id}")
    foreign_detail = coordinator.get(f"/admin/registrations/{foreign.id}")
    foreign_cancel = coordinator.post(f"/admin/registrations/{foreign.id}/cancel")
    added_foreign = coordinator.post(
        "/admin/registrations/new",
        data=form_data(congress, email="x@example.org", carrier=str(theirs.id)),
    )
    added_own = coordinator.post(
        "/admin/registrations/new",
        data=form_data(
            congress,
            email="y@example.org",
            carrier=str(ours.id),
            local_structure=str(ours.local_structures[0].id),
            mode="confirmed",
        ),
    )

    db.session.refresh(foreign)
    assert "Eigene" in listing and "Fremde" not in listing
    assert own_detail.status_code == 200
    assert foreign_detail.status_code == 404
    assert foreign_cancel.status_code == 404
    assert foreign.status == Status.CONFIRMED
    assert added_foreign.status_code == 400
    assert added_own.status_code == 302
    emails = {r.email for r in registrations(db)}
    assert "y@example.org" in emails and "x@example.org" not in emails


def test_organiser_adds_edits_moves_and_cancels_with_an_audit_trail(db, staff_client, smtp):
    congress = factories.congress(capacity=1)
    db.session.commit()
    organiser = staff_client("organiser")

    organiser.post(
        "/admin/registrations/new",
        data=form_data(congress, email="one@example.org", mode="confirmed"),
    )
    organiser.post(
        "/admin/registrations/new",
        data=form_data(congress, email="two@example.org", mode="confirmed"),
    )
    one, two = registrations(db)
    full = organiser.post(f"/admin/registrations/{two.id}/promote")
    edit = organiser.post(
        f"/admin/registrations/{one.id}/edit",
        data=form_data(congress, first_name="Eins", days=[congress.days[0].day.isoformat()]),
    )
    organiser.post(f"/admin/registrations/{one.id}/cancel", data={"confirmed": "yes"})
    resend = organiser.post(f"/admin/registrations/{two.id}/resend")

    db.session.expire_all()
    actions = db.session.execute(
        select(AuditLog.action, AuditLog.actor_user_id).order_by(AuditLog.id)
    ).all()
    assert full.status_code == 303  # back to the page, the reason beside the action
    assert edit.status_code == 302
    assert (one.first_name, one.status, two.status) == ("Eins", Status.CANCELLED, Status.CONFIRMED)
    assert resend.status_code == 303
    assert [a for a, _ in actions] == [
        "registration.created",
        "registration.confirmed",
        "registration.created",
        "registration.waitlisted",
        "registration.updated",
        "registration.days_changed",
        "registration.cancelled",
        "registration.promoted",
        "registration.mail_resent",
    ]
    assert {user for a, user in actions if a != "registration.promoted"} == {organiser.user.id}


def test_moving_up_on_a_full_congress_is_not_offered_and_says_why_in_place(db, staff_client, smtp):
    congress = factories.congress(capacity=1)
    factories.registration(congress)
    waiting = factories.registration(congress, status=Status.WAITLISTED, waitlisted_at=utcnow())
    congress.taken = 1
    db.session.commit()
    organiser = staff_client("organiser")

    page = organiser.get(f"/admin/registrations/{waiting.id}").get_data(as_text=True)
    forced = organiser.post(f"/admin/registrations/{waiting.id}/promote", follow_redirects=True)

    assert "Nachrücken ist gerade nicht möglich: der Kongress ist ausgebucht." in page
    assert "/promote" not in page
    assert forced.status_code == 200 and forced.request.path == f"/admin/registrations/{waiting.id}"
    assert ": der Kongress ist ausgebucht." in forced.get_data(as_text=True)
    db.session.refresh(waiting)
    assert waiting.status == Status.WAITLISTED


def test_organiser_cancel_asks_first_then_says_who_moved_up(db, staff_client, smtp):
    congress = factories.congress(capacity=1)
    seated = factories.registration(congress, first_name="Anna", last_name="Erste")
    factories.registration(
        congress,
        first_name="Bea",
        last_name="Zweite",
        status=Status.WAITLISTED,
        waitlisted_at=utcnow(),
    )
    congress.taken = 1
    for day in congress.days:
        day.taken = 1
    db.session.commit()
    organiser = staff_client("organiser")

    one_click = organiser.post(f"/admin/registrations/{seated.id}/cancel")
    db.session.refresh(seated)
    status_after_one_click = seated.status
    question = organiser.get(one_click.headers["Location"]).get_data(as_text=True)
    done = organiser.post(
        f"/admin/registrations/{seated.id}/cancel",
        data={"confirmed": "yes"},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert one_click.status_code == 303 and status_after_one_click == Status.CONFIRMED
    assert "Anmeldung von Anna Erste stornieren?" in question
    assert "Der Platz geht an die Person, die am längsten wartet" in question
    assert "Die Anmeldung von Anna Erste wurde storniert." in done
    assert "Von der Warteliste nachgerückt und informiert: Bea Zweite." in done


def test_an_erased_record_shows_no_needs_and_offers_no_mail(app, db, staff_client, smtp):
    from conference.reports import privacy

    congress = factories.congress()
    person = factories.registration(
        congress, diet="vegetarian", needs_step_free=True, accessibility_notes="Rollstuhl"
    )
    db.session.commit()
    privacy.erase_registration(person, actor=None, now=utcnow())
    db.session.commit()
    organiser = staff_client("organiser")

    page = organiser.get(f"/admin/registrations/{person.id}").get_data(as_text=True)
    resend = organiser.post(f"/admin/registrations/{person.id}/resend", follow_redirects=True)

    for shown in ("Stufenloser Zugang", "Rollstuhl", "Vegetarisch", "E-Mail erneut senden"):
        assert shown not in page
    assert "wurden am" in page and "gelöscht" in page
    assert "es gibt niemanden, dem wir schreiben können" in resend.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 0


def test_export_as_csv_with_bom_and_as_xlsx(db, staff_client):
    congress = factories.congress()
    factories.registration(congress, first_name="Jürgen", last_name="Öztürk")
    factories.registration(congress, first_name="Other", status=Status.CANCELLED)
    db.session.commit()
    organiser = staff_client("organiser")

    csv_response = organiser.get("/admin/registrations/export.csv?status=confirmed")
    xlsx_response = organiser.get("/admin/registrations/export.xlsx?status=confirmed")
    bad = organiser.get("/admin/registrations/export.pdf")

    assert csv_response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig")), delimiter=";"))
    assert [r[2:4] for r in rows[1:]] == [["Jürgen", "Öztürk"]]
    sheet = load_workbook(io.BytesIO(xlsx_response.data)).active
    assert [c.value for c in sheet[2]][2:4] == ["Jürgen", "Öztürk"]
    assert bad.status_code == 404


IMPORT_CSV = (
    "Vorname;Nachname;E-Mail;Träger;Rolle;Tage\r\n"
    "Ali;Yılmaz;ali@example.org;{carrier};Mentor:in;1\r\n"
    "Bea;;bea@example.org;{carrier};Mentor:in;beide\r\n"
    "Cem;Kaya;already@example.org;{carrier};Lots:in;2\r\n"
    "Dora;Weiß;ali@example.org;Unbekannt;Pilot;5\r\n"
)


def test_csv_import_previews_every_problem_then_imports_the_valid_rows(db, staff_client, smtp):
    congress = factories.congress()
    carrier = factories.carrier("Paritätischer Gesamtverband", short_name="Der Paritätische")
    factories.registration(congress, email="already@example.org")
    db.session.commit()
    organiser = staff_client("organiser")
    content = IMPORT_CSV.format(carrier=carrier.name).encode("cp1252", errors="replace")

    preview = organiser.post(
        "/admin/registrations/import",
        data={"file": (io.BytesIO(content), "liste.csv"), "consent": "y", "mode": "confirmed"},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    all_or_nothing = organiser.post(
        "/admin/registrations/import/commit",
        data={"payload": payload, "mode": "confirmed", "what": "all"},
    )
    count_after_refusal = len(registrations(db))
    valid_only = organiser.post(
        "/admin/registrations/import/commit",
        data={"payload": payload, "mode": "confirmed", "what": "valid"},
    )

    stored = {r.email: r for r in registrations(db)}
    assert preview.status_code == 200
    assert "1 von 4 Zeilen kann importiert werden" in page
    assert "Nachname fehlt" in page
    assert "Bereits angemeldet" in page
    assert "Unbekannte Organisation" in page
    assert "doppelt" in page
    assert all_or_nothing.status_code == 302
    assert count_after_refusal == 1
    assert valid_only.status_code == 302
    assert set(stored) == {"already@example.org", "ali@example.org"}
    assert stored["ali@example.org"].source == "import"
    assert stored["ali@example.org"].status == Status.CONFIRMED
    assert [d.day for d in stored["ali@example.org"].days] == [congress.days[0].day]


def _preview(organiser, content: str):
    response = organiser.post(
        "/admin/registrations/import",
        data={
            "file": (io.BytesIO(content.encode()), "liste.csv"),
            "consent": "y",
            "mode": "pending",
        },
        content_type="multipart/form-data",
    )
    return response.get_data(as_text=True)


def test_import_accepts_short_names_and_reports_every_invalid_value_in_german(db, staff_client):
    factories.congress()
    carrier = factories.carrier("Caritativer Verband Nächstenhilfe", short_name="CVN")
    carrier.local_structures.append(LocalStructure(name="CVN Bremen"))
    db.session.commit()
    organiser = staff_client("organiser")

    page = _preview(
        organiser,
        "Vorname;Nachname;E-Mail;Träger;Rolle;Funktion\n"
        "Ali;Yılmaz;ali@example.org;CVN · CVN Bremen;Mentor:in;Kasse\n"
        "Bea;Berg;bea@example.org;cvn;Zauberin;\n"
        "Cem;Kaya;cem-ohne-at.example.org;CVN;Pat:in;\n",
    )

    assert "1 von 3 Zeilen kann importiert werden." in page
    assert "Unbekannter Wert „Zauberin“ in Spalte Rolle." in page
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein (das @-Zeichen fehlt)." in page
    assert "Diese Spalten sind unbekannt und werden nicht übernommen: Funktion." in page
    assert (
        "@-sign" not in page and "Spalte role" not in page and "Unbekannte Organisation" not in page
    )


def test_import_template_downloads_and_imports_as_it_is(db, staff_client):
    factories.congress()
    carrier = factories.carrier("Bürgerstiftung Nord", short_name="BSN", local_structures=1)
    db.session.commit()
    organiser = staff_client("organiser")

    form = organiser.get("/admin/registrations/import").get_data(as_text=True)
    template = organiser.get("/admin/registrations/import/template.csv")
    page = _preview(organiser, template.data.decode("utf-8-sig"))

    assert "/admin/registrations/import/template.csv" in form
    assert template.mimetype == "text/csv"
    assert template.data.decode("utf-8-sig").splitlines()[0].startswith("Vorname;Nachname;E-Mail;")
    assert f"BSN;{carrier.local_structures[0].name}" in template.data.decode("utf-8-sig")
    assert "1 von 1 Zeilen kann importiert werden." in page


def test_registration_export_shows_local_times_and_real_dates(db, staff_client):
    from datetime import UTC, datetime

    congress = factories.congress(timezone="Europe/Berlin")
    factories.registration(
        congress, last_name="Zeit", created_at=datetime(2027, 6, 1, 10, 0, 0, 987654, tzinfo=UTC)
    )
    db.session.commit()
    organiser = staff_client("organiser")

    text = organiser.get("/admin/registrations/export.csv").data.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(organiser.get("/admin/registrations/export.xlsx").data)).active

    assert "2027-06-01 12:00:00" in text and ".987654" not in text and "+00:00" not in text
    created = [c.value for c in sheet[2] if isinstance(c.value, datetime)]
    assert datetime(2027, 6, 1, 12, 0) in created
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")


def test_import_of_a_file_that_is_no_table_is_a_clear_400(db, staff_client):
    factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    response = organiser.post(
        "/admin/registrations/import",
        data={"file": (io.BytesIO(b"\x00\x01\x02PK"), "x.csv"), "consent": "y", "mode": "pending"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert "keine CSV-Datei" in response.get_data(as_text=True)


def test_staff_pages_send_strangers_to_the_login(client, db):
    factories.congress()
    db.session.commit()

    response = client.get("/admin/registrations")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_staff_pages_refuse_door_staff(db, staff_client):
    factories.congress()
    db.session.commit()

    response = staff_client("checkin").get("/admin/registrations")

    assert response.status_code == 403


# --- what confirmation and cancellation set off (conference/attendee/) ---------------------------


def test_confirmed_mail_carries_the_ticket_and_the_manage_page_offers_it(client, db, smtp):
    congress = factories.congress()
    db.session.commit()
    client.post("/register", data=form_data(congress))
    token = confirm_token_from(smtp.wait(1)[0])

    client.post(f"/register/confirm/{token}")
    page = client.get(f"/r/{registrations(db)[0].manage_token}").get_data(as_text=True)

    confirmed = smtp.wait(2)[1]
    # No session in the programme yet, so no personal calendar: the ticket alone.
    assert sorted(p.get_filename() for p in confirmed.iter_attachments()) == ["ticket.pdf"]
    assert "ticket.pdf" in page


def test_day_change_and_cancellation_free_the_workshop_seats_they_concern(app, db):
    congress = factories.congress()
    day_one, day_two = congress.days[0].day, congress.days[1].day
    first = factories.workshop(congress, factories.phase(congress, day=day_one))
    second = factories.workshop(congress, factories.phase(congress, day=day_two))
    registration = factories.registration(congress)
    db.session.commit()
    workshop_services.take_seat(registration, first, now=utcnow())
    workshop_services.take_seat(registration, second, now=utcnow())
    db.session.commit()

    attendee.change_days(registration, [day_two], now=utcnow(), actor="attendee")
    after_change = _workshop_seats(db, registration)
    attendee.cancel(registration, now=utcnow(), actor="attendee")
    db.session.commit()

    assert after_change == [second.id]
    assert _workshop_seats(db, registration) == []
    assert_counters_match("workshop")


def _workshop_seats(db, registration) -> list[int]:
    return list(
        db.session.execute(
            select(WorkshopSeat.session_id).where(WorkshopSeat.registration_id == registration.id)
        ).scalars()
    )


def test_two_parallel_sign_ups_with_one_address_store_one_registration(app, db):
    congress = factories.congress()
    congress_id, days = congress.id, [d.day for d in congress.days]
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes = []

    def sign_up():
        with app.app_context():
            try:
                barrier.wait()
                services.register(
                    db.session.get(Congress, congress_id),
                    _service_data("twice@example.org"),
                    days,
                    services.Consent(True),
                    now=utcnow(),
                    notify=False,
                )
                db.session.commit()
                outcomes.append("stored")
            except services.AlreadyRegistered:
                db.session.rollback()
                outcomes.append("duplicate")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["duplicate", "stored"]
    assert len(registrations(db)) == 1


def test_coordinator_import_refuses_rows_of_other_organisations(db, staff_client):
    factories.congress()
    ours = factories.carrier("Caritas Bund", short_name="Caritas")
    factories.carrier("Diakonie Bund", short_name="Diakonie")
    db.session.commit()
    coordinator = staff_client("coordinator", organisation_id=ours.id)
    content = (
        b"first_name,last_name,email,organisation\n"
        b"Ada,Eigen,ada@example.org,\n"
        b"Bo,Fremd,bo@example.org,Diakonie\n"
    )

    preview = coordinator.post(
        "/admin/registrations/import",
        data={"file": (io.BytesIO(content), "l.csv"), "consent": "y", "mode": "pending"},
        content_type="multipart/form-data",
    )
    payload = re.search(
        r'name="payload" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)
    ).group(1)
    coordinator.post(
        "/admin/registrations/import/commit",
        data={"payload": payload, "mode": "pending", "what": "valid"},
    )

    stored = registrations(db)
    assert "1 von 2 Zeilen" in preview.get_data(as_text=True)
    assert [(r.email, r.carrier_id, r.status) for r in stored] == [
        ("ada@example.org", ours.id, Status.PENDING)
    ]


def test_organiser_fills_seats_from_the_waitlist_after_raising_capacity(db, staff_client, smtp):
    congress = factories.congress(capacity=1)
    factories.registration(congress)
    congress.taken = 1
    for day in congress.days:
        day.taken = 1
    waiting = factories.registration(
        congress, status=Status.WAITLISTED, email="wait@example.org", waitlisted_at=utcnow()
    )
    congress.capacity = 2
    db.session.commit()

    response = staff_client("organiser").post("/admin/registrations/fill-from-waitlist")

    db.session.refresh(waiting)
    assert response.status_code == 302
    assert waiting.status == Status.CONFIRMED
    assert smtp.wait(1)[0]["To"] == "wait@example.org"
    assert_counters_match()


def test_a_coordinators_import_preview_does_not_reveal_people_of_other_carriers(db, staff_client):
    congress = factories.congress()
    ours = factories.carrier("Caritas Bund", short_name="Caritas")
    theirs = factories.carrier("Diakonie Bund", short_name="Diakonie")
    factories.registration(congress, email="own@example.org", carrier_id=ours.id)
    factories.registration(congress, email="elsewhere@example.org", carrier_id=theirs.id)
    db.session.commit()
    coordinator = staff_client("coordinator", organisation_id=ours.id)
    content = (
        b"first_name,last_name,email,organisation\n"
        b"Ada,Eigen,own@example.org,\n"
        b"Bo,Anders,elsewhere@example.org,\n"
        b"Cy,Neu,new@example.org,\n"
    )

    preview = coordinator.post(
        "/admin/registrations/import",
        data={"file": (io.BytesIO(content), "l.csv"), "consent": "y", "mode": "pending"},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    committed = coordinator.post(
        "/admin/registrations/import/commit",
        data={"payload": payload, "mode": "pending", "what": "valid"},
        follow_redirects=True,
    )

    assert page.count("Bereits angemeldet") == 1
    assert "2 von 3 Zeilen" in page
    assert "1 Anmeldung importiert. 2 Zeilen übersprungen." in committed.get_data(as_text=True)
    stored = {r.email: r.carrier_id for r in registrations(db)}
    assert stored == {
        "own@example.org": ours.id,
        "elsewhere@example.org": theirs.id,
        "new@example.org": ours.id,
    }


# --- no mail bomb (issue 14, point 8) ----------------------------------------------------------


def test_an_address_gets_at_most_three_unsolicited_mails_an_hour_across_app_instances(
    app, client, db, smtp, database_url, instance_path
):
    from conference import create_app

    congress = factories.congress()
    factories.registration(congress, email="victim@example.org")
    db.session.commit()
    second = create_app({**app.config, "DATABASE_URL": database_url})
    second.test_client_class = type(client)
    clients = [client, second.test_client()]

    answers = [
        clients[n % 2].post("/register/lost-link", data={"email": "victim@example.org"})
        for n in range(4)
    ]
    again = client.post("/register", data=form_data(congress, email="victim@example.org"))
    with second.app_context():
        second_engine = db.engine
    second_engine.dispose()

    assert [a.status_code for a in answers] == [302] * 4
    assert again.headers["Location"] == "/register/submitted"
    assert len(smtp.wait(3)) == 3
    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 3


def test_the_cap_opens_again_after_an_hour_and_counts_each_address_alone(app, db, smtp):
    congress = factories.congress()
    factories.registration(congress, email="victim@example.org")
    factories.registration(congress, email="other@example.org")
    db.session.commit()
    now = utcnow()

    for _ in range(4):
        services.send_lost_link(congress, "victim@example.org", now=now)
    services.send_lost_link(congress, "other@example.org", now=now)
    services.send_lost_link(congress, "victim@example.org", now=now + timedelta(minutes=61))
    db.session.commit()

    recipients = db.session.execute(select(OutboxMail.recipient)).scalars().all()
    assert sorted(recipients) == ["other@example.org"] + ["victim@example.org"] * 4


def test_renewing_an_expired_link_is_capped_too(client, db, smtp):
    congress = factories.congress()
    pending = factories.registration(
        congress, status=Status.PENDING, confirm_expires_at=utcnow() - timedelta(hours=1)
    )
    db.session.commit()
    token = pending.confirm_token

    for _ in range(5):
        client.post(f"/register/confirm/{token}/renew")
        db.session.refresh(pending)
        token = pending.confirm_token

    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 3


# --- one language per export, one label per stored value (issue 14.18, issue 15.2) ------------


def _export_rows(client, query: str = "") -> list[list[str]]:
    text = client.get(f"/admin/registrations/export.csv{query}").data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_registration_export_speaks_the_language_it_is_downloaded_in(db, staff_client):
    from datetime import date

    congress = factories.congress(starts_on=date(2027, 3, 10))
    factories.registration(
        congress,
        first_name="Jürgen",
        programme_role="other",
        sector="federal",
        needs_step_free=True,
    )
    db.session.commit()
    organiser = staff_client("organiser")

    german = dict(zip(*_export_rows(organiser), strict=True))
    english = dict(zip(*_export_rows(organiser, "?lang=en"), strict=True))

    assert german["Vorname"] == english["First name"] == "Jürgen"
    assert (german["Status"], english["Status"]) == ("Bestätigt", "Confirmed")
    assert (german["Rolle"], english["Role"]) == ("Sonstige", "Other")
    assert (german["Bereich"], english["Sector"]) == ("Bundesebene", "Federal level")
    assert (german["Tage"], english["Days"]) == (
        "10.03.2027 / 11.03.2027",
        "Mar 10, 2027 / Mar 11, 2027",
    )
    assert (german["Stufenlos"], english["Step-free"]) == ("ja", "yes")
    assert (german["Fotoeinwilligung"], english["Photo consent"]) == ("nein", "no")
    assert (german["Sprache"], english["Language"]) == ("Deutsch", "German")
    assert (german["Quelle"], english["Source"]) == ("Online-Formular", "Online form")
    english_words = set(english) | set(english.values())
    assert not {"Vorname", "Bestätigt", "Sonstige", "ja", "nein"} & english_words


def test_every_area_shows_a_stored_value_with_the_same_label(app, db, staff_client, scanner_client):
    import icalendar

    from conference.checkin import services as checkin

    congress = factories.congress()
    checkin.ensure_checkpoints(congress)
    person = factories.registration(congress, programme_role="administration", sector="federal")
    team = factories.registration(congress, badge_role="staff", last_name="Teamerin")
    factories.session(congress, kind="panel", title="Podium zur Zukunft")
    db.session.commit()
    organiser = staff_client("organiser")

    listing = organiser.get("/admin/registrations").get_data(as_text=True)
    detail = organiser.get(f"/admin/registrations/{person.id}").get_data(as_text=True)
    roles = organiser.get("/admin/dashboard/roles.csv").data.decode("utf-8-sig")
    sectors = organiser.get("/admin/dashboard/sectors.csv?lang=en").data.decode("utf-8-sig")
    desk = organiser.get("/admin/badges/desk?q=Teamerin").get_data(as_text=True)
    door = scanner_client.post(
        "/api/v1/checkin/scan?screen=1&lang=en",
        json={"token": team.badge_token, "checkpoint": "day-1"},
    ).get_json()
    # icalendar only: vobject would keep this calendar's time zone for later tests.
    feed = icalendar.Calendar.from_ical(organiser.get("/programme.ics").data).walk("VEVENT")
    page = organiser.get("/programme").get_data(as_text=True)

    assert "Verwaltung/Politik" in listing and "Verwaltung/Politik;1" in roles
    assert "<dd>Deutsch</dd>" in detail and "(Online-Formular)" in detail
    assert "Federal level;1" in sectors
    assert ">Bestätigt</span>" in desk
    assert door["screen"]["role_label"] == "Team"
    assert feed[0]["CATEGORIES"].cats == ["Podium"]
    assert "Podium" in page
