from __future__ import annotations

from flask import Blueprint, jsonify, request

from conference.accounts.access import api_roles
from conference.accounts.models import Role
from conference.core.congress import congress_or_current
from conference.core.errors import Invalid
from conference.reports import services

bp = Blueprint("reports", __name__)


def _congress_arg():
    raw = request.args.get("congress")
    if raw is None:
        return congress_or_current(None)
    if not raw.isdigit():
        raise Invalid("congress must be a number", code="invalid_congress")
    return congress_or_current(int(raw))


@bp.get("/api/v1/stats")
@api_roles(Role.ORGANISER)
def api_stats():
    return jsonify(services.congress_stats(_congress_arg()))
