"""The command line of DESIGN.md's contract."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.accounts.models import ApiToken, User
from conference.core.models import Congress
from conference.organisations.models import CarrierOrganisation
from conference.registration.models import Registration, Status
from tests import factories


def test_create_user_makes_a_user_who_can_log_in(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "Orga@Example.org",
            "--role",
            "organiser",
            "--password",
            "a very long password",
        ]
    )

    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "orga@example.org"
    assert user.check_password("a very long password")


def test_create_user_refuses_coordinator_without_organisation(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "k@example.org",
            "--role",
            "coordinator",
            "--password",
            "a very long password",
        ]
    )

    assert result.exit_code == 1
    assert "Programmträger" in result.output or "carrier organisation" in result.output
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_create_user_binds_coordinator_to_organisation(app, db):
    carrier = factories.carrier()
    db.session.commit()

    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "k@example.org",
            "--role",
            "coordinator",
            "--organisation",
            str(carrier.id),
            "--password",
            "a very long password",
        ]
    )

    assert result.exit_code == 0, result.output
    assert db.session.execute(select(User)).scalar_one().organisation_id == carrier.id


def test_create_api_token_prints_a_working_token(app, db):
    factories.congress()
    db.session.commit()

    result = app.test_cli_runner().invoke(
        args=["create-api-token", "Reporting", "--role", "organiser"]
    )

    secret = result.output.strip()
    assert result.exit_code == 0
    assert db.session.execute(select(ApiToken)).scalar_one().name == "Reporting"
    response = app.test_client().get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_demo_loads_a_realistic_congress_once(app, db):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "--admin-password", "demo password 123"])
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output
    assert "already holds a congress" in second.output
    congresses = db.session.execute(select(Congress).order_by(Congress.starts_on)).scalars().all()
    assert len(congresses) == 2 and congresses[1].is_current
    current = congresses[1]
    assert (current.ends_on - current.starts_on).days == 1
    assert current.starts_on.month == 11
    assert (
        db.session.execute(select(func.count()).select_from(CarrierOrganisation)).scalar_one() == 23
    )
    counts = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.congress_id == current.id)
            .group_by(Registration.status)
        ).all()
    )
    assert set(counts) == {s.value for s in Status}
    assert 280 <= sum(counts.values()) <= 320
    assert current.taken == counts["confirmed"] <= current.capacity
    names = db.session.execute(select(Registration.last_name)).scalars().all()
    assert any("ß" in n or "ö" in n for n in names) and any("ş" in n or "ı" in n for n in names)
    assert any("ł" in n or "ś" in n or "ą" in n for n in names) and any(
        "\u0600" <= n[0] <= "\u06ff" for n in names
    )


def test_demo_lies_in_the_past_and_a_new_registrant_queues_behind_its_waiting_people(
    app, db, client, smtp
):
    """Issue 22.13: the demo's waiting list dates lay in the future, so a new registrant was
    told "Nummer 1 auf der Warteliste" ahead of 25 earlier ones."""
    import re

    from conference.checkin.models import CheckIn
    from conference.core.time import utcnow

    app.test_cli_runner().invoke(args=["demo", "--admin-password", "demo password 123"])
    now = utcnow()
    current = db.session.execute(select(Congress).where(Congress.is_current)).scalar_one()
    stamps = db.session.execute(
        select(
            func.max(Registration.created_at),
            func.max(Registration.consent_at),
            func.max(Registration.placed_at),
            func.max(Registration.waitlisted_at),
            func.max(Registration.cancelled_at),
        )
    ).one()
    last_check_in = db.session.execute(select(func.max(CheckIn.checked_in_at))).scalar_one()
    first_created = db.session.execute(
        select(func.min(Registration.created_at)).where(Registration.congress_id == current.id)
    ).scalar_one()
    waiting = db.session.execute(
        select(func.count()).where(
            Registration.congress_id == current.id, Registration.status == Status.WAITLISTED
        )
    ).scalar_one()
    carrier_id = db.session.execute(select(CarrierOrganisation.id).limit(1)).scalar_one()
    days = [d.day.isoformat() for d in current.days]
    db.session.commit()

    client.post(
        "/register",
        data={
            "first_name": "Neu",
            "last_name": "Angemeldet",
            "email": "neu@example.org",
            "language": "de",
            "carrier": str(carrier_id),
            "local_structure": "",
            "programme_role": "mentor",
            "sector": "civil_society",
            "diet": "none",
            "days": days,
            "consent": "y",
        },
    )
    token = re.search(
        r"/register/confirm/([A-Za-z0-9_-]{43})", smtp.wait(1)[0].get_body(("plain",)).get_content()
    ).group(1)
    confirmed = client.post(f"/register/confirm/{token}", follow_redirects=True)

    assert all(stamp is not None and stamp <= now for stamp in stamps), stamps
    assert last_check_in <= now
    assert first_created >= current.registration_opens_at
    assert waiting == 25
    assert f"Nummer {waiting + 1} auf der Warteliste" in confirmed.get_data(as_text=True)


def test_init_db_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["init-db"])

    assert result.exit_code == 0
    assert "up to date" in result.output
