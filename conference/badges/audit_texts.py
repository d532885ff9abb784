"""How badge printing and reissuing read in the audit log."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from conference.core import audit
from conference.core.audit import Facts


@audit.sentence("badges.printed")
def _printed(f: Facts) -> str:
    return ngettext(
        "%(who)s printed %(num)d badge.",
        "%(who)s printed %(num)d badges.",
        f.detail("count") or 0,
        who=f.who,
    )


@audit.sentence("badge.reissued")
def _reissued(f: Facts) -> str:
    return _(
        "%(who)s issued a new badge for %(person)s; the old one no longer works.",
        who=f.who,
        person=f.object or "–",
    )
