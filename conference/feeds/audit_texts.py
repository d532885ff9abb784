"""How the calendar feeds' audit entries read."""

from __future__ import annotations

from flask_babel import gettext as _

from conference.core import audit
from conference.core.audit import Facts


@audit.sentence("registration.calendar_token_reset")
def _reset(f: Facts) -> str:
    if f.by_attendee:
        return _("%(person)s renewed the personal calendar link.", person=f.object or "–")
    return _(
        "%(who)s renewed the personal calendar link of %(person)s.",
        who=f.who,
        person=f.object or "–",
    )
