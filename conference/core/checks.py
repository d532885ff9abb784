"""``flask --app conference check``: is this configuration fit to serve?

Run it after every deployment (and in the service's start-up, before gunicorn): it connects to
everything the app needs and lists each problem in words an operator can act on. Errors make
the command exit with status 1; warnings (settings that work on one machine but not on
several) only with ``--strict``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from conference.extensions import db

ERROR, WARNING, OK = "error", "warning", "ok"
#: Keys that must never serve production: the test suite's and the usual placeholders.
KNOWN_KEYS = {"test-secret-key", "dev", "development", "secret", "changeme", "change-me"}
MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR, WARNING or OK
    topic: str
    message: str


def run_checks(app: Flask) -> list[Finding]:
    """Every check, in the order an operator fixes things."""
    findings: list[Finding] = []
    findings += _secret_key(app)
    database_ok = _database(app, findings)
    if database_ok:
        findings += _migrations(app)
    findings += _mail(app)
    findings += _rate_limits(app)
    findings += _links(app)
    return findings


def _production(app: Flask) -> bool:
    """Several processes or machines: anything but the SQLite development set-up."""
    return not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _secret_key(app: Flask) -> list[Finding]:
    key = app.config.get("SECRET_KEY") or ""
    if key in KNOWN_KEYS or len(key) < MIN_KEY_LENGTH:
        return [
            Finding(
                ERROR,
                "secret key",
                f"SECRET_KEY is too short or a known placeholder; use at least "
                f"{MIN_KEY_LENGTH} random characters, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'.",
            )
        ]
    generated = Path(app.instance_path) / "secret_key"
    if generated.is_file() and generated.read_text().strip() == key and _production(app):
        return [
            Finding(
                ERROR,
                "secret key",
                f"SECRET_KEY is not set; the key generated into {generated} differs on each "
                "machine, so sessions and CSRF tokens break behind a load balancer. Set "
                "SECRET_KEY to the same value on every app server.",
            )
        ]
    return [Finding(OK, "secret key", "set")]


def _database(app: Flask, findings: list[Finding]) -> bool:
    url = db.engine.url.render_as_string(hide_password=True)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - every failure is reported, none raised
        findings.append(
            Finding(ERROR, "database", f"cannot connect to {url}: {_first_line(error)}")
        )
        return False
    findings.append(Finding(OK, "database", f"reachable ({url})"))
    return True


def _migrations(app: Flask) -> list[Finding]:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        shown = ", ".join(sorted(current)) or "none (empty database)"
        return [
            Finding(
                ERROR,
                "migrations",
                f"the database is at revision {shown}, the code needs "
                f"{', '.join(sorted(heads))}; run: flask --app conference init-db",
            )
        ]
    return [Finding(OK, "migrations", f"up to date ({', '.join(sorted(heads))})")]


def _mail(app: Flask) -> list[Finding]:
    config = app.config
    backend = config["MAIL_BACKEND"]
    if backend != "smtp":
        level = WARNING if _production(app) else OK
        return [
            Finding(
                level,
                "mail",
                f"MAIL_BACKEND is {backend!r}: no mail is sent"
                + (f" (files in {config['OUTBOX_DIR']})" if backend == "file" else "")
                + "; set MAIL_BACKEND=smtp and MAIL_SERVER for a real congress.",
            )
        ]
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    timeout = min(config.get("MAIL_TIMEOUT") or 10, 10)
    try:
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        return [
            Finding(
                ERROR,
                "mail",
                f"SMTP server {host}:{port} is not usable: {_first_line(error)} "
                "(registrations are kept in the outbox until it is)",
            )
        ]
    return [Finding(OK, "mail", f"SMTP server {host}:{port} answers")]


def _rate_limits(app: Flask) -> list[Finding]:
    from limits.storage import storage_from_string

    uri = app.config["RATELIMIT_STORAGE_URI"]
    scheme = uri.split(":", 1)[0]
    if scheme in ("memory", "async+memory"):
        return [
            Finding(
                WARNING,
                "rate limits",
                "RATELIMIT_STORAGE_URI is memory://: each gunicorn worker counts on its "
                "own, so limits multiply with workers and machines; leave it empty for "
                "database:// (the default) or use redis://HOST:6379.",
            )
        ]
    try:
        storage = storage_from_string(uri, **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}))
        healthy = storage.check()
    except Exception as error:  # noqa: BLE001 - a missing driver is a finding, too
        return [Finding(ERROR, "rate limits", f"{scheme}:// storage: {_first_line(error)}")]
    if not healthy:
        return [Finding(ERROR, "rate limits", f"{scheme}:// storage does not answer")]
    return [Finding(OK, "rate limits", f"{scheme}:// storage answers")]


def _links(app: Flask) -> list[Finding]:
    from conference.config import DEVELOPMENT_BASE_URL, is_development

    base = app.config.get("PUBLIC_BASE_URL") or ""
    if not base:
        if is_development(app):
            return [
                Finding(
                    WARNING,
                    "links",
                    f"PUBLIC_BASE_URL is not set; links in mails and feeds point to "
                    f"{DEVELOPMENT_BASE_URL} (development only)",
                )
            ]
        return [
            Finding(
                ERROR,
                "links",
                "PUBLIC_BASE_URL is not set; the app refuses to serve without it. Set it to the "
                "address visitors use, e.g. PUBLIC_BASE_URL=https://kongress.example.org",
            )
        ]
    findings = []
    if base.startswith("https://") and not app.config.get("PROXY_FIX_HOPS"):
        findings.append(
            Finding(
                WARNING,
                "links",
                "PROXY_FIX_HOPS is 0: behind a reverse proxy the app sees the proxy's address "
                "(rate limits per client do not work) and http:// instead of https://; set it "
                "to the number of proxies in front",
            )
        )
    hosts = ", ".join(app.config.get("TRUSTED_HOSTS") or [])
    return findings or [Finding(OK, "links", f"{base} (answers for: {hosts})")]


def _first_line(error: BaseException) -> str:
    text_ = str(error).strip().splitlines()
    return text_[0] if text_ else type(error).__name__


@click.command("check")
@click.option("--strict", is_flag=True, help="Warnings fail, too.")
@with_appcontext
def check(strict: bool):
    """Verify the configuration: secret key, database and migrations, SMTP, rate limits."""
    findings = run_checks(current_app)
    labels = {OK: ("ok", "green"), WARNING: ("WARNING", "yellow"), ERROR: ("ERROR", "red")}
    for finding in findings:
        label, colour = labels[finding.level]
        click.echo(f"{click.style(f'{label:<8}', fg=colour)} {finding.topic}: {finding.message}")
    errors = [f for f in findings if f.level == ERROR]
    warnings = [f for f in findings if f.level == WARNING]
    failing = errors + (warnings if strict else [])
    if failing:
        click.echo(
            f"{len(errors)} error(s), {len(warnings)} warning(s): the configuration is not "
            "ready to serve.",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"Configuration ready ({len(warnings)} warning(s)).")
