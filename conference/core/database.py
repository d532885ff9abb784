"""Engine set-up: SQLite pragmas and write transactions that cannot dead-lock.

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

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
