"""The organisers' side: participants, waiting lists, moving seats, phases, summaries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from conference.agenda.models import AgendaSession, SessionStatus
from conference.core import audit
from conference.core.errors import Invalid
from conference.core.models import Congress
from conference.extensions import db
from conference.registration.models import Registration, RegistrationDay
from conference.workshops.lookups import (
    NotAllowed,
    WorkshopInfo,
    capacity_expression,
    phases,
    workshops_of,
)
from conference.workshops.models import (
    WaitlistEntry,
    WorkshopPhase,
    WorkshopPreference,
    WorkshopSeat,
)
from conference.workshops.preferences import preferences_of, preferences_open
from conference.workshops.seats import _check_attendee, _check_workshop, _place


def seats_by_registration(registration_ids: list[int]) -> dict[int, list[WorkshopSeat]]:
    """registration id -> seats with session and room loaded, in time order (chunked IN)."""
    result: dict[int, list[WorkshopSeat]] = defaultdict(list)
    for start in range(0, len(registration_ids), 1000):
        chunk = registration_ids[start : start + 1000]
        seats = db.session.execute(
            select(WorkshopSeat)
            .join(AgendaSession, AgendaSession.id == WorkshopSeat.session_id)
            .options(joinedload(WorkshopSeat.session).joinedload(AgendaSession.room))
            .where(WorkshopSeat.registration_id.in_(chunk))
            .order_by(AgendaSession.starts_at)
        ).scalars()
        for seat in seats:
            result[seat.registration_id].append(seat)
    return dict(result)


# --- staff -----------------------------------------------------------------------------------


def move_seat(
    registration: Registration, workshop: AgendaSession, *, actor, now: datetime
) -> WorkshopSeat:
    """Staff: seat a person in a workshop of its phase (also a ranked one), within capacity."""
    phase = db.session.get(WorkshopPhase, workshop.phase_id)
    _check_attendee(registration, phase)
    _check_workshop(workshop, phase)
    seat = _place(registration, phase, workshop, source="staff", now=now)
    audit.record(
        "workshops.moved", registration, actor=actor, session_id=workshop.id, phase_id=phase.id
    )
    return seat


def participants(workshop: AgendaSession) -> list[WorkshopSeat]:
    """The seats of a workshop with the people and organisations loaded, by name."""
    return participants_of([workshop.id]).get(workshop.id, [])


def participants_of(session_ids: list[int]) -> dict[int, list[WorkshopSeat]]:
    """session id -> seats with people and organisations loaded, by name; one query."""
    result: dict[int, list[WorkshopSeat]] = {session_id: [] for session_id in session_ids}
    if not session_ids:
        return result
    seats = db.session.execute(
        select(WorkshopSeat)
        .join(Registration, Registration.id == WorkshopSeat.registration_id)
        .options(
            joinedload(WorkshopSeat.registration).joinedload(Registration.carrier),
            joinedload(WorkshopSeat.registration).joinedload(Registration.local_structure),
        )
        .where(WorkshopSeat.session_id.in_(session_ids))
        .order_by(Registration.name_key, Registration.id)
    ).scalars()
    for seat in seats:
        result[seat.session_id].append(seat)
    return result


def waiting_list(workshop: AgendaSession) -> list[Registration]:
    return list(
        db.session.execute(
            select(Registration)
            .join(WaitlistEntry, WaitlistEntry.registration_id == Registration.id)
            .where(WaitlistEntry.session_id == workshop.id)
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        ).scalars()
    )


def registration_by_email(congress: Congress, email: str) -> Registration:
    registration = db.session.execute(
        select(Registration).where(
            Registration.congress_id == congress.id,
            Registration.email == (email or "").strip().lower(),
        )
    ).scalar_one_or_none()
    if registration is None:
        raise Invalid(_("No registration with this e-mail address."), code="unknown_email")
    return registration


def create_phase(congress: Congress, *, actor, **fields) -> WorkshopPhase:
    """A new workshop phase of the congress (name, day, mode, min_ranks, deadline); audited."""
    phase = WorkshopPhase(congress_id=congress.id, **fields)
    db.session.add(phase)
    db.session.flush()
    audit.record("workshops.phase_created", phase, actor=actor)
    return phase


def update_phase(phase: WorkshopPhase, *, actor, **fields) -> WorkshopPhase:
    """Change a phase's settings. The mode is fixed once seats or an allocation exist."""
    if fields.get("mode") and fields["mode"] != phase.mode:
        has_seats = db.session.execute(
            select(WorkshopSeat.id).where(WorkshopSeat.phase_id == phase.id).limit(1)
        ).first()
        if has_seats or phase.allocated_at is not None:
            raise NotAllowed(
                _("The mode cannot change while people hold seats in this phase."),
                code="mode_locked",
            )
    changed = {}
    for name, value in fields.items():
        if getattr(phase, name) != value:
            changed[name] = value
            setattr(phase, name, value)
    db.session.flush()
    if changed:
        audit.record("workshops.phase_updated", phase, actor=actor, **changed)
    return phase


@dataclass
class AttendeeView:
    """Everything the attendee's workshop block shows, loaded in a fixed number of queries."""

    registration: Registration
    phases: list[WorkshopPhase]
    workshops: dict[int, list[WorkshopInfo]]
    seats: dict[int, WorkshopSeat]  # phase id -> seat
    waiting: set[int]  # session ids
    preferences: dict[int, list[int]]
    days: set
    now: datetime

    def workshop(self, session_id: int) -> WorkshopInfo | None:
        for infos in self.workshops.values():
            for info in infos:
                if info.session.id == session_id:
                    return info
        return None

    def open_for_ranking(self, phase: WorkshopPhase) -> bool:
        return preferences_open(phase, self.now)


def attendee_view(registration: Registration, *, now: datetime) -> AttendeeView:
    all_phases = phases(registration.congress)
    ids = [phase.id for phase in all_phases]
    seats = db.session.execute(
        select(WorkshopSeat).where(WorkshopSeat.registration_id == registration.id)
    ).scalars()
    waiting = db.session.execute(
        select(WaitlistEntry.session_id).where(WaitlistEntry.registration_id == registration.id)
    ).scalars()
    days = db.session.execute(
        select(RegistrationDay.day).where(RegistrationDay.registration_id == registration.id)
    ).scalars()
    return AttendeeView(
        registration=registration,
        phases=all_phases,
        workshops=workshops_of(ids),
        seats={seat.phase_id: seat for seat in seats},
        waiting=set(waiting),
        preferences=preferences_of(registration, ids),
        days=set(days),
        now=now,
    )


def phase_summaries(congress: Congress) -> list[dict]:
    """Each phase with workshop count, seats, taken, rankers: four grouped queries."""
    rows = phases(congress)
    ids = [phase.id for phase in rows]
    totals = {}
    if ids:
        totals = {
            phase_id: (count, capacity, taken)
            for phase_id, count, capacity, taken in db.session.execute(
                select(
                    AgendaSession.phase_id,
                    func.count(),
                    func.sum(capacity_expression()),
                    func.sum(AgendaSession.seats_taken),
                )
                .where(
                    AgendaSession.phase_id.in_(ids),
                    AgendaSession.status == SessionStatus.PUBLISHED,
                )
                .group_by(AgendaSession.phase_id)
            ).all()
        }
    rankers = {}
    if ids:
        rankers = dict(
            db.session.execute(
                select(
                    WorkshopPreference.phase_id,
                    func.count(func.distinct(WorkshopPreference.registration_id)),
                )
                .where(WorkshopPreference.phase_id.in_(ids))
                .group_by(WorkshopPreference.phase_id)
            ).all()
        )
    return [
        {
            "phase": phase,
            "workshops": totals.get(phase.id, (0, 0, 0))[0],
            "capacity": totals.get(phase.id, (0, 0, 0))[1] or 0,
            "taken": totals.get(phase.id, (0, 0, 0))[2] or 0,
            "rankers": rankers.get(phase.id, 0),
        }
        for phase in rows
    ]
