"""Registering people from a CSV file: a template, a preview that judges every row, all valid rows or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from conference.core import audit
from conference.core.errors import Invalid
from conference.core.models import (
    Congress,
)
from conference.extensions import db
from conference.questions import registrations as registration_questions
from conference.registration.lifecycle import Consent, register
from conference.registration.models import (
    Diet,
    ProgrammeRole,
    Registration,
    Sector,
)
from conference.registration.rules import AlreadyRegistered, InvalidRegistration, normalise_email
from conference.registration.staff import carriers_with_locals, scope_carrier

IMPORT_ALIASES = {
    "first_name": ["vorname", "first name", "firstname", "given name"],
    "last_name": ["nachname", "last name", "lastname", "surname", "familienname"],
    "email": ["e-mail", "mail", "e-mail-adresse", "email address", "e-mail address"],
    "organisation": ["träger", "programmträger", "organization", "carrier"],
    "local_structure": ["lokale struktur", "local structure", "standort"],
    "organisation_other": ["andere organisation", "other organisation", "institution"],
    "role": ["rolle", "programmrolle", "role in the programme"],
    "sector": ["bereich", "sektor", "ebene", "sector and level"],
    "days": ["tage", "tag", "day"],
    "language": ["sprache"],
    "diet": ["ernährung", "essen", "verpflegung"],
    "accessibility_notes": ["barrierefreiheit", "accessibility", "bedarfe"],
}


IMPORT_REQUIRED = ["first_name", "last_name", "email"]


# The template's header (German spellings the aliases know) and what a column means.
IMPORT_TEMPLATE_COLUMNS = [
    ("first_name", "Vorname", _l("First name")),
    ("last_name", "Nachname", _l("Last name")),
    ("email", "E-Mail", _l("E-mail address")),
    ("organisation", "Träger", _l("Carrier organisation (name or short name)")),
    ("local_structure", "Lokale Struktur", _l("Local structure")),
    ("organisation_other", "Andere Organisation", _l("Other organisation")),
    ("role", "Rolle", _l("Role")),
    ("sector", "Bereich", _l("Sector")),
    ("days", "Tage", _l("Days (1, 2 or both)")),
    ("language", "Sprache", _l("Language (de or en)")),
    ("diet", "Ernährung", _l("Diet")),
    ("accessibility_notes", "Barrierefreiheit", _l("Accessibility notes")),
]


@dataclass
class ImportRow:
    line: int
    values: dict
    data: dict | None = None
    days: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    answers: object = None  # the edition's questions as the row answers them


@dataclass
class ImportPreview:
    """Every row judged, and the columns of the file that mean nothing to us."""

    rows: list[ImportRow]
    unknown_columns: list[str]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def import_template(congress: Congress) -> tuple[list[str], list[list[str]]]:
    """A CSV template: the header the import understands and one example row."""
    carrier = next(iter(carriers_with_locals(None)), None)
    local = carrier.local_structures[0].name if carrier and carrier.local_structures else ""
    from conference.registration.labels import ROLE_LABELS, SECTOR_LABELS

    example = {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika.mustermann@example.org",
        "organisation": carrier.label if carrier else "",
        "local_structure": local,
        "organisation_other": "" if carrier else "Stadt Kassel",
        "role": str(ROLE_LABELS[ProgrammeRole.MENTOR]),
        "sector": str(SECTOR_LABELS[Sector.CIVIL_SOCIETY]),
        "days": "beide" if len(congress.days) > 1 else "1",
        "language": "de",
        "diet": "",
        "accessibility_notes": "",
    }
    return (
        [header for _key, header, _meaning in IMPORT_TEMPLATE_COLUMNS],
        [[example[key] for key, _header, _meaning in IMPORT_TEMPLATE_COLUMNS]],
    )


def _label_lookup(labels: dict) -> dict[str, str]:
    """Stored value by its key, English or German label (lower-case, without spaces)."""
    from flask_babel import force_locale

    lookup = {}
    for language in ("en", "de"):
        with force_locale(language):
            for key, text in labels.items():
                lookup[str(text).lower().replace(" ", "")] = str(key)
    for key in labels:
        lookup[str(key).lower()] = str(key)
    return lookup


def _parse_days(text: str, congress: Congress) -> list[date] | None:
    all_days = [d.day for d in congress.days]
    text = text.strip().lower()
    if text in ("", "both", "beide", "alle", "all"):
        return all_days
    chosen = []
    for part in text.replace("+", ",").replace("/", ",").replace(";", ",").split(","):
        part = part.strip().removeprefix("tag").removeprefix("day").strip()
        if not part:
            continue
        if part.isascii() and part.isdigit() and 1 <= int(part) <= len(all_days):
            chosen.append(all_days[int(part) - 1])
            continue
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m."):
            try:
                parsed = datetime.strptime(part, pattern).date()
            except ValueError:
                continue
            if pattern == "%d.%m.":
                parsed = parsed.replace(year=all_days[0].year)
            chosen.append(parsed)
            break
        else:
            return None
    if not chosen or not set(chosen) <= set(all_days):
        return None
    return sorted(set(chosen))


def import_preview(congress: Congress, content: bytes, actor) -> ImportPreview:
    """Read a CSV and judge every row. Raises CsvProblem for a file that is no table."""
    from conference.core.csvimport import read_table
    from conference.registration.labels import DIET_LABELS, ROLE_LABELS, SECTOR_LABELS

    # Columns headed by a question's text (as the export heads them) carry its answers; the
    # usual columns win where a question is worded like one of them.
    questions, question_columns = registration_questions.import_columns(congress.id)
    table = read_table(
        content,
        {**question_columns, **IMPORT_ALIASES},
        IMPORT_REQUIRED,
        labels={key: str(meaning) for key, _header, meaning in IMPORT_TEMPLATE_COLUMNS},
    )
    carriers = carriers_with_locals(None)
    by_name = {}
    for carrier in carriers:
        by_name[carrier.name.lower()] = carrier
        if carrier.short_name:
            by_name.setdefault(carrier.short_name.lower(), carrier)
    roles, sectors, diets = (
        _label_lookup(ROLE_LABELS),
        _label_lookup(SECTOR_LABELS),
        _label_lookup(DIET_LABELS),
    )
    scope = scope_carrier(actor)
    emails = []
    rows = []
    for values, line in zip(table.rows, table.line_numbers, strict=True):
        row = ImportRow(line=line, values=values)
        rows.append(row)
        problems = row.problems
        data = {
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
        }
        if not data["first_name"]:
            problems.append(_("First name is missing."))
        if not data["last_name"]:
            problems.append(_("Last name is missing."))
        if len(data["first_name"]) > 200 or len(data["last_name"]) > 200:
            problems.append(_("The name is too long."))
        try:
            data["email"] = normalise_email(values.get("email", ""))
            emails.append(data["email"])
        except InvalidRegistration as error:
            problems.append(error.message)
        carrier = None
        organisation = values.get("organisation", "")
        local = values.get("local_structure", "")
        if organisation and organisation.lower() not in by_name and " · " in organisation:
            # As the pages show it: "CVN · CVN Bremen" is carrier and local structure.
            organisation, _sep, shown_local = organisation.partition(" · ")
            organisation, local = organisation.strip(), local or shown_local.strip()
        if organisation:
            carrier = by_name.get(organisation.lower())
            if carrier is None:
                problems.append(_("Unknown organisation “%(name)s”.", name=organisation))
        elif scope is not None:
            carrier = next((c for c in carriers if c.id == scope), None)
        if scope is not None and (carrier is None or carrier.id != scope):
            problems.append(_("You may only register people of your own organisation."))
        data["carrier_id"] = carrier.id if carrier else None
        data["local_structure_id"] = None
        if local:
            match = next(
                (
                    ls
                    for ls in (carrier.local_structures if carrier else [])
                    if ls.name.lower() == local.lower()
                ),
                None,
            )
            if match is None:
                problems.append(
                    _(
                        "The local structure “%(name)s” does not belong to the organisation.",
                        name=local,
                    )
                )
            else:
                data["local_structure_id"] = match.id
        data["organisation_other"] = "" if carrier else values.get("organisation_other", "")[:200]
        if carrier is None and not organisation and not data["organisation_other"]:
            problems.append(_("Organisation is missing."))
        for key, lookup, column, default in (
            ("programme_role", roles, "role", ProgrammeRole.OTHER),
            ("sector", sectors, "sector", Sector.CIVIL_SOCIETY),
            ("diet", diets, "diet", Diet.NONE),
        ):
            text = values.get(column, "")
            if not text:
                data[key] = str(default)
                continue
            value = lookup.get(text.lower().replace(" ", ""))
            if value is None:
                problems.append(
                    _(
                        "Unknown value “%(value)s” in column %(column)s.",
                        value=text,
                        column=table.header(column),
                    )
                )
            data[key] = value or str(default)
        language = values.get("language", "de").lower()[:2] or "de"
        if language not in ("de", "en"):
            problems.append(_("Language must be de or en."))
        data["language"] = language if language in ("de", "en") else "de"
        data["accessibility_notes"] = values.get("accessibility_notes", "")[:2000]
        days = _parse_days(values.get("days", ""), congress)
        if days is None:
            problems.append(
                _("Days “%(value)s” are not days of the congress.", value=values.get("days", ""))
            )
        row.days = days or []
        row.answers, answer_problems = registration_questions.import_answers(
            questions, values, table.header
        )
        problems.extend(answer_problems)
        row.data = data
    seen = set()
    existing = set()
    if emails:
        registered = select(Registration.email).where(
            Registration.congress_id == congress.id, Registration.email.in_(set(emails))
        )
        if scope is not None:
            # A coordinator learns only about their own organisation's people: that an address
            # is registered under another carrier is not theirs to know (import_rows skips it).
            registered = registered.where(Registration.carrier_id == scope)
        existing = set(db.session.execute(registered).scalars())
    for row in rows:
        email = (row.data or {}).get("email")
        if not email:
            continue
        if email in existing:
            row.problems.append(_("Already registered."))
        elif email in seen:
            row.problems.append(_("This e-mail address appears twice in the file."))
        seen.add(email)
    return ImportPreview(rows, table.unknown_columns)


@dataclass
class ImportResult:
    imported: int
    skipped: int


def import_rows(
    congress: Congress,
    content: bytes,
    *,
    only_if_all_valid: bool,
    confirmed: bool,
    now: datetime,
    actor,
) -> ImportResult:
    """Register the rows of a CSV (source "import"). All or nothing when asked for.

    Raises Invalid when ``only_if_all_valid`` and any row has a problem (nothing is stored).
    """
    rows = import_preview(congress, content, actor)
    bad = [row for row in rows if row.problems]
    if bad and only_if_all_valid:
        raise Invalid(
            ngettext(
                "%(num)d row has problems; nothing was imported.",
                "%(num)d rows have problems; nothing was imported.",
                len(bad),
            ),
            code="import_invalid",
        )
    imported = skipped = 0
    for row in rows:
        if row.problems:
            skipped += 1
            continue
        try:
            register(
                congress,
                row.data,
                row.days,
                Consent(data_processing=True),
                now=now,
                actor=actor,
                source="import",
                confirmed=confirmed,
                answers=row.answers,
            )
        except AlreadyRegistered:
            # Registered under another carrier (the preview did not say so to a coordinator),
            # or meanwhile: the existing registration stays as it is.
            skipped += 1
            continue
        imported += 1
    audit.record(
        "registration.imported",
        None,
        actor=actor,
        congress_id=congress.id,
        imported=imported,
        skipped=skipped,
    )
    return ImportResult(imported=imported, skipped=skipped)
