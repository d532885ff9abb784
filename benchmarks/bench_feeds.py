"""Calendar feeds with a 300-session programme, 2 gunicorn workers, 2 clients (latency, not load).

Goals (DESIGN.md): a full ``/programme.ics`` under 10 ms, a 304 under 2 ms.

- ``feed-programme``: full fetches without a validator, 304s with ``If-None-Match``, and the
  rebuild after an agenda edit (the first fetch of a new version in a worker builds the text
  with icalendar; later fetches of that version reuse it).
- ``feed-personal``: 100 attendees with 2 days and 3 workshop seats each; first fetch of each
  token (built), repeated fetches, and 304s.

Each 304 is measured twice: as production runs (a worker that computed a feed's version in the
last ``FEED_VERSION_CACHE_SECONDS`` answers a matching poll from it) and "version from the
database" (workers that remember nothing: every 304 runs the version's query, as the first poll
after a change does).
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta

import httpx

from benchmarks.harness import LIGHT_CLIENT, Bench, Result, relative, scenario

#: The bench app's PUBLIC_BASE_URL: any other Host is refused (TRUSTED_HOSTS, issue 14).
PUBLIC = "http://127.0.0.1"

SESSIONS = 300


def _kind(n: int) -> str:
    """About 9 sessions a day for everyone; the rest are parallel workshops and forums."""
    return {0: "plenary", 10: "networking", 25: "keynote", 40: "panel"}.get(
        n % 50, "workshop" if n % 3 else "forum"
    )


def _programme(bench: Bench, attendees: int = 0) -> list[str]:
    """A 300-session programme; returns the calendar tokens of ``attendees`` registrations."""
    from conference.agenda.models import SessionKind
    from conference.extensions import db
    from conference.workshops.models import WorkshopSeat
    from tests import factories

    with bench.app_context():
        congress = factories.congress(days=2, title="Fachkongress Benchmark", slug="bench")
        rooms = [factories.room(congress, name=f"Raum {n}") for n in range(12)]
        tracks = [factories.track(congress, name=f"Track {n}") for n in range(6)]
        speakers = [
            factories.speaker(congress, name=f"Referentin {n}", organisation="Träger e. V.")
            for n in range(200)
        ]
        days = [day.day for day in congress.days]
        phases = {
            (day, slot): factories.phase(congress, day=day) for day in days for slot in range(15)
        }
        workshops = []
        for n in range(SESSIONS):
            day, slot = days[n % 2], (n // 2) % 15
            kind = _kind(n)
            parallel = kind in (SessionKind.WORKSHOP, SessionKind.FORUM)
            session = factories.session(
                congress,
                title=f"Programmpunkt {n}: Mentoring, Ehrenamt; Teilhabe",
                abstract="Wie gelingt Begleitung von Geflüchteten? " * 8,
                kind=kind,
                day=day,
                start=time(8 + slot // 2, 30 * (slot % 2)),
                end=time(8 + slot // 2, 30 * (slot % 2) + 25),
                room_=rooms[n % len(rooms)],
                track_id=tracks[n % len(tracks)].id,
                speakers=[speakers[n % 200], speakers[(n * 7 + 3) % 200]],
                phase_id=phases[(day, slot)].id if parallel else None,
            )
            if parallel:
                workshops.append(session)
        tokens = []
        for n in range(attendees):
            registration = factories.registration(congress)
            for workshop in [workshops[(n + k * 17) % len(workshops)] for k in range(3)]:
                db.session.add(
                    WorkshopSeat(
                        registration_id=registration.id,
                        phase_id=workshop.phase_id,
                        session_id=workshop.id,
                    )
                )
            db.session.flush()
            tokens.append(registration.calendar_token)
        db.session.commit()
    return tokens


def _edit_a_session(bench: Bench, n: int) -> None:
    """What the agenda does on an edit: bump sequence and changed_at."""
    from sqlalchemy import select, update

    from conference.agenda.models import AgendaSession
    from conference.extensions import db

    with bench.app_context():
        ids = db.session.execute(select(AgendaSession.id).order_by(AgendaSession.id)).scalars()
        session_id = list(ids)[n % SESSIONS]
        db.session.execute(
            update(AgendaSession)
            .where(AgendaSession.id == session_id)
            .values(
                sequence=AgendaSession.sequence + 1,
                changed_at=datetime.now(UTC) + timedelta(seconds=n + 1),
                title=f"Geänderter Programmpunkt {n}",
            )
        )
        db.session.commit()


def _checked(expected_status: int):
    def ok(response: httpx.Response) -> bool:
        return response.status_code == expected_status

    return ok


@scenario("feed-programme")
def feed_programme(bench: Bench) -> list[Result]:
    _programme(bench)
    results = []
    with bench.server(workers=2) as base:
        first = httpx.get(f"{base}/programme.ics")
        assert first.status_code == 200 and first.text.count("BEGIN:VEVENT") == SESSIONS
        etag = first.headers["ETag"]
        floor = bench.floor(base, concurrency=2, light=LIGHT_CLIENT)
        results.append(floor)

        full, responses = bench.load(
            "feed-programme full",
            base,
            [lambda c: c.get("/programme.ics")] * 600,
            concurrency=2,
            ok=_checked(200),
            light=LIGHT_CLIENT,
        )
        assert all(r.headers["ETag"] == etag for r in responses)
        full.extra["bytes"] = len(first.content)
        results.append(relative(full, floor))

        polls = [lambda c: c.get("/programme.ics", headers={"If-None-Match": etag})] * 2000
        not_modified, _ = bench.load(
            "feed-programme 304",
            base,
            polls,
            concurrency=2,
            ok=_checked(304),
            light=LIGHT_CLIENT,
        )
        results.append(relative(not_modified, floor))
        results.append(_asking_the_database(bench, "feed-programme 304", polls, floor))

        # After an edit each worker builds the new text once: measure that first fetch.
        rebuilds = []
        for n in range(12):
            _edit_a_session(bench, n)
            rebuild, responses = bench.load(
                "feed-programme rebuild",
                base,
                [lambda c: c.get("/programme.ics")],
                concurrency=1,
                ok=_checked(200),
                light=LIGHT_CLIENT,
            )
            assert "Geänderter Programmpunkt" in responses[0].text
            rebuilds.append(rebuild)
        results.append(_merge("feed-programme rebuild after edit", rebuilds))
    cpu_floor = _in_process(bench, "/health, CPU", ["/health"] * 500)
    results.append(relative(cpu_floor, cpu_floor))
    results.append(
        relative(
            _in_process(bench, "feed-programme full, CPU", ["/programme.ics"] * 200), cpu_floor
        )
    )
    etag = {}

    def validator(path):
        if path not in etag:
            etag[path] = bench.app.test_client().get(path, base_url=PUBLIC).headers["ETag"]
        return {"If-None-Match": etag[path]}

    polls = ["/programme.ics"] * 500
    results.append(
        relative(_in_process(bench, "feed-programme 304, CPU", polls, validator), cpu_floor)
    )
    with _remembering_nothing(bench):
        label = f"feed-programme 304, {FROM_DATABASE}, CPU"
        results.append(relative(_in_process(bench, label, polls, validator), cpu_floor))
    return results


@scenario("feed-personal")
def feed_personal(bench: Bench) -> list[Result]:
    tokens = _programme(bench, attendees=100)
    results = []
    with bench.server(workers=2) as base:
        floor = bench.floor(base, concurrency=2, light=LIGHT_CLIENT)
        results.append(floor)
        first_fetches, responses = bench.load(
            "feed-personal first fetch",
            base,
            [lambda c, t=token: c.get(f"/feeds/{t}.ics") for token in tokens],
            concurrency=2,
            ok=_checked(200),
            light=LIGHT_CLIENT,
        )
        events = {r.text.count("BEGIN:VEVENT") for r in responses}
        first_fetches.extra["events"] = sorted(events)
        results.append(first_fetches)
        etags = {r.url.path.rsplit("/", 1)[1]: r.headers["ETag"] for r in responses}

        cycle = itertools.cycle(tokens)
        repeat, _ = bench.load(
            "feed-personal full",
            base,
            [lambda c, t=next(cycle): c.get(f"/feeds/{t}.ics") for _ in range(600)],
            concurrency=2,
            ok=_checked(200),
            light=LIGHT_CLIENT,
        )
        results.append(relative(repeat, floor))

        cycle = itertools.cycle(tokens)
        polls = [
            lambda c, t=next(cycle): c.get(
                f"/feeds/{t}.ics", headers={"If-None-Match": etags[f"{t}.ics"]}
            )
            for _ in range(2000)
        ]
        not_modified, _ = bench.load(
            "feed-personal 304", base, polls, concurrency=2, ok=_checked(304), light=LIGHT_CLIENT
        )
        results.append(relative(not_modified, floor))
        results.append(_asking_the_database(bench, "feed-personal 304", polls, floor))
    paths = [f"/feeds/{token}.ics" for token in tokens] * 3
    cpu_floor = _in_process(bench, "/health, CPU", ["/health"] * 500)
    results.append(relative(cpu_floor, cpu_floor))
    results.append(relative(_in_process(bench, "feed-personal full, CPU", paths), cpu_floor))

    def validator(path):
        return {"If-None-Match": etags[path.rsplit("/", 1)[1]]}

    results.append(
        relative(_in_process(bench, "feed-personal 304, CPU", paths, validator), cpu_floor)
    )
    with _remembering_nothing(bench):
        label = f"feed-personal 304, {FROM_DATABASE}, CPU"
        results.append(relative(_in_process(bench, label, paths, validator), cpu_floor))
    return results


#: The label of a 304 whose version is computed by its query, not remembered by the worker.
FROM_DATABASE = "version from the database"


def _asking_the_database(bench: Bench, label: str, polls: list, floor: Result) -> Result:
    """The same polls against workers that remember no version (``FEED_VERSION_CACHE_SECONDS``
    0): every 304 is the version's query, as the first poll after a change or after the
    remembered version expired."""
    with bench.server(workers=2, settings={"FEED_VERSION_CACHE_SECONDS": "0"}) as base:
        result, _ = bench.load(
            f"{label}, {FROM_DATABASE}",
            base,
            polls,
            concurrency=2,
            ok=_checked(304),
            light=LIGHT_CLIENT,
        )
    return relative(result, floor)


@contextmanager
def _remembering_nothing(bench: Bench):
    """The in-process app's feeds remember no version meanwhile."""
    from conference.core.caching import Remembered

    remembered = bench.app.extensions["feed_versions"]
    bench.app.extensions["feed_versions"] = Remembered(0, 1)
    try:
        yield
    finally:
        bench.app.extensions["feed_versions"] = remembered


def _in_process(bench: Bench, label: str, paths: list[str], headers=None) -> Result:
    """CPU milliseconds the app spends per request (Flask test client, no HTTP, no queueing).

    The development machine is shared; CPU time of this process is what the feed code costs,
    whatever else runs. The first call per path is left out (it fills the rendered text).
    """
    import time

    from benchmarks.harness import percentile

    client = bench.app.test_client()
    for path in set(paths):
        client.get(path, headers=headers(path) if headers else None, base_url=PUBLIC)
    cpu = []
    for path in paths:
        started = time.process_time()
        response = client.get(path, headers=headers(path) if headers else None, base_url=PUBLIC)
        cpu.append((time.process_time() - started) * 1000)
        assert response.status_code in (200, 304)
    return Result(
        scenario=label,
        database="sqlite" if not bench.postgres else "postgresql",
        requests=len(paths),
        concurrency=1,
        seconds=round(sum(cpu) / 1000, 3),
        p50_ms=round(percentile(cpu, 0.5), 2),
        p95_ms=round(percentile(cpu, 0.95), 2),
        p99_ms=round(percentile(cpu, 0.99), 2),
        extra={"measure": "process CPU time"},
    )


def _merge(label: str, parts: list[Result]) -> Result:
    from benchmarks.harness import percentile

    latencies = [r.p50_ms for r in parts]
    return Result(
        scenario=label,
        database=parts[0].database,
        requests=len(parts),
        concurrency=1,
        seconds=round(sum(r.seconds for r in parts), 3),
        p50_ms=round(percentile(latencies, 0.5), 2),
        p95_ms=round(percentile(latencies, 0.95), 2),
        p99_ms=round(percentile(latencies, 0.99), 2),
        errors=sum(r.errors for r in parts),
    )
