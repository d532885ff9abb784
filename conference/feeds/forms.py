"""The filter form of the subscribe page: it only builds feed links (GET, nothing stored)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class FeedFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    track = SelectField(_l("Track"), choices=[], default="")
    room = SelectField(_l("Room"), choices=[], default="")
    type = SelectField(_l("Session type"), choices=[], default="")
    day = SelectField(_l("Day"), choices=[], default="")
