"""The agenda's queries and the public programme; the one rule of whether a session is public."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.agenda.setup import local_instant
from conference.core import collation
from conference.core.errors import NotFound
from conference.core.models import Congress
from conference.extensions import db

from .models import AgendaSession, Room, SessionSpeaker, SessionStatus, Speaker, Track

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


def public_clause(*, include_cancelled: bool = True, programme_checked: bool = False):
    """``is_public`` for ``select(AgendaSession).where(public_clause())``: self-contained (the
    congress's flag is a correlated subquery), so it also fits cached statements.

    ``programme_checked``: the caller has made sure the programme is published (or, like the
    programme feed's version, has the flag among its inputs), so the clause leaves out the
    flag's subquery, which PostgreSQL runs once per session row."""
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
    if programme_checked:
        return shown
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
