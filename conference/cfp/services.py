"""The call for contributions: the organisers' call, the submitters' contributions (double
opt-in, personal link until the deadline), reviews and decisions.

Every function flushes and never commits; the acting user, the congress and ``now`` are
arguments. Refusals are ``DomainError`` subclasses: ``InvalidSubmission`` (a field of the form,
``details["field"]``), ``CallClosed``, ``ReviewLocked``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.models import Role, User
from conference.agenda import services as agenda
from conference.agenda.models import SessionKind, Speaker, Track
from conference.cfp.models import (
    QUESTION_SCOPE,
    Call,
    CoPresenter,
    Criterion,
    Decision,
    Format,
    Review,
    ReviewerTrack,
    ReviewScore,
    Submission,
    SubmissionAnswer,
    SubmissionAnswerChoice,
    SubmissionStatus,
)
from conference.core import audit
from conference.core.errors import Conflict, Forbidden, Invalid, NotFound
from conference.core.mail import external_url, unsolicited_mail_allowed
from conference.core.models import CarrierOrganisation, Congress
from conference.core.tokens import is_well_formed, new_token
from conference.extensions import db
from conference.mailtexts.services import queue_mail
from conference.questions import engine
from conference.questions import services as questions

TITLE_LIMIT = 300
PRESENTER_LIMIT = 5
ANSWERS = questions.AnswerTables(SubmissionAnswer, SubmissionAnswerChoice, "submission_id")
questions.ANSWER_TABLES[QUESTION_SCOPE] = ANSWERS


class InvalidSubmission(Invalid):
    code = "invalid_submission"


class CallClosed(Conflict):
    code = "call_closed"


class ReviewLocked(Conflict):
    code = "review_locked"


# --- the call ----------------------------------------------------------------------------------


def call_of(congress: Congress) -> Call | None:
    return db.session.execute(
        select(Call)
        .where(Call.congress_id == congress.id)
        .options(selectinload(Call.formats), selectinload(Call.criteria))
    ).scalar_one_or_none()


def ensure_call(congress: Congress) -> Call:
    call = call_of(congress)
    if call is None:
        call = Call(congress_id=congress.id)
        db.session.add(call)
        db.session.flush()
    return call


def save_call(
    congress: Congress,
    *,
    deadline: datetime | None,
    intro_de: str,
    intro_en: str,
    abstract_limit: int,
    anonymous_review: bool,
    actor,
    now: datetime,
) -> Call:
    if not 200 <= abstract_limit <= agenda.MAX_ABSTRACT:  # an accepted one becomes a session
        raise Invalid(
            _("The length limit must be between 200 and 5,000 characters."),
            field="abstract_limit",
        )
    call = ensure_call(congress)
    call.deadline = deadline
    call.intro_de = intro_de.strip()
    call.intro_en = intro_en.strip()
    call.abstract_limit = abstract_limit
    call.anonymous_review = anonymous_review
    call.updated_at = now
    db.session.flush()
    audit.record("cfp.call_saved", congress, actor=actor, congress_id=congress.id)
    return call


def add_format(
    call: Call, *, name_de: str, name_en: str, duration: int, kind: str, actor
) -> Format:
    if not 5 <= duration <= 600:
        raise Invalid(_("The duration must be between 5 and 600 minutes."), field="duration")
    item = Format(
        name_de=name_de.strip(),
        name_en=name_en.strip(),
        duration_minutes=duration,
        session_kind=kind,
        position=len(call.formats),
    )
    call.formats.append(item)
    db.session.flush()
    audit.record("cfp.format_added", actor=actor, congress_id=call.congress_id, name=item.name_de)
    return item


def add_criterion(call: Call, *, name_de: str, name_en: str, weight: int, actor) -> Criterion:
    if not 1 <= weight <= 10:
        raise Invalid(_("The weight must be between 1 and 10."), field="weight")
    item = Criterion(
        name_de=name_de.strip(),
        name_en=name_en.strip(),
        weight=weight,
        position=len(call.criteria),
    )
    call.criteria.append(item)
    db.session.flush()
    audit.record(
        "cfp.criterion_added", actor=actor, congress_id=call.congress_id, name=item.name_de
    )
    return item


def remove_part(call: Call, model: type, item_id: int, *, actor) -> None:
    """Remove a format or a criterion of the call. A used format stays on its submissions as
    none; a criterion's scores go with it."""
    item = db.session.get(model, item_id)
    if item is None or item.call_id != call.id:
        raise NotFound(_("This entry does not exist."), code="unknown_part")
    name = item.name_de
    (call.formats if model is Format else call.criteria).remove(item)
    db.session.flush()
    audit.record("cfp.part_removed", actor=actor, congress_id=call.congress_id, name=name)


def add_track(congress: Congress, name: str, *, actor) -> Track:
    return agenda.save_track(congress, None, actor=actor, name=name, colour="#1f5f8b")


def extra_questions(congress_id: int):
    return questions.questions_of(congress_id, QUESTION_SCOPE)


def add_question(congress: Congress, data: questions.QuestionData, *, actor, now: datetime):
    return questions.save_question(congress, data, scope=QUESTION_SCOPE, actor=actor, now=now)


def carriers() -> list[CarrierOrganisation]:
    rows = db.session.execute(
        select(CarrierOrganisation).where(CarrierOrganisation.active.is_(True))
    ).scalars()
    return sorted(rows, key=lambda c: c.name.casefold())


# --- submissions --------------------------------------------------------------------------------


@dataclass
class PresenterData:
    name: str
    email: str = ""
    organisation: str = ""


@dataclass
class SubmissionData:
    title: str
    abstract: str
    format_id: int | None
    track_id: int | None
    language: str
    target_group: str
    max_participants: int | None
    accessibility: str
    carrier_id: int | None
    organisation_other: str
    first_name: str
    last_name: str
    email: str
    mail_language: str
    presenters: list[PresenterData] = field(default_factory=list)


def abstract_problem(call: Call, abstract: str) -> str | None:
    if len(abstract) > call.abstract_limit:
        return _(
            "The abstract has %(length)d characters; at most %(limit)d are possible.",
            length=len(abstract),
            limit=call.abstract_limit,
        )
    return None


def _check(call: Call, data: SubmissionData) -> None:
    problem = abstract_problem(call, data.abstract)
    if problem:
        raise InvalidSubmission(problem, field="abstract")
    if data.format_id is not None and data.format_id not in {f.id for f in call.formats}:
        raise InvalidSubmission(_("Please choose one of the formats."), field="format")
    if data.track_id is not None:
        known = db.session.execute(
            select(Track.id).where(Track.id == data.track_id, Track.congress_id == call.congress_id)
        ).first()
        if known is None:
            raise InvalidSubmission(_("Please choose one of the tracks."), field="track")
    if len(data.presenters) > PRESENTER_LIMIT:
        raise InvalidSubmission(_("At most five co-presenters are possible."), field="presenters")


def _apply(submission: Submission, data: SubmissionData) -> None:
    for name in (
        "title", "abstract", "format_id", "track_id", "language", "target_group",
        "max_participants", "accessibility", "carrier_id", "organisation_other",
        "first_name", "last_name", "mail_language",
    ):  # fmt: skip
        setattr(submission, name, getattr(data, name))
    submission.presenters = [
        CoPresenter(name=p.name, email=p.email, organisation=p.organisation, position=n)
        for n, p in enumerate(data.presenters)
    ]


def submit(
    congress: Congress,
    call: Call,
    data: SubmissionData,
    *,
    answers: engine.AnswerForm | None,
    now: datetime,
) -> Submission:
    """A new contribution, pending until its address is confirmed; queues the confirmation
    mail. Raises CallClosed after the deadline, InvalidSubmission for bad input."""
    if not call.is_open(now):
        raise CallClosed(_("The call for contributions is closed."))
    _check(call, data)
    submission = Submission(
        congress_id=congress.id,
        email=data.email,
        manage_token=new_token(),
        confirm_token=new_token(),
        created_at=now,
        updated_at=now,
    )
    _apply(submission, data)
    db.session.add(submission)
    db.session.flush()
    if answers is not None and answers.questions:
        questions.store_answers(ANSWERS, submission.id, answers.questions, answers.values)
    # A visitor makes us mail this address: capped per hour, as registration's mails are.
    if unsolicited_mail_allowed(data.email, now=now):
        send_mail(
            submission,
            "cfp.confirm",
            congress=congress,
            confirm_link=external_url("cfp.confirm", token=submission.confirm_token),
        )
    audit.record("cfp.submitted", actor="submitter", congress_id=congress.id, title=data.title)
    return submission


def _by_token(column, token: str) -> Submission:
    if not is_well_formed(token):
        raise NotFound(_("This link is not valid."), code="unknown_submission")
    submission = db.session.execute(
        select(Submission)
        .where(column == token)
        .options(selectinload(Submission.presenters), joinedload(Submission.format))
    ).scalar_one_or_none()
    if submission is None:
        raise NotFound(_("This link is not valid."), code="unknown_submission")
    return submission


def by_manage_token(token: str) -> Submission:
    return _by_token(Submission.manage_token, token)


def by_confirm_token(token: str) -> Submission:
    return _by_token(Submission.confirm_token, token)


def confirm(token: str, *, now: datetime) -> Submission:
    """Confirm the address: the contribution counts from now on. Following the link twice
    confirms once."""
    submission = by_confirm_token(token)
    claimed = db.session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == SubmissionStatus.PENDING)
        .values(status=SubmissionStatus.SUBMITTED, confirmed_at=now)
    ).rowcount
    db.session.refresh(submission)
    if claimed:
        audit.record(
            "cfp.confirmed", actor="submitter", congress_id=submission.congress_id,
            title=submission.title,
        )  # fmt: skip
    return submission


def editable(submission: Submission, call: Call, now: datetime) -> None:
    if submission.status == SubmissionStatus.WITHDRAWN:
        raise CallClosed(_("This contribution has been withdrawn."))
    if not call.is_open(now):
        raise CallClosed(_("The deadline has passed: the contribution can no longer be changed."))


def update_submission(
    submission: Submission,
    call: Call,
    data: SubmissionData,
    *,
    answers: engine.AnswerForm | None,
    now: datetime,
) -> None:
    """The submitter's change through their link, until the deadline."""
    editable(submission, call, now)
    _check(call, data)
    _apply(submission, data)
    submission.updated_at = now
    db.session.flush()
    if answers is not None and answers.questions:
        questions.store_answers(ANSWERS, submission.id, answers.questions, answers.values)
    audit.record(
        "cfp.updated", actor="submitter", congress_id=submission.congress_id, title=data.title
    )


def withdraw(submission: Submission, call: Call, *, now: datetime) -> None:
    """Withdraw until decisions are released (then the organisers must be told)."""
    if submission.status == SubmissionStatus.WITHDRAWN:
        return
    if call.decisions_released_at is not None and submission.decision:
        raise CallClosed(_("The decision has been sent; please write to the organisers."))
    submission.status = SubmissionStatus.WITHDRAWN
    submission.withdrawn_at = now
    db.session.flush()
    audit.record(
        "cfp.withdrawn", actor="submitter", congress_id=submission.congress_id,
        title=submission.title,
    )  # fmt: skip


def answers_of(submission: Submission, language: str) -> list[tuple[str, str]]:
    items = extra_questions(submission.congress_id)
    values = questions.stored_answers(ANSWERS, [submission.id], items).get(submission.id, {})
    return [
        (q.text(language), engine.display(q, values[q.id], language))
        for q in items
        if q.id in values
    ]


def answer_form(congress_id: int, *, submission_id: int | None, formdata, language: str):
    items = extra_questions(congress_id)
    stored = {}
    if submission_id is not None and items:
        stored = questions.stored_answers(ANSWERS, [submission_id], items).get(submission_id, {})
    return engine.read_form(
        items,
        language,
        shown={q.id for q in items},
        formdata=formdata,
        stored=stored,
        enforce_required=True,
    )


def send_mail(submission: Submission, key: str, *, congress: Congress, **links) -> None:
    values = {
        "first_name": submission.first_name,
        "last_name": submission.last_name,
        "title": submission.title,
        "manage_link": external_url("cfp.manage", token=submission.manage_token),
        "confirm_link": "",
        **links,
    }
    queue_mail(
        key,
        congress=congress,
        recipient=submission.email,
        language=submission.mail_language or "de",
        values=values,
    )


# --- reviews ------------------------------------------------------------------------------------


def reviewer_tracks(user_id: int) -> set[int]:
    return set(
        db.session.execute(
            select(ReviewerTrack.track_id).where(ReviewerTrack.user_id == user_id)
        ).scalars()
    )


def assign_tracks(user: User, congress: Congress, track_ids: Sequence[int], *, actor) -> None:
    """The tracks the reviewer sees in this edition (none: every track)."""
    known = {t.id for t in agenda.tracks_of(congress)}
    db.session.execute(
        delete(ReviewerTrack).where(
            ReviewerTrack.user_id == user.id, ReviewerTrack.track_id.in_(known)
        )
    )
    for track_id in set(track_ids) & known:
        db.session.add(ReviewerTrack(user_id=user.id, track_id=track_id))
    db.session.flush()
    audit.record("cfp.reviewer_tracks", user, actor=actor, congress_id=congress.id)


def _visible_to(query, reviewer: User):
    """A reviewer with tracks sees only theirs; organisers and admins see all."""
    if reviewer.role != Role.REVIEWER:
        return query
    tracks = reviewer_tracks(reviewer.id)
    if tracks:
        query = query.where(Submission.track_id.in_(tracks))
    return query


def reviewable(congress: Congress, reviewer: User) -> list[Submission]:
    query = (
        select(Submission)
        .where(
            Submission.congress_id == congress.id,
            Submission.status == SubmissionStatus.SUBMITTED,
        )
        .options(joinedload(Submission.format), joinedload(Submission.track))
        .order_by(Submission.id)
    )
    return list(db.session.execute(_visible_to(query, reviewer)).scalars())


def reviewable_one(congress: Congress, reviewer: User, submission_id: int) -> Submission:
    query = (
        select(Submission)
        .where(
            Submission.id == submission_id,
            Submission.congress_id == congress.id,
            Submission.status == SubmissionStatus.SUBMITTED,
        )
        .options(
            joinedload(Submission.format),
            joinedload(Submission.track),
            joinedload(Submission.carrier),
            selectinload(Submission.presenters),
        )
    )
    submission = db.session.execute(_visible_to(query, reviewer)).scalar_one_or_none()
    if submission is None:
        raise NotFound(_("This contribution does not exist."), code="unknown_submission")
    return submission


def review_of(submission_id: int, reviewer_id: int) -> Review | None:
    return db.session.execute(
        select(Review)
        .where(Review.submission_id == submission_id, Review.reviewer_id == reviewer_id)
        .options(selectinload(Review.scores))
    ).scalar_one_or_none()


def save_review(
    submission: Submission,
    call: Call,
    reviewer: User,
    scores: dict[int, int],
    comment: str,
    *,
    now: datetime,
) -> Review:
    """Store the reviewer's scores (1–5 for every criterion) and comment: their one review
    of the submission, created or changed. Raises ReviewLocked once decisions are released."""
    if call.decisions_released_at is not None:
        raise ReviewLocked(_("The decisions have been released: reviews can no longer change."))
    criteria = {c.id for c in call.criteria}
    if set(scores) != criteria or any(not 1 <= s <= 5 for s in scores.values()):
        raise Invalid(_("Please score every criterion from 1 to 5."), field="scores")
    review = review_of(submission.id, reviewer.id)
    if review is None:
        try:
            with db.session.begin_nested():
                review = Review(
                    submission_id=submission.id, reviewer_id=reviewer.id, created_at=now
                )
                db.session.add(review)
                db.session.flush()
        except IntegrityError:
            # The same reviewer sent twice at once: the first review is the one.
            review = review_of(submission.id, reviewer.id)
    review.comment = comment.strip()
    review.updated_at = now
    by_criterion = {s.criterion_id: s for s in review.scores}
    for criterion_id, score in scores.items():
        if criterion_id in by_criterion:
            by_criterion[criterion_id].score = score
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=score))
    db.session.flush()
    audit.record(
        "cfp.reviewed", actor=reviewer, congress_id=submission.congress_id, title=submission.title
    )
    return review


@dataclass
class Ranked:
    submission: Submission
    average: float | None  # weighted over criteria, averaged over reviews
    reviews: int
    spread: float | None  # highest minus lowest reviewer's weighted score


SORTS = ("average", "reviews", "spread", "title", "newest")


def ranking(
    congress: Congress,
    call: Call,
    *,
    track_id: int | None = None,
    format_id: int | None = None,
    sort: str = "average",
) -> list[Ranked]:
    """Every confirmed submission of the edition (neither unconfirmed nor withdrawn) with its weighted average, its
    number of reviews and their spread. Three queries, whatever the number."""
    query = (
        select(Submission)
        .where(
            Submission.congress_id == congress.id,
            Submission.status == SubmissionStatus.SUBMITTED,
        )
        .options(
            joinedload(Submission.format),
            joinedload(Submission.track),
            joinedload(Submission.carrier),
        )
    )
    if track_id is not None:
        query = query.where(Submission.track_id == track_id)
    if format_id is not None:
        query = query.where(Submission.format_id == format_id)
    submissions = list(db.session.execute(query).scalars())
    weights = {c.id: c.weight for c in call.criteria}
    rows = db.session.execute(
        select(Review.submission_id, Review.id, ReviewScore.criterion_id, ReviewScore.score)
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .join(Submission, Submission.id == Review.submission_id)
        .where(Submission.congress_id == congress.id)
    ).all()
    per_review: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for submission_id, review_id, criterion_id, score in rows:
        if criterion_id in weights:
            per_review[(submission_id, review_id)].append((weights[criterion_id], score))
    by_submission: dict[int, list[float]] = defaultdict(list)
    for (submission_id, _review_id), pairs in per_review.items():
        total = sum(w for w, _s in pairs)
        by_submission[submission_id].append(sum(w * s for w, s in pairs) / total)
    ranked = []
    for submission in submissions:
        values = by_submission.get(submission.id, [])
        ranked.append(
            Ranked(
                submission,
                round(statistics.fmean(values), 2) if values else None,
                len(values),
                round(max(values) - min(values), 2) if values else None,
            )
        )
    keys = {
        "average": lambda r: (r.average is None, -(r.average or 0), r.submission.id),
        "reviews": lambda r: (-r.reviews, r.submission.id),
        "spread": lambda r: (r.spread is None, -(r.spread or 0), r.submission.id),
        "title": lambda r: (r.submission.title.casefold(), r.submission.id),
        "newest": lambda r: (-r.submission.id,),
    }
    return sorted(ranked, key=keys.get(sort, keys["average"]))


def submission_of(congress: Congress, submission_id: int) -> Submission:
    submission = db.session.execute(
        select(Submission)
        .where(Submission.id == submission_id, Submission.congress_id == congress.id)
        .options(
            joinedload(Submission.format),
            joinedload(Submission.track),
            joinedload(Submission.carrier),
            selectinload(Submission.presenters),
        )
    ).scalar_one_or_none()
    if submission is None:
        raise NotFound(_("This contribution does not exist."), code="unknown_submission")
    return submission


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
