"""The agenda's limits, refusals and small helpers; rooms, tracks, speakers; copying last year."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.agenda.labels import KIND_LABELS, LANGUAGE_LABELS, STATUS_LABELS
from conference.core import audit
from conference.core.errors import Conflict, Invalid
from conference.core.labels import translated
from conference.core.models import Congress
from conference.extensions import db

from .models import AgendaSession, Room, SessionStatus, Speaker, Track

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
