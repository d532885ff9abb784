"""The scanner page: scan, count, undo, checkpoints, search."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from conference.accounts.access import current_actor, roles_required
from conference.accounts.models import Role
from conference.checkin import presentation, services
from conference.checkin.forms import ScanForm, UndoForm
from conference.checkin.views import _device, _scan, bp
from conference.checkin.views.desk import _status_labels
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.time import utcnow

# --- the scanner page ------------------------------------------------------------------------


def _chosen_checkpoint(congress, checkpoints, code: str | None):
    if code:
        for checkpoint in checkpoints:
            if checkpoint.code == code:
                return checkpoint
        return None
    today = services.today_in(congress, utcnow())
    for checkpoint in checkpoints:
        if checkpoint.day == today and checkpoint.session_id is None:
            return checkpoint
    return None


def _scanner_page(congress, checkpoint_code, *, form=None, screen=None, body=None, status=200):
    checkpoints = services.checkpoints(congress)
    checkpoint = _chosen_checkpoint(congress, checkpoints, checkpoint_code)
    form = form or ScanForm()
    if checkpoint is not None:
        form.checkpoint.data = checkpoint.code
    return (
        render_template(
            "checkin/scanner.html",
            congress=congress,
            checkpoints=checkpoints,
            checkpoint=checkpoint,
            asked_code=checkpoint_code,
            form=form,
            undo_form=UndoForm(checkpoint=checkpoint.code if checkpoint else ""),
            screen=screen,
            body=body,
            today=services.today_in(congress, utcnow()),
            organiser=current_user.has_role(Role.ORGANISER),
            checked_in=services.checkpoint_count(checkpoint) if checkpoint else None,
        ),
        status,
    )


@bp.route("/checkin", methods=["GET", "POST"])
@roles_required(Role.CHECKIN, Role.ORGANISER)
def scanner():
    """Without JavaScript the hand-scanner field posts here and the result is rendered."""
    congress = current_congress_or_404()
    # The first code given: a form may carry an empty field besides the chosen one.
    code = next((value for value in request.values.getlist("checkpoint") if value), None)
    if code is not None and len(code) > 40:
        code = None
    if request.method == "GET":
        return _scanner_page(congress, code)
    form = ScanForm()
    if not form.validate_on_submit():
        return _scanner_page(congress, code, form=form, status=400)
    try:
        body = _scan(form.token.data.strip(), code, None, with_screen=True)
    except DomainError as error:
        flash(error.message, "error")
        return _scanner_page(congress, code, status=error.status)
    fresh = ScanForm(formdata=None)
    return _scanner_page(congress, body["checkpoint"], form=fresh, screen=body["screen"], body=body)


@bp.get("/checkin/count")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def count():
    """The running count of one checkpoint, for the scanner page (static/js/checkin-count.js)."""
    congress = current_congress_or_404()
    code = (request.args.get("checkpoint") or "")[:40]
    checkpoint = services.find_checkpoint(congress, code or None, utcnow())
    return jsonify(checkpoint=checkpoint.code, count=services.checkpoint_count(checkpoint))


@bp.post("/checkin/undo")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def undo():
    congress = current_congress_or_404()
    form = UndoForm()
    code = (form.checkpoint.data or "")[:40] or None
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for(".scanner", checkpoint=code))
    try:
        with transaction():
            undone = services.undo_last(congress, _device(), actor=current_actor(), now=utcnow())
            name = undone.registration.full_name
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".scanner", checkpoint=code))
    flash(_("Check-in of %(name)s was undone.", name=name), "success")
    return redirect(url_for(".scanner", checkpoint=code))


@bp.post("/checkin/checkpoints")
@roles_required(Role.ORGANISER)
def refresh_checkpoints():
    congress = current_congress_or_404()
    with transaction():
        created = services.ensure_checkpoints(congress)
    flash(
        ngettext("%(num)d checkpoint was added.", "%(num)d checkpoints were added.", len(created)),
        "success",
    )
    return redirect(url_for(".scanner"))


@bp.get("/checkin/search")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def search():
    congress = current_congress_or_404()
    query = (request.args.get("q") or "").strip()[:100]
    code = (request.args.get("checkpoint") or "")[:40] or None
    checkpoints = services.checkpoints(congress)
    checkpoint = _chosen_checkpoint(congress, checkpoints, code)
    people = services.search(congress, query) if query else []
    return render_template(
        "checkin/search.html",
        congress=congress,
        query=query,
        people=people,
        answers={
            person_id: presentation.judged(answer, congress.timezone)
            for person_id, answer in services.search_answers(
                people, checkpoint, congress.timezone
            ).items()
        },
        checkpoint=checkpoint,
        status_labels=_status_labels(),
    )
