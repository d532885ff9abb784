"""A realistic demo congress, modelled on the real Fachkongress, for trying every flow.

Dates are computed from today: the congress lies in the coming November (far enough ahead that
registration is open), last year's edition is loaded as history. All organisations are marked
as demo data; all people are invented.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from conference.accounts import services as accounts
from conference.accounts.models import Role
from conference.agenda.models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    Speaker,
    Track,
)
from conference.checkin.models import CheckIn, Checkpoint
from conference.checkin.services import ensure_checkpoints
from conference.core.models import (
    CarrierOrganisation,
    Congress,
    CongressDay,
    LocalStructure,
    OrganisationKind,
    OrganisationQuota,
)
from conference.core.time import at_local, utcnow
from conference.editions import demo as edition_texts
from conference.extensions import db
from conference.questions import demo as demo_questions
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

TZ = "Europe/Berlin"

CARRIERS = [
    # name, short name, kind, city, state
    (
        "Arbeitsgemeinschaft Wohlfahrt und Teilhabe e.V. (Demo)",
        "AWT (Demo)",
        OrganisationKind.WELFARE,
        "Berlin",
        "Berlin",
    ),
    (
        "Caritativer Verband Nächstenhilfe (Demo)",
        "CVN (Demo)",
        OrganisationKind.WELFARE,
        "Freiburg",
        "Baden-Württemberg",
    ),
    (
        "Diakonisches Netzwerk Ankommen (Demo)",
        "DNA (Demo)",
        OrganisationKind.WELFARE,
        "Hannover",
        "Niedersachsen",
    ),
    (
        "Rotes Kreuz Ehrenamt Bundesstelle (Demo)",
        "RKE (Demo)",
        OrganisationKind.WELFARE,
        "Berlin",
        "Berlin",
    ),
    (
        "Paritätisches Forum Vielfalt (Demo)",
        "PFV (Demo)",
        OrganisationKind.WELFARE,
        "Frankfurt am Main",
        "Hessen",
    ),
    (
        "Jüdische Wohlfahrt Zusammen (Demo)",
        "JWZ (Demo)",
        OrganisationKind.WELFARE,
        "Frankfurt am Main",
        "Hessen",
    ),
    (
        "Johanniter-Hilfe Patenschaften (Demo)",
        "JHP (Demo)",
        OrganisationKind.WELFARE,
        "Berlin",
        "Berlin",
    ),
    (
        "Malteser Integrationsdienste (Demo)",
        "MID (Demo)",
        OrganisationKind.WELFARE,
        "Köln",
        "Nordrhein-Westfalen",
    ),
    (
        "Stiftung Bürgerengagement Brücken (Demo)",
        "SBB (Demo)",
        OrganisationKind.FOUNDATION,
        "Berlin",
        "Berlin",
    ),
    (
        "Stiftung Chancenpatenschaft (Demo)",
        "SCP (Demo)",
        OrganisationKind.FOUNDATION,
        "Hamburg",
        "Hamburg",
    ),
    (
        "Bürgerstiftung Nachbarschaft Nord (Demo)",
        "BNN (Demo)",
        OrganisationKind.FOUNDATION,
        "Kiel",
        "Schleswig-Holstein",
    ),
    (
        "Bundesarbeitsgemeinschaft Freiwilligenagenturen (Demo)",
        "BAGF (Demo)",
        OrganisationKind.VOLUNTEER_AGENCY,
        "Berlin",
        "Berlin",
    ),
    (
        "Landesnetz Freiwilligenagenturen Sachsen (Demo)",
        "LFS (Demo)",
        OrganisationKind.VOLUNTEER_AGENCY,
        "Dresden",
        "Sachsen",
    ),
    (
        "Ehrenamtsbörse Rhein-Main (Demo)",
        "ERM (Demo)",
        OrganisationKind.VOLUNTEER_AGENCY,
        "Mainz",
        "Rheinland-Pfalz",
    ),
    (
        "Freiwilligenzentrum Ruhr (Demo)",
        "FZR (Demo)",
        OrganisationKind.VOLUNTEER_AGENCY,
        "Essen",
        "Nordrhein-Westfalen",
    ),
    (
        "Bundesverband Netzwerke von Migrant:innenorganisationen (Demo)",
        "BNMO (Demo)",
        OrganisationKind.MIGRANT,
        "Dortmund",
        "Nordrhein-Westfalen",
    ),
    (
        "Türkische Gemeinde Patenschaften (Demo)",
        "TGP (Demo)",
        OrganisationKind.MIGRANT,
        "Berlin",
        "Berlin",
    ),
    (
        "Verband syrischer Vereine Deutschland (Demo)",
        "VSVD (Demo)",
        OrganisationKind.MIGRANT,
        "Leipzig",
        "Sachsen",
    ),
    (
        "Polnischer Sozialrat Mentoring (Demo)",
        "PSM (Demo)",
        OrganisationKind.MIGRANT,
        "Berlin",
        "Berlin",
    ),
    (
        "Afrikanischer Dachverband Nord (Demo)",
        "ADN (Demo)",
        OrganisationKind.MIGRANT,
        "Hamburg",
        "Hamburg",
    ),
    (
        "Kinderschutz und Familie Patenprojekte (Demo)",
        "KFP (Demo)",
        OrganisationKind.OTHER,
        "München",
        "Bayern",
    ),
    (
        "Sportjugend Integration durch Sport (Demo)",
        "SIS (Demo)",
        OrganisationKind.OTHER,
        "Frankfurt am Main",
        "Hessen",
    ),
    (
        "Netzwerk Bildungspatenschaften Ost (Demo)",
        "NBO (Demo)",
        OrganisationKind.OTHER,
        "Erfurt",
        "Thüringen",
    ),
]

LOCAL_CITIES = [
    ("Berlin-Neukölln", "Berlin"),
    ("Hamburg-Altona", "Hamburg"),
    ("München", "Bayern"),
    ("Köln", "Nordrhein-Westfalen"),
    ("Leipzig", "Sachsen"),
    ("Rostock", "Mecklenburg-Vorpommern"),
    ("Kassel", "Hessen"),
    ("Magdeburg", "Sachsen-Anhalt"),
    ("Saarbrücken", "Saarland"),
    ("Bremen", "Bremen"),
    ("Potsdam", "Brandenburg"),
    ("Jena", "Thüringen"),
    ("Ulm", "Baden-Württemberg"),
    ("Osnabrück", "Niedersachsen"),
    ("Trier", "Rheinland-Pfalz"),
    ("Flensburg", "Schleswig-Holstein"),
]

FIRST_NAMES = [
    "Anna",
    "Jürgen",
    "Grete",
    "Sören",
    "Ännchen",
    "Lukas",
    "Marie",
    "Jörg",
    "Käthe",
    "Björn",
    "Özlem",
    "Ayşe",
    "Mehmet",
    "Çağla",
    "Emre",
    "Gülşen",
    "İbrahim",
    "Şebnem",
    "Burak",
    "Elif",
    "Mohammed",
    "Fatima",
    "Yusuf",
    "Layla",
    "Omar",
    "Rania",
    "Khaled",
    "Amira",
    "Hassan",
    "Noor",
    "Agnieszka",
    "Małgorzata",
    "Paweł",
    "Łukasz",
    "Zofia",
    "Krzysztof",
    "Joanna",
    "Wojciech",
    "Olena",
    "Dmytro",
    "Oksana",
    "Thi Lan",
    "Minh",
    "Amadou",
    "Aïssatou",
    "Chiara",
    "Inês",
    "Jean-Luc",
    "Zeynep",
    "Dariusz",
    "Hêvî",
    "Rojin",
    "Tamara",
    "Selin",
    "Ahmad",
    "Nour",
]
LAST_NAMES = [
    "Müller",
    "Schäfer",
    "Weiß",
    "Groß",
    "Strauß",
    "Hoffmann",
    "Bäcker",
    "Köhler",
    "Schröder",
    "Meißner",
    "Fuchs",
    "Krüger",
    "Yılmaz",
    "Kaya",
    "Öztürk",
    "Şahin",
    "Demir",
    "Çelik",
    "Aydın",
    "Al-Hassan",
    "Haddad",
    "Khalil",
    "Mansour",
    "Darwish",
    "Nowak",
    "Wiśniewski",
    "Kowalczyk",
    "Dąbrowska",
    "Wójcik",
    "Kamińska",
    "Kovalenko",
    "Shevchenko",
    "Nguyễn",
    "Trần",
    "Phạm",
    "Diallo",
    "Traoré",
    "Rossi",
    "Ferreira",
    "Dubois",
    "Ahmadi",
    "Rahimi",
    "Zaman",
    "Lindqvist",
]
# A few names in Arabic script, so badges and lists prove they render.
ARABIC_NAMES = [("محمد", "العلي"), ("فاطمة", "حداد"), ("يوسف", "منصور")]

SPEAKERS = [
    (
        "Prof. Dr. Ingrid Wallner-Öztürk",
        "Hochschule für Soziale Arbeit (Demo)",
        "Forscht zu Patenschaften und gesellschaftlichem Zusammenhalt.",
    ),
    (
        "Dr. Samir Haddad",
        "Institut für Migrationsforschung (Demo)",
        "Leitet Studien zur Wirkung von Mentoring-Programmen.",
    ),
    ("Katarzyna Nowak-Schulz", "Bundesministerium (Demo)", "Referatsleitung Engagementpolitik."),
    (
        "Thomas Brückner",
        "Netzwerk Bürgerengagement (Demo)",
        "Geschäftsführung, Moderation von Fachdialogen.",
    ),
    (
        "Aylin Çelik",
        "Türkische Gemeinde Patenschaften (Demo)",
        "Koordiniert 40 lokale Patenschaftsprojekte.",
    ),
    (
        "Mariam Al-Khatib",
        "Verband syrischer Vereine (Demo)",
        "Selbst einmal Mentee, heute Mentorin und Trainerin.",
    ),
    (
        "Jonas Lindqvist",
        "Freiwilligenzentrum Ruhr (Demo)",
        "Qualifiziert Ehrenamtliche für Lotsendienste.",
    ),
    ("Dr. Hoa Nguyễn", "Universität (Demo)", "Forschung zu Empowerment und Selbstorganisation."),
    (
        "Gülşen Arslan",
        "Kommunales Integrationszentrum (Demo)",
        "Verbindet Verwaltung und Zivilgesellschaft.",
    ),
    ("Piotr Zieliński", "Polnischer Sozialrat (Demo)", "Mentoring in der Arbeitsmarktintegration."),
    (
        "Amadou Diallo",
        "Afrikanischer Dachverband Nord (Demo)",
        "Community Organizing und Empowerment.",
    ),
    ("Sabine Krüger", "Stiftung Chancenpatenschaft (Demo)", "Programmleitung, Qualitätsstandards."),
    (
        "Rania Mansour",
        "Paritätisches Forum Vielfalt (Demo)",
        "Diversitätsorientierte Organisationsentwicklung.",
    ),
    (
        "Hendrik Voß",
        "Landesnetz Freiwilligenagenturen (Demo)",
        "Digitales Engagement und Matching-Tools.",
    ),
    ("Dr. Elif Kaya", "Deutsches Zentrum (Demo)", "Evaluation und Wirkungsmessung."),
    (
        "Oksana Kovalenko",
        "Ehrenamtsbörse Rhein-Main (Demo)",
        "Patenschaften für Geflüchtete aus der Ukraine.",
    ),
]

ROOMS = [
    (
        "Großer Saal",
        500,
        "EG",
        "Stufenlos erreichbar, Induktionsschleife, Gebärdensprachdolmetschung bei Plenarien.",
    ),
    ("Saal Berlin", 200, "1. OG", "Aufzug vorhanden, Induktionsschleife."),
    ("Forum 1", 80, "1. OG", "Aufzug vorhanden."),
    ("Forum 2", 80, "1. OG", "Aufzug vorhanden."),
    ("Raum Spree", 40, "2. OG", "Aufzug vorhanden."),
    ("Raum Havel", 40, "2. OG", "Aufzug vorhanden."),
    ("Raum Tegel", 30, "2. OG", "Aufzug vorhanden; Tische unterfahrbar."),
    ("Raum Wannsee", 25, "2. OG", "Aufzug vorhanden."),
]

TRACKS = [
    ("Patenschaften gestalten", "#0b6e4f"),
    ("Organisationen stärken", "#1f4e8c"),
    ("Teilhabe und Empowerment", "#8a3b12"),
    ("Politik und Wissenschaft", "#5b2a86"),
]

WORKSHOPS_PHASE_1 = [
    ("Gute Matches: Pat:innen und Mentees zusammenbringen", 0),
    ("Ehrenamt qualifizieren: Schulungskonzepte im Vergleich", 1),
    ("Empowerment durch Migrant:innenorganisationen", 2),
    ("Wirkung messen ohne Bürokratie", 3),
    ("Lots:innen im Übergang Schule – Beruf", 0),
    ("Digitale Werkzeuge für lokale Strukturen", 1),
    ("Rassismuskritische Begleitung", 2),
    ("Förderlogiken verstehen: Anträge und Nachweise", 3),
]
WORKSHOPS_PHASE_2 = [
    ("Nachhaltige Patenschaften: Wenn das Tandem endet", 0),
    ("Hauptamt und Ehrenamt: Rollen klären", 1),
    ("Mehrsprachigkeit als Ressource", 2),
    ("Kommunen als Partnerinnen gewinnen", 3),
    ("Krisen begleiten: Selbstfürsorge für Ehrenamtliche", 0),
    ("Freiwillige gewinnen und halten", 1),
    ("Frauen* stärken: Mentoring für Geflüchtete Frauen*", 2),
    ("Forschung trifft Praxis: Ergebnisse der Begleitstudie", 3),
]


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


def _agenda(congress: Congress, rng: random.Random, *, published: bool) -> None:
    status = SessionStatus.PUBLISHED if published else SessionStatus.DRAFT
    rooms = [
        Room(
            congress_id=congress.id, name=n, capacity=c, floor=f, accessibility_notes=a, position=i
        )
        for i, (n, c, f, a) in enumerate(ROOMS)
    ]
    tracks = [Track(congress_id=congress.id, name=n, colour=c) for n, c in TRACKS]
    speakers = [
        Speaker(congress_id=congress.id, name=n, organisation=o, bio=b) for n, o, b in SPEAKERS
    ]
    db.session.add_all(rooms + tracks + speakers)
    db.session.flush()
    day1, day2 = congress.starts_on, congress.ends_on

    def add(
        day,
        start,
        end,
        title,
        kind,
        room,
        *,
        track=None,
        people=(),
        moderators=(),
        abstract="",
        signup=False,
        phase=None,
    ):
        item = AgendaSession(
            congress_id=congress.id,
            title=title,
            kind=kind,
            status=status,
            starts_at=at_local(day, start, TZ),
            ends_at=at_local(day, end, TZ),
            room_id=room.id,
            track_id=track.id if track else None,
            abstract=abstract,
            signup_required=signup,
            phase_id=phase.id if phase else None,
            capacity=min(room.capacity, 60) if signup else None,
        )
        for position, speaker in enumerate(people):
            item.speaker_links.append(
                SessionSpeaker(speaker_id=speaker.id, role="speaker", position=position)
            )
        for position, speaker in enumerate(moderators, start=len(people)):
            item.speaker_links.append(
                SessionSpeaker(speaker_id=speaker.id, role="moderator", position=position)
            )
        db.session.add(item)
        return item

    hall, saal = rooms[0], rooms[1]
    add(day1, time(9, 0), time(10, 0), "Ankommen, Anmeldung und Kaffee", SessionKind.BREAK, hall)
    add(
        day1,
        time(10, 0),
        time(11, 30),
        "Eröffnungsplenum: Zehn Jahre Menschen stärken Menschen",
        SessionKind.PLENARY,
        hall,
        people=speakers[2:4],
        moderators=[speakers[11]],
        abstract="Begrüßung durch das Bundesministerium und die Programmträger; Rückblick und Ausblick.",
    )
    add(
        day1,
        time(11, 30),
        time(12, 0),
        "Keynote: Was Patenschaften bewirken",
        SessionKind.KEYNOTE,
        hall,
        track=tracks[3],
        people=[speakers[0]],
        abstract="Ergebnisse aus fünf Jahren Begleitforschung – und was sie für die Praxis bedeuten.",
    )
    phase1 = WorkshopPhase(
        congress_id=congress.id, name="Workshop-Phase 1", day=day1, mode=PhaseMode.FIRST_COME
    )
    phase2 = WorkshopPhase(
        congress_id=congress.id,
        name="Workshop-Phase 2",
        day=day2,
        mode=PhaseMode.RANKED,
        preferences_close_at=datetime.combine(day1 - timedelta(days=7), time(23), tzinfo=UTC),
    )
    db.session.add_all([phase1, phase2])
    db.session.flush()
    workshop_rooms = rooms
    for index, (title, track) in enumerate(WORKSHOPS_PHASE_1):
        add(
            day1,
            time(13, 0),
            time(14, 30),
            title,
            SessionKind.WORKSHOP,
            workshop_rooms[index],
            track=tracks[track],
            moderators=[speakers[(index + 4) % len(speakers)]],
            signup=True,
            phase=phase1,
            abstract=f"Praxisworkshop mit Beispielen aus den lokalen Strukturen. {title} – Austausch, Methoden, nächste Schritte.",
        )
    add(day1, time(12, 0), time(13, 0), "Mittagspause", SessionKind.BREAK, saal)
    add(day1, time(14, 30), time(15, 0), "Kaffeepause", SessionKind.BREAK, saal)
    add(
        day1,
        time(15, 0),
        time(16, 30),
        "Podium: Engagement braucht verlässliche Strukturen",
        SessionKind.PANEL,
        hall,
        track=tracks[3],
        people=[speakers[1], speakers[4], speakers[8], speakers[14]],
        moderators=[speakers[3]],
        abstract="Wie gelingt langfristige Förderung? Perspektiven aus Bund, Kommune, Wissenschaft und Migrant:innenorganisationen.",
    )
    add(
        day1,
        time(16, 30),
        time(18, 0),
        "Markt der Möglichkeiten und Vernetzung",
        SessionKind.NETWORKING,
        saal,
        abstract="Die Programmträger stellen sich vor; Zeit für Gespräche.",
    )
    for index, (title, track) in enumerate(WORKSHOPS_PHASE_2):
        add(
            day2,
            time(9, 30),
            time(11, 0),
            title,
            SessionKind.WORKSHOP,
            workshop_rooms[index],
            track=tracks[track],
            moderators=[speakers[(index + 9) % len(speakers)]],
            signup=True,
            phase=phase2,
            abstract=f"{title}: Input, Fallbeispiele und gemeinsame Erarbeitung von Empfehlungen.",
        )
    add(day2, time(11, 0), time(11, 30), "Kaffeepause", SessionKind.BREAK, saal)
    add(
        day2,
        time(11, 30),
        time(12, 30),
        "Forum: Ergebnisse der Workshops",
        SessionKind.FORUM,
        hall,
        track=tracks[1],
        moderators=[speakers[11]],
        abstract="Die Workshops berichten; gemeinsame Empfehlungen.",
    )
    add(
        day2,
        time(12, 30),
        time(13, 30),
        "Abschlussplenum und Ausblick",
        SessionKind.PLENARY,
        hall,
        people=[speakers[2], speakers[5]],
        moderators=[speakers[3]],
        abstract="Zusammenfassung, Dank und Ausblick auf das nächste Programmjahr.",
    )
    db.session.flush()


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
            confirmed_at=min(created + timedelta(minutes=20), latest)
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
