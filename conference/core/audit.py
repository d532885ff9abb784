"""The audit log: one row per change made by a person, a device or the system."""

from __future__ import annotations

from typing import Any

from conference.core.models import AuditLog
from conference.extensions import db


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    congress_id: int | None = None,
    **details: Any,
) -> AuditLog:
    """Add an audit entry to the current transaction.

    ``actor`` is a User, an ApiToken, a string such as "attendee" or "system", or None.
    ``details`` must be JSON-serialisable and must never contain a secret or token.
    """
    entry = AuditLog(action=action, details=_jsonable(details))
    if obj is not None:
        entry.object_type = type(obj).__name__
        entry.object_id = getattr(obj, "id", None)
        entry.congress_id = congress_id or getattr(obj, "congress_id", None)
    else:
        entry.congress_id = congress_id
    if actor is None:
        entry.actor = "system"
    elif isinstance(actor, str):
        entry.actor = actor
    else:
        entry.actor = getattr(actor, "email", None) or getattr(actor, "name", "") or "?"
        if type(actor).__name__ == "User":
            entry.actor_user_id = actor.id
    db.session.add(entry)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
