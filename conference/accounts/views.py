from __future__ import annotations

import hmac
import math

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from conference.accounts import services
from conference.accounts.access import public, roles_required
from conference.accounts.forms import ApiTokenForm, LoginForm, UserForm
from conference.accounts.labels import ROLE_LABELS
from conference.accounts.models import ApiToken, Role, User
from conference.core import collation
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.http import safe_next
from conference.core.models import CarrierOrganisation
from conference.core.time import utcnow
from conference.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a session cookie ``"<id>:<session version>"`` (``User.get_id``), as long as
    the version was not rotated since (logout, password change, deactivation)."""
    number, _, version = user_id.partition(":")
    if not number.isdigit() or len(number) > 18 or not version:
        return None
    user = db.session.get(User, int(number))
    if user is None or not hmac.compare_digest(user.session_version, version):
        return None
    return user


def home_for(user: User) -> str:
    if user.role == Role.CHECKIN:
        endpoint = "checkin.scanner"
    elif user.role == Role.COORDINATOR:
        endpoint = "organisations.portal"
    elif user.role == Role.REVIEWER:
        endpoint = "cfp.review_list"
    else:
        endpoint = "main.staff_home"
    return url_for(endpoint)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10/minute", methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        with transaction():
            user = services.authenticate(form.email.data, form.password.data, utcnow())
        if user is None:
            form.password.errors.append(_("E-mail address or password is wrong."))
        else:
            login_user(user)
            return redirect(safe_next(form.next.data) or home_for(user))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        # Also on the server: a copy of this session's cookie must not open anything later.
        with transaction():
            services.end_sessions(current_user._get_current_object())
        logout_user()
        flash(_("You have been logged out."))
    return redirect(url_for("main.index"))


def _organisation_choices() -> list[tuple[str, str]]:
    rows = collation.sort_by(
        db.session.execute(select(CarrierOrganisation.id, CarrierOrganisation.name)).all(),
        lambda row: row.name,
    )
    return [("", _("– none –"))] + [(str(id_), name) for id_, name in rows]


def _role_labels() -> dict[str, str]:
    return {role: str(text) for role, text in ROLE_LABELS.items()}


@bp.route("/admin/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_users():
    labels = _role_labels()
    form = UserForm()
    form.role.choices = list(labels.items())
    form.organisation_id.choices = _organisation_choices()
    token_form = ApiTokenForm(prefix="token")
    token_form.role.choices = [
        (Role.CHECKIN.value, labels[Role.CHECKIN]),
        (Role.ORGANISER.value, labels[Role.ORGANISER]),
    ]
    status = 200
    if form.validate_on_submit():
        try:
            with transaction():
                services.create_user(
                    form.email.data,
                    form.password.data,
                    form.role.data,
                    name=form.name.data or "",
                    organisation_id=form.organisation_id.data,
                    actor=current_user,
                )
        except DomainError as error:
            form.email.errors.append(error.message)
            status = 400
        else:
            flash(
                _(
                    "The account for %(email)s has been created.",
                    email=form.email.data.strip().lower(),
                ),
                "success",
            )
            return redirect(url_for(".admin_users"))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "accounts/admin_users.html",
            form=form,
            token_form=token_form,
            users=services.list_users(),
            tokens=services.list_api_tokens(),
            role_labels=labels,
        ),
        status,
    )


@bp.post("/admin/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def admin_user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    with transaction():
        services.set_active(user, request.form.get("active") == "1", actor=current_user)
    flash(_("Saved."), "success")
    return redirect(url_for(".admin_users"))


@bp.post("/admin/api-tokens")
@roles_required(Role.ADMIN)
def admin_token_create():
    form = ApiTokenForm(prefix="token")
    form.role.choices = [
        (Role.CHECKIN.value, Role.CHECKIN.value),
        (Role.ORGANISER.value, Role.ORGANISER.value),
    ]
    if not form.validate_on_submit():
        flash(_("Please give the device a name and choose a role."), "error")
        return redirect(url_for(".admin_users")), 303
    with transaction():
        token, secret = services.create_api_token(
            form.name.data, form.role.data, actor=current_user
        )
    # Shown once, on this response only: the secret is never stored or logged.
    return render_template("accounts/token_created.html", token=token, secret=secret)


@bp.post("/admin/api-tokens/<int:token_id>/revoke")
@roles_required(Role.ADMIN)
def admin_token_revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    with transaction():
        services.revoke_api_token(token, now=utcnow(), actor=current_user)
    # Other workers and servers trust a token they found valid a few seconds longer
    # (API_TOKEN_CACHE_SECONDS, accounts/access.py).
    seconds = math.ceil(current_app.config["API_TOKEN_CACHE_SECONDS"])
    if seconds > 0:
        message = ngettext(
            "The token “%(name)s” is revoked: every device using it is refused within "
            "%(num)d second.",
            "The token “%(name)s” is revoked: every device using it is refused within "
            "%(num)d seconds.",
            seconds,
            name=token.name,
        )
    else:
        message = _("The token “%(name)s” no longer works.", name=token.name)
    flash(message, "success")
    return redirect(url_for(".admin_users"))
