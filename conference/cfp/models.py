"""What the call for contributions stores: the call of an edition with its formats, review
criteria and reviewers' tracks; submissions with their co-presenters and answers; reviews.

A submission is the submitter's until the deadline (their personal link, no account); its
decision is stored when the organisers mark it and only mailed once they release all
decisions at once (``Call.decisions_released_at``, ``Submission.decision_mailed_at``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class SubmissionStatus(StrEnum):
    PENDING = "pending"  # sent, the e-mail address not yet confirmed
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"


#: The question engine's scope of the call's extra questions.
QUESTION_SCOPE = "cfp"


class Call(db.Model):
    """An edition's call for contributions (at most one)."""

    __tablename__ = "cfp_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), unique=True
    )
    # None: the call is not open yet.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    intro_de: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    abstract_limit: Mapped[int] = mapped_column(Integer, default=1500)
    anonymous_review: Mapped[bool] = mapped_column(Boolean, default=False)
    decisions_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    formats: Mapped[list[Format]] = relationship(
        order_by="Format.position, Format.id", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        order_by="Criterion.position, Criterion.id", cascade="all, delete-orphan"
    )

    def is_open(self, now: datetime) -> bool:
        return self.deadline is not None and now < self.deadline

    def intro(self, language: str) -> str:
        return (self.intro_en if language == "en" else "") or self.intro_de


class Format(db.Model):
    """A kind of contribution (workshop, world café, input...) with its default length."""

    __tablename__ = "cfp_format"
    __table_args__ = (CheckConstraint("duration_minutes > 0", name="positive_duration"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("cfp_call.id", ondelete="CASCADE"), index=True)
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    # The agenda's kind of session an accepted contribution of this format becomes.
    session_kind: Mapped[str] = mapped_column(String(20), default="workshop")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, language: str) -> str:
        return (self.name_en if language == "en" else "") or self.name_de


class Criterion(db.Model):
    """What reviewers score from 1 to 5; the weight counts in the weighted average."""

    __tablename__ = "cfp_criterion"
    __table_args__ = (CheckConstraint("weight >= 1 AND weight <= 10", name="weight_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("cfp_call.id", ondelete="CASCADE"), index=True)
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, language: str) -> str:
        return (self.name_en if language == "en" else "") or self.name_de


class ReviewerTrack(db.Model):
    """A track a reviewer is assigned to; a reviewer without any sees every track."""

    __tablename__ = "cfp_reviewer_track"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[int] = mapped_column(
        ForeignKey("track.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Submission(db.Model):
    """A proposed contribution: the submitter's until the deadline, then the reviewers'."""

    __tablename__ = "cfp_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default=SubmissionStatus.PENDING)
    decision: Mapped[str] = mapped_column(String(12), default="")
    decision_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text)
    format_id: Mapped[int | None] = mapped_column(
        ForeignKey("cfp_format.id", ondelete="SET NULL"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("track.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(5), default="de")  # of the contribution
    target_group: Mapped[str] = mapped_column(String(300), default="")
    max_participants: Mapped[int | None] = mapped_column(Integer)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    carrier_id: Mapped[int | None] = mapped_column(
        ForeignKey("carrier_organisation.id", ondelete="SET NULL"), index=True
    )
    organisation_other: Mapped[str] = mapped_column(String(200), default="")
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    mail_language: Mapped[str] = mapped_column(String(5), default="de")
    manage_token: Mapped[str] = mapped_column(String(64), unique=True)
    confirm_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The draft agenda session made when the acceptance was released.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="SET NULL"), unique=True
    )

    format: Mapped[Format | None] = relationship()
    track = relationship("Track")
    carrier = relationship("CarrierOrganisation")
    presenters: Mapped[list[CoPresenter]] = relationship(
        order_by="CoPresenter.position, CoPresenter.id", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def organisation(self) -> str:
        return self.carrier.name if self.carrier is not None else self.organisation_other


class CoPresenter(db.Model):
    """Somebody who presents the contribution with the submitter."""

    __tablename__ = "cfp_presenter"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("cfp_submission.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class SubmissionAnswer(db.Model):
    """A submission's answer to one of the call's extra questions (the question engine's)."""

    __tablename__ = "cfp_answer"
    __table_args__ = (UniqueConstraint("submission_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("cfp_submission.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text, default="")

    choices: Mapped[list[SubmissionAnswerChoice]] = relationship(
        cascade="all, delete-orphan", back_populates="answer"
    )


class SubmissionAnswerChoice(db.Model):
    __tablename__ = "cfp_answer_choice"
    __table_args__ = (UniqueConstraint("answer_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("cfp_answer.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(
        ForeignKey("question_option.id", ondelete="CASCADE"), index=True
    )

    answer: Mapped[SubmissionAnswer] = relationship(back_populates="choices")


class Review(db.Model):
    """One reviewer's view of one submission (at most one: a unique constraint)."""

    __tablename__ = "cfp_review"
    __table_args__ = (UniqueConstraint("submission_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("cfp_submission.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scores: Mapped[list[ReviewScore]] = relationship(cascade="all, delete-orphan")


class ReviewScore(db.Model):
    __tablename__ = "cfp_review_score"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id"),
        CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("cfp_review.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("cfp_criterion.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column(Integer)
