"""The organisers' pages for an edition's texts, privacy notice versions and the organising body."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.accounts.access import roles_required
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.time import utcnow
from conference.editions import services
from conference.editions.forms import OrganisingBodyForm, TextForm
from conference.editions.texts import TEMPLATES, gaps, render_markdown
from conference.editions.views import ORGANISERS, _actor, _refusal_on_form, _text_titles, bp

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
