"""X / Twitter exports: legacy tweet and daily activity, pasted workbook, X Premium overview (§5).

Expected figures are computed here from the raw sample files with csv / xlrd, never by the
importer. Synthetic fixtures (invented values) cover Excel re-saves on a Nordic PC.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
import xlrd

from benchmark.importers.formats import x
from benchmark.importers.model import (
    AccountRef,
    ImportRejected,
    NeedsInputError,
    ParseOptions,
    SourceFile,
)
from benchmark.importers.reading import read_file
from tests.conftest import shared_or_skip
from tests.importers import helpers

TWEETS = "x_tweet_activity_metrics_ropensci_2019-01.csv"
TWEETS_AS_DOWNLOADED = "tweet_activity_metrics_rOpenSci_20190101_20190201_en.csv"  # research §10
DAILY = "x_daily_tweet_activity_metrics_debruine_2021-08.csv"
OVERVIEW = "x_account_overview_analytics_joshcirre_head_TEXTCOPY.csv"
PASTED = "twitter_daily_activity_2020_pasted_into_xls.xls"
EXPECTED_CLAIM = {TWEETS: "x-tweets", DAILY: "x-daily", OVERVIEW: "x-overview", PASTED: "x-daily"}
DAILY_COLUMNS = {  # measure -> legacy header
    "posts": "Tweets published", "views": "impressions", "reactions": "likes", "comments": "replies",
    "shares": "retweets", "link_clicks": "url clicks", "profile_visits": "user profile clicks",
    "video_views": "media views",
}
X = AccountRef("x")


def parse(source: SourceFile, options: ParseOptions | None = None):
    return helpers.parse(x, source, options)


def render(rows: list[list], style: str, plain_date: str = "%Y-%m-%d") -> tuple[str, bytes]:
    """The rows as X writes them (`plain`) or as one of the files an analyst's Excel writes."""
    return helpers.render(rows, style, stem="daily", plain_date=plain_date)


def sums(parsed) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in parsed.values:
        out[v.measure] = out.get(v.measure, 0) + v.value
    return out


def test_every_sample_is_claimed_by_the_right_x_detector_only() -> None:
    helpers.check_sample_claims(lambda source: helpers.claims(x, source), EXPECTED_CLAIM,
                                own=lambda name: name.startswith(("x_", "twitter")))


# -- tweet activity ---------------------------------------------------------------------------
def test_tweet_activity_sample_posts_and_figures() -> None:
    rows = helpers.raw_rows(TWEETS)
    parsed = parse(helpers.sample(TWEETS))
    assert parsed.format_id == "x-tweets" and parsed.platform == "x"
    assert len(parsed.posts) == len(rows)
    handle = rows[0]["Tweet permalink"].split("/")[3]
    assert {p.account for p in parsed.posts} == {AccountRef("x", handle)}
    for field, column in (("reactions", "likes"), ("comments", "replies"), ("shares", "retweets"),
                          ("views", "impressions"), ("link_clicks", "url clicks"), ("video_views", "media views")):
        assert sum(getattr(p, field) for p in parsed.posts) == sum(int(float(r[column])) for r in rows), field
    assert parsed.post_measures == ("reactions", "comments", "shares", "views", "link_clicks", "video_views")
    first, post = rows[0], parsed.posts[0]
    assert post.post_id == first["Tweet id"] and post.permalink == first["Tweet permalink"]
    assert post.published_at == datetime.strptime(first["time"], "%Y-%m-%d %H:%M %z").replace(tzinfo=None)
    assert post.title == next(line.strip() for line in first["Tweet text"].splitlines() if line.strip())
    assert post.source_row == 2
    # The sample was renamed: the range falls back to the first and last tweet day, with a note.
    days = sorted(datetime.strptime(r["time"][:10], "%Y-%m-%d").date() for r in rows)
    assert parsed.post_coverage == {AccountRef("x", handle): (days[0], days[-1])}
    assert any("first to the last tweet day" in n for n in parsed.notes)
    assert any(c.startswith("promoted") for c in parsed.ignored_columns)


def test_tweet_activity_range_from_the_downloaded_file_name_has_an_exclusive_end() -> None:
    parsed = parse(helpers.sample(TWEETS, as_name=TWEETS_AS_DOWNLOADED))
    (coverage,) = parsed.post_coverage.values()
    assert coverage == (date(2019, 1, 1), date(2019, 1, 31))
    # The daily sample, downloaded as …_20210801_20210901_en.csv, holds exactly the days of August.
    days = [r["Date"] for r in helpers.raw_rows(DAILY)]
    assert (days[0], days[-1], len(days)) == ("2021-08-01", "2021-08-31", 31)


def test_tweet_activity_range_from_the_analyst_when_the_name_says_nothing() -> None:
    period = (date(2019, 1, 1), date(2019, 1, 31))
    parsed = parse(helpers.sample(TWEETS), ParseOptions(period=period))
    assert list(parsed.post_coverage.values()) == [period]


def test_file_name_range_is_not_used_when_tweets_fall_outside_it() -> None:
    parsed = parse(helpers.sample(TWEETS, as_name="tweet_activity_metrics_rOpenSci_20181201_20190101_en.csv"))
    (coverage,) = parsed.post_coverage.values()
    assert coverage[0].month == 1 and any("fall outside" in n for n in parsed.notes)


TWEET_HEADER = ["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements", "retweets",
                "replies", "likes", "url clicks", "media views", "promoted impressions"]


def tweet_rows() -> list[list]:
    return [
        TWEET_HEADER,
        ["1091117122825084928", "https://twitter.com/Kommunen/status/1091117122825084928",
         "Invented tweet\nsecond line", "2019-01-31 23:32 +0000", "2633.0", "41.0", "5.0", "0.0", "7.0", "16.0",
         "0", "-"],
        ["1090000000000000001", "https://twitter.com/Kommunen/status/1090000000000000001", "Another",
         "2019-01-02 08:05 +0100", "12345.0", "4", "1", "2", "1234", "0", "3", "-"],
    ]


def tweet_file(rows: list[list], style: str, name: str = "tweets.csv") -> SourceFile:
    if style == "xlsx":  # a spreadsheet keeps numbers, and rounds the ids
        numbers = [[float(c) if isinstance(c, str) and c.replace(".", "").isdigit() else c for c in row]
                   for row in rows]
        return read_file("tweets.xlsx", helpers.workbook({"Sheet": numbers}))
    delimiter, encoding, group = {"plain": (",", "utf-8", ""), "semicolon-cp1252": (";", "cp1252", " "),
                                  "utf16-tab": ("\t", "utf-16", "\u00a0")}[style]

    def cell(value: str, column: str) -> str:
        if style == "plain" or not value.replace(".", "").isdigit():
            return value
        if column == "Tweet id":
            return f"{float(value):.5E}".replace(".", ",")  # what Excel shows: 1,09112E+18
        return f"{int(float(value)):,}".replace(",", group)

    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, quoting=csv.QUOTE_ALL if style == "plain" else csv.QUOTE_MINIMAL)
    writer.writerow(rows[0])
    writer.writerows([[cell(c, h) for c, h in zip(r, rows[0], strict=True)] for r in rows[1:]])
    return read_file(name, text.getvalue().encode(encoding))


def post_tuples(parsed) -> list[tuple]:
    return [(p.account, p.post_id, p.published_at, p.title, p.permalink, p.reactions, p.comments, p.shares, p.views,
             p.link_clicks, p.video_views, p.source_row) for p in parsed.posts]


def test_tweet_activity_synthetic_values() -> None:
    parsed = parse(tweet_file(tweet_rows(), "plain"))
    account = AccountRef("x", "Kommunen")
    assert post_tuples(parsed) == [
        (account, "1091117122825084928", datetime(2019, 1, 31, 23, 32), "Invented tweet",
         "https://twitter.com/Kommunen/status/1091117122825084928", 7, 0, 5, 2633, 16, 0, 2),
        (account, "1090000000000000001", datetime(2019, 1, 2, 7, 5), "Another",
         "https://twitter.com/Kommunen/status/1090000000000000001", 1234, 2, 1, 12345, 0, 3, 4),
    ]


@pytest.mark.parametrize("style", ["semicolon-cp1252", "utf16-tab", "xlsx"])
def test_tweet_activity_excel_resaves_keep_the_exact_ids_from_the_permalinks(style: str) -> None:
    expected = post_tuples(parse(tweet_file(tweet_rows(), "plain")))
    parsed = parse(tweet_file(tweet_rows(), style))
    # Row numbers: a CSV counts lines (the first tweet's text spans two), a workbook counts rows.
    assert [t[:-1] for t in post_tuples(parsed)] == [t[:-1] for t in expected]
    assert [p.source_row for p in parsed.posts] == ([2, 3] if style == "xlsx" else [2, 4])
    assert any("taken from the tweet permalink" in n for n in parsed.notes)


def test_tweet_activity_bad_cells_are_rejected_with_rows() -> None:
    rows = tweet_rows()
    rows[1][8] = "sju"
    rows[2][1] = "https://twitter.com/Kommunen/status/1090000000000000002"
    with pytest.raises(ImportRejected) as caught:
        parse(tweet_file(rows, "plain"))
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        ("row 2", "likes", "sju"), ("row 4", "Tweet id", "1090000000000000001"),
    ]
    rows = tweet_rows()
    rows[1][1] = ""
    with pytest.raises(ImportRejected) as caught:
        parse(tweet_file(rows, "plain"))
    assert [(p.row, p.column) for p in caught.value.problems] == [("row 2", "Tweet permalink")]


def test_tweet_activity_without_tweets_needs_the_range_unless_the_name_gives_it() -> None:
    with pytest.raises(NeedsInputError) as caught:
        parse(tweet_file([TWEET_HEADER], "plain"))
    assert caught.value.field == "period"
    parsed = parse(tweet_file([TWEET_HEADER], "plain", name="tweet_activity_metrics_Kommunen_20250301_20250401_sv.csv"))
    assert parsed.posts == [] and parsed.post_coverage == {
        AccountRef("x", "Kommunen"): (date(2025, 3, 1), date(2025, 3, 31)),
    }


# -- daily tweet activity ---------------------------------------------------------------------
def test_daily_sample_matches_the_raw_file() -> None:
    rows = helpers.raw_rows(DAILY)
    parsed = parse(helpers.sample(DAILY))
    assert parsed.format_id == "x-daily" and parsed.platform == "x"
    assert sums(parsed) == {m: sum(int(r[c]) for r in rows) for m, c in DAILY_COLUMNS.items()}
    assert {v.start for v in parsed.values} == {date.fromisoformat(r["Date"]) for r in rows}
    assert all(v.start == v.end and v.account == X for v in parsed.values)
    fourth = {v.measure: v.value for v in parsed.values if v.start == date.fromisoformat(rows[3]["Date"])}
    assert fourth == {m: int(rows[3][c]) for m, c in DAILY_COLUMNS.items()}
    assert "engagement rate" in parsed.ignored_columns


def test_pasted_workbook_reads_every_monthly_sheet() -> None:
    book = xlrd.open_workbook(str(shared_or_skip("samples", PASTED)))
    expected: dict[str, int] = {}
    days: set[date] = set()
    for sheet in book.sheets():
        header = [str(c.value) for c in sheet.row(0)]
        for r in range(1, sheet.nrows):
            row = dict(zip(header, (c.value for c in sheet.row(r)), strict=True))
            days.add(xlrd.xldate_as_datetime(row["Date"], book.datemode).date())
            for measure, column in DAILY_COLUMNS.items():
                expected[measure] = expected.get(measure, 0) + int(row[column])
    parsed = parse(helpers.sample(PASTED))
    assert parsed.format_id == "x-daily"
    assert sums(parsed) == expected
    assert {v.start for v in parsed.values} == days and len(days) == 91
    assert min(days) == date(2020, 4, 1) and max(days) == date(2020, 6, 30)


DAILY_ROWS = [
    ["Date", "Tweets published", "impressions", "engagements", "engagement rate", "retweets", "replies", "likes",
     "user profile clicks", "url clicks", "media views", "promoted impressions"],
    [date(2021, 8, 1), 0, 1088, 13, "0.0119", 0, 0, 2, 1, 2, 2, "-"],
    [date(2021, 8, 2), 2, 1244, 19, "0.0152", 0, 2, 3, 9, 0, 2, "-"],
    [date(2021, 8, 13), 15, 1223394, 1290, "0.0576", 5, 15, 1096, 56, 45, 1710, "-"],
]




def test_daily_synthetic_values() -> None:
    parsed = parse(read_file(*render(DAILY_ROWS, "plain")))
    assert sums(parsed) == {"posts": 17, "views": 1088 + 1244 + 1223394, "shares": 5, "comments": 17,
                            "reactions": 1101, "profile_visits": 66, "link_clicks": 47, "video_views": 1714}


@pytest.mark.parametrize("style", helpers.RESAVED_STYLES)
def test_daily_excel_resaved_forms_parse_to_the_same_values(style: str) -> None:
    expected = helpers.comparable(parse(read_file(*render(DAILY_ROWS, "plain"))))
    assert helpers.comparable(parse(read_file(*render(DAILY_ROWS, style)))) == expected


def monthly_book(*sheets: tuple[str, list[list]]) -> SourceFile:
    return read_file("Twitter Q3.xlsx", helpers.workbook(dict(sheets)))


def test_a_day_pasted_twice_is_read_once_when_equal_and_rejected_when_not() -> None:
    header, aug1, aug2, aug13 = DAILY_ROWS
    parsed = parse(monthly_book(("July", [header, aug1, aug2]), ("August", [header, aug2, aug13]), ("Notes", [["x"]])))
    single = parse(monthly_book(("All", [header, aug1, aug2, aug13])))
    assert [t[:4] for t in helpers.comparable(parsed)] == [t[:4] for t in helpers.comparable(single)]
    assert sums(parsed)["views"] == 1088 + 1244 + 1223394
    assert any("'July', row 3" in n and "'August', row 2" in n and "read once" in n for n in parsed.notes)
    assert any("'Notes'" in n for n in parsed.notes)

    changed = [*aug2[:2], 999, *aug2[3:]]
    with pytest.raises(ImportRejected) as caught:
        parse(monthly_book(("July", [header, aug1, aug2]), ("August", [header, changed, aug13])))
    (problem,) = caught.value.problems
    assert problem.row == "sheet 'August', row 2" and problem.column == "Date"
    assert "sheet 'July', row 3" in problem.expected


def test_daily_bad_cell_and_empty_file_are_rejected() -> None:
    rows = [list(r) for r in DAILY_ROWS]
    rows[2][2] = "12,5"
    with pytest.raises(ImportRejected) as caught:
        parse(read_file(*render(rows, "plain")))
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [("row 3", "impressions", "12,5")]
    with pytest.raises(ImportRejected, match="no dated rows"):
        parse(read_file(*render(DAILY_ROWS[:1], "plain")))


# -- account overview -------------------------------------------------------------------------
def test_overview_sample_matches_the_raw_file() -> None:
    rows = helpers.raw_rows(OVERVIEW)
    parsed = parse(helpers.sample(OVERVIEW))
    assert parsed.format_id == "x-overview" and parsed.platform == "x"
    columns = {"views": "Impressions", "reactions": "Likes", "comments": "Replies", "shares": "Reposts",
               "new_followers": "New follows", "profile_visits": "Profile visits", "posts": "Create Post",
               "video_views": "Video views"}
    expected = {m: sum(int(r[c]) for r in rows) for m, c in columns.items()}
    expected["net_followers"] = sum(int(r["New follows"]) - int(r["Unfollows"]) for r in rows)
    assert sums(parsed) == expected
    newest = datetime.strptime(rows[0]["Date"], "%a, %b %d, %Y").date()
    net = {v.start: v.value for v in parsed.values if v.measure == "net_followers"}
    assert net[newest] == int(rows[0]["New follows"]) - int(rows[0]["Unfollows"])
    assert len(net) == len(rows)
    # X's "Shares" (sent by DM / link) is not added to reposts.
    assert "Shares" in parsed.ignored_columns and expected["shares"] != sum(
        int(r["Reposts"]) + int(r["Shares"]) for r in rows)


OVERVIEW_ROWS = [
    ["Date", "Impressions", "Likes", "Engagements", "Bookmarks", "Shares", "New follows", "Unfollows", "Replies",
     "Reposts", "Profile visits", "Create Post", "Video views", "Media views"],
    [date(2025, 9, 6), 3388, 25, 104, 1, 0, 2, 5, 6, 0, 25, 0, 0, 0],
    [date(2025, 9, 5), 14418, 1039, 125, 2, 1, 3, 2, 2, 1, 18, 1, 0, 0],
    [date(2025, 9, 4), 5545, 59, 178, 2, 0, 4, None, 11, 0, 30, 1, 7, 9],
]


def test_overview_synthetic_values_and_net_follows() -> None:
    parsed = parse(read_file(*render(OVERVIEW_ROWS, "plain", plain_date="%a, %b %-d, %Y")))
    net = {v.start: v.value for v in parsed.values if v.measure == "net_followers"}
    assert net == {date(2025, 9, 6): -3, date(2025, 9, 5): 1}  # no Unfollows on 4 Sep: unknown
    assert sums(parsed)["views"] == 3388 + 14418 + 5545 and sums(parsed)["shares"] == 1


@pytest.mark.parametrize("style", helpers.RESAVED_STYLES)
def test_overview_excel_resaved_forms_parse_to_the_same_values(style: str) -> None:
    expected = helpers.comparable(parse(read_file(*render(OVERVIEW_ROWS, "plain", plain_date="%a, %b %-d, %Y"))))
    assert helpers.comparable(parse(read_file(*render(OVERVIEW_ROWS, style)))) == expected


def test_overview_weekday_that_does_not_match_the_date_is_rejected() -> None:
    text = OVERVIEW_ROWS[0]
    source = read_file("o.csv", (",".join(text) + '\n"Fri, Sep 6, 2025",1,1,1,1,1,1,1,1,1,1,1,1,1\n').encode())
    with pytest.raises(ImportRejected) as caught:
        parse(source)
    assert [(p.row, p.column) for p in caught.value.problems] == [("row 2", "Date")]


@pytest.mark.parametrize(("name", "expected"), [
    ("tweet_activity_metrics_Region_Orebro_20190101_20190201_en.csv", ("Region_Orebro", date(2019, 1, 1),
                                                                       date(2019, 1, 31))),
    ("Downloads/tweet_activity_metrics_Kommunen_20191201_20200101_sv (1).csv", ("Kommunen", date(2019, 12, 1),
                                                                              date(2019, 12, 31))),
    ("daily_tweet_activity_metrics_Kommunen_20191201_20200101_en.csv", None),
    ("tweet_activity_metrics_Kommunen_20200101_20200101_en.csv", None),
    ("tweet_activity_metrics_Kommunen_20191301_20200101_en.csv", None),
])
def test_range_from_a_legacy_file_name(name: str, expected: tuple | None) -> None:
    assert x.range_from_name(name) == expected
