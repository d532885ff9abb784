"""Logs without secrets.

Manage links (``/r/<token>``), personal feeds (``/feeds/<token>.ics``), confirmation links and
badge codes carry opaque tokens in the URL: whoever reads a log line could use them. They are
43 URL-safe characters (core/tokens.py); every run of 32 or more such characters with a digit
or a capital in a log line is replaced by ``[token]``, which catches them and any longer secret
without touching ids, dates, checkpoint codes, words or snake_case names. Percent-escapes count
as characters of the run (``%2D`` for ``-``, ``%41`` for ``A``): gunicorn logs the raw URI, so a
client that escapes some characters of a token would otherwise slip it past. Credentials in
headers (``Authorization``, cookies) are never written, whatever the log format asks for.

Staff search pages (registrations, door search, badge desk, privacy page) take the search
words, people's names, as ``q=``: its value is logged as ``q=[search]``, in request lines and
referers alike.

- ``TokenRedactingFilter``: for the app's own log records (create_app installs it).
- ``RedactingLogger``: gunicorn's logger with the same rule for access and error logs
  (``logger_class`` in ``gunicorn.conf.py``).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.glogging import SafeAtoms

TOKEN_RUN = re.compile(r"(?<![A-Za-z0-9_-])(?:[A-Za-z0-9_-]|%[0-9A-Fa-f]{2}){32,}(?![A-Za-z0-9_-])")
REDACTED = "[token]"
SEARCH_WORDS = re.compile(r"(?:(?<=[?&;])|^)(q=)[^&#\s\"']*")
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def _replace(match: re.Match) -> str:
    run = match.group(0)
    # A random token has digits or capitals (a 43-character one lacks both with a chance of
    # about 1e-13); long snake_case names such as database index names stay readable. Escapes
    # are judged by what they stand for: "%20" between words is no digit.
    plain = unquote(unquote(run))
    if any(c.isdigit() or c.isupper() for c in plain):
        return REDACTED
    return run


def redact(text: str) -> str:
    """The text with every token-like run replaced by ``[token]`` and search words by
    ``[search]``."""
    return TOKEN_RUN.sub(_replace, SEARCH_WORDS.sub(r"\1[search]", text))


class TokenRedactingFilter(logging.Filter):
    """Rewrites the formatted message of each record passing a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_filter(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of ``logger`` (default: root), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, TokenRedactingFilter) for f in handler.filters):
            handler.addFilter(TokenRedactingFilter())


def _clean_atom(key: str, value):
    """One access-log atom as it may be written: credentials hidden, tokens redacted."""
    # "{authorization}i" (request header), "{http_cookie}e" (WSGI environ), ...
    if key.startswith("{"):
        name = key[1:-2].lower().removeprefix("http_").replace("_", "-")
        if name in SECRET_HEADERS:
            return "[redacted]"
    return redact(value) if isinstance(value, str) else value


class _RedactedAtoms(dict):
    """gunicorn's atoms, each redacted when it is read.

    gunicorn builds an atom for every request header, response header and WSGI variable
    (about fifty); a log format reads a handful. Redacting on read keeps the rule for every
    atom a format could name and costs only the ones it does name (the access log runs on
    every request, the door scans included).
    """

    def __getitem__(self, key):
        return _clean_atom(key, super().__getitem__(key))


class _SafeRedactedAtoms(SafeAtoms):
    """gunicorn's wrapper for the format (case-insensitive headers, "-" for missing atoms),
    redacting what the format reads."""

    def __getitem__(self, key):
        return _clean_atom(key.lower() if key.startswith("{") else key, super().__getitem__(key))


class RedactingLogger(GunicornLogger):
    """gunicorn's logger, redacting tokens from access-log atoms and error messages."""

    atoms_wrapper_class = _SafeRedactedAtoms

    def atoms(self, resp, req, environ, request_time):
        return _RedactedAtoms(super().atoms(resp, req, environ, request_time))

    def setup(self, cfg):
        super().setup(cfg)
        install_filter(self.error_log)
