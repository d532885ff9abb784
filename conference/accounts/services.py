"""Staff users and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from conference.accounts.models import ApiToken, Role, User
from conference.core import audit
from conference.core.errors import Conflict, Invalid
from conference.core.models import CarrierOrganisation
from conference.core.tokens import digest, new_token
from conference.extensions import db

MIN_PASSWORD_LENGTH = 10


class UserExists(Conflict):
    code = "user_exists"


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    name: str = "",
    organisation_id: int | None = None,
    actor=None,
) -> User:
    """Create a staff user. Raises Invalid for a bad role, password or organisation."""
    email = email.strip().lower()
    if role not in set(Role):
        raise Invalid(str(_l("Unknown role.")), code="unknown_role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            str(_l("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)),
            code="weak_password",
        )
    if role == Role.COORDINATOR:
        if organisation_id is None or db.session.get(CarrierOrganisation, organisation_id) is None:
            raise Invalid(
                str(_l("A coordinator needs an existing carrier organisation.")),
                code="organisation_required",
            )
    else:
        organisation_id = None
    exists = db.session.execute(
        select(func.count()).select_from(User).where(User.email == email)
    ).scalar_one()
    if exists:
        raise UserExists(str(_l("A user with this e-mail address exists already.")))
    user = User(email=email, name=name, role=role, organisation_id=organisation_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, role=role)
    return user


@cache
def _dummy_hash() -> str:
    """A hash made like every stored one (same hasher, same cost), of a password nobody has."""
    return generate_password_hash(secrets.token_urlsafe(32))


def authenticate(email: str, password: str, now: datetime) -> User | None:
    """The active user with this e-mail and password, else None.

    An unknown address costs the same password check as a known one, and an inactive account
    is only refused after its password was checked: answering faster would tell an attacker
    which addresses belong to staff.
    """
    user = db.session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = now
    return user


def create_api_token(name: str, role: str, *, actor=None) -> tuple[ApiToken, str]:
    """Create a bearer token; returns the row and the secret, which is shown once only."""
    if role not in {Role.CHECKIN, Role.ORGANISER}:
        raise Invalid(
            str(_l("API tokens are for the roles checkin and organiser.")), code="unknown_role"
        )
    secret = new_token()
    token = ApiToken(name=name.strip()[:100] or role, role=role, token_digest=digest(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", token, actor=actor, role=role, name=token.name)
    return token, secret


def list_users() -> list[User]:
    return list(
        db.session.execute(
            select(User).options(joinedload(User.organisation)).order_by(User.role, User.email)
        ).scalars()
    )


def list_api_tokens() -> list[ApiToken]:
    return list(db.session.execute(select(ApiToken).order_by(ApiToken.created_at.desc())).scalars())


def set_active(user: User, active: bool, *, actor) -> None:
    """Deactivate or reactivate a user. An admin cannot lock themselves out."""
    if actor is not None and getattr(actor, "id", None) == user.id and not active:
        raise Invalid(str(_l("You cannot deactivate your own account.")), code="self_deactivation")
    user.active = active
    if not active:
        user.end_sessions()
    audit.record("user.activate" if active else "user.deactivate", user, actor=actor)


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: a logout ends every copy of the session cookie."""
    user.end_sessions()
    db.session.flush()


def revoke_api_token(token: ApiToken, *, now: datetime, actor) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record("api_token.revoke", token, actor=actor, name=token.name)
