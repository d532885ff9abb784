"""The checkpoints: a main entrance per congress day, a room per workshop with sign-up."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from conference.agenda.models import AgendaSession, SessionStatus
from conference.checkin.models import Checkpoint
from conference.core.errors import NotFound
from conference.core.models import Congress, CongressDay
from conference.core.time import local
from conference.extensions import db
from conference.registration.models import Registration, RegistrationDay, Status


class UnknownCheckpoint(NotFound):
    code = "unknown_checkpoint"


# --- checkpoints -----------------------------------------------------------------------------


def day_code(number: int) -> str:
    return f"day-{number}"


def workshop_code(session_id: int) -> str:
    return f"ws-{session_id}"


def today_in(congress: Congress, now: datetime) -> date:
    """The calendar date at the venue (the congress time zone), not in UTC."""
    return local(now, congress.timezone).date()


def ensure_checkpoints(congress: Congress) -> list[Checkpoint]:
    """Create the missing checkpoints: a main entrance per congress day, a room per workshop.

    Workshop checkpoints exist for sessions with sign-up; their name and day follow the session.
    Returns the checkpoints created. Flushes, never commits.
    """
    existing = {
        cp.code: cp
        for cp in db.session.execute(
            select(Checkpoint).where(Checkpoint.congress_id == congress.id)
        ).scalars()
    }
    created: list[Checkpoint] = []
    days = db.session.execute(
        select(CongressDay.day)
        .where(CongressDay.congress_id == congress.id)
        .order_by(CongressDay.day)
    ).scalars()
    for number, day in enumerate(days, start=1):
        code = day_code(number)
        if code not in existing:
            created.append(
                Checkpoint(
                    congress_id=congress.id,
                    code=code,
                    name=_("Main entrance day %(number)s", number=number),
                    day=day,
                )
            )
    sessions = db.session.execute(
        select(AgendaSession)
        .options(joinedload(AgendaSession.room))
        .where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.signup_required.is_(True),
            AgendaSession.status != SessionStatus.CANCELLED,
        )
    ).scalars()
    for workshop in sessions:
        name = (
            workshop.title if workshop.room is None else f"{workshop.room.name}: {workshop.title}"
        )
        day = local(workshop.starts_at, congress.timezone).date()
        checkpoint = existing.get(workshop_code(workshop.id))
        if checkpoint is None:
            created.append(
                Checkpoint(
                    congress_id=congress.id,
                    code=workshop_code(workshop.id),
                    name=name[:120],
                    day=day,
                    session_id=workshop.id,
                )
            )
        else:
            checkpoint.name, checkpoint.day = name[:120], day
    db.session.add_all(created)
    db.session.flush()
    return created


def checkpoints(congress: Congress) -> list[Checkpoint]:
    """Day entrances first (by day), then workshop rooms (by day and name)."""
    return list(
        db.session.execute(
            select(Checkpoint)
            .where(Checkpoint.congress_id == congress.id)
            .order_by(
                Checkpoint.session_id.is_not(None), Checkpoint.day, Checkpoint.code, Checkpoint.name
            )
        ).scalars()
    )


def find_checkpoint(congress: Congress, code: str | None, now: datetime) -> Checkpoint:
    """The checkpoint with this code, or without a code today's main entrance.

    Raises UnknownCheckpoint (404).
    """
    query = select(Checkpoint).where(Checkpoint.congress_id == congress.id)
    if code:
        query = query.where(Checkpoint.code == code)
    else:
        query = query.where(
            Checkpoint.day == today_in(congress, now), Checkpoint.session_id.is_(None)
        ).order_by(Checkpoint.code)
    checkpoint = db.session.execute(query.limit(1)).scalar_one_or_none()
    if checkpoint is None:
        if code:
            raise UnknownCheckpoint(_("There is no checkpoint with this code."))
        raise UnknownCheckpoint(
            _("There is no main entrance for today. Please choose a checkpoint."),
            code="no_checkpoint_today",
        )
    return checkpoint


def token_digests(checkpoint: Checkpoint) -> list[str]:
    """SHA-256 digests of the badge tokens that may pass this checkpoint: no personal data.

    A scanner keeps them while online, so that offline it can tell a known badge from a
    forged one.
    """
    tokens = db.session.execute(
        select(Registration.badge_token)
        .join(RegistrationDay, RegistrationDay.registration_id == Registration.id)
        .where(
            Registration.congress_id == checkpoint.congress_id,
            Registration.status == Status.CONFIRMED,
            Registration.anonymised_at.is_(None),
            RegistrationDay.day == checkpoint.day,
        )
    ).scalars()
    return sorted(hashlib.sha256(token.encode()).hexdigest() for token in tokens)


def follow_session_change(agenda_session, **_kwargs) -> None:
    """``session_changed`` receiver: a workshop with sign-up keeps its checkpoint current."""
    if agenda_session.signup_required:
        ensure_checkpoints(agenda_session.congress)
