"""The ceiling of the stack (``/health``) and the landing page, 2 gunicorn workers."""

from __future__ import annotations

from benchmarks.harness import Bench, Result, scenario


@scenario("health")
def health(bench: Bench) -> list[Result]:
    with bench.server(workers=2) as base:
        result, _ = bench.load("health", base, [lambda c: c.get("/health")] * 4000, concurrency=8)
    return [result]


@scenario("landing")
def landing(bench: Bench) -> list[Result]:
    from conference.extensions import db
    from tests import factories

    with bench.app_context():
        factories.congress(title="Fachkongress Benchmark")
        db.session.commit()
    with bench.server(workers=2) as base:
        result, responses = bench.load(
            "landing", base, [lambda c: c.get("/")] * 2000, concurrency=8
        )
    assert all("Fachkongress Benchmark" in r.text for r in responses)
    return [result]
