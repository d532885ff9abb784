"""Carrier organisations, their local structures, quotas, CSV import, mapping and merging.

The carriers' tables are in ``core/models.py``; this area sits above registration, workshops
and the door because its pages count and move registrations and show a carrier's people with
their workshops and check-ins (the coordinators' portal).

Plain functions: the acting user and the congress are parameters; they flush, never commit.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.models import User
from conference.agenda.models import AgendaSession
from conference.checkin.models import CheckIn
from conference.core import audit, collation
from conference.core.csvimport import CsvProblem, read_table
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
from conference.workshops.models import WorkshopSeat

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


# --- CSV import --------------------------------------------------------------------------------

IMPORT_ALIASES = {
    "name": ["Name", "Träger", "Traeger", "Programmträger", "Organisation", "carrier"],
    "short_name": ["Kurzname", "Kürzel", "short name", "Abkürzung"],
    "kind": ["Typ", "Art", "type"],
    "city": ["Ort", "Stadt"],
    "state": ["Bundesland", "Land"],
    "website": ["Webseite", "Website", "URL"],
    "contact_name": ["Ansprechperson", "Kontakt", "Ansprechpartner:in", "contact"],
    "contact_email": ["E-Mail", "Email", "Mail", "contact email"],
    "local_structure": ["Lokale Struktur", "Standort", "local structure", "Struktur"],
}

KIND_SPELLINGS = {
    "welfare": OrganisationKind.WELFARE,
    "wohlfahrtsverband": OrganisationKind.WELFARE,
    "wohlfahrt": OrganisationKind.WELFARE,
    "foundation": OrganisationKind.FOUNDATION,
    "stiftung": OrganisationKind.FOUNDATION,
    "volunteer_agency": OrganisationKind.VOLUNTEER_AGENCY,
    "volunteer agency": OrganisationKind.VOLUNTEER_AGENCY,
    "freiwilligenagentur": OrganisationKind.VOLUNTEER_AGENCY,
    "migrant": OrganisationKind.MIGRANT,
    "migrant organisation": OrganisationKind.MIGRANT,
    "migrant:innenorganisation": OrganisationKind.MIGRANT,
    "migrantenorganisation": OrganisationKind.MIGRANT,
    "mo": OrganisationKind.MIGRANT,
    "other": OrganisationKind.OTHER,
    "sonstige": OrganisationKind.OTHER,
    "andere": OrganisationKind.OTHER,
}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class ImportPreview:
    encoding: str = ""
    delimiter: str = ""
    problems: list[str] = field(default_factory=list)
    new_carriers: list[dict] = field(default_factory=list)
    updated_carriers: list[tuple[CarrierOrganisation, dict]] = field(default_factory=list)
    new_local_structures: list[tuple[str, dict]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return len(self.new_carriers) + len(self.updated_carriers) + len(self.new_local_structures)


def preview_import(data: bytes) -> ImportPreview:
    """Read a carrier list and name every problem; nothing is stored.

    One row per carrier, or per local structure (column ``local_structure``, the carrier named
    in ``name``). Existing carriers (same name, case ignored) are updated with the non-empty cells.
    """
    preview = ImportPreview()
    try:
        table = read_table(data, IMPORT_ALIASES, required=["name"])
    except CsvProblem as problem:
        preview.problems.append(str(problem))
        return preview
    preview.encoding, preview.delimiter = table.encoding, table.delimiter
    preview.unknown_columns = table.unknown_columns
    existing = {
        c.name.lower(): c for c in db.session.execute(select(CarrierOrganisation)).scalars()
    }
    existing_locals = {
        (carrier_id, name.lower())
        for carrier_id, name in db.session.execute(
            select(LocalStructure.carrier_id, LocalStructure.name)
        ).all()
    }
    carrier_rows: dict[str, int] = {}
    local_rows: dict[tuple[str, str], int] = {}
    planned: dict[str, dict] = {}
    for line, row in zip(table.line_numbers, table.rows, strict=True):
        name = row.get("name", "")
        if not name:
            preview.problems.append(_("Line %(line)s: the name is missing.", line=line))
            continue
        if len(name) > 200:
            preview.problems.append(_("Line %(line)s: the name is too long.", line=line))
            continue
        values = {k: row.get(k, "") for k in IMPORT_ALIASES if k not in ("name", "local_structure")}
        if values["kind"]:
            kind = KIND_SPELLINGS.get(values["kind"].strip().lower())
            if kind is None:
                preview.problems.append(
                    _(
                        "Line %(line)s: unknown type “%(kind)s”.",
                        line=line,
                        kind=values["kind"],
                    )
                )
                continue
            values["kind"] = str(kind)
        if values["contact_email"] and not EMAIL.match(values["contact_email"]):
            preview.problems.append(
                _(
                    "Line %(line)s: “%(email)s” is not an e-mail address.",
                    line=line,
                    email=values["contact_email"],
                )
            )
            continue
        if any(len(values[k]) > 200 for k in values):
            preview.problems.append(_("Line %(line)s: a cell is too long.", line=line))
            continue
        key = name.lower()
        local_name = row.get("local_structure", "")
        if local_name:
            pair = (key, local_name.lower())
            if pair in local_rows:
                preview.problems.append(
                    _(
                        "Line %(line)s: the local structure “%(local)s” of “%(name)s” appears "
                        "twice (first in line %(first)s).",
                        line=line,
                        local=local_name,
                        name=name,
                        first=local_rows[pair],
                    )
                )
                continue
            local_rows[pair] = line
            carrier = existing.get(key)
            if carrier is None or (carrier.id, local_name.lower()) not in existing_locals:
                preview.new_local_structures.append(
                    (name, {"name": local_name, "city": values["city"], "state": values["state"]})
                )
            if key not in planned and carrier is None:
                planned[key] = {"name": name, **{k: v for k, v in values.items() if k != "city"}}
            continue
        if key in carrier_rows:
            preview.problems.append(
                _(
                    "Line %(line)s: “%(name)s” appears twice (first in line %(first)s).",
                    line=line,
                    name=name,
                    first=carrier_rows[key],
                )
            )
            continue
        carrier_rows[key] = line
        planned[key] = {"name": name, **values}
    for key, values in planned.items():
        carrier = existing.get(key)
        if carrier is None:
            preview.new_carriers.append(values)
        else:
            changes = {
                k: v for k, v in values.items() if k != "name" and v and getattr(carrier, k) != v
            }
            if changes:
                preview.updated_carriers.append((carrier, changes))
    return preview


def apply_import(data: bytes, *, actor) -> ImportPreview:
    """Store an import, all or nothing: refuses (Invalid) if the preview names any problem."""
    preview = preview_import(data)
    if not preview.ok:
        raise Invalid(_("The file has problems; nothing was imported."), code="import_problems")
    by_name: dict[str, CarrierOrganisation] = {}
    for values in preview.new_carriers:
        carrier = CarrierOrganisation(**{k: v for k, v in values.items() if v or k == "name"})
        db.session.add(carrier)
        by_name[values["name"].lower()] = carrier
    for carrier, changes in preview.updated_carriers:
        for key, value in changes.items():
            setattr(carrier, key, value)
    db.session.flush()
    if preview.new_local_structures:
        names = {name.lower() for name, _values in preview.new_local_structures}
        for carrier in db.session.execute(
            select(CarrierOrganisation).where(func.lower(CarrierOrganisation.name).in_(names))
        ).scalars():
            by_name.setdefault(carrier.name.lower(), carrier)
        for name, values in preview.new_local_structures:
            db.session.add(LocalStructure(carrier_id=by_name[name.lower()].id, **values))
    db.session.flush()
    audit.record(
        "organisation.imported",
        actor=actor,
        created=len(preview.new_carriers),
        updated=len(preview.updated_carriers),
        local_structures=len(preview.new_local_structures),
    )
    return preview


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
