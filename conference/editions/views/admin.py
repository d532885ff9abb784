"""The organisers' edition pages: list, new, settings, day capacities, current, copy, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.accounts.access import roles_required
from conference.agenda.models import AgendaSession
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.models import Congress
from conference.core.time import utcnow
from conference.editions import services
from conference.editions.forms import ActionForm, DeleteForm, EditionForm, SettingsForm
from conference.editions.services import EditionInput, EditionRefused
from conference.editions.texts import gaps
from conference.editions.views import ORGANISERS, _actor, _refusal_on_form, _text_titles, bp
from conference.extensions import db
from conference.mailtexts.services import copied_text_count
from conference.questions.models import QuestionScope
from conference.questions.services import copied_question_count

# --- the editions ---------------------------------------------------------------------------------


@bp.get("/admin/congresses")
@roles_required(*ORGANISERS)
def admin_list():
    return render_template(
        "editions/list.html",
        editions=services.editions(),
        counts=services.registration_counts(),
    )


@bp.route("/admin/congresses/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new():
    form = EditionForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction():
                    congress = services.create_edition(
                        form.edition_input(), actor=_actor(), now=utcnow()
                    )
            except DomainError as error:
                _refusal_on_form(form, error)
                status = 400
            else:
                flash(_("The congress was created. Check its settings below."), "success")
                return redirect(url_for(".settings", congress_id=congress.id), 303)
        else:
            status = 400
    return render_template("editions/new.html", form=form), status


def _settings_page(congress: Congress, form: SettingsForm, *, status: int = 200, day_errors=None):
    now = utcnow()
    sessions = db.session.scalar(
        select(func.count(AgendaSession.id)).where(AgendaSession.congress_id == congress.id)
    )
    texts = {kind: services.text_of(congress, kind) for kind in services.TEXT_KINDS}
    return render_template(
        "editions/settings.html",
        congress=congress,
        edition=congress,
        form=form,
        action=ActionForm(formdata=None),
        day_errors=day_errors or {},
        day_values=request.form if day_errors else {},
        registration_open=congress.registration_open(now),
        now_utc=now,
        sessions=sessions,
        registrations=services.registration_counts().get(congress.id, 0),
        titles=_text_titles(),
        texts={kind: bool(de.strip() or en.strip()) for kind, (de, en) in texts.items()},
        text_gaps={kind: len(gaps(de) + gaps(en)) for kind, (de, en) in texts.items()},
        notice=services.newest_privacy_notice(congress),
        questions=copied_question_count(congress.id, [QuestionScope.REGISTRATION]),
        own_mail_texts=copied_text_count(congress.id),
    ), status


@bp.route("/admin/congresses/<int:congress_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def settings(congress_id: int):
    congress = services.edition_or_404(congress_id)
    form = SettingsForm()
    if request.method == "GET":
        form.fill(EditionInput.of(congress))
        return _settings_page(congress, form)
    if not form.validate_on_submit():
        return _settings_page(congress, form, status=400)
    try:
        with transaction():
            changed = services.update_edition(
                congress, form.edition_input(), actor=_actor(), now=utcnow()
            )
    except DomainError as error:
        congress = services.edition_or_404(congress_id)
        _refusal_on_form(form, error)
        return _settings_page(congress, form, status=error.status)
    flash(
        _("The settings were saved.") if changed else _("Nothing was changed."),
        "success",
    )
    return redirect(url_for(".settings", congress_id=congress_id), 303)


@bp.post("/admin/congresses/<int:congress_id>/days")
@roles_required(*ORGANISERS)
def day_capacities(congress_id: int):
    congress = services.edition_or_404(congress_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    capacities, errors = {}, {}
    for row in congress.days:
        raw = (request.form.get(f"day-{row.id}") or "").strip()
        if not raw:
            capacities[row.id] = None
        elif raw.isdigit() and 0 < int(raw) <= 1_000_000:
            capacities[row.id] = int(raw)
        else:
            errors[f"day-{row.id}"] = _("Please give a whole number of seats, or nothing.")
    if not errors:
        try:
            with transaction():
                services.set_day_capacities(congress, capacities, actor=_actor())
        except EditionRefused as error:
            congress = services.edition_or_404(congress_id)
            errors = error.errors
        else:
            flash(_("The capacities of the days were saved."), "success")
            return redirect(url_for(".settings", congress_id=congress_id, _anchor="days"), 303)
    form = SettingsForm(formdata=None)
    form.fill(EditionInput.of(congress))
    return _settings_page(congress, form, status=400, day_errors=errors)


def _action(congress_id: int, act, message: str, anchor: str = "status"):
    congress = services.edition_or_404(congress_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            act(congress)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for(".settings", congress_id=congress_id, _anchor=anchor), 303)


@bp.post("/admin/congresses/<int:congress_id>/current")
@roles_required(*ORGANISERS)
def make_current(congress_id: int):
    return _action(
        congress_id,
        lambda c: services.mark_current(c, actor=_actor()),
        _("This edition is now the current one: the public pages show it."),
    )


@bp.post("/admin/congresses/<int:congress_id>/programme")
@roles_required(*ORGANISERS)
def programme(congress_id: int):
    publish = request.form.get("publish") == "1"
    return _action(
        congress_id,
        lambda c: services.set_programme_published(c, publish, actor=_actor(), now=utcnow()),
        _("The programme is published.") if publish else _("The programme is no longer public."),
    )


@bp.post("/admin/congresses/<int:congress_id>/registration")
@roles_required(*ORGANISERS)
def registration(congress_id: int):
    opening = request.form.get("open") == "1"
    service = services.open_registration if opening else services.close_registration
    return _action(
        congress_id,
        lambda c: service(c, actor=_actor(), now=utcnow()),
        _("Registration is open.") if opening else _("Registration is closed."),
    )


# --- copy and delete --------------------------------------------------------------------------------


@bp.route("/admin/congresses/<int:congress_id>/copy", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def copy(congress_id: int):
    """Preview first (GET, and the "Vorschau" button), then the copy."""
    source = services.edition_or_404(congress_id)
    form = EditionForm()
    status = 200
    data = None
    if request.method == "GET":
        form.fill(services.copy_defaults(source))
    elif form.validate_on_submit():
        data = form.edition_input()
        if "copy" in request.form:
            try:
                with transaction():
                    target = services.copy_edition(source, data, actor=_actor(), now=utcnow())
            except DomainError as error:
                source = services.edition_or_404(congress_id)
                _refusal_on_form(form, error)
                status = 400
            else:
                flash(_("The edition was copied. Check the settings of the new one."), "success")
                return redirect(url_for(".settings", congress_id=target.id), 303)
    else:
        status = 400
    return render_template(
        "editions/copy.html",
        source=source,
        form=form,
        preview=services.copy_preview(source, data),
    ), status


@bp.route("/admin/congresses/<int:congress_id>/delete", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def delete(congress_id: int):
    congress = services.edition_or_404(congress_id)
    others = db.session.scalar(select(func.count(Congress.id)).where(Congress.id != congress.id))
    blockers = services.deletion_blockers(congress, others)
    form = DeleteForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if blockers:
            status = 409
        elif not form.confirm.data:
            form.confirm.errors = [_("Please tick the box to confirm the deletion.")]
            status = 400
        else:
            title = congress.title
            with transaction():
                services.delete_edition(congress, actor=_actor())
            flash(_("The edition “%(title)s” was deleted.", title=title), "success")
            return redirect(url_for(".admin_list"), 303)
    return render_template(
        "editions/delete.html", edition=congress, form=form, blockers=blockers
    ), status
