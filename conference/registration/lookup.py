"""A registration by one of its keys (manage link, confirmation link), and its place on the waiting list."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from conference.core.errors import NotFound
from conference.core.tokens import is_well_formed
from conference.extensions import db
from conference.registration.models import (
    Registration,
    Status,
)

#: What a page about one registration shows: its organisation, days and congress.
PAGE_LOADS = (
    joinedload(Registration.carrier),
    joinedload(Registration.local_structure),
    selectinload(Registration.days),
    joinedload(Registration.congress),
)


def by_manage_token(token: str) -> Registration:
    """The registration behind a manage link. Raises NotFound, never telling whether it existed."""
    registration = None
    if is_well_formed(token):
        registration = db.session.execute(
            select(Registration).where(Registration.manage_token == token).options(*PAGE_LOADS)
        ).scalar_one_or_none()
    if registration is None or registration.anonymised_at is not None:
        raise NotFound(_("This link is not valid."), code="unknown_link")
    return registration


def by_confirm_token(token: str) -> Registration:
    registration = None
    if is_well_formed(token):
        registration = db.session.execute(
            select(Registration).where(Registration.confirm_token == token)
        ).scalar_one_or_none()
    if registration is None:
        raise NotFound(
            _(
                "This confirmation link is not valid (any more). If you have already confirmed, "
                "use the personal link from your confirmation e-mail."
            ),
            code="unknown_link",
        )
    return registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None if not waiting."""
    if registration.status != Status.WAITLISTED or registration.waitlisted_at is None:
        return None
    ahead = db.session.execute(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.congress_id == registration.congress_id,
            Registration.status == Status.WAITLISTED,
            tuple_(Registration.waitlisted_at, Registration.id)
            < tuple_(registration.waitlisted_at, registration.id),
        )
    ).scalar_one()
    return ahead + 1
