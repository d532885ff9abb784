"""Putting recorded mailings into the outbox, in batches, outside any request.

``prepare`` runs at the start of every delivery pass of the outbox (``core.mail.before_delivery``:
the pass after a request, each serving process's background sender, ``flask send-mail``), so
any number of processes share the work:

- ``run_due_rules``: each scheduled rule that is due is claimed once, by a conditional UPDATE
  of its ``ran_at``, and records one mailing (``mailing.rule_id`` is unique as well).
- ``expand``: a batch of a mailing's recipients (the registration ids after its ``cursor``)
  is claimed by a conditional UPDATE of the cursor; only the process whose UPDATE moved it
  queues those mails, in the same transaction, so a batch is never taken twice and never lost.
  ``(mailing, registration)`` is unique besides. Each mail is in the person's language with
  their values filled in; erased people never match the filter.

Attachments (ticket, ``.ics``) are made when a mail is delivered (``core.mail.attach_at_delivery``),
as for the confirmation mail.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from conference.badges import services as badges
from conference.core.database import reading, transaction
from conference.core.mail import attach_at_delivery, before_delivery, queue
from conference.core.models import Congress
from conference.extensions import db
from conference.feeds import services as feeds
from conference.mailings import recipients as filters
from conference.mailings.models import Mailing, MailingRecipient, MailingRule, MailingState
from conference.mailings.recipients import RecipientFilter
from conference.mailings.services import RULE_GRACE, Renderer, due_at, outbox_kind, person_values
from conference.registration.models import Registration, Status

log = logging.getLogger(__name__)

#: The smallest and largest batch one expansion step takes of a mailing.
MIN_BATCH, MAX_BATCH = 20, 500
#: How long a background or ``send-mail`` pass goes on expanding before it delivers.
EXPAND_SECONDS = 5.0
ATTACHING_KINDS = ("mailings.ticket", "mailings.calendar", "mailings.ticket_calendar")


class _Taken(Exception):
    """Another process claimed this batch first."""


def expand_batch(mailing_id: int, size: int, now: datetime) -> int:
    """Queue the next ``size`` mails of a mailing; how many this process queued (0 when the
    mailing is complete or another process took the batch)."""
    try:
        with transaction():
            mailing = db.session.get(Mailing, mailing_id)
            if mailing is None or mailing.state != MailingState.EXPANDING:
                return 0
            congress = db.session.get(Congress, mailing.congress_id)
            cursor = mailing.cursor
            wanted = RecipientFilter.from_json(mailing.recipients)
            ids = list(
                db.session.scalars(
                    filters.matching(congress, wanted, None)
                    .where(Registration.id > cursor)
                    .order_by(Registration.id)
                    .limit(size)
                )
            )
            complete = len(ids) < size
            values = {
                "cursor": ids[-1] if ids else cursor,
                "recipient_count": Mailing.recipient_count + len(ids),
            }
            if complete:
                values.update(state=MailingState.QUEUED, queued_at=now)
            claimed = db.session.execute(
                update(Mailing)
                .where(
                    Mailing.id == mailing_id,
                    Mailing.cursor == cursor,
                    Mailing.state == MailingState.EXPANDING,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not claimed:
                raise _Taken
            people = db.session.scalars(
                select(Registration).where(Registration.id.in_(ids)).order_by(Registration.id)
            ).all()
            renderer = Renderer(congress, mailing)
            kind = outbox_kind(mailing)
            mails = []
            for person in people:
                rendered = renderer.render(person.language or "de", person_values(person))
                mail = queue(
                    person.email,
                    rendered.subject,
                    rendered.text,
                    rendered.html,
                    kind=kind,
                    registration_id=person.id,
                )
                mail.next_attempt_at = now  # due in the pass that queued it
                mails.append(mail)
            db.session.flush()
            db.session.add_all(
                MailingRecipient(
                    mailing_id=mailing_id, registration_id=mail.registration_id,
                    outbox_mail_id=mail.id,
                )
                for mail in mails
            )  # fmt: skip
            db.session.flush()
            return len(mails)
    except _Taken:
        return 0
    except IntegrityError:  # the unique (mailing, registration): somebody queued them already
        log.warning("mailing %s: a batch after %s was queued already", mailing_id, cursor)
        return 0


def expand(now: datetime, budget: int | None) -> int:
    """Expand the mailings in progress (oldest first). After a request (``budget`` given): one
    batch of about ``budget`` each. In the background and ``send-mail`` (None): batches of
    MAX_BATCH, one mailing after the other, for up to EXPAND_SECONDS; each batch is its own
    short transaction, so other writers get their turn in between."""
    size = MAX_BATCH if budget is None else max(MIN_BATCH, min(budget, MAX_BATCH))
    stop = time.monotonic() + EXPAND_SECONDS
    with reading(), transaction():
        waiting = list(
            db.session.scalars(
                select(Mailing.id)
                .where(Mailing.state == MailingState.EXPANDING)
                .order_by(Mailing.id)
                .limit(10)
            )
        )
    queued = 0
    for mailing_id in waiting:
        while True:
            done = expand_batch(mailing_id, size, now)
            queued += done
            if budget is not None or done < size or time.monotonic() >= stop:
                break
        if budget is None and time.monotonic() >= stop:
            break
    return queued


def run_due_rules(now: datetime) -> int:
    """Record the mailing of every rule that is due (at most RULE_GRACE late); each rule
    once, whoever runs at the same time. Returns how many rules ran."""
    with reading(), transaction():
        candidates = db.session.execute(
            select(MailingRule, Congress)
            .join(Congress, Congress.id == MailingRule.congress_id)
            .where(MailingRule.ran_at.is_(None))
        ).all()
        due = [rule.id for rule, congress in candidates
               if due_at(rule, congress) <= now < due_at(rule, congress) + RULE_GRACE]  # fmt: skip
    ran = 0
    for rule_id in due:
        try:
            with transaction():
                claimed = db.session.execute(
                    update(MailingRule)
                    .where(MailingRule.id == rule_id, MailingRule.ran_at.is_(None))
                    .values(ran_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not claimed:
                    continue
                rule = db.session.get(MailingRule, rule_id)
                db.session.add(
                    Mailing(
                        congress_id=rule.congress_id,
                        created_at=now,
                        rule_id=rule.id,
                        state=MailingState.EXPANDING,
                        cursor=0,
                        recipient_count=0,
                        recipients=rule.recipients,
                        **rule.texts(),
                    )
                )
                db.session.flush()
                ran += 1
        except IntegrityError:  # the rule's one mailing exists already
            continue
    return ran


def prepare(now: datetime, budget: int | None) -> None:
    run_due_rules(now)
    expand(now, budget)


def attachments(mail) -> list[tuple[str, str, bytes]]:
    """A mailing's ticket and personal programme, made at delivery, for confirmed people."""
    person = db.session.get(Registration, mail.registration_id) if mail.registration_id else None
    if person is None or person.status != Status.CONFIRMED:
        return []
    files = []
    if "ticket" in mail.kind:
        files += badges.ticket_attachment(person)
    if "calendar" in mail.kind:
        files += feeds.personal_programme_attachment(person)
    return files


def init_app(app) -> None:
    attach_at_delivery(*ATTACHING_KINDS)(attachments)
    before_delivery(prepare)
