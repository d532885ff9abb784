"""Decisions: marking, the release in one step (each mail once) and the draft agenda session
of an accepted contribution with its speakers. Re-exported by ``services``."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from conference.accounts.models import Role, User
from conference.agenda import services as agenda
from conference.agenda.models import SessionKind, Speaker
from conference.cfp.models import (
    Call,
    Decision,
    Submission,
    SubmissionStatus,
)
from conference.cfp.submissions import send_mail
from conference.core import audit
from conference.core.errors import Conflict, Forbidden, Invalid
from conference.core.models import Congress
from conference.extensions import db

# --- decisions ----------------------------------------------------------------------------------


def decide(submission: Submission, call: Call, decision: str, *, actor) -> None:
    """Mark accept, reject or waitlist ("" takes it back). Nothing is mailed: that waits for
    the release."""
    if decision not in ("", *Decision):
        raise Invalid(_("Please choose a decision."), field="decision")
    if submission.status != SubmissionStatus.SUBMITTED:
        raise Conflict(_("Only confirmed contributions can be decided."), code="not_submitted")
    if submission.decision_mailed_at is not None:
        raise Conflict(_("This decision has been sent already."), code="decision_sent")
    submission.decision = decision
    db.session.flush()
    audit.record(
        "cfp.decided", actor=actor, congress_id=submission.congress_id,
        title=submission.title, decision=decision,
    )  # fmt: skip


MAIL_OF = {
    Decision.ACCEPTED: "cfp.accepted",
    Decision.REJECTED: "cfp.rejected",
    Decision.WAITLISTED: "cfp.waitlisted",
}


def _speaker_for(congress: Congress, name: str, email: str, organisation: str, *, actor) -> Speaker:
    """The edition's speaker with this e-mail address (case ignored), else a new one."""
    if email:
        found = db.session.execute(
            select(Speaker)
            .where(Speaker.congress_id == congress.id, func.lower(Speaker.email) == email.lower())
            .order_by(Speaker.id)
            .limit(1)
        ).scalar_one_or_none()
        if found is not None:
            return found
    return agenda.save_speaker(
        congress, None, actor=actor, name=name, organisation=organisation, email=email
    )


def presenters_of(submission: Submission) -> list[tuple[str, str, str]]:
    """(name, e-mail, organisation) of the submitter and the co-presenters, each once."""
    people = [(submission.full_name, submission.email, submission.organisation)]
    for p in submission.presenters:
        if not p.email or p.email.lower() not in {e.lower() for _n, e, _o in people if e}:
            people.append((p.name, p.email, p.organisation))
    return people


def draft_session(congress: Congress, submission: Submission, *, actor, now: datetime):
    """The accepted contribution as a draft agenda session with its presenters as speakers:
    title, abstract, format (its agenda kind and default duration), track, language and
    capacity. It starts at the first time of the congress where none of its speakers is
    booked (every 30 minutes from the venue's opening); the organisers then place it."""
    speakers = [
        _speaker_for(congress, name, email, organisation, actor=actor)
        for name, email, organisation in presenters_of(submission)
    ]
    speaker_ids = list(dict.fromkeys(s.id for s in speakers))
    duration = timedelta(minutes=submission.format.duration_minutes if submission.format else 90)
    kind = submission.format.session_kind if submission.format else SessionKind.WORKSHOP
    for day in agenda.congress_days(congress):
        start = agenda.local_instant(day, congress.opens_at, congress)
        closes = agenda.local_instant(day, congress.closes_at, congress)
        while start + duration <= closes:
            data = agenda.SessionInput(
                title=submission.title,
                starts_at=start,
                ends_at=start + duration,
                kind=kind,
                abstract=submission.abstract,
                language=submission.language,
                track_id=submission.track_id,
                capacity=submission.max_participants,
                speaker_ids=speaker_ids,
            )
            try:
                with db.session.begin_nested():
                    return agenda.create_session(congress, data, actor=actor, now=now)
            except agenda.SessionConflict:
                start += timedelta(minutes=30)
    raise Conflict(
        _("“%(title)s” finds no free time for its speakers.", title=submission.title),
        code="no_free_time",
    )


def release_decisions(congress: Congress, call: Call, *, actor, now: datetime) -> int:
    """Send every marked decision that has not been sent: one mail per submission, ever (a
    conditional UPDATE claims each, so a second release or a second organiser at the same
    moment sends nothing twice). An accepted contribution becomes a draft agenda session
    (``draft_session``). Locks the reviews. Returns how many were sent."""
    if call.decisions_released_at is None:
        call.decisions_released_at = now
    candidates = db.session.execute(
        select(Submission.id).where(
            Submission.congress_id == congress.id,
            Submission.status == SubmissionStatus.SUBMITTED,
            Submission.decision != "",
            Submission.decision_mailed_at.is_(None),
        )
    ).scalars()
    sent = 0
    for submission_id in list(candidates):
        claimed = db.session.execute(
            update(Submission)
            .where(Submission.id == submission_id, Submission.decision_mailed_at.is_(None))
            .values(decision_mailed_at=now)
        ).rowcount
        if not claimed:
            continue
        submission = db.session.get(Submission, submission_id)
        db.session.refresh(submission)
        if submission.decision == Decision.ACCEPTED and submission.session_id is None:
            submission.session_id = draft_session(congress, submission, actor=actor, now=now).id
        send_mail(submission, MAIL_OF[Decision(submission.decision)], congress=congress)
        sent += 1
    db.session.flush()
    audit.record("cfp.released", actor=actor, congress_id=congress.id, count=sent)
    return sent


def call_session_ids(congress_id: int) -> set[int]:
    """The agenda sessions of an edition that came from the call (the builder marks them)."""
    return set(
        db.session.execute(
            select(Submission.session_id).where(
                Submission.congress_id == congress_id, Submission.session_id.is_not(None)
            )
        ).scalars()
    )


def unreleased_count(congress: Congress) -> int:
    return db.session.execute(
        select(func.count(Submission.id)).where(
            Submission.congress_id == congress.id,
            Submission.status == SubmissionStatus.SUBMITTED,
            Submission.decision != "",
            Submission.decision_mailed_at.is_(None),
        )
    ).scalar_one()


def reviewers() -> list[User]:
    return list(
        db.session.execute(
            select(User).where(User.role == Role.REVIEWER).order_by(User.email)
        ).scalars()
    )


def forbid_unless_reviewer(user) -> None:
    if user is None or not user.has_role(Role.REVIEWER, Role.ORGANISER):
        raise Forbidden(_("You may not review contributions."))
