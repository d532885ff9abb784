"""Ranked preferences: when they may be given, storing and reading a person's ranking."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from conference.agenda.models import AgendaSession
from conference.core import audit
from conference.core.errors import Conflict
from conference.extensions import db
from conference.registration.models import Registration
from conference.workshops.lookups import BadChoice, NotAllowed
from conference.workshops.models import PhaseMode, WorkshopPhase, WorkshopPreference
from conference.workshops.seats import _check_attendee, _check_workshop

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
