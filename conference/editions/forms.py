"""Forms of the editions pages. Labels are the ones organisers read (German in the catalogue)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from conference.editions.services import EditionInput, time_zones

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class EditionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    subtitle = StringField(_l("Subtitle"), validators=[Optional(), Length(max=300)])
    starts_on = DateField(_l("Start"), validators=[InputRequired()])
    ends_on = DateField(_l("End"), validators=[InputRequired()])
    timezone = SelectField(_l("Time zone"), default="Europe/Berlin")
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(
        lazy_pgettext("postal", "Address"), validators=[Optional(), Length(max=300)]
    )
    venue_city = StringField(
        lazy_pgettext("town", "City"), validators=[Optional(), Length(max=100)]
    )
    venue_accessibility = TextAreaField(
        _l("Venue accessibility"), validators=[Optional(), Length(max=5000)]
    )
    opens_at = TimeField(_l("Doors open at"), validators=[InputRequired()], default=None)
    closes_at = TimeField(_l("Ends at"), validators=[InputRequired()], default=None)
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=1, max=1_000_000)]
    )
    expected_attendees = IntegerField(
        _l("Expected attendees"), validators=[Optional(), NumberRange(min=1, max=1_000_000)]
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=DATETIME_FORMAT, validators=[InputRequired()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=DATETIME_FORMAT, validators=[InputRequired()]
    )
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    retention_months = IntegerField(
        _l("Retention in months"),
        default=24,
        validators=[InputRequired(), NumberRange(min=1, max=240)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [(zone, zone.replace("_", " ")) for zone in time_zones()]

    def fill(self, data: EditionInput) -> None:
        """Show ``data`` (stored times in the congress's time zone, as the organiser set them)."""
        zone = ZoneInfo(data.timezone)
        for name in self._fields:
            if name in ("csrf_token", "slug") or not hasattr(data, name):
                continue
            value = getattr(data, name)
            if isinstance(value, datetime):
                value = value.astimezone(zone).replace(tzinfo=None)
            self[name].data = value
        if "slug" in self._fields:
            self["slug"].data = data.slug

    def edition_input(self) -> EditionInput:
        zone = ZoneInfo(self.timezone.data)

        def aware(value: datetime) -> datetime:
            return value.replace(tzinfo=zone)

        return EditionInput(
            title=self.title.data.strip(),
            subtitle=(self.subtitle.data or "").strip(),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            timezone=self.timezone.data,
            venue_name=(self.venue_name.data or "").strip(),
            venue_address=(self.venue_address.data or "").strip(),
            venue_city=(self.venue_city.data or "").strip(),
            venue_accessibility=(self.venue_accessibility.data or "").strip(),
            opens_at=self.opens_at.data,
            closes_at=self.closes_at.data,
            capacity=self.capacity.data,
            expected_attendees=self.expected_attendees.data,
            registration_opens_at=aware(self.registration_opens_at.data),
            registration_closes_at=aware(self.registration_closes_at.data),
            contact_email=(self.contact_email.data or "").strip().lower(),
            retention_months=self.retention_months.data,
            slug=(self.slug.data or "").strip().lower() if "slug" in self._fields else None,
        )


class SettingsForm(EditionForm):
    slug = StringField(
        _l("Short name in addresses and file names"),
        validators=[DataRequired(), Length(max=60)],
    )


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("Yes, delete this edition with its agenda and settings."))


class ActionForm(FlaskForm):
    """A button: nothing but the CSRF token."""


class TextForm(FlaskForm):
    body_de = TextAreaField(_l("German text"), validators=[Length(max=50_000)])
    body_en = TextAreaField(_l("English text"), validators=[Length(max=50_000)])


class OrganisingBodyForm(FlaskForm):
    name = StringField(
        _l("Name of the organising body"), validators=[DataRequired(), Length(max=200)]
    )
    address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=1000)])
    logo = FileField(_l("Logo (PNG, JPEG or WebP, at most 1 MB)"))
    remove_logo = BooleanField(_l("Remove the logo"))
