"""The outbox: mail is stored with what it reports and delivered over real SMTP, with retries."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import request
from sqlalchemy import select
from sqlalchemy.engine import make_url

from conference.core import mail
from conference.core.database import reading
from conference.core.models import OutboxMail
from conference.core.time import utcnow
from conference.registration.models import Registration
from tests import factories


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


# --- issue 22.1: mail that a pass could not deliver is delivered by the next one -------------

needs_sqlite = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="SQLite's one write lock; PostgreSQL locks rows and has no busy timeout",
)


@contextmanager
def sqlite_write_lock(app, *, hold: float | None = None):
    """Another connection holds SQLite's write lock (BEGIN IMMEDIATE), as a long request does.
    With ``hold`` it is taken in a thread and released after that many seconds; the context
    yields once the lock is held."""
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    held = threading.Event()
    release = threading.Event()

    def locker():
        connection = sqlite3.connect(path, timeout=10, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(hold if hold is not None else 30)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=locker, daemon=True)
    thread.start()
    held.wait(10)
    try:
        yield thread
    finally:
        if hold is None:
            release.set()
        thread.join(40)


def _outbox(db):
    """The outbox as it is now (id, recipient, kind, status, attempts), read without taking
    SQLite's write lock."""
    db.session.rollback()
    columns = (OutboxMail.id, OutboxMail.recipient, OutboxMail.kind)
    with reading():
        rows = db.session.execute(
            select(*columns, OutboxMail.status, OutboxMail.attempts).order_by(OutboxMail.id)
        ).all()
        db.session.commit()
    return rows


def test_a_delivery_pass_also_takes_other_due_mail(client, db, smtp):
    """A request's pass delivers its own mail and whatever an earlier pass left due."""
    congress = factories.congress()
    factories.registration(congress, email="anna@example.org")
    left_over = mail.queue("left@example.org", "Sie sind nachgerückt", "Hallo")
    db.session.commit()

    response = client.post("/register/lost-link", data={"email": "anna@example.org"})

    received = smtp.wait(2)
    assert response.status_code == 302
    assert [m["To"] for m in received] == ["anna@example.org", "left@example.org"]
    assert [(m.id, m.recipient, m.status, m.attempts) for m in _outbox(db)] == [
        (left_over.id, "left@example.org", "sent", 1),
        (left_over.id + 1, "anna@example.org", "sent", 1),
    ]


@needs_sqlite
@pytest.mark.config(SQLITE_BUSY_TIMEOUT=0.2)
def test_a_locked_database_leaves_the_mail_due_and_says_why(app, db, smtp, caplog):
    queued = mail.queue("anna@example.org", "Willkommen", "Hallo")
    db.session.commit()

    with sqlite_write_lock(app), caplog.at_level(logging.WARNING, logger="conference.core.mail"):
        counts = mail.deliver_pending()
    stored = [(m.status, m.attempts) for m in _outbox(db)]
    later = mail.deliver_pending()

    assert counts == {"sent": 0, "failed": 0}
    assert stored == [("pending", 0)]
    assert f"mail {queued.id} not claimed" in caplog.text
    assert "database is locked" in caplog.text
    assert later == {"sent": 1, "failed": 0}
    assert [m["To"] for m in smtp.wait(1)] == ["anna@example.org"]


@needs_sqlite
@pytest.mark.config(SQLITE_BUSY_TIMEOUT=0.2)
def test_a_sent_mail_is_marked_sent_once_the_lock_is_free_and_goes_out_once(app, db, smtp):
    """The database locks between the SMTP hand-over and the "sent" mark: the mark waits for
    it instead of leaving the mail pending (it would go out again when its claim expires)."""
    locks = []

    @mail.attach_at_delivery("test.locked-after-build")
    def _lock_while_sending(outbox_mail):
        locks.append(sqlite_write_lock(app, hold=1.0))
        locks[-1].__enter__()
        return []

    try:
        mail.queue("anna@example.org", "Willkommen", "Hallo", kind="test.locked-after-build")
        db.session.commit()

        counts = mail.deliver_pending()
    finally:
        mail._delivery_attachments.pop("test.locked-after-build")
        for lock in locks:
            lock.__exit__(None, None, None)

    stored = [(m.status, m.attempts) for m in _outbox(db)]
    again = mail.deliver_pending(utcnow() + timedelta(hours=1))
    assert counts == {"sent": 1, "failed": 0}
    assert stored == [("sent", 1)]
    assert again == {"sent": 0, "failed": 0}
    assert len(smtp.wait(1)) == 1


@pytest.mark.config(MAIL_SEND_INTERVAL=0.1)
def test_each_serving_process_delivers_due_mail_by_itself(app, client, db, smtp):
    """`make run` runs no `flask send-mail`: the background sender (started with the first
    request) delivers mail nobody's request took."""
    mail.queue("anna@example.org", "Willkommen", "Hallo")
    db.session.commit()

    try:
        client.get("/health")
        received = smtp.wait(1, timeout=10)
        client.get("/health")  # a second request starts no second sender
        senders = [t for t in threading.enumerate() if t.name == "mail-sender" and t.is_alive()]
    finally:
        mail.stop_sender(app)

    assert [m["To"] for m in received] == ["anna@example.org"]
    assert len(senders) == 1
    assert [m.status for m in _outbox(db)] == ["sent"]


@pytest.mark.config(MAIL_SEND_INTERVAL=0.05)
def test_parallel_passes_send_every_mail_exactly_once(app, client, db, smtp):
    """The background sender, after-request passes and `flask send-mail` at the same time."""
    for n in range(30):
        mail.queue(f"person{n}@example.org", "Hallo", "Text")
    db.session.commit()

    def cron():
        with app.app_context():
            mail.deliver_pending(limit=10)

    try:
        client.get("/health")  # starts the background sender
        passes = [threading.Thread(target=cron) for _ in range(3)]
        for thread in passes:
            thread.start()
        for thread in passes:
            thread.join(30)
        received = smtp.wait(30, timeout=20)
        time.sleep(0.3)  # give a double delivery the time to show
    finally:
        mail.stop_sender(app)

    recipients = sorted(m["To"] for m in received)
    assert recipients == sorted(f"person{n}@example.org" for n in range(30))
    assert {m.status for m in _outbox(db)} == {"sent"}


@needs_sqlite
@pytest.mark.fresh_app  # adds a request hook
@pytest.mark.config(SQLITE_BUSY_TIMEOUT=0.2, MAIL_SEND_INTERVAL=0.2)
def test_a_promoted_person_hears_it_when_the_database_was_busy_after_the_cancellation(
    app, db, staff_client, smtp
):
    """The walk of issue 22: an organiser cancels, the next person moves up, and while the
    request's own pass runs another request holds SQLite's write lock. The promotion mail
    still arrives, once."""
    from conference.registration.models import Status

    congress = factories.congress(capacity=1)
    first = factories.registration(congress, email="first@example.org")
    congress.taken = 1
    for day in congress.days:
        day.taken = 1
    waiting = factories.registration(
        congress, status=Status.WAITLISTED, email="second@example.org", waitlisted_at=utcnow()
    )
    db.session.commit()
    first_id, waiting_id = first.id, waiting.id
    organiser = staff_client("organiser")
    locks = []

    def busy_database():
        locks.append(sqlite_write_lock(app, hold=2.0))
        locks[0].__enter__()

    @app.after_request
    def _busy_after_the_response(response):  # runs at close, just before the mail pass
        if not locks and request.method == "POST":
            response.call_on_close(busy_database)
        return response

    try:
        response = organiser.post(
            f"/admin/registrations/{first_id}/cancel", data={"confirmed": "yes"}
        )
        queued_then = [(m.kind, m.status, m.attempts) for m in _outbox(db)]
        received = smtp.wait(2, timeout=15)
        time.sleep(0.5)
    finally:
        for lock in locks:
            lock.__exit__(None, None, None)
        mail.stop_sender(app)

    assert response.status_code == 303
    assert queued_then == [
        ("registration.cancelled", "pending", 0),
        ("registration.promoted", "pending", 0),
    ]
    assert sorted(m["To"] for m in received) == ["first@example.org", "second@example.org"]
    assert {(m.kind, m.status) for m in _outbox(db)} == {
        ("registration.cancelled", "sent"),
        ("registration.promoted", "sent"),
    }
    assert db.session.get(Registration, waiting_id).status == Status.CONFIRMED


class _Peers:
    """An SMTP handler that notes from which connection (client port) each mail came, and
    refuses the mails whose subject is "refuse"."""

    def __init__(self):
        self.ports: list[int] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if b"Subject: refuse" in envelope.content:
            return "554 refused"
        self.ports.append(session.peer[1])
        return "250 OK"


@pytest.fixture
def peers(app):
    from aiosmtpd.controller import Controller

    handler = _Peers()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield handler
    controller.stop()


def test_a_pass_sends_its_mails_over_one_connection(app, db, peers):
    for number in range(3):
        mail.queue(f"person{number}@example.org", "Hallo", "Text")
    db.session.commit()

    assert mail.deliver_pending() == {"sent": 3, "failed": 0}

    assert len(peers.ports) == 3
    assert len(set(peers.ports)) == 1


def test_a_refused_mail_costs_the_connection_not_the_next_mail(app, db, peers):
    mail.queue("a@example.org", "Hallo", "Text")
    mail.queue("b@example.org", "refuse", "Text")
    mail.queue("c@example.org", "Hallo", "Text")
    db.session.commit()

    assert mail.deliver_pending() == {"sent": 2, "failed": 1}

    first, second = peers.ports
    assert first != second  # the refusal closed the connection; the third mail opened a new one
    statuses = dict(db.session.execute(select(OutboxMail.recipient, OutboxMail.status)).all())
    assert statuses == {
        "a@example.org": "sent",
        "b@example.org": "pending",
        "c@example.org": "sent",
    }


def test_a_connection_the_server_dropped_is_opened_again(app, peers):
    from email.message import EmailMessage

    def message(to):
        built = EmailMessage()
        built["From"], built["To"], built["Subject"] = "noreply@example.org", to, "Hallo"
        built["Message-ID"] = f"<{to}>"
        built.set_content("Text")
        return built

    transport = mail._Transport(app.config)
    try:
        transport.send(message("a@example.org"))
        transport.smtp.sock.shutdown(
            socket.SHUT_RDWR
        )  # as if the server had timed the idle connection out
        transport.send(message("b@example.org"))
    finally:
        transport.close()

    assert len(peers.ports) == 2 and peers.ports[0] != peers.ports[1]
