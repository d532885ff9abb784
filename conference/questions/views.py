"""The organisers' pages for an edition's registration questions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.accounts.access import current_actor, roles_required
from conference.accounts.models import Role
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction
from conference.core.errors import DomainError, NotFound
from conference.core.models import Congress
from conference.core.time import utcnow
from conference.extensions import db
from conference.questions import services
from conference.questions.forms import NUMBER_KINDS, OPTION_KINDS, QuestionForm
from conference.questions.labels import KIND_HINTS, KIND_LABELS, kind_label
from conference.questions.models import CHOICE_KINDS, QuestionKind, QuestionScope
from conference.questions.registrations import TABLES

bp = Blueprint("questions", __name__)

ORGANISERS = (Role.ORGANISER,)


def _actor():
    actor = current_actor()
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


def _congress(congress_id: int) -> Congress:
    congress = db.session.get(Congress, congress_id)
    if congress is None:
        raise NotFound(_("Unknown congress."), code="unknown_congress")
    return congress


def _list_url(congress_id: int, anchor: str | None = None) -> str:
    return url_for(".admin_list", congress_id=congress_id, _anchor=anchor)


@bp.get("/admin/questions")
@roles_required(*ORGANISERS)
def current():
    """The questions of the current edition (the staff navigation links here)."""
    return redirect(_list_url(current_congress_or_404().id))


@bp.get("/admin/congresses/<int:congress_id>/questions")
@roles_required(*ORGANISERS)
def admin_list(congress_id: int):
    congress = _congress(congress_id)
    items = services.questions_of(congress.id, QuestionScope.REGISTRATION, archived=None)
    active = [q for q in items if q.archived_at is None]
    archived = [q for q in items if q.archived_at is not None]
    by_option = {o.id: (q, o) for q in items for o in q.options}
    return render_template(
        "questions/admin_list.html",
        congress=congress,
        active=active,
        archived=archived,
        answered=services.answer_counts(TABLES, [q.id for q in items]),
        conditions={
            q.id: by_option[q.condition_option_id]
            for q in items
            if q.condition_option_id in by_option
        },
        kinds=[(str(k), label, KIND_HINTS[k]) for k, label in KIND_LABELS.items()],
        kind_label=kind_label,
    )


def _form_page(congress, form, question=None, *, answered=False, status=200, problem=None):
    kind = form.kind.data or QuestionKind.SHORT_TEXT
    return (
        render_template(
            "questions/admin_form.html",
            congress=congress,
            form=form,
            question=question,
            answered=answered,
            kind=kind,
            kind_label=kind_label,
            option_kinds=OPTION_KINDS,
            number_kinds=NUMBER_KINDS,
            options_error=problem if problem and problem[0] == "options" else None,
            condition_error=problem if problem and problem[0] == "condition" else None,
            is_choice=kind in CHOICE_KINDS,
        ),
        status,
    )


def _show_refusal(form, error: DomainError):
    """A refusal beside its field; ("options"/"condition", message) for the parts the form
    macro does not render."""
    name = error.details.get("field")
    if name in ("options", "condition"):
        if name == "condition":
            form.condition.errors = [error.message]
        return (name, error.message)
    field = getattr(form, name, None) if name else None
    if field is None:
        flash(error.message, "error")
        return None
    field.errors = (
        [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    )
    return None


@bp.route("/admin/congresses/<int:congress_id>/questions/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def admin_new(congress_id: int):
    congress = _congress(congress_id)
    others = services.questions_of(congress.id)
    form = QuestionForm() if request.method == "POST" else QuestionForm(formdata=None)
    form.setup(others)
    if request.method == "GET":
        kind = request.args.get("kind", "")
        form.kind.data = kind if kind in set(QuestionKind) else QuestionKind.SHORT_TEXT
        form.condition.data = ""
        form.fill_options()
    problem = None
    if form.validate_on_submit():
        try:
            with transaction():
                question = services.save_question(
                    congress, form.data_for_service(), actor=_actor(), now=utcnow()
                )
                question_id = question.id
        except DomainError as error:
            problem = _show_refusal(form, error)
        else:
            flash(_("The question has been added."), "success")
            return redirect(_list_url(congress.id, f"question-{question_id}"), 303)
    status = 400 if request.method == "POST" else 200
    return _form_page(congress, form, status=status, problem=problem)


@bp.route(
    "/admin/congresses/<int:congress_id>/questions/<int:question_id>", methods=["GET", "POST"]
)
@roles_required(*ORGANISERS)
def admin_edit(congress_id: int, question_id: int):
    congress = _congress(congress_id)
    question = services.question_of(congress.id, question_id)
    answered = services.has_answers(question)
    form = QuestionForm() if request.method == "POST" else QuestionForm(formdata=None)
    form.setup(services.questions_of(congress.id), question)
    if request.method == "GET":
        form.fill_from(question)
    elif answered:
        form.kind.data = question.kind  # shown, not sent: the type of an answered question stays
    problem = None
    if form.validate_on_submit():
        try:
            with transaction():
                services.save_question(
                    congress,
                    form.data_for_service(),
                    question=question,
                    actor=_actor(),
                    now=utcnow(),
                )
        except DomainError as error:
            question = services.question_of(congress.id, question_id)
            problem = _show_refusal(form, error)
        else:
            flash(_("The question has been saved."), "success")
            return redirect(_list_url(congress.id, f"question-{question_id}"), 303)
    status = 400 if request.method == "POST" else 200
    return _form_page(congress, form, question, answered=answered, status=status, problem=problem)


@bp.post("/admin/congresses/<int:congress_id>/questions/<int:question_id>/move")
@roles_required(*ORGANISERS)
def admin_move(congress_id: int, question_id: int):
    """Up or down (the button's ``direction``): a plain form, so it works without JavaScript."""
    question = services.question_of(_congress(congress_id).id, question_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    with transaction():
        services.move_question(question, direction, actor=_actor())
    return redirect(_list_url(congress_id, f"question-{question_id}"), 303)


@bp.post("/admin/congresses/<int:congress_id>/questions/<int:question_id>/delete")
@roles_required(*ORGANISERS)
def admin_delete(congress_id: int, question_id: int):
    question = services.question_of(_congress(congress_id).id, question_id)
    text = question.text(_language())
    try:
        with transaction():
            outcome = services.remove_question(question, actor=_actor(), now=utcnow())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(_list_url(congress_id, f"question-{question_id}"), 303)
    if outcome == "archived":
        flash(
            _(
                "“%(question)s” has answers, so it has been archived: the forms no longer ask "
                "it, and its answers stay in the exports.",
                question=text,
            ),
            "success",
        )
    else:
        flash(_("“%(question)s” has been deleted.", question=text), "success")
    return redirect(_list_url(congress_id), 303)


@bp.post("/admin/congresses/<int:congress_id>/questions/<int:question_id>/restore")
@roles_required(*ORGANISERS)
def admin_restore(congress_id: int, question_id: int):
    question = services.question_of(_congress(congress_id).id, question_id)
    with transaction():
        dropped = services.restore_question(question, actor=_actor())
    flash(_("The question is asked again, at the end of the list."), "success")
    if dropped:
        flash(
            _(
                "The question it depended on is archived, so it is now always shown. Choose a "
                "new condition if it needs one."
            ),
            "warning",
        )
    return redirect(_list_url(congress_id, f"question-{question_id}"), 303)


def _language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "de")
