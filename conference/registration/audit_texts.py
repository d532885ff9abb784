"""How the registration area's audit entries read, and how registrations are named."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from conference.core import audit
from conference.core.audit import Facts
from conference.extensions import db
from conference.registration.labels import STATUS_LABELS, label
from conference.registration.models import Registration

FIELD_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("E-mail address"),
    "language": _l("Language"),
    "carrier_id": _l("Carrier organisation"),
    "local_structure_id": _l("Local structure"),
    "organisation_other": _l("Organisation"),
    "programme_role": _l("Role"),
    "sector": _l("Sector"),
    "needs_step_free": _l("Step-free access"),
    "needs_sign_language": _l("Sign-language interpretation"),
    "needs_induction_loop": _l("Induction loop"),
    "accessibility_notes": _l("Accessibility notes"),
    "diet": _l("Diet"),
    "diet_notes": _l("Diet notes"),
}

# The mails a registration gets, by the kind stored in "registration.mail_resent".
MAIL_LABELS = {
    "confirm": _l("confirmation link"),
    "confirmed": _l("registration confirmed"),
    "waitlisted": _l("waiting list"),
    "promoted": _l("moved up from the waiting list"),
    "cancelled": _l("cancellation"),
    "link": _l("personal link"),
}


@audit.namer("Registration", _l("Registration"))
def _registration_names(ids: set) -> dict:
    rows = db.session.execute(
        select(
            Registration.id,
            Registration.first_name,
            Registration.last_name,
            Registration.anonymised_at,
        ).where(Registration.id.in_(ids))
    ).all()
    return {
        id_: (_("Registration %(id)s (erased)", id=id_) if erased else f"{first} {last}".strip())
        for id_, first, last, erased in rows
    }


def person(f: Facts) -> str:
    return f.object or _("a registration that no longer exists")


@audit.sentence("registration.created")
def _created(f: Facts) -> str:
    source, days = f.detail("source"), audit.days_text(f.detail("days"))
    if source == "import":
        return _(
            "%(who)s imported the registration of %(person)s (%(days)s).",
            who=f.who,
            person=person(f),
            days=days,
        )
    if source == "walk_in":
        return _(
            "%(who)s registered %(person)s at the desk (%(days)s).",
            who=f.who,
            person=person(f),
            days=days,
        )
    if f.by_attendee or source == "online":
        return _("%(person)s registered online (%(days)s).", person=person(f), days=days)
    return _("%(who)s registered %(person)s (%(days)s).", who=f.who, person=person(f), days=days)


@audit.sentence("registration.confirmed")
def _confirmed(f: Facts) -> str:
    if f.by_attendee:
        return _("%(person)s confirmed the e-mail address and has a seat.", person=person(f))
    return _(
        "%(who)s confirmed the registration of %(person)s; the person has a seat.",
        who=f.who,
        person=person(f),
    )


WAITLIST_REASONS = {
    "congress": _l("the congress is full"),
    "day": _l("a chosen day is full"),
    "quota": _l("the quota of the carrier organisation is used up"),
}


@audit.sentence("registration.waitlisted")
def _waitlisted(f: Facts) -> str:
    reason = WAITLIST_REASONS.get(f.detail("full"))
    if reason is None:
        return _("%(person)s was put on the waiting list.", person=person(f))
    return _("%(person)s was put on the waiting list: %(reason)s.", person=person(f), reason=reason)


@audit.sentence("registration.confirmation_resent")
def _confirmation_resent(f: Facts) -> str:
    if f.by_attendee:
        return _("%(person)s asked for a new confirmation link.", person=person(f))
    return _("%(who)s sent %(person)s a new confirmation link.", who=f.who, person=person(f))


@audit.sentence("registration.link_resent")
def _link_resent(f: Facts) -> str:
    return _("%(person)s asked for the personal link again.", person=person(f))


@audit.sentence("registration.cancelled")
def _cancelled(f: Facts) -> str:
    previous = label(STATUS_LABELS, f.detail("previous"))
    if f.by_attendee:
        return _(
            "%(person)s cancelled the registration (status before: %(status)s).",
            person=person(f),
            status=previous,
        )
    return _(
        "%(who)s cancelled the registration of %(person)s (status before: %(status)s).",
        who=f.who,
        person=person(f),
        status=previous,
    )


@audit.sentence("registration.promoted")
def _promoted(f: Facts) -> str:
    if f.detail("manual"):
        return _(
            "%(who)s gave %(person)s a seat from the waiting list.", who=f.who, person=person(f)
        )
    return _("%(person)s moved up from the waiting list and has a seat.", person=person(f))


@audit.sentence("registration.updated")
def _updated(f: Facts) -> str:
    fields = audit.listing(FIELD_LABELS, f.detail("fields") or [])
    if not fields:
        return _("%(who)s changed the details of %(person)s.", who=f.who, person=person(f))
    if f.by_attendee:
        return _("%(person)s changed: %(fields)s.", person=person(f), fields=fields)
    return _(
        "%(who)s changed for %(person)s: %(fields)s.", who=f.who, person=person(f), fields=fields
    )


@audit.sentence("registration.photo_consent")
def _photo_consent(f: Facts) -> str:
    if f.detail("given"):
        return _("%(person)s agreed to be photographed.", person=person(f))
    return _("%(person)s withdrew the consent to photographs.", person=person(f))


@audit.sentence("registration.days_changed")
def _days_changed(f: Facts) -> str:
    added, removed = f.detail("added") or [], f.detail("removed") or []
    parts = []
    if added:
        parts.append(_("added %(days)s", days=audit.days_text(added)))
    if removed:
        parts.append(_("removed %(days)s", days=audit.days_text(removed)))
    changes = "; ".join(parts) or _("no change")
    if f.by_attendee:
        return _("%(person)s changed the days: %(changes)s.", person=person(f), changes=changes)
    return _(
        "%(who)s changed the days of %(person)s: %(changes)s.",
        who=f.who,
        person=person(f),
        changes=changes,
    )


@audit.sentence("registration.mail_resent")
def _mail_resent(f: Facts) -> str:
    mail = MAIL_LABELS.get(f.detail("kind"), _("registration"))
    return _(
        "%(who)s sent %(person)s the mail “%(mail)s” again.", who=f.who, person=person(f), mail=mail
    )


@audit.sentence("registration.imported")
def _imported(f: Facts) -> str:
    imported, skipped = f.detail("imported") or 0, f.detail("skipped") or 0
    text = ngettext(
        "%(who)s imported %(num)d registration from a CSV file.",
        "%(who)s imported %(num)d registrations from a CSV file.",
        imported,
        who=f.who,
    )
    if skipped:
        text += " " + ngettext("%(num)d row was left out.", "%(num)d rows were left out.", skipped)
    return text
