"""A mailing to 5,000 people (issue 18): how long until every mail is in the outbox, and
until a local SMTP server (aiosmtpd) has received them all.

2 gunicorn workers with their background senders (``MAIL_SEND_INTERVAL=1``) and the pass
after each request share the work, as in production. An organiser logs in and presses
"Senden" over HTTP; the clock runs from that POST. Reported: the POST itself (it only records
the mailing), the time until queued and until delivered, each also as a ratio to ``/health``
(p50) against the same server in the same run, and that every person got exactly one mail.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime

from benchmarks.harness import Bench, Result, free_port, relative, scenario

PEOPLE = 5000
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "benchmark password 12345"


class _Inbox:
    def __init__(self):
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.recipients)


def _prepare(bench: Bench) -> str:
    from sqlalchemy import insert

    from conference.extensions import db
    from conference.registration.models import Registration
    from tests import factories

    with bench.app_context():
        congress = factories.congress(capacity=None, slug="bench-mailings")
        carrier = factories.carrier("Träger X")
        now = datetime.now(UTC)
        db.session.execute(
            insert(Registration),
            [
                {
                    "congress_id": congress.id,
                    "status": "confirmed",
                    "first_name": f"Vorname{i}",
                    "last_name": f"Nachname{i}",
                    "email": f"person{i}@example.org",
                    "carrier_id": carrier.id,
                    "language": "en" if i % 4 == 0 else "de",
                    "consent_at": now,
                    "confirmed_at": now,
                }
                for i in range(PEOPLE)
            ],
        )
        user = factories.user(role="organiser", email="orga@example.org", password=PASSWORD)
        db.session.commit()
        return user.email


def _state(bench: Bench) -> tuple[str, int, int]:
    from sqlalchemy import func, select

    from conference.core.models import OutboxMail
    from conference.extensions import db
    from conference.mailings.models import Mailing

    with bench.app_context():
        mailing = db.session.scalars(select(Mailing)).one()
        sent = db.session.scalar(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.status == "sent")
        )
        state = (mailing.state, mailing.recipient_count, sent)
        db.session.remove()
        return state


@scenario("mailing-5000")
def mailing_5000(bench: Bench) -> list[Result]:
    import httpx
    from aiosmtpd.controller import Controller

    email = _prepare(bench)
    inbox = _Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    bench.environment.update(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), MAIL_SEND_INTERVAL="1"
    )
    try:
        with bench.server(workers=2) as base:
            floor = bench.floor(base, concurrency=2, requests=500)
            with httpx.Client(base_url=base, timeout=60) as client:
                page = client.get("/login")
                client.post(
                    "/login",
                    data={
                        "csrf_token": CSRF.search(page.text).group(1),
                        "email": email,
                        "password": PASSWORD,
                    },
                )
                form = client.get("/admin/mailings/new")
                assert form.status_code == 200, form.status_code
                started = time.perf_counter()
                sent = client.post(
                    "/admin/mailings/new",
                    data={
                        "csrf_token": CSRF.search(form.text).group(1),
                        "subject_de": "Raumänderung für {first_name}",
                        "body_de": "Hallo {first_name} {last_name},\n\nneuer Raum.\n{manage_link}",
                        "subject_en": "Room change for {first_name}",
                        "body_en": "Hello {first_name} {last_name},\n\nnew room.\n{manage_link}",
                        "action": "send",
                    },
                )
                recorded = time.perf_counter() - started
                assert sent.status_code == 303, sent.status_code
            queued = delivered = None
            deadline = started + 600
            while time.perf_counter() < deadline:
                state, count, _sent = _state(bench)
                now = time.perf_counter()
                if queued is None and state == "queued":
                    queued = now - started
                if inbox.count() >= PEOPLE:
                    delivered = now - started
                    break
                time.sleep(0.25)
            time.sleep(2)  # anything sent twice would arrive now
    finally:
        smtp.stop()
    assert queued is not None and delivered is not None, "the mailing did not finish in time"
    state, count, sent_rows = _state(bench)
    unique = len(set(inbox.recipients))
    assert count == PEOPLE and unique == PEOPLE == len(inbox.recipients), (
        f"{count} recipients, {len(inbox.recipients)} mails to {unique} addresses"
    )

    def row(label: str, seconds: float) -> Result:
        result = Result(
            scenario=label,
            database=bench.database,
            requests=1,
            concurrency=1,
            seconds=round(seconds, 3),
            p50_ms=round(seconds * 1000, 1),
            extra={"people": PEOPLE, "mails": len(inbox.recipients), "sent_rows": sent_rows},
        )
        return relative(result, floor)

    return [
        floor,
        row("mailing 5,000: POST Senden (records only)", recorded),
        row("mailing 5,000: all in the outbox", queued),
        row("mailing 5,000: all delivered to SMTP", delivered),
    ]
