"""Metric formulas on hand-computed examples (tiny store, figures typed in below)."""

import math

import pandas as pd
import pytest

from benchmark.errors import NotFoundError
from benchmark.metrics import METRIC_IDS, METRICS, get_metric
from benchmark.periods import parse_period
from benchmark.query import metric_table

REQUIRED_IDS = {
    "followers", "followers_change", "followers_change_pct", "new_followers", "posts", "posts_per_month",
    "engagements", "engagements_per_post", "engagement_rate_by_follower", "interaction_rate", "reach",
    "reach_per_post", "followers_per_1000_inhabitants",
}


def row(store, organisation, period, platform="facebook"):
    org_id = store.scalar("SELECT organisation_id FROM organisations WHERE name = ?", [organisation])
    frame = metric_table(store, [org_id], platform, [parse_period(period)])
    assert len(frame) == 1
    return {k: (None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in frame.iloc[0].to_dict().items()}


def test_the_issue_metric_ids_are_all_defined_once():
    assert REQUIRED_IDS <= set(METRIC_IDS)
    assert len(METRIC_IDS) == len(set(METRIC_IDS))
    for metric in METRICS:
        assert metric.label and metric.formula and metric.explanation and metric.source


def test_unknown_metric_suggests_close_ids():
    with pytest.raises(NotFoundError, match="did you mean 'posts'"):
        get_metric("post")


@pytest.fixture()
def orebro_q3(small_store, put_values):
    """Region Örebro län on Facebook: June–September 2024, monthly."""
    acc = put_values.account("Region Örebro län")
    put_values.period(acc, "2024-06-01", "2024-06-30", followers=1000)
    put_values.period(acc, "2024-07-01", "2024-07-31", followers=1100, posts=20, reactions=200, comments=20, shares=10, new_followers=130)
    put_values.period(acc, "2024-08-01", "2024-08-31", followers=1050, posts=30, reactions=300, comments=30, shares=15, new_followers=10)
    put_values.period(acc, "2024-09-01", "2024-09-30", followers=1200, posts=0, reactions=0, comments=0, shares=0, new_followers=170)
    put_values.period(acc, "2024-07-01", "2024-09-30", reach=5000)
    return small_store


def test_quarter_from_months_by_hand(orebro_q3):
    r = row(orebro_q3, "Region Örebro län", "2024-Q3")
    assert r["followers"] == 1200                      # end of September
    assert r["followers_change"] == 200                # 1200 − 1000 (end of June)
    assert r["followers_change_pct"] == pytest.approx(20.0)
    assert r["new_followers"] == 310                   # 130 + 10 + 170
    assert r["posts"] == 50
    assert r["posts_per_month"] == pytest.approx(50 / 92 * 365.25 / 12)
    assert r["engagements"] == 575                     # (200+300) + (20+30) + (10+15)
    assert r["engagements_per_post"] == pytest.approx(11.5)
    assert r["engagement_rate_by_follower"] == pytest.approx(575 / 50 / 1200 * 100)
    assert r["interaction_rate"] == pytest.approx(575 / 50 / ((1000 + 1200) / 2) * 100)
    assert r["reach"] == 5000                          # reported for exactly this quarter
    assert r["reach_per_post"] == pytest.approx(100.0)
    assert r["followers_per_1000_inhabitants"] == pytest.approx(1200 / 300000 * 1000)


def test_follower_drop_is_negative(orebro_q3):
    r = row(orebro_q3, "Region Örebro län", "2024-08")
    assert r["followers_change"] == -50
    assert r["followers_change_pct"] == pytest.approx(-50 / 1100 * 100)


def test_zero_posts_gives_no_ratio_but_zero_counts(orebro_q3):
    r = row(orebro_q3, "Region Örebro län", "2024-09")
    assert r["posts"] == 0 and r["engagements"] == 0 and r["posts_per_month"] == 0
    assert r["engagements_per_post"] is None
    assert r["engagement_rate_by_follower"] is None
    assert r["interaction_rate"] is None


def test_reach_is_never_summed_from_months(orebro_q3):
    assert row(orebro_q3, "Region Örebro län", "2024-07")["reach"] is None   # only the quarter was reported
    assert row(orebro_q3, "Region Örebro län", "2024")["reach"] is None


def test_partial_coverage_is_unknown_not_a_partial_sum(orebro_q3):
    r = row(orebro_q3, "Region Örebro län", "2024")   # only June–September stored
    assert r["posts"] is None and r["engagements"] is None
    assert r["followers"] is None                     # nothing stored for 31 December
    r = row(orebro_q3, "Region Örebro län", "2024-W30")
    assert r["posts"] is None and r["followers"] is None


def test_missing_start_value_gives_no_change(orebro_q3):
    r = row(orebro_q3, "Region Örebro län", "2024-06")  # nothing for end of May
    assert r["followers"] == 1000
    assert r["followers_change"] is None and r["followers_change_pct"] is None


def test_reported_total_wins_over_sum_of_parts(small_store, put_values):
    acc = put_values.account("Region Skåne")
    put_values.period(acc, "2024-07-01", "2024-07-31", posts=10)
    put_values.period(acc, "2024-08-01", "2024-08-31", posts=10)
    put_values.period(acc, "2024-09-01", "2024-09-30", posts=10)
    put_values.period(acc, "2024-07-01", "2024-09-30", posts=31)  # the platform's own quarter total
    assert row(small_store, "Region Skåne", "2024-Q3")["posts"] == 31
    assert row(small_store, "Region Skåne", "2024-07-01..2024-08-31")["posts"] == 20


def test_daily_series_sum_to_a_custom_range_and_give_stocks(small_store, put_values):
    acc = put_values.account("Örebro")
    for day, posts, followers in [("2024-07-01", 2, 500), ("2024-07-02", 0, 498), ("2024-07-03", 3, 510)]:
        put_values.day(acc, day, posts=posts, followers=followers, reactions=posts * 10, comments=posts, shares=0)
    r = row(small_store, "Örebro", "2024-07-02..2024-07-03")
    assert r["posts"] == 3
    assert r["followers"] == 510 and r["followers_change"] == 10   # 510 − 500 (the level on 1 July)
    assert r["engagements"] == 33
    assert row(small_store, "Örebro", "2024-07-01..2024-07-04")["posts"] is None   # 4 July missing


def test_pages_of_one_organisation_roll_up(small_store, put_values):
    main = put_values.account("Region Skåne", name="Region Skåne")
    jobs = put_values.account("Region Skåne", name="Jobba i Region Skåne")
    put_values.period(main, "2024-07-01", "2024-07-31", followers=7000, posts=10, reactions=100, comments=10, shares=5)
    put_values.period(jobs, "2024-07-01", "2024-07-31", followers=3000, posts=5, reactions=50, comments=0, shares=5)
    r = row(small_store, "Region Skåne", "2024-07")
    assert (r["pages"], r["followers"], r["posts"], r["engagements"]) == (2, 10000, 15, 170)


def test_a_page_without_the_figure_makes_the_roll_up_unknown(small_store, put_values):
    main = put_values.account("Region Skåne", name="Region Skåne")
    jobs = put_values.account("Region Skåne", name="Jobba i Region Skåne")
    put_values.period(main, "2024-07-01", "2024-07-31", followers=7000, posts=10)
    put_values.period(jobs, "2024-07-01", "2024-07-31", followers=3000)
    r = row(small_store, "Region Skåne", "2024-07")
    assert r["followers"] == 10000
    assert r["posts"] is None   # the second page's posts are unknown, not 0


def test_organisation_without_account_is_a_row_of_nothing(small_store):
    r = row(small_store, "Polismyndigheten", "2024-Q3")
    assert r["pages"] == 0 and r["followers"] is None and r["posts"] is None
    assert r["followers_per_1000_inhabitants"] is None   # agencies have no population


def test_other_platforms_are_kept_apart(orebro_q3):
    assert row(orebro_q3, "Region Örebro län", "2024-Q3", platform="instagram")["pages"] == 0
