"""The organisers' own mail texts: one row per edition, mail kind and language. A kind without
a row is sent with its default text (``registry.KINDS``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class MailText(db.Model):
    __tablename__ = "mail_text"
    __table_args__ = (UniqueConstraint("congress_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))  # a key of registry.BY_KEY
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
