"""gunicorn's own error answers, in German first and English, with ``lang`` attributes.

A request gunicorn cannot parse (an invalid Content-Length, a request line or headers too long,
a malformed request line) is answered by gunicorn itself and never reaches the app: by default
with an English page without ``lang`` that also echoes the rejected input. At that point
nothing tells the visitor's language, so the page says it in German, the default, and once
more in English, with the app's own translated words. ``install_error_pages`` replaces
gunicorn's page (``post_worker_init`` in ``gunicorn.conf.py``).
"""

from __future__ import annotations

from functools import cache
from html import escape

from babel.support import Translations
from gunicorn import util

from conference.core.i18n import TRANSLATIONS


def N_(msgid: str) -> str:  # noqa: N802 - the marker pybabel extracts
    return msgid


#: (title, message) msgids, the same as the app's error pages (shell/web.py, errors/error.html).
_TEXTS = {
    403: (N_("Access denied"), N_("You are not allowed to see this page.")),
    500: (
        N_("Server error"),
        N_("Something went wrong on our side. We have been notified; please try again later."),
    ),
}
_REQUEST = (
    N_("That did not work"),
    N_("The request could not be understood. Please check your input and try again."),
)


@cache
def _german() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["de"])


def error_page(status: int) -> str:
    """The HTML of gunicorn's answer with this status."""
    title, message = _TEXTS.get(status if status < 500 else 500, _REQUEST)
    german = _german()
    code = german.gettext(N_("Error code"))
    return (
        '<!doctype html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(german.gettext(title))} ({status})</title>\n</head>\n<body>\n"
        f"<h1>{escape(german.gettext(title))}</h1>\n"
        f"<p>{escape(german.gettext(message))}</p>\n"
        f'<p lang="en">{escape(title)}: {escape(message)}</p>\n'
        f"<p>{escape(code)}: {status}</p>\n</body>\n</html>\n"
    )


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Replaces ``gunicorn.util.write_error``; ``mesg`` (the rejected input) is not shown."""
    body = error_page(status_int).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        "Content-Type: text/html; charset=utf-8\r\nContent-Language: de\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install_error_pages() -> None:
    util.write_error = write_error
