"""Configuration defaults.

Precedence, lowest first: these defaults, ``instance/config.py``, environment variables, and
the mapping given to ``create_app(config)`` (tests). A secret key is generated once into
``instance/secret_key`` when none is configured, so a fresh checkout runs without set-up.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

#: Environment variables read at start, with the type they are parsed as.
ENVIRONMENT_KEYS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "MAIL_BACKEND": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_DEFAULT_SENDER": str,
    "PUBLIC_BASE_URL": str,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": bool,
    "PROXY_FIX_HOPS": int,
    "SESSION_COOKIE_SECURE": bool,
    "LOG_LEVEL": str,
    "PROGRAMME_NAME": str,
    "FUNDER_NAME": str,
}


class Defaults:
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    # "file" writes .eml files into instance/outbox/, "smtp" delivers, "none" keeps mail queued.
    MAIL_BACKEND = "file"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "Fachkongress <kongress@example.org>"
    MAIL_MAX_ATTEMPTS = 8
    # Deliver the mail a request queued right after its response (besides `flask send-mail`).
    MAIL_SEND_AFTER_REQUEST = True

    PUBLIC_BASE_URL: str | None = None  # e.g. https://kongress.example.org, for links in mails

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # tied to the session; forms left open for hours still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    RATELIMIT_ENABLED = True
    # Empty: the database when it is PostgreSQL, memory with SQLite (core/ratelimit.py).
    RATELIMIT_STORAGE_URI = ""
    RATELIMIT_HEADERS_ENABLED = False

    PROXY_FIX_HOPS = 0
    LOG_LEVEL = "INFO"
    # Named on the cover of the funder report (only names: no invented contact details).
    PROGRAMME_NAME = "Bundesprogramm „Menschen stärken Menschen“"
    FUNDER_NAME = "Bundesministerium für Bildung, Familie, Senioren, Frauen und Jugend"


def _parse(value: str, kind: type):
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return kind(value)


def load(app, overrides: dict | None) -> None:
    """Fill ``app.config`` in the documented order of precedence."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key, kind in ENVIRONMENT_KEYS.items():
        if key in os.environ:
            app.config[key] = _parse(os.environ[key], kind)
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")

    url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'conference.sqlite3'}"
    if url.startswith("postgres://"):  # the form many hosting providers hand out
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("OUTBOX_DIR", str(instance / "outbox"))


def _instance_secret(path: Path) -> str:
    """Read the generated secret key, creating it (mode 0600) on first run."""
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker may be writing it right now: wait for the content, never race it.
        for _ in range(50):
            existing = path.read_text().strip()
            if existing:
                return existing
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to generate a new key") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
