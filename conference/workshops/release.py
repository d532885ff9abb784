"""What a cancellation or a change of days frees (called by ``attendee/lifecycle.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from conference.agenda.models import AgendaSession
from conference.extensions import db
from conference.registration.models import Registration
from conference.workshops.models import (
    WaitlistEntry,
    WorkshopPhase,
    WorkshopPreference,
    WorkshopSeat,
)
from conference.workshops.seats import _free_seat

# --- what a cancellation or a change of days frees (called by ``attendee/lifecycle.py``) -------


def _free_seats_where(registration: Registration, condition, *, now: datetime) -> None:
    seats = (
        db.session.execute(
            select(WorkshopSeat).where(WorkshopSeat.registration_id == registration.id, condition)
        )
        .scalars()
        .all()
    )
    for seat in seats:
        _free_seat(seat, now=now)


def release_registration(registration: Registration, *, now: datetime) -> None:
    """A cancelled registration gives up its seats, rankings and waiting places; each freed
    seat goes to the workshop's waiting list."""
    db.session.execute(
        delete(WaitlistEntry).where(WaitlistEntry.registration_id == registration.id)
    )
    db.session.execute(
        delete(WorkshopPreference).where(WorkshopPreference.registration_id == registration.id)
    )
    _free_seats_where(registration, True, now=now)


def release_days(registration: Registration, removed, *, now: datetime) -> None:
    """Days no longer attended: their workshop seats, rankings and waiting places go."""
    removed = set(removed or ())
    if not removed:
        return
    phase_ids = select(WorkshopPhase.id).where(
        WorkshopPhase.congress_id == registration.congress_id, WorkshopPhase.day.in_(removed)
    )
    db.session.execute(
        delete(WaitlistEntry).where(
            WaitlistEntry.registration_id == registration.id,
            WaitlistEntry.session_id.in_(
                select(AgendaSession.id).where(AgendaSession.phase_id.in_(phase_ids))
            ),
        )
    )
    db.session.execute(
        delete(WorkshopPreference).where(
            WorkshopPreference.registration_id == registration.id,
            WorkshopPreference.phase_id.in_(phase_ids),
        )
    )
    _free_seats_where(registration, WorkshopSeat.phase_id.in_(phase_ids), now=now)
