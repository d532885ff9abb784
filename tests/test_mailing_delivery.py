"""Issue 18, points 1 to 4: writing a mailing over HTTP, its delivery through the outbox in
batches (never in the request), the mailing's page and the history."""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime

import pytest
from flask import current_app
from sqlalchemy import func, select

from conference.core.mail import deliver_pending
from conference.core.models import OutboxAttachment, OutboxMail
from conference.extensions import db as _db
from conference.mailings import delivery
from conference.mailings.models import Mailing, MailingRecipient, MailingState
from conference.mailings.recipients import RecipientFilter
from tests import factories

TEXTS = {
    "subject_de": "Neuigkeiten für {first_name}",
    "body_de": "Hallo {first_name} {last_name},\n\nRaumänderung.\n\n{manage_link}",
    "subject_en": "News for {first_name}",
    "body_en": "Hello {first_name} {last_name},\n\nthe room has changed.\n\n{manage_link}",
}


def _plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture
def edition(db):
    congress = factories.congress(days=2)
    x = factories.carrier("Träger X")
    y = factories.carrier("Träger Y")
    people = {
        "anna": factories.registration(
            congress, first_name="Anna", last_name="Özdemir", carrier_id=x.id, language="de"
        ),
        "ben": factories.registration(
            congress, first_name="Ben", last_name="Adler", carrier_id=x.id, language="en"
        ),
        "cem": factories.registration(congress, first_name="Cem", carrier_id=y.id),
        "dora": factories.registration(
            congress, first_name="Dora", carrier_id=x.id, status="cancelled"
        ),
        "erased": factories.registration(
            congress, first_name="Gelöscht", carrier_id=x.id, anonymised_at=datetime.now(UTC)
        ),
    }
    db.session.commit()
    return {"congress": congress, "x": x, "y": y, **people}


def _drain(now=None) -> None:
    for _ in range(50):
        deliver_pending(now)
        if not _db.session.scalar(
            select(func.count()).select_from(Mailing).where(Mailing.state != MailingState.QUEUED)
        ) and not _db.session.scalar(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.status == "pending")
        ):
            return
    raise AssertionError("the outbox did not drain")


def _outbox():
    return _db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def test_a_mailing_to_confirmed_of_carrier_x_reaches_exactly_them_in_their_language(
    app, db, smtp, staff_client, edition
):
    organiser = staff_client("organiser")

    response = organiser.post(
        "/admin/mailings/new",
        data={**TEXTS, "action": "send", "status": "confirmed", "carrier": str(edition["x"].id)},
    )

    assert response.status_code == 303
    mailing = db.session.scalars(select(Mailing)).one()
    assert response.headers["Location"].endswith(f"/admin/mailings/{mailing.id}")
    _drain()
    mails = _outbox()
    assert sorted(m.recipient for m in mails) == sorted(
        [edition["anna"].email, edition["ben"].email]
    )
    inbox = {m["To"]: m for m in smtp.wait(2)}
    anna, ben = inbox[edition["anna"].email], inbox[edition["ben"].email]
    assert anna["Subject"] == "Neuigkeiten für Anna"
    assert _plain(anna).startswith("Hallo Anna Özdemir,\n\nRaumänderung.")
    assert f"/r/{edition['anna'].manage_token}" in _plain(anna)
    assert ben["Subject"] == "News for Ben"
    assert _plain(ben).startswith("Hello Ben Adler,")
    assert db.session.scalar(select(func.count()).select_from(MailingRecipient)) == 2
    assert db.session.get(Mailing, mailing.id).recipient_count == 2


@pytest.mark.config(MAIL_SEND_AFTER_REQUEST=False)
def test_sending_records_the_mailing_and_queues_nothing_in_the_request(
    app, db, staff_client, edition
):
    organiser = staff_client("organiser")

    response = organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"})

    assert response.status_code == 303
    mailing = db.session.scalars(select(Mailing)).one()
    assert mailing.state == MailingState.EXPANDING
    assert _outbox() == []
    deliver_pending()
    assert {m.recipient for m in _outbox()} == {edition[n].email for n in ("anna", "ben", "cem")}


def test_senden_pressed_twice_records_one_mailing(app, db, staff_client, edition):
    organiser = staff_client("organiser")
    page = organiser.get("/admin/mailings/new").get_data(as_text=True)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    data = {**TEXTS, "action": "send", "form_key": key}

    first = organiser.post("/admin/mailings/new", data=data)
    second = organiser.post("/admin/mailings/new", data=data)
    _drain()
    other = organiser.post("/admin/mailings/new", data={**data, "form_key": key[::-1]})

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert other.headers["Location"] != first.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 2
    assert len({m.recipient for m in _outbox()}) == 3


@pytest.mark.config(MAIL_SEND_AFTER_REQUEST=False)
def test_a_person_erased_before_the_expansion_gets_nothing(app, db, staff_client, edition):
    organiser = staff_client("organiser")
    organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"})
    person = db.session.get(type(edition["anna"]), edition["anna"].id)
    person.anonymised_at = datetime.now(UTC)
    db.session.commit()

    _drain()

    assert {m.recipient for m in _outbox()} == {edition["ben"].email, edition["cem"].email}


def test_a_mailing_that_cannot_be_prepared_does_not_stop_other_mail(app, db, edition, caplog):
    from conference.core.mail import queue

    db.session.add(
        Mailing(
            congress_id=edition["congress"].id,
            subject_de="x",
            body_de="{unchecked}",
            subject_en="x",
            body_en="x",
            recipients=RecipientFilter().as_json(),
            state="expanding",
        )
    )  # stored past the checks, as a damaged row would be
    queue("someone@example.org", "Hallo", "Text")
    db.session.commit()

    with caplog.at_level(logging.WARNING, logger="conference.core.mail"):
        counts = deliver_pending()

    assert counts["sent"] == 1
    assert "preparing mail failed" in caplog.text


def test_the_sender_after_the_request_takes_a_first_batch(app, db, smtp, staff_client, edition):
    organiser = staff_client("organiser")

    organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"})

    assert len(smtp.wait(3)) == 3  # 3 people, within the after-request pass's batch


def test_an_unknown_placeholder_is_refused_beside_the_field_and_nothing_is_stored(
    app, db, staff_client, edition
):
    organiser = staff_client("organiser")

    response = organiser.post(
        "/admin/mailings/new",
        data={**TEXTS, "body_en": "Hello {firstname}", "action": "send"},
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Unbekannter Platzhalter {firstname}" in page
    assert "{first_name}" in page
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 0
    assert _outbox() == []


def test_template_syntax_is_refused_too(app, db, staff_client, edition):
    organiser = staff_client("organiser")

    response = organiser.post(
        "/admin/mailings/new",
        data={**TEXTS, "subject_de": "{{ config }}", "action": "send"},
    )

    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 0


def test_an_unknown_filter_value_is_a_400_with_a_message(app, db, staff_client, edition):
    organiser = staff_client("organiser")

    response = organiser.post(
        "/admin/mailings/new", data={**TEXTS, "carrier": "99999", "action": "send"}
    )

    assert response.status_code == 400
    assert "Bitte wählen Sie Programmträger aus der Liste." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 0


def test_the_preview_counts_and_names_before_anything_is_sent(app, db, staff_client, edition):
    organiser = staff_client("organiser")

    response = organiser.post(
        "/admin/mailings/new",
        data={**TEXTS, "action": "preview", "carrier": str(edition["x"].id)},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 Personen passen." in page
    assert "Ben Adler" in page and "Anna Özdemir" in page
    assert "Cem" not in page.split('id="preview"')[1]
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 0


def test_test_an_mich_goes_to_the_organiser_only(app, db, smtp, staff_client, edition):
    organiser = staff_client("organiser", email="orga@example.org")

    response = organiser.post("/admin/mailings/new", data={**TEXTS, "action": "test"})

    assert response.status_code == 200
    mails = smtp.wait(2)
    assert {m["To"] for m in mails} == {"orga@example.org"}
    subjects = sorted(m["Subject"] for m in mails)
    assert subjects == ["[Test] Neuigkeiten für Ben", "[Test] News for Ben"]  # first by name
    assert all(edition["ben"].manage_token not in _plain(m) for m in mails)
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 0


def test_a_coordinator_writes_to_their_own_carrier_only(app, db, staff_client, edition):
    coordinator = staff_client("coordinator", organisation_id=edition["y"].id)

    refused = coordinator.post(
        "/admin/mailings/new", data={**TEXTS, "carrier": str(edition["x"].id), "action": "send"}
    )
    sent = coordinator.post("/admin/mailings/new", data={**TEXTS, "action": "send"})

    assert refused.status_code == 403
    assert sent.status_code == 303
    _drain()
    assert [m.recipient for m in _outbox()] == [edition["cem"].email]
    organiser = staff_client("organiser")
    other = organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"})
    theirs = other.headers["Location"].rsplit("/", 1)[1]
    assert coordinator.get(f"/admin/mailings/{theirs}").status_code == 404
    history = coordinator.get("/admin/mailings").get_data(as_text=True)
    assert history.count('class="question-card"') == 1


def test_attachments_are_made_at_delivery(app, db, smtp, staff_client, edition):
    factories.session(edition["congress"], title="Eröffnung", kind="plenary")
    db.session.commit()
    organiser = staff_client("organiser")

    organiser.post(
        "/admin/mailings/new",
        data={
            **TEXTS,
            "carrier": str(edition["y"].id),
            "attach_ticket": "y",
            "attach_calendar": "y",
            "action": "send",
        },
    )
    _drain()

    message = smtp.wait(1)[0]
    files = {part.get_filename(): part.get_content_type() for part in message.iter_attachments()}
    assert files == {"ticket.pdf": "application/pdf", "programm.ics": "text/calendar"}
    # Nothing was rendered into the outbox itself: the files are made at delivery.
    assert not db.session.scalar(select(func.count()).select_from(OutboxAttachment))


def test_the_mailing_page_shows_queued_sent_and_failed_and_its_numbers(
    app, db, staff_client, edition
):
    organiser = staff_client("organiser")
    location = organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"}).headers[
        "Location"
    ]
    _drain()
    mail = _outbox()[0]
    mail.status = "failed"
    db.session.commit()

    page = organiser.get(location)
    numbers = organiser.get(location + "/status.json")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-mailing-status="' in html and "mailing-status.js" in html
    assert numbers.get_json() == {
        "recipients": 3, "queued": 0, "sent": 2, "failed": 1, "preparing": False
    }  # fmt: skip
    history = organiser.get("/admin/mailings").get_data(as_text=True)
    assert "Neuigkeiten für {first_name}" in history
    assert "3 Empfänger:innen: 2 gesendet, 0 in der Warteschlange, 1 fehlgeschlagen" in history
    assert "Status: Bestätigt" in history


def test_the_history_costs_the_same_queries_for_many_mailings(
    app, db, staff_client, edition, count_queries
):
    organiser = staff_client("organiser")
    organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"})
    organiser.get("/admin/mailings")
    with count_queries() as one:
        organiser.get("/admin/mailings")
    for _ in range(4):
        organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"})
    with count_queries() as five:
        organiser.get("/admin/mailings")

    assert len(five) == len(one)


def _two_workers(target) -> None:
    """Run ``target()`` in two threads, each in its own app context (own session, own
    connection), released at the same moment."""
    app = current_app._get_current_object()
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.app_context():
                start.wait()
                target()
                _db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


@pytest.mark.config(MAIL_SEND_AFTER_REQUEST=False)
def test_two_workers_expanding_one_mailing_give_nobody_two_mails(
    app, db, smtp, staff_client, edition
):
    for n in range(120):
        factories.registration(edition["congress"], first_name=f"P{n}", language="en")
    db.session.commit()
    organiser = staff_client("organiser")
    organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"})
    db.session.commit()

    def work():
        for _ in range(20):
            delivery.expand(datetime.now(UTC), 25)
            deliver_pending(limit=25)

    _two_workers(work)
    _drain()

    per_person = db.session.execute(
        select(OutboxMail.registration_id, func.count()).group_by(OutboxMail.registration_id)
    ).all()
    assert len(per_person) == 123
    assert {count for _person, count in per_person} == {1}
    delivered = smtp.wait(123, timeout=60)
    assert len({m["To"] for m in delivered}) == len(delivered) == 123


def test_erasing_a_person_deletes_their_mailing_mail_and_keeps_the_counts_true(
    app, db, staff_client, edition
):
    from conference.reports.privacy import erase_registration

    organiser = staff_client("organiser")
    location = organiser.post("/admin/mailings/new", data={**TEXTS, "action": "send"}).headers[
        "Location"
    ]
    _drain()
    anna = db.session.get(type(edition["anna"]), edition["anna"].id)

    erase_registration(anna, actor=None, now=datetime.now(UTC))
    db.session.commit()

    assert edition["anna"].email not in {m.recipient for m in _outbox()}
    assert "Özdemir" not in " ".join(m.body_text for m in _outbox())
    numbers = organiser.get(location + "/status.json").get_json()
    assert (numbers["recipients"], numbers["sent"]) == (3, 2)
