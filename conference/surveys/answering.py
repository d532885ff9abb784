"""Who is asked what, and answering the survey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from conference.agenda.models import AgendaSession, SessionStatus
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.models import Congress
from conference.extensions import db
from conference.registration.models import Registration, Status
from conference.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from conference.surveys.setup import (
    MAX_TEXT_ANSWER,
    PLENARY_KINDS,
    RATINGS,
    AlreadyAnswered,
    NotAnAttendee,
    SurveyNotOpen,
    SurveyRefused,
    closes_at,
    opens_at,
)

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
