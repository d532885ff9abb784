from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class DirectoryProfile(db.Model):
    """An attendee's opt-in entry in the networking directory."""

    __table_args__ = (UniqueConstraint("registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    opted_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    region: Mapped[str] = mapped_column(String(100), default="")
    topics: Mapped[str] = mapped_column(String(500), default="")


class ContactRequest(db.Model):
    """A message relayed by mail between attendees, without revealing addresses."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The relayed mail quotes the sender (name, perhaps address): erasing the sender deletes it.
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mail.id", ondelete="SET NULL"), index=True
    )
