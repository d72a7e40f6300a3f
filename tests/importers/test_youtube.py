"""YouTube Studio exports: Totals.csv, Table data.csv, Chart data.csv (research §4).

Expected figures are computed here from the raw sample files with the csv module, never by the
importer. Synthetic fixtures (invented values) cover the forms an Excel re-save on a Nordic PC
produces.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from benchmark.importers.formats import youtube
from benchmark.importers.model import (
    ImportRejected,
    NeedsInputError,
    ParseOptions,
    SourceFile,
)
from benchmark.importers.reading import read_file
from tests.importers import helpers

EXPECTED_CLAIM = {
    "youtube_studio_chart_data.csv": "youtube-chart",
    "youtube_studio_table_data.csv": "youtube-table",
    "youtube_studio_table_data_joshcirre_head_TEXTCOPY.csv": "youtube-table",
    "youtube_studio_totals_EXCEL_RESAVED_ddmmyyyy.csv": "youtube-totals",
    "youtube_studio_totals_joshcirre_head_TEXTCOPY.csv": "youtube-totals",
}
PERIOD = (date(2025, 6, 13), date(2026, 6, 12))


def claims(source: SourceFile) -> set[str]:
    return {*helpers.claims(youtube, source), *helpers.refusals(youtube, source)}


def parse(source: SourceFile, options: ParseOptions | None = None):
    return helpers.parse(youtube, source, options)


def totals(parsed, measure: str) -> int:
    return sum(v.value for v in parsed.values if v.measure == measure)


# -- detection over every sample --------------------------------------------------------------
def test_every_sample_is_claimed_by_the_right_youtube_detector_only() -> None:
    helpers.check_sample_claims(claims, EXPECTED_CLAIM, own=lambda name: name.startswith("youtube"))


# -- Totals.csv -------------------------------------------------------------------------------
def test_totals_excel_resave_matches_the_raw_file() -> None:
    name = "youtube_studio_totals_EXCEL_RESAVED_ddmmyyyy.csv"
    rows = helpers.raw_rows(name)
    expected = {datetime.strptime(r["Date"], "%d-%m-%Y").date(): int(r["Views"]) for r in rows if r["Views"]}
    parsed = parse(helpers.sample(name))
    assert parsed.format_id == "youtube-totals" and parsed.platform == "youtube"
    views = {v.start: v.value for v in parsed.values if v.measure == "video_views"}
    assert views == expected
    assert totals(parsed, "video_views") == sum(expected.values())
    assert all(v.start == v.end and v.account == youtube.ACCOUNT for v in parsed.values)
    assert {v.measure for v in parsed.values} == {"video_views"}
    first = parsed.values[0]
    assert (first.start, first.source_row) == (datetime.strptime(rows[0]["Date"], "%d-%m-%Y").date(), 2)


def test_totals_with_only_an_unstored_metric_is_rejected_saying_what_to_tick() -> None:
    source = helpers.sample("youtube_studio_totals_joshcirre_head_TEXTCOPY.csv")
    with pytest.raises(ImportRejected) as caught:
        parse(source)
    (problem,) = caught.value.problems
    assert problem.row is None and "Stayed to watch (%)" in problem.expected and "'Views'" in problem.expected


# -- Table data.csv ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["youtube_studio_table_data.csv", "youtube_studio_table_data_joshcirre_head_TEXTCOPY.csv"])
def test_table_data_needs_the_period_then_stores_the_total_row(name: str) -> None:
    rows = helpers.raw_rows(name)
    total = rows[0]
    assert total["Content"] == "Total"
    source = helpers.sample(name)
    with pytest.raises(NeedsInputError) as caught:
        parse(source)
    assert caught.value.field == "period" and "date range you selected in YouTube Studio" in caught.value.reason

    parsed = parse(source, ParseOptions(period=PERIOD))
    assert parsed.format_id == "youtube-table"
    stored = {v.measure: (v.start, v.end, v.value, v.source_row) for v in parsed.values}
    assert stored == {
        "video_views": (*PERIOD, int(total["Views"]), 2),
        "net_followers": (*PERIOD, int(total["Subscribers"]), 2),
        "views": (*PERIOD, int(total["Impressions"]), 2),
    }
    videos = [r for r in rows[1:] if r["Video publish time"]]
    assert len(parsed.posts) == len(videos)
    assert sum(p.video_views for p in parsed.posts) == sum(int(r["Views"]) for r in videos)
    assert sum(p.views for p in parsed.posts) == sum(int(r["Impressions"]) for r in videos)
    # Studio writes a space before ids starting with "-" (so that spreadsheets do not read a formula).
    assert [p.post_id for p in parsed.posts] == [r["Content"].strip() for r in videos]
    first = videos[0]
    assert parsed.posts[0].published_at == datetime.strptime(first["Video publish time"], "%b %d, %Y")
    # Detail only: videos watched in the range must not become posts per day.
    assert parsed.post_coverage == {} and parsed.post_measures == ()
    assert any("'Total'" in note for note in parsed.notes)
    unpublished = len(rows) - 1 - len(videos)
    assert any(f"{unpublished} video row(s) have no publish time" in n for n in parsed.notes) == (unpublished > 0)


def test_joshcirre_table_keeps_a_negative_subscriber_total_and_skips_unpublished_videos() -> None:
    rows = helpers.raw_rows("youtube_studio_table_data_joshcirre_head_TEXTCOPY.csv")
    negative = [r for r in rows if r["Subscribers"].startswith("-")]
    assert negative and all(not r["Video publish time"] for r in negative)  # the sample's only negative row
    parsed = parse(helpers.sample("youtube_studio_table_data_joshcirre_head_TEXTCOPY.csv"), ParseOptions(period=PERIOD))
    assert {p.post_id for p in parsed.posts}.isdisjoint(r["Content"] for r in negative)


# -- Chart data.csv ---------------------------------------------------------------------------
def test_chart_data_is_refused_because_its_daily_sum_is_not_the_channel_total() -> None:
    source = helpers.sample("youtube_studio_chart_data.csv")
    assert claims(source) == {"youtube-chart"}
    chart = helpers.raw_rows("youtube_studio_chart_data.csv")
    channel = helpers.raw_rows("youtube_studio_totals_EXCEL_RESAVED_ddmmyyyy.csv")  # same export ZIP
    assert not any(r["Content"].casefold() == "total" for r in chart)
    per_day: dict[str, int] = {}
    for r in chart:
        per_day[r["Date"]] = per_day.get(r["Date"], 0) + int(r["Views"])
    channel_per_day = {datetime.strptime(r["Date"], "%d-%m-%Y").date().isoformat(): int(r["Views"] or 0)
                       for r in channel}
    assert sum(per_day.values()) < sum(channel_per_day.values())
    assert sum(per_day[d] != channel_per_day[d] for d in per_day) > len(per_day) // 2
    (refusal,) = youtube.NOT_PAGE_METRICS
    assert "Totals.csv" in refusal.advice


# -- synthetic Excel re-saves -------------------------------------------------------------------
def render(rows: list[list], style: str, plain_date: str = "%Y-%m-%d") -> tuple[str, bytes]:
    """The rows as YouTube Studio writes them (`plain`) or as one of the files an analyst's Excel writes."""
    return helpers.render(rows, style, stem="Totals", plain_date=plain_date)


STYLES = ("plain", *helpers.RESAVED_STYLES)
TOTALS_ROWS = [
    ["Date", "Views", "Watch time (hours)", "Subscribers", "Subscribers gained", "Impressions"],
    [date(2025, 3, 1), 1234, "12.5", 3, 5, 15321],
    [date(2025, 3, 2), 987, "8.1", -2, 1, 11002],
    [date(2025, 3, 3), None, "", None, None, 9000],
    [date(2025, 3, 13), 45678, "100.25", -1, 4, 1234567],
]


def test_totals_synthetic_plain_values() -> None:
    parsed = parse(read_file(*render(TOTALS_ROWS, "plain")))
    assert totals(parsed, "video_views") == 1234 + 987 + 45678
    assert totals(parsed, "views") == 15321 + 11002 + 9000 + 1234567
    assert totals(parsed, "new_followers") == 10
    net = [v for v in parsed.values if v.measure == "net_followers"]
    assert sum(v.value < 0 for v in net) == 2 and sum(v.value for v in net) == 0
    # Blanks are unknown, not 0: 3 March has only impressions.
    assert {v.measure for v in parsed.values if v.start == date(2025, 3, 3)} == {"views"}
    assert parsed.ignored_columns == ["Watch time (hours)"]


@pytest.mark.parametrize("style", STYLES[1:])
def test_totals_excel_resaved_forms_parse_to_the_same_values(style: str) -> None:
    expected = helpers.comparable(parse(read_file(*render(TOTALS_ROWS, "plain"))))
    assert helpers.comparable(parse(read_file(*render(TOTALS_ROWS, style)))) == expected


TABLE_ROWS = [
    ["Content", "Video title", "Video publish time", "Duration", "Views", "Subscribers", "Impressions",
     "Impressions click-through rate (%)"],
    ["Total", None, None, None, 52345, -7, 812345, "3.1"],
    ["abcDEF12345", "Invented video, part 1", date(2024, 9, 27), 978, 27102, 5, 332014, "5.02"],
    ["ghiJKL-_678", "Invented short", date(2025, 1, 5), 59, 4, 0, 1000, ""],
    ["mnoPQR90123", "Private video", None, 120, 13, -1, 0, ""],
]


@pytest.mark.parametrize("style", STYLES)
def test_table_forms_parse_to_the_same_values(style: str) -> None:
    period = ParseOptions(period=(date(2025, 1, 1), date(2025, 3, 31)))
    parsed = parse(read_file(*render(TABLE_ROWS, style, plain_date="%b %d, %Y")), period)
    assert helpers.comparable(parsed) == [
        ("net_followers", date(2025, 1, 1), date(2025, 3, 31), -7, 2),
        ("video_views", date(2025, 1, 1), date(2025, 3, 31), 52345, 2),
        ("views", date(2025, 1, 1), date(2025, 3, 31), 812345, 2),
    ]
    assert [(p.post_id, p.published_at, p.video_views, p.views, p.source_row) for p in parsed.posts] == [
        ("abcDEF12345", datetime(2024, 9, 27), 27102, 332014, 3),
        ("ghiJKL-_678", datetime(2025, 1, 5), 4, 1000, 4),
    ]
    assert parsed.posts[0].permalink == "https://www.youtube.com/watch?v=abcDEF12345"


# -- error paths ------------------------------------------------------------------------------
def csv_source(text: str, name: str = "Totals.csv") -> SourceFile:
    return read_file(name, text.encode("utf-8"))


def test_bad_cells_are_rejected_with_row_column_and_value() -> None:
    source = csv_source("Date,Views,Subscribers\n2025-03-01,10,1\n2025-03-02,12.5,2\n2025-13-40,3,x\n")
    with pytest.raises(ImportRejected) as caught:
        parse(source)
    found = {(p.row, p.column, p.value) for p in caught.value.problems}
    assert found == {("row 3", "Views", "12.5"), ("row 4", "Date", "2025-13-40"), ("row 4", "Subscribers", "x")}


def test_a_day_twice_with_other_figures_is_rejected_and_a_repeat_is_read_once() -> None:
    with pytest.raises(ImportRejected) as caught:
        parse(csv_source("Date,Views\n2025-03-01,10\n2025-03-02,4\n2025-03-01,11\n"))
    (problem,) = caught.value.problems
    assert problem.row == "row 4" and "row 2" in problem.expected
    parsed = parse(csv_source("Date,Views\n2025-03-01,10\n2025-03-01,10\n"))
    assert [v.value for v in parsed.values] == [10] and any("read once" in n for n in parsed.notes)


def test_empty_totals_and_empty_table_are_rejected() -> None:
    with pytest.raises(ImportRejected, match="no dated rows"):
        parse(csv_source("Date,Views,Subscribers\n"))
    with pytest.raises(ImportRejected, match="no 'Total' or video rows"):
        parse(csv_source("Content,Video title,Video publish time,Duration,Views\n", "Table data.csv"))


def test_table_with_a_bad_publish_time_and_no_video_id_names_the_rows() -> None:
    text = ("Content,Video title,Video publish time,Views\nTotal,,,10\nabc,T,\"Sep 31, 2024\",4\n"
            ",Untitled,\"Sep 1, 2024\",2\n")
    with pytest.raises(ImportRejected) as caught:
        parse(csv_source(text, "Table data.csv"), ParseOptions(period=PERIOD))
    assert [(p.row, p.column) for p in caught.value.problems] == [("row 3", "Video publish time"), ("row 4", "Content")]


def test_date_series_of_other_platforms_are_not_youtube_totals() -> None:
    for text in ("Date,Primary\n2025-03-01,4\n", "Date,Tweets published,impressions\n2021-08-01,0,1088\n",
                 "Date,Video views,Profile views\n2025/10/31,715,25\n", "Date\n2025-03-01\n",
                 "Date,Views,Clicks\n2025-03-01,1,2\n"):
        assert claims(csv_source(text)) == set(), text
