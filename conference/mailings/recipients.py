"""Who a mailing reaches: the recipient filter of issue 18, point 2.

A ``RecipientFilter`` is what an organiser chose (status, carrier and local structure, role,
days, workshop, checked in or not on a day, language, the answer to a registration question:
options of choice questions). It is checked against the edition
(``parse``: unknown values are refused with a translated message, never ignored), stored
with a mailing as plain JSON (``as_json`` / ``from_json``) and read back in words
(``describe``) for the history.

``matching`` is one SELECT of registration ids. Every condition is a ``WHERE ... IN
(subquery)`` on the registration itself, never a join, so a person who matches twice (two
workshops of the filter, two chosen days) is one row: one mail. Erased and anonymised people
never match, nor does anyone without an address. A coordinator's filter is narrowed to their
own carrier here, in the service, whatever the form sent; naming another carrier is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.agenda.models import AgendaSession, SessionKind
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.errors import Forbidden, Invalid
from conference.core.models import Congress, CongressDay
from conference.extensions import db
from conference.organisations.models import CarrierOrganisation, LocalStructure
from conference.questions.models import (
    CHOICE_KINDS,
    Question,
    QuestionOption,
    QuestionScope,
    RegistrationAnswer,
    RegistrationAnswerChoice,
)
from conference.registration import labels
from conference.registration.models import ProgrammeRole, Registration, RegistrationDay, Status
from conference.registration.services import scope_carrier
from conference.workshops.models import WorkshopSeat

#: How many names the page shows before anything is sent.
PREVIEW_NAMES = 20
CHECKED_IN_CHOICES = ("", "yes", "no")


class InvalidFilter(Invalid):
    code = "invalid_recipient_filter"


@dataclass(frozen=True)
class RecipientFilter:
    statuses: tuple[str, ...] = (Status.CONFIRMED,)
    carrier_ids: tuple[int, ...] = ()
    local_structure_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    days: tuple[date, ...] = ()  # attends at least one of them
    workshop_ids: tuple[int, ...] = ()  # holds a seat in at least one of them
    checked_in: str = ""  # "" either, "yes" or "no"
    checked_in_day: date | None = None  # None: on any day
    languages: tuple[str, ...] = ()
    # Options of the edition's choice questions: one of them per question, every question.
    answer_option_ids: tuple[int, ...] = ()

    def as_json(self) -> dict:
        data = asdict(self)
        data["days"] = [d.isoformat() for d in self.days]
        data["checked_in_day"] = self.checked_in_day.isoformat() if self.checked_in_day else None
        return {
            key: list(value) if isinstance(value, tuple) else value for key, value in data.items()
        }

    @classmethod
    def from_json(cls, data: dict) -> RecipientFilter:
        day = data.get("checked_in_day")
        return cls(
            statuses=tuple(data.get("statuses", ())),
            carrier_ids=tuple(data.get("carrier_ids", ())),
            local_structure_ids=tuple(data.get("local_structure_ids", ())),
            roles=tuple(data.get("roles", ())),
            days=tuple(date.fromisoformat(d) for d in data.get("days", ())),
            workshop_ids=tuple(data.get("workshop_ids", ())),
            checked_in=data.get("checked_in", ""),
            checked_in_day=date.fromisoformat(day) if day else None,
            languages=tuple(data.get("languages", ())),
            answer_option_ids=tuple(data.get("answer_option_ids", ())),
        )


def _ids(values: list[str], field: str, known: set[int], message: str) -> tuple[int, ...]:
    numbers = []
    for value in values:
        if not value.isdigit() or len(value) > 9 or int(value) not in known:
            raise InvalidFilter(message, field=field)
        numbers.append(int(value))
    return tuple(sorted(set(numbers)))


def _days(values: list[str], field: str, known: set[date]) -> tuple[date, ...]:
    days = []
    for value in values:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day not in known:
            raise InvalidFilter(_("Please choose days of this congress."), field=field)
        days.append(day)
    return tuple(sorted(set(days)))


def parse(congress: Congress, form) -> RecipientFilter:
    """The filter from a submitted form (a MultiDict: ``status``, ``carrier``, ``local``,
    ``role``, ``day``, ``workshop``, each may repeat; ``checked_in``, ``checked_in_day``,
    ``language``). Without a status: confirmed. Raises InvalidFilter naming the field."""
    statuses = form.getlist("status") or [Status.CONFIRMED]
    if not set(statuses) <= set(Status):
        raise InvalidFilter(_("Please choose statuses from the list."), field="status")
    carriers = set(db.session.scalars(select(CarrierOrganisation.id)))
    carrier_ids = _ids(
        form.getlist("carrier"),
        "carrier",
        carriers,
        _("Please choose carrier organisations from the list."),
    )
    structures = set(db.session.scalars(select(LocalStructure.id)))
    local_ids = _ids(
        form.getlist("local"),
        "local",
        structures,
        _("Please choose local structures from the list."),
    )
    roles = form.getlist("role")
    if not set(roles) <= set(ProgrammeRole):
        raise InvalidFilter(_("Please choose roles from the list."), field="role")
    congress_days = set(
        db.session.scalars(select(CongressDay.day).where(CongressDay.congress_id == congress.id))
    )
    days = _days(form.getlist("day"), "day", congress_days)
    workshops = set(
        db.session.scalars(
            select(AgendaSession.id).where(
                AgendaSession.congress_id == congress.id,
                AgendaSession.kind == SessionKind.WORKSHOP,
            )
        )
    )
    workshop_ids = _ids(
        form.getlist("workshop"),
        "workshop",
        workshops,
        _("Please choose workshops of this congress."),
    )
    checked_in = form.get("checked_in", "")
    if checked_in not in CHECKED_IN_CHOICES:
        raise InvalidFilter(_("Please choose whether people checked in."), field="checked_in")
    raw_day = form.get("checked_in_day", "")
    checked_in_day = _days([raw_day], "checked_in_day", congress_days)[0] if raw_day else None
    languages = form.getlist("language")
    if not set(languages) <= set(labels.LANGUAGE_LABELS):
        raise InvalidFilter(_("Please choose languages from the list."), field="language")
    answer_ids = _ids(
        form.getlist("answer"),
        "answer",
        set(db.session.scalars(select(QuestionOption.id).where(
            QuestionOption.question_id.in_(_choice_questions(congress.id))
        ))),
        _("Please choose answers to this congress's questions."),
    )  # fmt: skip
    return RecipientFilter(
        statuses=tuple(sorted(set(statuses))),
        carrier_ids=carrier_ids,
        local_structure_ids=local_ids,
        roles=tuple(sorted(set(roles))),
        days=days,
        workshop_ids=workshop_ids,
        checked_in=checked_in,
        checked_in_day=checked_in_day,
        languages=tuple(sorted(set(languages))),
        answer_option_ids=answer_ids,
    )


def _choice_questions(congress_id: int):
    """The SELECT of the edition's registration choice questions' ids."""
    return select(Question.id).where(
        Question.congress_id == congress_id,
        Question.scope == QuestionScope.REGISTRATION,
        Question.kind.in_(list(CHOICE_KINDS)),
    )


def scoped(recipients: RecipientFilter, actor) -> RecipientFilter:
    """A coordinator writes to their own carrier's people only: their filter is narrowed to
    it. Raises Forbidden when it names another carrier."""
    carrier = scope_carrier(actor)
    if carrier is None:
        return recipients
    if recipients.carrier_ids and set(recipients.carrier_ids) != {carrier}:
        raise Forbidden(_("You may only write to the people of your own organisation."))
    if recipients.local_structure_ids:
        own = set(
            db.session.scalars(
                select(LocalStructure.id).where(LocalStructure.carrier_id == carrier)
            )
        )
        if not set(recipients.local_structure_ids) <= own:
            raise Forbidden(_("You may only write to the people of your own organisation."))
    if recipients.answer_option_ids:
        hidden = db.session.scalar(
            select(func.count())
            .select_from(QuestionOption)
            .join(Question, Question.id == QuestionOption.question_id)
            .where(
                QuestionOption.id.in_(recipients.answer_option_ids),
                Question.visible_to_coordinators.is_(False),
            )
        )
        if hidden:
            raise Forbidden(_("You may only filter by questions shown to coordinators."))
    return replace(recipients, carrier_ids=(carrier,))


def matching(congress: Congress, recipients: RecipientFilter, actor):
    """The SELECT of the matching registrations' ids (each person once)."""
    recipients = scoped(recipients, actor)
    query = select(Registration.id).where(
        Registration.congress_id == congress.id,
        Registration.anonymised_at.is_(None),
        Registration.email != "",
        Registration.status.in_(recipients.statuses),
    )
    if recipients.carrier_ids:
        query = query.where(Registration.carrier_id.in_(recipients.carrier_ids))
    if recipients.local_structure_ids:
        query = query.where(Registration.local_structure_id.in_(recipients.local_structure_ids))
    if recipients.roles:
        query = query.where(Registration.programme_role.in_(recipients.roles))
    if recipients.languages:
        query = query.where(Registration.language.in_(recipients.languages))
    if recipients.days:
        query = query.where(
            Registration.id.in_(
                select(RegistrationDay.registration_id).where(
                    RegistrationDay.day.in_(recipients.days)
                )
            )
        )
    if recipients.workshop_ids:
        query = query.where(
            Registration.id.in_(
                select(WorkshopSeat.registration_id).where(
                    WorkshopSeat.session_id.in_(recipients.workshop_ids)
                )
            )
        )
    if recipients.checked_in:
        checked = (
            select(CheckIn.registration_id)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .where(Checkpoint.congress_id == congress.id)
        )
        if recipients.checked_in_day is not None:
            checked = checked.where(Checkpoint.day == recipients.checked_in_day)
        condition = Registration.id.in_(checked)
        query = query.where(condition if recipients.checked_in == "yes" else ~condition)
    for option_ids in _by_question(recipients.answer_option_ids).values():
        query = query.where(
            Registration.id.in_(
                select(RegistrationAnswer.registration_id)
                .join(RegistrationAnswerChoice, RegistrationAnswerChoice.answer_id == RegistrationAnswer.id)
                .where(RegistrationAnswerChoice.option_id.in_(option_ids))
            )
        )  # fmt: skip
    return query


def _by_question(option_ids: tuple[int, ...]) -> dict[int, list[int]]:
    """The chosen options grouped by their question (one query; none without options)."""
    if not option_ids:
        return {}
    grouped: dict[int, list[int]] = {}
    rows = db.session.execute(
        select(QuestionOption.question_id, QuestionOption.id).where(
            QuestionOption.id.in_(option_ids)
        )
    )
    for question_id, option_id in rows:
        grouped.setdefault(question_id, []).append(option_id)
    return grouped


@dataclass
class Preview:
    count: int
    names: list[str]  # the first PREVIEW_NAMES, in German name order


def preview(congress: Congress, recipients: RecipientFilter, actor) -> Preview:
    """How many people match and the first names, before anything is sent: two queries."""
    ids = matching(congress, recipients, actor)
    count = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    rows = db.session.execute(
        select(Registration.first_name, Registration.last_name)
        .where(Registration.id.in_(ids))
        .order_by(Registration.name_key, Registration.id)
        .limit(PREVIEW_NAMES)
    ).all()
    return Preview(count, [f"{first} {last}".strip() for first, last in rows])


def describe(recipients: RecipientFilter) -> list[str]:
    """The filter in words, one line per condition, in the current language (the history)."""
    lines = [
        _(
            "Status: %(values)s",
            values=", ".join(labels.label(labels.STATUS_LABELS, s) for s in recipients.statuses),
        )
    ]
    if recipients.carrier_ids:
        names = db.session.scalars(
            select(CarrierOrganisation.name).where(
                CarrierOrganisation.id.in_(recipients.carrier_ids)
            )
        )
        lines.append(_("Carrier organisation: %(values)s", values=", ".join(sorted(names))))
    if recipients.local_structure_ids:
        names = db.session.scalars(
            select(LocalStructure.name).where(LocalStructure.id.in_(recipients.local_structure_ids))
        )
        lines.append(_("Local structure: %(values)s", values=", ".join(sorted(names))))
    if recipients.roles:
        lines.append(
            _(
                "Role: %(values)s",
                values=", ".join(labels.label(labels.ROLE_LABELS, r) for r in recipients.roles),
            )
        )
    if recipients.days:
        lines.append(
            _(
                "Attends on: %(values)s",
                values=", ".join(format_date(d, "medium") for d in recipients.days),
            )
        )
    if recipients.workshop_ids:
        titles = db.session.scalars(
            select(AgendaSession.title).where(AgendaSession.id.in_(recipients.workshop_ids))
        )
        lines.append(_("Workshop: %(values)s", values=", ".join(sorted(titles))))
    if recipients.checked_in:
        day = recipients.checked_in_day
        if recipients.checked_in == "yes":
            lines.append(
                _("Checked in on %(day)s", day=format_date(day, "medium"))
                if day
                else _("Checked in")
            )
        else:
            lines.append(
                _("Not checked in on %(day)s", day=format_date(day, "medium"))
                if day
                else _("Never checked in")
            )
    if recipients.answer_option_ids:
        language = str(get_locale() or "de")
        rows = db.session.execute(
            select(Question, QuestionOption)
            .join(QuestionOption, QuestionOption.question_id == Question.id)
            .where(QuestionOption.id.in_(recipients.answer_option_ids))
            .order_by(Question.position, Question.id, QuestionOption.position)
        ).all()
        answers: dict[str, list[str]] = {}
        for question, option in rows:
            answers.setdefault(question.text(language), []).append(option.text(language))
        for question, options in answers.items():
            lines.append(
                _("Answer to “%(question)s”: %(values)s", question=question,
                  values=", ".join(options))
            )  # fmt: skip
    if recipients.languages:
        lines.append(
            _(
                "Language: %(values)s",
                values=", ".join(
                    labels.label(labels.LANGUAGE_LABELS, lang) for lang in recipients.languages
                ),
            )
        )
    return lines
