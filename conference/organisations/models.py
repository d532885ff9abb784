from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class OrganisationKind(StrEnum):
    WELFARE = "welfare"  # Wohlfahrtsverband
    FOUNDATION = "foundation"
    VOLUNTEER_AGENCY = "volunteer_agency"
    MIGRANT = "migrant"  # Migrant:innenorganisation
    OTHER = "other"


class CarrierOrganisation(db.Model):
    """A carrier organisation of the federal programme."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(30), default=OrganisationKind.OTHER)
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(60), default="")  # Bundesland
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    local_structures: Mapped[list[LocalStructure]] = relationship(
        back_populates="carrier", order_by="LocalStructure.name", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return self.short_name or self.name


class LocalStructure(db.Model):
    """A local structure (lokale Struktur) under a carrier organisation."""

    __table_args__ = (UniqueConstraint("carrier_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(
        ForeignKey("carrier_organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(60), default="")

    carrier: Mapped[CarrierOrganisation] = relationship(back_populates="local_structures")


class OrganisationQuota(db.Model):
    """The most seats a carrier organisation's people may hold at one congress, counted
    race-free. A cap, not a reservation: its people also need a free seat of the congress and
    of each of their days, so they can be waitlisted with quota left once the congress is full.
    """

    __table_args__ = (
        UniqueConstraint("congress_id", "carrier_id"),
        CheckConstraint("taken >= 0 AND taken <= quota", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    carrier_id: Mapped[int] = mapped_column(
        ForeignKey("carrier_organisation.id", ondelete="CASCADE"), index=True
    )
    quota: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)

    carrier: Mapped[CarrierOrganisation] = relationship()
