"""The survey over HTTP: the builder and the results under ``/admin/congresses/<id>/survey``
(organisers), and the attendee's form at ``/r/<token>/survey`` (their personal link), offered
on the manage page while the survey is open."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from conference.accounts.access import public, roles_required
from conference.accounts.models import Role
from conference.core.charts import bar_chart
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.exports import table_response
from conference.core.time import utcnow
from conference.editions.services import edition_or_404
from conference.registration import services as registrations
from conference.surveys import services
from conference.surveys.forms import (
    ActionForm,
    AnswerForm,
    QuestionForm,
    SettingsForm,
    kind_labels,
)
from conference.surveys.models import QuestionKind
from conference.surveys.services import QuestionInput, SurveyRefused

bp = Blueprint("surveys", __name__)


def _actor():
    return current_user._get_current_object()


def _language() -> str:
    return str(get_locale() or "de")


def _on_form(form, error: DomainError) -> None:
    errors = error.errors if isinstance(error, SurveyRefused) else {}
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = [*list(target.errors or []), message]
        else:
            flash(message, "error")
    if not errors:
        flash(error.message, "error")


# --- the builder -------------------------------------------------------------------------------


def _builder(congress, form, *, status=200):
    survey = services.survey_of(congress)
    return render_template(
        "surveys/builder.html",
        edition=congress,
        survey=survey,
        form=form,
        action=ActionForm(formdata=None),
        kinds=kind_labels(),
        opens_at=services.opens_at(congress),
        open_now=services.is_open(congress, survey, utcnow()),
        responses=services.response_count(survey) if survey else 0,
    ), status


@bp.route("/admin/congresses/<int:congress_id>/survey", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def builder(congress_id: int):
    congress = edition_or_404(congress_id)
    survey = services.survey_of(congress)
    form = SettingsForm()
    if request.method == "GET":
        form.anonymous.data = survey.anonymous if survey else False
        form.closes_on.data = survey.closes_on if survey else services.default_closing(congress)
        form.intro_de.data = survey.intro_de if survey else ""
        form.intro_en.data = survey.intro_en if survey else ""
        return _builder(congress, form)
    if not form.validate_on_submit():
        return _builder(congress, form, status=400)
    try:
        with transaction():
            services.save_settings(
                congress,
                anonymous=bool(form.anonymous.data),
                closes_on=form.closes_on.data,
                intro_de=(form.intro_de.data or "").strip(),
                intro_en=(form.intro_en.data or "").strip(),
                actor=_actor(),
            )
    except DomainError as error:
        congress = edition_or_404(congress_id)
        _on_form(form, error)
        return _builder(congress, form, status=error.status)
    flash(_("The survey's settings were saved."), "success")
    return redirect(url_for(".builder", congress_id=congress_id), 303)


def _question_page(congress, form, question=None, *, status=200):
    survey = services.survey_of(congress)
    return render_template(
        "surveys/question.html",
        edition=congress,
        form=form,
        question=question,
        responses=services.response_count(survey) if survey else 0,
    ), status


def _survey_or_create(congress):
    """The builder's question pages work before the settings were saved once: the survey
    is then created with its defaults."""
    survey = services.survey_of(congress)
    if survey is None:
        survey = services.save_settings(
            congress,
            anonymous=False,
            closes_on=services.default_closing(congress),
            intro_de="",
            intro_en="",
            actor=_actor(),
        )
    return survey


@bp.route("/admin/congresses/<int:congress_id>/survey/questions/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def question_new(congress_id: int):
    congress = edition_or_404(congress_id)
    form = QuestionForm()
    if request.method == "GET":
        form.kind.data = QuestionKind.RATING
        return _question_page(congress, form)
    if not form.validate_on_submit():
        return _question_page(congress, form, status=400)
    try:
        with transaction():
            services.add_question(
                _survey_or_create(congress), form.question_input(), actor=_actor()
            )
    except DomainError as error:
        congress = edition_or_404(congress_id)
        _on_form(form, error)
        return _question_page(congress, form, status=error.status)
    flash(_("The question was added."), "success")
    return redirect(url_for(".builder", congress_id=congress_id, _anchor="questions"), 303)


def _question(congress, question_id: int):
    survey = services.survey_of(congress)
    if survey is None:
        abort(404)
    return services.question_of(survey, question_id)


@bp.route(
    "/admin/congresses/<int:congress_id>/survey/questions/<int:question_id>",
    methods=["GET", "POST"],
)
@roles_required(Role.ORGANISER)
def question_edit(congress_id: int, question_id: int):
    congress = edition_or_404(congress_id)
    question = _question(congress, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill(QuestionInput.of(question))
        return _question_page(congress, form, question)
    if not form.validate_on_submit():
        return _question_page(congress, form, question, status=400)
    try:
        with transaction():
            changed = services.update_question(question, form.question_input(), actor=_actor())
    except DomainError as error:
        congress = edition_or_404(congress_id)
        question = _question(congress, question_id)
        _on_form(form, error)
        return _question_page(congress, form, question, status=error.status)
    flash(_("The question was saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".builder", congress_id=congress_id, _anchor="questions"), 303)


@bp.post("/admin/congresses/<int:congress_id>/survey/questions/<int:question_id>/delete")
@roles_required(Role.ORGANISER)
def question_delete(congress_id: int, question_id: int):
    congress = edition_or_404(congress_id)
    question = _question(congress, question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            services.delete_question(question, actor=_actor())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The question was deleted."), "success")
    return redirect(url_for(".builder", congress_id=congress_id, _anchor="questions"), 303)


@bp.post("/admin/congresses/<int:congress_id>/survey/questions/<int:question_id>/move")
@roles_required(Role.ORGANISER)
def question_move(congress_id: int, question_id: int):
    congress = edition_or_404(congress_id)
    question = _question(congress, question_id)
    direction = request.form.get("direction")
    if not ActionForm().validate_on_submit() or direction not in ("up", "down"):
        abort(400)
    with transaction():
        services.move_question(question, -1 if direction == "up" else 1)
    return redirect(
        url_for(".builder", congress_id=congress_id, _anchor=f"question-{question_id}"), 303
    )


# --- results ----------------------------------------------------------------------------------


def _charts(result, language: str):
    question = services.localised(result.question, "text", language)
    if result.question.kind == QuestionKind.TEXT:
        return None
    return bar_chart(question, result.distribution)


@bp.get("/admin/congresses/<int:congress_id>/survey/results")
@roles_required(Role.ORGANISER)
def results(congress_id: int):
    congress = edition_or_404(congress_id)
    survey = services.survey_of(congress)
    language = _language()
    found = services.results(congress, survey, language) if survey else None
    return render_template(
        "surveys/results.html",
        edition=congress,
        survey=survey,
        results=found,
        charts={r.question.id: _charts(r, language) for r in (found.questions if found else [])},
        language=language,
        kinds=kind_labels(),
        minimum=services.MIN_TEXT_ANSWERS,
    )


@bp.get("/admin/congresses/<int:congress_id>/survey/results.<fmt>")
@roles_required(Role.ORGANISER)
def results_export(congress_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    congress = edition_or_404(congress_id)
    survey = services.survey_of(congress)
    if survey is None:
        abort(404)
    header, rows = services.export_rows(survey, _language())
    return table_response(fmt, f"{congress.slug}-umfrage", header, rows, tz=congress.timezone)


# --- the attendee's form -------------------------------------------------------------------------


def _answer_page(registration, congress, survey, *, values=None, errors=None, status=200):
    language = _language()
    answered = services.has_answered(survey, registration)
    items = [] if survey.anonymous and answered else services.items_for(survey, registration)
    if values is None:
        values = services.stored_values(services.own_response(survey, registration))
    # Every value as a list of strings, whether stored (ints) or sent again (strings).
    values = {
        key: [str(v) for v in (value if isinstance(value, list) else [value])]
        for key, value in values.items()
    }
    return render_template(
        "surveys/answer.html",
        registration=registration,
        congress=congress,
        survey=survey,
        items=items,
        values=values,
        errors=errors or {},
        answered=answered,
        form=AnswerForm(formdata=None),
        language=language,
        closes_on=survey.closes_on,
        kinds=QuestionKind,
    ), status


@bp.route("/r/<token>/survey", methods=["GET", "POST"])
@public
def answer(token: str):
    registration = registrations.by_manage_token(token)
    congress = registration.congress
    survey = services.survey_of(congress)
    now = utcnow()
    services.require_open(congress, survey, now)
    services.require_attendee(registration)
    if request.method == "GET":
        return _answer_page(registration, congress, survey)
    if not AnswerForm().validate_on_submit():
        abort(400)
    raw = {key: request.form.getlist(key) for key in request.form if key.startswith("q")}
    try:
        with transaction():
            services.submit(congress, survey, registration, raw, now=now)
    except SurveyRefused as error:
        registration = registrations.by_manage_token(token)
        survey = services.survey_of(registration.congress)
        values = {k: v for k, v in raw.items() if v}
        return _answer_page(
            registration, registration.congress, survey, values=values, errors=error.errors,
            status=400,
        )  # fmt: skip
    flash(
        _("Thank you! Your answers were saved.")
        if survey.anonymous
        else _("Thank you! Your answers were saved. You can change them until the survey closes."),
        "success",
    )
    return redirect(url_for(".answer", token=token), 303)


def survey_section(registration) -> Markup | None:
    """The manage page's invitation while the survey is open, for those who attended."""
    congress = registration.congress
    survey = services.survey_of(congress)
    if not services.is_open(congress, survey, utcnow()) or not services.may_answer(registration):
        return None
    return Markup(
        render_template(
            "surveys/_manage_section.html",
            registration=registration,
            survey=survey,
            answered=services.has_answered(survey, registration),
        )
    )


def funder_section(congress) -> Markup | None:
    """The funder report's chapter: the response rate and the rating questions' results."""
    survey = services.survey_of(congress)
    if survey is None or not survey.questions:
        return None
    language = _language()
    found = services.results(congress, survey, language)
    ratings = [r for r in found.questions if r.question.kind == QuestionKind.RATING and r.n]
    chart = None
    if ratings:
        chart = bar_chart(
            _("Share of ratings 4 or 5, in percent"),
            [
                (services.localised(r.question, "text", language), round(100 * r.top_share, 1))
                for r in ratings
            ],
        )
    return Markup(
        render_template(
            "surveys/_funder_section.html",
            results=found,
            ratings=ratings,
            choices=[
                r
                for r in found.questions
                if r.question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and r.n
            ],
            chart=chart,
            language=language,
        )
    )
