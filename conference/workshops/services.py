"""Workshops: seats in parallel workshops, waitlists, ranked preferences and their allocation.

Capacity: a seat is taken by a conditional UPDATE of ``agenda_session.seats_taken`` (DESIGN.md
"Capacity without races"). A workshop without its own capacity uses its room's capacity; we
read that in the same UPDATE through a correlated subquery instead of copying it when the phase
opens, so a room change never leaves a stale copy behind. One seat per registration and phase is
the unique constraint on ``workshop_seat``. Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from conference.agenda.models import AgendaSession, Room, SessionSpeaker, SessionStatus
from conference.core import audit
from conference.core.errors import Conflict, DomainError, Invalid, NotFound
from conference.core.mail import external_url
from conference.core.models import Congress
from conference.extensions import db
from conference.mailtexts.services import Batch, person_values, queue_mail
from conference.registration import services as registration_services
from conference.registration.models import Registration, RegistrationDay, Status
from conference.workshops import allocation as solver
from conference.workshops.models import (
    PhaseMode,
    WaitlistEntry,
    WorkshopPhase,
    WorkshopPreference,
    WorkshopSeat,
)


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
    """"18.11.27, 13:00, Raum Tegel": when and where, in the recipient's language."""
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


# --- ranked preferences ----------------------------------------------------------------------


def preferences_open(phase: WorkshopPhase, now: datetime) -> bool:
    return (
        phase.mode == PhaseMode.RANKED
        and phase.allocated_at is None
        and (phase.preferences_close_at is None or now < phase.preferences_close_at)
    )


def before_deadline(phase: WorkshopPhase, now: datetime) -> bool:
    """Whether a ranked phase still waits for its wish-list deadline (saving an allocation
    now would close the list early)."""
    return (
        phase.mode == PhaseMode.RANKED
        and phase.allocated_at is None
        and phase.preferences_close_at is not None
        and now < phase.preferences_close_at
    )


def set_preferences(
    registration: Registration,
    phase: WorkshopPhase,
    session_ids: list[int],
    *,
    now: datetime,
) -> list[WorkshopPreference]:
    """Replace the attendee's ranking for a phase (best first); all-or-nothing.

    Raises NotAllowed (not confirmed, day not attended, not a ranked phase, deadline passed)
    and BadChoice (a workshop twice, too few, of another phase, cancelled).
    """
    _check_attendee(registration, phase)
    if phase.mode != PhaseMode.RANKED:
        raise NotAllowed(_("This phase is first come, first served."), code="not_ranked")
    if not preferences_open(phase, now):
        raise NotAllowed(
            _("The deadline for ranking workshops of this phase has passed."), code="closed"
        )
    if len(set(session_ids)) != len(session_ids):
        raise BadChoice(_("You ranked a workshop more than once."), code="duplicate")
    workshops = {
        w.id: w
        for w in db.session.execute(
            select(AgendaSession).where(AgendaSession.id.in_(session_ids))
        ).scalars()
    }
    for session_id in session_ids:
        workshop = workshops.get(session_id)
        if workshop is None or workshop.congress_id != phase.congress_id:
            raise BadChoice(_("Unknown workshop."), code="unknown_workshop")
        _check_workshop(workshop, phase)
    if len(session_ids) < phase.min_ranks:
        raise BadChoice(
            _("Please rank at least %(count)d workshops.", count=phase.min_ranks),
            code="too_few",
        )
    db.session.execute(
        delete(WorkshopPreference).where(
            WorkshopPreference.registration_id == registration.id,
            WorkshopPreference.phase_id == phase.id,
        )
    )
    rows = [
        WorkshopPreference(
            registration_id=registration.id,
            phase_id=phase.id,
            session_id=session_id,
            rank=rank,
            created_at=now,
        )
        for rank, session_id in enumerate(session_ids, start=1)
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
    except IntegrityError:
        raise Conflict(
            _("Your ranking changed in the meantime. Please check and try again."),
            code="preferences_changed",
        ) from None
    audit.record(
        "workshops.preferences_set",
        registration,
        actor="attendee",
        phase_id=phase.id,
        ranking=session_ids,
    )
    return rows


def preferences_of(registration: Registration, phase_ids: list[int]) -> dict[int, list[int]]:
    """phase id -> session ids, best first."""
    result: dict[int, list[int]] = {phase_id: [] for phase_id in phase_ids}
    if not phase_ids:
        return result
    rows = db.session.execute(
        select(WorkshopPreference.phase_id, WorkshopPreference.session_id)
        .where(
            WorkshopPreference.registration_id == registration.id,
            WorkshopPreference.phase_id.in_(phase_ids),
        )
        .order_by(WorkshopPreference.phase_id, WorkshopPreference.rank)
    ).all()
    for phase_id, session_id in rows:
        result[phase_id].append(session_id)
    return result


# --- allocation ------------------------------------------------------------------------------


@dataclass
class Preview:
    """An allocation computed but not stored, with what the organiser needs to judge it."""

    phase: WorkshopPhase
    seed: int
    fill_remaining: bool
    result: solver.Allocation
    workshops: list[WorkshopInfo]
    people: dict[int, Registration]
    seated_before: int
    #: Who in the pool ranked at least one workshop of the phase (the others cannot get a
    #: "choice" and are counted apart).
    rankers: frozenset[int] = frozenset()

    @property
    def rank_counts(self) -> dict[int, int]:
        return dict(sorted(self.result.rank_counts().items()))

    @property
    def rank_shares(self) -> list[tuple[int, int, float]]:
        """(rank, people who got that choice, their share among those who ranked)."""
        ranked = len(self.rankers)
        return [
            (rank, count, count / ranked if ranked else 0.0)
            for rank, count in self.rank_counts.items()
        ]

    @property
    def unranked(self) -> int:
        return len(self.people) - len(self.rankers)

    @property
    def unranked_placed(self) -> int:
        """People who ranked nothing but get a seat by the rest rule."""
        return sum(
            1
            for person, placement in self.result.placements.items()
            if person not in self.rankers and placement.session_id is not None
        )

    @property
    def filled_by_rule(self) -> int:
        return self.result.filled_by_rule()

    @property
    def unplaced(self) -> list[tuple[Registration, str]]:
        return sorted(
            ((self.people[person], reason) for person, reason in self.result.unplaced().items()),
            key=lambda item: (item[0].name_key, item[0].id),
        )

    @property
    def fill(self) -> list[tuple[WorkshopInfo, int]]:
        """Each workshop with its seats taken after the allocation."""
        added = self.result.fill()
        return [(info, info.taken + added.get(info.session.id, 0)) for info in self.workshops]

    @property
    def fingerprint(self) -> str:
        """Identifies this exact result, so commit can refuse if the input changed since."""
        text = ";".join(
            f"{person}:{p.session_id}:{p.rank}"
            for person, p in sorted(self.result.placements.items())
        )
        return hashlib.sha256(f"{self.seed}|{self.fill_remaining}|{text}".encode()).hexdigest()[:32]


def new_seed() -> int:
    return secrets.randbelow(2**31 - 1) + 1


def preview_allocation(phase: WorkshopPhase, *, seed: int, fill_remaining: bool) -> Preview:
    """Compute the optimal allocation of a ranked phase without storing anything.

    The pool: confirmed registrations attending the phase's day that have no seat in it yet.
    Capacities: the free seats of the phase's published workshops.
    """
    if phase.mode != PhaseMode.RANKED:
        raise NotAllowed(_("This phase is first come, first served."), code="not_ranked")
    infos = workshops_of([phase.id], include_cancelled=False)[phase.id]
    infos = [info for info in infos if info.session.status == SessionStatus.PUBLISHED]
    seated = select(WorkshopSeat.registration_id).where(WorkshopSeat.phase_id == phase.id)
    people = {
        r.id: r
        for r in db.session.execute(
            select(Registration)
            .join(RegistrationDay, RegistrationDay.registration_id == Registration.id)
            .where(
                Registration.congress_id == phase.congress_id,
                Registration.status == Status.CONFIRMED,
                RegistrationDay.day == phase.day,
                Registration.id.not_in(seated),
            )
        ).scalars()
    }
    rows = db.session.execute(
        select(
            WorkshopPreference.registration_id,
            WorkshopPreference.session_id,
        )
        .where(WorkshopPreference.phase_id == phase.id)
        .order_by(WorkshopPreference.registration_id, WorkshopPreference.rank)
    ).all()
    rankings: dict[int, list[int]] = {person: [] for person in people}
    for person, session_id in rows:
        if person in rankings:
            rankings[person].append(session_id)
    capacities = {info.session.id: info.free for info in infos}
    result = solver.allocate(rankings, capacities, seed=seed, fill_remaining=fill_remaining)
    seated_before = db.session.execute(
        select(func.count()).select_from(WorkshopSeat).where(WorkshopSeat.phase_id == phase.id)
    ).scalar_one()
    # As the solver counts them: a ranking only of withdrawn workshops is no ranking.
    rankers = frozenset(
        person
        for person, ranking in rankings.items()
        if any(session_id in capacities for session_id in ranking)
    )
    return Preview(phase, seed, fill_remaining, result, infos, people, seated_before, rankers)


def commit_allocation(
    phase: WorkshopPhase,
    *,
    seed: int,
    fill_remaining: bool,
    fingerprint: str | None,
    actor,
    now: datetime,
) -> Preview:
    """Store the previewed allocation: seats, counters, seed, and a mail to every person.

    Raises NotAllowed if the phase was allocated already, Conflict if the input changed since
    the preview (another fingerprint) or a capacity would be exceeded.
    """
    claimed = db.session.execute(
        update(WorkshopPhase)
        .where(WorkshopPhase.id == phase.id, WorkshopPhase.allocated_at.is_(None))
        .values(allocated_at=now, allocation_seed=seed)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise NotAllowed(_("This phase has already been allocated."), code="already_allocated")
    db.session.expire(phase, ["allocated_at", "allocation_seed"])
    phase.allocated_at, phase.allocation_seed = now, seed
    preview = preview_allocation(phase, seed=seed, fill_remaining=fill_remaining)
    if fingerprint is not None and fingerprint != preview.fingerprint:
        raise Conflict(
            _("Preferences or seats changed since the preview. Please look at the new preview."),
            code="preview_outdated",
        )
    for session_id, count in preview.result.fill().items():
        if not _claim(session_id, count):
            raise Conflict(_("This workshop is full."), code="workshop_full")
    db.session.add_all(
        WorkshopSeat(
            registration_id=person,
            phase_id=phase.id,
            session_id=placement.session_id,
            source="allocation",
            created_at=now,
        )
        for person, placement in preview.result.placements.items()
        if placement.session_id is not None
    )
    db.session.flush()
    _mail_allocation(phase, preview)
    audit.record(
        "workshops.allocated",
        phase,
        actor=actor,
        seed=seed,
        fill_remaining=fill_remaining,
        ranks={str(k): v for k, v in preview.rank_counts.items()},
        filled_by_rule=preview.filled_by_rule,
        unplaced=len(preview.result.unplaced()),
    )
    return preview


def place_remaining(phase: WorkshopPhase, *, actor, now: datetime, seed: int | None = None):
    """After the allocation: seat everybody still without a workshop by the rest rule."""
    if phase.allocated_at is None:
        raise NotAllowed(_("Run the allocation first."), code="not_allocated")
    seed = seed or new_seed()
    infos = workshops_of([phase.id], include_cancelled=False)[phase.id]
    capacities = {
        info.session.id: info.free
        for info in infos
        if info.session.status == SessionStatus.PUBLISHED
    }
    seated = select(WorkshopSeat.registration_id).where(WorkshopSeat.phase_id == phase.id)
    people = (
        db.session.execute(
            select(Registration.id)
            .join(RegistrationDay, RegistrationDay.registration_id == Registration.id)
            .where(
                Registration.congress_id == phase.congress_id,
                Registration.status == Status.CONFIRMED,
                RegistrationDay.day == phase.day,
                Registration.id.not_in(seated),
            )
        )
        .scalars()
        .all()
    )
    result = solver.allocate(
        {person: () for person in people}, capacities, seed=seed, fill_remaining=True
    )
    placed = 0
    for person, placement in sorted(result.placements.items()):
        if placement.session_id is None or not _claim(placement.session_id):
            continue
        db.session.add(
            WorkshopSeat(
                registration_id=person,
                phase_id=phase.id,
                session_id=placement.session_id,
                source="staff",
                created_at=now,
            )
        )
        placed += 1
    db.session.flush()
    audit.record("workshops.placed_remaining", phase, actor=actor, seed=seed, placed=placed)
    return placed, len(people) - placed


def _mail_allocation(phase: WorkshopPhase, preview: Preview) -> None:
    """One mail per person of the pool: their workshops of the congress, or why none. The
    texts are read once per language for all of them (``Batch``)."""
    people = list(preview.people.values())
    seats = seats_by_registration([p.id for p in people])
    unplaced = preview.result.unplaced()
    pattern = _manage_link_pattern()
    congress = db.session.get(Congress, phase.congress_id)
    batches = {key: Batch(congress, key) for key in ("workshops.allocated", "workshops.unplaced")}
    for registration in people:
        language = registration.language or "de"
        lines = [
            f"- {_when(seat.session, language)}: {seat.session.title}"
            + (f" ({seat.session.room.name})" if seat.session.room else "")
            for seat in seats.get(registration.id, [])
        ]
        if not lines:
            with force_locale(language):
                lines = [_("none yet")]
        key = "workshops.unplaced" if registration.id in unplaced else "workshops.allocated"
        batches[key].queue(
            recipient=registration.email,
            language=language,
            values={
                **person_values(registration),
                "phase": phase.name,
                "workshops": "\n".join(lines),
                "manage_link": _manage_link(registration, pattern),
            },
            registration_id=registration.id,
            outbox_kind="workshops.allocated",
        )


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
