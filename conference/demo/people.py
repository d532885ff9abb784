"""The demo's people: registrations, workshop seats, rankings, last year's check-ins."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from conference.agenda.models import AgendaSession
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.models import CarrierOrganisation, Congress
from conference.core.time import at_local
from conference.demo.data import ARABIC_NAMES, FIRST_NAMES, LAST_NAMES
from conference.extensions import db
from conference.registration.models import (
    BadgeRole,
    Diet,
    ProgrammeRole,
    Registration,
    RegistrationDay,
    Sector,
    Status,
)
from conference.workshops.models import PhaseMode, WorkshopPhase, WorkshopPreference, WorkshopSeat


def _people(
    congress: Congress,
    carriers: list[CarrierOrganisation],
    rng: random.Random,
    *,
    count: int,
    history: bool,
    now: datetime,
) -> int:
    """Invented people, registered one after another within the registration window and in
    the past (so a new registrant queues behind the demo's waiting people)."""
    days = [congress.starts_on, congress.ends_on]
    capacity = congress.capacity or count
    statuses = (
        [Status.CONFIRMED] * min(capacity, count - 60)
        + [Status.WAITLISTED] * 25
        + [Status.PENDING] * 20
        + [Status.CANCELLED] * 15
    )
    if history:
        statuses = [Status.CONFIRMED] * (count - 10) + [Status.CANCELLED] * 10
    statuses = statuses[:count]
    rng.shuffle(statuses)
    # Spread over the window from its opening until an hour ago (or its close, for history).
    created_base = congress.registration_opens_at
    window_end = min(congress.registration_closes_at, now - timedelta(hours=1))
    step = (window_end - created_base) / max(count, 1)
    latest = now - timedelta(minutes=10)
    used_emails: set[str] = set()
    registrations = []
    for index, status in enumerate(statuses):
        if index % 97 == 5:
            first, last = ARABIC_NAMES[index % len(ARABIC_NAMES)]
            ascii_name = f"person{index}"
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            ascii_name = _ascii(f"{first}.{last}")
        email = f"{ascii_name}@example.org"
        while email in used_emails:
            email = f"{ascii_name}{rng.randint(2, 999)}@example.org"
        used_emails.add(email)
        carrier = rng.choice(carriers) if rng.random() < 0.85 else None
        local = rng.choice(carrier.local_structures) if carrier and rng.random() < 0.6 else None
        role = rng.choices(list(ProgrammeRole), weights=[14, 18, 10, 16, 18, 6, 5, 2, 3])[0]
        created = created_base + step * index + step * rng.random() * 0.5
        attends = rng.choices([days, days[:1], days[1:]], weights=[7, 2, 1])[0]
        registration = Registration(
            congress_id=congress.id,
            status=status,
            first_name=first,
            last_name=last,
            email=email,
            language="en" if rng.random() < 0.1 else "de",
            carrier_id=carrier.id if carrier else None,
            local_structure_id=local.id if local else None,
            organisation_other=""
            if carrier
            else rng.choice(
                [
                    "Stadt Kassel, Integrationsbüro",
                    "Universität Hildesheim",
                    "Freie Journalistin",
                    "Bezirksamt Mitte",
                ]
            ),
            programme_role=role,
            sector=Sector.RESEARCH if role == ProgrammeRole.RESEARCH else rng.choice(list(Sector)),
            badge_role=BadgeRole.PRESS if role == ProgrammeRole.PRESS else BadgeRole.ATTENDEE,
            needs_step_free=rng.random() < 0.05,
            needs_sign_language=rng.random() < 0.02,
            needs_induction_loop=rng.random() < 0.02,
            diet=rng.choices(list(Diet), weights=[50, 25, 10, 8, 1, 4, 2])[0],
            consent_at=created,
            consent_version=congress.consent_text_version,
            photo_consent_at=created if rng.random() < 0.7 else None,
            photo_consent_version=congress.consent_text_version,
            created_at=created,
            placed_at=min(created + timedelta(minutes=20), latest)
            if status in (Status.CONFIRMED, Status.WAITLISTED)
            else None,
            waitlisted_at=min(created + timedelta(minutes=20), latest)
            if status == Status.WAITLISTED
            else None,
            cancelled_at=min(created + timedelta(days=5), latest)
            if status == Status.CANCELLED
            else None,
            confirm_expires_at=created + timedelta(hours=48) if status == Status.PENDING else None,
        )
        if status != Status.PENDING:
            registration.confirm_token = None
        registration.days = [RegistrationDay(day=d) for d in attends]
        db.session.add(registration)
        registrations.append(registration)
    db.session.flush()
    _workshop_seats(congress, registrations, rng)
    if history:
        _history_checkins(congress, registrations, rng)
    return len(registrations)


def _workshop_seats(
    congress: Congress, registrations: list[Registration], rng: random.Random
) -> None:
    """Seat most confirmed people of day 1 in a first-come workshop, respecting capacities."""
    phase = db.session.execute(
        select(WorkshopPhase).where(
            WorkshopPhase.congress_id == congress.id, WorkshopPhase.mode == PhaseMode.FIRST_COME
        )
    ).scalar_one()
    workshops = (
        db.session.execute(select(AgendaSession).where(AgendaSession.phase_id == phase.id))
        .scalars()
        .all()
    )
    free = {w.id: (w.capacity or 0) for w in workshops}
    for registration in registrations:
        if registration.status != Status.CONFIRMED or phase.day not in {
            d.day for d in registration.days
        }:
            continue
        if rng.random() < 0.3:
            continue
        options = [w for w in workshops if free[w.id] > 0]
        if not options:
            break
        workshop = rng.choices(options, weights=[3 if i < 2 else 1 for i in range(len(options))])[0]
        free[workshop.id] -= 1
        db.session.add(
            WorkshopSeat(registration_id=registration.id, phase_id=phase.id, session_id=workshop.id)
        )
    db.session.flush()
    for workshop in workshops:
        workshop.seats_taken = (workshop.capacity or 0) - free[workshop.id]


def _preferences(congress: Congress, rng: random.Random) -> None:
    """Rankings for the ranked phase, skewed towards a few popular workshops, so the organisers
    can try the allocation preview on realistic demand."""
    phase = db.session.execute(
        select(WorkshopPhase).where(
            WorkshopPhase.congress_id == congress.id, WorkshopPhase.mode == PhaseMode.RANKED
        )
    ).scalar_one()
    workshops = (
        db.session.execute(
            select(AgendaSession.id)
            .where(AgendaSession.phase_id == phase.id)
            .order_by(AgendaSession.id)
        )
        .scalars()
        .all()
    )
    weights = [8, 6, 3, 3, 2, 2, 1, 1][: len(workshops)]
    people = (
        db.session.execute(
            select(Registration.id)
            .join(RegistrationDay, RegistrationDay.registration_id == Registration.id)
            .where(
                Registration.congress_id == congress.id,
                Registration.status == Status.CONFIRMED,
                RegistrationDay.day == phase.day,
            )
            .order_by(Registration.id)
        )
        .scalars()
        .all()
    )
    for registration_id in people:
        if rng.random() < 0.35:
            continue  # has not ranked yet
        chosen: list[int] = []
        while len(chosen) < 3:
            pick = rng.choices(workshops, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        for rank, session_id in enumerate(chosen, start=1):
            db.session.add(
                WorkshopPreference(
                    registration_id=registration_id,
                    phase_id=phase.id,
                    session_id=session_id,
                    rank=rank,
                )
            )
    db.session.flush()


def _history_checkins(
    congress: Congress, registrations: list[Registration], rng: random.Random
) -> None:
    checkpoints = {
        cp.day: cp
        for cp in db.session.execute(
            select(Checkpoint).where(Checkpoint.congress_id == congress.id)
        ).scalars()
    }
    for registration in registrations:
        if registration.status != Status.CONFIRMED:
            continue
        for day in registration.days:
            if rng.random() < 0.88:
                arrival = at_local(day.day, time(8, 30), congress.timezone) + timedelta(
                    minutes=rng.triangular(0, 150, 40)
                )
                db.session.add(
                    CheckIn(
                        registration_id=registration.id,
                        checkpoint_id=checkpoints[day.day].id,
                        checked_in_at=arrival,
                    )
                )


def _ascii(value: str) -> str:
    table = str.maketrans(
        {
            "ä": "ae",
            "ö": "oe",
            "ü": "ue",
            "ß": "ss",
            "Ä": "Ae",
            "Ö": "Oe",
            "Ü": "Ue",
            "ı": "i",
            "İ": "I",
            "ş": "s",
            "Ş": "S",
            "ğ": "g",
            "ç": "c",
            "Ç": "C",
            "ł": "l",
            "Ł": "L",
            "ą": "a",
            "ę": "e",
            "ś": "s",
            "ń": "n",
            "ó": "o",
            "ź": "z",
            "ż": "z",
            "ễ": "e",
            "ầ": "a",
            "ạ": "a",
            "ï": "i",
            "ê": "e",
            "î": "i",
            "é": "e",
            " ": "-",
            "'": "",
        }
    )
    return "".join(
        ch for ch in value.translate(table).lower() if ch.isascii() and (ch.isalnum() or ch in ".-")
    )
