"""The demo data: deterministic, flagged, removable, and calibrated to the published facts."""

import pandas as pd
import pytest

from benchmark.demo import generate, load_demo, remove_demo
from benchmark.groups import resolve_group
from benchmark.periods import parse_period
from benchmark.query import metric_table
from tests.actors import ADMIN, permit


def group_table(store, spec, period, platform="facebook"):
    return metric_table(store, resolve_group(store, spec).organisation_ids, platform, [parse_period(period)])


def test_generation_is_deterministic(demo_store):
    orgs = demo_store.frame("SELECT organisation_id, name, kind, country, population FROM organisations")
    first, second = generate(orgs), generate(orgs.sample(frac=1, random_state=1))  # input order does not matter
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


@pytest.mark.parametrize(
    ("spec", "period", "published", "tolerance"),
    [
        # Kommunikationsanalys, average Facebook posts per month in the sector
        ("region:SE", "2021", 32, 3),
        ("region:SE", "2022-Q3", 21, 3),
        ("municipality:SE", "2022-Q3", 24, 3),
        ("agency:SE", "2022-Q3", 9, 2.5),
    ],
)
def test_posting_rhythm_matches_the_published_averages(demo_store, spec, period, published, tolerance):
    average = group_table(demo_store, spec, period)["posts_per_month"].dropna().mean()
    assert abs(average - published) <= tolerance


def test_published_largest_pages_and_most_active_agency(demo_store):
    regions = group_table(demo_store, "region:SE", "2022-Q3").dropna(subset=["followers"])
    largest = regions.sort_values("followers", ascending=False).iloc[0]
    assert largest["organisation"] == "Region Skåne"
    assert 73_000 <= largest["followers"] <= 74_000          # "drygt 73 000"
    agencies = group_table(demo_store, "agency:SE", "2022-Q3").dropna(subset=["followers"])
    police = agencies.loc[agencies["organisation"] == "Polismyndigheten", "followers"].iloc[0]
    assert 381_000 <= police <= 382_000                       # "drygt 381 000"
    assert agencies.sort_values("posts", ascending=False).iloc[0]["organisation"].startswith("Sveriges meteorologiska")


def test_followers_scale_with_population_yet_engagement_is_not_monotone(demo_store):
    municipalities = group_table(demo_store, "municipality:SE", "2024-Q3").dropna(subset=["followers"])
    spearman = municipalities[["followers", "population"]].astype(float).corr(method="spearman").iloc[0, 1]
    assert spearman > 0.8
    by_size = municipalities.sort_values("followers", ascending=False)
    assert by_size.iloc[0]["organisation"] != by_size.sort_values("engagement_rate_by_follower").iloc[-1]["organisation"]
    assert (municipalities["followers_change"] < 0).sum() >= 5   # some pages lose followers


def test_post_rows_add_up_to_the_monthly_totals(demo_store):
    mismatches = demo_store.rows(
        """
        WITH p AS (
            SELECT account_id, date_trunc('month', published_at)::DATE AS month, count(*) AS posts,
                   sum(reactions) AS reactions, sum(comments) AS comments, sum(shares) AS shares
            FROM posts GROUP BY ALL)
        SELECT p.account_id, p.month FROM p
        JOIN period_values v ON v.account_id = p.account_id AND v.period_start = p.month AND v.measure = 'posts'
        JOIN period_values r ON r.account_id = p.account_id AND r.period_start = p.month AND r.measure = 'reactions'
        WHERE v.period_end = last_day(p.month) AND r.period_end = last_day(p.month)
          AND (v.value <> p.posts OR r.value <> p.reactions)
        """
    )
    assert demo_store.scalar("SELECT count(*) FROM posts") > 500
    assert mismatches == []


def test_every_demo_row_is_flagged(demo_store):
    assert demo_store.scalar("SELECT count(*) FROM accounts WHERE NOT is_demo") == 0
    assert demo_store.scalar(
        "SELECT count(*) FROM period_values v JOIN imports i USING (import_id) WHERE NOT i.is_demo") == 0


def test_remove_and_reload(demo_db_copy):
    from benchmark.store import Store

    with Store(demo_db_copy) as store:
        organisations = store.scalar("SELECT count(*) FROM organisations")
        removed = remove_demo(store, actor=ADMIN)
        assert removed > 1_000_000
        for table in ("accounts", "period_values", "posts", "account_daily", "period_summaries"):
            assert store.scalar(f"SELECT count(*) FROM {table}") == 0
        assert store.scalar("SELECT count(*) FROM organisations") == organisations
        assert store.scalar("SELECT count(*) FROM imports WHERE is_demo AND status = 'committed'") == 0
        assert store.integrity_problems() == {}
        counts = load_demo(store, actor=ADMIN)
        assert store.scalar("SELECT count(*) FROM accounts") == counts["accounts"]
        assert store.scalar("SELECT count(DISTINCT account_id) FROM period_summaries") == counts["accounts"]
        assert store.integrity_problems() == {}


@pytest.mark.parametrize("share", [0.5, 1.01], ids=["tables rebuilt", "rows deleted"])
def test_removing_the_demo_keeps_real_rows_summaries_and_keys(demo_db_copy, monkeypatch, share):
    from benchmark import demo, imports, summaries
    from benchmark.store import Store

    monkeypatch.setattr(demo, "REBUILD_SHARE", share)
    upload = ("organisation,platform,period,followers,posts,reactions\n"
              "Region Örebro län,facebook,2026-01,5100,12,340\nRegion Örebro län,facebook,2026-02,5150,9,280\n")
    with Store(demo_db_copy) as store:
        imports.commit_import(store, imports.plan_import(store, "real.csv", upload.encode()), actor=ADMIN)
        real = store.rows("SELECT account_id, measure, period_start, period_end, value FROM period_values v "
                          "JOIN imports i USING (import_id) WHERE NOT i.is_demo ORDER BY ALL")
        assert len(real) == 6
        remove_demo(store, actor=ADMIN)
        assert store.rows("SELECT account_id, measure, period_start, period_end, value FROM period_values "
                          "ORDER BY ALL") == real
        assert store.scalar("SELECT count(*) FROM accounts") == 1
        # The real page's summaries survive and agree with its values: February 2026 as a month.
        assert store.rows("SELECT followers_end, posts FROM period_summaries WHERE period_start = DATE '2026-02-01' "
                          "AND period_end = DATE '2026-02-28'") == [(5150, 9)]
        assert summaries.stale_rows(store).empty
        assert store.integrity_problems() == {}
        # A rebuilt table has its checks again, and its key is still looked after by `benchmark check`
        # (DuckDB holds no index of it: schema.Table.keys_in_database).
        with pytest.raises(Exception, match="(?i)constraint"):
            with store.writer(permit()) as cur:
                cur.execute("INSERT INTO period_values SELECT account_id, measure, period_start, period_end, -1, "
                            "import_id, source_row FROM period_values LIMIT 1")
        with store.writer(permit()) as cur:
            cur.execute("INSERT INTO period_values SELECT * FROM period_values LIMIT 1")
        assert list(store.integrity_problems()) == ["period_values given twice"]
