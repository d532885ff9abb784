"""How the agenda's audit entries read, and how its rooms, tracks, speakers and sessions are
named."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from conference.agenda.models import AgendaSession, Room, Speaker, Track
from conference.core import audit
from conference.core.audit import Facts
from conference.extensions import db

FIELD_LABELS = {
    "title": _l("Title"),
    "abstract": _l("Abstract"),
    "language": _l("Language"),
    "kind": _l("Type"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "room_id": _l("Room"),
    "track_id": _l("Track"),
    "capacity": _l("Capacity"),
    "signup_required": _l("Sign-up required"),
    "phase_id": _l("Workshop phase"),
    "speakers": _l("Speakers"),
}


def _names(model, column, ids: set) -> dict:
    return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())


audit.namer("AgendaSession", _l("Session"))(
    lambda ids: _names(AgendaSession, AgendaSession.title, ids)
)
audit.namer("Room", _l("Room"))(lambda ids: _names(Room, Room.name, ids))
audit.namer("Track", _l("Track"))(lambda ids: _names(Track, Track.name, ids))
audit.namer("Speaker", _l("Speaker"))(lambda ids: _names(Speaker, Speaker.name, ids))


@audit.sentence("agenda.room_saved")
def _room(f: Facts) -> str:
    capacity = f.detail("capacity")
    if capacity is None:
        return _("%(who)s saved the room “%(name)s”.", who=f.who, name=f.detail("name") or f.object)
    return ngettext(
        "%(who)s saved the room “%(name)s” with %(num)d seat.",
        "%(who)s saved the room “%(name)s” with %(num)d seats.",
        capacity,
        who=f.who,
        name=f.detail("name") or f.object,
    )


@audit.sentence("agenda.track_saved")
def _track(f: Facts) -> str:
    return _("%(who)s saved the track “%(name)s”.", who=f.who, name=f.detail("name") or f.object)


@audit.sentence("agenda.speaker_saved")
def _speaker(f: Facts) -> str:
    return _("%(who)s saved the speaker %(name)s.", who=f.who, name=f.detail("name") or f.object)


def _title(f: Facts) -> str:
    return f.detail("title") or f.object or "–"


@audit.sentence("agenda.session_created")
def _session_created(f: Facts) -> str:
    return _("%(who)s created the session “%(title)s”.", who=f.who, title=_title(f))


@audit.sentence("agenda.session_updated")
def _session_updated(f: Facts) -> str:
    fields = audit.listing(FIELD_LABELS, f.detail("fields") or [])
    if not fields:
        return _(
            "%(who)s saved the session “%(title)s” without changes.", who=f.who, title=_title(f)
        )
    return _(
        "%(who)s changed the session “%(title)s”: %(fields)s.",
        who=f.who,
        title=_title(f),
        fields=fields,
    )


@audit.sentence("agenda.session_cancelled")
def _session_cancelled(f: Facts) -> str:
    return _("%(who)s cancelled the session “%(title)s”.", who=f.who, title=_title(f))


@audit.sentence("agenda.session_published")
def _session_published(f: Facts) -> str:
    return _("%(who)s published the session “%(title)s”.", who=f.who, title=_title(f))


@audit.sentence("agenda.programme_published")
def _programme_published(f: Facts) -> str:
    return ngettext(
        "%(who)s published the programme with %(num)d new session.",
        "%(who)s published the programme with %(num)d new sessions.",
        f.detail("sessions") or 0,
        who=f.who,
    )


@audit.sentence("agenda.skeleton_copied", refs={"source": "Congress"})
def _skeleton(f: Facts) -> str:
    return _(
        "%(who)s copied rooms, tracks and sessions from “%(source)s”: %(rooms)s rooms, "
        "%(tracks)s tracks, %(sessions)s sessions.",
        who=f.who,
        source=f.ref("source") or _("an earlier edition"),
        rooms=f.detail("rooms") or 0,
        tracks=f.detail("tracks") or 0,
        sessions=f.detail("sessions") or 0,
    )
