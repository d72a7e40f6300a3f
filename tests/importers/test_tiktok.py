"""TikTok exports: overview, followers and content, English and Swedish headers (research §6).

Expected figures are computed here from the raw sample files with the csv module, never by the
importer. Synthetic fixtures (invented values) cover Swedish headers and Excel re-saves.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from benchmark.importers.formats import tiktok
from benchmark.importers.model import (
    AccountRef,
    ImportRejected,
    NeedsInputError,
    ParseOptions,
    SourceFile,
)
from benchmark.importers.reading import read_file
from tests.importers import helpers

OVERVIEW = "tiktok_overview_en.csv"
FOLLOWERS = "tiktok_followers_en.csv"
CONTENT = "tiktok_content_en.csv"
EXPECTED_CLAIM = {OVERVIEW: "tiktok-overview", FOLLOWERS: "tiktok-followers", CONTENT: "tiktok-content"}
TIKTOK = AccountRef("tiktok")


def parse(source: SourceFile, options: ParseOptions | None = None):
    return helpers.parse(tiktok, source, options)


def render(rows: list[list], style: str) -> tuple[str, bytes]:
    """The rows as TikTok writes them (`plain`: UTF-8 with BOM, `2025/10/31`) or as Excel re-saves them; None is NAN."""
    return helpers.render(rows, style, stem="tiktok", plain_date="%Y/%m/%d", plain_encoding="utf-8-sig",
                          missing="NAN")


def number(text: str) -> int | None:
    return None if text.strip() in ("NAN", "--", "") else int(text)


def test_every_sample_is_claimed_by_the_right_tiktok_detector_only() -> None:
    helpers.check_sample_claims(lambda source: helpers.claims(tiktok, source), EXPECTED_CLAIM,
                                own=lambda name: name.startswith("tiktok"))


# -- overview ---------------------------------------------------------------------------------
OVERVIEW_COLUMNS = {
    "video_views": "Video views", "reach": "Reached audience", "profile_visits": "Profile views",
    "reactions": "Likes", "shares": "Shares", "comments": "Comments", "new_followers": "New followers",
    "net_followers": "Net growth",
}


def test_overview_sample_matches_the_raw_file() -> None:
    rows = helpers.raw_rows(OVERVIEW)
    parsed = parse(helpers.sample(OVERVIEW))
    assert parsed.format_id == "tiktok-overview" and parsed.platform == "tiktok"
    assert all(v.account == TIKTOK and v.start == v.end for v in parsed.values)
    for measure, column in OVERVIEW_COLUMNS.items():
        expected = {datetime.strptime(r["Date"], "%Y/%m/%d").date(): number(r[column]) for r in rows}
        assert helpers.daily_values(parsed, measure) == {d: v for d, v in expected.items() if v is not None}, measure
    views = sum(int(r["Video views"]) for r in rows if number(r["Video views"]) is not None)
    assert sum(helpers.daily_values(parsed, "video_views").values()) == views
    unknown_reach = [r["Date"] for r in rows if r["Reached audience"] == "NAN"]
    assert unknown_reach and len(helpers.daily_values(parsed, "reach")) == len(rows) - len(unknown_reach)
    assert "Phone number clicks" in parsed.ignored_columns and "Lost followers" not in parsed.ignored_columns
    # Net growth agrees with new − lost on every day of the sample: no note.
    assert all(int(r["Net growth"]) == int(r["New followers"]) - int(r["Lost followers"]) for r in rows)
    assert not any("Net growth" in n for n in parsed.notes)


SV_OVERVIEW = ["Datum", "Videovisningar", "Målgrupp som nåtts", "Profilvisningar", "Gilla-markeringar", "Delningar",
               "Kommentarer", "Telefonnummerklickar ", "Webbplatsklickar ", "Nettotillväxt", "Nya följare",
               "Tappade följare"]
EN_OVERVIEW = ["Date", "Video views", "Reached audience", "Profile views", "Likes", "Shares", "Comments",
               "Phone number clicks ", "Leads submission", "Net growth", "New followers", "Lost followers"]
OVERVIEW_DATA = [
    [date(2025, 10, 31), 715, None, 25, 26, 4, 7, 0, 0, 10, 10, 0],
    [date(2025, 11, 1), 75155, 75134, 539, 1845, 244, 58, 0, 0, 100, 100, 0],
    [date(2025, 11, 2), 19607, 19595, 130, 273, 77, 39, 0, 0, -3, 2, 5],
    [date(2025, 11, 3), 8156, 8150, 71, 124, 48, 14, 0, 0, 7, 10, 1],  # 10 − 1 ≠ 7
]


def test_overview_synthetic_values_and_a_net_growth_mismatch_note() -> None:
    parsed = parse(read_file(*render([EN_OVERVIEW, *OVERVIEW_DATA], "plain")))
    assert helpers.daily_values(parsed, "net_followers") == {date(2025, 10, 31): 10, date(2025, 11, 1): 100,
                                                             date(2025, 11, 2): -3, date(2025, 11, 3): 7}
    assert date(2025, 10, 31) not in helpers.daily_values(parsed, "reach")  # NAN is unknown, not 0
    assert sum(helpers.daily_values(parsed, "reactions").values()) == 26 + 1845 + 273 + 124
    (note,) = [n for n in parsed.notes if "Net growth" in n]
    assert "1 day(s)" in note and "2025-11-03" in note and "row 5" in note


@pytest.mark.parametrize("style", ("plain", *helpers.RESAVED_STYLES))
def test_overview_swedish_headers_and_excel_resaves_parse_to_the_same_values(style: str) -> None:
    expected = helpers.comparable(parse(read_file(*render([EN_OVERVIEW, *OVERVIEW_DATA], "plain"))))
    assert helpers.comparable(parse(read_file(*render([SV_OVERVIEW, *OVERVIEW_DATA], style)))) == expected
    assert helpers.comparable(parse(read_file(*render([EN_OVERVIEW, *OVERVIEW_DATA], style)))) == expected


def test_overview_bad_cells_and_empty_file_are_rejected() -> None:
    rows = [EN_OVERVIEW, *[list(r) for r in OVERVIEW_DATA]]
    rows[2][1] = "75k"
    rows[3][0] = "2025/13/02"
    rows[3][4] = "-4"
    with pytest.raises(ImportRejected) as caught:
        parse(read_file(*render(rows, "plain")))
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        ("row 3", "Video views", "75k"), ("row 4", "Date", "2025/13/02"), ("row 4", "Likes", "-4"),
    ]
    with pytest.raises(ImportRejected, match="no dated rows"):
        parse(read_file(*render([EN_OVERVIEW], "plain")))


# -- followers --------------------------------------------------------------------------------
def test_followers_sample_matches_the_raw_file() -> None:
    rows = helpers.raw_rows(FOLLOWERS)
    parsed = parse(helpers.sample(FOLLOWERS))
    assert parsed.format_id == "tiktok-followers"
    assert all(r["Total followers"] == "--" for r in rows)
    assert helpers.daily_values(parsed, "followers") == {}
    assert any("Total followers" in n for n in parsed.notes)
    days = [datetime.strptime(r["Date"], "%Y/%m/%d").date() for r in rows]
    assert helpers.daily_values(parsed, "new_followers") == {
        d: int(r["New followers"]) for d, r in zip(days, rows, strict=True)}
    assert helpers.daily_values(parsed, "reach") == {
        d: int(r["Reached audience"]) for d, r in zip(days, rows, strict=True) if r["Reached audience"] != "NAN"
    }
    assert parsed.ignored_columns == ["Engaged audience"]


FOLLOWERS_ROWS = [
    ["Date", "New followers", "Total followers", "Reached audience", "Engaged audience"],
    [date(2025, 10, 31), 10, "--", None, None],
    [date(2025, 11, 1), 100, 12345, 75134, 1801],
    [date(2025, 11, 2), 26, 12371, 19595, 620],
]


@pytest.mark.parametrize("style", ("plain", *helpers.RESAVED_STYLES))
def test_followers_forms_parse_to_the_same_values(style: str) -> None:
    parsed = parse(read_file(*render(FOLLOWERS_ROWS, style)))
    assert helpers.daily_values(parsed, "followers") == {date(2025, 11, 1): 12345, date(2025, 11, 2): 12371}
    assert helpers.daily_values(parsed, "reach") == {date(2025, 11, 1): 75134, date(2025, 11, 2): 19595}
    assert sum(helpers.daily_values(parsed, "new_followers").values()) == 136


# -- content ----------------------------------------------------------------------------------
def test_content_sample_posts_and_figures() -> None:
    rows = helpers.raw_rows(CONTENT)
    parsed = parse(helpers.sample(CONTENT))
    assert parsed.format_id == "tiktok-content"
    assert len(parsed.posts) == len(rows)
    assert [p.post_id for p in parsed.posts] == [r["Video link"].rstrip("/").split("/")[-1] for r in rows]
    for field, column in (("video_views", "Video views"), ("reactions", "Likes"), ("comments", "Comments"),
                          ("shares", "Shares")):
        assert sum(getattr(p, field) for p in parsed.posts) == sum(int(r[column]) for r in rows), field
    assert parsed.post_measures == ("video_views", "reactions", "comments", "shares")
    times = [datetime.strptime(r["Post time"], "%Y/%m/%d %H:%M:%S") for r in rows]
    assert [p.published_at for p in parsed.posts] == times  # taken as UTC
    assert parsed.post_coverage == {TIKTOK: (min(times).date(), max(times).date())}
    assert any("taken as UTC" in n for n in parsed.notes)
    assert any("first to the last post day" in n for n in parsed.notes)
    assert all(p.account == TIKTOK and p.permalink.startswith("https://www.tiktok.com/@") for p in parsed.posts)
    period = (date(2025, 10, 1), date(2025, 12, 31))
    assert parse(helpers.sample(CONTENT), ParseOptions(period=period)).post_coverage == {TIKTOK: period}


EN_CONTENT = ["Video title", "Video link", "Post time", "Video views", "Likes", "Comments", "Shares", "Add to Favorites"]
SV_CONTENT = ["Videotitel", "Videolänk", "Publiceringstid", "Videovisningar", "Gilla-markeringar", "Kommentarer",
              "Delningar", "Lägg till i Favoriter"]
CONTENT_DATA = [
    ["Invented title\nline two", "https://www.tiktok.com/@kommunen/video/7567452112981069079",
     datetime(2025, 10, 31, 18, 19, 10), 172353, 1774, 42, 413, 180],
    ["Second", "https://www.tiktok.com/@kommunen/photo/7590060843279060246",
     datetime(2025, 12, 31, 16, 32, 37), 3382, 135, 4, 3, 6],
]


def post_tuples(parsed) -> list[tuple]:
    return [(p.post_id, p.post_type, p.published_at, p.title, p.video_views, p.reactions, p.comments, p.shares)
            for p in parsed.posts]


@pytest.mark.parametrize("style", ("plain", *helpers.RESAVED_STYLES))
def test_content_swedish_headers_and_excel_resaves_parse_to_the_same_posts(style: str) -> None:
    expected = [
        ("7567452112981069079", "video", datetime(2025, 10, 31, 18, 19, 10), "Invented title", 172353, 1774, 42, 413),
        ("7590060843279060246", "photo", datetime(2025, 12, 31, 16, 32, 37), "Second", 3382, 135, 4, 3),
    ]
    for header in (EN_CONTENT, SV_CONTENT):
        parsed = parse(read_file(*render([header, *CONTENT_DATA], style)))
        assert post_tuples(parsed) == expected
        assert parsed.post_coverage == {TIKTOK: (date(2025, 10, 31), date(2025, 12, 31))}


def test_content_bad_link_and_count_are_rejected_with_rows() -> None:
    rows = [EN_CONTENT, *[list(r) for r in CONTENT_DATA]]
    rows[1][1] = "https://www.tiktok.com/@kommunen"
    rows[2][4] = "1,5"
    with pytest.raises(ImportRejected) as caught:
        parse(read_file(*render(rows, "plain")))
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        ("row 2", "Video link", "https://www.tiktok.com/@kommunen"), ("row 4", "Likes", "1,5"),
    ]


def test_content_without_videos_needs_the_period() -> None:
    with pytest.raises(NeedsInputError) as caught:
        parse(read_file(*render([EN_CONTENT], "plain")))
    assert caught.value.field == "period"
    period = (date(2025, 11, 1), date(2025, 11, 30))
    parsed = parse(read_file(*render([EN_CONTENT], "plain")), ParseOptions(period=period))
    assert parsed.posts == [] and parsed.post_coverage == {TIKTOK: period}
