"""Human labels for the registration's stored values, the one source for every area: pages,
exports, PDFs, badges, the door and the dashboard show the same words.

The msgids are English; the German catalogue carries the programme's inclusive forms
("Pat:in", "Mentor:in", "Lots:in", ...). Use ``label(ROLE_LABELS, value)`` in code,
``translated(ROLE_LABELS)`` for a dict in the current language and ``choices(ROLE_LABELS)`` for
form choices (``core/labels.py``). Exports use them in the export's language (the language of the page it is
downloaded from).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.core.labels import choices, label, translated  # noqa: F401 - re-exported
from conference.registration.models import BadgeRole, Diet, ProgrammeRole, Sector, Status

ROLE_LABELS = {
    ProgrammeRole.SPONSOR: _l("Sponsor (Pat:in)"),
    ProgrammeRole.MENTOR: _l("Mentor"),
    ProgrammeRole.GUIDE: _l("Guide (Lots:in)"),
    ProgrammeRole.COORDINATOR: _l("Coordinator"),
    ProgrammeRole.STAFF: _l("Full-time staff"),
    ProgrammeRole.ADMINISTRATION: _l("Administration / politics"),
    ProgrammeRole.RESEARCH: _l("Research"),
    ProgrammeRole.PRESS: _l("Press"),
    ProgrammeRole.OTHER: _l("Other"),
}

SECTOR_LABELS = {
    Sector.CIVIL_SOCIETY: _l("Civil society"),
    Sector.MUNICIPAL: _l("Municipal level"),
    Sector.STATE: _l("State level"),
    Sector.FEDERAL: _l("Federal level"),
    Sector.RESEARCH: _l("Research and academia"),
}

DIET_LABELS = {
    Diet.NONE: _l("No special diet"),
    Diet.VEGETARIAN: _l("Vegetarian"),
    Diet.VEGAN: _l("Vegan"),
    Diet.HALAL: _l("Halal"),
    Diet.KOSHER: _l("Kosher"),
    Diet.GLUTEN_FREE: _l("Gluten-free"),
    Diet.LACTOSE_FREE: _l("Lactose-free"),
}

STATUS_LABELS = {
    Status.PENDING: _l("Not yet confirmed"),
    Status.CONFIRMED: _l("Confirmed"),
    Status.WAITLISTED: _l("Waiting list"),
    Status.CANCELLED: _l("Cancelled"),
}

BADGE_ROLE_LABELS = {
    BadgeRole.ATTENDEE: _l("Attendee"),
    BadgeRole.SPEAKER: _l("Speaker"),
    BadgeRole.MODERATOR: _l("Moderator"),
    BadgeRole.STAFF: _l("Team"),
    BadgeRole.PRESS: _l("Press"),
    BadgeRole.ORGANISER: _l("Organiser"),
}

LANGUAGE_LABELS = {
    "de": _l("German"),
    "en": _l("English"),
}

# How a registration came in (``Registration.source``).
SOURCE_LABELS = {
    "online": _l("Online form"),
    "staff": _l("Added by staff"),
    "import": _l("CSV import"),
    "walk_in": _l("Walk-in at the door"),
    "speaker": _l("Speaker (registered for their sessions' days)"),
}

NEED_LABELS = {
    "step_free": _l("Step-free access"),
    "sign_language": _l("Sign-language interpretation"),
    "induction_loop": _l("Induction loop"),
}
