"""What can happen to a registration: sign-up, confirmation, seats, waitlist, self-service, staff.

Seats: confirming takes every seat a registration needs (the congress, each attended day, the
carrier's quota if it has one) by conditional UPDATEs inside one savepoint. If any of them is
full the savepoint is rolled back and the registration waits. On PostgreSQL the row locks of the
UPDATEs serialise concurrent confirmations; on SQLite every writing request begins with BEGIN
IMMEDIATE. Counters are always touched in the same order (congress, days by date, quota), so two
transactions never wait for each other crosswise.

Every function flushes and never commits: the view or command owns the transaction, so the
outbox mail commits together with the change it reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from conference.core import audit, collation
from conference.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from conference.core.mail import attach_at_delivery, external_url, unsolicited_mail_allowed
from conference.core.models import Congress, CongressDay
from conference.core.signals import (
    collect_attachments,
    registration_cancelled,
    registration_confirmed,
    registration_days_changed,
)
from conference.core.tokens import is_well_formed, new_token
from conference.extensions import db
from conference.organisations.models import CarrierOrganisation, LocalStructure, OrganisationQuota
from conference.questions import registrations as registration_questions
from conference.registration import mail as registration_mail
from conference.registration.models import (
    Diet,
    ProgrammeRole,
    Registration,
    RegistrationDay,
    Sector,
    Status,
)

CONFIRM_VALID_FOR = timedelta(hours=48)
PAGE_SIZE = 50

#: The fields an attendee or organiser may edit, besides days and consent.
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "language",
    "carrier_id",
    "local_structure_id",
    "organisation_other",
    "programme_role",
    "sector",
    "needs_step_free",
    "needs_sign_language",
    "needs_induction_loop",
    "accessibility_notes",
    "diet",
    "diet_notes",
)


class RegistrationClosed(DomainError):
    status, code = 409, "registration_closed"


class AlreadyRegistered(Conflict):
    code = "already_registered"


class LinkExpired(DomainError):
    status, code = 410, "link_expired"


class NoSeat(Conflict):
    code = "no_seat"


class InvalidRegistration(Invalid):
    """Bad data; ``details["field"]`` names the form field it belongs to."""

    code = "invalid_registration"


# --- reading ----------------------------------------------------------------------------------


#: What a page about one registration shows: its organisation, days and congress.
_PAGE_LOADS = (
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
            select(Registration).where(Registration.manage_token == token).options(*_PAGE_LOADS)
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


def normalise_email(value: str) -> str:
    """A deliverable-looking address, lower-cased. Raises InvalidRegistration."""
    try:
        checked = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidRegistration(
            _("Please enter a valid e-mail address (%(reason)s).", reason=_email_problem(value)),
            field="email",
        ) from None
    return checked.normalized.lower()


def _email_problem(value: str | None) -> str:
    """Why an address is refused, in our words: email-validator explains only in English."""
    text = (value or "").strip()
    local, at, domain = text.rpartition("@")
    if not text:
        return _("the address is empty")
    if not at:
        return _("the @ sign is missing")
    if not local:
        return _("nothing stands before the @ sign")
    if not domain:
        return _("nothing follows the @ sign")
    if any(c.isspace() for c in text):
        return _("it contains a space")
    if "." not in domain or domain.startswith(".") or domain.endswith("."):
        return _("the part after the @ sign must be a domain such as example.org")
    if len(text) > 254 or len(local) > 64:
        return _("it is too long")
    return _("it contains characters or parts that an e-mail address cannot have")


# --- validation -------------------------------------------------------------------------------


def _check(congress: Congress, data: dict, days: Iterable[date] | None) -> None:
    """Cross-field rules a form alone cannot know. Raises InvalidRegistration."""
    if "first_name" in data and not (data["first_name"] or "").strip():
        raise InvalidRegistration(_("Please enter your first name."), field="first_name")
    if "last_name" in data and not (data["last_name"] or "").strip():
        raise InvalidRegistration(_("Please enter your last name."), field="last_name")
    if "programme_role" in data and data["programme_role"] not in set(ProgrammeRole):
        raise InvalidRegistration(_("Please choose a role."), field="programme_role")
    if "sector" in data and data["sector"] not in set(Sector):
        raise InvalidRegistration(_("Please choose a sector."), field="sector")
    if "diet" in data and data["diet"] not in set(Diet):
        raise InvalidRegistration(_("Please choose a diet."), field="diet")
    if "language" in data and data["language"] not in ("de", "en"):
        raise InvalidRegistration(_("Please choose a language."), field="language")
    carrier_id = data.get("carrier_id")
    local_id = data.get("local_structure_id")
    if carrier_id is not None:
        carrier = db.session.get(CarrierOrganisation, carrier_id)
        if carrier is None or not carrier.active:
            raise InvalidRegistration(_("Please choose an organisation."), field="carrier")
        data["organisation_other"] = ""
    elif "carrier_id" in data and not (data.get("organisation_other") or "").strip():
        raise InvalidRegistration(
            _("Please name your organisation or choose one from the list."),
            field="organisation_other",
        )
    if local_id is not None:
        local = db.session.get(LocalStructure, local_id)
        if local is None or carrier_id is None or local.carrier_id != carrier_id:
            raise InvalidRegistration(
                _("This local structure does not belong to the chosen organisation."),
                field="local_structure",
            )
    if days is not None:
        days = list(days)
        allowed = {d.day for d in congress.days}
        if not days:
            raise InvalidRegistration(_("Please choose at least one day."), field="days")
        if not set(days) <= allowed:
            raise InvalidRegistration(_("Please choose days of the congress."), field="days")


# --- seats ------------------------------------------------------------------------------------


def _claim(model, *conditions) -> bool:
    """One conditional UPDATE: take a seat where one is free. True if it was taken."""
    return (
        db.session.execute(
            update(model)
            .where(*conditions, or_(model.capacity.is_(None), model.taken < model.capacity))
            .values(taken=model.taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _release(model, *conditions) -> None:
    db.session.execute(
        update(model)
        .where(*conditions, model.taken > 0)
        .values(taken=model.taken - 1)
        .execution_options(synchronize_session=False)
    )


def _claim_quota(congress_id: int, carrier_id: int | None) -> bool:
    """The carrier's quota seat, if the carrier has a quota at this congress."""
    if carrier_id is None:
        return True
    claimed = db.session.execute(
        update(OrganisationQuota)
        .where(
            OrganisationQuota.congress_id == congress_id,
            OrganisationQuota.carrier_id == carrier_id,
            OrganisationQuota.taken < OrganisationQuota.quota,
        )
        .values(taken=OrganisationQuota.taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        return True
    has_quota = db.session.execute(
        select(OrganisationQuota.id).where(
            OrganisationQuota.congress_id == congress_id,
            OrganisationQuota.carrier_id == carrier_id,
        )
    ).first()
    return has_quota is None


def _release_quota(congress_id: int, carrier_id: int | None) -> None:
    if carrier_id is None:
        return
    db.session.execute(
        update(OrganisationQuota)
        .where(
            OrganisationQuota.congress_id == congress_id,
            OrganisationQuota.carrier_id == carrier_id,
            OrganisationQuota.taken > 0,
        )
        .values(taken=OrganisationQuota.taken - 1)
        .execution_options(synchronize_session=False)
    )


def _claim_day(congress_id: int, day: date) -> bool:
    return _claim(CongressDay, CongressDay.congress_id == congress_id, CongressDay.day == day)


def _release_day(congress_id: int, day: date) -> None:
    _release(CongressDay, CongressDay.congress_id == congress_id, CongressDay.day == day)


def _take_seats(registration: Registration, from_status: str, now: datetime) -> str | None:
    """Move the registration from ``from_status`` to confirmed, taking all its seats at once.

    Returns None on success, else what was full: "congress", "day", "quota" or "status" (the
    registration was not in ``from_status`` any more: another request got there first).
    Everything happens in one savepoint, rolled back as a whole when anything is full.
    """
    savepoint = db.session.begin_nested()
    claimed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == from_status)
        .values(status=Status.CONFIRMED, confirmed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    failure = None
    if not claimed:
        failure = "status"
    elif not _claim(Congress, Congress.id == registration.congress_id):
        failure = "congress"
    else:
        for day in sorted(d.day for d in registration.days):
            if not _claim_day(registration.congress_id, day):
                failure = "day"
                break
        if failure is None and not _claim_quota(registration.congress_id, registration.carrier_id):
            failure = "quota"
    if failure:
        savepoint.rollback()
    else:
        savepoint.commit()
    db.session.refresh(registration)
    return failure


def _free_seats(registration: Registration) -> None:
    _release(Congress, Congress.id == registration.congress_id)
    for day in sorted(d.day for d in registration.days):
        _release_day(registration.congress_id, day)
    _release_quota(registration.congress_id, registration.carrier_id)


def _waitlist(registration: Registration, now: datetime) -> bool:
    """pending -> waitlisted by a conditional UPDATE; False if it was no longer pending."""
    moved = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == Status.PENDING)
        .values(
            status=Status.WAITLISTED,
            confirmed_at=now,
            waitlisted_at=now,
            updated_at=now,
            confirm_token=None,
            confirm_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(registration)
    return bool(moved)


# --- mail -------------------------------------------------------------------------------------

def send_mail(registration: Registration, kind: str, **context) -> None:
    """Queue one of the registration mails in the registrant's language, in the edition's
    words (``registration/mail.py``). The ticket and calendar of confirmed/promoted mails are
    attached at delivery (``_seat_attachments``)."""
    congress = registration.congress or db.session.get(Congress, registration.congress_id)
    registration_mail.send(registration, kind, congress=congress, **context)


@attach_at_delivery("registration.confirmed", "registration.promoted")
def _seat_attachments(mail) -> list:
    """What other areas attach for a person holding a seat (ticket PDF, personal calendar),
    made from the registration as it is when the mail goes out."""
    registration = (
        db.session.get(Registration, mail.registration_id) if mail.registration_id else None
    )
    if registration is None or registration.status != Status.CONFIRMED:
        return []
    return collect_attachments(registration, "registration.confirmed")


def _confirm_url(registration: Registration) -> str:
    return external_url("registration.confirm", token=registration.confirm_token)


# --- attendee operations -------------------------------------------------------------------------


@dataclass
class Consent:
    data_processing: bool
    photo: bool = False


def register(
    congress: Congress,
    data: dict,
    days: Iterable[date],
    consent: Consent,
    *,
    now: datetime,
    actor="attendee",
    source: str = "online",
    confirmed: bool = False,
    notify: bool = True,
    answers=None,
) -> Registration:
    """Create a registration: pending with a confirmation mail (double opt-in), or, for staff
    and imports with ``confirmed=True``, placed at once (seat or waitlist). ``answers``: the
    edition's questions as answered (``questions.engine.AnswerForm``), stored with it.

    Raises RegistrationClosed (online, outside the window), InvalidRegistration,
    AlreadyRegistered (same e-mail at this congress).
    """
    if source == "online" and not congress.registration_open(now):
        raise RegistrationClosed(_("Registration is not open."))
    if not consent.data_processing:
        raise InvalidRegistration(
            _("Please agree to the processing of your data."), field="consent"
        )
    email = normalise_email(data.get("email") or "")
    data = {key: value for key, value in data.items() if key in PERSONAL_FIELDS}
    days = sorted(set(days))
    _check(congress, data, days)
    registration = Registration(
        congress_id=congress.id,
        email=email,
        status=Status.PENDING,
        consent_at=now,
        consent_version=congress.consent_text_version,
        photo_consent_at=now if consent.photo else None,
        photo_consent_version=congress.consent_text_version if consent.photo else "",
        confirm_expires_at=now + CONFIRM_VALID_FOR,
        created_at=now,
        updated_at=now,
        source=source,
        **data,
    )
    registration.first_name = registration.first_name.strip()
    registration.last_name = registration.last_name.strip()
    registration.days = [RegistrationDay(day=d) for d in days]
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        # The unique constraint (congress, email) decides, also between parallel requests.
        raise AlreadyRegistered(
            _("This e-mail address is already registered for the congress."), field="email"
        ) from None
    registration.congress = congress
    audit.record("registration.created", registration, actor=actor, source=source, days=list(days))
    registration_questions.save_answers(registration, answers, actor=actor, record=False)
    if confirmed:
        registration.confirm_token = None
        registration.confirm_expires_at = None
        db.session.flush()
        _place(registration, now=now, actor=actor, notify=notify)
    elif notify and (source != "online" or unsolicited_mail_allowed(email, now=now)):
        send_mail(registration, "confirm", confirm_url=_confirm_url(registration))
    db.session.flush()
    return registration


def sign_up(
    congress: Congress,
    data: dict,
    days: Iterable[date],
    consent: Consent,
    *,
    now: datetime,
    answers=None,
) -> None:
    """The public form. A new address gets a pending registration and the confirmation mail;
    an address that is registered already gets its own link by mail (``send_lost_link``) and
    nothing is stored. The visitor sees the same answer either way, so the form never tells
    whether someone is registered. Raises RegistrationClosed, InvalidRegistration."""
    try:
        register(congress, data, days, consent, now=now, answers=answers)
    except AlreadyRegistered:
        send_lost_link(congress, data.get("email") or "", now=now, registering_again=True)


def _place(registration: Registration, *, now: datetime, actor, notify: bool = True) -> None:
    """A pending registration whose address is confirmed: a seat if one is free, else waits."""
    failure = _take_seats(registration, Status.PENDING, now)
    if failure == "status":
        return
    if failure is None:
        db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id)
            .values(confirm_token=None, confirm_expires_at=None)
        )
        db.session.refresh(registration)
        audit.record("registration.confirmed", registration, actor=actor)
        registration_confirmed.send(registration, now=now, actor=actor)
        if notify:
            send_mail(registration, "confirmed")
        return
    if _waitlist(registration, now):
        audit.record("registration.waitlisted", registration, actor=actor, full=failure)
        if notify:
            send_mail(registration, "waitlisted", position=waitlist_position(registration))


def confirm(token: str, *, now: datetime) -> Registration:
    """Follow the confirmation link. Raises NotFound (unknown/used link) or LinkExpired."""
    registration = by_confirm_token(token)
    if registration.status != Status.PENDING:
        return registration
    if registration.confirm_expires_at and now >= registration.confirm_expires_at:
        raise LinkExpired(_("This confirmation link has expired."), registration_id=registration.id)
    _place(registration, now=now, actor="attendee")
    db.session.flush()
    return registration


def resend_confirmation(registration: Registration, *, now: datetime, actor="attendee") -> None:
    """A fresh confirmation link (48 hours) for a pending registration."""
    if registration.status != Status.PENDING:
        return
    registration.confirm_token = new_token()
    registration.confirm_expires_at = now + CONFIRM_VALID_FOR
    db.session.flush()
    audit.record("registration.confirmation_resent", registration, actor=actor)
    send_mail(registration, "confirm", confirm_url=_confirm_url(registration))


def renew_expired_link(token: str, *, now: datetime) -> Registration:
    """An expired confirmation link asks for a new one: mailed to the stored address only
    (at most a few times an hour, ``unsolicited_mail_allowed``)."""
    registration = by_confirm_token(token)
    if registration.status == Status.PENDING and unsolicited_mail_allowed(
        registration.email, now=now
    ):
        resend_confirmation(registration, now=now)
    return registration


def send_lost_link(
    congress: Congress, email: str, *, now: datetime, registering_again: bool = False
) -> None:
    """Mail the manage link (or a new confirmation link) if the address is registered.

    Says nothing either way: the caller answers the same for known and unknown addresses.
    ``registering_again``: the mail says that the address was used on the form once more.
    """
    try:
        address = normalise_email(email)
    except InvalidRegistration:
        return
    registration = db.session.execute(
        select(Registration).where(
            Registration.congress_id == congress.id,
            Registration.email == address,
            Registration.anonymised_at.is_(None),
        )
    ).scalar_one_or_none()
    if registration is None or not unsolicited_mail_allowed(address, now=now):
        return
    if registration.status == Status.PENDING:
        resend_confirmation(registration, now=now)
    else:
        audit.record("registration.link_resent", registration, actor="attendee")
        send_mail(registration, "link", registering_again=registering_again)


def cancel(registration: Registration, *, now: datetime, actor="attendee", notify=True) -> list:
    """Cancel; a held seat is freed and the first waitlisted person who fits moves up.
    Returns the registrations that moved up (so the organiser can be told who)."""
    previous = registration.status
    if previous == Status.CANCELLED:
        return []
    moved = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == previous)
        .values(
            status=Status.CANCELLED,
            cancelled_at=now,
            updated_at=now,
            confirm_token=None,
            confirm_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:  # someone else changed it meanwhile; their change stands
        db.session.refresh(registration)
        return []
    if previous == Status.CONFIRMED:
        _free_seats(registration)
    db.session.refresh(registration)
    audit.record("registration.cancelled", registration, actor=actor, previous=previous)
    registration_cancelled.send(registration, now=now, actor=actor)
    if notify:
        send_mail(registration, "cancelled")
    if previous == Status.CONFIRMED:
        return promote(registration.congress_id, now=now, actor="system")
    return []


def promote(congress_id: int, *, now: datetime, actor="system", limit: int = 50) -> list:
    """Give free seats to waitlisted registrations, oldest first, as long as they fit.

    A person who needs a full day is skipped for the next in line; when the congress as a
    whole is full, nobody further down can fit either and the search stops.
    """
    promoted = []
    waiting = (
        db.session.execute(
            select(Registration)
            .where(
                Registration.congress_id == congress_id, Registration.status == Status.WAITLISTED
            )
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(limit)
            .options(selectinload(Registration.days), joinedload(Registration.congress))
        )
        .scalars()
        .all()
    )
    for registration in waiting:
        # Skip a row another transaction holds (an organiser moving that person right now):
        # waiting for it while holding the congress counter could dead-lock with that request.
        free = db.session.execute(
            select(Registration.id)
            .where(Registration.id == registration.id, Registration.status == Status.WAITLISTED)
            .with_for_update(skip_locked=True)
        ).first()
        if free is None:
            continue
        failure = _take_seats(registration, Status.WAITLISTED, now)
        if failure == "congress":
            break
        if failure:
            continue
        audit.record("registration.promoted", registration, actor=actor)
        registration_confirmed.send(registration, now=now, actor=actor)
        send_mail(registration, "promoted")
        promoted.append(registration)
    return promoted


def obstacle_text(obstacle: str | None) -> str:
    """Why there is no seat, as a clause: "the congress is full"."""
    return {
        "congress": _("the congress is full"),
        "day": _("a chosen day is full"),
        "quota": _("the organisation's quota is used up"),
    }.get(obstacle or "", "")


def seat_obstacle(registration: Registration) -> str | None:
    """What would keep this person from a seat right now: "congress", "day", "quota", or None.

    For explanations on pages only ("no free seat: the congress is full"); seats are still
    taken by the conditional UPDATEs of ``_take_seats``, which decide under concurrency.
    """
    capacity, taken = db.session.execute(
        select(Congress.capacity, Congress.taken).where(Congress.id == registration.congress_id)
    ).one()
    if capacity is not None and taken >= capacity:
        return "congress"
    days = [d.day for d in registration.days]
    full_day = db.session.execute(
        select(CongressDay.id).where(
            CongressDay.congress_id == registration.congress_id,
            CongressDay.day.in_(days),
            CongressDay.capacity.is_not(None),
            CongressDay.taken >= CongressDay.capacity,
        )
    ).first()
    if full_day is not None:
        return "day"
    if registration.carrier_id is not None:
        used_up = db.session.execute(
            select(OrganisationQuota.id).where(
                OrganisationQuota.congress_id == registration.congress_id,
                OrganisationQuota.carrier_id == registration.carrier_id,
                OrganisationQuota.taken >= OrganisationQuota.quota,
            )
        ).first()
        if used_up is not None:
            return "quota"
    return None


def has_quota(registration: Registration) -> bool:
    if registration.carrier_id is None:
        return False
    return (
        db.session.execute(
            select(OrganisationQuota.id).where(
                OrganisationQuota.congress_id == registration.congress_id,
                OrganisationQuota.carrier_id == registration.carrier_id,
            )
        ).first()
        is not None
    )


def move_from_waitlist(registration: Registration, *, now: datetime, actor) -> None:
    """An organiser gives a seat to this waitlisted person, out of turn. Raises NoSeat."""
    if registration.status != Status.WAITLISTED:
        raise Conflict(_("This registration is not on the waiting list."))
    failure = _take_seats(registration, Status.WAITLISTED, now)
    if failure == "status":
        raise Conflict(_("This registration is not on the waiting list."))
    if failure:
        raise NoSeat(
            _("There is no free seat for this person: %(why)s.", why=obstacle_text(failure))
        )
    audit.record("registration.promoted", registration, actor=actor, manual=True)
    registration_confirmed.send(registration, now=now, actor=actor)
    send_mail(registration, "promoted")


def update_registration(registration: Registration, data: dict, *, now: datetime, actor) -> dict:
    """Change personal data. Moving a confirmed person to another carrier moves the quota seat.

    Returns the changed fields (old, new). Raises InvalidRegistration or NoSeat.
    """
    data = {key: value for key, value in data.items() if key in PERSONAL_FIELDS}
    _check(registration.congress, data, None)
    old_carrier = registration.carrier_id
    new_carrier = data.get("carrier_id", old_carrier)
    if registration.status == Status.CONFIRMED and new_carrier != old_carrier:
        savepoint = db.session.begin_nested()
        if not _claim_quota(registration.congress_id, new_carrier):
            savepoint.rollback()
            raise NoSeat(_("The quota of this organisation is used up."), field="carrier")
        _release_quota(registration.congress_id, old_carrier)
        savepoint.commit()
    changes = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(registration, key) != value:
            changes[key] = [getattr(registration, key), value]
            setattr(registration, key, value)
    if changes:
        registration.updated_at = now
        db.session.flush()
        audit.record(
            "registration.updated",
            registration,
            actor=actor,
            fields=sorted(changes),
        )
    return changes


def set_photo_consent(registration: Registration, given: bool, *, now: datetime, actor) -> None:
    if given and registration.photo_consent_at is None:
        registration.photo_consent_at = now
        registration.photo_consent_version = registration.congress.consent_text_version
    elif not given and registration.photo_consent_at is not None:
        registration.photo_consent_at = None
        registration.photo_consent_version = ""
    else:
        return
    audit.record("registration.photo_consent", registration, actor=actor, given=given)
    db.session.flush()


def change_days(registration: Registration, days: Iterable[date], *, now: datetime, actor) -> None:
    """Attend other days. A confirmed person needs a free seat on each added day (NoSeat)."""
    wanted = set(days)
    _check(registration.congress, {}, wanted)
    current = {d.day for d in registration.days}
    added, removed = wanted - current, current - wanted
    if not added and not removed:
        return
    if registration.status == Status.CONFIRMED:
        savepoint = db.session.begin_nested()
        for day in sorted(added):
            if not _claim_day(registration.congress_id, day):
                savepoint.rollback()
                raise NoSeat(
                    _("There is no free seat on %(day)s any more.", day=day.strftime("%d.%m.%Y")),
                    field="days",
                )
        for day in sorted(removed):
            _release_day(registration.congress_id, day)
        savepoint.commit()
    registration.days = [d for d in registration.days if d.day not in removed] + [
        RegistrationDay(day=d) for d in sorted(added)
    ]
    registration.updated_at = now
    db.session.flush()
    audit.record(
        "registration.days_changed",
        registration,
        actor=actor,
        added=sorted(added),
        removed=sorted(removed),
    )
    registration_days_changed.send(registration, now=now, actor=actor, added=added, removed=removed)
    if removed and registration.status == Status.CONFIRMED:
        promote(registration.congress_id, now=now, actor="system")


# --- organisers -------------------------------------------------------------------------------


def scope_carrier(actor) -> int | None:
    """The carrier a coordinator is bound to; None for organisers and admins (see everything)."""
    if getattr(actor, "role", None) == "coordinator":
        return actor.organisation_id
    return None


def for_staff(registration_id: int, actor) -> Registration:
    """A registration an organiser or coordinator may see. Raises NotFound otherwise."""
    registration = db.session.execute(
        select(Registration).where(Registration.id == registration_id).options(*_PAGE_LOADS)
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


def staff_edit(
    registration: Registration, data: dict, days: Iterable[date], *, now: datetime, actor
) -> None:
    """Organiser edit: personal data and days, audited like every change."""
    if "carrier_id" in data:
        check_scope(data, actor)
    update_registration(registration, data, now=now, actor=actor)
    change_days(registration, days, now=now, actor=actor)


class Erased(Conflict):
    code = "erased"


def resend(registration: Registration, *, now: datetime, actor) -> str:
    """Resend the mail that fits the registration's state; returns its kind. Raises Erased
    for an erased person: their address is gone."""
    if registration.anonymised_at is not None:
        raise Erased(_("The personal data of this registration were erased; there is nobody to mail."))
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


# --- CSV import -------------------------------------------------------------------------------

IMPORT_ALIASES = {
    "first_name": ["vorname", "first name", "firstname", "given name"],
    "last_name": ["nachname", "last name", "lastname", "surname", "familienname"],
    "email": ["e-mail", "mail", "e-mail-adresse", "email address", "e-mail address"],
    "organisation": ["träger", "programmträger", "organization", "carrier"],
    "local_structure": ["lokale struktur", "local structure", "standort"],
    "organisation_other": ["andere organisation", "other organisation", "institution"],
    "role": ["rolle", "programmrolle", "role in the programme"],
    "sector": ["bereich", "sektor", "ebene", "sector and level"],
    "days": ["tage", "tag", "day"],
    "language": ["sprache"],
    "diet": ["ernährung", "essen", "verpflegung"],
    "accessibility_notes": ["barrierefreiheit", "accessibility", "bedarfe"],
}
IMPORT_REQUIRED = ["first_name", "last_name", "email"]

# The template's header (German spellings the aliases know) and what a column means.
IMPORT_TEMPLATE_COLUMNS = [
    ("first_name", "Vorname", _l("First name")),
    ("last_name", "Nachname", _l("Last name")),
    ("email", "E-Mail", _l("E-mail address")),
    ("organisation", "Träger", _l("Carrier organisation (name or short name)")),
    ("local_structure", "Lokale Struktur", _l("Local structure")),
    ("organisation_other", "Andere Organisation", _l("Other organisation")),
    ("role", "Rolle", _l("Role")),
    ("sector", "Bereich", _l("Sector")),
    ("days", "Tage", _l("Days (1, 2 or both)")),
    ("language", "Sprache", _l("Language (de or en)")),
    ("diet", "Ernährung", _l("Diet")),
    ("accessibility_notes", "Barrierefreiheit", _l("Accessibility notes")),
]


@dataclass
class ImportRow:
    line: int
    values: dict
    data: dict | None = None
    days: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    answers: object = None  # the edition's questions as the row answers them


@dataclass
class ImportPreview:
    """Every row judged, and the columns of the file that mean nothing to us."""

    rows: list[ImportRow]
    unknown_columns: list[str]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def import_template(congress: Congress) -> tuple[list[str], list[list[str]]]:
    """A CSV template: the header the import understands and one example row."""
    carrier = next(iter(carriers_with_locals(None)), None)
    local = carrier.local_structures[0].name if carrier and carrier.local_structures else ""
    from conference.registration.labels import ROLE_LABELS, SECTOR_LABELS

    example = {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika.mustermann@example.org",
        "organisation": carrier.label if carrier else "",
        "local_structure": local,
        "organisation_other": "" if carrier else "Stadt Kassel",
        "role": str(ROLE_LABELS[ProgrammeRole.MENTOR]),
        "sector": str(SECTOR_LABELS[Sector.CIVIL_SOCIETY]),
        "days": "beide" if len(congress.days) > 1 else "1",
        "language": "de",
        "diet": "",
        "accessibility_notes": "",
    }
    return (
        [header for _key, header, _meaning in IMPORT_TEMPLATE_COLUMNS],
        [[example[key] for key, _header, _meaning in IMPORT_TEMPLATE_COLUMNS]],
    )


def _label_lookup(labels: dict) -> dict[str, str]:
    """Stored value by its key, English or German label (lower-case, without spaces)."""
    from flask_babel import force_locale

    lookup = {}
    for language in ("en", "de"):
        with force_locale(language):
            for key, text in labels.items():
                lookup[str(text).lower().replace(" ", "")] = str(key)
    for key in labels:
        lookup[str(key).lower()] = str(key)
    return lookup


def _parse_days(text: str, congress: Congress) -> list[date] | None:
    all_days = [d.day for d in congress.days]
    text = text.strip().lower()
    if text in ("", "both", "beide", "alle", "all"):
        return all_days
    chosen = []
    for part in text.replace("+", ",").replace("/", ",").replace(";", ",").split(","):
        part = part.strip().removeprefix("tag").removeprefix("day").strip()
        if not part:
            continue
        if part.isascii() and part.isdigit() and 1 <= int(part) <= len(all_days):
            chosen.append(all_days[int(part) - 1])
            continue
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m."):
            try:
                parsed = datetime.strptime(part, pattern).date()
            except ValueError:
                continue
            if pattern == "%d.%m.":
                parsed = parsed.replace(year=all_days[0].year)
            chosen.append(parsed)
            break
        else:
            return None
    if not chosen or not set(chosen) <= set(all_days):
        return None
    return sorted(set(chosen))


def import_preview(congress: Congress, content: bytes, actor) -> ImportPreview:
    """Read a CSV and judge every row. Raises CsvProblem for a file that is no table."""
    from conference.core.csvimport import read_table
    from conference.registration.labels import DIET_LABELS, ROLE_LABELS, SECTOR_LABELS

    # Columns headed by a question's text (as the export heads them) carry its answers; the
    # usual columns win where a question is worded like one of them.
    questions, question_columns = registration_questions.import_columns(congress.id)
    table = read_table(
        content,
        {**question_columns, **IMPORT_ALIASES},
        IMPORT_REQUIRED,
        labels={key: str(meaning) for key, _header, meaning in IMPORT_TEMPLATE_COLUMNS},
    )
    carriers = carriers_with_locals(None)
    by_name = {}
    for carrier in carriers:
        by_name[carrier.name.lower()] = carrier
        if carrier.short_name:
            by_name.setdefault(carrier.short_name.lower(), carrier)
    roles, sectors, diets = (
        _label_lookup(ROLE_LABELS),
        _label_lookup(SECTOR_LABELS),
        _label_lookup(DIET_LABELS),
    )
    scope = scope_carrier(actor)
    emails = []
    rows = []
    for values, line in zip(table.rows, table.line_numbers, strict=True):
        row = ImportRow(line=line, values=values)
        rows.append(row)
        problems = row.problems
        data = {
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
        }
        if not data["first_name"]:
            problems.append(_("First name is missing."))
        if not data["last_name"]:
            problems.append(_("Last name is missing."))
        if len(data["first_name"]) > 200 or len(data["last_name"]) > 200:
            problems.append(_("The name is too long."))
        try:
            data["email"] = normalise_email(values.get("email", ""))
            emails.append(data["email"])
        except InvalidRegistration as error:
            problems.append(error.message)
        carrier = None
        organisation = values.get("organisation", "")
        local = values.get("local_structure", "")
        if organisation and organisation.lower() not in by_name and " · " in organisation:
            # As the pages show it: "CVN · CVN Bremen" is carrier and local structure.
            organisation, _sep, shown_local = organisation.partition(" · ")
            organisation, local = organisation.strip(), local or shown_local.strip()
        if organisation:
            carrier = by_name.get(organisation.lower())
            if carrier is None:
                problems.append(_("Unknown organisation “%(name)s”.", name=organisation))
        elif scope is not None:
            carrier = next((c for c in carriers if c.id == scope), None)
        if scope is not None and (carrier is None or carrier.id != scope):
            problems.append(_("You may only register people of your own organisation."))
        data["carrier_id"] = carrier.id if carrier else None
        data["local_structure_id"] = None
        if local:
            match = next(
                (
                    ls
                    for ls in (carrier.local_structures if carrier else [])
                    if ls.name.lower() == local.lower()
                ),
                None,
            )
            if match is None:
                problems.append(
                    _(
                        "The local structure “%(name)s” does not belong to the organisation.",
                        name=local,
                    )
                )
            else:
                data["local_structure_id"] = match.id
        data["organisation_other"] = "" if carrier else values.get("organisation_other", "")[:200]
        if carrier is None and not organisation and not data["organisation_other"]:
            problems.append(_("Organisation is missing."))
        for key, lookup, column, default in (
            ("programme_role", roles, "role", ProgrammeRole.OTHER),
            ("sector", sectors, "sector", Sector.CIVIL_SOCIETY),
            ("diet", diets, "diet", Diet.NONE),
        ):
            text = values.get(column, "")
            if not text:
                data[key] = str(default)
                continue
            value = lookup.get(text.lower().replace(" ", ""))
            if value is None:
                problems.append(
                    _(
                        "Unknown value “%(value)s” in column %(column)s.",
                        value=text,
                        column=table.header(column),
                    )
                )
            data[key] = value or str(default)
        language = values.get("language", "de").lower()[:2] or "de"
        if language not in ("de", "en"):
            problems.append(_("Language must be de or en."))
        data["language"] = language if language in ("de", "en") else "de"
        data["accessibility_notes"] = values.get("accessibility_notes", "")[:2000]
        days = _parse_days(values.get("days", ""), congress)
        if days is None:
            problems.append(
                _("Days “%(value)s” are not days of the congress.", value=values.get("days", ""))
            )
        row.days = days or []
        row.answers, answer_problems = registration_questions.import_answers(
            questions, values, table.header
        )
        problems.extend(answer_problems)
        row.data = data
    seen = set()
    existing = set()
    if emails:
        registered = select(Registration.email).where(
            Registration.congress_id == congress.id, Registration.email.in_(set(emails))
        )
        if scope is not None:
            # A coordinator learns only about their own organisation's people: that an address
            # is registered under another carrier is not theirs to know (import_rows skips it).
            registered = registered.where(Registration.carrier_id == scope)
        existing = set(db.session.execute(registered).scalars())
    for row in rows:
        email = (row.data or {}).get("email")
        if not email:
            continue
        if email in existing:
            row.problems.append(_("Already registered."))
        elif email in seen:
            row.problems.append(_("This e-mail address appears twice in the file."))
        seen.add(email)
    return ImportPreview(rows, table.unknown_columns)


@dataclass
class ImportResult:
    imported: int
    skipped: int


def import_rows(
    congress: Congress,
    content: bytes,
    *,
    only_if_all_valid: bool,
    confirmed: bool,
    now: datetime,
    actor,
) -> ImportResult:
    """Register the rows of a CSV (source "import"). All or nothing when asked for.

    Raises Invalid when ``only_if_all_valid`` and any row has a problem (nothing is stored).
    """
    rows = import_preview(congress, content, actor)
    bad = [row for row in rows if row.problems]
    if bad and only_if_all_valid:
        raise Invalid(
            ngettext(
                "%(num)d row has problems; nothing was imported.",
                "%(num)d rows have problems; nothing was imported.",
                len(bad),
            ),
            code="import_invalid",
        )
    imported = skipped = 0
    for row in rows:
        if row.problems:
            skipped += 1
            continue
        try:
            register(
                congress,
                row.data,
                row.days,
                Consent(data_processing=True),
                now=now,
                actor=actor,
                source="import",
                confirmed=confirmed,
                answers=row.answers,
            )
        except AlreadyRegistered:
            # Registered under another carrier (the preview did not say so to a coordinator),
            # or meanwhile: the existing registration stays as it is.
            skipped += 1
            continue
        imported += 1
    audit.record(
        "registration.imported",
        None,
        actor=actor,
        congress_id=congress.id,
        imported=imported,
        skipped=skipped,
    )
    return ImportResult(imported=imported, skipped=skipped)
