"""Which congress the public pages show, and small queries about editions."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from conference.core.errors import NotFound
from conference.core.models import Congress
from conference.extensions import db


def current_congress() -> Congress | None:
    """The edition marked current, else the newest one."""
    return db.session.execute(
        select(Congress).order_by(Congress.is_current.desc(), Congress.starts_on.desc()).limit(1)
    ).scalar_one_or_none()


def current_congress_or_404() -> Congress:
    congress = current_congress()
    if congress is None:
        raise NotFound(_("No congress has been set up yet."), code="no_congress")
    return congress


def congress_or_current(congress_id: int | None) -> Congress:
    """A congress by id (API ``?congress=``), else the current one."""
    if congress_id is None:
        return current_congress_or_404()
    congress = db.session.get(Congress, congress_id)
    if congress is None:
        raise NotFound(_("Unknown congress."), code="unknown_congress")
    return congress
