"""Who has arrived: counts per checkpoint and carrier, the live figures, a person's workshops."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, select

from conference.agenda.models import AgendaSession, Room, SessionStatus
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.models import CarrierOrganisation, Congress, CongressDay
from conference.core.time import at_local, local
from conference.extensions import db
from conference.registration.models import Registration, RegistrationDay, Status
from conference.workshops.models import WorkshopSeat


def workshops_of_day(registration_id: int, day: date, tz: str) -> list[dict[str, str]]:
    """The workshops the person holds a seat in on that day (for the green screen)."""
    starts = at_local(day, time(0), tz)
    rows = db.session.execute(
        select(AgendaSession.id, AgendaSession.title, AgendaSession.starts_at, Room.name)
        .join(WorkshopSeat, WorkshopSeat.session_id == AgendaSession.id)
        .outerjoin(Room, Room.id == AgendaSession.room_id)
        .where(
            WorkshopSeat.registration_id == registration_id,
            AgendaSession.starts_at >= starts,
            AgendaSession.starts_at < starts + timedelta(days=1),
            AgendaSession.status != SessionStatus.CANCELLED,
        )
        .order_by(AgendaSession.starts_at)
    ).all()
    return [
        {
            "session_id": row.id,
            "title": row.title,
            "start": local(row.starts_at, tz).strftime("%H:%M"),
            "room": row.name or "",
        }
        for row in rows
    ]


def checkpoint_count(checkpoint: Checkpoint) -> int:
    """How many people are checked in at this checkpoint (all doors): ONE count query."""
    return db.session.execute(
        select(func.count()).select_from(CheckIn).where(CheckIn.checkpoint_id == checkpoint.id)
    ).scalar_one()


def checked_in_of_carrier(carrier_id: int, congress: Congress) -> int:
    """How many people of a carrier have checked in at the congress: one query (the
    certificates of a carrier are offered once it is more than none)."""
    return db.session.execute(
        select(func.count(func.distinct(CheckIn.registration_id)))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.congress_id == congress.id, Registration.carrier_id == carrier_id)
    ).scalar_one()


# --- live counts and attendance ----------------------------------------------------------------


@dataclass
class LiveCounts:
    day: date | None
    days: list[date]
    per_checkpoint: list[dict[str, Any]]
    per_day: list[dict[str, Any]]
    per_carrier: list[dict[str, Any]]
    curve: list[tuple[datetime, int]]
    total_today: int
    expected_today: int


def live_counts(congress: Congress, day: date | None) -> LiveCounts:
    """Arrivals per day and checkpoint, per carrier organisation, no-shows and the arrival curve.

    A fixed number of grouped queries, whatever the number of people or checkpoints.
    """
    days = list(
        db.session.execute(
            select(CongressDay.day)
            .where(CongressDay.congress_id == congress.id)
            .order_by(CongressDay.day)
        ).scalars()
    )
    if day not in days:
        day = days[0] if days else None
    confirmed = and_(
        Registration.congress_id == congress.id, Registration.status == Status.CONFIRMED
    )
    # 1. check-ins per checkpoint
    per_checkpoint = [
        {
            "code": row.code,
            "name": row.name,
            "day": row.day,
            "workshop": row.session_id is not None,
            "count": row.count,
        }
        for row in db.session.execute(
            select(
                Checkpoint.code,
                Checkpoint.name,
                Checkpoint.day,
                Checkpoint.session_id,
                func.count(CheckIn.id).label("count"),
            )
            .outerjoin(CheckIn, CheckIn.checkpoint_id == Checkpoint.id)
            .where(Checkpoint.congress_id == congress.id)
            .group_by(
                Checkpoint.id,
                Checkpoint.code,
                Checkpoint.name,
                Checkpoint.day,
                Checkpoint.session_id,
            )
            .order_by(Checkpoint.session_id.is_not(None), Checkpoint.day, Checkpoint.code)
        )
    ]
    # A person counts as arrived on a day when they passed any checkpoint of that day.
    arrived = exists().where(
        CheckIn.registration_id == Registration.id,
        CheckIn.checkpoint_id == Checkpoint.id,
        Checkpoint.congress_id == congress.id,
        Checkpoint.day == RegistrationDay.day,
    )
    # 2. expected, arrived and no-shows per day
    per_day = [
        {
            "day": row.day,
            "expected": row.expected,
            "arrived": int(row.arrived or 0),
            "missing": row.expected - int(row.arrived or 0),
        }
        for row in db.session.execute(
            select(
                RegistrationDay.day,
                func.count(Registration.id).label("expected"),
                func.sum(case((arrived, 1), else_=0)).label("arrived"),
            )
            .join(Registration, Registration.id == RegistrationDay.registration_id)
            .where(confirmed)
            .group_by(RegistrationDay.day)
            .order_by(RegistrationDay.day)
        )
    ]
    per_carrier: list[dict[str, Any]] = []
    curve: list[tuple[datetime, int]] = []
    if day is not None:
        # 3. per carrier organisation on the chosen day
        day_arrived = exists().where(
            CheckIn.registration_id == Registration.id,
            CheckIn.checkpoint_id == Checkpoint.id,
            Checkpoint.congress_id == congress.id,
            Checkpoint.day == day,
        )
        per_carrier = [
            {
                "name": row.name or str(_("Without carrier organisation")),
                "expected": row.expected,
                "arrived": int(row.arrived or 0),
                "missing": row.expected - int(row.arrived or 0),
            }
            for row in db.session.execute(
                select(
                    CarrierOrganisation.name,
                    func.count(Registration.id).label("expected"),
                    func.sum(case((day_arrived, 1), else_=0)).label("arrived"),
                )
                .select_from(Registration)
                .join(RegistrationDay, RegistrationDay.registration_id == Registration.id)
                .outerjoin(CarrierOrganisation, CarrierOrganisation.id == Registration.carrier_id)
                .where(confirmed, RegistrationDay.day == day)
                .group_by(CarrierOrganisation.name)
                .order_by(func.count(Registration.id).desc(), CarrierOrganisation.name)
            )
        ]
        # 4. the arrival curve at the day's main entrances, in 15-minute steps
        times = db.session.execute(
            select(CheckIn.checked_in_at)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .where(
                Checkpoint.congress_id == congress.id,
                Checkpoint.day == day,
                Checkpoint.session_id.is_(None),
            )
            .order_by(CheckIn.checked_in_at)
        ).scalars()
        curve = _buckets(list(times), congress.timezone)
    today = next((d for d in per_day if d["day"] == day), None)
    return LiveCounts(
        day=day,
        days=days,
        per_checkpoint=per_checkpoint,
        per_day=per_day,
        per_carrier=per_carrier,
        curve=curve,
        total_today=today["arrived"] if today else 0,
        expected_today=today["expected"] if today else 0,
    )


def _buckets(times: list[datetime], tz: str, minutes: int = 15) -> list[tuple[datetime, int]]:
    counts: dict[datetime, int] = defaultdict(int)
    for moment in times:
        at = local(moment, tz)
        counts[at.replace(minute=at.minute - at.minute % minutes, second=0, microsecond=0)] += 1
    if not counts:
        return []
    first, last = min(counts), max(counts)
    result, cursor = [], first
    while cursor <= last:
        result.append((cursor, counts.get(cursor, 0)))
        cursor += timedelta(minutes=minutes)
    return result
