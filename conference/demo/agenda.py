"""The demo congress's agenda: rooms, tracks, speakers, sessions, workshop phases."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from conference.agenda.models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    Speaker,
    Track,
)
from conference.core.models import Congress
from conference.core.time import at_local
from conference.demo.data import ROOMS, SPEAKERS, TRACKS, TZ, WORKSHOPS_PHASE_1, WORKSHOPS_PHASE_2
from conference.extensions import db
from conference.workshops.models import PhaseMode, WorkshopPhase


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
