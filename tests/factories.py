"""Rows with plain defaults and no surprises. Each returns a flushed object."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from werkzeug.security import generate_password_hash

from conference.accounts.models import User
from conference.agenda.models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    Speaker,
    Track,
)
from conference.checkin.models import Checkpoint
from conference.core.models import Congress, CongressDay
from conference.core.time import at_local
from conference.extensions import db
from conference.organisations.models import CarrierOrganisation, LocalStructure
from conference.registration.models import Registration, RegistrationDay, Status
from conference.workshops.models import PhaseMode, WorkshopPhase

_numbers = itertools.count(1)
VENUE_ZONE = ZoneInfo("Europe/Berlin")


def venue_today() -> date:
    """Today at the venue: from 23:00 UTC on, Berlin is already on the next day."""
    return datetime.now(VENUE_ZONE).date()


PASSWORD = "correct horse battery staple"

#: Each password's hash, made once per test process: scrypt costs about 0.1 s per hash, and most
#: tests make their users with ``PASSWORD``. Each hash is a real one (the app's own hasher, its
#: own salt), only shared by the users of one process. Tests of hashing itself call
#: ``User.set_password`` or the accounts services, which hash every time.
_password_hashes: dict[str, str] = {}


def password_hash(password: str) -> str:
    """The hash ``User.set_password`` would store for ``password``, made once per process."""
    hashed = _password_hashes.get(password)
    if hashed is None:
        hashed = _password_hashes.setdefault(password, generate_password_hash(password))
    return hashed


def _add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def congress(
    *,
    starts_on: date | None = None,
    days: int = 2,
    capacity: int | None = 300,
    day_capacity: int | None = None,
    current: bool = True,
    **fields,
) -> Congress:
    starts_on = starts_on or date.today() + timedelta(days=60)
    n = next(_numbers)
    row = Congress(
        slug=fields.pop("slug", f"congress-{n}"),
        title=fields.pop("title", f"Fachkongress {starts_on.year}"),
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        timezone=fields.pop("timezone", "Europe/Berlin"),
        venue_name=fields.pop("venue_name", "Tagungszentrum"),
        venue_address=fields.pop("venue_address", "Uferstraße 12, 10557 Berlin"),
        venue_city="Berlin",
        capacity=capacity,
        is_current=current,
        programme_published=True,
        registration_opens_at=fields.pop(
            "registration_opens_at", datetime.now(UTC) - timedelta(days=1)
        ),
        registration_closes_at=fields.pop(
            "registration_closes_at", datetime.combine(starts_on, time(0), tzinfo=UTC)
        ),
        **fields,
    )
    row.days = [
        CongressDay(day=starts_on + timedelta(days=i), label=f"Tag {i + 1}", capacity=day_capacity)
        for i in range(days)
    ]
    return _add(row)


def carrier(name: str | None = None, *, local_structures: int = 0, **fields) -> CarrierOrganisation:
    n = next(_numbers)
    row = CarrierOrganisation(
        name=name or f"Träger {n}", short_name=fields.pop("short_name", f"T{n}"), **fields
    )
    for i in range(local_structures):
        row.local_structures.append(LocalStructure(name=f"Lokal {n}-{i + 1}", city="Kassel"))
    return _add(row)


def user(
    *,
    role: str = "organiser",
    email: str | None = None,
    organisation_id: int | None = None,
    password: str = PASSWORD,
) -> User:
    if role == "coordinator" and organisation_id is None:
        organisation_id = carrier().id
    row = User(
        email=email or f"{role}{next(_numbers)}@example.org",
        role=role,
        organisation_id=organisation_id,
    )
    # What ``set_password`` does, with the process's hash of this password.
    row.password_hash = password_hash(password)
    row.end_sessions()
    return _add(row)


def registration(
    congress_: Congress, *, status: str = Status.CONFIRMED, days: list[date] | None = None, **fields
) -> Registration:
    n = next(_numbers)
    row = Registration(
        congress_id=congress_.id,
        status=status,
        first_name=fields.pop("first_name", "Anna"),
        last_name=fields.pop("last_name", f"Muster{n}"),
        email=fields.pop("email", f"person{n}@example.org"),
        consent_at=datetime.now(UTC),
        consent_version=congress_.consent_text_version,
        placed_at=datetime.now(UTC) if status in (Status.CONFIRMED, Status.WAITLISTED) else None,
        **fields,
    )
    if status != Status.PENDING:
        row.confirm_token = None
    chosen = days if days is not None else [d.day for d in congress_.days]
    row.days = [RegistrationDay(day=d) for d in chosen]
    return _add(row)


def room(congress_: Congress, *, name: str | None = None, capacity: int = 50, **fields) -> Room:
    return _add(
        Room(
            congress_id=congress_.id,
            name=name or f"Raum {next(_numbers)}",
            capacity=capacity,
            **fields,
        )
    )


def track(congress_: Congress, *, name: str | None = None, colour: str = "#1f5f8b") -> Track:
    return _add(
        Track(congress_id=congress_.id, name=name or f"Track {next(_numbers)}", colour=colour)
    )


def speaker(congress_: Congress, *, name: str | None = None, **fields) -> Speaker:
    return _add(
        Speaker(congress_id=congress_.id, name=name or f"Referentin {next(_numbers)}", **fields)
    )


def session(
    congress_: Congress,
    *,
    title: str | None = None,
    day: date | None = None,
    start: time = time(10),
    end: time = time(11),
    room_: Room | None = None,
    kind: str = SessionKind.FORUM,
    status: str = SessionStatus.PUBLISHED,
    speakers: list[Speaker] = (),
    **fields,
) -> AgendaSession:
    day = day or congress_.starts_on
    row = AgendaSession(
        congress_id=congress_.id,
        title=title or f"Programmpunkt {next(_numbers)}",
        kind=kind,
        status=status,
        starts_at=at_local(day, start, congress_.timezone),
        ends_at=at_local(day, end, congress_.timezone),
        room_id=room_.id if room_ else None,
        **fields,
    )
    for position, person in enumerate(speakers):
        row.speaker_links.append(SessionSpeaker(speaker_id=person.id, position=position))
    return _add(row)


def phase(
    congress_: Congress, *, day: date | None = None, mode: str = PhaseMode.FIRST_COME, **fields
) -> WorkshopPhase:
    return _add(
        WorkshopPhase(
            congress_id=congress_.id,
            name=fields.pop("name", f"Phase {next(_numbers)}"),
            day=day or congress_.starts_on,
            mode=mode,
            **fields,
        )
    )


def workshop(
    congress_: Congress, phase_: WorkshopPhase, *, capacity: int = 20, **fields
) -> AgendaSession:
    return session(
        congress_,
        kind=SessionKind.WORKSHOP,
        day=phase_.day,
        signup_required=True,
        phase_id=phase_.id,
        capacity=capacity,
        start=fields.pop("start", time(13)),
        end=fields.pop("end", time(14, 30)),
        **fields,
    )


def checkpoint(
    congress_: Congress, *, code: str = "day-1", day: date | None = None, **fields
) -> Checkpoint:
    return _add(
        Checkpoint(
            congress_id=congress_.id,
            code=code,
            name=fields.pop("name", f"Eingang {code}"),
            day=day or congress_.starts_on,
            **fields,
        )
    )
