"""Reports on a realistic edition: 3,000 registrations of 25 carriers with check-ins.

- ``dashboard``: computing every dashboard figure in-process (grouped counts; 10 runs).
- ``funder-report``: the funder PDF with all charts (3 runs).
- ``certificates-batch``: one carrier's certificates, 120 pages, as one PDF (1 run).
- ``stats-api``: ``GET /api/v1/stats`` with an organiser token, 2 gunicorn workers.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from benchmarks.harness import Bench, Result, scenario

PEOPLE = 3000
CARRIERS = 25


def _prepare(bench: Bench) -> dict:
    from sqlalchemy import insert

    from conference.checkin.models import CheckIn
    from conference.extensions import db
    from conference.registration.models import Registration, RegistrationDay
    from tests import factories

    rng = random.Random(2026)
    with bench.app_context():
        congress = factories.congress(capacity=None, slug="bench-reports")
        carriers = [factories.carrier(f"Träger {i:02d}") for i in range(CARRIERS)]
        phase = factories.phase(congress)
        workshops = [factories.workshop(congress, phase, capacity=200) for _ in range(20)]
        gates = [
            factories.checkpoint(congress, code=f"day-{i + 1}", day=d.day)
            for i, d in enumerate(congress.days)
        ]
        rooms = [
            factories.checkpoint(congress, code=f"ws-{w.id}", session_id=w.id) for w in workshops
        ]
        now = datetime.now(UTC)
        rows = [
            {
                "congress_id": congress.id,
                "status": rng.choice(["confirmed"] * 8 + ["waitlisted", "cancelled"]),
                "first_name": f"Vorname{i}",
                "last_name": f"Nachname{i}",
                "email": f"person{i}@example.org",
                "carrier_id": rng.choice(carriers).id if rng.random() < 0.9 else None,
                "programme_role": rng.choice(["mentor", "sponsor", "guide", "staff"]),
                "sector": rng.choice(["civil_society", "municipal", "state"]),
                "diet": rng.choice(["none"] * 6 + ["vegan", "vegetarian", "halal"]),
                "needs_step_free": rng.random() < 0.05,
                "created_at": now - timedelta(days=rng.randint(0, 90)),
            }
            for i in range(PEOPLE)
        ]
        db.session.execute(insert(Registration), rows)
        ids = db.session.execute(db.select(Registration.id)).scalars().all()
        db.session.execute(
            insert(RegistrationDay),
            [{"registration_id": i, "day": d.day} for i in ids for d in congress.days],
        )
        db.session.execute(
            insert(CheckIn),
            [{"registration_id": i, "checkpoint_id": g.id} for i in ids for g in gates]
            + [{"registration_id": i, "checkpoint_id": rng.choice(rooms).id} for i in ids],
        )
        db.session.commit()
        return {"congress_id": congress.id, "carrier_id": carriers[0].id}


def _timed(bench: Bench, label: str, runs: int, action) -> Result:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return Result(
        scenario=label,
        database=bench.database,
        requests=runs,
        concurrency=1,
        seconds=round(sum(timings) / 1000, 3),
        p50_ms=round(statistics.median(timings), 1),
        p99_ms=round(max(timings), 1),
    )


@scenario("reports")
def reports(bench: Bench) -> list[Result]:
    from conference.accounts.services import create_api_token
    from conference.core.models import Congress
    from conference.core.pdf import render_pdf
    from conference.extensions import db
    from conference.reports import services

    ids = _prepare(bench)
    results = []
    with bench.app_context() as app, app.test_request_context("/"):
        congress = db.session.get(Congress, ids["congress_id"])
        figures = services.dashboard_figures(congress)
        assert sum(row[1] for row in figures[1].rows) > PEOPLE * 0.8
        results.append(_timed(bench, "dashboard", 10, lambda: services.dashboard_figures(congress)))

        def report():
            pdf = render_pdf(
                "reports/funder_report.html",
                congress=congress,
                key=services.key_figures(congress),
                figures=services.dashboard_figures(congress),
                generated_at=datetime.now(UTC),
            )
            assert pdf.startswith(b"%PDF")

        results.append(_timed(bench, "funder-report", 3, report))

        def batch():
            found = services.organisation_attendances(congress, ids["carrier_id"])
            pdf = render_pdf("reports/certificate.html", congress=congress, attendances=found)
            assert pdf.startswith(b"%PDF") and len(found) > 50
            batch.pages = len(found)

        results.append(_timed(bench, "certificates-batch", 1, batch))
        results[-1].extra = {"pages": batch.pages}
        _token, secret = create_api_token("bench", "organiser")
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    with bench.server(workers=2) as base:
        result, responses = bench.load(
            "stats-api",
            base,
            [lambda c: c.get("/api/v1/stats", headers=headers)] * 500,
            concurrency=4,
        )
    assert all(r.status_code == 200 for r in responses)
    results.append(result)
    return results
