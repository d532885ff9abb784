"""Which congress a page is about: one rule for each kind of page.

- Public pages (the programme, registration, the feeds) show the current edition:
  ``current_congress()``.
- Staff pages show the edition the staff member is working on: ``staff_congress()``, the one
  chosen with the switch on the staff home (kept in their session), else the current one.
- Pages and API calls that name an edition (``?congress=<id>``, ``/admin/congresses/<id>``) take
  that one: ``congress_or_current()`` / ``congress_or_staff()``.
"""

from __future__ import annotations

from flask import session
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


#: The staff session's key for the chosen edition.
STAFF_CHOICE = "staff_congress_id"


def staff_congress() -> Congress:
    """The edition a staff member works on: chosen with the edition switch, else the current
    one (also when the chosen edition was deleted meanwhile). Raises NotFound without any."""
    chosen = session.get(STAFF_CHOICE)
    if isinstance(chosen, int):
        congress = db.session.get(Congress, chosen)
        if congress is not None:
            return congress
    return current_congress_or_404()


def congress_or_staff(congress_id: int | None) -> Congress:
    """A congress by id (``?congress=``), else the staff member's edition."""
    if congress_id is None:
        return staff_congress()
    return congress_or_current(congress_id)


def editions() -> list[tuple[int, str]]:
    """Every edition, newest first: (id, title), for the edition switch."""
    return [
        (row.id, row.title)
        for row in db.session.execute(
            select(Congress.id, Congress.title).order_by(Congress.starts_on.desc())
        )
    ]


def congress_or_current(congress_id: int | None) -> Congress:
    """A congress by id (API ``?congress=``), else the current one."""
    if congress_id is None:
        return current_congress_or_404()
    congress = db.session.get(Congress, congress_id)
    if congress is None:
        raise NotFound(_("Unknown congress."), code="unknown_congress")
    return congress
