"""Fixtures: a real database (SQLite file, or PostgreSQL when DATABASE_URL is set), a real SMTP
server, clients for each kind of user.

The schema is built once per test session by running the Alembic migrations (so every run also
proves them); each test starts from empty tables. Apps are built once per process and
configuration and reused (``_AppCache``, ``app``); ``@pytest.mark.fresh_app`` gives a test that
changes the app itself one of its own.
"""

from __future__ import annotations

import contextvars
import copy
import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from conference import create_app
from conference.extensions import db as _db
from tests import factories
from tests.browser_fixtures import *  # noqa: F403 - fixtures

POSTGRES_URL = os.environ.get("DATABASE_URL", "")


# --- clients -----------------------------------------------------------------------------------


class IsolatedClient(FlaskClient):
    """A test client whose every request runs as in production: in its own app context, so with
    its own database session, transaction and ``g`` (Flask-Login's user), not in the test's.

    Before each request the test's own session is committed, so what the test arranged is
    visible to the request and no lock is held; afterwards the test reads fresh state.
    """

    def open(self, *args, **kwargs):
        # A real server closes every response; the test client does so only when buffered.
        # Mail is delivered in ``call_on_close`` (core/mail.py), so tests see it arrive.
        kwargs.setdefault("buffered", True)
        if has_app_context():
            _db.session.commit()
        # In an empty context (stdlib contextvars) no app context is active, so Flask pushes
        # the request's own one, as it does in a server; the test's stays as it was.
        return contextvars.Context().run(super().open, *args, **kwargs)


# --- database --------------------------------------------------------------------------------


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_database_url(base: str) -> str:
    """One database per xdist worker, created on demand on the same server."""
    from sqlalchemy.engine import make_url

    url = make_url(base)
    if url.drivername == "postgresql" or url.drivername == "postgres":
        url = url.set(drivername="postgresql+psycopg")
    # Unique per run and worker, so parallel runs on one server never share a database.
    name = f"{url.database}_test_{_worker()}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(test_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(test_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if POSTGRES_URL:
        url = _postgres_database_url(POSTGRES_URL)
        yield url
        _drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def _apps(database_url):
    """The process's apps, one per effective configuration (``_AppCache``)."""
    cache = _AppCache()
    yield cache
    cache.close()


@pytest.fixture(scope="session")
def _schema(database_url, instance_path, smtp_server, _apps):
    """Run the migrations once; yields what ``_empty_tables`` needs to clean up after a test.

    The app that ran them is the first one of the cache (base configuration)."""
    from flask_migrate import upgrade

    app = _apps.get(_base_config(database_url, instance_path, smtp_server))
    with app.app_context():
        upgrade()
        tables = [table.name for table in reversed(_db.metadata.sorted_tables)]
        return _Tables.inspect(tables)


def _base_config(database_url: str, instance_path: Path, smtp_server) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_TIMEOUT": 5,
        # No background sender: tests deliver explicitly (tests/test_mail.py starts one).
        "MAIL_SEND_INTERVAL": 0,
        "PUBLIC_BASE_URL": "http://kongress.test",
        "SERVER_NAME": None,
    }


def _build_app(config: dict):
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def _frozen(value):
    """A hashable stand-in for a configuration value (lists and dicts included)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((_frozen(v) for v in value), key=repr)))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_frozen(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return value


class _CachedApp:
    """One app of the cache and what a test may change on it: its configuration (restored to
    the snapshot taken after ``create_app``) and the state Flask-Limiter keeps on its one
    global ``limiter`` object, which the last ``init_app`` (of any app) leaves behind."""

    def __init__(self, app):
        from conference.extensions import limiter

        self.app = app
        self.config = copy.deepcopy(dict(app.config))
        self.limiter = dict(limiter.__dict__)
        self.limiter_options = dict(limiter._storage_options)
        # Flask refuses setup methods (add_url_rule, before_request, errorhandler, ...) on an
        # app that has served: a test changing a shared app fails at once instead of leaking
        # its change into later tests. Such tests take a new app (``@pytest.mark.fresh_app``).
        app._got_first_request = True

    def prepare(self) -> None:
        from conference.extensions import limiter

        self.app.config.clear()
        self.app.config.update(copy.deepcopy(self.config))
        limiter.__dict__.clear()
        limiter.__dict__.update(self.limiter)
        limiter._storage_options = dict(self.limiter_options)
        if self.app.config.get("RATELIMIT_ENABLED"):
            limiter.reset()  # counters in memory:// (database:// counters are in the tables)


class _AppCache:
    """Apps by effective configuration: building one (about 200 URL rules compiled by Werkzeug,
    a cold template cache) costs far more than most tests, so each process builds each
    configuration once and every test gets it in a fresh app context on emptied tables."""

    def __init__(self):
        self.apps: dict[object, _CachedApp] = {}

    def get(self, config: dict):
        key = _frozen(config)
        cached = self.apps.get(key)
        if cached is None:
            cached = self.apps[key] = _CachedApp(_build_app(config))
        cached.prepare()
        return cached.app

    def close(self) -> None:
        for cached in self.apps.values():
            with cached.app.app_context():
                _db.engine.dispose()


@dataclass(frozen=True)
class _Tables:
    """Empties the tables after a test: only those that got rows (one query finds them), in
    the order of their foreign keys, by DELETE, then the id sequences that moved start at 1
    again, so ids start at 1 in every test on both databases (on SQLite an emptied table
    hands out 1 again by itself). On PostgreSQL this is far cheaper than TRUNCATE, which
    creates new files for every table it names."""

    names: list[str]  # children before parents
    used_query: str
    sequences: dict[str, str]  # table -> its id sequence (PostgreSQL)

    @classmethod
    def inspect(cls, names: list[str]) -> _Tables:
        sequences = {}
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.connect() as connection:
                sequences = dict(
                    connection.execute(
                        text(
                            "SELECT c.relname, s.oid::regclass::text FROM pg_class c"
                            " JOIN pg_depend d ON d.refobjid = c.oid AND d.deptype IN ('a', 'i')"
                            " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                            " WHERE c.relnamespace = current_schema()::regnamespace"
                        )
                    ).all()
                )
        parts = []
        for name in names:
            used = f'EXISTS (SELECT 1 FROM "{name}")'  # noqa: S608 - names from metadata
            if name in sequences:
                used += f" OR (SELECT is_called FROM {sequences[name]})"  # noqa: S608 - catalogue
            parts.append(f"SELECT '{name}' WHERE {used}")  # noqa: S608 - names from metadata
        return cls(names, " UNION ALL ".join(parts), sequences)

    def empty(self) -> None:
        with _db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # A connection a test left inside a transaction would block this: fail instead.
                connection.exec_driver_sql("SET LOCAL lock_timeout = '60s'")
            used = set(connection.exec_driver_sql(self.used_query).scalars())
            for table in self.names:
                if table in used:
                    connection.exec_driver_sql(f'DELETE FROM "{table}"')  # noqa: S608 - names from metadata
            moved = [self.sequences[t] for t in self.names if t in used and t in self.sequences]
            if moved:
                connection.exec_driver_sql(
                    "SELECT " + ", ".join(f"setval('{s}', 1, false)" for s in moved)
                )


def _forget_cached_results() -> None:
    """Caches outside the app that hold what a test's rows produced: the feeds' rendered texts
    are keyed by a version that repeats once the tables are emptied and the ids restart."""
    from conference.feeds import versions

    versions.rendered.clear()
    versions.rendered_events.clear()


class _Clock:
    """A timer for the app's short-lived memories that moves only when the test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cache_clock(app, monkeypatch) -> _Clock:
    """The app's per-process memories (``core/caching.py``: API tokens, feed versions), 5
    seconds each as configured by default, on a clock the test moves (``cache_clock.now``)."""
    from conference.accounts.access import TOKENS_REMEMBERED
    from conference.core.caching import Remembered
    from conference.feeds.versions import VERSIONS_REMEMBERED

    clock = _Clock()
    for key, size in (
        ("verified_api_tokens", TOKENS_REMEMBERED),
        ("feed_versions", VERSIONS_REMEMBERED),
    ):
        monkeypatch.setitem(app.extensions, key, Remembered(5, size, timer=clock))
    return clock


@pytest.fixture
def app(request, database_url, instance_path, smtp_server, _schema, _apps):
    """The app for this test's configuration on empty tables, in a fresh app context.

    ``@pytest.mark.config(KEY=value)`` overrides settings. The app is shared with every other
    test of this process and configuration (``_AppCache``), with its configuration restored;
    a test that changes the app itself (URL rules, request hooks) marks itself
    ``@pytest.mark.fresh_app`` and gets one of its own."""
    config = _base_config(database_url, instance_path, smtp_server)
    for marker in reversed(list(request.node.iter_markers("config"))):
        config.update(marker.kwargs)
    fresh = request.node.get_closest_marker("fresh_app") is not None
    app = _build_app(config) if fresh else _apps.get(config)
    _forget_cached_results()
    app.extensions["verified_api_tokens"].clear()
    app.extensions["feed_versions"].clear()
    with app.app_context():
        yield app
        from conference.core.mail import stop_sender

        stop_sender(app)  # a test that switched the background sender on
        _db.session.remove()
        _schema.empty()
        _forget_cached_results()
        if fresh:
            _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_client(app):
    """``staff_client("organiser")``: a client logged in as a new user of that role."""

    def make(role: str = "organiser", **user_fields):
        user = factories.user(role=role, **user_fields)
        _db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        client.user = user
        return client

    return make


@pytest.fixture
def scanner_client(app):
    """A client that sends a checkin bearer token, as a scanning device does."""
    from conference.accounts.services import create_api_token

    token, secret = create_api_token("Door 1", "checkin")
    _db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    client.token = token
    return client


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries: ...`` then ``len(queries)``: the SQL statements run."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK", "PRAGMA"))
            ):
                statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(_db.engine, "before_cursor_execute", record)

    return counter


# --- mail --------------------------------------------------------------------------------------


class _Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the whole session."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    """The inbox of the test SMTP server, emptied for each test; ``smtp.wait(n)`` waits for mail."""
    inbox = smtp_server.inbox
    with inbox.lock:
        inbox.messages.clear()

    def wait(count: int = 1, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with inbox.lock:
                if len(inbox.messages) >= count:
                    return list(inbox.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} mails, got {len(inbox.messages)}")

    inbox.wait = wait
    return inbox


def pytest_configure(config):
    config.addinivalue_line("markers", "config(**settings): app settings for this test")
    config.addinivalue_line(
        "markers", "fresh_app: the test changes the app itself and gets one of its own"
    )


def pytest_report_header(config):
    """The browser tests' Chromium, so a run says what it tested with (Debian updates it)."""
    import subprocess

    from tests.browser_fixtures import CHROMIUM

    try:
        found = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = f"not found at {CHROMIUM}"
    return f"chromium: {found or 'no version reported'}"
