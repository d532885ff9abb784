"""Registration questions (issue 17, points 1-4): organisers add, edit, reorder and archive
questions per edition; they appear on every registration form, are validated on the server
(conditions included), and their answers reach exports, import, portal, privacy and the
dashboard."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from conference.core.time import utcnow
from conference.questions import engine, services
from conference.questions.models import (
    Question,
    QuestionKind,
    QuestionOption,
    RegistrationAnswer,
    RegistrationAnswerChoice,
)
from conference.questions.registrations import TABLES
from conference.registration.models import Registration, Status
from tests import factories
from tests.test_registration import form_data


def ask(congress, kind=QuestionKind.SINGLE_CHOICE, text="Welches Thema?", options=(), **fields):
    """A question made through the organisers' service."""
    data = services.QuestionData(
        kind=kind,
        text_de=text,
        text_en=fields.pop("text_en", ""),
        options=[services.OptionData(None, de, en) for de, en in options],
        **fields,
    )
    return services.save_question(congress, data, actor="test", now=utcnow())


TOPICS = [("Patenschaften", "Sponsorships"), ("Tandems", "Tandems"), ("Finanzen", "Funding")]


def _option(question, german: str) -> QuestionOption:
    return next(o for o in question.options if o.text_de == german)


def _answers(db, registration_id: int) -> dict[int, object]:
    questions = list(db.session.execute(select(Question)).scalars())
    return services.stored_answers(TABLES, [registration_id], questions).get(registration_id, {})


def _registration(db, email="anna@example.org") -> Registration:
    return db.session.execute(select(Registration).where(Registration.email == email)).scalar_one()


def _new_question_form(**fields) -> dict:
    data = {"kind": "single_choice", "text_de": "", "text_en": "", "condition": ""}
    data.update(fields)
    return data


# --- the "Done when" points -------------------------------------------------------------------


def test_a_choice_question_created_over_http_appears_on_register_by_its_label(
    client, db, staff_client
):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    created = organiser.post(
        f"/admin/congresses/{congress.id}/questions/new",
        data=_new_question_form(
            text_de="Welches Thema führt Sie zum Kongress?",
            text_en="Which topic brings you to the congress?",
            **{
                "options-0-id": "",
                "options-0-text_de": "Patenschaften",
                "options-0-text_en": "Sponsorships",
                "options-1-id": "",
                "options-1-text_de": "Tandems begleiten",
                "options-1-text_en": "",
                "options-2-id": "",
                "options-2-text_de": "",
                "options-2-text_en": "",
            },
        ),
    )
    german = client.get("/register").get_data(as_text=True)
    english = client.get("/register?lang=en").get_data(as_text=True)

    question = db.session.execute(select(Question)).scalar_one()
    first, second = question.options
    assert created.status_code == 303
    assert created.headers["Location"].endswith(f"/questions#question-{question.id}")
    assert "<legend>Welches Thema führt Sie zum Kongress?</legend>" in german
    assert f'<label for="question-{question.id}-1">Patenschaften</label>' in german
    assert f'<label for="question-{question.id}-2">Tandems begleiten</label>' in german
    assert f'name="question-{question.id}" value="{first.id}"' in german
    assert "<legend>Which topic brings you to the congress?</legend>" in english
    assert ">Sponsorships</label>" in english and ">Tandems begleiten</label>" in english


def test_a_registration_answering_it_shows_the_answer_in_the_csv_export_under_its_heading(
    client, db, staff_client
):
    congress = factories.congress()
    question = ask(congress, text="Welches Thema führt Sie zum Kongress?", options=TOPICS)
    db.session.commit()

    response = client.post(
        "/register",
        data=form_data(
            congress, **{f"question-{question.id}": str(_option(question, "Tandems").id)}
        ),
    )
    exported = (
        staff_client("organiser").get("/admin/registrations/export.csv").data.decode("utf-8-sig")
    )

    header, row = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert response.status_code == 302
    assert header[-1] == "Welches Thema führt Sie zum Kongress?"
    assert row[-1] == "Tandems"


def test_a_required_question_left_empty_is_refused_beside_its_field(client, db):
    congress = factories.congress()
    question = ask(congress, QuestionKind.SHORT_TEXT, "Ihr Lieblingsthema", required=True)
    db.session.commit()

    response = client.post("/register", data=form_data(congress))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        f'<p class="error" id="question-{question.id}-error">Bitte beantworten Sie diese Frage.</p>'
        in page
    )
    assert f'aria-describedby="question-{question.id}-error"' in page
    assert "Bitte korrigieren Sie die markierten Felder." in page
    assert db.session.execute(select(func.count()).select_from(Registration)).scalar_one() == 0


def test_a_conditional_question_is_ignored_when_its_condition_is_not_met(client, db):
    congress = factories.congress()
    childcare = ask(congress, QuestionKind.YES_NO, "Brauchen Sie eine Kinderbetreuung?")
    yes, no = childcare.options
    children = ask(
        congress,
        QuestionKind.NUMBER,
        "Für wie viele Kinder?",
        required=True,
        min_value=1,
        max_value=6,
        condition_option_id=yes.id,
    )
    db.session.commit()

    response = client.post(
        "/register",
        data=form_data(
            congress,
            **{f"question-{childcare.id}": str(no.id), f"question-{children.id}": "99"},
        ),
    )

    registration = _registration(db)
    assert response.status_code == 302
    assert _answers(db, registration.id) == {childcare.id: (no.id,)}


def test_a_conditional_question_is_asked_and_checked_when_its_condition_is_met(client, db):
    congress = factories.congress()
    childcare = ask(congress, QuestionKind.YES_NO, "Brauchen Sie eine Kinderbetreuung?")
    yes = childcare.options[0]
    children = ask(
        congress,
        QuestionKind.NUMBER,
        "Für wie viele Kinder?",
        required=True,
        min_value=1,
        max_value=6,
        condition_option_id=yes.id,
    )
    db.session.commit()

    missing = client.post(
        "/register", data=form_data(congress, **{f"question-{childcare.id}": str(yes.id)})
    )
    too_many = client.post(
        "/register",
        data=form_data(
            congress, **{f"question-{childcare.id}": str(yes.id), f"question-{children.id}": "9"}
        ),
    )
    fine = client.post(
        "/register",
        data=form_data(
            congress, **{f"question-{childcare.id}": str(yes.id), f"question-{children.id}": "2"}
        ),
    )

    assert missing.status_code == 400
    assert "Bitte beantworten Sie diese Frage." in missing.get_data(as_text=True)
    assert too_many.status_code == 400
    assert "Bitte geben Sie eine Zahl von 1 bis 6 ein." in too_many.get_data(as_text=True)
    assert fine.status_code == 302
    assert _answers(db, _registration(db).id) == {childcare.id: (yes.id,), children.id: 2}


# --- validation of each type ------------------------------------------------------------------


def test_each_type_is_validated_on_the_server_with_the_problem_beside_its_field(client, db):
    congress = factories.congress()
    day = ask(congress, QuestionKind.DATE, "Anreisetag")
    count = ask(congress, QuestionKind.NUMBER, "Anzahl", min_value=0)
    topic = ask(congress, options=TOPICS)
    several = ask(congress, QuestionKind.MULTIPLE_CHOICE, "Sprachen", options=TOPICS)
    note = ask(congress, QuestionKind.SHORT_TEXT, "Notiz")
    db.session.commit()

    response = client.post(
        "/register",
        data=form_data(
            congress,
            **{
                f"question-{day.id}": "31.02.2027",
                f"question-{count.id}": "zwei",
                f"question-{topic.id}": [str(topic.options[0].id), str(topic.options[1].id)],
                f"question-{several.id}": [str(several.options[0].id), "999"],
                f"question-{note.id}": "x" * 201,
            },
        ),
    )

    page = response.get_data(as_text=True)

    def error(question):
        found = re.search(rf'id="question-{question.id}-error">([^<]*)<', page)
        return found.group(1) if found else None

    assert response.status_code == 400
    assert error(day) == "Bitte geben Sie ein Datum ein, zum Beispiel 18.11.2027."
    assert error(count) == "Bitte geben Sie eine ganze Zahl ein, zum Beispiel 2."
    assert error(topic) == "Bitte wählen Sie nur eine Antwort."
    assert error(several) == "Bitte wählen Sie eine der angebotenen Antworten."
    assert error(note) == "Bitte kürzen Sie Ihre Antwort auf 200 Zeichen."
    assert 'value="zwei"' in page  # what was typed stays in the form


def test_valid_answers_of_every_type_are_stored_and_shown_to_the_attendee(client, db):
    congress = factories.congress()
    day = ask(congress, QuestionKind.DATE, "Anreisetag")
    count = ask(congress, QuestionKind.NUMBER, "Anzahl")
    several = ask(congress, QuestionKind.MULTIPLE_CHOICE, "Sprachen", options=TOPICS)
    story = ask(congress, QuestionKind.LONG_TEXT, "Ihre Geschichte")
    db.session.commit()

    client.post(
        "/register",
        data=form_data(
            congress,
            **{
                f"question-{day.id}": "2027-11-17",
                f"question-{count.id}": "-3",
                f"question-{several.id}": [str(several.options[2].id), str(several.options[0].id)],
                f"question-{story.id}": "  Zeile eins\r\nZeile zwei  ",
            },
        ),
    )
    registration = _registration(db)
    registration.status = Status.CONFIRMED
    registration.congress.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/r/{registration.manage_token}").get_data(as_text=True)

    assert _answers(db, registration.id) == {
        day.id: date(2027, 11, 17),
        count.id: -3,
        several.id: (several.options[0].id, several.options[2].id),
        story.id: "Zeile eins\nZeile zwei",
    }
    assert "<dt>Sprachen</dt><dd>Patenschaften, Finanzen</dd>" in page
    assert "<dt>Anreisetag</dt><dd>17.11.2027</dd>" in page


# --- the attendee's manage page ---------------------------------------------------------------


def test_the_manage_page_edits_the_answers_while_registration_is_open(client, db):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    note = ask(congress, QuestionKind.SHORT_TEXT, "Notiz", required=True)
    person = factories.registration(congress)
    db.session.commit()

    page = client.get(f"/r/{person.manage_token}").get_data(as_text=True)
    refused = client.post(
        f"/r/{person.manage_token}/answers", data={f"question-{topic.id}": str(topic.options[1].id)}
    )
    saved = client.post(
        f"/r/{person.manage_token}/answers",
        data={f"question-{topic.id}": str(topic.options[1].id), f"question-{note.id}": "Hallo"},
    )

    assert f'action="/r/{person.manage_token}/answers"' in page
    assert refused.status_code == 400
    assert "Bitte beantworten Sie diese Frage." in refused.get_data(as_text=True)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/r/{person.manage_token}#answers")
    assert _answers(db, person.id) == {topic.id: (topic.options[1].id,), note.id: "Hallo"}


def test_after_registration_closes_the_answers_can_be_read_but_not_changed(client, db):
    congress = factories.congress(registration_closes_at=datetime.now(UTC) - timedelta(hours=1))
    topic = ask(congress, options=TOPICS)
    person = factories.registration(congress)
    services.store_answers(TABLES, person.id, [topic], {topic.id: (topic.options[0].id,)})
    db.session.commit()

    page = client.get(f"/r/{person.manage_token}").get_data(as_text=True)
    response = client.post(
        f"/r/{person.manage_token}/answers", data={f"question-{topic.id}": str(topic.options[1].id)}
    )

    assert f"/r/{person.manage_token}/answers" not in page
    assert "<dt>Welches Thema?</dt><dd>Patenschaften</dd>" in page
    assert response.status_code == 409
    assert "Die Anmeldung ist geschlossen" in response.get_data(as_text=True)
    assert _answers(db, person.id) == {topic.id: (topic.options[0].id,)}


def test_a_cancelled_registration_cannot_change_its_answers(client, db):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    person = factories.registration(congress, status=Status.CANCELLED)
    db.session.commit()

    response = client.post(
        f"/r/{person.manage_token}/answers", data={f"question-{topic.id}": str(topic.options[1].id)}
    )

    assert response.status_code == 409
    assert "Diese Anmeldung ist storniert" in response.get_data(as_text=True)
    assert _answers(db, person.id) == {}


# --- the organisers' add, edit and detail ------------------------------------------------------


def test_organisers_add_and_edit_answers_and_see_them_in_the_detail(db, staff_client):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    note = ask(congress, QuestionKind.SHORT_TEXT, "Notiz", required=True)
    db.session.commit()
    organiser = staff_client("organiser")

    form = organiser.get("/admin/registrations/new").get_data(as_text=True)
    added = organiser.post(
        "/admin/registrations/new",
        data=form_data(
            congress, mode="confirmed", **{f"question-{topic.id}": str(topic.options[2].id)}
        ),
    )
    registration = _registration(db)
    edited = organiser.post(
        f"/admin/registrations/{registration.id}/edit",
        data=form_data(
            congress,
            **{
                f"question-{topic.id}": str(topic.options[1].id),
                f"question-{note.id}": "Rollstuhl",
            },
        ),
    )
    detail = organiser.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
    history = re.sub(r"<[^>]+>", "", detail)

    assert f'name="question-{topic.id}"' in form and f'name="question-{note.id}"' in form
    assert added.status_code == 302  # required questions do not bind organisers
    assert edited.status_code == 302
    assert "<dt>Welches Thema?</dt><dd>Tandems</dd>" in detail
    assert "<dt>Notiz</dt><dd>Rollstuhl</dd>" in detail
    assert "hat die Antworten von Anna Schmidt auf „Welches Thema?“, „Notiz“ geändert." in history


# --- exports, import, portal, privacy, dashboard ----------------------------------------------


def test_the_xlsx_export_has_a_column_per_question_with_real_numbers_and_dates(db, staff_client):
    congress = factories.congress()
    count = ask(congress, QuestionKind.NUMBER, "Anzahl Kinder", text_en="Number of children")
    day = ask(congress, QuestionKind.DATE, "Anreise", text_en="Arrival")
    person = factories.registration(congress, last_name="Berg")
    factories.registration(congress, last_name="Zorn")
    services.store_answers(
        TABLES, person.id, [count, day], {count.id: 2, day.id: date(2027, 11, 17)}
    )
    db.session.commit()
    organiser = staff_client("organiser")

    german = load_workbook(
        io.BytesIO(organiser.get("/admin/registrations/export.xlsx").data)
    ).active
    english = organiser.get("/admin/registrations/export.csv?lang=en").data.decode("utf-8-sig")

    rows = list(german.iter_rows(values_only=True))
    assert rows[0][-2:] == ("Anzahl Kinder", "Anreise")
    assert rows[1][-2] == 2
    assert rows[1][-1] == datetime(2027, 11, 17)
    assert rows[2][-2:] == (None, None)
    assert english.splitlines()[0].endswith(";Number of children;Arrival")


def test_the_export_reads_all_answers_in_the_same_number_of_queries(
    db, staff_client, count_queries
):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    note = ask(congress, QuestionKind.SHORT_TEXT, "Notiz")
    organiser = staff_client("organiser")

    def export_with(people: int) -> int:
        for _ in range(people):
            person = factories.registration(congress)
            services.store_answers(
                TABLES, person.id, [topic, note], {topic.id: (topic.options[0].id,), note.id: "x"}
            )
        db.session.commit()
        with count_queries() as queries:
            organiser.get("/admin/registrations/export.csv")
        return len(queries)

    assert export_with(1) == export_with(3)


def test_the_csv_import_reads_answers_back_by_the_questions_heading(db, staff_client):
    congress = factories.congress()
    topic = ask(congress, text="Welches Thema?", text_en="Which topic?", options=TOPICS)
    several = ask(congress, QuestionKind.MULTIPLE_CHOICE, "Sprachen", options=TOPICS)
    childcare = ask(congress, QuestionKind.YES_NO, "Kinderbetreuung")
    db.session.commit()
    organiser = staff_client("organiser")
    content = (
        "Vorname;Nachname;E-Mail;Andere Organisation;which topic?;Sprachen;Kinderbetreuung\n"
        'Ali;Yılmaz;ali@example.org;Stadt Kassel;Tandems;"Finanzen; Patenschaften";ja\n'
        "Eva;Berg;eva@example.org;Stadt Kassel;Segeln;;Nein\n"
    ).encode()

    preview = organiser.post(
        "/admin/registrations/import",
        data={"file": (io.BytesIO(content), "a.csv"), "consent": "y", "mode": "confirmed"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview).group(1)
    organiser.post(
        "/admin/registrations/import/commit",
        data={"payload": payload, "mode": "confirmed", "what": "valid"},
    )

    ali = _registration(db, "ali@example.org")
    assert "nicht bekannt" not in preview  # the question columns are no unknown columns
    assert "Spalte which topic?: „Segeln“ ist keine der angebotenen Antworten." in preview
    assert _answers(db, ali.id) == {
        topic.id: (_option(topic, "Tandems").id,),
        several.id: (_option(several, "Patenschaften").id, _option(several, "Finanzen").id),
        childcare.id: (childcare.options[0].id,),
    }
    assert db.session.execute(select(Registration.email)).scalars().all() == ["ali@example.org"]


def test_what_the_export_writes_the_import_reads(db, staff_client):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    several = ask(congress, QuestionKind.MULTIPLE_CHOICE, "Sprachen", options=TOPICS)
    day = ask(congress, QuestionKind.DATE, "Anreise")
    person = factories.registration(
        congress, email="old@example.org", organisation_other="Stadt Kassel"
    )
    values = {
        topic.id: (topic.options[1].id,),
        several.id: (several.options[0].id, several.options[2].id),
        day.id: date(2027, 11, 17),
    }
    services.store_answers(TABLES, person.id, [topic, several, day], values)
    db.session.commit()
    organiser = staff_client("organiser")
    exported = organiser.get("/admin/registrations/export.csv").data.decode("utf-8-sig")
    moved = exported.replace("old@example.org", "new@example.org").encode()

    preview = organiser.post(
        "/admin/registrations/import",
        data={"file": (io.BytesIO(moved), "a.csv"), "consent": "y", "mode": "confirmed"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview).group(1)
    organiser.post(
        "/admin/registrations/import/commit",
        data={"payload": payload, "mode": "confirmed", "what": "valid"},
    )

    assert _answers(db, _registration(db, "new@example.org").id) == values


def test_coordinators_see_only_the_questions_visible_to_them(db, staff_client):
    carrier = factories.carrier("Bundesverband Beispiel")
    congress = factories.congress()
    shared = ask(congress, QuestionKind.SHORT_TEXT, "Zimmerwunsch", visible_to_coordinators=True)
    private = ask(congress, QuestionKind.SHORT_TEXT, "Gesundheit")
    person = factories.registration(congress, carrier_id=carrier.id, first_name="Amira")
    services.store_answers(
        TABLES, person.id, [shared, private], {shared.id: "Einzelzimmer", private.id: "Asthma"}
    )
    db.session.commit()
    coordinator = staff_client("coordinator", organisation_id=carrier.id)

    portal = coordinator.get("/portal").get_data(as_text=True)
    portal_csv = coordinator.get("/portal/export.csv").data.decode("utf-8-sig")
    detail = coordinator.get(f"/admin/registrations/{person.id}").get_data(as_text=True)
    export = coordinator.get("/admin/registrations/export.csv").data.decode("utf-8-sig")
    form = coordinator.get(f"/admin/registrations/{person.id}/edit").get_data(as_text=True)
    coordinator.post(
        f"/admin/registrations/{person.id}/edit",
        data=form_data(
            congress,
            carrier=str(carrier.id),
            organisation_other="",
            **{f"question-{shared.id}": "Doppelzimmer"},
        ),
    )

    for page in (portal, portal_csv, detail, export, form):
        assert "Zimmerwunsch" in page
        assert "Gesundheit" not in page and "Asthma" not in page
    assert "<td>Einzelzimmer</td>" in portal
    assert _answers(db, person.id) == {shared.id: "Doppelzimmer", private.id: "Asthma"}


def test_the_privacy_export_contains_the_answers_and_erasure_removes_them(app, db, staff_client):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    old = ask(congress, QuestionKind.SHORT_TEXT, "Alte Frage")
    person = factories.registration(congress, language="de")
    other = factories.registration(congress)
    services.store_answers(
        TABLES, person.id, [topic, old], {topic.id: (topic.options[0].id,), old.id: "Damals"}
    )
    services.store_answers(TABLES, other.id, [topic], {topic.id: (topic.options[1].id,)})
    services.remove_question(old, actor="test", now=utcnow())  # archived: still in the export
    db.session.commit()
    organiser = staff_client("organiser")

    exported = organiser.get(f"/admin/privacy/registrations/{person.id}/export.json").get_json()
    organiser.post(f"/admin/privacy/registrations/{person.id}/erase", data={"confirm": "y"})

    assert exported["answers"] == [
        {"question": "Welches Thema?", "answer": "Patenschaften"},
        {"question": "Alte Frage", "answer": "Damals"},
    ]
    db.session.expire_all()
    assert db.session.get(Registration, person.id).anonymised_at is not None
    left = db.session.execute(select(RegistrationAnswer.registration_id)).scalars().all()
    assert left == [other.id]
    assert (
        db.session.execute(select(func.count()).select_from(RegistrationAnswerChoice)).scalar_one()
        == 1
    )


def test_the_dashboard_has_a_chart_with_counts_for_each_choice_question(db, staff_client):
    congress = factories.congress()
    topic = ask(congress, text="Welches Thema?", options=TOPICS)
    ask(congress, QuestionKind.SHORT_TEXT, "Notiz")
    for choice, status in (
        ("Tandems", Status.CONFIRMED),
        ("Tandems", Status.PENDING),
        ("Finanzen", Status.CONFIRMED),
        ("Finanzen", Status.CANCELLED),
    ):
        person = factories.registration(congress, status=status)
        services.store_answers(TABLES, person.id, [topic], {topic.id: (_option(topic, choice).id,)})
    db.session.commit()
    organiser = staff_client("organiser")

    page = organiser.get("/admin/dashboard").get_data(as_text=True)
    table = organiser.get(f"/admin/dashboard/question-{topic.id}.csv").data.decode("utf-8-sig")

    assert f'<h2 id="figure-question-{topic.id}">Welches Thema?</h2>' in page
    assert "Notiz</h2>" not in page
    assert list(csv.reader(io.StringIO(table), delimiter=";")) == [
        ["Antwort", "Anmeldungen"],
        ["Patenschaften", "0"],
        ["Tandems", "2"],
        ["Finanzen", "1"],
    ]


# --- the organisers' question pages -----------------------------------------------------------


def test_a_question_with_answers_changes_its_wording_but_not_its_type(db, staff_client):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    person = factories.registration(congress)
    services.store_answers(TABLES, person.id, [topic], {topic.id: (topic.options[0].id,)})
    db.session.commit()
    organiser = staff_client("organiser")
    url = f"/admin/congresses/{congress.id}/questions/{topic.id}"
    rows = {}
    for index, option in enumerate(topic.options):
        rows[f"options-{index}-id"] = str(option.id)
        rows[f"options-{index}-text_de"] = option.text_de + " (neu)"
        rows[f"options-{index}-text_en"] = option.text_en

    page = organiser.get(url).get_data(as_text=True)
    changed = organiser.post(
        url,
        data=_new_question_form(kind="short_text", text_de="Welches Thema bringt Sie her?", **rows),
    )
    db.session.expire_all()

    question = db.session.get(Question, topic.id)
    assert (
        'name="kind"' in page
        and "hat schon Antworten" in page
        and "<select" not in page.split('name="kind"')[0][-200:]
    )
    assert changed.status_code == 303
    assert question.kind == QuestionKind.SINGLE_CHOICE
    assert question.text_de == "Welches Thema bringt Sie her?"
    assert [o.text_de for o in question.options] == [
        "Patenschaften (neu)",
        "Tandems (neu)",
        "Finanzen (neu)",
    ]
    assert _answers(db, person.id) == {topic.id: (topic.options[0].id,)}


def test_changing_the_type_of_an_answered_question_is_refused_by_the_service(db):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    person = factories.registration(congress)
    services.store_answers(TABLES, person.id, [topic], {topic.id: (topic.options[0].id,)})

    try:
        services.save_question(
            congress,
            services.QuestionData(kind=QuestionKind.SHORT_TEXT, text_de="Thema"),
            question=topic,
            actor="test",
            now=utcnow(),
        )
    except services.InvalidQuestion as error:
        refusal = (error.details["field"], error.message)
    else:
        refusal = None

    assert refusal == (
        "kind",
        "Diese Frage hat schon Antworten, daher kann sich ihr Typ nicht ändern.",
    )


def test_deleting_an_answered_question_archives_it_and_keeps_its_answers_in_the_export(
    client, db, staff_client
):
    congress = factories.congress()
    topic = ask(congress, text="Welches Thema?", options=TOPICS)
    unanswered_id = ask(congress, QuestionKind.SHORT_TEXT, "Ungefragt").id
    person = factories.registration(congress)
    services.store_answers(TABLES, person.id, [topic], {topic.id: (topic.options[1].id,)})
    db.session.commit()
    organiser = staff_client("organiser")
    base = f"/admin/congresses/{congress.id}/questions"

    archived = organiser.post(f"{base}/{topic.id}/delete", follow_redirects=True)
    deleted = organiser.post(f"{base}/{unanswered_id}/delete", follow_redirects=True)
    register = client.get("/register").get_data(as_text=True)
    manage = client.get(f"/r/{person.manage_token}").get_data(as_text=True)
    exported = organiser.get("/admin/registrations/export.csv").data.decode("utf-8-sig")

    assert "„Welches Thema?“ hat Antworten und wurde daher archiviert" in archived.get_data(
        as_text=True
    )
    assert "„Ungefragt“ wurde gelöscht." in deleted.get_data(as_text=True)
    assert "Archivierte Fragen" in archived.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Question, unanswered_id) is None
    assert "Welches Thema?" not in register and "Welches Thema?" not in manage
    header, row = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert (header[-1], row[-1]) == ("Welches Thema?", "Tandems")


def test_an_archived_question_can_be_asked_again(db, staff_client, client):
    congress = factories.congress()
    topic = ask(congress, text="Welches Thema?", options=TOPICS)
    person = factories.registration(congress)
    services.store_answers(TABLES, person.id, [topic], {topic.id: (topic.options[1].id,)})
    services.remove_question(topic, actor="test", now=utcnow())
    db.session.commit()

    restored = staff_client("organiser").post(
        f"/admin/congresses/{congress.id}/questions/{topic.id}/restore"
    )

    assert restored.status_code == 303
    assert "Welches Thema?" in client.get("/register").get_data(as_text=True)


def test_up_and_down_buttons_reorder_the_questions_without_javascript(client, db, staff_client):
    congress = factories.congress()
    first = ask(congress, QuestionKind.SHORT_TEXT, "Erste Frage")
    second = ask(congress, QuestionKind.SHORT_TEXT, "Zweite Frage")
    third = ask(congress, QuestionKind.SHORT_TEXT, "Dritte Frage")
    db.session.commit()
    organiser = staff_client("organiser")
    base = f"/admin/congresses/{congress.id}/questions"

    listing = organiser.get(base).get_data(as_text=True)
    moved = organiser.post(f"{base}/{third.id}/move", data={"direction": "up"})
    organiser.post(f"{base}/{first.id}/move", data={"direction": "up"})  # already first
    bad = organiser.post(f"{base}/{first.id}/move", data={"direction": "sideways"})
    register = client.get("/register").get_data(as_text=True)

    assert f'action="{base}/{second.id}/move"' in listing
    assert 'name="direction" value="up"' in listing and 'name="direction" value="down"' in listing
    assert moved.status_code == 303
    assert bad.status_code == 400
    positions = [register.index(text) for text in ("Erste Frage", "Dritte Frage", "Zweite Frage")]
    assert positions == sorted(positions)


def test_conditions_may_not_loop_or_point_at_a_non_choice_question(db):
    congress = factories.congress()
    first = ask(congress, options=TOPICS)
    second = ask(congress, QuestionKind.YES_NO, "Zweite", condition_option_id=first.options[0].id)
    text = ask(congress, QuestionKind.SHORT_TEXT, "Text")

    def refusal(question, option_id):
        data = services.QuestionData(
            kind=question.kind,
            text_de=question.text_de,
            options=[services.OptionData(o.id, o.text_de, o.text_en) for o in question.options],
            condition_option_id=option_id,
        )
        try:
            services.save_question(congress, data, question=question, actor="test", now=utcnow())
        except services.InvalidQuestion as error:
            return error.details["field"]
        return None

    assert refusal(first, second.options[0].id) == "condition"  # a loop through "Zweite"
    assert refusal(first, first.options[1].id) == "condition"  # itself
    assert refusal(second, 999999) == "condition"
    assert refusal(text, first.options[0].id) is None
    db.session.rollback()


def test_a_question_others_depend_on_cannot_be_deleted_nor_its_answer_removed(db, staff_client):
    congress = factories.congress()
    childcare = ask(congress, QuestionKind.SINGLE_CHOICE, "Kinderbetreuung", options=TOPICS)
    ask(
        congress,
        QuestionKind.NUMBER,
        "Wie viele Kinder?",
        condition_option_id=childcare.options[0].id,
    )
    db.session.commit()
    organiser = staff_client("organiser")
    base = f"/admin/congresses/{congress.id}/questions"
    rows = {}
    for index, option in enumerate(childcare.options):
        rows[f"options-{index}-id"] = str(option.id)
        rows[f"options-{index}-text_de"] = option.text_de
        rows[f"options-{index}-remove"] = "y" if index == 0 else ""

    deleted = organiser.post(f"{base}/{childcare.id}/delete", follow_redirects=True)
    removed = organiser.post(
        f"{base}/{childcare.id}", data=_new_question_form(text_de="Kinderbetreuung", **rows)
    )

    assert "Von dieser Frage hängt „Wie viele Kinder?“ ab." in deleted.get_data(as_text=True)
    assert removed.status_code == 400
    assert "Die Antwort „Patenschaften“ kann nicht entfernt werden" in removed.get_data(
        as_text=True
    )
    assert db.session.get(Question, childcare.id).archived_at is None


def test_a_chosen_answer_that_is_removed_is_archived_and_still_shown(db, staff_client):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    person = factories.registration(congress)
    services.store_answers(TABLES, person.id, [topic], {topic.id: (topic.options[0].id,)})
    db.session.commit()
    organiser = staff_client("organiser")
    rows = {}
    for index, option in enumerate(topic.options):
        rows[f"options-{index}-id"] = str(option.id)
        rows[f"options-{index}-text_de"] = option.text_de
        rows[f"options-{index}-remove"] = "y" if index < 2 else ""
    rows.update({"options-3-id": "", "options-3-text_de": "Neues Thema"})

    response = organiser.post(
        f"/admin/congresses/{congress.id}/questions/{topic.id}",
        data=_new_question_form(text_de="Welches Thema?", **rows),
    )
    detail = organiser.get(f"/admin/registrations/{person.id}").get_data(as_text=True)

    db.session.expire_all()
    question = db.session.get(Question, topic.id)
    assert response.status_code == 303
    assert [(o.text_de, o.archived_at is not None) for o in question.options] == [
        ("Patenschaften", True),
        ("Finanzen", False),
        ("Neues Thema", False),
    ]
    assert "<dd>Patenschaften</dd>" in detail


def test_a_new_question_form_with_problems_says_so_beside_the_fields(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    url = f"/admin/congresses/{congress.id}/questions/new"

    no_text = organiser.post(url, data=_new_question_form(kind="short_text"))
    one_option = organiser.post(
        url,
        data=_new_question_form(
            text_de="Thema", **{"options-0-id": "", "options-0-text_de": "Nur eine"}
        ),
    )
    bad_range = organiser.post(
        url, data=_new_question_form(kind="number", text_de="Zahl", min_value="5", max_value="2")
    )
    not_a_number = organiser.post(
        url, data=_new_question_form(kind="number", text_de="Zahl", min_value="fünf")
    )

    assert no_text.status_code == 400
    assert 'id="text_de-error">Bitte geben Sie die Frage auf Deutsch ein.' in no_text.get_data(
        as_text=True
    )
    assert one_option.status_code == 400
    assert (
        'id="options-error">Bitte bieten Sie mindestens zwei Antworten an.'
        in one_option.get_data(as_text=True)
    )
    assert (
        'id="max_value-error">Die kleinste Zahl darf nicht größer sein als die größte.'
        in bad_range.get_data(as_text=True)
    )
    assert (
        'id="min_value-error">Bitte geben Sie eine ganze Zahl ein, zum Beispiel 2.'
        in not_a_number.get_data(as_text=True)
    )
    assert db.session.execute(select(func.count()).select_from(Question)).scalar_one() == 0


def test_only_organisers_shape_questions(db, staff_client):
    congress = factories.congress()
    topic = ask(congress, options=TOPICS)
    db.session.commit()

    for role in ("coordinator", "checkin"):
        client = staff_client(role)
        assert client.get(f"/admin/congresses/{congress.id}/questions").status_code == 403
        assert (
            client.post(f"/admin/congresses/{congress.id}/questions/{topic.id}/delete").status_code
            == 403
        )
    assert (
        staff_client("organiser")
        .get("/admin/questions")
        .headers["Location"]
        .endswith(f"/admin/congresses/{congress.id}/questions")
    )


def test_questions_of_an_unknown_congress_or_of_another_edition_answer_404(db, staff_client):
    congress = factories.congress()
    other = factories.congress(current=False)
    topic = ask(other, options=TOPICS)
    db.session.commit()
    organiser = staff_client("organiser")

    assert organiser.get(f"/admin/congresses/{congress.id + other.id}/questions").status_code == 404
    assert organiser.get(f"/admin/congresses/{congress.id}/questions/{topic.id}").status_code == 404


def test_the_register_page_reads_its_questions_in_the_same_number_of_queries(
    client, db, count_queries
):
    congress = factories.congress()
    db.session.commit()

    def page_with(questions: int) -> int:
        for n in range(questions):
            ask(congress, options=TOPICS, text=f"Frage {n}")
        db.session.commit()
        with count_queries() as queries:
            client.get("/register")
        return len(queries)

    assert page_with(1) == page_with(3)


def test_copying_an_edition_copies_its_questions_with_options_and_conditions(db):
    source = factories.congress()
    target = factories.congress(current=False)
    childcare = ask(source, QuestionKind.YES_NO, "Kinderbetreuung", visible_to_coordinators=True)
    ask(
        source,
        QuestionKind.NUMBER,
        "Wie viele?",
        min_value=1,
        max_value=4,
        required=True,
        condition_option_id=childcare.options[0].id,
    )
    gone = ask(source, QuestionKind.SHORT_TEXT, "Alt")
    services.remove_question(gone, actor="test", now=utcnow())  # no answers: deleted

    copied = services.copy_questions(source, target)
    db.session.commit()

    questions = services.questions_of(target.id)
    twin_childcare, twin_count = questions
    assert copied == 2
    assert [(q.kind, q.text_de) for q in questions] == [
        ("yes_no", "Kinderbetreuung"),
        ("number", "Wie viele?"),
    ]
    assert [o.text_de for o in twin_childcare.options] == ["Ja", "Nein"]
    assert twin_childcare.visible_to_coordinators is True
    assert (twin_count.min_value, twin_count.max_value, twin_count.required) == (1, 4, True)
    assert twin_count.condition_option_id == twin_childcare.options[0].id
    assert twin_count.condition_option_id != childcare.options[0].id


def test_hostile_answers_are_escaped_in_pages_and_neutralised_in_exports(client, db, staff_client):
    congress = factories.congress()
    note = ask(congress, QuestionKind.SHORT_TEXT, "Notiz")
    db.session.commit()

    client.post(
        "/register", data=form_data(congress, **{f"question-{note.id}": '=HYPERLINK("x")<script>'})
    )
    registration = _registration(db)
    organiser = staff_client("organiser")
    detail = organiser.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
    exported = organiser.get("/admin/registrations/export.csv").data.decode("utf-8-sig")

    assert "<script>" not in detail and "&lt;script&gt;" in detail
    assert list(csv.reader(io.StringIO(exported), delimiter=";"))[1][-1].startswith("'=HYPERLINK")


# --- the engine on plain values ------------------------------------------------------------------


class _Option:
    def __init__(self, id_, text):
        self.id, self._text, self.archived_at = id_, text, None

    def text(self, language):
        return self._text


class _Question:
    def __init__(self, id_, kind, options=(), condition=None, required=False):
        self.id, self.kind, self.required = id_, kind, required
        self.options = [_Option(i, t) for i, t in options]
        self.condition_option_id = condition
        self.min_value = self.max_value = None

    def text(self, language):
        return f"Q{self.id}"

    help = text


class _Form(dict):
    def getlist(self, name):
        value = self.get(name, [])
        return value if isinstance(value, list) else [value]


def test_the_engine_works_on_plain_objects_and_hides_chains_of_conditions(app):
    a = _Question(1, QuestionKind.YES_NO, [(10, "ja"), (11, "nein")])
    b = _Question(2, QuestionKind.SINGLE_CHOICE, [(20, "x"), (21, "y")], condition=10)
    c = _Question(3, QuestionKind.SHORT_TEXT, condition=21, required=True)

    with app.test_request_context():
        hidden = engine.read_form(
            [a, b, c], "de", formdata=_Form({"question-1": "11", "question-2": "21"})
        )
        shown = engine.read_form(
            [a, b, c], "de", formdata=_Form({"question-1": "10", "question-2": "21"})
        )

    assert hidden.values == {1: (11,)} and hidden.errors == {}
    assert shown.values == {1: (10,), 2: (21,)}
    assert list(shown.errors) == [3]
    assert engine.visible_ids([a, b, c], {1: (10,), 2: (21,)}) == {1, 2, 3}
    assert engine.visible_ids([b, c], {2: (21,)}) == set()  # "a" is archived: b and c hide
