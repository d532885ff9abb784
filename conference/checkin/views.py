"""Check-in: the scanner page, the scan API for devices, walk-ins and live counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from conference.accounts.access import api_roles, current_actor, roles_required
from conference.accounts.models import Role
from conference.checkin import services
from conference.checkin.forms import ScanForm, UndoForm, WalkInForm
from conference.checkin.services import ScanResult
from conference.core import collation
from conference.core.congress import current_congress_or_404
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, Invalid
from conference.core.models import CarrierOrganisation
from conference.core.pdf import render_pdf
from conference.core.time import local, utcnow
from conference.extensions import db
from conference.registration.labels import STATUS_LABELS, translated

bp = Blueprint("checkin", __name__)

#: A scan body is a few hundred bytes; anything much larger is refused before parsing.
MAX_SCAN_BODY = 4096


def _title(result: ScanResult) -> str:
    return {
        ScanResult.OK: _("Welcome"),
        ScanResult.ALREADY_CHECKED_IN: _("Already checked in"),
        ScanResult.UNKNOWN: _("Unknown badge"),
        ScanResult.CANCELLED: _("Cancelled"),
        ScanResult.NOT_CONFIRMED: _("Not confirmed"),
        ScanResult.NOT_REGISTERED_FOR_TODAY: _("Not registered for this day"),
    }[result]


def _device() -> services.Device:
    """Who scans: the API token (a door device) or the staff user, by id."""
    token = g.get("api_token")
    if token is not None:
        return services.Device(token_id=token.id, name=token.name)
    return services.Device(user_id=current_user.id, name=current_user.name or "")


def _screen(body: dict[str, Any], tz: str, checkpoint: str = "") -> dict[str, Any]:
    """What the door screen shows for a scan answer: tone, title, reason in words, details.

    ``checkpoint`` is the door's name, for "already checked in at ...".
    """
    result = ScanResult(body["result"])
    checked_in_at = (
        datetime.fromisoformat(body["checked_in_at"]) if body.get("checked_in_at") else None
    )
    attendee = body.get("attendee")
    return {
        "tone": services.TONE[result],
        "title": _title(result),
        "message": services.describe(
            result,
            checked_in_at=checked_in_at,
            checkpoint=checkpoint,
            device=body.get("device", ""),
            status=body.get("status", ""),
            tz=tz,
        ),
        "time": local(checked_in_at, tz).strftime("%H:%M") if checked_in_at else "",
        "role_label": services.role_label(attendee["role"]) if attendee else "",
        "replayed": bool(body.get("replayed")),
    }


def _scan(token, checkpoint_code, nonce, *, with_screen: bool) -> dict[str, Any]:
    with transaction():
        outcome = services.scan(checkpoint_code, token, now=utcnow(), device=_device(), nonce=nonce)
        body = services.scan_response(outcome)
    if with_screen:
        checkpoint = outcome.checkpoint
        screen = _screen(body, checkpoint.timezone, checkpoint.name)
        if outcome.attendee is not None and outcome.result in (
            ScanResult.OK,
            ScanResult.ALREADY_CHECKED_IN,
        ):
            screen["workshops"] = services.workshops_of_day(
                outcome.attendee.id, checkpoint.day, checkpoint.timezone
            )
            if checkpoint.session_id is not None and checkpoint.session_id not in {
                w["session_id"] for w in screen["workshops"]
            }:
                screen["note"] = _("No reserved seat in this workshop.")
        body["screen"] = screen
    return body


# --- the scan API (contract) -----------------------------------------------------------------


def _scan_body() -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_SCAN_BODY:
        raise Invalid(_("The request body is too large."), code="body_too_large")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_SCAN_BODY:
        raise Invalid(_("The request body is too large."), code="body_too_large")
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise Invalid(_("The body must be a JSON object."), code="malformed_json")
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise Invalid(_("The field “token” must be a non-empty string."), code="missing_token")
    checkpoint = body.get("checkpoint")
    if checkpoint is not None and (not isinstance(checkpoint, str) or len(checkpoint) > 40):
        raise Invalid(_("The field “checkpoint” must be a checkpoint code."), code="bad_checkpoint")
    nonce = body.get("nonce")
    if nonce is not None and (
        not isinstance(nonce, str)
        or not 1 <= len(nonce) <= services.MAX_NONCE_LENGTH
        or not nonce.isprintable()
    ):
        raise Invalid(
            _("The field “nonce” must be a string of 1 to 80 characters."), code="bad_nonce"
        )
    return {"token": token.strip(), "checkpoint": checkpoint or None, "nonce": nonce}


@bp.post("/api/v1/checkin/scan")
@api_roles(Role.CHECKIN, Role.ORGANISER)
def api_scan():
    body = _scan_body()
    return jsonify(
        _scan(
            body["token"],
            body["checkpoint"],
            body["nonce"],
            with_screen=request.args.get("screen") == "1",
        )
    )


@bp.get("/api/v1/checkpoints")
@api_roles(Role.CHECKIN, Role.ORGANISER)
def api_checkpoints():
    congress = current_congress_or_404()
    return jsonify(
        [
            {
                "code": cp.code,
                "name": cp.name,
                "day": cp.day.isoformat(),
                "session_id": cp.session_id,
            }
            for cp in services.checkpoints(congress)
        ]
    )


@bp.get("/api/v1/checkin/digests")
@api_roles(Role.CHECKIN, Role.ORGANISER)
def api_digests():
    congress = current_congress_or_404()
    code = request.args.get("checkpoint") or None
    if code is not None and len(code) > 40:
        raise Invalid(_("The field “checkpoint” must be a checkpoint code."), code="bad_checkpoint")
    checkpoint = services.find_checkpoint(congress, code, utcnow())
    return jsonify(
        checkpoint=checkpoint.code,
        day=checkpoint.day.isoformat(),
        algorithm="SHA-256",
        digests=services.token_digests(checkpoint),
    )


@bp.post("/api/v1/checkin/undo")
@api_roles(Role.CHECKIN, Role.ORGANISER)
def api_undo():
    congress = current_congress_or_404()
    with transaction():
        undone = services.undo_last(congress, _device(), actor=current_actor(), now=utcnow())
        body = {
            "undone": True,
            "checkpoint": undone.checkpoint.code,
            "attendee": {"name": undone.registration.full_name},
            "checked_in_at": undone.checked_in_at.isoformat(),
        }
    return jsonify(body)


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
        ngettext(
            "%(num)d checkpoint was added.", "%(num)d checkpoints were added.", len(created)
        ),
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
        answers=services.search_answers(people, checkpoint, congress.timezone),
        checkpoint=checkpoint,
        status_labels=_status_labels(),
    )


def _status_labels() -> dict[str, str]:
    return translated(STATUS_LABELS)


# --- printed lists ---------------------------------------------------------------------------


@bp.get("/checkin/lists")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def lists():
    """The paper lists per day and checkpoint, printed before the doors open."""
    congress = current_congress_or_404()
    by_day: dict[date, list] = {}
    for checkpoint in services.checkpoints(congress):
        by_day.setdefault(checkpoint.day, []).append(checkpoint)
    return render_template("checkin/lists.html", congress=congress, by_day=sorted(by_day.items()))


@bp.get("/checkin/lists/<code>.pdf")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def list_pdf(code: str):
    congress = current_congress_or_404()
    checkpoint = services.find_checkpoint(congress, code[:40], utcnow())
    rows = services.door_list(checkpoint)
    now = utcnow()
    pdf = render_pdf(
        "checkin/list_pdf.html",
        congress=congress,
        checkpoint=checkpoint,
        rows=rows,
        printed_at=now,
        arrived=sum(1 for row in rows if row.checked_in_at is not None),
        tz=congress.timezone,
    )
    filename = f"einlassliste-{checkpoint.code}-{checkpoint.day.isoformat()}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- walk-ins --------------------------------------------------------------------------------


@bp.route("/checkin/walk-in", methods=["GET", "POST"])
@roles_required(Role.CHECKIN, Role.ORGANISER)
def walk_in():
    congress = current_congress_or_404()
    now = utcnow()
    form = WalkInForm()
    carriers = collation.sort_by(
        db.session.execute(
            select(CarrierOrganisation.id, CarrierOrganisation.name).where(
                CarrierOrganisation.active.is_(True)
            )
        ).all(),
        lambda row: row.name,
    )
    form.carrier_id.choices = [(0, _("— none / other organisation —"))] + [
        (row.id, row.name) for row in carriers
    ]
    status = 200
    if form.validate_on_submit():
        day = services.today_in(congress, now)
        try:
            with transaction():
                registration = services.register_walk_in(
                    congress,
                    first_name=form.first_name.data,
                    last_name=form.last_name.data,
                    email=form.email.data,
                    carrier_id=form.carrier_id.data or None,
                    organisation_other=form.organisation_other.data or "",
                    programme_role=form.programme_role.data,
                    badge_role=form.badge_role.data,
                    day=day,
                    actor=current_actor(),
                    now=now,
                )
                checkpoint = services.find_checkpoint(congress, None, now)
                outcome = services.record_scan(
                    congress, registration.badge_token, checkpoint, now=now, device=_device()
                )
        except DomainError as error:
            if error.code == "already_registered":
                form.email.errors.append(error.message)
            else:
                flash(error.message, "error")
            status = error.status
        else:
            flash(
                _(
                    "%(name)s is registered and checked in (%(result)s).",
                    name=registration.full_name,
                    result=_title(outcome.result),
                ),
                "success",
            )
            return redirect(url_for(".walk_in_done", registration_id=registration.id))
    elif request.method == "POST":
        status = 400
    return render_template("checkin/walk_in.html", congress=congress, form=form), status


@bp.get("/checkin/walk-in/<int:registration_id>")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def walk_in_done(registration_id: int):
    from conference.registration.models import Registration

    congress = current_congress_or_404()
    registration = db.get_or_404(Registration, registration_id)
    if registration.congress_id != congress.id or registration.source != "walk_in":
        return render_template("errors/error.html", status=404, message=_("Not found.")), 404
    return render_template(
        "checkin/walk_in_done.html", congress=congress, registration=registration
    )


# --- live counts -----------------------------------------------------------------------------


def _live_context():
    congress = current_congress_or_404()
    raw = request.args.get("day") or ""
    try:
        day = date.fromisoformat(raw) if raw else services.today_in(congress, utcnow())
    except ValueError:
        raise Invalid(_("Please give the day as YYYY-MM-DD."), code="bad_day") from None
    counts = services.live_counts(congress, day)
    # Seconds between self-refreshes; a wall display may want it slower, a test faster.
    refresh = parse_int(request.args.get("refresh", ""))
    every = min(max(refresh, 1), 600) if refresh is not None else 15
    return {
        "congress": congress,
        "counts": counts,
        "chart": _chart(counts.curve),
        "now": utcnow(),
        "refresh": every,
    }


def _chart(curve: list[tuple[datetime, int]]) -> dict[str, Any] | None:
    """An SVG arrival chart, laid out here so the template only draws (bars + cumulative line)."""
    if not curve:
        return None
    width, height, left, bottom, top = 640, 220, 40, 30, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(count for _at, count in curve) or 1
    total = sum(count for _at, count in curve) or 1
    step = plot_w / len(curve)
    bars, points, running = [], [], 0
    for index, (at, count) in enumerate(curve):
        x = left + index * step
        bar_h = plot_h * count / peak
        bars.append(
            {
                "x": round(x + 1, 1),
                "y": round(top + plot_h - bar_h, 1),
                "w": round(max(step - 2, 1), 1),
                "h": round(bar_h, 1),
                "label": at.strftime("%H:%M"),
                "count": count,
            }
        )
        running += count
        points.append(f"{round(x + step, 1)},{round(top + plot_h - plot_h * running / total, 1)}")
    ticks = [
        {"x": round(left + index * step, 1), "label": at.strftime("%H:%M")}
        for index, (at, _count) in enumerate(curve)
        if at.minute == 0
    ]
    return {
        "width": width,
        "height": height,
        "baseline": top + plot_h,
        "left": left,
        "top": top,
        "peak": peak,
        "bars": bars,
        "line": " ".join([f"{left},{top + plot_h}", *points]),
        "ticks": ticks,
    }


@bp.get("/checkin/live")
@roles_required(Role.ORGANISER, Role.CHECKIN)
def live():
    return render_template("checkin/live.html", **_live_context())


@bp.get("/checkin/live/panel")
@roles_required(Role.ORGANISER, Role.CHECKIN)
def live_panel():
    """The numbers alone, for the page's self-refresh (static/js/checkin-live.js)."""
    return render_template("checkin/_live_panel.html", **_live_context())
