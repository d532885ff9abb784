"""What a cancellation, a change of days or of carrier sets off, area by area.

Each step flushes and none commits: the caller's ``transaction()`` commits them together with
the mails they queue, or none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from conference.registration import lifecycle as registration
from conference.registration import staff
from conference.registration.mail import send_mail
from conference.registration.models import Registration, Status
from conference.workshops import services as workshops


def cancel(
    person: Registration, *, now: datetime, actor="attendee", notify: bool = True
) -> list[Registration]:
    """Cancel a registration and free everything it holds; the first waitlisted people who
    fit move up. Returns the registrations that moved up (the organiser is told who)."""
    previous = registration.withdraw(person, now=now, actor=actor)  # congress, day, quota seats
    if previous is None:
        return []
    workshops.release_registration(person, now=now)  # workshop seats go to their waiting lists
    if notify:
        send_mail(person, "cancelled")
    if previous == Status.CONFIRMED:
        return registration.promote(person.congress_id, now=now, actor="system")
    return []


def change_days(
    person: Registration, days: Iterable[date], *, now: datetime, actor
) -> tuple[set[date], set[date]]:
    """Attend other days: the day seats move, what the person held on a removed day (workshop
    seats, rankings, waiting places) goes, and a freed day seat moves the waiting list up.
    Returns the days added and removed. Raises NoSeat, RegistrationCancelled."""
    added, removed = registration.change_days(person, days, now=now, actor=actor)
    if removed:
        workshops.release_days(person, removed, now=now)
        if person.status == Status.CONFIRMED:
            registration.promote(person.congress_id, now=now, actor="system")
    return added, removed


def update_person(person: Registration, data: dict, *, now: datetime, actor) -> dict:
    """Change personal data (``registration.update_registration``). A move to another carrier
    frees a seat of the old carrier's quota (a confirmed person) or may lift what kept a
    waitlisted person from a seat, so the waiting list moves up. Returns the changed fields.
    Raises InvalidRegistration, NoSeat, RegistrationCancelled."""
    changes = registration.update_registration(person, data, now=now, actor=actor)
    if "carrier_id" in changes and person.status in (Status.CONFIRMED, Status.WAITLISTED):
        registration.promote(person.congress_id, now=now, actor="system")
    return changes


def staff_edit(
    person: Registration, data: dict, days: Iterable[date], *, now: datetime, actor
) -> None:
    """Organiser edit: personal data and days, audited like every change. Raises Forbidden
    (a coordinator naming another carrier), InvalidRegistration, NoSeat."""
    if "carrier_id" in data:
        staff.check_scope(data, actor)
    update_person(person, data, now=now, actor=actor)
    change_days(person, days, now=now, actor=actor)
