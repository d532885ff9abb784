"""The survey's part of an edition's copy: its settings and questions, never an answer.

Registered with the editions' copy (``editions.copies_along``) on import; the app factory
imports it. The copy closes as many days after the new congress as the old one did.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.core.models import Congress
from conference.editions import services as editions
from conference.extensions import db
from conference.surveys.models import Survey, SurveyOption, SurveyQuestion


def _plan(source: Congress, length: int) -> tuple[int, list[str]]:
    """How many questions the copy takes: one query."""
    count = db.session.scalar(
        select(func.count(SurveyQuestion.id))
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(Survey.congress_id == source.id)
    )
    return count, []


def copy_survey(source: Congress, target: Congress, now: datetime) -> int:
    """Give ``target`` the survey of ``source`` with its questions and options, in their order;
    returns how many questions were copied (0 without a survey)."""
    survey = db.session.execute(
        select(Survey)
        .where(Survey.congress_id == source.id)
        .options(selectinload(Survey.questions).selectinload(SurveyQuestion.options))
    ).scalar_one_or_none()
    if survey is None:
        return 0
    twin = Survey(
        congress_id=target.id,
        anonymous=survey.anonymous,
        closes_on=target.ends_on + (survey.closes_on - source.ends_on),
        intro_de=survey.intro_de,
        intro_en=survey.intro_en,
        updated_at=now,
    )
    for question in survey.questions:
        copy = SurveyQuestion(
            position=question.position,
            kind=question.kind,
            text_de=question.text_de,
            text_en=question.text_en,
            low_de=question.low_de,
            low_en=question.low_en,
            high_de=question.high_de,
            high_en=question.high_en,
            per_session=question.per_session,
        )
        copy.options = [
            SurveyOption(
                position=option.position, label_de=option.label_de, label_en=option.label_en
            )
            for option in question.options
        ]
        twin.questions.append(copy)
    db.session.add(twin)
    db.session.flush()
    return len(twin.questions)


editions.copies_along(
    editions.CopyStep(
        key="survey_questions",
        label=lambda: _("Questions of the evaluation survey"),
        plan=_plan,
        copy=copy_survey,
    )
)
