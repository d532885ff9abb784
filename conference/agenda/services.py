"""The agenda: rooms, tracks, speakers, sessions, conflicts and the public programme queries.

Services take the acting user and ``now`` as parameters, flush but never commit. A change that
would put a session into a hard conflict (room or speaker twice at once, outside the congress
days or the venue's hours, more seats than the room) is refused, so the builder never stores a
broken state; ``conflicts()`` still lists every conflict of a congress, because some arise
elsewhere (a room made smaller, the venue hours changed, a copied skeleton).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.agenda.labels import KIND_LABELS, LANGUAGE_LABELS, STATUS_LABELS
from conference.agenda.models import WorkshopPhase
from conference.core import audit, collation
from conference.core.errors import Conflict, Invalid, NotFound
from conference.core.labels import translated
from conference.core.models import Congress
from conference.core.signals import session_changed
from conference.extensions import db

from .models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    Speaker,
    Track,
)

SNAP_MINUTES = 15
MAX_ABSTRACT = 5000
MAX_BIO = 2000
MAX_PHOTO_BYTES = 2 * 1024 * 1024
LANGUAGES = ("de", "en", "ar", "fa", "uk", "tr", "fr")
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


class SessionConflict(Conflict):
    """A change that would put a session into a hard conflict."""

    code = "session_conflict"


class PublishBlocked(Conflict):
    code = "publish_blocked"


# --- small helpers ---------------------------------------------------------------------------


def kind_labels() -> dict[str, str]:
    return translated(KIND_LABELS)


def language_labels() -> dict[str, str]:
    return translated(LANGUAGE_LABELS)


def status_labels() -> dict[str, str]:
    return translated(STATUS_LABELS)


def congress_days(congress: Congress) -> list[date]:
    return [
        congress.starts_on + timedelta(days=n)
        for n in range((congress.ends_on - congress.starts_on).days + 1)
    ]


def local_day(value: datetime, congress: Congress) -> date:
    return value.astimezone(ZoneInfo(congress.timezone)).date()


def local_clock(value: datetime, congress: Congress) -> time:
    return value.astimezone(ZoneInfo(congress.timezone)).time()


def local_instant(day: date, clock: time, congress: Congress) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(congress.timezone))


def effective_capacity(session: AgendaSession) -> int | None:
    if session.capacity is not None:
        return session.capacity
    if session.room is not None and session.room.capacity:
        return session.room.capacity
    return None


def free_seats(session: AgendaSession) -> int | None:
    capacity = effective_capacity(session)
    if capacity is None:
        return None
    return max(0, capacity - session.seats_taken)


def parse_day(raw: str | None, congress: Congress) -> date:
    """A congress day from ``YYYY-MM-DD``; raises Invalid for garbage or a day outside."""
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        raise Invalid(_("Please give a valid date."), code="invalid_date") from None
    if not congress.starts_on <= day <= congress.ends_on:
        raise Invalid(_("This day is not a day of the congress."), code="day_out_of_range")
    return day


def parse_clock(raw: str | None) -> time:
    try:
        value = time.fromisoformat((raw or "").strip())
    except ValueError:
        raise Invalid(_("Please give a valid time (HH:MM)."), code="invalid_time") from None
    return value.replace(second=0, microsecond=0, tzinfo=None)


def snap(clock: time) -> time:
    minutes = clock.hour * 60 + clock.minute
    minutes = round(minutes / SNAP_MINUTES) * SNAP_MINUTES
    minutes = min(minutes, 24 * 60 - SNAP_MINUTES)
    return time(minutes // 60, minutes % 60)


# --- rooms, tracks, speakers -----------------------------------------------------------------


def save_room(congress: Congress, room: Room | None, *, actor, **values) -> Room:
    """Create or update a room; a name is unique within a congress (raises Conflict)."""
    name = values["name"].strip()
    clash = db.session.execute(
        select(Room.id).where(
            Room.congress_id == congress.id, Room.name == name, Room.id != (room.id if room else -1)
        )
    ).first()
    if clash:
        raise Conflict(_("A room with this name exists already."), code="room_exists")
    if room is None:
        position = db.session.scalar(
            select(func.coalesce(func.max(Room.position), 0)).where(Room.congress_id == congress.id)
        )
        room = Room(congress_id=congress.id, position=position + 1)
        db.session.add(room)
    room.name = name
    room.capacity = values["capacity"]
    room.floor = values.get("floor") or ""
    room.accessibility_notes = values.get("accessibility_notes") or ""
    db.session.flush()
    audit.record("agenda.room_saved", room, actor=actor, name=room.name, capacity=room.capacity)
    return room


def save_track(congress: Congress, track: Track | None, *, actor, name: str, colour: str) -> Track:
    name = name.strip()
    clash = db.session.execute(
        select(Track.id).where(
            Track.congress_id == congress.id,
            Track.name == name,
            Track.id != (track.id if track else -1),
        )
    ).first()
    if clash:
        raise Conflict(_("A track with this name exists already."), code="track_exists")
    if track is None:
        track = Track(congress_id=congress.id)
        db.session.add(track)
    track.name = name
    track.colour = colour.lower()
    db.session.flush()
    audit.record("agenda.track_saved", track, actor=actor, name=track.name)
    return track


def check_photo(data: bytes) -> str:
    """The mimetype of an acceptable speaker photo; raises Invalid otherwise."""
    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid(_("The photo may be at most 2 MB."), code="photo_too_large")
    if data.startswith(b"\xff\xd8\xff"):
        mimetype = "image/jpeg"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        mimetype = "image/png"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mimetype = "image/webp"
    else:
        raise Invalid(_("The photo must be a JPEG, PNG or WebP image."), code="photo_not_image")
    try:  # Pillow comes with WeasyPrint: a file with a valid header may still be broken
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except ImportError:  # pragma: no cover - Pillow is a WeasyPrint dependency
        pass
    except Exception:  # noqa: BLE001 - any decoder error means "not an image"
        raise Invalid(
            _("The photo must be a JPEG, PNG or WebP image."), code="photo_not_image"
        ) from None
    return mimetype


def save_speaker(
    congress: Congress,
    speaker: Speaker | None,
    *,
    actor,
    name: str,
    organisation: str = "",
    bio: str = "",
    email: str = "",
    photo: bytes | None = None,
    remove_photo: bool = False,
) -> Speaker:
    if len(bio) > MAX_BIO:
        raise Invalid(_("The bio may be at most %(n)d characters.", n=MAX_BIO), code="bio_too_long")
    mimetype = check_photo(photo) if photo else None
    if speaker is None:
        speaker = Speaker(congress_id=congress.id)
        db.session.add(speaker)
    speaker.name = name.strip()
    speaker.organisation = organisation.strip()
    speaker.bio = bio.strip()
    speaker.email = email.strip()
    if photo:
        speaker.photo = photo
        speaker.photo_mimetype = mimetype
    elif remove_photo:
        speaker.photo = None
        speaker.photo_mimetype = ""
    db.session.flush()
    audit.record("agenda.speaker_saved", speaker, actor=actor, name=speaker.name)
    return speaker


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


# --- copy from last year ---------------------------------------------------------------------


def previous_congresses(congress: Congress) -> list[Congress]:
    return db.session.scalars(
        select(Congress).where(Congress.id != congress.id).order_by(Congress.starts_on.desc())
    ).all()


def copy_skeleton(
    from_congress: Congress,
    to_congress: Congress,
    *,
    actor,
    now: datetime,
    phases: dict[int, int] | None = None,
) -> int:
    """Take over rooms, tracks and the agenda skeleton (times and types, no people).

    Sessions keep their day index and wall-clock times; days beyond the new congress are
    dropped. ``phases`` maps old workshop phase ids to the copies (an edition's copy), so
    workshops stay in their phase. Refused (Conflict) when the target already has rooms or
    sessions.
    """
    if from_congress.id == to_congress.id:
        raise Invalid(_("Choose another congress to copy from."), code="same_congress")
    exists = (
        db.session.execute(
            select(Room.id).where(Room.congress_id == to_congress.id).limit(1)
        ).first()
        or db.session.execute(
            select(AgendaSession.id).where(AgendaSession.congress_id == to_congress.id).limit(1)
        ).first()
    )
    if exists:
        raise Conflict(
            _("This congress has rooms or sessions already; copying needs an empty agenda."),
            code="target_not_empty",
        )
    rooms = {}
    for room in db.session.scalars(select(Room).where(Room.congress_id == from_congress.id)):
        rooms[room.id] = Room(
            congress_id=to_congress.id,
            name=room.name,
            capacity=room.capacity,
            floor=room.floor,
            accessibility_notes=room.accessibility_notes,
            position=room.position,
        )
    tracks = {}
    for track in db.session.scalars(select(Track).where(Track.congress_id == from_congress.id)):
        tracks[track.id] = Track(congress_id=to_congress.id, name=track.name, colour=track.colour)
    db.session.add_all([*rooms.values(), *tracks.values()])
    db.session.flush()
    count = 0
    new_days = congress_days(to_congress)
    for old in db.session.scalars(
        select(AgendaSession).where(
            AgendaSession.congress_id == from_congress.id,
            AgendaSession.status != SessionStatus.CANCELLED,
        )
    ):
        index = (local_day(old.starts_at, from_congress) - from_congress.starts_on).days
        if not 0 <= index < len(new_days):
            continue
        day = new_days[index]
        db.session.add(
            AgendaSession(
                congress_id=to_congress.id,
                title=old.title,
                kind=old.kind,
                language=old.language,
                status=SessionStatus.DRAFT,
                starts_at=local_instant(
                    day, local_clock(old.starts_at, from_congress), to_congress
                ),
                ends_at=local_instant(day, local_clock(old.ends_at, from_congress), to_congress),
                room_id=rooms[old.room_id].id if old.room_id in rooms else None,
                track_id=tracks[old.track_id].id if old.track_id in tracks else None,
                capacity=old.capacity,
                signup_required=old.signup_required,
                phase_id=(phases or {}).get(old.phase_id),
                created_at=now,
                changed_at=now,
            )
        )
        count += 1
    db.session.flush()
    audit.record(
        "agenda.skeleton_copied",
        to_congress,
        actor=actor,
        source=from_congress.id,
        rooms=len(rooms),
        tracks=len(tracks),
        sessions=count,
    )
    return count


# --- queries ---------------------------------------------------------------------------------


def rooms_of(congress: Congress) -> list[Room]:
    return db.session.scalars(
        select(Room).where(Room.congress_id == congress.id).order_by(Room.position, Room.name)
    ).all()


def tracks_of(congress: Congress) -> list[Track]:
    return db.session.scalars(
        select(Track).where(Track.congress_id == congress.id).order_by(Track.name)
    ).all()


def speakers_of(congress: Congress) -> list[Speaker]:
    return collation.sort_by(
        db.session.scalars(select(Speaker).where(Speaker.congress_id == congress.id)),
        lambda speaker: speaker.name,
    )


def speaker_is_public(speaker: Speaker) -> bool:
    """Whether the speaker appears on the public programme (a public session)."""
    return (
        db.session.execute(
            select(SessionSpeaker.id)
            .join(AgendaSession, AgendaSession.id == SessionSpeaker.session_id)
            .where(SessionSpeaker.speaker_id == speaker.id, public_clause())
            .limit(1)
        ).first()
        is not None
    )


def session_or_404(congress: Congress, session_id: int) -> AgendaSession:
    session = db.session.get(AgendaSession, session_id)
    if session is None or session.congress_id != congress.id:
        raise NotFound(_("Unknown session."), code="unknown_session")
    return session


def _loaded():
    return (
        joinedload(AgendaSession.room),
        joinedload(AgendaSession.track),
        selectinload(AgendaSession.speaker_links).joinedload(SessionSpeaker.speaker),
    )


def day_sessions(congress: Congress, day: date) -> list[AgendaSession]:
    """Every session (any status) starting on a local day, for the builder: 2 queries."""
    start = local_instant(day, time(0), congress)
    return db.session.scalars(
        select(AgendaSession)
        .where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.starts_at >= start,
            AgendaSession.starts_at < start + timedelta(days=1),
        )
        .options(*_loaded())
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()


@dataclass
class ProgrammeFilter:
    track_id: int | None = None
    kind: str | None = None
    room_id: int | None = None
    language: str | None = None
    search: str = ""

    @property
    def active(self) -> bool:
        return bool(self.track_id or self.kind or self.room_id or self.language or self.search)


# --- the one rule: is this session public? ------------------------------------------------------


def is_public(session: AgendaSession, *, include_cancelled: bool = True) -> bool:
    """Whether visitors see the session, on the programme page, ``/programme.json``, the
    calendar feeds and the PDFs alike: its congress's programme is published, and the session
    is published, or was published before it was cancelled (it then says "entfällt"; with
    ``include_cancelled=False``, as in the JSON contract, it is gone). A draft is never public,
    also not once cancelled. ``public_clause`` is the same rule in SQL."""
    if not session.congress.programme_published:
        return False
    if session.status == SessionStatus.PUBLISHED:
        return True
    return (
        include_cancelled
        and session.status == SessionStatus.CANCELLED
        and session.public_change == "cancelled"
    )


def public_clause(*, include_cancelled: bool = True):
    """``is_public`` for ``select(AgendaSession).where(public_clause())``: self-contained (the
    congress's flag is a correlated subquery), so it also fits cached statements."""
    published = AgendaSession.status == SessionStatus.PUBLISHED
    shown = (
        or_(
            published,
            and_(
                AgendaSession.status == SessionStatus.CANCELLED,
                AgendaSession.public_change == "cancelled",
            ),
        )
        if include_cancelled
        else published
    )
    programme_out = (
        select(Congress.programme_published)
        .where(Congress.id == AgendaSession.congress_id)
        .correlate_except(Congress)  # also inside a query that selects the congress itself
        .scalar_subquery()
    )
    return and_(programme_out.is_(True), shown)


def _public_filter(congress: Congress, filters: ProgrammeFilter | None, include_cancelled: bool):
    """WHERE clauses for the public programme (``public_clause``), narrowed by the filters."""
    clauses = [
        AgendaSession.congress_id == congress.id,
        public_clause(include_cancelled=include_cancelled),
    ]
    filters = filters or ProgrammeFilter()
    if filters.track_id:
        clauses.append(AgendaSession.track_id == filters.track_id)
    if filters.kind:
        clauses.append(AgendaSession.kind == filters.kind)
    if filters.room_id:
        clauses.append(AgendaSession.room_id == filters.room_id)
    if filters.language:
        clauses.append(AgendaSession.language == filters.language)
    if filters.search:
        search = filters.search.strip()
        by_speaker = (
            select(SessionSpeaker.session_id)
            .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
            .where(_text_match(Speaker.name, search))
        )
        clauses.append(
            or_(
                _text_match(AgendaSession.title, search),
                _text_match(AgendaSession.abstract, search),
                AgendaSession.id.in_(by_speaker),
            )
        )
    return clauses


@dataclass(slots=True)
class ProgrammeItem:
    """A read-only session of the public programme: plain values, no lazy loads."""

    id: int
    title: str
    kind: str
    status: str
    language: str
    starts_at: datetime
    ends_at: datetime
    track_id: int | None
    track: str | None
    room: str | None
    capacity: int | None
    free_seats: int | None
    signup_required: bool
    public_change: str
    speakers: list[str] = field(default_factory=list)
    day: date | None = None
    starts: str = ""
    ends: str = ""


def programme_items(
    congress: Congress, filters: ProgrammeFilter | None = None, *, include_cancelled: bool = True
) -> list[ProgrammeItem]:
    """The public programme as plain items, in 2 queries whatever the number of sessions.

    The hot path of the programme page and ``/programme.json``: column tuples instead of ORM
    objects, because building 300 sessions with rooms, tracks and speakers as ORM instances
    cost several times the whole rest of the request.
    """
    clauses = _public_filter(congress, filters, include_cancelled)
    rows = db.session.execute(
        select(
            AgendaSession.id,
            AgendaSession.title,
            AgendaSession.kind,
            AgendaSession.status,
            AgendaSession.language,
            AgendaSession.starts_at,
            AgendaSession.ends_at,
            AgendaSession.track_id,
            Track.name,
            Room.name,
            AgendaSession.capacity,
            Room.capacity,
            AgendaSession.seats_taken,
            AgendaSession.signup_required,
            AgendaSession.public_change,
        )
        .outerjoin(Room, Room.id == AgendaSession.room_id)
        .outerjoin(Track, Track.id == AgendaSession.track_id)
        .where(*clauses)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    tz = ZoneInfo(congress.timezone)
    items: dict[int, ProgrammeItem] = {}
    for (
        id_,
        title,
        kind,
        status,
        language,
        starts_at,
        ends_at,
        track_id,
        track,
        room,
        capacity,
        room_capacity,
        taken,
        signup,
        change,
    ) in rows:
        seats = capacity if capacity is not None else (room_capacity or None)
        start_local, end_local = starts_at.astimezone(tz), ends_at.astimezone(tz)
        items[id_] = ProgrammeItem(
            id=id_,
            title=title,
            kind=kind,
            status=status,
            language=language,
            starts_at=start_local,
            ends_at=end_local,
            track_id=track_id,
            track=track,
            room=room,
            capacity=seats,
            free_seats=None if seats is None else max(0, seats - taken),
            signup_required=signup,
            public_change=change,
            day=start_local.date(),
            starts=start_local.strftime("%H:%M"),
            ends=end_local.strftime("%H:%M"),
        )
    if items:
        session_ids = select(AgendaSession.id).where(*clauses)
        for session_id, name in db.session.execute(
            select(SessionSpeaker.session_id, Speaker.name)
            .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
            .where(SessionSpeaker.session_id.in_(session_ids))
            .order_by(SessionSpeaker.session_id, SessionSpeaker.position, SessionSpeaker.id)
        ):
            items[session_id].speakers.append(name)
    return list(items.values())


def _text_match(column, search: str):
    """Case-insensitive LIKE that also works for umlauts on SQLite (whose lower() is ASCII only):
    the typed text, its lower, upper and capitalised forms are each tried."""
    variants = {search, search.lower(), search.upper(), search.capitalize(), search.title()}
    return or_(
        *[column.like("%" + _escape_like(v) + "%", escape="\\") for v in sorted(variants)],
        func.lower(column).like("%" + _escape_like(search.lower()) + "%", escape="\\"),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def speakers_and_moderators(session: AgendaSession) -> tuple[list[Speaker], list[Speaker]]:
    speakers = [ln.speaker for ln in session.speaker_links if ln.role == "speaker"]
    moderators = [ln.speaker for ln in session.speaker_links if ln.role == "moderator"]
    return speakers, moderators


def programme_json(congress: Congress) -> list[dict]:
    """The ``/programme.json`` contract: published sessions only."""
    return [
        {
            "id": item.id,
            "title": item.title,
            "type": item.kind,
            "start": item.starts_at.isoformat(),
            "end": item.ends_at.isoformat(),
            "room": item.room,
            "track": item.track,
            "speakers": item.speakers,
            "capacity": item.capacity,
            "free_seats": item.free_seats,
            "signup_required": item.signup_required,
        }
        for item in programme_items(congress, include_cancelled=False)
    ]
