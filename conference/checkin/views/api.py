"""The scan API for devices (the contract)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from conference.accounts.access import api_roles, current_actor
from conference.accounts.models import Role
from conference.checkin import services
from conference.checkin.views import MAX_SCAN_BODY, _device, _scan, bp
from conference.core.congress import current_congress_or_404
from conference.core.database import autocommit_when, transaction
from conference.core.errors import Invalid
from conference.core.time import utcnow

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


def _one_statement() -> bool:
    """Whether this scan is the one statement of the contract (no nonce): then it needs no
    transaction of its own (``autocommit_when``). A scan with a nonce stores its answer in the
    same transaction as the check-in, so that a 409 for a reused nonce takes the check-in back."""
    if request.content_length is None or request.content_length > MAX_SCAN_BODY:
        return False
    body = request.get_json(force=True, silent=True)
    return isinstance(body, dict) and body.get("nonce") is None


@bp.post("/api/v1/checkin/scan")
@api_roles(Role.CHECKIN, Role.ORGANISER)
@autocommit_when(_one_statement)
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
