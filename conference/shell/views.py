"""Landing page, health check, language switch, the staff start page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from conference.accounts.access import public, roles_required
from conference.accounts.labels import role_label
from conference.accounts.models import Role
from conference.core.congress import STAFF_CHOICE, current_congress, editions, staff_congress
from conference.core.database import parse_int
from conference.core.errors import Invalid
from conference.core.http import safe_next
from conference.core.time import utcnow
from conference.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    congress = current_congress()
    now = utcnow()
    return render_template(
        "main/index.html",
        congress=congress,
        registration_open=bool(congress and congress.registration_open(now)),
        now_utc=now,
    )


@bp.get("/health")
@public
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
@public
def set_language():
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = language
    return redirect(safe_next(request.form.get("next")) or "/")


@bp.get("/staff")
@roles_required(Role.ORGANISER, Role.CHECKIN, Role.COORDINATOR)
def staff_home():
    congress = staff_congress() if current_congress() is not None else None
    return render_template(
        "main/staff_home.html",
        congress=congress,
        current=current_congress(),
        editions=editions() if congress is not None else [],
        role=role_label(current_user.role),
    )


@bp.post("/staff/edition")
@roles_required(Role.ORGANISER, Role.CHECKIN, Role.COORDINATOR)
def switch_edition():
    """The edition this staff member works on (reports, exports, registrations, certificates),
    kept in their session; the public pages stay on the current one."""
    chosen = parse_int(request.form.get("congress", ""))
    known = dict(editions())
    if chosen not in known:
        raise Invalid(_("Please choose one of the editions."), code="unknown_congress")
    session[STAFF_CHOICE] = chosen
    flash(_("You are now working on %(title)s.", title=known[chosen]), "success")
    return redirect(url_for(".staff_home"), 303)
