"""How the organisations' audit entries read, and how carriers and local structures are
named."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from conference.core import audit
from conference.core.audit import Facts
from conference.core.models import CarrierOrganisation, LocalStructure
from conference.extensions import db

FIELD_LABELS = {
    "name": _l("Name"),
    "short_name": _l("Short name"),
    "kind": _l("Type"),
    "city": _l("City"),
    "state": _l("Federal state"),
    "website": _l("Website"),
    "contact_name": _l("Contact person"),
    "contact_email": _l("E-mail address"),
    "active": _l("Active in the programme"),
}


@audit.namer("CarrierOrganisation", _l("Carrier organisation"))
def _carrier_names(ids: set) -> dict:
    rows = db.session.execute(
        select(CarrierOrganisation.id, CarrierOrganisation.name).where(
            CarrierOrganisation.id.in_(ids)
        )
    )
    return dict(rows.all())


@audit.namer("LocalStructure", _l("Local structure"))
def _local_names(ids: set) -> dict:
    rows = db.session.execute(
        select(LocalStructure.id, LocalStructure.name).where(LocalStructure.id.in_(ids))
    )
    return dict(rows.all())


def _carrier(f: Facts) -> str:
    return f.object or f.detail("name") or _("a carrier organisation that no longer exists")


@audit.sentence("organisation.created")
def _created(f: Facts) -> str:
    return _("%(who)s added the carrier organisation %(carrier)s.", who=f.who, carrier=_carrier(f))


@audit.sentence("organisation.updated")
def _updated(f: Facts) -> str:
    fields = audit.listing(FIELD_LABELS, sorted(f.entry.details or {}))
    if not fields:
        return _("%(who)s saved %(carrier)s without changes.", who=f.who, carrier=_carrier(f))
    return _(
        "%(who)s changed %(carrier)s: %(fields)s.", who=f.who, carrier=_carrier(f), fields=fields
    )


@audit.sentence("local_structure.created", refs={"carrier": "CarrierOrganisation"})
def _local_created(f: Facts) -> str:
    return _(
        "%(who)s added the local structure %(name)s to %(carrier)s.",
        who=f.who,
        name=f.detail("name") or f.object,
        carrier=f.ref("carrier") or "–",
    )


@audit.sentence("quota.set")
def _quota_set(f: Facts) -> str:
    return ngettext(
        "%(who)s set the quota of %(carrier)s to %(num)d seat.",
        "%(who)s set the quota of %(carrier)s to %(num)d seats.",
        f.detail("quota") or 0,
        who=f.who,
        carrier=_carrier(f),
    )


@audit.sentence("quota.removed")
def _quota_removed(f: Facts) -> str:
    return _("%(who)s removed the quota of %(carrier)s.", who=f.who, carrier=_carrier(f))


@audit.sentence("organisation.imported")
def _imported(f: Facts) -> str:
    return _(
        "%(who)s imported carrier organisations: %(created)s new, %(updated)s updated, "
        "%(locals)s new local structures.",
        who=f.who,
        created=f.detail("created") or 0,
        updated=f.detail("updated") or 0,
        locals=f.detail("local_structures") or 0,
    )


@audit.sentence("organisation.mapped", refs={"local_structure": "LocalStructure"})
def _mapped(f: Facts) -> str:
    target = _carrier(f)
    if f.ref("local_structure"):
        target = f"{target} · {f.ref('local_structure')}"
    return ngettext(
        "%(who)s assigned the entry “%(text)s” to %(target)s (%(num)d registration).",
        "%(who)s assigned the entry “%(text)s” to %(target)s (%(num)d registrations).",
        f.detail("registrations") or 0,
        who=f.who,
        text=f.detail("text") or "",
        target=target,
    )


@audit.sentence("organisation.merged")
def _merged(f: Facts) -> str:
    return _(
        "%(who)s merged the duplicate “%(source)s” into %(carrier)s: %(registrations)s "
        "registrations, %(locals)s local structures, %(users)s accounts and %(quotas)s quotas "
        "moved.",
        who=f.who,
        source=f.detail("source_name") or "–",
        carrier=_carrier(f),
        registrations=f.detail("registrations") or 0,
        locals=f.detail("local_structures") or 0,
        users=f.detail("users") or 0,
        quotas=f.detail("quotas") or 0,
    )
