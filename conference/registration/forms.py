"""Forms of the registration area. Choices that depend on the congress are set by ``setup``."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from conference.registration.labels import DIET_LABELS, ROLE_LABELS, SECTOR_LABELS, choices

OTHER = "other"


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes in a fieldset (rendered by ``_forms.html``)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _valid_email(form, field):
    """The same check as the service (email-validator), so the message sits beside the field."""
    from conference.registration.rules import InvalidRegistration, normalise_email

    try:
        normalise_email(field.data or "")
    except InvalidRegistration as error:
        raise ValidationError(error.message) from None


def _no_control_characters(form, field):
    value = field.data or ""
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValidationError(_l("Please remove the control characters."))


class PersonForm(FlaskForm):
    """What a person tells about themselves; shared by sign-up, self-service and staff."""

    first_name = StringField(
        _l("First name"),
        validators=[
            DataRequired(_l("Please enter your first name.")),
            Length(max=200),
            _no_control_characters,
        ],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"),
        validators=[
            DataRequired(_l("Please enter your last name.")),
            Length(max=200),
            _no_control_characters,
        ],
        render_kw={"autocomplete": "family-name"},
    )
    language = RadioField(
        _l("Language for e-mails"),
        choices=[("de", "Deutsch"), ("en", "English")],
        default="de",
        validators=[InputRequired(_l("Please choose a language."))],
    )
    carrier = SelectField(
        _l("Organisation"),
        validators=[InputRequired(_l("Please choose your organisation or “other”."))],
    )
    local_structure = SelectField(
        _l("Local structure (optional)"),
        validate_choice=False,
        render_kw={"data-local-structures": "carrier"},  # the id of the carrier field
    )
    organisation_other = StringField(
        _l("Other organisation"),
        validators=[Length(max=200), _no_control_characters],
        render_kw={"autocomplete": "organization"},
    )
    programme_role = SelectField(
        _l("Role in the programme"),
        choices=[("", _l("Please choose"))] + choices(ROLE_LABELS),
        validators=[DataRequired(_l("Please choose your role."))],
    )
    sector = SelectField(
        _l("Sector and level"),
        choices=[("", _l("Please choose"))] + choices(SECTOR_LABELS),
        validators=[DataRequired(_l("Please choose your sector."))],
    )
    needs_step_free = BooleanField(_l("Step-free access"))
    needs_sign_language = BooleanField(_l("Sign-language interpretation"))
    needs_induction_loop = BooleanField(_l("Induction loop"))
    accessibility_notes = TextAreaField(
        _l("Other accessibility needs"), validators=[Optional(), Length(max=2000)]
    )
    diet = SelectField(_l("Diet"), choices=choices(DIET_LABELS), default="none")
    diet_notes = StringField(
        _l("Allergies or other dietary needs"), validators=[Optional(), Length(max=500)]
    )

    def setup(self, carriers) -> None:
        """Fill the organisation choices from the carriers (with their local structures)."""
        self.carrier.choices = (
            [("", _l("Please choose"))]
            + [(str(c.id), c.name) for c in carriers]
            + [(OTHER, _l("Other organisation (please name it)"))]
        )
        # "None" stands alone; each carrier's structures form a group named as in the carrier
        # field, and each option names its carrier for static/js/local-structures.js, which
        # keeps only the chosen carrier's group. Without JavaScript the groups keep 500+
        # structures findable.
        self.local_structure.choices = [SelectChoice("", _l("None / not applicable"))] + [
            SelectChoice(
                str(ls.id), ls.name, optgroup=carrier.name, render_kw={"data-carrier": carrier.id}
            )
            for carrier in carriers
            for ls in carrier.local_structures
        ]
        self._local_parent = {str(ls.id): str(c.id) for c in carriers for ls in c.local_structures}

    def validate_organisation_other(self, field):
        if self.carrier.data == OTHER and not (field.data or "").strip():
            raise ValidationError(_l("Please name your organisation."))

    def validate_local_structure(self, field):
        if not field.data:
            return
        parent = getattr(self, "_local_parent", {}).get(field.data)
        if parent is None or parent != self.carrier.data:
            raise ValidationError(
                _l("This local structure does not belong to the chosen organisation.")
            )

    def person_data(self) -> dict:
        carrier = self.carrier.data
        return {
            "first_name": self.first_name.data.strip(),
            "last_name": self.last_name.data.strip(),
            "language": self.language.data,
            "carrier_id": int(carrier) if carrier and carrier != OTHER else None,
            "local_structure_id": int(self.local_structure.data)
            if self.local_structure.data
            else None,
            "organisation_other": (self.organisation_other.data or "").strip()
            if carrier == OTHER
            else "",
            "programme_role": self.programme_role.data,
            "sector": self.sector.data,
            "needs_step_free": bool(self.needs_step_free.data),
            "needs_sign_language": bool(self.needs_sign_language.data),
            "needs_induction_loop": bool(self.needs_induction_loop.data),
            "accessibility_notes": (self.accessibility_notes.data or "").strip(),
            "diet": self.diet.data,
            "diet_notes": (self.diet_notes.data or "").strip(),
        }

    def fill_from(self, registration) -> None:
        for name in (
            "first_name",
            "last_name",
            "language",
            "organisation_other",
            "programme_role",
            "sector",
            "needs_step_free",
            "needs_sign_language",
            "needs_induction_loop",
            "accessibility_notes",
            "diet",
            "diet_notes",
        ):
            getattr(self, name).data = getattr(registration, name)
        if registration.carrier_id:
            self.carrier.data = str(registration.carrier_id)
        else:
            self.carrier.data = OTHER if registration.organisation_other else ""
        self.local_structure.data = (
            str(registration.local_structure_id) if registration.local_structure_id else ""
        )


def day_choices(congress) -> list[tuple[str, str]]:
    return [
        (
            d.day.isoformat(),
            f"{format_date(d.day, 'EEEE, d. MMMM y')}" + (f" ({d.label})" if d.label else ""),
        )
        for d in congress.days
    ]


def _at_least_one(form, field):
    # Not DataRequired: its "required" flag would mark every single checkbox as required.
    if not field.data:
        raise ValidationError(_l("Please choose at least one day."))


class DaysMixin:
    days = MultiCheckboxField(_l("Days attending"), validators=[_at_least_one])

    def setup_days(self, congress) -> None:
        self.days.choices = day_choices(congress)

    def chosen_days(self) -> list[date]:
        return sorted(date.fromisoformat(value) for value in self.days.data or [])


class RegistrationForm(DaysMixin, PersonForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Please enter your e-mail address.")),
            Length(max=254),
            _valid_email,
        ],
        render_kw={"autocomplete": "email"},
    )
    consent = BooleanField(
        _l("I agree that my data is processed to organise the congress (required)."),
        validators=[DataRequired(_l("Please agree to the processing of your data."))],
    )
    photo_consent = BooleanField(
        _l("I agree to be photographed and that photos may be published (optional).")
    )
    # A field humans never see; bots fill it.
    website = StringField(_l("Leave this field empty"), render_kw={"tabindex": "-1"})


class ManageForm(PersonForm):
    photo_consent = BooleanField(
        _l("I agree to be photographed and that photos may be published (optional).")
    )


class DaysForm(DaysMixin, FlaskForm):
    pass


class CancelForm(FlaskForm):
    really = BooleanField(
        _l("Yes, I want to cancel my registration."),
        validators=[DataRequired(_l("Please tick the box to confirm the cancellation."))],
    )


class LostLinkForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Please enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class StaffRegistrationForm(DaysMixin, PersonForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Please enter the e-mail address.")),
            Length(max=254),
            _valid_email,
        ],
    )
    consent = BooleanField(
        _l("The person has agreed to the processing of their data."),
        validators=[DataRequired(_l("Without consent we cannot register the person."))],
    )
    photo_consent = BooleanField(_l("The person agrees to be photographed."))
    mode = RadioField(
        _l("Confirmation"),
        choices=[
            ("confirmed", _l("Confirm now (seat or waiting list) and send the confirmation")),
            ("pending", _l("Send a confirmation link to the person (double opt-in)")),
        ],
        default="confirmed",
    )


class StaffEditForm(DaysMixin, PersonForm):
    pass


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Please choose a file.")),
            FileAllowed(["csv", "txt"], _l("Please upload a CSV file.")),
        ],
    )
    consent = BooleanField(
        _l("The people on the list have agreed to the processing of their data."),
        validators=[DataRequired(_l("Without consent we cannot import the list."))],
    )
    mode = RadioField(
        _l("Confirmation"),
        choices=[
            ("confirmed", _l("Confirm now (seat or waiting list) and send the confirmation")),
            ("pending", _l("Send a confirmation link to each person (double opt-in)")),
        ],
        default="confirmed",
    )


class ImportConfirmForm(FlaskForm):
    payload = HiddenField()
    mode = HiddenField()
