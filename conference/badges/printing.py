"""The badges' document: what a badge shows and its PDF (rendered from a template, in parallel
parts). Recording that badges were printed or reissued is ``records.py``."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import render_template
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from conference.agenda.models import AgendaSession
from conference.badges.qr import LAYOUTS, EmptySelection, name_size, qr_svg
from conference.badges.selection import ensure_badge_allowed
from conference.core.errors import Invalid
from conference.core.models import Congress
from conference.core.pdf import render_pdf_documents, render_pdf_html
from conference.core.time import local
from conference.extensions import db
from conference.registration.labels import BADGE_ROLE_LABELS
from conference.registration.models import BadgeRole, Registration
from conference.workshops.models import WorkshopSeat

# --- what a badge shows ------------------------------------------------------------------------


@dataclass
class Workshop:
    title: str
    when: str
    room: str


@dataclass
class Badge:
    first_name: str
    last_name: str
    first_size: int
    last_size: int
    organisation: str
    local_structure: str
    role: str
    role_label: str
    days: str
    qr: Markup
    workshops: list[Workshop] = field(default_factory=list)


def workshops_by_registration(
    registrations: Sequence[Registration], congress: Congress
) -> dict[int, list[Workshop]]:
    """The workshop seats of many registrations in one query."""
    ids = [r.id for r in registrations]
    if not ids:
        return {}
    seats = db.session.execute(
        select(WorkshopSeat.registration_id, AgendaSession)
        .join(AgendaSession, AgendaSession.id == WorkshopSeat.session_id)
        .options(joinedload(AgendaSession.room))
        .where(WorkshopSeat.registration_id.in_(ids))
        .order_by(AgendaSession.starts_at)
    ).all()
    result: dict[int, list[Workshop]] = defaultdict(list)
    for registration_id, session in seats:
        starts = local(session.starts_at, congress.timezone)
        ends = local(session.ends_at, congress.timezone)
        result[registration_id].append(
            Workshop(
                title=session.title,
                when=f"{format_date(starts, 'EEE d.M.')} "
                f"{format_time(starts, 'HH:mm')}–{format_time(ends, 'HH:mm')}",
                room=session.room.name if session.room else "",
            )
        )
    return result


def days_label(registration: Registration) -> str:
    """The attended days, short ("Do 12.3. · Fr 13.3."): door staff check them at a glance."""
    return " · ".join(format_date(d.day, "EEE d.M.") for d in registration.days)


def badge_for(
    registration: Registration, congress: Congress, workshops: list[Workshop] = ()
) -> Badge:
    carrier = registration.carrier
    organisation = (carrier.name if carrier else registration.organisation_other) or ""
    role = registration.badge_role if registration.badge_role in BADGE_ROLE_LABELS else "attendee"
    return Badge(
        first_name=registration.first_name,
        last_name=registration.last_name,
        first_size=name_size(registration.first_name),
        last_size=name_size(registration.last_name, scale=0.8),
        organisation=organisation,
        local_structure=registration.local_structure.name if registration.local_structure else "",
        role=role,
        role_label=str(BADGE_ROLE_LABELS[BadgeRole(role)]),
        days=days_label(registration),
        qr=qr_svg(registration.badge_token),
        workshops=list(workshops),
    )


def _sheets(badges: list[Badge], per_sheet: int = 4) -> list[list[Badge | None]]:
    sheets = []
    for start in range(0, len(badges), per_sheet):
        sheet: list[Badge | None] = list(badges[start : start + per_sheet])
        sheet += [None] * (per_sheet - len(sheet))
        sheets.append(sheet)
    return sheets


def badges_html(badges: list[Badge], congress: Congress, layout: str, *, back_side: bool) -> str:
    return render_template(
        "badges/badges.html",
        badges=badges,
        sheets=_sheets(badges) if layout == "a4" else [],
        layout=layout,
        back_side=back_side,
        congress=congress,
    )


def page_count(badges: int, layout: str, *, back_side: bool = False) -> int:
    pages = badges if layout == "a6" else -(-badges // 4)
    return pages * 2 if back_side else pages


class _LayoutProgress(logging.Handler):
    """Turns WeasyPrint's per-page progress log ("Step 5 - Creating layout - Page N") into calls."""

    def __init__(self, progress: Callable[[str, int], None]):
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Step 5 - Creating layout"):
            self.progress("layout", 1)


@contextmanager
def _layout_progress(progress: Callable[[str, int], None] | None):
    if progress is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler = _LayoutProgress(progress)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def render_badges(
    registrations: Sequence[Registration],
    layout: str = "a6",
    *,
    back_side: bool = False,
    congress: Congress | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> bytes:
    """One print-ready PDF: a badge per A6 page, or four per A4 sheet with crop marks.

    ``progress(stage, n)`` reports ``("prepare", 1)`` per badge and ``("layout", 1)`` per page
    (the CLI's progress bars). Raises EmptySelection for no registrations, BadgeRefused if one
    of them is not confirmed, Invalid for an unknown layout.
    """
    if layout not in LAYOUTS:
        raise Invalid(_("Unknown layout; choose A6 or A4."), code="invalid_layout")
    if not registrations:
        raise EmptySelection(_("There is nothing to print: the selection is empty."))
    for registration in registrations:
        ensure_badge_allowed(registration)
    congress = congress or registrations[0].congress
    workshops = workshops_by_registration(registrations, congress) if back_side else {}
    badges = []
    for registration in registrations:
        badges.append(badge_for(registration, congress, workshops.get(registration.id, [])))
        if progress is not None:
            progress("prepare", 1)
    parts = _parts(badges, layout)
    if len(parts) == 1:
        with _layout_progress(progress):
            return render_pdf_html(badges_html(badges, congress, layout, back_side=back_side))
    htmls = [badges_html(part, congress, layout, back_side=back_side) for part in parts]

    def finished(index: int) -> None:
        if progress is not None:
            progress("layout", page_count(len(parts[index]), layout, back_side=back_side))

    return render_pdf_documents(htmls, done=finished)


#: From this many badges on, the layout is split across the machine's cores (see core/pdf.py).
PARALLEL_FROM = 120
#: At most this many badges in one part, so that no process holds a huge layout in memory.
PART_SIZE = 250


def _parts(badges: list, layout: str) -> list[list]:
    """The badges cut into parts of whole sheets (A4: four badges), at least one per core and
    at most ``PART_SIZE`` badges each."""
    cores = os.cpu_count() or 1
    if len(badges) < PARALLEL_FROM or cores < 2:
        return [badges]
    per_sheet = 4 if layout == "a4" else 1
    sheets = -(-len(badges) // per_sheet)
    count = max(cores, -(-len(badges) // PART_SIZE))
    size = -(-sheets // count) * per_sheet
    return [badges[start : start + size] for start in range(0, len(badges), size)]
