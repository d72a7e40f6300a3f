"""SQL that turns stored measures into metrics for organisations × periods.

The rules, in the order the query applies them:

1. *Observations* are the rows of `period_values` and `account_daily` (a day is
   a period of one day), each with a grain: day, week, month, quarter, year or
   custom, read from its dates. A day held in both tables counts once, with
   its `account_daily` value.
2. An *additive* measure for period P is the sum of observations of one grain
   that lie inside P and cover every day of P. Coarser grains win (a reported
   quarter total beats the sum of its months); a custom-grain row counts only
   if it is exactly P. Partial coverage gives NULL, never a partial sum.
3. A *stock* measure (followers) at a date is the observation ending that day.
   Followers at the start are read on the day before P starts, which is the
   end of the previous period of equal length.
4. A *non-additive* measure (reach) is used only when reported for exactly P.
5. An organisation's accounts on the platform are rolled up by summing; the
   result is NULL unless every account has a value, so a missing page is never
   read as zero. `pages` says how many accounts were rolled up. Where an
   organisation has real (uploaded) accounts, its demo accounts are left out.
6. Metrics are the SQL expressions of `metrics.METRICS` over that row.

Everything is parameterised; the only text spliced into SQL comes from the
fixed metric and measure tables.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache

import duckdb
import pandas as pd

from .metrics import (
    ADDITIVE,
    MEASURES,
    METRIC_IDS,
    METRICS,
    METRICS_BY_ID,
    NON_ADDITIVE,
    STOCK,
    metric_inputs,
)
from .periods import Period, is_summary_period
from .store import Store
from .vocabulary import sql_list

GRAIN_SQL = """
    CASE
        WHEN s = e THEN 'day'
        WHEN isodow(s) = 1 AND e = s + 6 THEN 'week'
        WHEN day(s) = 1 AND e = last_day(s) THEN 'month'
        WHEN day(s) = 1 AND month(s) IN (1, 4, 7, 10) AND e = last_day(s + INTERVAL 2 MONTH) THEN 'quarter'
        WHEN day(s) = 1 AND month(s) = 1 AND e = make_date(year(s), 12, 31) THEN 'year'
        ELSE 'custom'
    END
"""
# Lower wins for additive sums: a total reported for the whole period beats a sum of parts.
GRAIN_RANK_SQL = "CASE grain WHEN 'custom' THEN 0 WHEN 'year' THEN 1 WHEN 'quarter' THEN 2 WHEN 'month' THEN 3 WHEN 'week' THEN 4 ELSE 5 END"

_ADDITIVE = [m.id for m in MEASURES if m.aggregation == ADDITIVE]
_STOCK = [m.id for m in MEASURES if m.aggregation == STOCK]
_NON_ADDITIVE = [m.id for m in MEASURES if m.aggregation == NON_ADDITIVE]

# Columns of the rolled-up row (and of `period_summaries`); followers becomes followers_end/_start.
MEASURE_COLUMNS = [*(f"{m}_{edge}" for m in _STOCK for edge in ("end", "start")), *_ADDITIVE, *_NON_ADDITIVE]
# Measures shown as they are (posts, reach …) come out once, under their metric id.
_EXTRA_MEASURE_COLUMNS = [c for c in MEASURE_COLUMNS if c not in {m.id for m in METRICS}]


# The units a metric row is computed for: organisations (their pages on the platform rolled
# up), or single accounts (a page on its own, with its organisation's population).
_UNITS = {
    "organisation": """
orgs AS (
    SELECT o.organisation_id, o.name AS organisation, o.country, o.kind, o.code, o.population
    FROM organisations o WHERE o.organisation_id IN (SELECT unnest($org_ids::INTEGER[]))
),
accts AS (
    SELECT a.account_id, a.organisation_id, a.is_demo FROM accounts a
    JOIN orgs USING (organisation_id) WHERE a.platform = $platform
    -- Real figures replace the synthetic demo ones: an organisation with any real account
    -- on the platform is shown with its real accounts only, never a mix of both.
    AND (NOT a.is_demo OR NOT EXISTS (
        SELECT 1 FROM accounts r WHERE r.organisation_id = a.organisation_id
        AND r.platform = a.platform AND NOT r.is_demo))
),""",
    "account": """
orgs AS (
    SELECT a.account_id AS organisation_id, a.name AS organisation, o.country, o.kind, o.code, o.population
    FROM accounts a LEFT JOIN organisations o ON o.organisation_id = a.organisation_id
    WHERE a.account_id IN (SELECT unnest($org_ids::INTEGER[])) AND a.platform = $platform
),
accts AS (
    SELECT a.account_id, a.account_id AS organisation_id, a.is_demo FROM accounts a
    JOIN orgs ON orgs.organisation_id = a.account_id
),""",
}


def _build_sql(unit: str = "organisation") -> str:
    per_account = [
        "max(v) FILTER (WHERE measure = 'followers' AND which = 'end') AS followers_end",
        "max(v) FILTER (WHERE measure = 'followers' AND which = 'start') AS followers_start",
        *[f"max(v) FILTER (WHERE measure = '{m}') AS {m}" for m in _ADDITIVE + _NON_ADDITIVE],
    ]
    rolled = [
        f"CASE WHEN count(am.{c}) = count(ac.account_id) AND count(ac.account_id) > 0 "
        f"THEN sum(am.{c})::BIGINT END AS {c}"
        for c in MEASURE_COLUMNS
    ]
    metric_columns = [f"({m.sql}) AS {m.id}" for m in METRICS]
    return f"""
WITH periods AS (
    SELECT unnest($labels) AS period, unnest($starts)::DATE AS p_start, unnest($ends)::DATE AS p_end
),
{_UNITS[unit]}
raw AS (
    SELECT v.account_id, v.measure, v.period_start AS s, v.period_end AS e, v.value
    FROM period_values v JOIN accts USING (account_id)
    WHERE v.period_end >= $window_start AND v.period_start <= $window_end
      AND NOT (v.period_start = v.period_end AND EXISTS (
          SELECT 1 FROM account_daily d WHERE d.account_id = v.account_id AND d.measure = v.measure
          AND d.day = v.period_start))
    UNION ALL
    SELECT d.account_id, d.measure, d.day, d.day, d.value
    FROM account_daily d JOIN accts USING (account_id)
    WHERE d.day >= $window_start AND d.day <= $window_end
),
obs AS (SELECT *, {GRAIN_SQL} AS grain FROM raw),
additive AS (
    SELECT period, account_id, measure, arg_min(v, {GRAIN_RANK_SQL}) AS v
    FROM (
        SELECT p.period, o.account_id, o.measure, o.grain, sum(o.value) AS v
        FROM periods p JOIN obs o ON o.s >= p.p_start AND o.e <= p.p_end
        WHERE o.measure IN {sql_list(_ADDITIVE)}
          -- a custom range counts only when it is the period itself, whatever else lies inside
          AND (o.grain <> 'custom' OR (o.s = p.p_start AND o.e = p.p_end))
        GROUP BY p.period, p.p_start, p.p_end, o.account_id, o.measure, o.grain
        HAVING sum(o.e - o.s + 1) = any_value(p.p_end - p.p_start + 1)
           AND (o.grain <> 'custom' OR count(*) = 1)
    )
    GROUP BY ALL
),
stock AS (
    SELECT p.period, o.account_id, o.measure,
           CASE WHEN o.e = p.p_end THEN 'end' ELSE 'start' END AS which,
           arg_max(o.value, {GRAIN_RANK_SQL}) AS v
    FROM periods p JOIN obs o ON o.e = p.p_end OR o.e = p.p_start - 1
    WHERE o.measure IN {sql_list(_STOCK)}
    GROUP BY ALL
),
exact AS (
    SELECT p.period, o.account_id, o.measure, any_value(o.value) AS v
    FROM periods p JOIN obs o ON o.s = p.p_start AND o.e = p.p_end
    WHERE o.measure IN {sql_list(_NON_ADDITIVE)}
    GROUP BY ALL
),
account_measures AS (
    SELECT period, account_id, {", ".join(per_account)}
    FROM (
        SELECT period, account_id, measure, NULL AS which, v FROM additive
        UNION ALL SELECT period, account_id, measure, which, v FROM stock
        UNION ALL SELECT period, account_id, measure, NULL, v FROM exact
    )
    GROUP BY period, account_id
),
rolled AS (
    SELECT p.period, p.p_start, p.p_end, o.organisation_id,
           count(ac.account_id) AS pages,
           coalesce(bool_or(ac.is_demo), false) AS is_demo,
           {", ".join(rolled)}
    FROM periods p CROSS JOIN orgs o
    LEFT JOIN accts ac ON ac.organisation_id = o.organisation_id
    LEFT JOIN account_measures am ON am.period = p.period AND am.account_id = ac.account_id
    GROUP BY p.period, p.p_start, p.p_end, o.organisation_id
),
rows AS (
    SELECT r.*, o.organisation, o.country, o.kind, o.code, o.population,
           (r.p_end - r.p_start + 1) AS days
    FROM rolled r JOIN orgs o USING (organisation_id)
)
SELECT period, p_start AS period_start, p_end AS period_end, organisation_id, organisation, country, kind, code,
       population, pages, is_demo, {", ".join(_EXTRA_MEASURE_COLUMNS)},
       {", ".join(metric_columns)}
FROM rows
ORDER BY p_start, p_end, organisation, organisation_id
"""


METRIC_SQL = _build_sql()
ACCOUNT_METRIC_SQL = _build_sql("account")


def _unit_params(unit_ids: Sequence[int], platform: str, periods: Sequence[Period]) -> dict[str, object]:
    return {
        "labels": [p.label for p in periods],
        "starts": [p.start for p in periods],
        "ends": [p.end for p in periods],
        "org_ids": [int(i) for i in unit_ids],
        "platform": platform,
    }


def metric_params(unit_ids: Sequence[int], platform: str, periods: Sequence[Period]) -> dict[str, object]:
    """The parameters of METRIC_SQL / ACCOUNT_METRIC_SQL. The window is passed as constants (the day
    before the first period, for followers at start, to the last day) so DuckDB skips row groups by date."""
    return {
        **_unit_params(unit_ids, platform, periods),
        "window_start": min(p.start for p in periods) - timedelta(days=1),
        "window_end": max(p.end for p in periods),
    }


# The columns every metric row starts with, whichever query made it.
_BASE_COLUMNS = ["period", "period_start", "period_end", "organisation_id", "organisation", "country", "kind",
                 "code", "population", "pages", "is_demo"]


# The units for the summary lookup: the rows of `_UNITS`, in plans that cost DuckDB less per call
# (at national scale the plan, not the data, is most of a view's cost). The organisations are read
# once instead of through a CTE that two joins share, and the rule "real figures replace the demo
# ones" is an uncorrelated NOT IN instead of the correlated NOT EXISTS, which DuckDB plans as a
# dependent join (a shared intermediate result, a grouping and two more joins). `IS NOT NULL`: a
# page not yet linked to an organisation would put a NULL in the list, and NOT IN a list holding a
# NULL is never true. The general query keeps the plainer form: it is the reference the tests
# (tests/views/test_fast_paths.py) compare these with.
_LOOKUP_UNITS = {
    "organisation": """
orgs AS (
    SELECT organisation_id, name AS organisation, country, kind, code, population FROM organisations
    WHERE organisation_id IN (SELECT unnest($org_ids::INTEGER[]))
),
accts AS (
    SELECT account_id, organisation_id, is_demo FROM accounts
    WHERE platform = $platform AND organisation_id IN (SELECT unnest($org_ids::INTEGER[]))
      AND (NOT is_demo OR organisation_id NOT IN (
          SELECT organisation_id FROM accounts
          WHERE platform = $platform AND NOT is_demo AND organisation_id IS NOT NULL))
),""",
    "account": _UNITS["account"],
}


def _summary_metric_sql(unit: str, metric_ids: tuple[str, ...]) -> str:
    """METRIC_SQL's rows for summary periods only (`periods.is_summary_period`), read from
    `period_summaries`: one lookup per account and period, then the same roll-up and metrics.
    Only the measures the metrics need are rolled up, which keeps the plan small."""
    extra = _EXTRA_MEASURE_COLUMNS if set(metric_ids) == set(METRIC_IDS) else []
    needed = [c for c in MEASURE_COLUMNS
              if c in extra or any(c in metric_inputs(METRICS_BY_ID[m]) for m in metric_ids)]
    # With no account, no summary row joins either: the sum is then NULL without a test of its own.
    rolled = "".join(
        f",\n           CASE WHEN count(s.{c}) = count(ac.account_id) THEN sum(s.{c})::BIGINT END AS {c}"
        for c in needed
    )
    metric_columns = ", ".join(f"({METRICS_BY_ID[m].sql}) AS {m}" for m in metric_ids)
    return f"""
WITH periods AS (
    SELECT unnest($labels) AS period, unnest($starts)::DATE AS p_start, unnest($ends)::DATE AS p_end
),
{_LOOKUP_UNITS[unit]}
rows AS (
    SELECT p.period, p.p_start, p.p_end, o.organisation_id,
           any_value(o.organisation) AS organisation, any_value(o.country) AS country, any_value(o.kind) AS kind,
           any_value(o.code) AS code, any_value(o.population) AS population,
           count(ac.account_id) AS pages, coalesce(bool_or(ac.is_demo), false) AS is_demo,
           any_value(p.p_end - p.p_start + 1) AS days{rolled}
    FROM periods p CROSS JOIN orgs o
    LEFT JOIN accts ac ON ac.organisation_id = o.organisation_id
    LEFT JOIN period_summaries s ON s.account_id = ac.account_id
         AND s.period_start = p.p_start AND s.period_end = p.p_end
         -- constants, so that DuckDB reads only the row groups of these period lengths and dates
         AND s.days BETWEEN $min_days AND $max_days AND s.period_end BETWEEN $first_end AND $last_end
    GROUP BY p.period, p.p_start, p.p_end, o.organisation_id
)
SELECT period, p_start AS period_start, p_end AS period_end, organisation_id, organisation, country, kind, code,
       population, pages, is_demo{"".join(", " + c for c in extra)}, {metric_columns}
FROM rows
ORDER BY p_start, p_end, organisation, organisation_id
"""


summary_metric_sql = lru_cache(maxsize=256)(_summary_metric_sql)


def summary_params(unit_ids: Sequence[int], platform: str, periods: Sequence[Period]) -> dict[str, object]:
    """The parameters of `summary_metric_sql`."""
    return {
        **_unit_params(unit_ids, platform, periods),
        "min_days": min(p.days for p in periods),
        "max_days": max(p.days for p in periods),
        "first_end": min(p.end for p in periods),
        "last_end": max(p.end for p in periods),
    }


_parser: duckdb.DuckDBPyConnection | None = None
_parser_lock = threading.Lock()


@lru_cache(maxsize=512)
def parsed(sql: str) -> duckdb.Statement:
    """`sql` parsed once. DuckDB 2.0's parser takes ≈ 1 ms for a view's metric query and ≈ 3 ms for
    METRIC_SQL, on every call; a parsed statement skips it (the plan is still made per call, with
    the parameters' values, so zone maps still skip row groups). DuckDB executes a copy of the
    statement, so one serves every thread and connection (`Store.table` passes it to DuckDB's
    `execute`, which takes text or a parsed statement). Parsing needs no database: a private
    in-memory connection does it."""
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = duckdb.connect(":memory:")
        (statement,) = _parser.extract_statements(sql)
    return statement


def _metric_ids(metrics: Sequence[str] | None) -> tuple[str, ...]:
    if metrics is None:
        return METRIC_IDS
    chosen = tuple(dict.fromkeys(metrics))
    unknown = [m for m in chosen if m not in METRICS_BY_ID]
    if unknown:
        raise ValueError(f"unknown metrics: {unknown}")
    return chosen


def _metric_rows(store: Store, unit: str, ids: Sequence[int], platform: str, periods: Sequence[Period],
                 metrics: Sequence[str] | None) -> pd.DataFrame:
    metric_ids = _metric_ids(metrics)
    if all(is_summary_period(p) for p in periods):
        return store.table(parsed(summary_metric_sql(unit, metric_ids)), summary_params(ids, platform, periods))
    frame = store.table(parsed(METRIC_SQL if unit == "organisation" else ACCOUNT_METRIC_SQL),
                        metric_params(ids, platform, periods))
    return frame if metrics is None else frame[[*_BASE_COLUMNS, *metric_ids]]


def metric_table(
    store: Store, organisation_ids: Sequence[int], platform: str, periods: Sequence[Period],
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The metrics (every one, or those named) for each organisation × period; NULL where the data
    does not allow a value.

    Returns one row per organisation and period (also for organisations with no
    account on the platform, with pages = 0), so that callers can show an
    explicit "no data" instead of dropping the row. Summary periods are read from
    `period_summaries`, any other period through METRIC_SQL; the rows are the same.
    """
    if not organisation_ids or not periods:
        return pd.DataFrame(columns=["period", "organisation_id", "organisation", "pages"])
    return _metric_rows(store, "organisation", organisation_ids, platform, periods, metrics)


def account_metric_table(
    store: Store, account_ids: Sequence[int], platform: str, periods: Sequence[Period],
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Like `metric_table`, for single accounts (pages) on their own: `account_id` and `account`
    instead of the organisation columns, `pages` = 1."""
    if not account_ids or not periods:
        return pd.DataFrame(columns=["period", "account_id", "account", "pages"])
    frame = _metric_rows(store, "account", account_ids, platform, periods, metrics)
    return frame.rename(columns={"organisation_id": "account_id", "organisation": "account"})
