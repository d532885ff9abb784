"""The reviewers' pages: the contributions they may review and their review of one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conference.accounts.access import roles_required
from conference.cfp import services
from conference.cfp.forms import (
    ReviewForm,
)
from conference.cfp.views import REVIEWERS, _language, bp
from conference.core.congress import staff_congress
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError
from conference.core.time import utcnow

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
