"""Mailings: writing, testing and recording one, the history, and the scheduled rules.

``create`` only records the mailing (state "expanding"): its mails are put into the outbox in
batches by the outbox machinery (``delivery.py``), never inside the request. The texts use the
mail texts' placeholders and sandbox (``conference.mailtexts.render`` via ``services.check``
and ``services.fill``). Services flush and never commit; refusals are ``DomainError``s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference.core import audit
from conference.core.errors import Conflict, Invalid, NotFound
from conference.core.mail import external_url, queue
from conference.core.models import (
    Congress,
    OutboxMail,
)
from conference.core.time import at_local
from conference.extensions import db
from conference.mailings import recipients as filters
from conference.mailings.models import (
    Anchor,
    Mailing,
    MailingRecipient,
    MailingRule,
    MailingState,
)
from conference.mailings.recipients import RecipientFilter
from conference.mailings.texts import MAILING, PRESETS, preset_texts
from conference.mailtexts import render
from conference.mailtexts import services as mailtexts
from conference.registration.models import Registration
from conference.registration.services import scope_carrier

LANGUAGES = ("de", "en")
TEXT_FIELDS = ("subject_de", "body_de", "subject_en", "body_en")
#: How late a scheduled rule may still go out (a server that was down for a day).
RULE_GRACE = timedelta(days=2)


class InvalidMailing(Invalid):
    """``details["problems"]``: field name -> translated messages."""

    code = "invalid_mailing"


@dataclass(frozen=True)
class MailingInput:
    subject_de: str = ""
    body_de: str = ""
    subject_en: str = ""
    body_en: str = ""
    attach_ticket: bool = False
    attach_calendar: bool = False


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n"))


def problems(data: MailingInput) -> dict[str, list[str]]:
    """Every problem of the texts by field: the mail texts' own checks (unknown placeholders,
    template syntax, lengths), in German and in English."""
    found: dict[str, list[str]] = {}
    for language in LANGUAGES:
        subject = getattr(data, f"subject_{language}")
        body = getattr(data, f"body_{language}")
        for name, messages in mailtexts.check(MAILING, subject, body).items():
            found[f"{name}_{language}"] = messages
    return found


def _refuse(data: MailingInput) -> None:
    found = problems(data)
    if found:
        first = next(iter(found))
        raise InvalidMailing(found[first][0], field=first, problems=found)


def _texts(data: MailingInput) -> dict:
    values = {name: _clean(getattr(data, name)).strip() for name in TEXT_FIELDS}
    values.update(
        attach_ticket=bool(data.attach_ticket), attach_calendar=bool(data.attach_calendar)
    )
    return values


FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,43}$")


def _sent_with(form_key: str) -> Mailing | None:
    return db.session.scalars(select(Mailing).where(Mailing.form_key == form_key)).one_or_none()


def create(
    congress: Congress,
    data: MailingInput,
    wanted: RecipientFilter,
    *,
    actor,
    now: datetime,
    form_key: str | None = None,
) -> Mailing:
    """Record a mailing ("Senden"). A coordinator's filter is stored narrowed to their own
    carrier (``recipients.scoped``), so the expansion needs no actor. The same form sent
    again (``form_key``: pressed twice, or sent again after going back) returns the mailing it
    recorded, whoever's request came first (a unique key). Raises InvalidMailing, Forbidden."""
    _refuse(data)
    wanted = filters.scoped(wanted, actor)
    form_key = form_key if form_key and FORM_KEY.match(form_key) else None
    if form_key is not None:
        earlier = _sent_with(form_key)
        if earlier is not None and earlier.congress_id == congress.id:
            return earlier
    mailing = Mailing(
        form_key=form_key,
        congress_id=congress.id,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        recipients=wanted.as_json(),
        state=MailingState.EXPANDING,
        cursor=0,
        recipient_count=0,
        **_texts(data),
    )
    try:
        with db.session.begin_nested():
            db.session.add(mailing)
    except IntegrityError:  # the same form, sent at the same moment by a second request
        if form_key is None:
            raise
        return _sent_with(form_key)
    audit.record(
        "mailing.sent",
        mailing,
        actor=actor,
        congress_id=congress.id,
        subject=mailing.subject_de,
    )
    return mailing


# --- filling in ------------------------------------------------------------------------------


def person_values(person: Registration) -> dict[str, str]:
    """The values of a mailing's placeholders that belong to the person (their links)."""
    token = person.manage_token
    return {
        **mailtexts.person_values(person),
        "manage_link": external_url("registration.manage", token=token),
        "certificate_link": external_url("reports.certificate", token=token),
        "survey_link": external_url("surveys.answer", token=token),
    }


class Renderer:
    """A mailing's texts filled in per person; the edition's values read once per language."""

    def __init__(self, congress: Congress, texts):
        self.congress = congress
        self.texts = texts
        self._edition: dict[str, dict[str, str]] = {}

    def edition(self, language: str) -> dict[str, str]:
        if language not in self._edition:
            with force_locale(language):
                self._edition[language] = mailtexts.congress_values(self.congress, language)
        return self._edition[language]

    def render(self, language: str, values: dict[str, str]) -> mailtexts.Rendered:
        language = mailtexts.language_of(language)
        text = mailtexts.Text(self.texts.subject(language), self.texts.body(language), custom=True)
        return mailtexts.fill(text, {**self.edition(language), **values}, language)


def outbox_kind(texts) -> str:
    """The outbox's kind, which decides the attachments made at delivery (``delivery.py``)."""
    parts = [part for part, wanted in (("ticket", texts.attach_ticket), ("calendar",
             texts.attach_calendar)) if wanted]  # fmt: skip
    return "mailings." + ("_".join(parts) or "plain")


# --- the test mail ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Texts:
    subject_de: str
    body_de: str
    subject_en: str
    body_en: str

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_de

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_de


def send_test(
    congress: Congress, data: MailingInput, wanted: RecipientFilter, *, recipient: str, actor
) -> str:
    """ "Test an mich": the mailing in German and in English to the organiser's own address
    only, filled in for the first person the filter reaches (else the organiser's name). Its
    links are examples and nothing is attached: a test must not hand over a person's keys.
    Returns whose values were filled in."""
    _refuse(data)
    texts = _Texts(**{name: _clean(getattr(data, name)).strip() for name in TEXT_FIELDS})
    first = db.session.execute(
        select(Registration)
        .where(Registration.id.in_(filters.matching(congress, wanted, actor)))
        .order_by(Registration.name_key, Registration.id)
        .limit(1)
    ).scalar_one_or_none()
    names = (
        mailtexts.person_values(first)
        if first is not None
        else {"first_name": getattr(actor, "name", "") or recipient, "last_name": ""}
    )
    renderer = Renderer(congress, texts)
    for language in LANGUAGES:
        with force_locale(language):
            values = {p.name: str(p.example) for p in MAILING.placeholders}
            values.update(renderer.edition(language))
            values.update(names)
            shown = renderer.render(language, values)
            subject = render.one_line(_("[Test] %(subject)s", subject=shown.subject))
        queue(
            recipient,
            subject,
            shown.text,
            shown.html,
            kind="mailings.test",
            registration_id=first.id if first is not None else None,
        )
    audit.record("mailing.tested", congress, actor=actor, congress_id=congress.id)
    return f"{names['first_name']} {names['last_name']}".strip()


# --- reading ---------------------------------------------------------------------------------


@dataclass
class Counts:
    recipients: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    preparing: bool = False

    def as_json(self) -> dict:
        return {
            "recipients": self.recipients,
            "queued": self.queued,
            "sent": self.sent,
            "failed": self.failed,
            "preparing": self.preparing,
        }


def counts(mailings: list[Mailing]) -> dict[int, Counts]:
    """Queued / sent / failed per mailing: one query for any number of mailings."""
    found = {m.id: Counts(m.recipient_count, preparing=m.state == MailingState.EXPANDING)
             for m in mailings}  # fmt: skip
    if not found:
        return found
    rows = db.session.execute(
        select(MailingRecipient.mailing_id, OutboxMail.status, func.count())
        .join(OutboxMail, OutboxMail.id == MailingRecipient.outbox_mail_id)
        .where(MailingRecipient.mailing_id.in_(list(found)))
        .group_by(MailingRecipient.mailing_id, OutboxMail.status)
    )
    for mailing_id, status, number in rows:
        target = found[mailing_id]
        if status == "sent":
            target.sent += number
        elif status == "failed":
            target.failed += number
        else:
            target.queued += number
    return found


def _visible(actor, mailing_filter: dict) -> bool:
    carrier = scope_carrier(actor)
    return carrier is None or list(mailing_filter.get("carrier_ids") or []) == [carrier]


def history(congress: Congress, actor) -> list[Mailing]:
    """The edition's mailings, newest first; a coordinator sees those to their carrier."""
    rows = db.session.scalars(
        select(Mailing)
        .where(Mailing.congress_id == congress.id)
        .order_by(Mailing.created_at.desc(), Mailing.id.desc())
    ).all()
    return [row for row in rows if _visible(actor, row.recipients)]


def mailing_for(mailing_id: int, actor) -> Mailing:
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or not _visible(actor, mailing.recipients):
        raise NotFound(_("This mailing does not exist."), code="unknown_mailing")
    return mailing


def describe(mailing) -> list[str]:
    return filters.describe(RecipientFilter.from_json(mailing.recipients))


# --- scheduled rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput(MailingInput):
    anchor: str = Anchor.BEFORE_START
    days: int | None = None
    send_time: time | None = None


def _refuse_rule(data: RuleInput) -> None:
    found = problems(data)
    if data.anchor not in set(Anchor):
        found.setdefault("anchor", []).append(_("Please choose before the start or after the end."))
    if data.days is None or not 0 <= data.days <= 365:
        found.setdefault("days", []).append(_("Please enter a number of days from 0 to 365."))
    if data.send_time is None:
        found.setdefault("send_time", []).append(_("Please enter a time such as 09:00."))
    if found:
        first = next(iter(found))
        raise InvalidMailing(found[first][0], field=first, problems=found)


def rules(congress: Congress) -> list[MailingRule]:
    return list(
        db.session.scalars(
            select(MailingRule)
            .where(MailingRule.congress_id == congress.id)
            .order_by(MailingRule.anchor.desc(), MailingRule.days.desc(), MailingRule.id)
        )
    )


def rule_for(congress: Congress, rule_id: int) -> MailingRule:
    rule = db.session.get(MailingRule, rule_id)
    if rule is None or rule.congress_id != congress.id:
        raise NotFound(_("This rule does not exist."), code="unknown_mailing_rule")
    return rule


def save_rule(
    congress: Congress,
    data: RuleInput,
    wanted: RecipientFilter,
    *,
    actor,
    now: datetime,
    rule: MailingRule | None = None,
) -> MailingRule:
    """A new rule, or changes to one that has not run yet. Raises InvalidMailing, Conflict."""
    _refuse_rule(data)
    if rule is not None and rule.ran_at is not None:
        raise Conflict(_("This rule has run already; it cannot be changed."))
    if rule is None:
        rule = MailingRule(congress_id=congress.id, created_at=now)
        db.session.add(rule)
    for name, value in _texts(data).items():
        setattr(rule, name, value)
    rule.anchor, rule.days, rule.send_time = data.anchor, data.days, data.send_time
    rule.recipients = filters.scoped(wanted, actor).as_json()
    db.session.flush()
    audit.record("mailing_rule.saved", rule, actor=actor, congress_id=congress.id)
    return rule


def add_preset(congress: Congress, key: str, *, actor, now: datetime) -> MailingRule:
    """One of the two default rules, with its default texts (once per edition)."""
    if key not in PRESETS:
        raise NotFound(_("There is no such rule."), code="unknown_preset")
    preset = PRESETS[key]
    hours, minutes = (int(part) for part in preset["send_time"].split(":"))
    rule = MailingRule(
        congress_id=congress.id,
        created_at=now,
        preset=key,
        anchor=preset["anchor"],
        days=preset["days"],
        send_time=time(hours, minutes),
        attach_ticket=preset["attach_ticket"],
        attach_calendar=preset["attach_calendar"],
        recipients=RecipientFilter().as_json(),
        **preset_texts(key),
    )
    try:
        with db.session.begin_nested():
            db.session.add(rule)
    except IntegrityError:  # added already (two clicks, two organisers)
        raise Conflict(_("This edition has this rule already.")) from None
    audit.record("mailing_rule.saved", rule, actor=actor, congress_id=congress.id)
    return rule


def delete_rule(rule: MailingRule, *, actor) -> None:
    if rule.ran_at is not None:
        raise Conflict(_("This rule has run already; it stays in the history."))
    audit.record("mailing_rule.deleted", rule, actor=actor, congress_id=rule.congress_id)
    db.session.delete(rule)
    db.session.flush()


def due_at(rule: MailingRule, congress: Congress) -> datetime:
    """When the rule is due: its wall-clock time in the congress's time zone."""
    if rule.anchor == Anchor.BEFORE_START:
        day = congress.starts_on - timedelta(days=rule.days)
    else:
        day = congress.ends_on + timedelta(days=rule.days)
    return at_local(day, rule.send_time, congress.timezone)


def rule_state(rule: MailingRule, congress: Congress, now: datetime) -> str:
    """ "ran", "waiting" or "missed" (due longer ago than RULE_GRACE, never run)."""
    if rule.ran_at is not None:
        return "ran"
    return "missed" if now >= due_at(rule, congress) + RULE_GRACE else "waiting"


def presets_missing(congress: Congress, existing: list[MailingRule]) -> list[str]:
    have = {rule.preset for rule in existing}
    return [key for key in PRESETS if key not in have]
