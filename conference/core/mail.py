"""The mail outbox.

Services queue a mail in the transaction of what it reports (``queue``; the organisers' texts
in ``conference/mailtexts`` fill subject and body);
delivery is separate (``deliver_pending``, run after requests, every few seconds by a background
thread in each serving process, and by ``flask send-mail``), so an SMTP outage or a busy database
never loses a mail: the row waits and is retried with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context
from sqlalchemy import case, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.routing import MapAdapter

from conference.config import public_base_url
from conference.core.database import reading
from conference.core.models import OutboxAttachment, OutboxMail
from conference.core.ratelimit import count_hit
from conference.core.time import utcnow
from conference.extensions import db

log = logging.getLogger(__name__)

Attachment = tuple[str, str, bytes]  # filename, mimetype, data

#: Mail kind -> function(mail) giving attachments made when the mail is delivered, not when it
#: is queued: a ticket PDF takes ~100 ms to render, which must not happen inside the request's
#: transaction (on SQLite it would hold the one write lock). Registered by the areas at import.
_delivery_attachments: dict[str, Callable[[OutboxMail], list[Attachment]]] = {}


def attach_at_delivery(*kinds: str):
    """Decorator: ``function(mail) -> [(filename, mimetype, bytes)]`` for mails of these kinds."""

    def register(function):
        for kind in kinds:
            _delivery_attachments[kind] = function
        return function

    return register


#: Functions ``function(now, budget)`` run at the start of every delivery pass, before the due
#: mail is read: they put work that was only recorded into the outbox (a mailing's mails, in
#: batches). ``budget`` is the pass's limit after a request (a small share, so the visitor's
#: worker is soon free again) and None in the background sender and ``flask send-mail``. Each
#: commits its own steps and must be safe in several processes at once. Registered by the
#: areas in ``init_app`` (``conference/mailings``).
_before_delivery: list[Callable[[datetime, int | None], None]] = []


def before_delivery(function):
    """Decorator: run ``function(now, budget)`` at the start of every delivery pass."""
    if function not in _before_delivery:
        _before_delivery.append(function)
    return function


def wake_after_request() -> None:
    """Run a delivery pass after this request even if it queued no mail itself (it recorded
    work for the ``before_delivery`` functions, such as a mailing)."""
    if has_request_context():
        g.setdefault("queued_mail_ids", [])


def queue(
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    *,
    kind: str = "",
    registration_id: int | None = None,
    attachments: list[Attachment] = (),
    reply_to: str | None = None,
) -> OutboxMail:
    mail = OutboxMail(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        registration_id=registration_id,
        reply_to=reply_to,
        next_attempt_at=utcnow(),
    )
    for filename, mimetype, data in attachments:
        mail.attachments.append(OutboxAttachment(filename=filename, mimetype=mimetype, data=data))
    db.session.add(mail)
    if has_request_context():
        # Remembered for delivery right after the response (see ``init_app``).
        db.session.flush()
        g.setdefault("queued_mail_ids", []).append(mail.id)
    return mail


def init_app(app) -> None:
    """Deliver the mail a request queued once its response has gone out, and start this
    process's background sender with its first request.

    After-request delivery runs in ``call_on_close``, in a fresh app context, so the visitor
    never waits for SMTP and an SMTP failure can never turn the response into an error. Mail
    of a request that rolled back no longer exists and is skipped. Whatever that pass cannot
    deliver (SMTP down, SQLite's write lock busy beyond its timeout) stays due and is taken by
    the next pass: the next request's, the background sender's (``MAIL_SEND_INTERVAL``) or
    ``flask send-mail``'s.
    """

    @app.before_request
    def _start_sender():
        if app.config.get("MAIL_SEND_INTERVAL") and app.config["MAIL_BACKEND"] != "none":
            start_sender(app)

    @app.after_request
    def _deliver_after_request(response):
        ids = g.pop("queued_mail_ids", None)
        if ids is None or not app.config.get("MAIL_SEND_AFTER_REQUEST"):
            return response
        if app.config["MAIL_BACKEND"] == "none":
            return response

        def deliver():
            try:
                with app.app_context():
                    # The request's own mail first, then a few others that are due: enough to
                    # heal a pass that failed, without holding this worker for a whole mailing.
                    deliver_pending(ids=ids, limit=len(ids) + AFTER_REQUEST_EXTRA)
            except Exception:  # noqa: BLE001 - never let delivery break a finished request
                log.exception("delivering mail after the request failed")

        response.call_on_close(deliver)
        return response


#: How many other due mails an after-request pass takes besides the request's own.
AFTER_REQUEST_EXTRA = 20


class _Sender:
    """A daemon thread that runs a delivery pass every ``interval`` seconds in one process."""

    def __init__(self, app, interval: float):
        self.app = app
        self.interval = interval
        self.pid = os.getpid()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                with self.app.app_context():
                    deliver_pending()
            except Exception:  # noqa: BLE001 - the next pass tries again
                log.exception("background mail delivery failed; next pass in %s s", self.interval)

    def alive(self) -> bool:
        # A forked worker inherits the object but not the thread: it needs its own.
        return self.pid == os.getpid() and self.thread.is_alive() and not self.stopped.is_set()


_sender_lock = threading.Lock()


def start_sender(app) -> None:
    """Start this process's background sender (once per process; again after a fork).

    Every serving process (each gunicorn worker, ``flask run``) runs one: nothing depends on a
    single process, and the conditional UPDATE of the claim keeps any mail from going twice.
    """
    sender = app.extensions.get("mail_sender")
    if sender is not None and sender.alive():
        return
    with _sender_lock:
        sender = app.extensions.get("mail_sender")
        if sender is not None and sender.alive():
            return
        sender = _Sender(app, float(app.config["MAIL_SEND_INTERVAL"]))
        app.extensions["mail_sender"] = sender
        sender.thread.start()


def stop_sender(app, timeout: float = 10.0) -> None:
    sender = app.extensions.pop("mail_sender", None)
    if sender is not None:
        sender.stopped.set()
        if sender.pid == os.getpid() and sender.thread.is_alive():
            sender.thread.join(timeout)


def unsolicited_mail_allowed(recipient: str, *, now: datetime) -> bool:
    """Count one mail that a visitor without an account makes us send to ``recipient`` (sign-up,
    lost or renewed link, directory contact); False once the address has had
    ``MAIL_RECIPIENT_CAP_PER_HOUR`` of them within the hour, so nobody can mail-bomb it.

    One upsert in the request's transaction (``ratelimit.count_hit``): the cap holds across
    workers and machines, and a request that rolls back does not count. The counter's key is
    an HMAC of the address, never the address itself.
    """
    address = recipient.strip().lower().encode()
    secret = current_app.config["SECRET_KEY"].encode()
    key = "mail-to:" + hmac.new(secret, address, hashlib.sha256).hexdigest()
    count = count_hit(db.session, key, 3600, now.timestamp())
    if count > current_app.config["MAIL_RECIPIENT_CAP_PER_HOUR"]:
        log.info("mail not queued: the recipient's hourly cap is reached")
        return False
    return True


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for links in mails, feeds and calendar pages, in or outside a request.

    Always on the configured PUBLIC_BASE_URL, never on the request's Host: a forged Host header
    would otherwise mail a victim their real token on the attacker's site.
    """
    return public_url_adapter().build(endpoint, values, force_external=True)


def public_url_adapter() -> MapAdapter:
    """A URL adapter bound to PUBLIC_BASE_URL (``conference.config.public_base_url``)."""
    parts = urlsplit(public_base_url(current_app))
    return current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )


def build_message(mail: OutboxMail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="fachkongress.local")
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    attachments = [(a.filename, a.mimetype, a.data) for a in mail.attachments]
    provider = _delivery_attachments.get(mail.kind)
    if provider is not None:
        attachments += provider(mail)
    for filename, mimetype, data in attachments:
        maintype, _, subtype = mimetype.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


class _Transport:
    """Where a delivery pass hands its mails: the outbox folder, or one SMTP connection opened
    at the pass's first mail and reused for the next ones (connecting, TLS and login cost more
    than a mail). Before a reuse a NOOP checks that the server still holds the connection; a
    failed send closes it, so the next mail starts on a fresh one."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        config = self.config
        backend = config["MAIL_BACKEND"]
        if backend == "file":
            outbox = Path(config["OUTBOX_DIR"])
            outbox.mkdir(parents=True, exist_ok=True)
            name = message["Message-ID"].strip("<>").replace("@", "_")
            (outbox / f"{name}.eml").write_bytes(message.as_bytes())
            return
        if backend != "smtp":
            raise RuntimeError(f"mail backend {backend!r} cannot deliver")
        if self.smtp is not None and not self._alive():
            self.close()
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def _open(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _alive(self) -> bool:
        try:
            return self.smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def close(self) -> None:
        """QUIT, or just drop the socket when the server is gone already."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes between attempts, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _reason(error: Exception) -> str:
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    return f"{type(error).__name__}: {error}"[:2000]


def deliver_pending(now: datetime | None = None, *, limit: int = 200, ids=None) -> dict[str, int]:
    """Deliver due mail: the mails ``ids`` first (a request's own), then every other due mail,
    oldest first, at most ``limit``. Commits per mail; safe to run in several processes at once.

    Each mail is first claimed by a conditional UPDATE that moves its next attempt into the
    future, so two senders never send the same mail twice. A pass never raises for one mail:
    a failed send is recorded on the mail and retried with backoff; a claim the database
    refuses (SQLite's write lock still busy after ``SQLITE_BUSY_TIMEOUT``) ends the pass and
    leaves that mail and the rest due for the next pass. Both are logged with their reason.
    """
    counts = {"sent": 0, "failed": 0}
    if current_app.config["MAIL_BACKEND"] == "none":
        return counts
    now = now or utcnow()
    for prepare in _before_delivery:
        try:
            prepare(now, limit if ids is not None else None)
        except Exception:  # noqa: BLE001 - the mail already queued must still go out
            db.session.rollback()
            log.exception("mail: preparing mail failed, the next pass retries")
    query = select(OutboxMail.id).where(
        OutboxMail.status == "pending", OutboxMail.next_attempt_at <= now
    )
    if ids:
        query = query.order_by(case((OutboxMail.id.in_(list(ids)), 0), else_=1), OutboxMail.id)
    else:
        query = query.order_by(OutboxMail.id)
    try:
        with reading():
            due = db.session.execute(query.limit(limit)).scalars().all()
            db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("mail: the outbox could not be read, next pass retries: %s", _reason(error))
        return counts
    transport = _Transport(current_app.config)
    try:
        _deliver(due, now, counts, transport)
    finally:
        transport.close()
    return counts


def _deliver(due: list[int], now: datetime, counts: dict[str, int], transport: _Transport) -> None:
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    for position, mail_id in enumerate(due):
        try:
            claimed = db.session.execute(
                update(OutboxMail)
                .where(
                    OutboxMail.id == mail_id,
                    OutboxMail.status == "pending",
                    OutboxMail.next_attempt_at <= now,
                )
                .values(
                    attempts=OutboxMail.attempts + 1, next_attempt_at=now + timedelta(minutes=10)
                )
            ).rowcount
            db.session.commit()
        except SQLAlchemyError as error:
            db.session.rollback()
            log.warning(
                "mail %s not claimed, left with %s more for the next pass: %s",
                mail_id,
                len(due) - position - 1,
                _reason(error),
            )
            break
        if not claimed:
            continue  # another sender has it
        try:
            # Build (and render attachments) in a read-only transaction, ended before talking to
            # the SMTP server: no lock is held while rendering or waiting for the network.
            with reading():
                message = build_message(db.session.get(OutboxMail, mail_id))
                db.session.commit()
            transport.send(message)
        except Exception as error:  # noqa: BLE001 - SMTP, network or rendering: retry later
            db.session.rollback()
            counts["failed"] += 1
            if not _record_failure(mail_id, now, _reason(error), max_attempts):
                break
            continue
        _mark_sent(mail_id)
        counts["sent"] += 1


def _record_failure(mail_id: int, now: datetime, reason: str, max_attempts: int) -> bool:
    """Note why a send failed and when to retry. False if the database refused the note (the
    claim then expires in ten minutes and the mail is retried anyway)."""
    try:
        mail = db.session.get(OutboxMail, mail_id)
        mail.last_error = reason
        if mail.attempts >= max_attempts:
            mail.status = "failed"
        else:
            mail.next_attempt_at = now + backoff(mail.attempts)
        attempts = mail.attempts
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("mail %s not delivered: %s; and not noted: %s", mail_id, reason, _reason(error))
        return False
    log.warning("mail %s not delivered (attempt %s): %s", mail_id, attempts, reason)
    return True


#: Pauses between tries to mark a mail sent (seconds), each after the database's own wait.
MARK_SENT_PAUSES = (0.5, 1, 2, 4)


def _mark_sent(mail_id: int) -> None:
    """Record that the SMTP server took the mail. Retried while the database is busy: a mail
    left "pending" would go out a second time once its claim expires."""
    for pause in (*MARK_SENT_PAUSES, None):
        try:
            db.session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == mail_id)
                .values(status="sent", sent_at=utcnow(), last_error=None)
            )
            db.session.commit()
            return
        except SQLAlchemyError as error:
            db.session.rollback()
            if pause is None:
                log.error(
                    "mail %s was sent but could not be marked sent; it may go out again in "
                    "ten minutes: %s",
                    mail_id,
                    _reason(error),
                )
                return
            log.warning("mail %s sent, marking it waits %s s: %s", mail_id, pause, _reason(error))
            time.sleep(pause)
