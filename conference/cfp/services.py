"""The call for contributions: the organisers' call, the submitters' contributions (double
opt-in, personal link until the deadline), reviews and decisions.

Every function flushes and never commits; the acting user, the congress and ``now`` are
arguments. Refusals are ``DomainError`` subclasses: ``InvalidSubmission`` (a field of the form,
``details["field"]``), ``CallClosed``, ``ReviewLocked``.

The topics live in ``calls``, ``submissions``, ``reviews`` and ``decisions``; this module
re-exports every name, so ``from conference.cfp import services`` is the one door.
"""

from __future__ import annotations

from conference.cfp.calls import (  # noqa: F401
    ANSWERS,
    PRESENTER_LIMIT,
    TITLE_LIMIT,
    CallClosed,
    InvalidSubmission,
    ReviewLocked,
    add_criterion,
    add_format,
    add_question,
    add_track,
    call_of,
    carriers,
    ensure_call,
    extra_questions,
    remove_part,
    save_call,
)
from conference.cfp.decisions import (  # noqa: F401
    MAIL_OF,
    _speaker_for,
    call_session_ids,
    decide,
    draft_session,
    forbid_unless_reviewer,
    presenters_of,
    release_decisions,
    reviewers,
    unreleased_count,
)
from conference.cfp.reviews import (  # noqa: F401
    SORTS,
    Ranked,
    _visible_to,
    assign_tracks,
    ranking,
    review_of,
    reviewable,
    reviewable_one,
    reviewer_tracks,
    save_review,
    submission_of,
)
from conference.cfp.submissions import (  # noqa: F401
    PresenterData,
    SubmissionData,
    _apply,
    _by_token,
    _check,
    abstract_problem,
    answer_form,
    answers_of,
    by_confirm_token,
    by_manage_token,
    confirm,
    editable,
    send_mail,
    submit,
    update_submission,
    withdraw,
)
