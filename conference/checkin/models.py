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
    """A person passed a checkpoint. Once per person and checkpoint, by constraint."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("registration_id", "checkpoint_id"),
        Index("ix_check_in_checkpoint_at", "checkpoint_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device: Mapped[str] = mapped_column(String(120), default="")  # user e-mail or token name

    registration = relationship("Registration")
    checkpoint: Mapped[Checkpoint] = relationship()


class ScanRecord(db.Model):
    """The answer given to a scan that carried a client nonce, so a resent scan gets it again.

    The answer quotes the person's name and organisation: erasing the person deletes it (by
    ``registration_id``), and ``flask anonymise`` purges answers after a few days
    (``reports/privacy.py`` ``purge_scan_answers``).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(80), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    # No index: one less write per scan; erasure and the purge are rare and the table small.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE")
    )
