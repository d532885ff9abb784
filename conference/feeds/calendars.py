"""The three feeds (programme, session, personal programme), their names, links and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from conference.core import audit
from conference.core.mail import external_url
from conference.core.models import Congress
from conference.core.tokens import is_well_formed, new_token
from conference.extensions import db
from conference.feeds.ical import build_calendar
from conference.feeds.selection import (
    Filters,
    _statement,
    personal_selection,
    sessions_of,
    unknown_calendar,
)
from conference.registration import services as registration_services
from conference.registration.models import Registration

# --- the three feeds ------------------------------------------------------------------------


def programme_name(congress: Congress, filters: Filters) -> str:
    name = _("Programme: %(title)s", title=congress.title)
    if filters:
        name += " " + _("(selection)")
    return name


def session_name(congress: Congress) -> str:
    return congress.title


def personal_name(congress: Congress) -> str:
    return _("My programme: %(title)s", title=congress.title)


def registration_by_calendar_token(token: str) -> Registration:
    """The registration behind a feed link; raises UnknownCalendar for any other token."""
    if not is_well_formed(token):
        raise unknown_calendar()
    statement = _statement(
        ("registration",),
        lambda: (
            select(Registration)
            .where(
                Registration.calendar_token == bindparam("token"),
                Registration.anonymised_at.is_(None),
            )
            .options(joinedload(Registration.congress), joinedload(Registration.days))
        ),
    )
    registration = db.session.execute(statement, {"token": token}).unique().scalar_one_or_none()
    if registration is None:
        raise unknown_calendar()
    return registration


def personal_calendar(registration: Registration) -> bytes:
    """The attendee's programme as iCalendar text, in their language (mail attachment)."""
    congress = registration.congress
    with force_locale(registration.language or "de"):
        sessions = sessions_of(personal_selection(registration))
        return build_calendar(
            congress,
            sessions,
            name=personal_name(congress),
            description=_("Your personal programme: plenaries of your days and your workshops."),
        )


@dataclass(frozen=True)
class FeedLinks:
    """The same feed as an https link (to copy) and a webcal link (opens the calendar app)."""

    https: str
    webcal: str
    google: str


def feed_links(endpoint: str, **values) -> FeedLinks:
    https = external_url(endpoint, **values)
    webcal = "webcal://" + https.split("://", 1)[1]
    # Google Calendar subscribes through its "add by URL" page; it wants the webcal form.
    google = "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal})
    return FeedLinks(https=https, webcal=webcal, google=google)


def personal_links(registration: Registration) -> FeedLinks:
    return feed_links("feeds.personal", token=registration.calendar_token)


def reset_calendar_token(registration: Registration, *, actor, now: datetime) -> str:
    """Issue a new feed token: the old link answers 404 from now on. Returns the new token."""
    registration.calendar_token = new_token()
    registration.updated_at = now
    audit.record("registration.calendar_token_reset", registration, actor=actor)
    db.session.flush()
    return registration.calendar_token


def registration_by_manage_token(token: str) -> Registration:
    return registration_services.by_manage_token(token)


def personal_programme_attachment(registration) -> list[tuple[str, str, bytes]]:
    """The confirmation mail's personal programme (none while it would be empty)."""
    data = personal_calendar(registration)
    if b"BEGIN:VEVENT" not in data:
        return []
    return [("programm.ics", "text/calendar", data)]
