"""The coordinators' portal: a carrier's people."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from conference.agenda.models import AgendaSession
from conference.checkin.models import CheckIn
from conference.core.models import CarrierOrganisation, Congress
from conference.extensions import db
from conference.registration.models import Registration
from conference.workshops.models import WorkshopSeat

# --- coordinator portal -------------------------------------------------------------------------


@dataclass
class PortalPerson:
    registration: object
    days: list
    workshops: list[str]
    checked_in: bool


def portal_people(congress: Congress, carrier: CarrierOrganisation) -> list[PortalPerson]:
    """The carrier's people at a congress: four queries whatever their number."""
    registrations = list(
        db.session.execute(
            select(Registration)
            .where(Registration.congress_id == congress.id, Registration.carrier_id == carrier.id)
            .options(selectinload(Registration.days), joinedload(Registration.local_structure))
            .order_by(Registration.name_key, Registration.id)
        )
        .unique()
        .scalars()
    )
    ids = [r.id for r in registrations]
    workshops: dict[int, list[str]] = {}
    checked: set[int] = set()
    if ids:
        for registration_id, title in db.session.execute(
            select(WorkshopSeat.registration_id, AgendaSession.title)
            .join(AgendaSession, AgendaSession.id == WorkshopSeat.session_id)
            .where(WorkshopSeat.registration_id.in_(ids))
            .order_by(AgendaSession.starts_at)
        ).all():
            workshops.setdefault(registration_id, []).append(title)
        checked = set(
            db.session.execute(
                select(CheckIn.registration_id)
                .where(CheckIn.registration_id.in_(ids))
                .group_by(CheckIn.registration_id)
            ).scalars()
        )
    return [
        PortalPerson(
            registration=r,
            days=[d.day for d in r.days],
            workshops=workshops.get(r.id, []),
            checked_in=r.id in checked,
        )
        for r in registrations
    ]
