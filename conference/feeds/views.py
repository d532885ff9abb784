"""Calendar feeds over HTTP: conditional GET first, the iCalendar text only when needed."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from conference.accounts.access import public
from conference.agenda.labels import KIND_LABELS
from conference.agenda.models import AgendaSession, Room, SessionKind, Track
from conference.agenda.services import public_clause
from conference.core.congress import current_congress_or_404
from conference.core.database import autocommit_when, transaction
from conference.core.errors import NotFound
from conference.core.models import Congress
from conference.core.time import days_between, utcnow
from conference.extensions import db
from conference.feeds import services
from conference.feeds.forms import FeedFilterForm
from conference.registration.models import Status

bp = Blueprint("feeds", __name__)


def _public_language() -> str:
    """Public feeds are shared by proxies: their language comes from the URL only, not a cookie."""
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"]:
        return asked
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _not_modified(version: services.Version | None) -> bool:
    return version is not None and request.if_none_match.contains_weak(version.etag)


def _remembered_304(key, filename: str, *, private: bool):
    """304 for a poll whose version this process computed a moment ago, without a query
    (``versions.remembered_version``); None: ask the database."""
    version = services.remembered_version(key)
    if _not_modified(version):
        return _calendar_response(None, version, filename, private=private)
    return None


def _calendar_response(body: bytes | None, version: services.Version, filename: str, *, private):
    response = current_app.response_class(
        body if body is not None else b"",
        status=200 if body is not None else 304,
        mimetype="text/calendar",
    )
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    scope = "private" if private else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={services.CACHE_SECONDS}"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        # The URL is the key; keep it out of referrers and search engines.
        response.headers["X-Robots-Tag"] = "noindex"
    if body is None:
        response.headers.pop("Content-Length", None)
    return response


@bp.get("/programme.ics")
@public
@autocommit_when(lambda: True)  # reads only; a calendar client's poll is one statement
def programme_ics():
    key = ("programme", request.query_string)
    if (response := _remembered_304(key, "programm.ics", private=False)) is not None:
        return response
    language = _public_language()
    with force_locale(language):
        if "day" in request.args:  # days need the congress (its dates and time zone) first
            congress = current_congress_or_404()
            filters = services.parse_filters(congress, request.args)
            services.check_filter_ids(congress, filters)
            selection = services.programme_selection(congress, filters)
            version = services.feed_version(congress, selection, filters.key, language)
        else:
            # The common request, a calendar client's poll: its ETag in one query, no congress,
            # session or template loaded before the 304.
            filters = services.parse_filters(None, request.args)
            current = services.programme_version(filters, filters.key, language)
            if current is None:
                raise NotFound(_("No congress has been set up yet."), code="no_congress")
            congress_id, version = current
            services.check_filter_ids(congress_id, filters)
            congress = None
        services.remember_version(key, version)
        if _not_modified(version):
            return _calendar_response(None, version, "programm.ics", private=False)
        if congress is None:
            congress = db.session.get(Congress, congress_id)
            selection = services.programme_selection(congress, filters)
        body = services.rendered_or_build(
            version,
            lambda: services.build_calendar(
                congress,
                services.sessions_of(selection),
                name=services.programme_name(congress, filters),
                description=_("The programme of %(title)s.", title=congress.title),
            ),
        )
    return _calendar_response(body, version, "programm.ics", private=False)


@bp.get("/sessions/<int:session_id>.ics")
@public
@autocommit_when(lambda: True)  # reads only
def session_ics(session_id: int):
    filename = f"sitzung-{session_id}.ics"
    key = ("session", session_id, request.query_string)
    if (response := _remembered_304(key, filename, private=False)) is not None:
        return response
    congress = db.session.execute(
        select(Congress)
        .join(AgendaSession, AgendaSession.congress_id == Congress.id)
        .where(AgendaSession.id == session_id, public_clause())
    ).scalar_one_or_none()
    if congress is None:
        raise NotFound(_("This session does not exist or is not published."))
    language = _public_language()
    with force_locale(language):
        selection = services.session_selection(congress, session_id)
        version = services.feed_version(congress, selection, session_id, language)
        services.remember_version(key, version)
        if _not_modified(version):
            return _calendar_response(None, version, filename, private=False)
        body = services.rendered_or_build(
            version,
            lambda: services.build_calendar(
                congress,
                services.sessions_of(selection),
                name=services.session_name(congress),
                description=_("A session of %(title)s.", title=congress.title),
            ),
        )
    return _calendar_response(body, version, filename, private=False)


@bp.get("/feeds/<token>.ics")
@public
@autocommit_when(lambda: True)  # reads only
def personal(token: str):
    key = ("personal", token)
    if (response := _remembered_304(key, "mein-programm.ics", private=True)) is not None:
        return response
    registration = services.registration_by_calendar_token(token)
    congress = registration.congress
    languages = current_app.config["LANGUAGES"]
    language = registration.language if registration.language in languages else languages[0]
    with force_locale(language):
        selection = services.personal_selection(registration)
        version = services.feed_version(
            congress,
            selection,
            registration.id,
            registration.status,
            tuple(day.day for day in registration.days),
            language,
        )
        services.remember_version(key, version)
        if _not_modified(version):
            return _calendar_response(None, version, "mein-programm.ics", private=True)
        body = services.rendered_or_build(version, lambda: services.personal_calendar(registration))
    return _calendar_response(body, version, "mein-programm.ics", private=True)


@bp.post("/r/<token>/calendar/reset")
@public
def reset_token(token: str):
    registration = services.registration_by_manage_token(token)
    with transaction():
        services.reset_calendar_token(registration, actor="attendee", now=utcnow())
    flash(
        _(
            "Your calendar link has been renewed. The old link no longer works: subscribe "
            "again with the new one."
        ),
        "success",
    )
    if "registration.manage" in current_app.view_functions:
        return redirect(url_for("registration.manage", token=token) + "#calendar")
    return redirect(url_for(".help"))


def manage_section(registration) -> Markup | None:
    """The feed links and the reset button on the attendee's manage page (confirmed people
    only: anyone else's personal feed is empty)."""
    if registration.status != Status.CONFIRMED:
        return None
    return Markup(
        render_template(
            "feeds/_manage_section.html",
            registration=registration,
            links=services.personal_links(registration),
        )
    )


@bp.get("/calendar", endpoint="help")
@public
def subscribe_help():
    congress = current_congress_or_404()
    rooms = db.session.execute(
        select(Room.id, Room.name).where(Room.congress_id == congress.id).order_by(Room.position)
    ).all()
    tracks = db.session.execute(
        select(Track.id, Track.name).where(Track.congress_id == congress.id).order_by(Track.name)
    ).all()
    form = FeedFilterForm(request.args)
    everything = [("", _("All"))]
    form.track.choices = everything + [(str(t.id), t.name) for t in tracks]
    form.room.choices = everything + [(str(r.id), r.name) for r in rooms]
    form.type.choices = everything + [(kind.value, str(KIND_LABELS[kind])) for kind in SessionKind]
    form.day.choices = everything + [
        (day.isoformat(), format_date(day, "full"))
        for day in days_between(congress.starts_on, congress.ends_on)
    ]
    chosen = {}
    status = 200
    if request.args and not form.validate():
        status = 400  # the form shows what is wrong; the links stay those of the whole programme
    elif request.args:
        chosen = {
            name: getattr(form, name).data
            for name in ("track", "room", "type", "day")
            if getattr(form, name).data
        }
    return render_template(
        "feeds/help.html",
        congress=congress,
        form=form,
        links=services.feed_links("feeds.programme_ics", **chosen),
        filtered=bool(chosen),
    ), status
