"""``GET /api/v1/stats`` as promised in DESIGN.md."""

from __future__ import annotations

from conference.agenda.models import SessionKind
from conference.checkin.models import CheckIn
from conference.registration.models import Status
from conference.workshops.models import WaitlistEntry
from tests import factories


def test_stats_follow_the_contract(app, db):
    from conference.accounts.services import create_api_token

    congress = factories.congress(title="Fachkongress 2027")
    gate = factories.checkpoint(congress, code="day-1")
    factories.checkpoint(congress, code="day-2", day=congress.ends_on)
    people = [
        factories.registration(congress, status=s)
        for s in [
            Status.CONFIRMED,
            Status.CONFIRMED,
            Status.PENDING,
            Status.WAITLISTED,
            Status.CANCELLED,
        ]
    ]
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Gute Matches", capacity=12, seats_taken=2)
    factories.session(congress, title="Plenum", kind=SessionKind.PLENARY)
    db.session.add(CheckIn(registration_id=people[0].id, checkpoint_id=gate.id))
    db.session.add(WaitlistEntry(registration_id=people[1].id, session_id=workshop.id))
    _token, secret = create_api_token("report", "organiser")
    db.session.commit()

    response = app.test_client().get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200
    assert response.get_json() == {
        "congress": {
            "id": congress.id,
            "title": "Fachkongress 2027",
            "start": congress.starts_on.isoformat(),
            "end": congress.ends_on.isoformat(),
        },
        "registrations": {"pending": 1, "confirmed": 2, "waitlisted": 1, "cancelled": 1},
        "checked_in": {"day-1": 1, "day-2": 0},
        "workshops": [
            {
                "id": workshop.id,
                "title": "Gute Matches",
                "capacity": 12,
                "taken": 2,
                "waitlisted": 1,
            }
        ],
    }


def test_stats_for_an_unknown_congress_is_a_404(app, db):
    from conference.accounts.services import create_api_token

    factories.congress()
    _token, secret = create_api_token("report", "organiser")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}

    assert client.get("/api/v1/stats?congress=999", headers=headers).status_code == 404
    assert client.get("/api/v1/stats?congress=abc", headers=headers).status_code == 400


def test_stats_are_available_to_a_logged_in_organiser(staff_client, db):
    factories.congress()
    db.session.commit()

    response = staff_client("organiser").get("/api/v1/stats")

    assert response.status_code == 200
