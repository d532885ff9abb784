"""Loading the demo congress: ``load`` and what it reports, ``recount``."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select, update

from conference.accounts import services as accounts
from conference.accounts.models import Role
from conference.checkin.services import ensure_checkpoints
from conference.core.models import Congress, OrganisationQuota
from conference.core.time import utcnow
from conference.demo.agenda import _agenda
from conference.demo.people import _people, _preferences
from conference.demo.setup import (
    Summary,
    _carriers,
    _congress,
    _shift_year,
    _write_logins,
    congress_dates,
)
from conference.editions import demo as edition_texts
from conference.extensions import db
from conference.questions import demo as demo_questions
from conference.registration.models import Registration, RegistrationDay, Status


def load(
    *,
    seed: int = 2026,
    admin_email: str,
    admin_password: str | None = None,
    today: date | None = None,
) -> Summary:
    rng = random.Random(seed)
    now = utcnow() if today is None else datetime.combine(today, time(12), tzinfo=UTC)
    today = today or now.date()
    starts, ends = congress_dates(today)
    carriers = _carriers(rng)

    previous = _congress(_shift_year(starts, -1), current=False, today=today)
    edition_texts.set_up([previous], now=now)
    _agenda(previous, rng, published=True)
    _people(previous, carriers, rng, count=140, history=True, now=now)

    congress = _congress(starts, current=True, today=today)
    edition_texts.set_up([congress], now=now)
    assert congress.ends_on == ends
    _agenda(congress, rng, published=True)
    count = _people(congress, carriers, rng, count=305, history=False, now=now)
    people = select(Registration.id).where(Registration.congress_id == congress.id)
    demo_questions.add_examples(  # its own random numbers: the rest of the demo stays as it was
        congress,
        list(db.session.execute(people.order_by(Registration.id)).scalars()),
        random.Random(seed + 17),
        now=now,
    )
    for carrier in carriers[:5]:
        db.session.add(OrganisationQuota(congress_id=congress.id, carrier_id=carrier.id, quota=40))
    db.session.flush()
    recount(congress)
    recount(previous)
    _preferences(congress, rng)
    for edition in (previous, congress):
        ensure_checkpoints(edition)

    summary = Summary(congress=congress, registrations=count)
    password = admin_password or secrets.token_urlsafe(12)
    accounts.create_user(admin_email, password, Role.ADMIN, name="Demo Admin", actor="demo")
    summary.logins.append(("admin", admin_email, password))
    for email, role, organisation in [
        ("organisation@example.org", Role.ORGANISER, None),
        ("einlass@example.org", Role.CHECKIN, None),
        ("koordination@example.org", Role.COORDINATOR, carriers[0].id),
    ]:
        staff_password = secrets.token_urlsafe(12)
        accounts.create_user(
            email, staff_password, role, organisation_id=organisation, actor="demo"
        )
        summary.logins.append((role.value, email, staff_password))
    _write_logins(summary)
    return summary


def recount(congress: Congress) -> None:
    """Set every seat counter of a congress from the stored registrations (demo and repair)."""
    confirmed = select(Registration.id).where(
        Registration.congress_id == congress.id, Registration.status == Status.CONFIRMED
    )
    congress.taken = db.session.execute(
        select(func.count()).select_from(confirmed.subquery())
    ).scalar_one()
    for day in congress.days:
        day.taken = db.session.execute(
            select(func.count())
            .select_from(RegistrationDay)
            .where(RegistrationDay.day == day.day, RegistrationDay.registration_id.in_(confirmed))
        ).scalar_one()
    rows = db.session.execute(
        select(Registration.carrier_id, func.count())
        .where(Registration.congress_id == congress.id, Registration.status == Status.CONFIRMED)
        .group_by(Registration.carrier_id)
    ).all()
    per_carrier = dict(rows)
    for quota in db.session.execute(
        select(OrganisationQuota).where(OrganisationQuota.congress_id == congress.id)
    ).scalars():
        quota.quota = max(quota.quota, per_carrier.get(quota.carrier_id, 0))
        quota.taken = per_carrier.get(quota.carrier_id, 0)
    db.session.execute(
        update(Congress).where(Congress.id == congress.id).values(taken=congress.taken)
    )
    db.session.flush()
