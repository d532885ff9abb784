"""Editions: the limits, the refusals, reading editions and checking an edition's input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.agenda.models import AgendaSession, SessionStatus
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.errors import Invalid, NotFound
from conference.core.models import Congress
from conference.core.time import days_between, local
from conference.editions.models import TextKind
from conference.extensions import db
from conference.registration.models import Registration, RegistrationDay
from conference.workshops.models import WorkshopPhase

MAX_DAYS = 14
MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$")
MAX_TEXT = 50_000
PRIVACY = "privacy"
TEXT_KINDS = (TextKind.WELCOME.value, TextKind.IMPRINT.value, PRIVACY, TextKind.ACCESSIBILITY.value)


class EditionRefused(Invalid):
    """A settings change refused as a whole; ``errors`` maps form fields to messages."""

    code = "edition_refused"

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class EditionInput:
    """Everything the settings form holds. Datetimes are aware (the congress's time zone)."""

    title: str
    starts_on: date
    ends_on: date
    registration_opens_at: datetime
    registration_closes_at: datetime
    subtitle: str = ""
    timezone: str = "Europe/Berlin"
    venue_name: str = ""
    venue_address: str = ""
    venue_city: str = ""
    venue_accessibility: str = ""
    opens_at: time = time(8, 0)
    closes_at: time = time(20, 0)
    capacity: int | None = None
    expected_attendees: int | None = None
    contact_email: str = ""
    retention_months: int = 24
    slug: str | None = None  # None: made from the title on creation, kept on an update

    @classmethod
    def of(cls, congress: Congress) -> EditionInput:
        return cls(**{f.name: getattr(congress, f.name) for f in fields(cls)})


def time_zones() -> list[str]:
    """The IANA zones a congress may use (regions only, no "Etc/GMT+5" aliases)."""
    return sorted(
        zone
        for zone in available_timezones()
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )


# --- reading ----------------------------------------------------------------------------------


def editions() -> list[Congress]:
    return list(
        db.session.scalars(select(Congress).order_by(Congress.starts_on.desc(), Congress.id))
    )


def edition_or_404(congress_id: int) -> Congress:
    congress = db.session.get(Congress, congress_id)
    if congress is None:
        raise NotFound(_("There is no congress with this number."), code="unknown_congress")
    return congress


def registration_counts() -> dict[int, int]:
    """Registrations per edition, one grouped query."""
    return dict(
        db.session.execute(
            select(Registration.congress_id, func.count()).group_by(Registration.congress_id)
        ).all()
    )


# --- validation -------------------------------------------------------------------------------


def _problems(data: EditionInput, congress: Congress | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("Please give the congress a title.")
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _("The end cannot be before the start.")
    elif (data.ends_on - data.starts_on).days >= MAX_DAYS:
        errors["ends_on"] = _("A congress can last at most %(num)d days.", num=MAX_DAYS)
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _("Please choose a time zone from the list.")
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = _("The venue must close after it opens.")
    if data.registration_closes_at <= data.registration_opens_at:
        errors["registration_closes_at"] = _("Registration cannot close before it opens.")
    if data.slug is not None:
        if not SLUG.match(data.slug):
            errors["slug"] = _(
                "Use 3 to 60 lower-case letters, digits and hyphens, e.g. fachkongress-2027."
            )
        elif _slug_taken(data.slug, congress.id if congress else None):
            errors["slug"] = _("Another congress already uses this short name.")
    if congress is not None and not errors.keys() & {"ends_on", "timezone", "closes_at"}:
        errors.update(_change_problems(congress, data))
    return errors


def _slug_taken(slug: str, exclude_id: int | None) -> bool:
    query = select(Congress.id).where(Congress.slug == slug)
    if exclude_id is not None:
        query = query.where(Congress.id != exclude_id)
    return db.session.execute(query.limit(1)).first() is not None


def _change_problems(congress: Congress, data: EditionInput) -> dict[str, str]:
    """What an existing edition's data forbid: fewer seats than taken, dropped days in use,
    another time zone or shorter hours under existing sessions."""
    errors: dict[str, str] = {}
    if data.capacity is not None and data.capacity < congress.taken:
        errors["capacity"] = _(
            "%(taken)s seats are taken already; the capacity cannot be lower.",
            taken=congress.taken,
        )
    new_days = set(days_between(data.starts_on, data.ends_on))
    dropped = sorted(set(days_between(congress.starts_on, congress.ends_on)) - new_days)
    if dropped:
        used = _days_in_use(congress, dropped)
        if used:
            key = "starts_on" if used[0] < data.starts_on else "ends_on"
            errors[key] = _(
                "The new dates would remove %(days)s, which still have sessions, workshop "
                "phases or registrations. Move or remove those first.",
                days=", ".join(format_date(day, "medium") for day in used),
            )
        elif _has_check_ins(congress):
            errors["starts_on"] = _(
                "People have checked in already, so the days of this congress cannot change."
            )
    sessions = db.session.execute(
        select(AgendaSession.starts_at, AgendaSession.ends_at).where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.status != SessionStatus.CANCELLED,
        )
    ).all()
    if sessions and data.timezone != congress.timezone:
        errors["timezone"] = _(
            "The agenda has sessions already; changing the time zone would move them all."
        )
    elif sessions:
        outside = [
            s
            for s in sessions
            if local(s.starts_at, congress.timezone).time() < data.opens_at
            or local(s.ends_at, congress.timezone).time() > data.closes_at
        ]
        if outside:
            errors["opens_at"] = _(
                "%(num)d sessions lie outside these hours. Move them first.", num=len(outside)
            )
    return errors


def _days_in_use(congress: Congress, days: list[date]) -> list[date]:
    used: set[date] = set()
    for starts_at, ends_at in db.session.execute(
        select(AgendaSession.starts_at, AgendaSession.ends_at).where(
            AgendaSession.congress_id == congress.id
        )
    ):
        used.update(
            d
            for d in (
                local(starts_at, congress.timezone).date(),
                local(ends_at, congress.timezone).date(),
            )
            if d in days
        )
    used.update(
        db.session.scalars(
            select(RegistrationDay.day)
            .join(Registration, Registration.id == RegistrationDay.registration_id)
            .where(Registration.congress_id == congress.id, RegistrationDay.day.in_(days))
            .distinct()
        )
    )
    used.update(
        db.session.scalars(
            select(WorkshopPhase.day).where(
                WorkshopPhase.congress_id == congress.id, WorkshopPhase.day.in_(days)
            )
        )
    )
    return sorted(used)


def _has_check_ins(congress: Congress) -> bool:
    return (
        db.session.execute(
            select(CheckIn.id)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .where(Checkpoint.congress_id == congress.id)
            .limit(1)
        ).first()
        is not None
    )


# --- creating and changing ----------------------------------------------------------------------


def _slugify(title: str, year: int) -> str:
    text = title.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50].strip("-")
    if str(year) not in text:
        text = f"{text}-{year}".strip("-")
    return text if len(text) >= 3 else f"kongress-{year}"


def _free_slug(title: str, year: int) -> str:
    base = _slugify(title, year)
    candidate, number = base, 1
    while _slug_taken(candidate, None):
        number += 1
        candidate = f"{base[:55]}-{number}"
    return candidate


def _user_id(actor) -> int | None:
    return actor.id if type(actor).__name__ == "User" else None
