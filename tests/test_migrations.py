"""The migrations and the models describe the same schema, and every migration goes down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from conference.core.time import utcnow
from conference.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_all_migrations_downgrade_and_upgrade_again(app, tmp_path):
    from conference import create_app

    other = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path),
            "TESTING": True,
        }
    )
    with other.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = (
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'"
                )
                .scalars()
                .all()
            )
        assert tables == []
        upgrade()
        db.engine.dispose()


def test_0120_keeps_each_check_in_s_device_through_a_downgrade_and_upgrade(app, tmp_path):
    """Before 0120 a check-in named its device by token name or staff e-mail; the migration
    matches them back, leaving a name that two tokens share unmatched."""
    from sqlalchemy import select

    from conference import create_app
    from conference.accounts.services import create_api_token
    from conference.checkin import services
    from conference.checkin.models import CheckIn, ScanRecord
    from tests import factories

    other = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'devices.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path),
            "TESTING": True,
        }
    )
    with other.app_context():
        upgrade()
        congress = factories.congress()
        services.ensure_checkpoints(congress)
        people = [factories.registration(congress) for _ in range(3)]
        staff = factories.user(role="checkin", email="einlass@example.org")
        door, _secret = create_api_token("Door 1", "checkin")
        twin_a, _secret = create_api_token("Twin", "checkin")
        create_api_token("Twin", "checkin")
        checkpoint = services.checkpoints(congress)[0]
        for person, device in zip(
            people,
            [
                services.Device(user_id=staff.id),
                services.Device(token_id=door.id),
                services.Device(token_id=twin_a.id),
            ],
            strict=True,
        ):
            services.record_scan(
                congress,
                person.badge_token,
                checkpoint,
                now=utcnow(),
                device=device,
                nonce="n-1",
            )
        expected = [(staff.id, None), (None, door.id), (None, None)]
        db.session.commit()
        db.session.remove()

        # Through 0090 and 0110 too: on SQLite they rebuild `registration` and `user`, which
        # must not take the check-ins with them (migrations/env.py turns foreign keys off).
        downgrade(revision="0080")
        upgrade()

        devices = db.session.execute(
            select(CheckIn.user_id, CheckIn.api_token_id).order_by(CheckIn.id)
        ).all()
        records = db.session.execute(select(ScanRecord)).all()
        db.session.remove()
        db.engine.dispose()
    assert devices == expected
    assert records == []


def test_0510_keeps_the_placement_time_through_a_downgrade_and_upgrade(app, tmp_path):
    """0510 renames registration.confirmed_at to placed_at (a waitlisted person has one too);
    the times stay, in both directions."""
    from sqlalchemy import select, text

    from conference import create_app
    from conference.registration.models import Registration, Status
    from tests import factories

    other = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'placed.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path),
            "TESTING": True,
        }
    )
    with other.app_context():
        upgrade()
        congress = factories.congress()
        confirmed = factories.registration(congress, status=Status.CONFIRMED)
        waitlisted = factories.registration(congress, status=Status.WAITLISTED)
        expected = [confirmed.placed_at, waitlisted.placed_at]
        db.session.commit()
        db.session.remove()

        downgrade(revision="0500")
        with db.engine.connect() as connection:
            before = (
                connection.execute(text("SELECT confirmed_at FROM registration ORDER BY id"))
                .scalars()
                .all()
            )
        upgrade()
        after = (
            db.session.execute(select(Registration.placed_at).order_by(Registration.id))
            .scalars()
            .all()
        )
        db.session.remove()
        db.engine.dispose()
    assert None not in expected
    assert len(before) == 2 and None not in before
    assert after == expected
