"""What the question engine stores: questions with their options, and the answers of
registrations.

A question belongs to one congress and one ``scope`` (the kind of thing that answers it:
"registration" today; the call for contributions adds its own). Answers live in a table per
scope (``RegistrationAnswer`` for registrations), so erasing a person or a submission is a
plain delete with its foreign key, and no answer table knows the others.

Choice answers (single and multiple choice, yes/no) are rows of ``RegistrationAnswerChoice``
pointing at the chosen options: counting per option is one grouped query, and a mailing can
filter by "answered X" with a join. Other answers keep their value as text (a number as
digits, a date as ISO 8601).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"  # radio buttons, a select list when there are many options
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"  # a choice with two fixed options, so a condition can point at "yes"
    NUMBER = "number"  # a whole number, optionally within min/max
    DATE = "date"


#: Kinds whose answers are options (and which other questions may depend on).
CHOICE_KINDS = frozenset(
    {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.YES_NO}
)


class QuestionScope(StrEnum):
    REGISTRATION = "registration"


class Question(db.Model):
    """A question the organisers ask, in German and English, in a place of their choosing."""

    __table_args__ = (
        Index("ix_question_congress_scope", "congress_id", "scope", "position"),
        CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(30), default=QuestionScope.REGISTRATION)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text_de: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str] = mapped_column(String(500), default="")
    help_de: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    min_value: Mapped[int | None] = mapped_column(Integer)
    max_value: Mapped[int | None] = mapped_column(Integer)
    visible_to_coordinators: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown only when the answer to another choice question includes this option.
    condition_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_option.id", ondelete="SET NULL", use_alter=True), index=True
    )
    # Archived: hidden from every form, its answers stay (exports, privacy export).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question",
        order_by="QuestionOption.position, QuestionOption.id",
        cascade="all, delete-orphan",
        foreign_keys="QuestionOption.question_id",
    )
    condition_option: Mapped[QuestionOption | None] = relationship(
        foreign_keys=[condition_option_id], post_update=True
    )

    def text(self, language: str) -> str:
        """The question in ``language``; the German text where the English one is missing."""
        return (self.text_en if language == "en" else "") or self.text_de

    def help(self, language: str) -> str:
        return (self.help_en if language == "en" else "") or self.help_de

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def active_options(self) -> list[QuestionOption]:
        return [option for option in self.options if option.archived_at is None]


class QuestionOption(db.Model):
    """One answer a choice question offers. Answered options are archived, never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text_de: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300), default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship(back_populates="options", foreign_keys=[question_id])

    def text(self, language: str) -> str:
        return (self.text_en if language == "en" else "") or self.text_de


class RegistrationAnswer(db.Model):
    """A registration's answer to one question (at most one each)."""

    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text, default="")  # "" for choice answers

    choices: Mapped[list[RegistrationAnswerChoice]] = relationship(
        cascade="all, delete-orphan", back_populates="answer"
    )


class RegistrationAnswerChoice(db.Model):
    """An option chosen in a registration's answer."""

    __table_args__ = (UniqueConstraint("answer_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("registration_answer.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(
        ForeignKey("question_option.id", ondelete="CASCADE"), index=True
    )

    answer: Mapped[RegistrationAnswer] = relationship(back_populates="choices")
