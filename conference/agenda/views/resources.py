"""Rooms, tracks and speakers; the door sign."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.accounts.access import current_actor, roles_required
from conference.accounts.models import Role
from conference.agenda import services
from conference.agenda.forms import RoomForm, SpeakerForm, TrackForm
from conference.agenda.models import Room, Speaker, Track
from conference.agenda.views import _hhmm, bp
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.models import Congress
from conference.core.pdf import render_pdf
from conference.extensions import db

# --- rooms, tracks, speakers -----------------------------------------------------------------


@bp.get("/admin/agenda/setup")
@roles_required(Role.ORGANISER)
def setup():
    congress = current_congress_or_404()
    return render_template(
        "agenda/setup.html",
        congress=congress,
        rooms=services.rooms_of(congress),
        tracks=services.tracks_of(congress),
        speakers=services.speakers_of(congress),
        days=services.congress_days(congress),
    )


def _owned(model, congress: Congress, object_id: int | None):
    if object_id is None:
        return None
    obj = db.session.get(model, object_id)
    if obj is None or obj.congress_id != congress.id:
        abort(404)
    return obj


@bp.route("/admin/agenda/rooms/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def room_new():
    return _room_form(None)


@bp.route("/admin/agenda/rooms/<int:room_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def room_edit(room_id: int):
    return _room_form(room_id)


def _room_form(room_id: int | None):
    congress = current_congress_or_404()
    room = _owned(Room, congress, room_id)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            with transaction():
                services.save_room(
                    congress,
                    room,
                    actor=current_actor(),
                    name=form.name.data,
                    capacity=form.capacity.data,
                    floor=form.floor.data,
                    accessibility_notes=form.accessibility_notes.data,
                )
        except DomainError as error:
            form.name.errors.append(error.message)
        else:
            flash(_("The room has been saved."), "success")
            return redirect(url_for(".setup"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "agenda/object_form.html", congress=congress, form=form, heading=_("Room"), obj=room
    ), status


@bp.route("/admin/agenda/tracks/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def track_new():
    return _track_form(None)


@bp.route("/admin/agenda/tracks/<int:track_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def track_edit(track_id: int):
    return _track_form(track_id)


def _track_form(track_id: int | None):
    congress = current_congress_or_404()
    track = _owned(Track, congress, track_id)
    form = TrackForm(obj=track)
    if form.validate_on_submit():
        try:
            with transaction():
                services.save_track(
                    congress,
                    track,
                    actor=current_actor(),
                    name=form.name.data,
                    colour=form.colour.data,
                )
        except DomainError as error:
            form.name.errors.append(error.message)
        else:
            flash(_("The track has been saved."), "success")
            return redirect(url_for(".setup"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "agenda/object_form.html", congress=congress, form=form, heading=_("Track"), obj=track
    ), status


@bp.route("/admin/agenda/speakers/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def speaker_new():
    return _speaker_form(None)


@bp.route("/admin/agenda/speakers/<int:speaker_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def speaker_edit(speaker_id: int):
    return _speaker_form(speaker_id)


def _speaker_form(speaker_id: int | None):
    congress = current_congress_or_404()
    speaker = _owned(Speaker, congress, speaker_id)
    form = SpeakerForm(obj=speaker)
    if form.validate_on_submit():
        upload = form.photo.data
        photo = upload.read(services.MAX_PHOTO_BYTES + 1) if upload and upload.filename else None
        try:
            with transaction():
                services.save_speaker(
                    congress,
                    speaker,
                    actor=current_actor(),
                    name=form.name.data,
                    organisation=form.organisation.data or "",
                    bio=form.bio.data or "",
                    email=form.email.data or "",
                    photo=photo,
                    remove_photo=form.remove_photo.data,
                )
        except DomainError as error:
            form.photo.errors = [*form.photo.errors, error.message]
        else:
            flash(_("The speaker has been saved."), "success")
            return redirect(url_for(".setup"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "agenda/object_form.html",
        congress=congress,
        form=form,
        heading=_("Speaker or moderator"),
        obj=speaker,
        multipart=True,
    ), status


@bp.get("/admin/agenda/rooms/<int:room_id>/door-sign.pdf")
@roles_required(Role.ORGANISER)
def door_sign(room_id: int):
    congress = current_congress_or_404()
    room = _owned(Room, congress, room_id)
    day = services.parse_day(request.args.get("day") or congress.starts_on.isoformat(), congress)
    sessions = [
        s
        for s in services.day_sessions(congress, day)
        if s.room_id == room.id and services.is_public(s)
    ]
    pdf = render_pdf(
        "agenda/door_sign_pdf.html",
        congress=congress,
        room=room,
        day=day,
        sessions=sessions,
        hhmm=lambda value: _hhmm(value, congress),
        speakers_of=services.speakers_and_moderators,
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="door-sign-{room.id}-{day.isoformat()}.pdf"'
    )
    return response
