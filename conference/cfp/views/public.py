"""The public form ``/cfp``, its confirmation page and the submitter's personal link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.accounts.access import public
from conference.agenda import services as agenda
from conference.cfp import services
from conference.cfp.forms import (
    OTHER,
    ActionForm,
    SubmissionForm,
)
from conference.cfp.models import SubmissionStatus
from conference.cfp.views import _language, _show_refusal, bp
from conference.core.congress import current_congress_or_404
from conference.core.database import parse_int, transaction
from conference.core.models import Congress
from conference.core.time import utcnow
from conference.editions.texts import render_markdown
from conference.extensions import db, limiter

# --- the public form ----------------------------------------------------------------------------


def _data(form: SubmissionForm) -> services.SubmissionData:
    carrier = form.carrier.data
    return services.SubmissionData(
        title=form.title.data.strip(),
        abstract=form.abstract.data.strip(),
        format_id=parse_int(form.format.data),
        track_id=parse_int(form.track.data) if form.track.data else None,
        language=form.language.data,
        target_group=(form.target_group.data or "").strip(),
        max_participants=form.max_participants.data,
        accessibility=(form.accessibility.data or "").strip(),
        carrier_id=None if carrier == OTHER else parse_int(carrier),
        organisation_other=(form.organisation_other.data or "").strip() if carrier == OTHER else "",
        first_name=form.first_name.data.strip(),
        last_name=form.last_name.data.strip(),
        email=(form.email.data or "").strip().lower(),
        mail_language=form.mail_language.data,
        presenters=[
            services.PresenterData(
                entry.form.name.data.strip(),
                (entry.form.email.data or "").strip().lower(),
                (entry.form.organisation.data or "").strip(),
            )
            for entry in form.presenters
            if (entry.form.name.data or "").strip()
        ],
    )


def _submission_form(congress, call, submission=None) -> SubmissionForm:
    form = SubmissionForm() if request.method == "POST" else SubmissionForm(formdata=None)
    form.setup(call, agenda.tracks_of(congress), services.carriers(), _language())
    if request.method == "GET" and submission is not None:
        for name in ("title", "abstract", "language", "target_group", "max_participants",
                     "accessibility", "first_name", "last_name", "mail_language"):  # fmt: skip
            getattr(form, name).data = getattr(submission, name)
        form.email.data = submission.email
        form.format.data = str(submission.format_id or "")
        form.track.data = str(submission.track_id or "")
        form.carrier.data = str(submission.carrier_id) if submission.carrier_id else OTHER
        form.organisation_other.data = submission.organisation_other
        for entry, presenter in zip(form.presenters, submission.presenters, strict=False):
            entry.form.name.data = presenter.name
            entry.form.email.data = presenter.email
            entry.form.organisation.data = presenter.organisation
    return form


@bp.route("/cfp", methods=["GET", "POST"])
@public
@limiter.limit("10/minute;100/hour", methods=["POST"])
def submit():
    congress = current_congress_or_404()
    call = services.call_of(congress)
    now = utcnow()
    if call is None or not call.is_open(now):
        status = 409 if request.method == "POST" else 200
        return render_template("cfp/closed.html", congress=congress, call=call), status
    form = _submission_form(congress, call)
    answers = services.answer_form(
        congress.id,
        submission_id=None,
        formdata=request.form if request.method == "POST" else None,
        language=_language(),
    )
    if form.validate_on_submit() and answers.valid:
        if form.website.data:
            return redirect(url_for(".submitted"))  # a bot: answer as if all went well
        try:
            with transaction():
                services.submit(congress, call, _data(form), answers=answers, now=now)
        except services.InvalidSubmission as error:
            _show_refusal(form, error)
        else:
            return redirect(url_for(".submitted"))
    return (
        render_template(
            "cfp/submit.html",
            congress=congress,
            call=call,
            form=form,
            answers=answers,
            intro=render_markdown(call.intro(_language())),
        ),
        400 if request.method == "POST" else 200,
    )


@bp.get("/cfp/submitted")
@public
def submitted():
    return render_template("cfp/submitted.html", congress=current_congress_or_404())


@bp.route("/cfp/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30/minute", methods=["POST"])
def confirm(token: str):
    """GET shows a button, POST confirms: mail scanners that prefetch links confirm nothing."""
    submission = services.by_confirm_token(token)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        with transaction():
            services.confirm(token, now=utcnow())
        flash(_("Thank you: your contribution has been submitted."), "success")
        return redirect(url_for(".manage", token=submission.manage_token), 303)
    return render_template("cfp/confirm.html", form=form, submission=submission)


def _manage_page(submission, call, form=None, answers=None, status=200):
    now = utcnow()
    congress = db.session.get(Congress, submission.congress_id)
    editable = (
        call is not None and call.is_open(now) and submission.status != SubmissionStatus.WITHDRAWN
    )
    if editable and form is None:
        form = _submission_form(congress, call, submission)
        answers = services.answer_form(
            congress.id, submission_id=submission.id, formdata=None, language=_language()
        )
    released = call is not None and call.decisions_released_at is not None
    return (
        render_template(
            "cfp/manage.html",
            congress=congress,
            call=call,
            submission=submission,
            form=form if editable else None,
            answers=answers,
            facts=services.answers_of(submission, _language()),
            decision=submission.decision if released and submission.decision_mailed_at else "",
            action_form=ActionForm(),
            can_withdraw=submission.status != SubmissionStatus.WITHDRAWN
            and not (released and submission.decision_mailed_at),
        ),
        status,
    )


@bp.route("/cfp/s/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30/minute", methods=["POST"])
def manage(token: str):
    submission = services.by_manage_token(token)
    congress = db.session.get(Congress, submission.congress_id)
    call = services.call_of(congress)
    if request.method == "GET":
        return _manage_page(submission, call)
    services.editable(submission, services.ensure_call(congress), utcnow())  # 409 once closed
    form = _submission_form(congress, call, submission)
    answers = services.answer_form(
        congress.id, submission_id=submission.id, formdata=request.form, language=_language()
    )
    if form.validate_on_submit() and answers.valid:
        try:
            with transaction():
                services.update_submission(
                    submission, call, _data(form), answers=answers, now=utcnow()
                )
        except services.InvalidSubmission as error:
            _show_refusal(form, error)
        else:
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for(".manage", token=token), 303)
    return _manage_page(submission, call, form, answers, status=400)


@bp.post("/cfp/s/<token>/withdraw")
@public
@limiter.limit("10/minute")
def withdraw(token: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    submission = services.by_manage_token(token)
    congress = db.session.get(Congress, submission.congress_id)
    with transaction():
        services.withdraw(submission, services.ensure_call(congress), now=utcnow())
    flash(_("Your contribution has been withdrawn."), "success")
    return redirect(url_for(".manage", token=token), 303)
