"""The call's part of an edition's copy: its texts, formats and review criteria, never a
contribution or a review. Its extra questions are copied with the edition's questions (the
questions area copies every scope); this part counts them.

The copy has no deadline, so it is not open until an organiser gives it one: a call copied
in December must not take contributions at once. Registered with the editions' copy
(``editions.copies_along``) on import; the app factory imports it.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.cfp.models import QUESTION_SCOPE, Call, Criterion, Format
from conference.core.models import Congress
from conference.editions import services as editions
from conference.extensions import db
from conference.questions import services as questions


def _plan(source: Congress, length: int) -> tuple[int, list[str]]:
    """How many formats, criteria and extra questions the copy takes: two queries."""
    row = db.session.execute(
        select(
            Call.id,
            select(func.count(Format.id)).where(Format.call_id == Call.id).scalar_subquery(),
            select(func.count(Criterion.id)).where(Criterion.call_id == Call.id).scalar_subquery(),
        ).where(Call.congress_id == source.id)
    ).first()
    if row is None:
        return 0, []
    asked = questions.copied_question_count(source.id, [QUESTION_SCOPE])
    return row[1] + row[2] + asked, [
        _(
            "The call for contributions is copied without a deadline: it opens once you give it "
            "a new one."
        )
    ]


def copy_call(source: Congress, target: Congress, now: datetime) -> int:
    """Give ``target`` the call of ``source``, closed; returns how many formats, criteria and
    extra questions it has (0 without a call)."""
    call = db.session.execute(
        select(Call)
        .where(Call.congress_id == source.id)
        .options(selectinload(Call.formats), selectinload(Call.criteria))
    ).scalar_one_or_none()
    if call is None:
        return 0
    twin = Call(
        congress_id=target.id,
        deadline=None,
        intro_de=call.intro_de,
        intro_en=call.intro_en,
        abstract_limit=call.abstract_limit,
        anonymous_review=call.anonymous_review,
        updated_at=now,
    )
    twin.formats = [
        Format(
            name_de=item.name_de,
            name_en=item.name_en,
            duration_minutes=item.duration_minutes,
            session_kind=item.session_kind,
            position=item.position,
        )
        for item in call.formats
    ]
    twin.criteria = [
        Criterion(
            name_de=item.name_de, name_en=item.name_en, weight=item.weight, position=item.position
        )
        for item in call.criteria
    ]
    db.session.add(twin)
    db.session.flush()
    asked = questions.copied_question_count(target.id, [QUESTION_SCOPE])
    return len(twin.formats) + len(twin.criteria) + asked


editions.copies_along(
    editions.CopyStep(
        key="call_parts",
        label=lambda: _("Call for contributions: formats, review criteria and questions"),
        plan=_plan,
        copy=copy_call,
    )
)
