"""First come, first served: take and leave a workshop seat, its waiting list, promotions.

Capacity: a seat is taken by a conditional UPDATE of ``agenda_session.seats_taken`` (DESIGN.md
"Capacity without races"). A workshop without its own capacity uses its room's capacity; we
read that in the same UPDATE through a correlated subquery instead of copying it when the phase
opens, so a room change never leaves a stale copy behind. One seat per registration and phase is
the unique constraint on ``workshop_seat``. Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from conference.agenda.models import AgendaSession, SessionStatus
from conference.core import audit
from conference.core.errors import NotFound
from conference.core.mail import external_url
from conference.core.models import Congress
from conference.extensions import db
from conference.mailtexts.services import person_values, queue_mail
from conference.registration.models import Registration, Status
from conference.workshops.lookups import (
    BadChoice,
    NotAllowed,
    WorkshopFull,
    _seat_changed,
    attends,
    capacity_expression,
    free_seats,
)
from conference.workshops.models import PhaseMode, WaitlistEntry, WorkshopPhase, WorkshopSeat

# --- first come, first served ----------------------------------------------------------------


def _check_attendee(registration: Registration, phase: WorkshopPhase) -> None:
    if registration.status != Status.CONFIRMED:
        raise NotAllowed(
            _("Only confirmed registrations can choose workshops."), code="not_confirmed"
        )
    if registration.congress_id != phase.congress_id:
        raise NotFound(_("Unknown workshop phase."), code="unknown_phase")
    if not attends(registration, phase.day):
        raise NotAllowed(
            _("You are not registered for the day of this workshop phase."), code="day_not_attended"
        )


def _check_workshop(workshop: AgendaSession, phase: WorkshopPhase) -> None:
    if workshop.phase_id != phase.id:
        raise BadChoice(_("This workshop does not belong to this phase."), code="other_phase")
    if workshop.status == SessionStatus.CANCELLED:
        raise BadChoice(_("This workshop has been cancelled."), code="cancelled_workshop")
    if workshop.status != SessionStatus.PUBLISHED:
        raise NotFound(_("Unknown workshop."), code="unknown_workshop")


def _claim(session_id: int, count: int = 1) -> bool:
    """Take ``count`` seats if they are free: one conditional UPDATE, the row count decides."""
    return (
        db.session.execute(
            update(AgendaSession)
            .where(
                AgendaSession.id == session_id,
                AgendaSession.seats_taken + count <= capacity_expression(),
            )
            .values(seats_taken=AgendaSession.seats_taken + count)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _release(session_id: int) -> None:
    db.session.execute(
        update(AgendaSession)
        .where(AgendaSession.id == session_id, AgendaSession.seats_taken > 0)
        .values(seats_taken=AgendaSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def seat_in_phase(registration: Registration, phase: WorkshopPhase) -> WorkshopSeat | None:
    return db.session.execute(
        select(WorkshopSeat).where(
            WorkshopSeat.registration_id == registration.id, WorkshopSeat.phase_id == phase.id
        )
    ).scalar_one_or_none()


def _place(
    registration: Registration,
    phase: WorkshopPhase,
    workshop: AgendaSession,
    *,
    source: str,
    now: datetime,
) -> WorkshopSeat:
    """Claim a seat in ``workshop`` and move the registration there (switching frees the old).

    Raises WorkshopFull; Conflict when a parallel request changed this person's seat meanwhile.
    """
    current = seat_in_phase(registration, phase)
    if current is not None and current.session_id == workshop.id:
        return current
    if not _claim(workshop.id):
        raise WorkshopFull(_("This workshop is full."))
    if current is None:
        try:
            with db.session.begin_nested():
                seat = WorkshopSeat(
                    registration_id=registration.id,
                    phase_id=phase.id,
                    session_id=workshop.id,
                    source=source,
                    created_at=now,
                )
                db.session.add(seat)
        except IntegrityError:
            raise _seat_changed() from None
    else:
        old_session_id = current.session_id
        # Only if nobody moved this seat meanwhile (on PostgreSQL a parallel switch waits on the
        # row lock and then finds 0 rows), so the old workshop is freed exactly once.
        moved = db.session.execute(
            update(WorkshopSeat)
            .where(WorkshopSeat.id == current.id, WorkshopSeat.session_id == old_session_id)
            .values(session_id=workshop.id, source=source, created_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise _seat_changed()
        db.session.expire(current)
        _release(old_session_id)
        _promote(old_session_id, now=now)
        seat = current
    db.session.execute(
        delete(WaitlistEntry).where(
            WaitlistEntry.registration_id == registration.id,
            WaitlistEntry.session_id == workshop.id,
        )
    )
    db.session.flush()
    return seat


def take_seat(
    registration: Registration, workshop: AgendaSession, *, now: datetime
) -> WorkshopSeat:
    """Seat an attendee in a first-come workshop, switching from another one of its phase.

    Raises NotAllowed (not confirmed, day not attended, ranked phase), BadChoice, WorkshopFull.
    """
    phase = db.session.get(WorkshopPhase, workshop.phase_id) if workshop.phase_id else None
    if phase is None:
        raise NotFound(_("Unknown workshop."), code="unknown_workshop")
    _check_attendee(registration, phase)
    _check_workshop(workshop, phase)
    if phase.mode != PhaseMode.FIRST_COME:
        raise NotAllowed(
            _("Workshops of this phase are allocated by preferences."), code="ranked_phase"
        )
    seat = _place(registration, phase, workshop, source="signup", now=now)
    audit.record(
        "workshops.seat_taken",
        seat,
        actor="attendee",
        congress_id=phase.congress_id,
        session_id=workshop.id,
    )
    return seat


def leave_seat(registration: Registration, phase: WorkshopPhase, *, now: datetime, actor=None):
    """Give the seat of this phase back; the first waiting person gets it. Idempotent."""
    seat = seat_in_phase(registration, phase)
    if seat is None:
        return None
    if actor is None and phase.mode != PhaseMode.FIRST_COME:
        raise NotAllowed(
            _("Workshops of this phase are allocated by preferences."), code="ranked_phase"
        )
    session_id = seat.session_id
    _free_seat(seat, now=now)
    audit.record(
        "workshops.seat_left", registration, actor=actor or "attendee", session_id=session_id
    )
    return session_id


def _free_seat(seat: WorkshopSeat, *, now: datetime) -> None:
    gone = db.session.execute(
        delete(WorkshopSeat)
        .where(WorkshopSeat.id == seat.id, WorkshopSeat.session_id == seat.session_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if gone != 1:
        raise _seat_changed()
    db.session.expunge(seat)
    _release(seat.session_id)
    _promote(seat.session_id, now=now)


def join_waitlist(
    registration: Registration, workshop: AgendaSession, *, now: datetime
) -> WaitlistEntry:
    """Wait for a seat in a full first-come workshop. Returns the existing entry if any."""
    phase = db.session.get(WorkshopPhase, workshop.phase_id) if workshop.phase_id else None
    if phase is None:
        raise NotFound(_("Unknown workshop."), code="unknown_workshop")
    _check_attendee(registration, phase)
    _check_workshop(workshop, phase)
    if phase.mode != PhaseMode.FIRST_COME:
        raise NotAllowed(
            _("Workshops of this phase are allocated by preferences."), code="ranked_phase"
        )
    seat = seat_in_phase(registration, phase)
    if seat is not None and seat.session_id == workshop.id:
        raise NotAllowed(_("You already have a seat in this workshop."), code="already_seated")
    if free_seats([workshop.id]).get(workshop.id, 0) > 0:
        raise NotAllowed(
            _("This workshop still has free seats: take one directly."), code="not_full"
        )
    entry = WaitlistEntry(registration_id=registration.id, session_id=workshop.id, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        return db.session.execute(
            select(WaitlistEntry).where(
                WaitlistEntry.registration_id == registration.id,
                WaitlistEntry.session_id == workshop.id,
            )
        ).scalar_one()
    return entry


def leave_waitlist(registration: Registration, workshop: AgendaSession) -> None:
    db.session.execute(
        delete(WaitlistEntry).where(
            WaitlistEntry.registration_id == registration.id,
            WaitlistEntry.session_id == workshop.id,
        )
    )


def _promote(session_id: int, *, now: datetime, depth: int = 0) -> list[int]:
    """Give free seats of a workshop to the people waiting longest; mail each of them.

    Each waiting entry is taken by a conditional DELETE, so two parallel releases never promote
    the same person twice. A promoted person who sat elsewhere in the phase moves, which frees
    that seat for the next waiting person there (bounded, every move is to a wished workshop).
    """
    promoted: list[int] = []
    if depth > 50:
        return promoted
    workshop = db.session.get(AgendaSession, session_id)
    phase = db.session.get(WorkshopPhase, workshop.phase_id) if workshop.phase_id else None
    if phase is None or workshop.status != SessionStatus.PUBLISHED:
        return promoted
    entries = (
        db.session.execute(
            select(WaitlistEntry)
            .where(WaitlistEntry.session_id == session_id)
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        )
        .scalars()
        .all()
    )
    for entry in entries:
        if free_seats([session_id]).get(session_id, 0) <= 0:
            break
        taken = db.session.execute(
            delete(WaitlistEntry)
            .where(WaitlistEntry.id == entry.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.expunge(entry)
        if taken != 1:
            continue
        registration = db.session.get(Registration, entry.registration_id)
        if registration.status != Status.CONFIRMED or not attends(registration, phase.day):
            continue
        if not _claim(session_id):
            break
        current = seat_in_phase(registration, phase)
        if current is None:
            db.session.add(
                WorkshopSeat(
                    registration_id=registration.id,
                    phase_id=phase.id,
                    session_id=session_id,
                    source="waitlist",
                    created_at=now,
                )
            )
            db.session.flush()
        else:
            old = current.session_id
            current.session_id = session_id
            current.source = "waitlist"
            db.session.flush()
            _release(old)
            _promote(old, now=now, depth=depth + 1)
        promoted.append(registration.id)
        audit.record("workshops.promoted", registration, actor="system", session_id=session_id)
        _mail_promoted(registration, workshop)
    return promoted


def _when(session: AgendaSession, language: str) -> str:
    with force_locale(language):
        return format_datetime(session.starts_at, "short")


def _seat_time(session: AgendaSession, language: str) -> str:
    """ "18.11.27, 13:00, Raum Tegel": when and where, in the recipient's language."""
    when = _when(session, language)
    return f"{when}, {session.room.name}" if session.room else when


def _mail_promoted(registration: Registration, workshop: AgendaSession) -> None:
    language = registration.language or "de"
    queue_mail(
        "workshops.promoted",
        congress=db.session.get(Congress, workshop.congress_id),
        recipient=registration.email,
        language=language,
        values={
            **person_values(registration),
            "workshop": workshop.title,
            "workshop_time": _seat_time(workshop, language),
            "manage_link": _manage_link(registration),
        },
        registration_id=registration.id,
    )


_TOKEN_SLOT = "TOKEN-SLOT"


def _manage_link_pattern() -> str:
    """The attendee's link with a slot for the token: one URL build for thousands of mails."""
    from flask import current_app

    endpoint = (
        "registration.manage"
        if "registration.manage" in current_app.view_functions
        else "workshops.attendee"
    )
    return external_url(endpoint, token=_TOKEN_SLOT)


def _manage_link(registration: Registration, pattern: str | None = None) -> str:
    return (pattern or _manage_link_pattern()).replace(_TOKEN_SLOT, registration.manage_token)
