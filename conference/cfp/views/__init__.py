"""The call for contributions over HTTP: the organisers' call and list, the public form with
its confirmation and personal link, the reviewers' pages, decisions and their release."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import get_locale
from flask_babel import gettext as _

from conference.accounts.access import current_actor
from conference.accounts.models import Role
from conference.cfp import services
from conference.cfp.labels import decision_label, status_label
from conference.core.errors import DomainError, NotFound
from conference.core.models import Congress
from conference.extensions import db

bp = Blueprint("cfp", __name__)

ORGANISERS = (Role.ORGANISER,)
REVIEWERS = (Role.REVIEWER, Role.ORGANISER)


def _actor():
    actor = current_actor()
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


def _language() -> str:
    language = str(get_locale() or "de")
    return language if language in ("de", "en") else "de"


def _congress(congress_id: int) -> Congress:
    congress = db.session.get(Congress, congress_id)
    if congress is None:
        raise NotFound(_("Unknown congress."), code="unknown_congress")
    return congress


@bp.app_context_processor
def _labels():
    # ``call_sessions``: the agenda builder (below this area) marks the sessions from the call.
    return {
        "cfp_status_label": status_label,
        "cfp_decision_label": decision_label,
        "call_sessions": services.call_session_ids,
    }


def _show_refusal(form, error: DomainError) -> None:
    name = error.details.get("field")
    target = getattr(form, name, None) if name else None
    if target is None:
        flash(error.message, "error")
        return
    target.errors = [*list(target.errors or []), error.message]


# The pages, on ``bp`` (imported last: they import it from here).
from conference.cfp.views.call import (  # noqa: E402, F401
    _add_part,
    _setup_page,
    admin_add_criterion,
    admin_add_format,
    admin_add_question,
    admin_add_track,
    admin_call,
    admin_remove_part,
    current,
)
from conference.cfp.views.decisions import (  # noqa: E402, F401
    _filters,
    admin_export,
    admin_release,
    admin_reviewers,
    admin_submission,
    admin_submissions,
)
from conference.cfp.views.public import (  # noqa: E402, F401
    _data,
    _manage_page,
    _submission_form,
    confirm,
    manage,
    submit,
    submitted,
    withdraw,
)
from conference.cfp.views.review import (  # noqa: E402, F401
    review,
    review_list,
)
