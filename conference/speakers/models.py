"""A speaker's personal link and answer, and the materials of agenda sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class SpeakerAccess(db.Model):
    """The key of a speaker's self-service page and whether they confirmed taking part."""

    __tablename__ = "speaker_access"

    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionMaterial(db.Model):
    """A file of a session (slides, handout, photo documentation, graphic recording)."""

    __tablename__ = "session_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True
    )
    # "material", "photo" (photo documentation) or "recording" (graphic recording)
    kind: Mapped[str] = mapped_column(String(12), default="material")
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # Public: on the published session's page for everyone; else for attendees (their link).
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_by: Mapped[str] = mapped_column(String(20), default="organiser")  # or "speaker"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
