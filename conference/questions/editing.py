"""The organisers' operations on registration questions: save, move, remove, restore, copy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.core import audit
from conference.core.models import Congress
from conference.extensions import db
from conference.questions import engine
from conference.questions.answers import (
    ANSWER_TABLES,
    HELP_LIMIT,
    OPTION_LIMIT,
    TEXT_LIMIT,
    YES_NO_OPTIONS,
    InvalidQuestion,
    QuestionConflict,
    _answered_options,
    has_answers,
    questions_of,
)
from conference.questions.models import (
    CHOICE_KINDS,
    Question,
    QuestionKind,
    QuestionOption,
    QuestionScope,
)

# --- the organisers' operations --------------------------------------------------------------


@dataclass
class OptionData:
    id: int | None  # None: a new option
    text_de: str = ""
    text_en: str = ""
    remove: bool = False


@dataclass
class QuestionData:
    """What the organisers' form says about a question."""

    kind: str
    text_de: str
    text_en: str = ""
    help_de: str = ""
    help_en: str = ""
    required: bool = False
    visible_to_coordinators: bool = False
    min_value: int | None = None
    max_value: int | None = None
    condition_option_id: int | None = None
    options: list[OptionData] = field(default_factory=list)


def _dependents(question: Question, among: Iterable[Question]) -> list[Question]:
    """Active questions whose condition points at one of ``question``'s options."""
    option_ids = {option.id for option in question.options}
    return [
        other
        for other in among
        if other.id != question.id
        and other.archived_at is None
        and other.condition_option_id in option_ids
    ]


def _names(questions: Iterable[Question]) -> str:
    language = str(get_locale() or "de")
    return ", ".join(_("“%(question)s”", question=q.text(language)) for q in questions)


def _check_text(data: QuestionData) -> None:
    for name, value, limit in (
        ("text_de", data.text_de, TEXT_LIMIT),
        ("text_en", data.text_en, TEXT_LIMIT),
        ("help_de", data.help_de, HELP_LIMIT),
        ("help_en", data.help_en, HELP_LIMIT),
    ):
        if len(value) > limit:
            raise InvalidQuestion(
                _("Please shorten this text to %(max)s characters.", max=limit), field=name
            )
    if not data.text_de:
        raise InvalidQuestion(_("Please enter the question in German."), field="text_de")


def _check_condition(
    congress_id: int, scope: str, question: Question | None, option_id: int | None
) -> None:
    if option_id is None:
        return
    option = db.session.get(QuestionOption, option_id)
    parent = option.question if option is not None else None
    if (
        parent is None
        or option.archived_at is not None
        or parent.archived_at is not None
        or parent.congress_id != congress_id
        or parent.scope != scope
        or parent.kind not in CHOICE_KINDS
    ):
        raise InvalidQuestion(
            _("Please choose an answer of another choice question."), field="condition"
        )
    # No loops: following the conditions upwards from the chosen question must not come back.
    seen = set()
    current = parent
    while current is not None and current.id not in seen:
        if question is not None and current.id == question.id:
            raise InvalidQuestion(
                _("This question cannot depend on itself, not even through other questions."),
                field="condition",
            )
        seen.add(current.id)
        current = current.condition_option.question if current.condition_option else None


def _apply_options(question: Question, data: QuestionData, *, now: datetime) -> None:
    """Bring the options in line with the form: texts changed, new ones added at the end,
    removed ones deleted (or archived once chosen in an answer)."""
    if question.kind == QuestionKind.YES_NO:
        if not question.options:
            for position, (de, en) in enumerate(YES_NO_OPTIONS):
                question.options.append(QuestionOption(position=position, text_de=de, text_en=en))
        return
    if question.kind not in CHOICE_KINDS:
        for option in list(question.options):
            question.options.remove(option)
        return
    existing = {option.id: option for option in question.options}
    answered = _answered_options(question) if question.id else set()
    kept: list[tuple[str, str]] = []
    for row in data.options:
        de, en = row.text_de.strip(), row.text_en.strip()
        option = existing.get(row.id) if row.id is not None else None
        if row.id is not None and option is None:
            continue  # not an option of this question: ignored
        if option is not None and (row.remove or not (de or en)):
            if option.archived_at is not None:
                continue
            dependent = (
                db.session.execute(
                    select(Question).where(
                        Question.condition_option_id == option.id, Question.archived_at.is_(None)
                    )
                )
                .scalars()
                .all()
            )
            if dependent:
                raise InvalidQuestion(
                    _(
                        "The answer “%(option)s” cannot be removed: %(questions)s depends on it.",
                        option=option.text_de,
                        questions=_names(dependent),
                    ),
                    field="options",
                )
            if option.id in answered:
                option.archived_at = now
            else:
                question.options.remove(option)
            continue
        if not (de or en):
            continue
        if not de:
            raise InvalidQuestion(_("Please give each answer in German too."), field="options")
        if len(de) > OPTION_LIMIT or len(en) > OPTION_LIMIT:
            raise InvalidQuestion(
                _("Please shorten each answer to %(max)s characters.", max=OPTION_LIMIT),
                field="options",
            )
        if option is None:
            option = QuestionOption(text_de=de, text_en=en)
            question.options.append(option)
        else:
            option.text_de, option.text_en = de, en
        kept.append((de.casefold(), en.casefold()))
    active = [option for option in question.options if option.archived_at is None]
    if len(active) < 2:
        raise InvalidQuestion(_("Please offer at least two answers."), field="options")
    german = [de for de, _en in kept]
    if len(set(german)) != len(german):
        raise InvalidQuestion(_("Two answers have the same text."), field="options")
    for position, option in enumerate(question.options):
        option.position = position


def save_question(
    congress: Congress,
    data: QuestionData,
    *,
    question: Question | None = None,
    scope: str = QuestionScope.REGISTRATION,
    actor,
    now: datetime,
) -> Question:
    """Create (``question`` None) or change a question. A question with answers keeps its type.
    Raises InvalidQuestion (with the form field) or QuestionConflict."""
    data.text_de, data.text_en = data.text_de.strip(), data.text_en.strip()
    data.help_de, data.help_en = data.help_de.strip(), data.help_en.strip()
    if data.kind not in set(QuestionKind):
        raise InvalidQuestion(_("Please choose a type."), field="kind")
    _check_text(data)
    if data.kind == QuestionKind.NUMBER:
        for name in ("min_value", "max_value"):
            value = getattr(data, name)
            if value is not None and abs(value) > engine.NUMBER_LIMIT:
                raise InvalidQuestion(_("Please enter a smaller number."), field=name)
        if (
            data.min_value is not None
            and data.max_value is not None
            and data.min_value > data.max_value
        ):
            raise InvalidQuestion(
                _("The smallest number must not be larger than the largest."), field="max_value"
            )
    else:
        data.min_value = data.max_value = None
    creating = question is None
    if creating:
        last = db.session.execute(
            select(func.max(Question.position)).where(
                Question.congress_id == congress.id, Question.scope == scope
            )
        ).scalar_one()
        question = Question(
            congress_id=congress.id,
            scope=scope,
            kind=data.kind,
            position=(last + 1) if last is not None else 0,
            created_at=now,
        )
    elif question.kind != data.kind:
        if has_answers(question):
            raise InvalidQuestion(
                _("This question has answers already, so its type cannot change."), field="kind"
            )
        dependent = _dependents(question, questions_of(congress.id, scope))
        if dependent:
            raise InvalidQuestion(
                _(
                    "Other questions depend on the answers of this one (%(questions)s), so its "
                    "type cannot change.",
                    questions=_names(dependent),
                ),
                field="kind",
            )
        if data.kind == QuestionKind.YES_NO:
            for option in list(question.options):
                question.options.remove(option)
        question.kind = data.kind
    _check_condition(congress.id, scope, None if creating else question, data.condition_option_id)
    for name in (
        "text_de",
        "text_en",
        "help_de",
        "help_en",
        "required",
        "visible_to_coordinators",
        "min_value",
        "max_value",
    ):
        setattr(question, name, getattr(data, name))
    question.condition_option_id = data.condition_option_id
    question.updated_at = now
    if creating:
        db.session.add(question)
    _apply_options(question, data, now=now)
    db.session.flush()
    audit.record(
        "question.created" if creating else "question.updated",
        question,
        actor=actor,
        text=question.text_de,
    )
    return question


def move_question(question: Question, direction: str, *, actor) -> bool:
    """One place up or down among the active questions; False at the end of the list. The
    positions are renumbered 0..n on the way, so they stay distinct whatever happened before."""
    ordered = questions_of(question.congress_id, question.scope)
    index = next((i for i, q in enumerate(ordered) if q.id == question.id), None)
    if index is None:
        return False
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()
    audit.record(
        "question.moved", question, actor=actor, direction=direction, text=question.text_de
    )
    return True


def remove_question(question: Question, *, actor, now: datetime) -> str:
    """ "Delete" from the organisers' list: a question with answers is archived (hidden from
    the forms, its answers stay in the exports), one without is deleted. Returns "archived"
    or "deleted". Raises QuestionConflict while other questions depend on it."""
    if question.archived_at is not None:
        return "archived"
    dependent = _dependents(question, questions_of(question.congress_id, question.scope))
    if dependent:
        raise QuestionConflict(
            _(
                "%(questions)s depends on this question. Please change or delete that question "
                "first.",
                questions=_names(dependent),
            )
        )
    if has_answers(question):
        question.archived_at = now
        db.session.flush()
        audit.record("question.archived", question, actor=actor, text=question.text_de)
        return "archived"
    audit.record("question.deleted", question, actor=actor, text=question.text_de)
    db.session.delete(question)
    db.session.flush()
    return "deleted"


def restore_question(question: Question, *, actor) -> bool:
    """An archived question back into the forms, at the end. Its condition is dropped when the
    question it depended on is archived (it could never be shown). Returns whether it was."""
    if question.archived_at is None:
        return False
    dropped = False
    option = question.condition_option
    if option is not None and (
        option.archived_at is not None or option.question.archived_at is not None
    ):
        question.condition_option_id = None
        dropped = True
    last = db.session.execute(
        select(func.max(Question.position)).where(
            Question.congress_id == question.congress_id,
            Question.scope == question.scope,
            Question.archived_at.is_(None),
        )
    ).scalar_one()
    question.archived_at = None
    question.position = (last + 1) if last is not None else 0
    db.session.flush()
    audit.record("question.restored", question, actor=actor, text=question.text_de)
    return dropped


def copied_question_count(congress_id: int, scopes: Iterable[str] | None = None) -> int:
    """How many questions ``copy_questions`` would take from this edition (of ``scopes``, else
    of every scope): one query."""
    return db.session.scalar(
        select(func.count(Question.id)).where(
            Question.congress_id == congress_id,
            Question.scope.in_(list(ANSWER_TABLES if scopes is None else scopes)),
            Question.archived_at.is_(None),
        )
    )


def copy_questions(source: Congress, target: Congress) -> int:
    """Give ``target`` the active questions of ``source`` (every scope), in their order, with
    their options and conditions; answers stay behind. Returns how many were copied."""
    copied = 0
    for scope in ANSWER_TABLES:
        questions = questions_of(source.id, scope)
        start = db.session.execute(
            select(func.max(Question.position)).where(
                Question.congress_id == target.id, Question.scope == scope
            )
        ).scalar_one()
        offset = (start + 1) if start is not None else 0
        option_map: dict[int, QuestionOption] = {}
        pending: list[tuple[Question, int]] = []
        for position, question in enumerate(questions):
            twin = Question(
                congress_id=target.id,
                scope=scope,
                position=offset + position,
                kind=question.kind,
                text_de=question.text_de,
                text_en=question.text_en,
                help_de=question.help_de,
                help_en=question.help_en,
                required=question.required,
                min_value=question.min_value,
                max_value=question.max_value,
                visible_to_coordinators=question.visible_to_coordinators,
            )
            for option in question.active_options:
                copy = QuestionOption(
                    position=option.position, text_de=option.text_de, text_en=option.text_en
                )
                twin.options.append(copy)
                option_map[option.id] = copy
            db.session.add(twin)
            if question.condition_option_id is not None:
                pending.append((twin, question.condition_option_id))
            copied += 1
        db.session.flush()
        for twin, option_id in pending:
            if option_id in option_map:
                twin.condition_option_id = option_map[option_id].id
        db.session.flush()
    return copied
