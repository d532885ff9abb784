"""The public programme at 300 sessions: the HTML page and ``/programme.json`` (goal p50 < 30 ms)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from benchmarks.harness import Bench, Result, scenario

SESSIONS = 300


def _agenda(bench: Bench, count: int = SESSIONS) -> None:
    """Two days, 6 rooms, 3 tracks, 40 speakers, ``count`` published sessions."""
    from conference.extensions import db
    from tests import factories

    with bench.app_context():
        congress = factories.congress(title="Fachkongress Benchmark", days=2)
        rooms = [factories.room(congress, name=f"Saal {n}", capacity=80) for n in range(6)]
        tracks = [factories.track(congress, name=f"Thema {n}") for n in range(3)]
        people = [factories.speaker(congress, name=f"Referent:in {n}") for n in range(40)]
        for n in range(count):
            day = congress.starts_on + timedelta(days=n % 2)
            slot = (n // 12) % 44
            start = datetime.combine(day, time(8)) + timedelta(minutes=15 * slot)
            factories.session(
                congress,
                title=f"Programmpunkt {n}: Patenschaften und Ehrenamt",
                abstract="Wie Mentor:innen und Lots:innen Geflüchtete begleiten. " * 5,
                day=day,
                start=start.time(),
                end=(start + timedelta(minutes=15)).time(),
                room_=rooms[(n // 2) % 6],
                track_id=tracks[n % 3].id,
                speakers=[people[n % 40], people[(n + 7) % 40]],
                signup_required=n % 4 == 0,
            )
        db.session.commit()


def _run(bench: Bench, label: str, path: str, check) -> list[Result]:
    _agenda(bench)
    with bench.server(workers=2) as base:
        bench.load(f"{label}-warmup", base, [lambda c: c.get(path)] * 40, concurrency=2)
        result, responses = bench.load(label, base, [lambda c: c.get(path)] * 600, concurrency=2)
    assert responses and all(check(r) for r in responses), f"{label}: wrong answers"
    result.extra["sessions"] = SESSIONS
    result.extra["bytes"] = len(responses[0].content)
    return [result]


@scenario("programme-page")
def programme_page(bench: Bench) -> list[Result]:
    return _run(
        bench,
        "programme-page",
        "/programme",
        lambda r: r.status_code == 200 and r.text.count('class="programme-item') == SESSIONS,
    )


@scenario("programme-json")
def programme_json(bench: Bench) -> list[Result]:
    return _run(
        bench,
        "programme-json",
        "/programme.json",
        lambda r: r.status_code == 200 and len(r.json()) == SESSIONS,
    )
