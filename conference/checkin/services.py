"""Door scanning: judge a badge at a checkpoint, record the check-in once, count arrivals.

The hot path (``scan``) runs at every door at once, so it is one SQL statement (see "the scan"
below); the unique constraint (registration, checkpoint) decides between "ok" and "already
checked in", so two doors scanning the same badge in the same millisecond get exactly one "ok",
on any number of workers and servers.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from conference.accounts.models import ApiToken, User
from conference.agenda.models import AgendaSession, Room, SessionStatus
from conference.checkin.models import CheckIn, Checkpoint, ScanRecord
from conference.core import audit
from conference.core.congress import current_congress_or_404
from conference.core.errors import Conflict, Invalid, NotFound
from conference.core.models import CarrierOrganisation, Congress, CongressDay, LocalStructure
from conference.core.time import UTCDateTime, at_local, local
from conference.core.tokens import is_well_formed
from conference.extensions import db
from conference.registration import services as registration_services
from conference.registration.labels import BADGE_ROLE_LABELS
from conference.registration.models import (
    Registration,
    RegistrationDay,
    Status,
)
from conference.workshops.models import WorkshopSeat

MAX_NONCE_LENGTH = 80


class ScanResult(StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    NOT_REGISTERED_FOR_TODAY = "not_registered_for_today"
    NOT_CONFIRMED = "not_confirmed"


#: Which colour the door sees: green, amber or red.
TONE = {
    ScanResult.OK: "ok",
    ScanResult.ALREADY_CHECKED_IN: "warn",
    ScanResult.UNKNOWN: "bad",
    ScanResult.CANCELLED: "bad",
    ScanResult.NOT_REGISTERED_FOR_TODAY: "bad",
    ScanResult.NOT_CONFIRMED: "bad",
}


class UnknownCheckpoint(NotFound):
    code = "unknown_checkpoint"


class NonceReused(Conflict):
    code = "nonce_reused"


@dataclass(frozen=True)
class Device:
    """Who scans: an API token (a door device) or a staff user, by id, never by name.

    ``name`` is what other doors are told about it: the token's name or the user's name, never
    an e-mail address. Nonces belong to a device (``key``).
    """

    token_id: int | None = None
    user_id: int | None = None
    name: str = ""

    @property
    def key(self) -> str:
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return f"user:{self.user_id}"


@dataclass(frozen=True)
class Door:
    """The checkpoint a scan is for, with the little the answer needs of its congress."""

    id: int
    code: str
    name: str
    day: date
    session_id: int | None
    congress_id: int
    timezone: str

    @classmethod
    def of(cls, checkpoint: Checkpoint, congress: Congress) -> Door:
        return cls(
            checkpoint.id,
            checkpoint.code,
            checkpoint.name,
            checkpoint.day,
            checkpoint.session_id,
            congress.id,
            congress.timezone,
        )


@dataclass(frozen=True)
class Attendee:
    """The little a door needs to know about a person, read with the scan's one statement."""

    id: int
    status: str
    full_name: str
    organisation: str
    badge_role: str
    registered_for_day: bool


@dataclass
class ScanOutcome:
    """What a scan found. ``attendee`` is None for an unknown code (or an erased person)."""

    result: ScanResult
    checkpoint: Door
    attendee: Attendee | None = None
    checked_in_at: datetime | None = None
    device: str = ""  # the display name of the device that checked the person in
    status: str = ""  # the registration's status, for the wording of a refusal
    replayed: bool = False
    stored: dict[str, Any] | None = None  # the stored answer of a resent nonce
    workshops: list[dict[str, str]] = field(default_factory=list)

    @property
    def tone(self) -> str:
        return TONE[self.result]


# --- checkpoints -----------------------------------------------------------------------------


def day_code(number: int) -> str:
    return f"day-{number}"


def workshop_code(session_id: int) -> str:
    return f"ws-{session_id}"


def today_in(congress: Congress, now: datetime) -> date:
    """The calendar date at the venue (the congress time zone), not in UTC."""
    return local(now, congress.timezone).date()


def ensure_checkpoints(congress: Congress) -> list[Checkpoint]:
    """Create the missing checkpoints: a main entrance per congress day, a room per workshop.

    Workshop checkpoints exist for sessions with sign-up; their name and day follow the session.
    Returns the checkpoints created. Flushes, never commits.
    """
    existing = {
        cp.code: cp
        for cp in db.session.execute(
            select(Checkpoint).where(Checkpoint.congress_id == congress.id)
        ).scalars()
    }
    created: list[Checkpoint] = []
    days = db.session.execute(
        select(CongressDay.day)
        .where(CongressDay.congress_id == congress.id)
        .order_by(CongressDay.day)
    ).scalars()
    for number, day in enumerate(days, start=1):
        code = day_code(number)
        if code not in existing:
            created.append(
                Checkpoint(
                    congress_id=congress.id,
                    code=code,
                    name=_("Main entrance day %(number)s", number=number),
                    day=day,
                )
            )
    sessions = db.session.execute(
        select(AgendaSession)
        .options(joinedload(AgendaSession.room))
        .where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.signup_required.is_(True),
            AgendaSession.status != SessionStatus.CANCELLED,
        )
    ).scalars()
    for workshop in sessions:
        name = (
            workshop.title if workshop.room is None else f"{workshop.room.name}: {workshop.title}"
        )
        day = local(workshop.starts_at, congress.timezone).date()
        checkpoint = existing.get(workshop_code(workshop.id))
        if checkpoint is None:
            created.append(
                Checkpoint(
                    congress_id=congress.id,
                    code=workshop_code(workshop.id),
                    name=name[:120],
                    day=day,
                    session_id=workshop.id,
                )
            )
        else:
            checkpoint.name, checkpoint.day = name[:120], day
    db.session.add_all(created)
    db.session.flush()
    return created


def checkpoints(congress: Congress) -> list[Checkpoint]:
    """Day entrances first (by day), then workshop rooms (by day and name)."""
    return list(
        db.session.execute(
            select(Checkpoint)
            .where(Checkpoint.congress_id == congress.id)
            .order_by(
                Checkpoint.session_id.is_not(None), Checkpoint.day, Checkpoint.code, Checkpoint.name
            )
        ).scalars()
    )


def find_checkpoint(congress: Congress, code: str | None, now: datetime) -> Checkpoint:
    """The checkpoint with this code, or without a code today's main entrance.

    Raises UnknownCheckpoint (404).
    """
    query = select(Checkpoint).where(Checkpoint.congress_id == congress.id)
    if code:
        query = query.where(Checkpoint.code == code)
    else:
        query = query.where(
            Checkpoint.day == today_in(congress, now), Checkpoint.session_id.is_(None)
        ).order_by(Checkpoint.code)
    checkpoint = db.session.execute(query.limit(1)).scalar_one_or_none()
    if checkpoint is None:
        if code:
            raise UnknownCheckpoint(_("There is no checkpoint with this code."))
        raise UnknownCheckpoint(
            _("There is no main entrance for today. Please choose a checkpoint."),
            code="no_checkpoint_today",
        )
    return checkpoint


# --- the scan --------------------------------------------------------------------------------
#
# A scan is ONE statement on PostgreSQL: a WITH query finds the congress and the checkpoint,
# the registration behind the badge (with carrier, local structure and whether it attends the
# checkpoint's day), an earlier check-in there and, with a nonce, this device's earlier answer;
# its data-modifying part is ``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING``. So the
# unique constraint (registration, checkpoint) still decides between "ok" and "already checked
# in": two doors scanning one badge in the same millisecond get exactly one "ok", on any number
# of workers and servers, and neither waits for a savepoint. SQLite allows no INSERT inside
# WITH, so there the same SELECT is followed by the same INSERT ... ON CONFLICT DO NOTHING
# RETURNING, inside the request's BEGIN IMMEDIATE transaction. Statements are built once per
# shape and hold no data, so each scan only binds its values and hits the compiled cache.

_congress = Congress.__table__
_checkpoint = Checkpoint.__table__
_registration = Registration.__table__
_day = RegistrationDay.__table__
_carrier = CarrierOrganisation.__table__
_structure = LocalStructure.__table__
_check_in_table = CheckIn.__table__
_record = ScanRecord.__table__
_token_table = ApiToken.__table__
_user_table = User.__table__

_CHECK_IN_COLUMNS = ["registration_id", "checkpoint_id", "checked_in_at", "api_token_id", "user_id"]


def _target(by_code: bool):
    """One row: the congress and the checkpoint, whose columns are NULL for an unknown code."""
    columns = (
        _congress.c.id.label("congress_id"),
        _congress.c.timezone,
        _checkpoint.c.id.label("checkpoint_id"),
        _checkpoint.c.code,
        _checkpoint.c.name,
        _checkpoint.c.day,
        _checkpoint.c.session_id,
    )
    if by_code:  # in the current congress, in current_congress()'s order
        return (
            select(*columns)
            .select_from(
                _congress.outerjoin(
                    _checkpoint,
                    and_(
                        _checkpoint.c.congress_id == _congress.c.id,
                        _checkpoint.c.code == bindparam("code"),
                    ),
                )
            )
            .order_by(_congress.c.is_current.desc(), _congress.c.starts_on.desc())
            .limit(1)
        )
    return (
        select(*columns)
        .select_from(_congress.join(_checkpoint, _checkpoint.c.congress_id == _congress.c.id))
        .where(_checkpoint.c.id == bindparam("checkpoint_id"))
    )


def _person_columns(day):
    return (
        _registration.c.id,
        _registration.c.status,
        _registration.c.first_name,
        _registration.c.last_name,
        _registration.c.organisation_other,
        _registration.c.badge_role,
        _carrier.c.name.label("carrier_name"),
        _carrier.c.short_name.label("carrier_short"),
        _structure.c.name.label("structure_name"),
        exists()
        .where(_day.c.registration_id == _registration.c.id, _day.c.day == day)
        .label("registered_for_day"),
    )


def _with_organisation(from_clause):
    return from_clause.outerjoin(_carrier, _carrier.c.id == _registration.c.carrier_id).outerjoin(
        _structure, _structure.c.id == _registration.c.local_structure_id
    )


def _scan_statement(dialect: str, *, by_code: bool, with_nonce: bool):
    target = _target(by_code).cte("target")
    person = (
        select(*_person_columns(target.c.day))
        .select_from(
            _with_organisation(
                target.join(
                    _registration,
                    and_(
                        _registration.c.congress_id == target.c.congress_id,
                        _registration.c.badge_token == bindparam("token"),
                        _registration.c.anonymised_at.is_(None),
                    ),
                )
            )
        )
        .cte("person")
    )
    first = (
        select(
            _check_in_table.c.checked_in_at,
            func.coalesce(_token_table.c.name, func.nullif(_user_table.c.name, "")).label(
                "device_name"
            ),
        )
        .select_from(
            _check_in_table.join(person, person.c.id == _check_in_table.c.registration_id)
            .join(target, target.c.checkpoint_id == _check_in_table.c.checkpoint_id)
            .outerjoin(_token_table, _token_table.c.id == _check_in_table.c.api_token_id)
            .outerjoin(_user_table, _user_table.c.id == _check_in_table.c.user_id)
        )
        .cte("first")
    )
    prior = (
        select(_record.c.response, _record.c.registration_id)
        .where(_record.c.device == bindparam("device"), _record.c.nonce == bindparam("nonce"))
        .cte("prior")
        if with_nonce
        else None
    )
    columns = [
        target.c.congress_id,
        target.c.timezone,
        target.c.checkpoint_id,
        target.c.code,
        target.c.name,
        target.c.day,
        target.c.session_id,
        *(c.label(f"person_{c.name}") for c in person.c),
        first.c.checked_in_at.label("first_at"),
        first.c.device_name,
    ]
    joined = target.outerjoin(person, true()).outerjoin(first, true())
    if prior is not None:
        columns += [prior.c.response.label("stored"), prior.c.registration_id.label("stored_for")]
        joined = joined.outerjoin(prior, true())
    if dialect == "postgresql":
        # Who may pass is decided here as in _judge(): confirmed and registered for the day.
        may_pass = [
            person.c.status == Status.CONFIRMED,
            person.c.registered_for_day,
            target.c.checkpoint_id.is_not(None),
            ~exists(select(first.c.checked_in_at)),
        ]
        if prior is not None:
            may_pass.append(~exists(select(prior.c.response)))
        inserted = (
            postgresql.insert(_check_in_table)
            .from_select(
                _CHECK_IN_COLUMNS,
                select(
                    person.c.id,
                    target.c.checkpoint_id,
                    bindparam("now", type_=UTCDateTime),
                    bindparam("api_token_id", type_=Integer),
                    bindparam("user_id", type_=Integer),
                )
                .select_from(person.join(target, true()))
                .where(*may_pass),
            )
            .on_conflict_do_nothing(index_elements=["registration_id", "checkpoint_id"])
            .returning(_check_in_table.c.checked_in_at)
            .cte("inserted")
        )
        columns.append(select(inserted.c.checked_in_at).scalar_subquery().label("inserted_at"))
    return select(*columns).select_from(joined)


def _insert_check_in(dialect: str):
    module = postgresql if dialect == "postgresql" else sqlite
    return (
        module.insert(_check_in_table)
        .values(
            registration_id=bindparam("registration_id"),
            checkpoint_id=bindparam("checkpoint_id"),
            checked_in_at=bindparam("now"),
            api_token_id=bindparam("api_token_id"),
            user_id=bindparam("user_id"),
        )
        .on_conflict_do_nothing(index_elements=["registration_id", "checkpoint_id"])
        .returning(_check_in_table.c.checked_in_at)
    )


def _insert_record(dialect: str):
    module = postgresql if dialect == "postgresql" else sqlite
    return (
        module.insert(_record)
        .values(
            device=bindparam("device"),
            nonce=bindparam("nonce"),
            at=bindparam("now"),
            registration_id=bindparam("registration_id"),
            response=bindparam("response"),
        )
        .on_conflict_do_nothing(index_elements=["device", "nonce"])
        .returning(_record.c.id)
    )


#: A check-in with the display name of the device that made it (token name, else the staff
#: user's name; never an e-mail address).
_CHECK_IN_WITH_DEVICE = _check_in_table.outerjoin(
    _token_table, _token_table.c.id == _check_in_table.c.api_token_id
).outerjoin(_user_table, _user_table.c.id == _check_in_table.c.user_id)
_DEVICE_NAME = func.coalesce(_token_table.c.name, func.nullif(_user_table.c.name, "")).label(
    "device_name"
)
_FIRST_CHECK_IN = (
    select(_check_in_table.c.checked_in_at, _DEVICE_NAME)
    .select_from(_CHECK_IN_WITH_DEVICE)
    .where(
        _check_in_table.c.registration_id == bindparam("registration_id"),
        _check_in_table.c.checkpoint_id == bindparam("checkpoint_id"),
    )
)
_STORED_ANSWER = select(_record.c.response, _record.c.registration_id).where(
    _record.c.device == bindparam("device"), _record.c.nonce == bindparam("nonce")
)
_ATTENDEE_BY_ID = (
    select(*_person_columns(bindparam("day")))
    .select_from(_with_organisation(_registration))
    .where(_registration.c.id == bindparam("id"), _registration.c.anonymised_at.is_(None))
)
_STATEMENTS: dict[tuple, Any] = {}


def _statement(*key):
    statement = _STATEMENTS.get(key)
    if statement is None:
        builders = {"scan": _scan_statement, "check_in": _insert_check_in, "record": _insert_record}
        kind, dialect, *flags = key
        options = dict(zip(("by_code", "with_nonce"), flags, strict=False))
        statement = _STATEMENTS.setdefault(key, builders[kind](dialect, **options))
    return statement


def _attendee(values: dict[str, Any] | Any) -> Attendee:
    """An Attendee from the person columns (``first_name``, ``carrier_name``, ...)."""
    if values["carrier_name"] is None:
        organisation = values["organisation_other"]
    else:
        organisation = values["carrier_short"] or values["carrier_name"]
        if values["structure_name"]:
            organisation = f"{organisation} · {values['structure_name']}"
    return Attendee(
        id=values["id"],
        status=values["status"],
        full_name=f"{values['first_name']} {values['last_name']}".strip(),
        organisation=organisation,
        badge_role=values["badge_role"],
        registered_for_day=bool(values["registered_for_day"]),
    )


def _judge(attendee: Attendee | None) -> ScanResult | None:
    """A refusal, or None when the person may pass (the scan statement's ``may_pass``)."""
    if attendee is None:
        return ScanResult.UNKNOWN
    if attendee.status == Status.CANCELLED:
        return ScanResult.CANCELLED
    if attendee.status != Status.CONFIRMED:
        return ScanResult.NOT_CONFIRMED
    if not attendee.registered_for_day:
        return ScanResult.NOT_REGISTERED_FOR_TODAY
    return None


def scan(
    code: str | None,
    token: Any,
    *,
    now: datetime,
    device: Device,
    nonce: str | None = None,
) -> ScanOutcome:
    """Judge a scanned badge at the checkpoint ``code`` of the current congress (without a code:
    today's main entrance) and record the check-in at most once. See ``record_scan``.

    Raises NotFound (no congress), UnknownCheckpoint (404), NonceReused (409).
    """
    if not code:
        congress = current_congress_or_404()
        return record_scan(
            congress,
            token,
            find_checkpoint(congress, None, now),
            now=now,
            device=device,
            nonce=nonce,
        )
    return _scan(token, now=now, device=device, nonce=nonce, code=code)


def record_scan(
    congress: Congress,
    token: Any,
    checkpoint: Checkpoint,
    *,
    now: datetime,
    device: Device,
    nonce: str | None = None,
) -> ScanOutcome:
    """Judge a scanned badge token at a checkpoint and record the check-in at most once.

    A malformed token is an unknown code (a forged QR code is a normal event at the door),
    never an error. With a ``nonce`` the answer is stored in the same transaction, and the same
    device resending that nonce gets the first answer again (``outcome.stored``) without
    counting twice; another device's equal nonce is another scan. Flushes, never commits.
    Raises NonceReused (409) when a parallel request of this device stored the same nonce for
    another badge.
    """
    return _scan(token, now=now, device=device, nonce=nonce, checkpoint_id=checkpoint.id)


def _scan(token, *, now, device, nonce, code=None, checkpoint_id=None) -> ScanOutcome:
    connection = db.session.connection()
    dialect = connection.dialect.name
    by_code = checkpoint_id is None
    with_nonce = nonce is not None
    params = {
        "code": code,
        "checkpoint_id": checkpoint_id,
        "token": token if is_well_formed(token) else None,
        "now": now,
        "api_token_id": device.token_id,
        "user_id": device.user_id,
        "device": device.key,
        "nonce": nonce,
    }
    row = connection.execute(_statement("scan", dialect, by_code, with_nonce), params).first()
    if row is None:
        raise NotFound(_("No congress has been set up yet."), code="no_congress")
    if row.checkpoint_id is None:
        raise UnknownCheckpoint(_("There is no checkpoint with this code."))
    door = Door(
        row.checkpoint_id,
        row.code,
        row.name,
        row.day,
        row.session_id,
        row.congress_id,
        row.timezone,
    )
    if with_nonce and row.stored is not None:
        return _replay(door, row.stored, row.stored_for)
    person = row._mapping
    attendee = (
        None
        if person["person_id"] is None
        else _attendee(
            {name[7:]: person[name] for name in person.keys() if name.startswith("person_")}
        )
    )
    refusal = _judge(attendee)
    status = attendee.status if attendee else ""
    inserted_at = None
    if refusal is not None:
        outcome = ScanOutcome(refusal, door, attendee=attendee, status=status)
    elif row.first_at is not None:
        outcome = ScanOutcome(
            ScanResult.ALREADY_CHECKED_IN,
            door,
            attendee=attendee,
            checked_in_at=row.first_at,
            device=row.device_name or "",
            status=status,
        )
    else:
        if dialect == "postgresql":
            inserted_at = row.inserted_at
        else:
            inserted_at = connection.execute(
                _statement("check_in", dialect),
                {**params, "registration_id": attendee.id, "checkpoint_id": door.id},
            ).scalar()
        if inserted_at is not None:
            outcome = ScanOutcome(
                ScanResult.OK,
                door,
                attendee=attendee,
                checked_in_at=inserted_at,
                device=device.name,
                status=status,
            )
        else:
            # Another door checked this person in while this statement ran; its row is
            # visible to the next statement.
            first = connection.execute(
                _FIRST_CHECK_IN, {"registration_id": attendee.id, "checkpoint_id": door.id}
            ).one()
            outcome = ScanOutcome(
                ScanResult.ALREADY_CHECKED_IN,
                door,
                attendee=attendee,
                checked_in_at=first.checked_in_at,
                device=first.device_name or "",
                status=status,
            )
    if with_nonce:
        stored = scan_response(outcome)
        stored.pop("attendee", None)  # personal data is read again on a replay
        claimed = connection.execute(
            _statement("record", dialect),
            {**params, "registration_id": attendee.id if attendee else None, "response": stored},
        ).scalar()
        if claimed is None:
            # A parallel request of this device stored this nonce first: its answer counts.
            other = connection.execute(_STORED_ANSWER, params).one()
            if inserted_at is not None:
                raise NonceReused(_("This scan number was already used for another badge."))
            return _replay(door, other.response, other.registration_id)
    return outcome


def _replay(door: Door, stored: dict[str, Any], registration_id: int | None) -> ScanOutcome:
    """The first answer to a nonce again, with the person as they are stored now."""
    attendee = None
    if registration_id is not None:
        row = db.session.execute(
            _ATTENDEE_BY_ID, {"id": registration_id, "day": door.day}
        ).one_or_none()
        attendee = _attendee(row._mapping) if row is not None else None
    return ScanOutcome(
        ScanResult(stored["result"]), door, attendee=attendee, replayed=True, stored=stored
    )


def scan_response(outcome: ScanOutcome) -> dict[str, Any]:
    """The contract's JSON answer, plus ``checkpoint``, ``device`` (the display name of the
    device that checked the person in first) and ``status`` (why not confirmed)."""
    registration = outcome.attendee
    if outcome.stored is not None:
        body = dict(outcome.stored, replayed=True)
    else:
        body = {
            "result": outcome.result.value,
            "checked_in_at": outcome.checked_in_at.isoformat() if outcome.checked_in_at else None,
            "checkpoint": outcome.checkpoint.code,
        }
        if outcome.result == ScanResult.ALREADY_CHECKED_IN:
            body["device"] = outcome.device
        if outcome.result == ScanResult.NOT_CONFIRMED and registration is not None:
            body["status"] = registration.status  # pending or waitlisted: the reason in words
    if registration is not None:
        body["attendee"] = {
            "name": registration.full_name,
            "organisation": registration.organisation,
            "role": registration.badge_role,
        }
    return body


def describe(
    result: ScanResult | str,
    *,
    checked_in_at: datetime | None = None,
    checkpoint: str = "",
    device: str = "",
    status: str = "",
    tz: str = "Europe/Berlin",
) -> str:
    """The reason in words, for the door screen. A repeat names the door that let the person
    in: the checkpoint and the device's display name."""
    result = ScanResult(result)
    if result == ScanResult.OK:
        return _("Welcome")
    if result == ScanResult.ALREADY_CHECKED_IN:
        clock = local(checked_in_at, tz).strftime("%H:%M") if checked_in_at else "?"
        if checkpoint and device:
            return _(
                "Already checked in at %(time)s at %(checkpoint)s (%(device)s).",
                time=clock,
                checkpoint=checkpoint,
                device=device,
            )
        if checkpoint:
            return _(
                "Already checked in at %(time)s at %(checkpoint)s.",
                time=clock,
                checkpoint=checkpoint,
            )
        return _("Already checked in at %(time)s.", time=clock)
    if result == ScanResult.UNKNOWN:
        return _("Unknown or revoked badge code. Please send the person to the registration desk.")
    if result == ScanResult.CANCELLED:
        return _("This registration was cancelled.")
    if result == ScanResult.NOT_CONFIRMED:
        if status == Status.WAITLISTED:
            return _("This person is on the waiting list and has no seat.")
        return _("This registration is not confirmed yet (e-mail address not confirmed).")
    return _("This person is not registered for this day.")


def role_label(role: str) -> str:
    label = BADGE_ROLE_LABELS.get(role)
    return str(label) if label is not None else role


def workshops_of_day(registration_id: int, day: date, tz: str) -> list[dict[str, str]]:
    """The workshops the person holds a seat in on that day (for the green screen)."""
    starts = at_local(day, time(0), tz)
    rows = db.session.execute(
        select(AgendaSession.id, AgendaSession.title, AgendaSession.starts_at, Room.name)
        .join(WorkshopSeat, WorkshopSeat.session_id == AgendaSession.id)
        .outerjoin(Room, Room.id == AgendaSession.room_id)
        .where(
            WorkshopSeat.registration_id == registration_id,
            AgendaSession.starts_at >= starts,
            AgendaSession.starts_at < starts + timedelta(days=1),
            AgendaSession.status != SessionStatus.CANCELLED,
        )
        .order_by(AgendaSession.starts_at)
    ).all()
    return [
        {
            "session_id": row.id,
            "title": row.title,
            "start": local(row.starts_at, tz).strftime("%H:%M"),
            "room": row.name or "",
        }
        for row in rows
    ]


def undo_last(congress: Congress, device: Device, *, actor, now: datetime) -> CheckIn:
    """Delete the newest check-in this device (API token or staff user) made. Raises NotFound.
    Audit-logged."""
    if device.token_id is not None:
        mine = CheckIn.api_token_id == device.token_id
    else:
        mine = CheckIn.user_id == device.user_id
    last = db.session.execute(
        select(CheckIn)
        .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
        .options(joinedload(CheckIn.registration), joinedload(CheckIn.checkpoint))
        .where(Checkpoint.congress_id == congress.id, mine)
        .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is None:
        raise NotFound(_("There is no check-in of yours to undo."), code="nothing_to_undo")
    audit.record(
        "checkin.undo",
        last.registration,
        actor=actor,
        checkpoint=last.checkpoint.code,
        checked_in_at=last.checked_in_at,
        undone_at=now,
    )
    db.session.execute(delete(CheckIn).where(CheckIn.id == last.id))
    return last


def token_digests(checkpoint: Checkpoint) -> list[str]:
    """SHA-256 digests of the badge tokens that may pass this checkpoint: no personal data.

    A scanner keeps them while online, so that offline it can tell a known badge from a
    forged one.
    """
    tokens = db.session.execute(
        select(Registration.badge_token)
        .join(RegistrationDay, RegistrationDay.registration_id == Registration.id)
        .where(
            Registration.congress_id == checkpoint.congress_id,
            Registration.status == Status.CONFIRMED,
            Registration.anonymised_at.is_(None),
            RegistrationDay.day == checkpoint.day,
        )
    ).scalars()
    return sorted(hashlib.sha256(token.encode()).hexdigest() for token in tokens)


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


def checkpoint_count(checkpoint: Checkpoint) -> int:
    """How many people are checked in at this checkpoint (all doors): ONE count query."""
    return db.session.execute(
        select(func.count()).select_from(CheckIn).where(CheckIn.checkpoint_id == checkpoint.id)
    ).scalar_one()


def checked_in_of_carrier(carrier_id: int, congress: Congress) -> int:
    """How many people of a carrier have checked in at the congress: one query (the
    certificates of a carrier are offered once it is more than none)."""
    return db.session.execute(
        select(func.count(func.distinct(CheckIn.registration_id)))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.congress_id == congress.id, Registration.carrier_id == carrier_id)
    ).scalar_one()


@dataclass(frozen=True)
class DoorListRow:
    """One line of a printed check-in list."""

    name: str  # "Last, First"
    organisation: str
    role: str
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
                    role=role_label(row.badge_role),
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
    nothing: ``result`` "ok" (door staff may check them in), "already_checked_in" or a refusal,
    with its ``tone`` and the reason in words. ONE query (the check-ins), whatever the number.
    Without a checkpoint nobody can be checked in here, and nothing is judged."""
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
            answers[person.id] = {
                "result": refusal.value,
                "tone": TONE[refusal],
                "message": describe(refusal, status=person.status, tz=tz),
            }
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
        answers[person_id] = {
            "result": result.value,
            "tone": TONE[result],
            "message": ""
            if first is None
            else describe(
                result, checked_in_at=first.checked_in_at, device=first.device_name or "", tz=tz
            ),
        }
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


# --- live counts and attendance ----------------------------------------------------------------


@dataclass
class LiveCounts:
    day: date | None
    days: list[date]
    per_checkpoint: list[dict[str, Any]]
    per_day: list[dict[str, Any]]
    per_carrier: list[dict[str, Any]]
    curve: list[tuple[datetime, int]]
    total_today: int
    expected_today: int


def live_counts(congress: Congress, day: date | None) -> LiveCounts:
    """Arrivals per day and checkpoint, per carrier organisation, no-shows and the arrival curve.

    A fixed number of grouped queries, whatever the number of people or checkpoints.
    """
    days = list(
        db.session.execute(
            select(CongressDay.day)
            .where(CongressDay.congress_id == congress.id)
            .order_by(CongressDay.day)
        ).scalars()
    )
    if day not in days:
        day = days[0] if days else None
    confirmed = and_(
        Registration.congress_id == congress.id, Registration.status == Status.CONFIRMED
    )
    # 1. check-ins per checkpoint
    per_checkpoint = [
        {
            "code": row.code,
            "name": row.name,
            "day": row.day,
            "workshop": row.session_id is not None,
            "count": row.count,
        }
        for row in db.session.execute(
            select(
                Checkpoint.code,
                Checkpoint.name,
                Checkpoint.day,
                Checkpoint.session_id,
                func.count(CheckIn.id).label("count"),
            )
            .outerjoin(CheckIn, CheckIn.checkpoint_id == Checkpoint.id)
            .where(Checkpoint.congress_id == congress.id)
            .group_by(
                Checkpoint.id,
                Checkpoint.code,
                Checkpoint.name,
                Checkpoint.day,
                Checkpoint.session_id,
            )
            .order_by(Checkpoint.session_id.is_not(None), Checkpoint.day, Checkpoint.code)
        )
    ]
    # A person counts as arrived on a day when they passed any checkpoint of that day.
    arrived = exists().where(
        CheckIn.registration_id == Registration.id,
        CheckIn.checkpoint_id == Checkpoint.id,
        Checkpoint.congress_id == congress.id,
        Checkpoint.day == RegistrationDay.day,
    )
    # 2. expected, arrived and no-shows per day
    per_day = [
        {
            "day": row.day,
            "expected": row.expected,
            "arrived": int(row.arrived or 0),
            "missing": row.expected - int(row.arrived or 0),
        }
        for row in db.session.execute(
            select(
                RegistrationDay.day,
                func.count(Registration.id).label("expected"),
                func.sum(case((arrived, 1), else_=0)).label("arrived"),
            )
            .join(Registration, Registration.id == RegistrationDay.registration_id)
            .where(confirmed)
            .group_by(RegistrationDay.day)
            .order_by(RegistrationDay.day)
        )
    ]
    per_carrier: list[dict[str, Any]] = []
    curve: list[tuple[datetime, int]] = []
    if day is not None:
        # 3. per carrier organisation on the chosen day
        day_arrived = exists().where(
            CheckIn.registration_id == Registration.id,
            CheckIn.checkpoint_id == Checkpoint.id,
            Checkpoint.congress_id == congress.id,
            Checkpoint.day == day,
        )
        per_carrier = [
            {
                "name": row.name or str(_("Without carrier organisation")),
                "expected": row.expected,
                "arrived": int(row.arrived or 0),
                "missing": row.expected - int(row.arrived or 0),
            }
            for row in db.session.execute(
                select(
                    CarrierOrganisation.name,
                    func.count(Registration.id).label("expected"),
                    func.sum(case((day_arrived, 1), else_=0)).label("arrived"),
                )
                .select_from(Registration)
                .join(RegistrationDay, RegistrationDay.registration_id == Registration.id)
                .outerjoin(CarrierOrganisation, CarrierOrganisation.id == Registration.carrier_id)
                .where(confirmed, RegistrationDay.day == day)
                .group_by(CarrierOrganisation.name)
                .order_by(func.count(Registration.id).desc(), CarrierOrganisation.name)
            )
        ]
        # 4. the arrival curve at the day's main entrances, in 15-minute steps
        times = db.session.execute(
            select(CheckIn.checked_in_at)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .where(
                Checkpoint.congress_id == congress.id,
                Checkpoint.day == day,
                Checkpoint.session_id.is_(None),
            )
            .order_by(CheckIn.checked_in_at)
        ).scalars()
        curve = _buckets(list(times), congress.timezone)
    today = next((d for d in per_day if d["day"] == day), None)
    return LiveCounts(
        day=day,
        days=days,
        per_checkpoint=per_checkpoint,
        per_day=per_day,
        per_carrier=per_carrier,
        curve=curve,
        total_today=today["arrived"] if today else 0,
        expected_today=today["expected"] if today else 0,
    )


def _buckets(times: list[datetime], tz: str, minutes: int = 15) -> list[tuple[datetime, int]]:
    counts: dict[datetime, int] = defaultdict(int)
    for moment in times:
        at = local(moment, tz)
        counts[at.replace(minute=at.minute - at.minute % minutes, second=0, microsecond=0)] += 1
    if not counts:
        return []
    first, last = min(counts), max(counts)
    result, cursor = [], first
    while cursor <= last:
        result.append((cursor, counts.get(cursor, 0)))
        cursor += timedelta(minutes=minutes)
    return result


def follow_session_change(agenda_session, **_kwargs) -> None:
    """``session_changed`` receiver: a workshop with sign-up keeps its checkpoint current."""
    if agenda_session.signup_required:
        ensure_checkpoints(agenda_session.congress)
