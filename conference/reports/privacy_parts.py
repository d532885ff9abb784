"""What the call for contributions and the evaluation survey hold about a person: their part
of the privacy export, of an erasure and of anonymising an edition (``privacy.py``)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from conference.agenda.models import AgendaSession, Speaker
from conference.cfp.models import CoPresenter, Submission, SubmissionAnswer
from conference.core.models import OutboxMail
from conference.core.tokens import new_token
from conference.extensions import db
from conference.registration.models import Registration
from conference.speakers.models import SpeakerAccess
from conference.surveys.models import SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse


def survey_answers(registration_id: int, language: str) -> list[dict]:
    """The person's answers in a survey that is not anonymous (an anonymous one holds no link
    to them)."""
    rows = db.session.execute(
        select(
            SurveyQuestion.text_de,
            SurveyQuestion.text_en,
            AgendaSession.title,
            SurveyAnswer.rating,
            SurveyOption.label_de,
            SurveyOption.label_en,
            SurveyAnswer.text,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .outerjoin(AgendaSession, AgendaSession.id == SurveyAnswer.session_id)
        .outerjoin(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .where(SurveyResponse.registration_id == registration_id)
        .order_by(SurveyQuestion.position, SurveyAnswer.id)
    ).all()
    english = language == "en"
    return [
        {
            "question": (text_en if english and text_en else text_de),
            "session": session,
            "answer": rating
            if rating is not None
            else ((option_en if english and option_en else option_de) or text),
        }
        for text_de, text_en, session, rating, option_de, option_en, text in rows
    ]


def submissions_of(registration: Registration) -> list[Submission]:
    """The contributions to the call sent in with the person's address, in their edition."""
    return list(
        db.session.execute(
            select(Submission)
            .where(
                Submission.congress_id == registration.congress_id,
                func.lower(Submission.email) == registration.email.lower(),
            )
            .order_by(Submission.id)
        ).scalars()
    )


def neutralise_submissions(submissions: list[Submission]) -> None:
    """A contribution keeps its title, abstract, format, track and decision (the programme and
    the call's figures); who sent it, their notes and free answers go."""
    ids = [s.id for s in submissions]
    if not ids:
        return
    # The call's mails to the sender name them and hold their links.
    db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.kind.like("cfp.%"),
            func.lower(OutboxMail.recipient).in_({s.email.lower() for s in submissions}),
        )
    )
    db.session.execute(delete(SubmissionAnswer).where(SubmissionAnswer.submission_id.in_(ids)))
    db.session.execute(
        update(CoPresenter)
        .where(CoPresenter.submission_id.in_(ids))
        .values(name="–", email="", organisation="")
        .execution_options(synchronize_session=False)
    )
    for submission in submissions:
        submission.first_name = "–"
        submission.last_name = f"#{submission.id}"
        submission.email = f"erased-submission-{submission.id}@invalid"
        submission.accessibility = ""
        submission.organisation_other = ""
        submission.manage_token = new_token()
        submission.confirm_token = None


def forget_speaker_links(congress_id: int) -> None:
    """Speakers' personal links end, and the mails that carried them go."""
    speakers = select(Speaker.id).where(Speaker.congress_id == congress_id)
    addresses = select(func.lower(Speaker.email)).where(
        Speaker.congress_id == congress_id, Speaker.email != ""
    )
    db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.kind.like("speakers.%"), func.lower(OutboxMail.recipient).in_(addresses)
        )
    )
    db.session.execute(delete(SpeakerAccess).where(SpeakerAccess.speaker_id.in_(speakers)))
