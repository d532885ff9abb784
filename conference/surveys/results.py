"""The survey's results and their export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from conference.agenda.models import AgendaSession
from conference.checkin.models import CheckIn
from conference.core.models import Congress
from conference.extensions import db
from conference.registration.models import Registration, Status
from conference.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from conference.surveys.setup import MIN_TEXT_ANSWERS, RATINGS, response_count

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
