"""The evaluation survey: its limits and refusals, its settings and its questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.agenda.models import SessionKind
from conference.core import audit
from conference.core.errors import Conflict, DomainError, Forbidden
from conference.core.models import Congress
from conference.core.time import at_local
from conference.extensions import db
from conference.surveys.models import (
    QuestionKind,
    Survey,
    SurveyOption,
    SurveyParticipation,
    SurveyQuestion,
)

#: Sessions that everybody present on a day attends (workshops come from their checkpoints).
PLENARY_KINDS = (SessionKind.PLENARY, SessionKind.KEYNOTE, SessionKind.PANEL)
#: Free-text answers are shown (and exported) only in groups of at least this many, so that a
#: single answer cannot be read as one person's.
MIN_TEXT_ANSWERS = 5
DEFAULT_OPEN_DAYS = 21
MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 2000
RATINGS = (1, 2, 3, 4, 5)


class SurveyRefused(DomainError):
    """Input refused field by field: ``errors`` maps a field name to its message."""

    status, code = 400, "survey_invalid"

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


class SurveyHasAnswers(Conflict):
    code = "survey_has_answers"


class SurveyNotOpen(Conflict):
    code = "survey_not_open"


class NotAnAttendee(Forbidden):
    code = "survey_not_for_you"


class AlreadyAnswered(Conflict):
    code = "survey_already_answered"


# --- the survey and its questions ------------------------------------------------------------


def survey_of(congress: Congress) -> Survey | None:
    return db.session.execute(
        select(Survey).where(Survey.congress_id == congress.id)
    ).scalar_one_or_none()


def default_closing(congress: Congress) -> date:
    return congress.ends_on + timedelta(days=DEFAULT_OPEN_DAYS)


def opens_at(congress: Congress) -> datetime:
    return at_local(congress.ends_on, congress.closes_at, congress.timezone)


def closes_at(congress: Congress, survey: Survey) -> datetime:
    return at_local(survey.closes_on + timedelta(days=1), time(0), congress.timezone)


def is_open(congress: Congress, survey: Survey | None, now: datetime) -> bool:
    if survey is None or not survey.questions:
        return False
    return opens_at(congress) <= now < closes_at(congress, survey)


def response_count(survey: Survey) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(SurveyParticipation)
        .where(SurveyParticipation.survey_id == survey.id)
    )


def _require_no_answers(survey: Survey) -> None:
    if response_count(survey):
        raise SurveyHasAnswers(
            _(
                "People have answered this survey already. Its questions can still be reworded, "
                "but not added, removed or changed in kind, options or “per session”."
            )
        )


def save_settings(
    congress: Congress,
    *,
    anonymous: bool,
    closes_on: date,
    intro_de: str,
    intro_en: str,
    actor,
) -> Survey:
    """Create the edition's survey or change its settings. Raises SurveyRefused for a closing
    date before the congress ends, SurveyHasAnswers for switching "anonymous" once people
    answered (their sets were stored the other way)."""
    if closes_on < congress.ends_on:
        raise SurveyRefused({"closes_on": _("The survey cannot close before the congress ends.")})
    survey = survey_of(congress)
    created = survey is None
    if created:
        survey = Survey(congress_id=congress.id, anonymous=anonymous, closes_on=closes_on)
        db.session.add(survey)
    elif survey.anonymous != anonymous and response_count(survey):
        raise SurveyHasAnswers(
            _(
                "People have answered already, so the survey cannot be switched to or from anonymous."
            )
        )
    changed = [
        name
        for name, value in (
            ("anonymous", anonymous),
            ("closes_on", closes_on),
            ("intro_de", intro_de),
            ("intro_en", intro_en),
        )
        if getattr(survey, name) != value
    ]
    survey.anonymous, survey.closes_on = anonymous, closes_on
    survey.intro_de, survey.intro_en = intro_de, intro_en
    db.session.flush()
    if created or changed:
        audit.record(
            "survey.created" if created else "survey.updated",
            survey,
            actor=actor,
            congress_id=congress.id,
            fields=changed,
        )
    return survey


@dataclass
class QuestionInput:
    kind: str
    text_de: str
    text_en: str = ""
    per_session: bool = False
    low_de: str = ""
    low_en: str = ""
    high_de: str = ""
    high_en: str = ""
    options_de: list[str] = field(default_factory=list)
    options_en: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, question: SurveyQuestion) -> QuestionInput:
        return cls(
            kind=question.kind,
            text_de=question.text_de,
            text_en=question.text_en,
            per_session=question.per_session,
            low_de=question.low_de,
            low_en=question.low_en,
            high_de=question.high_de,
            high_en=question.high_en,
            options_de=[o.label_de for o in question.options],
            options_en=[o.label_en for o in question.options],
        )


def _check_question(data: QuestionInput) -> None:
    errors: dict[str, str] = {}
    if data.kind not in set(QuestionKind):
        errors["kind"] = _("Please choose a kind of question.")
    if not data.text_de.strip():
        errors["text_de"] = _("Please write the question in German.")
    if data.kind == QuestionKind.RATING:
        if not data.low_de.strip():
            errors["low_de"] = _("Please name what 1 means, e.g. “not at all”.")
        if not data.high_de.strip():
            errors["high_de"] = _("Please name what 5 means, e.g. “very much”.")
    if data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if not 2 <= len(data.options_de) <= MAX_OPTIONS:
            errors["options_de"] = _(
                "Please give between 2 and %(max)d options, one per line.", max=MAX_OPTIONS
            )
        elif data.options_en and len(data.options_en) != len(data.options_de):
            errors["options_en"] = _(
                "Please give as many English options as German ones, in the same order (or none)."
            )
        if any(len(label) > 200 for label in data.options_de + data.options_en):
            errors.setdefault("options_de", _("An option may have at most 200 characters."))
    if errors:
        raise SurveyRefused(errors)


def _apply(question: SurveyQuestion, data: QuestionInput) -> None:
    question.kind = data.kind
    question.text_de, question.text_en = data.text_de.strip(), data.text_en.strip()
    question.per_session = data.per_session
    rating = data.kind == QuestionKind.RATING
    question.low_de = data.low_de.strip() if rating else ""
    question.low_en = data.low_en.strip() if rating else ""
    question.high_de = data.high_de.strip() if rating else ""
    question.high_en = data.high_en.strip() if rating else ""
    choice = data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
    labels = list(data.options_de) if choice else []
    english = list(data.options_en) if choice and data.options_en else [""] * len(labels)
    kept = list(question.options)
    for position, (label_de, label_en) in enumerate(zip(labels, english, strict=True)):
        if position < len(kept):
            option = kept[position]
        else:
            option = SurveyOption()
            question.options.append(option)
        option.position, option.label_de, option.label_en = position, label_de, label_en
    for option in kept[len(labels) :]:
        question.options.remove(option)


def add_question(survey: Survey, data: QuestionInput, *, actor) -> SurveyQuestion:
    """Append a question. Raises SurveyRefused, SurveyHasAnswers."""
    _check_question(data)
    _require_no_answers(survey)
    position = max((q.position for q in survey.questions), default=-1) + 1
    question = SurveyQuestion(position=position)
    _apply(question, data)
    survey.questions.append(question)
    db.session.flush()
    audit.record(
        "survey.question_added",
        question,
        actor=actor,
        congress_id=survey.congress_id,
        text=question.text_de,
    )
    return question


def update_question(question: SurveyQuestion, data: QuestionInput, *, actor) -> bool:
    """Change a question. Once people answered, only its wording may change (what they
    answered must keep meaning the same). Raises SurveyRefused, SurveyHasAnswers."""
    _check_question(data)
    before = QuestionInput.of(question)
    if before == data:
        return False
    structural = (
        before.kind != data.kind
        or before.per_session != data.per_session
        or (
            data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
            and len(before.options_de) != len(data.options_de)
        )
    )
    if structural:
        _require_no_answers(question.survey)
    _apply(question, data)
    db.session.flush()
    audit.record(
        "survey.question_changed",
        question,
        actor=actor,
        congress_id=question.survey.congress_id,
        text=question.text_de,
    )
    return True


def delete_question(question: SurveyQuestion, *, actor) -> None:
    survey = question.survey
    _require_no_answers(survey)
    audit.record(
        "survey.question_deleted",
        question,
        actor=actor,
        congress_id=survey.congress_id,
        text=question.text_de,
    )
    survey.questions.remove(question)
    db.session.flush()


def move_question(question: SurveyQuestion, step: int) -> None:
    """Swap the question with its neighbour above (-1) or below (+1); the order of the list
    is what attendees see, so it may change at any time."""
    questions = list(question.survey.questions)
    index = questions.index(question)
    other = index + step
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    for position, row in enumerate(questions):
        row.position = position
    db.session.flush()


def question_of(survey: Survey, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        from conference.core.errors import NotFound

        raise NotFound(_("This question does not exist."), code="unknown_question")
    return question
