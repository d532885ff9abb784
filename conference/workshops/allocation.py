"""Optimal allocation of attendees to the parallel workshops of one phase.

Pure computation, no database: the services collect the input and store the result.

The model is a min-cost flow (networkx ``network_simplex``, a well-kept solver; we write none):

    group of identical rankings --(rank r: cost r²)--> workshop --(capacity)--> sink
                               \\--(nobody of their choices: cost U)---------> sink

* **Satisfaction.** A place at rank ``r`` costs ``r²`` (1, 4, 9, ...). The convex cost prefers
  two second choices to one first and one fourth choice: fewer people end up far down their list.
* **Nobody is left out to please others.** The "unplaced" edge costs ``U = N · max_cost + 1``, more
  than all rank costs together, so the solver first places as many people as possible into one of
  their ranked workshops and only then minimises the rank costs. It also keeps the problem
  feasible whatever the capacities.
* **Groups.** People with the very same ranking are interchangeable, so one node carries all of
  them (10,000 skewed rankings over 20 workshops make about 2,500 groups). That keeps the pure
  Python simplex at about half a second per phase; one node per person took ten times as long.
* **Ties and the seed.** Among allocations of equal cost the seed decides: every edge gets a small
  random extra cost ``e < P`` on a scale ``S = N · P`` that the sum of all extras cannot bridge, so
  a real difference of one unit always wins and the solver's choice among equal optima is
  fixed by the seed alone. Who inside a group gets the scarcer seat is a seeded shuffle. Same
  input and same seed: same allocation.
* **The rest.** People without a ranking (registered late, never ranked) and rankers whose
  choices were all full are, if the organiser wishes, placed by one rule: in random (seeded)
  order, each into the workshop of the phase that has the most free seats left (ties: the
  workshop listed first). Otherwise they stay unplaced, for manual placement.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

#: Reasons why somebody got no workshop (translated in the views).
NO_PREFERENCES = "no_preferences"
CHOICES_FULL = "choices_full"
NO_SEAT_LEFT = "no_seat_left"

_PERTURBATION = 64


def rank_cost(rank: int) -> int:
    return rank * rank


@dataclass(frozen=True)
class Placement:
    session_id: int | None
    rank: int | None = None  # 1 = first choice; None: placed by the rest rule, or unplaced
    reason: str = ""  # why unplaced (NO_PREFERENCES, CHOICES_FULL, NO_SEAT_LEFT)


@dataclass
class Allocation:
    seed: int
    placements: dict[int, Placement] = field(default_factory=dict)

    def rank_counts(self) -> Counter:
        return Counter(p.rank for p in self.placements.values() if p.rank is not None)

    def filled_by_rule(self) -> int:
        return sum(
            1 for p in self.placements.values() if p.session_id is not None and p.rank is None
        )

    def unplaced(self) -> dict[int, str]:
        return {person: p.reason for person, p in self.placements.items() if p.session_id is None}

    def fill(self) -> Counter:
        return Counter(p.session_id for p in self.placements.values() if p.session_id is not None)


def allocate(
    preferences: Mapping[int, Sequence[int]],
    capacities: Mapping[int, int],
    *,
    seed: int,
    fill_remaining: bool = False,
) -> Allocation:
    """Place each person (key of ``preferences``) into at most one workshop.

    ``preferences`` maps a person to workshop ids, best first (may be empty); ids not in
    ``capacities`` are ignored. ``capacities`` maps each workshop to its free seats, in the order
    the rest rule breaks ties. Deterministic for equal input and seed.
    """
    rng = random.Random(seed)
    order = list(capacities)
    free = {workshop: max(0, int(seats)) for workshop, seats in capacities.items()}
    allocation = Allocation(seed=seed)

    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    without: list[int] = []
    for person in sorted(preferences):
        ranking = tuple(dict.fromkeys(w for w in preferences[person] if w in free))
        if ranking:
            groups[ranking].append(person)
        else:
            without.append(person)

    left_over: list[int] = []
    if groups:
        flows = _solve(groups, free, rng)
        for ranking in sorted(groups):
            members = groups[ranking]
            rng.shuffle(members)
            position = 0
            for rank, workshop in enumerate(ranking, start=1):
                count = flows[ranking].get(workshop, 0)
                for person in members[position : position + count]:
                    allocation.placements[person] = Placement(workshop, rank)
                position += count
                free[workshop] -= count
            left_over.extend(members[position:])

    unplaced = [(person, CHOICES_FULL) for person in sorted(left_over)] + [
        (person, NO_PREFERENCES) for person in without
    ]
    if fill_remaining:
        rng.shuffle(unplaced)
    for person, reason in unplaced:
        target = None
        if fill_remaining:
            target = max(order, key=lambda w: free[w], default=None)
            if target is not None and free[target] <= 0:
                target = None
        if target is None:
            allocation.placements[person] = Placement(
                None, None, NO_SEAT_LEFT if fill_remaining else reason
            )
        else:
            free[target] -= 1
            allocation.placements[person] = Placement(target, None)
    return allocation


def _solve(
    groups: dict[tuple[int, ...], list[int]], free: dict[int, int], rng: random.Random
) -> dict[tuple[int, ...], dict[int, int]]:
    """Min-cost flow over the groups; returns group -> workshop -> number of people."""
    total = sum(len(members) for members in groups.values())
    longest = max(len(ranking) for ranking in groups)
    scale = total * _PERTURBATION
    unplaced_cost = (total * rank_cost(longest) + 1) * scale

    graph = nx.DiGraph()
    graph.add_node("sink", demand=total)
    for workshop, seats in free.items():
        graph.add_edge(("w", workshop), "sink", capacity=seats, weight=0)
    for ranking in sorted(groups):
        size = len(groups[ranking])
        node = ("g", ranking)
        graph.add_node(node, demand=-size)
        for rank, workshop in enumerate(ranking, start=1):
            weight = rank_cost(rank) * scale + rng.randrange(_PERTURBATION)
            graph.add_edge(node, ("w", workshop), capacity=size, weight=weight)
        graph.add_edge(node, "sink", capacity=size, weight=unplaced_cost)
    _cost, flow = nx.network_simplex(graph)
    return {
        ranking: {
            target[1]: amount
            for target, amount in flow[("g", ranking)].items()
            if target != "sink" and amount
        }
        for ranking in groups
    }
