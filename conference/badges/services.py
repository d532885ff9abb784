"""Badges and tickets: which registrations get one, the PDFs, printing records, reissue.

A badge is the person's key at the door: its QR code holds only the opaque ``badge_token``
(DESIGN.md "Tokens"). Reissuing replaces the token, so a lost badge scans as unknown.

Rendering cost (1,000 badges): everything goes into ONE WeasyPrint document with one page per
badge (or four per A4 sheet), so the fonts are loaded and subset once; the QR codes are inline
vector SVG paths (sharp at any printer resolution; see ``qr_svg`` for their cost). The
selection is three queries whatever its size (registrations with carrier and local structure
joined, their days, their workshop seats).
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

import qrcode
from flask import render_template
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.models import Role
from conference.agenda.models import AgendaSession, SessionKind, SessionStatus
from conference.core import audit
from conference.core.errors import Conflict, Forbidden, Invalid, NotFound
from conference.core.models import Congress
from conference.core.pdf import render_pdf_documents, render_pdf_html
from conference.core.time import local
from conference.core.tokens import new_token
from conference.extensions import db
from conference.registration import services as registration_services
from conference.registration.labels import BADGE_ROLE_LABELS
from conference.registration.models import BadgeRole, Registration, RegistrationDay, Status
from conference.workshops.models import WorkshopSeat

LAYOUTS = ("a6", "a4")

# The QR code: error correction M survives a scratched or folded badge; a 43-character token is
# version 4 (33 modules), so 1.1 mm modules make a 36 mm symbol (45 mm with the quiet zone), which
# phone cameras and door scanners read from 30 cm and more.
QR_MODULE_MM = 1.1
QR_BORDER_MODULES = 4
QR_VERSION = 4
# Choosing the "best" of the 8 masks costs 5 ms per code in pure Python (5 s per 1,000 badges);
# every mask decodes, and random tokens give near-equal penalties, so one fixed mask is used.
QR_MASK = 2


class BadgeRefused(Conflict):
    code = "badge_refused"


class EmptySelection(Invalid):
    code = "empty_selection"


# --- QR codes and name fitting -------------------------------------------------------------------


def qr_svg(token: str, *, module_mm: float = QR_MODULE_MM) -> Markup:
    """The token as an inline vector SVG, sized in millimetres.

    qrcode computes the matrix; the path is drawn here with one stroked line per horizontal run
    of dark modules instead of qrcode's one square per module (SvgPathImage): WeasyPrint parses
    every path coordinate in Python, and runs need far fewer of them (profiled: 24 ms -> 10 ms
    per badge). Measured on 1,000 A6 badges (CPU seconds, loaded machine): no QR 13.7 s, this
    SVG 21.5 s, a 41 x 41 pixel PNG with ``image-rendering: pixelated`` 14.6 s. The PNG would be
    cheaper, but DESIGN.md asks for vector SVG, so the SVG stays.
    """
    code = qrcode.QRCode(
        version=QR_VERSION if len(token) <= 62 else None,  # 62 bytes fit version 4-M
        error_correction=ERROR_CORRECT_M,
        border=QR_BORDER_MODULES,
        mask_pattern=QR_MASK,
    )
    code.add_data(token)
    code.make(fit=code.version is None)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    width = f"{size * module_mm:.1f}mm"
    # Generated from [A-Za-z0-9_-] tokens and numbers only: safe markup.
    return Markup(  # noqa: S704
        f'<svg class="qr" width="{width}" height="{width}" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img"><path d="{"".join(runs)}" '
        'fill="none" stroke="#000" stroke-width="1"/></svg>'
    )


# Font sizes (pt) for a line of the badge, from the longest that fits on one line of the 93 mm
# text width down to a floor where long names wrap (and hyphenate) over several lines.
# WeasyPrint has no fit-to-width, so the class is chosen here from the name's length; Noto Sans
# Bold averages about 0.6 em per character.
_NAME_STEPS = ((9, 30), (12, 26), (15, 22), (19, 18), (24, 15), (32, 12), (44, 10))
_NAME_FLOOR = 9


def name_size(text: str, *, scale: float = 1.0) -> int:
    """The font size in points for a name on the badge (see ``_NAME_STEPS``)."""
    length = len(text)
    for limit, size in _NAME_STEPS:
        if length <= limit:
            return max(_NAME_FLOOR, round(size * scale))
    return _NAME_FLOOR


# --- selection -------------------------------------------------------------------------------


def _refusal(registration: Registration) -> str | None:
    """Why this registration gets no badge (None: it gets one)."""
    if registration.status == Status.CONFIRMED:
        return None
    if registration.status == Status.CANCELLED:
        return _(
            "The registration of %(name)s is cancelled; cancelled registrations get no badge.",
            name=registration.full_name,
        )
    if registration.status == Status.WAITLISTED:
        return _(
            "%(name)s is on the waiting list; a badge is printed only once a seat is confirmed.",
            name=registration.full_name,
        )
    return _(
        "%(name)s has not confirmed the registration yet; a badge is printed only for "
        "confirmed registrations.",
        name=registration.full_name,
    )


def ensure_badge_allowed(registration: Registration) -> None:
    """Raise BadgeRefused (409) with the reason in words unless the registration is confirmed."""
    reason = _refusal(registration)
    if reason:
        raise BadgeRefused(reason)


def _with_badge_loads(statement):
    return statement.options(
        joinedload(Registration.carrier),
        joinedload(Registration.local_structure),
        selectinload(Registration.days),
    )


def registration_for_badge(registration_id: int, congress: Congress | None = None) -> Registration:
    """One registration with what its badge shows. Raises NotFound, BadgeRefused."""
    statement = _with_badge_loads(select(Registration).where(Registration.id == registration_id))
    if congress is not None:
        statement = statement.where(Registration.congress_id == congress.id)
    registration = db.session.execute(statement).unique().scalar_one_or_none()
    if registration is None:
        raise NotFound(_("There is no such registration."), code="unknown_registration")
    ensure_badge_allowed(registration)
    return registration


def scoped_organisation(actor, organisation_id: int | None) -> int | None:
    """The organisation a user may print for: coordinators only ever their own."""
    if actor is None or getattr(actor, "role", None) != Role.COORDINATOR:
        return organisation_id
    own = actor.organisation_id
    if organisation_id is not None and organisation_id != own:
        raise Forbidden(_("Coordinators may print badges of their own organisation only."))
    return own


def selection_statement(
    congress: Congress,
    *,
    organisation_id: int | None = None,
    role: str | None = None,
    day: date | None = None,
    not_printed: bool = False,
    status: str = Status.CONFIRMED,
):
    """The WHERE of a print run (without loads or order): also used for the count preview."""
    if status != Status.CONFIRMED:
        raise BadgeRefused(
            _(
                "Badges are printed for confirmed registrations only, not for status “%(status)s”.",
                status=status,
            )
        )
    statement = select(Registration).where(
        Registration.congress_id == congress.id,
        Registration.status == Status.CONFIRMED,
        Registration.anonymised_at.is_(None),
    )
    if organisation_id is not None:
        statement = statement.where(Registration.carrier_id == organisation_id)
    if role:
        statement = statement.where(Registration.badge_role == role)
    if day is not None:
        statement = statement.where(
            exists().where(
                RegistrationDay.registration_id == Registration.id, RegistrationDay.day == day
            )
        )
    if not_printed:
        statement = statement.where(Registration.badge_printed_at.is_(None))
    return statement


def count_for_print(congress: Congress, **filters) -> int:
    subquery = selection_statement(congress, **filters).with_only_columns(Registration.id)
    return db.session.execute(select(func.count()).select_from(subquery.subquery())).scalar_one()


def _name_order(registration: Registration) -> tuple:
    """Names sort as in a German phone book ("Özdemir" with the O's), whatever the database's
    collation: the stored collation key (core/collation.py)."""
    return (registration.name_key, registration.id)


def select_for_print(
    congress: Congress,
    *,
    organisation_id: int | None = None,
    role: str | None = None,
    day: date | None = None,
    not_printed: bool = False,
    status: str = Status.CONFIRMED,
    actor=None,
) -> list[Registration]:
    """The confirmed registrations of a print run, sorted by last name, with their loads.

    Raises EmptySelection (400) when nothing matches, BadgeRefused for a non-confirmed status,
    Forbidden when a coordinator asks for another organisation.
    """
    organisation_id = scoped_organisation(actor, organisation_id)
    statement = _with_badge_loads(
        selection_statement(
            congress,
            organisation_id=organisation_id,
            role=role,
            day=day,
            not_printed=not_printed,
            status=status,
        )
    )
    registrations = sorted(db.session.execute(statement).unique().scalars(), key=_name_order)
    if not registrations:
        raise EmptySelection(
            _(
                "No confirmed registration matches this selection, so there is nothing to print. "
                "Please change the filters."
            )
        )
    return registrations


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


def mark_printed(registrations: Iterable[Registration], *, now: datetime, actor=None) -> int:
    """Record that these badges were printed (one UPDATE); returns how many."""
    registrations = list(registrations)
    ids = [r.id for r in registrations]
    if not ids:
        return 0
    db.session.execute(
        update(Registration)
        .where(Registration.id.in_(ids))
        .values(badge_printed_at=now)
        .execution_options(synchronize_session=False)
    )
    for registration in registrations:
        registration.badge_printed_at = now
    audit.record(
        "badges.printed",
        actor=actor,
        congress_id=registrations[0].congress_id,
        count=len(ids),
    )
    db.session.flush()
    return len(ids)


def reissue(registration: Registration, *, now: datetime, actor=None) -> Registration:
    """Give the registration a new badge token: the old badge scans as unknown from now on.

    The new badge counts as not printed yet. Raises BadgeRefused unless confirmed.
    """
    ensure_badge_allowed(registration)
    registration.badge_token = new_token()
    registration.badge_printed_at = None
    audit.record("badge.reissued", registration, actor=actor)  # never the token itself
    db.session.flush()
    return registration


# --- ticket ------------------------------------------------------------------------------------

# The ticket's short agenda: what everyone attends, plus the person's own workshops.
_TICKET_KINDS = (
    SessionKind.PLENARY,
    SessionKind.KEYNOTE,
    SessionKind.PANEL,
    SessionKind.NETWORKING,
    SessionKind.BREAK,
)
TICKET_AGENDA_LIMIT = 14  # lines, so the ticket stays one page


@dataclass
class AgendaLine:
    day: str
    time: str
    title: str
    room: str


def ticket_agenda(registration: Registration, congress: Congress) -> list[AgendaLine]:
    """Plenary items of the person's days and their own workshops, in time order."""
    days = {d.day for d in registration.days}
    seated = select(WorkshopSeat.session_id).where(WorkshopSeat.registration_id == registration.id)
    sessions = db.session.execute(
        select(AgendaSession)
        .options(joinedload(AgendaSession.room))
        .where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.status == SessionStatus.PUBLISHED,
            (AgendaSession.kind.in_(_TICKET_KINDS) & AgendaSession.signup_required.is_(False))
            | AgendaSession.id.in_(seated),
        )
        .order_by(AgendaSession.starts_at)
    ).scalars()
    lines = []
    for session in sessions:
        starts = local(session.starts_at, congress.timezone)
        if starts.date() not in days:
            continue
        ends = local(session.ends_at, congress.timezone)
        lines.append(
            AgendaLine(
                day=format_date(starts, "EEEE d. MMMM"),
                time=f"{format_time(starts, 'HH:mm')}–{format_time(ends, 'HH:mm')}",
                title=session.title,
                room=session.room.name if session.room else "",
            )
        )
    return lines[:TICKET_AGENDA_LIMIT]


def ticket_pdf(registration: Registration) -> bytes:
    """A one-page A4 ticket in the attendee's language. Raises BadgeRefused unless confirmed."""
    ensure_badge_allowed(registration)
    congress = registration.congress
    with force_locale(registration.language or "de"):
        badge = badge_for(registration, congress)
        agenda = ticket_agenda(registration, congress)
        html = render_template(
            "badges/ticket.html",
            badge=badge,
            registration=registration,
            congress=congress,
            agenda=agenda,
            qr=qr_svg(registration.badge_token, module_mm=1.4),
            dates=" · ".join(format_date(d.day, "EEEE d. MMMM y") for d in registration.days),
        )
    return render_pdf_html(html)


def registration_by_manage_token(token: str) -> Registration:
    return registration_services.by_manage_token(token)


def ticket_attachment(registration) -> list[tuple[str, str, bytes]]:
    """The confirmation mail's ticket (none unless the person holds a seat)."""
    if registration.status != Status.CONFIRMED:
        return []
    return [("ticket.pdf", "application/pdf", ticket_pdf(registration))]
