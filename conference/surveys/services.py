"""The evaluation survey: building it, who is asked what, answering, and the results.

Who may answer: confirmed people who checked in at least once (they attended). What they are
asked: every question about the congress once, and every "per session" question for each
session they attended: the sessions of the workshop checkpoints where they checked in, and the
plenaries (plenary, keynote, panel) of the days on which they checked in anywhere. When: from
the end of the congress's last day (its closing hour) until the end of the closing date, both
in the congress's time zone.

One answer set per person: a ``SurveyParticipation`` row, unique by its primary key, is
inserted first; a second submission of the same person hits it. In a survey that is not
anonymous the set is then replaced (editable until the survey closes); in an anonymous one
nothing can find the set again, so a second submission is refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, distinct, func, select
from sqlalchemy.exc import IntegrityError

from conference.agenda.models import AgendaSession, SessionKind, SessionStatus
from conference.checkin.models import CheckIn, Checkpoint
from conference.core import audit
from conference.core.errors import Conflict, DomainError, Forbidden
from conference.core.models import Congress
from conference.core.time import at_local
from conference.extensions import db
from conference.registration.models import Registration, Status
from conference.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
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


# --- who is asked what ---------------------------------------------------------------------------


def _checked_in(registration: Registration):
    return (
        select(Checkpoint.day, Checkpoint.session_id)
        .join(CheckIn, CheckIn.checkpoint_id == Checkpoint.id)
        .where(CheckIn.registration_id == registration.id)
    )


def attended(registration: Registration) -> bool:
    return db.session.scalar(select(_checked_in(registration).exists())) or False


def may_answer(registration: Registration) -> bool:
    return (
        registration.status == Status.CONFIRMED
        and registration.anonymised_at is None
        and attended(registration)
    )


def attended_sessions(registration: Registration) -> list[AgendaSession]:
    """The sessions the person attended: their workshop checkpoints' sessions and the
    plenaries of the days they checked in, in time order (two queries)."""
    rows = db.session.execute(_checked_in(registration)).all()
    days = {day for day, _session in rows}
    workshops = {session_id for _day, session_id in rows if session_id is not None}
    if not days:
        return []
    candidates = db.session.execute(
        select(AgendaSession)
        .where(
            AgendaSession.congress_id == registration.congress_id,
            AgendaSession.status == SessionStatus.PUBLISHED,
            AgendaSession.id.in_(workshops)
            | (AgendaSession.kind.in_(PLENARY_KINDS) & AgendaSession.signup_required.is_(False)),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).scalars()
    tz = registration.congress.timezone
    from conference.core.time import local

    return [s for s in candidates if s.id in workshops or local(s.starts_at, tz).date() in days]


@dataclass(frozen=True)
class Item:
    """One thing to answer: a question, about the congress (session None) or a session."""

    question: SurveyQuestion
    session: AgendaSession | None

    @property
    def key(self) -> str:
        base = f"q{self.question.id}"
        return base if self.session is None else f"{base}-s{self.session.id}"


def items_for(survey: Survey, registration: Registration) -> list[Item]:
    """Whole-congress questions in their order first, then per session (in time order) its
    per-session questions."""
    general = [Item(q, None) for q in survey.questions if not q.per_session]
    per_session = [q for q in survey.questions if q.per_session]
    sessions = attended_sessions(registration) if per_session else []
    return general + [Item(q, s) for s in sessions for q in per_session]


def own_response(
    survey: Survey, registration: Registration, *, lock: bool = False
) -> SurveyResponse | None:
    if survey.anonymous:
        return None
    query = select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.registration_id == registration.id,
    )
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def has_answered(survey: Survey, registration: Registration) -> bool:
    return db.session.get(SurveyParticipation, (survey.id, registration.id)) is not None


def stored_values(response: SurveyResponse | None) -> dict[str, object]:
    """The answers as the form shows them again: key -> rating, option id(s) or text."""
    values: dict[str, object] = {}
    if response is None:
        return values
    for answer in response.answers:
        key = f"q{answer.question_id}" + (
            "" if answer.session_id is None else f"-s{answer.session_id}"
        )
        if answer.rating is not None:
            values[key] = answer.rating
        elif answer.option_id is not None:
            values.setdefault(key, []).append(answer.option_id)
        elif answer.text is not None:
            values[key] = answer.text
    return values


# --- answering -----------------------------------------------------------------------------------


def _parse(items: list[Item], raw: dict[str, list[str]]) -> dict[Item, object]:
    """The submitted form as answers; a field left empty is no answer. Raises SurveyRefused."""
    errors: dict[str, str] = {}
    answers: dict[Item, object] = {}
    for item in items:
        values = [v for v in raw.get(item.key, []) if v.strip()]
        if not values:
            continue
        kind = item.question.kind
        if kind == QuestionKind.TEXT:
            text = values[0].replace("\r\n", "\n").strip()
            if len(text) > MAX_TEXT_ANSWER:
                errors[item.key] = _(
                    "Please write at most %(max)d characters.", max=MAX_TEXT_ANSWER
                )
            else:
                answers[item] = text
            continue
        if not all(v.isdigit() and len(v) < 10 for v in values):
            errors[item.key] = _("Please choose one of the answers shown.")
            continue
        numbers = [int(v) for v in values]
        if kind == QuestionKind.RATING:
            if len(numbers) != 1 or numbers[0] not in RATINGS:
                errors[item.key] = _("Please choose a number from 1 to 5.")
            else:
                answers[item] = numbers[0]
            continue
        known = {o.id for o in item.question.options}
        if not set(numbers) <= known or (kind == QuestionKind.SINGLE and len(numbers) != 1):
            errors[item.key] = _("Please choose one of the answers shown.")
        else:
            answers[item] = sorted(set(numbers))
    if errors:
        raise SurveyRefused(errors)
    if not answers:
        raise SurveyRefused({"": _("Please answer at least one question.")})
    return answers


def submit(
    congress: Congress,
    survey: Survey | None,
    registration: Registration,
    raw: dict[str, list[str]],
    *,
    now: datetime,
) -> SurveyResponse:
    """Store the person's answer set (or replace it, in a survey that is not anonymous).

    Raises SurveyNotOpen outside the survey's time, NotAnAttendee for someone who did not
    attend, SurveyRefused for answers that do not fit the questions, AlreadyAnswered for a
    second anonymous submission.
    """
    require_open(congress, survey, now)
    require_attendee(registration)
    answers = _parse(items_for(survey, registration), raw)
    try:
        with db.session.begin_nested():
            db.session.add(
                SurveyParticipation(survey_id=survey.id, registration_id=registration.id)
            )
    except IntegrityError:
        # Locked: two replacements at once must not both delete the old answers and then
        # both insert theirs (PostgreSQL; SQLite holds its one write lock since the INSERT).
        response = own_response(survey, registration, lock=True)
        if response is None:
            raise AlreadyAnswered(
                _("You have answered this survey already. Anonymous answers cannot be changed.")
            ) from None
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
        db.session.expire(response, ["answers"])
    else:
        response = SurveyResponse(survey_id=survey.id)
        if not survey.anonymous:
            response.registration_id = registration.id
        db.session.add(response)
        db.session.flush()
    if not survey.anonymous:
        response.updated_at = now
    rows = []
    for item, value in answers.items():
        common = {
            "response_id": response.id,
            "question_id": item.question.id,
            "session_id": item.session.id if item.session else None,
        }
        if isinstance(value, list):
            rows.extend(SurveyAnswer(**common, option_id=option) for option in value)
        elif isinstance(value, int):
            rows.append(SurveyAnswer(**common, rating=value))
        else:
            rows.append(SurveyAnswer(**common, text=value))
    db.session.add_all(rows)
    db.session.flush()
    return response


def require_open(congress: Congress, survey: Survey | None, now: datetime) -> None:
    if survey is None or not survey.questions:
        raise SurveyNotOpen(_("There is no survey for this congress."))
    if now < opens_at(congress):
        raise SurveyNotOpen(_("The survey opens when the congress ends."))
    if now >= closes_at(congress, survey):
        raise SurveyNotOpen(_("The survey has closed. Thank you for your interest."))


def require_attendee(registration: Registration) -> None:
    if not may_answer(registration):
        raise NotAnAttendee(
            _("The survey is for the people who attended the congress (checked in at least once).")
        )


# --- results ---------------------------------------------------------------------------------------


def attendee_count(congress: Congress) -> int:
    """Confirmed people with at least one check-in: those who may answer."""
    return db.session.scalar(
        select(func.count(distinct(CheckIn.registration_id)))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.congress_id == congress.id, Registration.status == Status.CONFIRMED)
    )


@dataclass
class SessionMean:
    title: str
    n: int
    mean: float


@dataclass
class TextGroup:
    session: str | None
    texts: list[str]


@dataclass
class QuestionResult:
    question: SurveyQuestion
    n: int  # answer sets that answered it (at least once)
    distribution: list[tuple[str, int]]  # (label, count): ratings 1..5 or the options
    mean: float | None = None
    sessions: list[SessionMean] = field(default_factory=list)
    texts: list[TextGroup] = field(default_factory=list)
    hidden_texts: int = 0  # answers in groups below MIN_TEXT_ANSWERS

    @property
    def top_share(self) -> float | None:
        """Share of ratings 4 and 5: "x percent agree"."""
        if self.question.kind != QuestionKind.RATING or not self.n:
            return None
        total = sum(count for _label, count in self.distribution)
        high = sum(count for label, count in self.distribution if label in ("4", "5"))
        return high / total if total else None


@dataclass
class Results:
    survey: Survey
    attendees: int
    responses: int
    questions: list[QuestionResult]

    @property
    def rate(self) -> float | None:
        return self.responses / self.attendees if self.attendees else None


def localised(row, name: str, language: str) -> str:
    """``row.<name>_en`` in English where it is filled in, else ``row.<name>_de``."""
    english = getattr(row, f"{name}_en", "") if language == "en" else ""
    return english or getattr(row, f"{name}_de")


def results(congress: Congress, survey: Survey, language: str) -> Results:
    """Every question's numbers in five grouped queries, whatever the number of answers."""
    question_ids = [q.id for q in survey.questions]
    answered = dict(
        db.session.execute(
            select(SurveyAnswer.question_id, func.count(distinct(SurveyAnswer.response_id)))
            .where(SurveyAnswer.question_id.in_(question_ids))
            .group_by(SurveyAnswer.question_id)
        ).all()
    )
    ratings: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, rating, count in db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.rating, func.count())
        .where(SurveyAnswer.question_id.in_(question_ids), SurveyAnswer.rating.is_not(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.rating)
    ):
        ratings[question_id][rating] = count
    chosen: dict[int, int] = dict(
        db.session.execute(
            select(SurveyAnswer.option_id, func.count())
            .where(SurveyAnswer.question_id.in_(question_ids), SurveyAnswer.option_id.is_not(None))
            .group_by(SurveyAnswer.option_id)
        ).all()
    )
    per_session: dict[int, list[SessionMean]] = defaultdict(list)
    for question_id, title, count, mean in db.session.execute(
        select(
            SurveyAnswer.question_id,
            AgendaSession.title,
            func.count(),
            func.avg(SurveyAnswer.rating),
        )
        .join(AgendaSession, AgendaSession.id == SurveyAnswer.session_id)
        .where(SurveyAnswer.question_id.in_(question_ids), SurveyAnswer.rating.is_not(None))
        .group_by(SurveyAnswer.question_id, AgendaSession.id, AgendaSession.title)
        .order_by(SurveyAnswer.question_id, func.min(AgendaSession.starts_at), AgendaSession.id)
    ):
        per_session[question_id].append(SessionMean(title, count, float(mean)))
    texts: dict[int, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for question_id, title, text in db.session.execute(
        select(SurveyAnswer.question_id, AgendaSession.title, SurveyAnswer.text)
        .join(AgendaSession, AgendaSession.id == SurveyAnswer.session_id, isouter=True)
        .where(SurveyAnswer.question_id.in_(question_ids), SurveyAnswer.text.is_not(None))
        .order_by(SurveyAnswer.question_id, AgendaSession.starts_at, SurveyAnswer.text)
    ):
        texts[question_id][title].append(text)
    out = []
    for question in survey.questions:
        result = QuestionResult(question, answered.get(question.id, 0), [])
        if question.kind == QuestionKind.RATING:
            counts = ratings[question.id]
            result.distribution = [(str(r), counts.get(r, 0)) for r in RATINGS]
            total = sum(counts.values())
            if total:
                result.mean = sum(r * c for r, c in counts.items()) / total
            result.sessions = per_session[question.id]
        elif question.kind == QuestionKind.TEXT:
            for session, group in texts[question.id].items():
                if len(group) >= MIN_TEXT_ANSWERS:
                    result.texts.append(TextGroup(session, group))
                else:
                    result.hidden_texts += len(group)
        else:
            result.distribution = [
                (localised(o, "label", language), chosen.get(o.id, 0)) for o in question.options
            ]
        out.append(result)
    return Results(survey, attendee_count(congress), response_count(survey), out)


def export_rows(survey: Survey, language: str) -> tuple[list[str], list[list]]:
    """One row per answer: answer set (numbered 1, 2, ... in no meaningful order), question,
    session, answer. Free text only from groups of at least MIN_TEXT_ANSWERS, as on the page."""
    header = [_("Answer set"), _("Question"), _("Session"), _("Answer")]
    questions = {q.id: q for q in survey.questions}
    options = {o.id: o for q in survey.questions for o in q.options}
    rows = db.session.execute(
        select(
            SurveyAnswer.response_id,
            SurveyAnswer.question_id,
            SurveyAnswer.session_id,
            AgendaSession.title,
            SurveyAnswer.rating,
            SurveyAnswer.option_id,
            SurveyAnswer.text,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(AgendaSession, AgendaSession.id == SurveyAnswer.session_id, isouter=True)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.response_id, SurveyAnswer.id)
    ).all()
    text_groups: dict[tuple[int, int | None], int] = defaultdict(int)
    for row in rows:
        if row.text is not None:
            text_groups[(row.question_id, row.session_id)] += 1
    numbers: dict[str, int] = {}
    table = []
    order = {q.id: i for i, q in enumerate(survey.questions)}
    for row in sorted(rows, key=lambda r: (r.response_id, order[r.question_id])):
        if row.text is not None:
            if text_groups[(row.question_id, row.session_id)] < MIN_TEXT_ANSWERS:
                continue
            answer = row.text
        elif row.rating is not None:
            answer = row.rating
        else:
            answer = localised(options[row.option_id], "label", language)
        number = numbers.setdefault(row.response_id, len(numbers) + 1)
        table.append(
            [
                number,
                localised(questions[row.question_id], "text", language),
                row.title or "",
                answer,
            ]
        )
    return header, table
