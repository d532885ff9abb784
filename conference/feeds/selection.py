"""Calendar feeds: their filters and which sessions a feed holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from conference.agenda.models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionSpeaker,
    Speaker,
    Track,
)
from conference.agenda.services import public_clause
from conference.core.errors import Invalid, NotFound
from conference.core.models import Congress
from conference.core.time import UTCDateTime
from conference.extensions import db
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


def _visible(*, programme_checked: bool = False):
    """The agenda's one rule of what is public (``agenda.services.public_clause``)."""
    return public_clause(programme_checked=programme_checked)


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
        # "Published" is settled outside the clause: with a congress above (an unpublished
        # programme selects nothing), without one by the caller, programme_version, whose
        # version has the flag among its inputs and which loads the congress (and so comes
        # back here) before any session is read.
        clauses = [AgendaSession.congress_id == congress_id, _visible(programme_checked=True)]
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
