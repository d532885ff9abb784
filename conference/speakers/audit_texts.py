"""How the speakers' self-service and the sessions' materials read in the audit log."""

from __future__ import annotations

from flask_babel import gettext as _

from conference.core import audit
from conference.core.audit import Facts


@audit.sentence("speakers.link_reissued")
def _reissued(f: Facts) -> str:
    return _("%(who)s gave %(speaker)s a new personal link.", who=f.who, speaker=f.object)


@audit.sentence("speakers.registered")
def _registered(f: Facts) -> str:
    return _(
        "%(person)s was registered as a speaker for the days of their sessions.", person=f.object
    )


@audit.sentence("speakers.confirmed")
def _confirmed(f: Facts) -> str:
    return _("%(speaker)s confirmed taking part.", speaker=f.object)


@audit.sentence("speakers.declined")
def _declined(f: Facts) -> str:
    return _("%(speaker)s declined taking part.", speaker=f.object)


@audit.sentence("speakers.material_added")
def _material_added(f: Facts) -> str:
    return _(
        "%(who)s added the file “%(file)s” to “%(session)s”.",
        who=f.who, file=f.detail("filename"), session=f.object,
    )  # fmt: skip


@audit.sentence("speakers.material_removed")
def _material_removed(f: Facts) -> str:
    return _(
        "%(who)s removed the file “%(file)s” from “%(session)s”.",
        who=f.who, file=f.detail("filename"), session=f.object,
    )  # fmt: skip


@audit.sentence("speakers.link_sent")
def _link_sent(f: Facts) -> str:
    return _("%(who)s sent %(speaker)s their personal link.", who=f.who, speaker=f.object)
