from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

STATES = [
    "",
    "Baden-Württemberg",
    "Bayern",
    "Berlin",
    "Brandenburg",
    "Bremen",
    "Hamburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Saarland",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
]


class CarrierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Length(max=60)])
    kind = SelectField(_l("Type"), choices=[])
    city = StringField(_l("City"), validators=[Length(max=100)])
    state = SelectField(_l("Federal state"), choices=[(s, s or "–") for s in STATES], default="")
    website = StringField(_l("Website"), validators=[Optional(), URL(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Length(max=200)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    active = BooleanField(_l("Active in the programme"), default=True)


class LocalStructureForm(FlaskForm):
    name = StringField(
        _l("Name of the local structure"), validators=[DataRequired(), Length(max=200)]
    )
    city = StringField(_l("City"), validators=[Length(max=100)])
    state = SelectField(_l("Federal state"), choices=[(s, s or "–") for s in STATES], default="")


class QuotaForm(FlaskForm):
    quota = IntegerField(
        _l("Seat quota for this congress"),
        validators=[Optional(), NumberRange(min=0, max=100000)],
    )


class ImportUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class ImportConfirmForm(FlaskForm):
    data = HiddenField(validators=[DataRequired()])


class MapForm(FlaskForm):
    text = HiddenField(validators=[DataRequired(), Length(max=200)])
    target = StringField(
        _l("Carrier organisation or local structure"), validators=[DataRequired(), Length(max=420)]
    )


class MergeForm(FlaskForm):
    source = SelectField(_l("Duplicate (will be removed)"), choices=[], coerce=int)
    target = SelectField(_l("Keep"), choices=[], coerce=int)
