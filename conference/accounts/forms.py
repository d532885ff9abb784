from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField(default="")


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(_l("Role"), choices=[])
    organisation_id = SelectField(
        _l("Carrier organisation (coordinators only)"), choices=[], coerce=_optional_int
    )
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=10, max=200)]
    )


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Device or script"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[])
