"""Engine set-up, the one transaction helper, and write transactions that cannot dead-lock.

``transaction()`` is the unit of work of every writing view and command: what happens inside
commits together when the block ends and rolls back together when an exception leaves it.
Services flush and never commit; an outbox mail commits with the change it reports.

SQLite allows one writer. A deferred transaction that has read and then wants to write fails
at once with SQLITE_BUSY (the busy timeout does not apply) when another connection committed
in between. So every transaction that may write starts with BEGIN IMMEDIATE and waits its turn
(busy_timeout). Safe requests (GET, HEAD) only read and start a plain BEGIN, so that pages and
feeds read in parallel in WAL mode; a GET view that writes says so with ``@writes``.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from conference.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The largest value of an INTEGER column on PostgreSQL (every id and number we store): a
#: larger one cannot be found, and SQLite raises OverflowError (a 500) for one beyond 2**63 - 1
#: where it should find nothing. Input beyond it is refused before it reaches a query.
MAX_INTEGER = 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in URLs: values beyond MAX_INTEGER do not match, so they answer 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_INTEGER if max is None else max, signed)


def parse_int(value: object) -> int | None:
    """A non-negative integer the database can hold, from a query or form value; None for
    anything else (empty, signs, spaces, "²" or other non-ASCII digits, 20 digits)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    if len(value) > 10 or int(value) > MAX_INTEGER:
        return None
    return int(value)


def database_int(value) -> int:
    """A WTForms ``coerce``: like ``int``, but a ValueError (the field's message) for integers
    the database cannot hold."""
    number = int(value)
    if not -MAX_INTEGER - 1 <= number <= MAX_INTEGER:
        raise ValueError("out of range")
    return number


@contextmanager
def transaction():
    """Commit once when the block ends, or roll back and re-raise when an exception leaves it
    (a ``DomainError`` then reaches its handler, or the view's ``except`` that re-shows a form,
    with nothing half-written left in the session).

    ``with transaction(): services.cancel(...)`` in a view or a CLI command; also a decorator
    (``@transaction()``) for a command whose whole body is one unit. Nested use joins the
    outer unit: only the outermost block commits.
    """
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


_DEPTH = "transaction_depth"


def writes(view):
    """Mark a GET view that writes (e.g. a link followed from a mail), so it begins IMMEDIATE."""
    view.writes = True
    return view


_reading: ContextVar[bool] = ContextVar("reading", default=False)


@contextmanager
def reading():
    """Transactions begun inside only read: on SQLite they take no write lock (plain BEGIN).

    For work outside a request that reads at length, such as rendering a mail's attachments.
    """
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def autocommit_when(condition):
    """Mark a view whose requests, when ``condition()`` holds (read in the request, before
    anything else), are made of statements each atomic on its own: on PostgreSQL the request's
    connection then runs in autocommit, so each statement commits by itself, without a BEGIN and a
    COMMIT round trip of its own. The door's scan without a nonce is the one such view: it is one
    ``WITH ... INSERT ... ON CONFLICT DO NOTHING`` statement after the API token's lookup.

    A view that only reads (the calendar feeds: a poll is one statement) sees what it would see
    in PostgreSQL's READ COMMITTED transaction, where each statement has its own snapshot, and
    saves the BEGIN and the ROLLBACK at its end.

    ``transaction()`` keeps working (its commit has nothing left to do); a view that needs two
    writes to stand or fall together must not be marked, or its condition must exclude that
    case. SQLite keeps its transactions (there the scan is two statements).
    """

    def decorate(view):
        view.autocommit_when = condition
        return view

    return decorate


def _autocommit_request() -> None:
    """The app-wide before_request hook for ``autocommit_when`` (before access control)."""
    view = current_app.view_functions.get(request.endpoint or "")
    condition = getattr(view, "autocommit_when", None)
    if condition is None or db.engine.dialect.name != "postgresql" or not condition():
        return
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def init_app(app) -> None:
    """Register ``_autocommit_request``; call before any hook that reads the database."""
    app.before_request(_autocommit_request)


def _read_only_request() -> bool:
    if _reading.get():
        return True
    if not has_request_context() or request.method not in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "writes", False)


def configure_engine(engine: Engine, *, busy_timeout: float = 15.0) -> None:
    """SQLite: WAL, foreign keys, and ``busy_timeout`` seconds of waiting for the write lock
    before "database is locked" (config ``SQLITE_BUSY_TIMEOUT``)."""
    if engine.dialect.name != "sqlite":
        return
    busy_ms = max(int(busy_timeout * 1000), 0)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")
