"""Registration over HTTP: the public form, confirmation, the manage link, the organisers' list.

The routes live in the modules of this package, all on the one blueprint ``bp`` defined here;
importing the package registers them. Every name the old ``views`` module had is re-exported.
"""

from __future__ import annotations

from flask import Blueprint

from conference.accounts.access import current_actor
from conference.accounts.models import Role
from conference.core.http import field_error
from conference.registration.labels import (
    DIET_LABELS,
    LANGUAGE_LABELS,
    ROLE_LABELS,
    SECTOR_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    label,
)

bp = Blueprint("registration", __name__)

STAFF = (Role.ORGANISER, Role.COORDINATOR)


def _actor():
    """The acting user itself, not Flask-Login's proxy (the audit log recognises a User)."""
    actor = current_actor()
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


@bp.app_context_processor
def _labels():
    return {
        "role_label": lambda v: label(ROLE_LABELS, v),
        "sector_label": lambda v: label(SECTOR_LABELS, v),
        "diet_label": lambda v: label(DIET_LABELS, v),
        "status_label": lambda v: label(STATUS_LABELS, v),
        "language_label": lambda v: label(LANGUAGE_LABELS, v),
        "source_label": lambda v: label(SOURCE_LABELS, v),
    }


_field_error = field_error

from conference.registration.views.organisers import (  # noqa: E402, F401
    _export_header,
    _filter_args,
    _filters,
    _why_waitlisted,
    admin_detail,
    admin_export,
    admin_fill,
    admin_import,
    admin_import_commit,
    admin_import_template,
    admin_list,
    admin_new,
    staff_form,
)
from conference.registration.views.signup import (  # noqa: E402, F401
    _answers,
    answer_form,
    confirm,
    lost_link,
    register,
    renew_link,
    submitted,
)
