"""The demo edition's registration questions, made through the organisers' own service, and
answers for part of its people (so the dashboard draws their charts)."""

from __future__ import annotations

import random
from datetime import datetime

from conference.core.models import Congress
from conference.extensions import db
from conference.questions.models import QuestionKind, RegistrationAnswer, RegistrationAnswerChoice
from conference.questions.services import OptionData, QuestionData, save_question

TOPICS = [
    ("Patenschaften gewinnen", "Finding sponsors"),
    ("Tandems gut begleiten", "Accompanying tandems well"),
    ("Vielfalt und Teilhabe", "Diversity and participation"),
    ("Förderung und Finanzen", "Funding and finance"),
]
LANGUAGES = [
    ("Englisch", "English"),
    ("Arabisch", "Arabic"),
    ("Türkisch", "Turkish"),
    ("Ukrainisch", "Ukrainian"),
]


def add_examples(
    congress: Congress, registration_ids: list[int], rng: random.Random, *, now: datetime
) -> None:
    def ask(**fields):
        options = [OptionData(None, de, en) for de, en in fields.pop("options", [])]
        return save_question(
            congress, QuestionData(options=options, **fields), actor="demo", now=now
        )

    topic = ask(
        kind=QuestionKind.SINGLE_CHOICE,
        text_de="Welches Thema führt Sie zum Kongress?",
        text_en="Which topic brings you to the congress?",
        options=TOPICS,
        visible_to_coordinators=True,
    )
    childcare = ask(
        kind=QuestionKind.YES_NO,
        text_de="Brauchen Sie während des Kongresses eine Kinderbetreuung?",
        text_en="Do you need childcare during the congress?",
        help_de="Die Betreuung ist kostenlos und findet in der Nähe der Säle statt.",
        help_en="Childcare is free and close to the halls.",
    )
    children = ask(
        kind=QuestionKind.NUMBER,
        text_de="Für wie viele Kinder?",
        text_en="For how many children?",
        min_value=1,
        max_value=6,
        required=True,
        condition_option_id=childcare.options[0].id,
    )
    interpreting = ask(
        kind=QuestionKind.MULTIPLE_CHOICE,
        text_de="Wünschen Sie eine Verdolmetschung?",
        text_en="Would you like interpreting?",
        options=LANGUAGES,
    )
    lanyard = ask(
        kind=QuestionKind.YES_NO,
        text_de="Möchten Sie ein Schlüsselband „Bitte nicht fotografieren“?",
        text_en="Would you like a “please do not photograph me” lanyard?",
    )
    for registration_id in registration_ids:
        if rng.random() < 0.35:
            continue
        _choose(registration_id, topic, [rng.choice(topic.options).id])
        if rng.random() < 0.12:
            _choose(registration_id, childcare, [childcare.options[0].id])
            db.session.add(
                RegistrationAnswer(
                    registration_id=registration_id,
                    question_id=children.id,
                    value=str(rng.randint(1, 3)),
                )
            )
        else:
            _choose(registration_id, childcare, [childcare.options[1].id])
        if rng.random() < 0.1:
            _choose(
                registration_id, interpreting, [o.id for o in rng.sample(interpreting.options, 1)]
            )
        if rng.random() < 0.08:
            _choose(registration_id, lanyard, [lanyard.options[0].id])
    db.session.flush()


def _choose(registration_id: int, question, option_ids: list[int]) -> None:
    answer = RegistrationAnswer(registration_id=registration_id, question_id=question.id, value="")
    answer.choices = [RegistrationAnswerChoice(option_id=option_id) for option_id in option_ids]
    db.session.add(answer)
