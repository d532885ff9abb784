from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.models import Congress
from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class SessionKind(StrEnum):
    PLENARY = "plenary"
    KEYNOTE = "keynote"
    PANEL = "panel"
    WORKSHOP = "workshop"
    FORUM = "forum"
    NETWORKING = "networking"
    BREAK = "break"


class SessionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class PhaseMode(StrEnum):
    FIRST_COME = "first_come"
    RANKED = "ranked"


class WorkshopPhase(db.Model):
    """A block of the agenda in which several workshops run in parallel; each attendee takes
    one. The agenda owns the block (its name and day: the builder offers it, the conflict check
    counts its seats); how its seats are given out (``mode``, the ranking deadline, the
    allocation) is the workshops area's business, stored here with it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12), default=PhaseMode.FIRST_COME)
    min_ranks: Mapped[int] = mapped_column(default=3)
    preferences_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    allocation_seed: Mapped[int | None] = mapped_column(Integer)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Room(db.Model):
    __table_args__ = (UniqueConstraint("congress_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(default=0)
    floor: Mapped[str] = mapped_column(String(60), default="")
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)  # column order in the agenda grid


class Track(db.Model):
    __table_args__ = (UniqueConstraint("congress_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(7), default="#1f5f8b")  # #rrggbb


class Speaker(db.Model):
    """A speaker or moderator; may or may not also be registered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(
        ForeignKey("congress.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_mimetype: Mapped[str] = mapped_column(String(40), default="")
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )


class AgendaSession(db.Model):
    """An item of the agenda: a plenary, a panel, a workshop, a break...

    ``sequence`` and ``changed_at`` move on every change to a published session, so that
    calendar clients (SEQUENCE, LAST-MODIFIED) and the public programme notice it.
    """

    __tablename__ = "agenda_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        CheckConstraint(
            "seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats"
        ),
        Index("ix_agenda_session_congress_starts", "congress_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="de")
    kind: Mapped[str] = mapped_column(String(20), default=SessionKind.FORUM)
    status: Mapped[str] = mapped_column(String(12), default=SessionStatus.DRAFT)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("track.id", ondelete="SET NULL"), index=True
    )
    # None: the room's capacity applies.
    capacity: Mapped[int | None] = mapped_column(Integer)
    signup_required: Mapped[bool] = mapped_column(Boolean, default=False)
    phase_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_phase.id", ondelete="SET NULL"), index=True
    )
    seats_taken: Mapped[int] = mapped_column(default=0)
    sequence: Mapped[int] = mapped_column(default=0)
    # What changed last on a published session, shown publicly: "room", "time", "cancelled".
    public_change: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    congress: Mapped[Congress] = relationship()
    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    speaker_links: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionSpeaker.position"
    )


class SessionSpeaker(db.Model):
    __table_args__ = (UniqueConstraint("session_id", "speaker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speaker.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12), default="speaker")  # speaker | moderator
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[AgendaSession] = relationship(back_populates="speaker_links")
    speaker: Mapped[Speaker] = relationship()
