"""The organisers' call of an edition: deadline, introduction, formats, tracks, criteria, questions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.accounts.access import roles_required
from conference.agenda import services as agenda
from conference.cfp import services
from conference.cfp.forms import (
    ActionForm,
    CallForm,
    CriterionForm,
    FormatForm,
    QuestionForm,
    TrackForm,
    kind_choices,
)
from conference.cfp.models import Criterion, Format
from conference.cfp.views import ORGANISERS, _actor, _congress, _language, _show_refusal, bp
from conference.core.congress import staff_congress
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.time import utcnow
from conference.questions import services as question_services
from conference.questions.labels import KIND_LABELS
from conference.questions.models import CHOICE_KINDS, QuestionKind

# --- the organisers' call -----------------------------------------------------------------------


def _setup_page(congress, call, *, forms=None, status=200):
    language = _language()
    forms = forms or {}
    call_form = forms.get("call") or CallForm(formdata=None)
    if "call" not in forms and call is not None:
        zone = ZoneInfo(congress.timezone)
        call_form.deadline.data = (
            call.deadline.astimezone(zone).replace(tzinfo=None) if call.deadline else None
        )
        call_form.intro_de.data = call.intro_de
        call_form.intro_en.data = call.intro_en
        call_form.abstract_limit.data = call.abstract_limit
        call_form.anonymous_review.data = call.anonymous_review
    format_form = forms.get("format") or FormatForm(formdata=None, prefix="format")
    format_form.kind.choices = kind_choices(agenda.kind_labels())
    question_form = forms.get("question") or QuestionForm(formdata=None, prefix="question")
    question_form.kind.choices = [(str(k), str(v)) for k, v in KIND_LABELS.items()]
    return (
        render_template(
            "cfp/admin_call.html",
            congress=congress,
            call=call,
            call_form=call_form,
            format_form=format_form,
            criterion_form=forms.get("criterion")
            or CriterionForm(formdata=None, prefix="criterion"),
            track_form=forms.get("track") or TrackForm(formdata=None, prefix="track"),
            question_form=question_form,
            action_form=ActionForm(),
            tracks=agenda.tracks_of(congress),
            questions=services.extra_questions(congress.id),
            kind_labels=agenda.kind_labels(),
            question_kinds={str(k): str(v) for k, v in KIND_LABELS.items()},
            language=language,
        ),
        status,
    )


@bp.get("/admin/cfp")
@roles_required(*ORGANISERS)
def current():
    """The call of the edition the organiser works on (the staff navigation links here)."""
    return redirect(url_for(".admin_call", congress_id=staff_congress().id))


@bp.route("/admin/congresses/<int:congress_id>/cfp", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def admin_call(congress_id: int):
    congress = _congress(congress_id)
    call = services.call_of(congress)
    if request.method == "GET":
        return _setup_page(congress, call)
    form = CallForm()
    if form.validate_on_submit():
        deadline = form.deadline.data
        if deadline is not None:
            deadline = deadline.replace(tzinfo=ZoneInfo(congress.timezone))
        try:
            with transaction():
                services.save_call(
                    congress,
                    deadline=deadline,
                    intro_de=form.intro_de.data or "",
                    intro_en=form.intro_en.data or "",
                    abstract_limit=form.abstract_limit.data,
                    anonymous_review=form.anonymous_review.data,
                    actor=_actor(),
                    now=utcnow(),
                )
        except DomainError as error:
            _show_refusal(form, error)
        else:
            flash(_("The call for contributions has been saved."), "success")
            return redirect(url_for(".admin_call", congress_id=congress.id), 303)
    return _setup_page(congress, services.call_of(congress), forms={"call": form}, status=400)


def _add_part(congress_id: int, key: str, form, add):
    congress = _congress(congress_id)
    if form.validate_on_submit():
        try:
            with transaction():
                add(congress, services.ensure_call(congress))
        except DomainError as error:
            _show_refusal(form, error)
        else:
            flash(_("Added."), "success")
            return redirect(url_for(".admin_call", congress_id=congress.id, _anchor=key), 303)
    return _setup_page(congress, services.call_of(congress), forms={key: form}, status=400)


@bp.post("/admin/congresses/<int:congress_id>/cfp/formats")
@roles_required(*ORGANISERS)
def admin_add_format(congress_id: int):
    form = FormatForm(prefix="format")
    form.kind.choices = kind_choices(agenda.kind_labels())
    return _add_part(
        congress_id,
        "format",
        form,
        lambda congress, call: services.add_format(
            call,
            name_de=form.name_de.data,
            name_en=form.name_en.data or "",
            duration=form.duration.data,
            kind=form.kind.data,
            actor=_actor(),
        ),
    )


@bp.post("/admin/congresses/<int:congress_id>/cfp/criteria")
@roles_required(*ORGANISERS)
def admin_add_criterion(congress_id: int):
    form = CriterionForm(prefix="criterion")
    return _add_part(
        congress_id,
        "criterion",
        form,
        lambda congress, call: services.add_criterion(
            call,
            name_de=form.name_de.data,
            name_en=form.name_en.data or "",
            weight=form.weight.data,
            actor=_actor(),
        ),
    )


@bp.post("/admin/congresses/<int:congress_id>/cfp/tracks")
@roles_required(*ORGANISERS)
def admin_add_track(congress_id: int):
    form = TrackForm(prefix="track")
    return _add_part(
        congress_id,
        "track",
        form,
        lambda congress, call: services.add_track(congress, form.name.data, actor=_actor()),
    )


@bp.post("/admin/congresses/<int:congress_id>/cfp/questions")
@roles_required(*ORGANISERS)
def admin_add_question(congress_id: int):
    form = QuestionForm(prefix="question")
    form.kind.choices = [(str(k), str(v)) for k, v in KIND_LABELS.items()]

    def add(congress, _call):
        kind = form.kind.data
        lines = [line.strip() for line in (form.options.data or "").splitlines() if line.strip()]
        if kind == QuestionKind.YES_NO:
            lines = []
        options = [question_services.OptionData(None, line, "") for line in lines]
        if kind in CHOICE_KINDS and kind != QuestionKind.YES_NO and len(options) < 2:
            raise question_services.InvalidQuestion(
                _("A choice needs at least two options."), field="options"
            )
        data = question_services.QuestionData(
            kind=kind,
            text_de=form.text_de.data,
            text_en=form.text_en.data or "",
            required=form.required.data,
            options=options,
        )
        services.add_question(congress, data, actor=_actor(), now=utcnow())

    return _add_part(congress_id, "question", form, add)


@bp.post("/admin/congresses/<int:congress_id>/cfp/<part>/<int:item_id>/delete")
@roles_required(*ORGANISERS)
def admin_remove_part(congress_id: int, part: str, item_id: int):
    models = {"formats": Format, "criteria": Criterion}
    if part not in models or not ActionForm().validate_on_submit():
        abort(400 if part in models else 404)
    congress = _congress(congress_id)
    call = services.call_of(congress)
    if call is None:
        abort(404)
    with transaction():
        services.remove_part(call, models[part], item_id, actor=_actor())
    flash(_("Removed."), "success")
    return redirect(url_for(".admin_call", congress_id=congress.id), 303)
