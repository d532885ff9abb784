"""The organisers' pages for mail texts: the list per edition, editing with preview, a test
mail to oneself and the way back to the default."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conference.accounts.access import current_actor, roles_required
from conference.accounts.models import Role
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction
from conference.core.errors import NotFound
from conference.core.models import Congress
from conference.core.time import utcnow
from conference.extensions import db
from conference.mailtexts import registry, services
from conference.mailtexts.forms import MailTextForm, ResetForm

bp = Blueprint("mailtexts", __name__)

ORGANISERS = (Role.ORGANISER,)
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def _actor():
    actor = current_actor()
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


def _congress(congress_id: int) -> Congress:
    congress = db.session.get(Congress, congress_id)
    if congress is None:
        raise NotFound(_("Unknown congress."), code="unknown_congress")
    return congress


def _list_page(congress: Congress):
    return render_template(
        "mailtexts/list.html",
        congress=congress,
        kinds=registry.KINDS,
        own=services.overview(congress.id),
        languages=LANGUAGE_NAMES,
    )


@bp.get("/admin/mail-texts")
@roles_required(*ORGANISERS)
def current():
    """Every mail of the current edition, in German and English."""
    return _list_page(current_congress_or_404())


@bp.get("/admin/congresses/<int:congress_id>/mail-texts")
@roles_required(*ORGANISERS)
def admin_list(congress_id: int):
    return _list_page(_congress(congress_id))


def _edit_target(congress_id: int, kind: str, language: str):
    if language not in LANGUAGE_NAMES:
        abort(404)
    return _congress(congress_id), services.kind_or_404(kind)


def _show_problems(form: MailTextForm, error: services.InvalidMailText) -> None:
    for name, messages in (error.details.get("problems") or {}).items():
        getattr(form, name).errors = list(messages)


@bp.route(
    "/admin/congresses/<int:congress_id>/mail-texts/<kind>/<language>", methods=["GET", "POST"]
)
@roles_required(*ORGANISERS)
def edit(congress_id: int, kind: str, language: str):
    """One text. The buttons: save, preview (the text as typed, filled in for a real
    registration), test (that preview to the organiser's own address)."""
    congress, mail_kind = _edit_target(congress_id, kind, language)
    text = services.current_text(congress.id, kind, language)
    form = MailTextForm() if request.method == "POST" else MailTextForm(formdata=None)
    if request.method == "GET":
        form.subject.data, form.body.data = text.subject, text.body
    preview = None
    status = 200
    action = request.form.get("action", "save")
    if request.method == "POST" and action not in ("save", "preview", "test"):
        abort(400)
    if form.validate_on_submit():
        now = utcnow()
        try:
            if action == "save":
                with transaction():
                    own = services.save_text(
                        congress,
                        kind,
                        language,
                        form.subject.data,
                        form.body.data,
                        actor=_actor(),
                        now=now,
                    )
                    warnings = services.warnings(mail_kind, form.body.data)
                flash(
                    _("The text has been saved. The next mail of this kind uses it.")
                    if own
                    else _("The text is the default text again."),
                    "success",
                )
                for warning in warnings:
                    flash(warning, "warning")
                return redirect(
                    url_for(".edit", congress_id=congress.id, kind=kind, language=language), 303
                )
            if action == "preview":
                preview = services.preview(
                    congress, kind, language, form.subject.data, form.body.data, form.sample.data
                )
                db.session.rollback()  # not a unit of work: a preview stores nothing
            else:
                with transaction():
                    preview = services.send_test(
                        congress,
                        kind,
                        language,
                        form.subject.data,
                        form.body.data,
                        form.sample.data,
                        recipient=current_user.email,
                        actor=_actor(),
                    )
                flash(
                    _("The test mail is on its way to %(address)s.", address=current_user.email),
                    "success",
                )
        except services.InvalidMailText as error:
            db.session.rollback()  # not a unit of work: the preview's refusal stores nothing
            _show_problems(form, error)
            status = 400
    elif request.method == "POST":
        status = 400
    return render_template(
        "mailtexts/edit.html",
        congress=congress,
        kind=mail_kind,
        language=language,
        language_name=LANGUAGE_NAMES[language],
        other_language=next(code for code in LANGUAGE_NAMES if code != language),
        text=text,
        form=form,
        preview=preview,
        reset_form=ResetForm(),
        warnings=services.warnings(mail_kind, form.body.data or "") if not form.errors else [],
    ), status


@bp.post("/admin/congresses/<int:congress_id>/mail-texts/<kind>/<language>/reset")
@roles_required(*ORGANISERS)
def reset(congress_id: int, kind: str, language: str):
    """Back to the default text ("Zurücksetzen")."""
    congress, _kind = _edit_target(congress_id, kind, language)
    if not ResetForm().validate_on_submit():
        abort(400)
    with transaction():
        restored = services.reset_text(congress, kind, language, actor=_actor())
    if restored:
        flash(_("The default text has been restored."), "success")
    return redirect(url_for(".edit", congress_id=congress.id, kind=kind, language=language), 303)
