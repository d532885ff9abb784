"""Who may call which view: every view declares it, and an undeclared view is admin-only.

``@public`` opens a view to everyone; ``@roles_required(...)`` asks for a logged-in staff user
with one of the roles (admin always passes); ``@api_roles(...)`` accepts a bearer token of one
of the roles, or a staff session plus CSRF token. One ``before_request`` hook enforces all of it,
so a forgotten decorator locks a view instead of opening it.

A bearer token that was found valid is remembered by the process for
``API_TOKEN_CACHE_SECONDS`` (default 5): a door scanner sends the same token with every scan, and
its lookup was a round trip of its own, as long as the scan's one statement. A token revoked in
this process is forgotten at once (``forget_api_tokens``, also on any change to a token row it
flushes); every other worker and server refuses it at the latest when its entry expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import abort, current_app, g, has_app_context, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, event, select, update

from conference.accounts.models import ApiToken, Role
from conference.core.caching import Remembered
from conference.core.database import SAFE_METHODS
from conference.core.time import utcnow
from conference.core.tokens import digest
from conference.extensions import csrf, db

PUBLIC = "public"


def public(view):
    view.access = PUBLIC
    return view


def roles_required(*roles: str):
    def decorate(view):
        view.access = ("roles", frozenset(roles))
        return view

    return decorate


def api_roles(*roles: str):
    """A JSON API view for bearer tokens (scanners, scripts) or staff sessions."""

    def decorate(view):
        view.access = ("api", frozenset(roles))
        csrf.exempt(view)  # checked below, only for session-authenticated calls
        return view

    return decorate


def view_access(view) -> object:
    return getattr(view, "access", ("roles", frozenset({Role.ADMIN})))


def enforce_access():
    """The app-wide before_request hook."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    access = view_access(view)
    if access == PUBLIC:
        return None
    kind, roles = access
    if kind == "api":
        return _enforce_api(roles)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not current_user.has_role(*roles):
        abort(403)
    return None


def _enforce_api(roles: frozenset[str]):
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = _token_from_header(header.removeprefix("Bearer ").strip())
        if token is None:
            abort(401)
        if token.role != Role.ADMIN and token.role not in roles:
            abort(403)
        g.api_token = token
        return None
    if current_user.is_authenticated:
        if not current_user.has_role(*roles):
            abort(403)
        if request.method not in SAFE_METHODS:
            csrf.protect()
        return None
    abort(401)


@dataclass(frozen=True)
class TokenHolder:
    """The API token behind a request (``g.api_token``): what access control, the audit log
    (``name``) and the door (``id``) need, read as plain columns, not as an ORM row."""

    id: int
    name: str
    role: str


_tokens = ApiToken.__table__
#: Built once; every API request runs it, so it only binds the digest.
_TOKEN_BY_DIGEST = select(
    _tokens.c.id, _tokens.c.name, _tokens.c.role, _tokens.c.last_used_at
).where(_tokens.c.token_digest == bindparam("digest"), _tokens.c.revoked_at.is_(None))


#: Enough for every door device and script of a congress; the oldest entry goes first.
TOKENS_REMEMBERED = 512

_CACHE_KEY = "verified_api_tokens"


def init_app(app) -> None:
    """The process's remembered valid tokens (config ``API_TOKEN_CACHE_SECONDS``) and the access
    hook."""
    app.extensions[_CACHE_KEY] = Remembered(
        float(app.config["API_TOKEN_CACHE_SECONDS"]), TOKENS_REMEMBERED
    )
    app.before_request(enforce_access)


def forget_api_tokens() -> None:
    """Drop this process's remembered tokens (after a revocation)."""
    if has_app_context():
        cache = current_app.extensions.get(_CACHE_KEY)
        if cache is not None:
            cache.clear()


@event.listens_for(ApiToken, "after_update")
def _token_row_changed(_mapper, _connection, _target) -> None:
    # Any change to a token row (revoked_at above all) written through the ORM, by the
    # service or a script: this process stops trusting what it remembers.
    forget_api_tokens()


def _token_from_header(raw: str) -> TokenHolder | None:
    if not raw or len(raw) > 200:
        return None
    key = digest(raw)
    cache: Remembered[str, TokenHolder] | None = current_app.extensions.get(_CACHE_KEY)
    holder = cache.get(key) if cache is not None else None
    if holder is not None:
        return holder
    row = db.session.connection().execute(_TOKEN_BY_DIGEST, {"digest": key}).one_or_none()
    if row is None:
        return None
    # Use is recorded only when the token is read from the database, not on a remembered one.
    if request.method not in SAFE_METHODS:
        now = utcnow()
        # Record use at most every few minutes: a scanner must not write on every scan for this.
        # Safe requests never write (and on SQLite hold no write lock), so they do not record.
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            db.session.execute(
                update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
            )
    holder = TokenHolder(row.id, row.name, row.role)
    if cache is not None:
        cache.put(key, holder)
    return holder


def current_actor():
    """The user or API token behind this request, for the audit log."""
    token = g.get("api_token")
    if token is not None:
        return token
    return current_user._get_current_object() if current_user.is_authenticated else None


def can_visit(endpoint: str) -> bool:
    """Whether the current user may open a view: for links in navigation."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    access = view_access(view)
    if access == PUBLIC:
        return True
    return current_user.is_authenticated and current_user.has_role(*access[1])
