"""Agenda: rooms, sessions, conflicts, the builder's JSON endpoint, the public programme."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from conference.agenda import services
from conference.agenda.models import AgendaSession, Room, SessionKind, SessionStatus, Speaker
from conference.core.models import AuditLog
from conference.core.signals import session_changed
from tests import factories

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#0b4f7c").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def congress(db):
    row = factories.congress(expected_attendees=100)
    db.session.commit()
    return row


# --- services: conflicts and changes ----------------------------------------------------------


def test_a_room_cannot_be_booked_twice_at_once(db, congress):
    room = factories.room(congress, name="Saal A")
    factories.session(congress, title="Eröffnung", room_=room, start=time(10), end=time(11))
    db.session.commit()
    day = congress.starts_on
    data = services.SessionInput(
        title="Zweiter Vortrag",
        starts_at=services.local_instant(day, time(10, 30), congress),
        ends_at=services.local_instant(day, time(11, 30), congress),
        room_id=room.id,
    )

    with pytest.raises(services.SessionConflict) as refused:
        services.create_session(congress, data, actor=None, now=NOW)

    assert "Saal A" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(AgendaSession.id))) == 1


def test_a_speaker_cannot_be_in_two_sessions_at_once(db, congress):
    person = factories.speaker(congress, name="Dr. Leyla Aydın")
    factories.session(congress, title="Podium", start=time(14), end=time(15), speakers=[person])
    other = factories.session(congress, title="Workshop", start=time(9), end=time(10))

    with pytest.raises(services.SessionConflict) as refused:
        data = services._input_of(other)
        data.speaker_ids = [person.id]
        data.starts_at = services.local_instant(congress.starts_on, time(14, 30), congress)
        data.ends_at = services.local_instant(congress.starts_on, time(15, 30), congress)
        services.update_session(other, data, actor=None, now=NOW)

    assert "Leyla Aydın" in refused.value.message


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (time(7), time(8, 30), "outside_opening_hours"),
        (time(19, 30), time(20, 30), "outside_opening_hours"),
    ],
)
def test_sessions_outside_the_venue_hours_are_refused(db, congress, start, end, code):
    data = services.SessionInput(
        title="Frühstück",
        starts_at=services.local_instant(congress.starts_on, start, congress),
        ends_at=services.local_instant(congress.starts_on, end, congress),
    )

    with pytest.raises(services.SessionConflict) as refused:
        services.create_session(congress, data, actor=None, now=NOW)

    assert refused.value.details["problems"][0]["code"] == code


def test_a_session_after_the_congress_days_is_refused(db, congress):
    day = congress.ends_on + timedelta(days=1)
    data = services.SessionInput(
        title="Nachlese",
        starts_at=services.local_instant(day, time(10), congress),
        ends_at=services.local_instant(day, time(11), congress),
    )

    with pytest.raises(services.SessionConflict) as refused:
        services.create_session(congress, data, actor=None, now=NOW)

    assert refused.value.details["problems"][0]["code"] == "outside_congress_days"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ends_at": "before"}, "ends_before_start"),
        ({"abstract": "x" * 5001}, "abstract_too_long"),
        ({"room_id": 99999}, "unknown_room"),
        ({"kind": "party"}, "unknown_kind"),
        ({"title": "  "}, "title_missing"),
    ],
)
def test_bad_session_input_is_refused_with_a_clear_code(db, congress, change, code):
    values = {
        "title": "Forum",
        "starts_at": services.local_instant(congress.starts_on, time(10), congress),
        "ends_at": services.local_instant(congress.starts_on, time(11), congress),
    }
    if change.get("ends_at") == "before":
        change = {"ends_at": values["starts_at"] - timedelta(minutes=15)}
    values.update(change)

    with pytest.raises(services.Invalid) as refused:
        services.create_session(congress, services.SessionInput(**values), actor=None, now=NOW)

    assert refused.value.code == code


def test_capacity_larger_than_the_room_is_refused(db, congress):
    room = factories.room(congress, name="Raum 3", capacity=20)
    data = services.SessionInput(
        title="Workshop",
        starts_at=services.local_instant(congress.starts_on, time(10), congress),
        ends_at=services.local_instant(congress.starts_on, time(11), congress),
        room_id=room.id,
        capacity=25,
    )

    with pytest.raises(services.SessionConflict) as refused:
        services.create_session(congress, data, actor=None, now=NOW)

    assert refused.value.details["problems"][0]["code"] == "capacity_exceeds_room"


def test_conflicts_lists_hard_ones_from_elsewhere_and_a_short_workshop_phase(db, congress):
    room = factories.room(congress, name="Saal B", capacity=80)
    factories.session(congress, title="A", room_=room, start=time(10), end=time(11))
    factories.session(congress, title="B", room_=room, start=time(10, 30), end=time(12))
    phase = factories.phase(congress, name="Workshopphase 1")
    factories.workshop(congress, phase, capacity=30, title="W1")
    factories.workshop(congress, phase, capacity=30, title="W2")

    hard, soft = services.conflicts(congress)

    assert [c["code"] for c in hard] == ["room_double_booked"]
    assert [c["code"] for c in soft] == ["phase_seats_short"]
    assert "60" in soft[0]["message"] and "100" in soft[0]["message"]


def test_publishing_is_blocked_while_hard_conflicts_remain(db, congress):
    room = factories.room(congress, name="Saal C", capacity=10)
    factories.session(
        congress, title="Zu groß", room_=room, capacity=50, status=SessionStatus.DRAFT
    )

    with pytest.raises(services.PublishBlocked):
        services.publish_programme(congress, actor=None, now=NOW)

    room.capacity = 60
    assert services.publish_programme(congress, actor=None, now=NOW) == 1


def test_moving_a_published_session_bumps_sequence_marks_it_and_tells_the_feeds(db, congress):
    first = factories.room(congress, name="Saal 1")
    second = factories.room(congress, name="Saal 2")
    item = factories.session(congress, title="Podium", room_=first)
    received = []

    def receiver(sender, **kwargs):
        received.append((sender.id, kwargs["fields"], kwargs["now"]))

    session_changed.connect(receiver)
    try:
        services.place_session(
            item, day=congress.starts_on, start=time(10), room_id=second.id, actor=None, now=NOW
        )
    finally:
        session_changed.disconnect(receiver)

    assert (item.sequence, item.public_change, item.changed_at) == (1, "room", NOW)
    assert received == [(item.id, {"room_id"}, NOW)]
    entry = db.session.scalars(select(AuditLog).where(AuditLog.object_id == item.id)).one()
    assert entry.action == "agenda.session_updated"
    assert entry.details["fields"] == ["room_id"]


def test_a_draft_changes_without_bumping_the_sequence(db, congress):
    item = factories.session(congress, status=SessionStatus.DRAFT)

    services.place_session(item, day=congress.starts_on, start=time(12), actor=None, now=NOW)

    assert (item.sequence, item.public_change) == (0, "")
    assert services.local_clock(item.ends_at, congress) == time(13)


def test_cancelling_keeps_the_session_and_marks_it(db, congress):
    item = factories.session(congress, title="Podium")

    services.cancel_session(item, actor=None, now=NOW)

    assert (item.status, item.sequence, item.public_change) == ("cancelled", 1, "cancelled")
    assert [i.id for i in services.programme_items(congress)] == [item.id]
    assert services.programme_json(congress) == []


def test_moves_snap_to_a_quarter_hour(db, congress):
    item = factories.session(congress, status=SessionStatus.DRAFT)

    services.place_session(
        item, day=congress.starts_on, start=time(10, 8), end=time(11, 53), actor=None, now=NOW
    )

    assert services.local_clock(item.starts_at, congress) == time(10, 15)
    assert services.local_clock(item.ends_at, congress) == time(12, 0)


def test_copy_skeleton_takes_rooms_tracks_and_slots_without_people(db, congress):
    room = factories.room(congress, name="Großer Saal", capacity=400, floor="EG")
    track = factories.track(congress, name="Ehrenamt", colour="#aa3300")
    person = factories.speaker(congress)
    factories.session(
        congress,
        title="Mittagspause",
        kind=SessionKind.BREAK,
        room_=room,
        track_id=track.id,
        day=congress.ends_on,
        start=time(12, 30),
        end=time(13, 30),
        speakers=[person],
        abstract="Suppe",
    )
    new = factories.congress(starts_on=congress.starts_on + timedelta(days=365), current=False)

    count = services.copy_skeleton(congress, new, actor=None, now=NOW)

    copied = db.session.scalars(
        select(AgendaSession).where(AgendaSession.congress_id == new.id)
    ).one()
    assert count == 1
    assert (copied.title, copied.kind, copied.status, copied.abstract) == (
        "Mittagspause",
        "break",
        "draft",
        "",
    )
    assert services.local_day(copied.starts_at, new) == new.ends_on
    assert services.local_clock(copied.starts_at, new) == time(12, 30)
    assert copied.speaker_links == []
    assert copied.room.name == "Großer Saal" and copied.room.congress_id == new.id
    with pytest.raises(services.Conflict):
        services.copy_skeleton(congress, new, actor=None, now=NOW)


# --- speakers and photos ----------------------------------------------------------------------


def test_speaker_photo_upload_is_checked_and_served_with_its_type(db, congress, staff_client):
    client = staff_client("organiser")

    response = client.post(
        "/admin/agenda/speakers/new",
        data={
            "name": "Amira Haddad",
            "organisation": "Caritas",
            "photo": (io.BytesIO(_png()), "a.png"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    speaker = db.session.scalars(select(Speaker)).one()
    photo = client.get(f"/speakers/{speaker.id}/photo")
    assert (photo.status_code, photo.mimetype, photo.data) == (200, "image/png", _png())


@pytest.mark.parametrize(
    "payload",
    [
        b"<?php echo 1; ?>",
        b"\x89PNG\r\n\x1a\n" + b"broken" * 10,
        b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024),
    ],
)
def test_a_photo_that_is_not_a_small_image_is_refused(db, congress, staff_client, payload):
    client = staff_client("organiser")

    response = client.post(
        "/admin/agenda/speakers/new",
        data={"name": "Amira Haddad", "photo": (io.BytesIO(payload), "x.jpg")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert "Foto" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Speaker.id))) == 0


def test_rooms_are_created_and_a_duplicate_name_is_refused(db, congress, staff_client):
    client = staff_client("organiser")
    form = {
        "name": "Saal Berlin",
        "capacity": "120",
        "floor": "1. OG",
        "accessibility_notes": "Aufzug",
    }

    first = client.post("/admin/agenda/rooms/new", data=form)
    second = client.post("/admin/agenda/rooms/new", data=form)

    assert first.status_code == 302
    assert second.status_code == 400
    assert db.session.scalar(select(func.count(Room.id))) == 1


# --- builder: JSON endpoint and form ----------------------------------------------------------


def test_builder_shows_the_grid_and_the_conflicts(db, congress, staff_client):
    room = factories.room(congress, name="Saal Köln", capacity=10)
    factories.session(congress, title="Zu voll", room_=room, capacity=30)
    db.session.commit()
    client = staff_client("organiser")

    page = client.get("/admin/agenda").get_data(as_text=True)

    assert "Saal Köln" in page and "Zu voll" in page
    assert 'class="conflict-hard"' in page
    assert "data-agenda-grid" in page


def test_dropping_a_block_saves_it_and_answers_the_new_state(db, congress, staff_client):
    first = factories.room(congress, name="Saal 1")
    second = factories.room(congress, name="Saal 2")
    item = factories.session(congress, title="Forum", room_=first, start=time(10), end=time(11))
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        f"/admin/agenda/sessions/{item.id}/place",
        json={"day": congress.starts_on.isoformat(), "start": "14:00", "room_id": second.id},
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["session"]["start"], body["session"]["end"]) == ("14:00", "15:00")
    assert body["session"]["room_id"] == second.id
    assert body["session"]["sequence"] == 1
    assert body["conflicts"] == {"hard": [], "soft": []}
    db.session.expire_all()
    assert db.session.get(AgendaSession, item.id).room_id == second.id


def test_a_refused_move_answers_409_with_the_reason_and_changes_nothing(db, congress, staff_client):
    room = factories.room(congress, name="Saal 1")
    factories.session(congress, title="Belegt", room_=room, start=time(14), end=time(15))
    item = factories.session(congress, title="Forum", room_=room, start=time(10), end=time(11))
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        f"/admin/agenda/sessions/{item.id}/place",
        json={"day": congress.starts_on.isoformat(), "start": "14:30"},
    )

    assert response.status_code == 409
    assert response.get_json()["error"] == "session_conflict"
    assert "Belegt" in response.get_json()["message"]
    db.session.expire_all()
    stored = db.session.get(AgendaSession, item.id)
    assert (services.local_clock(stored.starts_at, congress), stored.sequence) == (time(10), 0)


@pytest.mark.parametrize(
    "body",
    [
        {"day": "2026-13-45", "start": "10:00"},
        {"day": "1999-01-01", "start": "10:00"},
        {"day": None, "start": "10:00"},
        {"start": "25:99"},
        {"start": "11:00", "end": "10:00"},
        {"start": "10:00", "room_id": 99999},
        {"start": "10:00", "room_id": "Saal"},
        [1, 2, 3],
    ],
)
def test_bad_builder_requests_answer_400_json(db, congress, staff_client, body):
    item = factories.session(congress, start=time(9), end=time(10))
    db.session.commit()
    client = staff_client("organiser")
    if isinstance(body, dict):
        body.setdefault("day", congress.starts_on.isoformat())

    response = client.post(f"/admin/agenda/sessions/{item.id}/place", json=body)

    assert response.status_code == 400
    assert set(response.get_json()) == {"error", "message"}


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_the_builder_endpoint_needs_the_csrf_token(db, congress, staff_client):
    item = factories.session(congress)
    db.session.commit()
    client = staff_client("organiser")

    refused = client.post(
        f"/admin/agenda/sessions/{item.id}/place",
        json={"day": congress.starts_on.isoformat(), "start": "12:00"},
    )
    page = client.get("/admin/agenda").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    accepted = client.post(
        f"/admin/agenda/sessions/{item.id}/place",
        json={"day": congress.starts_on.isoformat(), "start": "12:00"},
        headers={"X-CSRFToken": token},
    )

    assert refused.status_code == 400
    assert accepted.status_code == 200


def test_builder_is_not_for_door_staff(db, congress, staff_client):
    assert staff_client("checkin").get("/admin/agenda").status_code == 403


def test_builder_asks_anonymous_visitors_to_log_in(db, congress, client):
    assert client.get("/admin/agenda").status_code == 302


def test_the_plain_form_creates_a_session_with_speakers(db, congress, staff_client):
    room = factories.room(congress, name="Saal 1", capacity=40)
    person = factories.speaker(congress, name="Jana Nowak")
    host = factories.speaker(congress, name="Olu Adeyemi")
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        "/admin/agenda/sessions/new",
        data={
            "title": "Patenschaften gestalten",
            "kind": "workshop",
            "abstract": "Wie Pat:innen und Mentees zusammenfinden.",
            "language": "de",
            "day": congress.starts_on.isoformat(),
            "start": "13:00",
            "end": "14:30",
            "room_id": str(room.id),
            "track_id": "",
            "phase_id": "",
            "signup_required": "y",
            "speaker_ids": [str(person.id)],
            "moderator_ids": [str(host.id)],
        },
    )

    assert response.status_code == 302
    item = db.session.scalars(select(AgendaSession)).one()
    assert (item.status, item.signup_required, item.room_id) == ("draft", True, room.id)
    assert [(ln.speaker.name, ln.role) for ln in item.speaker_links] == [
        ("Jana Nowak", "speaker"),
        ("Olu Adeyemi", "moderator"),
    ]


def test_the_plain_form_shows_a_conflict_and_stores_nothing(db, congress, staff_client):
    room = factories.room(congress, name="Saal 1")
    factories.session(congress, title="Schon da", room_=room, start=time(10), end=time(11))
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        "/admin/agenda/sessions/new",
        data={
            "title": "Neu",
            "kind": "forum",
            "language": "de",
            "day": congress.starts_on.isoformat(),
            "start": "10:30",
            "end": "10:00",
            "room_id": str(room.id),
        },
    )

    assert response.status_code == 400
    assert "nach dem Beginn" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AgendaSession.id))) == 1


def test_door_sign_lists_the_rooms_sessions_of_the_day(db, congress, staff_client):
    room = factories.room(congress, name="Saal Hamburg", accessibility_notes="Rampe am Eingang")
    person = factories.speaker(congress, name="Şebnem Yılmaz")
    factories.session(
        congress, title="Begrüßung", room_=room, start=time(9), end=time(10), speakers=[person]
    )
    factories.session(
        congress,
        title="Entwurf",
        room_=room,
        status=SessionStatus.DRAFT,
        start=time(11),
        end=time(12),
    )
    db.session.commit()

    response = staff_client("organiser").get(
        f"/admin/agenda/rooms/{room.id}/door-sign.pdf?day={congress.starts_on.isoformat()}"
    )

    text = _pdf_text(response.data)
    assert response.mimetype == "application/pdf"
    assert "Saal Hamburg" in text and "Begrüßung" in text and "Şebnem Yılmaz" in text
    assert "Entwurf" not in text and "Rampe am Eingang" in text


# --- public programme ---------------------------------------------------------------------------


def _agenda(congress, count: int):
    rooms = [factories.room(congress, name=f"Saal {n}", capacity=100) for n in range(3)]
    tracks = [factories.track(congress, name=f"Thema {n}") for n in range(2)]
    people = [factories.speaker(congress, name=f"Person {n}") for n in range(4)]
    for n in range(count):
        day = congress.starts_on + timedelta(days=n % 2)
        slot = (n // 6) % 40
        start = datetime.combine(day, time(8)) + timedelta(minutes=15 * slot)
        factories.session(
            congress,
            title=f"Programmpunkt {n}",
            day=day,
            start=start.time(),
            end=(start + timedelta(minutes=15)).time(),
            room_=rooms[n % 3],
            track_id=tracks[n % 2].id,
            speakers=[people[n % 4]],
            signup_required=n % 5 == 0,
        )


@pytest.mark.parametrize("count", [1, 3])
def test_programme_page_runs_a_constant_number_of_queries(
    db, congress, client, count_queries, count
):
    _agenda(congress, count)
    db.session.commit()

    with count_queries() as queries:
        response = client.get("/programme")

    assert response.status_code == 200
    assert len(queries) == 6  # incl. the organising body (header)


@pytest.mark.parametrize("count", [1, 3])
def test_programme_json_runs_a_constant_number_of_queries(
    db, congress, client, count_queries, count
):
    _agenda(congress, count)
    db.session.commit()

    with count_queries() as queries:
        response = client.get("/programme.json")

    assert len(response.get_json()) == count
    assert len(queries) == 3


def test_programme_with_300_sessions_stays_within_5_queries(db, congress, client, count_queries):
    _agenda(congress, 300)
    db.session.commit()

    with count_queries() as page_queries:
        page = client.get("/programme")
    with count_queries() as json_queries:
        data = client.get("/programme.json").get_json()

    assert (
        page.status_code == 200
        and page.get_data(as_text=True).count('class="programme-item') == 300
    )
    assert len(data) == 300
    assert (len(page_queries), len(json_queries)) == (6, 3)  # the page: + the organising body


def test_programme_json_follows_the_contract(db, congress, client):
    room = factories.room(congress, name="Saal Europa", capacity=40)
    track = factories.track(congress, name="Integration")
    person = factories.speaker(congress, name="Mina Rahimi")
    workshop = factories.session(
        congress,
        title="Mentoring in der Praxis",
        kind=SessionKind.WORKSHOP,
        room_=room,
        track_id=track.id,
        speakers=[person],
        signup_required=True,
        seats_taken=15,
        start=time(13),
        end=time(14, 30),
    )
    factories.session(congress, title="Geheim", status=SessionStatus.DRAFT)
    db.session.commit()

    data = client.get("/programme.json").get_json()

    day = congress.starts_on.isoformat()
    offset = services.local_instant(congress.starts_on, time(13), congress).strftime("%z")
    offset = offset[:3] + ":" + offset[3:]
    assert data == [
        {
            "id": workshop.id,
            "title": "Mentoring in der Praxis",
            "type": "workshop",
            "start": f"{day}T13:00:00{offset}",
            "end": f"{day}T14:30:00{offset}",
            "room": "Saal Europa",
            "track": "Integration",
            "speakers": ["Mina Rahimi"],
            "capacity": 40,
            "free_seats": 25,
            "signup_required": True,
        }
    ]


def test_programme_filters_and_search_narrow_the_list(db, congress, client):
    room = factories.room(congress, name="Saal 1")
    track = factories.track(congress, name="Bildung")
    person = factories.speaker(congress, name="Friederike Öztürk")
    factories.session(
        congress, title="Schule und Ehrenamt", track_id=track.id, start=time(9), end=time(10)
    )
    factories.session(
        congress, title="Runder Tisch", room_=room, speakers=[person], start=time(11), end=time(12)
    )
    factories.session(congress, title="Welcome", language="en", start=time(13), end=time(14))
    factories.session(congress, title="Entwurf", status=SessionStatus.DRAFT)
    db.session.commit()

    def titles(query: str) -> list[str]:
        page = client.get("/programme" + query).get_data(as_text=True)
        return [
            t for t in ("Schule und Ehrenamt", "Runder Tisch", "Welcome", "Entwurf") if t in page
        ]

    assert titles("") == ["Schule und Ehrenamt", "Runder Tisch", "Welcome"]
    assert titles(f"?track={track.id}") == ["Schule und Ehrenamt"]
    assert titles(f"?room={room.id}") == ["Runder Tisch"]
    assert titles("?language=en") == ["Welcome"]
    assert titles("?q=öztürk") == ["Runder Tisch"]
    assert titles("?q=100%25") == []
    assert client.get("/programme?type=party").status_code == 400
    assert client.get("/programme?room=abc").status_code == 400


def test_public_programme_marks_changed_and_cancelled_sessions(db, congress, client):
    first = factories.room(congress, name="Saal 1")
    second = factories.room(congress, name="Saal 2")
    moved = factories.session(congress, title="Umgezogen", room_=first, start=time(9), end=time(10))
    gone = factories.session(congress, title="Fällt aus", start=time(11), end=time(12))
    services.place_session(
        moved, day=congress.starts_on, start=time(9), room_id=second.id, actor=None, now=NOW
    )
    services.cancel_session(gone, actor=None, now=NOW)
    db.session.commit()

    page = client.get("/programme").get_data(as_text=True)
    detail = client.get(f"/sessions/{gone.id}").get_data(as_text=True)

    assert "Raum geändert" in page and "entfällt" in page
    assert "Dieser Programmpunkt entfällt." in detail


def test_session_page_shows_abstract_speakers_room_access_and_free_seats(db, congress, client):
    room = factories.room(
        congress,
        name="Raum Lotse",
        capacity=20,
        accessibility_notes="Stufenlos, induktive Höranlage",
    )
    person = factories.speaker(
        congress, name="Hamid Karimi", organisation="BBE", bio="Koordinator seit 2016"
    )
    item = factories.session(
        congress,
        title="Lots:innen gewinnen",
        abstract="Wie wir Lots:innen finden.",
        room_=room,
        speakers=[person],
        signup_required=True,
        seats_taken=5,
    )
    draft = factories.session(congress, status=SessionStatus.DRAFT)
    db.session.commit()

    page = client.get(f"/sessions/{item.id}").get_data(as_text=True)

    for text in (
        "Wie wir Lots:innen finden.",
        "Hamid Karimi",
        "BBE",
        "Stufenlos, induktive Höranlage",
        "15 von 20 Plätzen frei",
    ):
        assert text in page
    assert client.get(f"/sessions/{draft.id}").status_code == 404
    assert client.get("/sessions/999999").status_code == 404


@pytest.mark.parametrize("page_format", ["a4", "a5"])
def test_programme_pdf_has_one_table_per_day(db, congress, client, page_format):
    factories.session(congress, title="Eröffnung", start=time(9), end=time(10))
    factories.session(
        congress, title="Abschluss", day=congress.ends_on, start=time(15), end=time(16)
    )
    db.session.commit()

    response = client.get(f"/programme.pdf?format={page_format}")

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.data))
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == (210 if page_format == "a4" else 148)
    assert len(reader.pages) == 2
    assert "Eröffnung" in reader.pages[0].extract_text()
    assert "Abschluss" in reader.pages[1].extract_text()
    assert "Eröffnung" in _pdf_text(response.data)
    assert client.get("/programme.pdf?format=letter").status_code == 400


def test_track_colours_come_as_a_stylesheet(db, congress, client):
    track = factories.track(congress, colour="#aa3300")
    db.session.commit()

    response = client.get("/programme/tracks.css")

    assert response.mimetype == "text/css"
    assert f".track-{track.id} {{ --track: #aa3300; }}" in response.get_data(as_text=True)


@pytest.mark.parametrize("count", [1, 3])
def test_builder_runs_a_constant_number_of_queries(
    db, congress, staff_client, count_queries, count
):
    _agenda(congress, count)
    factories.phase(congress)
    db.session.commit()
    client = staff_client("organiser")

    with count_queries() as queries:
        response = client.get(f"/admin/agenda?day={congress.starts_on.isoformat()}")

    assert response.status_code == 200
    # incl. loading the logged-in user and the organising body; one query each for the marks
    # of the sessions from the call and for the speakers who have not confirmed
    assert len(queries) == 13


def test_two_organisers_dropping_into_one_room_at_once_book_it_once(app, db, congress):
    import threading

    room = factories.room(congress, name="Saal Parallel")
    congress_id, room_id, day = congress.id, room.id, congress.starts_on
    db.session.commit()
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def organiser(title: str) -> None:
        with app.app_context():
            target = db.session.get(type(congress), congress_id)
            data = services.SessionInput(
                title=title,
                starts_at=services.local_instant(day, time(10), target),
                ends_at=services.local_instant(day, time(11), target),
                room_id=room_id,
            )
            db.session.commit()  # end the reading transaction: on SQLite it holds the write lock
            barrier.wait(timeout=10)
            try:
                services.create_session(target, data, actor=None, now=NOW)
                db.session.commit()
                outcomes.append("booked")
            except services.SessionConflict:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=organiser, args=(f"Forum {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["booked", "refused"]
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(AgendaSession.id)).where(AgendaSession.room_id == room_id)
        )
        == 1
    )


def test_publishing_all_drafts_over_http_is_refused_while_a_conflict_remains(
    db, congress, staff_client
):
    room = factories.room(congress, name="Saal 1", capacity=10)
    draft = factories.session(congress, title="Zu groß", room_=room, capacity=40, status="draft")
    draft_id = draft.id
    db.session.commit()
    client = staff_client("organiser")

    response = client.post("/admin/agenda/publish")

    assert response.status_code == 409
    assert "Konflikte" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AgendaSession, draft_id).status == "draft"


def test_cancelling_over_http_keeps_the_session_and_writes_the_audit_log(
    db, congress, staff_client
):
    item = factories.session(congress, title="Podium am Abend")
    item_id = item.id
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(f"/admin/agenda/sessions/{item_id}/cancel")

    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(AgendaSession, item_id)
    assert (stored.status, stored.sequence, stored.public_change) == ("cancelled", 1, "cancelled")
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_id == item_id)).all()
    assert actions == ["agenda.session_cancelled"]


def test_editing_a_published_session_in_the_form_bumps_its_sequence(db, congress, staff_client):
    item = factories.session(congress, title="Forum", start=time(10), end=time(11))
    item_id = item.id
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        f"/admin/agenda/sessions/{item_id}",
        data={
            "title": "Forum",
            "kind": "forum",
            "language": "de",
            "day": congress.starts_on.isoformat(),
            "start": "11:00",
            "end": "12:00",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(AgendaSession, item_id)
    assert (stored.sequence, stored.public_change) == (1, "time")


def test_copy_from_last_year_over_http(db, staff_client):
    previous = factories.congress(
        starts_on=datetime.now(UTC).date() - timedelta(days=300), current=False
    )
    factories.room(previous, name="Saal Alt")
    factories.session(previous, title="Begrüßung", status="published")
    current = factories.congress()
    current_id = current.id
    db.session.commit()
    client = staff_client("organiser")

    response = client.post("/admin/agenda/copy", data={"source": str(previous.id)})
    again = client.post("/admin/agenda/copy", data={"source": str(previous.id)})
    bogus = client.post("/admin/agenda/copy", data={"source": "abc"})

    assert response.status_code == 302
    assert (again.status_code, bogus.status_code) == (409, 400)
    titles = db.session.scalars(
        select(AgendaSession.title).where(AgendaSession.congress_id == current_id)
    ).all()
    assert titles == ["Begrüßung"]


def test_programme_json_reads_another_congress_by_id(db, congress, client):
    older = factories.congress(starts_on=congress.starts_on - timedelta(days=365), current=False)
    factories.session(older, title="Vorjahr")
    db.session.commit()

    data = client.get(f"/programme.json?congress={older.id}").get_json()

    assert [item["title"] for item in data] == ["Vorjahr"]
    assert client.get("/programme.json?congress=abc").status_code == 400
    assert client.get("/programme.json?congress=99999").status_code == 404


def test_programme_json_answers_304_while_nothing_changed(db, congress, client):
    item = factories.session(congress, title="Forum")
    db.session.commit()
    first = client.get("/programme.json")

    unchanged = client.get("/programme.json", headers={"If-None-Match": first.headers["ETag"]})
    services.place_session(item, day=congress.starts_on, start=time(12), actor=None, now=NOW)
    db.session.commit()
    changed = client.get("/programme.json", headers={"If-None-Match": first.headers["ETag"]})

    assert (unchanged.status_code, unchanged.data) == (304, b"")
    assert changed.status_code == 200
    assert changed.get_json()[0]["start"].startswith(f"{congress.starts_on.isoformat()}T12:00")


def test_agenda_pages_carry_no_inline_script_or_style(db, congress, staff_client):
    import re

    room = factories.room(congress)
    item = factories.session(congress, room_=room, track_id=factories.track(congress).id)
    db.session.commit()
    client = staff_client("organiser")

    for url in (
        "/programme",
        f"/sessions/{item.id}",
        "/admin/agenda",
        "/admin/agenda/setup",
        f"/admin/agenda/sessions/{item.id}",
        "/admin/agenda/speakers/new",
    ):
        page = client.get(url).get_data(as_text=True)
        assert " style=" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert "<style" not in page, url


def test_a_speakers_photo_is_public_only_once_they_are_on_the_programme(db, congress, client):
    person = factories.speaker(congress, photo=_png(), photo_mimetype="image/png")
    db.session.commit()

    hidden = client.get(f"/speakers/{person.id}/photo")
    factories.session(congress, speakers=[person])
    db.session.commit()
    shown = client.get(f"/speakers/{person.id}/photo")

    assert hidden.status_code == 404
    assert (shown.status_code, shown.mimetype) == (200, "image/png")


def test_capacity_below_the_seats_taken_is_refused_not_a_500(db, congress, staff_client):
    room = factories.room(congress, capacity=40)
    item = factories.session(
        congress, room_=room, capacity=30, seats_taken=12, signup_required=True
    )
    item_id = item.id
    db.session.commit()

    response = staff_client("organiser").post(
        f"/admin/agenda/sessions/{item_id}",
        data={
            "title": "Workshop",
            "kind": "workshop",
            "language": "de",
            "day": congress.starts_on.isoformat(),
            "start": "10:00",
            "end": "11:00",
            "room_id": str(room.id),
            "capacity": "10",
        },
    )

    assert response.status_code == 400
    assert "12 Plätze sind schon vergeben" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AgendaSession, item_id).capacity == 30


def test_resizing_through_the_builder_endpoint_keeps_the_start(db, congress, staff_client):
    item = factories.session(congress, start=time(10), end=time(11))
    item_id = item.id
    db.session.commit()

    response = staff_client("organiser").post(
        f"/admin/agenda/sessions/{item_id}/place",
        json={"day": congress.starts_on.isoformat(), "start": "10:00", "end": "12:30"},
    )

    assert response.status_code == 200
    assert (response.get_json()["session"]["start"], response.get_json()["session"]["end"]) == (
        "10:00",
        "12:30",
    )


# --- one rule for what is public (issue 14 point 17, issue 15 point 1) -----------------------


def _everything_public(client, db, congress, room) -> dict[str, str]:
    day = congress.starts_on.isoformat()
    return {
        "page": client.get("/programme").get_data(as_text=True),
        "json": " ".join(item["title"] for item in client.get("/programme.json").get_json()),
        "ics": client.get("/programme.ics").get_data(as_text=True),
        "pdf": _pdf_text(client.get("/programme.pdf").data),
        "door sign": _pdf_text(
            client.get(f"/admin/agenda/rooms/{room.id}/door-sign.pdf?day={day}").data
        ),
    }


def test_a_draft_cancelled_before_publication_is_nowhere_public(db, congress, staff_client):
    room = factories.room(congress, name="Saal Spree")
    draft = factories.session(
        congress, title="Geheimer Entwurf", status=SessionStatus.DRAFT, room_=room
    )
    gone = factories.session(
        congress, title="Abgesagter Vortrag", room_=room, start=time(12), end=time(13)
    )
    factories.session(congress, title="Eröffnung", room_=room, start=time(9), end=time(10))
    db.session.commit()
    services.cancel_session(draft, actor=None, now=NOW)
    services.cancel_session(gone, actor=None, now=NOW)
    db.session.commit()
    organiser = staff_client("organiser")

    shown = _everything_public(organiser, db, congress, room)
    single = organiser.get(f"/sessions/{draft.id}.ics")
    page = organiser.get(f"/sessions/{draft.id}")

    for where, text in shown.items():
        assert "Geheimer Entwurf" not in text, where
        assert "Eröffnung" in text, where
    assert (single.status_code, page.status_code) == (404, 404)
    # Cancelled after it was public: it says so everywhere but in the JSON contract.
    for where in ("page", "ics", "pdf", "door sign"):
        assert "Abgesagter Vortrag" in shown[where], where
    assert "Abgesagter Vortrag" not in shown["json"]
    assert organiser.get(f"/sessions/{gone.id}.ics").status_code == 200


def test_an_unpublished_programme_is_hidden_from_the_page_json_and_feeds_alike(
    db, congress, client
):
    session = factories.session(congress, title="Noch nicht öffentlich")
    congress.programme_published = False
    db.session.commit()

    page = client.get("/programme").get_data(as_text=True)
    json = client.get("/programme.json").get_json()
    feed = client.get("/programme.ics").get_data(as_text=True)

    assert "Noch nicht öffentlich" not in page + feed
    assert json == []
    assert client.get(f"/sessions/{session.id}").status_code == 404
    assert client.get(f"/sessions/{session.id}.ics").status_code == 404


def test_the_rule_and_its_sql_form_agree(db, congress):
    factories.session(congress, status=SessionStatus.DRAFT)
    factories.session(congress, status=SessionStatus.PUBLISHED, start=time(12), end=time(13))
    cancelled_draft = factories.session(
        congress, status=SessionStatus.DRAFT, start=time(14), end=time(15)
    )
    cancelled_public = factories.session(congress, start=time(15), end=time(16))
    other = factories.congress(current=False)
    other.programme_published = False
    factories.session(other, status=SessionStatus.PUBLISHED)
    for session in (cancelled_draft, cancelled_public):
        services.cancel_session(session, actor=None, now=NOW)
    db.session.commit()
    sessions = db.session.scalars(select(AgendaSession)).all()

    found = {}
    for include_cancelled in (True, False):
        in_sql = set(
            db.session.scalars(
                select(AgendaSession.id).where(
                    services.public_clause(include_cancelled=include_cancelled)
                )
            )
        )
        in_python = {
            s.id for s in sessions if services.is_public(s, include_cancelled=include_cancelled)
        }
        assert in_sql == in_python
        found[include_cancelled] = len(in_sql)
    assert found == {True: 2, False: 1}
