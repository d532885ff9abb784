"""axe-core finds no WCAG 2.1 A/AA violation on the public pages, the attendee's manage page, the
scanner and the main organiser pages, in German and in English.

Pages of areas that are not installed yet (their endpoint is missing) are skipped with the
reason; they are checked automatically once their area lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from flask import url_for

from conference.registration.models import Status
from tests import factories
from tests.browser_fixtures import describe, log_in


@dataclass(frozen=True)
class Case:
    name: str
    endpoint: str
    role: str | None = None  # None: an anonymous visitor
    values: object = None  # callable(world) -> url_for values
    args: dict = field(default_factory=dict)


def _session_id(world):
    return {"session_id": world["session"].id}


def _manage_token(world):
    return {"token": world["registration"].manage_token}


def _confirm_token(world):
    return {"token": world["pending"].confirm_token}


def _registration_id(world):
    return {"registration_id": world["registration"].id}


def _congress_id(world):
    return {"congress_id": world["congress"].id}


def _phase_id(world):
    return {"phase_id": world["phase"].id}


def _question_id(world):
    return {"congress_id": world["congress"].id, "question_id": world["question"].id}


def _mailing_id(world):
    return {"mailing_id": world["mailing"].id}


def _rule_id(world):
    return {"rule_id": world["rule"].id}


def _mail_text(world):
    return {"congress_id": world["congress"].id, "kind": "registration.confirm", "language": "de"}


CASES = [
    Case("landing", "main.index"),
    Case("login", "accounts.login"),
    Case("staff-area", "main.staff_home", role="organiser"),
    Case("register", "registration.register"),
    Case("register-submitted", "registration.submitted"),
    Case("register-confirm", "registration.confirm", values=_confirm_token),
    Case("lost-link", "registration.lost_link"),
    Case("programme", "agenda.programme"),
    Case("session", "agenda.session_detail", values=_session_id),
    Case("manage", "registration.manage", values=_manage_token),
    Case("my-workshops", "workshops.attendee", values=_manage_token),
    Case("cancel", "registration.manage_cancel", values=_manage_token),
    Case("calendar-help", "feeds.help"),
    Case("scanner", "checkin.scanner", role="checkin"),
    Case("scanner-search", "checkin.search", role="checkin"),
    Case("walk-in", "checkin.walk_in", role="checkin"),
    Case("live-counts", "checkin.live", role="organiser"),
    Case("registrations", "registration.admin_list", role="organiser"),
    Case(
        "registration-detail",
        "registration.admin_detail",
        role="organiser",
        values=_registration_id,
    ),
    Case("registration-new", "registration.admin_new", role="organiser"),
    Case("organisations", "organisations.admin_list", role="organiser"),
    Case("agenda-builder", "agenda.builder", role="organiser"),
    Case("session-form", "agenda.session_edit", role="organiser", values=_session_id),
    Case("agenda-setup", "agenda.setup", role="organiser"),
    Case("workshops", "workshops.admin_phases", role="organiser"),
    Case("workshop-phase", "workshops.admin_phase", role="organiser", values=_phase_id),
    Case("badges", "badges.admin", role="organiser"),
    Case("badge-desk", "badges.desk", role="organiser"),
    Case("dashboard", "reports.dashboard", role="organiser"),
    Case("coordinator-portal", "organisations.portal", role="coordinator"),
    Case("questions", "questions.admin_list", role="organiser", values=_congress_id),
    Case(
        "question-new",
        "questions.admin_new",
        role="organiser",
        values=lambda world: {**_congress_id(world), "kind": "single_choice"},
    ),
    Case("question-edit", "questions.admin_edit", role="organiser", values=_question_id),
    Case("mail-texts", "mailtexts.current", role="organiser"),
    Case("mail-text", "mailtexts.edit", role="organiser", values=_mail_text),
    Case("imprint", "editions.imprint"),
    Case("privacy-notice", "editions.privacy"),
    Case("accessibility-statement", "editions.accessibility"),
    Case("editions", "editions.admin_list", role="organiser"),
    Case("edition-new", "editions.new", role="organiser"),
    Case("edition-settings", "editions.settings", role="organiser", values=_congress_id),
    Case("edition-copy", "editions.copy", role="organiser", values=_congress_id),
    Case("edition-delete", "editions.delete", role="organiser", values=_congress_id),
    Case(
        "edition-text",
        "editions.text",
        role="organiser",
        values=lambda world: {**_congress_id(world), "kind": "privacy"},
    ),
    Case(
        "edition-privacy-version",
        "editions.privacy_version",
        role="organiser",
        values=lambda world: {**_congress_id(world), "number": 1},
    ),
    Case("organising-body", "editions.organising_body", role="organiser"),
    Case("survey-builder", "surveys.builder", role="organiser", values=_congress_id),
    Case("survey-question-new", "surveys.question_new", role="organiser", values=_congress_id),
    Case(
        "survey-question-edit",
        "surveys.question_edit",
        role="organiser",
        values=lambda world: {**_congress_id(world), "question_id": world["survey_question"].id},
    ),
    Case("survey-results", "surveys.results", role="organiser", values=_congress_id),
    Case("mailing-new", "mailings.new", role="organiser"),
    Case("mailing-new-coordinator", "mailings.new", role="coordinator"),
    Case("mailings", "mailings.history", role="organiser"),
    Case("mailing", "mailings.show", role="organiser", values=_mailing_id),
    Case("mailing-rules", "mailings.rules", role="organiser"),
    Case("mailing-rule", "mailings.rule", role="organiser", values=_rule_id),
    Case("mailing-rule-new", "mailings.rule_new", role="organiser"),
    Case("cfp", "cfp.submit"),
    Case("cfp-submitted", "cfp.submitted"),
    Case("cfp-confirm", "cfp.confirm", values=lambda world: {"token": world["cfp"].confirm_token}),
    Case("cfp-manage", "cfp.manage", values=lambda world: {"token": world["cfp"].manage_token}),
    Case("cfp-call", "cfp.admin_call", role="organiser", values=_congress_id),
    Case("cfp-submissions", "cfp.admin_submissions", role="organiser", values=_congress_id),
    Case(
        "cfp-submission",
        "cfp.admin_submission",
        role="organiser",
        values=lambda world: {**_congress_id(world), "submission_id": world["cfp"].id},
    ),
    Case("cfp-reviewers", "cfp.admin_reviewers", role="organiser", values=_congress_id),
    Case("review-list", "cfp.review_list", role="reviewer"),
    Case("speaker-page", "speakers.page", values=lambda world: {"token": world["speaker_token"]}),
    Case("speaker-links", "speakers.admin_links", role="organiser"),
    Case("documentation", "speakers.documentation"),
    Case("session-materials", "speakers.admin_materials", role="organiser", values=_session_id),
    Case(
        "review",
        "cfp.review",
        role="reviewer",
        values=lambda world: {"submission_id": world["cfp"].id},
    ),
]


@pytest.fixture
def world(db):
    """A small congress with the things the pages show: a room, a session, a workshop phase,
    a confirmed person and one who has not yet followed the confirmation link."""
    congress = factories.congress(
        title="Fachkongress 2027", description="Austausch.\n\nVernetzung."
    )
    carrier = factories.carrier("Bundesverband Beispiel")
    room = factories.room(congress, name="Saal 1")
    session = factories.session(congress, title="Eröffnung", room_=room)
    factories.checkpoint(congress, code="day-1")
    phase = factories.phase(congress, name="Workshops am Nachmittag")
    factories.workshop(congress, phase, title="Gute Matches finden", capacity=12, room_=room)
    registration = factories.registration(
        congress, first_name="Amira", last_name="Haddad", carrier_id=carrier.id
    )
    _editions_texts(congress)
    survey_question = _survey(congress, session)
    pending = factories.registration(
        congress, status=Status.PENDING, first_name="Jonas", last_name="Keller"
    )
    question = _questions(congress, registration)
    mailing, rule = _mailings(congress, carrier)
    submission = _cfp(congress)
    speaker_token = _speaker(congress, session)
    db.session.commit()
    return {
        "mailing": mailing,
        "rule": rule,
        "speaker_token": speaker_token,
        "cfp": submission,
        "congress": congress,
        "survey_question": survey_question,
        "session": session,
        "phase": phase,
        "registration": registration,
        "pending": pending,
        "question": question,
    }


def _mailings(congress, carrier):
    """A mailing that was sent (its page, the history) and a default rule."""
    from conference.core.time import utcnow
    from conference.mailings import services
    from conference.mailings.recipients import RecipientFilter

    texts = services.MailingInput(
        "Raumänderung für {first_name}", "Hallo {first_name},\n\nneuer Raum.", "Room change",
        "Hello {first_name},\n\nnew room.",
    )  # fmt: skip
    mailing = services.create(
        congress, texts, RecipientFilter(carrier_ids=(carrier.id,)), actor=None, now=utcnow()
    )
    rule = services.add_preset(congress, "thanks", actor=None, now=utcnow())
    return mailing, rule


def _questions(congress, registration):
    """Questions of every shape on the forms (a choice, a condition, a number, a date), one
    of them answered: the register, manage and organiser pages show them."""
    from conference.core.time import utcnow
    from conference.questions import services
    from conference.questions.models import QuestionKind
    from conference.questions.registrations import TABLES

    def ask(kind, text, options=(), **fields):
        data = services.QuestionData(
            kind=kind,
            text_de=text,
            text_en=fields.pop("text_en", ""),
            options=[services.OptionData(None, de, en) for de, en in options],
            **fields,
        )
        return services.save_question(congress, data, actor="test", now=utcnow())

    topic = ask(
        QuestionKind.SINGLE_CHOICE,
        "Welches Thema führt Sie zum Kongress?",
        [("Patenschaften", "Sponsorships"), ("Tandems", "Tandems")],
        text_en="Which topic brings you to the congress?",
        help_de="Wählen Sie das wichtigste.",
        required=True,
    )
    childcare = ask(QuestionKind.YES_NO, "Brauchen Sie eine Kinderbetreuung?", text_en="Childcare?")
    ask(
        QuestionKind.NUMBER,
        "Für wie viele Kinder?",
        text_en="For how many children?",
        min_value=1,
        max_value=6,
        condition_option_id=childcare.options[0].id,
    )
    ask(QuestionKind.DATE, "Anreisetag", text_en="Day of arrival")
    ask(QuestionKind.MULTIPLE_CHOICE, "Sprachen", [("Englisch", "English"), ("Arabisch", "Arabic")])
    services.store_answers(TABLES, registration.id, [topic], {topic.id: (topic.options[1].id,)})
    return topic


def _speaker(congress, session):
    """A speaker of the session with a file, confirmed (badge and calendar offered)."""
    from conference.agenda.models import SessionSpeaker
    from conference.core.time import utcnow
    from conference.speakers import services

    speaker = factories.speaker(congress, name="Miriam Okonkwo", email="miriam@example.org")
    session.speaker_links.append(SessionSpeaker(speaker_id=speaker.id, position=0))
    access = services.access_of(speaker)
    services.add_material(
        session, b"%PDF-1.4\n%%EOF\n", "Folien.pdf", public=True, uploaded_by="organiser",
        actor="test", now=utcnow(),
    )  # fmt: skip
    services.confirm(speaker, access, now=utcnow())
    return access.token


def _cfp(congress):
    """An open call with a format, a track, a criterion and an extra question, and one
    contribution: confirmed, not yet decided (its confirmation page still opens)."""
    from datetime import timedelta

    from conference.cfp import services
    from conference.core.time import utcnow
    from conference.questions.services import QuestionData

    call = services.save_call(
        congress, deadline=utcnow() + timedelta(days=14), intro_de="Wir suchen **Workshops**.",
        intro_en="We are looking for **workshops**.", abstract_limit=1500,
        anonymous_review=False, actor="test", now=utcnow(),
    )  # fmt: skip
    services.add_format(
        call, name_de="Weltcafé", name_en="World café", duration=60, kind="forum", actor="test"
    )
    services.add_criterion(call, name_de="Relevanz", name_en="Relevance", weight=2, actor="test")
    track = services.add_track(congress, "Engagement fördern", actor="test")
    services.add_question(
        congress, QuestionData(kind="yes_no", text_de="Brauchen Sie Material?"), actor="test",
        now=utcnow(),
    )  # fmt: skip
    data = services.SubmissionData(
        title="Patenschaften gut beenden", abstract="Wie Tandems gut auseinandergehen.",
        format_id=call.formats[0].id, track_id=track.id, language="de",
        target_group="Koordinator:innen", max_participants=25, accessibility="",
        carrier_id=None, organisation_other="Freiwilligenagentur Kassel", first_name="Miriam",
        last_name="Okonkwo", email="miriam@example.org", mail_language="de",
        presenters=[services.PresenterData("Jonas Brandt", "jonas@example.org", "Netzwerk")],
    )  # fmt: skip
    submission = services.submit(congress, call, data, answers=None, now=utcnow())
    services.confirm(submission.confirm_token, now=utcnow())  # its page still shows the button
    return submission


def _survey(congress, session):
    """A survey with every kind of question and five answer sets, so that the results page
    draws its charts, per-session table and free text. Returns the rating question."""
    from datetime import timedelta

    from conference.extensions import db
    from conference.surveys import services
    from conference.surveys.models import SurveyAnswer, SurveyResponse
    from conference.surveys.services import QuestionInput

    survey = services.save_settings(
        congress, anonymous=False, closes_on=congress.ends_on + timedelta(days=14),
        intro_de="", intro_en="",
        actor="test",
    )  # fmt: skip
    rating = services.add_question(
        survey,
        QuestionInput("rating", "Wie zufrieden waren Sie?", "How satisfied were you?",
                      low_de="gar nicht", high_de="sehr", per_session=True),
        actor="test",
    )  # fmt: skip
    single = services.add_question(
        survey, QuestionInput("single", "Ihre Rolle", options_de=["Pat:in", "Mentee"]), actor="test"
    )
    services.add_question(
        survey, QuestionInput("multiple", "Themen", options_de=["Recht", "Geld"]), actor="test"
    )
    text = services.add_question(survey, QuestionInput("text", "Was fehlte?"), actor="test")
    for n in range(5):
        response = SurveyResponse(survey_id=survey.id)
        response.answers = [
            SurveyAnswer(question_id=rating.id, session_id=session.id, rating=n % 5 + 1),
            SurveyAnswer(question_id=single.id, option_id=single.options[n % 2].id),
            SurveyAnswer(question_id=text.id, text=f"Mehr Zeit für Austausch {n}"),
        ]
        db.session.add(response)
    db.session.flush()
    return rating


def _editions_texts(congress):
    """The organising body and texts the editions' pages show (templates with their gaps)."""
    from datetime import UTC, datetime

    from conference.editions import demo, services
    from conference.editions.texts import TEMPLATES

    now = datetime.now(UTC)
    services.save_organising_body(
        "Netzwerk Engagement e. V.", "Musterweg 3\n10115 Berlin", logo_data=demo.logo_png(),
        actor="test", now=now,
    )  # fmt: skip
    services.save_privacy_notice(congress, *TEMPLATES["privacy"], actor="test", now=now)
    for kind in ("imprint", "accessibility", "welcome"):
        services.save_text(congress, kind, *TEMPLATES[kind], actor="test", now=now)


def _open(new_page, live_server, case: Case, language: str, world):
    app = live_server.app
    if case.endpoint not in app.view_functions:
        pytest.skip(f"{case.endpoint} is not installed on this branch yet")
    page = new_page(language=language)
    if case.role:
        user = factories.user(role=case.role)
        from conference.extensions import db

        db.session.commit()
        log_in(page, user.email, language=language)
    values = case.values(world) if case.values else {}
    with app.test_request_context():
        path = url_for(case.endpoint, **values)
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    return page


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_page_has_no_wcag_violations(case, language, new_page, live_server, world, axe, shot):
    page = _open(new_page, live_server, case, language, world)
    shot(f"{case.name}-{language}")

    violations = axe(page)

    assert page.locator("html").get_attribute("lang") == language
    assert violations == [], describe(violations)
    assert page.console_errors == []


@pytest.fixture
def ended(db):
    """A congress that ended yesterday: its survey is open. A person checked in at the door
    and at a workshop, so the form asks about the congress, the plenary and the workshop."""
    from datetime import time, timedelta

    from conference.agenda.models import SessionKind
    from conference.checkin.models import CheckIn

    congress = factories.congress(starts_on=factories.venue_today() - timedelta(days=2))
    plenary = factories.session(congress, title="Eröffnungsplenum", kind=SessionKind.PLENARY)
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Gute Matches finden", start=time(13))
    entrance = factories.checkpoint(congress, code="day-1")
    door = factories.checkpoint(congress, code="ws-1", session_id=workshop.id)
    person = factories.registration(congress, first_name="Amira", last_name="Haddad")
    for checkpoint in (entrance, door):
        db.session.add(CheckIn(registration_id=person.id, checkpoint_id=checkpoint.id))
    _survey(congress, plenary)
    db.session.commit()
    return person


def _fits_a_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("language", ["de", "en"])
def test_survey_form_has_no_wcag_violations_and_fits_a_phone(
    language, new_page, live_server, ended, axe, shot
):
    page = new_page(language=language, phone=True)

    page.goto(f"/r/{ended.manage_token}")
    manage_violations = axe(page)
    with page.expect_navigation():
        page.get_by_role(
            "link", name={"de": "Umfrage beantworten", "en": "Answer the survey"}[language]
        ).click()
    shot(f"survey-{language}")
    form_violations = axe(page)
    form_fits = _fits_a_phone(page)
    with page.expect_navigation():
        page.get_by_role(
            "button", name={"de": "Meine Antworten senden", "en": "Send my answers"}[language]
        ).click()
    shot(f"survey-empty-{language}")
    error_violations = axe(page)

    assert manage_violations == [], describe(manage_violations)
    assert form_violations == [], describe(form_violations)
    assert form_fits and _fits_a_phone(page)
    assert page.get_by_role("alert").is_visible()
    assert error_violations == [], describe(error_violations)
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_documentation_of_an_ended_congress_has_no_wcag_violations_and_fits_a_phone(
    language, new_page, live_server, ended, axe, shot, db
):
    from sqlalchemy import select

    from conference.agenda.models import AgendaSession
    from conference.core.time import utcnow
    from conference.speakers import services

    plenary = db.session.execute(select(AgendaSession).order_by(AgendaSession.id)).scalars().first()
    services.add_material(
        plenary, b"%PDF-1.4\n%%EOF\n", "Dokumentation.pdf", public=True, kind="photo",
        uploaded_by="organiser", actor="test", now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    page = new_page(language=language, phone=True)

    page.goto("/dokumentation")
    shot(f"documentation-{language}")
    violations = axe(page)

    assert page.get_by_text("Dokumentation.pdf").is_visible()
    assert violations == [], describe(violations)
    assert _fits_a_phone(page)


@pytest.mark.parametrize("language", ["de", "en"])
def test_error_pages_have_no_wcag_violations(language, new_page, axe, shot):
    page = new_page(language=language)

    response = page.goto("/gibt-es-nicht")
    shot(f"not-found-{language}")
    violations = axe(page)

    assert response.status == 404
    assert violations == [], describe(violations)


@pytest.mark.parametrize("language", ["de", "en"])
def test_login_form_with_errors_has_no_wcag_violations(language, new_page, axe, shot):
    page = new_page(language=language)

    log_in(page, "nobody@example.org", "wrong password", language=language)
    shot(f"login-errors-{language}")
    violations = axe(page)

    assert page.get_by_role("alert").is_visible()
    assert violations == [], describe(violations)


def test_landing_page_without_a_congress_has_no_wcag_violations(page, axe):
    page.goto("/")

    violations = axe(page)

    assert page.get_by_role("heading", level=1).inner_text() == "Willkommen"
    assert violations == [], describe(violations)


def test_axe_reports_a_violation_it_is_shown(page, axe, live_server):
    """The checker itself works: an image without text and an unlabeled field are found."""
    page.goto("/")
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const image = document.createElement("img");
            image.src = "/static/css/app.css";
            main.append(image, document.createElement("input"));
        }"""
    )

    violations = axe(page)

    assert {"image-alt", "label"} <= {violation["id"] for violation in violations}
