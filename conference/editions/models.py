"""What an edition says in words, and who organises it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.core.time import UTCDateTime, utcnow
from conference.extensions import db


class TextKind(StrEnum):
    """The edition's texts besides the privacy notice (which is versioned on its own)."""

    WELCOME = "welcome"  # the landing page
    IMPRINT = "imprint"  # Impressum, § 5 DDG
    ACCESSIBILITY = "accessibility"  # Erklärung zur Barrierefreiheit, BITV 2.0


class EditionText(db.Model):
    """An organiser's text of one edition, in Markdown, in German and English."""

    __tablename__ = "edition_text"
    __table_args__ = (UniqueConstraint("congress_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    body_de: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PrivacyNotice(db.Model):
    """One version of an edition's privacy notice (Art. 13 GDPR). A changed text is a new row,
    never an edit: each registration records the ``label`` of the version it accepted (in
    ``Registration.consent_version``), and ``Congress.consent_text_version`` names the newest."""

    __tablename__ = "privacy_notice"
    __table_args__ = (
        UniqueConstraint("congress_id", "number"),
        UniqueConstraint("congress_id", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congress.id", ondelete="CASCADE"))
    number: Mapped[int]
    # What registrations store; "3" for versions written here, the old free text for older ones.
    label: Mapped[str] = mapped_column(String(40))
    body_de: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )


class OrganisingBody(db.Model):
    """The organisation behind every edition: set once, one row (id 1)."""

    __tablename__ = "organising_body"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_mimetype: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]
