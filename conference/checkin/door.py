"""The desk at the door: search people without their badge, printed lists, walk-ins."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from conference.checkin.models import CheckIn, Checkpoint
from conference.checkin.outcome import Attendee, ScanResult
from conference.checkin.scan import _judge
from conference.checkin.statements import _CHECK_IN_WITH_DEVICE, _DEVICE_NAME, _check_in_table
from conference.core import audit
from conference.core.errors import Conflict, Invalid
from conference.core.models import CarrierOrganisation, Congress, LocalStructure
from conference.extensions import db
from conference.registration import services as registration_services
from conference.registration.models import Registration, RegistrationDay, Status
from conference.workshops.models import WorkshopSeat


def search(congress: Congress, query: str, *, limit: int = 25) -> list[Registration]:
    """Registrations by name, e-mail or organisation, for people without their badge."""
    words = [w for w in query.split() if w][:4]
    if not words:
        return []
    statement = (
        select(Registration)
        .outerjoin(CarrierOrganisation, CarrierOrganisation.id == Registration.carrier_id)
        .options(
            joinedload(Registration.carrier),
            joinedload(Registration.local_structure),
            joinedload(Registration.days),
        )
        .where(Registration.congress_id == congress.id, Registration.anonymised_at.is_(None))
        .order_by(Registration.name_key, Registration.id)
        .limit(limit)
    )
    for word in words:
        pattern = f"%{_escape_like(word.lower())}%"
        statement = statement.where(
            or_(
                func.lower(Registration.first_name).like(pattern, escape="\\"),
                func.lower(Registration.last_name).like(pattern, escape="\\"),
                func.lower(Registration.email).like(pattern, escape="\\"),
                func.lower(Registration.organisation_other).like(pattern, escape="\\"),
                func.lower(CarrierOrganisation.name).like(pattern, escape="\\"),
                func.lower(CarrierOrganisation.short_name).like(pattern, escape="\\"),
            )
        )
    return list(db.session.execute(statement).unique().scalars())


@dataclass(frozen=True)
class DoorListRow:
    """One line of a printed check-in list."""

    name: str  # "Last, First"
    organisation: str
    role: str  # the badge role's key; the list's view labels it (``presentation.role_label``)
    checked_in_at: datetime | None


def _fold(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch)
    )


def name_order(last_name: str, first_name: str) -> tuple[str, str]:
    """Sort key for names as a German list has them: case and accents ignored (Ä with A, Ç
    with C, ß as ss). A plain key; ICU collation may replace it."""
    return (_fold(last_name), _fold(first_name))


def door_list(checkpoint: Checkpoint) -> list[DoorListRow]:
    """Who may pass this checkpoint, sorted by name, for the paper list when the network
    fails: confirmed people of its day (a day entrance) or with a seat in its workshop, each
    with the time they were checked in here so far. ONE query."""
    query = (
        select(
            Registration.first_name,
            Registration.last_name,
            Registration.organisation_other,
            Registration.badge_role,
            CarrierOrganisation.name.label("carrier_name"),
            CarrierOrganisation.short_name.label("carrier_short"),
            LocalStructure.name.label("structure_name"),
            CheckIn.checked_in_at,
        )
        .outerjoin(CarrierOrganisation, CarrierOrganisation.id == Registration.carrier_id)
        .outerjoin(LocalStructure, LocalStructure.id == Registration.local_structure_id)
        .outerjoin(
            CheckIn,
            and_(
                CheckIn.registration_id == Registration.id,
                CheckIn.checkpoint_id == checkpoint.id,
            ),
        )
        .where(
            Registration.congress_id == checkpoint.congress_id,
            Registration.status == Status.CONFIRMED,
            Registration.anonymised_at.is_(None),
        )
    )
    if checkpoint.session_id is None:
        query = query.join(
            RegistrationDay,
            and_(
                RegistrationDay.registration_id == Registration.id,
                RegistrationDay.day == checkpoint.day,
            ),
        )
    else:
        query = query.join(
            WorkshopSeat,
            and_(
                WorkshopSeat.registration_id == Registration.id,
                WorkshopSeat.session_id == checkpoint.session_id,
            ),
        )
    rows = []
    for row in db.session.execute(query):
        if row.carrier_name is None:
            organisation = row.organisation_other or ""
        else:
            organisation = row.carrier_short or row.carrier_name
            if row.structure_name:
                organisation = f"{organisation} · {row.structure_name}"
        rows.append(
            (
                name_order(row.last_name, row.first_name),
                DoorListRow(
                    name=f"{row.last_name}, {row.first_name}".strip(", "),
                    organisation=organisation,
                    role=row.badge_role,
                    checked_in_at=row.checked_in_at,
                ),
            )
        )
    rows.sort(key=lambda item: item[0])
    return [row for _key, row in rows]


def search_answers(
    people: list[Registration], checkpoint: Checkpoint | None, tz: str
) -> dict[int, dict[str, str]]:
    """What scanning each found person's badge at ``checkpoint`` would answer, recording
    nothing: ``result`` "ok" (door staff may check them in), "already_checked_in" (with
    ``checked_in_at`` and ``device``) or a refusal (with the registration's ``status``); the words
    and tone are ``presentation.judged``'s. ONE query (the check-ins), whatever the number.
    Without a checkpoint nobody can be checked in here, and nothing is judged. ``tz`` is
    accepted for the callers written against the old signature; the words are drawn elsewhere."""
    if checkpoint is None or not people:
        return {}
    answers: dict[int, dict[str, str]] = {}
    may_pass = []
    for person in people:
        refusal = _judge(
            Attendee(
                id=person.id,
                status=person.status,
                full_name=person.full_name,
                organisation="",
                badge_role=person.badge_role,
                registered_for_day=any(d.day == checkpoint.day for d in person.days),
            )
        )
        if refusal is None:
            may_pass.append(person.id)
        else:
            answers[person.id] = {"result": refusal.value, "status": person.status}
    checked_in = (
        {
            row.registration_id: row
            for row in db.session.execute(
                select(
                    _check_in_table.c.registration_id, _check_in_table.c.checked_in_at, _DEVICE_NAME
                )
                .select_from(_CHECK_IN_WITH_DEVICE)
                .where(
                    _check_in_table.c.checkpoint_id == checkpoint.id,
                    _check_in_table.c.registration_id.in_(may_pass),
                )
            )
        }
        if may_pass
        else {}
    )
    for person_id in may_pass:
        first = checked_in.get(person_id)
        result = ScanResult.OK if first is None else ScanResult.ALREADY_CHECKED_IN
        answers[person_id] = {"result": result.value}
        if first is not None:
            answers[person_id].update(
                checked_in_at=first.checked_in_at, device=first.device_name or ""
            )
    return answers


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- walk-ins --------------------------------------------------------------------------------


class CongressFull(Conflict):
    code = "congress_full"


class AlreadyRegistered(Conflict):
    code = "already_registered"


def register_walk_in(
    congress: Congress,
    *,
    first_name: str,
    last_name: str,
    email: str,
    carrier_id: int | None,
    organisation_other: str,
    programme_role: str,
    badge_role: str,
    day: date,
    actor,
    now: datetime,
) -> Registration:
    """Register a person at the desk: confirmed at once, holding a seat for the day.

    Raises AlreadyRegistered (409) for a known e-mail address, CongressFull (409), Invalid
    for a day outside the congress.
    """
    if not congress.starts_on <= day <= congress.ends_on:
        raise Invalid(_("The congress does not take place today."), code="not_a_congress_day")
    data = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "carrier_id": carrier_id,
        "organisation_other": organisation_other.strip(),
        "programme_role": programme_role,
    }
    # The registration area's one way in: same validation, same seat counters (congress, day,
    # carrier quota) in one savepoint. Consent is given at the desk, by the person, in words.
    try:
        registration = registration_services.register(
            congress,
            data,
            [day],
            registration_services.Consent(data_processing=True),
            now=now,
            actor=actor,
            source="walk_in",
            confirmed=True,
            notify=False,
        )
    except registration_services.AlreadyRegistered:
        raise AlreadyRegistered(
            _("This e-mail address is already registered. Please search for the person.")
        ) from None
    if registration.status != Status.CONFIRMED:
        # Full: a walk-in is not put on the waiting list; the error rolls everything back.
        raise CongressFull(_("The congress is fully booked."))
    registration.badge_role = badge_role
    audit.record("registration.walk_in", registration, actor=actor, day=day)
    return registration
