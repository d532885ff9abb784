"""The registration area's mails, in the organisers' words (``conference/mailtexts``): which
text each event sends and the values it fills in, and the registration a preview shows."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from conference.core.mail import external_url
from conference.core.models import Congress
from conference.extensions import db
from conference.mailtexts import registry
from conference.mailtexts.services import Sample, person_values, queue_mail
from conference.registration.models import Registration


def send(
    registration: Registration,
    kind: str,
    *,
    congress: Congress,
    confirm_url: str | None = None,
    position: int | None = None,
    registering_again: bool = False,
) -> None:
    """Queue the registration mail ``kind`` (confirm, confirmed, waitlisted, promoted,
    cancelled, link) in the registrant's language. The outbox keeps the kind as
    "registration.<kind>", which decides the attachments made at delivery."""
    key = (
        "registration.link_again"
        if kind == "link" and registering_again
        else f"registration.{kind}"
    )
    values = {
        **person_values(registration),
        "manage_link": external_url("registration.manage", token=registration.manage_token),
        "confirm_link": confirm_url or "",
        "position": str(position) if position is not None else "–",
    }
    queue_mail(
        key,
        congress=congress,
        recipient=registration.email,
        language=registration.language or "de",
        values=values,
        registration_id=registration.id,
        outbox_kind=f"registration.{kind}",
    )


@registry.find_samples_with
def preview_sample(congress_id: int, query: str) -> Sample | None:
    """The registration a mail preview is filled in for: the newest one whose name or address
    contains ``query`` (the newest of all without), never an erased one."""
    statement = select(Registration).where(
        Registration.congress_id == congress_id, Registration.anonymised_at.is_(None)
    )
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Registration.first_name + " " + Registration.last_name).like(pattern),
                Registration.email.like(pattern),
            )
        )
    registration = db.session.execute(
        statement.order_by(Registration.id.desc()).limit(1)
    ).scalar_one_or_none()
    if registration is None:
        return None
    return Sample(
        registration_id=registration.id,
        label=f"{registration.full_name} ({registration.email})",
        values=person_values(registration),
    )


def send_mail(registration: Registration, kind: str, **context) -> None:
    """Queue one of the registration mails in the registrant's language, in the edition's
    words. The ticket and calendar of confirmed/promoted mails are attached at delivery
    (``attendee/mail.py``)."""
    congress = registration.congress or db.session.get(Congress, registration.congress_id)
    send(registration, kind, congress=congress, **context)


def confirm_url(registration: Registration) -> str:
    return external_url("registration.confirm", token=registration.confirm_token)
