"""Counts of registrations, check-ins and workshop seats."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.agenda.models import AgendaSession, Room, SessionKind, SessionStatus
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.models import Congress
from conference.extensions import db
from conference.registration.models import Registration, Status
from conference.workshops.models import WaitlistEntry


def registration_counts(congress: Congress) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.congress_id == congress.id)
        .group_by(Registration.status)
    ).all()
    counts = {status.value: 0 for status in Status}
    counts.update({status: count for status, count in rows})
    return counts


def checked_in_counts(congress: Congress) -> dict[str, int]:
    rows = db.session.execute(
        select(Checkpoint.code, func.count(CheckIn.id))
        .join(CheckIn, CheckIn.checkpoint_id == Checkpoint.id, isouter=True)
        .where(Checkpoint.congress_id == congress.id)
        .group_by(Checkpoint.code)
        .order_by(Checkpoint.code)
    ).all()
    return {code: count for code, count in rows}


def workshop_fill(congress: Congress) -> list[dict]:
    waiting = (
        select(WaitlistEntry.session_id, func.count().label("waiting"))
        .group_by(WaitlistEntry.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            AgendaSession.id,
            AgendaSession.title,
            func.coalesce(AgendaSession.capacity, Room.capacity),
            AgendaSession.seats_taken,
            func.coalesce(waiting.c.waiting, 0),
        )
        .join(Room, Room.id == AgendaSession.room_id, isouter=True)
        .join(waiting, waiting.c.session_id == AgendaSession.id, isouter=True)
        .where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.status != SessionStatus.DRAFT,
            (AgendaSession.kind == SessionKind.WORKSHOP) | AgendaSession.signup_required,
        )
        .order_by(AgendaSession.starts_at, AgendaSession.title)
    ).all()
    return [
        {"id": id_, "title": title, "capacity": capacity, "taken": taken, "waitlisted": waitlisted}
        for id_, title, capacity, taken, waitlisted in rows
    ]


def congress_stats(congress: Congress) -> dict:
    """The contract of ``GET /api/v1/stats`` (DESIGN.md)."""
    return {
        "congress": {
            "id": congress.id,
            "title": congress.title,
            "start": congress.starts_on.isoformat(),
            "end": congress.ends_on.isoformat(),
        },
        "registrations": registration_counts(congress),
        "checked_in": checked_in_counts(congress),
        "workshops": workshop_fill(congress),
    }
