"""Reviews: reviewers' tracks, what a reviewer sees, one review per reviewer and contribution,
and the organisers' ranking (weighted average, number, spread). Re-exported by ``services``."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.models import Role, User
from conference.agenda import services as agenda
from conference.cfp.calls import ReviewLocked
from conference.cfp.models import (
    Call,
    Review,
    ReviewerTrack,
    ReviewScore,
    Submission,
    SubmissionStatus,
)
from conference.core import audit
from conference.core.errors import Invalid, NotFound
from conference.core.models import Congress
from conference.extensions import db

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
