"""``make bench``: run the scenarios, print a table, write JSON under benchmarks/results/.

python -m benchmarks                 # every scenario, SQLite (or DATABASE_URL's PostgreSQL)
python -m benchmarks health landing  # only these
python -m benchmarks --list
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback

from benchmarks import harness


def discover() -> None:
    package = sys.modules["benchmarks"]
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{module.name}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    discover()
    if args.list:
        print("\n".join(sorted(harness.SCENARIOS)))
        return 0
    names = args.names or list(harness.SCENARIOS)
    unknown = [n for n in names if n not in harness.SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    database_url = os.environ.get("DATABASE_URL")
    results: list[harness.Result] = []
    failed = False
    for name in names:
        print(f"== {name} ({'postgresql' if database_url else 'sqlite'})", flush=True)
        bench = harness.Bench(name, database_url)
        try:
            results.extend(harness.SCENARIOS[name](bench))
        except Exception:  # noqa: BLE001 - report and go on with the other scenarios
            traceback.print_exc()
            failed = True
        finally:
            bench.close()
    harness.report(results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
