"""The organisers' agenda builder: the grid, placing, creating and changing sessions."""

from __future__ import annotations

from datetime import date, time

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from conference.accounts.access import current_actor, roles_required
from conference.accounts.models import Role
from conference.agenda import services
from conference.agenda.forms import CopyForm, SessionForm
from conference.agenda.models import AgendaSession, Room, SessionKind, SessionStatus, WorkshopPhase
from conference.agenda.views import _hhmm, bp
from conference.core.congress import current_congress_or_404
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, Invalid
from conference.core.models import Congress
from conference.core.time import utcnow
from conference.extensions import db

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
            session,
            day=day,
            start=start,
            end=end,
            room_id=room_id,
            actor=current_actor(),
            now=utcnow(),
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
                    session = services.create_session(
                        congress, data, actor=current_actor(), now=now
                    )
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
