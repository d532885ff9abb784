"""``assert_counters_match()``: every seat counter equals the rows it counts.

Counted here from the rows in plain Python, independently of the code under test (and of
``flask recount-seats``); call it at the end of every test that moves seats.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from conference.agenda.models import AgendaSession
from conference.core.models import Congress, CongressDay, OrganisationQuota
from conference.extensions import db
from conference.registration.models import Registration, RegistrationDay, Status
from conference.workshops.models import WorkshopSeat


def counters() -> dict[str, int]:
    """Every stored counter by name."""
    found = {}
    session = db.session
    for congress in session.execute(select(Congress)).scalars():
        found[f"congress {congress.id}"] = congress.taken
    for day in session.execute(select(CongressDay)).scalars():
        found[f"day {day.congress_id} {day.day}"] = day.taken
    for quota in session.execute(select(OrganisationQuota)).scalars():
        found[f"quota {quota.congress_id} {quota.carrier_id}"] = quota.taken
    for workshop in session.execute(
        select(AgendaSession).where(AgendaSession.phase_id.is_not(None))
    ).scalars():
        found[f"workshop {workshop.id}"] = workshop.seats_taken
    return found


def counted() -> dict[str, int]:
    """The same counters as the rows say they should be."""
    session = db.session
    confirmed = {
        r.id: r
        for r in session.execute(
            select(Registration).where(Registration.status == Status.CONFIRMED)
        ).scalars()
    }
    people = Counter(r.congress_id for r in confirmed.values())
    days = Counter(
        (confirmed[d.registration_id].congress_id, d.day)
        for d in session.execute(select(RegistrationDay)).scalars()
        if d.registration_id in confirmed
    )
    carriers = Counter((r.congress_id, r.carrier_id) for r in confirmed.values())
    seats = Counter(s.session_id for s in session.execute(select(WorkshopSeat)).scalars())
    expected = {}
    for name in counters():
        kind, *key = name.split()
        if kind == "congress":
            expected[name] = people[int(key[0])]
        elif kind == "day":
            expected[name] = days[(int(key[0]), _date(key[1]))]
        elif kind == "quota":
            expected[name] = carriers[(int(key[0]), int(key[1]))]
        else:
            expected[name] = seats[int(key[0])]
    return expected


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


def assert_counters_match(*kinds: str) -> None:
    """Every counter (or only those of ``kinds``: "congress", "day", "quota", "workshop"; for
    tests whose people come from ``factories.registration``, which takes no seats) equals its
    rows."""
    db.session.expire_all()
    stored, expected = counters(), counted()
    wrong = {
        name: (value, expected[name])
        for name, value in stored.items()
        if value != expected[name] and (not kinds or name.split()[0] in kinds)
    }
    assert not wrong, f"counter: (stored, counted) {wrong}"
