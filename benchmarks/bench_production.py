"""Cost of the shared rate-limit storage: one counted hit is one upsert in the database."""

from __future__ import annotations

import statistics
import threading
import time

from benchmarks.harness import Bench, Result, percentile, scenario


@scenario("ratelimit-storage")
def ratelimit_storage(bench: Bench) -> list[Result]:
    """8 threads on two storages (two "servers"), 4,000 hits on 50 client keys."""
    from conference.core.ratelimit import DatabaseStorage

    _ = bench.app  # migrated database
    servers = [DatabaseStorage("database://", url=bench.database_url) for _ in range(2)]
    hits, concurrency = 4000, 8
    latencies: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)

    def worker(n: int):
        storage = servers[n % 2]
        storage.check()  # open the connection before the clock starts
        mine = []
        ready.wait()
        for i in range(hits // concurrency):
            started = time.perf_counter()
            storage.incr(f"LIMITER/203.0.113.{i % 50}/accounts.login", 60)
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    total = sum(servers[0].get(f"LIMITER/203.0.113.{k}/accounts.login") for k in range(50))
    assert total == hits, f"lost hits: counted {total} of {hits}"
    return [
        Result(
            scenario="ratelimit-storage",
            database=bench.database,
            requests=len(latencies),
            concurrency=concurrency,
            seconds=round(seconds, 3),
            p50_ms=round(percentile(latencies, 0.50), 2),
            p95_ms=round(percentile(latencies, 0.95), 2),
            p99_ms=round(percentile(latencies, 0.99), 2),
            rps=round(len(latencies) / seconds, 1),
            extra={"mean_ms": round(statistics.fmean(latencies), 2), "counted": total},
        )
    ]
