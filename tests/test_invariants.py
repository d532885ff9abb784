"""Rules that no other test pinned (issue 15): each test here fails when its rule breaks. And
``flask recount-seats``, which recomputes every seat counter from the rows."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select, update

from conference.agenda import services as agenda
from conference.attendee import lifecycle as attendee
from conference.core.models import Congress, CongressDay, OrganisationQuota
from conference.core.time import utcnow
from conference.registration import services as registration
from conference.workshops import services as workshops
from conference.workshops.models import WorkshopSeat
from tests import factories
from tests.counters import assert_counters_match


def _register(congress, carrier=None, *, email: str):
    return registration.register(
        congress,
        {
            "first_name": "Test",
            "last_name": "Person",
            "email": email,
            "organisation_other": "" if carrier else "Freie Initiative",
            "carrier_id": carrier.id if carrier else None,
            "programme_role": "mentor",
            "sector": "civil_society",
        },
        [d.day for d in congress.days],
        registration.Consent(True),
        now=utcnow(),
        confirmed=True,
        source="staff",
        actor="staff",
    )


def _quota_taken(db, congress, carrier) -> int:
    return db.session.execute(
        select(OrganisationQuota.taken).where(
            OrganisationQuota.congress_id == congress.id,
            OrganisationQuota.carrier_id == carrier.id,
        )
    ).scalar_one()


@pytest.fixture
def quotas(db):
    congress = factories.congress(capacity=10)
    first, second = factories.carrier(), factories.carrier()
    for carrier in (first, second):
        db.session.add(OrganisationQuota(congress_id=congress.id, carrier_id=carrier.id, quota=2))
    db.session.commit()
    return congress, first, second


def test_cancelling_a_registration_frees_its_carrier_quota_seat(app, db, quotas):
    congress, carrier, _other = quotas
    person = _register(congress, carrier, email="quota@example.org")
    db.session.commit()
    held = _quota_taken(db, congress, carrier)

    attendee.cancel(person, now=utcnow(), actor="attendee")
    db.session.commit()

    assert (held, _quota_taken(db, congress, carrier)) == (1, 0)
    assert_counters_match()


def test_moving_a_confirmed_person_to_another_carrier_moves_the_quota_seat(app, db, quotas):
    congress, first, second = quotas
    person = _register(congress, first, email="move@example.org")
    db.session.commit()

    registration.update_registration(person, {"carrier_id": second.id}, now=utcnow(), actor="staff")
    db.session.commit()

    assert (_quota_taken(db, congress, first), _quota_taken(db, congress, second)) == (0, 1)
    assert_counters_match()


def _manage_form(person, carrier) -> dict:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "language": "de",
        "carrier": str(carrier.id),
        "local_structure": "",
        "organisation_other": "",
        "programme_role": "mentor",
        "sector": "civil_society",
        "diet": "none",
    }


def test_a_move_to_another_carrier_gives_the_freed_quota_seat_to_the_waiting_list(
    app, db, quotas, client, smtp
):
    """The attendee moves themselves on their manage page: their old carrier's quota seat goes
    to its first waitlisted colleague, who is told by mail."""
    congress, first, second = quotas
    mover = _register(congress, first, email="mover@example.org")
    _register(congress, first, email="colleague@example.org")
    waiting = _register(congress, first, email="waiting@example.org")
    db.session.commit()
    assert waiting.status == "waitlisted"  # the quota of 2 is used up

    response = client.post(f"/r/{mover.manage_token}", data=_manage_form(mover, second))

    assert response.status_code == 302
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"
    assert (_quota_taken(db, congress, first), _quota_taken(db, congress, second)) == (2, 1)
    assert any(m["To"] == "waiting@example.org" for m in smtp.wait(1))
    assert_counters_match()


def test_a_waitlisted_person_moved_to_a_carrier_with_room_gets_a_seat(
    app, db, quotas, staff_client
):
    """An organiser moves a person waiting on a full quota to a carrier with room left."""
    congress, first, second = quotas
    for n in range(2):
        _register(congress, first, email=f"holder{n}@example.org")
    waiting = _register(congress, first, email="waiting@example.org")
    db.session.commit()
    organiser = staff_client("organiser")
    form = _manage_form(waiting, second) | {
        "email": "waiting@example.org",
        "days": [d.day.isoformat() for d in congress.days],
    }

    response = organiser.post(f"/admin/registrations/{waiting.id}/edit", data=form)

    assert response.status_code == 302
    db.session.refresh(waiting)
    assert (waiting.status, waiting.carrier_id) == ("confirmed", second.id)
    assert (_quota_taken(db, congress, first), _quota_taken(db, congress, second)) == (2, 1)
    assert_counters_match()


def test_switching_workshops_promotes_the_waiting_list_of_the_one_left(app, db, smtp):
    congress = factories.congress()
    phase = factories.phase(congress)
    left = factories.workshop(congress, phase, capacity=1, title="Verlassen")
    joined = factories.workshop(congress, phase, capacity=5, title="Gewählt")
    holder, waiting = factories.registration(congress), factories.registration(congress)
    db.session.commit()
    now = utcnow()
    workshops.take_seat(holder, left, now=now)
    workshops.join_waitlist(waiting, left, now=now)
    db.session.commit()

    workshops.take_seat(holder, joined, now=now)  # a switch within the phase
    db.session.commit()

    seats = dict(
        db.session.execute(select(WorkshopSeat.registration_id, WorkshopSeat.session_id)).all()
    )
    assert seats == {holder.id: joined.id, waiting.id: left.id}
    assert_counters_match("workshop")


def test_two_sessions_back_to_back_in_one_room_are_no_conflict(app, db):
    congress = factories.congress()
    room = factories.room(congress)
    factories.session(congress, title="Erster Block", room_=room, start=time(10), end=time(11))
    factories.session(congress, title="Zweiter Block", room_=room, start=time(11), end=time(12))
    overlapping = factories.session(
        congress, title="Überschneidung", room_=room, start=time(11, 30), end=time(12, 30)
    )
    db.session.commit()

    hard, _soft = agenda.conflicts(congress)

    # Only the overlap counts; the 10-11 and 11-12 sessions only touch.
    assert hard and all(overlapping.title in str(problem) for problem in hard)


def test_the_service_refuses_an_expired_confirmation_link_by_itself(app, db):
    congress = factories.congress()
    person = registration.register(
        congress,
        {
            "first_name": "Spät",
            "last_name": "Person",
            "email": "late@example.org",
            "organisation_other": "Freie Initiative",
            "programme_role": "mentor",
            "sector": "civil_society",
        },
        [d.day for d in congress.days],
        registration.Consent(True),
        now=utcnow(),
        notify=False,
    )
    db.session.commit()
    token = person.confirm_token

    with pytest.raises(registration.LinkExpired):
        registration.confirm(token, now=utcnow() + registration.CONFIRM_VALID_FOR + timedelta(1))
    db.session.rollback()

    assert db.session.get(type(person), person.id).status == "pending"
    assert_counters_match()


@pytest.mark.fresh_app  # adds a URL rule
def test_a_view_without_an_access_declaration_is_for_admins_only(app, client, staff_client):
    app.add_url_rule("/bare-test-route", "bare_test_route", lambda: "inside")

    anonymous = client.get("/bare-test-route")
    organiser = staff_client("organiser").get("/bare-test-route")
    admin = staff_client("admin").get("/bare-test-route")

    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert organiser.status_code == 403
    assert (admin.status_code, admin.get_data(as_text=True)) == (200, "inside")


def test_programme_ics_in_english_has_english_text_and_its_own_etag(app, db, client):
    congress = factories.congress()
    factories.session(congress, title="Eröffnung", kind="plenary")
    db.session.commit()

    german = client.get("/programme.ics")
    english = client.get("/programme.ics?lang=en")

    assert "CATEGORIES:Plenum" in german.get_data(as_text=True)
    assert "CATEGORIES:Plenary" in english.get_data(as_text=True)
    assert german.headers["ETag"] != english.headers["ETag"]
    again = client.get("/programme.ics?lang=en", headers={"If-None-Match": english.headers["ETag"]})
    assert again.status_code == 304


# --- flask recount-seats -----------------------------------------------------------------------


def _drifted(db):
    """A consistent congress, then counters bent away from their rows."""
    congress = factories.congress(capacity=10)
    carrier = factories.carrier()
    db.session.add(OrganisationQuota(congress_id=congress.id, carrier_id=carrier.id, quota=5))
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, capacity=5)
    db.session.commit()
    person = _register(congress, carrier, email="count@example.org")
    workshops.take_seat(person, workshop, now=utcnow())
    db.session.commit()
    assert_counters_match()
    db.session.execute(update(Congress).values(taken=3))
    db.session.execute(
        update(CongressDay).where(CongressDay.day == congress.starts_on).values(taken=0)
    )
    db.session.execute(update(OrganisationQuota).values(taken=2))
    workshop.seats_taken = 0
    db.session.commit()
    return congress, carrier, workshop


def test_recount_seats_check_reports_every_drifted_counter_and_changes_nothing(app, db):
    congress, carrier, workshop = _drifted(db)

    result = app.test_cli_runner().invoke(args=["recount-seats", "--check"])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{congress.slug}: congress: stored 3, counted 1 (differs)",
        f"{congress.slug}: day {congress.starts_on.isoformat()}: stored 0, counted 1 (differs)",
        f"{congress.slug}: quota {carrier.id}: stored 2, counted 1 (differs)",
        f"{congress.slug}: workshop {workshop.id}: stored 0, counted 1 (differs)",
    ]
    db.session.expire_all()
    assert db.session.get(Congress, congress.id).taken == 3


def test_recount_seats_repairs_the_counters_and_then_finds_nothing(app, db):
    _drifted(db)

    repaired = app.test_cli_runner().invoke(args=["recount-seats"])
    checked = app.test_cli_runner().invoke(args=["recount-seats", "--check"])

    assert repaired.exit_code == 0 and repaired.output.count("(repaired)") == 4
    assert (checked.exit_code, checked.output) == (0, "Every seat counter equals its rows.\n")
    assert_counters_match()


def test_counter_helper_fails_when_a_counter_drifts(app, db):
    congress = factories.congress()
    factories.registration(congress)  # a confirmed row without its seat counted
    db.session.commit()

    with pytest.raises(AssertionError):
        assert_counters_match()
