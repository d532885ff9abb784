"""Copying an edition: what the new one takes over from an old one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.agenda import services as agenda
from conference.agenda.models import AgendaSession, Room, SessionStatus, Track
from conference.checkin.services import ensure_checkpoints
from conference.core import audit
from conference.core.models import Congress, OrganisationQuota
from conference.core.time import local
from conference.editions.changes import create_edition
from conference.editions.checks import EditionInput
from conference.editions.models import EditionText
from conference.editions.notices import newest_privacy_notice
from conference.extensions import db
from conference.mailtexts import services as mailtexts
from conference.questions import services as questions
from conference.questions.models import QuestionScope
from conference.workshops.models import WorkshopPhase

# --- parts of the areas above the editions --------------------------------------------------------


@dataclass(frozen=True)
class CopyStep:
    """The part of an area above the editions (the survey, the call, scheduled mails) that a
    copy takes along. The editions may not import those areas, so each registers its step with
    ``copies_along`` when its ``copying`` module is imported (``conference/__init__.py`` loads
    them), as the call registers its answer tables with the questions."""

    key: str  # the name of its count in the audit entry
    label: Callable[[], str]  # the preview's line
    # (how many it would copy, what it would leave out) for a new edition of so many days
    plan: Callable[[Congress, int], tuple[int, list[str]]]
    copy: Callable[[Congress, Congress, datetime], int]  # (source, target, now): how many


_STEPS_ABOVE: dict[str, CopyStep] = {}


def copies_along(step: CopyStep) -> CopyStep:
    """Add an area's step to every copy, after the editions' own (idempotent per key)."""
    _STEPS_ABOVE[step.key] = step
    return step


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
            (
                _("Registration questions"),
                questions.copied_question_count(source.id, [QuestionScope.REGISTRATION]),
            ),
            (_("Mail texts of its own"), mailtexts.copied_text_count(source.id)),
        ]
    )
    steps_left_out = []
    for step in _STEPS_ABOVE.values():
        count, left_out = step.plan(source, new_length)
        preview.parts.append((step.label(), count))
        steps_left_out.extend(left_out)
    if kept < len(sessions):
        preview.left_out.append(
            _(
                "%(num)d sessions lie on days the new dates do not have; they are not copied.",
                num=len(sessions) - kept,
            )
        )
    preview.left_out.extend(steps_left_out)
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
    a line here, returning its count (and one in ``copy_preview``), or, for an area above the
    editions, a ``CopyStep`` of its own."""
    copied = {}
    phases = _copy_phases(source, target)
    copied["phases"] = len(phases)
    copied["sessions"] = agenda.copy_skeleton(source, target, actor=actor, now=now, phases=phases)
    copied["quotas"] = _copy_quotas(source, target)
    copied["texts"] = _copy_texts(source, target, now=now)
    copied["day_capacities"] = _copy_day_capacities(source, target)
    copied["questions"] = questions.copy_questions(source, target)
    copied["mail_texts"] = mailtexts.copy_mail_texts(source, target)
    for step in _STEPS_ABOVE.values():
        copied[step.key] = step.copy(source, target, now)
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
