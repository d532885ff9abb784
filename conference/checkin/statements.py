"""The scan's SQL, built once per shape (see "the scan" below): no data, only bound values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, and_, bindparam, exists, func, select, true
from sqlalchemy.dialects import postgresql, sqlite

from conference.accounts.models import ApiToken, User
from conference.checkin.models import CheckIn, Checkpoint, ScanRecord
from conference.core.models import CarrierOrganisation, Congress, LocalStructure
from conference.core.time import UTCDateTime
from conference.registration.models import Registration, RegistrationDay, Status

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
