"""Issue 17 in Chromium, on a phone (390 px): an organiser creates registration questions (a
choice, and a number that is asked only after "yes"), and a visitor answers them while
registering. Fields are found by their labels, as people find them."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories
from tests.browser.test_journeys import CONSENT, SUBMIT_REGISTRATION, requires
from tests.browser_fixtures import log_in


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_organiser_creates_questions_on_a_phone_and_a_visitor_answers_them(
    new_page, shot, live_server, db, staff_user
):
    requires(live_server, "questions.admin_list", "registration.register")
    congress = factories.congress(title="Fachkongress 2027")
    organiser = staff_user("organiser")
    email = organiser.email
    db.session.commit()
    page = new_page(phone=True)
    log_in(page, email)

    page.goto("/staff")
    page.get_by_role("link", name=re.compile("^Anmeldefragen")).click()
    page.wait_for_url(f"**/admin/congresses/{congress.id}/questions")
    shot("no-questions-yet")
    assert _fits(page)

    page.get_by_role("link", name="Einfachauswahl", exact=True).click()
    page.get_by_label("Frage auf Deutsch").fill("Welches Thema führt Sie zum Kongress?")
    page.get_by_label("Frage auf Englisch").fill("Which topic brings you to the congress?")
    page.get_by_label("Antwort 1 auf Deutsch").fill("Patenschaften gewinnen")
    page.get_by_label("Antwort 2 auf Deutsch").fill("Tandems begleiten")
    page.get_by_label("Pflichtfrage: Teilnehmende müssen sie beantworten").check()
    assert page.get_by_label("Kleinste Zahl (optional)").is_hidden()  # only for numbers
    shot("choice-question")
    assert _fits(page)
    page.get_by_role("button", name="Frage speichern").click()
    page.wait_for_url(re.compile(r"/questions#question-\d+$"))

    page.get_by_role("link", name="Ja oder nein", exact=True).click()
    page.get_by_label("Frage auf Deutsch").fill("Brauchen Sie eine Kinderbetreuung?")
    page.get_by_role("button", name="Frage speichern").click()
    page.wait_for_url(re.compile(r"/questions#question-\d+$"))

    page.get_by_role("link", name="Zahl", exact=True).click()
    page.get_by_label("Frage auf Deutsch").fill("Für wie viele Kinder?")
    page.get_by_label("Kleinste Zahl (optional)").fill("1")
    page.get_by_label("Größte Zahl (optional)").fill("6")
    page.get_by_label("Nur anzeigen, wenn").select_option(label="Ja")
    page.get_by_label("Pflichtfrage: Teilnehmende müssen sie beantworten").check()
    assert page.get_by_label("Antwort 1 auf Deutsch").is_hidden()  # only for choices
    shot("conditional-number")
    page.get_by_role("button", name="Frage speichern").click()
    page.wait_for_url(re.compile(r"/questions#question-\d+$"))
    shot("three-questions")
    assert _fits(page)
    listing = page.locator("main").inner_text()
    assert "Nur wenn „Brauchen Sie eine Kinderbetreuung?“ mit „Ja“ beantwortet wird." in listing

    visitor = new_page(phone=True)
    visitor.goto("/register")
    children = visitor.get_by_label("Für wie viele Kinder?")
    assert children.is_hidden()  # asked only after "yes"
    visitor.get_by_label("Vorname").fill("Amira")
    visitor.get_by_label("Nachname").fill("Haddad")
    visitor.get_by_label("E-Mail-Adresse").fill("amira@example.org")
    visitor.get_by_label("Organisation", exact=True).select_option(
        label="Andere Organisation (bitte angeben)"
    )
    visitor.get_by_label("Andere Organisation", exact=True).fill("Stadt Kassel")
    visitor.get_by_label("Rolle im Programm").select_option(label="Mentor:in")
    visitor.get_by_label("Bereich und Ebene").select_option(label="Zivilgesellschaft")
    visitor.get_by_role("group", name="Welches Thema führt Sie zum Kongress?").get_by_label(
        "Tandems begleiten"
    ).check()
    visitor.get_by_role("group", name="Brauchen Sie eine Kinderbetreuung?").get_by_label(
        "Ja", exact=True
    ).check()
    assert children.is_visible()
    visitor.get_by_label(CONSENT).check()
    shot("answered-without-the-number", page=visitor)
    with visitor.expect_navigation():
        visitor.get_by_role("button", name=SUBMIT_REGISTRATION).click()

    error = visitor.locator(".question-field .error")
    assert error.inner_text() == "Bitte beantworten Sie diese Frage."
    assert children.get_attribute("aria-invalid") == "true"
    shot("refused-beside-the-field", page=visitor)
    children.fill("2")
    assert _fits(visitor)
    visitor.get_by_role("button", name=SUBMIT_REGISTRATION).click()
    visitor.wait_for_url("**/register/submitted")
    shot("submitted", page=visitor)

    from conference.questions.models import Question
    from conference.questions.registrations import TABLES
    from conference.questions.services import stored_answers
    from conference.registration.models import Registration

    db.session.rollback()
    person = db.session.execute(select(Registration)).scalar_one()
    questions = list(db.session.execute(select(Question).order_by(Question.position)).scalars())
    topic, childcare, count = questions
    assert stored_answers(TABLES, [person.id], questions)[person.id] == {
        topic.id: (topic.options[1].id,),
        childcare.id: (childcare.options[0].id,),
        count.id: 2,
    }
    assert page.console_errors == [] and visitor.console_errors == []


def test_a_conditional_question_hides_again_and_is_not_sent(phone_page, shot, live_server, db):
    requires(live_server, "registration.register")
    congress = factories.congress()
    from conference.core.time import utcnow
    from conference.questions import services
    from conference.questions.models import QuestionKind

    childcare = services.save_question(
        congress,
        services.QuestionData(kind=QuestionKind.YES_NO, text_de="Kinderbetreuung?"),
        actor="test",
        now=utcnow(),
    )
    services.save_question(
        congress,
        services.QuestionData(
            kind=QuestionKind.SHORT_TEXT,
            text_de="Alter der Kinder",
            condition_option_id=childcare.options[0].id,
        ),
        actor="test",
        now=utcnow(),
    )
    db.session.commit()
    page = phone_page

    page.goto("/register")
    group = page.get_by_role("group", name="Kinderbetreuung?")
    ages = page.get_by_label("Alter der Kinder")
    group.get_by_label("Ja", exact=True).check()
    ages.fill("3 und 5")
    group.get_by_label("Nein", exact=True).check()
    shot("hidden-again")

    assert ages.is_hidden() and ages.is_disabled()
    assert page.console_errors == []
