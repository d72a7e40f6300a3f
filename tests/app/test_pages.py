"""The three dashboard pages through Streamlit's AppTest, on a copy of the demo database.

Widgets are found by their `key`; tables are read with `at.dataframe[0].value`.
Facts the tests need from the database (ids, which pages have no account on a
platform) are read before the app opens the file, so the test never holds a
second connection next to the app's.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmark.demo import DEMO_NOTICE

REPO = Path(__file__).resolve().parents[2]
from tests.known import OREBRO_LAN_MUNICIPALITIES, OWN, SWEDISH_REGIONS
from tests.actors import ADMIN
from tests.app.sessions import signed_in

NO_FIGURES_INFO = "No figures for"


# -- helpers -------------------------------------------------------------------
def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Read the database before the app opens it (read-only, closed again at once)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def org_id(db: Path, name: str, country: str = "SE") -> int:
    rows = query(db, "SELECT organisation_id FROM organisations WHERE name = ? AND country = ?", [name, country])
    assert len(rows) == 1, (name, rows)
    return rows[0][0]


def without_account(db: Path, platform: str, where: str, params: list) -> set[str]:
    """Names of the organisations matching `where` that have no account on `platform`."""
    return {
        r[0]
        for r in query(
            db,
            f"SELECT o.name FROM organisations o JOIN organisation_kinds k USING (organisation_id) WHERE {where} "
            "AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.organisation_id = o.organisation_id AND a.platform = ?)",
            [*params, platform],
        )
    }


def new_app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return at.run()


def assert_page_ok(at: AppTest, title: str, *, demo: bool = True) -> pd.DataFrame:
    """Renders without exception or error, with its title, the demo warning and one table; returns the table."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == [title]
    warnings = [w.value for w in at.warning]
    if demo:
        assert any(DEMO_NOTICE in w for w in warnings), warnings
    else:
        assert not any(DEMO_NOTICE in w for w in warnings), warnings
    assert len(at.dataframe) == 1
    return at.dataframe[0].value


def chart_specs(at: AppTest) -> list[dict]:
    """The Vega-Lite specs of the page's charts (st.altair_chart is a `vega_lite_chart` element in AppTest)."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def plain_names(column: pd.Series) -> list[str]:
    return [n.removeprefix("★ ").removesuffix(" (you)").removesuffix(" (you, not in the group)") for n in column]


# -- Pages to watch ------------------------------------------------------------
def test_watch_page_defaults(benchmark_db):
    own_id = org_id(benchmark_db, OWN)
    at = new_app().run()
    table = assert_page_ok(at, "Pages to watch")
    assert at.selectbox(key="watch.organisation").value == own_id
    assert at.selectbox(key="watch.platform").value == "facebook"
    assert at.selectbox(key="watch.period.kind").value == "quarter"
    assert at.selectbox(key="watch.period.quarter").value == "2025-Q4"  # the latest complete quarter of the demo
    assert [h.value for h in at.subheader] == ["Facebook, 2025-Q4"]
    # Own organisation pinned first and marked, then the 20 other Swedish regions, largest first.
    assert len(table) == 21
    assert table["organisation"].iloc[0] == f"★ {OWN} (you)"
    assert set(table["organisation"].iloc[1:]) == SWEDISH_REGIONS - {OWN}
    assert sum(n.startswith("★") for n in table["organisation"]) == 1
    followers = table["followers"].iloc[1:].tolist()
    assert followers == sorted(followers, reverse=True)
    assert set(table["status"]) == {"✓"}
    assert not at.info
    assert list(table.columns) == [
        "organisation", "followers", "followers_change_pct", "posts", "engagements", "engagements_per_post",
        "engagement_rate_by_follower", "follower_trend", "status",
    ]
    # The 12-month trend ends with the follower count of the period's last month.
    own_row = table.iloc[0]
    assert len(own_row["follower_trend"]) == 12
    assert own_row["follower_trend"][-1] == own_row["followers"]
    # Engagements per post and the engagement rate follow from the other columns.
    assert own_row["engagements_per_post"] == pytest.approx(own_row["engagements"] / own_row["posts"])
    assert own_row["engagement_rate_by_follower"] == pytest.approx(
        100 * own_row["engagements"] / own_row["posts"] / own_row["followers"])
    # The watch list defaults to the other 20 regions.
    assert len(at.multiselect(key=f"watch.members.region:SE.{own_id}").value) == 20
    assert any("21 pages, 21 with figures" in c.value for c in at.caption)


def test_watch_change_organisation_and_period_carries_to_other_pages(benchmark_db):
    skane_id = org_id(benchmark_db, "Region Skåne")
    at = new_app().run()
    first = assert_page_ok(at, "Pages to watch")
    at.selectbox(key="watch.organisation").set_value(skane_id).run()
    table = assert_page_ok(at, "Pages to watch")
    assert table["organisation"].iloc[0] == "★ Region Skåne (you)"
    assert f"★ {OWN} (you)" not in set(table["organisation"])
    assert OWN in set(table["organisation"])
    assert len(table) == 21
    assert table["followers"].iloc[0] != first["followers"].iloc[0]

    at.selectbox(key="watch.period.quarter").set_value("2024-Q3").run()
    q3 = assert_page_ok(at, "Pages to watch")
    assert [h.value for h in at.subheader] == ["Facebook, 2024-Q3"]
    assert q3["organisation"].iloc[0] == "★ Region Skåne (you)"
    for column in ("followers", "posts", "engagements"):
        assert q3[column].tolist() != table.set_index("organisation").loc[q3["organisation"], column].tolist()
    skane_q3 = q3.iloc[0]

    # The ranking page starts from the same organisation and period, and agrees on the figure.
    open_page(at, "pages/ranking.py")
    assert at.selectbox(key="ranking.organisation").value == skane_id
    assert at.selectbox(key="ranking.period.quarter").value == "2024-Q3"
    at.selectbox(key="ranking.metric").set_value("followers").run()
    ranking = assert_page_ok(at, "Peer ranking")
    own_rank = ranking[ranking["organisation"] == "★ Region Skåne (you)"]
    assert own_rank["value"].tolist() == [skane_q3["followers"]]

    # So does the profile page, quarter by quarter.
    open_page(at, "pages/profile.py")
    at.select_slider(key="profile.range.quarter").set_value(("2024-Q2", "2024-Q3")).run()
    profile = assert_page_ok(at, "Organisation profile")
    assert profile["period"].tolist() == ["2024-Q2", "2024-Q3"]
    assert profile["value"].iloc[1] == skane_q3["followers"]
    # Follower change % on the watch page compares with the end of the previous quarter.
    previous = profile["value"].iloc[0]
    assert skane_q3["followers_change_pct"] == pytest.approx(100 * (skane_q3["followers"] - previous) / previous)


def test_watch_week_shows_no_data_for_every_row(benchmark_db):
    at = new_app().run()
    at.selectbox(key="watch.period.kind").set_value("week").run()
    table = assert_page_ok(at, "Pages to watch")
    week = at.selectbox(key="watch.period.week").value
    assert week.startswith("20") and "-W" in week
    assert len(table) == 21  # nobody disappears …
    assert set(table["status"]) == {"no data"}  # … and nobody shows a 0
    assert table[["followers", "posts", "engagements"]].isna().all().all()
    assert table["organisation"].iloc[0] == f"★ {OWN} (you)"
    infos = [i.value for i in at.info]
    assert len(infos) == 1
    assert infos[0].startswith(f"{NO_FIGURES_INFO} {week} on Facebook")
    assert "weeks" in infos[0]


def test_watch_organisation_without_account_shows_no_data(benchmark_db):
    missing = without_account(benchmark_db, "linkedin", "k.kind = 'region' AND o.country = 'SE'", [])
    assert missing, "the demo data should leave some Swedish region without a LinkedIn account"
    assert OWN not in missing
    at = new_app().run()
    at.selectbox(key="watch.platform").set_value("linkedin").run()
    table = assert_page_ok(at, "Pages to watch")
    assert [h.value for h in at.subheader] == ["LinkedIn, 2025-Q4"]
    assert len(table) == 21
    names = plain_names(table["organisation"])
    assert set(names) == SWEDISH_REGIONS
    status = dict(zip(names, table["status"], strict=True))
    assert {n for n, s in status.items() if s == "no data"} == missing
    # Listed last, with empty figures rather than zeros.
    assert set(names[-len(missing):]) == missing
    no_data = table[table["status"] == "no data"]
    assert no_data[["followers", "posts", "engagements"]].isna().all().all()
    assert not at.info  # the others have figures
    assert any(f"21 pages, {21 - len(missing)} with figures" in c.value for c in at.caption)


def test_watch_no_data_rows_have_no_change_pct(benchmark_db):
    at = new_app().run()
    at.selectbox(key="watch.period.kind").set_value("week").run()
    table = assert_page_ok(at, "Pages to watch")
    assert set(table["status"]) == {"no data"}
    assert table["followers_change_pct"].isna().all(), table["followers_change_pct"].tolist()


def test_watch_trend_of_page_without_account_is_not_zero(benchmark_db):
    missing = without_account(benchmark_db, "linkedin", "k.kind = 'region' AND o.country = 'SE'", [])
    at = new_app().run()
    at.selectbox(key="watch.platform").set_value("linkedin").run()
    table = assert_page_ok(at, "Pages to watch")
    rows = table[[n in missing for n in plain_names(table["organisation"])]]
    assert len(rows) == len(missing) > 0
    # Nothing is known about these pages, so they get no line at all (never a line at 0).
    assert rows["follower_trend"].isna().all()
    # A page with figures keeps its line, with real values only.
    own_trend = table["follower_trend"].iloc[0]
    assert own_trend is not None and 0.0 not in [float(v) for v in own_trend if v is not None]


def test_watch_page_for_a_municipality(benchmark_db):
    orebro_id = org_id(benchmark_db, "Örebro")
    at = new_app().run()
    at.selectbox(key="watch.organisation").set_value(orebro_id).run()
    table = assert_page_ok(at, "Pages to watch")
    assert table["organisation"].iloc[0] == "★ Örebro (you)"
    # The watch list starts as every Swedish municipality (289 + Region Gotland, which is both).
    assert len(table) == 290


def test_watch_save_list_and_use_it(benchmark_db):
    own_id = org_id(benchmark_db, OWN)
    at = signed_in(new_app(), "anna").run()  # saving a watch list needs the analyst role
    assert at.selectbox(key="watch.source").options == ["Regions in Sweden (default)"]

    # No name: a plain error, not an exception.
    at.button(key="watch.save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["a watch list needs a name"]

    members = at.multiselect(key=f"watch.members.region:SE.{own_id}")
    kept = sorted(members.value)[:5]
    members.set_value(kept).run()
    assert len(assert_page_ok(at, "Pages to watch")) == 6  # own + 5 watched
    at.text_input(key="watch.save_name").set_value("Mina regioner").run()
    at.button(key="watch.save").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Saved watch list “Mina regioner” with 5 organisations."]

    at.run()  # the next run lists the new watch list as a starting point
    source = at.selectbox(key="watch.source")
    assert source.options == ["Regions in Sweden (default)", "Saved list: Mina regioner"]
    source.set_value("Mina regioner").run()
    table = assert_page_ok(at, "Pages to watch")
    assert len(table) == 6
    assert table["organisation"].iloc[0] == f"★ {OWN} (you)"
    assert sorted(at.multiselect(key=f"watch.members.Mina regioner.{own_id}").value) == kept

    # … and as a peer group on the ranking page.
    open_page(at, "pages/ranking.py")
    group = at.selectbox(key="ranking.group")
    assert "Mina regioner" in group.options
    assert group.value == "region:SE"
    group.set_value("Mina regioner").run()
    ranking = assert_page_ok(at, "Peer ranking")
    assert [h.value for h in at.subheader][0].startswith("Watch list Mina regioner: ")
    assert len(ranking) == 6  # the 5 members and the own organisation
    assert any("of 5 pages in the group" in c.value for c in at.caption)


# -- Peer ranking --------------------------------------------------------------
def test_ranking_page_defaults(benchmark_db):
    at = open_page(new_app(), "pages/ranking.py")
    table = assert_page_ok(at, "Peer ranking")
    assert at.selectbox(key="ranking.group").value == "region:SE"
    assert at.selectbox(key="ranking.metric").value == "engagement_rate_by_follower"
    assert [h.value for h in at.subheader] == ["Regions in Sweden: Engagement rate by follower, Facebook, 2025-Q4"]
    assert list(table.columns) == ["rank", "organisation", "value", "percentile", "peer_median",
                                   "difference_from_median"]
    assert len(table) == 21
    assert set(plain_names(table["organisation"])) == SWEDISH_REGIONS
    assert [n for n in table["organisation"] if n.startswith("★")] == [f"★ {OWN} (you)"]
    # Sorted by rank, best value first.
    ranks = table["rank"].tolist()
    values = table["value"].tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert values == sorted(values, reverse=True)
    assert table["percentile"].iloc[0] == 100 and table["percentile"].iloc[-1] == 0
    median = table["value"].median()
    assert table["peer_median"].tolist() == pytest.approx([median] * 21)
    assert table["difference_from_median"].tolist() == pytest.approx((table["value"] - median).tolist())

    specs = chart_specs(at)
    assert len(specs) == 1
    bars = specs[0]["layer"][0]
    assert bars["mark"]["type"] == "bar"
    order = bars["encoding"]["y"]["sort"]
    assert len(order) == 21
    assert order[0] == f"#1 {table['organisation'].iloc[0]}"
    own_rank = int(table.loc[table["organisation"] == f"★ {OWN} (you)", "rank"].iloc[0])
    assert f"#{own_rank} {OWN}  ◀ you" in order
    summary = " ".join(m.value for m in at.markdown)
    for label in ("Posts per month:", "Largest page:", "Fastest growth:", "Lost followers:"):
        assert label in summary
    assert any("21 of 21 pages in the group have figures for 2025-Q4" in c.value for c in at.caption)


def test_ranking_change_metric_changes_values(benchmark_db):
    at = open_page(new_app(), "pages/ranking.py")
    rates = assert_page_ok(at, "Peer ranking")
    at.selectbox(key="ranking.metric").set_value("posts").run()
    posts = assert_page_ok(at, "Peer ranking")
    assert [h.value for h in at.subheader] == ["Regions in Sweden: Posts, Facebook, 2025-Q4"]
    assert posts["value"].tolist() != rates["value"].tolist()
    assert all(float(v).is_integer() for v in posts["value"])  # counts, where the rate had decimals
    assert not all(float(v).is_integer() for v in rates["value"])
    values = posts["value"].tolist()
    assert values == sorted(values, reverse=True)
    assert posts["rank"].tolist() == [1 + sum(v > x for v in values) for x in values]
    assert posts["percentile"].iloc[0] == 100 and posts["percentile"].iloc[-1] == 0
    # The chart follows the metric.
    bars = chart_specs(at)[0]["layer"][0]
    assert bars["encoding"]["x"]["axis"]["title"] == "Posts"
    assert bars["encoding"]["y"]["sort"][0] == f"#1 {posts['organisation'].iloc[0]}"


def test_ranking_group_within_county(benchmark_db):
    no_facebook = without_account(
        benchmark_db, "facebook", "k.kind = 'municipality' AND o.country = 'SE' AND o.parent_name = ?", ["Örebro län"])
    at = open_page(new_app(), "pages/ranking.py")
    at.selectbox(key="ranking.group").set_value("in:Örebro län").run()
    table = assert_page_ok(at, "Peer ranking")
    assert [h.value for h in at.subheader][0].startswith("Municipalities in Örebro län: ")
    # The 12 municipalities, plus the own region shown (and ranked) next to them.
    assert len(table) == 13
    names = plain_names(table["organisation"])
    assert set(names) == OREBRO_LAN_MUNICIPALITIES | {OWN}
    assert [n for n in table["organisation"] if n.startswith("★")] == [f"★ {OWN} (you, not in the group)"]
    # Municipalities without a Facebook page come last, unranked.
    unranked = table[table["rank"].isna()]
    assert set(plain_names(unranked["organisation"])) == no_facebook
    assert table["rank"].iloc[: 13 - len(no_facebook)].notna().all()
    assert any(f"{12 - len(no_facebook)} of 12 pages in the group" in c.value for c in at.caption)
    assert len(chart_specs(at)) == 1


# -- Organisation profile ------------------------------------------------------
def test_profile_page(benchmark_db):
    at = open_page(new_app(), "pages/profile.py")
    table = assert_page_ok(at, "Organisation profile")
    assert at.selectbox(key="profile.metric").value == "followers"
    slider = at.select_slider(key="profile.range.quarter")
    assert slider.value == ("2023-Q1", "2025-Q4")
    assert slider.options[0] == "2021-Q1" and slider.options[-1] == "2025-Q4"
    # One row per quarter in the chosen range.
    assert table["period"].tolist() == [f"{y}-Q{q}" for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
    assert (table["peers_with_data"] == 21).all()
    assert ((table["peer_q1"] <= table["peer_median"]) & (table["peer_median"] <= table["peer_q3"])).all()
    assert len(chart_specs(at)) == 1

    slider.set_value(("2024-Q1", "2024-Q4")).run()
    followers = assert_page_ok(at, "Organisation profile")
    assert followers["period"].tolist() == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert followers["value"].tolist() == table.set_index("period").loc[followers["period"], "value"].tolist()

    at.selectbox(key="profile.metric").set_value("posts").run()
    posts = assert_page_ok(at, "Organisation profile")
    assert posts["period"].tolist() == followers["period"].tolist()
    assert posts["value"].tolist() != followers["value"].tolist()
    assert [h.value for h in at.subheader][0].startswith(f"{OWN}: Posts on Facebook")

    # Monthly: the quarter's posts are the sum of its months.
    at.selectbox(key="profile.grain").set_value("month").run()
    at.select_slider(key="profile.range.month").set_value(("2024-01", "2024-03")).run()
    months = assert_page_ok(at, "Organisation profile")
    assert months["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert months["value"].sum() == posts["value"].iloc[0]


def test_profile_subheader_names_the_group(benchmark_db):
    at = open_page(new_app(), "pages/profile.py")
    assert_page_ok(at, "Organisation profile")
    assert [h.value for h in at.subheader] == [f"{OWN}: Followers on Facebook, against Regions in Sweden"]
    at.selectbox(key="profile.group").set_value("in:Örebro län").run()
    table = assert_page_ok(at, "Organisation profile")
    assert [h.value for h in at.subheader] == [f"{OWN}: Followers on Facebook, against Municipalities in Örebro län"]
    assert (table["peers_with_data"] <= 12).all()  # the peers are now the county's 12 municipalities


# -- a database that cannot be opened -------------------------------------------
@pytest.mark.parametrize("page, title", [
    (None, "Pages to watch"), ("pages/ranking.py", "Peer ranking"), ("pages/profile.py", "Organisation profile"),
])
def test_unopenable_database_shows_plain_error(tmp_path, monkeypatch, page, title):
    not_a_database = tmp_path / "benchmark.duckdb"
    not_a_database.write_text("these are my notes, not a database\n", encoding="utf-8")
    monkeypatch.setenv("BENCHMARK_DB", str(not_a_database))
    at = new_app()
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == [title]
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert errors[0].startswith("The database cannot be opened: ")
    assert str(not_a_database) in errors[0]
    assert "Traceback" not in errors[0]
    assert not at.dataframe  # the page stops before any table
    # The file is left as it was.
    assert not_a_database.read_text(encoding="utf-8") == "these are my notes, not a database\n"


# -- Weekly figures ------------------------------------------------------------
@pytest.fixture()
def weekly_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The registry plus the tiny scale set: weekly figures for 2024 only."""
    from benchmark.bootstrap import build_database
    from benchmark.scale import load_scale
    from benchmark.store import Store

    path = tmp_path / "weekly.duckdb"
    build_database(path, with_demo=False)
    with Store(path) as store:
        load_scale(store, "tiny", actor=ADMIN)
    for name in ("BENCHMARK_DEFAULT_ORGANISATION", "BENCHMARK_DEMO_ON_EMPTY", "BENCHMARK_QUERY_CACHE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BENCHMARK_DB", str(path))
    return path


def test_ranking_on_weekly_figures_shows_the_quarter_as_whole_weeks(weekly_db):
    at = open_page(new_app(), "pages/ranking.py")
    table = assert_page_ok(at, "Peer ranking")
    # The picker offers the calendar quarter; the page reads its whole ISO weeks and says so.
    assert at.selectbox(key="ranking.period.kind").value == "quarter"
    assert at.selectbox(key="ranking.period.quarter").value == "2024-Q4"
    assert any("weekly, so 2024-Q4 is shown as the whole ISO weeks whose Thursday falls in it: "
               "2024-W40..2024-W52, 30 Sep 2024 – 29 Dec 2024" in c.value for c in at.caption)
    assert [h.value for h in at.subheader] == [
        "Regions in Sweden: Engagement rate by follower, Facebook, 2024-W40..2024-W52"]
    assert len(table) == 21 and table["value"].notna().all()
