"""``flask --app conference badges OUTPUT.pdf``: print-ready badges (DESIGN.md "Contract")."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from conference.badges import services
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.time import utcnow
from conference.registration.models import BadgeRole, Status


def _fail(message: str) -> None:
    click.echo(click.style(message, fg="red"), err=True)
    sys.exit(1)


@click.command("badges")
@click.argument("output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--organisation", "organisation_id", type=int, help="Carrier organisation id.")
@click.option("--layout", type=click.Choice(services.LAYOUTS), default="a6", show_default=True)
@click.option(
    "--status",
    type=click.Choice([s.value for s in Status]),
    default=Status.CONFIRMED.value,
    show_default=True,
    help="Only confirmed registrations get a badge; other statuses are refused.",
)
@click.option("--role", type=click.Choice([r.value for r in BadgeRole]), default=None)
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--not-printed", is_flag=True, help="Only badges not printed yet.")
@click.option("--back-side", is_flag=True, help="Add a back side with the workshops (duplex).")
@click.option("--mark-printed", is_flag=True, help="Record the badges as printed.")
@click.option("--congress", "congress_id", type=int, default=None, help="Default: the current.")
def badges_command(
    output: Path,
    organisation_id: int | None,
    layout: str,
    status: str,
    role: str | None,
    day,
    not_printed: bool,
    back_side: bool,
    mark_printed: bool,
    congress_id: int | None,
):
    """Write print-ready badges of confirmed registrations, sorted by last name, to OUTPUT."""
    from conference.core.congress import congress_or_current

    try:
        congress = congress_or_current(congress_id) if congress_id else current_congress_or_404()
        registrations = services.select_for_print(
            congress,
            organisation_id=organisation_id,
            role=role,
            day=day.date() if day else None,
            not_printed=not_printed,
            status=status,
        )
        data = _render(registrations, layout, back_side, congress)
    except DomainError as error:
        _fail(error.message)
    output.write_bytes(data)
    if mark_printed:
        with transaction():
            services.mark_printed(registrations, now=utcnow(), actor="cli")
    click.echo(f"{len(registrations)} badges ({layout.upper()}) written to {output}.")


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _render(registrations, layout: str, back_side: bool, congress) -> bytes:
    """Render with progress bars on a terminal (preparing the badges, laying out the pages)."""
    if not _is_terminal():
        return services.render_badges(registrations, layout, back_side=back_side, congress=congress)
    lengths = {
        "prepare": len(registrations),
        "layout": services.page_count(len(registrations), layout, back_side=back_side),
    }
    labels = {"prepare": "Preparing badges", "layout": "Laying out pages"}
    current: dict = {}

    def close() -> None:
        if current:
            current["bar"].__exit__(None, None, None)
            current.clear()

    def progress(stage: str, step: int) -> None:
        if current.get("stage") != stage:
            close()
            bar = click.progressbar(length=lengths[stage], label=labels[stage], show_pos=True)
            bar.__enter__()
            current.update(stage=stage, bar=bar)
        current["bar"].update(step)

    try:
        data = services.render_badges(
            registrations, layout, back_side=back_side, congress=congress, progress=progress
        )
    finally:
        close()
    return data
