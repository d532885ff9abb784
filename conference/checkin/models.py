from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class Checkpoint(db.Model):
    """A place where badges are scanned: a day's entrance or a workshop room."""

    __table_args__ = (UniqueConstraint("congress_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True
    )

    session = relationship("AgendaSession")


class CheckIn(db.Model):
    """A person passed a checkpoint. Once per person and checkpoint, by constraint.

    The device that scanned is the API token or the staff user behind the request, by id: two
    tokens may share a name, and a staff user's e-mail address is not a door's name. Neither
    is set for check-ins made by the system (demo data).
    """

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("registration_id", "checkpoint_id"),
        Index("ix_check_in_checkpoint_at", "checkpoint_id", "checked_in_at"),
        Index("ix_check_in_api_token_at", "api_token_id", "checked_in_at"),
        Index("ix_check_in_user_at", "user_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    api_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_token.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    registration = relationship("Registration")
    checkpoint: Mapped[Checkpoint] = relationship()


class ScanRecord(db.Model):
    """The first answer to a scan that carried a client nonce, so that the same device resending
    it gets that answer again.

    Nonces belong to a device (``device``: ``token:<id>`` or ``user:<id>``); another device's
    nonce is another scan. No personal data is stored: ``response`` holds the answer without the
    attendee, who is read again from ``registration_id`` on a replay, so an erased or anonymised
    person is not quoted from here. ``flask anonymise`` purges answers after a few days
    (``reports/privacy.py`` ``purge_scan_answers``).
    """

    __table_args__ = (UniqueConstraint("device", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
