"""Speakers over HTTP: the personal link ``/speaker/<token>``, the organisers' list of links,
and the materials of sessions (upload by speakers and organisers, download once published)."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from conference.accounts.access import current_actor, public, roles_required
from conference.accounts.models import Role
from conference.agenda import services as agenda
from conference.agenda.models import AgendaSession, Speaker
from conference.badges import services as badges
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction, writes
from conference.core.errors import DomainError, Invalid
from conference.core.models import Congress
from conference.core.time import utcnow
from conference.extensions import db, limiter
from conference.feeds import services as feeds
from conference.registration.models import Registration, Status
from conference.speakers import services
from conference.speakers.models import SessionMaterial

bp = Blueprint("speakers", __name__)

ORGANISERS = (Role.ORGANISER,)


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("Short bio"), validators=[Optional(), Length(max=agenda.MAX_BIO)])


class ActionForm(FlaskForm):
    pass


def _actor():
    actor = current_actor()
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


@bp.app_context_processor
def _helpers():
    """For the agenda's pages below this area: a published session's public materials, and
    the builder's warnings about speakers who have not confirmed."""
    return {
        "session_materials": lambda session_id: services.materials_of(
            [session_id], public_only=True
        )[session_id],
        "speaker_warnings": services.builder_warnings,
    }


def _page(speaker, access, form=None, status=200):
    congress = db.session.get(Congress, speaker.congress_id)
    sessions = services.sessions_of(speaker)
    if form is None:
        form = ProfileForm(formdata=None, obj=speaker)
    registration = (
        db.session.get(Registration, speaker.registration_id) if speaker.registration_id else None
    )
    return (
        render_template(
            "speakers/page.html",
            congress=congress,
            speaker=speaker,
            access=access,
            form=form,
            sessions=[
                (
                    s,
                    agenda.local_day(s.starts_at, congress),
                    agenda.local_clock(s.starts_at, congress).strftime("%H:%M"),
                    agenda.local_clock(s.ends_at, congress).strftime("%H:%M"),
                )
                for s in sessions
            ],
            materials=services.materials_of([s.id for s in sessions]),
            registered=registration is not None and registration.status == Status.CONFIRMED,
            action_form=ActionForm(),
        ),
        status,
    )


@bp.get("/speaker/<token>")
@public
def page(token: str):
    speaker, access = services.by_token(token)
    return _page(speaker, access)


@bp.post("/speaker/<token>/answer")
@public
@limiter.limit("10/minute")
def answer(token: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    speaker, access = services.by_token(token)
    choice = request.form.get("answer")
    if choice not in ("confirm", "decline"):
        raise Invalid(_("Please confirm or decline."), code="unknown_answer")
    with transaction():
        if choice == "confirm":
            services.confirm(speaker, access, now=utcnow())
        else:
            services.decline(speaker, access, now=utcnow())
    flash(
        _("Thank you for confirming.")
        if choice == "confirm"
        else _("We have noted that you decline."),
        "success",
    )
    return redirect(url_for(".page", token=token), 303)


@bp.post("/speaker/<token>/profile")
@public
@limiter.limit("20/minute")
def profile(token: str):
    speaker, access = services.by_token(token)
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(speaker, access, form, 400)
    photo = request.files.get("photo")
    data = photo.read() if photo and photo.filename else None
    congress = db.session.get(Congress, speaker.congress_id)
    try:
        with transaction():
            agenda.save_speaker(
                congress,
                speaker,
                actor="speaker",
                name=form.name.data,
                organisation=form.organisation.data or "",
                bio=form.bio.data or "",
                email=speaker.email,
                photo=data,
                remove_photo=bool(request.form.get("remove_photo")),
            )
    except DomainError as error:
        db.session.refresh(speaker)
        form.name.errors = []
        flash(error.message, "error")
        return _page(speaker, access, form, error.status)
    flash(_("Your details have been saved."), "success")
    return redirect(url_for(".page", token=token), 303)


def _registration(speaker) -> Registration:
    registration = (
        db.session.get(Registration, speaker.registration_id) if speaker.registration_id else None
    )
    if registration is None or registration.status != Status.CONFIRMED:
        raise Invalid(_("Please confirm that you take part first."), code="not_confirmed")
    return registration


@bp.get("/speaker/<token>/badge.pdf")
@public
def badge(token: str):
    speaker, _access = services.by_token(token)
    registration = _registration(speaker)
    congress = db.session.get(Congress, speaker.congress_id)
    data = badges.render_badges([registration], "a6", congress=congress)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="badge.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/speaker/<token>/calendar.ics")
@public
def calendar(token: str):
    speaker, _access = services.by_token(token)
    registration = _registration(speaker)
    return Response(
        feeds.personal_calendar(registration),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="programm.ics"'},
    )


# --- materials ----------------------------------------------------------------------------------


def _upload(session: AgendaSession, *, uploaded_by: str, actor):
    upload = request.files.get("file")
    data = upload.read(services.MAX_MATERIAL_BYTES + 1) if upload else b""
    kind = request.form.get("kind", "material")
    with transaction():
        services.add_material(
            session,
            data,
            upload.filename if upload else "",
            public=request.form.get("visibility", "public") == "public",
            kind=kind,
            uploaded_by=uploaded_by,
            actor=actor,
            now=utcnow(),
        )


@bp.post("/speaker/<token>/sessions/<int:session_id>/materials")
@public
@limiter.limit("20/minute")
def speaker_upload(token: str, session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    speaker, _access = services.by_token(token)
    session = services.speaks_in(speaker, session_id)
    if request.form.get("kind", "material") != "material":
        raise Invalid(_("Unknown kind of file."), code="unknown_kind")
    _upload(session, uploaded_by="speaker", actor="speaker")
    flash(_("The file has been uploaded."), "success")
    return redirect(url_for(".page", token=token), 303)


def _kind_labels() -> dict[str, str]:
    return {
        "material": _("Material (slides, handout)"),
        "photo": _("Photo documentation"),
        "recording": _("Graphic recording"),
    }


@bp.route("/admin/agenda/sessions/<int:session_id>/materials", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def admin_materials(session_id: int):
    congress = current_congress_or_404()
    session = agenda.session_or_404(congress, session_id)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        _upload(session, uploaded_by="organiser", actor=_actor())
        flash(_("The file has been uploaded."), "success")
        return redirect(url_for(".admin_materials", session_id=session.id), 303)
    return render_template(
        "speakers/admin_materials.html",
        congress=congress,
        session=session,
        materials=services.materials_of([session.id])[session.id],
        kinds=_kind_labels(),
    )


@bp.post("/admin/agenda/materials/<int:material_id>/delete")
@roles_required(*ORGANISERS)
def admin_remove(material_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    material = services.material_or_404(material_id)
    session_id = material.session_id
    with transaction():
        services.remove_material(material, actor=_actor())
    flash(_("The file has been removed."), "success")
    return redirect(url_for(".admin_materials", session_id=session_id), 303)


def _file(material: SessionMaterial) -> Response:
    """Always as a download with the type its content was checked to be."""
    data = db.session.execute(
        select(SessionMaterial.data).where(SessionMaterial.id == material.id)
    ).scalar_one()
    response = send_file(
        io.BytesIO(data),
        mimetype=material.mimetype,
        as_attachment=True,
        download_name=material.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/sessions/<int:session_id>/materials/<int:material_id>")
@public
def download(session_id: int, material_id: int):
    """A public material of a published session (else 404: drafts show nothing)."""
    material = services.material_or_404(material_id)
    session = db.session.get(AgendaSession, session_id)
    if (
        session is None
        or material.session_id != session.id
        or not material.public
        or not agenda.is_public(session)
    ):
        abort(404)
    return _file(material)


@bp.get("/r/<token>/materials/<int:material_id>")
@public
def attendee_download(token: str, material_id: int):
    """Any material of a published session of the attendee's edition (their link is the key)."""
    registration = feeds.registration_by_manage_token(token)
    material = services.material_or_404(material_id)
    session = db.session.get(AgendaSession, material.session_id)
    if (
        registration.status != Status.CONFIRMED
        or session.congress_id != registration.congress_id
        or not agenda.is_public(session)
    ):
        abort(404)
    return _file(material)


@bp.get("/speaker/<token>/materials/<int:material_id>")
@public
def speaker_download(token: str, material_id: int):
    speaker, _access = services.by_token(token)
    material = services.material_or_404(material_id)
    services.speaks_in(speaker, material.session_id)
    return _file(material)


# --- the organisers' list of links --------------------------------------------------------------


@bp.post("/admin/agenda/speaker-links/<int:speaker_id>/send")
@roles_required(*ORGANISERS)
def admin_send_link(speaker_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    congress = current_congress_or_404()
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.congress_id != congress.id:
        abort(404)
    with transaction():
        services.send_link(speaker, congress, actor=_actor())
    flash(_("The link has been sent to %(email)s.", email=speaker.email), "success")
    return redirect(url_for(".admin_links"), 303)


@bp.get("/admin/agenda/speaker-links")
@roles_required(*ORGANISERS)
@writes
def admin_links():
    congress = current_congress_or_404()
    speakers = agenda.speakers_of(congress)
    with transaction():  # the links are made on first sight
        links = {s.id: services.access_of(s) for s in speakers}
    return render_template(
        "speakers/admin_links.html",
        congress=congress,
        speakers=speakers,
        links=links,
    )


# --- the documentation --------------------------------------------------------------------------


def _documentation_page(congress: Congress | None):
    now = utcnow()
    editions = services.documented_editions(now)
    if congress is None:
        return render_template(
            "speakers/documentation.html", congress=None, editions=editions, sessions=[]
        )
    if not services.has_ended(congress, now):
        return render_template(
            "speakers/documentation.html",
            congress=congress,
            editions=editions,
            sessions=None,
        )
    sessions, files = services.documentation(congress)
    kinds = _kind_labels()
    return render_template(
        "speakers/documentation.html",
        congress=congress,
        editions=editions,
        sessions=[
            (
                s,
                agenda.local_day(s.starts_at, congress),
                agenda.local_clock(s.starts_at, congress).strftime("%H:%M"),
                [link.speaker for link in s.speaker_links],
                [(kinds[m.kind], m) for m in files[s.id]],
            )
            for s in sessions
        ],
    )


@bp.get("/dokumentation")
@public
def documentation():
    """The documentation of the current edition once it is over, else of the latest one that
    is; with links to every past edition's documentation."""
    now = utcnow()
    current = db.session.execute(select(Congress).where(Congress.is_current)).scalar_one_or_none()
    if current is not None and not services.has_ended(current, now):
        editions = services.documented_editions(now)
        current = editions[0] if editions else current
    return _documentation_page(current)


@bp.get("/dokumentation/<slug>")
@public
def edition_documentation(slug: str):
    congress = db.session.execute(
        select(Congress).where(Congress.slug == slug)
    ).scalar_one_or_none()
    if congress is None:
        abort(404)
    return _documentation_page(congress)
