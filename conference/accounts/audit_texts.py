"""How staff accounts and API tokens appear in the audit log."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.accounts.labels import role_label
from conference.accounts.models import ApiToken, User
from conference.core import audit
from conference.core.audit import Facts
from conference.extensions import db


@audit.namer("User", _l("Staff account"))
def _user_names(ids: set) -> dict:
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {id_: name or email for id_, name, email in rows}


@audit.namer("ApiToken", _l("API token"))
def _token_names(ids: set) -> dict:
    rows = db.session.execute(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(ids)))
    return {id_: name for id_, name in rows}


@audit.sentence("user.create")
def _user_created(f: Facts) -> str:
    return _(
        "%(who)s created the staff account %(account)s (%(role)s).",
        who=f.who,
        account=f.object or "–",
        role=role_label(f.detail("role")),
    )


@audit.sentence("user.activate")
def _user_activated(f: Facts) -> str:
    return _(
        "%(who)s reactivated the staff account %(account)s.", who=f.who, account=f.object or "–"
    )


@audit.sentence("user.deactivate")
def _user_deactivated(f: Facts) -> str:
    return _(
        "%(who)s deactivated the staff account %(account)s.", who=f.who, account=f.object or "–"
    )


@audit.sentence("api_token.create")
def _token_created(f: Facts) -> str:
    return _(
        "%(who)s created the API token “%(name)s” (%(role)s).",
        who=f.who,
        name=f.detail("name") or f.object,
        role=role_label(f.detail("role")),
    )


@audit.sentence("api_token.revoke")
def _token_revoked(f: Facts) -> str:
    return _(
        "%(who)s revoked the API token “%(name)s”.", who=f.who, name=f.detail("name") or f.object
    )
