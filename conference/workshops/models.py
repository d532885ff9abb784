from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.agenda.models import PhaseMode, WorkshopPhase  # noqa: F401 - re-exported
from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class WorkshopSeat(db.Model):
    """A registration's seat in a workshop; at most one per phase."""

    __table_args__ = (UniqueConstraint("registration_id", "phase_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    phase_id: Mapped[int] = mapped_column(ForeignKey("workshop_phase.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(12), default="signup")  # signup|allocation|staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration = relationship("Registration")
    session = relationship("AgendaSession")


class WorkshopPreference(db.Model):
    """One ranked choice (1 = first choice) of a registration in a phase."""

    __table_args__ = (
        UniqueConstraint("registration_id", "phase_id", "rank"),
        UniqueConstraint("registration_id", "phase_id", "session_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    phase_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_phase.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"))
    rank: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WaitlistEntry(db.Model):
    """Waiting for a seat in a full workshop; the oldest entry is promoted first."""

    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
