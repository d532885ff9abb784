"""The organisers' print form."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField

from conference.badges.services import BADGE_ROLE_LABELS


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _optional_date(value):
    if value in (None, "", "None"):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


class PrintForm(FlaskForm):
    organisation = SelectField(
        _l("Carrier organisation"), coerce=_optional_int, validate_choice=True
    )
    role = SelectField(_l("Role on the badge"), default="", validate_choice=True)
    day = SelectField(_l("Day"), coerce=_optional_date, validate_choice=True)
    not_printed = BooleanField(_l("Only badges not printed yet"))
    layout = RadioField(
        _l("Layout"),
        choices=[
            ("a6", _l("One badge per A6 page (badge printer, pre-cut cards)")),
            ("a4", _l("Four badges per A4 sheet with crop marks (office printer)")),
        ],
        default="a6",
    )
    back_side = BooleanField(_l("Add a back side with the attendee's workshops (print duplex)"))
    mark_printed = BooleanField(_l("Record these badges as printed"), default=True)

    def fill_choices(self, carriers, days) -> None:
        self.organisation.choices = [(None, _l("All organisations"))] + [
            (carrier.id, carrier.name) for carrier in carriers
        ]
        self.role.choices = [("", _l("All roles"))] + [
            (role.value, label) for role, label in BADGE_ROLE_LABELS.items()
        ]
        self.day.choices = [(None, _l("All days"))] + [(day, label) for day, label in days]

    def filters(self) -> dict:
        return {
            "organisation_id": self.organisation.data,
            "role": self.role.data or None,
            "day": self.day.data,
            "not_printed": bool(self.not_printed.data),
        }
