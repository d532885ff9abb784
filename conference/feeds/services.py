"""iCalendar feeds: which sessions a feed holds, its version (ETag) and its RFC 5545 text.

A calendar client polls a feed every few minutes to hours, so the common answer is "nothing
changed" (304). That answer is decided from a *version* computed by one aggregate query (over the
feed's sessions and the names of rooms, tracks and speakers) before any row is loaded or any iCalendar text is built. The version is computed anew on every
request, so every gunicorn worker agrees with the database; only the built text is reused, keyed
by that version (``RenderedFeeds``).

The personal feed of an attendee holds, for a confirmed registration:
- the sessions everyone attends (plenary, keynote, panel, forum, networking) on the days the
  registration attends; breaks are left out (they clutter a personal calendar and are shown in
  the programme); parallel choices (a session in a workshop phase or with sign-up) and
  workshops are left out unless the registration holds a seat in them;
- the workshops of the registration's seats (whatever the day);
- the sessions in which the registration is a speaker or moderator.
A registration that is not (or no longer) confirmed gets a valid calendar without events, so
that subscribed clients remove what they showed before; an unknown, revoked or anonymised token
gets the same 404 as a token that never existed.
"""

from __future__ import annotations

import hashlib
import operator
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from cachetools import LRUCache
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vDuration, vText
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from conference.agenda.labels import KIND_LABELS
from conference.agenda.models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    Speaker,
    Track,
)
from conference.agenda.services import public_clause
from conference.config import public_base_url
from conference.core import audit
from conference.core.errors import Invalid, NotFound
from conference.core.mail import external_url, public_url_adapter
from conference.core.models import Congress
from conference.core.time import UTCDateTime
from conference.core.tokens import is_well_formed, new_token
from conference.extensions import db
from conference.registration import services as registration_services
from conference.registration.models import Registration, Status
from conference.workshops.models import WorkshopSeat

#: Bumped when the feed's text changes for the same data, so clients fetch the new form.
FORMAT_VERSION = "1"
#: How often clients should poll (REFRESH-INTERVAL, X-PUBLISHED-TTL) and proxies may reuse.
REFRESH = timedelta(hours=1)
CACHE_SECONDS = 300
#: Kinds that every attendee of a day attends; workshops come from seats, breaks stay out.
PERSONAL_KINDS = (
    SessionKind.PLENARY,
    SessionKind.KEYNOTE,
    SessionKind.PANEL,
    SessionKind.FORUM,
    SessionKind.NETWORKING,
)


class InvalidFilter(Invalid):
    code = "invalid_filter"


class UnknownCalendar(NotFound):
    code = "unknown_calendar"


def unknown_calendar() -> UnknownCalendar:
    """The one answer for every token that does not open a feed (never says which case)."""
    return UnknownCalendar(_("This calendar link is not valid (any more)."))


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """``?track=<id>&room=<id>&type=<kind>&day=YYYY-MM-DD``; each may repeat (any of them)."""

    tracks: tuple[int, ...] = ()
    rooms: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    days: tuple[date, ...] = ()

    @property
    def key(self) -> str:
        return repr((self.tracks, self.rooms, self.kinds, self.days))

    def __bool__(self) -> bool:
        return bool(self.tracks or self.rooms or self.kinds or self.days)


def parse_filters(congress: Congress | None, args) -> Filters:
    """Read the filter parameters; raises InvalidFilter (400) for a malformed or unknown value.

    Whether a track or room id belongs to the congress is checked by ``check_filter_ids``.
    """
    tracks = tuple(sorted({_positive_int(v, "track") for v in args.getlist("track")}))
    rooms = tuple(sorted({_positive_int(v, "room") for v in args.getlist("room")}))
    kinds = []
    for value in args.getlist("type"):
        if value not in {kind.value for kind in SessionKind}:
            raise InvalidFilter(
                _(
                    "Unknown session type “%(value)s”. Known types: %(known)s.",
                    value=value[:40],
                    known=", ".join(kind.value for kind in SessionKind),
                )
            )
        kinds.append(value)
    days = []
    for value in args.getlist("day"):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or len(value) != 10:
            raise InvalidFilter(
                _("The day “%(value)s” is not a date like 2026-11-05.", value=value[:40])
            )
        if not congress.starts_on <= day <= congress.ends_on:
            raise InvalidFilter(
                _(
                    "The congress takes place from %(first)s to %(last)s; %(value)s is not one "
                    "of its days.",
                    first=congress.starts_on.isoformat(),
                    last=congress.ends_on.isoformat(),
                    value=day.isoformat(),
                )
            )
        days.append(day)
    return Filters(tracks, rooms, tuple(sorted(set(kinds))), tuple(sorted(set(days))))


def _positive_int(value: str, name: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise InvalidFilter(
            _("The filter “%(name)s” needs a number, not “%(value)s”.", name=name, value=value[:40])
        )
    return int(value)


def check_filter_ids(congress: Congress | int, filters: Filters) -> None:
    """Raises InvalidFilter for a track or room id that is not one of the congress's."""
    if not filters.tracks and not filters.rooms:
        return
    congress_id = congress if isinstance(congress, int) else congress.id
    known = db.session.execute(
        union_all(
            select(literal("t"), Track.id).where(
                Track.congress_id == congress_id, Track.id.in_(filters.tracks)
            ),
            select(literal("r"), Room.id).where(
                Room.congress_id == congress_id, Room.id.in_(filters.rooms)
            ),
        )
    ).all()
    for track_id in filters.tracks:
        if ("t", track_id) not in known:
            raise InvalidFilter(_("There is no track with the number %(id)s.", id=track_id))
    for room_id in filters.rooms:
        if ("r", room_id) not in known:
            raise InvalidFilter(_("There is no room with the number %(id)s.", id=room_id))


# --- which sessions a feed holds ------------------------------------------------------------


def _day_range(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants of a local day's start and end (23 or 25 hours on DST days)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


@dataclass(frozen=True)
class Selection:
    """Which sessions a feed holds: a WHERE clause of a given shape, and its values.

    Feeds are polled all the time, and building a SQLAlchemy statement costs more than running
    it. So each *shape* of clause (which filters, how many days) is built once with bound
    parameters and reused (``_statement``); a request only supplies ``params``. The cached
    objects are SQL text templates, never data, so they cannot go stale.
    """

    shape: tuple
    params: dict
    #: The WHERE clause, given the expression of the congress id (a bound parameter, or the
    #: current congress's id inside the one-query version of ``programme_version``).
    build: Callable[[ColumnElement[int]], ColumnElement[bool]]


_STATEMENTS: dict[tuple, Select] = {}


def _statement(key: tuple, build: Callable[[], Select]) -> Select:
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS.setdefault(key, build())
    return statement


def _nothing() -> Selection:
    return Selection(("nothing",), {}, lambda _congress_id: literal(False))


def _congress_id() -> ColumnElement[int]:
    return bindparam("congress_id")


def _on_days(count: int):
    return or_(
        *(
            and_(
                AgendaSession.starts_at >= bindparam(f"day{n}_start", type_=UTCDateTime),
                AgendaSession.starts_at < bindparam(f"day{n}_end", type_=UTCDateTime),
            )
            for n in range(count)
        )
    )


def _day_params(days, tz: str) -> dict:
    params = {}
    for n, day in enumerate(days):
        params[f"day{n}_start"], params[f"day{n}_end"] = _day_range(day, tz)
    return params


def _visible():
    """The agenda's one rule of what is public (``agenda.services.public_clause``)."""
    return public_clause()


def programme_selection(congress: Congress | None, filters: Filters) -> Selection:
    """The sessions of the programme feed, narrowed by the filters. Without a congress (the
    one-query ``programme_version``) the clause leaves "published" to the caller, and days to
    ``feed_version``."""
    if congress is not None and not congress.programme_published:
        return _nothing()
    shape = (
        "programme",
        bool(filters.tracks),
        bool(filters.rooms),
        bool(filters.kinds),
        len(filters.days),
    )
    params = {
        "tracks": list(filters.tracks),
        "rooms": list(filters.rooms),
        "kinds": list(filters.kinds),
    }
    if congress is not None:
        params.update(congress_id=congress.id, **_day_params(filters.days, congress.timezone))

    def build(congress_id):
        clauses = [AgendaSession.congress_id == congress_id, _visible()]
        if filters.tracks:
            clauses.append(AgendaSession.track_id.in_(bindparam("tracks", expanding=True)))
        if filters.rooms:
            clauses.append(AgendaSession.room_id.in_(bindparam("rooms", expanding=True)))
        if filters.kinds:
            clauses.append(AgendaSession.kind.in_(bindparam("kinds", expanding=True)))
        if filters.days:
            clauses.append(_on_days(len(filters.days)))
        return and_(*clauses)

    return Selection(shape, params, build)


def session_selection(congress: Congress, session_id: int) -> Selection:
    return Selection(
        ("session",),
        {"congress_id": congress.id, "session_id": session_id},
        lambda congress_id: and_(
            AgendaSession.id == bindparam("session_id"),
            AgendaSession.congress_id == congress_id,
            _visible(),
        ),
    )


def personal_selection(registration: Registration) -> Selection:
    """The sessions of an attendee's feed (see the module docstring)."""
    congress = registration.congress
    if registration.status != Status.CONFIRMED or not congress.programme_published:
        return _nothing()
    days = [link.day for link in registration.days]

    def build(congress_id):
        seated = select(WorkshopSeat.session_id).where(
            WorkshopSeat.registration_id == bindparam("registration_id")
        )
        speaking = (
            select(SessionSpeaker.session_id)
            .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
            .where(Speaker.registration_id == bindparam("registration_id"))
        )
        mine = [AgendaSession.id.in_(seated), AgendaSession.id.in_(speaking)]
        if days:
            mine.append(
                and_(
                    or_(*(AgendaSession.kind == kind for kind in PERSONAL_KINDS)),
                    # One of several parallel choices (a phase, a sign-up) counts only with a
                    # seat.
                    AgendaSession.phase_id.is_(None),
                    AgendaSession.signup_required.is_(False),
                    _on_days(len(days)),
                )
            )
        return and_(AgendaSession.congress_id == congress_id, _visible(), or_(*mine))

    return Selection(
        ("personal", len(days)),
        {
            "congress_id": congress.id,
            "registration_id": registration.id,
            **_day_params(days, congress.timezone),
        },
        build,
    )


def sessions_of(selection: Selection) -> list[AgendaSession]:
    """The feed's sessions with everything the text needs: two queries, whatever the count."""
    statement = _statement(
        ("sessions", *selection.shape),
        lambda: (
            select(AgendaSession)
            .where(selection.build(_congress_id()))
            .options(
                joinedload(AgendaSession.room),
                joinedload(AgendaSession.track),
                selectinload(AgendaSession.speaker_links).joinedload(SessionSpeaker.speaker),
            )
            .order_by(AgendaSession.starts_at, AgendaSession.id)
        ),
    )
    return list(db.session.execute(statement, selection.params).unique().scalars())


# --- version: ETag and Last-Modified without loading the sessions -------------------------------


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime


class _joined_text(FunctionElement):
    """``string_agg(text, separator)`` on PostgreSQL, ``group_concat`` on SQLite, with the
    separator as a bound value: ``func.aggregate_strings`` renders it as a literal at every
    execution, which cost more than the aggregate itself."""

    type = String()
    inherit_cache = True
    name = "joined_text"


@compiles(_joined_text)
def _string_agg(element, compiler, **kw):
    return f"string_agg({compiler.process(element.clauses, **kw)})"


@compiles(_joined_text, "sqlite")
def _group_concat(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)})"


def _names(model, congress_id, outer, *columns):
    """All rows' names of one kind as one string: renames have no timestamp to compare."""
    parts = [cast(model.id, String)]
    for column in columns:
        parts += [literal("\x1f"), column]
    return (
        select(_joined_text(reduce(operator.add, parts), literal("\x1e")))
        .where(model.congress_id == congress_id)
        .correlate(outer)
        .scalar_subquery()
    )


def _version_columns(condition, congress_id, outer=None) -> list:
    """The aggregates a feed's version is made of; ``outer``: what the subqueries correlate
    to (the current congress in ``programme_version``)."""
    ids = select(AgendaSession.id).where(condition).correlate(outer)
    # One pass over the speaker links: the constant per row makes the sum see their count too.
    links = (
        select(
            func.coalesce(
                func.sum(
                    SessionSpeaker.speaker_id * 1009
                    + SessionSpeaker.position * 31
                    + func.length(SessionSpeaker.role)
                    + 1000003
                ),
                0,
            )
        )
        .where(SessionSpeaker.session_id.in_(ids))
        .correlate(outer)
        .scalar_subquery()
    )
    return [
        func.count(AgendaSession.id).label("sessions"),
        func.coalesce(func.sum(AgendaSession.id), 0).label("id_sum"),
        func.coalesce(func.sum(AgendaSession.sequence), 0).label("sequence_sum"),
        func.max(AgendaSession.changed_at).label("changed_at"),
        links.label("links"),
        _names(Room, congress_id, outer, Room.name, Room.floor).label("rooms"),
        _names(Track, congress_id, outer, Track.name).label("tracks"),
        _names(Speaker, congress_id, outer, Speaker.name, Speaker.organisation).label("speakers"),
    ]


def _version_statement(selection: Selection) -> Select:
    congress_id = _congress_id()
    condition = selection.build(congress_id)
    return select(*_version_columns(condition, congress_id)).where(condition)


def _version(row, shape: tuple, fingerprint: tuple, created_at: datetime, extra) -> Version:
    changed = row.changed_at
    if isinstance(changed, str):  # defensive: some drivers hand max() of a timestamp back as text
        changed = datetime.fromisoformat(changed)
    if changed is not None and changed.tzinfo is None:
        changed = changed.replace(tzinfo=UTC)
    last_modified = max(filter(None, [changed, created_at]))
    names = "\x1d".join(text or "" for text in (row.rooms, row.tracks, row.speakers))
    payload = repr(
        (
            FORMAT_VERSION,
            shape,
            (row.sessions, row.id_sum, row.sequence_sum),
            changed.isoformat() if changed else None,
            row.links,
            hashlib.blake2b(names.encode()).hexdigest(),
            fingerprint,
            _base_url(),
            "agenda.session_detail" in current_app.view_functions,
            *extra,
        )
    )
    return Version(
        etag=hashlib.blake2b(payload.encode(), digest_size=16).hexdigest(),
        last_modified=last_modified.replace(microsecond=0),
    )


def feed_version(congress: Congress, selection: Selection, *extra: object) -> Version:
    """The feed's version from one aggregate query, before anything is loaded or built.

    The count and the sum of ids see sessions appear and disappear, ``sequence`` and
    ``changed_at`` see every edit the agenda makes to a published session (it bumps both),
    the speaker-link figure sees speakers added, removed or reordered. Rooms, tracks and
    speakers have no change timestamp of their own, so their names go in as text: renaming
    a room changes every feed of the congress, even though no session moved.
    """
    statement = _statement(("version", *selection.shape), lambda: _version_statement(selection))
    row = db.session.execute(statement, {"congress_id": congress.id, **selection.params}).one()
    return _version(
        row, selection.shape, _congress_fingerprint(congress), congress.created_at, extra
    )


_FINGERPRINT = (
    "id",
    "slug",
    "title",
    "timezone",
    "venue_name",
    "venue_address",
    "venue_city",
    "programme_published",
)


def programme_version(filters: Filters, *extra: object) -> tuple[int, Version] | None:
    """The current congress's id and the version of its programme feed, in ONE query: what a
    calendar client's poll needs to be answered 304, before any congress or session is loaded.
    None without a congress. For filters without days (days need the congress's time zone;
    those feeds take ``feed_version``).

    ``programme_published`` is part of the version: publishing changes every ETag.
    """
    assert not filters.days
    selection = programme_selection(None, filters)

    def build():
        order = (Congress.is_current.desc(), Congress.starts_on.desc())
        current = (
            select(*(getattr(Congress, name) for name in _FINGERPRINT), Congress.created_at)
            .order_by(*order)
            .limit(1)
            .cte("current_congress")
        )
        # The id again as an uncorrelated scalar subquery, evaluated once per statement: the
        # subqueries over speaker links and names must not be re-run for every row.
        congress_id = select(Congress.id).order_by(*order).limit(1).scalar_subquery()
        condition = selection.build(congress_id)
        version = select(*_version_columns(condition, congress_id)).where(condition).subquery()
        return select(*current.c, *version.c).select_from(current.join(version, true()))

    statement = _statement(("current version", *selection.shape), build)
    row = db.session.execute(statement, selection.params).one_or_none()
    if row is None:
        return None
    fingerprint = tuple(getattr(row, name) for name in _FINGERPRINT)
    return row.id, _version(row, selection.shape, fingerprint, row.created_at, extra)


def _congress_fingerprint(congress: Congress) -> tuple:
    return (
        congress.id,
        congress.slug,
        congress.title,
        congress.timezone,
        congress.venue_name,
        congress.venue_address,
        congress.venue_city,
        congress.programme_published,
    )


# --- rendered texts, keyed by version ---------------------------------------------------------


class RenderedFeeds:
    """The feed texts this worker built lately, keyed by their ETag.

    Building 300 events with icalendar takes far longer than the 10 ms a feed may take, and
    hundreds of clients fetch the same text. The key is the version, which every request
    computes from the database and which covers every input of the text, so an entry cannot go
    stale: when anything changes, the key changes and the old entry is simply never asked for
    again (it ages out of the LRU cache, ``cachetools``, bounded by bytes). Workers do not need to agree: each builds on its
    first miss. Bounded by bytes; thread-safe for gunicorn's threaded workers.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: LRUCache[str, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        self.lock = threading.Lock()  # cachetools' caches are not thread-safe

    def get(self, key: str) -> bytes | None:
        with self.lock:
            return self.entries.get(key)

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self.lock:
            self.entries.setdefault(key, body)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


rendered = RenderedFeeds(max_bytes=32 * 1024 * 1024)
rendered_events = RenderedFeeds(max_bytes=16 * 1024 * 1024)


def rendered_or_build(version: Version, build) -> bytes:
    """The text for this version, built (by ``build()``) only if this worker has not yet."""
    if not current_app.config.get("FEEDS_REUSE_RENDERED", True):
        return build()
    body = rendered.get(version.etag)
    if body is None:
        body = build()
        rendered.put(version.etag, body)
    return body


# --- the iCalendar text -------------------------------------------------------------------------


def _base_url() -> str:
    """The configured public base, never the request's Host (core/mail.py ``external_url``)."""
    return public_base_url(current_app)


class _Links:
    """Absolute URLs for many events without a request context per URL."""

    def __init__(self):
        self.adapter = public_url_adapter()
        self.has_detail = "agenda.session_detail" in current_app.view_functions
        fallback = "agenda.programme" if "agenda.programme" in current_app.view_functions else None
        self.programme = (
            self.adapter.build(fallback, {}, force_external=True)
            if fallback
            else self.adapter.build("feeds.help", {}, force_external=True)
        )

    def session(self, session_id: int) -> str:
        if self.has_detail:
            return self.adapter.build(
                "agenda.session_detail", {"session_id": session_id}, force_external=True
            )
        return self.programme


def uid(session: AgendaSession, congress: Congress) -> str:
    """Stable forever: neither the title nor the time is part of it."""
    return f"session-{session.id}@{congress.slug}.fachkongress"


def vtimezone(tz: str, first: date, last: date) -> Timezone:
    """A VTIMEZONE for ``tz`` from zoneinfo, covering ``first`` to ``last``.

    Each observance starts at the local wall-clock time *before* the change (RFC 5545 3.6.5:
    DTSTART is read with TZOFFSETFROM), e.g. 02:00 for the spring change in Berlin.
    """
    zone = ZoneInfo(tz)
    component = Timezone()
    component.add("TZID", tz)
    component.add("X-LIC-LOCATION", tz)

    def offset(second: int) -> timedelta:
        return datetime.fromtimestamp(second, zone).utcoffset()

    cursor = int(datetime.combine(first, time(0), tzinfo=UTC).timestamp())
    end = int(datetime.combine(last, time(0), tzinfo=UTC).timestamp())
    start = datetime.fromtimestamp(cursor, zone)
    observances = [(cursor, start.utcoffset(), start.utcoffset(), start)]
    step = 6 * 3600  # zones change at most twice a year, never twice within six hours
    while cursor < end:
        probe = cursor + step
        if offset(probe) != offset(cursor):
            low, high = cursor, probe  # bisect to the second of the change
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == offset(low):
                    low = middle
                else:
                    high = middle
            observances.append(
                (high, offset(low), offset(high), datetime.fromtimestamp(high, zone))
            )
        cursor = probe
    for instant, offset_from, offset_to, local_after in observances:
        part = TimezoneDaylight() if local_after.dst() else TimezoneStandard()
        part.add("TZNAME", local_after.tzname())
        part.add("TZOFFSETFROM", offset_from)
        part.add("TZOFFSETTO", offset_to)
        local_before = datetime.fromtimestamp(instant, UTC) + offset_from
        part.add("DTSTART", local_before.replace(tzinfo=None))
        component.add_component(part)
    return component


def _location(session: AgendaSession, congress: Congress) -> str:
    parts = []
    if session.room is not None:
        parts.append(session.room.name)
        if session.room.floor:
            parts.append(session.room.floor)
    parts += [congress.venue_name, congress.venue_address]
    if congress.venue_city and congress.venue_city not in congress.venue_address:
        parts.append(congress.venue_city)
    return ", ".join(part for part in parts if part)


def _description(session: AgendaSession, link: str) -> str:
    blocks = []
    if session.status == SessionStatus.CANCELLED:
        blocks.append(_("This session has been cancelled."))
    if session.abstract:
        blocks.append(session.abstract.strip())
    speakers = [
        _speaker_label(item.speaker) for item in session.speaker_links if item.role != "moderator"
    ]
    moderators = [
        _speaker_label(item.speaker) for item in session.speaker_links if item.role == "moderator"
    ]
    people = []
    if speakers:
        people.append(_("Speakers: %(names)s", names="; ".join(speakers)))
    if moderators:
        people.append(_("Moderation: %(names)s", names="; ".join(moderators)))
    if people:
        blocks.append("\n".join(people))
    blocks.append(link)
    return "\n\n".join(blocks)


def _speaker_label(speaker: Speaker) -> str:
    return f"{speaker.name} ({speaker.organisation})" if speaker.organisation else speaker.name


def build_calendar(
    congress: Congress, sessions: list[AgendaSession], *, name: str, description: str
) -> bytes:
    """The RFC 5545 text of a feed; icalendar does the escaping and the folding."""
    zone = ZoneInfo(congress.timezone)
    links = _Links()
    calendar = Calendar()
    calendar.add("PRODID", "-//BBE Fachkongress//Kongress-App//DE")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("DESCRIPTION", description)
    calendar.add("X-WR-CALDESC", description)
    calendar.add("X-WR-TIMEZONE", congress.timezone)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    years = [congress.starts_on.year, congress.ends_on.year]
    years += [s.starts_at.year for s in sessions[:1]] + [s.ends_at.year for s in sessions[-1:]]
    calendar.add_component(
        vtimezone(congress.timezone, date(min(years), 1, 1), date(max(years) + 1, 1, 1))
    )
    frame = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert frame.endswith(end)
    events = [_event_text(session, congress, zone, links) for session in sessions]
    return frame[: -len(end)] + b"".join(events) + end


def _event_text(session: AgendaSession, congress: Congress, zone: ZoneInfo, links: _Links) -> bytes:
    """One VEVENT's text, reused while nothing it is built from has changed.

    After an agenda edit the whole feed has a new version, but only one event is different:
    the key below holds every input of the event (not just its SEQUENCE, so a change that
    forgot to bump it still shows), and the other 299 events are taken as they were.
    """
    key = hashlib.blake2b(
        repr(
            (
                FORMAT_VERSION,
                session.id,
                session.title,
                session.abstract,
                session.language,
                session.kind,
                session.status,
                session.starts_at,
                session.ends_at,
                session.created_at,
                session.changed_at,
                session.sequence,
                (session.room.name, session.room.floor) if session.room else None,
                session.track.name if session.track else None,
                [(i.role, i.speaker.name, i.speaker.organisation) for i in session.speaker_links],
                _congress_fingerprint(congress),
                links.session(session.id),
                str(get_locale()),
            )
        ).encode(),
        digest_size=16,
    ).hexdigest()
    reuse = current_app.config.get("FEEDS_REUSE_RENDERED", True)
    text = rendered_events.get(key) if reuse else None
    if text is None:
        text = _event(session, congress, zone, links).to_ical()
        if reuse:
            rendered_events.put(key, text)
    return text


def _event(session: AgendaSession, congress: Congress, zone: ZoneInfo, links: _Links) -> Event:
    link = links.session(session.id)
    event = Event()
    event.add("UID", uid(session, congress))
    event.add("DTSTAMP", session.changed_at)
    event.add("CREATED", session.created_at)
    event.add("LAST-MODIFIED", session.changed_at)
    event.add("SEQUENCE", session.sequence)
    event.add("DTSTART", session.starts_at.astimezone(zone))
    event.add("DTEND", session.ends_at.astimezone(zone))
    event.add("SUMMARY", session.title)
    event.add("DESCRIPTION", _description(session, link))
    location = _location(session, congress)
    if location:
        event.add("LOCATION", location)
    event.add("URL", link)
    categories = [str(KIND_LABELS.get(session.kind, session.kind))]
    if session.track is not None:
        categories.append(session.track.name)
    event.add("CATEGORIES", [vText(c) for c in categories])
    cancelled = session.status == SessionStatus.CANCELLED
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("CLASS", "PUBLIC")
    if session.language:
        event.add("X-SESSION-LANGUAGE", session.language)
    return event


# --- the three feeds ------------------------------------------------------------------------


def programme_name(congress: Congress, filters: Filters) -> str:
    name = _("Programme: %(title)s", title=congress.title)
    if filters:
        name += " " + _("(selection)")
    return name


def session_name(congress: Congress) -> str:
    return congress.title


def personal_name(congress: Congress) -> str:
    return _("My programme: %(title)s", title=congress.title)


def registration_by_calendar_token(token: str) -> Registration:
    """The registration behind a feed link; raises UnknownCalendar for any other token."""
    if not is_well_formed(token):
        raise unknown_calendar()
    statement = _statement(
        ("registration",),
        lambda: (
            select(Registration)
            .where(
                Registration.calendar_token == bindparam("token"),
                Registration.anonymised_at.is_(None),
            )
            .options(joinedload(Registration.congress), joinedload(Registration.days))
        ),
    )
    registration = db.session.execute(statement, {"token": token}).unique().scalar_one_or_none()
    if registration is None:
        raise unknown_calendar()
    return registration


def personal_calendar(registration: Registration) -> bytes:
    """The attendee's programme as iCalendar text, in their language (mail attachment)."""
    congress = registration.congress
    with force_locale(registration.language or "de"):
        sessions = sessions_of(personal_selection(registration))
        return build_calendar(
            congress,
            sessions,
            name=personal_name(congress),
            description=_("Your personal programme: plenaries of your days and your workshops."),
        )


@dataclass(frozen=True)
class FeedLinks:
    """The same feed as an https link (to copy) and a webcal link (opens the calendar app)."""

    https: str
    webcal: str
    google: str


def feed_links(endpoint: str, **values) -> FeedLinks:
    https = external_url(endpoint, **values)
    webcal = "webcal://" + https.split("://", 1)[1]
    # Google Calendar subscribes through its "add by URL" page; it wants the webcal form.
    google = "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal})
    return FeedLinks(https=https, webcal=webcal, google=google)


def personal_links(registration: Registration) -> FeedLinks:
    return feed_links("feeds.personal", token=registration.calendar_token)


def reset_calendar_token(registration: Registration, *, actor, now: datetime) -> str:
    """Issue a new feed token: the old link answers 404 from now on. Returns the new token."""
    registration.calendar_token = new_token()
    registration.updated_at = now
    audit.record("registration.calendar_token_reset", registration, actor=actor)
    db.session.flush()
    return registration.calendar_token


def registration_by_manage_token(token: str) -> Registration:
    return registration_services.by_manage_token(token)


def personal_programme_attachment(registration) -> list[tuple[str, str, bytes]]:
    """The confirmation mail's personal programme (none while it would be empty)."""
    data = personal_calendar(registration)
    if b"BEGIN:VEVENT" not in data:
        return []
    return [("programm.ics", "text/calendar", data)]
