"""The data behind each page, on hand-made figures."""

import pytest

from benchmark import views
from benchmark.groups import resolve_group
from benchmark.periods import parse_period, periods_between
from benchmark.registry import resolve_organisation
from benchmark.views import NO_DATA


@pytest.fixture()
def regions(small_store, put_values):
    """Three regions; Gotland has no Facebook page. Figures for 2024-Q3 and the months before."""
    orebro = put_values.account("Region Örebro län")
    skane = put_values.account("Region Skåne")
    for month in range(1, 10):
        start, end = f"2024-{month:02d}-01", str(parse_period(f"2024-{month:02d}").end)
        put_values.period(orebro, start, end, followers=1000 + 10 * month, posts=10, reactions=100, comments=0, shares=0)
        put_values.period(skane, start, end, followers=5000 - 10 * month, posts=2, reactions=40, comments=0, shares=0)
    return small_store


def test_watch_table_pins_own_marks_no_data_and_draws_a_trend(regions):
    own = resolve_organisation(regions, "Region Örebro län")
    peers = resolve_group(regions, "region:SE").organisation_ids
    table = views.watch_table(regions, own, peers, "facebook", parse_period("2024-Q3"))
    frame = table.frame
    assert frame["organisation"].tolist() == ["Region Örebro län", "Region Skåne", "Region Gotland"]
    assert frame["is_own"].tolist() == [True, False, False]
    first = frame.iloc[0]
    assert (first["followers"], first["posts"], first["engagements"]) == (1090, 30, 300)
    assert first["followers_change_pct"] == pytest.approx((1090 - 1060) / 1060 * 100)
    assert first["engagement_rate_by_follower"] == pytest.approx(300 / 30 / 1090 * 100)
    assert frame.iloc[2]["status"] == NO_DATA and frame.iloc[2]["pages"] == 0
    assert list(first["follower_trend"])[-3:] == [1070, 1080, 1090]
    assert len(first["follower_trend"]) == 12   # months without data are gaps, not dropped
    assert table.rows_with_data == 2 and not table.shows_demo


def test_ranking_rank_percentile_median(regions):
    group = resolve_group(regions, "region:SE")
    own = resolve_organisation(regions, "Region Örebro län").organisation_id
    result = views.ranking(regions, group, "facebook", parse_period("2024-Q3"), "engagement_rate_by_follower", own)
    frame = result.frame
    # Örebro 300/30/1090 = 0.917 %, Skåne 120/6/4910 = 0.407 %, Gotland no data
    assert frame["organisation"].tolist() == ["Region Örebro län", "Region Skåne", "Region Gotland"]
    assert frame["rank"].tolist()[:2] == [1, 2] and frame["rank"].isna().tolist()[2]
    assert frame["percentile"].tolist()[:2] == [100.0, 0.0]
    median = (300 / 30 / 1090 * 100 + 120 / 6 / 4910 * 100) / 2
    assert result.peer_median == pytest.approx(median)
    assert frame["difference_from_median"].iloc[0] == pytest.approx(300 / 30 / 1090 * 100 - median)
    assert frame["is_own"].tolist() == [True, False, False]


def test_group_summary(regions):
    summary = views.group_summary(regions, resolve_group(regions, "region:SE"), "facebook", parse_period("2024-Q3"))
    assert (summary.members, summary.with_data) == (3, 2)
    assert summary.largest_page == "Region Skåne" and summary.largest_followers == 4910
    assert summary.fastest_growth == "Region Örebro län"
    assert summary.lost_followers == ["Region Skåne"]
    days = 92
    assert summary.avg_posts_per_month == pytest.approx((30 + 6) / 2 / days * 365.25 / 12)


def test_profile_median_and_quartiles(regions, put_values):
    laxa = put_values.account("Laxå")
    orebro_kommun = put_values.account("Örebro")
    for month, (a, b) in enumerate([(100, 300), (110, 330)], start=7):
        end = str(parse_period(f"2024-{month:02d}").end)
        put_values.period(laxa, f"2024-{month:02d}-01", end, followers=a)
        put_values.period(orebro_kommun, f"2024-{month:02d}-01", end, followers=b)
    own = resolve_organisation(regions, "Region Örebro län")
    group = resolve_group(regions, "in:Örebro län")
    months = periods_between("month", parse_period("2024-07").start, parse_period("2024-08").end)
    frame = views.profile(regions, own, group, "facebook", "followers", months).frame
    assert frame["period"].tolist() == ["2024-07", "2024-08"]
    assert frame["value"].tolist() == [1070, 1080]
    assert frame["peer_median"].tolist() == [200, 220]
    assert frame["peer_q1"].tolist() == [150, 165]      # linear interpolation between the two peers
    assert frame["peer_q3"].tolist() == [250, 275]
    assert frame["peers_with_data"].tolist() == [2, 2]


def test_unknown_platform_is_a_named_error(regions):
    from benchmark.errors import NotFoundError

    with pytest.raises(NotFoundError, match="did you mean 'facebook'"):
        views.check_platform("Facebok")


def test_default_period_is_the_last_whole_quarter(regions):
    assert views.default_period(views.data_range(regions)).label == "2024-Q3"
    assert views.default_period(views.data_range(regions, "facebook")).label == "2024-Q3"
    assert views.data_range(regions, "instagram") is None
