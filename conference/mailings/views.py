"""The mailings' pages: writing one (``/admin/mailings/new``: filter, preview, "Test an mich",
"Senden"), its page with queued / sent / failed, the history, and the scheduled rules of the
edition (``/admin/mailings/rules``). Organisers and coordinators; a coordinator's filter is
narrowed to their own carrier by the services."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from conference.accounts.access import roles_required
from conference.accounts.models import Role
from conference.core.congress import staff_congress
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.mail import wake_after_request
from conference.core.time import utcnow
from conference.extensions import db
from conference.mailings import choices, services
from conference.mailings import recipients as filters
from conference.mailings.forms import ActionForm, MailingForm, RuleForm
from conference.mailings.recipients import InvalidFilter, RecipientFilter
from conference.mailings.texts import MAILING, PRESETS
from conference.registration import labels

bp = Blueprint("mailings", __name__)

WRITERS = (Role.ORGANISER, Role.COORDINATOR)
ORGANISERS = (Role.ORGANISER,)


def _actor():
    return current_user._get_current_object()


def _show_problems(form, error: services.InvalidMailing) -> None:
    for name, messages in (error.details.get("problems") or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(messages)


def _filter_page(template: str, congress, form, wanted, *, status=200, **context):
    return render_template(
        template,
        congress=congress,
        form=form,
        wanted=wanted,
        choices=choices.filter_choices(congress, _actor(), str(get_locale() or "de")),
        statuses=labels.STATUS_LABELS,
        roles=labels.ROLE_LABELS,
        languages=labels.LANGUAGE_LABELS,
        placeholders=MAILING.placeholders,
        coordinator=current_user.role == Role.COORDINATOR,
        **context,
    ), status


@bp.route("/admin/mailings/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new():
    """Write a mailing. Buttons: "preview" (who matches), "test" (to me), "send" (record it:
    the outbox machinery puts the mails into the outbox in batches)."""
    congress = staff_congress()
    form = MailingForm() if request.method == "POST" else MailingForm(formdata=None)
    if not form.form_key.data:
        form.form_key.data = secrets.token_urlsafe(24)
    action = request.form.get("action", "preview")
    raw = request.form if request.method == "POST" else MultiDict()
    preview, filter_error, status = None, None, 200
    try:
        wanted = filters.parse(congress, raw)
    except InvalidFilter as error:
        wanted, filter_error, status = RecipientFilter(), error, 400
    if request.method == "POST" and action not in ("preview", "test", "send"):
        status, filter_error = 400, None
        flash(_("Please use one of the buttons."), "error")
    elif request.method == "POST" and filter_error is None:
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                preview = filters.preview(congress, wanted, _actor())
                if action == "test":
                    with transaction():
                        person = services.send_test(
                            congress,
                            form.mailing_input(),
                            wanted,
                            recipient=current_user.email,
                            actor=_actor(),
                        )
                    flash(
                        _(
                            "A test in German and one in English, filled in for %(person)s, are "
                            "on their way to %(address)s.",
                            person=person,
                            address=current_user.email,
                        ),
                        "success",
                    )
                elif action == "send":
                    if not preview.count:
                        flash(_("Nobody matches the filter: nothing has been sent."), "error")
                        status = 400
                    else:
                        with transaction():
                            mailing = services.create(
                                congress, form.mailing_input(), wanted, actor=_actor(),
                                now=utcnow(), form_key=form.form_key.data,
                            )  # fmt: skip
                        wake_after_request()
                        flash(
                            _("The mailing has been recorded; its mails are being sent."),
                            "success",
                        )
                        return redirect(url_for(".show", mailing_id=mailing.id), 303)
            except services.InvalidMailing as error:
                db.session.rollback()  # not a unit of work: a refusal stores nothing
                _show_problems(form, error)
                status = 400
            except DomainError as error:
                db.session.rollback()  # not a unit of work: a refusal stores nothing
                flash(error.message, "error")
                status = error.status
    if preview is None and filter_error is None:
        preview = filters.preview(congress, wanted, _actor())
    return _filter_page(
        "mailings/new.html",
        congress,
        form,
        wanted,
        status=status,
        preview=preview,
        filter_error=filter_error,
    )


@bp.get("/admin/mailings")
@roles_required(*WRITERS)
def history():
    congress = staff_congress()
    mailings = services.history(congress, _actor())
    return render_template(
        "mailings/history.html",
        congress=congress,
        mailings=mailings,
        counts=services.counts(mailings),
        describe=services.describe,
    )


@bp.get("/admin/mailings/<int:mailing_id>")
@roles_required(*WRITERS)
def show(mailing_id: int):
    mailing = services.mailing_for(mailing_id, _actor())
    return render_template(
        "mailings/show.html",
        mailing=mailing,
        counts=services.counts([mailing])[mailing.id],
        filter_lines=services.describe(mailing),
    )


@bp.get("/admin/mailings/<int:mailing_id>/status.json")
@roles_required(*WRITERS)
def status(mailing_id: int):
    """The numbers the mailing's page refreshes itself with (``static/js/mailing-status.js``)."""
    mailing = services.mailing_for(mailing_id, _actor())
    response = jsonify(services.counts([mailing])[mailing.id].as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


# --- scheduled rules -------------------------------------------------------------------------


@bp.get("/admin/mailings/rules")
@roles_required(*ORGANISERS)
def rules():
    congress = staff_congress()
    found = services.rules(congress)
    now = utcnow()
    return render_template(
        "mailings/rules.html",
        congress=congress,
        rules=found,
        due={rule.id: services.due_at(rule, congress) for rule in found},
        states={rule.id: services.rule_state(rule, congress, now) for rule in found},
        counts=services.counts([rule.mailing for rule in found if rule.mailing]),
        missing=services.presets_missing(congress, found),
        presets=PRESETS,
        action=ActionForm(),
    )


@bp.post("/admin/mailings/rules/presets/<key>")
@roles_required(*ORGANISERS)
def add_preset(key: str):
    congress = staff_congress()
    if not ActionForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for(".rules"), 303)
    with transaction():
        rule = services.add_preset(congress, key, actor=_actor(), now=utcnow())
    flash(_("The rule has been added. Check its text before it is due."), "success")
    return redirect(url_for(".rule", rule_id=rule.id), 303)


def _rule_page(congress, rule, form, wanted, *, status=200, filter_error=None):
    now = utcnow()
    mailing = rule.mailing if rule is not None else None
    return _filter_page(
        "mailings/rule.html",
        congress,
        form,
        wanted,
        status=status,
        rule=rule,
        filter_error=filter_error,
        due=services.due_at(rule, congress) if rule is not None else None,
        state=services.rule_state(rule, congress, now) if rule is not None else None,
        mailing=mailing,
        counts=services.counts([mailing])[mailing.id] if mailing else None,
        action=ActionForm(),
    )


def _save_rule(congress, rule):
    form = RuleForm() if request.method == "POST" else RuleForm(formdata=None)
    if request.method == "GET":
        if rule is not None:
            form.fill(rule)
        return _rule_page(congress, rule, form, _stored(rule))
    try:
        wanted = filters.parse(congress, request.form)
    except InvalidFilter as error:
        return _rule_page(congress, rule, form, _stored(rule), status=400, filter_error=error)
    if not form.validate_on_submit():
        return _rule_page(congress, rule, form, wanted, status=400)
    try:
        with transaction():
            saved = services.save_rule(
                congress, form.rule_input(), wanted, actor=_actor(), now=utcnow(), rule=rule
            )
    except services.InvalidMailing as error:
        _show_problems(form, error)
        return _rule_page(congress, rule, form, wanted, status=400)
    flash(_("The rule has been saved."), "success")
    return redirect(url_for(".rule", rule_id=saved.id), 303)


def _stored(rule) -> RecipientFilter:
    return RecipientFilter.from_json(rule.recipients) if rule is not None else RecipientFilter()


@bp.route("/admin/mailings/rules/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def rule_new():
    return _save_rule(staff_congress(), None)


@bp.route("/admin/mailings/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def rule(rule_id: int):
    congress = staff_congress()
    return _save_rule(congress, services.rule_for(congress, rule_id))


@bp.post("/admin/mailings/rules/<int:rule_id>/delete")
@roles_required(*ORGANISERS)
def rule_delete(rule_id: int):
    congress = staff_congress()
    if not ActionForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for(".rule", rule_id=rule_id), 303)
    with transaction():
        services.delete_rule(services.rule_for(congress, rule_id), actor=_actor())
    flash(_("The rule has been deleted."), "success")
    return redirect(url_for(".rules"), 303)
