"""Human labels of the staff roles (the role keys never show on a page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.accounts.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ORGANISER: _l("Organiser"),
    Role.CHECKIN: _l("Door staff (check-in)"),
    Role.COORDINATOR: _l("Coordinator of a carrier organisation"),
    Role.REVIEWER: _l("Reviewer (call for contributions)"),
}


def role_label(role: str | None) -> str:
    found = ROLE_LABELS.get(role)
    return str(found) if found is not None else ""
