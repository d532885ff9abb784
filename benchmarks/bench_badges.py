"""1,000 badges as one print-ready PDF (A6 pages, and four per A4 sheet): seconds and peak memory.

Goal (DESIGN.md): under 20 s and 500 MB on the 2-core machine. The PDF is made in a child
process (the ``badges`` command's code path: selection + rendering), so its peak RSS is its own
(``os.wait4``) and not the benchmark runner's or an earlier scenario's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import ROOT, Bench, Result, scenario

BADGES = 1000
FIRST = ["Jürgen", "Şebnem", "Małgorzata", "Nguyễn Thị", "محمد", "Anna-Lena", "Oleksandr", "Ayşe"]
LAST = ["Groß", "Yılmaz", "Wiśniewska", "Trần", "العلي", "Müller-Lüdenscheidt", "Kowalczyk"]


def _prepare(bench: Bench) -> None:
    from conference.extensions import db
    from conference.registration.models import BadgeRole
    from tests import factories

    roles = list(BadgeRole)
    with bench.app_context():
        congress = factories.congress(capacity=None, title="Fachkongress Benchmark")
        carriers = [factories.carrier(local_structures=3) for _ in range(23)]
        for n in range(BADGES):
            carrier = carriers[n % len(carriers)]
            factories.registration(
                congress,
                first_name=FIRST[n % len(FIRST)],
                last_name=f"{LAST[n % len(LAST)]} {n}",
                carrier_id=carrier.id,
                local_structure_id=carrier.local_structures[n % 3].id,
                badge_role=roles[n % len(roles)] if n % 5 == 0 else BadgeRole.ATTENDEE,
            )
        db.session.commit()


def _run_child(bench: Bench, layout: str) -> tuple[dict, float]:
    output = Path(tempfile.mkdtemp(prefix="bench-badges-")) / f"badges-{layout}.pdf"
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_badges", layout, str(output)],
        cwd=ROOT,
        env=bench.environment,
        stdout=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    report = json.loads(process.stdout.read())
    process.stdout.close()
    if status != 0:
        raise RuntimeError(f"badge rendering failed with status {status}")
    pages = subprocess.run(["pdfinfo", str(output)], capture_output=True, text=True).stdout
    report["pages"] = int(
        next(line for line in pages.splitlines() if line.startswith("Pages")).split()[-1]
    )
    report["pdf_mb"] = round(output.stat().st_size / 1e6, 2)
    report["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    return report, usage.ru_maxrss / 1024  # KiB on Linux


def _scenario(bench: Bench, layout: str) -> list[Result]:
    _prepare(bench)
    report, peak_mb = _run_child(bench, layout)
    expected_pages = BADGES if layout == "a6" else BADGES // 4
    assert report["pages"] == expected_pages, report
    return [
        Result(
            scenario=f"badges-{layout}",
            database=bench.database,
            requests=BADGES,
            concurrency=1,
            seconds=report["seconds"],
            extra={
                "wall_s": report["seconds"],
                "cpu_s": report["cpu_s"],
                "peak_rss_mb": round(peak_mb),
                "select_s": report["select_s"],
                "render_s": report["render_s"],
                "pages": report["pages"],
                "pdf_mb": report["pdf_mb"],
            },
        )
    ]


@scenario("badges-a6")
def badges_a6(bench: Bench) -> list[Result]:
    return _scenario(bench, "a6")


@scenario("badges-a4")
def badges_a4(bench: Bench) -> list[Result]:
    return _scenario(bench, "a4")


def _child(layout: str, output: str) -> None:
    """Select and render like ``flask badges`` does; print the timings as JSON."""
    from conference import create_app

    started = time.perf_counter()
    app = create_app()
    with app.app_context():
        from conference.badges import services
        from conference.core.congress import current_congress_or_404

        begin = time.perf_counter()
        registrations = services.select_for_print(current_congress_or_404())
        selected = time.perf_counter()
        data = services.render_badges(registrations, layout)
        rendered = time.perf_counter()
    Path(output).write_bytes(data)
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 2),
                "select_s": round(selected - begin, 2),
                "render_s": round(rendered - selected, 2),
            }
        )
    )


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
