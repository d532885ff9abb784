"""What organisers and coordinators do with registrations: find, filter, page, export, resend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.core import audit, collation
from conference.core.errors import Forbidden, NotFound
from conference.core.models import (
    CarrierOrganisation,
    Congress,
    LocalStructure,
)
from conference.extensions import db
from conference.registration.lifecycle import resend_confirmation
from conference.registration.lookup import PAGE_LOADS, waitlist_position
from conference.registration.mail import send_mail
from conference.registration.models import (
    Diet,
    Registration,
    RegistrationDay,
    Status,
)
from conference.registration.rules import Erased

PAGE_SIZE = 50


def scope_carrier(actor) -> int | None:
    """The carrier a coordinator is bound to; None for organisers and admins (see everything)."""
    if getattr(actor, "role", None) == "coordinator":
        return actor.organisation_id
    return None


def for_staff(registration_id: int, actor) -> Registration:
    """A registration an organiser or coordinator may see. Raises NotFound otherwise."""
    registration = db.session.execute(
        select(Registration).where(Registration.id == registration_id).options(*PAGE_LOADS)
    ).scalar_one_or_none()
    carrier = scope_carrier(actor)
    if registration is None or (carrier is not None and registration.carrier_id != carrier):
        raise NotFound(_("This registration does not exist."))
    return registration


def check_scope(data: dict, actor) -> None:
    """Coordinators register people of their own organisation only."""
    carrier = scope_carrier(actor)
    if carrier is not None and data.get("carrier_id") != carrier:
        raise Forbidden(_("You may only register people of your own organisation."))


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    carrier_id: int | None = None
    role: str = ""
    day: date | None = None
    need: str = ""  # step_free | sign_language | induction_loop | diet | any
    page: int = 1


NEED_COLUMNS = {
    "step_free": Registration.needs_step_free,
    "sign_language": Registration.needs_sign_language,
    "induction_loop": Registration.needs_induction_loop,
}


def _filtered(congress: Congress, filters: Filters, actor):
    query = select(Registration).where(Registration.congress_id == congress.id)
    carrier = scope_carrier(actor)
    if carrier is not None:
        query = query.where(Registration.carrier_id == carrier)
    if filters.q:
        pattern = f"%{filters.q.strip().lower()}%"
        matching_orgs = select(CarrierOrganisation.id).where(
            or_(
                func.lower(CarrierOrganisation.name).like(pattern),
                func.lower(CarrierOrganisation.short_name).like(pattern),
            )
        )
        matching_locals = select(LocalStructure.id).where(
            func.lower(LocalStructure.name).like(pattern)
        )
        query = query.where(
            or_(
                func.lower(Registration.first_name).like(pattern),
                func.lower(Registration.last_name).like(pattern),
                func.lower(Registration.first_name + " " + Registration.last_name).like(pattern),
                Registration.email.like(pattern),
                func.lower(Registration.organisation_other).like(pattern),
                Registration.carrier_id.in_(matching_orgs),
                Registration.local_structure_id.in_(matching_locals),
            )
        )
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.carrier_id is not None:
        query = query.where(Registration.carrier_id == filters.carrier_id)
    if filters.role:
        query = query.where(Registration.programme_role == filters.role)
    if filters.day is not None:
        query = query.where(
            Registration.id.in_(
                select(RegistrationDay.registration_id).where(RegistrationDay.day == filters.day)
            )
        )
    if filters.need in NEED_COLUMNS:
        query = query.where(NEED_COLUMNS[filters.need].is_(True))
    elif filters.need == "diet":
        query = query.where(Registration.diet != Diet.NONE)
    elif filters.need == "any":
        query = query.where(
            or_(
                *[column.is_(True) for column in NEED_COLUMNS.values()],
                Registration.accessibility_notes != "",
            )
        )
    return query


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int
    counts: dict = field(default_factory=dict)


def search(congress: Congress, filters: Filters, actor, *, page_size: int = PAGE_SIZE) -> Page:
    """One page of the filtered list: two queries (count, rows) plus one for the days."""
    query = _filtered(congress, filters, actor)
    total = db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page), pages)
    items = (
        db.session.execute(
            query.order_by(Registration.name_key, Registration.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
            .options(
                joinedload(Registration.carrier),
                joinedload(Registration.local_structure),
                selectinload(Registration.days),
            )
        )
        .scalars()
        .all()
    )
    return Page(items=items, total=total, page=page, pages=pages)


def export_rows(congress: Congress, filters: Filters, actor) -> list[Registration]:
    query = _filtered(congress, filters, actor).order_by(Registration.name_key, Registration.id)
    return (
        db.session.execute(
            query.options(
                joinedload(Registration.carrier),
                joinedload(Registration.local_structure),
                selectinload(Registration.days),
            )
        )
        .scalars()
        .all()
    )


def status_counts(congress: Congress, actor) -> dict[str, int]:
    query = (
        select(Registration.status, func.count())
        .where(Registration.congress_id == congress.id)
        .group_by(Registration.status)
    )
    carrier = scope_carrier(actor)
    if carrier is not None:
        query = query.where(Registration.carrier_id == carrier)
    return dict(db.session.execute(query).all())


def resend(registration: Registration, *, now: datetime, actor) -> str:
    """Resend the mail that fits the registration's state; returns its kind. Raises Erased
    for an erased person: their address is gone."""
    if registration.anonymised_at is not None:
        raise Erased(
            _("The personal data of this registration were erased; there is nobody to mail.")
        )
    kind = {
        Status.PENDING: "confirm",
        Status.CONFIRMED: "confirmed",
        Status.WAITLISTED: "waitlisted",
        Status.CANCELLED: "cancelled",
    }[registration.status]
    if kind == "confirm":
        resend_confirmation(registration, now=now, actor=actor)
    elif kind == "waitlisted":
        send_mail(registration, kind, position=waitlist_position(registration))
    else:
        send_mail(registration, kind)
    audit.record("registration.mail_resent", registration, actor=actor, kind=kind)
    return kind


def carriers_with_locals(actor) -> list[CarrierOrganisation]:
    query = (
        select(CarrierOrganisation)
        .where(CarrierOrganisation.active.is_(True))
        .order_by(CarrierOrganisation.name)
        .options(selectinload(CarrierOrganisation.local_structures))
    )
    carrier = scope_carrier(actor)
    if carrier is not None:
        query = query.where(CarrierOrganisation.id == carrier)
    return collation.sort_by(db.session.execute(query).scalars(), lambda c: c.name)
