"""Seats of the congress, its days and the carriers' quotas, taken and freed race-free.

Confirming takes every seat a registration needs (the congress, each attended day, the carrier's
quota if it has one) by conditional UPDATEs inside one savepoint. If any of them is full the
savepoint is rolled back and the registration waits. A speaker's registration
(``source == SPEAKER_SOURCE``, made by ``conference/speakers``) takes no seat and frees none. On PostgreSQL the row locks of the UPDATEs
serialise concurrent confirmations; on SQLite every writing request begins with BEGIN
IMMEDIATE. Counters are always touched in the same order (congress, days by date, quota), so two
transactions never wait for each other crosswise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from conference.core.models import (
    Congress,
    CongressDay,
    OrganisationQuota,
)
from conference.extensions import db
from conference.registration.models import (
    SPEAKER_SOURCE,
    Registration,
    RegistrationDay,
    Status,
)


def _claim(model, *conditions) -> bool:
    """One conditional UPDATE: take a seat where one is free. True if it was taken."""
    return (
        db.session.execute(
            update(model)
            .where(*conditions, or_(model.capacity.is_(None), model.taken < model.capacity))
            .values(taken=model.taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _release(model, *conditions) -> None:
    db.session.execute(
        update(model)
        .where(*conditions, model.taken > 0)
        .values(taken=model.taken - 1)
        .execution_options(synchronize_session=False)
    )


def claim_quota(congress_id: int, carrier_id: int | None) -> bool:
    """The carrier's quota seat, if the carrier has a quota at this congress."""
    if carrier_id is None:
        return True
    claimed = db.session.execute(
        update(OrganisationQuota)
        .where(
            OrganisationQuota.congress_id == congress_id,
            OrganisationQuota.carrier_id == carrier_id,
            OrganisationQuota.taken < OrganisationQuota.quota,
        )
        .values(taken=OrganisationQuota.taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        return True
    has_quota = db.session.execute(
        select(OrganisationQuota.id).where(
            OrganisationQuota.congress_id == congress_id,
            OrganisationQuota.carrier_id == carrier_id,
        )
    ).first()
    return has_quota is None


def release_quota(congress_id: int, carrier_id: int | None) -> None:
    if carrier_id is None:
        return
    db.session.execute(
        update(OrganisationQuota)
        .where(
            OrganisationQuota.congress_id == congress_id,
            OrganisationQuota.carrier_id == carrier_id,
            OrganisationQuota.taken > 0,
        )
        .values(taken=OrganisationQuota.taken - 1)
        .execution_options(synchronize_session=False)
    )


def claim_day(congress_id: int, day: date) -> bool:
    return _claim(CongressDay, CongressDay.congress_id == congress_id, CongressDay.day == day)


def release_day(congress_id: int, day: date) -> None:
    _release(CongressDay, CongressDay.congress_id == congress_id, CongressDay.day == day)


def take_seats(registration: Registration, from_status: str, now: datetime) -> str | None:
    """Move the registration from ``from_status`` to confirmed, taking all its seats at once.

    Returns None on success, else what was full: "congress", "day", "quota" or "status" (the
    registration was not in ``from_status`` any more: another request got there first).
    Everything happens in one savepoint, rolled back as a whole when anything is full.
    """
    savepoint = db.session.begin_nested()
    claimed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == from_status)
        .values(status=Status.CONFIRMED, placed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    failure = None
    if not claimed:
        failure = "status"
    elif not _claim(Congress, Congress.id == registration.congress_id):
        failure = "congress"
    else:
        for day in sorted(d.day for d in registration.days):
            if not claim_day(registration.congress_id, day):
                failure = "day"
                break
        if failure is None and not claim_quota(registration.congress_id, registration.carrier_id):
            failure = "quota"
    if failure:
        savepoint.rollback()
    else:
        savepoint.commit()
    db.session.refresh(registration)
    return failure


def takes_seats(registration: Registration) -> bool:
    """Whether the registration holds congress, day and quota seats once confirmed."""
    return registration.source != SPEAKER_SOURCE


def free_seats(registration: Registration) -> None:
    if not takes_seats(registration):
        return
    _release(Congress, Congress.id == registration.congress_id)
    for day in sorted(d.day for d in registration.days):
        release_day(registration.congress_id, day)
    release_quota(registration.congress_id, registration.carrier_id)


def move_to_waitlist(registration: Registration, now: datetime) -> bool:
    """pending -> waitlisted by a conditional UPDATE; False if it was no longer pending."""
    moved = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == Status.PENDING)
        .values(
            status=Status.WAITLISTED,
            placed_at=now,
            waitlisted_at=now,
            updated_at=now,
            confirm_token=None,
            confirm_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(registration)
    return bool(moved)


def obstacle_text(obstacle: str | None) -> str:
    """Why there is no seat, as a clause: "the congress is full"."""
    return {
        "congress": _("the congress is full"),
        "day": _("a chosen day is full"),
        "quota": _("the organisation's quota is used up"),
    }.get(obstacle or "", "")


def seat_obstacle(registration: Registration) -> str | None:
    """What would keep this person from a seat right now: "congress", "day", "quota", or None.

    For explanations on pages only ("no free seat: the congress is full"); seats are still
    taken by the conditional UPDATEs of ``take_seats``, which decide under concurrency.
    """
    capacity, taken = db.session.execute(
        select(Congress.capacity, Congress.taken).where(Congress.id == registration.congress_id)
    ).one()
    if capacity is not None and taken >= capacity:
        return "congress"
    days = [d.day for d in registration.days]
    full_day = db.session.execute(
        select(CongressDay.id).where(
            CongressDay.congress_id == registration.congress_id,
            CongressDay.day.in_(days),
            CongressDay.capacity.is_not(None),
            CongressDay.taken >= CongressDay.capacity,
        )
    ).first()
    if full_day is not None:
        return "day"
    if registration.carrier_id is not None:
        used_up = db.session.execute(
            select(OrganisationQuota.id).where(
                OrganisationQuota.congress_id == registration.congress_id,
                OrganisationQuota.carrier_id == registration.carrier_id,
                OrganisationQuota.taken >= OrganisationQuota.quota,
            )
        ).first()
        if used_up is not None:
            return "quota"
    return None


def has_quota(registration: Registration) -> bool:
    if registration.carrier_id is None:
        return False
    return (
        db.session.execute(
            select(OrganisationQuota.id).where(
                OrganisationQuota.congress_id == registration.congress_id,
                OrganisationQuota.carrier_id == registration.carrier_id,
            )
        ).first()
        is not None
    )


# --- recounting (``flask recount-seats``) ------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """A counter that differs from the rows it counts."""

    counter: str  # "congress", "day 2026-09-18", "quota <carrier id>", "workshop <session id>"
    stored: int
    counted: int


def _confirmed(congress_id: int):
    """The registrations that hold seats: confirmed ones, speakers' excepted."""
    return (
        Registration.congress_id == congress_id,
        Registration.status == Status.CONFIRMED,
        Registration.source != SPEAKER_SOURCE,
    )


def seat_drift(congress: Congress, *, repair: bool = False) -> list[Drift]:
    """Compare the congress's, its days' and its quotas' ``taken`` with the confirmed
    registrations; with ``repair`` set each differing counter to the count, in one UPDATE per
    counter (the count is taken inside the UPDATE, so a confirmation meanwhile is counted)."""
    drifts = []
    confirmed = select(func.count()).select_from(Registration).where(*_confirmed(congress.id))
    counted = db.session.execute(confirmed).scalar_one()
    if counted != congress.taken:
        drifts.append(Drift("congress", congress.taken, counted))
        if repair:
            db.session.execute(
                update(Congress)
                .where(Congress.id == congress.id)
                .values(taken=confirmed.scalar_subquery())
            )
    by_day = dict(
        db.session.execute(
            select(RegistrationDay.day, func.count())
            .join(Registration, Registration.id == RegistrationDay.registration_id)
            .where(*_confirmed(congress.id))
            .group_by(RegistrationDay.day)
        ).all()
    )
    for day in db.session.execute(
        select(CongressDay).where(CongressDay.congress_id == congress.id).order_by(CongressDay.day)
    ).scalars():
        if by_day.get(day.day, 0) != day.taken:
            drifts.append(Drift(f"day {day.day.isoformat()}", day.taken, by_day.get(day.day, 0)))
            if repair:
                db.session.execute(
                    update(CongressDay)
                    .where(CongressDay.id == day.id)
                    .values(
                        taken=select(func.count())
                        .select_from(RegistrationDay)
                        .join(Registration, Registration.id == RegistrationDay.registration_id)
                        .where(*_confirmed(congress.id), RegistrationDay.day == day.day)
                        .scalar_subquery()
                    )
                )
    by_carrier = dict(
        db.session.execute(
            select(Registration.carrier_id, func.count())
            .where(*_confirmed(congress.id), Registration.carrier_id.is_not(None))
            .group_by(Registration.carrier_id)
        ).all()
    )
    for quota in db.session.execute(
        select(OrganisationQuota)
        .where(OrganisationQuota.congress_id == congress.id)
        .order_by(OrganisationQuota.carrier_id)
    ).scalars():
        if by_carrier.get(quota.carrier_id, 0) != quota.taken:
            drifts.append(
                Drift(f"quota {quota.carrier_id}", quota.taken, by_carrier.get(quota.carrier_id, 0))
            )
            if repair:
                db.session.execute(
                    update(OrganisationQuota)
                    .where(OrganisationQuota.id == quota.id)
                    .values(
                        taken=select(func.count())
                        .select_from(Registration)
                        .where(
                            *_confirmed(congress.id), Registration.carrier_id == quota.carrier_id
                        )
                        .scalar_subquery()
                    )
                )
    return drifts
