from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from conference.agenda.services import MAX_ABSTRACT, MAX_BIO
from conference.core.database import database_int


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return database_int(value)
    except (TypeError, ValueError):
        return -1  # an unknown id: the service says "Unknown room."


class RoomForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    capacity = IntegerField(_l("Capacity"), validators=[InputRequired(), NumberRange(0, 100000)])
    floor = StringField(_l("Floor"), validators=[Optional(), Length(max=60)])
    accessibility_notes = TextAreaField(
        _l("Accessibility notes"), validators=[Optional(), Length(max=2000)]
    )


class TrackForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    colour = StringField(
        _l("Colour"),
        default="#1f5f8b",
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Please give a colour as #rrggbb.")),
        ],
    )


class SpeakerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(), Length(max=254)])
    bio = TextAreaField(_l("Short bio"), validators=[Optional(), Length(max=MAX_BIO)])
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 2 MB)"))
    remove_photo = BooleanField(_l("Remove the photo"))


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Type"), validators=[DataRequired()])
    abstract = TextAreaField(_l("Abstract"), validators=[Optional(), Length(max=MAX_ABSTRACT)])
    language = SelectField(_l("Language"), validators=[DataRequired()])
    day = SelectField(_l("Day"), validators=[DataRequired()])
    start = TimeField(_l("Start"), validators=[InputRequired()])
    end = TimeField(_l("End"), validators=[InputRequired()])
    room_id = SelectField(_l("Room"), coerce=_optional_int, validate_choice=False)
    track_id = SelectField(_l("Track"), coerce=_optional_int, validate_choice=False)
    capacity = IntegerField(
        _l("Capacity (empty: the room's)"), validators=[Optional(), NumberRange(0, 100000)]
    )
    signup_required = BooleanField(_l("Sign-up required"))
    phase_id = SelectField(_l("Workshop phase"), coerce=_optional_int, validate_choice=False)
    speaker_ids = SelectMultipleField(_l("Speakers"), coerce=database_int, validate_choice=False)
    moderator_ids = SelectMultipleField(
        _l("Moderators"), coerce=database_int, validate_choice=False
    )


class CopyForm(FlaskForm):
    source = SelectField(_l("Copy from"), coerce=database_int, validate_choice=False)
