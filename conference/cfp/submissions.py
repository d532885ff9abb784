"""Contributions: submitting with double opt-in, the personal link (change until the deadline,
withdraw), the extra questions' answers and the submitters' mails. Re-exported by
``services``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from conference.agenda.models import Track
from conference.cfp.calls import (
    ANSWERS,
    PRESENTER_LIMIT,
    CallClosed,
    InvalidSubmission,
    extra_questions,
)
from conference.cfp.models import (
    Call,
    CoPresenter,
    Submission,
    SubmissionStatus,
)
from conference.core import audit
from conference.core.errors import NotFound
from conference.core.mail import external_url, unsolicited_mail_allowed
from conference.core.models import Congress
from conference.core.tokens import is_well_formed, new_token
from conference.extensions import db
from conference.mailtexts.services import queue_mail
from conference.questions import engine
from conference.questions import services as questions

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
