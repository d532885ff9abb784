"""Workshops: first-come sign-up with waitlists, ranked preferences and their allocation."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import pytest
from babel.numbers import format_percent
from sqlalchemy import func, select

from conference.agenda.models import AgendaSession, SessionSpeaker, SessionStatus
from conference.attendee.manage import sections as collect_manage_sections
from conference.core.mail import deliver_pending
from conference.core.models import OutboxMail
from conference.core.time import utcnow
from conference.registration.models import Registration, Status
from conference.workshops import allocation as solver
from conference.workshops import services
from conference.workshops.models import (
    PhaseMode,
    WaitlistEntry,
    WorkshopPhase,
    WorkshopPreference,
    WorkshopSeat,
)
from tests import factories
from tests.counters import assert_counters_match


def _seats(db, session_id=None):
    query = select(func.count()).select_from(WorkshopSeat)
    if session_id is not None:
        query = query.where(WorkshopSeat.session_id == session_id)
    return db.session.execute(query).scalar_one()


def _taken(db, workshop):
    session_id = workshop if isinstance(workshop, int) else workshop.id
    return db.session.execute(
        select(AgendaSession.seats_taken).where(AgendaSession.id == session_id)
    ).scalar_one()


@pytest.fixture
def congress(db):
    return factories.congress()


@pytest.fixture
def fcfs(db, congress):
    phase = factories.phase(congress, name="Workshop-Phase 1")
    first = factories.workshop(congress, phase, capacity=2, title="Patenschaften stärken")
    second = factories.workshop(congress, phase, capacity=1, title="Lots:innen gewinnen")
    db.session.commit()
    return phase, first, second


def _ranked(db, congress, *, capacities=(2, 2, 2), min_ranks=3, **fields):
    phase = factories.phase(congress, mode=PhaseMode.RANKED, min_ranks=min_ranks, **fields)
    workshops = [
        factories.workshop(congress, phase, capacity=c, title=f"Workshop {chr(65 + i)}")
        for i, c in enumerate(capacities)
    ]
    db.session.commit()
    return phase, workshops


# --- first come, first served ----------------------------------------------------------------


def test_attendee_takes_a_seat_and_sees_it_with_the_free_seats(client, db, congress, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress)
    db.session.commit()

    response = client.post(
        f"/r/{person.manage_token}/workshops/{first.id}/take", data={"back": "workshops"}
    )
    page = client.get(f"/r/{person.manage_token}/workshops").get_data(as_text=True)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/r/{person.manage_token}/workshops")
    assert _taken(db, first) == 1
    assert _seats(db, first.id) == 1
    assert "Ihr Workshop:" in page and "Patenschaften stärken" in page
    assert "1 Platz frei" in page  # second workshop, and first has 1 of 2 left too
    assert_counters_match("workshop")


def test_switching_moves_the_seat_and_frees_the_old_one(client, db, congress, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress)
    db.session.commit()
    client.post(f"/r/{person.manage_token}/workshops/{first.id}/take")

    response = client.post(f"/r/{person.manage_token}/workshops/{second.id}/take")

    assert response.status_code == 302
    assert (_taken(db, first), _taken(db, second)) == (0, 1)
    seat = db.session.execute(select(WorkshopSeat)).scalar_one()
    assert seat.session_id == second.id
    assert_counters_match("workshop")


def test_full_workshop_refuses_and_offers_its_waitlist(client, db, congress, fcfs):
    phase, first, second = fcfs
    holder, late = factories.registration(congress), factories.registration(congress)
    db.session.commit()
    client.post(f"/r/{holder.manage_token}/workshops/{second.id}/take")

    response = client.post(f"/r/{late.manage_token}/workshops/{second.id}/take")
    page = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "Dieser Workshop ist ausgebucht." in page
    assert "Auf die Warteliste" in page
    assert _taken(db, second) == 1 and _seats(db) == 1
    assert_counters_match("workshop")


def test_freed_seat_goes_to_the_first_waiting_person_with_a_mail(client, db, congress, fcfs, smtp):
    phase, first, second = fcfs
    holder = factories.registration(congress)
    waiting_first = factories.registration(congress, first_name="Berta", email="berta@example.org")
    waiting_second = factories.registration(congress)
    db.session.commit()
    client.post(f"/r/{holder.manage_token}/workshops/{second.id}/take")
    client.post(f"/r/{waiting_first.manage_token}/workshops/{first.id}/take")
    assert (
        client.post(f"/r/{waiting_first.manage_token}/workshops/{second.id}/wait").status_code
        == 302
    )
    assert (
        client.post(f"/r/{waiting_second.manage_token}/workshops/{second.id}/wait").status_code
        == 302
    )

    response = client.post(f"/r/{holder.manage_token}/workshops/phases/{phase.id}/leave")

    assert response.status_code == 302
    seats = {
        s.registration_id: s.session_id for s in db.session.execute(select(WorkshopSeat)).scalars()
    }
    assert seats == {waiting_first.id: second.id}  # moved from "first" to the wished one
    assert (_taken(db, first), _taken(db, second)) == (0, 1)
    remaining = db.session.execute(select(WaitlistEntry.registration_id)).scalars().all()
    assert remaining == [waiting_second.id]
    deliver_pending()
    mail = smtp.wait(1)[0]
    assert mail["To"] == "berta@example.org"
    assert "Lots:innen gewinnen" in mail.get_body(("plain",)).get_content()
    assert_counters_match("workshop")


def test_workshop_without_own_capacity_uses_the_room(client, db, congress):
    phase = factories.phase(congress)
    room = factories.room(congress, capacity=1)
    workshop = factories.workshop(congress, phase, capacity=None, room_=room)
    one, two = factories.registration(congress), factories.registration(congress)
    db.session.commit()

    first = client.post(f"/r/{one.manage_token}/workshops/{workshop.id}/take")
    second = client.post(f"/r/{two.manage_token}/workshops/{workshop.id}/take")

    assert (first.status_code, second.status_code) == (302, 409)
    assert services.free_seats([workshop.id]) == {workshop.id: 0}
    assert_counters_match("workshop")


def test_waitlist_is_refused_while_seats_are_free(client, db, congress, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress)
    db.session.commit()

    response = client.post(f"/r/{person.manage_token}/workshops/{first.id}/wait")

    assert response.status_code == 409
    assert db.session.execute(select(func.count()).select_from(WaitlistEntry)).scalar_one() == 0


def test_last_seats_go_to_exactly_ten_of_thirty_parallel_signups(app, db, congress):
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, capacity=10)
    people = [factories.registration(congress) for _ in range(30)]
    db.session.commit()
    tokens = [p.manage_token for p in people]
    url = "/r/{}/workshops/" + str(workshop.id) + "/take"
    db.session.close()  # the threads' requests must not wait for this thread's transaction
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    lock = threading.Lock()

    def sign_up(token):
        client = app.test_client()
        barrier.wait()
        response = client.post(url.format(token))
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=sign_up, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()

    assert sorted(statuses) == [302] * 10 + [409] * 20
    assert _taken(db, workshop) == 10
    assert _seats(db, workshop.id) == 10
    assert_counters_match("workshop")


def test_parallel_switches_of_one_person_free_the_old_seat_once(app, db, congress):
    phase = factories.phase(congress)
    workshops = [factories.workshop(congress, phase, capacity=5) for _ in range(4)]
    person = factories.registration(congress)
    db.session.commit()
    token, ids = person.manage_token, [w.id for w in workshops]
    app.test_client().post(f"/r/{token}/workshops/{ids[0]}/take")
    db.session.close()
    barrier = threading.Barrier(3)

    def switch(target):
        client = app.test_client()
        barrier.wait()
        client.post(f"/r/{token}/workshops/{target}/take")

    threads = [threading.Thread(target=switch, args=(i,)) for i in ids[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()

    counters = {i: _taken(db, i) for i in ids}
    seat = db.session.execute(select(WorkshopSeat)).scalar_one()
    assert sum(counters.values()) == 1 == _seats(db)
    assert counters[seat.session_id] == 1
    assert_counters_match("workshop")


def test_unknown_or_malformed_token_is_a_404(client, db, fcfs):
    phase, first, second = fcfs

    assert client.get("/r/" + "x" * 43 + "/workshops").status_code == 404
    assert client.get("/r/short/workshops").status_code == 404
    assert client.post("/r/" + "x" * 43 + f"/workshops/{first.id}/take").status_code == 404


def test_pending_registration_cannot_take_a_seat(client, db, congress, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress, status=Status.PENDING)
    db.session.commit()

    response = client.post(f"/r/{person.manage_token}/workshops/{first.id}/take")

    assert response.status_code == 409
    assert _seats(db) == 0


def test_seat_for_a_day_not_attended_is_refused(client, db, congress):
    phase = factories.phase(congress, day=congress.days[1].day)
    workshop = factories.workshop(congress, phase)
    person = factories.registration(congress, days=[congress.starts_on])
    db.session.commit()

    response = client.post(f"/r/{person.manage_token}/workshops/{workshop.id}/take")

    assert response.status_code == 409
    assert "nicht für den Tag" in response.get_data(as_text=True)
    assert _seats(db) == 0


# --- what a cancellation or a change of days frees ---------------------------------------------------------------


def test_cancellation_frees_seats_and_promotes_the_waiting_person(app, db, congress, fcfs, smtp):
    phase, first, second = fcfs
    holder, waiting = factories.registration(congress), factories.registration(congress)
    db.session.commit()
    now = utcnow()
    services.take_seat(holder, second, now=now)
    services.join_waitlist(waiting, second, now=now)
    db.session.commit()

    holder.status = Status.CANCELLED
    services.release_registration(holder, now=now)
    db.session.commit()

    seats = db.session.execute(select(WorkshopSeat.registration_id)).scalars().all()
    assert seats == [waiting.id]
    assert _taken(db, second) == 1
    deliver_pending()
    assert smtp.wait(1)[0]["To"] == waiting.email
    assert_counters_match("workshop")


def test_removed_day_drops_the_seats_and_rankings_of_that_day(app, db, congress):
    day_one, day_two = congress.days[0].day, congress.days[1].day
    first_phase = factories.phase(congress, day=day_one)
    second_phase = factories.phase(congress, day=day_two, mode=PhaseMode.RANKED, min_ranks=1)
    w1 = factories.workshop(congress, first_phase)
    w2 = factories.workshop(congress, second_phase)
    person = factories.registration(congress)
    db.session.commit()
    services.take_seat(person, w1, now=utcnow())
    services.set_preferences(person, second_phase, [w2.id], now=utcnow())
    db.session.commit()

    services.release_days(person, {day_one}, now=utcnow())
    db.session.commit()

    assert _seats(db) == 0 and _taken(db, w1) == 0
    assert (
        db.session.execute(select(func.count()).select_from(WorkshopPreference)).scalar_one() == 1
    )
    assert_counters_match("workshop")


def test_manage_page_section_shows_the_attendees_workshop(app, db, congress, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress)
    db.session.commit()
    services.take_seat(person, first, now=utcnow())
    db.session.commit()

    with app.test_request_context():
        sections = collect_manage_sections(person)

    html = "".join(sections)
    assert 'id="workshops"' in html
    assert "Patenschaften stärken" in html and "Workshop verlassen" in html


# --- ranked preferences ----------------------------------------------------------------------


def test_ranking_is_saved_and_can_be_replaced(client, db, congress):
    phase, (a, b, c) = _ranked(db, congress)
    person = factories.registration(congress)
    db.session.commit()
    url = f"/r/{person.manage_token}/workshops/phases/{phase.id}/ranking"

    client.post(url, data={"choice-1": a.id, "choice-2": b.id, "choice-3": c.id})
    response = client.post(url, data={"choice-1": c.id, "choice-2": a.id, "choice-3": b.id})

    assert response.status_code == 302
    assert services.preferences_of(person, [phase.id]) == {phase.id: [c.id, a.id, b.id]}


@pytest.mark.parametrize(
    "case, status, message",
    [
        ("twice", 400, "mehr als einmal"),
        ("other_phase", 400, "gehört nicht zu dieser Phase"),
        ("cancelled", 400, "abgesagt"),
        ("too_few", 400, "mindestens 3"),
        ("after_deadline", 409, "Frist"),
        ("day_not_attended", 409, "nicht für den Tag"),
        ("garbage", 400, "Unbekannter Workshop"),
    ],
)
def test_bad_ranking_is_refused_with_a_clear_message_and_changes_nothing(
    client, db, congress, case, status, message
):
    phase, (a, b, c, d) = _ranked(db, congress, capacities=(2, 2, 2, 2))
    other = factories.workshop(congress, factories.phase(congress))
    person = factories.registration(congress)
    db.session.commit()
    url = f"/r/{person.manage_token}/workshops/phases/{phase.id}/ranking"
    client.post(url, data={"choice-1": a.id, "choice-2": b.id, "choice-3": c.id})
    choice = {"choice-1": a.id, "choice-2": b.id, "choice-3": d.id}
    if case == "twice":
        choice["choice-3"] = a.id
    elif case == "other_phase":
        choice["choice-3"] = other.id
    elif case == "cancelled":
        d.status = SessionStatus.CANCELLED
    elif case == "too_few":
        del choice["choice-3"]
    elif case == "after_deadline":
        phase.preferences_close_at = utcnow() - timedelta(minutes=1)
    elif case == "day_not_attended":
        person.days = [d_ for d_ in person.days if d_.day != phase.day]
    elif case == "garbage":
        choice["choice-3"] = "1; DROP TABLE"
    db.session.commit()

    response = client.post(url, data=choice)

    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert services.preferences_of(person, [phase.id]) == {phase.id: [a.id, b.id, c.id]}


def _selected(page: str, phase_id: int) -> dict[int, str]:
    """Each ranking position of the phase with the title selected in it ("" for none)."""
    chosen = {}
    for position, options in re.findall(
        rf'<select id="choice-{phase_id}-(\d+)".*?>(.*?)</select>', page, re.S
    ):
        picked = re.findall(r"<option[^>]* selected>([^<]*)</option>", options)
        chosen[int(position)] = picked[0] if picked else ""
    return chosen


@pytest.mark.parametrize(
    "back, page_marker", [("manage", "Meine Anmeldung"), ("workshops", "Meine Workshops")]
)
def test_a_ranking_with_a_workshop_twice_stays_on_its_page_with_the_choices_kept(
    client, db, congress, back, page_marker
):
    """Issue 22.12: the error stands beside the ranking, on the page the attendee used, and
    the choices are as they made them (not the stored ones, not lost)."""
    phase, (a, b, c, d) = _ranked(db, congress, capacities=(2, 2, 2, 2))
    person = factories.registration(congress)
    db.session.commit()
    url = f"/r/{person.manage_token}/workshops/phases/{phase.id}/ranking"

    response = client.post(
        url, data={"back": back, "choice-1": d.id, "choice-2": b.id, "choice-3": d.id}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page_marker in page
    assert re.search(
        rf'<p class="error" id="ranking-{phase.id}-error" role="alert">[^<]*mehr als einmal', page
    )
    assert _selected(page, phase.id) == {
        1: "Workshop D",
        2: "Workshop B",
        3: "Workshop D",
        4: "",
    }
    assert f'aria-describedby="ranking-{phase.id}-error"' in page
    assert services.preferences_of(person, [phase.id]) == {phase.id: []}


def _brute_force(preferences, capacities):
    """Best total cost over every assignment (None = unplaced), same objective as the solver."""
    people = sorted(preferences)
    n = len(people)
    longest = max((len(p) for p in preferences.values()), default=1)
    unplaced_cost = n * solver.rank_cost(longest) + 1
    best = None
    for combo in itertools.product(*[[None, *preferences[p]] for p in people]):
        used = {}
        for w in combo:
            if w is not None:
                used[w] = used.get(w, 0) + 1
        if any(count > capacities[w] for w, count in used.items()):
            continue
        cost = sum(
            unplaced_cost if w is None else solver.rank_cost(preferences[p].index(w) + 1)
            for p, w in zip(people, combo, strict=True)
        )
        best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("instance", range(25))
def test_allocation_is_optimal_against_brute_force(instance):
    rng = random.Random(instance)
    workshops = list(range(1, rng.randint(2, 4) + 1))
    capacities = {w: rng.randint(0, 3) for w in workshops}
    preferences = {
        person: rng.sample(workshops, rng.randint(1, len(workshops)))
        for person in range(rng.randint(2, 7))
    }

    result = solver.allocate(preferences, capacities, seed=instance)

    cost = 0
    longest = max(len(p) for p in preferences.values())
    for person, placement in result.placements.items():
        if placement.session_id is None:
            cost += len(preferences) * solver.rank_cost(longest) + 1
        else:
            assert preferences[person][placement.rank - 1] == placement.session_id
            cost += solver.rank_cost(placement.rank)
    assert cost == _brute_force(preferences, capacities)
    assert all(result.fill()[w] <= capacities[w] for w in workshops)


def test_allocation_prefers_two_second_choices_to_a_first_and_a_third():
    # A and B both want X then Y; C wants X then Z... the classic: total rank cost decides.
    preferences = {1: [10, 20], 2: [10, 30], 3: [20, 10]}
    capacities = {10: 1, 20: 1, 30: 1}

    result = solver.allocate(preferences, capacities, seed=1)

    assert {p: pl.session_id for p, pl in result.placements.items()} == {1: 10, 2: 30, 3: 20}


def test_same_seed_gives_the_same_allocation_and_seeds_break_ties_differently():
    preferences = {person: [1, 2, 3] for person in range(30)}
    capacities = {1: 10, 2: 10, 3: 10}

    runs = [solver.allocate(preferences, capacities, seed=seed) for seed in (5, 5, 6)]

    assert runs[0].placements == runs[1].placements
    assert runs[0].placements != runs[2].placements
    assert runs[0].rank_counts() == runs[2].rank_counts() == {1: 10, 2: 10, 3: 10}


def test_people_without_ranking_are_placed_by_the_rule_or_left_out():
    preferences = {1: [10], 2: [10], 3: [], 4: []}
    capacities = {10: 1, 20: 3, 30: 1}

    left = solver.allocate(preferences, capacities, seed=3)
    filled = solver.allocate(preferences, capacities, seed=3, fill_remaining=True)

    assert sorted(left.unplaced().values()) == [
        solver.CHOICES_FULL,
        solver.NO_PREFERENCES,
        solver.NO_PREFERENCES,
    ]
    assert filled.unplaced() == {}
    assert filled.fill() == {10: 1, 20: 3}  # always the workshop with the most free seats


def _allocation_data(db, congress):
    phase, (a, b, c) = _ranked(db, congress, capacities=(1, 2, 2))
    people = [
        factories.registration(
            congress,
            first_name=name,
            email=f"{name.lower()}@example.org",
            language="en" if name == "Dana" else "de",
        )
        for name in ("Ali", "Berta", "Chen", "Dana")
    ]
    late = factories.registration(congress, first_name="Emil", email="emil@example.org")
    factories.registration(congress, first_name="Fritz", days=[congress.days[1].day])
    db.session.commit()
    now = utcnow()
    for person, ranking in zip(people, ([a, b, c], [a, b, c], [a, c, b], [b, a, c]), strict=True):
        services.set_preferences(person, phase, [w.id for w in ranking], now=now)
    db.session.commit()
    return phase, (a, b, c), people, late


def test_preview_shows_the_outcome_and_stores_nothing(db, congress, staff_client):
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    organiser = staff_client("organiser")

    response = organiser.get(f"/admin/workshops/phases/{phase.id}/allocation?seed=42")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Emil" in page and "keine Workshops gewählt" in page
    assert "Fritz" not in page  # does not attend that day
    assert "Wahl 1" in page and "Wahl 2" in page
    assert re.search(r"\(\d+\xa0%", page) and not re.search(r"\d\.\d %", page)  # "(60 %"
    assert _seats(db) == 0
    assert db.session.get(WorkshopPhase, phase.id).allocated_at is None


def _facts(page: str) -> dict[str, str]:
    return {
        dt: " ".join(re.sub(r"<[^>]+>", " ", dd).split())
        for dt, dd in re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", page, re.S)
    }


def test_preview_shares_are_among_those_who_ranked_and_the_unranked_apart(
    db, congress, staff_client
):
    """Issue 22.12: "Wahl 1: 62 %" counted people who never ranked. Four of the five people of
    the day ranked; the shares are of those four, and Emil, who did not rank, stands apart."""
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    organiser = staff_client("organiser")
    expected = services.preview_allocation(phase, seed=42, fill_remaining=True)

    page = organiser.get(f"/admin/workshops/phases/{phase.id}/allocation?seed=42&fill=1").get_data(
        as_text=True
    )

    facts = _facts(page)
    assert facts["Personen"] == "5"
    assert facts["Gewählt"] == "4"
    for rank, count in expected.rank_counts.items():
        share = " ".join(format_percent(count / 4, locale="de").split())  # "50 %"
        assert facts[f"Wahl {rank}"] == f"{count} ({share} derer, die gewählt haben)"
    assert sum(expected.rank_counts.values()) == 4
    assert facts["Nicht gewählt"] == "1 (1 davon erhält einen Restplatz)"


def test_saving_before_the_wish_list_deadline_asks_first(db, congress, staff_client, smtp):
    """Issue 22.12: saving closes the wish list; before its deadline the preview says so and
    the save needs a tick. Without it nothing is stored and the preview stands again."""
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    phase.preferences_close_at = utcnow() + timedelta(days=3)
    db.session.commit()
    organiser = staff_client("organiser")
    url = f"/admin/workshops/phases/{phase.id}/allocation"

    preview = organiser.get(f"{url}?seed=42").get_data(as_text=True)
    refused = organiser.post(url, data={"seed": "42", "fill": "0"})
    saved = organiser.post(url, data={"seed": "42", "fill": "0", "early": "1"})

    assert "Die Wunschliste ist noch bis" in preview
    assert 'name="early"' in preview and "Jetzt speichern, vor Ablauf der Frist" in preview
    assert refused.status_code == 409
    assert "Bitte bestätigen Sie" in refused.get_data(as_text=True)
    assert "Vorschau der Zuteilung" in refused.get_data(as_text=True)
    assert saved.status_code == 302
    assert _seats(db) == 4


def test_commit_stores_the_previewed_allocation_and_mails_everybody(
    db, congress, staff_client, smtp
):
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    organiser = staff_client("organiser")
    preview = services.preview_allocation(phase, seed=42, fill_remaining=True)

    response = organiser.post(
        f"/admin/workshops/phases/{phase.id}/allocation",
        data={"seed": "42", "fill": "1", "fingerprint": preview.fingerprint},
    )

    assert response.status_code == 302
    db.session.expire_all()
    stored = {
        s.registration_id: s.session_id for s in db.session.execute(select(WorkshopSeat)).scalars()
    }
    assert stored == {p: pl.session_id for p, pl in preview.result.placements.items()}
    assert len(stored) == 5
    assert [_taken(db, w) for w in (a, b, c)] == [1, 2, 2]
    phase = db.session.get(WorkshopPhase, phase.id)
    assert phase.allocation_seed == 42 and phase.allocated_at is not None
    deliver_pending()
    mails = smtp.wait(5)
    assert sorted(m["To"] for m in mails) == sorted(
        [
            "ali@example.org",
            "berta@example.org",
            "chen@example.org",
            "dana@example.org",
            "emil@example.org",
        ]
    )
    dana = next(m for m in mails if m["To"] == "dana@example.org")
    ali = next(m for m in mails if m["To"] == "ali@example.org")
    assert dana["Subject"] == "Your workshops at the congress"
    assert ali["Subject"] == "Ihre Workshops beim Kongress"
    assert "Workshop B" in dana.get_body(("plain",)).get_content()


def test_commit_refuses_when_rankings_changed_since_the_preview(db, congress, staff_client):
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    organiser = staff_client("organiser")
    preview = services.preview_allocation(phase, seed=42, fill_remaining=False)
    services.set_preferences(late, phase, [a.id, b.id, c.id], now=utcnow())
    db.session.commit()

    response = organiser.post(
        f"/admin/workshops/phases/{phase.id}/allocation",
        data={"seed": "42", "fill": "0", "fingerprint": preview.fingerprint},
    )

    assert response.status_code == 409
    assert _seats(db) == 0
    assert db.session.get(WorkshopPhase, phase.id).allocated_at is None
    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 0


def test_second_commit_is_refused(db, congress, staff_client):
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    organiser = staff_client("organiser")
    organiser.post(f"/admin/workshops/phases/{phase.id}/allocation", data={"seed": "1"})

    response = organiser.post(f"/admin/workshops/phases/{phase.id}/allocation", data={"seed": "2"})

    assert response.status_code == 409
    assert _seats(db) == 4


def test_remaining_people_are_placed_after_the_allocation_on_request(db, congress, staff_client):
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    organiser = staff_client("organiser")
    organiser.post(f"/admin/workshops/phases/{phase.id}/allocation", data={"seed": "7"})
    assert _seats(db) == 4

    response = organiser.post(f"/admin/workshops/phases/{phase.id}/place-remaining")

    assert response.status_code == 302
    assert _seats(db) == 5
    assert (
        db.session.execute(
            select(WorkshopSeat.source).where(WorkshopSeat.registration_id == late.id)
        ).scalar_one()
        == "staff"
    )


def test_attendee_sees_the_allocated_workshop(client, db, congress, staff_client):
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    staff_client("organiser").post(
        f"/admin/workshops/phases/{phase.id}/allocation", data={"seed": "7"}
    )
    seat = db.session.execute(
        select(WorkshopSeat).where(WorkshopSeat.registration_id == people[3].id)
    ).scalar_one()
    title = db.session.get(AgendaSession, seat.session_id).title

    page = client.get(f"/r/{people[3].manage_token}/workshops").get_data(as_text=True)

    assert "Ihr Workshop:" in page and title in page


# --- organisers ------------------------------------------------------------------------------


def test_manual_move_respects_capacity(db, congress, staff_client, fcfs):
    phase, first, second = fcfs
    one, two = factories.registration(congress), factories.registration(congress)
    db.session.commit()
    services.take_seat(one, first, now=utcnow())
    services.take_seat(two, second, now=utcnow())
    db.session.commit()
    organiser = staff_client("organiser")

    full = organiser.post(
        f"/admin/workshops/{first.id}/move", data={"registration_id": one.id, "target": second.id}
    )
    fine = organiser.post(
        f"/admin/workshops/{second.id}/move", data={"registration_id": two.id, "target": first.id}
    )

    assert full.status_code == 409 and "ausgebucht" in full.get_data(as_text=True)
    assert fine.status_code == 302
    assert (_taken(db, first), _taken(db, second)) == (2, 0)
    assert_counters_match("workshop")


def test_organiser_gives_a_seat_by_email_even_in_a_ranked_phase(db, congress, staff_client):
    phase, (a, b, c) = _ranked(db, congress)
    person = factories.registration(congress, email="gerda@example.org")
    db.session.commit()

    response = staff_client("organiser").post(
        f"/admin/workshops/{a.id}/add", data={"email": "Gerda@Example.org"}
    )
    unknown = staff_client("organiser").post(
        f"/admin/workshops/{a.id}/add", data={"email": "nobody@example.org"}
    )

    assert response.status_code == 302
    assert unknown.status_code == 400
    assert db.session.execute(select(WorkshopSeat.registration_id)).scalars().all() == [person.id]
    assert_counters_match("workshop")


def test_phase_is_created_and_its_mode_locked_once_seats_exist(db, congress, staff_client, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress)
    db.session.commit()
    services.take_seat(person, first, now=utcnow())
    db.session.commit()
    organiser = staff_client("organiser")

    created = organiser.post(
        "/admin/workshops",
        data={
            "name": "Phase 2",
            "day": congress.days[1].day.isoformat(),
            "mode": "ranked",
            "min_ranks": "3",
            "preferences_close_at": "2030-05-01T18:00",
        },
    )
    locked = organiser.post(
        f"/admin/workshops/phases/{phase.id}",
        data={"name": phase.name, "mode": "ranked", "min_ranks": "3"},
    )

    assert created.status_code == 302
    new = db.session.execute(
        select(WorkshopPhase).where(WorkshopPhase.name == "Phase 2")
    ).scalar_one()
    assert new.preferences_close_at == datetime(2030, 5, 1, 16, 0, tzinfo=UTC)
    assert locked.status_code == 409
    assert db.session.get(WorkshopPhase, phase.id).mode == PhaseMode.FIRST_COME


def test_room_list_pdf_and_csv_carry_names_organisations_and_a_signature_column(
    db, congress, staff_client, fcfs, tmp_path
):
    phase, first, second = fcfs
    carrier = factories.carrier("Caritas Deutschland")
    moderator = factories.speaker(congress, name="Mira Moderatorin")
    first.speaker_links.append(SessionSpeaker(speaker_id=moderator.id, role="moderator"))
    person = factories.registration(
        congress, first_name="Şebnem", last_name="Yılmaz", carrier_id=carrier.id
    )
    db.session.commit()
    services.take_seat(person, first, now=utcnow())
    db.session.commit()
    organiser = staff_client("organiser")

    pdf = organiser.get(f"/admin/workshops/{first.id}/room-list.pdf")
    csv = organiser.get(f"/admin/workshops/{first.id}/room-list.csv")

    path = tmp_path / "list.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert pdf.mimetype == "application/pdf"
    label = person.organisation_label
    for expected in (
        "Patenschaften stärken",
        "Yılmaz, Şebnem",
        label,
        "Unterschrift",
        "Mira Moderatorin",
    ):
        assert expected in text
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Nr.;Nachname;Vorname;Organisation;Unterschrift"
    assert lines[1] == f"1;Yılmaz;Şebnem;{label};"


@pytest.mark.parametrize("role, status", [(None, 302), ("checkin", 403), ("organiser", 200)])
def test_only_organisers_open_the_workshop_pages(client, db, staff_client, fcfs, role, status):
    phase, first, second = fcfs
    visitor = staff_client(role) if role else client

    assert visitor.get("/admin/workshops").status_code == status
    assert visitor.get(f"/admin/workshops/{first.id}/room-list.csv").status_code == status


@pytest.mark.parametrize("count", [1, 3])
def test_phase_page_and_attendee_page_queries_do_not_grow(
    db, congress, staff_client, client, count_queries, count
):
    phase = factories.phase(congress)
    person = factories.registration(congress)
    for index in range(count):
        workshop = factories.workshop(congress, phase, room_=factories.room(congress))
        moderator = factories.speaker(congress)
        workshop.speaker_links.append(SessionSpeaker(speaker_id=moderator.id, role="moderator"))
        holder = factories.registration(congress)
        db.session.flush()
        services.take_seat(holder, workshop, now=utcnow())
        if index == 0:
            services.take_seat(person, workshop, now=utcnow())
    db.session.commit()
    organiser = staff_client("organiser")
    urls = (
        f"/admin/workshops/phases/{phase.id}",
        f"/admin/workshops/{workshop.id}",
        f"/r/{person.manage_token}/workshops",
    )
    db.session.expire_all()

    with count_queries() as admin_queries:
        admin = organiser.get(urls[0])
    with count_queries() as workshop_queries:
        one = organiser.get(urls[1])
    with count_queries() as attendee_queries:
        mine = client.get(urls[2])

    assert (admin.status_code, one.status_code, mine.status_code) == (200, 200, 200)
    # each page also names the organising body in its header
    assert len(admin_queries) == 10
    assert len(workshop_queries) == 10
    assert len(attendee_queries) == 11


def test_free_seats_for_the_programme(db, congress, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress)
    db.session.commit()
    services.take_seat(person, first, now=utcnow())

    assert services.free_seats([first.id, second.id, 99999]) == {first.id: 1, second.id: 1}


def test_allocation_runs_from_the_command_line_for_large_congresses(app, db, congress):
    phase, (a, b, c), people, late = _allocation_data(db, congress)
    runner = app.test_cli_runner()

    preview = runner.invoke(args=["workshops", "allocate", str(phase.id), "--seed", "9"])
    stored = runner.invoke(
        args=["workshops", "allocate", str(phase.id), "--seed", "9", "--fill", "--commit"]
    )
    again = runner.invoke(args=["workshops", "allocate", str(phase.id), "--commit"])

    assert preview.exit_code == 0 and "nothing stored" in preview.output
    assert stored.exit_code == 0 and "stored" in stored.output
    assert again.exit_code == 1 and "bereits zugeteilt" in again.output
    assert _seats(db) == 5
    assert db.session.get(WorkshopPhase, phase.id).allocation_seed == 9


@pytest.mark.parametrize("count", [1, 3])
def test_phase_list_queries_do_not_grow(db, congress, staff_client, count_queries, count):
    for _ in range(count):
        phase = factories.phase(congress, mode=PhaseMode.RANKED, min_ranks=1)
        workshop = factories.workshop(congress, phase, room_=factories.room(congress))
        services.set_preferences(
            factories.registration(congress), phase, [workshop.id], now=utcnow()
        )
    db.session.commit()
    organiser = staff_client("organiser")
    db.session.expire_all()

    with count_queries() as queries:
        response = organiser.get("/admin/workshops")

    assert response.status_code == 200
    assert response.get_data(as_text=True).count("/admin/workshops/phases/") == count
    assert len(queries) == 7  # incl. the organising body (header)


def test_free_seats_json_for_the_page_script(client, db, congress, fcfs):
    phase, first, second = fcfs
    person = factories.registration(congress)
    db.session.commit()
    services.take_seat(person, first, now=utcnow())
    db.session.commit()

    response = client.get(f"/workshops/phases/{phase.id}/seats.json")

    assert response.status_code == 200
    assert response.json == {
        "seats": {
            str(first.id): {"free": 1, "text": "1 Platz frei (von 2)"},
            str(second.id): {"free": 1, "text": "1 Platz frei (von 1)"},
        }
    }
    assert client.get("/workshops/phases/99999/seats.json").status_code == 404


@pytest.mark.browser
@pytest.mark.config(WORKSHOP_SEATS_REFRESH_MS=200)
def test_free_seats_update_in_the_open_page_without_reload(db, congress, fcfs, page):
    from playwright.sync_api import expect

    phase, first, second = fcfs
    viewer, other = factories.registration(congress), factories.registration(congress)
    db.session.commit()
    url, first_id, other_id = f"/r/{viewer.manage_token}/workshops", first.id, other.id
    db.session.close()

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    seats = page.locator(f'[data-free-seats="{first_id}"]')
    expect(seats).to_have_text("2 Plätze frei (von 2)")

    services.take_seat(
        db.session.get(Registration, other_id),
        db.session.get(AgendaSession, first_id),
        now=utcnow(),
    )
    db.session.commit()

    expect(seats).to_have_text("1 Platz frei (von 2)", timeout=5000)
    assert errors == []


def test_preview_with_a_malformed_seed_is_a_400_and_first_come_phase_has_no_preview(
    db, congress, staff_client, fcfs
):
    phase, first, second = fcfs
    ranked, workshops = _ranked(db, congress)
    organiser = staff_client("organiser")

    bad_seed = organiser.get(f"/admin/workshops/phases/{ranked.id}/allocation?seed=abc")
    first_come = organiser.get(f"/admin/workshops/phases/{phase.id}/allocation?seed=1")

    assert bad_seed.status_code == 400
    assert "Startwert" in bad_seed.get_data(as_text=True)
    assert first_come.status_code == 409


def test_ranked_phase_refuses_self_service_seats_and_waitlists(client, db, congress):
    phase, (a, b, c) = _ranked(db, congress)
    person = factories.registration(congress)
    db.session.commit()

    take = client.post(f"/r/{person.manage_token}/workshops/{a.id}/take")
    wait = client.post(f"/r/{person.manage_token}/workshops/{a.id}/wait")

    assert (take.status_code, wait.status_code) == (409, 409)
    assert "nach Wunschliste zugeteilt" in take.get_data(as_text=True)
    assert _seats(db) == 0


def test_all_room_lists_of_a_phase_print_as_one_pdf_one_page_each(
    db, congress, staff_client, fcfs, tmp_path
):
    phase, first, second = fcfs
    one = factories.registration(congress, first_name="Jürgen", last_name="Groß")
    two = factories.registration(congress, first_name="Małgorzata", last_name="Wiśniewska")
    db.session.commit()
    services.take_seat(one, first, now=utcnow())
    services.take_seat(two, second, now=utcnow())
    db.session.commit()

    response = staff_client("organiser").get(f"/admin/workshops/phases/{phase.id}/room-lists.pdf")

    path = tmp_path / "lists.pdf"
    path.write_bytes(response.data)
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in (1, 2)
    ]
    assert response.status_code == 200
    lots, paten = sorted(pages, key=lambda page: "Patenschaften" in page)  # ordered by title
    assert "Lots:innen gewinnen" in lots and "Wiśniewska, Małgorzata" in lots
    assert "Patenschaften stärken" in paten and "Groß, Jürgen" in paten
    assert "Groß" not in lots and "Wiśniewska" not in paten


def test_the_session_page_of_a_workshop_with_sign_up_says_where_to_sign_up(client, db, congress):
    """Issue 22.12: the public page of a sign-up workshop leads to the personal page where the
    seat is taken (by the personal link, sent again on request), or to the registration."""
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Ehrenamt stärken")
    plenary = factories.session(congress, title="Eröffnung")
    db.session.commit()

    page = client.get(f"/sessions/{workshop.id}").get_data(as_text=True)
    other = client.get(f"/sessions/{plenary.id}").get_data(as_text=True)

    hint = re.search(r'<section class="signup-hint".*?</section>', page, re.S).group(0)
    assert "Anmeldung zum Workshop" in hint
    assert 'href="/register/lost-link"' in hint and 'href="/register"' in hint
    assert "persönlichen Anmeldeseite" in hint
    assert "signup-hint" not in other
