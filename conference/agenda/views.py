"""Agenda views: the public programme, its JSON and PDF, and the organisers' agenda builder."""

from __future__ import annotations

from datetime import date, time
from itertools import groupby

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user
from sqlalchemy import select

from conference.accounts.access import current_actor, public, roles_required
from conference.accounts.models import Role
from conference.agenda import services
from conference.agenda.forms import CopyForm, RoomForm, SessionForm, SpeakerForm, TrackForm
from conference.agenda.models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionStatus,
    Speaker,
    Track,
    WorkshopPhase,
)
from conference.core.congress import congress_or_current, current_congress_or_404
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, Invalid
from conference.core.models import Congress
from conference.core.pdf import render_pdf
from conference.core.time import utcnow
from conference.extensions import db

bp = Blueprint("agenda", __name__)


def _hhmm(value, congress: Congress) -> str:
    return services.local_clock(value, congress).strftime("%H:%M")


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    number = parse_int(raw)
    if number is None:
        raise Invalid(_("Please check the filter."), code="invalid_filter")
    return number


# --- public programme ------------------------------------------------------------------------


def _programme_filter() -> services.ProgrammeFilter:
    kind = request.args.get("type", "").strip() or None
    language = request.args.get("language", "").strip() or None
    if kind and kind not in set(SessionKind):
        raise Invalid(_("Please check the filter."), code="invalid_filter")
    if language and language not in services.LANGUAGES:
        raise Invalid(_("Please check the filter."), code="invalid_filter")
    search = request.args.get("q", "").strip()
    if len(search) > 200:
        raise Invalid(_("The search text is too long."), code="search_too_long")
    return services.ProgrammeFilter(
        track_id=_int_arg("track"),
        kind=kind,
        room_id=_int_arg("room"),
        language=language,
        search=search,
    )


def _programme_days(congress: Congress, items: list[services.ProgrammeItem]) -> list[dict]:
    """Days -> time slots -> sessions (items carry their formatted local times)."""
    by_day: dict[date, list] = {day: [] for day in services.congress_days(congress)}
    for item in items:
        by_day.setdefault(item.day, []).append(item)
    days = []
    for day, day_items in by_day.items():
        slots = [
            {"time": start, "sessions": list(group)}
            for start, group in groupby(day_items, key=lambda item: item.starts)
        ]
        days.append({"day": day, "slots": slots, "count": len(day_items)})
    return days


@bp.get("/programme")
@public
def programme():
    congress = current_congress_or_404()
    filters = _programme_filter()
    items = services.programme_items(congress, filters)
    return render_template(
        "agenda/programme.html",
        congress=congress,
        days=_programme_days(congress, items),
        total=len(items),
        filters=filters,
        rooms=services.rooms_of(congress),
        tracks=services.tracks_of(congress),
        kinds=services.kind_labels(),
        languages=services.language_labels(),
        changes=_change_labels(),
        # url_for per session is a tenth of the page's time at 300 sessions; "/sessions/<id>".
        session_base=url_for(".session_detail", session_id=0)[: -len("0")],
    )


def _change_labels() -> dict[str, str]:
    return {
        "cancelled": pgettext("session change", "cancelled"),
        "room": _("room changed"),
        "time": _("time changed"),
    }


@bp.get("/programme.json")
@public
def programme_json():
    """The contract feed; ``?congress=<id>`` reads another edition."""
    raw = request.args.get("congress")
    if raw is not None and parse_int(raw) is None:
        raise Invalid(_("Please check the filter."), code="invalid_congress")
    congress = congress_or_current(parse_int(raw) if raw is not None else None)
    response = jsonify(services.programme_json(congress))
    response.headers["Access-Control-Allow-Origin"] = "*"
    # Phones polling the programme revalidate and get a 304 while nothing changed.
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/programme/tracks.css")
@public
def tracks_css():
    """Track colours as classes: the CSP allows no style attributes."""
    congress = current_congress_or_404()
    rules = [
        f".track-{t.id} {{ --track: {t.colour}; }}"
        for t in services.tracks_of(congress)
        if len(t.colour) == 7
        and t.colour.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in t.colour[1:])
    ]
    return Response("\n".join(rules) + "\n", mimetype="text/css")


@bp.get("/programme.pdf")
@public
def programme_pdf():
    congress = current_congress_or_404()
    page_format = request.args.get("format", "a4").lower()
    if page_format not in ("a4", "a5"):
        raise Invalid(_("The format must be A4 or A5."), code="invalid_format")
    items = services.programme_items(congress)
    pdf = render_pdf(
        "agenda/programme_pdf.html",
        congress=congress,
        days=_programme_days(congress, items),
        page_format=page_format,
        kinds=services.kind_labels(),
        changes=_change_labels(),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="programme-{congress.slug}-{page_format}.pdf"'
    )
    return response


@bp.get("/sessions/<int:session_id>")
@public
def session_detail(session_id: int):
    session = db.session.execute(
        select(AgendaSession).where(AgendaSession.id == session_id).options(*services._loaded())
    ).scalar_one_or_none()
    if session is None or not services.is_public(session):
        abort(404)
    congress = session.congress
    speakers, moderators = services.speakers_and_moderators(session)
    return render_template(
        "agenda/session_detail.html",
        congress=congress,
        item=session,
        speakers=speakers,
        moderators=moderators,
        day=services.local_day(session.starts_at, congress),
        starts=_hhmm(session.starts_at, congress),
        ends=_hhmm(session.ends_at, congress),
        free=services.free_seats(session),
        capacity=services.effective_capacity(session),
        kinds=services.kind_labels(),
        languages=services.language_labels(),
    )


@bp.get("/speakers/<int:speaker_id>/photo")
@public
def speaker_photo(speaker_id: int):
    """A speaker's photo: public once the speaker is on the public programme, else staff only."""
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or not speaker.photo or speaker.photo_mimetype not in services.PHOTO_TYPES:
        abort(404)
    staff = current_user.is_authenticated and current_user.has_role(Role.ORGANISER)
    if not staff and not services.speaker_is_public(speaker):
        abort(404)
    response = Response(speaker.photo, mimetype=speaker.photo_mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


# --- builder ---------------------------------------------------------------------------------


def _builder_day(congress: Congress) -> date:
    raw = request.args.get("day")
    if raw:
        return services.parse_day(raw, congress)
    return congress.starts_on


def _grid(congress: Congress, day: date, rooms: list[Room], sessions: list[AgendaSession]):
    """Grid geometry: row 1 is the header, each further row 15 minutes from opening time."""
    opens = congress.opens_at.hour * 60 + congress.opens_at.minute
    closes = congress.closes_at.hour * 60 + congress.closes_at.minute
    slots = max(1, -(-(closes - opens) // services.SNAP_MINUTES))
    columns = {room.id: index + 2 for index, room in enumerate(rooms)}
    unassigned = len(rooms) + 2
    blocks = []
    for session in sessions:
        start = services.local_clock(session.starts_at, congress)
        minutes_start = start.hour * 60 + start.minute
        minutes_end = minutes_start + int(
            (session.ends_at - session.starts_at).total_seconds() // 60
        )
        row_start = min(max(2, (minutes_start - opens) // services.SNAP_MINUTES + 2), slots + 1)
        row_end = min(
            max(row_start + 1, -(-(minutes_end - opens) // services.SNAP_MINUTES) + 2), slots + 2
        )
        blocks.append(
            {
                "session": session,
                "row_start": row_start,
                "row_end": row_end,
                "column": columns.get(session.room_id, unassigned),
                "starts": _hhmm(session.starts_at, congress),
                "ends": _hhmm(session.ends_at, congress),
            }
        )
    times = [
        f"{(opens + n * services.SNAP_MINUTES) // 60:02d}:{(opens + n * services.SNAP_MINUTES) % 60:02d}"
        for n in range(slots)
    ]
    return {"blocks": blocks, "times": times, "slots": slots, "unassigned_column": unassigned}


def _block_state(session: AgendaSession, congress: Congress, rooms: list[Room]) -> dict:
    grid = _grid(congress, services.local_day(session.starts_at, congress), rooms, [session])
    block = grid["blocks"][0]
    return {
        "id": session.id,
        "title": session.title,
        "day": services.local_day(session.starts_at, congress).isoformat(),
        "start": block["starts"],
        "end": block["ends"],
        "room_id": session.room_id,
        "status": session.status,
        "sequence": session.sequence,
        "row_start": block["row_start"],
        "row_end": block["row_end"],
        "column": block["column"],
    }


def _conflicts_json(congress: Congress) -> dict:
    hard, soft = services.conflicts(congress)
    return {"hard": hard, "soft": soft}


@bp.get("/admin/agenda")
@roles_required(Role.ORGANISER)
def builder():
    congress = current_congress_or_404()
    day = _builder_day(congress)
    rooms = services.rooms_of(congress)
    sessions = services.day_sessions(congress, day)
    hard, soft = services.conflicts(congress)
    copy_form = CopyForm()
    copy_form.source.choices = [(c.id, c.title) for c in services.previous_congresses(congress)]
    return render_template(
        "agenda/builder.html",
        congress=congress,
        day=day,
        days=services.congress_days(congress),
        rooms=rooms,
        grid=_grid(congress, day, rooms, sessions),
        hard=hard,
        soft=soft,
        kinds=services.kind_labels(),
        statuses=services.status_labels(),
        copy_form=copy_form,
        drafts=sum(1 for s in sessions if s.status == SessionStatus.DRAFT),
    )


@bp.post("/admin/agenda/sessions/<int:session_id>/place")
@roles_required(Role.ORGANISER)
def place(session_id: int):
    """The builder's drag and drop: JSON ``{"day", "start", ["end"], ["room_id"]}``.

    200 with the new state and the congress's conflicts, 400/409 ``{"error", "message"}``.
    """
    congress = current_congress_or_404()
    session = services.session_or_404(congress, session_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid(_("The request could not be understood."), code="invalid_json")
    day = services.parse_day(_text(body.get("day")), congress)
    start = services.parse_clock(_text(body.get("start")))
    end = services.parse_clock(_text(body["end"])) if body.get("end") is not None else None
    room_id = ...
    if "room_id" in body:
        raw = body["room_id"]
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise Invalid(_("Unknown room."), code="unknown_room")
        room_id = raw
    with transaction():
        services.place_session(
            session, day=day, start=start, end=end, room_id=room_id, actor=current_actor(), now=utcnow()
        )
    rooms = services.rooms_of(congress)
    return jsonify(
        session=_block_state(session, congress, rooms), conflicts=_conflicts_json(congress)
    )


def _text(value) -> str:
    if not isinstance(value, str):
        raise Invalid(_("Please give a valid date and time."), code="invalid_time")
    return value


def _session_form(congress: Congress, session: AgendaSession | None) -> SessionForm:
    form = SessionForm()
    form.kind.choices = list(services.kind_labels().items())
    form.language.choices = list(services.language_labels().items())
    form.day.choices = [
        (d.isoformat(), d.strftime("%d.%m.%Y")) for d in services.congress_days(congress)
    ]
    form.room_id.choices = [("", _("No room"))] + [
        (r.id, f"{r.name} ({r.capacity})") for r in services.rooms_of(congress)
    ]
    form.track_id.choices = [("", _("No track"))] + [
        (t.id, t.name) for t in services.tracks_of(congress)
    ]
    form.phase_id.choices = [("", _("No phase"))] + [
        (p.id, p.name)
        for p in db.session.scalars(
            select(WorkshopPhase)
            .where(WorkshopPhase.congress_id == congress.id)
            .order_by(WorkshopPhase.day)
        )
    ]
    people = [(s.id, s.name) for s in services.speakers_of(congress)]
    form.speaker_ids.choices = people
    form.moderator_ids.choices = people
    if request.method == "GET":
        if session is not None:
            form.title.data = session.title
            form.kind.data = session.kind
            form.abstract.data = session.abstract
            form.language.data = session.language
            form.day.data = services.local_day(session.starts_at, congress).isoformat()
            form.start.data = services.local_clock(session.starts_at, congress)
            form.end.data = services.local_clock(session.ends_at, congress)
            form.room_id.data = session.room_id
            form.track_id.data = session.track_id
            form.capacity.data = session.capacity
            form.signup_required.data = session.signup_required
            form.phase_id.data = session.phase_id
            form.speaker_ids.data = [
                ln.speaker_id for ln in session.speaker_links if ln.role == "speaker"
            ]
            form.moderator_ids.data = [
                ln.speaker_id for ln in session.speaker_links if ln.role == "moderator"
            ]
        else:  # prefilled from the builder grid (drag on an empty column)
            form.kind.data = SessionKind.FORUM
            form.language.data = "de"
            day = request.args.get("day")
            form.day.data = day if day in dict(form.day.choices) else congress.starts_on.isoformat()
            for name, default in (("start", time(10)), ("end", time(11))):
                try:
                    value = time.fromisoformat(request.args.get(name, ""))
                except ValueError:
                    value = default
                getattr(form, name).data = value
            form.room_id.data = _optional_room(request.args.get("room_id"))
    return form


def _optional_room(raw):
    return parse_int(raw)


def _form_input(congress: Congress, form: SessionForm) -> services.SessionInput:
    day = services.parse_day(form.day.data, congress)
    return services.SessionInput(
        title=form.title.data,
        kind=form.kind.data,
        abstract=form.abstract.data or "",
        language=form.language.data,
        starts_at=services.local_instant(day, form.start.data, congress),
        ends_at=services.local_instant(day, form.end.data, congress),
        room_id=form.room_id.data,
        track_id=form.track_id.data,
        capacity=form.capacity.data,
        signup_required=form.signup_required.data,
        phase_id=form.phase_id.data,
        speaker_ids=list(dict.fromkeys(form.speaker_ids.data or [])),
        moderator_ids=list(dict.fromkeys(form.moderator_ids.data or [])),
    )


@bp.route("/admin/agenda/sessions/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def session_new():
    return _edit_session(None)


@bp.route("/admin/agenda/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def session_edit(session_id: int):
    congress = current_congress_or_404()
    return _edit_session(services.session_or_404(congress, session_id))


def _edit_session(session: AgendaSession | None):
    congress = current_congress_or_404()
    form = _session_form(congress, session)
    problem = None
    if form.validate_on_submit():
        try:
            with transaction():
                data = _form_input(congress, form)
                now = utcnow()
                if session is None:
                    session = services.create_session(congress, data, actor=current_actor(), now=now)
                else:
                    services.update_session(session, data, actor=current_actor(), now=now)
        except DomainError as error:
            problem = error.message
        else:
            flash(_("The session has been saved."), "success")
            day = services.local_day(session.starts_at, congress).isoformat()
            return redirect(url_for(".builder", day=day))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "agenda/session_form.html",
            congress=congress,
            form=form,
            item=session,
            problem=problem,
            statuses=services.status_labels(),
        ),
        status,
    )


@bp.post("/admin/agenda/sessions/<int:session_id>/publish")
@roles_required(Role.ORGANISER)
def session_publish(session_id: int):
    congress = current_congress_or_404()
    session = services.session_or_404(congress, session_id)
    with transaction():
        services.publish_session(session, actor=current_actor(), now=utcnow())
    flash(_("The session has been published."), "success")
    return redirect(url_for(".session_edit", session_id=session.id))


@bp.post("/admin/agenda/sessions/<int:session_id>/cancel")
@roles_required(Role.ORGANISER)
def session_cancel(session_id: int):
    congress = current_congress_or_404()
    session = services.session_or_404(congress, session_id)
    with transaction():
        services.cancel_session(session, actor=current_actor(), now=utcnow())
    flash(_("The session has been cancelled."), "success")
    return redirect(url_for(".session_edit", session_id=session.id))


@bp.post("/admin/agenda/publish")
@roles_required(Role.ORGANISER)
def publish_all():
    congress = current_congress_or_404()
    with transaction():
        count = services.publish_programme(congress, actor=current_actor(), now=utcnow())
    flash(
        ngettext(
            "%(num)d session has been published.", "%(num)d sessions have been published.", count
        ),
        "success",
    )
    return redirect(url_for(".builder"))


@bp.post("/admin/agenda/copy")
@roles_required(Role.ORGANISER)
def copy_skeleton():
    congress = current_congress_or_404()
    form = CopyForm()
    form.source.choices = [(c.id, c.title) for c in services.previous_congresses(congress)]
    if not form.validate_on_submit():
        raise Invalid(_("Please choose a congress to copy from."), code="invalid_source")
    source = db.session.get(Congress, form.source.data)
    if source is None:
        raise Invalid(_("Please choose a congress to copy from."), code="invalid_source")
    with transaction():
        count = services.copy_skeleton(source, congress, actor=current_actor(), now=utcnow())
    flash(
        ngettext(
            "%(num)d session has been copied as a draft.",
            "%(num)d sessions have been copied as drafts.",
            count,
        ),
        "success",
    )
    return redirect(url_for(".builder"))


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
                    congress, track, actor=current_actor(), name=form.name.data, colour=form.colour.data
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
