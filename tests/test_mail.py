"""The outbox: mail is stored with what it reports and delivered over real SMTP, with retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from conference.core import mail
from conference.core.models import OutboxMail
from conference.core.time import utcnow


def test_queued_mail_is_delivered_over_smtp(app, db, smtp):
    mail.queue(
        "anna@example.org",
        "Willkommen",
        "Hallo Anna",
        "<p>Hallo Anna</p>",
        attachments=[("ticket.pdf", "application/pdf", b"%PDF-1.7 test")],
    )
    db.session.commit()

    counts = mail.deliver_pending()

    received = smtp.wait(1)[0]
    assert counts == {"sent": 1, "failed": 0}
    assert received["To"] == "anna@example.org"
    assert received["Subject"] == "Willkommen"
    assert received.get_body(("plain",)).get_content().strip() == "Hallo Anna"
    assert [part.get_filename() for part in received.iter_attachments()] == ["ticket.pdf"]
    assert db.session.execute(select(OutboxMail)).scalar_one().status == "sent"


@pytest.mark.config(MAIL_PORT=1)
def test_smtp_down_keeps_the_mail_and_retries_later(app, db):
    mail.queue("anna@example.org", "Willkommen", "Hallo")
    db.session.commit()
    now = utcnow()

    counts = mail.deliver_pending(now)

    stored = db.session.execute(select(OutboxMail)).scalar_one()
    assert counts == {"sent": 0, "failed": 1}
    assert stored.status == "pending"
    assert stored.attempts == 1
    assert stored.next_attempt_at >= now + timedelta(minutes=1)
    assert mail.deliver_pending(now) == {"sent": 0, "failed": 0}  # not due yet


@pytest.mark.config(MAIL_PORT=1, MAIL_MAX_ATTEMPTS=2)
def test_mail_gives_up_after_max_attempts(app, db):
    mail.queue("anna@example.org", "Willkommen", "Hallo")
    db.session.commit()

    mail.deliver_pending(utcnow())
    mail.deliver_pending(utcnow() + timedelta(hours=1))

    stored = db.session.execute(select(OutboxMail)).scalar_one()
    assert stored.status == "failed"
    assert "Error" in stored.last_error or "refused" in stored.last_error.lower()


def test_send_mail_command_delivers(app, db, smtp):
    mail.queue("b@example.org", "Hallo", "Text")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["send-mail"])

    assert "sent 1" in result.output
    assert smtp.wait(1)[0]["To"] == "b@example.org"


@pytest.mark.config(MAIL_BACKEND="file")
def test_file_backend_writes_eml_into_the_outbox_folder(app, db, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path)
    mail.queue("c@example.org", "Hallo", "Text")
    db.session.commit()

    mail.deliver_pending()

    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    assert b"c@example.org" in files[0].read_bytes()


def test_backoff_grows_and_is_capped():
    assert [mail.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert mail.backoff(30) == timedelta(hours=6)


def test_attachments_of_a_kind_are_made_at_delivery_not_in_the_request(app, db, smtp):
    from conference.core.models import OutboxAttachment

    made = []

    @mail.attach_at_delivery("test.ticket")
    def _ticket(outbox_mail):
        made.append(outbox_mail.id)
        return [("ticket.pdf", "application/pdf", b"%PDF-1.7 ticket")]

    try:
        queued = mail.queue("anna@example.org", "Ihr Ticket", "Hallo", kind="test.ticket")
        db.session.commit()
        stored = db.session.execute(db.select(OutboxAttachment)).scalars().all()

        mail.deliver_pending()
    finally:
        mail._delivery_attachments.pop("test.ticket")

    received = smtp.wait(1)[0]
    assert stored == []
    assert made == [queued.id]
    assert [part.get_filename() for part in received.iter_attachments()] == ["ticket.pdf"]


def test_a_failure_while_rendering_an_attachment_keeps_the_mail_for_a_retry(app, db):
    @mail.attach_at_delivery("test.broken")
    def _broken(outbox_mail):
        raise ValueError("layout failed")

    try:
        mail.queue("anna@example.org", "Ihr Ticket", "Hallo", kind="test.broken")
        db.session.commit()

        counts = mail.deliver_pending()
    finally:
        mail._delivery_attachments.pop("test.broken")

    stored = db.session.execute(select(OutboxMail)).scalar_one()
    assert counts == {"sent": 0, "failed": 1}
    assert stored.status == "pending"
    assert "layout failed" in stored.last_error
