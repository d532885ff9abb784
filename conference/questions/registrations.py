"""The registration questions: what the registration pages, exports, import, portal, privacy
and dashboard call. Registrations are handed in as ids or as objects with ``id`` (this package
sits below the registration area and never imports it).

Who sees which question (``audience``): attendees and organisers every active question,
coordinators only those marked "visible to coordinators". Only attendees are held to
"required": an organiser adding or editing a person may not know every answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import get_locale
from flask_babel import gettext as _

from conference.core import audit
from conference.questions import engine, services
from conference.questions.models import CHOICE_KINDS, Question, QuestionScope

ATTENDEE, ORGANISER, COORDINATOR = "attendee", "organiser", "coordinator"
TABLES = services.REGISTRATION_ANSWERS


def audience_of(actor) -> str:
    """The audience of an acting user: a coordinator, else an organiser; "attendee" (or None)
    for the person themselves."""
    if actor is None or isinstance(actor, str):
        return ATTENDEE
    return COORDINATOR if getattr(actor, "role", None) == "coordinator" else ORGANISER


def _language(language: str | None = None) -> str:
    language = language or str(get_locale() or "de")
    return language if language in ("de", "en") else "de"


def questions(congress_id: int, *, archived: bool | None = False) -> list[Question]:
    return services.questions_of(congress_id, QuestionScope.REGISTRATION, archived=archived)


def _shown(items: Iterable[Question], audience: str) -> set[int]:
    return {q.id for q in items if audience != COORDINATOR or q.visible_to_coordinators}


def answer_form(
    congress_id: int,
    *,
    audience: str,
    registration_id: int | None = None,
    formdata=None,
    language: str | None = None,
) -> engine.AnswerForm:
    """The questions for a registration form: empty (sign-up), with the stored answers, or
    with what was sent (``formdata``, validated)."""
    active = questions(congress_id)
    stored = {}
    if registration_id is not None and active:
        stored = services.stored_answers(TABLES, [registration_id], active).get(registration_id, {})
    return engine.read_form(
        active,
        _language(language),
        shown=_shown(active, audience),
        formdata=formdata,
        stored=stored,
        enforce_required=audience == ATTENDEE,
    )


def save_answers(registration, form: engine.AnswerForm, *, actor, record: bool = True) -> list[int]:
    """Store what ``form`` keeps (its ``values``: valid, visible, for every active question).
    Records "registration.answers_changed" with the questions that changed."""
    if form is None or not form.questions:
        return []
    changed = services.store_answers(TABLES, registration.id, form.questions, form.values)
    if changed and record:
        audit.record("registration.answers_changed", registration, actor=actor, questions=changed)
    return changed


def answers_of(
    registration_id: int,
    congress_id: int,
    *,
    audience: str,
    language: str | None = None,
    archived: bool = False,
) -> list[tuple[str, str]]:
    """(question, answer) of one registration, in the questions' order, for a page. With
    ``archived`` the answers to archived questions too (the organisers' detail page)."""
    language = _language(language)
    items = questions(congress_id, archived=None if archived else False)
    items = [q for q in items if q.id in _shown(items, audience)]
    values = services.stored_answers(TABLES, [registration_id], items).get(registration_id, {})
    return [
        (q.text(language), engine.display(q, values[q.id], language))
        for q in sorted(items, key=lambda q: (q.archived_at is not None, q.position, q.id))
        if q.id in values
    ]


def table(
    congress_id: int,
    registration_ids: Sequence[int],
    *,
    audience: str,
    language: str | None = None,
    for_page: bool = False,
) -> tuple[list[str], dict[int, list]]:
    """Columns for a list or an export: headers (each question's text in the export's
    language, archived questions after the active ones) and each registration's cells, as
    spreadsheet values or (``for_page``) as text to show. One query per 1,000 registrations."""
    cell = engine.display if for_page else engine.export_value
    language = _language(language)
    items = [
        q
        for q in sorted(
            questions(congress_id, archived=None),
            key=lambda q: (q.archived_at is not None, q.position, q.id),
        )
        if audience != COORDINATOR or q.visible_to_coordinators
    ]
    values = services.stored_answers(TABLES, registration_ids, items)
    cells = {
        rid: [cell(q, values.get(rid, {}).get(q.id), language) for q in items]
        for rid in registration_ids
    }
    return [q.text(language) for q in items], cells


def privacy_export(registration_id: int, congress_id: int, language: str) -> list[dict]:
    """Every answer of the person, archived questions included (GDPR art. 15)."""
    return [
        {"question": question, "answer": answer}
        for question, answer in answers_of(
            registration_id, congress_id, audience=ORGANISER, language=language, archived=True
        )
    ]


def erase(registration_ids: Sequence[int]) -> int:
    return services.erase_answers(TABLES, registration_ids)


# --- import ------------------------------------------------------------------------------------


def import_columns(congress_id: int) -> tuple[list[Question], dict[str, list[str]]]:
    """The active questions and the columns an import reads them from: the question's text in
    German or English (as the exports head them), case and spacing ignored."""
    active = questions(congress_id)
    aliases = {
        f"question-{q.id}": [text for text in {q.text_de, q.text_en} if text] for q in active
    }
    return active, aliases


def import_answers(
    active: Sequence[Question], row: dict[str, str], header_of
) -> tuple[engine.AnswerForm, list[str]]:
    """The answers in one imported row: ``row`` maps "question-<id>" to the cell. Returns the
    answers to store and the problems (each naming its column, as the file heads it)."""
    values: dict[int, engine.Value] = {}
    problems = []
    present = set()
    for question in active:
        column = f"question-{question.id}"
        if column not in row:
            continue
        present.add(question.id)
        value, problem = engine.parse_text(question, row[column])
        if problem:
            problems.append(
                _("Column %(column)s: %(problem)s", column=header_of(column), problem=problem)
            )
        elif value is not None:
            values[question.id] = value
    form = engine.AnswerForm(
        fields=[],
        values=engine.keep_visible(active, values),
        errors={},
        shown=present,
        questions=list(active),
    )
    return form, problems


# --- the dashboard -------------------------------------------------------------------------------


def choice_results(
    congress_id: int, owners, language: str | None = None
) -> list[tuple[Question, list[tuple[str, int]]]]:
    """Each active choice question with (answer, how many chose it) in the options' order;
    ``owners`` is the selectable of the registrations to count. One query for all."""
    language = _language(language)
    items = [q for q in questions(congress_id) if q.kind in CHOICE_KINDS]
    counts = services.option_counts(TABLES, [q.id for q in items], owners)
    return [
        (q, [(option.text(language), counts.get(option.id, 0)) for option in q.active_options])
        for q in items
    ]
