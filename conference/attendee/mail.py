"""What the mail that confirms a seat carries: the ticket and the personal programme."""

from __future__ import annotations

from conference.badges import services as badges
from conference.core.mail import attach_at_delivery
from conference.extensions import db
from conference.feeds import services as feeds
from conference.registration.models import Registration, Status

#: The mails that tell a person they hold a seat.
SEAT_MAILS = ("registration.confirmed", "registration.promoted")


def attachments(person: Registration, kind: str) -> list[tuple[str, str, bytes]]:
    """The files for a mail of this kind to this person, as they are now."""
    if kind not in SEAT_MAILS or person.status != Status.CONFIRMED:
        return []
    return badges.ticket_attachment(person) + feeds.personal_programme_attachment(person)


def seat_mail_attachments(mail) -> list[tuple[str, str, bytes]]:
    """Made when the mail is delivered, not queued: rendering the ticket must not hold the
    request's transaction (``core.mail.attach_at_delivery``)."""
    person = db.session.get(Registration, mail.registration_id) if mail.registration_id else None
    if person is None:
        return []
    return attachments(person, mail.kind)


def init_app(app) -> None:
    attach_at_delivery(*SEAT_MAILS)(seat_mail_attachments)
