"""How the workshops' audit entries read, and how phases and seats are named."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from conference.core import audit
from conference.core.audit import Facts
from conference.extensions import db
from conference.registration.models import Registration
from conference.workshops.models import WorkshopPhase, WorkshopSeat

FIELD_LABELS = {
    "name": _l("Name"),
    "mode": _l("Mode"),
    "min_ranks": _l("Workshops to rank at least"),
    "preferences_close_at": _l("Ranking closes at"),
}


@audit.namer("WorkshopPhase", _l("Workshop phase"))
def _phase_names(ids: set) -> dict:
    rows = db.session.execute(
        select(WorkshopPhase.id, WorkshopPhase.name).where(WorkshopPhase.id.in_(ids))
    )
    return dict(rows.all())


@audit.namer("WorkshopSeat", _l("Workshop seat"))
def _seat_names(ids: set) -> dict:
    """A seat is named by its person: "Amira Haddad took a seat …"."""
    rows = db.session.execute(
        select(WorkshopSeat.id, Registration.first_name, Registration.last_name)
        .join(Registration, Registration.id == WorkshopSeat.registration_id)
        .where(WorkshopSeat.id.in_(ids))
    )
    return {id_: f"{first} {last}".strip() for id_, first, last in rows}


def _workshop(f: Facts) -> str:
    return f.ref("session_id") or _("a workshop that no longer exists")


def _phase(f: Facts) -> str:
    return f.object or f.ref("phase_id") or "–"


@audit.sentence("workshops.seat_taken", refs={"session_id": "AgendaSession"})
def _taken(f: Facts) -> str:
    return _(
        "%(person)s took a seat in the workshop “%(workshop)s”.",
        person=f.object or "–",
        workshop=_workshop(f),
    )


@audit.sentence("workshops.seat_left", refs={"session_id": "AgendaSession"})
def _left(f: Facts) -> str:
    if f.by_attendee:
        return _(
            "%(person)s gave up the seat in the workshop “%(workshop)s”.",
            person=f.object or "–",
            workshop=_workshop(f),
        )
    return _(
        "%(who)s took %(person)s out of the workshop “%(workshop)s”.",
        who=f.who,
        person=f.object or "–",
        workshop=_workshop(f),
    )


@audit.sentence("workshops.promoted", refs={"session_id": "AgendaSession"})
def _promoted(f: Facts) -> str:
    return _(
        "%(person)s moved up from the waiting list of the workshop “%(workshop)s”.",
        person=f.object or "–",
        workshop=_workshop(f),
    )


@audit.sentence("workshops.moved", refs={"session_id": "AgendaSession"})
def _moved(f: Facts) -> str:
    return _(
        "%(who)s placed %(person)s in the workshop “%(workshop)s”.",
        who=f.who,
        person=f.object or "–",
        workshop=_workshop(f),
    )


@audit.sentence(
    "workshops.preferences_set", refs={"phase_id": "WorkshopPhase", "ranking": "AgendaSession"}
)
def _preferences(f: Facts) -> str:
    ranking = "; ".join(f"{n}. {title}" for n, title in enumerate(f.refs("ranking"), start=1))
    return _(
        "%(person)s ranked the workshops of “%(phase)s”: %(ranking)s.",
        person=f.object or "–",
        phase=f.ref("phase_id") or "–",
        ranking=ranking or "–",
    )


@audit.sentence("workshops.allocated")
def _allocated(f: Facts) -> str:
    ranks = f.detail("ranks") or {}
    parts = [
        ngettext(
            "%(num)d person got choice %(rank)s",
            "%(num)d people got choice %(rank)s",
            count,
            rank=rank,
        )
        for rank, count in sorted(
            ranks.items(), key=lambda item: int(item[0]) if str(item[0]).isdigit() else 99
        )
        if isinstance(count, int)
    ]
    by_rule = f.detail("filled_by_rule") or 0
    if by_rule:
        parts.append(
            ngettext(
                "%(num)d person was placed by the rule",
                "%(num)d people were placed by the rule",
                by_rule,
            )
        )
    unplaced = f.detail("unplaced") or 0
    if unplaced:
        parts.append(
            ngettext("%(num)d person got no workshop", "%(num)d people got no workshop", unplaced)
        )
    return _(
        "%(who)s committed the allocation of “%(phase)s”: %(result)s.",
        who=f.who,
        phase=_phase(f),
        result="; ".join(parts) or _("nobody to place"),
    )


@audit.sentence("workshops.placed_remaining")
def _placed_remaining(f: Facts) -> str:
    return ngettext(
        "%(who)s placed %(num)d remaining person in “%(phase)s” by the rule.",
        "%(who)s placed %(num)d remaining people in “%(phase)s” by the rule.",
        f.detail("placed") or 0,
        who=f.who,
        phase=_phase(f),
    )


@audit.sentence("workshops.phase_created")
def _phase_created(f: Facts) -> str:
    return _("%(who)s created the workshop phase “%(phase)s”.", who=f.who, phase=_phase(f))


@audit.sentence("workshops.phase_updated")
def _phase_updated(f: Facts) -> str:
    fields = audit.listing(FIELD_LABELS, sorted(f.entry.details or {}))
    return _(
        "%(who)s changed the workshop phase “%(phase)s”: %(fields)s.",
        who=f.who,
        phase=_phase(f),
        fields=fields or "–",
    )
