"""The CSV import of carrier organisations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.core import audit
from conference.core.csvimport import CsvProblem, read_table
from conference.core.errors import Invalid
from conference.core.models import CarrierOrganisation, LocalStructure, OrganisationKind
from conference.extensions import db

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
