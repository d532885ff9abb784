"""Forms of the call for contributions. Choices that depend on the edition are set by ``setup``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from conference.agenda.models import SessionKind

OTHER = "other"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]


def _no_control_characters(form, field):
    value = field.data or ""
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValidationError(_l("Please remove the control characters."))


class CallForm(FlaskForm):
    deadline = DateTimeLocalField(
        _l("Deadline for contributions"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    intro_de = TextAreaField(
        _l("Introduction (German, Markdown)"), validators=[Optional(), Length(max=20000)]
    )
    intro_en = TextAreaField(
        _l("Introduction (English, Markdown)"), validators=[Optional(), Length(max=20000)]
    )
    abstract_limit = IntegerField(
        _l("Longest abstract (characters)"),
        default=1500,
        validators=[InputRequired(_l("Please enter a number.")), NumberRange(min=200, max=5000)],
    )
    anonymous_review = BooleanField(_l("Anonymous review (reviewers see no names)"))


class FormatForm(FlaskForm):
    name_de = StringField(_l("Name (German)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=120)])
    duration = IntegerField(
        _l("Default duration (minutes)"),
        default=90,
        validators=[InputRequired(_l("Please enter a number.")), NumberRange(min=5, max=600)],
    )
    kind = SelectField(_l("Becomes in the agenda"), choices=[])


class CriterionForm(FlaskForm):
    name_de = StringField(_l("Name (German)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=120)])
    weight = IntegerField(
        _l("Weight"),
        default=1,
        validators=[InputRequired(_l("Please enter a number.")), NumberRange(min=1, max=10)],
    )


class TrackForm(FlaskForm):
    name = StringField(_l("Name of the track"), validators=[DataRequired(), Length(max=120)])


class QuestionForm(FlaskForm):
    text_de = StringField(_l("Question (German)"), validators=[DataRequired(), Length(max=500)])
    text_en = StringField(_l("Question (English)"), validators=[Optional(), Length(max=500)])
    kind = SelectField(_l("Type of answer"), choices=[])
    options = TextAreaField(
        _l("Options (one per line, for a choice)"), validators=[Optional(), Length(max=3000)]
    )
    required = BooleanField(_l("Required"))


class PresenterForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200), _no_control_characters])
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Email(_l("Please enter a valid e-mail address.")), Length(max=254)],
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=200), _no_control_characters]
    )

    def validate_name(self, field):
        if not (field.data or "").strip() and (self.email.data or self.organisation.data):
            raise ValidationError(_l("Please enter the name of the co-presenter."))


class SubmissionForm(FlaskForm):
    title = StringField(
        _l("Title of the contribution"),
        validators=[
            DataRequired(_l("Please enter a title.")),
            Length(max=300),
            _no_control_characters,
        ],
    )
    abstract = TextAreaField(
        _l("Abstract"), validators=[DataRequired(_l("Please describe your contribution."))]
    )
    format = SelectField(_l("Format"), validators=[DataRequired(_l("Please choose a format."))])
    track = SelectField(_l("Track"), validators=[Optional()])
    language = RadioField(
        _l("Language of the contribution"),
        choices=LANGUAGES,
        default="de",
        validators=[InputRequired(_l("Please choose a language."))],
    )
    target_group = StringField(
        _l("Target group"), validators=[Optional(), Length(max=300), _no_control_characters]
    )
    max_participants = IntegerField(
        _l("Maximum number of participants"),
        validators=[
            Optional(),
            NumberRange(min=1, max=10000, message=_l("Please enter a number from 1 to 10,000.")),
        ],
    )
    accessibility = TextAreaField(
        _l("Accessibility needs (yours or the session's)"),
        validators=[Optional(), Length(max=2000)],
    )
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Please enter your first name.")), Length(max=200)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(_l("Please enter your last name.")), Length(max=200)],
        render_kw={"autocomplete": "family-name"},
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Please enter your e-mail address.")),
            Email(_l("Please enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    mail_language = RadioField(
        _l("Language for e-mails"),
        choices=LANGUAGES,
        default="de",
        validators=[InputRequired(_l("Please choose a language."))],
    )
    carrier = SelectField(
        _l("Carrier organisation"),
        validators=[InputRequired(_l("Please choose your organisation or “other”."))],
    )
    organisation_other = StringField(
        _l("Other organisation"),
        validators=[Length(max=200), _no_control_characters],
        render_kw={"autocomplete": "organization"},
    )
    presenters = FieldList(FormField(PresenterForm), min_entries=3, max_entries=5)
    website = StringField(_l("Leave this field empty"))  # a honeypot for bots

    def setup(self, call, tracks, carriers, language: str) -> None:
        self._call = call
        self.format.choices = [("", _l("Please choose"))] + [
            (str(f.id), f.name(language)) for f in call.formats
        ]
        self.track.choices = [("", _l("No preference"))] + [(str(t.id), t.name) for t in tracks]
        self.carrier.choices = (
            [("", _l("Please choose"))]
            + [(str(c.id), c.name) for c in carriers]
            + [(OTHER, _l("Other organisation (please name it)"))]
        )

    def validate_abstract(self, field):
        from conference.cfp.services import abstract_problem

        problem = abstract_problem(self._call, (field.data or "").strip())
        if problem:
            raise ValidationError(problem)

    def validate_organisation_other(self, field):
        if self.carrier.data == OTHER and not (field.data or "").strip():
            raise ValidationError(_l("Please name your organisation."))


def kind_choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(str(kind), labels[kind]) for kind in SessionKind if kind in labels]


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


class AssignForm(FlaskForm):
    pass
