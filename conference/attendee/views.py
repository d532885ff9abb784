"""The attendee's manage pages (``/r/<token>``: the page, its days, the cancellation) and the
organisers' cancel / move-up / resend actions: the views whose work spans the areas.

They sit on the registration blueprint, so their addresses and endpoint names
(``registration.manage`` ...) are the registration's, but live here, above the areas, because
they call the composition (``lifecycle``, ``manage``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.accounts.access import current_actor, public, roles_required
from conference.attendee import lifecycle
from conference.attendee.manage import sections as manage_sections
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.http import field_error
from conference.core.time import utcnow
from conference.questions import registrations as registration_questions
from conference.registration import services
from conference.registration.forms import (
    ActionForm,
    CancelForm,
    DaysForm,
    ManageForm,
    StaffEditForm,
)
from conference.registration.models import Registration, Status
from conference.registration.views import STAFF, answer_form, bp, staff_form


def init_app(app) -> None:
    """Another area's form on the manage page that fails shows the page again in place
    (``workshops.views.ranking``): it finds the renderer here, without importing upwards."""
    app.extensions["manage_page"] = manage_page


def manage_page(registration: Registration, *, status: int = 200, workshop_draft=None):
    """The manage page as it is, for another area's form that failed on it."""
    return _manage_page(registration, status=status, workshop_draft=workshop_draft)


def _manage_page(
    registration: Registration,
    form=None,
    days_form=None,
    status: int = 200,
    workshop_draft: dict | None = None,
    answers_form=None,
):
    if form is None:
        form = ManageForm(formdata=None)
        form.setup(services.carriers_with_locals(None))
        form.fill_from(registration)
        form.photo_consent.data = registration.photo_consent_at is not None
    if days_form is None:
        days_form = DaysForm(formdata=None)
        days_form.setup_days(registration.congress)
        days_form.days.data = [d.day.isoformat() for d in registration.days]
    return (
        render_template(
            "registration/manage.html",
            registration=registration,
            congress=registration.congress,
            form=form,
            days_form=days_form,
            position=services.waitlist_position(registration),
            sections=manage_sections(registration, workshop_draft=workshop_draft),
            welcome=request.args.get("welcome") == "1",
            **_manage_answers(registration, answers_form),
        ),
        status,
    )


def _manage_answers(registration: Registration, answers_form=None) -> dict:
    """The questions on the manage page: a form while registration is open, else the answers
    to read."""
    congress = registration.congress
    if registration.status != Status.CANCELLED and congress.registration_open(utcnow()):
        if answers_form is None:
            answers_form = registration_questions.answer_form(
                congress.id,
                audience=registration_questions.ATTENDEE,
                registration_id=registration.id,
            )
        return {"answers_form": answers_form, "answers": []}
    answers = registration_questions.answers_of(
        registration.id, congress.id, audience=registration_questions.ATTENDEE
    )
    return {"answers_form": None, "answers": answers}


@bp.post("/r/<token>/answers")
@public
def manage_answers(token: str):
    """The attendee's answers to the edition's questions, while registration is open."""
    registration = services.by_manage_token(token)
    if registration.status == Status.CANCELLED:
        raise services.RegistrationClosed(
            _("This registration is cancelled, so its answers can no longer be changed.")
        )
    if not registration.congress.registration_open(utcnow()):
        raise services.RegistrationClosed(
            _("Registration is closed, so the answers can no longer be changed.")
        )
    answers = answer_form(
        registration.congress_id, registration_questions.ATTENDEE, registration.id
    )
    if not answers.valid:
        return _manage_page(registration, answers_form=answers, status=400)
    with transaction():
        registration_questions.save_answers(registration, answers, actor="attendee")
    flash(_("Your answers have been saved."), "success")
    return redirect(url_for(".manage", token=token, _anchor="answers"))


@bp.route("/r/<token>", methods=["GET", "POST"])
@public
def manage(token: str):
    registration = services.by_manage_token(token)
    if request.method == "GET":
        return _manage_page(registration)
    form = ManageForm()
    form.setup(services.carriers_with_locals(None))
    if form.validate_on_submit():
        now = utcnow()
        try:
            with transaction():
                lifecycle.update_person(registration, form.person_data(), now=now, actor="attendee")
                services.set_photo_consent(
                    registration, form.photo_consent.data, now=now, actor="attendee"
                )
        except DomainError as error:
            registration = services.by_manage_token(token)
            if not field_error(form, error):
                raise
        else:
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for(".manage", token=token))
    elif registration.status == Status.CANCELLED:
        services.refuse_if_cancelled(registration, "attendee")
    return _manage_page(registration, form=form, status=400)


@bp.post("/r/<token>/days")
@public
def manage_days(token: str):
    registration = services.by_manage_token(token)
    form = DaysForm()
    form.setup_days(registration.congress)
    if form.validate_on_submit():
        try:
            with transaction():
                lifecycle.change_days(
                    registration, form.chosen_days(), now=utcnow(), actor="attendee"
                )
        except DomainError as error:
            registration = services.by_manage_token(token)
            if not field_error(form, error):
                raise
        else:
            flash(_("Your days have been changed."), "success")
            return redirect(url_for(".manage", token=token))
    elif registration.status == Status.CANCELLED:
        services.refuse_if_cancelled(registration, "attendee")
    return _manage_page(registration, days_form=form, status=400)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@public
def manage_cancel(token: str):
    registration = services.by_manage_token(token)
    form = CancelForm()
    if registration.status != Status.CANCELLED and form.validate_on_submit():
        with transaction():
            lifecycle.cancel(registration, now=utcnow(), actor="attendee")
        flash(_("Your registration has been cancelled."), "success")
        return redirect(url_for(".manage", token=token))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "registration/cancel.html",
            registration=registration,
            congress=registration.congress,
            form=form,
        ),
        status,
    )


# --- organisers -----------------------------------------------------------------------------


@bp.post("/admin/registrations/<int:registration_id>/<action>")
@roles_required(*STAFF)
def admin_action(registration_id: int, action: str):
    actor = current_actor()
    registration = services.for_staff(registration_id, actor)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action not in ("cancel", "promote", "resend"):
        abort(404)
    back = redirect(url_for(".admin_detail", registration_id=registration_id), 303)
    if action == "cancel" and request.form.get("confirmed") != "yes":
        # Cancelling mails the person and gives the seat away: ask once (works without JS).
        return redirect(url_for(".admin_cancel", registration_id=registration_id), 303)
    now = utcnow()
    try:
        with transaction():
            message = _admin_action(registration, action, now=now, actor=actor)
    except DomainError as error:
        # The reason stands on the page the organiser came from, not on an error page.
        flash(error.message, "error")
        return back
    flash(message, "success")
    return back


def _admin_action(registration: Registration, action: str, *, now, actor) -> str:
    if action == "cancel":
        held_a_seat = registration.status == Status.CONFIRMED
        moved_up = lifecycle.cancel(registration, now=now, actor=actor)
        message = _("The registration of %(name)s has been cancelled.", name=registration.full_name)
        if moved_up:
            message += " " + _(
                "Moved up from the waiting list and informed: %(names)s.",
                names=", ".join(r.full_name for r in moved_up),
            )
        elif held_a_seat:
            message += " " + _("Nobody on the waiting list could move up; the seat is free.")
        return message
    if action == "promote":
        services.move_from_waitlist(registration, now=now, actor=actor)
        return _("The person has been moved from the waiting list and informed.")
    services.resend(registration, now=now, actor=actor)
    return _("The e-mail has been sent again.")


@bp.route("/admin/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def admin_edit(registration_id: int):
    actor = current_actor()
    registration = services.for_staff(registration_id, actor)
    form = staff_form(StaffEditForm, registration)
    answers = answer_form(
        registration.congress_id, registration_questions.audience_of(actor), registration.id
    )
    if request.method == "GET":
        form.fill_from(registration)
        form.days.data = [d.day.isoformat() for d in registration.days]
    if form.validate_on_submit() and answers.valid:
        try:
            with transaction():
                lifecycle.staff_edit(
                    registration, form.person_data(), form.chosen_days(), now=utcnow(), actor=actor
                )
                registration_questions.save_answers(registration, answers, actor=actor)
        except DomainError as error:
            registration = services.for_staff(registration_id, actor)
            if not field_error(form, error):
                flash(error.message, "error")
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(".admin_detail", registration_id=registration_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "registration/admin_form.html",
        form=form,
        congress=registration.congress,
        registration=registration,
        answers=answers,
    ), status


@bp.get("/admin/registrations/<int:registration_id>/cancel/confirm")
@roles_required(*STAFF)
def admin_cancel(registration_id: int):
    registration = services.for_staff(registration_id, current_actor())
    if registration.status == Status.CANCELLED:
        flash(_("This registration is cancelled already."), "error")
        return redirect(url_for(".admin_detail", registration_id=registration_id), 303)
    return render_template(
        "registration/admin_cancel.html",
        registration=registration,
        congress=registration.congress,
        waiting=services.status_counts(registration.congress, None).get(Status.WAITLISTED, 0),
        action_form=ActionForm(),
    )
