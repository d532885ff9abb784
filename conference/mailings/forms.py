"""The forms of a mailing and of a scheduled rule. The recipient filter's fields are plain
checkboxes in the template (``_filter.html``), read by ``recipients.parse``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from conference.mailings.models import Anchor
from conference.mailings.services import MailingInput, RuleInput


class MailingForm(FlaskForm):
    form_key = HiddenField()
    subject_de = StringField(_l("Subject (German)"), validators=[Length(max=200)])
    body_de = TextAreaField(
        _l("Text (German)"), render_kw={"rows": 12, "spellcheck": "true", "lang": "de"}
    )
    subject_en = StringField(_l("Subject (English)"), validators=[Length(max=200)])
    body_en = TextAreaField(
        _l("Text (English)"), render_kw={"rows": 12, "spellcheck": "true", "lang": "en"}
    )
    attach_ticket = BooleanField(_l("Attach each person's ticket (PDF; confirmed people only)"))
    attach_calendar = BooleanField(_l("Attach each person's personal programme (.ics)"))

    def mailing_input(self) -> MailingInput:
        return MailingInput(
            subject_de=self.subject_de.data or "",
            body_de=self.body_de.data or "",
            subject_en=self.subject_en.data or "",
            body_en=self.body_en.data or "",
            attach_ticket=bool(self.attach_ticket.data),
            attach_calendar=bool(self.attach_calendar.data),
        )

    def fill(self, texts) -> None:
        for name in ("subject_de", "body_de", "subject_en", "body_en"):
            getattr(self, name).data = getattr(texts, name)
        self.attach_ticket.data = texts.attach_ticket
        self.attach_calendar.data = texts.attach_calendar


class RuleForm(MailingForm):
    days = IntegerField(
        _l("Days"),
        validators=[
            InputRequired(_l("Please enter a number of days from 0 to 365.")),
            NumberRange(0, 365, _l("Please enter a number of days from 0 to 365.")),
        ],
    )
    anchor = RadioField(
        _l("When"),
        choices=[
            (Anchor.BEFORE_START, _l("before the first day of the congress")),
            (Anchor.AFTER_END, _l("after the last day of the congress")),
        ],
        default=Anchor.BEFORE_START,
        validators=[InputRequired(_l("Please choose before the start or after the end."))],
    )
    send_time = TimeField(
        _l("At (time in the congress's time zone)"),
        validators=[InputRequired(_l("Please enter a time such as 09:00."))],
    )

    def rule_input(self) -> RuleInput:
        texts = self.mailing_input()
        return RuleInput(
            **texts.__dict__,
            anchor=self.anchor.data,
            days=self.days.data,
            send_time=self.send_time.data,
        )

    def fill(self, rule) -> None:
        super().fill(rule)
        self.days.data, self.anchor.data, self.send_time.data = (
            rule.days,
            rule.anchor,
            rule.send_time,
        )


class ActionForm(FlaskForm):
    """Only the CSRF token: the rule page's buttons."""
