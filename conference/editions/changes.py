"""Creating, changing, opening, closing and deleting an edition; its days and capacities."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from conference.agenda import services as agenda
from conference.checkin.models import CheckIn, Checkpoint
from conference.checkin.services import ensure_checkpoints
from conference.core import audit
from conference.core.errors import Conflict, NotFound
from conference.core.models import Congress, CongressDay
from conference.core.time import days_between
from conference.editions.checks import (
    PRIVACY,
    EditionInput,
    EditionRefused,
    _free_slug,
    _problems,
    _user_id,
    registration_counts,
)
from conference.editions.models import PrivacyNotice
from conference.editions.texts import TEMPLATES
from conference.extensions import db


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
