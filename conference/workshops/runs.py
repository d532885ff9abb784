"""Allocation runs of a ranked phase: preview, commit, place the rest, the mails they send.

The algorithm itself is ``workshops/allocation.py``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from conference.agenda.models import SessionStatus
from conference.core import audit
from conference.core.errors import Conflict
from conference.core.models import Congress
from conference.extensions import db
from conference.mailtexts.services import Batch, person_values
from conference.registration.models import Registration, RegistrationDay, Status
from conference.workshops import allocation as solver
from conference.workshops.lookups import NotAllowed, WorkshopInfo, workshops_of
from conference.workshops.models import PhaseMode, WorkshopPhase, WorkshopPreference, WorkshopSeat
from conference.workshops.seats import _claim, _manage_link, _manage_link_pattern, _when
from conference.workshops.staff import seats_by_registration

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
