"""The door screen's words and colours for a scan's outcome: presentation, beside the views.

The services say what a scan found (``ScanResult`` and the facts: when, where, by which device,
the registration's status); this maps it to the tone (green, amber, red), the reason in words
and the badge role's label. The JSON API's ``screen`` is built from these in ``views``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from conference.checkin.outcome import ScanResult
from conference.core.time import local
from conference.registration.labels import BADGE_ROLE_LABELS
from conference.registration.models import Status

#: Which colour the door sees: green, amber or red.
TONE = {
    ScanResult.OK: "ok",
    ScanResult.ALREADY_CHECKED_IN: "warn",
    ScanResult.UNKNOWN: "bad",
    ScanResult.CANCELLED: "bad",
    ScanResult.NOT_REGISTERED_FOR_TODAY: "bad",
    ScanResult.NOT_CONFIRMED: "bad",
}


def describe(
    result: ScanResult | str,
    *,
    checked_in_at: datetime | None = None,
    checkpoint: str = "",
    device: str = "",
    status: str = "",
    tz: str = "Europe/Berlin",
) -> str:
    """The reason in words, for the door screen. A repeat names the door that let the person
    in: the checkpoint and the device's display name."""
    result = ScanResult(result)
    if result == ScanResult.OK:
        return _("Welcome")
    if result == ScanResult.ALREADY_CHECKED_IN:
        clock = local(checked_in_at, tz).strftime("%H:%M") if checked_in_at else "?"
        if checkpoint and device:
            return _(
                "Already checked in at %(time)s at %(checkpoint)s (%(device)s).",
                time=clock,
                checkpoint=checkpoint,
                device=device,
            )
        if checkpoint:
            return _(
                "Already checked in at %(time)s at %(checkpoint)s.",
                time=clock,
                checkpoint=checkpoint,
            )
        return _("Already checked in at %(time)s.", time=clock)
    if result == ScanResult.UNKNOWN:
        return _("Unknown or revoked badge code. Please send the person to the registration desk.")
    if result == ScanResult.CANCELLED:
        return _("This registration was cancelled.")
    if result == ScanResult.NOT_CONFIRMED:
        if status == Status.WAITLISTED:
            return _("This person is on the waiting list and has no seat.")
        return _("This registration is not confirmed yet (e-mail address not confirmed).")
    return _("This person is not registered for this day.")


def role_label(role: str) -> str:
    label = BADGE_ROLE_LABELS.get(role)
    return str(label) if label is not None else role


def judged(answer: dict[str, Any], tz: str) -> dict[str, str]:
    """A search hit's answer from ``door.search_answers`` (``result`` and its facts) with its
    ``tone`` and the reason in words, as the search page shows it."""
    result = ScanResult(answer["result"])
    if result == ScanResult.OK:
        message = ""
    elif result == ScanResult.ALREADY_CHECKED_IN:
        message = describe(
            result, checked_in_at=answer["checked_in_at"], device=answer["device"], tz=tz
        )
    else:
        message = describe(result, status=answer["status"], tz=tz)
    return {"result": result.value, "tone": TONE[result], "message": message}
