"""The call for contributions over HTTP: the organisers' call and list, the public form with
its confirmation and personal link, the reviewers' pages, decisions and their release."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_login import current_user

from conference.accounts.access import current_actor, public, roles_required
from conference.accounts.models import Role, User
from conference.agenda import services as agenda
from conference.cfp import services
from conference.cfp.forms import (
    OTHER,
    ActionForm,
    CallForm,
    CriterionForm,
    DecisionForm,
    FormatForm,
    QuestionForm,
    ReviewForm,
    SubmissionForm,
    TrackForm,
    kind_choices,
)
from conference.cfp.labels import DECISION_LABELS, decision_label, status_label
from conference.cfp.models import Criterion, Format, SubmissionStatus
from conference.core.congress import current_congress_or_404, staff_congress
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, NotFound
from conference.core.exports import table_response
from conference.core.models import Congress
from conference.core.time import utcnow
from conference.editions.texts import render_markdown
from conference.extensions import db, limiter
from conference.questions import services as question_services
from conference.questions.labels import KIND_LABELS
from conference.questions.models import CHOICE_KINDS, QuestionKind

bp = Blueprint("cfp", __name__)

ORGANISERS = (Role.ORGANISER,)
REVIEWERS = (Role.REVIEWER, Role.ORGANISER)


def _actor():
    actor = current_actor()
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


def _language() -> str:
    language = str(get_locale() or "de")
    return language if language in ("de", "en") else "de"


def _congress(congress_id: int) -> Congress:
    congress = db.session.get(Congress, congress_id)
    if congress is None:
        raise NotFound(_("Unknown congress."), code="unknown_congress")
    return congress


@bp.app_context_processor
def _labels():
    # ``call_sessions``: the agenda builder (below this area) marks the sessions from the call.
    return {
        "cfp_status_label": status_label,
        "cfp_decision_label": decision_label,
        "call_sessions": services.call_session_ids,
    }


def _show_refusal(form, error: DomainError) -> None:
    name = error.details.get("field")
    target = getattr(form, name, None) if name else None
    if target is None:
        flash(error.message, "error")
        return
    target.errors = [*list(target.errors or []), error.message]


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


# --- the organisers' list, decisions, export ----------------------------------------------------


def _filters(call):
    track_id = parse_int(request.args.get("track", "")) if request.args.get("track") else None
    format_id = parse_int(request.args.get("format", "")) if request.args.get("format") else None
    sort = request.args.get("sort", "average")
    return track_id, format_id, sort if sort in services.SORTS else "average"


@bp.get("/admin/congresses/<int:congress_id>/cfp/submissions")
@roles_required(*ORGANISERS)
def admin_submissions(congress_id: int):
    congress = _congress(congress_id)
    call = (
        services.ensure_call(congress)
        if services.call_of(congress) is None
        else services.call_of(congress)
    )
    track_id, format_id, sort = _filters(call)
    rows = services.ranking(congress, call, track_id=track_id, format_id=format_id, sort=sort)
    return render_template(
        "cfp/admin_submissions.html",
        congress=congress,
        call=call,
        rows=rows,
        tracks=agenda.tracks_of(congress),
        track_id=track_id,
        format_id=format_id,
        sort=sort,
        language=_language(),
        unreleased=services.unreleased_count(congress),
        action_form=ActionForm(),
    )


@bp.get("/admin/congresses/<int:congress_id>/cfp/submissions/export.<fmt>")
@roles_required(*ORGANISERS)
def admin_export(congress_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    congress = _congress(congress_id)
    call = services.ensure_call(congress)
    track_id, format_id, sort = _filters(call)
    rows = services.ranking(congress, call, track_id=track_id, format_id=format_id, sort=sort)
    language = _language()
    header = [
        pgettext("export column", "ID"),
        pgettext("export column", "Title"),
        pgettext("export column", "Format"),
        pgettext("export column", "Track"),
        pgettext("export column", "Submitter"),
        pgettext("export column", "E-mail"),
        pgettext("export column", "Organisation"),
        pgettext("export column", "Status"),
        pgettext("export column", "Decision"),
        pgettext("export column", "Weighted average"),
        pgettext("export column", "Reviews"),
        pgettext("export column", "Spread"),
    ]
    data = (
        [
            r.submission.id,
            r.submission.title,
            r.submission.format.name(language) if r.submission.format else "",
            r.submission.track.name if r.submission.track else "",
            r.submission.full_name,
            r.submission.email,
            r.submission.organisation,
            status_label(r.submission.status),
            decision_label(r.submission.decision),
            r.average,
            r.reviews,
            r.spread,
        ]
        for r in rows
    )
    return table_response(fmt, f"beitraege-{congress.slug}", header, data, tz=congress.timezone)


@bp.route(
    "/admin/congresses/<int:congress_id>/cfp/submissions/<int:submission_id>",
    methods=["GET", "POST"],
)
@roles_required(*ORGANISERS)
def admin_submission(congress_id: int, submission_id: int):
    congress = _congress(congress_id)
    call = services.ensure_call(congress)
    submission = services.submission_of(congress, submission_id)
    form = DecisionForm()
    form.decision.choices = [(str(k), str(v)) for k, v in DECISION_LABELS.items()]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction():
                    services.decide(submission, call, form.decision.data, actor=_actor())
            except DomainError as error:
                flash(error.message, "error")
                status = error.status
            else:
                flash(
                    _("The decision has been noted. It is sent when you release the decisions."),
                    "success",
                )
                return redirect(
                    url_for(
                        ".admin_submission", congress_id=congress.id, submission_id=submission.id
                    ),
                    303,
                )
        else:
            status = 400
    else:
        form.decision.data = submission.decision
    ranked = {r.submission.id: r for r in services.ranking(congress, call)}.get(submission.id)
    return (
        render_template(
            "cfp/admin_submission.html",
            congress=congress,
            call=call,
            submission=submission,
            ranked=ranked,
            form=form,
            facts=services.answers_of(submission, _language()),
            language=_language(),
        ),
        status,
    )


@bp.post("/admin/congresses/<int:congress_id>/cfp/release")
@roles_required(*ORGANISERS)
def admin_release(congress_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    congress = _congress(congress_id)
    with transaction():
        sent = services.release_decisions(
            congress, services.ensure_call(congress), actor=_actor(), now=utcnow()
        )
    flash(
        ngettext(
            "Decisions released: %(num)d e-mail is on its way.",
            "Decisions released: %(num)d e-mails are on their way.",
            sent,
        ),
        "success",
    )
    return redirect(url_for(".admin_submissions", congress_id=congress.id), 303)


@bp.route("/admin/congresses/<int:congress_id>/cfp/reviewers", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def admin_reviewers(congress_id: int):
    congress = _congress(congress_id)
    tracks = agenda.tracks_of(congress)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        user = db.session.get(User, parse_int(request.form.get("user", "")) or 0)
        if user is None or user.role != Role.REVIEWER:
            abort(404)
        chosen = [parse_int(v) for v in request.form.getlist("tracks")]
        with transaction():
            services.assign_tracks(user, congress, [c for c in chosen if c], actor=_actor())
        flash(_("The reviewer's tracks have been saved."), "success")
        return redirect(url_for(".admin_reviewers", congress_id=congress.id), 303)
    people = services.reviewers()
    return render_template(
        "cfp/admin_reviewers.html",
        congress=congress,
        tracks=tracks,
        people=[(user, services.reviewer_tracks(user.id)) for user in people],
        form=form,
    )


# --- reviewers ----------------------------------------------------------------------------------


@bp.get("/review")
@roles_required(*REVIEWERS)
def review_list():
    congress = staff_congress()
    call = services.call_of(congress)
    submissions = services.reviewable(congress, current_user) if call else []
    mine = {s.id: services.review_of(s.id, current_user.id) is not None for s in submissions}
    return render_template(
        "cfp/review_list.html",
        congress=congress,
        call=call,
        submissions=submissions,
        mine=mine,
        language=_language(),
    )


@bp.route("/review/<int:submission_id>", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def review(submission_id: int):
    congress = staff_congress()
    call = services.call_of(congress)
    if call is None:
        abort(404)
    submission = services.reviewable_one(congress, current_user, submission_id)
    existing = services.review_of(submission.id, current_user.id)
    form = ReviewForm()
    scores = {s.criterion_id: s.score for s in existing.scores} if existing else {}
    problem = None
    status = 200
    if request.method == "POST":
        sent = {}
        for criterion in call.criteria:
            value = parse_int(request.form.get(f"score-{criterion.id}", ""))
            if value is not None:
                sent[criterion.id] = value
        scores = sent
        if form.validate_on_submit():
            try:
                with transaction():
                    services.save_review(
                        submission, call, current_user._get_current_object(), sent,
                        form.comment.data or "", now=utcnow(),
                    )  # fmt: skip
            except DomainError as error:
                problem = error.message
                status = error.status
            else:
                flash(_("Your review has been saved."), "success")
                return redirect(url_for(".review_list"), 303)
        else:
            status = 400
    elif existing:
        form.comment.data = existing.comment
    return (
        render_template(
            "cfp/review.html",
            congress=congress,
            call=call,
            submission=submission,
            form=form,
            scores=scores,
            problem=problem,
            anonymous=call.anonymous_review,
            facts=services.answers_of(submission, _language()),
            language=_language(),
            locked=call.decisions_released_at is not None,
        ),
        status,
    )
