"""How the call for contributions' audit entries read."""

from __future__ import annotations

from flask_babel import gettext as _

from conference.cfp.labels import decision_label
from conference.core import audit
from conference.core.audit import Facts


def _title(f: Facts) -> str:
    return f.detail("title") or ""


@audit.sentence("cfp.call_saved")
def _call_saved(f: Facts) -> str:
    return _("%(who)s changed the call for contributions.", who=f.who)


@audit.sentence("cfp.format_added")
def _format_added(f: Facts) -> str:
    return _("%(who)s added the format “%(name)s” to the call.", who=f.who, name=f.detail("name"))


@audit.sentence("cfp.criterion_added")
def _criterion_added(f: Facts) -> str:
    return _("%(who)s added the review criterion “%(name)s”.", who=f.who, name=f.detail("name"))


@audit.sentence("cfp.part_removed")
def _part_removed(f: Facts) -> str:
    return _("%(who)s removed “%(name)s” from the call.", who=f.who, name=f.detail("name"))


@audit.sentence("cfp.submitted")
def _submitted(f: Facts) -> str:
    return _("The contribution “%(title)s” was sent.", title=_title(f))


@audit.sentence("cfp.confirmed")
def _confirmed(f: Facts) -> str:
    return _("The contribution “%(title)s” was confirmed.", title=_title(f))


@audit.sentence("cfp.updated")
def _updated(f: Facts) -> str:
    return _("The submitter changed the contribution “%(title)s”.", title=_title(f))


@audit.sentence("cfp.withdrawn")
def _withdrawn(f: Facts) -> str:
    return _("The submitter withdrew the contribution “%(title)s”.", title=_title(f))


@audit.sentence("cfp.reviewed")
def _reviewed(f: Facts) -> str:
    return _("%(who)s reviewed the contribution “%(title)s”.", who=f.who, title=_title(f))


@audit.sentence("cfp.decided")
def _decided(f: Facts) -> str:
    return _(
        "%(who)s marked the contribution “%(title)s”: %(decision)s.",
        who=f.who,
        title=_title(f),
        decision=decision_label(f.detail("decision") or ""),
    )


@audit.sentence("cfp.released")
def _released(f: Facts) -> str:
    return _(
        "%(who)s released the decisions on contributions (%(count)d e-mails).",
        who=f.who,
        count=f.detail("count") or 0,
    )


@audit.sentence("cfp.reviewer_tracks")
def _reviewer_tracks(f: Facts) -> str:
    return _("%(who)s changed the tracks of the reviewer %(user)s.", who=f.who, user=f.object)
