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


def test_init_db_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["init-db"])

    assert result.exit_code == 0
    assert "up to date" in result.output
