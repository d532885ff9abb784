"""What the badge area records: badges printed, a badge reissued (a new token)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update

from conference.badges.selection import ensure_badge_allowed
from conference.core import audit
from conference.core.tokens import new_token
from conference.extensions import db
from conference.registration.models import Registration


def mark_printed(registrations: Iterable[Registration], *, now: datetime, actor=None) -> int:
    """Record that these badges were printed (one UPDATE); returns how many."""
    registrations = list(registrations)
    ids = [r.id for r in registrations]
    if not ids:
        return 0
    db.session.execute(
        update(Registration)
        .where(Registration.id.in_(ids))
        .values(badge_printed_at=now)
        .execution_options(synchronize_session=False)
    )
    for registration in registrations:
        registration.badge_printed_at = now
    audit.record(
        "badges.printed",
        actor=actor,
        congress_id=registrations[0].congress_id,
        count=len(ids),
    )
    db.session.flush()
    return len(ids)


def reissue(registration: Registration, *, now: datetime, actor=None) -> Registration:
    """Give the registration a new badge token: the old badge scans as unknown from now on.

    The new badge counts as not printed yet. Raises BadgeRefused unless confirmed.
    """
    ensure_badge_allowed(registration)
    registration.badge_token = new_token()
    registration.badge_printed_at = None
    audit.record("badge.reissued", registration, actor=actor)  # never the token itself
    db.session.flush()
    return registration
