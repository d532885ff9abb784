"""The migrations and the models describe the same schema, and every migration goes down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

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
