"""Performance harness: every view's data function against its floor and a naive pandas version.

    python -m benchmark.perf --scale national [--db FILE] [--json FILE] [--repeat N] [--no-browser]

For the scale (see `benchmark/scale.py`) it builds `data/perf-<scale>.duckdb`
(or reuses it when it already holds that scale's data), then for each view
(Pages to watch, ranking, profile, group summary) runs the view's data
function `--repeat` times with varied inputs (other organisations, periods,
platforms and metrics each run, in a fixed order) and reports the median and
95th percentile. Beside each, in the same runs:

- the *floor*: the bare DuckDB time of the minimal aggregate SQL that any
  correct implementation must run over the same rows (one scan of the
  period's rows for the organisations' accounts, grouped by organisation, plus
  the ranking/median on top), so view ÷ floor says how much the view adds;
- *pandas*: the usual dashboard approach, loading every row of the platform
  into pandas with `store.frame(...)` and filtering and grouping in Python,
  end to end, so pandas ÷ view says what the database-side query buys.

Then: template import throughput (a generated template CSV of 1,000,000 rows,
2,000 at tiny scale, through `imports.plan_import` + `commit_import` on a copy of
a registry-only database), the app's cold start to the first rendered table in
headless Chromium, and the app process's peak resident memory (VmHWM) after
a few pages. It prints a table and writes a JSON report.

Periods: calendar quarters on the daily scale; on the weekly scales each
quarter's whole ISO weeks (weeks 27-39 for Q3), as the dashboard shows a quarter
of weekly figures. The custom-range case takes 13-week ranges that start a week
(or 3 days) earlier, which no period summary holds: the general query.

No test asserts a time (machines are noisy); `tests/unit/test_perf.py` runs the
harness at tiny scale as a smoke test.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform as platform_module
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from . import imports, launch, migrations, query, settings, views
from .auth import SYSTEM
from .bootstrap import build_database
from .groups import PeerGroup, resolve_group
from .metrics import METRICS_BY_ID
from .periods import (
    Period,
    custom_period,
    month_period,
    periods_between,
    whole_weeks,
)
from .registry import Organisation, get_organisation
from .scale import SCALES, Scale, load_scale
from .schema import SCHEMA_VERSION
from .store import Store

PLATFORM_CYCLE = ("facebook", "instagram", "linkedin", "youtube")
# Metrics the ranking and profile cycle through: every input they need is in the floor's aggregate.
METRIC_CYCLE = (
    "engagement_rate_by_follower", "posts", "followers", "followers_change_pct", "engagements_per_post",
    "posts_per_month", "followers_per_1000_inhabitants", "engagements", "interaction_rate",
)
PROFILE_PERIODS = 20
IMPORT_ROWS = {"tiny": 2_000, "national": 1_000_000, "xl": 1_000_000}
VIEW_NAMES = ("watch_table", "ranking", "profile", "group_summary", "ranking_custom_range")


# -- timing ------------------------------------------------------------------------------------
def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


@dataclass
class ViewResult:
    view: str
    inputs: str
    runs: int
    median_ms: float
    p95_ms: float
    floor_ms: float
    floor_p95_ms: float
    pandas_ms: float | None
    pandas_p95_ms: float | None
    pandas_runs: int
    view_over_floor: float
    pandas_over_view: float | None
    rows: int
    values_shown: int
    pandas_error: str | None = None


@dataclass
class Case:
    """One view: its inputs (one per run), and the view, floor and pandas versions of one run."""

    name: str
    inputs_text: str
    inputs: list[Any]
    view: Callable[[Any], tuple[int, int]]  # (rows, figures among them that are not "no data")
    floor: Callable[[Any], int]
    pandas: Callable[[Any], int]


def run_case(case: Case, pandas_runs: int) -> ViewResult:
    # Warm-up: the first run pays for reading the file into DuckDB's buffer pool and
    # pandas's first imports, which is not what a user feels on every click.
    case.view(case.inputs[0])
    case.floor(case.inputs[0])
    view_ms, floor_ms, rows, shown = [], [], [], []
    for item in case.inputs:  # interleaved, so that noise hits both alike
        ms, (count, values) = _timed(lambda item=item: case.view(item))
        view_ms.append(ms)
        rows.append(count)
        shown.append(values)
        floor_ms.append(_timed(lambda item=item: case.floor(item))[0])
    if not any(shown):
        # Fast and empty is not fast: a view that shows no figure at all measures nothing.
        raise SystemExit(f"{case.name}: the view showed no figures in any of {len(shown)} runs; "
                         "the data (or its period summaries) is missing, so its times would mean nothing")
    pandas_ms: list[float] = []
    pandas_error = None
    try:
        for item in case.inputs[:pandas_runs]:
            pandas_ms.append(_timed(lambda item=item: case.pandas(item))[0])
    except (MemoryError, duckdb.Error) as exc:  # the naive approach may not fit: that is a result too
        pandas_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    median, floor = statistics.median(view_ms), statistics.median(floor_ms)
    pandas_median = statistics.median(pandas_ms) if pandas_ms else None
    return ViewResult(
        view=case.name, inputs=case.inputs_text, runs=len(view_ms),
        median_ms=round(median, 2), p95_ms=round(percentile(view_ms, 95), 2),
        floor_ms=round(floor, 2), floor_p95_ms=round(percentile(floor_ms, 95), 2),
        pandas_ms=None if pandas_median is None else round(pandas_median, 1),
        pandas_p95_ms=round(percentile(pandas_ms, 95), 1) if pandas_ms else None,
        pandas_runs=len(pandas_ms),
        view_over_floor=round(median / floor, 2) if floor else float("nan"),
        pandas_over_view=round(pandas_median / median, 1) if pandas_median and median else None,
        rows=int(statistics.median(rows)),
        values_shown=int(statistics.median(shown)),
        pandas_error=pandas_error,
    )


# -- periods -----------------------------------------------------------------------------------
def quarter_periods(scale: Scale, count: int, shift: int) -> list[Period]:
    """`count` consecutive quarters the data covers in full, oldest first, the last `shift` quarters
    before the last whole one (`shift` wraps round so that the periods fit).

    Daily data: calendar quarters. Weekly data: each quarter's whole ISO weeks (weeks 27–39 for Q3,
    `periods.whole_weeks`), as the dashboard shows quarters on weekly figures.
    """
    quarters = [whole_weeks(q) if scale.grain == "week" else q
                for q in periods_between("quarter", scale.first_day, scale.last_day)]
    quarters = [q for q in quarters if q.start >= scale.first_day and q.end <= scale.last_day]
    count = max(1, min(count, len(quarters)))
    last = len(quarters) - 1 - shift % (len(quarters) - count + 1)
    return quarters[last - count + 1:last + 1]


def custom_periods(scale: Scale, count: int, shift: int) -> list[Period]:
    """Like `quarter_periods`, but 13-week ranges a week (weekly data) or 3 days (daily data) earlier:
    the data covers them, no summary holds them, so the views take the general query
    (`query.METRIC_SQL`) over the stored observations."""
    offset = timedelta(days=7 if scale.grain == "week" else 3)
    starts = [q.start - offset if q.start - offset >= scale.first_day else q.start + offset
              for q in quarter_periods(scale, count, shift)]
    return [custom_period(start, start + timedelta(days=90)) for start in starts]


# -- the floor: minimal SQL over the same rows -------------------------------------------------
def _columns(scale: Scale) -> tuple[str, str, str]:
    """(table, first-day column, last-day column) of the scale's stored rows."""
    if scale.table == "account_daily":
        return "account_daily", "v.day", "v.day"
    return "period_values", "v.period_start", "v.period_end"


def _aggregate_sql(scale: Scale, extra: str = "") -> str:
    """One pass over the period's rows of the organisations' accounts, grouped by organisation."""
    table, s, e = _columns(scale)
    inside = f"{s} >= $start AND {e} <= $end"
    sums = ",\n".join(
        f"sum(v.value) FILTER (WHERE v.measure = '{m}' AND {inside}) AS {m}"
        for m in ("posts", "reactions", "comments", "shares")
    )
    return f"""
SELECT a.organisation_id, {sums},
       sum({e} - {s} + 1) FILTER (WHERE v.measure = 'posts' AND {inside}) AS covered_days,
       sum(v.value) FILTER (WHERE v.measure = 'followers' AND {e} = $end) AS followers_end,
       sum(v.value) FILTER (WHERE v.measure = 'followers' AND {e} = $start - 1) AS followers_start
       {extra}
FROM {table} v JOIN accounts a USING (account_id)
WHERE a.platform = $platform AND list_contains($ids, a.organisation_id) AND {e} >= $scan_from AND {s} <= $end
GROUP BY a.organisation_id
"""


def _period_params(period: Period, platform: str, ids: list[int], scan_from: date | None = None) -> dict:
    return {"start": period.start, "end": period.end, "platform": platform, "ids": ids,
            "scan_from": scan_from or period.start - timedelta(days=1)}


def floor_watch(store: Store, scale: Scale, item: dict) -> int:
    months = views.trend_months(item["period"])
    scan_from = min(item["period"].start, months[0].start) - timedelta(days=1)
    e = _columns(scale)[2]
    trend = (f", list(v.value ORDER BY {e}) FILTER (WHERE v.measure = 'followers' "
             f"AND list_contains($month_ends, {e})) AS follower_trend")
    sql = f"SELECT * FROM ({_aggregate_sql(scale, trend)}) ORDER BY followers_end DESC NULLS LAST"
    params = {**_period_params(item["period"], item["platform"], item["ids"], scan_from),
              "month_ends": [m.end for m in months]}
    return len(store.rows(sql, params))


def floor_ranking(store: Store, scale: Scale, item: dict) -> int:
    metric = METRICS_BY_ID[item["metric"]]
    order = "DESC" if metric.higher_is_better else "ASC"
    sql = f"""
WITH m AS ({_aggregate_sql(scale)}),
scored AS (
    SELECT m.organisation_id, ({metric.sql}) AS v
    FROM m JOIN organisations o USING (organisation_id), (SELECT $end - $start + 1 AS days)
)
SELECT organisation_id, v, rank() OVER (ORDER BY v {order} NULLS LAST) AS rank, median(v) OVER () AS peer_median
FROM scored ORDER BY rank
"""
    return len(store.rows(sql, _period_params(item["period"], item["platform"], item["ids"])))


def floor_group_summary(store: Store, scale: Scale, item: dict) -> int:
    sql = f"""
WITH m AS ({_aggregate_sql(scale)}),
s AS (
    SELECT o.name, m.posts / ($end - $start + 1) * 365.25 / 12 AS posts_per_month, m.followers_end,
           m.followers_end - m.followers_start AS change,
           100.0 * (m.followers_end - m.followers_start) / nullif(m.followers_start, 0) AS change_pct
    FROM m JOIN organisations o USING (organisation_id)
)
SELECT count(*), avg(posts_per_month), median(posts_per_month), arg_max(name, followers_end), max(followers_end),
       arg_max(name, change_pct), max(change_pct), list(name ORDER BY change) FILTER (WHERE change < 0)
FROM s
"""
    return len(store.rows(sql, _period_params(item["period"], item["platform"], item["ids"])))


def floor_profile(store: Store, scale: Scale, item: dict) -> int:
    periods: list[Period] = item["periods"]
    table, s, e = _columns(scale)
    first = periods[0].start
    # The quarter a row falls in: its own (days), or its Thursday's (whole-week quarters).
    shift = 3 if scale.grain == "week" else 0
    anchor = first + timedelta(days=shift)
    bucket = (f"(year({s} + {shift}) * 4 + quarter({s} + {shift})) "
              f"- {anchor.year * 4 + (anchor.month - 1) // 3 + 1}")
    metric = METRICS_BY_ID[item["metric"]]
    sums = ", ".join(f"sum(v.value) FILTER (WHERE v.measure = '{m}') AS {m}"
                     for m in ("posts", "reactions", "comments", "shares"))
    sql = f"""
WITH agg AS (
    SELECT a.organisation_id, {bucket} AS b, {sums},
           arg_max(v.value, {e}) FILTER (WHERE v.measure = 'followers') AS followers_end
    FROM {table} v JOIN accounts a USING (account_id)
    WHERE a.platform = $platform AND list_contains($ids, a.organisation_id)
      AND {e} >= $first - 1 AND {s} <= $last
    GROUP BY ALL
),
m AS (
    SELECT agg.*, lag(followers_end) OVER (PARTITION BY organisation_id ORDER BY b) AS followers_start,
           o.population, list_extract($days, b + 1) AS days
    FROM agg JOIN organisations o USING (organisation_id)
),
scored AS (SELECT organisation_id, b, ({metric.sql}) AS v FROM m WHERE b >= 0)
SELECT b, max(v) FILTER (WHERE organisation_id = $own) AS value,
       median(v) FILTER (WHERE list_contains($group, organisation_id)) AS peer_median,
       quantile_cont(v, 0.25) FILTER (WHERE list_contains($group, organisation_id)) AS peer_q1,
       quantile_cont(v, 0.75) FILTER (WHERE list_contains($group, organisation_id)) AS peer_q3,
       count(v) FILTER (WHERE list_contains($group, organisation_id)) AS peers_with_data
FROM scored GROUP BY b ORDER BY b
"""
    params = {"platform": item["platform"], "ids": item["ids"], "first": first, "last": periods[-1].end,
              "days": [p.days for p in periods], "own": item["own"].organisation_id, "group": item["group_ids"]}
    return len(store.rows(sql, params))


# -- the naive pandas approach -----------------------------------------------------------------
def load_platform(store: Store, scale: Scale, platform: str) -> pd.DataFrame:
    """Every stored row of the platform, as a dashboard that filters in Python loads it."""
    if scale.table == "account_daily":
        sql = ("SELECT a.organisation_id, d.account_id, d.measure, d.day AS period_start, d.day AS period_end, "
               "d.value FROM account_daily d JOIN accounts a USING (account_id) WHERE a.platform = ?")
    else:
        sql = ("SELECT a.organisation_id, v.account_id, v.measure, v.period_start, v.period_end, v.value "
               "FROM period_values v JOIN accounts a USING (account_id) WHERE a.platform = ?")
    return store.frame(sql, [platform])


def _pandas_measures(rows: pd.DataFrame, ids: list[int], period: Period) -> pd.DataFrame:
    """posts, reactions, comments, shares, followers_end, followers_start per organisation."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    mine = rows[rows["organisation_id"].isin(ids)]
    inside = mine[(mine["period_start"] >= start) & (mine["period_end"] <= end)
                  & mine["measure"].isin(["posts", "reactions", "comments", "shares"])]
    sums = inside.pivot_table(index="organisation_id", columns="measure", values="value", aggfunc="sum")
    followers = mine[mine["measure"] == "followers"]
    result = sums.reindex(columns=["posts", "reactions", "comments", "shares"])
    result = result.reindex(sorted(set(ids)))
    result["followers_end"] = followers[followers["period_end"] == end].groupby("organisation_id")["value"].sum()
    result["followers_start"] = (
        followers[followers["period_end"] == start - pd.Timedelta(days=1)].groupby("organisation_id")["value"].sum())
    result["days"] = period.days
    return result.astype(float)


def _pandas_metric(frame: pd.DataFrame, metric_id: str, population: pd.Series) -> pd.Series:
    engagements = frame["reactions"] + frame["comments"] + frame["shares"]
    posts = frame["posts"].replace(0, np.nan)
    end, start = frame["followers_end"], frame["followers_start"]
    formulas: dict[str, Callable[[], pd.Series]] = {
        "engagement_rate_by_follower": lambda: 100.0 * engagements / posts / end.replace(0, np.nan),
        "posts": lambda: frame["posts"],
        "followers": lambda: end,
        "followers_change_pct": lambda: 100.0 * (end - start) / start.replace(0, np.nan),
        "engagements_per_post": lambda: engagements / posts,
        "posts_per_month": lambda: frame["posts"] / frame["days"] * 365.25 / 12,
        "followers_per_1000_inhabitants": lambda: 1000.0 * end / population.reindex(frame.index).replace(0, np.nan),
        "engagements": lambda: engagements,
        "interaction_rate": lambda: 100.0 * engagements / posts / ((start + end) / 2.0).replace(0, np.nan),
    }
    return formulas[metric_id]()


def pandas_watch(store: Store, scale: Scale, item: dict) -> int:
    rows = load_platform(store, scale, item["platform"])
    frame = _pandas_measures(rows, item["ids"], item["period"])
    months = views.trend_months(item["period"])
    followers = rows[(rows["measure"] == "followers") & rows["organisation_id"].isin(item["ids"])]
    ends = followers[followers["period_end"].isin([pd.Timestamp(m.end) for m in months])]
    trend = ends.sort_values("period_end").groupby("organisation_id")["value"].agg(list)
    frame["follower_trend"] = trend
    return len(frame.sort_values("followers_end", ascending=False))


def pandas_ranking(store: Store, scale: Scale, item: dict) -> int:
    rows = load_platform(store, scale, item["platform"])
    frame = _pandas_measures(rows, item["ids"], item["period"])
    value = _pandas_metric(frame, item["metric"], item["population"])
    higher = METRICS_BY_ID[item["metric"]].higher_is_better
    ranked = pd.DataFrame({"value": value, "rank": value.rank(method="min", ascending=not higher),
                           "peer_median": value.median()})
    return len(ranked.sort_values("rank"))


def pandas_group_summary(store: Store, scale: Scale, item: dict) -> int:
    rows = load_platform(store, scale, item["platform"])
    frame = _pandas_measures(rows, item["ids"], item["period"])
    posts_per_month = frame["posts"] / frame["days"] * 365.25 / 12
    change = frame["followers_end"] - frame["followers_start"]
    change_pct = 100.0 * change / frame["followers_start"].replace(0, np.nan)
    summary = {
        "avg": posts_per_month.mean(), "median": posts_per_month.median(),
        "largest": frame["followers_end"].idxmax() if frame["followers_end"].notna().any() else None,
        "fastest": change_pct.idxmax() if change_pct.notna().any() else None,
        "losers": list(change[change < 0].sort_values().index),
    }
    return len(summary)


def pandas_profile(store: Store, scale: Scale, item: dict) -> int:
    rows = load_platform(store, scale, item["platform"])
    own = item["own"].organisation_id
    out = []
    for period in item["periods"]:
        frame = _pandas_measures(rows, item["ids"], period)
        value = _pandas_metric(frame, item["metric"], item["population"])
        peers = value.reindex(item["group_ids"]).dropna()
        out.append({"period": period.label, "value": value.get(own), "peer_median": peers.median(),
                    "peer_q1": peers.quantile(0.25), "peer_q3": peers.quantile(0.75), "peers": len(peers)})
    return len(pd.DataFrame(out))


# -- the cases ---------------------------------------------------------------------------------
def _shown(frame: pd.DataFrame, column: str) -> tuple[int, int]:
    """(rows, rows with a figure in `column`): the harness refuses to time views that show nothing."""
    return len(frame), int(frame[column].notna().sum())


def _summary_shown(summary: views.GroupSummary) -> tuple[int, int]:
    return summary.members, summary.with_data



def cases(store: Store, scale: Scale, repeat: int) -> list[Case]:
    """The four views with `repeat` varied inputs each, in a fixed order."""
    regions = resolve_group(store, "region:SE")
    municipalities = resolve_group(store, "municipality:SE")
    region_orgs = [get_organisation(store, i) for i in regions.organisation_ids]
    population = store.frame("SELECT organisation_id, population FROM organisations").set_index(
        "organisation_id")["population"].astype(float)
    groups: list[PeerGroup] = [
        resolve_group(store, f"{kind}:{country}")
        for kind, country in store.rows(
            "SELECT DISTINCT k.kind, o.country FROM organisation_kinds k JOIN organisations o USING (organisation_id) "
            "ORDER BY o.country DESC, k.kind DESC")
    ]

    def platform(i: int) -> str:
        return PLATFORM_CYCLE[i % len(PLATFORM_CYCLE)]

    def metric(i: int) -> str:
        return METRIC_CYCLE[i % len(METRIC_CYCLE)]

    watch_inputs, ranking_inputs, summary_inputs, profile_inputs = [], [], [], []
    for i in range(repeat):
        own: Organisation = region_orgs[(i * 5) % len(region_orgs)]
        watched = [o.organisation_id for o in region_orgs if o.organisation_id != own.organisation_id]
        watch_inputs.append({"own": own, "watched": watched, "ids": [own.organisation_id, *watched],
                             "platform": platform(i), "period": quarter_periods(scale, 1, i * 3)[0]})
        ranking_inputs.append({"group": municipalities, "ids": list(municipalities.organisation_ids),
                               "platform": platform(i + 1), "period": quarter_periods(scale, 1, i * 5)[0],
                               "metric": metric(i), "own_id": municipalities.organisation_ids[(i * 37) % len(municipalities.organisation_ids)],
                               "population": population})
        group = groups[i % len(groups)]
        summary_inputs.append({"group": group, "ids": list(group.organisation_ids), "platform": platform(i + 2),
                               "period": quarter_periods(scale, 1, i * 7)[0]})
        prof_own = region_orgs[(i * 7 + 3) % len(region_orgs)]
        profile_inputs.append({"own": prof_own, "group": regions, "group_ids": list(regions.organisation_ids),
                               "ids": list(dict.fromkeys([prof_own.organisation_id, *regions.organisation_ids])),
                               "platform": platform(i + 3), "metric": metric(i + 4),
                               "periods": quarter_periods(scale, PROFILE_PERIODS, i * 2), "population": population})
    custom_inputs = [{**x, "period": custom_periods(scale, 1, i * 5)[0]} for i, x in enumerate(ranking_inputs)]
    period_kind = "quarters as whole ISO weeks" if scale.grain == "week" else "calendar quarters"
    profile_count = len(profile_inputs[0]["periods"]) if profile_inputs else 0
    # The ranking's view, floor and pandas versions: timed on summary periods and on custom ranges.
    ranking_calls = (
        lambda x: _shown(views.ranking(store, x["group"], x["platform"], x["period"], x["metric"], x["own_id"]).frame,
                         "value"),
        lambda x: floor_ranking(store, scale, x),
        lambda x: pandas_ranking(store, scale, x),
    )
    return [
        Case("watch_table",
             f"a Swedish region and the other {len(region_orgs) - 1} regions, one of {period_kind} + 12 trend months; "
             "own region, platform and period vary",
             watch_inputs,
             lambda x: _shown(views.watch_table(store, x["own"], x["watched"], x["platform"], x["period"]).frame,
                              "followers"),
             lambda x: floor_watch(store, scale, x), lambda x: pandas_watch(store, scale, x)),
        Case("ranking",
             f"all {len(municipalities.organisation_ids)} Swedish municipalities, one of {period_kind}, one metric; "
             "platform, period, metric and own municipality vary",
             ranking_inputs,
             *ranking_calls),
        Case("profile",
             f"one Swedish region against the {len(regions.organisation_ids)} regions over {profile_count} "
             f"consecutive {period_kind}; region, platform, metric and periods vary",
             profile_inputs,
             lambda x: _shown(views.profile(store, x["own"], x["group"], x["platform"], x["metric"], x["periods"]).frame,
                              "peer_median"),
             lambda x: floor_profile(store, scale, x), lambda x: pandas_profile(store, scale, x)),
        Case("group_summary",
             f"views.group_summary on its own (the ranking's summary line) for each kind × country group in turn "
             f"({', '.join(g.spec for g in groups)}), one of {period_kind}",
             summary_inputs,
             lambda x: _summary_shown(views.group_summary(store, x["group"], x["platform"], x["period"])),
             lambda x: floor_group_summary(store, scale, x), lambda x: pandas_group_summary(store, scale, x)),
        Case("ranking_custom_range",
             "as ranking, but for 13-week ranges a week (weekly data) or 3 days (daily data) before a "
             "quarter's start, which no period summary holds: the general query (query.METRIC_SQL)",
             custom_inputs,
             *ranking_calls),
    ]


# -- where the time goes -----------------------------------------------------------------------
def explain_ranking(store: Store, scale: Scale, top: int = 8) -> dict:
    """DuckDB's profile of the metric query behind one ranking (all Swedish municipalities,
    facebook, the latest quarter-length period): the operators that took longest."""
    municipalities = resolve_group(store, "municipality:SE")
    period = quarter_periods(scale, 1, 0)[0]
    metrics = ("engagement_rate_by_follower", *views.SUMMARY_METRICS)
    sql = query.summary_metric_sql("organisation", metrics)
    params = query.summary_params(municipalities.organisation_ids, "facebook", [period])
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "profile.json"
        with store.reader() as cur:
            cur.execute("SET enable_profiling = 'json'")
            cur.execute(f"SET profiling_output = '{output}'")
            start = time.perf_counter()
            cur.execute(sql, params).fetchall()
            total_ms = (time.perf_counter() - start) * 1000
            cur.execute("SET enable_profiling = 'no_output'")
        tree = json.loads(output.read_text(encoding="utf-8"))
    operators: list[dict] = []

    # DuckDB 2's JSON profile: {"operator": [tree], "query": {...}, "system": {...}}; older
    # versions put the tree's fields (operator_type, operator_timing …) at the root.
    def walk(node: dict) -> None:
        name = node.get("type") or node.get("operator_type")
        if isinstance(name, str) and name:
            operators.append({
                "operator": name.strip(),
                "ms": round(float(node.get("timing", node.get("operator_timing", 0.0)) or 0.0) * 1000, 2),
                "rows_out": int(node.get("intermediate_rows", node.get("operator_cardinality", 0)) or 0),
                "rows_scanned": int(node.get("rows_scanned", node.get("operator_rows_scanned", 0)) or 0),
                "row_groups": f"{node.get('row_groups_scanned', '?')}/{node.get('total_row_groups_to_scan', '?')}"
                if "row_groups_scanned" in node else "",
                "detail": _short(node.get("extra_info") or {}),
            })
        for child in node.get("children", []):
            walk(child)

    roots = tree.get("operator")
    for root in roots if isinstance(roots, list) else [tree]:
        walk(root)
    busy = sum(o["ms"] for o in operators)
    operators.sort(key=lambda o: o["ms"], reverse=True)
    summary = tree.get("query") if isinstance(tree.get("query"), dict) else {}
    system = tree.get("system") if isinstance(tree.get("system"), dict) else {}
    return {"query": "query.summary_metric_sql for views.ranking (engagement rate + summary line): "
                     "municipality:SE, facebook, " + period.label,
            "wall_ms": round(total_ms, 1), "operator_ms_total": round(busy, 1),
            "cpu_ms": round(float(summary.get("cpu_time", 0.0)) * 1000, 1),
            "rows_scanned": summary.get("total_rows_scanned"),
            "row_groups_scanned": f"{summary.get('total_row_groups_scanned')}/{summary.get('total_row_groups_to_scan')}",
            "peak_buffer_mb": round(float(system.get("peak_buffer_memory", 0)) / 2**20, 1),
            # Time before execution: parsing/binding, optimising and planning the (large) query.
            "planner_ms": _phase_ms(tree, "planner"), "optimizer_ms": _phase_ms(tree, "optimizer"),
            "physical_planner_ms": _phase_ms(tree, "physical_planner"),
            "query_total_ms": round(float(summary.get("total_time", 0.0)) * 1000, 1),
            "top_operators": operators[:top]}


def _phase_ms(tree: dict, key: str) -> float | None:
    phase = tree.get(key)
    if isinstance(phase, dict) and "total_time" in phase:
        return round(float(phase["total_time"]) * 1000, 1)
    return None


def _short(info: object) -> str:
    if isinstance(info, dict):
        parts = [f"{k}: {v}" for k, v in info.items() if k not in ("Estimated Cardinality",)]
        text = "; ".join(str(p).replace("\n", " ") for p in parts)
    else:
        text = str(info).replace("\n", " ")
    return text[:160]


# -- template import throughput ------------------------------------------------------------------
def template_csv(store: Store, rows: int) -> bytes:
    """A template CSV: one row per organisation × platform × month (from 2016-01), `rows` rows."""
    orgs = [f"{c}:{code}" for c, code in store.rows(
        "SELECT country, code FROM organisations ORDER BY organisation_id")]
    platforms = ("facebook", "instagram", "linkedin", "youtube", "x", "tiktok")
    per_month = len(orgs) * len(platforms)
    months: list[str] = []
    day = date(2016, 1, 1)
    while len(months) * per_month < rows:
        months.append(month_period(day).label)
        day = month_period(day).end + timedelta(days=1)
    rng = np.random.default_rng(6)
    figures = rng.integers(0, 5_000, size=(rows, 5))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["organisation", "platform", "period", "followers", "posts", "reactions", "comments", "shares"])
    n = 0
    for month in months:
        for org in orgs:
            for platform in platforms:
                if n == rows:
                    break
                writer.writerow([org, platform, month, *figures[n]])
                n += 1
    return buffer.getvalue().encode("utf-8")


def measure_import(rows: int, work: Path) -> dict:
    """plan_import + commit_import of a generated template CSV into a registry-only database."""
    registry_db = work / "registry-only.duckdb"
    build_database(registry_db, with_demo=False)
    target = work / "import.duckdb"
    shutil.copyfile(registry_db, target)
    with Store(target) as store:
        content = template_csv(store, rows)
        previous = os.environ.get("BENCHMARK_MAX_UPLOAD_MB")
        # The upload limit (50 MB by default) guards the web form; this file is larger on purpose.
        os.environ["BENCHMARK_MAX_UPLOAD_MB"] = str(max(50, len(content) // 2**20 + 10))
        try:
            started = time.perf_counter()
            plan = imports.plan_import(store, "perf-template.csv", content, imports.ImportOptions())
            planned = time.perf_counter()
            result = imports.commit_import(store, plan, actor=SYSTEM)
            done = time.perf_counter()
        finally:
            if previous is None:
                os.environ.pop("BENCHMARK_MAX_UPLOAD_MB", None)
            else:
                os.environ["BENCHMARK_MAX_UPLOAD_MB"] = previous
        values = int(store.scalar("SELECT count(*) FROM period_values"))
    seconds = done - started
    return {
        "csv_rows": rows, "csv_mb": round(len(content) / 2**20, 1), "values_written": values,
        "accounts_created": len(plan.accounts), "rows_written": result.rows_written,
        "plan_s": round(planned - started, 2), "commit_s": round(done - planned, 2), "total_s": round(seconds, 2),
        "rows_per_s": round(rows / seconds), "values_per_s": round(values / seconds),
    }


# -- the app in a browser ------------------------------------------------------------------------
# The grid draws on a canvas; its accessibility table (hidden, but in the DOM) carries the row count.
GRID = "[data-testid='stDataFrameResizable']"
GRID_CANVAS = f"{GRID} canvas[data-testid='data-grid-canvas']"
GRID_ROWS = f"{GRID} table[aria-rowcount]"
APP = "[data-testid='stApp']"
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# The flags that keep Debian's chromium quiet and working on a closed network: without the
# background-networking ones it tries to phone home and the connections to the local server get
# refused. The browser tests use them too.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Where the cold start goes, seen from the page: wall-clock marks (Date.now()) of the websocket and of
# the first appearance of each element, read after the table is drawn. The page's own WebSocket is
# wrapped, not replaced, so the app talks to its server as it would without the marks.
TIMELINE_MARKS = {"app_shell": APP, "sidebar": "[data-testid='stSidebar']", "title": "h1",
                  "grid": GRID, "grid_rows": GRID_ROWS}
TIMELINE_SCRIPT = """(() => {
  const marks = window.__coldStartMarks = {};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      marks.websocket_created ??= Date.now();
      this.addEventListener("open", () => { marks.websocket_open ??= Date.now(); });
      this.addEventListener("message", () => { marks.first_message ??= Date.now(); marks.last_message = Date.now(); });
    }
  };
  const selectors = %s;
  const look = () => {
    for (const [name, selector] of Object.entries(selectors)) {
      if (!(name in marks) && document.querySelector(selector)) marks[name] = Date.now();
    }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
})();""" % json.dumps(TIMELINE_MARKS)


def _chromium() -> str | None:
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else shutil.which("chromium")


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def measure_app(database: Path, timeout: float = 120.0) -> dict:
    """Cold start of the dashboard server, started as `benchmark serve` starts it (benchmark/launch.py),
    to the Pages-to-watch grid in headless Chromium, then
    the ranking and profile pages; the server's peak resident memory (VmHWM). Never raises."""
    chromium = _chromium()
    if chromium is None:
        return {"measured": False, "reason": "chromium is not installed (/usr/bin/chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return {"measured": False, "reason": f"the playwright package cannot be imported ({exc})"}
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    # Started as `benchmark serve` starts it, with the app's bytecode written beforehand as a
    # first `benchmark serve` writes it.
    launch.compile_code()
    command = launch.server_command(port, "127.0.0.1")
    env = dict(os.environ, BENCHMARK_DB=str(database), PYTHONUNBUFFERED="1", BENCHMARK_DEMO_ON_EMPTY="0")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    base = f"http://127.0.0.1:{port}"
    result: dict = {"measured": False}
    # The browser is started first: a user's browser is already open, so its launch is not
    # part of the app's cold start, which runs from the server process's start to the table.
    with sync_playwright() as playwright, tempfile.TemporaryFile() as log:
        try:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            return {"measured": False, "reason": f"chromium did not start: {type(exc).__name__}: {str(exc)[:300]}"}
        started = time.perf_counter()
        started_wall = time.time()  # the page's marks are wall-clock times
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = started + timeout
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    return {"measured": False, "reason": f"the app exited with code {process.returncode}: "
                                                         + log.read().decode(errors="replace")[-500:]}
                try:
                    with opener.open(f"{base}/_stcore/health", timeout=2) as response:
                        if response.read().decode().strip() == "ok":
                            break
                except OSError:
                    pass
                if time.perf_counter() > deadline:
                    return {"measured": False, "reason": f"the app did not answer within {timeout:.0f} s"}
                time.sleep(0.05)
            result["server_ready_s"] = round(time.perf_counter() - started, 2)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.add_init_script(TIMELINE_SCRIPT)
            page.set_default_timeout(timeout * 1000)
            page.goto(f"{base}/")
            page.wait_for_selector(APP)
            result["app_shell_s"] = round(time.perf_counter() - started, 2)
            _wait_for_table(page)
            result["cold_start_s"] = round(time.perf_counter() - started, 2)
            result["timeline_s"] = _timeline(page, started_wall)
            result["first_table_rows"] = int(page.locator(GRID_ROWS).first.get_attribute("aria-rowcount") or 1) - 1
            page.wait_for_selector(APP_IDLE)
            result["rss_after_first_page_mb"] = round((_status_kb(process.pid, "VmRSS") or 0) / 1024, 1)
            # A second user on the warm server: a new session, the caches already filled.
            other = browser.new_page(viewport={"width": 1400, "height": 900})
            other.set_default_timeout(timeout * 1000)
            t0 = time.perf_counter()
            other.goto(f"{base}/")
            _wait_for_table(other)
            result["new_session_first_table_s"] = round(time.perf_counter() - t0, 2)
            other.close()
            timings = {}
            for name, path in (("ranking", "ranking"), ("profile", "profile"), ("watch again", "")):
                t0 = time.perf_counter()
                page.goto(f"{base}/{path}")
                page.wait_for_selector(APP)
                page.wait_for_selector(APP_IDLE)
                timings[name] = round(time.perf_counter() - t0, 2)
            result["page_load_s"] = timings
            result["app_peak_rss_mb"] = round((_status_kb(process.pid, "VmHWM") or 0) / 1024, 1)
            result["measured"] = True
            return result
        except Exception as exc:  # noqa: BLE001 - a report of what failed is the point here
            return {**result, "measured": False, "reason": f"{type(exc).__name__}: {str(exc)[:300]}"}
        finally:
            stop_process(process)
            browser.close()


def stop_process(process: subprocess.Popen) -> None:
    """Stop a started app server: politely, then by force; also used by the browser tests."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def _timeline(page: Any, started_wall: float) -> dict[str, float]:
    """Seconds from the server's start to each step of the first page, in the order they happened:
    the page's first byte, its scripts run (DOMContentLoaded) and loaded, the websocket, the first
    and (so far) last message from the server, the first appearance of each of TIMELINE_MARKS."""
    marks = page.evaluate("""() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const at = (ms) => performance.timeOrigin + ms;
        const statics = performance.getEntriesByType("resource").filter((e) => e.name.includes("/static/"));
        return {...window.__coldStartMarks,
                navigation_start: performance.timeOrigin, first_byte: at(nav.responseStart),
                scripts_run: at(nav.domContentLoadedEventEnd), page_loaded: at(nav.loadEventEnd),
                static_files: statics.length, static_mb: statics.reduce((sum, e) => sum + e.decodedBodySize, 0) / 2 ** 20,
                last_static_file: statics.length ? at(Math.max(...statics.map((e) => e.responseEnd))) : null};
    }""")
    counts = {"static_files": marks.pop("static_files"), "static_mb": round(marks.pop("static_mb"), 1)}
    times = {name: round(value / 1000 - started_wall, 2) for name, value in marks.items() if value}
    return {**dict(sorted(times.items(), key=lambda item: item[1])), **counts}


def _wait_for_table(page: Any) -> None:
    """The Pages-to-watch grid is drawn (its canvas visible, its row table in the DOM)."""
    page.wait_for_selector(GRID_CANVAS, state="visible")
    page.wait_for_selector(GRID_ROWS, state="attached")


# -- the database of a scale ----------------------------------------------------------------------
def default_database(scale_name: str) -> Path:
    return settings.PROJECT_ROOT / "data" / f"perf-{scale_name}.duckdb"


def _holds_scale(path: Path, scale: Scale) -> bool:
    if not path.exists():
        return False
    with Store(path) as store:
        return store.is_initialised() and bool(store.scalar(
            "SELECT count(*) FROM imports WHERE format = ? AND status = 'committed'", [scale.format]))


def _upgrade_if_older(path: Path, say: Callable[[str], None]) -> float | None:
    """Bring a database made by an older version up to this schema, as the app would on opening it;
    returns the seconds it took (None when nothing was to do)."""
    if not path.exists():
        return None
    with Store(path) as store:
        if not store.is_initialised() or migrations.schema_version(store) >= SCHEMA_VERSION:
            return None
    say(f"upgrading {path} to schema {SCHEMA_VERSION} (copy, then the period summaries)")
    started = time.perf_counter()
    migrations.upgrade(path)
    return round(time.perf_counter() - started, 1)


def ensure_database(scale: Scale, path: Path, say: Callable[[str], None] = print) -> dict:
    """Reuse `path` if it holds the scale's data (upgrading it first if an older version made it);
    else build it (registry, then the scale data)."""
    upgraded = _upgrade_if_older(path, say)
    if _holds_scale(path, scale):
        return {"reused": True, **({"upgrade_s": upgraded} if upgraded is not None else {})}
    if path.exists():
        with Store(path) as store:
            if store.is_initialised() and store.scalar(
                    "SELECT count(*) FROM imports WHERE NOT is_demo AND status = 'committed' AND source_kind = 'upload'"):
                raise SystemExit(f"{path} holds uploaded data; the harness only writes demo data into a "
                                 "database of its own (leave out --db, or name a new file)")
    else:
        say(f"building {path}: registry")
        build_database(path, with_demo=False)
    started = time.perf_counter()
    with Store(path) as store:
        counts = load_scale(store, scale.name, actor=SYSTEM, progress=lambda text: say(f"building {path}: {text}"))
        store.rows("CHECKPOINT")
    return {"reused": False, "build_s": round(time.perf_counter() - started, 1), **counts}


def row_counts(store: Store) -> dict[str, int]:
    return {table: int(store.scalar(f"SELECT count(*) FROM {table}"))
            for table in ("organisations", "accounts", "period_values", "account_daily", "posts")}


def code_version() -> dict[str, str]:
    """Short SHA-256 of the modules whose speed is measured, to tie a report to the code it timed."""
    import hashlib

    folder = Path(__file__).resolve().parent
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()[:12]
            for name in ("query.py", "summaries.py", "views.py", "imports.py", "keys.py", "scale.py",
                         "importers/template_fast.py", "store.py", "launch.py")}


def machine() -> dict:
    """The machine and versions a measurement ran on (also the load test's, benchmark/loadtest.py)."""
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    model = None
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), None)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "memory_gb": memory_gb, "duckdb": duckdb.__version__,
            "pandas": pd.__version__, "python": platform_module.python_version(),
            "system": f"{platform_module.system()} {platform_module.machine()}",
            "duckdb_threads": settings.get("duckdb_threads"), "duckdb_memory_limit": settings.get("duckdb_memory_limit")}


# -- the whole run ----------------------------------------------------------------------------------
def run(scale_name: str, database: Path | None = None, *, repeat: int = 20, pandas_repeat: int = 5,
        browser: bool = True, import_rows: int | None = None, explain: bool = True,
        say: Callable[[str], None] = print) -> dict:
    """Measure everything for one scale; returns the report (see the module docstring)."""
    scale = SCALES[scale_name]
    path = Path(database) if database else default_database(scale_name)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    built = ensure_database(scale, path, say)
    report: dict[str, Any] = {"scale": scale_name, "database": str(path), "build": built, "machine": machine(),
                              "code": code_version(), "repeat": repeat, "pandas_repeat": pandas_repeat,
                              "load_average_at_start": load_at_start}
    with Store(path) as store:
        report["rows"] = row_counts(store)
        report["grain"] = scale.grain
        results = {}
        for case in cases(store, scale, repeat):
            say(f"timing {case.name} ({repeat} runs, pandas {min(pandas_repeat, repeat)})")
            results[case.name] = asdict(run_case(case, min(pandas_repeat, repeat)))
        report["views"] = results
        if explain:
            report["explain_ranking"] = explain_ranking(store, scale)
    report["db_size_mb"] = round(sum(p.stat().st_size for p in (path, Path(str(path) + ".wal")) if p.exists())
                                 / 2**20, 1)
    rows = IMPORT_ROWS[scale_name] if import_rows is None else import_rows
    if rows:
        say(f"import: template CSV of {rows:,} rows")
        with tempfile.TemporaryDirectory(dir=path.parent) as folder:
            report["import"] = measure_import(rows, Path(folder))
        report["import_rows_per_s"] = report["import"]["rows_per_s"]
    else:
        report["import"] = {"measured": False, "reason": "skipped (--import-rows 0)"}
        report["import_rows_per_s"] = None
    if browser:
        say("app: cold start in headless chromium")
        report["app"] = measure_app(path)
    else:
        report["app"] = {"measured": False, "reason": "skipped (--no-browser)"}
    # Other processes on the machine make every figure slower; the load average says whether they ran.
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["cold_start_s"] = report["app"].get("cold_start_s")
    report["app_peak_rss_mb"] = report["app"].get("app_peak_rss_mb")
    return report


def format_report(report: dict) -> str:
    rows = report["rows"]
    lines = [
        (f"scale {report['scale']} ({ {'week': 'weekly', 'day': 'daily'}.get(report['grain'], report['grain'])}): {rows['accounts']:,} accounts, "
         f"{rows['period_values']:,} period values, {rows['account_daily']:,} daily values, {rows['posts']:,} posts; "
         f"{report['db_size_mb']:,.0f} MB"),
        (f"machine: {report['machine']['cores']} cores, {report['machine']['memory_gb']} GB, "
         f"duckdb {report['machine']['duckdb']}"),
        "",
        (f"{'view':<14} {'median ms':>10} {'p95 ms':>9} {'floor ms':>9} {'pandas ms':>10} "
         f"{'view/floor':>11} {'pandas/view':>12} {'rows':>6} {'shown':>6}"),
    ]
    for name, r in report["views"].items():
        pandas_ms = "-" if r["pandas_ms"] is None else f"{r['pandas_ms']:,.0f}"
        ratio = "-" if r["pandas_over_view"] is None else f"{r['pandas_over_view']:.1f}"
        lines.append(f"{name:<14} {r['median_ms']:>10.1f} {r['p95_ms']:>9.1f} {r['floor_ms']:>9.1f} "
                     f"{pandas_ms:>10} {r['view_over_floor']:>11.2f} {ratio:>12} {r['rows']:>6} "
                     f"{r['values_shown']:>6}")
    lines.append("")
    imp = report["import"]
    if imp.get("rows_per_s"):
        lines.append(f"import: {imp['csv_rows']:,} template rows ({imp['values_written']:,} values) in "
                     f"{imp['total_s']:.1f} s = {imp['rows_per_s']:,} rows/s "
                     f"(plan {imp['plan_s']:.1f} s, commit {imp['commit_s']:.1f} s)")
    else:
        lines.append(f"import: not measured ({imp.get('reason')})")
    app = report["app"]
    if app.get("measured"):
        lines.append(f"app: cold start to first table {app['cold_start_s']:.1f} s "
                     f"(server ready {app['server_ready_s']:.1f} s); peak RSS {app['app_peak_rss_mb']:,.0f} MB")
        if app.get("timeline_s"):
            lines.append("cold start timeline (s): " + ", ".join(f"{k} {v:.2f}" for k, v in app["timeline_s"].items()))
    else:
        lines.append(f"app: not measured ({app.get('reason')})")
    if "explain_ranking" in report:
        ex = report["explain_ranking"]
        top = ", ".join(f"{o['operator']} {o['ms']:.1f} ms" for o in ex["top_operators"][:4])
        lines.append(f"ranking query profile ({ex['wall_ms']:.0f} ms): {top}")
    built = report.get("build", {})
    if built.get("build_s") is not None:
        lines.append(f"data set built in {built['build_s']:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=tuple(SCALES), default="national")
    parser.add_argument("--db", help="database file (default: data/perf-<scale>.duckdb, built if needed)")
    parser.add_argument("--json", help="write the report to this file")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each view, with varied inputs (default 20)")
    parser.add_argument("--pandas-repeat", type=int, default=5, help="runs of the pandas version (default 5)")
    parser.add_argument("--import-rows", type=int, help="rows of the template CSV (default 1,000,000; 2,000 at tiny "
                                                        "scale; 0 skips)")
    parser.add_argument("--no-browser", action="store_true", help="skip the app's cold start and memory")
    parser.add_argument("--no-explain", action="store_true", help="skip the profile of the ranking query")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    report = run(args.scale, Path(args.db) if args.db else None, repeat=args.repeat,
                 pandas_repeat=args.pandas_repeat, browser=not args.no_browser,
                 import_rows=args.import_rows, explain=not args.no_explain,
                 say=lambda text: print(text, file=sys.stderr, flush=True))
    print(format_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
