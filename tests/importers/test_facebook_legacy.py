"""Legacy Facebook Page Insights exports: page level and post level (CSV and SpreadsheetML).

Expected figures are computed here from the raw sample files with the csv module
or an XML parser, independently of the importer. Synthetic fixtures are invented.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from defusedxml import ElementTree

from benchmark.importers.formats import facebook_legacy
from benchmark.importers.model import (
    AccountRef,
    ImportRejected,
    ParseOptions,
)
from benchmark.importers.reading import read_file
from tests.conftest import shared_or_skip
from tests.importers import helpers

pytestmark = pytest.mark.shared

PAGE_2014 = "fb_legacy_insights_page_level_2014_cp1252_first15.csv"
PAGE_2015 = "fb_legacy_insights_page_level_2015_descrow_first30.csv"
POSTS_2015 = "fb_legacy_insights_post_level_2015_descrow.csv"
VIDEOS_2014 = "fb_legacy_insights_video_posts_2014_descrow.csv"
POSTS_2020_XML = "fb_legacy_insights_post_level_2020_SpreadsheetML.xls"


def claims(source) -> list[str]:
    return helpers.claims(facebook_legacy, source)


def parse(source, options: ParseOptions | None = None):
    return helpers.parse(facebook_legacy, source, options)


def raw_rows(name: str, encoding: str) -> list[list[str]]:
    text = shared_or_skip("samples", name).read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline="")))


def column(rows: list[list[str]], header: str, description_marker: str | None = None) -> int:
    """Position of `header`; with a marker, the copy whose description row mentions it."""
    positions = [i for i, h in enumerate(rows[0]) if h.casefold() == header.casefold()]
    if description_marker:
        positions = [i for i in positions if description_marker in rows[1][i]]
    assert len(positions) == 1, (header, positions)
    return positions[0]


def total(rows: list[list[str]], position: int) -> int:
    return sum(int(r[position]) for r in rows if position < len(r) and r[position].strip())


# -- page level ---------------------------------------------------------------------------
@pytest.mark.parametrize("name,encoding", [(PAGE_2014, "cp1252"), (PAGE_2015, "cp1252")])
def test_page_level_samples_match_the_raw_file(name, encoding):
    source = helpers.sample(name)
    assert claims(source) == ["facebook-insights-page"]
    parsed = parse(source)
    rows = raw_rows(name, encoding)
    assert rows[1][0] == ""  # the description row
    days = rows[2:]
    date_at = column(rows, "Date")
    new_likes = column(rows, "Daily New Likes")
    lifetime = column(rows, "Lifetime Total Likes")
    reach = column(rows, "Daily Total Reach")
    page_views = column(rows, "Daily Logged-in Page Views", "(Total Count)")

    assert parsed.platform == "facebook"
    assert parsed.rows_read == len(days)
    assert len(helpers.daily_values(parsed, "new_followers")) == len(days)
    assert sum(helpers.daily_values(parsed, "new_followers").values()) == total(days, new_likes)
    last_day = datetime.strptime(days[-1][date_at], "%m/%d/%Y").date()
    assert max(helpers.daily_values(parsed, "followers")) == last_day
    assert helpers.daily_values(parsed, "followers")[last_day] == int(days[-1][lifetime])
    assert sum(helpers.daily_values(parsed, "reach").values()) == total(days, reach)
    assert sum(helpers.daily_values(parsed, "profile_visits").values()) == total(days, page_views)
    assert any("description row" in n for n in parsed.notes)
    assert any("'Weekly'/'28 Days'" in n for n in parsed.notes)
    assert "Weekly Total Reach" in parsed.ignored_columns
    assert parsed.accounts == [AccountRef("facebook")]  # the file does not name the Page
    # every value points at its line in the file (header, description, then days from line 3)
    first = min(v.source_row for v in parsed.values)
    assert first == 3


def test_page_level_2015_link_clicks_and_video_views():
    parsed = parse(helpers.sample(PAGE_2015))
    rows = raw_rows(PAGE_2015, "cp1252")
    days = rows[2:]
    clicks = column(rows, "Daily Page consumptions by type - link clicks")
    videos = column(rows, "Daily Total Video Views")
    assert sum(helpers.daily_values(parsed, "link_clicks").values()) == total(days, clicks)
    assert sum(helpers.daily_values(parsed, "video_views").values()) == total(days, videos)
    impressions = column(rows, "Daily Total Impressions")
    assert helpers.daily_values(parsed, "views")[date(2015, 8, 19)] == int(days[0][impressions])


def test_page_level_2014_empty_cells_are_unknown_not_zero():
    parsed = parse(helpers.sample(PAGE_2014))
    rows = raw_rows(PAGE_2014, "cp1252")
    videos = column(rows, "Daily Total Video Views")
    expected = {r[0] for r in rows[2:] if r[videos].strip()}
    assert len(helpers.daily_values(parsed, "video_views")) == len(expected)


def test_page_name_comes_from_facebooks_file_name():
    source = helpers.sample(PAGE_2015, "Facebook Insights Data Export - Example Page - 2015-08-19 - 2016-02-15.csv")
    parsed = parse(source)
    assert parsed.accounts == [AccountRef("facebook", "Example Page")]
    # the post-level name form is not a page-level name
    other = helpers.sample(
        PAGE_2015, "Facebook Insights Data Export (Post Level) - Example Page - 2015-08-19 - 2016-02-15.csv")
    assert parse(other).accounts == [AccountRef("facebook")]


# -- post level (CSV) -----------------------------------------------------------------------
def test_post_level_2015_sample_matches_the_raw_file():
    source = helpers.sample(POSTS_2015)
    assert claims(source) == ["facebook-insights-posts"]
    parsed = parse(source, ParseOptions(period=(date(2015, 8, 19), date(2016, 2, 15))))
    rows = raw_rows(POSTS_2015, "utf-8-sig")
    posts = [r for r in rows[2:] if r[0].strip()]
    assert len(parsed.posts) == len(posts) == parsed.rows_read
    by_id = {p.post_id: p for p in parsed.posts}
    assert set(by_id) == {r[0] for r in posts}

    like = column(rows, "Lifetime Post Stories by action type - like")
    comment = column(rows, "Lifetime Post Stories by action type - comment")
    share = column(rows, "Lifetime Post Stories by action type - share")
    clicks = column(rows, "Lifetime Post Consumptions by type - link clicks")
    impressions = column(rows, "Lifetime Post Total Impressions")
    organic_views = column(rows, "Lifetime Organic Video Views", "(Total Count)")
    paid_views = column(rows, "Lifetime Paid Video Views", "(Total Count)")
    assert sum(p.reactions or 0 for p in parsed.posts) == total(posts, like)
    assert sum(p.comments or 0 for p in parsed.posts) == total(posts, comment)
    assert sum(p.shares or 0 for p in parsed.posts) == total(posts, share)
    assert sum(p.link_clicks or 0 for p in parsed.posts) == total(posts, clicks)
    assert sum(p.views or 0 for p in parsed.posts) == total(posts, impressions)
    assert sum(p.video_views or 0 for p in parsed.posts) == total(posts, organic_views) + total(posts, paid_views)
    # an empty action breakdown cell of a listed post means none of that action: 0, not unknown
    assert sum(not r[comment].strip() for r in posts) > 0
    assert all(p.comments is not None for p in parsed.posts)
    assert sum(p.comments == 0 for p in parsed.posts) >= sum(not r[comment].strip() for r in posts)

    first = by_id[posts[0][0]]
    assert first.account == AccountRef("facebook", None, posts[0][0].split("_")[0])
    assert first.published_at == datetime(2016, 2, 14, 8, 40, 16)  # 12:40:16 AM Pacific (PST) in UTC
    assert first.permalink == posts[0][column(rows, "Permalink")]
    assert first.post_type == "Photo"
    assert first.source_row == 3
    assert parsed.post_measures == ("reactions", "comments", "shares", "views", "video_views", "link_clicks")
    assert set(parsed.post_coverage.values()) == {(date(2015, 8, 19), date(2016, 2, 15))}


def test_post_level_coverage_from_file_name_else_period_else_first_to_last_post():
    named = helpers.sample(
        POSTS_2015, "Facebook Insights Data Export (Post Level) - Example Page - 2015-08-19 - 2016-02-15.csv")
    parsed = parse(named)
    assert {a.name for a in parsed.accounts} == {"Example Page"}
    assert set(parsed.post_coverage.values()) == {(date(2015, 8, 19), date(2016, 2, 15))}
    # a name whose range does not contain the posts is not trusted
    wrong = helpers.sample(
        POSTS_2015, "Facebook Insights Data Export (Post Level) - Example Page - 2014-01-01 - 2014-02-27.csv")
    parsed = parse(wrong)
    days = [p.published_at.date() for p in parsed.posts]
    assert set(parsed.post_coverage.values()) == {(min(days), max(days))}
    assert any("first to the last post day" in n for n in parsed.notes)


def test_video_posts_2014_sample_matches_the_raw_file():
    source = helpers.sample(VIDEOS_2014)
    assert claims(source) == ["facebook-insights-posts"]
    parsed = parse(source)
    rows = raw_rows(VIDEOS_2014, "utf-8-sig")
    posts = [r for r in rows[2:] if r[0].strip()]
    assert len(parsed.posts) == len(posts)
    videos = column(rows, "Lifetime Total Video Views")
    share = column(rows, "Lifetime Post Stories by action type - share")
    reach = column(rows, "Lifetime Post Total Reach")
    assert sum(p.video_views or 0 for p in parsed.posts) == total(posts, videos)
    assert sum(p.shares or 0 for p in parsed.posts) == total(posts, share)
    assert sum(p.reach or 0 for p in parsed.posts) == total(posts, reach)
    assert parsed.posts[0].published_at == datetime(2014, 12, 11, 22, 27, 2)  # 02:27:02 PM PST


# -- post level (SpreadsheetML .xls) ----------------------------------------------------------
SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def xml_sheets(path: Path) -> dict[str, list[list[str | None]]]:
    """Cell texts of every worksheet (the sample has no ss:Index gaps)."""
    root = ElementTree.parse(str(path)).getroot()
    sheets = {}
    for sheet in root.iter(f"{SS}Worksheet"):
        rows = []
        for row in sheet.iter(f"{SS}Row"):
            rows.append([(c.find(f"{SS}Data").text if c.find(f"{SS}Data") is not None else None)
                         for c in row.iter(f"{SS}Cell")])
        sheets[sheet.get(f"{SS}Name")] = rows
    return sheets


def test_spreadsheetml_post_level_joins_the_breakdown_sheets():
    path = shared_or_skip("samples", POSTS_2020_XML)
    source = read_file(POSTS_2020_XML, path.read_bytes())
    assert source.kind == "spreadsheetml"
    assert claims(source) == ["facebook-insights-posts"]
    parsed = parse(source)
    sheets = xml_sheets(path)
    key = sheets["Key Metrics"]
    descriptions, posts = key[1], key[2:]
    stories = next(rows for name, rows in sheets.items() if name.startswith("Lifetime Post Stories"))
    clicks = next(rows for name, rows in sheets.items() if name.startswith("Lifetime Post Consumptions"))
    assert len(parsed.posts) == len(posts) == 63

    def col(rows, name, marker=None):
        hits = [i for i, h in enumerate(rows[0]) if h == name and (marker is None or marker in (descriptions[i] or ""))]
        assert len(hits) == 1
        return hits[0]

    post = posts[0]
    post_id = post[col(key, "Post ID")]
    parsed_post = next(p for p in parsed.posts if p.post_id == post_id)
    story_row = next(r for r in stories[1:] if r[col(stories, "Post ID")] == post_id)
    click_row = next(r for r in clicks[1:] if r[col(clicks, "Post ID")] == post_id)
    assert parsed_post.reactions == int(story_row[col(stories, "like")])
    assert parsed_post.comments == int(story_row[col(stories, "comment")])
    assert parsed_post.shares == int(story_row[col(stories, "share")])
    assert parsed_post.link_clicks == int(click_row[col(clicks, "link clicks")])
    assert parsed_post.views == int(post[col(key, "Lifetime Post Total Impressions")])
    assert parsed_post.reach == int(post[col(key, "Lifetime Post Total Reach")])
    # the count and unique-user copies are in the opposite order to the 2015 CSV
    organic = int(post[col(key, "Lifetime Organic Video Views", "(Total Count)")])
    paid = int(post[col(key, "Lifetime Paid Video Views", "(Total Count)")])
    assert parsed_post.video_views == organic + paid
    posted = datetime.fromisoformat(post[col(key, "Posted")].split(".")[0])
    assert posted == datetime(2020, 9, 22, 7, 7, 36)
    assert parsed_post.published_at == datetime(2020, 9, 22, 14, 7, 36)  # PDT is UTC-7
    assert parsed_post.account.platform_account_id == post_id.split("_")[0]

    like = col(stories, "like")
    assert sum(p.reactions or 0 for p in parsed.posts) == sum(int(r[like]) for r in stories[1:] if r[like])
    assert parsed.post_measures == ("reactions", "comments", "shares", "views", "video_views", "link_clicks")
    days = [p.published_at.date() for p in parsed.posts]
    assert set(parsed.post_coverage.values()) == {(min(days), max(days))}


# -- synthetic page-level files: plain and re-saved by Excel on a Nordic PC --------------------
PAGE_HEADER = [
    "Date", "Lifetime Total Likes", "Daily New Likes", "Weekly Total Reach", "Daily Total Reach",
    "Daily Total Impressions", "Daily Logged-in Page Views", "Daily Logged-in Page Views",
    "Lifetime Likes by City - Malmö, Sweden",
]
PAGE_DESCRIPTIONS = [
    "", "Lifetime: The total number of people who have liked your Page. (Unique Users)",
    "Daily: The number of new people who have liked your Page (Unique Users)",
    "Weekly: The number of people who have seen any content associated with your Page. (Unique Users)",
    "Daily: The number of people who have seen any content associated with your Page. (Unique Users)",
    "Daily: The number of impressions seen of any content associated with your Page. (Total Count)",
    "Daily: Page Views from users logged into Facebook (Unique Users)",
    "Daily: Page Views from users logged into Facebook (Total Count)",
    "Lifetime: Aggregated Facebook location data. (Unique Users)",
]
PAGE_DAYS = [  # (date, lifetime likes, new likes, weekly reach, reach, impressions, page views unique, count, city)
    (date(2016, 3, 30), 1210, 3, 4020, 701, 1250, 9, 14, 40),
    (date(2016, 3, 31), 1213, 4, 4100, 655, 1080, 7, 11, 41),
    (date(2016, 4, 1), 1216, 0, 4150, 1012, 2304, 12, 20, 41),
]


def page_csv(*, delimiter=",", encoding="utf-8", day=lambda d: f"{d.month}/{d.day}/{d.year}",
             number=str, rows=PAGE_DAYS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(PAGE_HEADER)
    writer.writerow(PAGE_DESCRIPTIONS)
    for d, *numbers in rows:
        writer.writerow([day(d), *(number(n) for n in numbers)])
    return out.getvalue().encode(encoding)


def test_synthetic_page_level_plain_and_nordic_resave_give_the_same_values():
    plain = parse(read_file("plain.csv", page_csv()))
    nordic = parse(read_file("nordic.csv", page_csv(
        delimiter=";", encoding="cp1252", day=lambda d: d.strftime("%d.%m.%Y"),
        number=lambda n: f"{n:,}".replace(",", "\u00a0"))))
    assert helpers.comparable(plain) == helpers.comparable(nordic)
    assert helpers.daily_values(plain, "followers") == {d: row[0] for d, *row in PAGE_DAYS}
    assert helpers.daily_values(plain, "reach")[date(2016, 4, 1)] == 1012
    # the description row says the second 'Daily Logged-in Page Views' is the count
    assert helpers.daily_values(plain, "profile_visits") == {d: row[6] for d, *row in PAGE_DAYS}
    assert "Lifetime Likes by City - Malmö, Sweden" in nordic.ignored_columns
    assert {v.measure for v in plain.values} == {"followers", "new_followers", "reach", "views", "profile_visits"}
    assert [v.source_row for v in plain.values if v.measure == "followers"] == [3, 4, 5]


def test_day_first_slash_dates_are_recognised_from_the_column():
    parsed = parse(read_file("uk.csv", page_csv(day=lambda d: d.strftime("%d/%m/%Y"))))
    assert set(helpers.daily_values(parsed, "followers")) == {d for d, *_ in PAGE_DAYS}


def test_duplicate_column_without_description_row_is_not_used():
    text = page_csv().decode("utf-8").split("\r\n")
    del text[1]
    parsed = parse(read_file("nodesc.csv", "\r\n".join(text).encode("utf-8")))
    assert "profile_visits" not in {v.measure for v in parsed.values}
    assert any("'Daily Logged-in Page Views' appears 2 times" in n for n in parsed.notes)
    assert helpers.daily_values(parsed, "new_followers")[date(2016, 3, 31)] == 4


def test_bad_cells_reject_the_whole_file_with_rows_and_columns():
    rows = [PAGE_DAYS[0], (date(2016, 3, 31), 1213, "12,5", 4100, 655, 1080, 7, 11, 41),
            (None, 1216, 0, 4150, 1012, 2304, 12, 20, 41)]
    content = page_csv(rows=rows, day=lambda d: "" if d is None else f"{d.month}/{d.day}/{d.year}",
                       number=lambda n: "2016-13-45" if n == 1216 else str(n))
    with pytest.raises(ImportRejected) as caught:
        parse(read_file("bad.csv", content))
    problems = {(p.row, p.column, p.value) for p in caught.value.problems}
    assert ("row 4", "Daily New Likes", "12,5") in problems
    assert ("row 5", "Date", None) in problems
    assert ("row 5", "Lifetime Total Likes", "2016-13-45") in problems
    assert len(caught.value.problems) == 3


def test_missing_required_column_is_not_this_format_and_empty_data_is_rejected():
    no_new_likes = page_csv().decode().replace("Daily New Likes", "Daily Unlikes").encode()
    assert claims(read_file("x.csv", no_new_likes)) == []
    header_only = page_csv(rows=[])
    with pytest.raises(ImportRejected) as caught:
        parse(read_file("empty.csv", header_only))
    assert "no dated rows" in caught.value.problems[0].expected


def test_synthetic_post_level_bad_posted_time_is_rejected():
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Post ID", "Permalink", "Post Message", "Type", "Posted", "Lifetime Post Total Impressions",
                     "Lifetime Talking About This (Post) by action type - like"])
    writer.writerow(["", "", "", "", "", "Lifetime: The number of impressions of your Page post. (Total Count)",
                     "Lifetime: The number of unique people who created a story … (Unique Users)"])
    writer.writerow(["11_22", "https://example.org/p/22", "Hej", "Link", "06/01/2016 09:15:00 AM", "120", "7"])
    writer.writerow(["11_23", "https://example.org/p/23", "Då", "Photo", "yesterday", "80", ""])
    content = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
    with pytest.raises(ImportRejected) as caught:
        parse(read_file("posts.csv", content))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == ("row 4", "Posted", "yesterday")
    # without the bad row: Talking About This (people) is used when the file has no stories columns
    good = parse(read_file("posts.csv", content.replace(b"yesterday", b"06/02/2016 11:00:00 PM")))
    assert [p.reactions for p in good.posts] == [7, 0]
    assert good.post_measures == ("reactions", "views")
    assert good.posts[1].published_at == datetime(2016, 6, 3, 6, 0)  # 11 PM PDT is 06:00 UTC next day


# -- every sample ---------------------------------------------------------------------------------
def test_every_sample_is_claimed_by_the_right_detector_only():
    expected = {PAGE_2014: "facebook-insights-page", PAGE_2015: "facebook-insights-page",
                POSTS_2015: "facebook-insights-posts", VIDEOS_2014: "facebook-insights-posts",
                POSTS_2020_XML: "facebook-insights-posts"}
    helpers.check_sample_claims(claims, expected, own=lambda name: name.startswith("fb_legacy"))


def test_a_day_given_twice_is_rejected():
    rows = [*PAGE_DAYS, PAGE_DAYS[1]]
    with pytest.raises(ImportRejected) as caught:
        parse(read_file("twice.csv", page_csv(rows=rows)))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == ("row 6", "Date", "3/31/2016")
    assert "row 4" in problem.expected
