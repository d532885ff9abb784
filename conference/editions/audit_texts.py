"""How the editions' audit entries read."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext
from sqlalchemy import select

from conference.core import audit
from conference.core.audit import Facts
from conference.editions.models import OrganisingBody
from conference.extensions import db

FIELD_LABELS = {
    "title": _l("Title"),
    "subtitle": _l("Subtitle"),
    "slug": _l("Short name in addresses and file names"),
    "starts_on": _l("Start"),
    "ends_on": _l("End"),
    "timezone": _l("Time zone"),
    "venue_name": _l("Venue"),
    "venue_address": lazy_pgettext("postal", "Address"),
    "venue_city": lazy_pgettext("town", "City"),
    "venue_accessibility": _l("Venue accessibility"),
    "opens_at": _l("Doors open at"),
    "closes_at": _l("Ends at"),
    "capacity": _l("Capacity"),
    "expected_attendees": _l("Expected attendees"),
    "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"),
    "contact_email": _l("Contact e-mail"),
    "retention_months": _l("Retention in months"),
}
BODY_FIELDS = {
    "name": _l("Name"),
    "address": _l("Postal address"),
    "logo": _l("Logo"),
    "logo_removed": _l("Logo removed"),
}


def _text_name(kind: str) -> str:
    return {
        "welcome": _("the welcome text"),
        "imprint": _("the imprint"),
        "accessibility": _("the accessibility statement"),
    }.get(kind, _("a text"))


audit.namer("OrganisingBody", _l("Organising body"))(
    lambda ids: dict(
        db.session.execute(
            select(OrganisingBody.id, OrganisingBody.name).where(OrganisingBody.id.in_(ids))
        ).all()
    )
)


@audit.sentence("edition.created")
def _created(f: Facts) -> str:
    return _(
        "%(who)s created the congress “%(title)s”.", who=f.who, title=f.object or f.detail("title")
    )


@audit.sentence("edition.updated")
def _updated(f: Facts) -> str:
    return _(
        "%(who)s changed the settings of “%(title)s”: %(fields)s.",
        who=f.who,
        title=f.object,
        fields=audit.listing(FIELD_LABELS, f.detail("fields")),
    )


@audit.sentence("edition.copied", refs={"source": "Congress"})
def _copied(f: Facts) -> str:
    return _(
        "%(who)s created “%(title)s” as a copy of “%(source)s”.",
        who=f.who,
        title=f.object,
        source=f.ref("source"),
    )


@audit.sentence("edition.deleted")
def _deleted(f: Facts) -> str:
    return _(
        "%(who)s deleted the congress “%(title)s” of %(day)s.",
        who=f.who,
        title=f.detail("title"),
        day=audit.day_text(f.detail("starts_on")),
    )


@audit.sentence("edition.made_current")
def _made_current(f: Facts) -> str:
    return _("%(who)s made “%(title)s” the current congress.", who=f.who, title=f.object)


@audit.sentence("edition.programme_unpublished")
def _unpublished(f: Facts) -> str:
    return _("%(who)s withdrew the programme of “%(title)s”.", who=f.who, title=f.object)


@audit.sentence("edition.registration_opened")
def _opened(f: Facts) -> str:
    return _("%(who)s opened registration for “%(title)s”.", who=f.who, title=f.object)


@audit.sentence("edition.registration_closed")
def _closed(f: Facts) -> str:
    return _("%(who)s closed registration for “%(title)s”.", who=f.who, title=f.object)


@audit.sentence("edition.day_capacity_changed")
def _day_capacity(f: Facts) -> str:
    new = f.detail("new")
    if new is None:
        return _(
            "%(who)s removed the capacity of %(day)s.",
            who=f.who,
            day=audit.day_text(f.detail("day")),
        )
    return ngettext(
        "%(who)s set the capacity of %(day)s to %(num)d seat.",
        "%(who)s set the capacity of %(day)s to %(num)d seats.",
        new,
        who=f.who,
        day=audit.day_text(f.detail("day")),
    )


@audit.sentence("edition.text_saved")
def _text_saved(f: Facts) -> str:
    return _(
        "%(who)s saved %(text)s of “%(title)s”.",
        who=f.who,
        text=_text_name(f.detail("kind")),
        title=f.object,
    )


@audit.sentence("edition.privacy_notice_saved")
def _privacy_saved(f: Facts) -> str:
    return _(
        "%(who)s saved version %(version)s of the privacy notice of “%(title)s”.",
        who=f.who,
        version=f.detail("version"),
        title=f.object,
    )


@audit.sentence("edition.organising_body_saved")
def _body_saved(f: Facts) -> str:
    return _(
        "%(who)s changed the organising body: %(fields)s.",
        who=f.who,
        fields=audit.listing(BODY_FIELDS, f.detail("fields")),
    )
