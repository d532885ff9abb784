"""Workshop sign-up for attendees (by manage link) and the organisers' phase pages.

The routes live in the modules of this package, all on the one blueprint ``bp`` defined here;
importing the package registers them. Every name the old ``views`` module had is re-exported.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from conference.core.database import parse_int
from conference.core.errors import Invalid
from conference.workshops import allocation as solver

bp = Blueprint("workshops", __name__)


def _reason_labels() -> dict[str, str]:
    return {
        solver.NO_PREFERENCES: _("ranked no workshops (registered late or did not rank)"),
        solver.CHOICES_FULL: _("all ranked workshops were full"),
        solver.NO_SEAT_LEFT: _("no free seat left in the phase"),
    }


def _int_field(name: str) -> int:
    number = parse_int(request.form.get(name, ""))
    if number is None:
        raise Invalid(_("Please choose a workshop."), code="invalid_choice")
    return number


from conference.workshops.views.attendees import (  # noqa: E402, F401
    _attendee_action,
    _attendee_page,
    _back,
    _workshop,
    attendee,
    leave,
    manage_section,
    ranking,
    take,
    unwait,
    wait,
)
from conference.workshops.views.organisers import (  # noqa: E402, F401
    _admin_workshop,
    _aware,
    _filename,
    _local_naive,
    _preview_page,
    _room_list,
    _seated_registration,
    _seed_arg,
    _staff_action,
    admin_add,
    admin_move,
    admin_phase,
    admin_phases,
    admin_remove,
    admin_workshop,
    allocate_command,
    allocation_commit,
    allocation_preview,
    phase_room_lists_pdf,
    phase_seats,
    place_remaining,
    room_list_csv,
    room_list_pdf,
    seats_text,
)
