"""build_report: a view state resolved the way the pages resolve it, with titles, tables and the source note.

Expected figures are the hand-made ones of tests/reports/conftest.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from benchmark import i18n
from benchmark.errors import NotFoundError, PeriodError, ValidationError
from benchmark.reports import build_report
from benchmark.reports.sources import SourceNote, merge
from benchmark.viewstate import ViewState
from tests.reports.conftest import UPLOAD_FILE

WATCH = ViewState(page="watch", org="SE:18", platform="facebook", period="2024-Q3")
RANKING = ViewState(page="ranking", org="SE:18", group="region:SE", platform="facebook", period="2024-Q3",
                    metric="posts")
PROFILE = ViewState(page="profile", org="SE:18", group="region:SE", platform="facebook", metric="followers",
                    every="quarter", first="2024-Q2", last="2024-Q3")


def test_watch_report_titles_state_and_rows(real_store):
    report = build_report(real_store, WATCH, "sv")
    assert report.kind == "watch"
    assert report.title == "Sidor att bevaka: Region Örebro län"
    dates = i18n.format_date_range(date(2024, 7, 1), date(2024, 9, 30), "sv")
    assert report.subtitle == f"Facebook, 2024-Q3 ({dates})"
    # The page's default peers: the other Swedish regions, in the registry's order.
    assert report.state == ViewState(page="watch", org="SE:18", watch=("SE:12", "SE:0980"), platform="facebook",
                                     period="2024-Q3", lang="sv")
    frame = report.table.frame
    assert list(frame["organisation"]) == ["Region Örebro län", "Region Skåne", "Region Gotland"]
    assert list(frame["followers"]) == [17_000, 80_000, 9_500]
    assert frame["followers_change_pct"].iloc[0] == pytest.approx(100 * 500 / 16_500)
    assert frame["engagement_rate_by_follower"].iloc[0] == pytest.approx(100 * 2_000 / 40 / 17_000)
    assert frame["page_label"].iloc[0] == "★ Region Örebro län (du)"
    assert not report.shows_demo and report.demo_label is None
    assert report.charts == ()


def test_watch_report_with_named_peers_keeps_every_one(real_store):
    state = ViewState(page="watch", org="SE:18", watch=("SE:H1", "SE:H4", "SE:1860"), platform="facebook",
                      period="2024-Q3")
    frame = build_report(real_store, state, "en").table.frame
    assert list(frame["organisation"]) == ["Region Örebro län", '=HYPERLINK("http://x","y")', "@SUM(A1)", "Laxå"]
    assert list(frame["status"]) == ["", "", "", "no data"]
    assert list(frame["data_label"]) == ["", "", "", "no data"]


def test_source_note_names_the_upload_and_the_data_date(real_store, upload_id):
    report = build_report(real_store, WATCH, "en")
    created = real_store.scalar("SELECT created_at FROM imports WHERE import_id = ?", [upload_id]).date()
    assert report.source.data_as_of == date(2024, 9, 30)
    assert [r.import_id for r in report.source.imports] == [upload_id]
    assert report.source_text() == (
        f"Source: real data: import {upload_id}, {UPLOAD_FILE}, {i18n.format_date(created, 'en')}. "
        "Data as of 30 Sep 2024.")
    assert "synthetic" not in report.source_text()
    assert report.source_text(with_files=False) == (
        f"Source: real data: import {upload_id}, {i18n.format_date(created, 'en')}. Data as of 30 Sep 2024.")
    assert report.table.source_note == report.source_text()


def test_source_note_of_demo_data_says_synthetic_in_every_language(demo_store):
    for lang, word in (("en", "synthetic demo data"), ("sv", "syntetiska demodata"), ("da", "syntetiske demodata"),
                       ("nb", "syntetiske demodata")):
        report = build_report(demo_store, WATCH, lang)
        assert report.shows_demo
        assert word in report.source_text()
        assert report.demo_label == i18n.text("report.demo_label", lang)
        assert report.table.demo_label == report.demo_label
    assert build_report(demo_store, WATCH, "en").source.data_as_of == date(2024, 9, 30)


def test_a_source_note_without_figures_and_merged_notes():
    assert SourceNote().text("en") == "Source: no stored figures for this view."
    demo_only = SourceNote(shows_demo=True, data_as_of=date(2025, 3, 31))
    day = i18n.format_date(date(2025, 3, 31), "sv")
    assert demo_only.text("sv") == f"Källa: syntetiska demodata. Data till och med {day}."
    merged = merge([SourceNote(data_as_of=date(2024, 9, 30)), demo_only])
    assert merged.shows_demo and merged.data_as_of == date(2025, 3, 31)


def test_ranking_report_ranks_by_hand(real_store):
    report = build_report(real_store, RANKING, "en")
    assert report.title == "Regions in Sweden: Posts"
    frame = report.table.frame
    assert list(frame["organisation"]) == ["Region Skåne", "Region Örebro län", "Region Gotland"]
    assert list(frame["rank"]) == [1, 2, 3]
    assert list(frame["posts"]) == [100, 40, 20]
    assert list(frame["percentile"]) == [100.0, 50.0, 0.0]
    assert list(frame["difference_from_median"]) == [60.0, 0.0, -20.0]
    assert list(frame["page_label"]) == ["Region Skåne", "★ Region Örebro län (you)", "Region Gotland"]
    assert len(report.charts) == 1
    assert report.sections[0].chart_rows == 3


def test_ranking_defaults_are_the_pages(real_store, monkeypatch):
    monkeypatch.setenv("BENCHMARK_DEFAULT_ORGANISATION", "Region Örebro län")
    report = build_report(real_store, ViewState(page="ranking"), "en")
    # Your organisation from the setting, its kind in its country, the latest whole quarter, the
    # ranking page's metric (engagement rate: Gotland 0.32 %, Örebro 0.29 %, Skåne 0.06 %).
    assert report.state == ViewState(page="ranking", org="SE:18", group="region:SE", platform="facebook",
                                     period="2024-Q3", metric="engagement_rate_by_follower", lang="en")
    assert list(report.table.frame["organisation"]) == ["Region Gotland", "Region Örebro län", "Region Skåne"]


def test_ranking_without_your_organisation_for_the_command_line(real_store):
    state = ViewState(page="ranking", group="region:SE", platform="facebook", period="2024-Q3", metric="posts")
    report = build_report(real_store, state, "en", default_own=False)
    assert report.state.org is None
    assert not report.table.frame["is_own"].any()
    with pytest.raises(ValidationError, match="peer group"):
        build_report(real_store, ViewState(page="ranking", platform="facebook"), "en", default_own=False)


def test_ranking_with_several_metrics_has_a_section_each(real_store):
    report = build_report(real_store, RANKING, "en", ["posts", "followers", "posts"])
    assert [s.heading for s in report.sections] == ["Regions in Sweden: Posts", "Regions in Sweden: Followers"]
    assert [s.table.sheet_name for s in report.sections] == ["Posts", "Followers"]
    assert list(report.sections[1].table.frame["followers"]) == [80_000, 17_000, 9_500]
    assert report.state.metric == "posts"


def test_profile_report_quartiles_by_hand(real_store):
    report = build_report(real_store, PROFILE, "en")
    assert report.title == "Region Örebro län: Followers"
    assert report.subtitle == "Facebook, 2024-Q2 – 2024-Q3, against Regions in Sweden"
    frame = report.table.frame
    assert list(frame["period"]) == ["2024-Q2", "2024-Q3"]
    assert list(frame["followers"]) == [16_500, 17_000]
    assert list(frame["peer_median"]) == [16_500, 17_000]
    assert frame["peer_q1"].iloc[1] == pytest.approx(13_250)
    assert frame["peer_q3"].iloc[1] == pytest.approx(48_500)
    assert len(report.charts) == 1


def test_profile_defaults_to_the_last_periods_with_data(real_store):
    report = build_report(real_store, ViewState(page="profile", org="SE:18", platform="facebook"), "en")
    assert (report.state.every, report.state.first, report.state.last, report.state.metric) == \
        ("quarter", "2024-Q2", "2024-Q3", "followers")


def test_mistakes_are_named_errors(real_store):
    with pytest.raises(NotFoundError, match="SE:9999"):
        build_report(real_store, ViewState(page="watch", org="SE:9999", platform="facebook"), "en")
    with pytest.raises(PeriodError):
        build_report(real_store, ViewState(page="watch", org="SE:18", platform="facebook", period="2024-Q5"), "en")
    with pytest.raises(NotFoundError, match="metric"):
        build_report(real_store, RANKING, "en", ["postz"])
    with pytest.raises(ValidationError, match="must not be before"):
        build_report(real_store, ViewState(page="profile", org="SE:18", platform="facebook", first="2024-Q3",
                                           last="2024-Q1"), "en")
    with pytest.raises(NotFoundError, match="language"):
        build_report(real_store, WATCH, "fr")


def test_download_file_names_are_plain_ascii(real_store):
    from benchmark.reports import file_name, file_name_for

    assert file_name(build_report(real_store, RANKING, "sv"), "xlsx") == "ranking-region-SE-facebook-2024-Q3-posts.xlsx"
    assert file_name(build_report(real_store, WATCH, "sv"), "pptx") == "watch-SE-18-facebook-2024-Q3.pptx"
    assert file_name(build_report(real_store, PROFILE, "sv"), "png") == \
        "profile-region-SE-facebook-2024-Q2-2024-Q3-followers.png"
    # Before the report is built, from what the state names (a button's label).
    assert file_name_for(ViewState(page="ranking", group="in:Örebro län", metric="posts"), "csv") == \
        "ranking-in-Orebro-lan-posts.csv"
