"""Weekly figures only: whole-week periods in the views and in the metric query, on hand-made weeks."""

from datetime import date, timedelta

import pandas as pd
import pytest

from benchmark import query, views
from benchmark.periods import is_summary_period, parse_period, whole_weeks
from benchmark.registry import resolve_organisation

FIRST_MONDAY = date(2025, 6, 2)  # 2025-W23; the 18 weeks run to Sunday 2025-10-05 (2025-W40)
# One row per week: followers at the week's end, posts, reactions, comments, shares.
WEEKS = [
    (1000, 2, 20, 1, 2),  # 0   06-02..06-08
    (1010, 3, 30, 1, 2),  # 1   06-09..06-15
    (1020, 1, 10, 1, 2),  # 2   06-16..06-22
    (1030, 2, 20, 1, 2),  # 3   06-23..06-29   end of June's whole weeks, the day before Q3's
    (1045, 3, 30, 1, 2),  # 4   06-30..07-06   W27, first week of Q3 (and of July)
    (1060, 0, 0, 0, 0),   # 5   07-07..07-13   no posts
    (1050, 2, 20, 1, 2),  # 6   07-14..07-20   followers drop
    (1070, 4, 40, 1, 2),  # 7   07-21..07-27
    (1080, 1, 10, 1, 2),  # 8   07-28..08-03   end of July's whole weeks
    (1100, 2, 20, 1, 2),  # 9   08-04..08-10
    (1110, 3, 30, 1, 2),  # 10  08-11..08-17
    (1120, 2, 20, 1, 2),  # 11  08-18..08-24
    (1130, 1, 10, 1, 2),  # 12  08-25..08-31   end of August's whole weeks
    (1150, 5, 50, 1, 2),  # 13  09-01..09-07
    (1160, 2, 20, 1, 2),  # 14  09-08..09-14
    (1170, 3, 30, 1, 2),  # 15  09-15..09-21
    (1200, 2, 20, 1, 2),  # 16  09-22..09-28   W39, last week of Q3 (and of September)
    (1210, 4, 40, 1, 2),  # 17  09-29..10-05   W40
]
Q3_WEEKS = whole_weeks(parse_period("2025-Q3"))  # 2025-06-30..2025-09-28, weeks 4..16 above


@pytest.fixture()
def weekly_account(put_values):
    """Region Örebro län's Facebook page with weekly figures only."""
    account = put_values.account("Region Örebro län")
    for i, (followers, posts, reactions, comments, shares) in enumerate(WEEKS):
        monday = FIRST_MONDAY + timedelta(weeks=i)
        put_values.period(account, str(monday), str(monday + timedelta(days=6)), followers=followers,
                          posts=posts, reactions=reactions, comments=comments, shares=shares)
    return account


@pytest.fixture()
def weekly(small_store, weekly_account):
    return small_store


@pytest.fixture()
def orebro(weekly, put_values):
    return put_values.org_id("Region Örebro län")


def test_the_weeks_are_laid_out_as_the_comments_say():
    assert FIRST_MONDAY.isocalendar()[1] == 23
    assert FIRST_MONDAY + timedelta(weeks=4) == Q3_WEEKS.start
    assert FIRST_MONDAY + timedelta(weeks=16, days=6) == Q3_WEEKS.end
    assert FIRST_MONDAY + timedelta(weeks=17, days=6) == date(2025, 10, 5)


# -- weekly_only -------------------------------------------------------------------
def test_weekly_only_with_weeks_alone(weekly):
    assert views.weekly_only(weekly, "facebook")
    assert not views.weekly_only(weekly, "instagram")  # no figures at all


def test_weekly_only_ends_with_one_day(weekly, weekly_account, put_values):
    put_values.day(weekly_account, "2025-10-06", followers=1211)
    assert not views.weekly_only(weekly, "facebook")


def test_weekly_only_ends_with_one_month(weekly, weekly_account, put_values):
    put_values.period(weekly_account, "2025-10-01", "2025-10-31", posts=9)
    assert not views.weekly_only(weekly, "facebook")


def test_weekly_only_ignores_other_platforms(weekly, put_values):
    other = put_values.account("Region Skåne", "instagram")
    put_values.day(other, "2025-07-01", followers=50)
    assert views.weekly_only(weekly, "facebook")
    assert not views.weekly_only(weekly, "instagram")


def test_weekly_only_with_a_seven_day_range_not_monday_to_sunday(small_store, put_values):
    account = put_values.account("Region Skåne")
    put_values.period(account, "2025-07-01", "2025-07-07", posts=3)  # Tuesday to Monday
    assert not views.weekly_only(small_store, "facebook")


# -- default_period ----------------------------------------------------------------
def test_default_period_for_weekly_figures_is_the_last_whole_week_quarter(weekly):
    found = views.data_range(weekly, "facebook")
    assert found == (date(2025, 6, 2), date(2025, 10, 5))
    # Q4's whole weeks (2025-09-29..2025-12-28) end after the data; Q3's lie inside it.
    assert views.default_period(found, weekly=True) == Q3_WEEKS


def test_default_period_for_other_figures_is_the_last_calendar_quarter():
    # Q4 ends after 2025-10-05; Q3 (2025-07-01..2025-09-30) starts after 2025-06-02.
    assert views.default_period((date(2025, 6, 2), date(2025, 10, 5))) == parse_period("2025-Q3")


def test_default_period_when_no_quarter_fits():
    # From 2025-07-15 Q3 starts too early in either form: the month of the last day, as the rule says.
    found = (date(2025, 7, 15), date(2025, 10, 5))
    assert views.default_period(found) == parse_period("2025-10")
    assert views.default_period(found, weekly=True) == whole_weeks(parse_period("2025-10"))
    assert views.default_period(found, weekly=True).label == "2025-W40..2025-W44"


def test_fit_period():
    assert views.fit_period(parse_period("2025-Q3"), weekly=True) == Q3_WEEKS
    assert views.fit_period(parse_period("2025-Q3"), weekly=False) == parse_period("2025-Q3")
    assert views.fit_period(parse_period("2025-W27"), weekly=True) == parse_period("2025-W27")


# -- metric_table ------------------------------------------------------------------
def test_metric_table_for_the_whole_weeks_of_a_quarter(weekly, orebro):
    row = query.metric_table(weekly, [orebro], "facebook", [Q3_WEEKS]).iloc[0]
    assert row["period"] == "2025-W27..2025-W39" and row["pages"] == 1
    assert row["posts"] == 3 + 0 + 2 + 4 + 1 + 2 + 3 + 2 + 1 + 5 + 2 + 3 + 2 == 30
    assert row["followers"] == 1200
    assert row["followers_change"] == 1200 - 1030 == 170
    assert row["followers_change_pct"] == pytest.approx(170 / 1030 * 100)
    # reactions 300, comments 12 and shares 24 (none in the week without posts)
    assert row["engagements"] == 336
    assert row["engagements_per_post"] == pytest.approx(336 / 30)
    assert row["posts_per_month"] == pytest.approx(30 / 91 * 365.25 / 12)


def test_metric_table_for_the_whole_weeks_of_a_month(weekly, orebro):
    row = query.metric_table(weekly, [orebro], "facebook", [whole_weeks(parse_period("2025-07"))]).iloc[0]
    assert (row["posts"], row["followers"], row["followers_change"]) == (3 + 0 + 2 + 4 + 1, 1080, 1080 - 1030)


def test_metric_table_for_the_calendar_quarter_has_no_value(weekly, orebro):
    # Weeks do not cover 2025-07-01..2025-09-30 exactly and none ends on 09-30: no value, never a part.
    row = query.metric_table(weekly, [orebro], "facebook", [parse_period("2025-Q3")]).iloc[0]
    assert row["pages"] == 1
    assert pd.isna(row["posts"]) and pd.isna(row["followers"]) and pd.isna(row["followers_change"])


def test_metric_table_for_a_week_range_that_is_no_calendar(weekly, orebro):
    # Not a summary period, so this goes through METRIC_SQL: weeks 4..7 above.
    period = parse_period("2025-W27..2025-W30")
    row = query.metric_table(weekly, [orebro], "facebook", [period]).iloc[0]
    assert (row["posts"], row["followers"], row["followers_change"]) == (3 + 0 + 2 + 4, 1070, 1070 - 1030)


def _both_paths(store, org_id, periods):
    summary = query.metric_table(store, [org_id], "facebook", periods).convert_dtypes()
    general = store.frame(query.METRIC_SQL, query.metric_params([org_id], "facebook", periods)).convert_dtypes()
    shared = [c for c in general.columns if c in summary.columns]
    return summary[shared].reset_index(drop=True), general[shared].reset_index(drop=True)


def test_summary_and_general_query_agree_on_whole_weeks(weekly, orebro):
    periods = [
        Q3_WEEKS,
        Q3_WEEKS.previous(),
        *[whole_weeks(parse_period(f"2025-{m:02d}")) for m in range(5, 11)],
        parse_period("2025-Q3"),
        parse_period("2025-W27"),
    ]
    assert all(is_summary_period(p) for p in periods)  # else both would be the general query
    summary, general = _both_paths(weekly, orebro, periods)
    assert {"posts", "followers", "followers_change", "engagements", "followers_start"} <= set(summary.columns)
    assert len(summary) == len(periods)
    pd.testing.assert_frame_equal(summary, general, check_dtype=False)


def test_summary_and_general_query_agree_at_the_edge_of_the_data(small_store, put_values):
    # Daily figures from Friday 2025-08-01: July's whole weeks end on Sunday 08-03, inside the data,
    # but calendar July holds no day of it.
    account = put_values.account("Region Skåne")
    for day in range(1, 11):
        put_values.day(account, f"2025-08-{day:02d}", followers=100 + day)
    july = whole_weeks(parse_period("2025-07"))
    summary, general = _both_paths(small_store, put_values.org_id("Region Skåne"), [july])
    assert general["followers"].iloc[0] == 103
    pd.testing.assert_frame_equal(summary, general, check_dtype=False)


# -- watch_table -------------------------------------------------------------------
def test_trend_months_for_whole_weeks(weekly):
    months = views.trend_months(Q3_WEEKS)
    assert len(months) == 12
    assert months[0] == whole_weeks(parse_period("2024-10"))
    assert [m.label for m in months[-4:]] == [
        "2025-W23..2025-W26", "2025-W27..2025-W31", "2025-W32..2025-W35", "2025-W36..2025-W39",
    ]
    assert months[-1].end == Q3_WEEKS.end


def test_watch_table_for_whole_weeks(weekly, orebro):
    own = resolve_organisation(weekly, "Region Örebro län")
    skane = resolve_organisation(weekly, "Region Skåne").organisation_id
    frame = views.watch_table(weekly, own, [skane], "facebook", Q3_WEEKS).frame
    assert frame["organisation"].tolist() == ["Region Örebro län", "Region Skåne"]
    first = frame.iloc[0]
    assert first["period"] == "2025-W27..2025-W39"
    assert (first["followers"], first["posts"], first["engagements"]) == (1200, 30, 336)
    assert first["followers_change_pct"] == pytest.approx(170 / 1030 * 100)
    # Followers at the end of the whole weeks of 2024-10 .. 2025-09: nothing before June's weeks,
    # then the weeks ending 06-29, 08-03, 08-31 and 09-28.
    assert list(first["follower_trend"]) == [None] * 8 + [1030, 1080, 1130, 1200]
    assert frame.iloc[1]["status"] == views.NO_DATA and frame.iloc[1]["follower_trend"] is None
