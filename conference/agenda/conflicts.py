"""The conflict rules (capacity, speakers, times) and every conflict of a whole congress.

Some arise outside the builder (a room made smaller, the venue hours changed, a copied
skeleton), so ``conflicts()`` lists them all, although the builder refuses to store new ones.
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from conference.agenda.models import WorkshopPhase
from conference.agenda.setup import effective_capacity, local_day, local_instant
from conference.core.models import Congress
from conference.extensions import db

from .models import AgendaSession, Room, SessionSpeaker, SessionStatus, Speaker


def _capacity_problem(session: AgendaSession, room: Room) -> dict:
    return {
        "code": "capacity_exceeds_room",
        "message": _(
            "“%(title)s” offers %(capacity)d seats, but “%(room)s” holds only %(room_capacity)d.",
            title=session.title,
            capacity=session.capacity,
            room=room.name,
            room_capacity=room.capacity,
        ),
        "sessions": [session.id],
    }


def _speaker_problem(person: Speaker, session: AgendaSession, other: AgendaSession) -> dict:
    return {
        "code": "speaker_double_booked",
        "message": _(
            "%(name)s is in “%(one)s” and “%(other)s” at the same time.",
            name=person.name,
            one=session.title,
            other=other.title,
        ),
        "sessions": [session.id, other.id],
    }


def _time_problems(congress: Congress, session: AgendaSession) -> list[dict]:
    start_day = local_day(session.starts_at, congress)
    end_local = session.ends_at.astimezone(ZoneInfo(congress.timezone))
    if not congress.starts_on <= start_day <= congress.ends_on or end_local.date() != start_day:
        return [
            {
                "code": "outside_congress_days",
                "message": _("“%(title)s” lies outside the congress days.", title=session.title),
                "sessions": [session.id],
            }
        ]
    opens = local_instant(start_day, congress.opens_at, congress)
    closes = local_instant(start_day, congress.closes_at, congress)
    if session.starts_at < opens or session.ends_at > closes:
        return [
            {
                "code": "outside_opening_hours",
                "message": _(
                    "“%(title)s” lies outside the venue's opening hours (%(opens)s–%(closes)s).",
                    title=session.title,
                    opens=congress.opens_at.strftime("%H:%M"),
                    closes=congress.closes_at.strftime("%H:%M"),
                ),
                "sessions": [session.id],
            }
        ]
    return []


# --- conflicts of a whole congress -----------------------------------------------------------


def conflicts(congress: Congress) -> tuple[list[dict], list[dict]]:
    """(hard, soft) conflicts of the congress's agenda; hard ones block publishing.

    Hard: a room or a speaker twice at once, a session outside the days or opening hours, more
    seats than the room holds. Soft: a workshop phase with fewer seats than expected attendees.
    """
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.status != SessionStatus.CANCELLED,
        )
        .options(
            joinedload(AgendaSession.room),
            selectinload(AgendaSession.speaker_links).joinedload(SessionSpeaker.speaker),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    hard: list[dict] = []
    for session in sessions:
        hard += _time_problems(congress, session)
        room = session.room
        if (
            room
            and session.capacity is not None
            and room.capacity
            and session.capacity > room.capacity
        ):
            hard.append(_capacity_problem(session, room))
    by_room: dict[int, list[AgendaSession]] = defaultdict(list)
    by_speaker: dict[int, list[tuple[AgendaSession, Speaker]]] = defaultdict(list)
    for session in sessions:
        if session.room_id is not None:
            by_room[session.room_id].append(session)
        for link in session.speaker_links:
            by_speaker[link.speaker_id].append((session, link.speaker))
    for items in by_room.values():
        for one, other in _overlapping(items):
            hard.append(
                {
                    "code": "room_double_booked",
                    "message": _(
                        "“%(room)s” is used by “%(one)s” and “%(other)s” at the same time.",
                        room=one.room.name,
                        one=one.title,
                        other=other.title,
                    ),
                    "sessions": [one.id, other.id],
                }
            )
    for pairs in by_speaker.values():
        person = pairs[0][1]
        for one, other in _overlapping([s for s, _p in pairs]):
            hard.append(_speaker_problem(person, one, other))
    soft = _phase_shortfalls(congress, sessions)
    return hard, soft


def _overlapping(items: list[AgendaSession]):
    ordered = sorted(items, key=lambda s: (s.starts_at, s.id))
    for i, one in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other.starts_at >= one.ends_at:
                break
            yield one, other


def _phase_shortfalls(congress: Congress, sessions: list[AgendaSession]) -> list[dict]:
    if not congress.expected_attendees:
        return []
    phases = {
        phase.id: phase
        for phase in db.session.scalars(
            select(WorkshopPhase).where(WorkshopPhase.congress_id == congress.id)
        )
    }
    seats: dict[int, int] = dict.fromkeys(phases, 0)
    for session in sessions:
        if session.phase_id in seats:
            seats[session.phase_id] += effective_capacity(session) or 0
    return [
        {
            "code": "phase_seats_short",
            "message": _(
                "Workshop phase %(phase)s offers %(seats)d seats for %(expected)d expected attendees.",
                phase=phases[phase_id].name,
                seats=total,
                expected=congress.expected_attendees,
            ),
            "sessions": [],
        }
        for phase_id, total in seats.items()
        if total < congress.expected_attendees
    ]
