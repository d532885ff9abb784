"""Workshop sign-up for attendees, by manage link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from conference.accounts.access import public
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError
from conference.core.time import utcnow
from conference.workshops import services
from conference.workshops.views import bp

# --- attendees -------------------------------------------------------------------------------


def _back(token: str):
    if (
        request.form.get("back") != "workshops"
        and "registration.manage" in current_app.view_functions
    ):
        return redirect(url_for("registration.manage", token=token) + "#workshops")
    return redirect(url_for(".attendee", token=token))


def _attendee_page(
    registration, *, error: str | None = None, draft: dict | None = None, status: int = 200
):
    view = services.attendee_view(registration, now=utcnow())
    return (
        render_template(
            "workshops/attendee.html",
            view=view,
            registration=registration,
            congress=registration.congress,
            error=error,
            draft=draft,
        ),
        status,
    )


def _attendee_action(token: str, action, success: str):
    registration = services.registration_by_token(token)
    try:
        with transaction():
            action(registration)
    except DomainError as error:
        if error.status == 404:
            raise
        registration = services.registration_by_token(token)
        return _attendee_page(registration, error=error.message, status=error.status)
    flash(success, "success")
    return _back(token)


def manage_section(registration, *, workshop_draft: dict | None = None) -> Markup | None:
    """The attendee's workshops on the manage page; ``workshop_draft`` is a ranking that was
    refused, shown again with its error (``ranking``)."""
    view = services.attendee_view(registration, now=utcnow())
    if not view.phases:
        return None
    return Markup(
        render_template("workshops/_section.html", view=view, back="manage", draft=workshop_draft)
    )


@bp.get("/r/<token>/workshops")
@public
def attendee(token: str):
    return _attendee_page(services.registration_by_token(token))


def _workshop(registration, session_id: int):
    return services.workshop_or_404(registration.congress, session_id)


@bp.post("/r/<token>/workshops/<int:session_id>/take")
@public
def take(token: str, session_id: int):
    def act(registration):
        services.take_seat(registration, _workshop(registration, session_id), now=utcnow())

    return _attendee_action(token, act, _("Your seat is reserved."))


@bp.post("/r/<token>/workshops/phases/<int:phase_id>/leave")
@public
def leave(token: str, phase_id: int):
    def act(registration):
        phase = services.phase_or_404(registration.congress, phase_id)
        services.leave_seat(registration, phase, now=utcnow())

    return _attendee_action(token, act, _("You have left the workshop."))


@bp.post("/r/<token>/workshops/<int:session_id>/wait")
@public
def wait(token: str, session_id: int):
    def act(registration):
        services.join_waitlist(registration, _workshop(registration, session_id), now=utcnow())

    return _attendee_action(
        token, act, _("You are on the waiting list. We will write to you when a seat is free.")
    )


@bp.post("/r/<token>/workshops/<int:session_id>/unwait")
@public
def unwait(token: str, session_id: int):
    def act(registration):
        services.leave_waitlist(registration, _workshop(registration, session_id))

    return _attendee_action(token, act, _("You have left the waiting list."))


@bp.post("/r/<token>/workshops/phases/<int:phase_id>/ranking")
@public
def ranking(token: str, phase_id: int):
    """Save a ranking. A refused one (a workshop twice, too few, the deadline passed) is shown
    again on the page it came from, with the choices as made and the reason beside them."""
    registration = services.registration_by_token(token)
    phase = services.phase_or_404(registration.congress, phase_id)
    choices: dict[int, str] = {}
    for position in range(1, 21):
        raw = request.form.get(f"choice-{position}", "")
        if raw != "":
            choices[position] = raw[:12]
    try:
        chosen = [parse_int(choices[position]) for position in sorted(choices)]
        if None in chosen:
            raise services.BadChoice(_("Unknown workshop."), code="unknown_workshop")
        with transaction():
            services.set_preferences(registration, phase, chosen, now=utcnow())
    except DomainError as error:
        if error.status == 404:
            raise
        registration = services.registration_by_token(token)
        draft = {"phase_id": phase_id, "choices": choices, "error": error.message}
        manage_page = current_app.extensions.get("manage_page")
        if request.form.get("back") == "workshops" or manage_page is None:
            return _attendee_page(registration, draft=draft, status=error.status)
        # The manage page is composed above the areas (``attendee/``), which hands its
        # renderer to the app: the refused ranking stands again where the attendee made it.
        return manage_page(registration, status=error.status, workshop_draft=draft)
    flash(_("Your ranking has been saved."), "success")
    return _back(token)
