"""What a scan finds: the result, the door, the person as the door sees them, the device."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from conference.checkin.models import Checkpoint
from conference.core.errors import Conflict
from conference.core.models import Congress

MAX_NONCE_LENGTH = 80


class ScanResult(StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    NOT_REGISTERED_FOR_TODAY = "not_registered_for_today"
    NOT_CONFIRMED = "not_confirmed"


class NonceReused(Conflict):
    code = "nonce_reused"


@dataclass(frozen=True)
class Device:
    """Who scans: an API token (a door device) or a staff user, by id, never by name.

    ``name`` is what other doors are told about it: the token's name or the user's name, never
    an e-mail address. Nonces belong to a device (``key``).
    """

    token_id: int | None = None
    user_id: int | None = None
    name: str = ""

    @property
    def key(self) -> str:
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return f"user:{self.user_id}"


@dataclass(frozen=True)
class Door:
    """The checkpoint a scan is for, with the little the answer needs of its congress."""

    id: int
    code: str
    name: str
    day: date
    session_id: int | None
    congress_id: int
    timezone: str

    @classmethod
    def of(cls, checkpoint: Checkpoint, congress: Congress) -> Door:
        return cls(
            checkpoint.id,
            checkpoint.code,
            checkpoint.name,
            checkpoint.day,
            checkpoint.session_id,
            congress.id,
            congress.timezone,
        )


@dataclass(frozen=True)
class Attendee:
    """The little a door needs to know about a person, read with the scan's one statement."""

    id: int
    status: str
    full_name: str
    organisation: str
    badge_role: str
    registered_for_day: bool


@dataclass
class ScanOutcome:
    """What a scan found. ``attendee`` is None for an unknown code (or an erased person)."""

    result: ScanResult
    checkpoint: Door
    attendee: Attendee | None = None
    checked_in_at: datetime | None = None
    device: str = ""  # the display name of the device that checked the person in
    status: str = ""  # the registration's status, for the wording of a refusal
    replayed: bool = False
    stored: dict[str, Any] | None = None  # the stored answer of a resent nonce
    workshops: list[dict[str, str]] = field(default_factory=list)
