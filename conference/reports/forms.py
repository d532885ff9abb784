from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class DirectoryProfileForm(FlaskForm):
    region = StringField(
        _l("Region (city or federal state)"), validators=[Optional(), Length(max=100)]
    )
    topics = StringField(_l("Topics of interest"), validators=[Optional(), Length(max=500)])


class ContactForm(FlaskForm):
    message = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=2000)])
    share_email = BooleanField(_l("Share my e-mail address with this person"))


class DirectorySearchForm(FlaskForm):
    class Meta:
        csrf = False

    organisation = SelectField(_l("Carrier organisation"), choices=[], validate_choice=False)
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=100)])


class RetentionForm(FlaskForm):
    retention_months = IntegerField(
        _l("Keep personal data for (months after the congress)"),
        validators=[DataRequired(), NumberRange(min=1, max=240)],
    )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, erase this person's personal data. This cannot be undone."),
        validators=[DataRequired()],
    )


class PersonSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or e-mail address"), validators=[Optional(), Length(max=200)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    # Choices are set by the view: areas of the app and kinds of object, in words.
    action = SelectField(_l("Area"), choices=[], validate_choice=False)
    object_type = SelectField(_l("Object type"), choices=[], validate_choice=False)
    actor = StringField(_l("Changed by"), validators=[Optional(), Length(max=200)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
