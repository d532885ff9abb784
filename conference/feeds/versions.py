"""A feed's version (ETag and Last-Modified) without loading the sessions; rendered texts by version."""

from __future__ import annotations

import hashlib
import itertools
import operator
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce

from cachetools import LRUCache
from flask import current_app, has_app_context
from sqlalchemy import Select, String, cast, event, func, literal, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.functions import FunctionElement

from conference.agenda.models import AgendaSession, Room, SessionSpeaker, Speaker, Track
from conference.config import public_base_url
from conference.core.caching import Remembered
from conference.core.models import Congress
from conference.extensions import db
from conference.feeds.selection import (
    FORMAT_VERSION,
    Filters,
    Selection,
    _congress_id,
    _statement,
    programme_selection,
)
from conference.registration.models import Registration, RegistrationDay
from conference.workshops.models import WorkshopSeat

# --- version: ETag and Last-Modified without loading the sessions -------------------------------


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime


class _joined_text(FunctionElement):
    """The names of a kind joined, as the version needs them: ``md5(string_agg(text,
    separator))`` on PostgreSQL (only the digest travels and is decoded, not every room, track
    and speaker name at every calendar poll), ``group_concat`` on SQLite, with the separator as
    a bound value: ``func.aggregate_strings`` renders it as a literal at every execution, which
    cost more than the aggregate itself."""

    type = String()
    inherit_cache = True
    name = "joined_text"


@compiles(_joined_text)
def _string_agg(element, compiler, **kw):
    return f"md5(string_agg({compiler.process(element.clauses, **kw)}))"


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
    # Core execution: the row holds plain columns, the ORM has nothing to do.
    row = db.session.connection().execute(statement, selection.params).one_or_none()
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


# --- versions remembered for a few seconds: a poll's 304 without a query ---------------------

#: Feed URLs whose version a process keeps: every filter combination and personal link polled.
VERSIONS_REMEMBERED = 4096
_REMEMBERED = "feed_versions"

#: The tables a feed's version reads: a write to any of them through this process's ORM
#: forgets what it remembered (the two listeners below).
_VERSION_TABLES = frozenset(
    model.__table__
    for model in (
        Congress,
        AgendaSession,
        SessionSpeaker,
        Room,
        Track,
        Speaker,
        Registration,
        RegistrationDay,
        WorkshopSeat,
    )
)


def init_app(app) -> None:
    """The process's remembered feed versions (config ``FEED_VERSION_CACHE_SECONDS``)."""
    app.extensions[_REMEMBERED] = Remembered(
        float(app.config["FEED_VERSION_CACHE_SECONDS"]), VERSIONS_REMEMBERED
    )


def remembered_version(key: Hashable) -> Version | None:
    """The version this process computed for the feed ``key`` in the last
    ``FEED_VERSION_CACHE_SECONDS``, or None.

    Only for a 304: a client whose validator matches may be told "not modified" from it (a
    change made by another process reaches it at the latest when the entry expires; a 304
    shows nothing). Anything else is answered from the database, so no text, no link that
    was just renewed, no erased attendee's programme is ever served from memory.
    """
    remembered = current_app.extensions.get(_REMEMBERED)
    return remembered.get(key) if remembered is not None else None


def remember_version(key: Hashable, version: Version) -> None:
    remembered = current_app.extensions.get(_REMEMBERED)
    if remembered is not None:
        remembered.put(key, version)


def forget_feed_versions() -> None:
    """Drop this process's remembered versions."""
    if has_app_context():
        remembered = current_app.extensions.get(_REMEMBERED)
        if remembered is not None:
            remembered.clear()


@event.listens_for(OrmSession, "after_flush")
def _forget_after_flush(session, _context) -> None:
    # Any row of a version's tables written through this process's ORM (a service, a script,
    # the edition copy): this process's next poll asks the database again.
    for instance in itertools.chain(session.new, session.dirty, session.deleted):
        if getattr(type(instance), "__table__", None) in _VERSION_TABLES:
            forget_feed_versions()
            return


@event.listens_for(OrmSession, "do_orm_execute")
def _forget_after_statement(state) -> None:
    # The same for an UPDATE, DELETE or INSERT statement run through the session.
    if state.is_update or state.is_delete or state.is_insert:
        if getattr(state.statement, "table", None) in _VERSION_TABLES:
            forget_feed_versions()


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
