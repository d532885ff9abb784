"""The mail outbox.

Services queue a mail in the transaction of what it reports (``queue`` / ``queue_templated``);
delivery is separate (``deliver_pending``, run after requests and by ``flask send-mail``), so an
SMTP outage never loses a registration: the row waits and is retried with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import select, update
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
    """Deliver the mail a request queued once its response has gone out.

    Runs in ``call_on_close``, in a fresh app context, so the visitor never waits for SMTP and
    an SMTP failure can never turn the response into an error: the mail stays pending for
    ``flask send-mail``. Mail of a request that rolled back no longer exists and is skipped.
    """

    @app.after_request
    def _deliver_after_request(response):
        ids = g.pop("queued_mail_ids", None)
        if not ids or not app.config.get("MAIL_SEND_AFTER_REQUEST"):
            return response
        if app.config["MAIL_BACKEND"] == "none":
            return response

        def deliver():
            try:
                with app.app_context():
                    deliver_pending(ids=ids)
            except Exception:  # noqa: BLE001 - never let delivery break a finished request
                log.exception("delivering mail after the request failed")

        response.call_on_close(deliver)
        return response


def queue_templated(
    template: str,
    *,
    recipient: str,
    language: str,
    subject,
    context: dict,
    kind: str = "",
    registration_id: int | None = None,
    attachments: list[Attachment] = (),
    reply_to: str | None = None,
) -> OutboxMail:
    """Render ``templates/mail/<template>.txt`` and ``.html`` in the recipient's language.

    ``subject`` is a lazy string or a callable, evaluated in that language.
    """
    with force_locale(language):
        subject_text = subject() if callable(subject) else str(subject)
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return queue(
        recipient,
        subject_text,
        text,
        html,
        kind=kind or template,
        registration_id=registration_id,
        attachments=attachments,
        reply_to=reply_to,
    )


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


def _send(message: EmailMessage) -> None:
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "file":
        outbox = Path(config["OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_")
        (outbox / f"{name}.eml").write_bytes(message.as_bytes())
        return
    if backend != "smtp":
        raise RuntimeError(f"mail backend {backend!r} cannot deliver")
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes between attempts, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver_pending(now: datetime | None = None, *, limit: int = 200, ids=None) -> dict[str, int]:
    """Deliver due mail. Commits per mail; safe to run in several processes at once.

    Each mail is first claimed by a conditional UPDATE that moves its next attempt into the
    future, so two senders never send the same mail twice.
    """
    if current_app.config["MAIL_BACKEND"] == "none":
        return {"sent": 0, "failed": 0}
    now = now or utcnow()
    query = (
        select(OutboxMail.id)
        .where(OutboxMail.status == "pending", OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(OutboxMail.id.in_(list(ids)))
    with reading():
        due = db.session.execute(query).scalars().all()
        db.session.commit()
    counts = {"sent": 0, "failed": 0}
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    for mail_id in due:
        claimed = db.session.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.status == "pending",
                OutboxMail.next_attempt_at <= now,
            )
            .values(attempts=OutboxMail.attempts + 1, next_attempt_at=now + timedelta(minutes=10))
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        try:
            # Build (and render attachments) in a read-only transaction, ended before talking to
            # the SMTP server: no lock is held while rendering or waiting for the network.
            with reading():
                message = build_message(db.session.get(OutboxMail, mail_id))
                db.session.commit()
            _send(message)
        except Exception as error:  # noqa: BLE001 - SMTP, network or rendering: retry later
            db.session.rollback()
            mail = db.session.get(OutboxMail, mail_id)
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            if mail.attempts >= max_attempts:
                mail.status = "failed"
            else:
                mail.next_attempt_at = now + backoff(mail.attempts)
            counts["failed"] += 1
            log.warning(
                "mail %s not delivered (attempt %s): %s", mail.id, mail.attempts, mail.last_error
            )
        else:
            mail = db.session.get(OutboxMail, mail_id)
            mail.status = "sent"
            mail.sent_at = utcnow()
            mail.last_error = None
            counts["sent"] += 1
        db.session.commit()
    return counts
