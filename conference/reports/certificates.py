"""Certificates of attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from conference.agenda.models import AgendaSession
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.errors import DomainError
from conference.core.models import Congress
from conference.core.time import at_local
from conference.extensions import db
from conference.registration.models import Registration

# --- certificates of attendance ----------------------------------------------------------------


class CertificateNotAvailable(DomainError):
    status, code = 409, "certificate_not_available"


@dataclass
class Attendance:
    registration: Registration
    days: list[date]
    workshops: list[str]


def congress_over(congress: Congress, now: datetime) -> bool:
    """True once the congress's last day has ended in its own time zone."""
    return now >= at_local(congress.ends_on + timedelta(days=1), time(0), congress.timezone)


def attendances(registrations: list[Registration]) -> list[Attendance]:
    """What each person attended, from their check-ins: one query for all of them.

    An entrance checkpoint (no session) proves the day; a workshop checkpoint the workshop.
    """
    ids = [r.id for r in registrations]
    days: dict[int, set[date]] = {}
    workshops: dict[int, list[str]] = {}
    if ids:
        rows = db.session.execute(
            select(CheckIn.registration_id, Checkpoint.day, AgendaSession.title)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .join(AgendaSession, AgendaSession.id == Checkpoint.session_id, isouter=True)
            .where(CheckIn.registration_id.in_(ids))
            .order_by(CheckIn.registration_id, Checkpoint.day, AgendaSession.starts_at)
        ).all()
        for registration_id, day, title in rows:
            days.setdefault(registration_id, set()).add(day)
            if title is not None and title not in workshops.get(registration_id, []):
                workshops.setdefault(registration_id, []).append(title)
    return [
        Attendance(r, sorted(days[r.id]), workshops.get(r.id, []))
        for r in registrations
        if r.id in days
    ]


def certificate_for(registration: Registration, now: datetime) -> Attendance:
    """The attendee's certificate data. Raises CertificateNotAvailable before the congress is
    over or when the person never checked in."""
    if not congress_over(registration.congress, now):
        raise CertificateNotAvailable(
            _("The certificate of attendance is available after the congress.")
        )
    found = attendances([registration])
    if not found:
        raise CertificateNotAvailable(
            _("We have no check-in for you, so we cannot certify your attendance.")
        )
    return found[0]


def organisation_attendances(congress: Congress, carrier_id: int) -> list[Attendance]:
    registrations = list(
        db.session.execute(
            select(Registration)
            .where(Registration.congress_id == congress.id, Registration.carrier_id == carrier_id)
            .options(joinedload(Registration.carrier), joinedload(Registration.local_structure))
            .order_by(Registration.name_key, Registration.id)
        )
        .unique()
        .scalars()
    )
    return attendances(registrations)
