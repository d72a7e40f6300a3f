"""Performance harness: how long each view takes, as a ratio to a baseline in the same run.

Shared machines are noisy, so absolute seconds mean little; a view's time
divided by the time of a plain full scan of the same data, measured in the same
process a moment earlier, is comparable between runs and machines. Peak memory
(max RSS) is reported for the process.

    python -m benchmark.perf --db data/benchmark.duckdb --repeat 7

No test asserts a time; `tests/unit/test_perf.py` only checks that the harness
runs and reports every case.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import settings, views
from .groups import resolve_group
from .periods import parse_period, periods_between
from .query import metric_table
from .registry import resolve_organisation
from .store import Store, open_store

BASELINE_SQL = "SELECT measure, sum(value), count(*) FROM period_values GROUP BY measure"


@dataclass(frozen=True)
class Result:
    case: str
    median_seconds: float
    ratio_to_baseline: float
    rows: int


def _time(function: Callable[[], int], repeat: int) -> tuple[float, int]:
    function()  # warm-up: first-run costs are not what users feel on every click
    samples, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), rows


def cases(store: Store, organisation: str = "Region Örebro län", period: str = "2024-Q3") -> dict[str, Callable[[], int]]:
    own = resolve_organisation(store, organisation)
    regions = resolve_group(store, f"{own.kind}:{own.country}")
    municipalities = resolve_group(store, f"municipality:{own.country}")
    quarter = parse_period(period)
    quarters = periods_between("quarter", parse_period("2021-Q1").start, parse_period("2025-Q4").end)
    everyone = [r[0] for r in store.rows("SELECT organisation_id FROM organisations")]
    return {
        "watch table (own kind, quarter)": lambda: len(views.watch_table(store, own, regions.organisation_ids, "facebook", quarter).frame),
        "ranking (all municipalities)": lambda: len(views.ranking(store, municipalities, "facebook", quarter, "engagement_rate_by_follower", own.organisation_id).frame),
        "profile (20 quarters)": lambda: len(views.profile(store, own, regions, "facebook", "followers", quarters).frame),
        "all organisations × 20 quarters": lambda: len(metric_table(store, everyone, "facebook", quarters)),
    }


def run(store: Store, repeat: int = 5) -> list[Result]:
    baseline, _ = _time(lambda: len(store.rows(BASELINE_SQL)), repeat)
    results = [Result("baseline: full scan of period_values", baseline, 1.0, len(store.rows(BASELINE_SQL)))]
    for name, function in cases(store).items():
        seconds, rows = _time(function, repeat)
        results.append(Result(name, seconds, seconds / baseline if baseline else float("nan"), rows))
    return results


def report(results: list[Result], store: Store) -> str:
    values = store.scalar("SELECT count(*) FROM period_values")
    lines = [f"{values:,} period values; median of repeated runs; ratio = time ÷ baseline in this run", ""]
    lines.append(f"{'case':<40} {'median ms':>10} {'× baseline':>11} {'rows':>7}")
    for r in results:
        lines.append(f"{r.case:<40} {r.median_seconds * 1000:>10.1f} {r.ratio_to_baseline:>11.2f} {r.rows:>7}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", f"peak memory of this process (max RSS): {peak_mb:,.0f} MB"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file (default: the configured one)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with open_store(Path(args.db) if args.db else settings.database_path()) as store:
        results = run(store, args.repeat)
        print(report(results, store))
    return 0


if __name__ == "__main__":
    sys.exit(main())
