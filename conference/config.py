"""Configuration defaults.

Precedence, lowest first: these defaults, ``instance/config.py``, environment variables, and
the mapping given to ``create_app(config)`` (tests). A secret key is generated once into
``instance/secret_key`` when none is configured, so a fresh checkout runs without set-up.

Development means ``DEVELOPMENT=true`` (``make run`` sets it), ``flask --debug`` or the test
suite (``TESTING``). Only there may ``PUBLIC_BASE_URL`` be missing (links then point to
``http://127.0.0.1:5000``) and the app also answers for localhost. Everywhere else every
absolute link is built from ``PUBLIC_BASE_URL`` and requests for any other host get 400
(Flask's ``TRUSTED_HOSTS``, derived here), so a forged ``Host`` header can never put an
attacker's address into a mail.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

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
    "MAIL_SEND_INTERVAL": float,
    "API_TOKEN_CACHE_SECONDS": float,
    "FEED_VERSION_CACHE_SECONDS": float,
    "PUBLIC_BASE_URL": str,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": bool,
    "PROXY_FIX_HOPS": int,
    "SESSION_COOKIE_SECURE": bool,
    "LOG_LEVEL": str,
    "DEVELOPMENT": bool,
    "TRUSTED_HOSTS": list,
    "PROGRAMME_NAME": str,
    "FUNDER_NAME": str,
}

#: Where ``make run`` serves; the links of a development set-up without PUBLIC_BASE_URL.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
#: Host names a development set-up answers besides PUBLIC_BASE_URL's.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class Defaults:
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Seconds a SQLite transaction waits for the one write lock before "database is locked".
    SQLITE_BUSY_TIMEOUT = 15.0

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
    # Mails a visitor without an account can trigger reach one address at most this often an
    # hour (core/mail.py ``unsolicited_mail_allowed``).
    MAIL_RECIPIENT_CAP_PER_HOUR = 3
    # Seconds between the delivery passes each serving process runs by itself (0: none, e.g.
    # when only cron's `flask send-mail` shall deliver). Several processes may run them at
    # once: each mail is claimed by a conditional UPDATE, so none goes out twice.
    MAIL_SEND_INTERVAL = 5.0

    # e.g. https://kongress.example.org: every absolute link (mails, feeds, calendar pages) and
    # the only host the app answers for. Required outside development.
    PUBLIC_BASE_URL: str | None = None
    # Further host names to answer for (e.g. the one a load balancer's health check sends);
    # PUBLIC_BASE_URL's host is always included (``derive_settings``).
    TRUSTED_HOSTS: list[str] | None = None
    DEVELOPMENT = False
    # Strict-Transport-Security, sent when PUBLIC_BASE_URL is https://.
    HSTS_MAX_AGE = 365 * 24 * 3600

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # tied to the session; forms left open for hours still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    RATELIMIT_ENABLED = True
    # Empty: the app's database, PostgreSQL or SQLite, shared by all workers (core/ratelimit.py).
    RATELIMIT_STORAGE_URI = ""
    RATELIMIT_HEADERS_ENABLED = False

    PROXY_FIX_HOPS = 0
    LOG_LEVEL = "INFO"
    # Named on the cover of the funder report (only names: no invented contact details).
    PROGRAMME_NAME = "Bundesprogramm „Menschen stärken Menschen“"
    FUNDER_NAME = "Bundesministerium für Bildung, Familie, Senioren, Frauen und Jugend"

    # Seconds each serving process trusts an API token it has found valid, without asking the
    # database again (0: ask on every request). A revoked token is refused by the process that
    # revoked it at once, by every other one at the latest after this long.
    API_TOKEN_CACHE_SECONDS = 5.0
    # Seconds each serving process answers a calendar poll whose ETag it has just computed
    # with 304 without asking the database again (0: ask every time). Only 304s: a full feed
    # is always built from the database. A change reaches every calendar within this time.
    FEED_VERSION_CACHE_SECONDS = 5.0

    # Stored scan answers (they quote names) are purged by `flask anonymise` after this long.
    SCAN_ANSWERS_KEPT_DAYS = 3


def _parse(value: str, kind: type):
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if kind is list:
        return [part.strip() for part in value.split(",") if part.strip()]
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
    derive_settings(app)


class ConfigurationError(RuntimeError):
    """A setting the app cannot serve with; the message says what to set."""


def is_development(app) -> bool:
    """``DEVELOPMENT=true`` (``make run``), ``flask --debug`` or the test suite."""
    return bool(app.config.get("DEVELOPMENT") or app.debug or app.testing)


def derive_settings(app) -> None:
    """Settings that follow from PUBLIC_BASE_URL: the trusted hosts and, for an https://
    site, secure cookies (HSTS is sent by ``shell/web.py``)."""
    config = app.config
    base = (config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/")
    hosts = list(config.get("TRUSTED_HOSTS") or [])
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"PUBLIC_BASE_URL={base!r} is no http:// or https:// address, "
                "e.g. https://kongress.example.org"
            )
        hosts.insert(0, parts.hostname)
        if parts.scheme == "https":
            config["SESSION_COOKIE_SECURE"] = True
            config["REMEMBER_COOKIE_SECURE"] = True
    config["PUBLIC_BASE_URL"] = base or None
    if is_development(app):
        hosts += LOCAL_HOSTS
    # None (every host) only where nothing is known: a command line task without a base URL,
    # which serves nobody (create_app refuses to serve in that state).
    config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts)) or None


def public_base_url(app) -> str:
    """The configured base of every absolute link. Raises ConfigurationError outside
    development when PUBLIC_BASE_URL is missing; never falls back to a request's Host."""
    base = app.config.get("PUBLIC_BASE_URL")
    if base:
        return base
    if is_development(app):
        return DEVELOPMENT_BASE_URL
    raise ConfigurationError(
        "PUBLIC_BASE_URL is not set; links in mails and feeds need it, "
        "e.g. PUBLIC_BASE_URL=https://kongress.example.org"
    )


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
