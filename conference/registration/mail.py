"""The registration's mails, in the registrant's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.core.mail import (
    external_url,
    queue_templated,
)
from conference.core.models import (
    Congress,
)
from conference.extensions import db
from conference.registration.models import (
    Registration,
)

SUBJECTS = {
    "confirm": _l("Please confirm your registration"),
    "confirmed": _l("Your registration is confirmed"),
    "waitlisted": _l("You are on the waiting list"),
    "promoted": _l("A seat is free for you: your registration is confirmed"),
    "cancelled": _l("Your registration has been cancelled"),
    "link": _l("Your personal registration link"),
}


def send_mail(registration: Registration, kind: str, **context) -> None:
    """Queue one of the registration mails in the registrant's language. The ticket and
    calendar of confirmed/promoted mails are attached at delivery (``_seat_attachments``)."""
    congress = registration.congress or db.session.get(Congress, registration.congress_id)
    queue_templated(
        f"registration/{kind}",
        recipient=registration.email,
        language=registration.language or "de",
        subject=SUBJECTS[kind],
        context={
            "registration": registration,
            "congress": congress,
            "manage_url": external_url("registration.manage", token=registration.manage_token),
            **context,
        },
        kind=f"registration.{kind}",
        registration_id=registration.id,
    )


def confirm_url(registration: Registration) -> str:
    return external_url("registration.confirm", token=registration.confirm_token)
