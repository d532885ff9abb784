"""The organisers' call of an edition: deadline, introduction, formats, criteria, tracks and
extra questions; the refusals of the call for contributions. Re-exported by ``services``."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda import services as agenda
from conference.agenda.models import Track
from conference.cfp.models import (
    QUESTION_SCOPE,
    Call,
    Criterion,
    Format,
    SubmissionAnswer,
    SubmissionAnswerChoice,
)
from conference.core import audit
from conference.core.errors import Conflict, Invalid, NotFound
from conference.core.models import CarrierOrganisation, Congress
from conference.extensions import db
from conference.questions import services as questions

TITLE_LIMIT = 300
PRESENTER_LIMIT = 5
ANSWERS = questions.AnswerTables(SubmissionAnswer, SubmissionAnswerChoice, "submission_id")
questions.ANSWER_TABLES[QUESTION_SCOPE] = ANSWERS


class InvalidSubmission(Invalid):
    code = "invalid_submission"


class CallClosed(Conflict):
    code = "call_closed"


class ReviewLocked(Conflict):
    code = "review_locked"


# --- the call ----------------------------------------------------------------------------------


def call_of(congress: Congress) -> Call | None:
    return db.session.execute(
        select(Call)
        .where(Call.congress_id == congress.id)
        .options(selectinload(Call.formats), selectinload(Call.criteria))
    ).scalar_one_or_none()


def ensure_call(congress: Congress) -> Call:
    call = call_of(congress)
    if call is None:
        call = Call(congress_id=congress.id)
        db.session.add(call)
        db.session.flush()
    return call


def save_call(
    congress: Congress,
    *,
    deadline: datetime | None,
    intro_de: str,
    intro_en: str,
    abstract_limit: int,
    anonymous_review: bool,
    actor,
    now: datetime,
) -> Call:
    if not 200 <= abstract_limit <= agenda.MAX_ABSTRACT:  # an accepted one becomes a session
        raise Invalid(
            _("The length limit must be between 200 and 5,000 characters."),
            field="abstract_limit",
        )
    call = ensure_call(congress)
    call.deadline = deadline
    call.intro_de = intro_de.strip()
    call.intro_en = intro_en.strip()
    call.abstract_limit = abstract_limit
    call.anonymous_review = anonymous_review
    call.updated_at = now
    db.session.flush()
    audit.record("cfp.call_saved", congress, actor=actor, congress_id=congress.id)
    return call


def add_format(
    call: Call, *, name_de: str, name_en: str, duration: int, kind: str, actor
) -> Format:
    if not 5 <= duration <= 600:
        raise Invalid(_("The duration must be between 5 and 600 minutes."), field="duration")
    item = Format(
        name_de=name_de.strip(),
        name_en=name_en.strip(),
        duration_minutes=duration,
        session_kind=kind,
        position=len(call.formats),
    )
    call.formats.append(item)
    db.session.flush()
    audit.record("cfp.format_added", actor=actor, congress_id=call.congress_id, name=item.name_de)
    return item


def add_criterion(call: Call, *, name_de: str, name_en: str, weight: int, actor) -> Criterion:
    if not 1 <= weight <= 10:
        raise Invalid(_("The weight must be between 1 and 10."), field="weight")
    item = Criterion(
        name_de=name_de.strip(),
        name_en=name_en.strip(),
        weight=weight,
        position=len(call.criteria),
    )
    call.criteria.append(item)
    db.session.flush()
    audit.record(
        "cfp.criterion_added", actor=actor, congress_id=call.congress_id, name=item.name_de
    )
    return item


def remove_part(call: Call, model: type, item_id: int, *, actor) -> None:
    """Remove a format or a criterion of the call. A used format stays on its submissions as
    none; a criterion's scores go with it."""
    item = db.session.get(model, item_id)
    if item is None or item.call_id != call.id:
        raise NotFound(_("This entry does not exist."), code="unknown_part")
    name = item.name_de
    (call.formats if model is Format else call.criteria).remove(item)
    db.session.flush()
    audit.record("cfp.part_removed", actor=actor, congress_id=call.congress_id, name=name)


def add_track(congress: Congress, name: str, *, actor) -> Track:
    return agenda.save_track(congress, None, actor=actor, name=name, colour="#1f5f8b")


def extra_questions(congress_id: int):
    return questions.questions_of(congress_id, QUESTION_SCOPE)


def add_question(congress: Congress, data: questions.QuestionData, *, actor, now: datetime):
    return questions.save_question(congress, data, scope=QUESTION_SCOPE, actor=actor, now=now)


def carriers() -> list[CarrierOrganisation]:
    rows = db.session.execute(
        select(CarrierOrganisation).where(CarrierOrganisation.active.is_(True))
    ).scalars()
    return sorted(rows, key=lambda c: c.name.casefold())
