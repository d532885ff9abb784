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

    app = create_app({"INSTANCE_PATH": str(tmp_path)})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'conference.sqlite3'}"
    assert (tmp_path / "secret_key").exists()


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("MAIL_SERVER = 'from-instance'\nMAIL_PORT = 2525\n")
    monkeypatch.setenv("MAIL_SERVER", "from-env")

    app = create_app({"INSTANCE_PATH": str(tmp_path)})

    assert app.config["MAIL_SERVER"] == "from-env"
    assert app.config["MAIL_PORT"] == 2525


def test_postgres_url_forms_use_psycopg(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgres://u:p@127.0.0.1/x"})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@127.0.0.1/x"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


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
