"""Scale-out: two app servers (gunicorn, two workers each, on different ports) share one
PostgreSQL and give the guarantees of one: sessions valid on both, one rate limit across both,
no double check-in and no overbooking when concurrent requests are split across them.

This is how the app grows past one machine: more stateless app servers behind a load
balancer, one PostgreSQL. Parts for areas not on this branch yet skip while their endpoint
answers 404, and run as soon as it exists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import POSTGRES_URL

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES_URL, reason="scale-out needs PostgreSQL (set DATABASE_URL)"),
]

ROOT = Path(__file__).resolve().parent.parent
SECRET = "scale-out-" + "S3cret" * 8


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TIMEOUT = 60  # seconds; httpx's default of 5 s is too short on a busy CI machine


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory, _schema):
    """Two gunicorn servers with the production config file on one PostgreSQL database."""
    folder = tmp_path_factory.mktemp("scale-out")
    processes, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        environment = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,  # one key for all servers: sessions move between them
            "CONFERENCE_INSTANCE_PATH": str(folder / name),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_ERROR_LOG": str(folder / f"{name}.log"),
            "MAIL_BACKEND": "none",
            "RATELIMIT_ENABLED": "true",  # storage: database:// (the PostgreSQL default)
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        }
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
                cwd=ROOT,
                env=environment,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for name, url, process in zip(("a", "b"), urls, processes, strict=True):
            _wait_until_up(url + "/health", process, folder / f"{name}.log")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:  # still booting workers on a busy machine
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    """Wait for the server; on a busy CI machine two servers booting two workers each take a
    while (the log says why when it does not come up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server stopped with status {process.returncode}: {_tail(log)}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def _split(servers, n):
    """Server of the n-th request: alternate, as a round-robin load balancer does."""
    return servers[n % len(servers)]


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the form"
    return match.group(1)


def test_both_servers_answer_from_the_same_database(servers, app):
    answers = [httpx.get(url + "/health", timeout=TIMEOUT).json() for url in servers]

    assert answers == [{"status": "ok", "database": "ok"}] * 2


def test_a_login_on_one_server_is_valid_on_the_other(servers, app, db):
    factories.user(role="organiser", email="orga@example.org")
    db.session.commit()
    first, second = servers

    with httpx.Client(timeout=TIMEOUT) as browser:
        form = browser.get(first + "/login")
        login = browser.post(
            first + "/login",
            data={
                "csrf_token": _csrf_token(form.text),
                "email": "orga@example.org",
                "password": factories.PASSWORD,
            },
        )
        staff_page = browser.get(second + "/staff")

    assert login.status_code == 302
    assert staff_page.status_code == 200
    assert "orga@example.org" in staff_page.text


def test_the_login_rate_limit_holds_across_both_servers_and_all_workers(servers, app):
    with httpx.Client(timeout=TIMEOUT) as browser:
        token = _csrf_token(browser.get(servers[0] + "/login").text)
        statuses = [
            browser.post(
                _split(servers, n) + "/login",
                data={"csrf_token": token, "email": "x@example.org", "password": "wrong"},
            ).status_code
            for n in range(12)
        ]

    # 10 per minute and client, counted once in PostgreSQL: with memory:// each of the four
    # workers would have allowed ten.
    assert statuses == [400] * 10 + [429, 429]


def test_parallel_api_reads_split_across_both_servers_agree(servers, app, db):
    from conference.accounts.services import create_api_token

    congress = factories.congress(title="Fachkongress 2027")
    for _ in range(3):
        factories.registration(congress)
    _token, secret = create_api_token("report", "organiser")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(
                lambda n: httpx.get(
                    _split(servers, n) + "/api/v1/stats", headers=headers, timeout=TIMEOUT
                ),
                range(32),
            )
        )

    assert {response.status_code for response in responses} == {200}
    bodies = [response.json() for response in responses]
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["registrations"]["confirmed"] == 3


def test_one_badge_scanned_at_both_servers_at_once_checks_in_exactly_once(servers, app, db):
    from conference.accounts.services import create_api_token
    from conference.checkin.models import CheckIn

    congress = factories.congress(starts_on=factories.venue_today())
    factories.checkpoint(congress, code="day-1", day=factories.venue_today())
    person = factories.registration(congress)
    _token, secret = create_api_token("Door", "checkin")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"token": person.badge_token, "checkpoint": "day-1"}
    probe = httpx.post(
        servers[0] + "/api/v1/checkin/scan", json={}, headers=headers, timeout=TIMEOUT
    )
    if probe.status_code == 404:
        pytest.skip("the scan API (checkin area) is not on this branch yet")

    def scan(n):
        return httpx.post(
            _split(servers, n) + "/api/v1/checkin/scan", json=body, headers=headers, timeout=TIMEOUT
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(scan, range(16)))

    assert {response.status_code for response in responses} == {200}
    results = sorted(response.json()["result"] for response in responses)
    assert results == ["already_checked_in"] * 15 + ["ok"]
    db.session.rollback()
    stored = db.session.execute(
        select(func.count()).select_from(CheckIn).where(CheckIn.registration_id == person.id)
    ).scalar_one()
    assert stored == 1


class _FormReader(HTMLParser):
    """The fields of the first POST form on a page, filled as a plausible attendee would."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.in_form = self.done = False
        self.select: str | None = None
        self.radios_seen: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and not self.done:
            if a.get("action") in (None, "", "/register"):
                self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button"):
                return
            if kind == "radio":
                if name not in self.radios_seen:
                    self.radios_seen.add(name)
                    self.fields[name] = [a.get("value") or "on"]
            elif kind == "checkbox":
                self.fields.setdefault(name, []).append(a.get("value") or "y")
            elif kind == "hidden":
                self.fields[name] = [a.get("value") or ""]
            elif kind == "email":
                self.fields[name] = ["__EMAIL__"]
            elif kind == "date":
                self.fields[name] = [a.get("value") or ""]
            else:
                self.fields[name] = [a.get("value") or "Test"]
        elif tag == "textarea" and name:
            self.fields[name] = [""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and self.select not in self.fields:
            if a.get("value"):
                self.fields[self.select] = [a["value"]]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def test_parallel_registrations_across_both_servers_never_overbook(servers, app, db):
    """12 people register and confirm their address at the same time, each request going to
    either server: exactly the 5 seats are taken, the other 7 wait, the counter agrees."""
    from conference.core.models import Congress
    from conference.registration.models import Registration, Status
    from tests.test_registration import form_data

    congress = factories.congress(capacity=5, title="Fachkongress 2027")
    base = form_data(congress)
    db.session.commit()

    def register(n):
        with httpx.Client(timeout=TIMEOUT) as person:
            form = person.get(_split(servers, n) + "/register")
            data = {**base, "email": f"person{n}@example.org", "csrf_token": _csrf_token(form.text)}
            return person.post(_split(servers, n + 1) + "/register", data=data)

    def confirm(n, token):
        with httpx.Client(timeout=TIMEOUT) as person:
            page = person.get(_split(servers, n) + f"/register/confirm/{token}")
            return person.post(
                _split(servers, n + 1) + f"/register/confirm/{token}",
                data={"csrf_token": _csrf_token(page.text)},
            )

    with ThreadPoolExecutor(max_workers=12) as pool:
        submitted = list(pool.map(register, range(12)))
    db.session.rollback()
    tokens = (
        db.session.execute(
            select(Registration.confirm_token).where(Registration.congress_id == congress.id)
        )
        .scalars()
        .all()
    )
    with ThreadPoolExecutor(max_workers=12) as pool:
        confirmed = list(pool.map(confirm, range(12), tokens))

    assert [r.status_code for r in submitted] == [302] * 12
    assert all(r.status_code < 400 for r in confirmed)
    db.session.rollback()
    statuses = sorted(
        db.session.execute(
            select(Registration.status).where(Registration.congress_id == congress.id)
        ).scalars()
    )
    assert statuses == [Status.CONFIRMED] * 5 + [Status.WAITLISTED] * 7
    assert db.session.get(Congress, congress.id).taken == 5
