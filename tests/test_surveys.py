"""Issue 18, points 6 to 8: the evaluation survey. Built by an organiser over HTTP, answered by
attendees through their personal link, per-session questions from their check-ins, anonymous
mode proven by reading every stored column, results, exports and the funder report."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import date, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select

from conference.agenda.models import SessionKind
from conference.checkin.models import CheckIn
from conference.core.models import AuditLog
from conference.extensions import db as _db
from conference.registration.models import Status
from conference.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from tests import factories


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _ended_congress(**fields):
    """A two-day congress that ended yesterday, with two plenaries, three workshops at their
    own checkpoints and the day entrances."""
    today = factories.venue_today()
    congress = factories.congress(starts_on=today - timedelta(days=2), days=2, **fields)
    day1, day2 = congress.starts_on, congress.ends_on
    world = {"congress": congress}
    world["opening"] = factories.session(
        congress, title="Eröffnungsplenum", kind=SessionKind.PLENARY, day=day1, start=time(9)
    )
    world["closing"] = factories.session(
        congress,
        title="Abschlussplenum",
        kind=SessionKind.PLENARY,
        day=day2,
        start=time(15),
        end=time(16),
    )
    phase = factories.phase(congress, day=day1)
    world["entrance1"] = factories.checkpoint(congress, code="day-1", day=day1)
    world["entrance2"] = factories.checkpoint(congress, code="day-2", day=day2)
    for name, title in (("ws_a", "Tandems gründen"), ("ws_b", "Gute Matches"), ("ws_c", "Recht")):
        workshop = factories.workshop(congress, phase, title=title)
        world[name] = workshop
        world[f"{name}_door"] = factories.checkpoint(
            congress, code=f"ws-{workshop.id}", day=day1, session_id=workshop.id
        )
    return world


def _check_in(person, *checkpoints):
    for checkpoint in checkpoints:
        _db.session.add(CheckIn(registration_id=person.id, checkpoint_id=checkpoint.id))
    _db.session.flush()


def _question(client, congress, **fields):
    data = {"kind": "rating", "text_de": "Frage", "low_de": "gar nicht", "high_de": "sehr"}
    data.update(fields)
    response = client.post(f"/admin/congresses/{congress.id}/survey/questions/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return _db.session.execute(
        select(SurveyQuestion).order_by(SurveyQuestion.id.desc()).limit(1)
    ).scalar_one()


def _build(client, congress, *, anonymous=False):
    """The survey as an organiser builds it in the browser."""
    settings = {"closes_on": (congress.ends_on + timedelta(days=14)).isoformat()}
    if anonymous:
        settings["anonymous"] = "y"
    assert client.post(f"/admin/congresses/{congress.id}/survey", data=settings).status_code == 303
    return {
        "overall": _question(
            client,
            congress,
            text_de="Wie zufrieden waren Sie mit dem Kongress?",
            text_en="How satisfied were you with the congress?",
            low_de="gar nicht zufrieden",
            low_en="not at all satisfied",
            high_de="sehr zufrieden",
            high_en="very satisfied",
        ),
        "session": _question(
            client,
            congress,
            text_de="Wie hilfreich war dieser Programmpunkt?",
            text_en="How helpful was this session?",
            low_de="gar nicht",
            high_de="sehr",
            per_session="y",
        ),
        "role": _question(
            client,
            congress,
            kind="single",
            text_de="Ihre Rolle",
            options_de="Pat:in\nMentee\nKoordination",
            options_en="Mentor\nMentee\nCoordination",
        ),
        "topics": _question(
            client,
            congress,
            kind="multiple",
            text_de="Welche Themen wünschen Sie sich?",
            options_de="Recht\nFinanzen\nEhrenamt",
        ),
        "comment": _question(client, congress, kind="text", text_de="Was sollen wir verbessern?"),
    }


def _answers(questions, sessions=(), *, overall="4", per_session="5", role=0, comment=""):
    q = questions
    data = {
        f"q{q['overall'].id}": overall,
        f"q{q['role'].id}": str(q["role"].options[role].id),
        f"q{q['topics'].id}": [str(q["topics"].options[0].id), str(q["topics"].options[2].id)],
        f"q{q['comment'].id}": comment,
    }
    for session in sessions:
        data[f"q{q['session'].id}-s{session.id}"] = per_session
    return data


def _session_headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="session-\d+">([^<]+)</h2>', html)


# --- building ---------------------------------------------------------------------------------


def test_organiser_builds_a_survey_with_every_kind_of_question(app, db, staff_client):
    client = staff_client("organiser")
    world = _ended_congress()
    db.session.commit()

    questions = _build(client, world["congress"])

    survey = db.session.execute(select(Survey)).scalar_one()
    assert survey.congress_id == world["congress"].id and survey.anonymous is False
    assert [q.kind for q in survey.questions] == ["rating", "rating", "single", "multiple", "text"]
    assert [q.per_session for q in survey.questions] == [False, True, False, False, False]
    assert questions["overall"].low_en == "not at all satisfied"
    assert [(o.label_de, o.label_en) for o in questions["role"].options] == [
        ("Pat:in", "Mentor"),
        ("Mentee", "Mentee"),
        ("Koordination", "Coordination"),
    ]
    page = client.get(f"/admin/congresses/{world['congress'].id}/survey").get_data(as_text=True)
    assert "Wie zufrieden waren Sie mit dem Kongress?" in page
    assert "Bewertung von 1 bis 5" in page and "pro Programmpunkt" in page
    assert {e.action for e in db.session.execute(select(AuditLog)).scalars()} >= {
        "survey.created",
        "survey.question_added",
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text_de": ""}, "text_de", "Bitte schreiben Sie die Frage auf Deutsch."),
        ({"low_de": ""}, "low_de", "Bitte nennen Sie, was 1 bedeutet"),
        ({"kind": "single", "options_de": "Nur eine"}, "options_de", "zwischen 2 und 20"),
        (
            {"kind": "single", "options_de": "A\nB", "options_en": "A"},
            "options_en",
            "so viele englische",
        ),
        ({"kind": "nonsense"}, "kind", "Not a valid choice"),
    ],
)
def test_a_bad_question_is_refused_beside_its_field_and_nothing_is_stored(
    app, db, staff_client, fields, field, message
):
    client = staff_client("organiser")
    world = _ended_congress()
    db.session.commit()
    data = {"kind": "rating", "text_de": "Frage", "low_de": "gar nicht", "high_de": "sehr"}
    data.update(fields)

    response = client.post(
        f"/admin/congresses/{world['congress'].id}/survey/questions/new", data=data
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    if field != "kind":
        assert f'id="{field}-error"' in page
        assert message in page
    assert db.session.scalar(select(func.count(SurveyQuestion.id))) == 0


def test_closing_before_the_congress_ends_is_refused(app, db, staff_client):
    client = staff_client("organiser")
    world = _ended_congress()
    db.session.commit()
    too_early = world["congress"].ends_on - timedelta(days=1)

    response = client.post(
        f"/admin/congresses/{world['congress'].id}/survey", data={"closes_on": too_early}
    )

    assert response.status_code == 400
    assert "Die Umfrage kann nicht vor dem Ende des Kongresses schließen." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_once_people_answered_questions_can_be_reworded_but_not_changed_in_kind(
    app, db, staff_client, client
):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"])
    _check_in(person, world["entrance1"])
    db.session.commit()
    questions = _build(organiser, world["congress"])
    client.post(f"/r/{person.manage_token}/survey", data=_answers(questions))
    base = f"/admin/congresses/{world['congress'].id}/survey"
    overall = questions["overall"]

    reworded = organiser.post(
        f"{base}/questions/{overall.id}",
        data={
            "kind": "rating",
            "text_de": "Wie gut war es?",
            "low_de": "schlecht",
            "high_de": "gut",
        },
    )
    to_text = organiser.post(
        f"{base}/questions/{overall.id}", data={"kind": "text", "text_de": "Wie gut war es?"}
    )
    deleted = organiser.post(f"{base}/questions/{overall.id}/delete")
    added = organiser.post(f"{base}/questions/new", data={"kind": "text", "text_de": "Neu"})
    anonymous = organiser.post(
        base, data={"closes_on": world["congress"].ends_on.isoformat(), "anonymous": "y"}
    )

    assert reworded.status_code == 303
    assert to_text.status_code == 409 and added.status_code == 409 and anonymous.status_code == 409
    assert "Personen haben die Umfrage schon beantwortet" in to_text.get_data(as_text=True)
    assert deleted.status_code == 303  # back to the list, with the refusal as its message
    db.session.expire_all()
    stored = db.session.get(SurveyQuestion, overall.id)
    assert (stored.kind, stored.text_de) == ("rating", "Wie gut war es?")
    assert db.session.scalar(select(func.count(SurveyQuestion.id))) == 5
    assert db.session.execute(select(Survey.anonymous)).scalar_one() is False


def test_questions_move_up_and_down(app, db, staff_client):
    client = staff_client("organiser")
    world = _ended_congress()
    db.session.commit()
    questions = _build(client, world["congress"])
    base = f"/admin/congresses/{world['congress'].id}/survey/questions"

    client.post(f"{base}/{questions['comment'].id}/move", data={"direction": "up"})
    bad = client.post(f"{base}/{questions['comment'].id}/move", data={"direction": "sideways"})

    assert bad.status_code == 400
    db.session.expire_all()
    survey = db.session.execute(select(Survey)).scalar_one()
    assert [q.kind for q in survey.questions] == ["rating", "rating", "single", "text", "multiple"]


def test_survey_pages_are_for_organisers_only(app, db, staff_client, client):
    world = _ended_congress()
    db.session.commit()
    path = f"/admin/congresses/{world['congress'].id}/survey"

    assert client.get(path).status_code in (302, 401)
    assert staff_client("coordinator").get(path).status_code == 403
    assert staff_client("checkin").get(path + "/results").status_code == 403
    assert staff_client("organiser").get("/admin/congresses/999999/survey").status_code == 404


# --- who is asked what -----------------------------------------------------------------------


def test_an_attendee_checked_in_at_two_workshops_is_asked_about_exactly_those_two(
    app, db, staff_client, client
):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"], language="de")
    _check_in(person, world["entrance1"], world["ws_a_door"], world["ws_b_door"])
    db.session.commit()
    questions = _build(organiser, world["congress"])

    page = client.get(f"/r/{person.manage_token}/survey")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Day 1's plenary (the person was there that day) and their two workshops, in time order;
    # not the third workshop and not day 2's plenary.
    assert _session_headings(html) == ["Eröffnungsplenum", "Tandems gründen", "Gute Matches"]
    per_session = re.findall(rf'name="(q{questions["session"].id}-s\d+)"', html)
    assert sorted(set(per_session)) == sorted(
        f"q{questions['session'].id}-s{s.id}"
        for s in (world["opening"], world["ws_a"], world["ws_b"])
    )
    assert html.count(f'name="q{questions["overall"].id}"') == 6  # 1..5 and "no answer"


def test_an_answer_about_a_session_the_person_did_not_attend_is_refused(
    app, db, staff_client, client
):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"])
    _check_in(person, world["ws_a_door"])
    db.session.commit()
    questions = _build(organiser, world["congress"])
    data = _answers(questions, [world["ws_a"]])
    data[f"q{questions['session'].id}-s{world['ws_c'].id}"] = "1"  # never there
    data[f"q{questions['overall'].id}"] = "7"

    response = client.post(f"/r/{person.manage_token}/survey", data=data)

    assert response.status_code == 400
    assert "Bitte wählen Sie eine Zahl von 1 bis 5." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 0
    data[f"q{questions['overall'].id}"] = "4"
    assert client.post(f"/r/{person.manage_token}/survey", data=data).status_code == 303
    sessions = db.session.scalars(
        select(SurveyAnswer.session_id).where(SurveyAnswer.session_id.is_not(None))
    ).all()
    assert sessions == [world["ws_a"].id]  # the answer about workshop C was not taken


@pytest.mark.parametrize(
    "who",
    ["never_checked_in", "cancelled"],
)
def test_only_people_who_attended_may_answer(app, db, staff_client, client, who):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"])
    if who == "cancelled":
        _check_in(person, world["entrance1"])
        person.status = Status.CANCELLED
    db.session.commit()
    questions = _build(organiser, world["congress"])

    page = client.get(f"/r/{person.manage_token}/survey")
    sent = client.post(f"/r/{person.manage_token}/survey", data=_answers(questions))

    assert page.status_code == 403 and sent.status_code == 403
    assert "Die Umfrage richtet sich an die Menschen" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_the_survey_opens_when_the_congress_ends_and_closes_after_its_closing_day(
    app, db, staff_client, client
):
    organiser = staff_client("organiser")
    upcoming = factories.congress()
    person = factories.registration(upcoming)
    _check_in(person, factories.checkpoint(upcoming))
    world = _ended_congress(current=False)
    late = factories.registration(world["congress"])
    _check_in(late, world["entrance1"])
    db.session.commit()
    _build(organiser, upcoming)
    _build(organiser, world["congress"])
    survey = db.session.execute(
        select(Survey).where(Survey.congress_id == world["congress"].id)
    ).scalar_one()
    survey.closes_on = world["congress"].ends_on
    db.session.commit()

    early = client.get(f"/r/{person.manage_token}/survey")
    closed = client.get(f"/r/{late.manage_token}/survey")

    assert early.status_code == 409
    assert "Die Umfrage öffnet, wenn der Kongress endet." in early.get_data(as_text=True)
    assert closed.status_code == 409
    assert "Die Umfrage ist geschlossen." in closed.get_data(as_text=True)
    assert "Umfrage" not in client.get(f"/r/{late.manage_token}").get_data(as_text=True)


def test_the_manage_page_invites_to_the_survey_and_then_thanks(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"])
    _check_in(person, world["entrance1"])
    db.session.commit()
    questions = _build(organiser, world["congress"])

    before = client.get(f"/r/{person.manage_token}").get_data(as_text=True)
    client.post(f"/r/{person.manage_token}/survey", data=_answers(questions))
    after = client.get(f"/r/{person.manage_token}").get_data(as_text=True)

    assert "Umfrage beantworten" in before
    assert f"/r/{person.manage_token}/survey" in before
    assert "Vielen Dank für Ihre Antworten." in after and "Meine Antworten ändern" in after


# --- answering ---------------------------------------------------------------------------------


def test_one_answer_set_per_person_editable_until_the_survey_closes(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"])
    _check_in(person, world["ws_a_door"])
    db.session.commit()
    questions = _build(organiser, world["congress"])
    path = f"/r/{person.manage_token}/survey"

    first = client.post(path, data=_answers(questions, [world["ws_a"]], overall="2"))
    second = client.post(path, data=_answers(questions, [world["ws_a"]], overall="5", role=1))
    page = client.get(path).get_data(as_text=True)

    assert first.status_code == second.status_code == 303
    response = db.session.execute(select(SurveyResponse)).scalar_one()
    assert response.registration_id == person.id
    ratings = dict(
        db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.rating).where(
                SurveyAnswer.rating.is_not(None), SurveyAnswer.session_id.is_(None)
            )
        ).all()
    )
    assert ratings == {questions["overall"].id: 5}
    assert db.session.scalar(select(func.count(SurveyParticipation.survey_id))) == 1
    overall = questions["overall"].id
    assert f'id="q{overall}-5" name="q{overall}" value="5" checked' in page
    assert f'value="{questions["role"].options[1].id}" checked' in page
    assert "Meine geänderten Antworten speichern" in page


def test_an_empty_answer_set_is_refused_with_a_message(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"])
    _check_in(person, world["entrance1"])
    db.session.commit()
    questions = _build(organiser, world["congress"])

    response = client.post(
        f"/r/{person.manage_token}/survey", data={f"q{questions['overall'].id}": ""}
    )

    assert response.status_code == 400
    assert "Bitte beantworten Sie mindestens eine Frage." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyParticipation.survey_id))) == 0


def test_the_form_is_in_the_persons_language(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"], language="en")
    _check_in(person, world["entrance1"])
    db.session.commit()
    _build(organiser, world["congress"])

    html = client.get(f"/r/{person.manage_token}/survey?lang=en").get_data(as_text=True)

    assert "How satisfied were you with the congress?" in html
    assert "1 – not at all satisfied" in html and "5 – very satisfied" in html
    assert "Coordination" in html
    assert "Was sollen wir verbessern?" in html  # no English text: the German one


# --- anonymous ---------------------------------------------------------------------------------


def _every_stored_value() -> list[tuple[str, str, object]]:
    """Every column of every row of every table the survey writes."""
    values = []
    for model in (
        Survey,
        SurveyQuestion,
        SurveyOption,
        SurveyParticipation,
        SurveyResponse,
        SurveyAnswer,
    ):
        for row in _db.session.execute(select(model)).scalars():
            for column in inspect(model).columns:
                values.append((model.__tablename__, column.name, getattr(row, column.key)))
    return values


def test_an_anonymous_survey_stores_no_link_to_the_person(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world = _ended_congress()
    people = [factories.registration(world["congress"]) for _ in range(2)]
    for person in people:
        _check_in(person, world["entrance1"], world["ws_a_door"])
    db.session.commit()
    questions = _build(organiser, world["congress"], anonymous=True)
    ids = {p.id for p in people}
    before = db.session.scalar(select(func.count(AuditLog.id)))

    for person in people:
        sent = client.post(
            f"/r/{person.manage_token}/survey",
            data=_answers(questions, [world["ws_a"]], comment="Mehr Pausen"),
        )
        assert sent.status_code == 303
    again = client.post(f"/r/{people[0].manage_token}/survey", data=_answers(questions))

    assert again.status_code == 409
    assert "Anonyme Antworten können nicht geändert werden." in again.get_data(as_text=True)
    # Only the fact that they answered: one row per person with nothing but the two keys.
    participation = db.session.execute(select(SurveyParticipation)).scalars().all()
    assert {p.registration_id for p in participation} == ids
    assert [c.name for c in inspect(SurveyParticipation).columns] == [
        "survey_id",
        "registration_id",
    ]
    # Every other stored value: no registration id, no token, no name, no time of answering.
    responses = db.session.execute(select(SurveyResponse)).scalars().all()
    assert len(responses) == 2
    assert all(r.registration_id is None and r.updated_at is None for r in responses)
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.id) for r in responses)  # random, not a sequence
    secrets = {p.manage_token for p in people} | {p.email for p in people}
    secrets |= {p.last_name for p in people}
    for table, column, value in _every_stored_value():
        if table == "survey_participation":
            continue
        assert str(value) not in secrets, (table, column)
        if column in ("registration_id", "updated_at") and table.startswith("survey_"):
            assert value is None or table == "survey", (table, column)
    # The answers themselves are all there, and the audit log did not note who answered when.
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 2 * 6
    assert db.session.scalar(select(func.count(AuditLog.id))) == before
    page = client.get(f"/r/{people[1].manage_token}/survey").get_data(as_text=True)
    assert "ohne Verbindung zu Ihnen gespeichert" in page and 'class="survey-form"' not in page


# --- results -------------------------------------------------------------------------------------


def _answered_survey(db, organiser, client, *, anonymous=False, texts=5):
    """Four attendees answered, a fifth attended and did not; free text from ``texts`` people
    (more attendees are added for that)."""
    world = _ended_congress()
    congress = world["congress"]
    people = [factories.registration(congress) for _ in range(max(5, texts + 1))]
    for person in people:
        _check_in(person, world["entrance1"], world["ws_a_door"])
    _check_in(people[0], world["ws_b_door"])
    factories.registration(congress)  # registered, never came: not counted
    db.session.commit()
    questions = _build(organiser, congress, anonymous=anonymous)
    plan = [("5", "5", 0), ("4", "3", 0), ("4", "4", 1), ("2", "", 2)]
    for n, person in enumerate(people[:-1]):
        overall, per_session, role = plan[n % 4]
        comment = f"Anmerkung {n}" if n < texts else ""
        data = _answers(
            questions, [world["ws_a"]], overall=overall, per_session=per_session, role=role,
            comment=comment,
        )  # fmt: skip
        if n == 0:
            data[f"q{questions['session'].id}-s{world['ws_b'].id}"] = "1"
        assert client.post(f"/r/{person.manage_token}/survey", data=data).status_code == 303
    return world, questions, len(people) - 1, len(people)


def _section(html: str, question) -> str:
    return html.split(f'id="result-{question.id}"')[1].split("</section>")[0]


def _results_row(html: str, label: str) -> str | None:
    found = re.search(
        rf'<tr><th scope="row">{re.escape(label)}</th><td class="num">([^<]+)</td>', html
    )
    return found.group(1) if found else None


def test_answers_show_up_in_the_results_with_the_right_counts(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world, questions, answered, attended = _answered_survey(db, organiser, client, texts=4)

    response = organiser.get(f"/admin/congresses/{world['congress'].id}/survey/results")

    assert response.status_code == 200
    html = response.get_data(as_text=True).replace("\xa0", " ")
    assert answered == 4 and attended == 5
    assert "<strong>4</strong> beantwortet" in html
    assert "<strong>5</strong> teilgenommen (eingecheckt)" in html
    assert "<strong>80 %</strong> Rücklaufquote" in html
    section = _section(html, questions["overall"])
    assert "n = 4" in section and "Mittelwert 3,75" in section
    assert [_results_row(section, str(r)) for r in range(1, 6)] == ["0", "1", "0", "2", "1"]
    assert 'role="img"' in section and "<title" in section  # the chart, with the numbers beside
    role = _section(html, questions["role"])
    assert [_results_row(role, label) for label in ("Pat:in", "Mentee", "Koordination")] == [
        "2",
        "1",
        "1",
    ]
    topics = _section(html, questions["topics"])
    assert [_results_row(topics, label) for label in ("Recht", "Finanzen", "Ehrenamt")] == [
        "4",
        "0",
        "4",
    ]
    per_session = _section(html, questions["session"])
    # Workshop A: 5, 3, 4 (one left it empty): n 3, mean 4; workshop B: one answer, 1.
    assert re.search(r"Tandems gründen</th><td[^>]*>3</td><td[^>]*>4</td>", per_session)
    assert re.search(r"Gute Matches</th><td[^>]*>1</td><td[^>]*>1</td>", per_session)
    comment = _section(html, questions["comment"])
    assert "Anmerkung" not in comment  # four answers: fewer than five, not shown
    assert "4 Antworten werden nicht gezeigt" in comment


def test_free_text_is_shown_once_five_people_answered(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world, questions, _answered, _attended = _answered_survey(db, organiser, client, texts=5)

    html = organiser.get(f"/admin/congresses/{world['congress'].id}/survey/results").get_data(
        as_text=True
    )

    comment = _section(html, questions["comment"])
    assert [f"Anmerkung {n}" in comment for n in range(5)] == [True] * 5


def test_the_results_page_costs_the_same_queries_for_few_and_many_answers(
    app, db, staff_client, client, count_queries
):
    organiser = staff_client("organiser")
    world, _q, _a, _t = _answered_survey(db, organiser, client, texts=1)
    path = f"/admin/congresses/{world['congress'].id}/survey/results"
    organiser.get(path)
    with count_queries() as few:
        organiser.get(path)
    more = [factories.registration(world["congress"]) for _ in range(6)]
    for person in more:
        _check_in(person, world["entrance1"], world["ws_a_door"], world["ws_b_door"])
    db.session.commit()
    questions = db.session.execute(select(Survey)).scalar_one().questions
    for person in more:
        data = {f"q{questions[0].id}": "3", f"q{questions[1].id}-s{world['ws_b'].id}": "2"}
        client.post(f"/r/{person.manage_token}/survey", data=data)

    with count_queries() as many:
        organiser.get(path)

    assert len(many) == len(few)


def test_results_export_as_csv_and_xlsx_without_small_free_text_groups(
    app, db, staff_client, client
):
    organiser = staff_client("organiser")
    world, questions, _answered, _attended = _answered_survey(db, organiser, client, texts=4)
    base = f"/admin/congresses/{world['congress'].id}/survey/results"

    csv_response = organiser.get(base + ".csv")
    xlsx_response = organiser.get(base + ".xlsx")

    assert csv_response.status_code == 200 and xlsx_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Antwortbogen", "Frage", "Programmpunkt", "Antwort"]
    overall = [r for r in rows[1:] if r[1] == "Wie zufrieden waren Sie mit dem Kongress?"]
    assert sorted(r[3] for r in overall) == ["2", "4", "4", "5"]
    assert {r[0] for r in rows[1:]} == {"1", "2", "3", "4"}
    assert [r[1:] for r in rows if r[2] == "Gute Matches"] == [
        ["Wie hilfreich war dieser Programmpunkt?", "Gute Matches", "1"]
    ]
    assert not [r for r in rows if r[3].startswith("Anmerkung")]
    sheet = load_workbook(io.BytesIO(xlsx_response.data)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == ("Antwortbogen", "Frage", "Programmpunkt", "Antwort")
    assert len(cells) == len(rows)
    assert organiser.get(base + ".pdf").status_code == 404


def test_the_funder_report_has_the_surveys_response_rate_and_ratings(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world, _questions, _answered, _attended = _answered_survey(db, organiser, client, texts=1)

    response = organiser.get(f"/admin/dashboard/report.pdf?congress={world['congress'].id}")

    assert response.status_code == 200
    text = " ".join(pdf_text(response.data).replace("\xa0", " ").split())
    assert "Evaluationsbefragung" in text
    assert (
        "4 von 5 Teilnehmenden haben die Umfrage beantwortet: eine Rücklaufquote von 80 %." in text
    )
    assert "Wie zufrieden waren Sie mit dem Kongress? 4 3,75 75 %" in text


def test_the_funder_report_without_a_survey_has_no_survey_chapter(app, db, staff_client):
    organiser = staff_client("organiser")
    world = _ended_congress()
    db.session.commit()

    response = organiser.get(f"/admin/dashboard/report.pdf?congress={world['congress'].id}")

    assert response.status_code == 200
    assert "Evaluationsbefragung" not in pdf_text(response.data)


def test_deleting_an_edition_deletes_its_survey(app, db, staff_client, client):
    organiser = staff_client("organiser")
    world, _questions, _answered, _attended = _answered_survey(db, organiser, client, texts=1)
    world["congress"].is_current = False  # so that it may go
    congress_id = world["congress"].id
    db.session.execute(
        CheckIn.__table__.delete()
    )  # an edition with registrations cannot be deleted: remove them as a test shortcut
    from conference.registration.models import Registration

    db.session.execute(
        Registration.__table__.delete().where(Registration.congress_id == congress_id)
    )
    db.session.commit()

    response = organiser.post(f"/admin/congresses/{congress_id}/delete", data={"confirm": "y"})

    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Survey.id))) == 0
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 0


def test_the_default_closing_day_is_three_weeks_after_the_congress(app, db, staff_client):
    client = staff_client("organiser")
    world = _ended_congress()
    db.session.commit()

    html = client.get(f"/admin/congresses/{world['congress'].id}/survey").get_data(as_text=True)

    expected: date = world["congress"].ends_on + timedelta(days=21)
    assert f'value="{expected.isoformat()}"' in html


@pytest.mark.parametrize("anonymous", [True, False])
def test_parallel_submissions_of_one_person_store_one_answer_set(app, db, staff_client, anonymous):
    import threading

    organiser = staff_client("organiser")
    world = _ended_congress()
    person = factories.registration(world["congress"])
    _check_in(person, world["entrance1"])
    db.session.commit()
    questions = _build(organiser, world["congress"], anonymous=anonymous)
    data = _answers(questions)
    token = person.manage_token
    db.session.close()  # the threads' requests must not wait for this thread's transaction
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def send():
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/r/{token}/survey", data=data)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == ([303] + [409] * 3 if anonymous else [303] * 4)
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1
    assert db.session.scalar(select(func.count(SurveyParticipation.survey_id))) == 1
    assert (
        db.session.scalar(
            select(func.count(SurveyAnswer.id)).where(
                SurveyAnswer.question_id == questions["overall"].id
            )
        )
        == 1
    )
