"""The scale data sets (benchmark/scale.py), at tiny scale: deterministic, complete, plausible, flagged, removable."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from benchmark import scale
from benchmark.bootstrap import build_database
from benchmark.demo import remove_demo
from benchmark.periods import parse_period
from benchmark.query import metric_table
from benchmark.store import Store
from tests.actors import ADMIN

TINY = scale.SCALES["tiny"]
MEASURES = ("followers", "posts", "reactions", "comments", "shares", "reach")


@pytest.fixture(scope="module")
def registry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real registry, no demo data: built once, copied by each test."""
    path = tmp_path_factory.mktemp("scale") / "registry.duckdb"
    build_database(path, with_demo=False)
    return path


@pytest.fixture()
def tiny_store(registry_file: Path, tmp_path: Path):
    target = tmp_path / "tiny.duckdb"
    shutil.copyfile(registry_file, target)
    store = Store(target)
    store.counts = scale.load_scale(store, "tiny", actor=ADMIN)
    yield store
    store.close()


def snapshot(store: Store) -> tuple[list, list]:
    """Every generated value and post, keyed by what stays the same between builds (never ids)."""
    values = store.rows(
        """
        SELECT o.country, o.kind, o.code, a.platform, a.name, v.measure, v.period_start, v.period_end, v.value
        FROM period_values v JOIN accounts a USING (account_id) JOIN organisations o USING (organisation_id)
        ORDER BY ALL
        """
    )
    posts = store.rows(
        """
        SELECT o.code, a.platform, a.name, p.post_id, p.published_at, p.post_type, p.title,
               p.reactions, p.comments, p.shares
        FROM posts p JOIN accounts a USING (account_id) JOIN organisations o USING (organisation_id)
        ORDER BY ALL
        """
    )
    return values, posts


def test_tiny_scale_is_one_year_of_iso_weeks():
    assert TINY.first_day == date(2024, 1, 1) and TINY.first_day.isoweekday() == 1
    assert TINY.last_day == date(2024, 12, 29) and TINY.last_day.isoweekday() == 7
    assert TINY.periods == 52  # 364 days / 7
    assert TINY.measures == MEASURES


def test_two_builds_give_identical_rows(tiny_store, registry_file, tmp_path):
    first = snapshot(tiny_store)
    # Again in the same database (the accounts get new ids) and in a fresh copy.
    scale.load_scale(tiny_store, "tiny", actor=ADMIN)
    assert snapshot(tiny_store) == first
    other = tmp_path / "other.duckdb"
    shutil.copyfile(registry_file, other)
    with Store(other) as store:
        scale.load_scale(store, "tiny", actor=ADMIN)
        assert snapshot(store) == first
    assert len(first[0]) > 10_000 and len(first[1]) > 1_000


def test_row_counts_are_accounts_times_weeks_times_measures(tiny_store):
    accounts = tiny_store.scalar("SELECT count(*) FROM accounts")
    organisations = tiny_store.scalar("SELECT count(DISTINCT organisation_id) FROM accounts")
    assert organisations == 24  # the 21 Swedish regions come first, then three more bodies
    assert tiny_store.scalar(
        "SELECT count(*) FROM organisations o WHERE country = 'SE' AND kind = 'region' "
        "AND organisation_id NOT IN (SELECT organisation_id FROM accounts)") == 0
    assert tiny_store.counts["accounts"] == accounts
    assert tiny_store.counts["values"] == accounts * 52 * 6
    assert tiny_store.scalar("SELECT count(*) FROM period_values") == accounts * 52 * 6
    assert tiny_store.scalar("SELECT count(*) FROM account_daily") == 0
    # Each account: each of the 52 ISO weeks once per measure, Monday to Sunday.
    per_account = tiny_store.rows(
        "SELECT account_id, measure, count(*), count(DISTINCT period_start), min(period_start), max(period_end) "
        "FROM period_values GROUP BY ALL")
    assert len(per_account) == accounts * 6
    assert {r[1] for r in per_account} == set(MEASURES)
    assert all(r[2] == 52 and r[3] == 52 and r[4] == TINY.first_day and r[5] == TINY.last_day for r in per_account)
    assert tiny_store.scalar(
        "SELECT count(*) FROM period_values WHERE isodow(period_start) <> 1 OR period_end <> period_start + 6") == 0


def test_values_are_plausible(tiny_store):
    assert tiny_store.scalar("SELECT min(value) FROM period_values") >= 0
    assert tiny_store.scalar("SELECT min(value) FROM period_values WHERE measure = 'followers'") >= 20
    # A page's followers move one way only (most grow, a few shrink), and never by more than 1 % a week.
    rows = tiny_store.rows(
        """
        WITH f AS (
            SELECT account_id, value, lag(value) OVER (PARTITION BY account_id ORDER BY period_start) AS before
            FROM period_values WHERE measure = 'followers')
        SELECT account_id, min(value - before), max(value - before), max(abs(value - before) / before)
        FROM f WHERE before IS NOT NULL GROUP BY account_id
        """
    )
    assert all(low >= 0 or high <= 0 for _, low, high, _ in rows)
    assert all(step <= 0.01 for *_, step in rows)
    shrinking = sum(1 for _, low, high, _ in rows if high < 0)
    assert 0 < shrinking < len(rows) / 4
    # Around five Facebook posts a week for a region's main page, with some empty weeks.
    posts = tiny_store.rows(
        """
        SELECT avg(v.value), count(*) FILTER (WHERE v.value = 0) FROM period_values v JOIN accounts a USING (account_id)
        JOIN organisations o USING (organisation_id)
        WHERE v.measure = 'posts' AND a.platform = 'facebook' AND o.kind = 'region' AND a.name = o.name
        """
    )[0]
    assert 3 <= posts[0] <= 7 and posts[1] > 0
    # Bigger regions have more followers: Region Skåne (its published anchor) beats Region Gotland.
    followers = dict(tiny_store.rows(
        """
        SELECT o.name, v.value FROM period_values v JOIN accounts a USING (account_id) JOIN organisations o
        USING (organisation_id) WHERE v.measure = 'followers' AND a.platform = 'facebook' AND a.name = o.name
        AND v.period_end = DATE '2024-12-29'
        """
    ))
    assert followers["Region Skåne"] > followers["Region Gotland"]
    assert 70_000 <= followers["Region Skåne"] <= 90_000
    # Engagement comes with posts: no reactions in a week without posts.
    assert tiny_store.scalar(
        """
        SELECT count(*) FROM period_values p JOIN period_values r USING (account_id, period_start)
        WHERE p.measure = 'posts' AND p.value = 0 AND r.measure IN ('reactions', 'comments', 'shares') AND r.value > 0
        """) == 0


def test_posts_add_up_to_the_weekly_figures(tiny_store):
    mismatches = tiny_store.rows(
        """
        WITH p AS (
            SELECT account_id, date_trunc('week', published_at)::DATE AS week, count(*) AS posts,
                   sum(reactions) AS reactions, sum(comments) AS comments, sum(shares) AS shares
            FROM posts GROUP BY ALL),
        w AS (
            SELECT account_id, period_start AS week,
                   max(value) FILTER (WHERE measure = 'posts') AS posts,
                   max(value) FILTER (WHERE measure = 'reactions') AS reactions,
                   max(value) FILTER (WHERE measure = 'comments') AS comments,
                   max(value) FILTER (WHERE measure = 'shares') AS shares
            FROM period_values GROUP BY ALL)
        SELECT * FROM w FULL JOIN p USING (account_id, week)
        WHERE coalesce(p.posts, 0) <> w.posts OR (w.posts > 0 AND (p.reactions <> w.reactions
              OR p.comments <> w.comments OR p.shares <> w.shares))
        """
    )
    assert mismatches == []
    assert tiny_store.scalar("SELECT count(*) FROM posts") == tiny_store.scalar(
        "SELECT sum(value) FROM period_values WHERE measure = 'posts'")


def test_everything_is_flagged_demo_and_removable(tiny_store):
    imports = tiny_store.rows("SELECT source_kind, is_demo, format, status FROM imports WHERE is_demo")
    assert imports == [("demo", True, "scale-tiny-v1", "committed")]
    assert tiny_store.scalar("SELECT count(*) FROM accounts WHERE NOT is_demo") == 0
    for table in ("period_values", "posts"):
        assert tiny_store.scalar(
            f"SELECT count(*) FROM {table} t JOIN imports i USING (import_id) WHERE NOT i.is_demo") == 0
    assert tiny_store.integrity_problems() == {}

    removed = remove_demo(tiny_store, actor=ADMIN)
    assert removed == tiny_store.counts["accounts"] + tiny_store.counts["values"] + tiny_store.counts["posts"]
    for table in ("accounts", "period_values", "account_daily", "posts"):
        assert tiny_store.scalar(f"SELECT count(*) FROM {table}") == 0
    assert tiny_store.rows("SELECT status FROM imports WHERE is_demo") == [("undone",)]
    assert tiny_store.scalar("SELECT count(*) FROM organisations") > 1_000  # the registry stays
    assert tiny_store.integrity_problems() == {}


def test_a_new_scale_replaces_the_monthly_demo(small_store):
    from benchmark.demo import load_demo

    load_demo(small_store, actor=ADMIN)
    assert small_store.rows("SELECT format FROM imports WHERE is_demo AND status = 'committed'") == [("demo-v1",)]
    counts = scale.load_scale(small_store, "tiny", actor=ADMIN)
    assert small_store.rows("SELECT format FROM imports WHERE is_demo AND status = 'committed'") == [("scale-tiny-v1",)]
    assert small_store.scalar("SELECT count(*) FROM period_values") == counts["values"] > 0
    assert small_store.scalar("SELECT count(*) FROM period_values WHERE period_end - period_start <> 6") == 0
    assert small_store.integrity_problems() == {}


def test_a_fully_covered_quarter_sums_its_13_weeks(tiny_store):
    quarter = parse_period("2024-Q1")  # Monday 1 January to Sunday 31 March 2024: 13 ISO weeks
    assert quarter.start.isoweekday() == 1 and quarter.end.isoweekday() == 7 and quarter.days == 91
    weekly = tiny_store.rows(
        """
        SELECT a.organisation_id, a.account_id, v.measure, v.period_start, v.period_end, v.value
        FROM period_values v JOIN accounts a USING (account_id) WHERE a.platform = 'facebook'
        """
    )
    posts: dict[int, int] = {}
    weeks: dict[int, set] = {}
    followers_end: dict[int, int] = {}
    followers_start: dict[int, int] = {}
    for org, account, measure, start, end, value in weekly:
        if measure == "posts" and quarter.start <= start and end <= quarter.end:
            posts[org] = posts.get(org, 0) + value
            weeks.setdefault(account, set()).add(start)
        if measure == "followers" and end == quarter.end:
            followers_end[org] = followers_end.get(org, 0) + value
    assert all(len(w) == 13 for w in weeks.values())
    ids = sorted(posts)
    table = metric_table(tiny_store, ids, "facebook", [quarter]).set_index("organisation_id")
    assert len(table) == len(ids) >= 20
    for org in ids:
        assert table.loc[org, "posts"] == posts[org]
        assert table.loc[org, "followers"] == followers_end[org]
        assert table.loc[org, "pages"] >= 1
        assert bool(table.loc[org, "is_demo"])
    # Followers at the start of 2024-Q1 would be read on Sunday 31 December 2023: before the data.
    assert table["followers_change"].isna().all() and not followers_start
    # The next quarter starts on a Monday as well, and its start is the end of this one.
    q2 = metric_table(tiny_store, ids, "facebook", [parse_period("2024-Q2")]).set_index("organisation_id")
    assert (q2["followers_change"] == q2["followers"] - table["followers"]).all()
    # A calendar quarter that is not made of whole weeks has no additive value (never a partial sum).
    q3 = metric_table(tiny_store, ids, "facebook", [parse_period("2024-Q3")])
    assert q3["posts"].isna().all()


@pytest.mark.parametrize(("name", "minimum"), [("national", 3_000_000), ("xl", 20_000_000)])
def test_the_large_scales_reach_their_size(registry_file, tmp_path, name, minimum):
    """Checked on the account plan alone (no rows written): accounts × periods ≥ the issue's minimum."""
    target = tmp_path / "plan.duckdb"
    shutil.copyfile(registry_file, target)
    spec = scale.SCALES[name]
    with Store(target) as store:
        plan = scale.account_plan(store, name)
        organisations = store.scalar("SELECT count(*) FROM organisations")
    assert plan["organisation_id"].nunique() >= 0.95 * organisations
    assert set(plan["platform"]) == {"facebook", "instagram", "linkedin", "youtube"}
    assert len(plan) * spec.periods >= minimum
    assert plan[["organisation_id", "platform", "name"]].duplicated().sum() == 0
    assert spec.first_day + timedelta(days=spec.periods * spec.step - 1) == spec.last_day
    if spec.grain == "week":
        assert spec.first_day.isoweekday() == 1 and spec.periods == 521
    else:
        assert spec.periods == 3653 and "reach" not in spec.measures
