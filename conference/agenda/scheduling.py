"""Sessions: create, change, place, cancel and publish them, refusing every hard conflict.

A change that would put a session into a hard conflict (room or speaker twice at once, outside
the congress days or the venue's hours, more seats than the room) is refused, so the builder
never stores a broken state. Services take the acting user and ``now`` as parameters, flush but
never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from conference.agenda.conflicts import (
    _capacity_problem,
    _speaker_problem,
    _time_problems,
    conflicts,
)
from conference.agenda.models import WorkshopPhase
from conference.agenda.setup import (
    LANGUAGES,
    MAX_ABSTRACT,
    PublishBlocked,
    SessionConflict,
    local_instant,
    snap,
)
from conference.core import audit
from conference.core.errors import Conflict, Invalid
from conference.core.models import Congress
from conference.core.signals import session_changed
from conference.extensions import db

from .models import AgendaSession, Room, SessionKind, SessionSpeaker, SessionStatus, Speaker, Track

# --- sessions --------------------------------------------------------------------------------


@dataclass
class SessionInput:
    """What the form or the builder asks for; times are aware datetimes."""

    title: str
    starts_at: datetime
    ends_at: datetime
    kind: str = SessionKind.FORUM
    abstract: str = ""
    language: str = "de"
    room_id: int | None = None
    track_id: int | None = None
    capacity: int | None = None
    signup_required: bool = False
    phase_id: int | None = None
    speaker_ids: list[int] = field(default_factory=list)
    moderator_ids: list[int] = field(default_factory=list)


def _validate(congress: Congress, data: SessionInput) -> None:
    title = (data.title or "").strip()
    if not title:
        raise Invalid(_("Please give a title."), code="title_missing")
    if len(title) > 300:
        raise Invalid(_("The title may be at most 300 characters."), code="title_too_long")
    if len(data.abstract or "") > MAX_ABSTRACT:
        raise Invalid(
            _("The abstract may be at most %(n)d characters.", n=MAX_ABSTRACT),
            code="abstract_too_long",
        )
    if data.kind not in set(SessionKind):
        raise Invalid(_("Unknown session type."), code="unknown_kind")
    if data.language not in LANGUAGES:
        raise Invalid(_("Unknown language."), code="unknown_language")
    if data.ends_at <= data.starts_at:
        raise Invalid(_("The session must end after it starts."), code="ends_before_start")
    if data.capacity is not None and data.capacity < 0:
        raise Invalid(_("The capacity cannot be negative."), code="invalid_capacity")
    if data.room_id is not None:
        room = db.session.get(Room, data.room_id)
        if room is None or room.congress_id != congress.id:
            raise Invalid(_("Unknown room."), code="unknown_room")
    if data.track_id is not None:
        track = db.session.get(Track, data.track_id)
        if track is None or track.congress_id != congress.id:
            raise Invalid(_("Unknown track."), code="unknown_track")
    if data.phase_id is not None:
        phase = db.session.get(WorkshopPhase, data.phase_id)
        if phase is None or phase.congress_id != congress.id:
            raise Invalid(_("Unknown workshop phase."), code="unknown_phase")
    people = set(data.speaker_ids) | set(data.moderator_ids)
    if people:
        found = set(
            db.session.scalars(
                select(Speaker.id).where(Speaker.id.in_(people), Speaker.congress_id == congress.id)
            )
        )
        if found != people:
            raise Invalid(_("Unknown speaker."), code="unknown_speaker")


def _session_problems(congress: Congress, session: AgendaSession) -> list[dict]:
    """The hard conflicts of one (flushed) session with the rest of the agenda."""
    problems: list[dict] = []
    if session.status == SessionStatus.CANCELLED:
        return problems
    problems += _time_problems(congress, session)
    if session.room_id is not None:
        room = db.session.get(Room, session.room_id)
        others = db.session.scalars(
            select(AgendaSession).where(
                AgendaSession.congress_id == congress.id,
                AgendaSession.room_id == session.room_id,
                AgendaSession.id != session.id,
                AgendaSession.status != SessionStatus.CANCELLED,
                AgendaSession.starts_at < session.ends_at,
                AgendaSession.ends_at > session.starts_at,
            )
        ).all()
        for other in others:
            problems.append(
                {
                    "code": "room_double_booked",
                    "message": _(
                        "“%(room)s” is already used by “%(other)s” at this time.",
                        room=room.name,
                        other=other.title,
                    ),
                    "sessions": [session.id, other.id],
                }
            )
        if session.capacity is not None and room.capacity and session.capacity > room.capacity:
            problems.append(_capacity_problem(session, room))
    speaker_ids = [link.speaker_id for link in session.speaker_links]
    if speaker_ids:
        rows = db.session.execute(
            select(AgendaSession, Speaker)
            .join(SessionSpeaker, SessionSpeaker.session_id == AgendaSession.id)
            .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
            .where(
                SessionSpeaker.speaker_id.in_(speaker_ids),
                AgendaSession.id != session.id,
                AgendaSession.status != SessionStatus.CANCELLED,
                AgendaSession.starts_at < session.ends_at,
                AgendaSession.ends_at > session.starts_at,
            )
        ).all()
        for other, person in rows:
            problems.append(_speaker_problem(person, session, other))
    return problems


def _apply(session: AgendaSession, data: SessionInput) -> set[str]:
    """Copy the input onto the session; returns the names of the fields that changed."""
    changed: set[str] = set()
    values = {
        "title": data.title.strip(),
        "abstract": (data.abstract or "").strip(),
        "language": data.language,
        "kind": data.kind,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "room_id": data.room_id,
        "track_id": data.track_id,
        "capacity": data.capacity,
        "signup_required": bool(data.signup_required),
        "phase_id": data.phase_id,
    }
    for name, value in values.items():
        if getattr(session, name) != value:
            setattr(session, name, value)
            changed.add(name)
    wanted = [(pid, "speaker") for pid in data.speaker_ids] + [
        (pid, "moderator") for pid in data.moderator_ids if pid not in data.speaker_ids
    ]
    current = [(link.speaker_id, link.role) for link in session.speaker_links]
    if wanted != current:
        session.speaker_links.clear()
        db.session.flush()
        for position, (speaker_id, role) in enumerate(wanted):
            session.speaker_links.append(
                SessionSpeaker(speaker_id=speaker_id, role=role, position=position)
            )
        changed.add("speakers")
    return changed


def _after_change(session: AgendaSession, changed: set[str], *, actor, now: datetime, action: str):
    """Refuse hard conflicts; on a published session bump the sequence and tell the feeds."""
    db.session.flush()
    _lock_resources(session)
    problems = _session_problems(session.congress, session)
    if problems:
        raise SessionConflict(problems[0]["message"], problems=problems)
    if session.status in (SessionStatus.PUBLISHED, SessionStatus.CANCELLED) and changed:
        _mark_public_change(session, changed, now)
        session_changed.send(session, now=now, actor=actor, fields=set(changed))
    audit.record(action, session, actor=actor, fields=sorted(changed), title=session.title)


def _lock_resources(session: AgendaSession) -> None:
    """Serialise changes that could collide: two organisers dropping sessions into one room
    (or onto one speaker) at once would each see the slot free. Lock the room row, then the
    speakers' rows in id order (a fixed order, so no deadlock); the check runs after the lock
    and, under READ COMMITTED, sees what the other transaction committed. SQLite needs no lock:
    its writers are serialised by BEGIN IMMEDIATE. FOR NO KEY UPDATE (key_share), because the
    session row already flushed holds a KEY SHARE lock on its room through the foreign key, and
    a plain FOR UPDATE would deadlock against the other transaction's KEY SHARE."""
    if session.room_id is not None:
        db.session.execute(
            select(Room.id).where(Room.id == session.room_id).with_for_update(key_share=True)
        )
    speaker_ids = sorted({link.speaker_id for link in session.speaker_links})
    if speaker_ids:
        db.session.execute(
            select(Speaker.id)
            .where(Speaker.id.in_(speaker_ids))
            .order_by(Speaker.id)
            .with_for_update(key_share=True)
        )


def _mark_public_change(session: AgendaSession, changed: set[str], now: datetime) -> None:
    session.sequence += 1
    session.changed_at = now
    if "status" in changed and session.status == SessionStatus.CANCELLED:
        session.public_change = "cancelled"
    elif "room_id" in changed:
        session.public_change = "room"
    elif changed & {"starts_at", "ends_at"}:
        session.public_change = "time"
    db.session.flush()


def create_session(
    congress: Congress, data: SessionInput, *, actor, now: datetime
) -> AgendaSession:
    """A new draft session. Raises Invalid for bad input, SessionConflict for hard conflicts."""
    _validate(congress, data)
    session = AgendaSession(
        congress=congress, status=SessionStatus.DRAFT, created_at=now, changed_at=now
    )
    db.session.add(session)
    _apply(session, data)
    _after_change(session, set(), actor=actor, now=now, action="agenda.session_created")
    return session


def update_session(session: AgendaSession, data: SessionInput, *, actor, now: datetime) -> set[str]:
    """Change a session; returns the changed fields. Raises Invalid / SessionConflict."""
    _validate(session.congress, data)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("A cancelled session cannot be changed."), code="session_cancelled")
    if data.capacity is not None and data.capacity < session.seats_taken:
        raise Invalid(
            _(
                "%(n)d seats are taken already; the capacity cannot be lower.",
                n=session.seats_taken,
            ),
            code="capacity_below_taken",
        )
    changed = _apply(session, data)
    if changed:
        _after_change(session, changed, actor=actor, now=now, action="agenda.session_updated")
    return changed


def _input_of(session: AgendaSession) -> SessionInput:
    return SessionInput(
        title=session.title,
        abstract=session.abstract,
        language=session.language,
        kind=session.kind,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room_id=session.room_id,
        track_id=session.track_id,
        capacity=session.capacity,
        signup_required=session.signup_required,
        phase_id=session.phase_id,
        speaker_ids=[ln.speaker_id for ln in session.speaker_links if ln.role == "speaker"],
        moderator_ids=[ln.speaker_id for ln in session.speaker_links if ln.role == "moderator"],
    )


def place_session(
    session: AgendaSession,
    *,
    day: date,
    start: time,
    end: time | None = None,
    room_id: int | None | type[...] = ...,
    actor,
    now: datetime,
) -> set[str]:
    """Move (and with ``end``, resize) a session, snapped to 15 minutes.

    Without ``end`` the duration is kept (a move); ``room_id=...`` keeps the room.
    """
    congress = session.congress
    data = _input_of(session)
    duration = session.ends_at - session.starts_at
    starts_at = local_instant(day, snap(start), congress)
    if end is None:
        ends_at = starts_at + duration
    else:
        end = snap(end)
        if end == time(0):
            raise Invalid(_("The session must end after it starts."), code="ends_before_start")
        ends_at = local_instant(day, end, congress)
    data.starts_at, data.ends_at = starts_at, ends_at
    if room_id is not ...:
        data.room_id = room_id
    return update_session(session, data, actor=actor, now=now)


def cancel_session(session: AgendaSession, *, actor, now: datetime) -> None:
    """Cancel; the row stays (status cancelled) so calendar feeds can announce it."""
    if session.status == SessionStatus.CANCELLED:
        return
    was_public = session.status == SessionStatus.PUBLISHED
    session.status = SessionStatus.CANCELLED
    if was_public:
        _mark_public_change(session, {"status"}, now)
        session_changed.send(session, now=now, actor=actor, fields={"status"})
    audit.record("agenda.session_cancelled", session, actor=actor, title=session.title)
    db.session.flush()


def publish_session(session: AgendaSession, *, actor, now: datetime) -> None:
    """Publish one draft; refused while the session has a hard conflict (PublishBlocked)."""
    if session.status != SessionStatus.DRAFT:
        raise Conflict(_("Only a draft can be published."), code="not_a_draft")
    problems = _session_problems(session.congress, session)
    if problems:
        raise PublishBlocked(problems[0]["message"])
    session.status = SessionStatus.PUBLISHED
    session.changed_at = now
    audit.record("agenda.session_published", session, actor=actor, title=session.title)
    db.session.flush()


def publish_programme(congress: Congress, *, actor, now: datetime) -> int:
    """Publish every draft of the congress; refused while any hard conflict remains."""
    hard, _soft = conflicts(congress)
    if hard:
        raise PublishBlocked(
            _("The programme cannot be published while %(n)d conflicts remain.", n=len(hard))
        )
    drafts = db.session.scalars(
        select(AgendaSession).where(
            AgendaSession.congress_id == congress.id, AgendaSession.status == SessionStatus.DRAFT
        )
    ).all()
    for session in drafts:
        session.status = SessionStatus.PUBLISHED
        session.changed_at = now
    congress.programme_published = True
    audit.record("agenda.programme_published", congress, actor=actor, sessions=len(drafts))
    db.session.flush()
    return len(drafts)
