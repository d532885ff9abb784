"""The public form, its confirmation and the self-service links."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.accounts.access import public
from conference.core.congress import current_congress, current_congress_or_404
from conference.core.database import transaction
from conference.core.time import utcnow
from conference.extensions import limiter
from conference.questions import registrations as registration_questions
from conference.registration import services
from conference.registration.forms import ActionForm, LostLinkForm, RegistrationForm
from conference.registration.views import _field_error, bp

# --- public sign-up -----------------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("20/minute;200/hour", methods=["POST"])
def register():
    congress = current_congress_or_404()
    now = utcnow()
    if not congress.registration_open(now):
        status = 409 if request.method == "POST" else 200
        return render_template("registration/closed.html", congress=congress, now=now), status
    form = RegistrationForm()
    form.setup(services.carriers_with_locals(None))
    form.setup_days(congress)
    answers = _answers(congress.id, registration_questions.ATTENDEE)
    if request.method == "GET":
        form.days.data = [value for value, _label in form.days.choices]
    if form.validate_on_submit() and answers.valid:
        if form.website.data:
            # A bot filled the hidden field: answer as if all went well, store nothing.
            return redirect(url_for(".submitted"))
        try:
            # A registered address gets its link by mail and the same answer as a new one.
            with transaction():
                services.sign_up(
                    congress,
                    {**form.person_data(), "email": form.email.data},
                    form.chosen_days(),
                    services.Consent(
                        data_processing=form.consent.data, photo=form.photo_consent.data
                    ),
                    now=now,
                    answers=answers,
                )
        except services.InvalidRegistration as error:
            if not _field_error(form, error):
                raise
        else:
            return redirect(url_for(".submitted"))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "registration/register.html", form=form, congress=congress, answers=answers
        ),
        status,
    )


def answer_form(congress_id: int, audience: str, registration_id: int | None = None):
    """The edition's questions for this form: as sent (POST) or as stored."""
    return registration_questions.answer_form(
        congress_id,
        audience=audience,
        registration_id=registration_id,
        formdata=request.form if request.method == "POST" else None,
    )


_answers = answer_form


@bp.get("/register/submitted")
@public
def submitted():
    return render_template("registration/submitted.html", congress=current_congress())


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30/minute", methods=["POST"])
def confirm(token: str):
    """GET shows a button, POST confirms: mail scanners that prefetch links confirm nothing."""
    congress = current_congress()
    now = utcnow()
    _registration, expired = services.confirmation_link(token, now=now)
    form = ActionForm()
    if request.method == "POST" and not expired:
        if not form.validate_on_submit():
            abort(400)
        with transaction():
            manage_token = services.confirm(token, now=now).manage_token
        return redirect(url_for(".manage", token=manage_token, welcome=1))
    return render_template(
        "registration/confirm.html",
        form=form,
        congress=congress,
        expired=expired,
        token=token,
    ), (410 if expired and request.method == "POST" else 200)


@bp.post("/register/confirm/<token>/renew")
@public
@limiter.limit("5/minute;20/hour")
def renew_link(token: str):
    with transaction():
        services.renew_expired_link(token, now=utcnow())
    flash(_("We have sent you a new confirmation link. It is valid for 48 hours."), "success")
    return redirect(url_for(".submitted"))


@bp.route("/register/lost-link", methods=["GET", "POST"])
@public
@limiter.limit("5/minute;30/hour", methods=["POST"])
def lost_link():
    congress = current_congress_or_404()
    form = LostLinkForm()
    if form.validate_on_submit():
        with transaction():
            services.send_lost_link(congress, form.email.data, now=utcnow())
        # The same answer whether or not the address is registered.
        flash(
            _(
                "If this address is registered, we have just sent the personal link to it. "
                "Please also look in your spam folder."
            ),
            "success",
        )
        return redirect(url_for(".lost_link"))
    status = 400 if request.method == "POST" else 200
    return render_template("registration/lost_link.html", form=form, congress=congress), status
