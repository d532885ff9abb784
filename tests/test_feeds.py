"""Calendar feeds, read back with two independent parsers (icalendar and vobject)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import event, select, update

from conference.agenda.models import AgendaSession, Room, SessionKind, SessionStatus
from conference.attendee.mail import attachments as collect_attachments
from conference.attendee.manage import sections as collect_manage_sections
from conference.core.models import AuditLog
from conference.feeds import services
from conference.registration.models import Registration, Status
from conference.workshops.models import WorkshopSeat
from tests import factories
from tests.conftest import POSTGRES_URL

# Sunday 25 October 2026 is the last Sunday of October: Berlin goes from CEST (+2) to CET (+1).
DST_SATURDAY = date(2026, 10, 24)
DST_SUNDAY = date(2026, 10, 25)


def parse(body: bytes):
    """Both parsers must accept the text; returns (icalendar events, vobject events)."""
    calendar = icalendar.Calendar.from_ical(body)
    other = vobject.readOne(body.decode("utf-8"))
    events = list(calendar.walk("VEVENT"))
    other_events = list(getattr(other, "vevent_list", []))
    assert len(events) == len(other_events)
    return calendar, events, other_events


def by_uid(events):
    return {str(event["UID"]): event for event in events}


@pytest.fixture(autouse=True)
def _no_rendered_feeds_from_other_tests():
    services.rendered.clear()
    services.rendered_events.clear()
    yield
    services.rendered.clear()
    services.rendered_events.clear()


@pytest.fixture
def congress(db):
    return factories.congress(
        starts_on=DST_SATURDAY, days=2, slug="fk-2026", title="Fachkongress 2026"
    )


def bump(db, session: AgendaSession, **values) -> None:
    """What the agenda's edit service does to a published session: change, sequence, time."""
    db.session.execute(
        update(AgendaSession)
        .where(AgendaSession.id == session.id)
        .values(
            sequence=AgendaSession.sequence + 1,
            changed_at=datetime.now(UTC) + timedelta(seconds=5),
            **values,
        )
    )
    db.session.commit()


# --- the programme ---------------------------------------------------------------------------


def test_programme_feed_holds_published_sessions_and_parses_with_both_parsers(client, db, congress):
    room = factories.room(congress, name="Saal 1")
    speaker = factories.speaker(congress, name="Dr. Amal Haddad", organisation="BBE")
    factories.session(congress, title="Eröffnung", room_=room, speakers=[speaker])
    factories.session(congress, title="Forum A", day=DST_SUNDAY)
    factories.session(congress, title="Entwurf", status=SessionStatus.DRAFT)
    db.session.commit()

    response = client.get("/programme.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"]
    assert response.headers["Content-Disposition"] == 'inline; filename="programm.ics"'
    calendar, events, other_events = parse(response.data)
    assert sorted(str(e["SUMMARY"]) for e in events) == ["Eröffnung", "Forum A"]
    assert sorted(e.summary.value for e in other_events) == ["Eröffnung", "Forum A"]
    assert str(calendar["X-WR-CALNAME"]) == "Programm: Fachkongress 2026"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.data
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.data
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    opening = next(e for e in events if str(e["SUMMARY"]) == "Eröffnung")
    assert str(opening["UID"]) == f"session-{opening_id(db, 'Eröffnung')}@fk-2026.fachkongress"
    assert str(opening["LOCATION"]) == "Saal 1, Tagungszentrum, Uferstraße 12, 10557 Berlin"
    assert str(opening["STATUS"]) == "CONFIRMED"
    assert opening["SEQUENCE"] == 0
    assert str(opening["URL"]).startswith("http://kongress.test/")
    assert "Dr. Amal Haddad (BBE)" in str(opening["DESCRIPTION"])
    assert opening["CATEGORIES"].cats == ["Forum"]
    assert opening["DTSTAMP"].dt == opening["LAST-MODIFIED"].dt


def opening_id(db, title: str) -> int:
    return db.session.execute(
        select(AgendaSession.id).where(AgendaSession.title == title)
    ).scalar_one()


def test_times_carry_the_berlin_zone_on_both_sides_of_the_dst_change(client, db, congress):
    factories.session(congress, title="Samstag", day=DST_SATURDAY, start=time(10), end=time(11))
    factories.session(congress, title="Sonntag", day=DST_SUNDAY, start=time(10), end=time(11))
    db.session.commit()

    body = client.get("/programme.ics").data

    _, events, other_events = parse(body)
    starts = {str(e["SUMMARY"]): e["DTSTART"] for e in events}
    assert starts["Samstag"].params["TZID"] == "Europe/Berlin"
    assert starts["Sonntag"].params["TZID"] == "Europe/Berlin"
    assert starts["Samstag"].dt.hour == starts["Sonntag"].dt.hour == 10
    assert starts["Samstag"].dt.astimezone(UTC) == datetime(2026, 10, 24, 8, tzinfo=UTC)
    assert starts["Sonntag"].dt.astimezone(UTC) == datetime(2026, 10, 25, 9, tzinfo=UTC)
    # vobject reads the zone from our VTIMEZONE, not from its own database: this checks it.
    other = {e.summary.value: e.dtstart.value for e in other_events}
    assert other["Samstag"].astimezone(UTC) == datetime(2026, 10, 24, 8, tzinfo=UTC)
    assert other["Sonntag"].astimezone(UTC) == datetime(2026, 10, 25, 9, tzinfo=UTC)
    assert b"DTSTART;TZID=Europe/Berlin:20261024T100000" in body
    assert b"DTSTART;TZID=Europe/Berlin:20261025T100000" in body
    # RFC 5545 3.6.5: the observance starts at the local time before the change (03:00 CEST).
    observances = {
        (str(part.name), part["DTSTART"].dt)
        for part in icalendar.Calendar.from_ical(body).walk()
        if part.name in ("STANDARD", "DAYLIGHT")
    }
    assert ("DAYLIGHT", datetime(2026, 3, 29, 2, 0)) in observances
    assert ("STANDARD", datetime(2026, 10, 25, 3, 0)) in observances


def test_editing_a_session_raises_sequence_and_changes_the_etag_but_not_the_uid(
    client, db, congress
):
    session = factories.session(congress, title="Forum Ehrenamt")
    db.session.commit()
    first = client.get("/programme.ics")
    before = by_uid(parse(first.data)[1])

    bump(db, session, title="Forum Ehrenamt (neuer Raum)")
    second = client.get("/programme.ics", headers={"If-None-Match": first.headers["ETag"]})

    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    after = by_uid(parse(second.data)[1])
    assert list(after) == list(before)
    event = next(iter(after.values()))
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == "Forum Ehrenamt (neuer Raum)"
    assert event["LAST-MODIFIED"].dt > next(iter(before.values()))["LAST-MODIFIED"].dt


def test_unchanged_feed_answers_304_without_a_body(client, db, congress):
    factories.session(congress)
    db.session.commit()
    first = client.get("/programme.ics")

    again = client.get("/programme.ics", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, max-age=300"


def test_renaming_a_room_changes_the_etag(client, db, congress):
    room = factories.room(congress, name="Saal A")
    factories.session(congress, room_=room)
    db.session.commit()
    first = client.get("/programme.ics")

    db.session.execute(update(Room).where(Room.id == room.id).values(name="Saal B"))
    db.session.commit()
    second = client.get("/programme.ics", headers={"If-None-Match": first.headers["ETag"]})

    assert second.status_code == 200
    assert str(parse(second.data)[1][0]["LOCATION"]).startswith("Saal B, ")


def test_cancelled_session_stays_in_the_feed_as_cancelled(client, db, congress):
    session = factories.session(congress, title="Podium")
    db.session.commit()

    bump(db, session, status=SessionStatus.CANCELLED, public_change="cancelled")
    body = client.get("/programme.ics").data

    _, events, other_events = parse(body)
    assert [str(e["STATUS"]) for e in events] == ["CANCELLED"]
    assert [e.status.value for e in other_events] == ["CANCELLED"]
    assert events[0]["SEQUENCE"] == 1
    assert str(events[0]["DESCRIPTION"]).startswith("Dieser Programmpunkt entfällt.")


def test_commas_semicolons_newlines_and_non_latin_text_are_escaped_and_folded(client, db, congress):
    title = "Ankommen, bleiben; gestalten – Mentoring für Geflüchtete"
    abstract = (
        "Zeile eins, mit Komma; und Semikolon.\n"
        "Zeile zwei: Zażółć gęślą jaźń.\n"
        "مرحبا بكم في المؤتمر – برنامج الإرشاد للاجئين والمتطوعين في ألمانيا"
    )
    room = factories.room(congress, name="Raum 1; Erdgeschoss, links")
    factories.session(congress, title=title, abstract=abstract, room_=room)
    db.session.commit()

    body = client.get("/programme.ics").data

    _, events, other_events = parse(body)
    assert str(events[0]["SUMMARY"]) == title
    assert other_events[0].summary.value == title
    assert str(events[0]["DESCRIPTION"]).startswith(abstract + "\n\n")
    assert other_events[0].description.value.startswith(abstract + "\n\n")
    assert other_events[0].location.value.startswith("Raum 1; Erdgeschoss, links, ")
    unfolded = body.replace(b"\r\n ", b"")
    assert b"SUMMARY:Ankommen\\, bleiben\\; gestalten" in unfolded
    assert b"Semikolon.\\nZeile zwei" in unfolded
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long lines were folded
    for line in lines:
        line.decode("utf-8")  # never folded inside a multi-byte character


def test_filters_by_track_room_type_and_day(client, db, congress):
    track = factories.track(congress, name="Praxis")
    room = factories.room(congress, name="Saal 2")
    factories.session(congress, title="A", track_id=track.id)
    factories.session(congress, title="B", room_=room, day=DST_SUNDAY)
    factories.session(congress, title="C", kind=SessionKind.KEYNOTE)
    db.session.commit()

    def titles(query: str) -> list[str]:
        response = client.get(f"/programme.ics?{query}")
        assert response.status_code == 200
        return sorted(str(e["SUMMARY"]) for e in parse(response.data)[1])

    assert titles(f"track={track.id}") == ["A"]
    assert titles(f"room={room.id}") == ["B"]
    assert titles("type=keynote") == ["C"]
    assert titles(f"day={DST_SUNDAY.isoformat()}") == ["B"]
    assert titles(f"day={DST_SATURDAY.isoformat()}") == ["A", "C"]
    assert titles("type=keynote&type=forum") == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("track=abc", "Der Filter „track“ braucht eine Zahl"),
        ("track=999999", "Es gibt keinen Track mit der Nummer 999999."),
        ("room=999999", "Es gibt keinen Raum mit der Nummer 999999."),
        ("type=party", "Unbekannte Art von Programmpunkt „party“"),
        ("day=gestern", "Der Tag „gestern“ ist kein Datum"),
        ("day=2026-12-24", "2026-12-24 ist keiner seiner Tage"),
    ],
)
def test_unknown_filter_values_are_a_400_with_a_clear_message(client, db, congress, query, message):
    db.session.commit()

    response = client.get(f"/programme.ics?{query}")
    as_json = client.get(f"/programme.ics?{query}", headers={"Accept": "application/json"})

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert as_json.status_code == 400
    assert as_json.json["error"] == "invalid_filter"


def test_track_of_another_congress_is_unknown(client, db, congress):
    other = factories.congress(current=False)
    foreign = factories.track(other)
    db.session.commit()

    response = client.get(f"/programme.ics?track={foreign.id}")

    assert response.status_code == 400


def test_programme_feed_runs_the_same_queries_for_one_and_three_sessions(
    client, db, congress, count_queries
):
    room = factories.room(congress)
    track = factories.track(congress)
    factories.session(
        congress, room_=room, track_id=track.id, speakers=[factories.speaker(congress)]
    )
    db.session.commit()
    with count_queries() as one:
        assert client.get("/programme.ics").status_code == 200
    for _ in range(2):
        factories.session(
            congress,
            room_=factories.room(congress),
            track_id=factories.track(congress).id,
            speakers=[factories.speaker(congress), factories.speaker(congress)],
        )
    db.session.commit()

    with count_queries() as three:
        response = client.get("/programme.ics")
    validator = {"If-None-Match": response.headers["ETag"]}
    with count_queries() as remembered:
        assert client.get("/programme.ics", headers=validator).status_code == 304
    services.forget_feed_versions()
    with count_queries() as not_modified:
        assert client.get("/programme.ics", headers=validator).status_code == 304

    assert len(parse(response.data)[1]) == 3
    # the version (with the current congress), the congress, the sessions, their speakers
    assert len(one) == 4
    assert len(three) == 4
    # A poll right after this process computed the version is answered from it; otherwise
    # from ONE query: the current congress and the feed's version together.
    assert remembered == []
    assert len(not_modified) == 1
    assert not_modified[0].lstrip().startswith("WITH current_congress")


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES_URL, reason="autocommit is for PostgreSQL")
def test_on_postgresql_a_feed_poll_runs_without_begin_and_rollback(client, db, congress):
    """The feeds only read: their statements run in autocommit (each one its own snapshot, as
    in READ COMMITTED), so a poll answered 304 is one round trip, not BEGIN, query, ROLLBACK."""
    factories.session(congress, speakers=[factories.speaker(congress)])
    db.session.commit()
    etag = client.get("/programme.ics").headers["ETag"]
    db.session.rollback()
    services.forget_feed_versions()  # the poll asks the database, as the first one after a change
    modes: list[bool] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        modes.append(conn.connection.dbapi_connection.autocommit)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get("/programme.ics", headers={"If-None-Match": etag})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert response.status_code == 304
    assert modes == [True]


def test_unpublished_programme_gives_an_empty_calendar(client, db):
    congress = factories.congress()
    congress.programme_published = False
    session = factories.session(congress)
    db.session.commit()

    programme = client.get("/programme.ics")
    single = client.get(f"/sessions/{session.id}.ics")

    assert programme.status_code == 200
    assert parse(programme.data)[1] == []
    assert single.status_code == 404


def test_unpublishing_the_programme_changes_its_feed_at_the_next_poll(client, db):
    """The version's query leaves the flag out of its per-session clause; the flag is part of
    the version itself, so a poll with the published ETag gets the empty calendar."""
    congress = factories.congress()
    factories.session(congress)
    db.session.commit()
    published = client.get("/programme.ics")
    assert len(parse(published.data)[1]) == 1

    congress.programme_published = False
    db.session.commit()
    hidden = client.get("/programme.ics", headers={"If-None-Match": published.headers["ETag"]})
    congress.programme_published = True
    db.session.commit()
    again = client.get("/programme.ics", headers={"If-None-Match": hidden.headers["ETag"]})

    assert hidden.status_code == 200 and parse(hidden.data)[1] == []
    assert hidden.headers["ETag"] != published.headers["ETag"]
    assert again.status_code == 200 and len(parse(again.data)[1]) == 1
    assert again.headers["ETag"] == published.headers["ETag"]


# --- versions remembered for a few seconds ----------------------------------------------------


def _edited_elsewhere(db, session_id: int, title: str) -> None:
    """An edit by another worker: its UPDATE never passes through this process's ORM."""
    db.session.rollback()  # this test's own reads hold no lock meanwhile (SQLite)
    with db.engine.begin() as connection:
        connection.execute(
            update(AgendaSession)
            .where(AgendaSession.id == session_id)
            .values(
                title=title,
                sequence=AgendaSession.sequence + 1,
                changed_at=datetime.now(UTC) + timedelta(seconds=5),
            )
        )


def test_a_change_made_elsewhere_reaches_a_polling_calendar_within_the_cache_period(
    client, db, congress, cache_clock
):
    session = factories.session(congress, title="Alt")
    db.session.commit()
    first = client.get("/programme.ics")
    validator = {"If-None-Match": first.headers["ETag"]}

    _edited_elsewhere(db, session.id, "Neu")
    # Within the period a poll with the old validator is told "not modified" from memory...
    assert client.get("/programme.ics", headers=validator).status_code == 304
    # ...but a fetch without one is never answered from memory: it has the new text.
    full = client.get("/programme.ics")
    assert [str(e["SUMMARY"]) for e in parse(full.data)[1]] == ["Neu"]
    # That fetch computed the new version: the old validator is now out of date here.
    assert client.get("/programme.ics", headers=validator).status_code == 200


def test_a_remembered_version_expires_after_the_cache_period(client, db, congress, cache_clock):
    session = factories.session(congress, title="Alt")
    db.session.commit()
    validator = {"If-None-Match": client.get("/programme.ics").headers["ETag"]}
    _edited_elsewhere(db, session.id, "Neu")
    assert client.get("/programme.ics", headers=validator).status_code == 304

    cache_clock.now += 5.1
    changed = client.get("/programme.ics", headers=validator)

    assert changed.status_code == 200
    assert [str(e["SUMMARY"]) for e in parse(changed.data)[1]] == ["Neu"]


def test_an_edit_through_this_process_is_seen_by_its_next_poll(client, db, congress, cache_clock):
    session = factories.session(congress, title="Alt", room_=factories.room(congress))
    db.session.commit()
    validator = {"If-None-Match": client.get("/programme.ics").headers["ETag"]}
    assert client.get("/programme.ics", headers=validator).status_code == 304

    bump(db, session, title="Neu")  # an UPDATE statement through the session
    by_statement = client.get("/programme.ics", headers=validator)
    validator = {"If-None-Match": by_statement.headers["ETag"]}
    assert client.get("/programme.ics", headers=validator).status_code == 304
    db.session.get(Room, session.room_id).name = "Umbenannt"  # a flushed ORM change
    db.session.commit()
    by_flush = client.get("/programme.ics", headers=validator)

    assert by_statement.status_code == 200
    assert [str(e["SUMMARY"]) for e in parse(by_statement.data)[1]] == ["Neu"]
    assert by_flush.status_code == 200
    assert "Umbenannt" in by_flush.get_data(as_text=True)


def test_each_filter_and_language_has_its_own_remembered_version(
    client, db, congress, cache_clock, count_queries
):
    track = factories.track(congress)
    factories.session(congress, track_id=track.id)
    db.session.commit()
    urls = ["/programme.ics", f"/programme.ics?track={track.id}", "/programme.ics?lang=en"]
    validators = {url: {"If-None-Match": client.get(url).headers["ETag"]} for url in urls}

    with count_queries() as queries:
        answers = [client.get(url, headers=validators[url]).status_code for url in urls]
    crossed = client.get(urls[1], headers=validators[urls[0]])

    assert answers == [304, 304, 304]
    assert queries == []
    assert crossed.status_code == 200


def test_a_renewed_calendar_link_is_refused_at_once_even_while_its_version_is_remembered(
    client, db, congress, programme, cache_clock
):
    anna = factories.registration(congress)
    db.session.commit()
    old = f"/feeds/{anna.calendar_token}.ics"
    validator = {"If-None-Match": client.get(old).headers["ETag"]}
    anna_id = anna.id
    db.session.rollback()
    with db.engine.begin() as connection:  # renewed by another worker
        connection.execute(
            update(Registration).where(Registration.id == anna_id).values(calendar_token="z" * 43)
        )

    # A 304 from memory shows nothing; the programme itself is only ever sent after asking
    # the database, which no longer knows the link.
    assert client.get(old, headers=validator).status_code == 304
    assert client.get(old).status_code == 404
    cache_clock.now += 5.1
    assert client.get(old, headers=validator).status_code == 404


@pytest.mark.config(FEED_VERSION_CACHE_SECONDS=0)
def test_feed_version_cache_seconds_zero_asks_the_database_at_every_poll(
    client, db, congress, count_queries
):
    factories.session(congress)
    db.session.commit()
    validator = {"If-None-Match": client.get("/programme.ics").headers["ETag"]}

    with count_queries() as queries:
        for _ in range(3):
            assert client.get("/programme.ics", headers=validator).status_code == 304

    assert len(queries) == 3


# --- one session -----------------------------------------------------------------------------


def test_single_session_feed_holds_that_session(client, db, congress):
    session = factories.session(congress, title="Keynote", kind=SessionKind.KEYNOTE)
    factories.session(congress, title="Andere")
    db.session.commit()

    response = client.get(f"/sessions/{session.id}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'inline; filename="sitzung-{session.id}.ics"'
    _, events, other_events = parse(response.data)
    assert [str(e["SUMMARY"]) for e in events] == ["Keynote"]
    assert [e.uid.value for e in other_events] == [f"session-{session.id}@fk-2026.fachkongress"]
    repeat = client.get(
        f"/sessions/{session.id}.ics", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert repeat.status_code == 304


def test_draft_or_missing_session_is_a_404(client, db, congress):
    draft = factories.session(congress, status=SessionStatus.DRAFT)
    db.session.commit()

    assert client.get(f"/sessions/{draft.id}.ics").status_code == 404
    assert client.get("/sessions/999999.ics").status_code == 404


# --- the personal feed -----------------------------------------------------------------------


@pytest.fixture
def programme(db, congress):
    """Plenaries on both days, a break, and parallel workshops and a forum on Saturday."""
    phase = factories.phase(congress, day=DST_SATURDAY)
    items = {
        "opening": factories.session(
            congress, title="Eröffnung", kind=SessionKind.PLENARY, day=DST_SATURDAY
        ),
        "lunch": factories.session(
            congress,
            title="Mittagspause",
            kind=SessionKind.BREAK,
            day=DST_SATURDAY,
            start=time(12),
            end=time(13),
        ),
        "closing": factories.session(
            congress, title="Abschluss", kind=SessionKind.PLENARY, day=DST_SUNDAY
        ),
        "parallel_forum": factories.session(
            congress, title="Fachforum parallel", kind=SessionKind.FORUM, phase_id=phase.id
        ),
        "workshop_a": factories.workshop(congress, phase, title="Workshop A"),
        "workshop_b": factories.workshop(congress, phase, title="Workshop B"),
        "phase": phase,
    }
    db.session.commit()
    return items


def seat(db, registration: Registration, workshop: AgendaSession) -> None:
    db.session.add(
        WorkshopSeat(
            registration_id=registration.id, phase_id=workshop.phase_id, session_id=workshop.id
        )
    )
    db.session.commit()


def test_personal_feed_has_the_plenaries_of_my_days_and_my_workshop_only(
    client, db, congress, programme
):
    anna = factories.registration(congress, days=[DST_SATURDAY], first_name="Anna")
    ben = factories.registration(congress, first_name="Ben")
    db.session.commit()
    seat(db, anna, programme["workshop_a"])
    seat(db, ben, programme["workshop_b"])

    mine = client.get(f"/feeds/{anna.calendar_token}.ics")
    his = client.get(f"/feeds/{ben.calendar_token}.ics")

    assert mine.status_code == 200
    assert mine.headers["Cache-Control"] == "private, max-age=300"
    assert mine.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, events, _ = parse(mine.data)
    assert sorted(str(e["SUMMARY"]) for e in events) == ["Eröffnung", "Workshop A"]
    assert str(calendar["X-WR-CALNAME"]) == "Mein Programm: Fachkongress 2026"
    assert sorted(str(e["SUMMARY"]) for e in parse(his.data)[1]) == [
        "Abschluss",
        "Eröffnung",
        "Workshop B",
    ]


def test_personal_feed_has_the_sessions_i_speak_in_whatever_the_day(
    client, db, congress, programme
):
    anna = factories.registration(congress, days=[DST_SATURDAY])
    me = factories.speaker(congress, name="Anna Muster", registration_id=anna.id)
    factories.session(
        congress, title="Mein Vortrag", kind=SessionKind.WORKSHOP, day=DST_SUNDAY, speakers=[me]
    )
    db.session.commit()

    response = client.get(f"/feeds/{anna.calendar_token}.ics")

    assert sorted(str(e["SUMMARY"]) for e in parse(response.data)[1]) == [
        "Eröffnung",
        "Mein Vortrag",
    ]


def test_personal_feed_answers_304_and_changes_when_my_workshop_moves(
    client, db, congress, programme
):
    anna = factories.registration(congress)
    db.session.commit()
    seat(db, anna, programme["workshop_a"])
    url = f"/feeds/{anna.calendar_token}.ics"
    first = client.get(url)

    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    bump(db, programme["workshop_a"], room_id=factories.room(congress, name="Raum 9").id)
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    workshop = by_uid(parse(changed.data)[1])[
        f"session-{programme['workshop_a'].id}@fk-2026.fachkongress"
    ]
    assert workshop["SEQUENCE"] == 1
    assert str(workshop["LOCATION"]).startswith("Raum 9, ")


def test_personal_feed_of_a_cancelled_registration_is_empty(client, db, congress, programme):
    anna = factories.registration(congress, status=Status.CANCELLED)
    db.session.commit()

    response = client.get(f"/feeds/{anna.calendar_token}.ics")

    assert response.status_code == 200
    assert parse(response.data)[1] == []


def test_unknown_malformed_and_anonymised_tokens_get_the_same_404(client, db, congress):
    gone = factories.registration(congress, anonymised_at=datetime.now(UTC))
    db.session.commit()

    never = client.get(f"/feeds/{'x' * 43}.ics")
    malformed = client.get("/feeds/nonsense.ics")
    anonymised = client.get(f"/feeds/{gone.calendar_token}.ics")

    def page(answer, path: str) -> str:
        # The pages differ only where they echo the requested path (the language switch) and in
        # the signed CSRF token, which carries the second it was made in.
        text = answer.get_data(as_text=True).replace(path, "T")
        return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", text)

    assert never.status_code == malformed.status_code == anonymised.status_code == 404
    assert page(never, "x" * 43) == page(anonymised, gone.calendar_token)
    assert page(never, "x" * 43) == page(malformed, "nonsense")
    assert "Dieser Kalender-Link ist nicht (mehr) gültig." in never.get_data(as_text=True)


def test_resetting_the_calendar_link_makes_the_old_one_a_404(client, db, congress, programme):
    anna = factories.registration(congress)
    db.session.commit()
    old = anna.calendar_token

    response = client.post(f"/r/{anna.manage_token}/calendar/reset")

    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.get(Registration, anna.id).calendar_token
    assert new != old
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    entry = db.session.execute(select(AuditLog)).scalar_one()
    assert (entry.action, entry.object_id, entry.actor) == (
        "registration.calendar_token_reset",
        anna.id,
        "attendee",
    )
    assert old not in str(entry.details) and new not in str(entry.details)


def test_reset_with_an_unknown_manage_token_is_a_404_and_changes_nothing(client, db, congress):
    anna = factories.registration(congress)
    db.session.commit()
    token = anna.calendar_token

    response = client.post(f"/r/{'y' * 43}/calendar/reset")

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, anna.id).calendar_token == token


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_reset_without_csrf_token_is_refused(client, db, congress):
    anna = factories.registration(congress)
    db.session.commit()

    response = client.post(f"/r/{anna.manage_token}/calendar/reset")

    assert response.status_code == 400


def test_personal_feed_runs_the_same_queries_for_one_and_three_workshops(
    client, db, congress, count_queries
):
    anna = factories.registration(congress)
    phases = [factories.phase(congress, day=DST_SATURDAY) for _ in range(3)]
    workshops = [
        factories.workshop(congress, phase, speakers=[factories.speaker(congress)])
        for phase in phases
    ]
    db.session.commit()
    seat(db, anna, workshops[0])
    url = f"/feeds/{anna.calendar_token}.ics"
    with count_queries() as one:
        assert len(parse(client.get(url).data)[1]) == 1
    seat(db, anna, workshops[1])
    seat(db, anna, workshops[2])

    with count_queries() as three:
        assert len(parse(client.get(url).data)[1]) == 3

    assert len(one) == 4
    assert len(three) == 4


# --- the pages and the mail ------------------------------------------------------------------


def test_confirmation_mail_carries_the_personal_programme(app, db, congress, programme):
    anna = factories.registration(congress, days=[DST_SUNDAY])
    db.session.commit()

    with app.test_request_context():
        attachments = collect_attachments(anna, "registration.confirmed")
        others = collect_attachments(anna, "registration.cancelled")

    calendars = [
        (name, mimetype, data) for name, mimetype, data in attachments if name.endswith(".ics")
    ]
    assert [(name, mimetype) for name, mimetype, _ in calendars] == [
        ("programm.ics", "text/calendar")
    ]
    assert [str(e["SUMMARY"]) for e in parse(calendars[0][2])[1]] == ["Abschluss"]
    assert others == []


def test_manage_page_section_offers_webcal_https_and_reset(app, db, congress):
    anna = factories.registration(congress)
    db.session.commit()

    with app.test_request_context():
        html = "".join(collect_manage_sections(anna))

    https = f"http://kongress.test/feeds/{anna.calendar_token}.ics"
    assert f'href="webcal://kongress.test/feeds/{anna.calendar_token}.ics"' in html
    assert f'value="{https}"' in html
    assert f'action="/r/{anna.manage_token}/calendar/reset"' in html
    assert "Kalender-Link erneuern" in html


def test_calendar_page_explains_subscribing_and_builds_filtered_links(client, db, congress):
    track = factories.track(congress, name="Praxis")
    db.session.commit()

    page = client.get("/calendar")
    filtered = client.get(f"/calendar?track={track.id}&day={DST_SUNDAY.isoformat()}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="webcal://kongress.test/programme.ics"' in html
    assert 'value="http://kongress.test/programme.ics"' in html
    for app_name in ("Outlook", "Google Kalender", "Apple Kalender", "Thunderbird"):
        assert app_name in html
    assert "style=" not in html and "<script>" not in html
    assert (
        f"webcal://kongress.test/programme.ics?track={track.id}&amp;day=2026-10-25"
        in filtered.get_data(as_text=True)
    )
    bad = client.get("/calendar?track=999")
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.get_data(as_text=True)


@pytest.mark.browser
@pytest.mark.config(PUBLIC_BASE_URL="http://kongress.test")
def test_copy_button_puts_the_feed_link_on_the_clipboard(db, congress, new_page):
    db.session.commit()
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    errors = []
    page.on("pageerror", lambda error: errors.append(error))

    page.goto("/calendar")
    page.get_by_role("button", name="Link kopieren").click()

    page.get_by_text("Link kopiert.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == "http://kongress.test/programme.ics"
    assert errors == []
