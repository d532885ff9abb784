"""The opt-in networking directory and contact requests relayed by mail.

Privacy choice: a contact mail never reveals the sender's address and carries no Reply-To.
It shows the sender's name, organisation and message, and tells the recipient to answer through
the directory with their own personal link (only listed people may send, so an answer is always
possible). The sender's address is included only if the sender ticked "share my e-mail address".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from conference.core import audit, collation
from conference.core.errors import DomainError, Forbidden, Invalid, NotFound
from conference.core.mail import external_url, unsolicited_mail_allowed
from conference.core.models import CarrierOrganisation
from conference.extensions import db
from conference.mailtexts.services import person_values, queue_mail
from conference.registration import services as registration_services
from conference.registration.models import Registration, Status
from conference.reports.models import ContactRequest, DirectoryProfile

CONTACT_LIMIT_PER_DAY = 5


class TooManyRequests(DomainError):
    status, code = 429, "contact_limit"


def attendee_by_token(token: str) -> Registration:
    """The not anonymised attendee behind a manage token; 404 for anything else."""
    return registration_services.by_manage_token(token)


def require_confirmed(registration: Registration) -> None:
    if registration.status != Status.CONFIRMED:
        raise Forbidden(
            _("The attendee directory is open to confirmed attendees only."),
            code="not_confirmed",
        )


def profile_of(registration: Registration) -> DirectoryProfile | None:
    return db.session.execute(
        select(DirectoryProfile).where(DirectoryProfile.registration_id == registration.id)
    ).scalar_one_or_none()


def opt_in(registration: Registration, region: str, topics: str, *, now: datetime):
    """List the attendee (or update their entry). Only confirmed attendees may be listed."""
    require_confirmed(registration)
    profile = profile_of(registration)
    if profile is None:
        profile = DirectoryProfile(registration_id=registration.id, opted_in_at=now)
        db.session.add(profile)
        audit.record(
            "directory.opted_in",
            registration,
            actor="attendee",
            congress_id=registration.congress_id,
        )
    profile.region = region.strip()[:100]
    profile.topics = topics.strip()[:500]
    db.session.flush()
    return profile


def opt_out(registration: Registration) -> None:
    deleted = db.session.execute(
        delete(DirectoryProfile).where(DirectoryProfile.registration_id == registration.id)
    ).rowcount
    if deleted:
        audit.record(
            "directory.opted_out",
            registration,
            actor="attendee",
            congress_id=registration.congress_id,
        )


@dataclass
class Entry:
    profile_id: int
    name: str
    organisation: str
    role: str
    region: str
    topics: str


def search(
    registration: Registration,
    *,
    carrier_id: int | None = None,
    region: str = "",
    topic: str = "",
) -> list[Entry]:
    """Listed confirmed attendees of the same congress (one query), without the searcher."""
    require_confirmed(registration)
    query = (
        select(DirectoryProfile, Registration)
        .join(Registration, Registration.id == DirectoryProfile.registration_id)
        .where(
            Registration.congress_id == registration.congress_id,
            Registration.status == Status.CONFIRMED,
            Registration.anonymised_at.is_(None),
            Registration.id != registration.id,
        )
        .options(joinedload(Registration.carrier), joinedload(Registration.local_structure))
        .order_by(Registration.name_key, Registration.id)
    )
    if carrier_id:
        query = query.where(Registration.carrier_id == carrier_id)
    if region.strip():
        pattern = f"%{_like(region.strip().lower())}%"
        query = query.where(func.lower(DirectoryProfile.region).like(pattern, escape="\\"))
    if topic.strip():
        pattern = f"%{_like(topic.strip().lower())}%"
        query = query.where(func.lower(DirectoryProfile.topics).like(pattern, escape="\\"))
    from conference.reports.services import role_labels

    roles = role_labels()
    return [
        Entry(
            profile.id,
            r.full_name,
            r.organisation_label,
            roles.get(r.programme_role, r.programme_role),
            profile.region,
            profile.topics,
        )
        for profile, r in db.session.execute(query).unique().all()
    ]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def directory_carriers(registration: Registration) -> list[tuple[int, str]]:
    """Carriers that have listed people, for the search filter."""
    rows = db.session.execute(
        select(CarrierOrganisation.id, CarrierOrganisation.name)
        .join(Registration, Registration.carrier_id == CarrierOrganisation.id)
        .join(DirectoryProfile, DirectoryProfile.registration_id == Registration.id)
        .where(
            Registration.congress_id == registration.congress_id,
            Registration.status == Status.CONFIRMED,
        )
        .group_by(CarrierOrganisation.id, CarrierOrganisation.name)
    ).all()
    return [(id_, name) for id_, name in collation.sort_by(rows, lambda row: row.name)]


def send_contact_request(
    sender: Registration,
    profile_id: int,
    message: str,
    *,
    share_email: bool,
    now: datetime,
    limit: int = CONTACT_LIMIT_PER_DAY,
) -> ContactRequest:
    """Relay a message to a listed attendee by mail, at most ``limit`` per sender in 24 hours.

    The sender's row is locked first, so two parallel requests of one sender count each other
    (on PostgreSQL; SQLite serialises writers anyway). The recipient gets at most a few such
    mails an hour (``unsolicited_mail_allowed``). Raises Forbidden, NotFound, Invalid or
    TooManyRequests.
    """
    require_confirmed(sender)
    if profile_of(sender) is None:
        raise Forbidden(
            _("Please join the directory first, so that the other person can answer you."),
            code="not_listed",
        )
    message = message.strip()
    if not message or len(message) > 2000:
        raise Invalid(_("Please write a message of at most 2000 characters."))
    recipient = db.session.execute(
        select(Registration)
        .join(DirectoryProfile, DirectoryProfile.registration_id == Registration.id)
        .where(
            DirectoryProfile.id == profile_id,
            Registration.congress_id == sender.congress_id,
            Registration.status == Status.CONFIRMED,
            Registration.anonymised_at.is_(None),
        )
    ).scalar_one_or_none()
    if recipient is None or recipient.id == sender.id:
        raise NotFound(_("This person is not listed in the directory."))
    db.session.execute(
        select(Registration.id).where(Registration.id == sender.id).with_for_update()
    )
    sent = db.session.execute(
        select(func.count())
        .select_from(ContactRequest)
        .where(
            ContactRequest.sender_id == sender.id,
            ContactRequest.created_at > now - timedelta(hours=24),
        )
    ).scalar_one()
    if sent >= limit:
        raise TooManyRequests(
            _(
                "You have sent %(limit)s contact requests in the last 24 hours. "
                "Please try again tomorrow.",
                limit=limit,
            )
        )
    if not unsolicited_mail_allowed(recipient.email, now=now):
        raise TooManyRequests(
            _("This person has just received several messages. Please try again in an hour."),
            code="recipient_limit",
        )
    request = ContactRequest(
        sender_id=sender.id, recipient_id=recipient.id, message=message, created_at=now
    )
    db.session.add(request)
    db.session.flush()
    values = {
        **person_values(recipient),
        "sender": sender.full_name,
        "sender_organisation": sender.organisation_label or "–",
        "message": message,
    }
    if share_email:
        key, values["sender_email"] = "reports.contact_shared", sender.email
    else:
        key = "reports.contact"
        values["directory_link"] = external_url("reports.directory", token=recipient.manage_token)
    mail = queue_mail(
        key,
        congress=sender.congress,
        recipient=recipient.email,
        language=recipient.language,
        values=values,
        registration_id=recipient.id,
        outbox_kind="reports.contact",
    )
    db.session.flush()
    request.mail_id = mail.id
    return request
