"""What can happen to one registration: sign-up, confirmation, the waiting list, changes, cancellation.

Every function flushes and never commits: the view or command owns the transaction, so the
outbox mail commits together with the change it reports. What a cancellation or a change of
days sets off in other areas (workshop seats) is composed in ``conference/attendee/``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from conference.core import audit
from conference.core.errors import Conflict
from conference.core.mail import (
    unsolicited_mail_allowed,
)
from conference.core.models import (
    Congress,
)
from conference.core.tokens import new_token
from conference.extensions import db
from conference.questions import registrations as registration_questions
from conference.registration.lookup import by_confirm_token, waitlist_position
from conference.registration.mail import confirm_url, send_mail
from conference.registration.models import (
    Registration,
    RegistrationDay,
    Status,
)
from conference.registration.rules import (
    CONFIRM_VALID_FOR,
    PERSONAL_FIELDS,
    AlreadyRegistered,
    InvalidRegistration,
    LinkExpired,
    NoSeat,
    RegistrationCancelled,
    RegistrationClosed,
    check,
    link_expired,
    normalise_email,
)
from conference.registration.seats import (
    claim_day,
    claim_quota,
    free_seats,
    move_to_waitlist,
    obstacle_text,
    release_day,
    release_quota,
    take_seats,
    takes_seats,
)


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
    check(congress, data, days)
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
        send_mail(registration, "confirm", confirm_url=confirm_url(registration))
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
    failure = take_seats(registration, Status.PENDING, now)
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
        if notify:
            send_mail(registration, "confirmed")
        return
    if move_to_waitlist(registration, now):
        audit.record("registration.waitlisted", registration, actor=actor, full=failure)
        if notify:
            send_mail(registration, "waitlisted", position=waitlist_position(registration))


def confirmation_link(token: str, *, now: datetime) -> tuple[Registration, bool]:
    """The registration behind a confirmation link and whether the link has expired (the page
    then offers a new one instead of the button). Raises NotFound (unknown or used link)."""
    registration = by_confirm_token(token)
    return registration, link_expired(registration, now)


def confirm(token: str, *, now: datetime) -> Registration:
    """Follow the confirmation link. Raises NotFound (unknown/used link) or LinkExpired."""
    registration = by_confirm_token(token)
    if registration.status != Status.PENDING:
        return registration
    if link_expired(registration, now):
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
    send_mail(registration, "confirm", confirm_url=confirm_url(registration))


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


def withdraw(registration: Registration, *, now: datetime, actor="attendee") -> str | None:
    """The registration's part of a cancellation: cancelled, its seats (congress, days, quota)
    freed. Returns the status it had, or None when there was nothing to cancel (cancelled
    already, or changed by another request meanwhile: that change stands).

    ``attendee.lifecycle.cancel`` calls it with what other areas free, the mail and the
    waiting list moving up; call that, not this.
    """
    previous = registration.status
    if previous == Status.CANCELLED:
        return None
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
    if not moved:
        db.session.refresh(registration)
        return None
    if previous == Status.CONFIRMED:
        free_seats(registration)
    db.session.refresh(registration)
    audit.record("registration.cancelled", registration, actor=actor, previous=previous)
    return previous


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
        failure = take_seats(registration, Status.WAITLISTED, now)
        if failure == "congress":
            break
        if failure:
            continue
        audit.record("registration.promoted", registration, actor=actor)
        send_mail(registration, "promoted")
        promoted.append(registration)
    return promoted


def move_from_waitlist(registration: Registration, *, now: datetime, actor) -> None:
    """An organiser gives a seat to this waitlisted person, out of turn. Raises NoSeat."""
    if registration.status != Status.WAITLISTED:
        raise Conflict(_("This registration is not on the waiting list."))
    failure = take_seats(registration, Status.WAITLISTED, now)
    if failure == "status":
        raise Conflict(_("This registration is not on the waiting list."))
    if failure:
        raise NoSeat(
            _("There is no free seat for this person: %(why)s.", why=obstacle_text(failure))
        )
    audit.record("registration.promoted", registration, actor=actor, manual=True)
    send_mail(registration, "promoted")


def update_registration(registration: Registration, data: dict, *, now: datetime, actor) -> dict:
    """Change personal data. Moving a confirmed person to another carrier moves the quota seat.

    Returns the changed fields (old, new). Raises InvalidRegistration, NoSeat, or
    RegistrationCancelled when the attendee changes a cancelled registration.
    """
    refuse_if_cancelled(registration, actor)
    data = {key: value for key, value in data.items() if key in PERSONAL_FIELDS}
    check(registration.congress, data, None)
    old_carrier = registration.carrier_id
    new_carrier = data.get("carrier_id", old_carrier)
    if (
        registration.status == Status.CONFIRMED
        and new_carrier != old_carrier
        and takes_seats(registration)
    ):
        savepoint = db.session.begin_nested()
        if not claim_quota(registration.congress_id, new_carrier):
            savepoint.rollback()
            raise NoSeat(_("The quota of this organisation is used up."), field="carrier")
        release_quota(registration.congress_id, old_carrier)
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


def change_days(
    registration: Registration, days: Iterable[date], *, now: datetime, actor
) -> tuple[set[date], set[date]]:
    """Attend other days: returns the days added and removed. A confirmed person needs a free
    seat on each added day (NoSeat); the attendee cannot change a cancelled registration
    (RegistrationCancelled).

    ``attendee.lifecycle.change_days`` calls it with what other areas hold on removed days and
    the waiting list moving up; call that, not this.
    """
    refuse_if_cancelled(registration, actor)
    wanted = set(days)
    check(registration.congress, {}, wanted)
    current = {d.day for d in registration.days}
    added, removed = wanted - current, current - wanted
    if not added and not removed:
        return added, removed
    if registration.status == Status.CONFIRMED and takes_seats(registration):
        savepoint = db.session.begin_nested()
        for day in sorted(added):
            if not claim_day(registration.congress_id, day):
                savepoint.rollback()
                raise NoSeat(
                    _("There is no free seat on %(day)s any more.", day=day.strftime("%d.%m.%Y")),
                    field="days",
                )
        for day in sorted(removed):
            release_day(registration.congress_id, day)
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
    return added, removed


def refuse_if_cancelled(registration: Registration, actor) -> None:
    """A cancelled registration stays as it is for its attendee (organisers may still correct
    it). Raises RegistrationCancelled (409)."""
    if actor == "attendee" and registration.status == Status.CANCELLED:
        raise RegistrationCancelled(
            _("This registration is cancelled; it cannot be changed any more.")
        )
