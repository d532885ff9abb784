"""Time: UTC in the database, the congress time zone on screen and in exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC.

    SQLite keeps no offset, PostgreSQL's timestamptz does; both come back aware in UTC, so code
    never compares naive with aware values. Binding a naive datetime is a bug and raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; use an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(value: datetime, tz: str) -> datetime:
    return value.astimezone(ZoneInfo(tz))


def at_local(day: date, clock: time, tz: str) -> datetime:
    """The aware instant of a wall-clock time on a day in a time zone."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(tz))


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
