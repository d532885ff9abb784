"""Editions: create, configure, copy and delete a congress; its texts; the organising body.

Services take the actor and ``now``, flush but never commit. A settings change is checked as a
whole before anything is written, and refused with a message per field (``EditionRefused``):
the end before the start, a capacity below the seats taken, registration closing before it
opens, a taken short name, dates that would drop a day that still has sessions or people.
Capacities are lowered by conditional UPDATEs, so a seat taken at the same moment cannot slip
under the new limit; "exactly one edition is current" is a partial unique index.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from conference.agenda import services as agenda
from conference.agenda.models import AgendaSession, Room, SessionStatus, Track
from conference.checkin.models import CheckIn, Checkpoint
from conference.checkin.services import ensure_checkpoints
from conference.core import audit
from conference.core.errors import Conflict, Invalid, NotFound
from conference.core.models import Congress, CongressDay, OrganisationQuota
from conference.core.time import days_between, local
from conference.editions.models import EditionText, OrganisingBody, PrivacyNotice, TextKind
from conference.editions.texts import TEMPLATES
from conference.extensions import db
from conference.mailtexts import services as mailtexts
from conference.questions import services as questions
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


def create_edition(
    data: EditionInput, *, actor, now: datetime, privacy: tuple[str, str] | None = None
) -> Congress:
    """A new edition with one day per date and its privacy notice as version 1 (the template,
    or ``privacy``'s German and English text). The first edition becomes current.
    Raises EditionRefused."""
    errors = _problems(data, None)
    if errors:
        raise EditionRefused(errors)
    values = {f.name: getattr(data, f.name) for f in fields(EditionInput) if f.name != "slug"}
    congress = Congress(
        **values,
        slug=data.slug or _free_slug(data.title, data.starts_on.year),
        consent_text_version="1",
        is_current=False,
        created_at=now,
    )
    congress.days = [CongressDay(day=day) for day in days_between(data.starts_on, data.ends_on)]
    db.session.add(congress)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise EditionRefused(
            {"slug": _("Another congress already uses this short name.")}
        ) from None
    body_de, body_en = privacy or TEMPLATES[PRIVACY]
    db.session.add(
        PrivacyNotice(
            congress_id=congress.id,
            number=1,
            label="1",
            body_de=body_de,
            body_en=body_en,
            created_at=now,
            created_by_user_id=_user_id(actor),
        )
    )
    audit.record("edition.created", congress, actor=actor, title=congress.title)
    if db.session.execute(select(Congress.id).where(Congress.is_current).limit(1)).first() is None:
        mark_current(congress, actor=actor)
    ensure_checkpoints(congress)
    db.session.flush()
    return congress


def update_edition(congress: Congress, data: EditionInput, *, actor, now: datetime) -> list[str]:
    """Change an edition's settings; returns the names of the changed fields.
    Raises EditionRefused (nothing is changed then)."""
    errors = _problems(data, congress)
    if errors:
        raise EditionRefused(errors)
    if data.capacity != congress.capacity:
        # Race-free: a seat taken since the check above cannot slip under the new limit.
        query = update(Congress).where(Congress.id == congress.id)
        if data.capacity is not None:
            query = query.where(Congress.taken <= data.capacity)
        if db.session.execute(query.values(capacity=data.capacity)).rowcount == 0:
            db.session.refresh(congress)
            raise EditionRefused(
                {
                    "capacity": _(
                        "%(taken)s seats are taken already; the capacity cannot be lower.",
                        taken=congress.taken,
                    )
                }
            )
    changed = []
    for f in fields(EditionInput):
        value = getattr(data, f.name)
        if f.name == "slug" and value is None:
            continue
        if getattr(congress, f.name) != value:
            changed.append(f.name)
            setattr(congress, f.name, value)
    if {"starts_on", "ends_on"} & set(changed):
        _sync_days(congress)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        db.session.refresh(congress)
        raise EditionRefused(
            {"slug": _("Another congress already uses this short name.")}
        ) from None
    if changed:
        audit.record("edition.updated", congress, actor=actor, fields=changed)
    return changed


def _sync_days(congress: Congress) -> None:
    """One day row per date. Dropped days were checked to be unused; the day entrances follow
    the dates (none has check-ins: the dates are fixed once people came)."""
    wanted = set(days_between(congress.starts_on, congress.ends_on))
    for row in list(congress.days):
        if row.day not in wanted:
            congress.days.remove(row)
    present = {row.day for row in congress.days}
    for day in sorted(wanted - present):
        congress.days.append(CongressDay(day=day))
    db.session.flush()
    db.session.execute(
        delete(Checkpoint).where(
            Checkpoint.congress_id == congress.id,
            Checkpoint.session_id.is_(None),
            ~Checkpoint.id.in_(select(CheckIn.checkpoint_id)),
        )
    )
    ensure_checkpoints(congress)


def set_day_capacities(
    congress: Congress, capacities: dict[int, int | None], *, actor
) -> list[CongressDay]:
    """Per-day capacities (None: no limit of its own), each never below the day's seats taken
    (conditional UPDATE). Raises EditionRefused keyed ``day-<id>``; nothing changes then."""
    days = {row.id: row for row in congress.days}
    errors = {}
    for day_id, capacity in capacities.items():
        row = days.get(day_id)
        if row is None:
            raise NotFound(_("This day does not belong to the congress."))
        if capacity is not None and capacity < row.taken:
            errors[f"day-{day_id}"] = _(
                "%(taken)s seats are taken already; the capacity cannot be lower.",
                taken=row.taken,
            )
    if errors:
        raise EditionRefused(errors)
    changed = []
    for day_id, capacity in capacities.items():
        row = days[day_id]
        if row.capacity == capacity:
            continue
        query = update(CongressDay).where(CongressDay.id == day_id)
        if capacity is not None:
            query = query.where(CongressDay.taken <= capacity)
        if db.session.execute(query.values(capacity=capacity)).rowcount == 0:
            raise EditionRefused(
                {f"day-{day_id}": _("Seats were taken meanwhile; the capacity cannot be this low.")}
            )
        changed.append(row)
        audit.record(
            "edition.day_capacity_changed",
            congress,
            actor=actor,
            day=row.day,
            old=row.capacity,
            new=capacity,
        )
    for row in changed:
        db.session.refresh(row)
    return changed


def mark_current(congress: Congress, *, actor) -> None:
    """Make this edition the one the public pages show. Two statements in one transaction;
    the partial unique index refuses a second current edition marked at the same moment
    (Conflict: reload and try again)."""
    if congress.is_current:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(
                update(Congress)
                .where(Congress.is_current, Congress.id != congress.id)
                .values(is_current=False)
                .execution_options(synchronize_session=False)
            )
            db.session.execute(
                update(Congress)
                .where(Congress.id == congress.id)
                .values(is_current=True)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        raise Conflict(
            _("Another edition was marked current at the same moment. Please reload the page."),
            code="current_changed",
        ) from None
    for row in db.session.identity_map.values():
        if isinstance(row, Congress):
            db.session.expire(row, ["is_current"])
    audit.record("edition.made_current", congress, actor=actor)


def set_programme_published(congress: Congress, published: bool, *, actor, now: datetime) -> int:
    """Publish (every draft session too; refused while conflicts remain) or withdraw the
    programme from the public pages. Returns the number of sessions published."""
    if published:
        return agenda.publish_programme(congress, actor=actor, now=now)
    if congress.programme_published:
        congress.programme_published = False
        audit.record("edition.programme_unpublished", congress, actor=actor)
        db.session.flush()
    return 0


def open_registration(congress: Congress, *, actor, now: datetime) -> None:
    """Open registration now (early, or again after it was closed)."""
    if congress.registration_open(now):
        return
    if congress.registration_opens_at is None or congress.registration_opens_at > now:
        congress.registration_opens_at = now
    if congress.registration_closes_at is not None and congress.registration_closes_at <= now:
        # Reopened: it closes again at the congress's start unless the organiser says otherwise.
        start = datetime.combine(congress.starts_on, time(0), tzinfo=ZoneInfo(congress.timezone))
        congress.registration_closes_at = start if start > now else None
    audit.record("edition.registration_opened", congress, actor=actor)
    db.session.flush()


def close_registration(congress: Congress, *, actor, now: datetime) -> None:
    """Close registration now (early). People already registered keep their places."""
    if not congress.registration_open(now):
        return
    congress.registration_closes_at = now
    if congress.registration_opens_at is not None and congress.registration_opens_at > now:
        congress.registration_opens_at = now
    audit.record("edition.registration_closed", congress, actor=actor)
    db.session.flush()


def deletion_blockers(congress: Congress, others: int) -> list[str]:
    """Why this edition cannot be deleted (empty: it can)."""
    reasons = []
    count = registration_counts().get(congress.id, 0)
    if count:
        reasons.append(
            _(
                "It holds %(num)d registrations. Past editions stay for reports, exports and "
                "certificates; their people are anonymised after the retention period.",
                num=count,
            )
        )
    if congress.is_current and others:
        reasons.append(_("It is the current edition. Mark another edition current first."))
    return reasons


def delete_edition(congress: Congress, *, actor) -> None:
    """Delete an edition without registrations, with everything hanging off it (agenda,
    workshops, quotas, texts). Raises Conflict otherwise."""
    others = db.session.scalar(select(func.count(Congress.id)).where(Congress.id != congress.id))
    reasons = deletion_blockers(congress, others)
    if reasons:
        raise Conflict(" ".join(reasons), code="edition_in_use")
    audit.record(
        "edition.deleted",
        None,
        actor=actor,
        title=congress.title,
        starts_on=congress.starts_on,
    )
    db.session.delete(congress)
    db.session.flush()


# --- copying an edition ---------------------------------------------------------------------------


@dataclass
class CopyPreview:
    """What copying would take over, by part (``(label, count)``), and what it leaves out."""

    parts: list[tuple[str, int]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def copy_defaults(source: Congress) -> EditionInput:
    """The source's settings a year on: the same weekdays (52 weeks), the year in the title."""
    shift = timedelta(weeks=52)
    data = EditionInput.of(source)
    data.slug = None
    data.starts_on, data.ends_on = source.starts_on + shift, source.ends_on + shift
    data.title = source.title.replace(str(source.starts_on.year), str(data.starts_on.year))
    for name in ("registration_opens_at", "registration_closes_at"):
        value = getattr(source, name)
        if value is not None:
            setattr(data, name, value + shift)
    return data


def copy_preview(source: Congress, data: EditionInput | None = None) -> CopyPreview:
    """The list the copy page shows before anything is created: one query per part."""
    new_length = (
        (data.ends_on - data.starts_on).days + 1
        if data is not None and data.ends_on >= data.starts_on
        else (source.ends_on - source.starts_on).days + 1
    )

    def count(model, *conditions) -> int:
        return db.session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.congress_id == source.id, *conditions)
        )

    sessions = [
        (local(s, source.timezone).date() - source.starts_on).days
        for s in db.session.scalars(
            select(AgendaSession.starts_at).where(
                AgendaSession.congress_id == source.id,
                AgendaSession.status != SessionStatus.CANCELLED,
            )
        )
    ]
    kept = sum(1 for index in sessions if 0 <= index < new_length)
    phases = [
        (day - source.starts_on).days
        for day in db.session.scalars(
            select(WorkshopPhase.day).where(WorkshopPhase.congress_id == source.id)
        )
    ]
    texts = count(EditionText)
    preview = CopyPreview(
        parts=[
            (_("Rooms"), count(Room)),
            (_("Tracks"), count(Track)),
            (_("Sessions of the agenda, as drafts"), kept),
            (_("Workshop phases"), sum(1 for index in phases if 0 <= index < new_length)),
            (_("Quotas of carrier organisations"), count(OrganisationQuota)),
            (_("Texts (welcome, imprint, accessibility statement)"), texts),
            (_("Privacy notice (its newest version)"), 1),
            (_("Registration questions"), questions.copied_question_count(source.id)),
            (_("Mail texts of its own"), mailtexts.copied_text_count(source.id)),
        ]
    )
    if kept < len(sessions):
        preview.left_out.append(
            _(
                "%(num)d sessions lie on days the new dates do not have; they are not copied.",
                num=len(sessions) - kept,
            )
        )
    preview.left_out.append(
        _(
            "Not copied: people (registrations, speakers, waiting lists, check-ins), seats taken "
            "and workshop allocations."
        )
    )
    return preview


def copy_edition(source: Congress, data: EditionInput, *, actor, now: datetime) -> Congress:
    """A new edition for new dates with everything of ``source`` but its people.
    Raises EditionRefused (nothing is created then)."""
    notice = newest_privacy_notice(source)
    target = create_edition(
        data, actor=actor, now=now, privacy=(notice.body_de, notice.body_en) if notice else None
    )
    copied = _copy_parts(source, target, actor=actor, now=now)
    audit.record("edition.copied", target, actor=actor, source=source.id, **copied)
    return target


def _copy_parts(source: Congress, target: Congress, *, actor, now: datetime) -> dict[str, int]:
    """Each area's copy step, in order; the one place where another area's part is added:
    a line here, returning its count (and one in ``copy_preview``)."""
    copied = {}
    phases = _copy_phases(source, target)
    copied["phases"] = len(phases)
    copied["sessions"] = agenda.copy_skeleton(source, target, actor=actor, now=now, phases=phases)
    copied["quotas"] = _copy_quotas(source, target)
    copied["texts"] = _copy_texts(source, target, now=now)
    copied["day_capacities"] = _copy_day_capacities(source, target)
    copied["questions"] = questions.copy_questions(source, target)
    copied["mail_texts"] = mailtexts.copy_mail_texts(source, target)
    ensure_checkpoints(target)
    return copied


def _copy_phases(source: Congress, target: Congress) -> dict[int, int]:
    """Workshop phases on the same day of the congress; a deadline moves with the dates."""
    shift = target.starts_on - source.starts_on
    length = (target.ends_on - target.starts_on).days
    mapping = {}
    for phase in db.session.scalars(
        select(WorkshopPhase)
        .where(WorkshopPhase.congress_id == source.id)
        .order_by(WorkshopPhase.id)
    ):
        index = (phase.day - source.starts_on).days
        if not 0 <= index <= length:
            continue
        copy = WorkshopPhase(
            congress_id=target.id,
            name=phase.name,
            day=target.starts_on + timedelta(days=index),
            mode=phase.mode,
            min_ranks=phase.min_ranks,
            preferences_close_at=phase.preferences_close_at + shift
            if phase.preferences_close_at
            else None,
        )
        db.session.add(copy)
        db.session.flush()
        mapping[phase.id] = copy.id
    return mapping


def _copy_quotas(source: Congress, target: Congress) -> int:
    rows = db.session.execute(
        select(OrganisationQuota.carrier_id, OrganisationQuota.quota).where(
            OrganisationQuota.congress_id == source.id
        )
    ).all()
    db.session.add_all(
        OrganisationQuota(congress_id=target.id, carrier_id=carrier_id, quota=quota)
        for carrier_id, quota in rows
    )
    return len(rows)


def _copy_texts(source: Congress, target: Congress, *, now: datetime) -> int:
    rows = db.session.scalars(select(EditionText).where(EditionText.congress_id == source.id)).all()
    db.session.add_all(
        EditionText(
            congress_id=target.id,
            kind=row.kind,
            body_de=row.body_de,
            body_en=row.body_en,
            updated_at=now,
        )
        for row in rows
    )
    return len(rows)


def _copy_day_capacities(source: Congress, target: Congress) -> int:
    old = [row.capacity for row in source.days]
    count = 0
    for index, row in enumerate(target.days):
        if index < len(old) and old[index] is not None:
            row.capacity = old[index]
            count += 1
    db.session.flush()
    return count


# --- texts --------------------------------------------------------------------------------------


def text_of(congress: Congress, kind: str) -> tuple[str, str]:
    """(German, English) Markdown of a text; the privacy notice's newest version."""
    if kind == PRIVACY:
        notice = newest_privacy_notice(congress)
        return (notice.body_de, notice.body_en) if notice else ("", "")
    row = db.session.execute(
        select(EditionText).where(EditionText.congress_id == congress.id, EditionText.kind == kind)
    ).scalar_one_or_none()
    return (row.body_de, row.body_en) if row else ("", "")


def _check_text(body_de: str, body_en: str) -> None:
    if len(body_de) > MAX_TEXT or len(body_en) > MAX_TEXT:
        raise EditionRefused(
            {
                "body_de" if len(body_de) > MAX_TEXT else "body_en": _(
                    "A text may have at most %(num)d characters.", num=MAX_TEXT
                )
            }
        )


def save_text(
    congress: Congress, kind: str, body_de: str, body_en: str, *, actor, now: datetime
) -> bool:
    """Store a text (not the privacy notice); False if nothing changed."""
    if kind not in TEXT_KINDS or kind == PRIVACY:
        raise NotFound(_("There is no such text."))
    _check_text(body_de, body_en)
    row = db.session.execute(
        select(EditionText).where(EditionText.congress_id == congress.id, EditionText.kind == kind)
    ).scalar_one_or_none()
    if row is not None and (row.body_de, row.body_en) == (body_de, body_en):
        return False
    if row is None:
        row = EditionText(congress_id=congress.id, kind=kind)
        db.session.add(row)
    row.body_de, row.body_en, row.updated_at = body_de, body_en, now
    audit.record("edition.text_saved", congress, actor=actor, kind=kind)
    db.session.flush()
    return True


def newest_privacy_notice(congress: Congress) -> PrivacyNotice | None:
    return db.session.execute(
        select(PrivacyNotice)
        .where(PrivacyNotice.congress_id == congress.id)
        .order_by(PrivacyNotice.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def privacy_notices(congress: Congress) -> list[PrivacyNotice]:
    return list(
        db.session.scalars(
            select(PrivacyNotice)
            .where(PrivacyNotice.congress_id == congress.id)
            .order_by(PrivacyNotice.number.desc())
        )
    )


def privacy_notice(congress: Congress, number: int) -> PrivacyNotice:
    notice = db.session.execute(
        select(PrivacyNotice).where(
            PrivacyNotice.congress_id == congress.id, PrivacyNotice.number == number
        )
    ).scalar_one_or_none()
    if notice is None:
        raise NotFound(_("There is no such version of the privacy notice."))
    return notice


def save_privacy_notice(
    congress: Congress, body_de: str, body_en: str, *, actor, now: datetime
) -> PrivacyNotice | None:
    """A changed text becomes a new version, dated now, which registrations from now on
    accept; an unchanged one changes nothing (None). Versions are never edited. Two
    organisers saving at once: the unique version number lets one of them win (Conflict)."""
    _check_text(body_de, body_en)
    newest = newest_privacy_notice(congress)
    if newest is not None and (newest.body_de, newest.body_en) == (body_de, body_en):
        return None
    number = (newest.number if newest else 0) + 1
    notice = PrivacyNotice(
        congress_id=congress.id,
        number=number,
        label=str(number),
        body_de=body_de,
        body_en=body_en,
        created_at=now,
        created_by_user_id=_user_id(actor),
    )
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("Someone saved the privacy notice at the same moment. Please reload the page."),
            code="privacy_notice_changed",
        ) from None
    congress.consent_text_version = notice.label
    audit.record("edition.privacy_notice_saved", congress, actor=actor, version=number)
    db.session.flush()
    return notice


def consent_versions(congress_id: int, labels: set[str]) -> dict[str, PrivacyNotice]:
    """The privacy notices registrations of an edition accepted, by their recorded label."""
    if not labels:
        return {}
    return {
        notice.label: notice
        for notice in db.session.scalars(
            select(PrivacyNotice).where(
                PrivacyNotice.congress_id == congress_id, PrivacyNotice.label.in_(labels)
            )
        )
    }


# --- the organising body ----------------------------------------------------------------------------


def organising_body() -> OrganisingBody | None:
    """The one row, without the logo's bytes."""
    return db.session.get(OrganisingBody, 1)


def logo() -> tuple[bytes, str] | None:
    row = db.session.execute(
        select(OrganisingBody.logo, OrganisingBody.logo_mimetype).where(OrganisingBody.id == 1)
    ).first()
    if row is None or not row.logo:
        return None
    return row.logo, row.logo_mimetype


def check_logo(data: bytes) -> str:
    """The mimetype of an acceptable logo, judged by its content, not its name; else Invalid."""
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid(_("The logo may be at most 1 MB."), code="logo_too_large", field="logo")
    from PIL import Image  # Pillow comes with WeasyPrint

    refused = Invalid(
        _("The logo must be a PNG, JPEG or WebP image."), code="logo_not_image", field="logo"
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if image.width * image.height > MAX_LOGO_PIXELS:
                raise Invalid(
                    _("The logo has too many pixels; please use a smaller image."),
                    code="logo_too_large",
                    field="logo",
                )
            image.verify()
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - any decoder error means "not an image"
        raise refused from None
    if kind not in LOGO_FORMATS:
        raise refused
    return LOGO_FORMATS[kind]


def save_organising_body(
    name: str,
    address: str,
    *,
    logo_data: bytes | None = None,
    remove_logo: bool = False,
    actor,
    now: datetime,
) -> OrganisingBody:
    """Set the organising body (the single row). Raises Invalid for a logo that is not one."""
    mimetype = check_logo(logo_data) if logo_data else None
    row = organising_body()
    if row is None:
        row = OrganisingBody(id=1, name="", address="", logo_mimetype="")
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:  # created by someone else a moment ago
            row = organising_body()
    changed = []
    if row.name != name.strip():
        row.name = name.strip()
        changed.append("name")
    if row.address != address.strip():
        row.address = address.strip()
        changed.append("address")
    if mimetype and (row.logo_mimetype != mimetype or row.logo != logo_data):
        row.logo, row.logo_mimetype = logo_data, mimetype
        changed.append("logo")
    elif remove_logo and row.logo_mimetype:
        row.logo, row.logo_mimetype = None, ""
        changed.append("logo_removed")
    if changed:
        row.updated_at = now
        audit.record("edition.organising_body_saved", row, actor=actor, fields=changed)
    db.session.flush()
    return row


def _user_id(actor) -> int | None:
    return actor.id if type(actor).__name__ == "User" else None
