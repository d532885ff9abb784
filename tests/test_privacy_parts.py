"""The call for contributions and the survey in the GDPR paths: a person's export holds their
contributions and survey answers, an erasure removes them, anonymising an edition leaves no
sender of a contribution and no link from an answer set to a person."""

from __future__ import annotations

from sqlalchemy import select

from conference.cfp.models import CoPresenter, Submission
from conference.reports import privacy
from conference.speakers.models import SpeakerAccess
from conference.surveys.models import SurveyParticipation, SurveyResponse
from tests import factories
from tests.test_cfp import a_submission, open_call
from tests.test_reports import _every_stored_text
from tests.test_surveys import _answers, _build, _check_in, _ended_congress


def _person_with_a_contribution_and_answers(
    db, organiser, client, comment="Zyxwer fand den Workshop gut"
):
    world = _ended_congress()
    congress = world["congress"]
    person = factories.registration(
        congress, first_name="Zyxwer", last_name="Quonk", email="zyx.quonk@example.org"
    )
    _check_in(person, world["ws_a_door"])
    call = open_call(congress)
    submission = a_submission(
        congress,
        call,
        first_name="Zyxwer",
        last_name="Quonk",
        email="Zyx.Quonk@example.org",
        organisation_other="Quonk-Stiftung",
    )
    db.session.commit()
    questions = _build(organiser, congress)
    answered = client.post(
        f"/r/{person.manage_token}/survey",
        data=_answers(questions, [world["ws_a"]], comment=comment),
    )
    assert answered.status_code == 303
    return congress, person, submission


def test_the_export_holds_the_persons_contributions_and_survey_answers(
    app, db, staff_client, client
):
    organiser = staff_client("organiser")
    congress, person, submission = _person_with_a_contribution_and_answers(db, organiser, client)

    data = organiser.get(f"/admin/privacy/registrations/{person.id}/export.json").get_json()

    assert [c["title"] for c in data["contributions"]] == [submission.title]
    assert data["contributions"][0]["co_presenters"][0]["name"] == "Jonas Brandt"
    answers = {a["question"]: a["answer"] for a in data["survey_answers"]}
    assert answers["Wie zufrieden waren Sie mit dem Kongress?"] == 4
    assert answers["Was sollen wir verbessern?"] == "Zyxwer fand den Workshop gut"


def test_an_erasure_removes_their_contributions_senders_and_their_survey_answers(
    app, db, staff_client, client
):
    organiser = staff_client("organiser")
    congress, person, submission = _person_with_a_contribution_and_answers(db, organiser, client)
    old_link = submission.manage_token
    assert "zyxwer" in _every_stored_text(db)

    erased = organiser.post(
        f"/admin/privacy/registrations/{person.id}/erase", data={"confirm": "y"}
    )

    assert erased.status_code == 303
    db.session.expire_all()
    stored = _every_stored_text(db)
    for trace in ("zyxwer", "quonk", "zyx.quonk@example.org", "jonas@example.org"):
        assert trace not in stored, trace
    kept = db.session.get(Submission, submission.id)
    assert kept.title == "Patenschaften gut beenden"  # the programme keeps the contribution
    assert kept.manage_token != old_link
    assert db.session.scalars(select(SurveyResponse)).all() == []
    assert db.session.scalars(select(SurveyParticipation)).all() == []


def test_anonymising_an_edition_keeps_answers_and_contributions_without_their_people(
    app, db, staff_client, client
):
    from conference.agenda.models import Speaker
    from conference.core.time import utcnow

    organiser = staff_client("organiser")
    # Free text stays with the results (as in an anonymous survey), so here it names no one.
    congress, person, submission = _person_with_a_contribution_and_answers(
        db, organiser, client, comment="Mehr Pausen"
    )
    speaker = Speaker(congress_id=congress.id, name="Rednerin", email="rednerin@example.org")
    db.session.add(speaker)
    db.session.flush()
    db.session.add(SpeakerAccess(speaker_id=speaker.id, token="a" * 43))
    db.session.commit()

    privacy.anonymise_congress(congress, now=utcnow())
    db.session.commit()

    db.session.expire_all()
    stored = _every_stored_text(db)
    for trace in ("zyxwer", "quonk", "zyx.quonk@example.org", "jonas@example.org"):
        assert trace not in stored, trace
    response = db.session.execute(select(SurveyResponse)).scalar_one()
    assert response.registration_id is None and response.updated_at is None
    assert len(response.answers) > 0  # the results stay
    assert db.session.execute(select(CoPresenter.name)).scalars().all() == ["–"]
    assert db.session.scalars(select(SpeakerAccess)).all() == []
