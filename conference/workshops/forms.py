from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from conference.workshops.models import PhaseMode


def mode_choices():
    return [
        (PhaseMode.FIRST_COME.value, _l("First come, first served")),
        (PhaseMode.RANKED.value, _l("Ranked preferences, then allocation")),
    ]


class PhaseForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    mode = RadioField(_l("Mode"), choices=mode_choices(), validators=[DataRequired()])
    min_ranks = IntegerField(
        _l("Workshops to rank at least"), default=3, validators=[NumberRange(min=1, max=20)]
    )
    preferences_close_at = DateTimeLocalField(
        _l("Ranking closes at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )


class NewPhaseForm(PhaseForm):
    day = SelectField(_l("Day"), validators=[DataRequired()])


class AddPersonForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
