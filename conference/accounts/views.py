from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from conference.accounts import services
from conference.accounts.access import public
from conference.accounts.forms import LoginForm
from conference.accounts.models import Role, User
from conference.core.time import utcnow
from conference.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, never another host (open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user: User) -> str:
    if user.role == Role.CHECKIN:
        endpoint = "checkin.scanner"
    elif user.role == Role.COORDINATOR:
        endpoint = "organisations.portal"
    else:
        endpoint = "main.staff_home"
    if endpoint not in current_app.view_functions:
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
        user = services.authenticate(form.email.data, form.password.data, utcnow())
        if user is None:
            form.password.errors.append(_("E-mail address or password is wrong."))
        else:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(form.next.data) or home_for(user))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        logout_user()
        flash(_("You have been logged out."))
    return redirect(url_for("main.index"))
