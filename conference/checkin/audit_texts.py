"""How the door's audit entries read, and how checkpoints are named."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_

from conference.checkin.models import Checkpoint
from conference.core import audit
from conference.core.audit import Facts
from conference.extensions import db


@audit.namer("CheckpointCode", _l("Checkpoint"))
def _checkpoint_names(keys: set) -> dict:
    """Checkpoints by (congress id, code): the undo entry stores the code, as devices send it."""
    keys = {key for key in keys if key[0] is not None and key[1]}
    if not keys:
        return {}
    rows = db.session.execute(
        select(Checkpoint.congress_id, Checkpoint.code, Checkpoint.name).where(
            tuple_(Checkpoint.congress_id, Checkpoint.code).in_(list(keys))
        )
    )
    return {(congress_id, code): name for congress_id, code, name in rows}


def _checkpoint_key(entry):
    return (entry.congress_id, (entry.details or {}).get("checkpoint"))


@audit.sentence("checkin.undo", refs={"checkpoint": ("CheckpointCode", _checkpoint_key)})
def _undo(f: Facts) -> str:
    return _(
        "%(who)s undid the check-in of %(person)s at %(checkpoint)s (scanned %(when)s).",
        who=f.who,
        person=f.object or "–",
        checkpoint=f.ref("checkpoint") or _("the entrance"),
        when=audit.moment_text(f.detail("checked_in_at")),
    )


@audit.sentence("registration.walk_in")
def _walk_in(f: Facts) -> str:
    return _(
        "%(who)s registered %(person)s at the desk for %(day)s.",
        who=f.who,
        person=f.object or "–",
        day=audit.day_text(f.detail("day")),
    )
