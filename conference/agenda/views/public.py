"""The public programme: the page, its JSON and PDF, a session, a speaker's photo."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from flask import Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from sqlalchemy import select

from conference.accounts.access import public
from conference.accounts.models import Role
from conference.agenda import services
from conference.agenda.models import AgendaSession, SessionKind, Speaker
from conference.agenda.views import _hhmm, _int_arg, bp
from conference.core.congress import congress_or_current, current_congress_or_404
from conference.core.database import parse_int
from conference.core.errors import Invalid
from conference.core.models import Congress
from conference.core.pdf import render_pdf
from conference.extensions import db

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
