"""Registration questions: reading them, and the answer store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from conference.core.errors import Conflict, Invalid, NotFound
from conference.extensions import db
from conference.questions import engine
from conference.questions.models import (
    CHOICE_KINDS,
    Question,
    QuestionKind,
    QuestionScope,
    RegistrationAnswer,
    RegistrationAnswerChoice,
)

TEXT_LIMIT = 500
HELP_LIMIT = 1000
OPTION_LIMIT = 300
#: The fixed options of a yes/no question, in this order (the import reads "x" as the first).
YES_NO_OPTIONS = (("Ja", "Yes"), ("Nein", "No"))


class InvalidQuestion(Invalid):
    code = "invalid_question"


class QuestionConflict(Conflict):
    code = "question_conflict"


# --- reading ---------------------------------------------------------------------------------


def questions_of(
    congress_id: int, scope: str = QuestionScope.REGISTRATION, *, archived: bool | None = False
) -> list[Question]:
    """The questions of an edition and scope in their order, with their options (two queries).
    ``archived``: False only active ones, True only archived ones, None both."""
    query = select(Question).where(Question.congress_id == congress_id, Question.scope == scope)
    if archived is False:
        query = query.where(Question.archived_at.is_(None))
    elif archived is True:
        query = query.where(Question.archived_at.is_not(None))
    return list(
        db.session.execute(
            query.order_by(Question.position, Question.id).options(selectinload(Question.options))
        ).scalars()
    )


def question_of(congress_id: int, question_id: int) -> Question:
    question = db.session.execute(
        select(Question)
        .where(Question.id == question_id, Question.congress_id == congress_id)
        .options(selectinload(Question.options))
    ).scalar_one_or_none()
    if question is None:
        raise NotFound(_("This question does not exist."), code="unknown_question")
    return question


# --- the answer store ------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerTables:
    """Where one scope keeps its answers: an answer model with an owner column, ``question_id``,
    ``value`` and ``choices``, and the choice model with ``answer_id`` and ``option_id``."""

    answer: type
    choice: type
    owner: str

    @property
    def owner_column(self):
        return getattr(self.answer, self.owner)


REGISTRATION_ANSWERS = AnswerTables(RegistrationAnswer, RegistrationAnswerChoice, "registration_id")
#: The answer tables of each scope. The call for contributions adds its own here.
ANSWER_TABLES = {QuestionScope.REGISTRATION: REGISTRATION_ANSWERS}

CHUNK = 1000


def _from_stored(question, text: str, option_ids: list[int]):
    if question.kind in CHOICE_KINDS:
        return engine._ordered(question, option_ids) or None
    if question.kind == QuestionKind.NUMBER:
        try:
            return int(text)
        except ValueError:
            return None
    if question.kind == QuestionKind.DATE:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return text or None


def _to_stored(question, value) -> tuple[str, tuple[int, ...]]:
    if question.kind in CHOICE_KINDS:
        return "", tuple(value)
    if isinstance(value, date):
        return value.isoformat(), ()
    return str(value), ()


def stored_answers(
    tables: AnswerTables, owner_ids: Iterable[int], questions: Sequence
) -> dict[int, dict[int, engine.Value]]:
    """owner id -> question id -> value, for ``questions``: one query per 1,000 owners."""
    by_id = {question.id: question for question in questions}
    owner_ids = list(dict.fromkeys(owner_ids))
    rows: dict[tuple[int, int], tuple[str, list[int]]] = {}
    if not by_id:
        return {}
    for start in range(0, len(owner_ids), CHUNK):
        chunk = owner_ids[start : start + CHUNK]
        found = db.session.execute(
            select(
                tables.owner_column,
                tables.answer.question_id,
                tables.answer.value,
                tables.choice.option_id,
            )
            .join(tables.choice, tables.choice.answer_id == tables.answer.id, isouter=True)
            .where(tables.owner_column.in_(chunk), tables.answer.question_id.in_(list(by_id)))
        ).all()
        for owner, question_id, value, option_id in found:
            entry = rows.setdefault((owner, question_id), (value, []))
            if option_id is not None:
                entry[1].append(option_id)
    result: dict[int, dict[int, engine.Value]] = defaultdict(dict)
    for (owner, question_id), (value, option_ids) in rows.items():
        converted = _from_stored(by_id[question_id], value, option_ids)
        if converted is not None:
            result[owner][question_id] = converted
    return dict(result)


def store_answers(
    tables: AnswerTables, owner_id: int, questions: Sequence, values: dict[int, engine.Value]
) -> list[int]:
    """Make the stored answers of ``owner_id`` to ``questions`` equal ``values`` (a question
    absent from ``values``: no answer). Answers to other questions (archived ones) stay.
    Returns the ids of the questions whose answer changed."""
    by_id = {question.id: question for question in questions}
    if not by_id:
        return []
    before = stored_answers(tables, [owner_id], questions).get(owner_id, {})
    rows = {
        row.question_id: row
        for row in db.session.execute(
            select(tables.answer)
            .where(tables.owner_column == owner_id, tables.answer.question_id.in_(list(by_id)))
            .options(selectinload(tables.answer.choices))
        ).scalars()
    }
    changed = []
    for question in questions:
        new = values.get(question.id)
        if engine.is_empty(new):
            new = None
        if new == before.get(question.id):
            continue
        changed.append(question.id)
        row = rows.get(question.id)
        if new is None:
            if row is not None:
                db.session.delete(row)
            continue
        text, option_ids = _to_stored(question, new)
        if row is None:
            row = tables.answer(**{tables.owner: owner_id}, question_id=question.id)
            db.session.add(row)
        row.value = text
        # Keep the rows of options chosen before: (answer, option) is unique, and a flush
        # inserts before it deletes.
        row.choices = [c for c in row.choices if c.option_id in option_ids] + [
            tables.choice(option_id=option_id)
            for option_id in option_ids
            if option_id not in {c.option_id for c in row.choices}
        ]
    db.session.flush()
    return changed


def erase_answers(tables: AnswerTables, owner_ids: Sequence[int]) -> int:
    """Delete every answer of these owners (their choices go with them)."""
    removed = 0
    owner_ids = list(owner_ids)
    for start in range(0, len(owner_ids), CHUNK):
        chunk = owner_ids[start : start + CHUNK]
        answer_ids = select(tables.answer.id).where(tables.owner_column.in_(chunk))
        db.session.execute(
            delete(tables.choice)
            .where(tables.choice.answer_id.in_(answer_ids))
            .execution_options(synchronize_session=False)
        )
        removed += db.session.execute(
            delete(tables.answer)
            .where(tables.owner_column.in_(chunk))
            .execution_options(synchronize_session=False)
        ).rowcount
    return removed


def answer_counts(tables: AnswerTables, question_ids: Iterable[int]) -> dict[int, int]:
    """How many owners answered each question: one grouped query."""
    ids = list(question_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(tables.answer.question_id, func.count())
            .where(tables.answer.question_id.in_(ids))
            .group_by(tables.answer.question_id)
        ).all()
    )


def option_counts(tables: AnswerTables, question_ids: Iterable[int], owners=None) -> dict[int, int]:
    """How many owners chose each option of these questions; ``owners``: a selectable of owner
    ids to count (e.g. the registrations that are not cancelled), None for all."""
    ids = list(question_ids)
    if not ids:
        return {}
    query = (
        select(tables.choice.option_id, func.count())
        .join(tables.answer, tables.answer.id == tables.choice.answer_id)
        .where(tables.answer.question_id.in_(ids))
        .group_by(tables.choice.option_id)
    )
    if owners is not None:
        query = query.where(tables.owner_column.in_(owners))
    return dict(db.session.execute(query).all())


def _tables(question: Question) -> AnswerTables:
    return ANSWER_TABLES[question.scope]


def has_answers(question: Question) -> bool:
    tables = _tables(question)
    return (
        db.session.execute(
            select(tables.answer.id).where(tables.answer.question_id == question.id).limit(1)
        ).first()
        is not None
    )


def _answered_options(question: Question) -> set[int]:
    tables = _tables(question)
    return set(
        db.session.execute(
            select(tables.choice.option_id)
            .join(tables.answer, tables.answer.id == tables.choice.answer_id)
            .where(tables.answer.question_id == question.id)
            .distinct()
        ).scalars()
    )
