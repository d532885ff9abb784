"""Forms of the survey builder. The attendee's answer form is built from the questions in the
template (its fields depend on what the person attended) and read by ``services.submit``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from conference.surveys.models import QuestionKind
from conference.surveys.services import QuestionInput


def kind_labels() -> dict[str, object]:
    return {
        QuestionKind.RATING: _l("Rating from 1 to 5"),
        QuestionKind.SINGLE: _l("Single choice"),
        QuestionKind.MULTIPLE: _l("Multiple choice"),
        QuestionKind.TEXT: _l("Free text"),
    }


class ActionForm(FlaskForm):
    """Only the CSRF token: delete and move buttons."""


class AnswerForm(FlaskForm):
    """Only the CSRF token; the answers are fields named after the questions."""


class SettingsForm(FlaskForm):
    anonymous = BooleanField(_l("Anonymous: store the answers without a link to the person"))
    closes_on = DateField(_l("Closing date (last day for answers)"), validators=[InputRequired()])
    intro_de = TextAreaField(_l("Introduction (German)"), validators=[Optional(), Length(max=2000)])
    intro_en = TextAreaField(
        _l("Introduction (English)"), validators=[Optional(), Length(max=2000)]
    )


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(FlaskForm):
    kind = RadioField(_l("Kind of question"), validators=[InputRequired()])
    text_de = StringField(
        _l("Question (German)"),
        validators=[DataRequired(_l("Please write the question in German.")), Length(max=500)],
    )
    text_en = StringField(_l("Question (English)"), validators=[Optional(), Length(max=500)])
    per_session = BooleanField(_l("Per session: ask it for each session the person attended"))
    low_de = StringField(_l("What 1 means (German)"), validators=[Optional(), Length(max=100)])
    low_en = StringField(_l("What 1 means (English)"), validators=[Optional(), Length(max=100)])
    high_de = StringField(_l("What 5 means (German)"), validators=[Optional(), Length(max=100)])
    high_en = StringField(_l("What 5 means (English)"), validators=[Optional(), Length(max=100)])
    options_de = TextAreaField(
        _l("Options (German), one per line"), validators=[Optional(), Length(max=5000)]
    )
    options_en = TextAreaField(
        _l("Options (English), one per line"), validators=[Optional(), Length(max=5000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(key, label) for key, label in kind_labels().items()]

    def fill(self, data: QuestionInput) -> None:
        for name in ("kind", "text_de", "text_en", "per_session"):
            getattr(self, name).data = getattr(data, name)
        for name in ("low_de", "low_en", "high_de", "high_en"):
            getattr(self, name).data = getattr(data, name)
        self.options_de.data = "\n".join(data.options_de)
        self.options_en.data = "\n".join(data.options_en)

    def question_input(self) -> QuestionInput:
        return QuestionInput(
            kind=self.kind.data,
            text_de=self.text_de.data or "",
            text_en=self.text_en.data or "",
            per_session=bool(self.per_session.data),
            low_de=self.low_de.data or "",
            low_en=self.low_en.data or "",
            high_de=self.high_de.data or "",
            high_en=self.high_en.data or "",
            options_de=_lines(self.options_de.data),
            options_en=_lines(self.options_en.data),
        )
