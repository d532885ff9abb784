"""Reports over HTTP: the dashboard, exports, funder report, certificates, the directory, privacy.

The routes live in the modules of this package, all on the one blueprint ``bp`` defined here;
importing the package registers them. Every name the old ``views`` module had is re-exported.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from conference.core.congress import congress_or_staff
from conference.core.database import parse_int
from conference.core.errors import Invalid

bp = Blueprint("reports", __name__, cli_group=None)


def _congress_arg():
    """``?congress=<id>``, else the edition the staff member works on (``staff_congress``)."""
    raw = request.args.get("congress")
    if raw is None:
        return congress_or_staff(None)
    number = parse_int(raw)
    if number is None:
        raise Invalid(_("The congress must be given by its number."), code="invalid_congress")
    return congress_or_staff(number)


from conference.reports.views.certificates import (  # noqa: E402, F401
    certificate,
    certificate_section,
    organisation_certificates,
)
from conference.reports.views.dashboard import (  # noqa: E402, F401
    _cell,
    _pdf,
    api_stats,
    dashboard,
    export,
    funder_report,
)
from conference.reports.views.directory import (  # noqa: E402, F401
    _has_manage,
    directory_contact,
    directory_opt_in,
    directory_opt_out,
    directory_page,
    directory_section,
)
from conference.reports.views.privacy import (  # noqa: E402, F401
    AUDIT_EXPORT_LIMIT,
    _audit_filters,
    anonymise_command,
    audit_export,
    audit_log,
    privacy_erase,
    privacy_export,
    privacy_home,
    privacy_retention,
)
