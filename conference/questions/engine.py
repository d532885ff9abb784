"""The question engine's pure part: plain values in, plain values out, no database.

A question is anything with the attributes of ``models.Question`` (``id``, ``kind``,
``text(language)``, ``help(language)``, ``required``, ``min_value``, ``max_value``,
``condition_option_id``, ``options``); an option has ``id``, ``text(language)`` and
``archived_at``. Answers are plain values:

- short and long text: ``str``;
- single choice, multiple choice, yes/no: a ``tuple`` of option ids (one for single choice);
- number: ``int``;
- date: ``datetime.date``;
- no answer: ``None`` (never stored).

``read_form`` turns submitted form data into an ``AnswerForm`` (fields to render with their
errors, and the values to keep); ``parse_text`` reads one cell of an imported table;
``visible_ids`` decides which questions are shown given the answers so far; ``display`` and
``export_value`` format an answer for a page or a spreadsheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from conference.questions.models import CHOICE_KINDS, QuestionKind

Value = str | int | date | tuple[int, ...]

#: Longest answer per text kind, in characters.
TEXT_LIMITS = {QuestionKind.SHORT_TEXT: 200, QuestionKind.LONG_TEXT: 2000}
#: From this many options on, a single choice is a select list instead of radio buttons.
SELECT_FROM = 7
#: Words an import accepts for yes (the first option of a yes/no question) and no.
YES_WORDS = {"ja", "j", "yes", "y", "1", "x", "true", "wahr"}
NO_WORDS = {"nein", "n", "no", "0", "false", "falsch"}
#: Numbers must fit the database's INTEGER column.
NUMBER_LIMIT = 2**31 - 1


def field_name(question) -> str:
    return f"question-{question.id}"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == ()


def _has_control_characters(text: str, *, lines: bool) -> bool:
    allowed = "\n\r\t" if lines else "\t"
    return any(ord(ch) < 32 and ch not in allowed for ch in text)


def _option_ids(question) -> dict[int, Any]:
    return {option.id: option for option in question.options if option.archived_at is None}


def _ordered(question, ids: Iterable[int]) -> tuple[int, ...]:
    wanted = set(ids)
    return tuple(option.id for option in question.options if option.id in wanted)


def _number_problem(question, number: int) -> str | None:
    low, high = question.min_value, question.max_value
    if abs(number) > NUMBER_LIMIT:
        return _("Please enter a smaller number.")
    if low is not None and high is not None and not low <= number <= high:
        return _("Please enter a number from %(min)s to %(max)s.", min=low, max=high)
    if low is not None and number < low:
        return _("Please enter a number of at least %(min)s.", min=low)
    if high is not None and number > high:
        return _("Please enter a number of at most %(max)s.", max=high)
    return None


_NUMBER = re.compile(r"^[+-]?\d{1,12}$")


def _parse_number(question, text: str) -> tuple[int | None, str | None]:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if text.endswith((",0", ".0")):
        text = text[:-2]
    if not text.isascii() or not _NUMBER.match(text):
        return None, _("Please enter a whole number, such as 2.")
    number = int(text)
    problem = _number_problem(question, number)
    return (None, problem) if problem else (number, None)


def _parse_date(text: str) -> tuple[date | None, str | None]:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date(), None
        except ValueError:
            continue
    return None, _("Please enter a date, such as 18.11.2027.")


def _parse_text(question, text: str) -> tuple[str | None, str | None]:
    limit = TEXT_LIMITS.get(question.kind, 200)
    text = text.replace("\r\n", "\n").strip()
    if question.kind == QuestionKind.SHORT_TEXT:
        text = " ".join(text.split())
    if _has_control_characters(text, lines=question.kind == QuestionKind.LONG_TEXT):
        return None, _("Please remove the control characters.")
    if len(text) > limit:
        return None, _("Please shorten your answer to %(max)s characters.", max=limit)
    return text or None, None


def parse_input(question, raw: Sequence[str]) -> tuple[Value | None, str | None]:
    """The answer a form sent for ``question`` (its values under ``field_name``): the value
    (None for no answer) or a translated problem."""
    raw = [value for value in raw if isinstance(value, str)]
    if question.kind in CHOICE_KINDS:
        chosen = [value.strip() for value in raw if value.strip()]
        if not chosen:
            return None, None
        offered = _option_ids(question)
        ids = []
        for value in chosen:
            if not value.isascii() or not value.isdigit() or int(value) not in offered:
                return None, _("Please choose one of the answers offered.")
            ids.append(int(value))
        if question.kind != QuestionKind.MULTIPLE_CHOICE and len(set(ids)) > 1:
            return None, _("Please choose only one answer.")
        return _ordered(question, ids), None
    text = raw[0] if raw else ""
    if question.kind == QuestionKind.NUMBER:
        return (None, None) if not text.strip() else _parse_number(question, text)
    if question.kind == QuestionKind.DATE:
        return (None, None) if not text.strip() else _parse_date(text)
    return _parse_text(question, text)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def parse_text(question, text: str) -> tuple[Value | None, str | None]:
    """One cell of an imported table (as exports write it: option texts in German or English,
    several separated by ";"; yes/no; a number; a date)."""
    text = (text or "").strip()
    if not text:
        return None, None
    if question.kind not in CHOICE_KINDS:
        return parse_input(question, [text])
    options = [option for option in question.options if option.archived_at is None]
    by_text = {}
    for option in options:
        for language in ("de", "en"):
            by_text.setdefault(_normalise(option.text(language)), option.id)
    parts = [text] if question.kind != QuestionKind.MULTIPLE_CHOICE else text.split(";")
    ids = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        found = by_text.get(_normalise(part))
        if found is None and question.kind == QuestionKind.YES_NO and len(options) == 2:
            word = _normalise(part)
            found = (
                options[0].id if word in YES_WORDS else options[1].id if word in NO_WORDS else None
            )
        if found is None:
            return None, _("“%(value)s” is not one of the answers offered.", value=part)
        ids.append(found)
    if not ids:
        return None, None
    if question.kind != QuestionKind.MULTIPLE_CHOICE and len(set(ids)) > 1:
        return None, _("Please choose only one answer.")
    return _ordered(question, ids), None


def visible_ids(questions: Iterable, values: Mapping[int, Value]) -> set[int]:
    """The questions shown given ``values``: those without a condition, and those whose
    condition question is shown and answered with the option they depend on. A question whose
    condition points at a question not among ``questions`` (archived) is hidden."""
    questions = list(questions)
    owner = {option.id: question for question in questions for option in question.options}
    shown: dict[int, bool] = {}

    def is_shown(question, trail: frozenset) -> bool:
        if question.id in shown:
            return shown[question.id]
        if question.condition_option_id is None:
            result = True
        else:
            parent = owner.get(question.condition_option_id)
            if parent is None or parent.id in trail or parent.id == question.id:
                result = False
            else:
                result = is_shown(parent, trail | {question.id}) and (
                    question.condition_option_id in (values.get(parent.id) or ())
                )
        shown[question.id] = result
        return result

    return {question.id for question in questions if is_shown(question, frozenset())}


def keep_visible(questions: Iterable, values: Mapping[int, Value]) -> dict[int, Value]:
    """``values`` without empty answers and without answers to questions that are hidden."""
    visible = visible_ids(questions, values)
    return {qid: value for qid, value in values.items() if qid in visible and not is_empty(value)}


# --- forms ---------------------------------------------------------------------------------------


@dataclass
class Field:
    """A question ready for a template (``templates/questions/_fields.html``)."""

    question: Any
    name: str
    id: str
    label: str
    help: str
    widget: str  # text | textarea | radio | select | checkbox | number | date
    required: bool  # marked and enforced for this form
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    chosen: list[str] = field(default_factory=list)  # values to show as given
    error: str | None = None
    condition_name: str = ""  # the field whose answer this one depends on
    condition_value: str = ""
    condition_hint: str = ""
    min: int | None = None
    max: int | None = None
    max_length: int | None = None

    @property
    def text(self) -> str:
        return self.chosen[0] if self.chosen else ""

    @property
    def described_by(self) -> str:
        ids = []
        if self.help or self.condition_hint:
            ids.append(f"{self.id}-hint")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class AnswerForm:
    """Questions as a form, with what was sent: ``values`` are the answers to keep (valid,
    visible, not empty) for every question of the scope, ``errors`` the problems by question
    id. ``shown`` are the questions this form asks (e.g. only those coordinators may see)."""

    fields: list[Field]
    values: dict[int, Value]
    errors: dict[int, str]
    shown: set[int]
    questions: list

    @property
    def valid(self) -> bool:
        return not self.errors

    def __bool__(self) -> bool:
        return bool(self.fields)


def raw_values(question, value: Value | None) -> list[str]:
    """A stored value as a form sends it, to show it in a form again."""
    if is_empty(value):
        return []
    if isinstance(value, tuple):
        return [str(option_id) for option_id in value]
    if isinstance(value, date):
        return [value.isoformat()]
    return [str(value)]


def _widget(question) -> str:
    kind = question.kind
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return "checkbox"
    if kind == QuestionKind.SINGLE_CHOICE:
        return "select" if len(_option_ids(question)) >= SELECT_FROM else "radio"
    if kind == QuestionKind.YES_NO:
        return "radio"
    return {
        QuestionKind.LONG_TEXT: "textarea",
        QuestionKind.NUMBER: "number",
        QuestionKind.DATE: "date",
    }.get(kind, "text")


def _field(question, language: str, chosen: list[str], error, owner, enforce_required) -> Field:
    result = Field(
        question=question,
        name=field_name(question),
        id=field_name(question),
        label=question.text(language),
        help=question.help(language),
        widget=_widget(question),
        required=bool(question.required and enforce_required),
        options=[(str(o.id), o.text(language)) for o in question.options if o.archived_at is None],
        chosen=chosen,
        error=error,
        min=question.min_value if question.kind == QuestionKind.NUMBER else None,
        max=question.max_value if question.kind == QuestionKind.NUMBER else None,
        max_length=TEXT_LIMITS.get(question.kind),
    )
    if question.condition_option_id is not None and question.condition_option_id in owner:
        parent, option = owner[question.condition_option_id]
        result.condition_name = field_name(parent)
        result.condition_value = str(option.id)
        result.condition_hint = _(
            "Only if you answered “%(answer)s” to “%(question)s”.",
            answer=option.text(language),
            question=parent.text(language),
        )
    return result


def read_form(
    questions: Sequence,
    language: str,
    *,
    shown: set[int] | None = None,
    formdata: Any = None,
    stored: Mapping[int, Value] | None = None,
    enforce_required: bool = True,
) -> AnswerForm:
    """The form for ``questions`` (all active questions of a scope, in order).

    ``shown``: the ids this form asks (default: all); answers to the others come from
    ``stored`` and count for conditions. Without ``formdata`` the form shows ``stored``. With
    it, each shown question is parsed from ``formdata.getlist(field_name)``; an answer to a
    question whose condition is not met is dropped with its problems, and a required question
    is refused only while it is shown (and only when ``enforce_required``).
    """
    questions = list(questions)
    shown = {q.id for q in questions} if shown is None else set(shown)
    stored = dict(stored or {})
    owner = {o.id: (q, o) for q in questions for o in q.options}
    errors: dict[int, str] = {}
    raw: dict[int, list[str]] = {}
    values = dict(stored)
    if formdata is not None:
        for question in questions:
            if question.id not in shown:
                continue
            raw[question.id] = list(formdata.getlist(field_name(question)))
            value, problem = parse_input(question, raw[question.id])
            values.pop(question.id, None)
            if problem:
                errors[question.id] = problem
            elif not is_empty(value):
                values[question.id] = value
        visible = visible_ids(questions, values)
        errors = {qid: problem for qid, problem in errors.items() if qid in visible}
        if enforce_required:
            for question in questions:
                if (
                    question.id in shown
                    and question.id in visible
                    and question.required
                    and question.id not in errors
                    and is_empty(values.get(question.id))
                ):
                    errors[question.id] = _("Please answer this question.")
    kept = keep_visible(questions, values)
    fields = [
        _field(
            question,
            language,
            raw[question.id]
            if question.id in raw
            else raw_values(question, stored.get(question.id)),
            errors.get(question.id),
            owner,
            enforce_required,
        )
        for question in questions
        if question.id in shown
    ]
    return AnswerForm(fields=fields, values=kept, errors=errors, shown=shown, questions=questions)


# --- showing answers -----------------------------------------------------------------------------


def option_texts(question, value: Value, language: str) -> list[str]:
    chosen = set(value) if isinstance(value, tuple) else set()
    return [option.text(language) for option in question.options if option.id in chosen]


def display(question, value: Value | None, language: str) -> str:
    """An answer as a page shows it ("Ja", "Englisch, Gebärdensprache", "18.11.2027")."""
    if is_empty(value):
        return ""
    if question.kind in CHOICE_KINDS:
        return ", ".join(option_texts(question, value, language))
    if isinstance(value, date):
        return format_date(value, "medium")
    return str(value)


def export_value(question, value: Value | None, language: str):
    """An answer as a spreadsheet cell: text, a real number, a real date. Several options are
    joined by "; ", which the import reads back."""
    if is_empty(value):
        return ""
    if question.kind in CHOICE_KINDS:
        return "; ".join(option_texts(question, value, language))
    return value
