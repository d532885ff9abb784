"""Issue 18, point 2: who a mailing reaches. The recipient filter, read against real rows:
each person once, erased people never, coordinators only their own carrier's people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from conference.checkin.models import CheckIn
from conference.core.errors import Forbidden
from conference.mailings import recipients
from conference.mailings.recipients import InvalidFilter, RecipientFilter
from conference.registration.models import Status
from conference.workshops.models import WorkshopSeat
from tests import factories


def _ids(db, congress, wanted: RecipientFilter, actor=None) -> set[int]:
    return set(db.session.scalars(recipients.matching(congress, wanted, actor)))


@pytest.fixture
def edition(db):
    congress = factories.congress(days=2)
    x = factories.carrier("Träger X", local_structures=2)
    y = factories.carrier("Träger Y")
    day1, day2 = (d.day for d in congress.days)
    phase_a = factories.phase(congress, day=day1)
    phase_b = factories.phase(congress, day=day2)
    workshop_a = factories.workshop(congress, phase_a, title="Tandems")
    workshop_b = factories.workshop(congress, phase_b, title="Recht")
    people = {
        "anna": factories.registration(
            congress, first_name="Anna", last_name="Özdemir", carrier_id=x.id,
            local_structure_id=x.local_structures[0].id, language="de", programme_role="mentor",
        ),
        "ben": factories.registration(
            congress, first_name="Ben", last_name="Adler", carrier_id=x.id, language="en",
            programme_role="sponsor", days=[day2],
        ),
        "cem": factories.registration(
            congress, first_name="Cem", last_name="Çelik", carrier_id=y.id, language="de"
        ),
        "dora": factories.registration(
            congress, first_name="Dora", last_name="Zander", carrier_id=x.id,
            status=Status.CANCELLED,
        ),
        "erased": factories.registration(
            congress, first_name="Gelöscht", last_name="Gelöscht", carrier_id=x.id,
            anonymised_at=datetime.now(UTC),
        ),
        "waiting": factories.registration(
            congress, first_name="Wanda", last_name="Weiß", carrier_id=x.id,
            status=Status.WAITLISTED,
        ),
    }  # fmt: skip
    for person, workshop, phase in (
        ("anna", workshop_a, phase_a),
        ("anna", workshop_b, phase_b),
        ("ben", workshop_b, phase_b),
    ):
        db.session.add(
            WorkshopSeat(
                registration_id=people[person].id, phase_id=phase.id, session_id=workshop.id
            )
        )
    door1 = factories.checkpoint(congress, code="day-1", day=day1)
    factories.checkpoint(congress, code="day-2", day=day2)
    db.session.add(CheckIn(registration_id=people["anna"].id, checkpoint_id=door1.id))
    other = factories.congress(current=False)
    factories.registration(other, carrier_id=x.id)  # another edition's person
    db.session.flush()
    return {
        "congress": congress,
        "x": x,
        "y": y,
        "day1": day1,
        "day2": day2,
        "workshop_a": workshop_a,
        "workshop_b": workshop_b,
        **{name: person.id for name, person in people.items()},
    }


def test_confirmed_of_carrier_x_are_exactly_its_confirmed_people(app, db, edition):
    wanted = RecipientFilter(carrier_ids=(edition["x"].id,))

    assert _ids(db, edition["congress"], wanted) == {edition["anna"], edition["ben"]}


def test_cancelled_people_are_reached_only_when_chosen(app, db, edition):
    default = recipients.parse(edition["congress"], MultiDict())
    chosen = recipients.parse(
        edition["congress"], MultiDict([("status", "cancelled"), ("status", "waitlisted")])
    )

    assert default.statuses == ("confirmed",)
    assert _ids(db, edition["congress"], default) == {edition[n] for n in ("anna", "ben", "cem")}
    assert _ids(db, edition["congress"], chosen) == {edition["dora"], edition["waiting"]}


def test_erased_people_never_match(app, db, edition):
    everybody = RecipientFilter(statuses=tuple(Status))

    assert edition["erased"] not in _ids(db, edition["congress"], everybody)


def test_a_person_matched_twice_is_one_recipient(app, db, edition):
    both = RecipientFilter(
        workshop_ids=(edition["workshop_a"].id, edition["workshop_b"].id),
        days=(edition["day1"], edition["day2"]),
    )

    rows = db.session.execute(recipients.matching(edition["congress"], both, None)).all()

    assert sorted(r[0] for r in rows) == sorted([edition["anna"], edition["ben"]])


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ([("local", "{local}")], {"anna"}),
        ([("role", "sponsor")], {"ben"}),
        ([("language", "en")], {"ben"}),
        ([("day", "{day1}")], {"anna", "cem"}),
        ([("workshop", "{workshop_a}")], {"anna"}),
        ([("checked_in", "yes")], {"anna"}),
        ([("checked_in", "yes"), ("checked_in_day", "{day2}")], set()),
        ([("checked_in", "no")], {"ben", "cem"}),
        ([("checked_in", "no"), ("checked_in_day", "{day1}")], {"ben", "cem"}),
        ([("carrier", "{x}"), ("language", "de")], {"anna"}),
    ],
)
def test_each_condition_of_the_filter(app, db, edition, form, expected):
    values = {
        "local": edition["x"].local_structures[0].id,
        "day1": edition["day1"].isoformat(),
        "day2": edition["day2"].isoformat(),
        "workshop_a": edition["workshop_a"].id,
        "x": edition["x"].id,
    }
    wanted = recipients.parse(
        edition["congress"], MultiDict([(k, v.format(**values)) for k, v in form])
    )

    assert _ids(db, edition["congress"], wanted) == {edition[name] for name in expected}


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ([("status", "deleted")], "status"),
        ([("carrier", "abc")], "carrier"),
        ([("carrier", "999999")], "carrier"),
        ([("local", "-1")], "local"),
        ([("role", "boss")], "role"),
        ([("day", "2020-01-01")], "day"),
        ([("day", "morgen")], "day"),
        ([("workshop", "{foreign}")], "workshop"),
        ([("checked_in", "maybe")], "checked_in"),
        ([("checked_in_day", "2020-01-01")], "checked_in_day"),
        ([("language", "fr")], "language"),
    ],
)
def test_unknown_values_are_refused_with_the_field_named(app, db, edition, form, field):
    plenary = factories.session(edition["congress"])  # not a workshop
    data = MultiDict([(k, v.format(foreign=plenary.id)) for k, v in form])

    with pytest.raises(InvalidFilter) as refused:
        recipients.parse(edition["congress"], data)

    assert refused.value.status == 400
    assert refused.value.details["field"] == field
    assert refused.value.message.startswith("Bitte wählen Sie")


def test_a_coordinator_reaches_only_their_own_carriers_people(app, db, edition):
    coordinator = factories.user(role="coordinator", organisation_id=edition["y"].id)

    own = _ids(db, edition["congress"], RecipientFilter(), coordinator)

    assert own == {edition["cem"]}
    with pytest.raises(Forbidden):
        _ids(db, edition["congress"], RecipientFilter(carrier_ids=(edition["x"].id,)), coordinator)
    with pytest.raises(Forbidden):
        local = edition["x"].local_structures[0].id
        _ids(db, edition["congress"], RecipientFilter(local_structure_ids=(local,)), coordinator)


def test_preview_counts_and_names_the_first_twenty_in_german_order(app, db, edition, count_queries):
    for n in range(25):
        factories.registration(edition["congress"], first_name="Person", last_name=f"Muster {n:02}")
    db.session.flush()

    with count_queries() as queries:
        shown = recipients.preview(edition["congress"], RecipientFilter(), None)

    assert shown.count == 28
    assert shown.names[:3] == ["Ben Adler", "Cem Çelik", "Person Muster 00"]
    assert len(shown.names) == 20
    assert len(queries) == 2


def test_the_filter_reads_in_words_and_survives_storage(app, db, edition):
    wanted = RecipientFilter(
        statuses=("confirmed", "waitlisted"),
        carrier_ids=(edition["x"].id,),
        workshop_ids=(edition["workshop_a"].id,),
        checked_in="no",
        checked_in_day=edition["day1"],
        languages=("en",),
    )

    stored = RecipientFilter.from_json(wanted.as_json())

    assert stored == wanted
    words = recipients.describe(stored)
    assert words[0] == "Status: Bestätigt, Warteliste"
    assert "Programmträger: Träger X" in words
    assert "Workshop: Tandems" in words
    assert any(line.startswith("Nicht eingecheckt am ") for line in words)
    assert "Sprache: Englisch" in words


@pytest.fixture
def asked(db, edition):
    """Two choice questions of the edition, answered by Anna and Ben."""
    from conference.core.time import utcnow
    from conference.questions import services as questions
    from conference.questions.registrations import TABLES

    def ask(text, options, **fields):
        data = questions.QuestionData(
            kind="single_choice",
            text_de=text,
            options=[questions.OptionData(None, option, "") for option in options],
            **fields,
        )
        return questions.save_question(edition["congress"], data, actor="test", now=utcnow())

    topic = ask("Thema", ["Patenschaften", "Tandems", "Recht"], visible_to_coordinators=True)
    diet = ask("Essen", ["vegan", "alles"])
    patenschaften, tandems, recht = (o.id for o in topic.options)
    vegan, everything = (o.id for o in diet.options)
    for person, answers in (
        ("anna", {topic.id: (tandems,), diet.id: (vegan,)}),
        ("ben", {topic.id: (recht,), diet.id: (everything,)}),
    ):
        questions.store_answers(TABLES, edition[person], [topic, diet], answers)
    db.session.flush()
    return {
        "patenschaften": patenschaften, "tandems": tandems, "recht": recht,
        "vegan": vegan, "alles": everything,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (["tandems"], {"anna"}),
        (["tandems", "recht"], {"anna", "ben"}),  # options of one question: one of them
        (["recht", "vegan"], set()),  # several questions: every one
        (["tandems", "vegan"], {"anna"}),
        (["patenschaften"], set()),
    ],
)
def test_the_answer_to_a_registration_question(app, db, edition, asked, answers, expected):
    wanted = recipients.parse(
        edition["congress"], MultiDict([("answer", str(asked[a])) for a in answers])
    )

    assert _ids(db, edition["congress"], wanted) == {edition[name] for name in expected}


def test_an_answer_of_another_edition_or_a_text_is_refused(app, db, edition, asked):
    other = factories.congress(current=False)

    with pytest.raises(InvalidFilter) as refused:
        recipients.parse(other, MultiDict([("answer", str(asked["tandems"]))]))

    assert refused.value.details["field"] == "answer"
    assert refused.value.message == "Bitte wählen Sie Antworten auf Fragen dieses Kongresses."


def test_a_coordinator_filters_only_by_questions_shown_to_coordinators(app, db, edition, asked):
    coordinator = factories.user(role="coordinator", organisation_id=edition["x"].id)
    shown = RecipientFilter(answer_option_ids=(asked["tandems"],))
    hidden = RecipientFilter(answer_option_ids=(asked["vegan"],))

    assert _ids(db, edition["congress"], shown, coordinator) == {edition["anna"]}
    with pytest.raises(Forbidden):
        _ids(db, edition["congress"], hidden, coordinator)


def test_the_answer_filter_reads_in_words(app, db, edition, asked):
    wanted = RecipientFilter(answer_option_ids=(asked["tandems"], asked["recht"], asked["vegan"]))

    words = recipients.describe(RecipientFilter.from_json(wanted.as_json()))

    assert "Antwort auf „Thema“: Tandems, Recht" in words
    assert "Antwort auf „Essen“: vegan" in words
