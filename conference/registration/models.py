from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.collation import name_key
from conference.core.models import CarrierOrganisation, Congress, LocalStructure
from conference.core.time import UTCDateTime, utcnow
from conference.core.tokens import new_token
from conference.extensions import db


class Status(StrEnum):
    PENDING = "pending"  # registered, e-mail address not yet confirmed
    CONFIRMED = "confirmed"  # holds a seat
    WAITLISTED = "waitlisted"  # confirmed the address, but no seat was free
    CANCELLED = "cancelled"


class ProgrammeRole(StrEnum):
    """The person's role in the mentoring programme (German forms in the catalogue)."""

    SPONSOR = "sponsor"  # Pat:in
    MENTOR = "mentor"  # Mentor:in
    GUIDE = "guide"  # Lots:in
    COORDINATOR = "coordinator"  # Koordinator:in
    STAFF = "staff"  # hauptamtlich Mitarbeitende
    ADMINISTRATION = "administration"  # Verwaltung/Politik
    RESEARCH = "research"  # Wissenschaft
    PRESS = "press"  # Presse
    OTHER = "other"  # Sonstige


class Sector(StrEnum):
    CIVIL_SOCIETY = "civil_society"
    MUNICIPAL = "municipal"
    STATE = "state"
    FEDERAL = "federal"
    RESEARCH = "research"


#: ``Registration.source`` of a speaker's registration: confirmed for the days of their
#: sessions (badge, door, personal calendar) without taking a congress, day or quota seat.
SPEAKER_SOURCE = "speaker"


class BadgeRole(StrEnum):
    """The coloured band on the badge."""

    ATTENDEE = "attendee"
    SPEAKER = "speaker"
    MODERATOR = "moderator"
    STAFF = "staff"
    PRESS = "press"
    ORGANISER = "organiser"


class Diet(StrEnum):
    NONE = "none"
    VEGETARIAN = "vegetarian"
    VEGAN = "vegan"
    HALAL = "halal"
    KOSHER = "kosher"
    GLUTEN_FREE = "gluten_free"
    LACTOSE_FREE = "lactose_free"


def _name_key_default(context) -> bytes:
    """On INSERT (also bulk and Core inserts): the key of the row's own names."""
    values = context.get_current_parameters()
    return name_key(values.get("last_name"), values.get("first_name"))


class Registration(db.Model):
    """A person's registration for one congress; the tokens are its keys."""

    __table_args__ = (
        UniqueConstraint("congress_id", "email"),
        Index("ix_registration_congress_status", "congress_id", "status"),
        Index("ix_registration_congress_last_name", "congress_id", "last_name"),
        Index("ix_registration_congress_name_key", "congress_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=Status.PENDING)

    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    # "Last First" as a collation key (core/collation.py): lists sort by it in SQL, so that
    # "Özdemir" stands with the O's and "Çelik" with the C's on SQLite and PostgreSQL alike.
    name_key: Mapped[bytes] = mapped_column(LargeBinary, default=_name_key_default)
    # Stored lower-cased, so uniqueness holds for "Anna@X.de" and "anna@x.de".
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="de")

    carrier_id: Mapped[int | None] = mapped_column(
        ForeignKey("carrier_organisation.id", ondelete="SET NULL"), index=True
    )
    local_structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_structure.id", ondelete="SET NULL"), index=True
    )
    organisation_other: Mapped[str] = mapped_column(String(200), default="")
    programme_role: Mapped[str] = mapped_column(String(20), default=ProgrammeRole.OTHER)
    sector: Mapped[str] = mapped_column(String(20), default=Sector.CIVIL_SOCIETY)
    badge_role: Mapped[str] = mapped_column(String(20), default=BadgeRole.ATTENDEE)

    needs_step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_sign_language: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_induction_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    diet: Mapped[str] = mapped_column(String(20), default=Diet.NONE)
    diet_notes: Mapped[str] = mapped_column(String(500), default="")

    # GDPR: what was consented to, when, and to which version of the text.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(40), default="")
    photo_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    photo_consent_version: Mapped[str] = mapped_column(String(40), default="")

    # Opaque keys, each revocable on its own (see core/tokens.py).
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    badge_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    confirm_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=new_token)
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the person was last placed: the double opt-in completed and they got a seat or a
    # waiting-list place (``waitlisted_at``), or a promotion from the waiting list gave them a seat.
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20), default="online")  # online|staff|import|walk_in
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    congress: Mapped[Congress] = relationship()
    carrier: Mapped[CarrierOrganisation | None] = relationship()
    local_structure: Mapped[LocalStructure | None] = relationship()
    days: Mapped[list[RegistrationDay]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="RegistrationDay.day"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def organisation_label(self) -> str:
        if self.carrier is None:
            return self.organisation_other
        if self.local_structure is not None:
            return f"{self.carrier.label} · {self.local_structure.name}"
        return self.carrier.label


@event.listens_for(Registration, "before_update")
def _names_changed(_mapper, _connection, registration: Registration) -> None:
    state = inspect(registration)
    if state.attrs.first_name.history.has_changes() or state.attrs.last_name.history.has_changes():
        registration.name_key = name_key(registration.last_name, registration.first_name)


class RegistrationDay(db.Model):
    """A congress day the registration attends."""

    __table_args__ = (UniqueConstraint("registration_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)

    registration: Mapped[Registration] = relationship(back_populates="days")
