"""Workshops: the refusals, and the lookups of phases, workshops, seats and waiting lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from conference.agenda.models import AgendaSession, Room, SessionSpeaker, SessionStatus
from conference.core.errors import Conflict, DomainError, NotFound
from conference.core.models import Congress
from conference.extensions import db
from conference.registration import services as registration_services
from conference.registration.models import Registration, RegistrationDay
from conference.workshops.models import WaitlistEntry, WorkshopPhase


class WorkshopFull(DomainError):
    status, code = 409, "workshop_full"


class SeatChanged(Conflict):
    code = "seat_changed"


def _seat_changed() -> SeatChanged:
    """Another request moved or freed this seat first (two tabs, two clicks)."""
    return SeatChanged(
        _("Your workshop choice changed in the meantime. Please check and try again.")
    )


class NotAllowed(DomainError):
    status, code = 409, "not_allowed"


class BadChoice(DomainError):
    status, code = 400, "bad_choice"


# --- lookups ---------------------------------------------------------------------------------


def registration_by_token(token: str) -> Registration:
    """The registration of a manage link; NotFound for anything else (also malformed tokens)."""
    return registration_services.by_manage_token(token)


def capacity_expression():
    """The effective capacity of a session: its own, else its room's, else 0 (no seats)."""
    room_capacity = select(Room.capacity).where(Room.id == AgendaSession.room_id).scalar_subquery()
    return func.coalesce(AgendaSession.capacity, room_capacity, 0)


def phases(congress: Congress) -> list[WorkshopPhase]:
    return list(
        db.session.execute(
            select(WorkshopPhase)
            .where(WorkshopPhase.congress_id == congress.id)
            .order_by(WorkshopPhase.day, WorkshopPhase.name, WorkshopPhase.id)
        ).scalars()
    )


def phase_or_404(congress: Congress, phase_id: int) -> WorkshopPhase:
    phase = db.session.get(WorkshopPhase, phase_id)
    if phase is None or phase.congress_id != congress.id:
        raise NotFound(_("Unknown workshop phase."), code="unknown_phase")
    return phase


def workshop_or_404(congress: Congress, session_id: int) -> AgendaSession:
    workshop = db.session.get(AgendaSession, session_id)
    if workshop is None or workshop.congress_id != congress.id or workshop.phase_id is None:
        raise NotFound(_("Unknown workshop."), code="unknown_workshop")
    return workshop


@dataclass
class WorkshopInfo:
    """What pages show about a workshop: ready values, no lazy loads in templates."""

    session: AgendaSession
    capacity: int
    taken: int
    waiting: int
    moderators: list[str]

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def cancelled(self) -> bool:
        return self.session.status == SessionStatus.CANCELLED


def workshops_of(phase_ids: list[int], *, include_cancelled: bool = True) -> dict[int, list]:
    """phase id -> [WorkshopInfo], in time and title order; three queries for any number."""
    if not phase_ids:
        return {}
    query = (
        select(AgendaSession, capacity_expression().label("capacity"))
        .options(joinedload(AgendaSession.room))
        .where(
            AgendaSession.phase_id.in_(phase_ids),
            AgendaSession.status != SessionStatus.DRAFT,
        )
        .order_by(AgendaSession.starts_at, AgendaSession.title, AgendaSession.id)
    )
    if not include_cancelled:
        query = query.where(AgendaSession.status != SessionStatus.CANCELLED)
    rows = db.session.execute(query).all()
    ids = [row[0].id for row in rows]
    waiting = waiting_counts(ids)
    people = moderators(ids)
    result: dict[int, list[WorkshopInfo]] = {phase_id: [] for phase_id in phase_ids}
    for workshop, capacity in rows:
        result[workshop.phase_id].append(
            WorkshopInfo(
                workshop,
                capacity,
                workshop.seats_taken,
                waiting.get(workshop.id, 0),
                people.get(workshop.id, []),
            )
        )
    return result


def waiting_counts(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(WaitlistEntry.session_id, func.count())
        .where(WaitlistEntry.session_id.in_(session_ids))
        .group_by(WaitlistEntry.session_id)
    ).all()
    return dict(rows)


def moderators(session_ids: list[int]) -> dict[int, list[str]]:
    """session id -> moderator names (speakers with the role "moderator"), in their order."""
    if not session_ids:
        return {}
    links = db.session.execute(
        select(SessionSpeaker)
        .options(joinedload(SessionSpeaker.speaker))
        .where(SessionSpeaker.session_id.in_(session_ids), SessionSpeaker.role == "moderator")
        .order_by(SessionSpeaker.session_id, SessionSpeaker.position)
    ).scalars()
    result: dict[int, list[str]] = defaultdict(list)
    for link in links:
        result[link.session_id].append(link.speaker.name)
    return dict(result)


def free_seats(session_ids) -> dict[int, int]:
    """session id -> free seats now, for the programme (one query). Unknown ids are absent."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(AgendaSession.id, capacity_expression() - AgendaSession.seats_taken).where(
            AgendaSession.id.in_(ids)
        )
    ).all()
    return {session_id: max(0, free) for session_id, free in rows}


def attends(registration: Registration, day) -> bool:
    return (
        db.session.execute(
            select(RegistrationDay.id).where(
                RegistrationDay.registration_id == registration.id, RegistrationDay.day == day
            )
        ).first()
        is not None
    )
