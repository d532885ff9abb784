"""Carrier organisations: the overview, a carrier, editing it, local structures and quotas."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from conference.accounts.models import User
from conference.core import audit, collation
from conference.core.errors import Conflict, Forbidden, Invalid, NotFound
from conference.core.models import (
    CarrierOrganisation,
    Congress,
    LocalStructure,
    OrganisationKind,
    OrganisationQuota,
)
from conference.extensions import db
from conference.registration.models import Registration, Status

# --- queries ------------------------------------------------------------------------------------


@dataclass
class CarrierRow:
    carrier: CarrierOrganisation
    local_structures: int
    registrations: int
    quota: int | None
    taken: int


def carrier_overview(congress: Congress | None) -> list[CarrierRow]:
    """All carriers with local-structure, registration and quota figures: three queries."""
    carriers = db.session.execute(select(CarrierOrganisation).order_by(CarrierOrganisation.name))
    carriers = collation.sort_by(carriers.scalars(), lambda c: c.name)
    locals_ = dict(
        db.session.execute(
            select(LocalStructure.carrier_id, func.count()).group_by(LocalStructure.carrier_id)
        ).all()
    )
    registrations: dict[int, int] = {}
    quotas: dict[int, tuple[int, int]] = {}
    if congress is not None:
        registrations = dict(
            db.session.execute(
                select(Registration.carrier_id, func.count())
                .where(
                    Registration.congress_id == congress.id,
                    Registration.status != Status.CANCELLED,
                    Registration.carrier_id.is_not(None),
                )
                .group_by(Registration.carrier_id)
            ).all()
        )
        quotas = {
            carrier_id: (quota, taken)
            for carrier_id, quota, taken in db.session.execute(
                select(
                    OrganisationQuota.carrier_id, OrganisationQuota.quota, OrganisationQuota.taken
                ).where(OrganisationQuota.congress_id == congress.id)
            ).all()
        }
    return [
        CarrierRow(
            carrier=c,
            local_structures=locals_.get(c.id, 0),
            registrations=registrations.get(c.id, 0),
            quota=quotas.get(c.id, (None, 0))[0],
            taken=quotas.get(c.id, (None, 0))[1],
        )
        for c in carriers
    ]


def get_carrier(carrier_id: int) -> CarrierOrganisation:
    carrier = db.session.get(CarrierOrganisation, carrier_id)
    if carrier is None:
        raise NotFound(_("This carrier organisation does not exist."))
    return carrier


def carrier_for(actor: User, carrier_id: int | None) -> CarrierOrganisation:
    """The carrier an actor may look at: a coordinator only their own, whatever they ask for."""
    if actor.role == "coordinator":
        if carrier_id is not None and carrier_id != actor.organisation_id:
            raise Forbidden(_("You can only see your own organisation."))
        return get_carrier(actor.organisation_id)
    if carrier_id is None:
        if actor.organisation_id is None:
            raise NotFound(_("Please choose a carrier organisation."), code="choose_organisation")
        carrier_id = actor.organisation_id
    return get_carrier(carrier_id)


def kind_labels() -> dict[str, str]:
    return {
        OrganisationKind.WELFARE: _("Welfare association"),
        OrganisationKind.FOUNDATION: _("Foundation"),
        OrganisationKind.VOLUNTEER_AGENCY: _("Volunteer agency"),
        OrganisationKind.MIGRANT: _("Migrant organisation"),
        OrganisationKind.OTHER: _("Other"),
    }


# --- editing ------------------------------------------------------------------------------------

CARRIER_FIELDS = (
    "name",
    "short_name",
    "kind",
    "city",
    "state",
    "website",
    "contact_name",
    "contact_email",
    "active",
)


def _name_taken(name: str, exclude_id: int | None) -> bool:
    query = select(CarrierOrganisation.id).where(
        func.lower(CarrierOrganisation.name) == name.strip().lower()
    )
    if exclude_id is not None:
        query = query.where(CarrierOrganisation.id != exclude_id)
    return db.session.execute(query).first() is not None


def save_carrier(
    carrier: CarrierOrganisation | None, values: dict, *, actor
) -> CarrierOrganisation:
    """Create (carrier None) or update a carrier. Raises Conflict on a duplicate name."""
    name = values["name"].strip()
    if _name_taken(name, carrier.id if carrier else None):
        raise Conflict(_("A carrier organisation with this name exists already."))
    creating = carrier is None
    if creating:
        carrier = CarrierOrganisation(name=name)
        db.session.add(carrier)
    changed = {}
    for key in CARRIER_FIELDS:
        if key not in values:
            continue
        value = values[key].strip() if isinstance(values[key], str) else values[key]
        if getattr(carrier, key) != value:
            changed[key] = value
            setattr(carrier, key, value)
    db.session.flush()
    audit.record(
        "organisation.created" if creating else "organisation.updated",
        carrier,
        actor=actor,
        **changed,
    )
    return carrier


def add_local_structure(
    carrier: CarrierOrganisation, name: str, city: str, state: str, *, actor
) -> LocalStructure:
    name = name.strip()
    exists = db.session.execute(
        select(LocalStructure.id).where(
            LocalStructure.carrier_id == carrier.id,
            func.lower(LocalStructure.name) == name.lower(),
        )
    ).first()
    if exists:
        raise Conflict(_("This local structure exists already."))
    structure = LocalStructure(carrier_id=carrier.id, name=name, city=city.strip(), state=state)
    db.session.add(structure)
    db.session.flush()
    audit.record("local_structure.created", structure, actor=actor, name=name, carrier=carrier.id)
    return structure


def quota_of(congress: Congress | None, carrier_id: int) -> OrganisationQuota | None:
    if congress is None:
        return None
    return db.session.execute(
        select(OrganisationQuota).where(
            OrganisationQuota.congress_id == congress.id,
            OrganisationQuota.carrier_id == carrier_id,
        )
    ).scalar_one_or_none()


def set_quota(congress: Congress, carrier: CarrierOrganisation, quota: int | None, *, actor):
    """Set (or with None remove) a carrier's seat quota; never below the seats already taken.

    The lowering is a conditional UPDATE, so a registration taking a seat at the same moment
    cannot slip under the new limit. Raises Conflict if ``quota`` is below ``taken``.
    """
    row = db.session.execute(
        select(OrganisationQuota).where(
            OrganisationQuota.congress_id == congress.id,
            OrganisationQuota.carrier_id == carrier.id,
        )
    ).scalar_one_or_none()
    if quota is None:
        if row is not None:
            if row.taken:
                raise Conflict(
                    _("Seats of this quota are taken already; it cannot be removed."),
                    code="quota_in_use",
                )
            db.session.delete(row)
            audit.record("quota.removed", carrier, actor=actor, congress_id=congress.id)
        return None
    if quota < 0:
        raise Invalid(_("A quota cannot be negative."))
    if row is None:
        row = OrganisationQuota(congress_id=congress.id, carrier_id=carrier.id, quota=quota)
        db.session.add(row)
    else:
        changed = db.session.execute(
            update(OrganisationQuota)
            .where(OrganisationQuota.id == row.id, OrganisationQuota.taken <= quota)
            .values(quota=quota)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 0:
            db.session.refresh(row)
            raise Conflict(
                _(
                    "%(taken)s seats of this quota are taken already; it cannot be lower.",
                    taken=row.taken,
                ),
                code="quota_below_taken",
            )
        db.session.refresh(row)
    db.session.flush()
    audit.record("quota.set", carrier, actor=actor, congress_id=congress.id, quota=quota)
    return row
