"""Production plumbing: gunicorn's configuration and token-free logs, ProxyFix, the ``check``
command, and rate-limit counters that several app servers share through the database."""

from __future__ import annotations

import io
import logging
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from flask import jsonify, request, url_for

from conference import create_app
from conference.accounts.access import public
from conference.core.logs import RedactingLogger, install_filter, redact
from conference.core.ratelimit import DatabaseStorage
from conference.core.tokens import new_token

ROOT = Path(__file__).resolve().parent.parent
LONG_KEY = "k" * 20 + "K" * 20 + "0123456789"
PRODUCTION = {"PUBLIC_BASE_URL": "https://kongress.example.org"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- logs ------------------------------------------------------------------------------------


def test_tokens_in_paths_are_redacted_but_ids_codes_and_names_stay():
    manage, feed = new_token(), new_token()

    line = redact(
        f'GET /r/{manage}?tab=days HTTP/1.1" /feeds/{feed}.ics /sessions/12.ics '
        "checkpoint=day-1 ix_registration_congress_status_and_more"
    )

    assert manage not in line and feed not in line
    assert line == (
        'GET /r/[token]?tab=days HTTP/1.1" /feeds/[token].ics /sessions/12.ics '
        "checkpoint=day-1 ix_registration_congress_status_and_more"
    )


def test_app_log_records_lose_their_tokens_at_the_handler():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    token = new_token()
    try:
        install_filter(logger)
        logger.warning("unhandled error on %s %s", "GET", f"/r/{token}")
    finally:
        logger.removeHandler(handler)

    assert stream.getvalue() == "unhandled error on GET /r/[token]\n"


def test_access_log_atoms_hide_tokens_and_credentials():
    from gunicorn.config import Config

    class Response:
        status, sent, headers = "200 OK", 512, [("Set-Cookie", "session=abc")]

    class Request:
        headers = [("AUTHORIZATION", "Bearer " + new_token()), ("COOKIE", "session=abc")]

    token = new_token()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/feeds/{token}.ics",
        "PATH_INFO": f"/feeds/{token}.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://kongress.example.org/r/{token}",
        "HTTP_AUTHORIZATION": "Bearer secret",
        "REMOTE_ADDR": "10.0.0.5",
    }
    from datetime import timedelta

    atoms = RedactingLogger(Config()).atoms(Response(), Request(), environ, timedelta(0, 0, 1500))

    assert atoms["r"] == "GET /feeds/[token].ics HTTP/1.1"
    assert atoms["U"] == "/feeds/[token].ics"
    assert atoms["f"] == "https://kongress.example.org/r/[token]"
    assert atoms["{authorization}i"] == "[redacted]"
    assert atoms["{cookie}i"] == "[redacted]"
    assert atoms["{set-cookie}o"] == "[redacted]"
    assert atoms["{http_authorization}e"] == "[redacted]"
    assert atoms["M"] == 1


def test_access_log_format_naming_any_atom_gets_it_redacted():
    """Atoms are redacted when the format reads them, whatever their case."""
    import io
    import logging
    from datetime import timedelta

    from gunicorn.config import Config

    class Response:
        status, sent, headers = "200 OK", 2, [("Set-Cookie", "session=abc")]

    token = new_token()

    class Request:
        headers = [
            ("AUTHORIZATION", "Bearer " + new_token()),
            ("X-CUSTOM", f"see /feeds/{token}.ics"),
        ]

    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/r/{token}?q=Haddad",
        "PATH_INFO": f"/r/{token}",
        "QUERY_STRING": "q=Haddad",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_X_CUSTOM": f"see /feeds/{token}.ics",
        "REMOTE_ADDR": "10.0.0.5",
    }
    config = Config()
    config.set("accesslog", "-")
    config.set(
        "access_log_format",
        "%(r)s|%({Authorization}i)s|%({set-cookie}o)s|%({x-custom}i)s|%({HTTP_X_CUSTOM}e)s|%(q)s",
    )
    logger = RedactingLogger(config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.access_log.handlers = [handler]
    logger.access(Response(), Request(), environ, timedelta(0, 1))

    assert stream.getvalue().strip() == (
        "POST /r/[token]?q=[search] HTTP/1.1|[redacted]|[redacted]|see /feeds/[token].ics"
        "|see /feeds/[token].ics|q=[search]"
    )


def test_gunicorn_serves_with_the_config_file_and_logs_requests_without_tokens(tmp_path):
    port = _free_port()
    access_log = tmp_path / "access.log"
    environment = {
        "PATH": "/usr/bin:/bin",
        "CONFERENCE_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": LONG_KEY,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "GUNICORN_ERROR_LOG": str(tmp_path / "error.log"),
        "MAIL_BACKEND": "none",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "conference", "init-db"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    escaped = _escape_every_third_character(new_token())
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=tmp_path,  # the config file is found by its path, not by the working directory
        env=environment,
    )
    token = new_token()
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/health", server)

        health = httpx.get(base + "/health")
        httpx.get(f"{base}/r/{token}", headers={"X-Forwarded-For": "203.0.113.9"})
        httpx.get(f"{base}/feeds/{token}.ics")
        httpx.get(f"{base}/r/{escaped}/days")
        httpx.get(f"{base}/checkin/search?q=Haddad&page=1")
        httpx.get(f"{base}/admin/registrations?status=confirmed&q=Am%C3%ADra+Haddad")
        unparseable = [
            _raw_request(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n"),
            _raw_request(port, b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)

    # Requests gunicorn itself refuses: German first, English too, each with its lang.
    for answer in unparseable:
        head, _, body = answer.partition(b"\r\n\r\n")
        page = body.decode()
        assert head.startswith(b"HTTP/1.1 400 ")
        assert b"Content-Type: text/html; charset=utf-8" in head
        assert page.startswith('<!doctype html>\n<html lang="de">')
        assert "<h1>Das hat nicht geklappt</h1>" in page
        assert '<p lang="en">That did not work: ' in page
        assert "aaaa" not in page

    log = access_log.read_text()
    assert health.json() == {"status": "ok", "database": "ok"}
    assert token not in log and escaped not in log
    assert "Haddad" not in log and "Am%C3%ADra" not in log
    assert 'GET /r/[token]/days HTTP/1.1"' in log
    assert 'GET /checkin/search?q=[search]&page=1 HTTP/1.1"' in log
    assert 'GET /admin/registrations?status=confirmed&q=[search] HTTP/1.1"' in log
    assert 'GET /r/[token] HTTP/1.1" 404' in log
    assert "GET /feeds/[token].ics HTTP/1.1" in log
    manage_line = next(line for line in log.splitlines() if "/r/" in line)
    assert manage_line.startswith('203.0.113.9 127.0.0.1 "GET /r/[token] HTTP/1.1" 404 ')
    assert manage_line.endswith('ms "python-httpx/' + httpx.__version__ + '"')


def _raw_request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def _escape_every_third_character(token: str) -> str:
    return "".join(f"%{ord(c):02X}" if n % 3 == 0 else c for n, c in enumerate(token))


def test_percent_escaped_tokens_and_search_words_are_redacted_too():
    token = new_token()
    escaped = _escape_every_third_character(token)

    line = redact(
        f"GET /r/{escaped}?q=M%C3%BCller+Anna&tab=days HTTP/1.1 "
        "/feeds/k7w%2dq0z%5fm3x9r%2dt4v8b1n6c2p5%2dh0j7l3s8d4f1%2dg6.ics "
        "/admin/privacy?q=anna@example.org /programme?day=2026-10-25&freq=2 "
        "long%20words%20between%20escaped%20spaces%20stay"
    )

    assert line == (
        "GET /r/[token]?q=[search]&tab=days HTTP/1.1 /feeds/[token].ics "
        "/admin/privacy?q=[search] /programme?day=2026-10-25&freq=2 "
        "long%20words%20between%20escaped%20spaces%20stay"
    )


def test_access_log_atoms_hide_search_words_in_the_query_and_the_referer():
    from datetime import timedelta

    from gunicorn.config import Config

    class Response:
        status, sent, headers = "200 OK", 512, []

    class Request:
        headers = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/admin/badges/desk?q=Haddad",
        "PATH_INFO": "/admin/badges/desk",
        "QUERY_STRING": "q=Haddad",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://kongress.example.org/checkin/search?q=Haddad",
        "REMOTE_ADDR": "10.0.0.5",
    }

    atoms = RedactingLogger(Config()).atoms(Response(), Request(), environ, timedelta(0, 1))

    assert atoms["r"] == "GET /admin/badges/desk?q=[search] HTTP/1.1"
    assert atoms["q"] == "q=[search]"
    assert atoms["f"] == "https://kongress.example.org/checkin/search?q=[search]"


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped with status {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


# --- ProxyFix --------------------------------------------------------------------------------


def _echo_app(app):
    @public
    def echo():
        return jsonify(
            remote_addr=request.remote_addr,
            url=url_for("echo", _external=True),
            scheme=request.scheme,
        )

    app.add_url_rule("/_echo", "echo", echo)
    return app.test_client()


@pytest.mark.fresh_app  # adds a URL rule
@pytest.mark.config(PROXY_FIX_HOPS=1, PUBLIC_BASE_URL="https://kongress.example.org")
def test_behind_one_proxy_the_client_address_and_https_come_from_its_headers(app):
    client = _echo_app(app)

    answer = client.get(
        "/_echo",
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "kongress.example.org",
        },
    ).get_json()

    assert answer == {
        "remote_addr": "203.0.113.9",
        "url": "https://kongress.example.org/_echo",
        "scheme": "https",
    }


@pytest.mark.fresh_app  # adds a URL rule
def test_without_a_proxy_forwarded_headers_are_not_trusted(app):
    client = _echo_app(app)

    answer = client.get(
        "/_echo", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    ).get_json()

    assert answer["remote_addr"] == "127.0.0.1"
    assert answer["scheme"] == "http"


@pytest.mark.config(PROXY_FIX_HOPS=1, RATELIMIT_ENABLED=True)
def test_behind_a_proxy_each_client_has_its_own_login_limit(app, client):
    from conference.extensions import db, limiter

    limiter.reset()

    def attempt(address: str) -> int:
        response = client.post(
            "/login",
            data={"email": "x@example.org", "password": "nope"},
            headers={"X-Forwarded-For": address},
        )
        db.session.remove()
        return response.status_code

    first_client = [attempt("203.0.113.9") for _ in range(11)]
    other_client = attempt("198.51.100.7")

    assert first_client[-1] == 429
    assert other_client == 400


# --- flask check -----------------------------------------------------------------------------


@pytest.mark.config(SECRET_KEY=LONG_KEY)
def test_check_passes_on_a_migrated_database_with_a_reachable_smtp_server(app):
    result = app.test_cli_runner().invoke(args=["check"])

    assert result.exit_code == 0, result.output
    assert "ok       secret key: set" in result.output
    assert "ok       migrations: up to date" in result.output
    assert f"ok       mail: SMTP server 127.0.0.1:{app.config['MAIL_PORT']} answers" in (
        result.output
    )
    assert "Configuration ready" in result.output


@pytest.mark.config(SECRET_KEY="changeme", MAIL_PORT=1)
def test_check_lists_every_problem_and_exits_non_zero(app):
    result = app.test_cli_runner().invoke(args=["check"])

    assert result.exit_code == 1
    assert "ERROR    secret key: SECRET_KEY is too short or a known placeholder" in result.output
    assert "ERROR    mail: SMTP server 127.0.0.1:1 is not usable" in result.output
    assert "2 error(s)" in result.output


def test_check_finds_an_unmigrated_database(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": LONG_KEY,
            "PUBLIC_BASE_URL": "https://kongress.example.org",
        }
    )

    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()

    result = app.test_cli_runner().invoke(args=["check"])

    assert result.exit_code == 1
    assert (
        "ERROR    migrations: the database is at revision none (empty database), the code "
        f"needs {head}; run: flask --app conference init-db"
    ) in result.output


def test_check_refuses_generated_keys_and_memory_limits_on_an_unreachable_postgresql(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": "postgresql+psycopg://conference@127.0.0.1:1/conference",
            "INSTANCE_PATH": str(tmp_path),
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "file",
            "PUBLIC_BASE_URL": "https://kongress.example.org",
        }
    )

    result = app.test_cli_runner().invoke(args=["check", "--strict"])

    assert result.exit_code == 1
    assert "ERROR    secret key: SECRET_KEY is not set; the key generated into" in result.output
    assert "ERROR    database: cannot connect to postgresql+psycopg://conference@127.0.0.1:1" in (
        result.output
    )
    assert "WARNING  rate limits: RATELIMIT_STORAGE_URI is memory://" in result.output
    assert "WARNING  mail: MAIL_BACKEND is 'file'" in result.output


# --- rate limits in the database -------------------------------------------------------------


def test_rate_limit_storage_defaults_to_the_database_on_sqlite_and_postgresql(tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    sqlite_app = create_app(
        {"DATABASE_URL": sqlite_url, "INSTANCE_PATH": str(tmp_path)} | PRODUCTION
    )
    postgres_url = "postgresql+psycopg://conference@db.internal/conference"
    postgres_app = create_app(
        {"DATABASE_URL": postgres_url, "INSTANCE_PATH": str(tmp_path)} | PRODUCTION
    )

    assert sqlite_app.config["RATELIMIT_STORAGE_URI"] == "database://"
    assert sqlite_app.config["RATELIMIT_STORAGE_OPTIONS"] == {"url": sqlite_url}
    assert postgres_app.config["RATELIMIT_STORAGE_URI"] == "database://"
    assert postgres_app.config["RATELIMIT_STORAGE_OPTIONS"] == {"url": postgres_url}


def test_two_servers_on_one_sqlite_file_share_the_rate_limits(tmp_path):
    from conference.extensions import db
    from tests import factories

    database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    ports = [_free_port(), _free_port()]
    environment = {
        "PATH": "/usr/bin:/bin",
        "CONFERENCE_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": database_url,
        "SECRET_KEY": LONG_KEY,
        "MAIL_BACKEND": "none",
        "RATELIMIT_ENABLED": "true",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "conference", "init-db"],
        cwd=ROOT,
        env={**environment, "PUBLIC_BASE_URL": "http://127.0.0.1"},
        check=True,
        capture_output=True,
    )
    setup = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "TESTING": True}
    )
    with setup.app_context():
        factories.congress()
        db.session.commit()
        db.engine.dispose()
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=tmp_path,
            env={
                **environment,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_ERROR_LOG": str(tmp_path / f"error-{port}.log"),
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            },
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, server in zip(bases, servers, strict=True):
            _wait_until_up(base + "/health", server, timeout=240)  # two start at once
        with httpx.Client(
            timeout=60
        ) as browser:  # one cookie jar: the session is valid on both servers
            form = browser.get(bases[0] + "/register/lost-link").text
            csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
            statuses = [
                browser.post(
                    f"{bases[n % 2]}/register/lost-link",
                    data={"csrf_token": csrf, "email": f"x{n}@example.org"},
                ).status_code
                for n in range(8)
            ]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)

    # "5/minute" for lost links, counted once for both servers.
    assert statuses == [302] * 5 + [429] * 3


def test_two_servers_count_into_one_database_window(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first, second = DatabaseStorage("database://", url=url), DatabaseStorage("database://", url=url)

    counts = [first.incr("login/203.0.113.9", 60), second.incr("login/203.0.113.9", 60)]
    counts.append(first.incr("login/203.0.113.9", 60, amount=3))

    assert counts == [1, 2, 5]
    assert second.get("login/203.0.113.9") == 5
    assert second.get("login/198.51.100.1") == 0
    assert time.time() + 55 < first.get_expiry("login/203.0.113.9") <= time.time() + 60
    assert first.check() is True
    second.clear("login/203.0.113.9")
    assert first.get("login/203.0.113.9") == 0


def test_an_expired_window_starts_again_at_one(app):
    storage = DatabaseStorage("database://", url=app.config["SQLALCHEMY_DATABASE_URI"])
    storage.incr("k", 1)
    storage.incr("k", 1)

    time.sleep(1.1)

    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1


def test_parallel_hits_from_two_servers_are_all_counted(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    servers = [DatabaseStorage("database://", url=url) for _ in range(2)]
    errors = []

    def hit(storage):
        try:
            for _ in range(25):
                storage.incr("scan/door-1", 60)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=hit, args=(servers[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert servers[0].get("scan/door-1") == 200


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="database://")
def test_login_limit_counts_in_the_database(app, client):
    from conference.core.models import RateLimitCounter
    from conference.extensions import db

    statuses = []
    for _ in range(11):
        response = client.post("/login", data={"email": "x@example.org", "password": "nope"})
        statuses.append(response.status_code)
        # The test client shares the test's app context and so its database session; end the
        # request's transaction as a server does, or SQLite's write lock stays taken.
        db.session.remove()

    assert statuses == [400] * 10 + [429]
    assert db.session.query(RateLimitCounter.count).scalar() == 11


# --- links and hosts (issue 14, points 1-4) --------------------------------------------------


def _links_in(message) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", message.get_body(("plain",)).get_content())


@pytest.mark.config(PUBLIC_BASE_URL=None)
def test_mailed_links_never_take_the_requests_host_even_where_it_is_trusted(app, client, smtp):
    from conference.extensions import db
    from tests import factories

    congress = factories.congress()
    factories.registration(congress, email="victim@example.org")
    db.session.commit()

    answer = client.post(
        "/register/lost-link",
        data={"email": "victim@example.org"},
        headers={"Host": "localhost:8081"},
    )

    assert answer.status_code == 302
    links = _links_in(smtp.wait(1)[0])
    assert links and all(link.startswith("http://127.0.0.1:5000/r/") for link in links)


@pytest.mark.config(PUBLIC_BASE_URL=None)
def test_feeds_and_the_calendar_page_never_take_the_requests_host(app, client):
    from conference.extensions import db
    from tests import factories

    congress = factories.congress()
    factories.session(congress, title="Eröffnung")
    db.session.commit()

    feed = client.get("/programme.ics", headers={"Host": "localhost:8081"}).get_data(as_text=True)
    page = client.get("/calendar", headers={"Host": "localhost:8081"}).get_data(as_text=True)

    assert "localhost:8081" not in feed and "localhost:8081" not in page
    assert "http://127.0.0.1:5000/sessions/" in feed.replace("\r\n ", "")
    assert "webcal://127.0.0.1:5000/programme.ics" in page


def test_a_request_for_a_foreign_host_gets_400_in_german_and_mails_nothing(app, client, smtp):
    from conference.core.models import OutboxMail
    from conference.extensions import db
    from tests import factories

    congress = factories.congress()
    factories.registration(congress, email="victim@example.org")
    db.session.commit()

    answer = client.post(
        "/register/lost-link",
        data={"email": "victim@example.org"},
        headers={"Host": "attacker.example"},
    )

    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert '<html lang="de">' in page and "Das hat nicht geklappt" in page
    assert db.session.query(OutboxMail).count() == 0


@pytest.mark.config(PROXY_FIX_HOPS=1)
def test_behind_a_proxy_a_foreign_forwarded_host_gets_400(app, client):
    with client.session_transaction() as session:
        session["language"] = "en"

    answer = client.get("/", headers={"X-Forwarded-Host": "attacker.example"})

    assert answer.status_code == 400
    assert '<html lang="en">' in answer.get_data(as_text=True)
    assert client.get("/", headers={"X-Forwarded-Host": "kongress.test"}).status_code == 200


def test_trusted_hosts_come_from_the_base_url_plus_localhost_only_in_development(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "PUBLIC_BASE_URL": "https://kongress.example.org/"}

    production = create_app({**base, "TRUSTED_HOSTS": ["app1.internal"]})
    development = create_app({**base, "DEVELOPMENT": True})

    assert production.config["TRUSTED_HOSTS"] == ["kongress.example.org", "app1.internal"]
    assert production.config["PUBLIC_BASE_URL"] == "https://kongress.example.org"
    assert development.config["TRUSTED_HOSTS"] == [
        "kongress.example.org",
        "localhost",
        "127.0.0.1",
        "::1",
    ]


def test_outside_development_the_app_refuses_to_start_without_a_base_url(tmp_path, monkeypatch):
    from conference.config import ConfigurationError

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)

    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert create_app({"INSTANCE_PATH": str(tmp_path), "DEVELOPMENT": True})


def test_flask_check_reports_the_missing_base_url_and_flask_run_refuses(tmp_path):
    environment = {
        "PATH": "/usr/bin:/bin",
        "CONFERENCE_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": LONG_KEY,
        "MAIL_BACKEND": "none",
    }
    flask = [sys.executable, "-m", "flask", "--app", "conference"]

    check = subprocess.run(
        [*flask, "check"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    run = subprocess.run(
        [*flask, "run", "--port", str(_free_port())],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert check.returncode == 1
    assert "ERROR    links: PUBLIC_BASE_URL is not set" in check.stdout
    assert run.returncode != 0
    assert "PUBLIC_BASE_URL is not set" in run.stderr


def test_make_run_sets_the_base_url_and_development_itself():
    dry_run = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout

    serve = next(line for line in dry_run.splitlines() if " run --host " in line)
    assert "PUBLIC_BASE_URL=http://127.0.0.1:5000" in serve
    assert "DEVELOPMENT=true" in serve


@pytest.mark.config(PUBLIC_BASE_URL="https://kongress.example.org", PROXY_FIX_HOPS=1)
def test_an_https_site_sends_hsts_and_secure_session_cookies(app, client):
    from conference.extensions import db
    from tests import factories

    factories.user(email="orga@example.org", role="organiser")
    db.session.commit()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kongress.example.org"}

    start = client.get("/", headers=https)
    login = client.post(
        "/login",
        data={"email": "orga@example.org", "password": factories.PASSWORD},
        headers=https,
    )

    assert start.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert login.status_code == 302
    assert "Secure" in login.headers["Set-Cookie"]


def test_an_http_site_sends_no_hsts(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
