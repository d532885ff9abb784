"""The congress app: ``create_app`` builds it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(
            (config or {}).get("INSTANCE_PATH")
            or os.environ.get("CONFERENCE_INSTANCE_PATH")
            or ROOT / "instance"
        ),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from conference import config as configuration
    from conference.core.database import DatabaseIntConverter

    # Before any route: every <int:...> refuses values no database row can have (404).
    app.url_map.converters["int"] = DatabaseIntConverter
    configuration.load(app, config)
    _require_public_base_url(app)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from conference.core.logs import install_filter

    install_filter()  # no manage, feed or badge token in any log line

    hops = app.config.get("PROXY_FIX_HOPS") or 0
    if hops > 0:
        # Behind that many reverse proxies: client address, scheme (https) and host come
        # from their X-Forwarded-* headers, so rate limits and external URLs are right.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    _init_extensions(app)
    _register_blueprints(app)

    from conference import shell

    shell.init_app(app)

    from conference import cli

    cli.init_app(app)
    return app


def _require_public_base_url(app: Flask) -> None:
    """Outside development the app does not serve without PUBLIC_BASE_URL: links in mails and
    feeds would have no trustworthy host. Command line tasks other than ``flask run`` (init-db,
    check, send-mail, ...) still start, so ``flask check`` can name the problem."""
    import click

    from conference import config as configuration

    if app.config["PUBLIC_BASE_URL"] or configuration.is_development(app):
        return
    command = click.get_current_context(silent=True)
    if command is not None and command.info_name != "run":
        return
    raise configuration.ConfigurationError(
        "PUBLIC_BASE_URL is not set. Set it to the address visitors use, e.g. "
        "PUBLIC_BASE_URL=https://kongress.example.org (or DEVELOPMENT=true on a development "
        "machine); `flask --app conference check` lists what else is missing."
    )


def _init_extensions(app: Flask) -> None:
    from conference import models  # noqa: F401 - the whole schema for Alembic
    from conference.core import i18n
    from conference.core.database import configure_engine
    from conference.core.database import init_app as init_database
    from conference.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"])
    init_database(app)  # its before_request hook runs before every other that reads the database
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(i18n.TRANSLATIONS),
    )
    from conference.core import ratelimit

    # Counters shared by all workers and machines in production (see core/ratelimit.py).
    uri, options = ratelimit.storage_settings(app.config)
    app.config.update(RATELIMIT_STORAGE_URI=uri, RATELIMIT_STORAGE_OPTIONS=options)
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """Each area's blueprint, then the composition above the areas (``attendee``: its pages
    sit on the registration blueprint, so they are imported before it is registered)."""
    from conference import attendee
    from conference.accounts import views as accounts
    from conference.agenda import views as agenda
    from conference.attendee import views as _attendee_views  # noqa: F401 - its routes
    from conference.badges import views as badges
    from conference.cfp import views as cfp
    from conference.checkin import init_app as init_checkin
    from conference.checkin import views as checkin
    from conference.editions import views as editions
    from conference.feeds import versions as feed_versions
    from conference.feeds import views as feeds
    from conference.mailings import delivery as mailing_delivery
    from conference.mailings import views as mailings
    from conference.mailtexts import views as mailtexts
    from conference.organisations import views as organisations
    from conference.questions import views as questions
    from conference.registration import views as registration
    from conference.reports import views as reports
    from conference.shell import views as main
    from conference.speakers import views as speakers
    from conference.surveys import views as surveys
    from conference.workshops import views as workshops

    for area in (
        main,
        accounts,
        questions,
        mailtexts,
        organisations,
        registration,
        agenda,
        workshops,
        badges,
        checkin,
        editions,
        feeds,
        reports,
        surveys,
        mailings,
        cfp,
        speakers,
    ):
        app.register_blueprint(area.bp)
    init_checkin(app)
    feed_versions.init_app(app)
    mailing_delivery.init_app(app)
    attendee.init_app(app)
    _load_audit_texts()
    _load_copy_steps()


AREAS_WITH_AUDIT_TEXTS = (
    "accounts",
    "questions",
    "mailtexts",
    "organisations",
    "registration",
    "agenda",
    "workshops",
    "badges",
    "checkin",
    "editions",
    "feeds",
    "reports",
    "surveys",
    "mailings",
    "cfp",
    "speakers",
)


def _load_audit_texts() -> None:
    """How each area's audit entries read (``conference/<area>/audit_texts.py``): registered
    with ``core.audit`` on import, so the log and a registration's history read as sentences."""
    import importlib

    for area in AREAS_WITH_AUDIT_TEXTS:
        importlib.import_module(f"conference.{area}.audit_texts")


#: Areas above the editions whose part an edition's copy takes along, in this order.
AREAS_WITH_COPY_STEPS = ("surveys", "cfp", "mailings")


def _load_copy_steps() -> None:
    """Each area's ``conference/<area>/copying.py`` registers its step with the editions' copy
    on import (``editions.copies_along``): the editions sit below these areas."""
    import importlib

    for area in AREAS_WITH_COPY_STEPS:
        importlib.import_module(f"conference.{area}.copying")
