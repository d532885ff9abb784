"""Door scanning: judge a badge at a checkpoint, record the check-in once, undo it.

The hot path (``scan``) runs at every door at once, so it is one SQL statement
(``checkin/statements.py``); the unique constraint (registration, checkpoint) decides between
"ok" and "already checked in", so two doors scanning the same badge in the same millisecond get
exactly one "ok", on any number of workers and servers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from conference.checkin.checkpoints import UnknownCheckpoint, find_checkpoint
from conference.checkin.models import CheckIn, Checkpoint
from conference.checkin.outcome import Attendee, Device, Door, NonceReused, ScanOutcome, ScanResult
from conference.checkin.statements import (
    _ATTENDEE_BY_ID,
    _FIRST_CHECK_IN,
    _STORED_ANSWER,
    _statement,
)
from conference.core import audit
from conference.core.congress import current_congress_or_404
from conference.core.errors import NotFound
from conference.core.models import Congress
from conference.core.tokens import is_well_formed
from conference.extensions import db
from conference.registration.models import Status


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
