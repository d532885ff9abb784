from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class Role(StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    CHECKIN = "checkin"
    COORDINATOR = "coordinator"
    REVIEWER = "reviewer"  # the call for contributions' review pages only


def new_session_version() -> str:
    return secrets.token_urlsafe(12)


class User(UserMixin, db.Model):
    """A staff member. Attendees have no account: their manage link is their key.

    The session cookie holds ``get_id()``, the id *and* the session version; the user loader
    accepts the cookie only while the version matches. ``end_sessions()`` rotates the version
    (logout, password change, deactivation), so every copy of an older cookie stops working
    at once, on every worker: the cookie itself is signed but cannot be recalled.
    """

    __table_args__ = (
        CheckConstraint(
            "role <> 'coordinator' OR organisation_id IS NOT NULL", name="coordinator_has_org"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("carrier_organisation.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="de")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[str] = mapped_column(
        String(32), default=new_session_version, server_default=""
    )

    organisation = relationship("CarrierOrganisation")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Sign out every session of this user, wherever its cookie is."""
        self.session_version = new_session_version()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role == Role.ADMIN or self.role in roles


class ApiToken(db.Model):
    """A bearer token for a scanning device or a reporting script. Only its digest is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
