"""The iCalendar text of a feed."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vDuration, vText

from conference.agenda.labels import KIND_LABELS
from conference.agenda.models import AgendaSession, SessionStatus, Speaker
from conference.core.mail import public_url_adapter
from conference.core.models import Congress
from conference.feeds.selection import FORMAT_VERSION, REFRESH
from conference.feeds.versions import _congress_fingerprint, rendered_events


class _Links:
    """Absolute URLs for many events without a request context per URL."""

    def __init__(self):
        self.adapter = public_url_adapter()
        self.has_detail = "agenda.session_detail" in current_app.view_functions
        fallback = "agenda.programme" if "agenda.programme" in current_app.view_functions else None
        self.programme = (
            self.adapter.build(fallback, {}, force_external=True)
            if fallback
            else self.adapter.build("feeds.help", {}, force_external=True)
        )

    def session(self, session_id: int) -> str:
        if self.has_detail:
            return self.adapter.build(
                "agenda.session_detail", {"session_id": session_id}, force_external=True
            )
        return self.programme


def uid(session: AgendaSession, congress: Congress) -> str:
    """Stable forever: neither the title nor the time is part of it."""
    return f"session-{session.id}@{congress.slug}.fachkongress"


def vtimezone(tz: str, first: date, last: date) -> Timezone:
    """A VTIMEZONE for ``tz`` from zoneinfo, covering ``first`` to ``last``.

    Each observance starts at the local wall-clock time *before* the change (RFC 5545 3.6.5:
    DTSTART is read with TZOFFSETFROM), e.g. 02:00 for the spring change in Berlin.
    """
    zone = ZoneInfo(tz)
    component = Timezone()
    component.add("TZID", tz)
    component.add("X-LIC-LOCATION", tz)

    def offset(second: int) -> timedelta:
        return datetime.fromtimestamp(second, zone).utcoffset()

    cursor = int(datetime.combine(first, time(0), tzinfo=UTC).timestamp())
    end = int(datetime.combine(last, time(0), tzinfo=UTC).timestamp())
    start = datetime.fromtimestamp(cursor, zone)
    observances = [(cursor, start.utcoffset(), start.utcoffset(), start)]
    step = 6 * 3600  # zones change at most twice a year, never twice within six hours
    while cursor < end:
        probe = cursor + step
        if offset(probe) != offset(cursor):
            low, high = cursor, probe  # bisect to the second of the change
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == offset(low):
                    low = middle
                else:
                    high = middle
            observances.append(
                (high, offset(low), offset(high), datetime.fromtimestamp(high, zone))
            )
        cursor = probe
    for instant, offset_from, offset_to, local_after in observances:
        part = TimezoneDaylight() if local_after.dst() else TimezoneStandard()
        part.add("TZNAME", local_after.tzname())
        part.add("TZOFFSETFROM", offset_from)
        part.add("TZOFFSETTO", offset_to)
        local_before = datetime.fromtimestamp(instant, UTC) + offset_from
        part.add("DTSTART", local_before.replace(tzinfo=None))
        component.add_component(part)
    return component


def _location(session: AgendaSession, congress: Congress) -> str:
    parts = []
    if session.room is not None:
        parts.append(session.room.name)
        if session.room.floor:
            parts.append(session.room.floor)
    parts += [congress.venue_name, congress.venue_address]
    if congress.venue_city and congress.venue_city not in congress.venue_address:
        parts.append(congress.venue_city)
    return ", ".join(part for part in parts if part)


def _description(session: AgendaSession, link: str) -> str:
    blocks = []
    if session.status == SessionStatus.CANCELLED:
        blocks.append(_("This session has been cancelled."))
    if session.abstract:
        blocks.append(session.abstract.strip())
    speakers = [
        _speaker_label(item.speaker) for item in session.speaker_links if item.role != "moderator"
    ]
    moderators = [
        _speaker_label(item.speaker) for item in session.speaker_links if item.role == "moderator"
    ]
    people = []
    if speakers:
        people.append(_("Speakers: %(names)s", names="; ".join(speakers)))
    if moderators:
        people.append(_("Moderation: %(names)s", names="; ".join(moderators)))
    if people:
        blocks.append("\n".join(people))
    blocks.append(link)
    return "\n\n".join(blocks)


def _speaker_label(speaker: Speaker) -> str:
    return f"{speaker.name} ({speaker.organisation})" if speaker.organisation else speaker.name


def build_calendar(
    congress: Congress, sessions: list[AgendaSession], *, name: str, description: str
) -> bytes:
    """The RFC 5545 text of a feed; icalendar does the escaping and the folding."""
    zone = ZoneInfo(congress.timezone)
    links = _Links()
    calendar = Calendar()
    calendar.add("PRODID", "-//BBE Fachkongress//Kongress-App//DE")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("DESCRIPTION", description)
    calendar.add("X-WR-CALDESC", description)
    calendar.add("X-WR-TIMEZONE", congress.timezone)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    years = [congress.starts_on.year, congress.ends_on.year]
    years += [s.starts_at.year for s in sessions[:1]] + [s.ends_at.year for s in sessions[-1:]]
    calendar.add_component(
        vtimezone(congress.timezone, date(min(years), 1, 1), date(max(years) + 1, 1, 1))
    )
    frame = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert frame.endswith(end)
    events = [_event_text(session, congress, zone, links) for session in sessions]
    return frame[: -len(end)] + b"".join(events) + end


def _event_text(session: AgendaSession, congress: Congress, zone: ZoneInfo, links: _Links) -> bytes:
    """One VEVENT's text, reused while nothing it is built from has changed.

    After an agenda edit the whole feed has a new version, but only one event is different:
    the key below holds every input of the event (not just its SEQUENCE, so a change that
    forgot to bump it still shows), and the other 299 events are taken as they were.
    """
    key = hashlib.blake2b(
        repr(
            (
                FORMAT_VERSION,
                session.id,
                session.title,
                session.abstract,
                session.language,
                session.kind,
                session.status,
                session.starts_at,
                session.ends_at,
                session.created_at,
                session.changed_at,
                session.sequence,
                (session.room.name, session.room.floor) if session.room else None,
                session.track.name if session.track else None,
                [(i.role, i.speaker.name, i.speaker.organisation) for i in session.speaker_links],
                _congress_fingerprint(congress),
                links.session(session.id),
                str(get_locale()),
            )
        ).encode(),
        digest_size=16,
    ).hexdigest()
    reuse = current_app.config.get("FEEDS_REUSE_RENDERED", True)
    text = rendered_events.get(key) if reuse else None
    if text is None:
        text = _event(session, congress, zone, links).to_ical()
        if reuse:
            rendered_events.put(key, text)
    return text


def _event(session: AgendaSession, congress: Congress, zone: ZoneInfo, links: _Links) -> Event:
    link = links.session(session.id)
    event = Event()
    event.add("UID", uid(session, congress))
    event.add("DTSTAMP", session.changed_at)
    event.add("CREATED", session.created_at)
    event.add("LAST-MODIFIED", session.changed_at)
    event.add("SEQUENCE", session.sequence)
    event.add("DTSTART", session.starts_at.astimezone(zone))
    event.add("DTEND", session.ends_at.astimezone(zone))
    event.add("SUMMARY", session.title)
    event.add("DESCRIPTION", _description(session, link))
    location = _location(session, congress)
    if location:
        event.add("LOCATION", location)
    event.add("URL", link)
    categories = [str(KIND_LABELS.get(session.kind, session.kind))]
    if session.track is not None:
        categories.append(session.track.name)
    event.add("CATEGORIES", [vText(c) for c in categories])
    cancelled = session.status == SessionStatus.CANCELLED
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("CLASS", "PUBLIC")
    if session.language:
        event.add("X-SESSION-LANGUAGE", session.language)
    return event
