"""The organisers' list of submissions, its export, decisions, their release and reviewers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext

from conference.accounts.access import roles_required
from conference.accounts.models import Role, User
from conference.agenda import services as agenda
from conference.cfp import services
from conference.cfp.forms import (
    ActionForm,
    DecisionForm,
)
from conference.cfp.labels import DECISION_LABELS, decision_label, status_label
from conference.cfp.views import ORGANISERS, _actor, _congress, _language, bp
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError
from conference.core.exports import table_response
from conference.core.time import utcnow
from conference.extensions import db

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
