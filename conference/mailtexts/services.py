"""The organisers' mail texts: reading, saving, resetting, sending, previewing, copying.

Sending areas call ``queue_mail`` (one mail) or ``Batch`` (many of one kind, e.g. the
allocation result): the edition's text in the recipient's language, else the default, filled
in with the area's values and queued in the outbox of the current transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_interval
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from conference.core import audit
from conference.core.errors import Invalid, NotFound
from conference.core.mail import Attachment, queue
from conference.core.models import Congress, OutboxMail
from conference.extensions import db
from conference.mailtexts import registry, render
from conference.mailtexts.models import MailText

LANGUAGES = ("de", "en")
SUBJECT_LIMIT = 200
BODY_LIMIT = 10000


class InvalidMailText(Invalid):
    """``details["problems"]``: field name ("subject", "body", "sample") -> messages."""

    code = "invalid_mail_text"


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "de"


def kind_or_404(key: str) -> registry.MailKind:
    found = registry.BY_KEY.get(key)
    if found is None:
        raise NotFound(_("There is no such mail."), code="unknown_mail_kind")
    return found


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    subject: str
    body: str
    custom: bool  # the organisers' own text (else the default)
    updated_at: datetime | None = None


def default_text(kind: registry.MailKind, language: str) -> Text:
    with force_locale(language_of(language)):
        return Text(str(kind.subject), str(kind.body), custom=False)


def _row(congress_id: int, key: str, language: str) -> MailText | None:
    return db.session.execute(
        select(MailText).where(
            MailText.congress_id == congress_id,
            MailText.kind == key,
            MailText.language == language,
        )
    ).scalar_one_or_none()


def current_text(congress_id: int, key: str, language: str) -> Text:
    """The text the next mail of this kind and language gets."""
    language = language_of(language)
    row = _row(congress_id, key, language)
    if row is not None:
        return Text(row.subject, row.body, custom=True, updated_at=row.updated_at)
    return default_text(registry.kind(key), language)


def overview(congress_id: int) -> dict[tuple[str, str], MailText]:
    """The edition's own texts by (kind, language): one query for the list page."""
    rows = db.session.execute(select(MailText).where(MailText.congress_id == congress_id))
    return {(row.kind, row.language): row for row in rows.scalars()}


# --- checking and saving ---------------------------------------------------------------------


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n"))


def check(kind: registry.MailKind, subject: str, body: str) -> dict[str, list[str]]:
    """Problems by field; empty when the text can be saved and sent."""
    found: dict[str, list[str]] = {}
    subject, body = _clean(subject).strip(), _clean(body).strip()
    if not subject:
        found["subject"] = [_("Please enter a subject.")]
    elif "\n" in subject:
        found["subject"] = [_("The subject must be one line.")]
    elif len(subject) > SUBJECT_LIMIT:
        found["subject"] = [
            _("Please shorten the subject to %(max)s characters.", max=SUBJECT_LIMIT)
        ]
    else:
        subject_problems = render.problems(subject, kind.names)
        if subject_problems:
            found["subject"] = subject_problems
    if not body:
        found["body"] = [_("Please enter the text of the mail.")]
    elif len(body) > BODY_LIMIT:
        found["body"] = [_("Please shorten the text to %(max)s characters.", max=BODY_LIMIT)]
    else:
        body_problems = render.problems(body, kind.names)
        if body_problems:
            found["body"] = body_problems
    return found


def _refuse_problems(kind: registry.MailKind, subject: str, body: str) -> None:
    found = check(kind, subject, body)
    if found:
        first_field = next(iter(found))
        raise InvalidMailText(found[first_field][0], field=first_field, problems=found)


def warnings(kind: registry.MailKind, body: str) -> list[str]:
    """What a checked text leaves out that the person needs (the link to confirm, ...)."""
    present = render.used(_clean(body))
    return [
        _(
            "The text does not contain {%(name)s} (%(description)s): the person may not be "
            "able to go on.",
            name=placeholder.name,
            description=placeholder.description,
        )
        for placeholder in kind.placeholders
        if placeholder.essential and placeholder.name not in present
    ]


def save_text(
    congress: Congress,
    key: str,
    language: str,
    subject: str,
    body: str,
    *,
    actor,
    now: datetime,
) -> bool:
    """Store the edition's text of a mail kind in a language; True if it is now the organisers'
    own. A text equal to the default is not stored (the edition keeps the default). Raises
    InvalidMailText with every problem by field."""
    kind = kind_or_404(key)
    language = language_of(language)
    _refuse_problems(kind, subject, body)
    subject, body = _clean(subject).strip(), _clean(body).strip()
    default = default_text(kind, language)
    row = _row(congress.id, key, language)
    if subject == default.subject and body == _clean(default.body).strip():
        if row is not None:
            db.session.delete(row)
            audit.record(
                "mailtext.reset",
                congress,
                actor=actor,
                congress_id=congress.id,
                kind=key,
                language=language,
            )
            db.session.flush()
        return False
    if row is None:
        row = MailText(congress_id=congress.id, kind=key, language=language)
        try:
            with db.session.begin_nested():
                row.subject, row.body, row.updated_at = subject, body, now
                db.session.add(row)
        except IntegrityError:  # another organiser saved the first text at the same moment
            row = _row(congress.id, key, language)
    row.subject, row.body, row.updated_at = subject, body, now
    audit.record(
        "mailtext.saved",
        congress,
        actor=actor,
        congress_id=congress.id,
        kind=key,
        language=language,
    )
    db.session.flush()
    return True


def reset_text(congress: Congress, key: str, language: str, *, actor) -> bool:
    """Back to the default text; False if the edition had none of its own."""
    kind_or_404(key)
    language = language_of(language)
    removed = db.session.execute(
        delete(MailText).where(
            MailText.congress_id == congress.id,
            MailText.kind == key,
            MailText.language == language,
        )
    ).rowcount
    if removed:
        audit.record(
            "mailtext.reset",
            congress,
            actor=actor,
            congress_id=congress.id,
            kind=key,
            language=language,
        )
    return bool(removed)


# --- filling in and sending ------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def congress_values(congress: Congress, language: str) -> dict[str, str]:
    """The placeholders every mail offers about the edition, in ``language``."""
    dates = format_interval(congress.starts_on, congress.ends_on, "yMMMd", locale=language)
    venue = ", ".join(part for part in (congress.venue_name, congress.venue_city) if part)
    return {"congress": congress.title, "dates": dates, "venue": venue}


def person_values(person) -> dict[str, str]:
    """First and last name of a registration (or anything with those attributes)."""
    return {"first_name": person.first_name or "", "last_name": person.last_name or ""}


def fill(text: Text, values: dict[str, str], language: str) -> Rendered:
    subject = render.one_line(render.render(text.subject, values))
    body = render.render(text.body, values).strip() + "\n"
    return Rendered(subject, body, render.to_html(body, language=language, title=subject))


def _complete(kind: registry.MailKind, values: dict[str, str]) -> dict[str, str]:
    missing = set(kind.names) - set(values)
    if missing:  # a programming error: every placeholder a kind offers is always filled
        raise ValueError(f"mail {kind.key} sent without {sorted(missing)}")
    return {name: str(values[name]) for name in kind.names}


@dataclass
class Batch:
    """Many mails of one kind for one edition: the texts and the edition's values are read
    once per language, not once per mail (an allocation mails thousands)."""

    congress: Congress
    key: str
    _texts: dict[str, Text] = field(default_factory=dict)
    _values: dict[str, dict[str, str]] = field(default_factory=dict)

    def render(self, language: str, values: dict[str, str]) -> Rendered:
        language = language_of(language)
        kind = registry.kind(self.key)
        if language not in self._texts:
            self._texts[language] = current_text(self.congress.id, self.key, language)
            with force_locale(language):
                self._values[language] = congress_values(self.congress, language)
        return fill(
            self._texts[language], _complete(kind, {**self._values[language], **values}), language
        )

    def queue(
        self,
        *,
        recipient: str,
        language: str,
        values: dict[str, str],
        registration_id: int | None = None,
        outbox_kind: str | None = None,
        attachments: list[Attachment] = (),
        reply_to: str | None = None,
    ) -> OutboxMail:
        rendered = self.render(language, values)
        return queue(
            recipient,
            rendered.subject,
            rendered.text,
            rendered.html,
            kind=outbox_kind or self.key,
            registration_id=registration_id,
            attachments=attachments,
            reply_to=reply_to,
        )


def queue_mail(key: str, *, congress: Congress, recipient: str, language: str, values, **options):
    """Queue one mail of kind ``key`` in ``language`` (the recipient's), with the edition's
    text or the default. ``values``: every placeholder of the kind but the edition's own
    (congress, dates, venue), as strings. ``options``: registration_id, outbox_kind (the
    outbox's kind, for attachments made at delivery; default ``key``), attachments,
    reply_to."""
    return Batch(congress, key).queue(
        recipient=recipient, language=language, values=values, **options
    )


# --- preview and test ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """The registration a preview is filled in for: its values, links replaced by examples
    (a preview or a test mail must not hand the organiser the person's keys)."""

    registration_id: int
    label: str
    values: dict[str, str]


@dataclass(frozen=True)
class Preview:
    rendered: Rendered
    sample: Sample | None
    examples: list[str]  # the placeholders filled with example values


def preview(
    congress: Congress, key: str, language: str, subject: str, body: str, query: str = ""
) -> Preview:
    """The mail as the text would send it, for a real registration of the edition (found by
    ``query``, a name or address; the newest one without). Raises InvalidMailText."""
    kind = kind_or_404(key)
    language = language_of(language)
    _refuse_problems(kind, subject, body)
    finder = registry.sample_finder()
    sample = finder(congress.id, (query or "").strip()) if finder else None
    if sample is None and (query or "").strip():
        message = _("No registration of this congress matches “%(query)s”.", query=query.strip())
        raise InvalidMailText(message, field="sample", problems={"sample": [message]})
    with force_locale(language):
        values = {p.name: str(p.example) for p in kind.placeholders}
        edition = congress_values(congress, language)
        values.update(edition)
        if sample is not None:
            values.update({k: v for k, v in sample.values.items() if k in values})
    examples = [
        "{" + p.name + "}"
        for p in kind.placeholders
        if p.name not in edition and (sample is None or p.name not in sample.values)
    ]
    text = Text(_clean(subject).strip(), _clean(body).strip(), custom=True)
    return Preview(fill(text, values, language), sample, examples)


def send_test(
    congress: Congress,
    key: str,
    language: str,
    subject: str,
    body: str,
    query: str,
    *,
    recipient: str,
    actor,
) -> Preview:
    """Mail the preview to the organiser's own address. It counts as a mail about the sample
    registration (``registration_id``), so erasing that person deletes it too."""
    shown = preview(congress, key, language, subject, body, query)
    with force_locale(language_of(language)):
        subject_text = render.one_line(_("[Test] %(subject)s", subject=shown.rendered.subject))
    queue(
        recipient,
        subject_text,
        shown.rendered.text,
        shown.rendered.html,
        kind="mailtexts.test",
        registration_id=shown.sample.registration_id if shown.sample else None,
    )
    audit.record(
        "mailtext.tested",
        congress,
        actor=actor,
        congress_id=congress.id,
        kind=key,
        language=language_of(language),
    )
    return shown


# --- editions --------------------------------------------------------------------------------


def copied_text_count(congress_id: int) -> int:
    """How many of the edition's own texts ``copy_mail_texts`` would take over: one query."""
    return db.session.scalar(
        select(func.count(MailText.id)).where(
            MailText.congress_id == congress_id, MailText.kind.in_(list(registry.BY_KEY))
        )
    )


def copy_mail_texts(source: Congress, target: Congress) -> int:
    """Give ``target`` the organisers' texts of ``source`` (for "copy an edition"); texts the
    target has already are kept. Returns how many were copied."""
    have = {(row.kind, row.language) for row in overview(target.id).values()}
    copied = 0
    for (key, language), row in sorted(overview(source.id).items()):
        if (key, language) in have or key not in registry.BY_KEY:
            continue
        db.session.add(
            MailText(
                congress_id=target.id,
                kind=key,
                language=language,
                subject=row.subject,
                body=row.body,
                updated_at=row.updated_at,
            )
        )
        copied += 1
    db.session.flush()
    return copied
