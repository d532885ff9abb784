"""Agenda views: the public programme, its JSON and PDF, and the organisers' agenda builder.

The routes live in the modules of this package, all on the one blueprint ``bp`` defined here;
importing the package registers them. Every name the old ``views`` module had is re-exported.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from conference.agenda import services
from conference.core.database import parse_int
from conference.core.errors import Invalid
from conference.core.models import Congress

bp = Blueprint("agenda", __name__)


def _hhmm(value, congress: Congress) -> str:
    return services.local_clock(value, congress).strftime("%H:%M")


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    number = parse_int(raw)
    if number is None:
        raise Invalid(_("Please check the filter."), code="invalid_filter")
    return number


from conference.agenda.views.builder import (  # noqa: E402, F401
    _block_state,
    _builder_day,
    _conflicts_json,
    _edit_session,
    _form_input,
    _grid,
    _optional_room,
    _session_form,
    _text,
    builder,
    copy_skeleton,
    place,
    publish_all,
    session_cancel,
    session_edit,
    session_new,
    session_publish,
)
from conference.agenda.views.public import (  # noqa: E402, F401
    _change_labels,
    _programme_days,
    _programme_filter,
    programme,
    programme_json,
    programme_pdf,
    session_detail,
    speaker_photo,
    tracks_css,
)
from conference.agenda.views.resources import (  # noqa: E402, F401
    _owned,
    _room_form,
    _speaker_form,
    _track_form,
    door_sign,
    room_edit,
    room_new,
    setup,
    speaker_edit,
    speaker_new,
    track_edit,
    track_new,
)
