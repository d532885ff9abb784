"""What a registration must satisfy: the fields people may change, the checks a form alone
cannot make, a deliverable e-mail address, how long a confirmation link lasts; and the refusals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from conference.core.errors import Conflict, DomainError, Invalid
from conference.core.models import (
    CarrierOrganisation,
    Congress,
    LocalStructure,
)
from conference.extensions import db
from conference.registration.models import (
    Diet,
    ProgrammeRole,
    Registration,
    Sector,
)

CONFIRM_VALID_FOR = timedelta(hours=48)


#: The fields an attendee or organiser may edit, besides days and consent.
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "language",
    "carrier_id",
    "local_structure_id",
    "organisation_other",
    "programme_role",
    "sector",
    "needs_step_free",
    "needs_sign_language",
    "needs_induction_loop",
    "accessibility_notes",
    "diet",
    "diet_notes",
)


class RegistrationClosed(DomainError):
    status, code = 409, "registration_closed"


class AlreadyRegistered(Conflict):
    code = "already_registered"


class LinkExpired(DomainError):
    status, code = 410, "link_expired"


class NoSeat(Conflict):
    code = "no_seat"


class RegistrationCancelled(Conflict):
    code = "registration_cancelled"


class InvalidRegistration(Invalid):
    """Bad data; ``details["field"]`` names the form field it belongs to."""

    code = "invalid_registration"


class Erased(Conflict):
    code = "erased"


def normalise_email(value: str) -> str:
    """A deliverable-looking address, lower-cased. Raises InvalidRegistration."""
    try:
        checked = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidRegistration(
            _("Please enter a valid e-mail address (%(reason)s).", reason=_email_problem(value)),
            field="email",
        ) from None
    return checked.normalized.lower()


def _email_problem(value: str | None) -> str:
    """Why an address is refused, in our words: email-validator explains only in English."""
    text = (value or "").strip()
    local, at, domain = text.rpartition("@")
    if not text:
        return _("the address is empty")
    if not at:
        return _("the @ sign is missing")
    if not local:
        return _("nothing stands before the @ sign")
    if not domain:
        return _("nothing follows the @ sign")
    if any(c.isspace() for c in text):
        return _("it contains a space")
    if "." not in domain or domain.startswith(".") or domain.endswith("."):
        return _("the part after the @ sign must be a domain such as example.org")
    if len(text) > 254 or len(local) > 64:
        return _("it is too long")
    return _("it contains characters or parts that an e-mail address cannot have")


def check(congress: Congress, data: dict, days: Iterable[date] | None) -> None:
    """Cross-field rules a form alone cannot know. Raises InvalidRegistration."""
    if "first_name" in data and not (data["first_name"] or "").strip():
        raise InvalidRegistration(_("Please enter your first name."), field="first_name")
    if "last_name" in data and not (data["last_name"] or "").strip():
        raise InvalidRegistration(_("Please enter your last name."), field="last_name")
    if "programme_role" in data and data["programme_role"] not in set(ProgrammeRole):
        raise InvalidRegistration(_("Please choose a role."), field="programme_role")
    if "sector" in data and data["sector"] not in set(Sector):
        raise InvalidRegistration(_("Please choose a sector."), field="sector")
    if "diet" in data and data["diet"] not in set(Diet):
        raise InvalidRegistration(_("Please choose a diet."), field="diet")
    if "language" in data and data["language"] not in ("de", "en"):
        raise InvalidRegistration(_("Please choose a language."), field="language")
    carrier_id = data.get("carrier_id")
    local_id = data.get("local_structure_id")
    if carrier_id is not None:
        carrier = db.session.get(CarrierOrganisation, carrier_id)
        if carrier is None or not carrier.active:
            raise InvalidRegistration(_("Please choose an organisation."), field="carrier")
        data["organisation_other"] = ""
    elif "carrier_id" in data and not (data.get("organisation_other") or "").strip():
        raise InvalidRegistration(
            _("Please name your organisation or choose one from the list."),
            field="organisation_other",
        )
    if local_id is not None:
        local = db.session.get(LocalStructure, local_id)
        if local is None or carrier_id is None or local.carrier_id != carrier_id:
            raise InvalidRegistration(
                _("This local structure does not belong to the chosen organisation."),
                field="local_structure",
            )
    if days is not None:
        days = list(days)
        allowed = {d.day for d in congress.days}
        if not days:
            raise InvalidRegistration(_("Please choose at least one day."), field="days")
        if not set(days) <= allowed:
            raise InvalidRegistration(_("Please choose days of the congress."), field="days")


def link_expired(registration: Registration, now: datetime) -> bool:
    """Whether the registration's confirmation link is past its time (``CONFIRM_VALID_FOR``)."""
    return bool(registration.confirm_expires_at and now >= registration.confirm_expires_at)
