"""The scheduled mails' part of an edition's copy: each rule with its texts, attachments,
timing and recipients, not yet run. Mailings already sent stay with their edition.

A rule counts its days from the congress's start or end, so it moves with the new dates by
itself. Its recipient filter moves too: chosen days go to the same day of the new congress.
A rule whose filter names a workshop or an answer to a question is left out (the new edition's
workshops and options are other rows, and dropping the condition would widen who gets the
mail), as is one whose day the new dates do not have. Registered with the editions' copy
(``editions.copies_along``) on import; the app factory imports it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from conference.core.models import Congress
from conference.editions import services as editions
from conference.extensions import db
from conference.mailings.models import MailingRule
from conference.mailings.recipients import RecipientFilter


def carried_filter(
    wanted: RecipientFilter, source: Congress, starts_on: date, length: int
) -> RecipientFilter | None:
    """``wanted`` for a new edition of ``length`` days from ``starts_on``, or None when the
    copy cannot carry it (a workshop, an answer, a day the new dates do not have)."""
    if wanted.workshop_ids or wanted.answer_option_ids:
        return None

    def moved(day: date) -> date | None:
        index = (day - source.starts_on).days
        return starts_on + timedelta(days=index) if 0 <= index < length else None

    days = tuple(moved(day) for day in wanted.days)
    checked_in_day = moved(wanted.checked_in_day) if wanted.checked_in_day else None
    if None in days or (wanted.checked_in_day is not None and checked_in_day is None):
        return None
    return replace(wanted, days=days, checked_in_day=checked_in_day)


def _rules(source: Congress) -> list[MailingRule]:
    return list(
        db.session.scalars(
            select(MailingRule).where(MailingRule.congress_id == source.id).order_by(MailingRule.id)
        )
    )


def _plan(source: Congress, length: int) -> tuple[int, list[str]]:
    """How many rules the copy takes, and a sentence for those it leaves out: one query."""
    rules = _rules(source)
    carried = sum(
        1
        for rule in rules
        if carried_filter(
            RecipientFilter.from_json(rule.recipients or {}), source, source.starts_on, length
        )
        is not None
    )
    left = len(rules) - carried
    if not left:
        return carried, []
    return carried, [
        ngettext(
            "%(num)d scheduled mail chooses its recipients by a workshop, an answer or a day "
            "the new dates do not have; it is not copied.",
            "%(num)d scheduled mails choose their recipients by a workshop, an answer or a day "
            "the new dates do not have; they are not copied.",
            left,
        )
    ]


def copy_rules(source: Congress, target: Congress, now: datetime) -> int:
    """Give ``target`` the rules of ``source`` that can be carried, not yet run; returns how
    many were copied."""
    length = (target.ends_on - target.starts_on).days + 1
    copied = 0
    for rule in _rules(source):
        wanted = carried_filter(
            RecipientFilter.from_json(rule.recipients or {}), source, target.starts_on, length
        )
        if wanted is None:
            continue
        db.session.add(
            MailingRule(
                congress_id=target.id,
                anchor=rule.anchor,
                days=rule.days,
                send_time=rule.send_time,
                preset=rule.preset,
                created_at=now,
                recipients=wanted.as_json(),
                **rule.texts(),
            )
        )
        copied += 1
    db.session.flush()
    return copied


editions.copies_along(
    editions.CopyStep(
        key="mailing_rules",
        label=lambda: _("Scheduled mails, not yet sent"),
        plan=_plan,
        copy=copy_rules,
    )
)
