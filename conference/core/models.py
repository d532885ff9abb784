"""What every area hangs off: the yearly edition with its days, the programme's carrier
organisations (with their local structures and seat quotas), the audit log and the mail outbox.

The carriers live here, not in ``organisations/``: staff accounts (coordinators), registrations,
badges, the door and the reports all name a person's carrier, and ``organisations/`` (the
carriers' pages, the CSV import, mapping and merging, the coordinators' portal) sits above them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class Congress(db.Model):
    """One yearly edition of the Fachkongress."""

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("taken >= 0 AND (capacity IS NULL OR taken <= capacity)", name="seats"),
        # At most one edition is current, whoever marks one at the same time (editions/services).
        Index(
            "uq_congress_current",
            "is_current",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    subtitle: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    venue_city: Mapped[str] = mapped_column(String(100), default="")
    venue_accessibility: Mapped[str] = mapped_column(Text, default="")
    # The venue's opening hours on each day; sessions must lie within them.
    opens_at: Mapped[time] = mapped_column(Time, default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(Time, default=time(20, 0))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # Total seats for the whole congress (None: unlimited) and how many confirmed take one.
    capacity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(default=0)
    expected_attendees: Mapped[int | None] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_text_version: Mapped[str] = mapped_column(String(40), default="2026-1")
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    programme_published: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_months: Mapped[int] = mapped_column(default=24)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    days: Mapped[list[CongressDay]] = relationship(
        back_populates="congress", order_by="CongressDay.day", cascade="all, delete-orphan"
    )

    def registration_open(self, now: datetime) -> bool:
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        if self.registration_closes_at and now >= self.registration_closes_at:
            return False
        return True

    def __repr__(self) -> str:
        return f"<Congress {self.slug}>"


class CongressDay(db.Model):
    """A day of the congress with its own capacity (people may come on one day only)."""

    __table_args__ = (
        UniqueConstraint("congress_id", "day"),
        CheckConstraint("taken >= 0 AND (capacity IS NULL OR taken <= capacity)", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(default=0)

    congress: Mapped[Congress] = relationship(back_populates="days")


class OrganisationKind(StrEnum):
    WELFARE = "welfare"  # Wohlfahrtsverband
    FOUNDATION = "foundation"
    VOLUNTEER_AGENCY = "volunteer_agency"
    MIGRANT = "migrant"  # Migrant:innenorganisation
    OTHER = "other"


class CarrierOrganisation(db.Model):
    """A carrier organisation of the federal programme."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(30), default=OrganisationKind.OTHER)
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(60), default="")  # Bundesland
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    local_structures: Mapped[list[LocalStructure]] = relationship(
        back_populates="carrier", order_by="LocalStructure.name", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return self.short_name or self.name


class LocalStructure(db.Model):
    """A local structure (lokale Struktur) under a carrier organisation."""

    __table_args__ = (UniqueConstraint("carrier_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(
        ForeignKey("carrier_organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(60), default="")

    carrier: Mapped[CarrierOrganisation] = relationship(back_populates="local_structures")


class OrganisationQuota(db.Model):
    """The most seats a carrier organisation's people may hold at one congress, counted
    race-free. A cap, not a reservation: its people also need a free seat of the congress and
    of each of their days, so they can be waitlisted with quota left once the congress is full.
    """

    __table_args__ = (
        UniqueConstraint("congress_id", "carrier_id"),
        CheckConstraint("taken >= 0 AND taken <= quota", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    carrier_id: Mapped[int] = mapped_column(
        ForeignKey("carrier_organisation.id", ondelete="CASCADE"), index=True
    )
    quota: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)

    carrier: Mapped[CarrierOrganisation] = relationship()


class AuditLog(db.Model):
    """Who changed what, when. Never holds secrets; details are the changed fields."""

    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int | None] = mapped_column(
        ForeignKey("congress.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(200), default="")  # "system", a token name, ...
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxMail(db.Model):
    """A mail waiting to be delivered, written in the transaction of what it reports."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(60), default="")  # e.g. "registration.confirm"
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    # pending -> sent | failed (gave up after MAIL_MAX_ATTEMPTS)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        cascade="all, delete-orphan", back_populates="mail"
    )


class OutboxAttachment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_mail.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    mail: Mapped[OutboxMail] = relationship(back_populates="attachments")


class RateLimitCounter(db.Model):
    """A fixed-window counter of the rate limiter when it stores in the database
    (``RATELIMIT_STORAGE_URI=database://``, core/ratelimit.py), so that limits hold across
    gunicorn workers and machines. Times are seconds since the epoch, as ``limits`` counts."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
