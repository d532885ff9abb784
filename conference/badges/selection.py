"""Which badges are printed: the refusals, the selection and its order."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.models import Role
from conference.badges.qr import BadgeRefused, EmptySelection
from conference.core.errors import Forbidden, NotFound
from conference.core.models import Congress
from conference.extensions import db
from conference.registration.models import Registration, RegistrationDay, Status

# --- selection -------------------------------------------------------------------------------


def _refusal(registration: Registration) -> str | None:
    """Why this registration gets no badge (None: it gets one)."""
    if registration.status == Status.CONFIRMED:
        return None
    if registration.status == Status.CANCELLED:
        return _(
            "The registration of %(name)s is cancelled; cancelled registrations get no badge.",
            name=registration.full_name,
        )
    if registration.status == Status.WAITLISTED:
        return _(
            "%(name)s is on the waiting list; a badge is printed only once a seat is confirmed.",
            name=registration.full_name,
        )
    return _(
        "%(name)s has not confirmed the registration yet; a badge is printed only for "
        "confirmed registrations.",
        name=registration.full_name,
    )


def ensure_badge_allowed(registration: Registration) -> None:
    """Raise BadgeRefused (409) with the reason in words unless the registration is confirmed."""
    reason = _refusal(registration)
    if reason:
        raise BadgeRefused(reason)


def _with_badge_loads(statement):
    return statement.options(
        joinedload(Registration.carrier),
        joinedload(Registration.local_structure),
        selectinload(Registration.days),
    )


def registration_for_badge(registration_id: int, congress: Congress | None = None) -> Registration:
    """One registration with what its badge shows. Raises NotFound, BadgeRefused."""
    statement = _with_badge_loads(select(Registration).where(Registration.id == registration_id))
    if congress is not None:
        statement = statement.where(Registration.congress_id == congress.id)
    registration = db.session.execute(statement).unique().scalar_one_or_none()
    if registration is None:
        raise NotFound(_("There is no such registration."), code="unknown_registration")
    ensure_badge_allowed(registration)
    return registration


def scoped_organisation(actor, organisation_id: int | None) -> int | None:
    """The organisation a user may print for: coordinators only ever their own."""
    if actor is None or getattr(actor, "role", None) != Role.COORDINATOR:
        return organisation_id
    own = actor.organisation_id
    if organisation_id is not None and organisation_id != own:
        raise Forbidden(_("Coordinators may print badges of their own organisation only."))
    return own


def selection_statement(
    congress: Congress,
    *,
    organisation_id: int | None = None,
    role: str | None = None,
    day: date | None = None,
    not_printed: bool = False,
    status: str = Status.CONFIRMED,
):
    """The WHERE of a print run (without loads or order): also used for the count preview."""
    if status != Status.CONFIRMED:
        raise BadgeRefused(
            _(
                "Badges are printed for confirmed registrations only, not for status “%(status)s”.",
                status=status,
            )
        )
    statement = select(Registration).where(
        Registration.congress_id == congress.id,
        Registration.status == Status.CONFIRMED,
        Registration.anonymised_at.is_(None),
    )
    if organisation_id is not None:
        statement = statement.where(Registration.carrier_id == organisation_id)
    if role:
        statement = statement.where(Registration.badge_role == role)
    if day is not None:
        statement = statement.where(
            exists().where(
                RegistrationDay.registration_id == Registration.id, RegistrationDay.day == day
            )
        )
    if not_printed:
        statement = statement.where(Registration.badge_printed_at.is_(None))
    return statement


def count_for_print(congress: Congress, **filters) -> int:
    subquery = selection_statement(congress, **filters).with_only_columns(Registration.id)
    return db.session.execute(select(func.count()).select_from(subquery.subquery())).scalar_one()


def _name_order(registration: Registration) -> tuple:
    """Names sort as in a German phone book ("Özdemir" with the O's), whatever the database's
    collation: the stored collation key (core/collation.py)."""
    return (registration.name_key, registration.id)


def select_for_print(
    congress: Congress,
    *,
    organisation_id: int | None = None,
    role: str | None = None,
    day: date | None = None,
    not_printed: bool = False,
    status: str = Status.CONFIRMED,
    actor=None,
) -> list[Registration]:
    """The confirmed registrations of a print run, sorted by last name, with their loads.

    Raises EmptySelection (400) when nothing matches, BadgeRefused for a non-confirmed status,
    Forbidden when a coordinator asks for another organisation.
    """
    organisation_id = scoped_organisation(actor, organisation_id)
    statement = _with_badge_loads(
        selection_statement(
            congress,
            organisation_id=organisation_id,
            role=role,
            day=day,
            not_printed=not_printed,
            status=status,
        )
    )
    registrations = sorted(db.session.execute(statement).unique().scalars(), key=_name_order)
    if not registrations:
        raise EmptySelection(
            _(
                "No confirmed registration matches this selection, so there is nothing to print. "
                "Please change the filters."
            )
        )
    return registrations
