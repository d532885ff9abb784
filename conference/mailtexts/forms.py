"""The organisers' form for one mail text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length


class MailTextForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[Length(max=200)])
    body = TextAreaField(_l("Text of the mail"), render_kw={"rows": 16, "spellcheck": "true"})
    sample = StringField(
        _l("Preview for the registration of (name or e-mail address; empty: the newest)"),
        validators=[Length(max=200)],
    )


class ResetForm(FlaskForm):
    """The "reset to the default" button: only the CSRF token."""
