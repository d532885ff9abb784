"""Check-in: the scanner page, the scan API for devices, walk-ins and live counts.

The routes live in the modules of this package, all on the one blueprint ``bp`` defined here;
importing the package registers them. Every name the old ``views`` module had is re-exported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g
from flask_babel import gettext as _
from flask_login import current_user

from conference.checkin import presentation, services
from conference.checkin.services import ScanResult
from conference.core.database import transaction
from conference.core.time import local, utcnow

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
        "tone": presentation.TONE[result],
        "title": _title(result),
        "message": presentation.describe(
            result,
            checked_in_at=checked_in_at,
            checkpoint=checkpoint,
            device=body.get("device", ""),
            status=body.get("status", ""),
            tz=tz,
        ),
        "time": local(checked_in_at, tz).strftime("%H:%M") if checked_in_at else "",
        "role_label": presentation.role_label(attendee["role"]) if attendee else "",
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


from conference.checkin.views.api import (  # noqa: E402, F401
    _scan_body,
    api_checkpoints,
    api_digests,
    api_scan,
    api_undo,
)
from conference.checkin.views.desk import _status_labels, list_pdf, lists, walk_in, walk_in_done  # noqa: E402, F401
from conference.checkin.views.live import _chart, _live_context, live, live_panel  # noqa: E402, F401
from conference.checkin.views.scanner import (  # noqa: E402, F401
    _chosen_checkpoint,
    _scanner_page,
    count,
    refresh_checkpoints,
    scanner,
    search,
    undo,
)
