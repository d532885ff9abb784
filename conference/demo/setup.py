"""What a demo load reports; the demo's dates, logins, carriers and editions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask import current_app

from conference.checkin.models import Checkpoint
from conference.core.models import CarrierOrganisation, Congress, CongressDay, LocalStructure
from conference.demo.data import CARRIERS, LOCAL_CITIES, TZ
from conference.extensions import db


@dataclass
class Summary:
    congress: Congress
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    registrations: int = 0

    def describe(self) -> str:
        lines = [
            f"Demo congress loaded: {self.congress.title} "
            f"({self.congress.starts_on:%d.%m.%Y}–{self.congress.ends_on:%d.%m.%Y}), "
            f"{self.registrations} registrations.",
            "Demo logins (also in instance/demo-logins.txt):",
        ]
        lines += [f"  {role:12} {email:28} {password}" for role, email, password in self.logins]
        return "\n".join(lines)


def congress_dates(today: date) -> tuple[date, date]:
    """Thursday and Friday of the third week of the coming November, at least 3 weeks ahead."""
    year = today.year
    while True:
        first = date(year, 11, 1)
        thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 14)
        if thursday - today >= timedelta(days=21):
            return thursday, thursday + timedelta(days=1)
        year += 1


def _shift_year(day: date, years: int) -> date:
    first = date(day.year + years, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)


def _write_logins(summary: Summary) -> None:
    path = Path(current_app.instance_path) / "demo-logins.txt"
    path.write_text(
        "\n".join(f"{role}\t{email}\t{password}" for role, email, password in summary.logins) + "\n"
    )
    path.chmod(0o600)


def _carriers(rng: random.Random) -> list[CarrierOrganisation]:
    carriers = []
    for name, short, kind, city, state in CARRIERS:
        carrier = CarrierOrganisation(
            name=name,
            short_name=short,
            kind=kind,
            city=city,
            state=state,
            contact_name="Demo-Ansprechperson",
            contact_email=f"kontakt-{short.split()[0].lower()}@example.org",
        )
        for local_city, local_state in rng.sample(LOCAL_CITIES, rng.randint(2, 4)):
            carrier.local_structures.append(
                LocalStructure(
                    name=f"{short.split()[0]} {local_city}", city=local_city, state=local_state
                )
            )
        db.session.add(carrier)
        carriers.append(carrier)
    db.session.flush()
    return carriers


def _congress(starts: date, *, current: bool, today: date) -> Congress:
    ends = starts + timedelta(days=1)
    congress = Congress(
        slug=f"fachkongress-{starts.year}",
        title=f"Fachkongress „Menschen stärken Menschen“ {starts.year}",
        subtitle="Patenschaften, Mentoring und Teilhabe – gemeinsam Zukunft gestalten",
        description=(
            "Zwei Tage Austausch der Programmträger, ihrer lokalen Strukturen, der Pat:innen, "
            "Mentor:innen und Lots:innen sowie von Fachleuten aus Politik, Verwaltung und Wissenschaft.\n\n"
            "Plenarien, ein Podium und zwei Workshop-Phasen mit je acht parallelen Workshops."
        ),
        starts_on=starts,
        ends_on=ends,
        timezone=TZ,
        venue_name="Tagungszentrum am Spreeufer (Demo)",
        venue_address="Uferstraße 12, 10557 Berlin",
        venue_city="Berlin",
        venue_accessibility="Alle Räume sind stufenlos erreichbar. Im Großen Saal gibt es eine Induktionsschleife; "
        "die Plenarien werden in Deutsche Gebärdensprache gedolmetscht.",
        opens_at=time(8, 0),
        closes_at=time(19, 0),
        contact_email="kongress@example.org",
        capacity=245,
        expected_attendees=240,
        registration_opens_at=datetime.combine(today - timedelta(days=30), time(8), tzinfo=UTC)
        if current
        else datetime.combine(starts - timedelta(days=90), time(8), tzinfo=UTC),
        registration_closes_at=datetime.combine(starts - timedelta(days=3), time(23), tzinfo=UTC),
        is_current=current,
        programme_published=True,
    )
    congress.days = [
        CongressDay(day=starts, label="Tag 1", capacity=245),
        CongressDay(day=ends, label="Tag 2", capacity=245),
    ]
    db.session.add(congress)
    db.session.flush()
    for number, day in enumerate((starts, ends), start=1):
        db.session.add(
            Checkpoint(
                congress_id=congress.id,
                code=f"day-{number}",
                name=f"Haupteingang Tag {number}",
                day=day,
            )
        )
    return congress
