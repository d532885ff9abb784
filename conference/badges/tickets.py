"""The ticket: a person's badge and agenda as a PDF, attached to the seat mail."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale, format_date, format_time
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from conference.agenda.models import AgendaSession, SessionKind, SessionStatus
from conference.badges.printing import badge_for
from conference.badges.qr import qr_svg
from conference.badges.selection import ensure_badge_allowed
from conference.core.models import Congress
from conference.core.pdf import render_pdf_html
from conference.core.time import local
from conference.extensions import db
from conference.registration import services as registration_services
from conference.registration.models import Registration, Status
from conference.workshops.models import WorkshopSeat

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
