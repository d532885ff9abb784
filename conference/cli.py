"""The ``flask --app conference ...`` commands (DESIGN.md "Contract")."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from conference.accounts import services as accounts
from conference.accounts.models import Role
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.mail import deliver_pending
from conference.extensions import db


def init_app(app: Flask) -> None:
    from conference.core.checks import check

    for command in (init_db, demo, create_user, create_api_token, send_mail, check, recount_seats):
        app.cli.add_command(command)
    from conference.badges.cli import badges_command

    app.cli.add_command(badges_command)


def _fail(message: str) -> None:
    click.echo(click.style(message, fg="red"), err=True)
    sys.exit(1)


@click.command("init-db")
def init_db():
    """Create the database or upgrade it to the newest migration."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("demo")
@click.option("--admin-email", default="admin@example.org", show_default=True)
@click.option("--admin-password", default=None, help="Default: generated and printed.")
@click.option("--seed", default=2026, show_default=True, help="Random seed for the demo people.")
def demo(admin_email: str, admin_password: str | None, seed: int):
    """Load a realistic demo congress into an empty database."""
    from conference import demo as demo_data
    from conference.core.models import Congress

    if db.session.execute(select(func.count()).select_from(Congress)).scalar_one():
        click.echo(
            "The database already holds a congress; the demo is only loaded into an empty one."
        )
        return
    with transaction():
        summary = demo_data.load(seed=seed, admin_email=admin_email, admin_password=admin_password)
    click.echo(summary.describe())


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option(
    "--organisation",
    "organisation_id",
    type=int,
    default=None,
    help="Carrier organisation id (coordinators).",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
def create_user(email: str, role: str, organisation_id: int | None, password: str, name: str):
    """Create a staff user."""
    try:
        with transaction():
            user = accounts.create_user(
                email, password, role, name=name, organisation_id=organisation_id, actor="cli"
            )
    except DomainError as error:
        _fail(error.message)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("create-api-token")
@click.argument("name")
@click.option(
    "--role", type=click.Choice([Role.CHECKIN.value, Role.ORGANISER.value]), required=True
)
def create_api_token(name: str, role: str):
    """Create a bearer token for a scanning device or a reporting script; printed once."""
    try:
        with transaction():
            _token, secret = accounts.create_api_token(name, role, actor="cli")
    except DomainError as error:
        _fail(error.message)
    click.echo(secret)


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True)
def send_mail(limit: int):
    """Deliver pending mail from the outbox (retrying failed attempts when they are due)."""
    counts = deliver_pending(limit=limit)
    click.echo(f"sent {counts['sent']}, failed {counts['failed']}")


@click.command("recount-seats")
@click.option("--check", "check_only", is_flag=True, help="Only report; change nothing.")
def recount_seats(check_only: bool):
    """Recompute every seat counter (congress, day, carrier quota, workshop) from the rows and
    repair any difference; with --check only report it (exit status 1 if there is one)."""
    from conference.core.models import Congress
    from conference.registration import seats
    from conference.workshops import counters

    found = 0
    with transaction():
        for congress in db.session.execute(select(Congress).order_by(Congress.id)).scalars():
            for drift in seats.seat_drift(congress, repair=not check_only) + counters.seat_drift(
                congress, repair=not check_only
            ):
                found += 1
                verb = "differs" if check_only else "repaired"
                click.echo(
                    f"{congress.slug}: {drift.counter}: stored {drift.stored}, "
                    f"counted {drift.counted} ({verb})"
                )
    if not found:
        click.echo("Every seat counter equals its rows.")
    elif check_only:
        sys.exit(1)
