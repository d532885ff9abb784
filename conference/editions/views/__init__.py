"""Editions over HTTP: the organisers' pages under ``/admin/congresses/<id>``, the public texts
(``/impressum``, ``/datenschutz``, ``/barrierefreiheit``) and the organising body's logo.

The routes live in the modules of this package, all on the one blueprint ``bp`` defined here;
importing the package registers them. Every name the old ``views`` module had is re-exported.
"""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import gettext as _
from flask_login import current_user

from conference.accounts.models import Role
from conference.core.errors import DomainError
from conference.editions.services import EditionRefused

bp = Blueprint("editions", __name__)

ORGANISERS = (Role.ORGANISER,)
LOGO_EMBED = "organising-body-logo"


def _actor():
    return current_user._get_current_object()


def _text_titles() -> dict[str, str]:
    return {
        "welcome": _("Welcome text"),
        "imprint": _("Imprint"),
        "privacy": _("Privacy notice"),
        "accessibility": _("Accessibility statement"),
    }


def _refusal_on_form(form, error: DomainError) -> None:
    """Each message beside its field; what belongs to no field goes to the top of the page."""
    errors = error.errors if isinstance(error, EditionRefused) else {}
    if not errors and error.details.get("field"):
        errors = {error.details["field"]: error.message}
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = [*list(target.errors or []), message]
        else:
            flash(message, "error")
    if not errors:
        flash(error.message, "error")


from conference.editions.views.admin import (  # noqa: E402, F401
    _action,
    _settings_page,
    admin_list,
    copy,
    day_capacities,
    delete,
    make_current,
    new,
    programme,
    registration,
    settings,
)
from conference.editions.views.public import (  # noqa: E402, F401
    _consent_version_text,
    _helpers,
    _logo_url,
    _organising_body,
    _public_text,
    _welcome_text,
    accessibility,
    imprint,
    logo,
    privacy,
)
from conference.editions.views.texts import organising_body, privacy_version, text  # noqa: E402, F401
