"""Request-wide hooks: access enforcement, error pages, security headers, template helpers."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from conference.accounts import access
from conference.accounts.access import can_visit
from conference.core import i18n
from conference.core.errors import DomainError
from conference.core.http import wants_json
from conference.core.mail import public_url_adapter
from conference.extensions import db

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: Set on every response unless the view set them itself.
_SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check your input and try again."),
        401: _("Please sign in to continue."),
        403: _("You are not allowed to see this page."),
        404: _("This page does not exist (any more)."),
        405: _("This action is not possible here."),
        409: _("This conflicts with the current state. Please reload and try again."),
        413: _("The upload is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. We have been notified; please try again later."),
    }


def error_response(status: int, code: str, message: str):
    db.session.rollback()
    if wants_json():
        return make_response(jsonify(error=code, message=message), status)
    if request_ctx.url_adapter is None:
        # A request for a foreign host (TRUSTED_HOSTS) gets no URL adapter from Flask; the
        # page's own links are relative, so the public base's adapter builds them.
        request_ctx.url_adapter = public_url_adapter()
    return make_response(
        render_template("errors/error.html", status=status, message=message), status
    )


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session. A request without any cookie (a scanner, a calendar
    client, ``/health``) gets its empty session without the cookie parser and the signing
    serializer being built; saving a session that was filled in still signs it as before."""

    def open_session(self, app, request):
        if app.secret_key and not request.environ.get("HTTP_COOKIE"):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    access.init_app(app)
    from conference.core import mail

    mail.init_app(app)
    i18n.init_filters(app)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return error_response(
            400, "csrf", _("The form has expired or was sent from elsewhere. Please try again.")
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        message = _messages().get(status) or error.description or ""
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_response(status, code, message)
        if getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", _messages()[500])

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        # One pass over what the view set, then only the missing headers are added (this runs
        # on every response, the door's scans included).
        present = {key.lower() for key, _value in headers}
        for key, value in _SECURITY_HEADERS:
            if key.lower() not in present:
                headers.add(key, value)
        if "strict-transport-security" not in present and (
            current_app.config["PUBLIC_BASE_URL"] or ""
        ).startswith("https://"):
            # Browsers then never try plain http for this site again (no downgrade, no
            # session cookie over http).
            headers.add(
                "Strict-Transport-Security", f"max-age={current_app.config['HSTS_MAX_AGE']}"
            )
        endpoint = request.endpoint
        if endpoint and endpoint != "static":
            # The language may follow the browser's Accept-Language: caches must keep both.
            response.vary.add("Accept-Language")
            if "cache-control" not in present:
                headers["Cache-Control"] = "no-store" if _is_private() else "no-cache"
        return response

    @app.context_processor
    def _template_helpers():
        return {
            "current_locale": str(get_locale() or "de"),
            "can_visit": can_visit,
            "languages": current_app.config["LANGUAGES"],
        }


def _is_private() -> bool:
    """Pages with personal data (manage links, staff pages) must not sit in shared caches.

    The path is checked first and a request without cookies has no logged-in user: the scan
    API and polled feeds skip loading the user for this.
    """
    if request.path.startswith(("/r/", "/api/")):
        return True
    return bool(request.cookies) and current_user.is_authenticated
