"""Door scan: 8 concurrent scanners, 5,000 distinct valid badges + 10% repeats + 5% forged.

Goal (DESIGN.md): p99 under 25 ms on the 2-core machine, no lost and no double check-in. The
``/health`` ceiling is measured in the same run against the same server, so the figures can be
read relative to what the stack itself costs.

gunicorn runs as production does (``gunicorn.conf.py``) with 2 workers;
``CHECKIN_BENCH_WORKERS`` and ``CHECKIN_BENCH_THREADS`` override them for comparisons. Every
figure is also given as a ratio to ``/health`` at the same concurrency against the same server
(``p50_x``, ``p99_x``, ``rps_x``), which stays meaningful on a busy machine.
"""

from __future__ import annotations

import random
import secrets

from benchmarks.harness import LIGHT_CLIENT, Bench, Result, relative, scenario

VALID = 5000
REPEATS = VALID // 10
FORGED = VALID // 20
CONCURRENCY = 8


def _prepare(bench: Bench) -> tuple[list[str], str]:
    from datetime import UTC, datetime

    from conference.accounts.services import create_api_token
    from conference.checkin import services
    from conference.extensions import db
    from conference.registration.models import Registration, RegistrationDay, Status
    from tests import factories

    with bench.app_context():
        congress = factories.congress(title="Fachkongress Benchmark", capacity=None)
        services.ensure_checkpoints(congress)
        carriers = [factories.carrier(local_structures=2) for _ in range(23)]
        now = datetime.now(UTC)
        people = []
        for number in range(VALID):
            carrier = carriers[number % len(carriers)]
            person = Registration(
                congress_id=congress.id,
                status=Status.CONFIRMED,
                first_name="Person",
                last_name=f"Nummer {number}",
                email=f"person{number}@bench.example.org",
                carrier_id=carrier.id,
                local_structure_id=carrier.local_structures[number % 2].id,
                consent_at=now,
                placed_at=now,
                confirm_token=None,
            )
            person.days = [RegistrationDay(day=congress.starts_on)]
            people.append(person)
        db.session.add_all(people)
        _token, secret = create_api_token("Bench door", "checkin")
        db.session.commit()
        tokens = [person.badge_token for person in people]
    return tokens, secret


@scenario("checkin-scan")
def checkin_scan(bench: Bench) -> list[Result]:
    from sqlalchemy import func, select

    from conference.checkin.models import CheckIn
    from conference.extensions import db

    tokens, secret = _prepare(bench)
    rng = random.Random(8)
    forged = [secrets.token_urlsafe(32) for _ in range(FORGED)]
    scans = tokens + rng.sample(tokens, REPEATS) + forged
    rng.shuffle(scans)
    headers = {"Authorization": f"Bearer {secret}"}

    def scan(token: str):
        return lambda client: client.post(
            "/api/v1/checkin/scan",
            json={"token": token, "checkpoint": "day-1"},
            headers=headers,
        )

    import os

    workers = int(os.environ.get("CHECKIN_BENCH_WORKERS", "2"))
    threads = os.environ.get("CHECKIN_BENCH_THREADS")
    with bench.server(workers=workers, threads=int(threads) if threads else None) as base:
        ceiling = bench.floor(base, concurrency=CONCURRENCY, requests=4000, light=LIGHT_CLIENT)
        result, responses = bench.load(
            "checkin-scan",
            base,
            [scan(token) for token in scans],
            concurrency=CONCURRENCY,
            ok=lambda r: r.status_code == 200,
            max_seconds=600,  # a loaded machine must not cut the run short
            light=LIGHT_CLIENT,
        )

    assert len(responses) == len(scans), f"only {len(responses)} of {len(scans)} scans answered"
    answers: dict[str, int] = {}
    for response in responses:
        kind = response.json().get("result", "?") if response.status_code == 200 else "error"
        answers[kind] = answers.get(kind, 0) + 1
    with bench.app_context():
        rows = db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one()
        distinct = db.session.execute(
            select(func.count(func.distinct(CheckIn.registration_id)))
        ).scalar_one()
    relative(result, ceiling)
    result.extra.update(
        workers=workers,
        threads=threads or "gunicorn.conf.py",
        answers=answers,
        check_in_rows=rows,
        distinct_people=distinct,
        health_p99_ms=ceiling.p99_ms,
        health_rps=ceiling.rps,
    )
    assert rows == distinct == VALID, f"{rows} check-ins for {VALID} valid badges"
    assert answers == {"ok": VALID, "already_checked_in": REPEATS, "unknown": FORGED}, answers
    return [ceiling, result]
