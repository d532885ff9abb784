"""What mailings store: the mailing, the people it was expanded to, and the scheduled rules.

A ``Mailing`` is what an organiser sent (or a rule set off): the texts in both languages, the
attachments wanted and the recipient filter as JSON. Pressing "Senden" only stores it
(``state`` "expanding"); the outbox machinery turns it into mails in batches
(``conference/mailings/delivery.py``), moving ``cursor`` (the last registration id expanded)
by a conditional UPDATE, so two senders never take the same batch. ``MailingRecipient`` is one
person reached, unique per mailing: nobody gets a mailing twice. A ``MailingRule`` ("N days
before the start, at HH:MM, ...") sets off at most one mailing: ``Mailing.rule_id`` is unique.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class MailingState(StrEnum):
    EXPANDING = "expanding"  # stored; the outbox machinery is putting its mails in the outbox
    QUEUED = "queued"  # every mail is in the outbox


class Anchor(StrEnum):
    BEFORE_START = "before_start"
    AFTER_END = "after_end"


class _Texts:
    """Subject and body in German and English, and the attachments wanted."""

    subject_de: Mapped[str] = mapped_column(String(200))
    body_de: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)
    attach_ticket: Mapped[bool] = mapped_column(Boolean, default=False)
    attach_calendar: Mapped[bool] = mapped_column(Boolean, default=False)
    recipients: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    #: What a mailing takes from its rule, and a copied rule from the old one.
    TEXT_FIELDS = (
        "subject_de",
        "body_de",
        "subject_en",
        "body_en",
        "attach_ticket",
        "attach_calendar",
    )

    def texts(self) -> dict[str, Any]:
        """Subject, body and attachments wanted, by column: to give another row the same."""
        return {name: getattr(self, name) for name in self.TEXT_FIELDS}

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_de

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_de


class MailingRule(_Texts, db.Model):
    __tablename__ = "mailing_rule"
    __table_args__ = (
        CheckConstraint("anchor IN ('before_start', 'after_end')", name="known_anchor"),
        CheckConstraint("days >= 0 AND days <= 365", name="days_in_range"),
        # Each of the two defaults at most once per edition (one click each).
        UniqueConstraint("congress_id", "preset"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    anchor: Mapped[str] = mapped_column(String(20))
    days: Mapped[int] = mapped_column(Integer)
    send_time: Mapped[time] = mapped_column(Time)
    preset: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once, by the conditional UPDATE that claims the rule's run.
    ran_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mailing: Mapped[Mailing | None] = relationship(back_populates="rule", uselist=False)


class Mailing(_Texts, db.Model):
    __tablename__ = "mailing"
    __table_args__ = (
        CheckConstraint("state IN ('expanding', 'queued')", name="known_state"),
        UniqueConstraint("rule_id"),
        UniqueConstraint("form_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("mailing_rule.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default=MailingState.EXPANDING, index=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The key of the form that sent it: "Senden" pressed twice records one mailing.
    form_key: Mapped[str | None] = mapped_column(String(43))

    rule: Mapped[MailingRule | None] = relationship(back_populates="mailing")


class MailingRecipient(db.Model):
    __tablename__ = "mailing_recipient"
    __table_args__ = (UniqueConstraint("mailing_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("mailing.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    outbox_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mail.id", ondelete="SET NULL"), index=True
    )
