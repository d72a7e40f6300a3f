"""Period summaries: each account's measures for the periods people pick, worked out in advance.

`query.METRIC_SQL` applies the rules of `query.py` to every stored observation
inside the window a view asks for; at national scale that is tens of thousands
of rows and a large plan for each click. `period_summaries` holds the result of
the same rules, per account, for every calendar week, month, quarter and year
and for the whole-ISO-week version of every month, quarter and year
(`periods.is_summary_period`), so a view over such periods reads one row per
account and period. Any other period still goes through the general query,
which stays the reference: the tests check that both give the same rows.

How the rules are evaluated for ~800 periods at once without reading every
observation inside each period. First the observations of an account become one
row per period they cover (`wide`: every measure of that account and period as a
column), which at weekly grain divides the rows by the number of measures. Then:

* An observation that is itself a summary period (every calendar week, month,
  quarter or year; a custom range only when it is exactly one) answers that
  period directly, with its grain's rank.
* Sums over longer periods come from the periods below them, level by level:
  days make weeks and months, months make quarters, quarters make years, weeks
  (given or made of days) make whole-week months, those make whole-week
  quarters, and those whole-week years. Each period of one level holds each
  period of the level below whole (calendar periods tile each other, and a
  week lies in the whole-week month of its Thursday), so a period's sum of one
  grain is a plain grouping; it counts only when the observations of that grain
  cover every day of the period (the days they cover add up to its length),
  which is the rule of the general query: no gap, one grain. A coarser grain
  beats a finer one (`query.GRAIN_RANK_SQL`), and a custom range only counts
  when it is exactly the period.
* Followers (stock measures) are read at the edges: at the end of the period
  from the observation ending on its last day, at the start from the one ending
  the day before (the finest grain wins; of two custom ranges ending on the same
  day, which the rules leave open, the lower figure).

`refresh` rebuilds the rows of the given accounts inside the caller's
transaction; every writer of `period_values` or `account_daily` calls it, so
readers never see summaries that disagree with the values. Given the days that
changed (`days=(first, last)`), it rebuilds only the periods whose values those
days can change: the ones that overlap them, and the ones starting the day after
the last (their followers at the start).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

import duckdb
import pandas as pd

from .errors import BenchmarkError
from .metrics import ADDITIVE, MEASURES, NON_ADDITIVE, STOCK
from .query import GRAIN_RANK_SQL, GRAIN_SQL, MEASURE_COLUMNS
from .store import Store

TABLE = "period_summaries"

_ADDITIVE_IDS = [m.id for m in MEASURES if m.aggregation == ADDITIVE]
_STOCK_IDS = [m.id for m in MEASURES if m.aggregation == STOCK]
_NON_ADDITIVE_IDS = [m.id for m in MEASURES if m.aggregation == NON_ADDITIVE]
_MEASURE_IDS = [m.id for m in MEASURES]
# The longest summary period (a whole-week year of 53 weeks) has 371 days: a changed day can touch
# periods that start or end up to that far away.
LONGEST_PERIOD_DAYS = 371


def _monday_of_thursday_week(day: str) -> str:
    """SQL: Monday of the first ISO week whose Thursday is on or after `day` (see periods.whole_weeks)."""
    return f"({day} + ((4 - isodow({day}) + 7) % 7)::INTEGER - 3)"


def _whole_weeks(unit: str) -> tuple[str, str]:
    """SQL (start, end) of the whole-week version of the calendar `unit` starting on day `k`."""
    return (_monday_of_thursday_week("k"),
            _monday_of_thursday_week(f"(k + INTERVAL 1 {unit})::DATE") + " - 1")


# Each level: (name, rows it groups, the calendar key of a row, first day, last day of the key's period).
# The rows of a level are summed per account, grain and key; `wide_<rank>` are the observations of one
# grain as rows of a level (rank 4: weeks, 3: months, 2: quarters).
_LEVELS = (
    ("in_weeks", ("wide_5",), "date_trunc('week', p_start)::DATE", "k", "k + 6"),
    ("in_months", ("wide_5",), "date_trunc('month', p_start)::DATE", "k", "last_day(k)"),
    ("in_quarters", ("in_months", "wide_3"), "date_trunc('quarter', p_start)::DATE", "k",
     "(k + INTERVAL 3 MONTH)::DATE - 1"),
    ("in_years", ("in_quarters", "wide_2"), "date_trunc('year', p_start)::DATE", "k",
     "(k + INTERVAL 1 YEAR)::DATE - 1"),
    ("in_whole_months", ("in_weeks", "wide_4"), "date_trunc('month', p_start + 3)::DATE", *_whole_weeks("MONTH")),
    ("in_whole_quarters", ("in_whole_months",), "date_trunc('quarter', p_start + 3)::DATE",
     *_whole_weeks("QUARTER")),
    ("in_whole_years", ("in_whole_quarters",), "date_trunc('year', p_start + 3)::DATE", *_whole_weeks("YEAR")),
)


# How the winner of each column is picked (see `packed` below): priority and value packed into one
# integer: BIGINT when every value is below SMALL_VALUES in size (the summary query of a 1 M-row
# import took 1.0 s instead of 1.31 s with HUGEINT), else HUGEINT. Type → (bits the priority is
# shifted by, bits of the offset added to the value).
_PACKINGS = {"BIGINT": (56, 52), "HUGEINT": (96, 80)}
SMALL_VALUES = 2**52


def _summary_sql(accounts_filter: str, dated: bool, measures: tuple[str, ...] = tuple(_MEASURE_IDS),
                 packing: str = "HUGEINT") -> str:
    """The summary rows of the accounts `accounts_filter` selects (`{t}` is the table's alias); with
    `dated`, only of the periods overlapping `$first`..`$last` or starting the day after `$last`.

    `measures` are the measures the rows hold (the others are NULL throughout): every measure costs
    a column in each step, and most data sets hold only a few of them. `packing` "BIGINT" only when
    every value of these accounts is below `SMALL_VALUES` in size.
    """
    additive = [m for m in _ADDITIVE_IDS if m in measures]
    stock = [m for m in _STOCK_IDS if m in measures]
    non_additive = [m for m in _NON_ADDITIVE_IDS if m in measures]
    present = [m for m in _MEASURE_IDS if m in measures]
    # The candidate values of a summary row, each with the priority of its candidates: the lowest
    # rank wins (a coarser grain beats a finer one); for stock the finest grain wins, hence -rank.
    columns = {c: ("-rank" if c.rsplit("_", 1)[0] in stock and c.endswith(("_end", "_start")) else "rank")
               for c in MEASURE_COLUMNS
               if c in additive or c in non_additive or c.rsplit("_", 1)[0] in stock}

    def candidate(values: dict[str, str]) -> str:
        """A candidate row's value columns in one order: `values` (column → SQL), NULL for the others."""
        return ", ".join(f"{values[c]} AS {c}" if c in values else f"NULL::BIGINT AS {c}" for c in columns)

    pivot = ",\n           ".join(f"max(CASE WHEN measure = '{m}' THEN value END) AS {m}" for m in present) or "NULL"
    sums = "".join(f", {m}_v, {m}_d" for m in additive)
    as_level = "".join(f", {m} AS {m}_v, CASE WHEN {m} IS NOT NULL THEN e - s + 1 END AS {m}_d" for m in additive)
    summed = "".join(f", sum({m}_v) AS {m}_v, sum({m}_d)::INTEGER AS {m}_d" for m in additive)
    complete = candidate({m: f"CASE WHEN {m}_d = p_end - p_start + 1 THEN {m}_v END" for m in additive})
    any_complete = " OR ".join(f"{m}_d = p_end - p_start + 1" for m in additive) or "false"
    itself = candidate({**{m: f"w.{m}" for m in [*additive, *non_additive]}, **{f"{m}_end": f"w.{m}" for m in stock}})
    has_stock = " OR ".join(f"w.{m} IS NOT NULL" for m in stock) or "false"
    at_end = candidate({f"{m}_end": f"w.{m}" for m in stock})
    at_start = candidate({f"{m}_start": f"w.{m}" for m in stock})
    levels = []
    for name, sources, key, first, last in _LEVELS:
        rows = " UNION ALL ".join(f"SELECT account_id, rank, p_start, p_end{sums} FROM {s}" for s in sources)
        levels.append(
            f"{name} AS (\n    SELECT account_id, rank, {first} AS p_start, {last} AS p_end{summed}\n"
            f"    FROM (SELECT *, {key} AS k FROM ({rows})) GROUP BY account_id, rank, k\n)")
    level_sql = ",\n".join(levels)
    grains = ",\n".join(
        f"wide_{rank} AS (SELECT account_id, rank, s AS p_start, e AS p_end{as_level} FROM wide WHERE rank = {rank})"
        for rank in (5, 4, 3, 2))
    level_candidates = "\n    UNION ALL\n    ".join(
        f"SELECT account_id, p_start, p_end, rank, {complete} FROM {name} WHERE {any_complete}"
        for name, *_ in _LEVELS)
    # One grouping picks every column's winner: min() of the priority and the value packed into one
    # integer (priority + 8, at most 13, in the high bits; the value offset by 2^offset to sort
    # negative values right), half the work of arg_min() per column.
    shift, offset = _PACKINGS[packing]
    packed = ", ".join(f"(({priority} + 8)::{packing} << {shift}) + ({c}::{packing} + (1::{packing} << {offset})) "
                       f"AS {c}" for c, priority in columns.items())
    picked = ",\n       ".join(
        f"((min({c}) & ((1::{packing} << {shift}) - 1)) - (1::{packing} << {offset}))::BIGINT AS {c}" if c in columns
        else f"NULL::BIGINT AS {c}" for c in MEASURE_COLUMNS)
    margin = LONGEST_PERIOD_DAYS + 1

    def rows_of(alias: str, first: str, last: str) -> str:
        """The filter of one table's rows: the accounts, and with `dated` the rows near the days."""
        near = f" AND {alias}.{last} >= $first - {margin} AND {alias}.{first} <= $last + {margin}" if dated else ""
        return accounts_filter.format(t=alias) + near

    keep = "WHERE p_start <= $last + 1 AND p_end >= $first" if dated else ""
    v_filter = rows_of("v", "period_start", "period_end")
    d_filter = rows_of("d", "day", "day")
    return f"""
WITH observed AS (
    -- A day held both as a one-day period and in account_daily counts once: the daily value.
    SELECT v.account_id, v.measure, v.period_start AS s, v.period_end AS e, v.value
    FROM period_values v
    WHERE {v_filter} AND NOT (v.period_start = v.period_end AND EXISTS (
        SELECT 1 FROM account_daily d WHERE d.account_id = v.account_id AND d.measure = v.measure
        AND d.day = v.period_start))
    UNION ALL
    SELECT d.account_id, d.measure, d.day, d.day, d.value FROM account_daily d WHERE {d_filter}
),
-- one row per account and period observed, every measure a column, with the grain's rank
wide AS (
    SELECT *, {GRAIN_RANK_SQL} AS rank
    FROM (SELECT *, {GRAIN_SQL} AS grain FROM (
        SELECT account_id, s, e,
           {pivot}
        FROM observed GROUP BY account_id, s, e))
),
-- whole weeks reach up to 3 days past their month, and followers at the start are read the day
-- before: a week of margin on each side finds every period the rows can answer.
span AS (SELECT min(s) - 7 AS first_day, max(e) + 7 AS last_day FROM wide),
days AS (SELECT unnest(range(first_day, last_day + INTERVAL 1 DAY, INTERVAL 1 DAY))::DATE AS d FROM span),
calendar AS (
    SELECT DISTINCT * FROM (
        SELECT date_trunc('week', d)::DATE AS p_start, (date_trunc('week', d) + INTERVAL 6 DAY)::DATE AS p_end FROM days
        UNION ALL SELECT date_trunc('month', d)::DATE, last_day(d) FROM days
        UNION ALL SELECT date_trunc('quarter', d)::DATE,
                         (date_trunc('quarter', d) + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE FROM days
        UNION ALL SELECT date_trunc('year', d)::DATE, (date_trunc('year', d) + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE
        FROM days
    )
),
periods AS (
    SELECT p_start, p_end FROM calendar
    UNION
    SELECT {_monday_of_thursday_week("p_start")}, {_monday_of_thursday_week("(p_end + 1)")} - 1
    FROM calendar WHERE p_end - p_start > 6
),
-- additive sums, level by level (see the module's docstring)
{grains},
{level_sql},
candidates AS (
    -- an observation that is itself a summary period answers it (a custom range only when it is one)
    SELECT w.account_id, w.s AS p_start, w.e AS p_end, w.rank, {itself}
    FROM wide w WHERE w.rank BETWEEN 1 AND 4
    UNION ALL
    SELECT w.account_id, w.s, w.e, w.rank, {itself}
    FROM wide w JOIN periods p ON p.p_start = w.s AND p.p_end = w.e WHERE w.rank = 0
    UNION ALL
    -- sums over the periods the observations of one grain cover without a gap
    {level_candidates}
    UNION ALL
    -- stock at the end of every other period ending on an observation's last day
    SELECT w.account_id, p.p_start, p.p_end, w.rank, {at_end}
    FROM wide w JOIN periods p ON p.p_end = w.e AND p.p_start <> w.s WHERE {has_stock}
    UNION ALL
    -- stock at the start: the level at the end of the day before
    SELECT w.account_id, p.p_start, p.p_end, w.rank, {at_start}
    FROM wide w JOIN periods p ON p.p_start = w.e + 1 WHERE {has_stock}
)
SELECT account_id, p_start AS period_start, p_end AS period_end, (p_end - p_start + 1)::INTEGER AS days,
       {picked}
FROM (SELECT account_id, p_start, p_end, {packed} FROM candidates {keep})
GROUP BY account_id, p_start, p_end
"""


_ALL = _summary_sql("true", dated=False)
_ACCOUNTS = "{t}.account_id IN (SELECT unnest($account_ids::INTEGER[]))"


@functools.lru_cache(maxsize=64)
def _some(dated: bool, measures: tuple[str, ...], packing: str = "HUGEINT") -> str:
    """The summary query of a batch of accounts (`$account_ids`) holding only `measures`."""
    return _summary_sql(_ACCOUNTS, dated, measures, packing)


_INSERT_COLUMNS = ", ".join(["account_id", "period_start", "period_end", "days", *MEASURE_COLUMNS])
# A rebuild goes a batch of accounts at a time: the grouping over a whole national data set at once
# needs more than the default 2 GB DuckDB may use. A batch holds at most this many stored values
# (≈ 1.4 GB at the peak for national weekly data) and at most `BATCH_ACCOUNTS` accounts.
BATCH_VALUES = 6_000_000
BATCH_ACCOUNTS = 20_000


def refresh(cur: duckdb.DuckDBPyConnection, account_ids: Sequence[int] | None = None,
            days: tuple[date, date] | None = None) -> int:
    """Rebuild the summaries of these accounts (every account when None) inside the caller's
    transaction, after their values changed; returns the rows written. Rows of accounts that no
    longer hold any value (or no longer exist) are removed.

    `days` (first, last): only values of these days changed, so only the periods they can change
    are rebuilt (those overlapping them, and those starting the day after `last`); the others stay.

    The rows are worked out a batch of accounts at a time (`BATCH_VALUES`), each batch into a scratch
    table of its own, then written in one statement in order of period length and end (DuckDB's sort spills to
    disk when it must), so that a lookup of one period reads few row groups. One table per batch,
    because with DuckDB 2.0.0 a second `INSERT … SELECT` of this query into a table that already
    took more than one row group (122,880 rows) in the same transaction left the table empty, without
    an error; the count check below makes any such loss fail the transaction instead.
    """
    dated = {} if days is None else {"first": min(days), "last": max(days)}
    kept = "period_start <= $last + 1 AND period_end >= $first" if dated else "true"
    if account_ids is None:
        ids = [r[0] for r in cur.execute("SELECT account_id FROM accounts ORDER BY account_id").fetchall()]
        cur.execute(f"DELETE FROM {TABLE} WHERE {kept}", dated)
    else:
        ids = sorted({int(i) for i in account_ids})
        if not ids:
            return 0
        cur.execute(f"DELETE FROM {TABLE} WHERE account_id IN (SELECT unnest($account_ids::INTEGER[])) AND {kept}",
                    {"account_ids": ids, **dated})
    if not ids:
        return 0
    held = cur.execute(
        "SELECT account_id, measure, count(*), max(abs(value)) FROM (SELECT account_id, measure, value "
        "FROM period_values WHERE account_id IN (SELECT unnest($account_ids::INTEGER[])) UNION ALL "
        "SELECT account_id, measure, value FROM account_daily WHERE account_id IN "
        "(SELECT unnest($account_ids::INTEGER[]))) GROUP BY ALL",
        {"account_ids": ids}).fetchall()
    # Only the measures these accounts hold take part (the others stay NULL): fewer columns to carry.
    measures = tuple(m for m in _MEASURE_IDS if m in {measure for _, measure, _, _ in held})
    packing = "BIGINT" if max((largest for *_, largest in held), default=0) < SMALL_VALUES else "HUGEINT"
    values: dict[int, int] = {}
    for account_id, _, count, _ in held:
        values[account_id] = values.get(account_id, 0) + count
    batches = _batches([i for i in ids if i in values], values)
    if not batches:
        return 0
    # Scratch tables made in the caller's transaction go with its rollback if anything fails, so
    # they are dropped only on success (a DROP in an aborted transaction would hide the real error).
    names = [f"fresh_summaries_{n}" for n in range(len(batches))]
    query = _some(bool(dated), measures, packing)
    expected = 0
    for name, batch in zip(names, batches, strict=True):
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}", {"account_ids": batch, **dated})
        expected += int(cur.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
    union = " UNION ALL ".join(f"SELECT {_INSERT_COLUMNS} FROM {name}" for name in names)
    cur.execute(f"INSERT INTO {TABLE} ({_INSERT_COLUMNS}) {union} ORDER BY days, period_end, account_id")
    written = int(cur.execute(f"SELECT count(*) FROM {TABLE} WHERE account_id IN "
                              f"(SELECT unnest($account_ids::INTEGER[])) AND {kept}",
                              {"account_ids": ids, **dated}).fetchone()[0])
    if written != expected:
        raise BenchmarkError(f"period summaries: {expected} rows were worked out but {written} written; "
                             "nothing was changed (the whole write was rolled back)")
    for name in names:
        cur.execute(f"DROP TABLE {name}")
    return written


def _batches(ids: list[int], values: dict[int, int]) -> list[list[int]]:
    """`ids` in batches of at most `BATCH_VALUES` stored values (an account with more goes alone)
    and `BATCH_ACCOUNTS` accounts."""
    batches: list[list[int]] = []
    size = 0
    for account_id in ids:
        if not batches or len(batches[-1]) >= BATCH_ACCOUNTS or size + values[account_id] > BATCH_VALUES:
            batches.append([])
            size = 0
        batches[-1].append(account_id)
        size += values[account_id]
    return batches


def stale_rows(store: Store) -> pd.DataFrame:
    """Rows where the stored summaries differ from the ones the values give now (both directions);
    empty when they agree. For tests: it recomputes everything in one query, which a national-size
    database would need more memory for than `refresh` does."""
    stored = f"SELECT {_INSERT_COLUMNS} FROM {TABLE}"
    fresh = f"SELECT {_INSERT_COLUMNS} FROM ({_ALL})"
    return store.frame(
        f"(SELECT 'stored only' AS side, * FROM ({stored} EXCEPT ALL {fresh})) "
        f"UNION ALL (SELECT 'missing' AS side, * FROM ({fresh} EXCEPT ALL {stored}))"
    )
