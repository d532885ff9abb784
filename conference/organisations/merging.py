"""Mapping free-text organisations to carriers, and merging carriers."""

from __future__ import annotations

import difflib

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from conference.accounts.models import User
from conference.core import audit, collation
from conference.core.errors import Invalid
from conference.core.models import CarrierOrganisation, Congress, LocalStructure, OrganisationQuota
from conference.extensions import db
from conference.organisations.carriers import get_carrier
from conference.registration.models import Registration

# --- mapping free text and merging -------------------------------------------------------------


def unmapped_organisations(congress: Congress) -> list[tuple[str, int]]:
    """Free-text organisations given at registration, with how many registrations gave each."""
    text = func.lower(func.trim(Registration.organisation_other))
    rows = db.session.execute(
        select(func.min(Registration.organisation_other), func.count())
        .where(
            Registration.congress_id == congress.id,
            Registration.carrier_id.is_(None),
            Registration.organisation_other != "",
            Registration.anonymised_at.is_(None),
        )
        .group_by(text)
        .order_by(func.count().desc(), text)
    ).all()
    return [(name.strip(), count) for name, count in rows]


def mapping_targets() -> list[tuple[str, str]]:
    """Every carrier and local structure as ``(value, label)``: two queries."""
    carriers = collation.sort_by(
        db.session.execute(select(CarrierOrganisation.id, CarrierOrganisation.name)).all(),
        lambda row: row.name,
    )
    structures: dict[int, list[tuple[int, str]]] = {}
    for structure_id, carrier_id, name in collation.sort_by(
        db.session.execute(
            select(LocalStructure.id, LocalStructure.carrier_id, LocalStructure.name)
        ).all(),
        lambda row: row.name,
    ):
        structures.setdefault(carrier_id, []).append((structure_id, name))
    targets = []
    for carrier_id, name in carriers:
        targets.append((f"carrier:{carrier_id}", name))
        targets.extend(
            (f"local:{structure_id}", f"{name} · {local}")
            for structure_id, local in structures.get(carrier_id, [])
        )
    return targets


def resolve_target(
    given: str, targets: list[tuple[str, str]]
) -> tuple[CarrierOrganisation, LocalStructure | None]:
    """The carrier (and local structure) an organiser picked, by value or by its label as
    typed into the suggestion list. Raises Invalid for anything else."""
    given = given.strip()
    by_label = {label.lower(): value for value, label in targets}
    values = {value for value, _label in targets}
    value = given if given in values else by_label.get(given.lower())
    if value is None:
        raise Invalid(
            _("“%(name)s” is not in the list of organisations.", name=given),
            code="unknown_target",
        )
    kind, _sep, raw_id = value.partition(":")
    if kind == "local":
        structure = db.session.get(LocalStructure, int(raw_id))
        return structure.carrier, structure
    return get_carrier(int(raw_id)), None


def suggest_target(text: str, labels: list[str]) -> str:
    """The label most like a free-text organisation (or ""), to make mapping one click."""
    lowered = {label.lower(): label for label in labels}
    wanted = text.strip().lower()
    for label_lower, label in lowered.items():  # the exact name of a carrier or local structure
        if label_lower.split(" · ")[-1] == wanted:
            return label
    found = difflib.get_close_matches(wanted, list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else ""


def map_free_text(
    congress: Congress,
    text: str,
    carrier: CarrierOrganisation,
    local_structure: LocalStructure | None,
    *,
    actor,
) -> int:
    """Give every registration of the congress that typed ``text`` (case and spaces ignored)
    the chosen carrier (and local structure). Returns how many moved."""
    if local_structure is not None and local_structure.carrier_id != carrier.id:
        raise Invalid(_("The local structure does not belong to this carrier organisation."))
    wanted = text.strip().lower()
    if not wanted:
        raise Invalid(_("Please choose an organisation name to map."))
    moved = db.session.execute(
        update(Registration)
        .where(
            Registration.congress_id == congress.id,
            Registration.carrier_id.is_(None),
            func.lower(func.trim(Registration.organisation_other)) == wanted,
        )
        .values(
            carrier_id=carrier.id,
            local_structure_id=local_structure.id if local_structure else None,
            organisation_other="",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    audit.record(
        "organisation.mapped",
        carrier,
        actor=actor,
        congress_id=congress.id,
        text=text.strip(),
        local_structure=local_structure.id if local_structure else None,
        registrations=moved,
    )
    return moved


def merge_carriers(source: CarrierOrganisation, target: CarrierOrganisation, *, actor) -> dict:
    """Fold a duplicate ``source`` into ``target`` and delete it, in the caller's transaction.

    Registrations, users and local structures move over (a local structure of the same name
    is merged too); quotas of the same congress are added up. Returns the moved counts.
    """
    if source.id == target.id:
        raise Invalid(_("Please choose two different organisations."))
    counts = {"registrations": 0, "local_structures": 0, "users": 0, "quotas": 0}
    target_locals = {
        s.name.lower(): s
        for s in db.session.execute(
            select(LocalStructure).where(LocalStructure.carrier_id == target.id)
        ).scalars()
    }
    for structure in db.session.execute(
        select(LocalStructure).where(LocalStructure.carrier_id == source.id)
    ).scalars():
        twin = target_locals.get(structure.name.lower())
        if twin is None:
            db.session.execute(
                update(LocalStructure)
                .where(LocalStructure.id == structure.id)
                .values(carrier_id=target.id)
                .execution_options(synchronize_session=False)
            )
        else:
            db.session.execute(
                update(Registration)
                .where(Registration.local_structure_id == structure.id)
                .values(local_structure_id=twin.id)
                .execution_options(synchronize_session=False)
            )
            db.session.execute(
                LocalStructure.__table__.delete().where(LocalStructure.id == structure.id)
            )
        counts["local_structures"] += 1
    counts["registrations"] = db.session.execute(
        update(Registration)
        .where(Registration.carrier_id == source.id)
        .values(carrier_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    counts["users"] = db.session.execute(
        update(User)
        .where(User.organisation_id == source.id)
        .values(organisation_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    target_quotas = {
        q.congress_id: q
        for q in db.session.execute(
            select(OrganisationQuota).where(OrganisationQuota.carrier_id == target.id)
        ).scalars()
    }
    for quota in db.session.execute(
        select(OrganisationQuota).where(OrganisationQuota.carrier_id == source.id)
    ).scalars():
        twin = target_quotas.get(quota.congress_id)
        if twin is None:
            quota.carrier_id = target.id
        else:
            twin.quota += quota.quota
            twin.taken += quota.taken
            db.session.delete(quota)
        counts["quotas"] += 1
    db.session.flush()
    audit.record(
        "organisation.merged",
        target,
        actor=actor,
        source_id=source.id,
        source_name=source.name,
        **counts,
    )
    db.session.expire_all()
    db.session.delete(db.session.get(CarrierOrganisation, source.id))
    db.session.flush()
    return counts
