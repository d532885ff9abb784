"""What the recipient filter's form offers for an edition and an actor: carriers and local
structures (a coordinator's own only), days, workshops, and the choice questions (a
coordinator's: those shown to coordinators)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from conference.agenda.models import AgendaSession, SessionKind
from conference.core.models import CarrierOrganisation, Congress, CongressDay, LocalStructure
from conference.extensions import db
from conference.questions.models import CHOICE_KINDS, QuestionScope
from conference.questions.services import questions_of
from conference.registration.services import scope_carrier


@dataclass
class Choices:
    """What the filter form offers, for this edition and this actor."""

    carriers: list[tuple[int, str]]
    local_structures: list[tuple[int, str]]
    days: list
    workshops: list[tuple[int, str]]
    #: (question text, [(option id, option text)]) for the edition's choice questions.
    questions: list[tuple[str, list[tuple[int, str]]]]


def filter_choices(congress: Congress, actor, language: str = "de") -> Choices:
    """Carriers and their local structures (a coordinator's own only), days, workshops, and
    the choice questions (a coordinator's: those shown to coordinators)."""
    asked = [
        question
        for question in questions_of(congress.id, QuestionScope.REGISTRATION)
        if question.kind in CHOICE_KINDS
        and (scope_carrier(actor) is None or question.visible_to_coordinators)
    ]
    carrier = scope_carrier(actor)
    carriers = select(CarrierOrganisation.id, CarrierOrganisation.name)
    structures = select(LocalStructure.id, LocalStructure.name, CarrierOrganisation.name).join(
        CarrierOrganisation, CarrierOrganisation.id == LocalStructure.carrier_id
    )
    if carrier is not None:
        carriers = carriers.where(CarrierOrganisation.id == carrier)
        structures = structures.where(LocalStructure.carrier_id == carrier)
    return Choices(
        carriers=sorted(
            ((cid, name) for cid, name in db.session.execute(carriers)),
            key=lambda row: row[1].lower(),
        ),
        local_structures=sorted(
            ((sid, f"{owner} · {name}") for sid, name, owner in db.session.execute(structures)),
            key=lambda row: row[1].lower(),
        ),
        days=list(
            db.session.scalars(
                select(CongressDay.day)
                .where(CongressDay.congress_id == congress.id)
                .order_by(CongressDay.day)
            )
        ),
        workshops=[
            (wid, title)
            for wid, title in db.session.execute(
                select(AgendaSession.id, AgendaSession.title)
                .where(
                    AgendaSession.congress_id == congress.id,
                    AgendaSession.kind == SessionKind.WORKSHOP,
                )
                .order_by(AgendaSession.starts_at, AgendaSession.title)
            )
        ],
        questions=[
            (
                question.text(language),
                [(option.id, option.text(language)) for option in question.active_options],
            )
            for question in asked
            if question.active_options
        ],
    )
