"""How privacy, retention and directory entries read in the audit log."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from conference.core import audit
from conference.core.audit import Facts


@audit.sentence("registration.erased")
def _erased(f: Facts) -> str:
    return _("%(who)s erased the personal data of %(person)s.", who=f.who, person=f.object or "–")


@audit.sentence("registration.exported")
def _exported(f: Facts) -> str:
    return _(
        "%(who)s downloaded the personal data of %(person)s.", who=f.who, person=f.object or "–"
    )


@audit.sentence("congress.anonymised")
def _anonymised(f: Facts) -> str:
    return ngettext(
        "%(who)s anonymised %(congress)s: %(num)d person.",
        "%(who)s anonymised %(congress)s: %(num)d people.",
        f.detail("people") or 0,
        who=f.who,
        congress=f.object or "–",
    )


@audit.sentence("congress.retention_changed")
def _retention(f: Facts) -> str:
    return _(
        "%(who)s changed how long personal data are kept: from %(old)s to %(new)s months after "
        "the congress.",
        who=f.who,
        old=f.detail("old") or "–",
        new=f.detail("new") or "–",
    )


@audit.sentence("directory.opted_in")
def _opted_in(f: Facts) -> str:
    return _("%(person)s joined the attendee directory.", person=f.object or "–")


@audit.sentence("directory.opted_out")
def _opted_out(f: Facts) -> str:
    return _("%(person)s left the attendee directory.", person=f.object or "–")
