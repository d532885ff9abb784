"""Human labels of the call's stored values (the keys never show on a page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.cfp.models import Decision, SubmissionStatus

STATUS_LABELS = {
    SubmissionStatus.PENDING: _l("Not yet confirmed"),
    SubmissionStatus.SUBMITTED: _l("Submitted"),
    SubmissionStatus.WITHDRAWN: _l("Withdrawn"),
}
DECISION_LABELS = {
    "": _l("Not decided"),
    Decision.ACCEPTED: _l("Accepted"),
    Decision.REJECTED: _l("Not accepted"),
    Decision.WAITLISTED: _l("Waiting list"),
}


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, _l("Unknown")))


def decision_label(value: str) -> str:
    return str(DECISION_LABELS.get(value, _l("Unknown")))
