"""The views' fast paths give exactly what the straightforward versions give.

On generated weekly data (gaps, weeks without posts, follower drops, reach for one page; an
organisation with real and demo pages, one with demo pages only, one with none, a real page linked
to no organisation), compared with references written the plain way:

* the lookup in `period_summaries` (`query.summary_metric_sql`, parsed once by `query.parsed`)
  against the general query (`query.METRIC_SQL`, run as text), which evaluates the rules over the
  stored observations;
* each view (watch table with its trend, ranking with its summary line, profile, group summary)
  against a version built with pandas on the general query's rows.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from benchmark import query, summaries, views
from benchmark.groups import PeerGroup
from benchmark.metrics import METRICS_BY_ID, WATCH_METRICS
from benchmark.periods import (
    custom_period,
    is_summary_period,
    month_period,
    quarter_period,
    week_period,
    whole_weeks,
)
from benchmark.registry import get_organisation
from benchmark.store import Store
from tests.actors import permit
from tests.conftest import make_small_store

FIRST_MONDAY = date(2024, 5, 27)  # 2024-W22; 62 weeks, to Sunday 2025-08-03
WEEK_COUNT = 62
# (organisation, platform, page name, demo page)
PAGES = [
    ("Region Örebro län", "facebook", "Örebro main", False),
    ("Region Örebro län", "facebook", "Örebro health", False),
    ("Region Örebro län", "facebook", "Örebro demo", True),  # replaced by the real pages
    ("Region Skåne", "facebook", "Skåne demo 1", True),  # demo pages only: shown, as demo
    ("Region Skåne", "facebook", "Skåne demo 2", True),
    ("Örebro", "facebook", "Örebro kommun", False),
    ("Laxå", "facebook", "Laxå kommun", False),
    (None, "facebook", "Unlinked page", False),  # a real page no organisation has claimed yet
    ("Polismyndigheten", "instagram", "Polisen", False),  # nothing on facebook; Gotland has no page
]
QUARTERS = [whole_weeks(quarter_period(date(2024, m, 1))) for m in (7, 10)] + \
           [whole_weeks(quarter_period(date(2025, m, 1))) for m in (1, 4)]
MONTHS = [whole_weeks(month_period(date(2024 + (m > 12), (m - 1) % 12 + 1, 1))) for m in range(6, 20)]
SUMMARY_PERIODS = [
    *QUARTERS, *MONTHS,
    week_period(date(2024, 12, 30)), week_period(date(2025, 3, 10)),
    month_period(date(2025, 3, 1)), quarter_period(date(2025, 1, 1)),  # calendar: weeks do not cover them
]
RANKED_METRICS = ("engagement_rate_by_follower", "followers_change_pct", "posts", "engagements_per_post",
                  "followers_per_1000_inhabitants", "interaction_rate")


def _write(store: Store, seed: int) -> None:
    rng = random.Random(seed)
    orgs = dict(store.rows("SELECT name, organisation_id FROM organisations"))
    with store.writer(permit()) as cur:
        import_id = cur.execute("INSERT INTO imports (source_kind) VALUES ('manual') RETURNING import_id").fetchone()[0]
        rows = []
        for organisation, platform, name, demo in PAGES:
            account = cur.execute(
                "INSERT INTO accounts (organisation_id, platform, name, is_demo, import_id) VALUES (?, ?, ?, ?, ?) "
                "RETURNING account_id", [orgs.get(organisation), platform, name, demo, import_id]).fetchone()[0]
            followers = rng.randint(0, 20_000)
            gaps = 0.15 if name == "Laxå kommun" else 0.01
            for week in range(WEEK_COUNT):
                followers = max(0, followers + rng.randint(-300, 400))  # drops happen
                if rng.random() < gaps:
                    continue
                start = FIRST_MONDAY + timedelta(weeks=week)
                posts = rng.choice([0, 0, 1, 2, 5, 11])
                measures = {"followers": followers, "posts": posts, "reactions": posts * rng.randint(0, 40),
                            "comments": posts * rng.randint(0, 3), "shares": rng.randint(0, 4) * (posts > 0)}
                if name == "Laxå kommun" and week > WEEK_COUNT // 2:
                    measures = {"followers": followers}  # only followers later on
                if name == "Örebro main":
                    measures["reach"] = rng.randint(100, 90_000)
                rows += [[account, m, start, start + timedelta(days=6), v, import_id] for m, v in measures.items()]
        cur.executemany("INSERT INTO period_values VALUES (?, ?, ?, ?, ?, ?, NULL)", rows)
        summaries.refresh(cur)


@pytest.fixture(scope="module", params=[6, 25])
def store(tmp_path_factory: pytest.TempPathFactory, request) -> Store:
    store = make_small_store(tmp_path_factory.mktemp("fast-paths"), "fast.duckdb")
    _write(store, request.param)
    yield store
    store.close()


def _ids(store: Store) -> dict[str, int]:
    return dict(store.rows("SELECT name, organisation_id FROM organisations"))


def _everyone(store: Store) -> PeerGroup:
    ids = tuple(sorted(_ids(store).values()))
    return PeerGroup(spec="test", label="every organisation", type="test", organisation_ids=ids)


def general(store: Store, ids, periods) -> pd.DataFrame:
    """The reference: the general query over the stored observations, as SQL text."""
    return store.frame(query.METRIC_SQL, query.metric_params(list(ids), "facebook", list(periods))).convert_dtypes()


def _floats(values) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def _same_floats(fast, reference) -> None:
    fast, reference = _floats(fast), _floats(reference)
    assert [v is None for v in fast] == [v is None for v in reference]
    assert [v for v in fast if v is not None] == pytest.approx([v for v in reference if v is not None], rel=1e-12)


# -- the lookup ---------------------------------------------------------------------------------------------
def test_the_data_is_as_the_module_says(store):
    pages = dict(store.rows("SELECT o.name, count(*) FROM accounts a JOIN organisations o USING (organisation_id) "
                            "WHERE a.platform = 'facebook' GROUP BY ALL"))
    assert pages == {"Region Örebro län": 3, "Region Skåne": 2, "Örebro": 1, "Laxå": 1}
    assert all(is_summary_period(p) for p in SUMMARY_PERIODS)
    assert summaries.stale_rows(store).empty


@pytest.mark.parametrize("metrics", [None, (*WATCH_METRICS, "followers_change"), ("reach", "reach_per_post"),
                                     ("engagement_rate_by_follower", *views.SUMMARY_METRICS), ("followers",)])
def test_the_lookup_gives_the_rows_of_the_general_query(store, metrics):
    ids = list(_ids(store).values())
    fast = query.metric_table(store, ids, "facebook", SUMMARY_PERIODS, metrics=metrics).convert_dtypes()
    reference = general(store, ids, SUMMARY_PERIODS)[list(fast.columns)]
    assert len(fast) == len(ids) * len(SUMMARY_PERIODS)
    pd.testing.assert_frame_equal(fast, reference, check_dtype=False, check_exact=False, rtol=1e-12)
    # the rule for demo pages: real pages only where there are any, demo pages where there are none
    pages = fast[fast["period"] == QUARTERS[0].label].set_index("organisation")
    assert pages.loc["Region Örebro län", "pages"] == 2 and not pages.loc["Region Örebro län", "is_demo"]
    assert pages.loc["Region Skåne", "pages"] == 2 and pages.loc["Region Skåne", "is_demo"]
    assert pages.loc["Region Gotland", "pages"] == 0
    assert pages.loc["Region Gotland", list(fast.columns[11:])].isna().all()


def test_the_lookup_of_single_pages_gives_the_rows_of_the_general_query(store):
    accounts = [r[0] for r in store.rows("SELECT account_id FROM accounts ORDER BY account_id")]
    fast = query.account_metric_table(store, accounts, "facebook", SUMMARY_PERIODS).convert_dtypes()
    reference = store.frame(query.ACCOUNT_METRIC_SQL, query.metric_params(accounts, "facebook", SUMMARY_PERIODS))
    reference = reference.convert_dtypes().rename(columns={"organisation_id": "account_id", "organisation": "account"})
    pd.testing.assert_frame_equal(fast, reference[list(fast.columns)], check_dtype=False, check_exact=False, rtol=1e-12)


def test_a_parsed_statement_gives_the_rows_of_its_text_from_any_thread(store):
    ids = list(_ids(store).values())
    sql = query.summary_metric_sql("organisation", ("followers", "posts"))
    assert query.parsed(sql) is query.parsed(sql)  # parsed once
    params = query.summary_params(ids, "facebook", QUARTERS)
    expected = store.rows(sql, params)
    results, errors = [], []

    def run() -> None:
        try:
            for _ in range(5):
                with store.reader() as cur:
                    results.append(cur.execute(query.parsed(sql), params).fetchall())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 20
    assert all(result == expected for result in results)


# -- the views against plain versions -------------------------------------------------------------------------
def reference_watch(store: Store, own_id: int, watched: list[int], period) -> dict:
    ids = list(dict.fromkeys([own_id, *watched]))
    rows = general(store, ids, [period]).set_index("organisation_id")
    followers = rows["followers"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    order = sorted(range(len(rows)), key=lambda i: (rows.index[i] != own_id,
                                                    -followers[i] if not np.isnan(followers[i]) else np.inf,
                                                    rows["organisation"].iloc[i]))
    rows = rows.iloc[order]
    trend = {org: [] for org in rows.index}
    for month in views.trend_months(period):
        at_end = general(store, ids, [month]).set_index("organisation_id")["followers"]
        for org in trend:
            trend[org].append(None if pd.isna(at_end[org]) else float(at_end[org]))
    shown = rows[list(WATCH_METRICS)].notna().any(axis=1)
    return {
        "organisation_id": list(rows.index), "pages": list(rows["pages"]), "is_demo": list(rows["is_demo"]),
        **{m: _floats(rows[m]) for m in (*WATCH_METRICS, "followers_change")},
        "follower_trend": [t if any(v is not None for v in t) else None for t in trend.values()],
        "status": ["" if s else views.NO_DATA for s in shown],
    }


@pytest.mark.parametrize("case", ["weeks-quarter", "early-quarter", "custom-month", "calendar-quarter"])
def test_the_watch_table_is_the_plain_version(store, case):
    ids = _ids(store)
    own = get_organisation(store, ids["Region Örebro län"])
    watched = [i for name, i in ids.items() if name != "Region Örebro län"]
    last_month = views.trend_months(QUARTERS[3])[-1]
    period = {"weeks-quarter": QUARTERS[3], "early-quarter": QUARTERS[0],
              # a custom range with the dates of a trend month: one set of rows, labelled as the period
              "custom-month": custom_period(last_month.start, last_month.end),
              "calendar-quarter": quarter_period(date(2025, 1, 1))}[case]
    table = views.watch_table(store, own, watched, "facebook", period)
    frame = table.frame
    expected = reference_watch(store, own.organisation_id, watched, period)
    assert list(frame["organisation_id"]) == expected["organisation_id"]
    assert set(frame["period"]) == {period.label}
    assert list(frame["pages"]) == expected["pages"] and list(frame["is_demo"]) == expected["is_demo"]
    for metric in (*WATCH_METRICS, "followers_change"):
        _same_floats(frame[metric], expected[metric])
    assert [None if t is None else list(t) for t in frame["follower_trend"]] == expected["follower_trend"]
    assert list(frame["status"]) == expected["status"]
    assert table.rows_with_data == expected["status"].count("")
    if case == "calendar-quarter":
        assert table.rows_with_data == 0  # weekly figures never cover a calendar quarter
    if case == "early-quarter":
        assert any(t is not None and None in t for t in expected["follower_trend"])  # gaps before the data


def reference_ranking(store: Store, group: PeerGroup, period, metric_id: str, own_id: int | None) -> pd.DataFrame:
    ids = list(dict.fromkeys([*group.organisation_ids, *([own_id] if own_id else [])]))
    rows = general(store, ids, [period])
    value = rows[metric_id].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    member = rows["organisation_id"].isin(group.organisation_ids).to_numpy()
    peers = value[member & ~np.isnan(value)]
    higher = METRICS_BY_ID[metric_id].higher_is_better
    ranks, percentiles = [], []
    for v, is_member in zip(value, member, strict=True):
        if np.isnan(v):
            ranks.append(None)
            percentiles.append(None)
            continue
        better = (peers > v).sum() if higher else (peers < v).sum()
        worse = (peers < v).sum() if higher else (peers > v).sum()
        others = len(peers) - int(is_member)
        ranks.append(1 + int(better))
        percentiles.append(100.0 * worse / others if others else None)
    median = float(np.median(peers)) if len(peers) else None
    frame = pd.DataFrame({
        "organisation_id": rows["organisation_id"].astype(int), "organisation": rows["organisation"],
        "rank": ranks, "value": _floats(rows[metric_id]), "percentile": percentiles, "in_group": member,
        "difference_from_median": [None if np.isnan(v) or median is None else v - median for v in value],
        "is_own": rows["organisation_id"] == (own_id or -1), "pages": rows["pages"],
    })
    frame["_rank"] = [np.inf if r is None else r for r in ranks]
    frame = frame.sort_values(["_rank", "in_group", "organisation"], ascending=[True, False, True], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True).assign(peer_median=median)


def reference_summary(store: Store, ids, period) -> dict:
    rows = general(store, ids, [period])
    per_month = rows["posts_per_month"].dropna().astype(float)
    followers = rows["followers"].astype("Float64")
    growth = rows["followers_change_pct"].astype("Float64")
    change = rows["followers_change"].astype("Float64")
    losing = rows.assign(change=change)[change.fillna(0) < 0].sort_values("change", kind="stable")
    return {
        "members": len(rows), "with_data": int((followers.notna() | rows["posts"].notna()).sum()),
        "avg_posts_per_month": float(per_month.mean()) if len(per_month) else None,
        "median_posts_per_month": float(per_month.median()) if len(per_month) else None,
        "largest_page": rows["organisation"][followers.idxmax()] if followers.notna().any() else None,
        "largest_followers": int(followers.max()) if followers.notna().any() else None,
        "fastest_growth": rows["organisation"][growth.idxmax()] if growth.notna().any() else None,
        "fastest_growth_pct": float(growth.max()) if growth.notna().any() else None,
        "lost_followers": list(losing["organisation"]),
    }


def _same_summary(fast, expected: dict) -> None:
    fast = asdict(fast)
    assert fast.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, float):
            assert fast[key] == pytest.approx(value, rel=1e-12), key
        else:
            assert fast[key] == value, key


@pytest.mark.parametrize("metric_id", RANKED_METRICS)
@pytest.mark.parametrize("outsider", [False, True])
def test_the_ranking_and_its_summary_line_are_the_plain_version(store, metric_id, outsider):
    ids = _ids(store)
    everyone = _everyone(store)
    # with an outsider: your organisation is placed among a group it is not in, moving nobody
    members = tuple(i for i in everyone.organisation_ids if not outsider or i != ids["Region Örebro län"])
    group = PeerGroup(spec="test", label="test", type="test", organisation_ids=members)
    for period in QUARTERS:
        result = views.ranking(store, group, "facebook", period, metric_id, ids["Region Örebro län"])
        frame = result.frame
        expected = reference_ranking(store, group, period, metric_id, ids["Region Örebro län"])
        assert list(frame["organisation_id"]) == list(expected["organisation_id"])
        assert [None if pd.isna(r) else int(r) for r in frame["rank"]] == \
            [None if pd.isna(r) else int(r) for r in expected["rank"]]
        for column in ("value", "percentile", "difference_from_median"):
            _same_floats(frame[column], expected[column])
        assert list(frame["in_group"]) == list(expected["in_group"])
        assert list(frame["is_own"]) == list(expected["is_own"])
        assert set(frame["platform"]) == {"facebook"} and set(frame["period"]) == {period.label}
        median = expected["peer_median"].iloc[0]
        assert (result.peer_median is None) == (median is None or pd.isna(median))
        if result.peer_median is not None:
            assert result.peer_median == pytest.approx(median, rel=1e-12)
        _same_summary(result.summary, reference_summary(store, members, period))


def test_the_group_summary_is_the_plain_version(store):
    group = _everyone(store)
    for period in [*QUARTERS, *MONTHS]:
        _same_summary(views.group_summary(store, group, "facebook", period),
                      reference_summary(store, group.organisation_ids, period))


@pytest.mark.parametrize("metric_id", RANKED_METRICS)
def test_the_profile_is_the_plain_version(store, metric_id):
    ids = _ids(store)
    own = get_organisation(store, ids["Laxå"])
    group = _everyone(store)
    frame = views.profile(store, own, group, "facebook", metric_id, MONTHS).frame
    rows = general(store, list(dict.fromkeys([own.organisation_id, *group.organisation_ids])), MONTHS)
    counts = []
    for i, period in enumerate(MONTHS):
        these = rows[rows["period"] == period.label]
        peers = these[these["organisation_id"].isin(group.organisation_ids)]
        known = peers[metric_id].dropna().astype(float).to_numpy()
        q1, median, q3 = np.quantile(known, [0.25, 0.5, 0.75]) if len(known) else (None,) * 3
        mine = these[these["organisation_id"] == own.organisation_id].iloc[0]
        got = frame.iloc[i]
        assert got["period"] == period.label and got["period_start"] == pd.Timestamp(period.start)
        _same_floats([got["value"], got["peer_median"], got["peer_q1"], got["peer_q3"]],
                     [mine[metric_id], median, q1, q3])
        assert got["peers_with_data"] == len(known)
        assert got["is_demo"] == bool(mine["is_demo"] or peers["is_demo"].any())
        counts.append(len(known))
    assert len(frame) == len(MONTHS)
    assert len(set(counts)) > 1  # peers with and without a value: the bands take each period's own
