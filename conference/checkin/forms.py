from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from conference.registration.labels import ROLE_LABELS, choices
from conference.registration.models import BadgeRole, ProgrammeRole


class ScanForm(FlaskForm):
    """The hand-scanner field: a scanner types the code and Enter."""

    token = StringField(_l("Badge code"), validators=[DataRequired(), Length(max=200)])
    checkpoint = HiddenField()


class UndoForm(FlaskForm):
    checkpoint = HiddenField()


class WalkInForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=200)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    carrier_id = SelectField(_l("Carrier organisation"), coerce=int, validators=[Optional()])
    organisation_other = StringField(
        _l("Other organisation"), validators=[Optional(), Length(max=200)]
    )
    programme_role = SelectField(
        _l("Role in the programme"),
        choices=choices(ROLE_LABELS),
        default=ProgrammeRole.OTHER.value,
    )
    badge_role = SelectField(
        _l("Badge"),
        choices=[
            (BadgeRole.ATTENDEE.value, _l("Attendee")),
            (BadgeRole.SPEAKER.value, _l("Speaker")),
            (BadgeRole.MODERATOR.value, _l("Moderator")),
            (BadgeRole.PRESS.value, _l("Press")),
            (BadgeRole.STAFF.value, _l("Staff")),
        ],
        default=BadgeRole.ATTENDEE.value,
    )
    consent = BooleanField(
        _l("The person agrees to the processing of their data for the congress."),
        validators=[DataRequired(_l("Please confirm the consent."))],
    )
