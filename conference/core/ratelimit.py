"""Rate-limit counters in the app's own database, shared by every worker and machine.

Flask-Limiter keeps its counters in a ``limits`` storage. ``memory://`` counts per process:
with four gunicorn workers on two machines an attacker gets eight times the limit. The
deployment has one database anyway, so ``RATELIMIT_STORAGE_URI=database://`` (the default, on
PostgreSQL and SQLite alike) stores fixed-window counters in the table ``rate_limit_counter``:
one atomic upsert per counted request, no extra service to run. ``redis://`` works too
(``pip install redis``) for sites that already run Redis.

The storage opens its own small connection pool, so a counter commits at once and never
joins the request's transaction. Limits are checked before the view runs (Flask-Limiter's
``before_request``), before the request writes anything, so on SQLite the counter's write
never waits for a lock its own request holds.

``count_hit`` is the same upsert inside the caller's transaction, for counters that must roll
back with what they count (the per-recipient cap of mails, ``core/mail.py``).
"""

from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import case, create_engine, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from conference.core.models import RateLimitCounter

SCHEME = "database"
#: Expired rows are reset in place by the next hit on their key; keys nobody hits again
#: (one per client address and limit) are swept now and then.
SWEEP_PROBABILITY = 0.01

_table = RateLimitCounter.__table__


def storage_settings(config: dict) -> tuple[str, dict]:
    """The storage URI and options for Flask-Limiter from the app's configuration.

    Unset: the app's database, shared by every worker and machine (with SQLite, too: several
    gunicorn workers on one SQLite file must not each count on their own).
    """
    database_url = config["SQLALCHEMY_DATABASE_URI"]
    uri = config.get("RATELIMIT_STORAGE_URI") or f"{SCHEME}://"
    options = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if uri.split(":", 1)[0] == SCHEME:
        options.setdefault("url", database_url)
    return uri, options


def hit_statement(dialect_name: str, key: str, expiry: float, now: float, amount: int = 1):
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING count: one hit on a fixed window of
    ``expiry`` seconds, a new window when the old one has expired."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    expired = _table.c.expires_at <= now
    return (
        dialect.insert(_table)
        .values(key=key, count=amount, expires_at=now + expiry)
        .on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "count": case((expired, amount), else_=_table.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=_table.c.expires_at),
            },
        )
        .returning(_table.c.count)
    )


def count_hit(session, key: str, expiry: float, now: float) -> int:
    """One hit in ``session``'s transaction (it rolls back with it); returns the window's count."""
    statement = hit_statement(session.get_bind().dialect.name, key, expiry, now)
    return session.execute(statement).scalar_one()


class DatabaseStorage(Storage):
    """A ``limits`` storage on SQLAlchemy (PostgreSQL or SQLite), fixed windows only."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        url = options.pop("url", None)
        if not url:
            raise ValueError("database:// needs the option url (the SQLAlchemy database URL)")
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.url = str(url)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        # Created on first use: apps that never count (tests, CLI) open no connections.
        if self._engine is None:
            if self.url.startswith("sqlite"):
                self._engine = create_engine(
                    self.url, connect_args={"timeout": 15}, pool_pre_ping=True
                )
            else:
                self._engine = create_engine(
                    self.url, pool_size=2, max_overflow=8, pool_pre_ping=True
                )
        return self._engine

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` hits in the key's window, starting a new window when it expired;
        returns the count. One statement, so parallel hits on several servers all count."""
        now = time.time()
        statement = hit_statement(self.engine.dialect.name, key, expiry, now, amount)
        with self.engine.begin() as connection:
            count = connection.execute(statement).scalar_one()
            if random.random() < SWEEP_PROBABILITY:  # noqa: S311 - not security relevant
                connection.execute(delete(_table).where(_table.c.expires_at < now))
        return count

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(
                select(_table.c.count).where(_table.c.key == key, _table.c.expires_at > time.time())
            ).scalar_one_or_none()
        return count or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self.engine.connect() as connection:
            expires_at = connection.execute(
                select(_table.c.expires_at).where(_table.c.key == key, _table.c.expires_at > now)
            ).scalar_one_or_none()
        return expires_at if expires_at is not None else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                connection.execute(select(_table.c.key).limit(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(_table).where(_table.c.key == key))
