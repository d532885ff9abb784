"""Editions over HTTP: the organisers' pages under ``/admin/congresses/<id>``, the public texts
(``/impressum``, ``/datenschutz``, ``/barrierefreiheit``) and the organising body's logo.

Staff pages take the edition from the URL, so past editions stay as reachable as the current
one. Only organisers (and admins) reach them; door staff and coordinators get 403.
"""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from conference.accounts.access import public, roles_required
from conference.accounts.models import Role
from conference.agenda.models import AgendaSession
from conference.core.congress import current_congress
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.models import Congress
from conference.core.pdf import register_embedded
from conference.core.time import utcnow
from conference.editions import services
from conference.editions.forms import (
    ActionForm,
    DeleteForm,
    EditionForm,
    OrganisingBodyForm,
    SettingsForm,
    TextForm,
)
from conference.editions.services import EditionInput, EditionRefused
from conference.editions.texts import TEMPLATES, gaps, render_markdown
from conference.extensions import db
from conference.mailtexts.services import copied_text_count
from conference.questions.services import copied_question_count

bp = Blueprint("editions", __name__)

ORGANISERS = (Role.ORGANISER,)
LOGO_EMBED = "organising-body-logo"


def _actor():
    return current_user._get_current_object()


def _text_titles() -> dict[str, str]:
    return {
        "welcome": _("Welcome text"),
        "imprint": _("Imprint"),
        "privacy": _("Privacy notice"),
        "accessibility": _("Accessibility statement"),
    }


def _refusal_on_form(form, error: DomainError) -> None:
    """Each message beside its field; what belongs to no field goes to the top of the page."""
    errors = error.errors if isinstance(error, EditionRefused) else {}
    if not errors and error.details.get("field"):
        errors = {error.details["field"]: error.message}
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = [*list(target.errors or []), message]
        else:
            flash(message, "error")
    if not errors:
        flash(error.message, "error")


# --- template helpers (every page: header, footer; PDFs of other areas) -----------------------


def _organising_body():
    """Once per request (or PDF job), and only for templates that show it."""
    if "organising_body" not in g:
        try:
            g.organising_body = services.organising_body()
        except SQLAlchemyError:  # the error page of a broken database still renders
            db.session.rollback()  # not a unit of work: recovering a failed read
            return None
    return g.organising_body


@bp.app_context_processor
def _helpers():
    return {
        "organising_body": _organising_body,
        "organising_body_logo_url": _logo_url,
        "organising_body_logo_embed": "embedded:" + LOGO_EMBED,
        "consent_version_text": _consent_version_text,
        "welcome_text": _welcome_text,
    }


def _welcome_text(congress):
    """The landing page's welcome text in the visitor's language (else German), or None."""
    body_de, body_en = services.text_of(congress, "welcome")
    body = body_en if str(get_locale() or "de") == "en" and body_en.strip() else body_de
    return render_markdown(body) if body.strip() else None


def _logo_url() -> str:
    body = _organising_body()
    if body is None or not body.logo_mimetype:
        return ""
    return url_for("editions.logo", v=int(body.updated_at.timestamp()))


def _consent_version_text(registration) -> str:
    """The privacy notice a registration accepted, as organisers read it."""
    label = registration.consent_version
    if not label:
        return ""
    notice = services.consent_versions(registration.congress_id, {label}).get(label)
    if notice is None:
        return label
    from flask_babel import format_date

    return _(
        "version %(version)s of %(date)s",
        version=notice.label,
        date=format_date(notice.created_at, "medium"),
    )


register_embedded(LOGO_EMBED, services.logo)


@bp.get("/organising-body/logo")
@public
def logo():
    found = services.logo()
    if found is None:
        abort(404)
    data, mimetype = found
    response = Response(data, mimetype=mimetype)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response.make_conditional(request)


# --- public texts ---------------------------------------------------------------------------------


def _public_text(kind: str):
    congress = current_congress()
    language = str(get_locale() or "de")
    body, shown_language, notice = "", language, None
    if congress is not None:
        if kind == services.PRIVACY:
            notice = services.newest_privacy_notice(congress)
            body_de, body_en = (notice.body_de, notice.body_en) if notice else ("", "")
        else:
            body_de, body_en = services.text_of(congress, kind)
        body = body_en if language == "en" and body_en.strip() else body_de
        if language == "en" and not body_en.strip() and body_de.strip():
            shown_language = "de"  # said on the page, and marked for screen readers
    return render_template(
        "editions/public_text.html",
        congress=congress,
        kind=kind,
        heading=_text_titles()[kind],
        html=render_markdown(body) if body.strip() else None,
        shown_language=shown_language,
        notice=notice,
    )


@bp.get("/impressum")
@public
def imprint():
    return _public_text("imprint")


@bp.get("/datenschutz")
@public
def privacy():
    return _public_text("privacy")


@bp.get("/barrierefreiheit")
@public
def accessibility():
    return _public_text("accessibility")


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
        questions=copied_question_count(congress.id),
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


# --- texts ------------------------------------------------------------------------------------------


@bp.route("/admin/congresses/<int:congress_id>/texts/<kind>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def text(congress_id: int, kind: str):
    """Edit a text in German and English. "Vorschau" shows it rendered without storing it,
    without JavaScript; "Speichern" stores it (the privacy notice: as a new version)."""
    if kind not in services.TEXT_KINDS:
        abort(404)
    congress = services.edition_or_404(congress_id)
    form = TextForm()
    status = 200
    preview = None
    if request.method == "GET":
        body_de, body_en = services.text_of(congress, kind)
        if not (body_de.strip() or body_en.strip()):
            body_de, body_en = TEMPLATES[kind]
        form.body_de.data, form.body_en.data = body_de, body_en
    elif not form.validate_on_submit():
        status = 400
    elif "save" in request.form:
        body_de = (form.body_de.data or "").replace("\r\n", "\n").strip()
        body_en = (form.body_en.data or "").replace("\r\n", "\n").strip()
        try:
            with transaction():
                if kind == services.PRIVACY:
                    saved = services.save_privacy_notice(
                        congress, body_de, body_en, actor=_actor(), now=utcnow()
                    )
                    message = (
                        _("Saved as version %(version)s.", version=saved.label)
                        if saved
                        else _("The text is unchanged; no new version was made.")
                    )
                else:
                    saved = services.save_text(
                        congress, kind, body_de, body_en, actor=_actor(), now=utcnow()
                    )
                    message = _("The text was saved.") if saved else _("The text is unchanged.")
        except DomainError as error:
            congress = services.edition_or_404(congress_id)
            _refusal_on_form(form, error)
            status = error.status
        else:
            flash(message, "success")
            return redirect(url_for(".text", congress_id=congress_id, kind=kind), 303)
    else:
        preview = {
            "de": render_markdown(form.body_de.data or ""),
            "en": render_markdown(form.body_en.data or ""),
        }
    return render_template(
        "editions/text.html",
        edition=congress,
        kind=kind,
        title=_text_titles()[kind],
        form=form,
        preview=preview,
        gaps=gaps((form.body_de.data or "") + "\n" + (form.body_en.data or "")),
        versions=services.privacy_notices(congress) if kind == services.PRIVACY else [],
    ), status


@bp.get("/admin/congresses/<int:congress_id>/texts/privacy/<int:number>")
@roles_required(*ORGANISERS)
def privacy_version(congress_id: int, number: int):
    congress = services.edition_or_404(congress_id)
    notice = services.privacy_notice(congress, number)
    return render_template(
        "editions/privacy_version.html",
        edition=congress,
        notice=notice,
        html_de=render_markdown(notice.body_de),
        html_en=render_markdown(notice.body_en),
    )


# --- the organising body -------------------------------------------------------------------------------


@bp.route("/admin/organising-body", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def organising_body():
    row = services.organising_body()
    form = OrganisingBodyForm()
    if request.method == "GET" and row is not None:
        form.name.data, form.address.data = row.name, row.address  # not the logo's bytes
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.logo.data
            data = upload.read(services.MAX_LOGO_BYTES + 1) if upload and upload.filename else None
            try:
                with transaction():
                    services.save_organising_body(
                        form.name.data,
                        form.address.data or "",
                        logo_data=data,
                        remove_logo=form.remove_logo.data,
                        actor=_actor(),
                        now=utcnow(),
                    )
            except DomainError as error:
                _refusal_on_form(form, error)
                status = error.status
            else:
                g.pop("organising_body", None)
                flash(_("The organising body was saved."), "success")
                return redirect(url_for(".organising_body"), 303)
        else:
            status = 400
    return render_template("editions/organising_body.html", form=form, row=row), status
