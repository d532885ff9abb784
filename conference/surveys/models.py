"""What the evaluation survey stores.

A survey belongs to one edition. Its questions are about the congress as a whole, or "per
session": asked once for every session the person attended. One ``SurveyResponse`` is one
person's answer set. In an anonymous survey the response carries no registration and no time,
and the only trace of the person is a ``SurveyParticipation`` row ("has answered"), which has
no order of its own either (no surrogate key, no timestamp, no SQLite rowid): nothing stored
ties an answer set to the person who gave it.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
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
    RATING = "rating"  # 1 to 5, with words at both ends
    SINGLE = "single"  # one of the options
    MULTIPLE = "multiple"  # any of the options
    TEXT = "text"  # free text


def _response_key() -> str:
    """A random key: sequential ids would order anonymous answer sets by time."""
    return secrets.token_hex(16)


class Survey(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), unique=True
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Open from the end of the congress until the end of this day (congress time zone).
    closes_on: Mapped[date] = mapped_column(Date)
    intro_de: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey",
        order_by="SurveyQuestion.position, SurveyQuestion.id",
        cascade="all, delete-orphan",
    )


class SurveyQuestion(db.Model):
    __table_args__ = (
        CheckConstraint("kind IN ('rating', 'single', 'multiple', 'text')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(12))
    text_de: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str] = mapped_column(String(500), default="")
    # The words at both ends of a rating (1 and 5).
    low_de: Mapped[str] = mapped_column(String(100), default="")
    low_en: Mapped[str] = mapped_column(String(100), default="")
    high_de: Mapped[str] = mapped_column(String(100), default="")
    high_en: Mapped[str] = mapped_column(String(100), default="")
    per_session: Mapped[bool] = mapped_column(Boolean, default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list[SurveyOption]] = relationship(
        back_populates="question",
        order_by="SurveyOption.position, SurveyOption.id",
        cascade="all, delete-orphan",
    )


class SurveyOption(db.Model):
    """A choice of a single- or multiple-choice question."""

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label_de: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200), default="")

    question: Mapped[SurveyQuestion] = relationship(back_populates="options")


class SurveyParticipation(db.Model):
    """The fact that a person answered: the guard of "one answer set per person" in both
    modes. Deliberately without an id, a time or a rowid (see the module's docstring)."""

    __table_args__ = {"sqlite_with_rowid": False}

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SurveyResponse(db.Model):
    """One answer set. ``registration_id`` and ``updated_at`` are set only in a survey that is
    not anonymous (there the person may change the answers until the survey closes)."""

    __table_args__ = (UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_response_key)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(db.Model):
    """One answer to one question (about one session, for per-session questions). A multiple
    choice is one row per chosen option."""

    __table_args__ = (
        Index("ix_survey_answer_question_session", "question_id", "session_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int | None] = mapped_column(Integer)
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_option.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
