"""Check-in at the door: the scan API contract, every answer, races, offline digests, walk-ins,
the scanner page without JavaScript and the live counts."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import threading
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from sqlalchemy import event, func, select
from werkzeug.datastructures import MultiDict

from conference.checkin import services
from conference.checkin.models import CheckIn, Checkpoint, ScanRecord
from conference.core.models import AuditLog, Congress
from conference.core.time import utcnow
from conference.registration.models import BadgeRole, Registration, Status
from conference.workshops.models import WorkshopSeat
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.counters import assert_counters_match

SCAN = "/api/v1/checkin/scan"


def _today_berlin():
    return services.today_in(Congress(timezone="Europe/Berlin"), utcnow())


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def door(db):
    """A two-day congress in the future with its day entrances and a confirmed person."""
    congress = factories.congress()
    services.ensure_checkpoints(congress)
    carrier = factories.carrier("Caritas Testverband", short_name="Caritas")
    person = factories.registration(
        congress, first_name="Amira", last_name="Haddad", carrier_id=carrier.id
    )
    db.session.commit()
    return congress, person


# --- the contract ----------------------------------------------------------------------------


def test_first_scan_of_a_confirmed_badge_says_ok_with_the_attendee(scanner_client, door, db):
    congress, person = door

    response = scanner_client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})

    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "ok"
    assert body["attendee"] == {
        "name": "Amira Haddad",
        "organisation": "Caritas",
        "role": "attendee",
    }
    assert datetime.fromisoformat(body["checked_in_at"]).tzinfo is not None
    stored = db.session.execute(select(CheckIn)).scalar_one()
    assert (stored.registration_id, stored.api_token_id, stored.user_id) == (
        person.id,
        scanner_client.token.id,
        None,
    )


def test_second_scan_is_already_checked_in_with_first_time_and_door(scanner_client, door):
    _congress, person = door
    first = scanner_client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})

    second = scanner_client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})

    body = second.get_json()
    assert body["result"] == "already_checked_in"
    assert body["checked_in_at"] == first.get_json()["checked_in_at"]
    assert body["device"] == "Door 1"
    assert body["attendee"]["name"] == "Amira Haddad"


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # well-formed but nobody's
        "short",
        "A" * 44,
        "ä" * 43,
        "A" * 42 + "=",
        "https://evil.example/" + "A" * 43,
        "' OR 1=1 --" + "A" * 32,
        "x" * 2000,
    ],
)
def test_unknown_or_forged_code_is_unknown_without_attendee(scanner_client, door, db, token):
    response = scanner_client.post(SCAN, json={"token": token, "checkpoint": "day-1"})

    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "unknown"
    assert "attendee" not in body
    assert _count(db, CheckIn) == 0


def test_badge_of_another_congress_is_unknown(scanner_client, door, db):
    other = factories.congress(current=False, slug="old")
    stranger = factories.registration(other)
    db.session.commit()

    body = scanner_client.post(
        SCAN, json={"token": stranger.badge_token, "checkpoint": "day-1"}
    ).get_json()

    assert body["result"] == "unknown"


def test_revoked_badge_token_is_unknown(scanner_client, door, db):
    _congress, person = door
    old_token = person.badge_token
    person.badge_token = "N" * 43
    db.session.commit()

    body = scanner_client.post(SCAN, json={"token": old_token, "checkpoint": "day-1"}).get_json()

    assert body["result"] == "unknown"


@pytest.mark.parametrize(
    ("status", "result"),
    [
        (Status.CANCELLED, "cancelled"),
        (Status.PENDING, "not_confirmed"),
        (Status.WAITLISTED, "not_confirmed"),
    ],
)
def test_refused_registrations_say_why_and_store_nothing(scanner_client, door, db, status, result):
    congress, _person = door
    refused = factories.registration(congress, status=status, first_name="Jonas")
    db.session.commit()

    response = scanner_client.post(
        SCAN + "?screen=1", json={"token": refused.badge_token, "checkpoint": "day-1"}
    )

    body = response.get_json()
    assert body["result"] == result
    assert body["attendee"]["name"].startswith("Jonas")
    assert body["checked_in_at"] is None
    assert body["screen"]["tone"] == "bad"
    assert body["screen"]["message"]
    assert _count(db, CheckIn) == 0


def test_waitlisted_person_is_told_about_the_waiting_list(scanner_client, door, db):
    congress, _person = door
    waiting = factories.registration(congress, status=Status.WAITLISTED)
    db.session.commit()

    body = scanner_client.post(
        SCAN + "?screen=1", json={"token": waiting.badge_token, "checkpoint": "day-1"}
    ).get_json()

    assert "Warteliste" in body["screen"]["message"]


def test_person_registered_for_the_other_day_is_not_registered_for_today(scanner_client, door, db):
    congress, _person = door
    second_day_only = factories.registration(congress, days=[congress.ends_on])
    db.session.commit()

    body = scanner_client.post(
        SCAN, json={"token": second_day_only.badge_token, "checkpoint": "day-1"}
    ).get_json()

    assert body["result"] == "not_registered_for_today"
    assert _count(db, CheckIn) == 0


def test_explicit_checkpoint_is_judged_against_its_day_whatever_today_is(scanner_client, door, db):
    congress, _person = door  # the congress lies 60 days ahead
    second_day_only = factories.registration(congress, days=[congress.ends_on])
    db.session.commit()

    body = scanner_client.post(
        SCAN, json={"token": second_day_only.badge_token, "checkpoint": "day-2"}
    ).get_json()

    assert body["result"] == "ok"


def test_without_checkpoint_the_main_entrance_of_today_is_meant(scanner_client, db):
    congress = factories.congress(starts_on=_today_berlin())
    services.ensure_checkpoints(congress)
    person = factories.registration(congress)
    db.session.commit()

    body = scanner_client.post(SCAN, json={"token": person.badge_token}).get_json()

    assert body["result"] == "ok"
    assert body["checkpoint"] == "day-1"
    checkpoint = db.session.execute(
        select(Checkpoint).join(CheckIn, CheckIn.checkpoint_id == Checkpoint.id)
    ).scalar_one()
    assert checkpoint.day == _today_berlin()


def test_without_checkpoint_on_a_day_without_congress_is_a_clear_404(scanner_client, door, db):
    _congress, person = door

    response = scanner_client.post(SCAN, json={"token": person.badge_token})

    assert response.status_code == 404
    assert response.get_json()["error"] == "no_checkpoint_today"


def test_resent_nonce_returns_the_first_answer_and_counts_once(scanner_client, door, db):
    _congress, person = door
    scan = {"token": person.badge_token, "checkpoint": "day-1", "nonce": "c0ffee-1"}

    first = scanner_client.post(SCAN, json=scan).get_json()
    again = scanner_client.post(SCAN, json=scan).get_json()

    assert first["result"] == "ok"
    assert again["result"] == "ok"
    assert again["checked_in_at"] == first["checked_in_at"]
    assert again["replayed"] is True
    assert _count(db, CheckIn) == 1
    assert _count(db, ScanRecord) == 1


def test_new_nonce_for_the_same_badge_is_a_real_repeat(scanner_client, door):
    _congress, person = door
    scanner_client.post(
        SCAN, json={"token": person.badge_token, "checkpoint": "day-1", "nonce": "n-1"}
    )

    body = scanner_client.post(
        SCAN, json={"token": person.badge_token, "checkpoint": "day-1", "nonce": "n-2"}
    ).get_json()

    assert body["result"] == "already_checked_in"


def _token_client(app, db, name: str, role: str = "checkin"):
    """Another scanning device: a client with a bearer token of its own."""
    from conference.accounts.services import create_api_token

    token, secret = create_api_token(name, role)
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    client.token = token
    return client


def test_a_nonce_belongs_to_the_device_that_sent_it(app, scanner_client, door, db):
    congress, person = door
    other = factories.registration(congress, first_name="Jonas", last_name="Berg")
    db.session.commit()
    second_door = _token_client(app, db, "Door 2")
    scanner_client.post(
        SCAN, json={"token": person.badge_token, "checkpoint": "day-1", "nonce": "1"}
    )

    body = second_door.post(
        SCAN, json={"token": other.badge_token, "checkpoint": "day-1", "nonce": "1"}
    ).get_json()

    # Not the first device's answer (with Amira's name): a scan of its own, recorded.
    assert body["result"] == "ok"
    assert body["attendee"]["name"] == "Jonas Berg"
    assert "replayed" not in body
    db.session.expire_all()
    assert db.session.execute(
        select(CheckIn.registration_id, CheckIn.api_token_id).order_by(CheckIn.id)
    ).all() == [(person.id, scanner_client.token.id), (other.id, second_door.token.id)]
    assert _count(db, ScanRecord) == 2


def test_the_same_nonce_from_another_device_for_the_same_badge_is_a_repeat(
    app, scanner_client, door, db
):
    _congress, person = door
    second_door = _token_client(app, db, "Door 2")
    scan = {"token": person.badge_token, "checkpoint": "day-1", "nonce": "abc"}
    first = scanner_client.post(SCAN, json=scan).get_json()

    body = second_door.post(SCAN, json=scan).get_json()
    again = second_door.post(SCAN, json=scan).get_json()

    assert (first["result"], body["result"]) == ("ok", "already_checked_in")
    assert "replayed" not in body
    assert body["device"] == "Door 1"
    assert again["replayed"] is True
    assert again["result"] == "already_checked_in"
    assert _count(db, CheckIn) == 1


def test_stored_scan_answers_hold_no_personal_data_and_replay_the_person_as_stored_now(
    scanner_client, door, db
):
    from conference.reports.privacy import erase_registration

    _congress, person = door
    scan = {"token": person.badge_token, "checkpoint": "day-1", "nonce": "n-7"}
    first = scanner_client.post(SCAN, json=scan).get_json()
    record = db.session.execute(select(ScanRecord)).scalar_one()

    replay = scanner_client.post(SCAN, json=scan).get_json()
    erase_registration(person, actor="test", now=utcnow())
    db.session.commit()
    after_erasure = scanner_client.post(SCAN, json=scan).get_json()

    assert "Amira" not in str(record.response) and "Caritas" not in str(record.response)
    assert (record.device, record.registration_id) == (
        f"token:{scanner_client.token.id}",
        person.id,
    )
    assert replay["attendee"] == first["attendee"]
    assert replay["checked_in_at"] == first["checked_in_at"]
    assert after_erasure["result"] == "ok" and after_erasure["replayed"] is True
    assert "attendee" not in after_erasure


def _csrf_headers(staff) -> dict[str, str]:
    """A staff session's API calls carry the CSRF token of the scanner page."""
    page = staff.get("/checkin?checkpoint=day-1").get_data(as_text=True)
    return {"X-CSRFToken": re.search(r'data-csrf="([^"]+)"', page).group(1)}


def test_already_checked_in_names_the_checkpoint_and_the_device_never_an_email(
    staff_client, scanner_client, door, db
):
    _congress, person = door
    staff = staff_client("checkin", email="einlass@example.org")
    staff.user.name = "Petra Schulz"
    db.session.commit()
    first = staff.post(
        SCAN,
        json={"token": person.badge_token, "checkpoint": "day-1"},
        headers=_csrf_headers(staff),
    )

    body = scanner_client.post(
        SCAN + "?screen=1", json={"token": person.badge_token, "checkpoint": "day-1"}
    ).get_json()
    english = scanner_client.post(
        SCAN + "?screen=1&lang=en", json={"token": person.badge_token, "checkpoint": "day-1"}
    ).get_json()

    assert first.get_json()["result"] == "ok"
    assert body["device"] == "Petra Schulz"
    assert "einlass@example.org" not in str(body)
    time = body["screen"]["time"]
    assert body["screen"]["message"] == (
        f"Bereits eingecheckt um {time} Uhr: Haupteingang Tag 1 (Petra Schulz)."
    )
    assert english["screen"]["message"] == (
        f"Already checked in at {time} at Haupteingang Tag 1 (Petra Schulz)."
    )


def test_a_staff_user_without_a_name_is_not_named_by_their_email(
    staff_client, scanner_client, door, db
):
    _congress, person = door
    staff = staff_client("checkin", email="einlass@example.org")
    first = staff.post(
        SCAN,
        json={"token": person.badge_token, "checkpoint": "day-1"},
        headers=_csrf_headers(staff),
    )

    body = scanner_client.post(
        SCAN + "?screen=1", json={"token": person.badge_token, "checkpoint": "day-1"}
    ).get_json()

    assert first.get_json()["result"] == "ok"
    assert body["device"] == ""
    assert "einlass@example.org" not in str(body)
    assert body["screen"]["message"] == (
        f"Bereits eingecheckt um {body['screen']['time']} Uhr: Haupteingang Tag 1."
    )


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "status", "error"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        ("[1, 2]", "application/json", 400, "malformed_json"),
        ('"token"', "application/json", 400, "malformed_json"),
        ("", "application/json", 400, "malformed_json"),
        ('{"checkpoint": "day-1"}', "application/json", 400, "missing_token"),
        ('{"token": 12345}', "application/json", 400, "missing_token"),
        ('{"token": ["a"]}', "application/json", 400, "missing_token"),
        ('{"token": ""}', "application/json", 400, "missing_token"),
        ('{"token": "%s", "checkpoint": 7}', "application/json", 400, "bad_checkpoint"),
        ('{"token": "%s", "checkpoint": "nowhere"}', "application/json", 404, "unknown_checkpoint"),
        (
            '{"token": "%s", "checkpoint": "day-1", "nonce": 5}',
            "application/json",
            400,
            "bad_nonce",
        ),
        (
            '{"token": "%s", "checkpoint": "day-1", "nonce": ""}',
            "application/json",
            400,
            "bad_nonce",
        ),
        (
            '{"token": "%s", "checkpoint": "day-1", "nonce": "' + "n" * 81 + '"}',
            "application/json",
            400,
            "bad_nonce",
        ),
        (
            '{"token": "%s", "pad": "' + "x" * 10000 + '"}',
            "application/json",
            400,
            "body_too_large",
        ),
        ("token=abc", "application/x-www-form-urlencoded", 400, "malformed_json"),
    ],
)
def test_bad_scan_requests_are_4xx_with_a_clear_error_and_store_nothing(
    scanner_client, door, db, data, content_type, status, error
):
    _congress, person = door
    if "%s" in data:
        data = data % person.badge_token

    response = scanner_client.post(SCAN, data=data, content_type=content_type)

    assert response.status_code == status
    assert response.get_json()["error"] == error
    assert response.get_json()["message"]
    assert _count(db, CheckIn) == 0
    assert _count(db, ScanRecord) == 0


def test_scan_without_credentials_is_401(client, door, db):
    _congress, person = door

    response = client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})

    assert response.status_code == 401
    assert "error" in response.get_json()
    assert _count(db, CheckIn) == 0


def test_scan_with_a_wrong_bearer_token_is_401(client, door, db):
    _congress, person = door

    response = client.post(
        SCAN,
        json={"token": person.badge_token, "checkpoint": "day-1"},
        headers={"Authorization": "Bearer " + "W" * 43},
    )

    assert response.status_code == 401
    assert _count(db, CheckIn) == 0


def test_coordinator_session_may_not_scan(staff_client, door, db):
    _congress, person = door
    coordinator = staff_client("coordinator")

    response = coordinator.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})

    assert response.status_code == 403
    assert _count(db, CheckIn) == 0


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_staff_session_scans_with_csrf_header_only(staff_client, door, db):
    _congress, person = door
    staff = staff_client("checkin")
    page = staff.get("/checkin?checkpoint=day-1").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    scan = {"token": person.badge_token, "checkpoint": "day-1"}

    refused = staff.post(SCAN, json=scan)
    accepted = staff.post(SCAN, json=scan, headers={"X-CSRFToken": csrf})

    assert refused.status_code == 400
    assert accepted.get_json()["result"] == "ok"
    assert db.session.execute(select(CheckIn.user_id, CheckIn.api_token_id)).one() == (
        staff.user.id,
        None,
    )


def test_organiser_token_may_scan_too(client, door, db):
    from conference.accounts.services import create_api_token

    _congress, person = door
    _token, secret = create_api_token("Orga laptop", "organiser")
    db.session.commit()

    body = client.post(
        SCAN,
        json={"token": person.badge_token, "checkpoint": "day-1"},
        headers={"Authorization": f"Bearer {secret}"},
    ).get_json()

    assert body["result"] == "ok"


# --- the hot path and the race ---------------------------------------------------------------


def test_a_scan_runs_a_fixed_small_number_of_queries(scanner_client, door, db, count_queries):
    congress, person = door
    other = factories.registration(congress)
    db.session.commit()
    first, second = person.badge_token, other.badge_token
    scanner_client.post(SCAN, json={"token": second, "checkpoint": "day-1"})

    with count_queries() as ok_queries:
        ok = scanner_client.post(SCAN, json={"token": first, "checkpoint": "day-1"})
    with count_queries() as nonce_queries:
        scanner_client.post(SCAN, json={"token": second, "checkpoint": "day-2", "nonce": "q-1"})

    assert ok.get_json()["result"] == "ok"
    # ONE statement: congress, checkpoint, registration (+ carrier, structure, day), an earlier
    # check-in and the INSERT ... ON CONFLICT DO NOTHING. SQLite allows no INSERT inside WITH,
    # so there the INSERT is a statement of its own. The API token was looked up by the first
    # scan and is remembered for a few seconds (accounts/access.py).
    postgres = db.engine.dialect.name == "postgresql"
    assert len(ok_queries) == (1 if postgres else 2)
    assert "ON CONFLICT" in ok_queries[-1]
    # + the stored answer of the nonce (the earlier answer is looked up in the same statement)
    assert len(nonce_queries) == len(ok_queries) + 1


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES_URL, reason="autocommit is for PostgreSQL")
def test_on_postgresql_a_scan_without_a_nonce_runs_without_begin_and_commit(
    scanner_client, door, db
):
    """The one statement commits by itself (no BEGIN and COMMIT round trips of its own); a scan
    with a nonce keeps its transaction, so a 409 for a reused nonce takes its check-in back."""
    _congress, person = door
    other = factories.registration(_congress)
    db.session.commit()
    first, second = person.badge_token, other.badge_token
    db.session.rollback()  # the test's own reads are not the requests'
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0], conn.connection.dbapi_connection.autocommit))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        plain = scanner_client.post(SCAN, json={"token": first, "checkpoint": "day-1"})
        plain_modes = list(seen)
        seen.clear()
        repeat = scanner_client.post(SCAN, json={"token": first, "checkpoint": "day-1"})
        repeat_modes = list(seen)
        seen.clear()
        with_nonce = scanner_client.post(
            SCAN, json={"token": second, "checkpoint": "day-1", "nonce": "n-1"}
        )
        nonce_modes = list(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert plain.get_json()["result"] == "ok"
    assert repeat.get_json()["result"] == "already_checked_in"
    assert with_nonce.get_json()["result"] == "ok"
    assert [mode for _kind, mode in plain_modes] == [True] * len(plain_modes), plain_modes
    # The token was looked up by the first scan and is remembered (accounts/access.py): a
    # repeat is the scan statement alone.
    assert [kind for kind, _mode in plain_modes] == ["SELECT", "UPDATE", "WITH"]  # token, use, scan
    assert [kind for kind, _mode in repeat_modes] == ["WITH"]
    assert all(mode for _kind, mode in repeat_modes)
    assert nonce_modes and not any(mode for _kind, mode in nonce_modes)
    db.session.expire_all()
    assert _count(db, CheckIn) == 2


def test_two_doors_scanning_the_same_badge_at_once_get_one_ok(app, scanner_client, door, db):
    _congress, person = door
    doors = 8
    barrier = threading.Barrier(doors)
    answers: list[str] = []
    lock = threading.Lock()
    headers = dict(scanner_client.environ_base)
    token = person.badge_token
    db.session.rollback()  # end the test's own read transaction: SQLite allows one writer

    def scan():
        client = app.test_client()
        client.environ_base.update(headers)
        barrier.wait()
        body = client.post(SCAN, json={"token": token, "checkpoint": "day-1"}).get_json()
        with lock:
            answers.append(body["result"])

    threads = [threading.Thread(target=scan) for _ in range(doors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers) == ["already_checked_in"] * (doors - 1) + ["ok"]
    db.session.expire_all()
    assert _count(db, CheckIn) == 1


def test_the_same_nonce_sent_twice_at_once_counts_once(app, scanner_client, door, db):
    _congress, person = door
    barrier = threading.Barrier(4)
    answers: list[dict] = []
    lock = threading.Lock()
    headers = dict(scanner_client.environ_base)
    token = person.badge_token
    db.session.rollback()  # end the test's own read transaction: SQLite allows one writer

    def scan():
        client = app.test_client()
        client.environ_base.update(headers)
        barrier.wait()
        body = client.post(
            SCAN, json={"token": token, "checkpoint": "day-1", "nonce": "same"}
        ).get_json()
        with lock:
            answers.append(body)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == 4
    assert {a["result"] for a in answers} == {"ok"}
    assert len({a["checked_in_at"] for a in answers}) == 1
    db.session.expire_all()
    assert _count(db, CheckIn) == 1
    assert _count(db, ScanRecord) == 1


def test_one_nonce_sent_at_once_by_two_devices_counts_for_each_device(
    app, scanner_client, door, db
):
    _congress, person = door
    second_door = _token_client(app, db, "Door 2")
    clients = [scanner_client, second_door] * 3
    barrier = threading.Barrier(len(clients))
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()
    token = person.badge_token
    db.session.rollback()  # end the test's own read transaction: SQLite allows one writer

    def scan(index, device):
        client = app.test_client()
        client.environ_base.update(device.environ_base)
        barrier.wait()
        body = client.post(
            SCAN, json={"token": token, "checkpoint": "day-1", "nonce": "same"}
        ).get_json()
        with lock:
            answers.append((index % 2, body))

    threads = [threading.Thread(target=scan, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == len(clients)
    # Each device gets one answer for its nonce, replayed to its resends; one "ok" in all.
    by_device = [{body["result"] for i, body in answers if i == d} for d in (0, 1)]
    assert all(len(results) == 1 for results in by_device)
    assert sorted(r for results in by_device for r in results) == ["already_checked_in", "ok"]
    db.session.expire_all()
    assert _count(db, CheckIn) == 1
    assert _count(db, ScanRecord) == 2


# --- undo ------------------------------------------------------------------------------------


def test_undo_reverts_the_last_check_in_of_this_device_and_is_audited(scanner_client, door, db):
    congress, person = door
    other = factories.registration(congress, first_name="Lena")
    db.session.commit()
    scanner_client.post(SCAN, json={"token": other.badge_token, "checkpoint": "day-1"})
    scanner_client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})

    response = scanner_client.post("/api/v1/checkin/undo")

    assert response.status_code == 200
    assert response.get_json()["attendee"]["name"] == "Amira Haddad"
    db.session.expire_all()
    remaining = db.session.execute(select(CheckIn.registration_id)).scalars().all()
    assert remaining == [other.id]
    entry = db.session.execute(
        select(AuditLog).where(AuditLog.action == "checkin.undo")
    ).scalar_one()
    assert (entry.object_id, entry.actor) == (person.id, "Door 1")
    again = scanner_client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})
    assert again.get_json()["result"] == "ok"


def test_undo_never_touches_another_door(scanner_client, client, door, db):
    from conference.accounts.services import create_api_token

    _congress, person = door
    _token, secret = create_api_token("Door 2", "checkin")
    db.session.commit()
    client.post(
        SCAN,
        json={"token": person.badge_token, "checkpoint": "day-1"},
        headers={"Authorization": f"Bearer {secret}"},
    )

    response = scanner_client.post("/api/v1/checkin/undo")

    assert response.status_code == 404
    assert response.get_json()["error"] == "nothing_to_undo"
    assert _count(db, CheckIn) == 1


def test_two_tokens_with_the_same_name_never_undo_each_other(app, scanner_client, door, db):
    _congress, person = door
    namesake = _token_client(app, db, "Door 1")
    scanner_client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})

    response = namesake.post("/api/v1/checkin/undo")

    assert response.status_code == 404
    assert response.get_json()["error"] == "nothing_to_undo"
    assert _count(db, CheckIn) == 1


def test_a_staff_user_undoes_only_their_own_check_ins(staff_client, scanner_client, door, db):
    _congress, person = door
    scanner_client.post(SCAN, json={"token": person.badge_token, "checkpoint": "day-1"})
    staff = staff_client("checkin")

    response = staff.post("/api/v1/checkin/undo", headers=_csrf_headers(staff))

    assert response.status_code == 404
    assert _count(db, CheckIn) == 1


# --- checkpoints, digests, attendance ----------------------------------------------------------


def test_checkpoints_are_the_day_entrances_and_workshop_rooms(scanner_client, db):
    congress = factories.congress()
    room = factories.room(congress, name="Raum Spree")
    workshop = factories.workshop(
        congress, factories.phase(congress), title="Erstgespräche", room_=room
    )
    factories.session(congress, title="Plenum")  # no sign-up: no checkpoint
    services.ensure_checkpoints(congress)
    services.ensure_checkpoints(congress)  # idempotent
    db.session.commit()

    response = scanner_client.get("/api/v1/checkpoints")

    assert response.status_code == 200
    assert response.get_json() == [
        {
            "code": "day-1",
            "name": "Haupteingang Tag 1",
            "day": congress.starts_on.isoformat(),
            "session_id": None,
        },
        {
            "code": "day-2",
            "name": "Haupteingang Tag 2",
            "day": congress.ends_on.isoformat(),
            "session_id": None,
        },
        {
            "code": f"ws-{workshop.id}",
            "name": "Raum Spree: Erstgespräche",
            "day": congress.starts_on.isoformat(),
            "session_id": workshop.id,
        },
    ]


def test_checkpoints_need_a_token(client):
    assert client.get("/api/v1/checkpoints").status_code == 401


def test_digests_list_only_valid_badges_of_that_day_and_no_personal_data(scanner_client, door, db):
    congress, person = door
    factories.registration(congress, status=Status.CANCELLED)
    factories.registration(congress, status=Status.PENDING)
    second_day_only = factories.registration(congress, days=[congress.ends_on])
    db.session.commit()

    body = scanner_client.get("/api/v1/checkin/digests?checkpoint=day-1").get_json()

    assert body["checkpoint"] == "day-1"
    assert body["digests"] == [hashlib.sha256(person.badge_token.encode()).hexdigest()]
    day_2 = scanner_client.get("/api/v1/checkin/digests?checkpoint=day-2").get_json()
    assert sorted(day_2["digests"]) == sorted(
        hashlib.sha256(r.badge_token.encode()).hexdigest() for r in (person, second_day_only)
    )
    assert person.last_name not in str(body)


def test_check_in_at_a_workshop_room_is_recorded_as_attendance(scanner_client, db):
    congress = factories.congress()
    workshop = factories.workshop(congress, factories.phase(congress), title="Mentoring 1x1")
    person = factories.registration(congress)
    db.session.add(
        WorkshopSeat(registration_id=person.id, phase_id=workshop.phase_id, session_id=workshop.id)
    )
    services.ensure_checkpoints(congress)
    db.session.commit()

    body = scanner_client.post(
        SCAN + "?screen=1", json={"token": person.badge_token, "checkpoint": f"ws-{workshop.id}"}
    ).get_json()

    assert body["result"] == "ok"
    assert [w["title"] for w in body["screen"]["workshops"]] == ["Mentoring 1x1"]
    assert "note" not in body["screen"]
    assert db.session.execute(
        select(Checkpoint.session_id, CheckIn.registration_id).join(
            CheckIn, CheckIn.checkpoint_id == Checkpoint.id
        )
    ).all() == [(workshop.id, person.id)]


def test_workshop_room_tells_when_the_person_holds_no_seat(scanner_client, db):
    congress = factories.congress()
    workshop = factories.workshop(congress, factories.phase(congress))
    person = factories.registration(congress)
    services.ensure_checkpoints(congress)
    db.session.commit()

    body = scanner_client.post(
        SCAN + "?screen=1",
        json={"token": person.badge_token, "checkpoint": f"ws-{workshop.id}"},
    ).get_json()

    assert body["result"] == "ok"
    assert body["screen"]["note"] == "Kein reservierter Platz in diesem Workshop."


# --- the scanner page without JavaScript -------------------------------------------------------


def test_scanner_page_offers_checkpoints_and_a_focused_scanner_field(staff_client, door):
    staff = staff_client("checkin")

    page = staff.get("/checkin?checkpoint=day-1").get_data(as_text=True)

    assert 'name="checkpoint"' in page
    assert "Haupteingang Tag 1" in page and "Haupteingang Tag 2" in page
    assert re.search(r'<input type="text" id="token" name="token" autofocus', page)
    assert '<label for="token">' in page
    assert "<script>" not in page and "style=" not in page


def test_scanner_page_without_an_entrance_today_asks_to_choose(staff_client, door):
    page = staff_client("checkin").get("/checkin").get_data(as_text=True)

    assert "Für heute gibt es keinen Haupteingang" in page
    assert 'id="token"' not in page


def test_scanner_form_for_an_unknown_checkpoint_is_a_404(staff_client, door, db):
    _congress, person = door

    response = staff_client("checkin").post(
        "/checkin", data={"token": person.badge_token, "checkpoint": "nowhere"}
    )

    assert response.status_code == 404
    assert _count(db, CheckIn) == 0


def test_scanner_form_without_javascript_shows_green_amber_and_red(staff_client, door, db):
    _congress, person = door
    staff = staff_client("checkin")
    form = {"token": person.badge_token, "checkpoint": "day-1"}

    green = staff.post("/checkin", data=form).get_data(as_text=True)
    amber = staff.post("/checkin", data=form).get_data(as_text=True)
    red = staff.post("/checkin", data={"token": "forged!", "checkpoint": "day-1"})

    assert "tone-ok" in green and "Willkommen" in green and "Amira Haddad" in green
    assert "tone-warn" in amber and "Bereits eingecheckt" in amber
    assert red.status_code == 200
    assert "tone-bad" in red.get_data(as_text=True)
    assert "Unbekanntes Namensschild" in red.get_data(as_text=True)
    assert _count(db, CheckIn) == 1


# One role per test: the test's app context (and with it Flask-Login's user) spans its requests.


def test_scanner_page_is_closed_to_coordinators(staff_client, door):
    assert staff_client("coordinator").get("/checkin").status_code == 403


def test_scanner_page_sends_strangers_to_the_login(client, door):
    assert client.get("/checkin").status_code == 302


def test_organisers_may_scan_too(staff_client, door):
    assert staff_client("organiser").get("/checkin").status_code == 200


def test_undo_button_reverts_my_last_check_in(staff_client, door, db):
    _congress, person = door
    staff = staff_client("checkin")
    staff.post("/checkin", data={"token": person.badge_token, "checkpoint": "day-1"})

    response = staff.post("/checkin/undo", data={"checkpoint": "day-1"}, follow_redirects=True)

    assert "wurde rückgängig gemacht" in response.get_data(as_text=True)
    assert _count(db, CheckIn) == 0


def test_search_finds_people_by_organisation_with_constant_queries(
    staff_client, door, db, count_queries
):
    congress, _person = door
    staff = staff_client("checkin")
    staff.get("/checkin/search?q=caritas")

    with count_queries() as one:
        page_one = staff.get("/checkin/search?q=caritas&checkpoint=day-1").get_data(as_text=True)
    carrier = db.session.execute(
        select(Registration.carrier_id).where(Registration.carrier_id.is_not(None))
    ).scalar_one()
    factories.registration(congress, last_name="Zweite", carrier_id=carrier)
    factories.registration(congress, last_name="Dritte", carrier_id=carrier)
    db.session.commit()
    staff.get("/checkin/search?q=caritas")  # the shared test session reloads the expired user
    with count_queries() as three:
        page_three = staff.get("/checkin/search?q=caritas&checkpoint=day-1").get_data(as_text=True)

    assert "Amira Haddad" in page_one
    assert "Zweite" in page_three and "Dritte" in page_three
    # the user, congress, checkpoints, search, check-ins, the organising body (header)
    assert len(one) == len(three) == 6


class _PostForms(HTMLParser):
    """Each POST form of a page: its action and the fields a browser sends, in page order
    (a repeated name stays repeated, as in a real submission)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]], str]] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = (a.get("action") or "", [], [])
        elif self._form is not None and tag == "input" and a.get("name"):
            self._form[1].append((a["name"], a.get("value") or ""))

    def handle_data(self, data):
        if self._form is not None:
            self._form[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            action, fields, text = self._form
            self.forms.append((action, fields, " ".join("".join(text).split())))
            self._form = None


def _post_forms(page: str) -> list[tuple[str, list[tuple[str, str]], str]]:
    reader = _PostForms()
    reader.feed(page)
    return reader.forms


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_check_in_from_the_name_search_checks_the_person_in(staff_client, door, db):
    """Issue 22.2: the search's button sent ``checkpoint`` twice (empty, then day-1) and landed
    on the checkpoint chooser with a 404. Submitted as the browser submits it, it checks in."""
    congress, person = door
    staff = staff_client("checkin")
    page = staff.get("/checkin/search?q=haddad&checkpoint=day-1").get_data(as_text=True)
    (action, fields, text), *_others = [f for f in _post_forms(page) if "Einchecken" in f[2]]

    response = staff.post(action, data=MultiDict(fields))

    answer = response.get_data(as_text=True)
    assert [value for name, value in fields if name == "checkpoint"] == ["day-1"]
    assert response.status_code == 200
    assert "Willkommen" in answer and "Amira Haddad" in answer
    assert "Einlass: Tag 1" in answer or "day-1" in answer
    stored = db.session.execute(select(CheckIn.registration_id)).scalars().all()
    assert stored == [person.id]


def test_the_scanner_takes_the_given_checkpoint_when_an_empty_one_comes_first(
    staff_client, door, db
):
    _congress, person = door
    staff = staff_client("checkin")

    response = staff.post(
        "/checkin",
        data=MultiDict(
            [("checkpoint", ""), ("checkpoint", "day-2"), ("token", person.badge_token)]
        ),
    )

    assert response.status_code == 200
    checkpoint = db.session.execute(
        select(Checkpoint.code).join(CheckIn, CheckIn.checkpoint_id == Checkpoint.id)
    ).scalar_one()
    assert checkpoint == "day-2"


def test_the_services_return_outcomes_and_presentation_gives_them_tone_and_words(app, door, db):
    """Issue 15, point 6: a scan's outcome, a search answer and a door list row carry facts (the
    result, when, which device, the status, the role's key); ``checkin/presentation.py`` maps
    them to the door screen's tone, words and labels."""
    from conference.checkin import presentation

    congress, person = door
    waiting = factories.registration(congress, status=Status.WAITLISTED, first_name="Wanda")
    db.session.commit()
    checkpoint = services.checkpoints(congress)[0]
    device = services.Device(user_id=None, token_id=None, name="Tür 1")
    outcome = services.record_scan(
        congress, person.badge_token, checkpoint, now=utcnow(), device=device
    )
    again = services.record_scan(
        congress, person.badge_token, checkpoint, now=utcnow(), device=device
    )
    with app.test_request_context("/"):  # German, the default
        answers = services.search_answers([person, waiting], checkpoint, congress.timezone)
        rows = services.door_list(checkpoint)
        words = {
            pid: presentation.judged(answer, congress.timezone) for pid, answer in answers.items()
        }
        label = presentation.role_label(rows[0].role)

    assert not hasattr(outcome, "tone")
    assert presentation.TONE[outcome.result] == "ok" and presentation.TONE[again.result] == "warn"
    assert answers[person.id]["result"] == "already_checked_in"
    assert answers[waiting.id] == {"result": "not_confirmed", "status": Status.WAITLISTED}
    assert all("tone" not in a and "message" not in a for a in answers.values())
    assert (
        words[person.id]["tone"] == "warn" and "Bereits eingecheckt" in words[person.id]["message"]
    )
    assert words[waiting.id] == {
        "result": "not_confirmed",
        "tone": "bad",
        "message": "Diese Person steht auf der Warteliste und hat keinen Platz.",
    }
    assert {row.role for row in rows} <= {role.value for role in BadgeRole}
    assert label != rows[0].role


def test_search_offers_check_in_only_to_people_who_may_pass_and_tells_the_others_why(
    staff_client, door, db
):
    """Issue 22.3: waitlisted, cancelled, unconfirmed people and those of another day get their
    status and the way to the desk, as the scan answer says it; nobody gets a button that
    cannot work."""
    congress, person = door
    for status, first in [
        (Status.WAITLISTED, "Wanda"),
        (Status.CANCELLED, "Carla"),
        (Status.PENDING, "Paula"),
    ]:
        factories.registration(congress, status=status, first_name=first, last_name="Haddad")
    factories.registration(
        congress, first_name="Tara", last_name="Haddad", days=[congress.days[1].day]
    )
    factories.registration(congress, first_name="Olga", last_name="Haddad")
    db.session.commit()
    staff = staff_client("checkin")
    staff.post(
        "/checkin",
        data={
            "token": db.session.execute(
                select(Registration.badge_token).where(Registration.first_name == "Olga")
            ).scalar_one(),
            "checkpoint": "day-1",
        },
    )

    page = staff.get("/checkin/search?q=haddad&checkpoint=day-1").get_data(as_text=True)

    rows = {
        re.sub(r"<[^>]+>", " ", row).split()[0]: " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
    }
    buttons = [text for _action, _fields, text in _post_forms(page) if "Einchecken" in text]
    assert buttons == ["Einchecken: Amira Haddad"]
    desk = "Bitte schicken Sie die Person zum Anmeldeschalter."
    assert (
        "Warteliste" in rows["Wanda"] and "keinen Platz" in rows["Wanda"] and desk in rows["Wanda"]
    )
    assert "storniert" in rows["Carla"] and desk in rows["Carla"]
    assert "nicht bestätigt" in rows["Paula"] and desk in rows["Paula"]
    assert "für diesen Tag nicht angemeldet" in rows["Tara"] and desk in rows["Tara"]
    assert "Bereits eingecheckt um" in rows["Olga"] and desk not in rows["Olga"]


# --- printed lists (issue 22.17) -----------------------------------------------------------


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "list.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_printed_list_of_a_day_is_a4_sorted_by_name_with_a_box_to_tick(
    staff_client, door, db, tmp_path
):
    """For when the network fails: the confirmed people of the day, sorted as a German list
    (Ç with C, Ö with O, not after Z), who is in already, and a column to tick."""
    congress, amira = door  # Amira Haddad, Caritas
    for first, last in [
        ("Jonas", "Zimmer"),
        ("Ayşe", "Özdemir"),
        ("Can", "Çelik"),
        ("Ute", "Ahrens"),
    ]:
        factories.registration(congress, first_name=first, last_name=last)
    factories.registration(
        congress, first_name="Otto", last_name="Oberdorf", status=Status.WAITLISTED
    )
    factories.registration(
        congress, first_name="Carla", last_name="Cancelled", status=Status.CANCELLED
    )
    factories.registration(
        congress, first_name="Tara", last_name="Tagzwei", days=[congress.days[1].day]
    )
    db.session.commit()
    door_staff = staff_client("checkin")
    door_staff.post("/checkin", data={"token": amira.badge_token, "checkpoint": "day-1"})

    response = door_staff.get("/checkin/lists/day-1.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = _pdf_text(response.data, tmp_path)
    names = ["Ahrens, Ute", "Çelik, Can", "Haddad, Amira", "Özdemir, Ayşe", "Zimmer, Jonas"]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    assert "Oberdorf" not in text and "Cancelled" not in text and "Tagzwei" not in text
    assert "Angekommen" in text and "Eingecheckt" in text
    assert "5 Personen" in text and "1 beim Drucken eingecheckt" in text
    haddad_line = next(line for line in text.splitlines() if "Haddad, Amira" in line)
    assert re.search(r"\d{2}:\d{2}\s*$", haddad_line)  # checked in before printing
    assert "Caritas" in haddad_line
    zimmer_line = next(line for line in text.splitlines() if "Zimmer, Jonas" in line)
    assert not re.search(r"\d{2}:\d{2}\s*$", zimmer_line)


def test_the_printed_list_of_a_workshop_room_holds_its_seated_people(staff_client, db, tmp_path):
    congress = factories.congress()
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Ehrenamt stärken")
    services.ensure_checkpoints(congress)
    seated = factories.registration(congress, first_name="Sitz", last_name="Platz")
    factories.registration(congress, first_name="Ohne", last_name="Platz")
    db.session.add(
        WorkshopSeat(registration_id=seated.id, phase_id=phase.id, session_id=workshop.id)
    )
    db.session.commit()

    response = staff_client("organiser").get(f"/checkin/lists/ws-{workshop.id}.pdf")

    text = _pdf_text(response.data, tmp_path)
    assert response.status_code == 200
    assert "Platz, Sitz" in text and "Platz, Ohne" not in text
    assert "1 Person" in text


def test_the_lists_page_offers_a_pdf_per_day_and_checkpoint_to_door_staff(staff_client, door):
    page = staff_client("checkin").get("/checkin/lists").get_data(as_text=True)
    scanner = staff_client("checkin").get("/checkin?checkpoint=day-2").get_data(as_text=True)

    assert 'href="/checkin/lists/day-1.pdf"' in page and 'href="/checkin/lists/day-2.pdf"' in page
    assert 'href="/checkin/lists/day-2.pdf"' in scanner
    assert staff_client("checkin").get("/checkin/lists/nowhere.pdf").status_code == 404
    assert staff_client("coordinator").get("/checkin/lists/day-1.pdf").status_code == 403


# --- walk-ins --------------------------------------------------------------------------------


def _walk_in_form(**fields):
    return {
        "first_name": "Samir",
        "last_name": "Nouri",
        "email": "Samir.Nouri@example.org",
        "carrier_id": "0",
        "organisation_other": "Nachbarschaftsverein",
        "programme_role": "mentor",
        "badge_role": "attendee",
        "consent": "y",
    } | fields


def test_walk_in_is_registered_confirmed_checked_in_and_takes_a_seat(staff_client, db):
    congress = factories.congress(starts_on=_today_berlin(), capacity=10, day_capacity=5)
    services.ensure_checkpoints(congress)
    db.session.commit()
    staff = staff_client("checkin")

    response = staff.post("/checkin/walk-in", data=_walk_in_form())

    assert response.status_code == 302
    person = db.session.execute(select(Registration)).scalar_one()
    assert (person.status, person.source, person.email) == (
        "confirmed",
        "walk_in",
        "samir.nouri@example.org",
    )
    assert [d.day for d in person.days] == [_today_berlin()]
    db.session.refresh(congress)
    assert congress.taken == 1
    assert congress.days[0].taken == 1
    check_in = db.session.execute(select(CheckIn)).scalar_one()
    assert check_in.registration_id == person.id
    done = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Samir Nouri" in done
    assert_counters_match()


def test_walk_in_when_the_congress_is_full_is_refused_and_stores_nothing(staff_client, db):
    congress = factories.congress(starts_on=_today_berlin(), capacity=1)
    services.ensure_checkpoints(congress)
    congress.taken = 1
    db.session.commit()
    staff = staff_client("checkin")

    response = staff.post("/checkin/walk-in", data=_walk_in_form())

    assert response.status_code == 409
    assert "ausgebucht" in response.get_data(as_text=True)
    assert _count(db, Registration) == 0
    assert _count(db, CheckIn) == 0
    assert_counters_match("day", "quota", "workshop")  # the congress was filled by hand


def test_walk_in_with_a_known_email_points_to_the_search(staff_client, db):
    congress = factories.congress(starts_on=_today_berlin())
    services.ensure_checkpoints(congress)
    factories.registration(congress, email="samir.nouri@example.org")
    db.session.commit()
    staff = staff_client("checkin")

    response = staff.post("/checkin/walk-in", data=_walk_in_form())

    assert response.status_code == 409
    assert "bereits angemeldet" in response.get_data(as_text=True)
    assert _count(db, Registration) == 1


def test_walk_in_form_with_missing_fields_is_a_400(staff_client, db):
    factories.congress(starts_on=_today_berlin())
    db.session.commit()
    staff = staff_client("checkin")

    response = staff.post("/checkin/walk-in", data=_walk_in_form(last_name="", consent=""))

    assert response.status_code == 400
    assert _count(db, Registration) == 0


# --- live counts -----------------------------------------------------------------------------


def _arrive(congress, person, code, minutes):
    checkpoint = db_checkpoint(congress, code)
    from conference.extensions import db

    db.session.add(
        CheckIn(
            registration_id=person.id,
            checkpoint_id=checkpoint.id,
            checked_in_at=datetime.combine(congress.starts_on, datetime.min.time()).replace(
                tzinfo=utcnow().tzinfo
            )
            + timedelta(hours=7, minutes=minutes),
        )
    )


def db_checkpoint(congress, code):
    from conference.extensions import db

    return db.session.execute(
        select(Checkpoint).where(Checkpoint.congress_id == congress.id, Checkpoint.code == code)
    ).scalar_one()


def test_live_counts_show_arrivals_no_shows_carriers_and_the_curve(
    staff_client, door, db, count_queries
):
    congress, person = door
    _arrive(congress, person, "day-1", 5)
    db.session.commit()
    organiser = staff_client("organiser")
    url = f"/checkin/live?day={congress.starts_on.isoformat()}"
    organiser.get(url)

    with count_queries() as one:
        page = organiser.get(url).get_data(as_text=True)
    for minutes in (20, 50):
        extra = factories.registration(congress, carrier_id=person.carrier_id)
        _arrive(congress, extra, "day-1", minutes)
    factories.registration(congress)  # a no-show without carrier
    db.session.commit()
    organiser.get(url)  # the shared test session reloads the expired user
    with count_queries() as three:
        later = organiser.get(url).get_data(as_text=True)

    assert "1</strong> von 1 Erwarteten sind angekommen" in page
    assert "3</strong> von 4 Erwarteten sind angekommen" in later
    assert "Caritas Testverband" in later and "Ohne Programmträger" in later
    assert "<svg" in later and "<rect" in later and "polyline" in later
    # congress, days, per checkpoint, per day, per carrier, arrival times
    assert len(one) == len(three) == 8  # the user, the grouped counts, the organising body


def test_live_panel_refreshes_on_its_own_url(staff_client, door):
    assert staff_client("organiser").get("/checkin/live/panel").status_code == 200


def test_door_staff_may_open_the_live_counts_coordinators_not(staff_client, door):
    """Issue 22.14: door staff see the numbers of their doors, too."""
    door_staff = staff_client("checkin")

    page = door_staff.get("/checkin/live")
    panel = door_staff.get("/checkin/live/panel")

    assert page.status_code == 200 and panel.status_code == 200
    assert 'href="/checkin/live"' in page.get_data(as_text=True)  # in the staff navigation
    assert staff_client("coordinator").get("/checkin/live").status_code == 403


def test_scanner_page_shows_the_running_count_of_its_checkpoint(staff_client, door, db):
    """Issue 22.14: the count of all doors of this checkpoint, fresh with every page and on
    its own URL for the page's script."""
    congress, person = door
    other = factories.registration(congress, first_name="Jonas")
    db.session.commit()
    elsewhere = staff_client("checkin")
    elsewhere.post("/checkin", data={"token": other.badge_token, "checkpoint": "day-1"})
    staff = staff_client("checkin")

    before = staff.get("/checkin?checkpoint=day-1").get_data(as_text=True)
    after = staff.post("/checkin", data={"token": person.badge_token, "checkpoint": "day-1"})
    counts = staff.get("/checkin/count?checkpoint=day-1").get_json()
    day_two = staff.get("/checkin/count?checkpoint=day-2").get_json()

    def shown(page: str) -> str:
        return re.search(r"Hier bisher eingecheckt:\s*<strong data-count>(\d+)<", page).group(1)

    assert shown(before) == "1"
    assert shown(after.get_data(as_text=True)) == "2"
    assert counts == {"checkpoint": "day-1", "count": 2}
    assert day_two == {"checkpoint": "day-2", "count": 0}
    assert staff.get("/checkin/count?checkpoint=nowhere").status_code == 404
    assert staff_client("coordinator").get("/checkin/count?checkpoint=day-1").status_code == 403


def test_live_counts_with_a_bad_day_is_a_400(staff_client, door):
    assert staff_client("organiser").get("/checkin/live?day=yesterday").status_code == 400


def test_organiser_adds_missing_checkpoints(staff_client, db):
    congress = factories.congress()
    workshop = factories.workshop(congress, factories.phase(congress))
    db.session.commit()

    staff_client("organiser").post("/checkin/checkpoints")

    codes = set(
        db.session.execute(
            select(Checkpoint.code).where(Checkpoint.congress_id == congress.id)
        ).scalars()
    )
    assert codes == {"day-1", "day-2", f"ws-{workshop.id}"}


def test_a_changed_workshop_keeps_its_checkpoint_current(db):
    from conference.core.signals import session_changed

    congress = factories.congress()
    workshop = factories.workshop(congress, factories.phase(congress), title="Alt")
    services.ensure_checkpoints(congress)
    workshop.title = "Neu: Konflikte begleiten"

    session_changed.send(workshop, now=utcnow(), actor=None, fields={"title"})

    checkpoint = db.session.execute(
        select(Checkpoint).where(Checkpoint.code == f"ws-{workshop.id}")
    ).scalar_one()
    assert checkpoint.name == "Neu: Konflikte begleiten"
