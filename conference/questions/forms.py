"""The organisers' form for one question."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from conference.questions.labels import KIND_LABELS
from conference.questions.models import CHOICE_KINDS, QuestionKind
from conference.questions.services import OptionData, QuestionData

#: Empty rows for new answers below the existing ones (more after saving).
NEW_OPTION_ROWS = 3
_WHOLE = re.compile(r"^[+-]?\d{1,10}$")


def _whole_number(form, field):
    text = (field.data or "").strip()
    if text and not _WHOLE.match(text):
        raise ValidationError(_("Please enter a whole number, such as 2."))


class OptionForm(Form):
    """One answer of a choice question (no CSRF token of its own: it is part of the form)."""

    id = HiddenField()
    text_de = StringField(_l("German"), validators=[Length(max=300)])
    text_en = StringField(_l("English"), validators=[Length(max=300)])
    remove = BooleanField(_l("Remove"))


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Type"),
        choices=[(str(kind), label) for kind, label in KIND_LABELS.items()],
        render_kw={"data-question-kind": ""},
    )
    text_de = StringField(
        _l("Question in German"),
        validators=[DataRequired(_l("Please enter the question in German.")), Length(max=500)],
    )
    text_en = StringField(_l("Question in English"), validators=[Length(max=500)])
    help_de = TextAreaField(_l("Help text in German (optional)"), validators=[Length(max=1000)])
    help_en = TextAreaField(_l("Help text in English (optional)"), validators=[Length(max=1000)])
    required = BooleanField(_l("Required: attendees must answer it"))
    visible_to_coordinators = BooleanField(_l("Visible to coordinators"))
    min_value = StringField(
        _l("Smallest number (optional)"),
        validators=[_whole_number],
        render_kw={"inputmode": "numeric"},
    )
    max_value = StringField(
        _l("Largest number (optional)"),
        validators=[_whole_number],
        render_kw={"inputmode": "numeric"},
    )
    condition = SelectField(_l("Show only if"))
    options = FieldList(FormField(OptionForm))

    def setup(self, others, question=None) -> None:
        """Offer the answers of the other choice questions as conditions, grouped by question;
        questions that depend on this one (directly or not) are left out: no loops."""

        def depends_on_this(candidate) -> bool:
            seen = set()
            current = candidate
            while current is not None and current.id not in seen:
                if question is not None and current.id == question.id:
                    return True
                seen.add(current.id)
                option = current.condition_option
                current = option.question if option is not None else None
            return False

        self.condition.choices = [SelectChoice("", _l("Always"))] + [
            SelectChoice(str(option.id), option.text_de, optgroup=other.text_de)
            for other in others
            if other.kind in CHOICE_KINDS
            and (question is None or other.id != question.id)
            and not depends_on_this(other)
            for option in other.active_options
        ]

    def fill_options(self, question=None) -> None:
        """The option rows: the active options, then empty rows for new ones."""
        while len(self.options.entries):
            self.options.pop_entry()
        for option in question.active_options if question is not None else []:
            self.options.append_entry(
                {"id": str(option.id), "text_de": option.text_de, "text_en": option.text_en}
            )
        for _n in range(NEW_OPTION_ROWS):
            self.options.append_entry({"id": "", "text_de": "", "text_en": ""})

    def fill_from(self, question) -> None:
        self.kind.data = question.kind
        for name in ("text_de", "text_en", "help_de", "help_en"):
            getattr(self, name).data = getattr(question, name)
        self.required.data = question.required
        self.visible_to_coordinators.data = question.visible_to_coordinators
        self.min_value.data = "" if question.min_value is None else str(question.min_value)
        self.max_value.data = "" if question.max_value is None else str(question.max_value)
        self.condition.data = (
            str(question.condition_option_id) if question.condition_option_id else ""
        )
        self.fill_options(question)

    def data_for_service(self) -> QuestionData:
        def number(field):
            text = (field.data or "").strip()
            return int(text) if text else None

        options = []
        for entry in self.options.entries:
            row = entry.form
            raw_id = (row.id.data or "").strip()
            options.append(
                OptionData(
                    id=int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None,
                    text_de=row.text_de.data or "",
                    text_en=row.text_en.data or "",
                    remove=bool(row.remove.data),
                )
            )
        condition = self.condition.data or ""
        return QuestionData(
            kind=self.kind.data,
            text_de=self.text_de.data or "",
            text_en=self.text_en.data or "",
            help_de=self.help_de.data or "",
            help_en=self.help_en.data or "",
            required=bool(self.required.data),
            visible_to_coordinators=bool(self.visible_to_coordinators.data),
            min_value=number(self.min_value),
            max_value=number(self.max_value),
            condition_option_id=int(condition) if condition.isdigit() else None,
            options=options,
        )


#: The kinds that show the option rows and the number range in the form.
OPTION_KINDS = f"{QuestionKind.SINGLE_CHOICE} {QuestionKind.MULTIPLE_CHOICE}"
NUMBER_KINDS = str(QuestionKind.NUMBER)
