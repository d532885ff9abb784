"""Issue 18, point 5: scheduled mails. A rule per edition ("N days before the start / after
the end, at HH:MM, to this filter, this text") is sent once when it is due, by whichever
outbox pass comes first; running it again sends nothing twice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from conference.core.mail import deliver_pending
from conference.core.models import OutboxMail
from conference.extensions import db as _db
from conference.mailings import delivery, services
from conference.mailings.models import Mailing, MailingRule
from tests import factories


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ended(db):
    """An edition that ended yesterday (at the venue), with three confirmed people."""
    congress = factories.congress(starts_on=factories.venue_today() - timedelta(days=2), days=2)
    people = [
        factories.registration(congress, first_name="Anna", language="de"),
        factories.registration(congress, first_name="Ben", language="en"),
        factories.registration(congress, first_name="Cem"),
    ]
    factories.registration(congress, first_name="Dora", status="cancelled")
    db.session.commit()
    return congress, people


def _rule_form(**changes):
    data = {
        "days": "1",
        "anchor": "after_end",
        "send_time": "00:00",
        "subject_de": "Danke, {first_name}",
        "body_de": "Hallo {first_name},\n\ndanke!\n\n{certificate_link}\n{survey_link}",
        "subject_en": "Thank you, {first_name}",
        "body_en": "Hello {first_name},\n\nthank you!\n\n{survey_link}",
    }
    data.update(changes)
    return data


def test_a_scheduled_rule_run_twice_sends_once(app, db, smtp, staff_client, ended):
    congress, people = ended
    organiser = staff_client("organiser")
    saved = organiser.post("/admin/mailings/rules/new", data=_rule_form())
    assert saved.status_code == 303

    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-mail"])
    second = runner.invoke(args=["send-mail"])

    assert first.exit_code == second.exit_code == 0
    assert "sent 3" in first.output and "sent 0" in second.output
    mails = smtp.wait(3)
    assert sorted(m["Subject"] for m in mails) == ["Danke, Anna", "Danke, Cem", "Thank you, Ben"]
    assert _count(Mailing) == 1 and _count(OutboxMail) == 3
    rule = db.session.scalars(select(MailingRule)).one()
    assert rule.ran_at is not None
    page = organiser.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Gelaufen am" in page
    assert "Sie hat 3 Personen erreicht." in page
    listing = organiser.get("/admin/mailings/rules").get_data(as_text=True)
    assert "Sie hat 3 Personen erreicht." in listing
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    person = next(p for p in people if p.email == mails[0]["To"])
    assert f"/r/{person.manage_token}/survey" in body


def test_a_rule_is_not_sent_before_it_is_due_and_not_long_after(app, db, ended):
    congress, _people = ended
    rule = services.save_rule(
        congress,
        services.RuleInput(
            "Bald", "Hallo {first_name}", "Soon", "Hello {first_name}",
            anchor="after_end", days=1, send_time=time(9, 0),
        ),
        services.RecipientFilter(),
        actor=None,
        now=datetime.now(UTC),
    )  # fmt: skip
    db.session.commit()
    due = services.due_at(rule, congress)

    deliver_pending(due - timedelta(minutes=1))
    assert _count(Mailing) == 0
    deliver_pending(due + services.RULE_GRACE + timedelta(minutes=1))
    assert _count(Mailing) == 0
    assert services.rule_state(rule, congress, due + services.RULE_GRACE) == "missed"
    deliver_pending(due)
    assert _count(Mailing) == 1


def test_a_rule_is_due_at_its_time_in_the_congress_time_zone(app, db):
    congress = factories.congress(starts_on=date(2027, 1, 20), timezone="America/New_York")
    before = MailingRule(anchor="before_start", days=7, send_time=time(9, 0))
    after = MailingRule(anchor="after_end", days=1, send_time=time(10, 30))

    assert services.due_at(before, congress).astimezone(UTC) == datetime(
        2027, 1, 13, 14, 0, tzinfo=UTC
    )
    assert services.due_at(after, congress).astimezone(UTC) == datetime(
        2027, 1, 22, 15, 30, tzinfo=UTC
    )


def test_the_two_defaults_are_one_click_each_and_only_once(app, db, staff_client, ended):
    organiser = staff_client("organiser")

    page = organiser.get("/admin/mailings/rules").get_data(as_text=True)
    added = organiser.post("/admin/mailings/rules/presets/practical")
    again = organiser.post("/admin/mailings/rules/presets/practical")
    thanks = organiser.post("/admin/mailings/rules/presets/thanks")
    unknown = organiser.post("/admin/mailings/rules/presets/nonsense")

    assert "Praktische Hinweise eine Woche vorher, mit dem Ticket" in page
    assert added.status_code == thanks.status_code == 303
    assert again.status_code == 409
    assert unknown.status_code == 404
    rules = {r.preset: r for r in db.session.scalars(select(MailingRule))}
    assert (rules["practical"].anchor, rules["practical"].days) == ("before_start", 7)
    assert rules["practical"].attach_ticket and rules["practical"].attach_calendar
    assert (rules["thanks"].anchor, rules["thanks"].days) == ("after_end", 1)
    assert "{certificate_link}" in rules["thanks"].body_de
    assert "{survey_link}" in rules["thanks"].body_en
    assert rules["thanks"].subject_de == "Danke für Ihre Teilnahme am {congress}"
    listing = organiser.get("/admin/mailings/rules").get_data(as_text=True)
    assert "Vorgeschlagene Regeln" not in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"days": "400"}, "Bitte geben Sie eine Anzahl Tage von 0 bis 365 ein."),
        ({"days": "x"}, "Bitte geben Sie eine Anzahl Tage von 0 bis 365 ein."),
        ({"send_time": "25:99"}, ""),
        ({"anchor": "sometime"}, ""),
        ({"body_en": "Hi {vorname}"}, "Unbekannter Platzhalter {vorname}"),
        ({"workshop": "77"}, "Bitte wählen Sie Workshops dieses Kongresses."),
    ],
)
def test_a_bad_rule_is_refused_with_a_message(app, db, staff_client, ended, changes, message):
    organiser = staff_client("organiser")

    response = organiser.post("/admin/mailings/rules/new", data=_rule_form(**changes))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(MailingRule) == 0


def test_a_rule_that_ran_cannot_be_changed_or_deleted(app, db, staff_client, ended):
    organiser = staff_client("organiser")
    location = organiser.post("/admin/mailings/rules/new", data=_rule_form()).headers["Location"]
    deliver_pending()

    changed = organiser.post(location, data=_rule_form(days="3"))
    deleted = organiser.post(location + "/delete")

    assert changed.status_code == deleted.status_code == 409
    assert db.session.scalars(select(MailingRule)).one().days == 1


def test_two_workers_running_a_due_rule_at_once_record_one_mailing(app, db, ended):
    congress, _people = ended
    services.save_rule(
        congress,
        services.RuleInput("Danke", "Danke {first_name}", "Thanks", "Thanks {first_name}",
                           anchor="after_end", days=1, send_time=time(0, 0)),
        services.RecipientFilter(),
        actor=None,
        now=datetime.now(UTC),
    )  # fmt: skip
    db.session.commit()
    flask_app = current_app._get_current_object()
    start = threading.Barrier(2)
    ran, errors = [], []

    def work():
        try:
            with flask_app.app_context():
                start.wait()
                ran.append(delivery.run_due_rules(datetime.now(UTC)))
                delivery.expand(datetime.now(UTC), 20)
                _db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    assert sorted(ran) == [0, 1]
    assert _count(Mailing) == 1
    assert _count(OutboxMail) == 3
