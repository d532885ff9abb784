"""Human labels for the agenda's stored values, the one source for the programme page, the
builder, the PDFs and the calendar feeds (``core/labels.py`` has the helpers)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from conference.agenda.models import SessionKind, SessionStatus

KIND_LABELS = {
    SessionKind.PLENARY: _l("Plenary"),
    SessionKind.KEYNOTE: _l("Keynote"),
    SessionKind.PANEL: _l("Panel"),
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.FORUM: _l("Forum"),
    SessionKind.NETWORKING: _l("Networking"),
    SessionKind.BREAK: _l("Break / catering"),
}

#: The languages a session can be held in.
LANGUAGE_LABELS = {
    "de": _l("German"),
    "en": _l("English"),
    "ar": _l("Arabic"),
    "fa": _l("Persian"),
    "uk": _l("Ukrainian"),
    "tr": _l("Turkish"),
    "fr": _l("French"),
}

STATUS_LABELS = {
    SessionStatus.DRAFT: _l("Draft"),
    SessionStatus.PUBLISHED: _l("Published"),
    SessionStatus.CANCELLED: lazy_pgettext("session status", "Cancelled"),
}
