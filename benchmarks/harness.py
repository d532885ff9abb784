"""The benchmark harness: a real gunicorn on a free loopback port, bounded concurrent load.

A scenario is a function ``scenario(bench: Bench) -> list[Result]`` registered with
``@scenario("name")``. It may prepare data (``bench.app_context()``), start the server
(``bench.server(workers=2)``: gunicorn with the production ``gunicorn.conf.py``) and measure
with ``bench.load(...)``. Every load is bounded in request count and time and goes only to
127.0.0.1.

The machine is shared, so wall-clock figures move with whatever else runs. ``bench.floor()``
measures ``/health`` against the same server with the same concurrency, and ``relative()``
gives a figure as a ratio to it (``p50_x``, ``p99_x``, ``rps_x``): a regression shows in the
ratio even when the machine is busy.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.client import LightClient

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
#: The door and feed scenarios measure with the light client (``benchmarks/client.py``);
#: ``BENCH_CLIENT=httpx`` measures them with httpx, as before, for comparison.
LIGHT_CLIENT = os.environ.get("BENCH_CLIENT", "light") != "httpx"
SCENARIOS: dict[str, Callable] = {}


def scenario(name: str):
    def register(function):
        SCENARIOS[name] = function
        return function

    return register


@dataclass
class Result:
    scenario: str
    database: str
    requests: int
    concurrency: int
    seconds: float
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    rps: float | None = None
    errors: int = 0
    #: The figures as a ratio to ``/health`` measured against the same server in the same run
    #: (``p50_x``, ``p99_x``: how many times slower; ``rps_x``: what share of its throughput).
    ratio: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def relative(result: Result, floor: Result) -> Result:
    """Fill ``result.ratio`` from the ``/health`` floor of the same run; returns ``result``."""

    def share(value, reference):
        return round(value / reference, 2) if value and reference else None

    result.ratio = {
        "p50_x": share(result.p50_ms, floor.p50_ms),
        "p99_x": share(result.p99_ms, floor.p99_ms),
        "rps_x": share(result.rps, floor.rps),
    }
    return result


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Bench:
    """One fresh database (SQLite file, or a new PostgreSQL database) per scenario."""

    def __init__(self, name: str, database_url: str | None):
        self.name = name
        self.tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        self.postgres = bool(database_url)
        if database_url:
            self.database_url = _fresh_postgres_database(
                database_url, f"bench_{name.replace('-', '_')}"
            )
        else:
            self.database_url = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        self.database = "postgresql" if self.postgres else "sqlite"
        self.environment = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "CONFERENCE_INSTANCE_PATH": str(self.tmp),
            "SECRET_KEY": "benchmark-secret",
            "MAIL_BACKEND": "none",
            "RATELIMIT_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            "PUBLIC_BASE_URL": "http://127.0.0.1",  # the servers run on loopback ports
        }
        self._app = None

    @property
    def app(self):
        if self._app is None:
            from conference import create_app

            self._app = create_app(
                {
                    "DATABASE_URL": self.database_url,
                    "INSTANCE_PATH": str(self.tmp),
                    "SECRET_KEY": "benchmark-secret",
                    "MAIL_BACKEND": "none",
                    "RATELIMIT_ENABLED": False,
                    "LOG_LEVEL": "WARNING",
                    "PUBLIC_BASE_URL": "http://127.0.0.1",
                }
            )
            with self._app.app_context():
                from flask_migrate import upgrade

                upgrade()
        return self._app

    @contextmanager
    def app_context(self):
        with self.app.app_context():
            yield self.app

    @contextmanager
    def server(
        self, workers: int = 2, threads: int | None = None, settings: dict | None = None
    ) -> Iterator[str]:
        """gunicorn as production runs it (``gunicorn.conf.py``: worker class, threads, access
        log with token redaction) with ``workers`` processes on a free port; yields the base
        URL. ``threads`` overrides ``GUNICORN_THREADS`` (default: the production setting);
        ``settings``: more environment settings of the app."""
        _ = self.app  # migrate before the workers start
        port = free_port()
        log = open(self.tmp / "gunicorn.log", "w")  # noqa: SIM115 - closed below
        environment = {
            **self.environment,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_ACCESS_LOG": "/dev/null",  # formatted and redacted, as in production
            "GUNICORN_ERROR_LOG": "-",
            **(settings or {}),
        }
        if threads is not None:
            environment["GUNICORN_THREADS"] = str(threads)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                os.environ.get("BENCH_GUNICORN_CONF", str(ROOT / "gunicorn.conf.py")),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start; see {self.tmp / 'gunicorn.log'}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()

    def load(
        self,
        label: str,
        base: str,
        requests: list[Callable[[httpx.Client], httpx.Response]],
        *,
        concurrency: int,
        max_seconds: float = 120,
        ok: Callable[[httpx.Response], bool] = lambda r: r.status_code < 500,
        light: bool = False,
    ) -> tuple[Result, list[httpx.Response]]:
        """Run each prepared request once, spread over ``concurrency`` threads with keep-alive.

        Each thread opens its connection with a ``/health`` call before the clock starts.
        Returns the result row and the responses (for the scenario's own correctness checks).
        ``light``: the standard library's client instead of httpx (``benchmarks/client.py``),
        for figures of the server's own speed; no cookies, no redirects.
        """
        queue = list(enumerate(requests))
        lock = threading.Lock()
        latencies: list[float] = []
        responses: list[httpx.Response | None] = [None] * len(requests)
        errors = 0
        deadline = time.monotonic() + max_seconds
        ready = threading.Barrier(concurrency + 1)

        def worker():
            nonlocal errors
            client = LightClient(base) if light else httpx.Client(base_url=base, timeout=30)
            with client:
                client.get("/health")
                ready.wait()
                while time.monotonic() < deadline:
                    with lock:
                        if not queue:
                            return
                        index, make = queue.pop()
                    started = time.perf_counter()
                    try:
                        response = make(client)
                    except httpx.HTTPError:
                        with lock:
                            errors += 1
                        continue
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        latencies.append(elapsed)
                        responses[index] = response
                        if not ok(response):
                            errors += 1

        queue.reverse()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        ready.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        result = Result(
            scenario=label,
            database=self.database,
            requests=len(latencies),
            concurrency=concurrency,
            seconds=round(seconds, 3),
            p50_ms=round(percentile(latencies, 0.50), 2),
            p95_ms=round(percentile(latencies, 0.95), 2),
            p99_ms=round(percentile(latencies, 0.99), 2),
            rps=round(len(latencies) / seconds, 1) if seconds else None,
            errors=errors + (len(requests) - len(latencies)),
            extra={
                "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
                "client": "http.client" if light else "httpx",
            },
        )
        return result, [r for r in responses if r is not None]

    def floor(
        self, base: str, *, concurrency: int, requests: int = 2000, light: bool = False
    ) -> Result:
        """``/health`` against the same server with the same concurrency (and client): the
        stack's floor, to which ``relative()`` compares the scenario's figures."""
        result, _ = self.load(
            f"/health (floor, {concurrency} clients)",
            base,
            [lambda c: c.get("/health")] * requests,
            concurrency=concurrency,
            light=light,
        )
        return relative(result, result)

    def close(self) -> None:
        if self._app is not None:
            from conference.extensions import db

            with self._app.app_context():
                db.engine.dispose()
        if self.postgres:
            _drop_postgres_database(self.database_url)


def _fresh_postgres_database(base_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url_text: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(url_text)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def report(results: list[Result]) -> Path:
    columns = [
        "scenario",
        "database",
        "requests",
        "concurrency",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "rps",
        "errors",
        "p50_x",
        "p99_x",
        "rps_x",
    ]

    def value(result: Result, column: str) -> str:
        found = result.ratio.get(column) if column.endswith("_x") else getattr(result, column)
        return "-" if found is None else str(found)

    rows = [[value(r, c) for c in columns] for r in results]
    widths = [
        max(len(c), *(len(row[i]) for row in rows)) if rows else len(c)
        for i, c in enumerate(columns)
    ]
    print()
    print("p50_x, p99_x: times the /health figure of the same run; rps_x: share of its rps")
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    for r in results:
        if r.extra:
            print(
                f"  {r.scenario} [{r.database}]: "
                + ", ".join(f"{k}={v}" for k, v in r.extra.items())
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "when": stamp,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": [asdict(r) for r in results],
    }
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    print(f"\nJSON: {path.relative_to(ROOT)}")
    return path
