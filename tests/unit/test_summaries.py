"""Period summaries give exactly the rows of the general query, and every writer keeps them current.

The general query (`query.METRIC_SQL`) is the reference: it evaluates the rules
over the stored observations. The property test generates small, awkward data
sets (days, weeks, months, quarters and custom ranges of one measure side by
side, gaps, zero posts, follower drops, reach only for some periods) and
compares the two paths over every summary period the data touches.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark import query, summaries
from benchmark.metrics import METRIC_IDS
from benchmark.periods import (
    is_summary_period,
    month_period,
    periods_between,
    quarter_period,
    whole_weeks,
    year_period,
)
from benchmark.store import Store
from tests.actors import ADMIN, permit
from tests.conftest import make_small_store
from tests.generated import measure_series

FIRST, LAST = date(2024, 11, 4), date(2025, 4, 27)  # Monday .. Sunday: 25 whole weeks
GRAINS = ("day", "week", "month", "quarter", "custom")


def _spans(grain: str) -> list[tuple[date, date]]:
    if grain == "day":
        return [(FIRST + timedelta(days=i), FIRST + timedelta(days=i)) for i in range((LAST - FIRST).days + 1)]
    if grain == "week":
        return [(FIRST + timedelta(weeks=i), FIRST + timedelta(weeks=i, days=6)) for i in range(25)]
    make = {"month": month_period, "quarter": quarter_period}.get(grain)
    if make:
        return [(p.start, p.end) for p in periods_between(grain, FIRST, LAST)]
    # custom: two-week blocks starting on Wednesdays, and one exactly the whole-week 2025-Q1
    q1 = whole_weeks(quarter_period(date(2025, 1, 1)))
    blocks = [(FIRST + timedelta(days=2 + 14 * i), FIRST + timedelta(days=15 + 14 * i)) for i in range(11)]
    return [*blocks, (q1.start, q1.end)]


def _dataset():
    return st.fixed_dictionaries({
        (account, measure): measure_series(measure, GRAINS, lambda grain, _rng: _spans(grain))
        for account in range(3)
        for measure in ("followers", "posts", "reactions", "reach")
    })


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, request) -> Store:
    store = make_small_store(tmp_path_factory.mktemp("summaries"), "s.duckdb")
    orgs = [r[0] for r in store.rows("SELECT organisation_id FROM organisations ORDER BY organisation_id LIMIT 2")]
    with store.writer(permit()) as cur:
        import_id = cur.execute("INSERT INTO imports (source_kind) VALUES ('manual') RETURNING import_id").fetchone()[0]
        # accounts 0 and 1 belong to the first organisation (rolled up), 2 to the second
        for position, org in enumerate([orgs[0], orgs[0], orgs[1]]):
            cur.execute("INSERT INTO accounts (organisation_id, platform, name, import_id) VALUES (?, 'facebook', ?, ?)",
                        [org, f"page {position}", import_id])
    store.orgs, store.import_id = orgs, import_id  # type: ignore[attr-defined]
    yield store
    store.close()


def _write(store: Store, data: dict) -> list[int]:
    accounts = [r[0] for r in store.rows("SELECT account_id FROM accounts ORDER BY account_id")]
    with store.writer(permit()) as cur:
        cur.execute("DELETE FROM period_values")
        cur.execute("DELETE FROM account_daily")
        daily, periods = [], []
        for (position, measure), rows in data.items():
            for start, end, value in rows:
                if start == end and position == 2:  # the third page's days come as a daily series
                    daily.append([accounts[position], measure, start, value, store.import_id])
                else:
                    periods.append([accounts[position], measure, start, end, value, store.import_id])
        if daily:
            cur.executemany("INSERT INTO account_daily VALUES (?, ?, ?, ?, ?, NULL)", daily)
        if periods:
            cur.executemany("INSERT INTO period_values VALUES (?, ?, ?, ?, ?, ?, NULL)", periods)
        summaries.refresh(cur)
    return accounts


def _summary_periods():
    calendar = [*periods_between("week", FIRST - timedelta(days=7), LAST + timedelta(days=7)),
                *periods_between("month", FIRST, LAST), *periods_between("quarter", FIRST, LAST),
                year_period(2024), year_period(2025)]
    weeks = [whole_weeks(p) for p in calendar if p.kind != "week"]
    found = list({(p.start, p.end): p for p in [*calendar, *weeks]}.values())
    assert all(is_summary_period(p) for p in found)
    return found


def _same(fast: pd.DataFrame, general: pd.DataFrame) -> None:
    fast, general = fast.convert_dtypes(), general.convert_dtypes()
    assert list(fast.columns) == list(general.columns)
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), general.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=_dataset())
def test_summaries_give_the_rows_of_the_general_query(store: Store, data: dict):
    accounts = _write(store, data)
    assert summaries.stale_rows(store).empty
    periods = _summary_periods()
    for unit, ids in (("organisation", store.orgs), ("account", accounts)):
        fast = store.frame(query.summary_metric_sql(unit, METRIC_IDS), query.summary_params(ids, "facebook", periods))
        general = store.frame(query.METRIC_SQL if unit == "organisation" else query.ACCOUNT_METRIC_SQL,
                              query.metric_params(ids, "facebook", periods))
        _same(fast, general)
    # and a subset of metrics is the same columns of the same rows
    subset = ("posts_per_month", "followers_change_pct")
    chosen = query.metric_table(store, store.orgs, "facebook", periods, metrics=subset)
    full = query.metric_table(store, store.orgs, "facebook", periods)
    _same(chosen, full[list(chosen.columns)])


def test_a_hand_computed_whole_week_quarter(put_values):
    """13 weeks of posts, one of them 0, and followers that drop: Q1 2025 as weeks 1..13."""
    account = put_values.account("Region Skåne")
    q1 = whole_weeks(quarter_period(date(2025, 1, 1)))  # 2024-12-30 .. 2025-03-30
    monday = q1.start - timedelta(weeks=1)
    for week in range(14):
        start = monday + timedelta(weeks=week)
        put_values.period(account, start.isoformat(), (start + timedelta(days=6)).isoformat(),
                          posts=0 if week == 5 else week, followers=1000 - 3 * week)
    row = query.metric_table(put_values.store, [put_values.org_id("Region Skåne")], "facebook", [q1]).iloc[0]
    assert row["posts"] == sum(range(1, 14)) - 5  # weeks 1..13, the fifth of them empty
    assert row["followers"] == 1000 - 3 * 13
    assert row["followers_change"] == -39
    stored = put_values.store.rows("SELECT posts, followers_end, followers_start FROM period_summaries "
                                   "WHERE period_start = ? AND period_end = ?", [q1.start, q1.end])
    assert stored == [(86, 961, 1000)]


def test_a_day_stored_twice_counts_once_in_both_paths(put_values):
    """A one-day period row and a daily row for the same day: the daily value, not the sum."""
    account = put_values.account("Region Skåne")
    week = "2025-03-03", "2025-03-09"
    for offset in range(7):
        put_values.day(account, (date(2025, 3, 3) + timedelta(days=offset)).isoformat(), posts=1)
    put_values.period(account, "2025-03-05", "2025-03-05", posts=40)
    org = put_values.org_id("Region Skåne")
    period = periods_between("week", date.fromisoformat(week[0]), date.fromisoformat(week[1]))[0]
    fast = query.metric_table(put_values.store, [org], "facebook", [period]).iloc[0]
    general = put_values.store.frame(query.METRIC_SQL, query.metric_params([org], "facebook", [period])).iloc[0]
    assert fast["posts"] == general["posts"] == 7


def test_the_demo_load_writes_summaries(demo_store):
    """(Its removal is checked in tests/unit/test_demo.py.)"""
    account = demo_store.scalar("SELECT min(account_id) FROM period_values WHERE measure = 'posts'")
    # the demo is monthly: a quarter's posts are the sum of its three months
    months = demo_store.scalar("SELECT sum(value) FROM period_values WHERE account_id = ? AND measure = 'posts' "
                               "AND period_start >= DATE '2024-07-01' AND period_end <= DATE '2024-09-30'", [account])
    assert months and demo_store.scalar("SELECT posts FROM period_summaries WHERE account_id = ? "
                                        "AND period_start = DATE '2024-07-01' AND period_end = DATE '2024-09-30'",
                                        [account]) == months


def test_an_import_and_its_undo_keep_the_summaries_current(small_store):
    from benchmark import imports

    template = ("organisation,platform,period,followers,posts\n"
                "Region Skåne,facebook,2025-07,1000,4\nRegion Skåne,facebook,2025-08,1010,5\n"
                "Region Skåne,facebook,2025-09,1030,6\n")
    result = imports.commit_import(small_store, imports.plan_import(small_store, "q3.csv", template.encode()), actor=ADMIN)
    assert small_store.rows("SELECT posts, followers_end FROM period_summaries "
                            "WHERE period_start = DATE '2025-07-01' AND period_end = DATE '2025-09-30'") == [(15, 1030)]
    assert summaries.stale_rows(small_store).empty
    again = "organisation,platform,period,posts\nRegion Skåne,facebook,2025-08,50\n"
    later = imports.commit_import(small_store, imports.plan_import(small_store, "fix.csv", again.encode()), actor=ADMIN)
    assert small_store.scalar("SELECT posts FROM period_summaries WHERE period_start = DATE '2025-07-01' "
                              "AND period_end = DATE '2025-09-30'") == 60
    imports.undo_import(small_store, later.import_id, actor=ADMIN)
    assert small_store.scalar("SELECT posts FROM period_summaries WHERE period_start = DATE '2025-07-01' "
                              "AND period_end = DATE '2025-09-30'") == 15
    imports.undo_import(small_store, result.import_id, actor=ADMIN)
    assert small_store.scalar("SELECT count(*) FROM period_summaries") == 0
    assert summaries.stale_rows(small_store).empty


def test_a_rebuild_in_large_batches_loses_no_row(demo_db_copy, monkeypatch):
    """Batches of more than one row group each (DuckDB 2.0.0 once emptied a table that took a second
    large INSERT in one transaction): the rebuilt table equals the one the demo load wrote."""
    monkeypatch.setattr(summaries, "BATCH_ACCOUNTS", 1500)
    with Store(demo_db_copy) as store:
        before = store.rows("SELECT count(*), count(DISTINCT account_id), sum(hash(account_id, period_start, "
                            "period_end, posts, followers_end)) FROM period_summaries")[0]
        assert before[0] > 2 * 122_880 and before[1] > 3000
        with store.writer(permit()) as cur:
            assert summaries.refresh(cur) == before[0]
        after = store.rows("SELECT count(*), count(DISTINCT account_id), sum(hash(account_id, period_start, "
                           "period_end, posts, followers_end)) FROM period_summaries")[0]
        assert after == before


def test_a_rebuild_of_a_database_without_accounts_writes_nothing(small_store):
    with small_store.writer(permit()) as cur:
        assert summaries.refresh(cur) == 0
        assert summaries.refresh(cur, []) == 0
    assert small_store.scalar("SELECT count(*) FROM period_summaries") == 0
