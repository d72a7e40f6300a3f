"""The period summaries as `summaries.refresh` builds them now (level by level, one row per observed
period) equal what the previous build (running totals over each series, start and end paired)
gave; a refresh limited to the changed days equals a full rebuild.

`REFERENCE_SQL` below is the previous `summaries._summary_sql`, kept verbatim as the reference.
The data are generated: days, weeks, months, quarters, years and custom ranges of one measure side
by side, gaps, one-day periods stored twice (as a period and as a day), negative net changes, and
a span that crosses a year, so that whole-week years and their neighbours are involved.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark import summaries
from benchmark.metrics import ADDITIVE, MEASURES, NON_ADDITIVE, STOCK
from benchmark.periods import periods_between, quarter_period, whole_weeks, year_period
from benchmark.query import GRAIN_RANK_SQL, GRAIN_SQL, MEASURE_COLUMNS
from benchmark.store import Store
from benchmark.vocabulary import sql_list
from tests.actors import permit
from tests.conftest import make_small_store
from tests.generated import measure_series

_ADDITIVE = sql_list([m.id for m in MEASURES if m.aggregation == ADDITIVE])
_STOCK = sql_list([m.id for m in MEASURES if m.aggregation == STOCK])
_NON_ADDITIVE = sql_list([m.id for m in MEASURES if m.aggregation == NON_ADDITIVE] or ["-"])


def _monday_of_thursday_week(day: str) -> str:
    return f"({day} + ((4 - isodow({day}) + 7) % 7)::INTEGER - 3)"


def _reference_sql() -> str:
    """The previous summary query (every account), unchanged."""
    columns = ",\n       ".join(f"max(v) FILTER (WHERE key = '{c}') AS {c}" for c in MEASURE_COLUMNS)
    return f"""
WITH observed AS (
    SELECT v.account_id, v.measure, v.period_start AS s, v.period_end AS e, v.value
    FROM period_values v
    WHERE NOT (v.period_start = v.period_end AND EXISTS (
        SELECT 1 FROM account_daily d WHERE d.account_id = v.account_id AND d.measure = v.measure
        AND d.day = v.period_start))
    UNION ALL
    SELECT d.account_id, d.measure, d.day, d.day, d.value FROM account_daily d
),
graded AS (SELECT *, {GRAIN_SQL} AS grain FROM observed),
series AS (
    SELECT account_id, measure, {GRAIN_RANK_SQL} AS rank, s, e, value,
           sum(value) OVER run AS running,
           e - (sum(e - s + 1) OVER run)::INTEGER AS run_key
    FROM graded
    WINDOW run AS (PARTITION BY account_id, measure, grain ORDER BY e ROWS UNBOUNDED PRECEDING)
),
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
    SELECT x.p_start, x.p_end, x.account_id, x.measure AS key, x.rank, x.running - z.before AS v
    FROM ends x JOIN starts z USING (p_start, p_end, account_id, measure, rank, run_key)
    WHERE x.rank > 0 AND x.measure IN {_ADDITIVE}
    UNION ALL
    SELECT p_start, p_end, account_id,
           CASE WHEN measure IN {_STOCK} THEN measure || '_end' ELSE measure END,
           CASE WHEN measure IN {_STOCK} THEN -rank ELSE rank END, value
    FROM ends
    WHERE measure IN {_STOCK} OR (s = p_start AND (rank = 0 OR measure IN {_NON_ADDITIVE}))
    UNION ALL
    SELECT p.p_start, p.p_end, y.account_id, y.measure || '_start', -y.rank, y.value
    FROM series y JOIN periods p ON y.e = p.p_start - 1
    WHERE y.measure IN {_STOCK}
),
picked AS (SELECT account_id, p_start, p_end, key, arg_min(v, rank) AS v FROM candidates GROUP BY ALL)
SELECT account_id, p_start AS period_start, p_end AS period_end, (p_end - p_start + 1)::INTEGER AS days,
       {columns}
FROM picked
GROUP BY account_id, p_start, p_end
"""


REFERENCE_SQL = _reference_sql()
COLUMNS = summaries._INSERT_COLUMNS
FIRST, LAST = date(2023, 12, 18), date(2025, 2, 9)  # Monday .. Sunday, across 2024 and into 2025
GRAINS = ("day", "week", "month", "quarter", "year", "custom")
MEASURES_DRAWN = ("followers", "posts", "net_followers", "reach")


def _spans(grain: str, rng: random.Random) -> list[tuple[date, date]]:
    if grain == "day":
        return [(FIRST + timedelta(days=i), FIRST + timedelta(days=i)) for i in range((LAST - FIRST).days + 1)]
    if grain in ("week", "month", "quarter", "year"):
        return [(p.start, p.end) for p in periods_between(grain, FIRST, LAST)]
    # custom: two-week blocks from a Wednesday (ending on Tuesdays: no two custom ranges of a measure
    # end on one day, where which one counts would be arbitrary), and whole-week 2024 and 2024-Q3
    offset = rng.choice([2, 9])
    blocks = [(FIRST + timedelta(days=offset + 14 * i), FIRST + timedelta(days=offset + 14 * i + 13))
              for i in range(29)]
    return [*blocks, *((p.start, p.end) for p in (whole_weeks(year_period(2024)),
                                                    whole_weeks(quarter_period(date(2024, 7, 1)))))]


def _dataset():
    return st.fixed_dictionaries({(account, measure): measure_series(measure, GRAINS, _spans)
                                  for account in range(3) for measure in MEASURES_DRAWN})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = make_small_store(tmp_path_factory.mktemp("summaries-refresh"), "s.duckdb")
    org = store.scalar("SELECT min(organisation_id) FROM organisations")
    with store.writer(permit()) as cur:
        import_id = cur.execute("INSERT INTO imports (source_kind) VALUES ('manual') RETURNING import_id").fetchone()[0]
        for position in range(3):
            cur.execute("INSERT INTO accounts (organisation_id, platform, name, import_id) "
                        "VALUES (?, 'facebook', ?, ?)", [org, f"page {position}", import_id])
    store.import_id = import_id  # type: ignore[attr-defined]
    yield store
    store.close()


def _rows(store: Store, data: dict) -> tuple[list, list]:
    accounts = [r[0] for r in store.rows("SELECT account_id FROM accounts ORDER BY account_id")]
    daily, periods = [], []
    for (position, measure), rows in data.items():
        for start, end, value in rows:
            # the third page's days come as a daily series, the first of each month also as a
            # one-day period (which then does not count)
            if start == end and position == 2:
                daily.append([accounts[position], measure, start, value, store.import_id])
                if start.day == 1:  # the same day also as a one-day period, with another value
                    periods.append([accounts[position], measure, start, end, value + 1000, store.import_id])
            else:
                periods.append([accounts[position], measure, start, end, value, store.import_id])
    return periods, daily


def _write(store: Store, data: dict) -> None:
    periods, daily = _rows(store, data)
    with store.writer(permit()) as cur:
        cur.execute("DELETE FROM period_values")
        cur.execute("DELETE FROM account_daily")
        cur.register("daily", pd.DataFrame(daily, columns=["a", "m", "d", "v", "i"]).astype({"d": "datetime64[s]"}))
        cur.execute("INSERT INTO account_daily SELECT a, m, d::DATE, v, i, NULL FROM daily")
        cur.register("periods", pd.DataFrame(periods, columns=["a", "m", "s", "e", "v", "i"]).astype(
            {"s": "datetime64[s]", "e": "datetime64[s]"}))
        cur.execute("INSERT INTO period_values SELECT a, m, s::DATE, e::DATE, v, i, NULL FROM periods")
        cur.unregister("daily")
        cur.unregister("periods")
        summaries.refresh(cur)


def _differences(store: Store, sql: str) -> list:
    fresh = f"SELECT {COLUMNS} FROM ({sql})"
    stored = f"SELECT {COLUMNS} FROM period_summaries"
    return store.rows(f"(SELECT 'stored only', * FROM ({stored} EXCEPT ALL {fresh})) "
                      f"UNION ALL (SELECT 'missing', * FROM ({fresh} EXCEPT ALL {stored})) LIMIT 10")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=_dataset())
def test_the_summaries_are_those_of_the_previous_build(store: Store, data: dict):
    _write(store, data)
    assert store.scalar("SELECT count(*) FROM period_summaries") > 0
    diff = _differences(store, REFERENCE_SQL)
    assert not diff, "\n".join(map(str, diff))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=_dataset(), change=st.data())
def test_a_refresh_of_the_changed_days_equals_a_full_rebuild(store: Store, data: dict, change):
    _write(store, data)
    accounts = [r[0] for r in store.rows("SELECT account_id FROM accounts ORDER BY account_id")]
    first = change.draw(st.dates(FIRST - timedelta(days=20), LAST + timedelta(days=5)))
    last = first + timedelta(days=change.draw(st.integers(0, 120)))
    touched = change.draw(st.lists(st.sampled_from(accounts), min_size=1, max_size=3, unique=True))
    seed = change.draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    with store.writer(permit()) as cur:
        # values inside the days change, some go, and new ones come (a week and a day)
        cur.execute("UPDATE period_values SET value = value + 7 WHERE account_id IN (SELECT unnest($a::INTEGER[])) "
                    "AND period_start >= $f AND period_end <= $l AND measure <> 'reach'",
                    {"a": touched, "f": first, "l": last})
        cur.execute("DELETE FROM account_daily WHERE account_id IN (SELECT unnest($a::INTEGER[])) "
                    "AND day BETWEEN $f AND $l AND hash(day) % 3 = 0", {"a": touched, "f": first, "l": last})
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        if monday + timedelta(days=6) <= last:
            week = [touched[0], monday, monday + timedelta(days=6)]
            cur.execute("DELETE FROM period_values WHERE account_id = ? AND measure = 'posts' "
                        "AND period_start = ? AND period_end = ?", week)
            cur.execute("INSERT INTO period_values VALUES (?, 'posts', ?, ?, ?, ?, NULL)",
                        [*week, rng.randint(0, 99), store.import_id])
        cur.execute("DELETE FROM account_daily WHERE account_id = ? AND measure = 'followers' AND day = ?",
                    [touched[-1], last])
        cur.execute("INSERT INTO account_daily VALUES (?, 'followers', ?, ?, ?, NULL)",
                    [touched[-1], last, rng.randint(0, 9999), store.import_id])
        summaries.refresh(cur, touched, (first, last))
    assert _differences(store, summaries._ALL) == []
    diff = _differences(store, REFERENCE_SQL)
    assert not diff, "\n".join(map(str, diff))


def test_a_refresh_in_batches_of_one_account_equals_one_batch(store: Store, monkeypatch):
    _write(store, {(a, m): [(s, e, (a + 1) * 10 + i % 7) for i, (s, e) in enumerate(_spans(g, random.Random(a)))]
                   for a, g in enumerate(("week", "month", "day")) for m in ("followers", "posts")})
    everything = store.rows(f"SELECT {COLUMNS} FROM period_summaries ORDER BY ALL")
    monkeypatch.setattr(summaries, "BATCH_ACCOUNTS", 1)
    with store.writer(permit()) as cur:
        assert summaries.refresh(cur) == len(everything)
    assert store.rows(f"SELECT {COLUMNS} FROM period_summaries ORDER BY ALL") == everything


def test_a_refresh_of_days_leaves_other_periods_alone(put_values):
    """By hand: six weeks of posts and followers from Monday 2024-12-30. The second week's figures
    change tenfold; only the periods those days can change are rebuilt, and they are the only rows
    that differ: the week itself, the week after it (followers at its start) and whole-week January
    (its five weeks' posts). Quarter and year have no row (six weeks cover neither)."""
    account = put_values.account("Region Skåne")
    monday = date(2024, 12, 30)
    for week in range(6):
        start = monday + timedelta(weeks=week)
        put_values.period(account, start.isoformat(), (start + timedelta(days=6)).isoformat(),
                          posts=week + 1, followers=100 + week)
    store = put_values.store
    sql = "SELECT period_start, period_end, posts, followers_end, followers_start FROM period_summaries"
    before = {(r[0], r[1]): r[2:] for r in store.rows(sql)}
    with store.writer(permit()) as cur:
        cur.execute("UPDATE period_values SET value = value * 10 WHERE period_start = DATE '2025-01-06'")
        summaries.refresh(cur, [account], (date(2025, 1, 6), date(2025, 1, 12)))
    after = {(r[0], r[1]): r[2:] for r in store.rows(sql)}
    assert after.keys() == before.keys()
    assert {k: (before[k], after[k]) for k in after if after[k] != before[k]} == {
        (date(2025, 1, 6), date(2025, 1, 12)): ((2, 101, 100), (20, 1010, 100)),
        (date(2025, 1, 13), date(2025, 1, 19)): ((3, 102, 101), (3, 102, 1010)),
        # 1 + 2 + 3 + 4 + 5 before, 1 + 20 + 3 + 4 + 5 after; followers at the end of week 5
        (date(2024, 12, 30), date(2025, 2, 2)): ((15, 104, None), (33, 104, None)),
    }
    assert summaries.stale_rows(store).empty


def test_figures_too_large_for_the_narrow_packing_take_the_wide_one(put_values, monkeypatch):
    """The winners are picked from values packed into a BIGINT while every value is below
    `SMALL_VALUES` (2^52) in size, else into a HUGEINT. By hand: a month of 2^60 + 5 followers (which
    the BIGINT packing would overflow) and 3 posts, and the month before with 7 followers; the
    summaries keep the figures exactly."""
    huge = 2**60 + 5
    account = put_values.account("Region Skåne")
    packings = []
    real_some = summaries._some.__wrapped__
    monkeypatch.setattr(summaries, "_some", lambda dated, measures, packing="HUGEINT":
                        packings.append(packing) or real_some(dated, measures, packing))
    put_values.period(account, "2024-06-01", "2024-06-30", followers=7)
    put_values.period(account, "2024-07-01", "2024-07-31", followers=huge, posts=3)
    assert packings == ["BIGINT", "HUGEINT"]
    assert put_values.store.rows(
        "SELECT followers_start, followers_end, posts FROM period_summaries "
        "WHERE period_start = DATE '2024-07-01' AND period_end = DATE '2024-07-31'") == [(7, huge, 3)]
    assert put_values.store.rows(
        "SELECT followers_end FROM period_summaries WHERE period_start = DATE '2024-06-01' "
        "AND period_end = DATE '2024-06-30'") == [(7,)]
    assert summaries.stale_rows(put_values.store).empty
