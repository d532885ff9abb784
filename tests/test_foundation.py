"""The app shell: configuration, health, errors, headers, languages."""

from __future__ import annotations

import re

import pytest

from conference import create_app
from conference.config import _instance_secret
from tests import factories


def test_health_reports_ok_with_database(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_landing_page_shows_current_congress_in_german(client, db):
    congress = factories.congress(
        title="Fachkongress Demo", venue_name="Tagungszentrum am Spreeufer"
    )
    db.session.commit()

    response = client.get("/")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="de">' in page
    assert "Fachkongress Demo" in page
    assert "Tagungszentrum am Spreeufer" in page
    assert "Die Anmeldung ist geöffnet." in page
    assert congress.id


def test_landing_page_says_when_registration_is_closed(client, db):
    from datetime import UTC, datetime, timedelta

    factories.congress(registration_closes_at=datetime.now(UTC) - timedelta(hours=1))
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert "Die Anmeldung ist geschlossen." in page


def test_landing_page_without_congress_says_so(client):
    page = client.get("/").get_data(as_text=True)

    assert "Es wurde noch kein Kongress angelegt." in page


def test_english_is_switchable_and_sticks(client, db):
    factories.congress()
    db.session.commit()

    response = client.post("/language", data={"language": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)

    assert response.status_code == 302
    assert '<html lang="en">' in page
    assert "Registration is open." in page


def test_unknown_language_is_a_400(client):
    assert client.post("/language", data={"language": "xx"}).status_code == 400


def test_language_switch_never_redirects_to_another_site(client):
    response = client.post("/language", data={"language": "en", "next": "//evil.example/"})

    assert response.headers["Location"] == "/"


def test_unknown_url_is_a_translated_404_page(client):
    response = client.get("/does-not-exist")

    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)


def test_unknown_api_url_answers_json(client):
    response = client.get("/api/v1/nothing")

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_wrong_method_is_a_405_with_allow_header(client):
    response = client.delete("/health")

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"language": "en"})

    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)


@pytest.mark.config(MAX_CONTENT_LENGTH=1024)
def test_oversized_body_is_a_413(client):
    response = client.post("/language", data={"language": "en", "next": "x" * 5000})

    assert response.status_code == 413
    assert "zu groß" in response.get_data(as_text=True)


def test_security_headers_are_set(client):
    response = client.get("/")

    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.post("/language", data={"language": "en", "next": "/"})

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_have_no_inline_script_or_style(client, db):
    factories.congress()
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = _instance_secret(tmp_path / "secret_key")
    second = _instance_secret(tmp_path / "secret_key")

    assert first == second
    assert len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_app_without_configuration_uses_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)

    app = create_app({"INSTANCE_PATH": str(tmp_path), "DEVELOPMENT": True})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'conference.sqlite3'}"
    assert (tmp_path / "secret_key").exists()


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("MAIL_SERVER = 'from-instance'\nMAIL_PORT = 2525\n")
    monkeypatch.setenv("MAIL_SERVER", "from-env")

    app = create_app({"INSTANCE_PATH": str(tmp_path), "DEVELOPMENT": True})

    assert app.config["MAIL_SERVER"] == "from-env"
    assert app.config["MAIL_PORT"] == 2525


def test_postgres_url_forms_use_psycopg(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": "postgres://u:p@127.0.0.1/x",
            "TESTING": True,
        }
    )

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@127.0.0.1/x"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.fresh_app  # adds URL rules and an engine listener
def test_sqlite_transactions_begin_immediate_for_writes_and_deferred_for_reads(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    from sqlalchemy import event, text

    from conference.accounts.access import public
    from conference.core.database import writes

    @public
    def reader():
        db.session.execute(text("SELECT 1"))
        return "read"

    @public
    @writes
    def writer():
        db.session.execute(text("SELECT 1"))
        return "wrote"

    app.add_url_rule("/_test/reader", view_func=reader)
    app.add_url_rule("/_test/writer", view_func=writer)
    begins = []
    event.listen(
        db.engine,
        "before_cursor_execute",
        lambda c, cur, stmt, *a: begins.append(stmt) if stmt.startswith("BEGIN") else None,
    )
    client = app.test_client()

    for method, url in [("GET", "/_test/reader"), ("GET", "/_test/writer")]:
        db.session.rollback()  # the test's app context shares one session with the requests
        client.open(url, method=method, data={"language": "en"})

    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


# --- integers the database cannot hold (issue 14, point 15) ----------------------------------

OUT_OF_RANGE = ("9223372036854775808", "2147483648", "99999999999999999999999")


def _get_rules_with(app, predicate, *, methods=("GET",)):
    from werkzeug.routing import IntegerConverter

    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.methods & set(methods):
            continue
        integers = [n for n in rule.arguments if isinstance(rule._converters[n], IntegerConverter)]
        if predicate(integers):
            yield rule, integers


def _path(rule, integers, value) -> str:
    # Integers go in as text, so that the URL carries exactly these digits.
    parts = []
    for kind, content in rule._trace:
        if not kind:
            parts.append(content)
        elif content in integers:
            parts.append(value)
        else:
            parts.append("x" * 43)
    return "".join(parts).split("|", 1)[1]


def test_every_route_with_an_integer_in_the_url_answers_404_beyond_the_databases_range(
    app, db, staff_client
):
    congress = factories.congress()
    factories.session(congress)
    db.session.commit()
    admin = staff_client("admin")
    checked = {"GET": 0, "POST": 0}

    for rule, integers in _get_rules_with(app, bool, methods=("GET", "POST")):
        method = "GET" if "GET" in rule.methods else "POST"
        for value in OUT_OF_RANGE:
            path = _path(rule, integers, value)
            status = admin.open(path, method=method).status_code
            # 405 where a GET route has the same path (werkzeug checks methods first).
            assert status == 404 or (method == "POST" and status == 405), f"{method} {path}"
        checked[method] += 1

    assert checked["GET"] >= 20 and checked["GET"] + checked["POST"] >= 40


def test_integer_query_parameters_beyond_the_range_or_not_ascii_never_give_500(
    app, db, staff_client
):
    congress = factories.congress()
    factories.session(congress)
    db.session.commit()
    admin = staff_client("admin")
    names = ("carrier", "page", "congress", "room", "track", "room_id", "refresh", "organisation")

    for value in (*OUT_OF_RANGE, "²", "-1", "٣"):
        query = "&".join(f"{name}={value}" for name in names)
        for rule, integers in _get_rules_with(app, lambda integers: True):
            if rule.arguments - set(integers):
                continue  # pages behind a token: nothing reads these parameters there
            path = _path(rule, integers, "1") + "?" + query
            assert admin.get(path).status_code < 500, path


def test_the_copy_form_refuses_an_id_beyond_the_range_with_its_message(db, staff_client):
    factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    answer = organiser.post("/admin/agenda/copy", data={"source": str(-(2**63) - 1)})

    assert answer.status_code == 400
    assert "Bitte wählen Sie einen Kongress als Vorlage." in answer.get_data(as_text=True)


def test_session_form_ids_beyond_the_range_are_a_400_not_a_500(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    day = congress.starts_on.isoformat()

    answer = organiser.post(
        "/admin/agenda/sessions/new",
        data={
            "title": "Podium",
            "kind": "panel",
            "language": "de",
            "day": day,
            "start": "10:00",
            "end": "11:00",
            "room_id": "9223372036854775808",
            "speaker_ids": ["9223372036854775808"],
        },
    )

    assert answer.status_code == 400


# --- error pages in the visitor's language (issue 14, point 16) ------------------------------

ERROR_TITLES = {
    "de": {400: "Das hat nicht geklappt", 403: "Zugriff verweigert", 404: "Seite nicht gefunden"},
    "en": {400: "That did not work", 403: "Access denied", 404: "Page not found"},
}


@pytest.mark.config(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=1024)
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_error_page_is_in_the_visitors_language_with_its_lang(
    app, db, client, staff_client, language
):
    import io

    factories.congress()
    db.session.commit()
    door = staff_client("checkin")
    for visitor in (client, door):
        with visitor.session_transaction() as session:
            session["language"] = language
    upload = {"file": (io.BytesIO(b"x" * 4096), "big.csv")}
    requests = {
        "csrf": (400, lambda: client.post("/register/lost-link", data={"email": "a@b.org"})),
        # A browser sends no cookie to a foreign host: only the URL can say the language.
        "host": (400, lambda: client.get(f"/?lang={language}", headers={"Host": "evil.example"})),
        "value": (400, lambda: client.post("/language", data={"language": "xx"})),
        "role": (403, lambda: door.get("/admin/registrations")),
        "page": (404, lambda: client.get("/does-not-exist")),
        "method": (405, lambda: client.put("/")),
        "upload": (413, lambda: client.post("/register/lost-link", data=upload)),
    }

    for what, (status, send) in requests.items():
        answer = send()
        page = answer.get_data(as_text=True)
        assert answer.status_code == status, what
        assert f'<html lang="{language}">' in page, what
        title = ERROR_TITLES[language].get(status, ERROR_TITLES[language][400])
        assert f"<h1>{title}</h1>" in page, what


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_the_429_page_is_in_the_visitors_language(app, db, client):
    factories.congress()
    db.session.commit()
    with client.session_transaction() as session:
        session["language"] = "en"

    answers = [
        client.post("/register/lost-link", data={"email": "a@example.org"}) for _ in range(6)
    ]

    page = answers[-1].get_data(as_text=True)
    assert answers[-1].status_code == 429
    assert '<html lang="en">' in page and "Too many requests" in page


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("en-US", "en"),
        ("fr-FR,en;q=0.5,de;q=0.8", "de"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-FR", "de"),
        ("", "de"),
    ],
)
def test_browser_language_chooses_english_only_when_preferred(client, db, header, language):
    factories.congress()
    db.session.commit()

    response = client.get("/", headers={"Accept-Language": header} if header else {})

    assert f'<html lang="{language}">' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_an_explicit_choice_beats_the_browser_language(client, db):
    factories.congress()
    db.session.commit()
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}

    by_argument = client.get("/?lang=de", headers=english_browser).get_data(as_text=True)
    client.post("/language", data={"language": "de", "next": "/"})
    by_switch = client.get("/", headers=english_browser).get_data(as_text=True)

    assert '<html lang="de">' in by_argument
    assert '<html lang="de">' in by_switch
