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
observation inside each period: within one account, measure and grain,
observations never overlap (a week is Monday to Sunday, a month a calendar
month …), so with a running total in order of the last day,

    sum of the observations inside [S, E] = running(x) − running(z) + value(z)

where x is the observation ending on E and z the one starting on S, and the
period is covered without a gap exactly when x and z lie in one unbroken run
of observations (`run_key`, the last day minus the days covered so far, is the
same for every observation of a run and grows at each gap). A period's values
thus come from the observations touching its edges: ending on its last day,
starting on its first day, and (for followers at the start) ending the day
before. Custom-grain rows count only when they are exactly the period, as in
the general query.

`refresh` rebuilds the rows of the given accounts inside the caller's
transaction; every writer of `period_values` or `account_daily` calls it, so
readers never see summaries that disagree with the values.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from .errors import BenchmarkError
from .metrics import ADDITIVE, MEASURES, NON_ADDITIVE, STOCK
from .query import GRAIN_RANK_SQL, GRAIN_SQL, MEASURE_COLUMNS
from .store import Store
from .vocabulary import sql_list

TABLE = "period_summaries"

_ADDITIVE = sql_list([m.id for m in MEASURES if m.aggregation == ADDITIVE])
_STOCK = sql_list([m.id for m in MEASURES if m.aggregation == STOCK])
_NON_ADDITIVE = sql_list([m.id for m in MEASURES if m.aggregation == NON_ADDITIVE] or ["-"])


def _monday_of_thursday_week(day: str) -> str:
    """SQL: Monday of the first ISO week whose Thursday is on or after `day` (see periods.whole_weeks)."""
    return f"({day} + ((4 - isodow({day}) + 7) % 7)::INTEGER - 3)"


def _summary_sql(accounts_filter: str) -> str:
    columns = ",\n       ".join(f"max(v) FILTER (WHERE key = '{c}') AS {c}" for c in MEASURE_COLUMNS)
    return f"""
WITH observed AS (
    -- A day held both as a one-day period and in account_daily counts once: the daily value.
    SELECT v.account_id, v.measure, v.period_start AS s, v.period_end AS e, v.value
    FROM period_values v
    WHERE {accounts_filter.format(t="v")} AND NOT (v.period_start = v.period_end AND EXISTS (
        SELECT 1 FROM account_daily d WHERE d.account_id = v.account_id AND d.measure = v.measure
        AND d.day = v.period_start))
    UNION ALL
    SELECT d.account_id, d.measure, d.day, d.day, d.value FROM account_daily d WHERE {accounts_filter.format(t="d")}
),
graded AS (SELECT *, {GRAIN_SQL} AS grain FROM observed),
series AS (
    SELECT account_id, measure, {GRAIN_RANK_SQL} AS rank, s, e, value,
           sum(value) OVER run AS running,
           e - (sum(e - s + 1) OVER run)::INTEGER AS run_key
    FROM graded
    WINDOW run AS (PARTITION BY account_id, measure, grain ORDER BY e ROWS UNBOUNDED PRECEDING)
),
-- whole weeks reach up to 3 days past their month, and followers at the start are read the day
-- before: a week of margin on each side finds every period the rows can answer.
span AS (SELECT min(s) - 7 AS first_day, max(e) + 7 AS last_day FROM series),
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
ends AS (SELECT p.p_start, p.p_end, x.* FROM series x JOIN periods p ON x.e = p.p_end),
starts AS (
    SELECT p.p_start, p.p_end, z.account_id, z.measure, z.rank, z.running - z.value AS before, z.run_key
    FROM series z JOIN periods p ON z.s = p.p_start
    WHERE z.rank > 0 AND z.measure IN {_ADDITIVE}
),
candidates AS (
    -- additive: the sum over an unbroken run of one grain from the first to the last day
    SELECT x.p_start, x.p_end, x.account_id, x.measure AS key, x.rank, x.running - z.before AS v
    FROM ends x JOIN starts z USING (p_start, p_end, account_id, measure, rank, run_key)
    WHERE x.rank > 0 AND x.measure IN {_ADDITIVE}
    UNION ALL
    -- stock at the end (the finest grain wins, hence -rank); custom rows and non-additive
    -- measures only when reported for exactly the period
    SELECT p_start, p_end, account_id,
           CASE WHEN measure IN {_STOCK} THEN measure || '_end' ELSE measure END,
           CASE WHEN measure IN {_STOCK} THEN -rank ELSE rank END, value
    FROM ends
    WHERE measure IN {_STOCK} OR (s = p_start AND (rank = 0 OR measure IN {_NON_ADDITIVE}))
    UNION ALL
    -- stock at the start: the level at the end of the day before
    SELECT p.p_start, p.p_end, y.account_id, y.measure || '_start', -y.rank, y.value
    FROM series y JOIN periods p ON y.e = p.p_start - 1
    WHERE y.measure IN {_STOCK}
),
-- the winning candidate of each value, then one row per account and period (two cheap steps
-- measured 15 % faster than one grouping with a filtered arg_min per column)
picked AS (SELECT account_id, p_start, p_end, key, arg_min(v, rank) AS v FROM candidates GROUP BY ALL)
SELECT account_id, p_start AS period_start, p_end AS period_end, (p_end - p_start + 1)::INTEGER AS days,
       {columns}
FROM picked
GROUP BY account_id, p_start, p_end
"""


_ALL = _summary_sql("true")
_SOME = _summary_sql("{t}.account_id IN (SELECT unnest($account_ids::INTEGER[]))")
_INSERT_COLUMNS = ", ".join(["account_id", "period_start", "period_end", "days", *MEASURE_COLUMNS])
# Accounts per step of a rebuild: the window and joins over a whole national data set at once need
# more than the default 2 GB DuckDB may use; 500 accounts' rows (≈ 1.5 million) fit easily.
BATCH_ACCOUNTS = 500


def refresh(cur: duckdb.DuckDBPyConnection, account_ids: Sequence[int] | None = None) -> int:
    """Rebuild the summaries of these accounts (every account when None) inside the caller's
    transaction, after their values changed; returns the rows written. Rows of accounts that no
    longer hold any value (or no longer exist) are removed.

    The rows are worked out a batch of accounts at a time, each batch into a scratch table of its
    own, then written in one statement in order of period length and end (DuckDB's sort spills to
    disk when it must), so that a lookup of one period reads few row groups. One table per batch,
    because with DuckDB 2.0.0 a second `INSERT … SELECT` of this query into a table that already
    took more than one row group (122,880 rows) in the same transaction left the table empty, without
    an error; the count check below makes any such loss fail the transaction instead.
    """
    if account_ids is None:
        ids = [r[0] for r in cur.execute("SELECT account_id FROM accounts ORDER BY account_id").fetchall()]
        cur.execute(f"DELETE FROM {TABLE}")
    else:
        ids = sorted({int(i) for i in account_ids})
        if not ids:
            return 0
        cur.execute(f"DELETE FROM {TABLE} WHERE account_id IN (SELECT unnest($account_ids::INTEGER[]))",
                    {"account_ids": ids})
    if not ids:
        return 0
    # Scratch tables made in the caller's transaction go with its rollback if anything fails, so
    # they are dropped only on success (a DROP in an aborted transaction would hide the real error).
    batches = [f"fresh_summaries_{n}" for n in range(0, len(ids), BATCH_ACCOUNTS)]
    expected = 0
    for name, first in zip(batches, range(0, len(ids), BATCH_ACCOUNTS), strict=True):
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {_SOME}",
                    {"account_ids": ids[first:first + BATCH_ACCOUNTS]})
        expected += int(cur.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
    union = " UNION ALL ".join(f"SELECT {_INSERT_COLUMNS} FROM {name}" for name in batches)
    cur.execute(f"INSERT INTO {TABLE} ({_INSERT_COLUMNS}) {union} ORDER BY days, period_end, account_id")
    written = int(cur.execute(f"SELECT count(*) FROM {TABLE} WHERE account_id IN "
                              "(SELECT unnest($account_ids::INTEGER[]))", {"account_ids": ids}).fetchone()[0])
    if written != expected:
        raise BenchmarkError(f"period summaries: {expected} rows were worked out but {written} written; "
                             "nothing was changed (the whole write was rolled back)")
    for name in batches:
        cur.execute(f"DROP TABLE {name}")
    return written


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
