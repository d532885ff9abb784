"""Languages: German first, English second.

One German catalogue, ``conference/translations/de/LC_MESSAGES/messages.po``, kept with plain
``pybabel extract/update/compile`` (``make messages``, ``make translations``).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, mail sender: German unless force_locale says otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    # No explicit choice: a browser that prefers English gets English without searching for the
    # switch; German stays the default for everyone else (no header, "de", "fr", ...).
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    preferred = request.accept_languages.best_match(languages, default=default)
    return preferred if preferred in languages else default


def day_list(days) -> str:
    """Days as exports show them, in the current language ("10.03.2026 / 11.03.2026")."""
    return " / ".join(format_date(day, "medium") for day in days)


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def init_filters(app) -> None:
    """Locale-aware formatting for templates (times are shown in the congress zone)."""

    @app.template_filter("date")
    def _date(value, style="medium"):
        return format_date(value, style) if value else ""

    @app.template_filter("datetime")
    def _datetime(value, style="medium"):
        return format_datetime(value, style) if value else ""

    @app.template_filter("time")
    def _time(value, style="short"):
        return format_time(value, style) if value else ""

    @app.template_filter("percent")
    def _percent(share, digits: int = 0):
        """A share (0.62) as the locale writes it: "62 %" in German, "62%" in English."""
        if share is None:
            return ""
        pattern = get_locale().percent_formats[None].pattern  # "#,##0 %" (de), "#,##0%" (en)
        if digits:
            head, zero, tail = pattern.rpartition("0")
            pattern = f"{head}{zero}.{'0' * digits}{tail}"
        return format_percent(share, pattern)

    @app.template_filter("number")
    def _number(value, digits: int = 0):
        """A number with the locale's separators ("1.234,5")."""
        if value is None:
            return ""
        return format_decimal(value, "#,##0" + ("." + "#" * digits if digits else ""))
