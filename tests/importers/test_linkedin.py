"""LinkedIn Page analytics workbooks (legacy BIFF .xls, current .xlsx, single sheets saved as CSV).

Expected figures for the real sample are computed here with xlrd, independently of
the importer; the synthetic workbooks are invented values in LinkedIn's layouts.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import xlrd

from benchmark.importers.formats import linkedin
from benchmark.importers.model import (
    AccountRef,
    ImportRejected,
    ParseOptions,
)
from benchmark.importers.reading import read_file
from tests.conftest import shared_or_skip
from tests.importers import helpers

MERGED = "linkedin_page_visitors_and_updates_legacy2020_EXCEL_MERGED.xls"


def claims(source) -> list[str]:
    return helpers.claims(linkedin, source)


def not_metrics(source) -> list[str]:
    return helpers.refusals(linkedin, source)


def parse(source, options: ParseOptions | None = None):
    return helpers.parse(linkedin, source, options)


def xlrd_table(book, sheet_name: str, first_header: str) -> tuple[list[str], list[list]]:
    sheet = book.sheet_by_name(sheet_name)
    rows = [sheet.row_values(r) for r in range(sheet.nrows)]
    index = next(i for i, row in enumerate(rows) if row[0] == first_header)
    return rows[index], rows[index + 1:]


# -- the real sample ------------------------------------------------------------------------
@pytest.mark.shared
def test_merged_visitors_and_updates_workbook_gives_both():
    path = shared_or_skip("samples", MERGED)
    source = read_file(MERGED, path.read_bytes())
    assert claims(source) == ["linkedin-content"]
    assert not_metrics(source) == []
    parsed = parse(source)
    assert parsed.platform == "linkedin"
    assert parsed.format_id == "linkedin-content"

    book = xlrd.open_workbook(str(path))
    header, rows = xlrd_table(book, "Update metrics (aggregated)", "Date")
    impressions = header.index("Impressions (total)")
    clicks = header.index("Clicks (total)")
    shares = header.index("Shares (total)")
    assert sum(helpers.daily_values(parsed, "views").values()) == sum(int(r[impressions]) for r in rows)
    assert sum(helpers.daily_values(parsed, "link_clicks").values()) == sum(int(r[clicks]) for r in rows)
    assert sum(helpers.daily_values(parsed, "shares").values()) == sum(int(r[shares]) for r in rows)
    last = datetime.strptime(rows[-1][0], "%m/%d/%Y").date()
    assert helpers.daily_values(parsed, "views")[last] == int(rows[-1][impressions])

    header, visits = xlrd_table(book, "Visitor metrics", "Date")
    page_views = header.index("Total page views (total)")
    assert sum(helpers.daily_values(parsed, "profile_visits").values()) == sum(int(r[page_views]) for r in visits)
    assert len(helpers.daily_values(parsed, "profile_visits")) == len(visits)

    header, posts = xlrd_table(book, "Update Engagement", "Update title")
    assert len(parsed.posts) == len(posts)
    assert parsed.post_measures == ()  # the daily sheet gives the sums
    first_day = datetime.strptime(rows[0][0], "%m/%d/%Y").date()
    assert parsed.post_coverage == {AccountRef("linkedin"): (first_day, last)}
    link = posts[0][header.index("Update link")]
    post = next(p for p in parsed.posts if p.permalink == link)
    assert post.post_id == "urn:li:" + link.rsplit("urn:li:", 1)[1]
    created = xlrd.xldate_as_datetime(posts[0][header.index("Created date")], book.datemode)
    assert post.published_at == created
    assert post.views == int(posts[0][header.index("Impressions")])
    assert post.reactions == int(posts[0][header.index("Likes")])
    assert post.post_type == "Organic"
    assert any("Location" in n and "audience breakdown" in n for n in parsed.notes)
    assert "Visitor metrics: Total unique visitors (total)" in parsed.ignored_columns


@pytest.mark.shared
def test_page_name_from_linkedins_file_name():
    path = shared_or_skip("samples", MERGED)
    parsed = parse(read_file("Example Org_updates_1593561600000.xls", path.read_bytes()))
    assert parsed.accounts == [AccountRef("linkedin", "Example Org")]


# -- synthetic current (2023+) content workbook ------------------------------------------------
NOTICE = "Aggregated engagement metrics for your organic and sponsored posts over time. All dates and times are in UTC."
METRICS_HEADER = [
    "Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)",
    "Unique impressions (organic)", "Clicks (organic)", "Clicks (sponsored)", "Clicks (total)",
    "Reactions (organic)", "Reactions (sponsored)", "Reactions (total)", "Comments (organic)",
    "Comments (sponsored)", "Comments (total)", "Reposts (organic)", "Reposts (sponsored)", "Reposts (total)",
    "Engagement rate (organic)", "Engagement rate (sponsored)", "Engagement rate (total)",
]
METRICS = [  # day, impressions, unique, clicks, reactions, comments, reposts (organic; sponsored = 0)
    (date(2024, 9, 1), 1200, 800, 30, 41, 5, 2),
    (date(2024, 9, 2), 950, 610, 12, 20, 0, 1),
    (date(2024, 9, 13), 2300, 1500, 77, 90, 12, 6),
]
POSTS_HEADER = [
    "Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date", "Campaign start date",
    "Campaign end date", "Audience", "Impressions", "Views", "Offsite Views", "Clicks",
    "Click through rate (CTR)", "Likes", "Comments", "Reposts", "Follows", "Engagement rate", "Content Type",
]
POSTS = [  # title, activity, created, impressions, clicks, likes, comments, reposts
    ("Ny e-tjänst för bygglov", "7236000000000000001", date(2024, 9, 1), 900, 20, 30, 4, 2),
    ("Öppet hus på biblioteket", "7236000000000000002", date(2024, 9, 12), 1800, 60, 70, 9, 5),
]


def metrics_rows(day=lambda d: d.strftime("%m/%d/%Y"), rate=lambda r: r) -> list[list]:
    rows = []
    for d, imp, unique, clicks, reactions, comments, reposts in METRICS:
        engagement = (clicks + reactions + comments + reposts) / imp
        rows.append([day(d), imp, 0, imp, unique, clicks, 0, clicks, reactions, 0, reactions, comments, 0,
                     comments, reposts, 0, reposts, rate(engagement), rate(0.0), rate(engagement)])
    return rows


def posts_rows() -> list[list]:
    return [[title, f"https://www.linkedin.com/feed/update/urn:li:activity:{activity}", "Organic", "", "Anna A",
             created.strftime("%m/%d/%Y"), "", "", "All followers", imp, "", "", clicks, clicks / imp, likes,
             comments, reposts, "", (clicks + likes + comments + reposts) / imp, "Image"]
            for title, activity, created, imp, clicks, likes, comments, reposts in POSTS]


def content_workbook(metrics: list[list] | None = None) -> bytes:
    return helpers.workbook({
        "Metrics": [[NOTICE], METRICS_HEADER, *(metrics or metrics_rows())],
        "All posts": [["Post-level metrics for your posts. All dates and times are in UTC."], POSTS_HEADER,
                      *posts_rows()],
    })


def test_current_xlsx_content_workbook():
    source = read_file("Kommunen_content_1727740800000.xlsx", content_workbook())
    assert claims(source) == ["linkedin-content"]
    parsed = parse(source)
    account = AccountRef("linkedin", "Kommunen")
    assert parsed.accounts == [account]
    assert helpers.daily_values(parsed, "views") == {d: imp for d, imp, *_ in METRICS}
    assert helpers.daily_values(parsed, "shares") == {m[0]: m[6] for m in METRICS}  # Reposts (total)
    assert helpers.daily_values(parsed, "link_clicks") == {m[0]: m[3] for m in METRICS}
    assert {v.measure for v in parsed.values} == {"views", "link_clicks", "reactions", "comments", "shares"}
    assert [v.source_row for v in parsed.values if v.measure == "views"] == [3, 4, 5]  # notice, header, days
    assert len(parsed.posts) == 2
    assert parsed.post_measures == ()
    assert parsed.post_coverage == {account: (date(2024, 9, 1), date(2024, 9, 13))}
    post = parsed.posts[1]
    assert post.post_id == "urn:li:activity:7236000000000000002"
    assert post.published_at == datetime(2024, 9, 12)
    assert (post.views, post.link_clicks, post.reactions, post.comments, post.shares) == (1800, 60, 70, 9, 5)
    assert post.video_views is None
    assert "Metrics: Unique impressions (organic)" in parsed.ignored_columns


def csv_bytes(rows: list[list], *, delimiter=";", encoding="utf-8-sig") -> bytes:
    def cell(value) -> str:  # a Nordic Excel writes a decimal comma where the delimiter allows it
        return str(value).replace(".", ",") if isinstance(value, float) and delimiter == ";" else str(value)
    return "\r\n".join(delimiter.join(cell(v) for v in row) for row in rows).encode(encoding)


def test_metrics_sheet_saved_as_csv_on_a_nordic_pc_gives_the_same_values():
    book = parse(read_file("content.xlsx", content_workbook()))
    nordic_rows = [[NOTICE], METRICS_HEADER, *metrics_rows(day=lambda d: d.strftime("%d.%m.%Y"))]
    nordic = parse(read_file("Metrics.csv", csv_bytes(nordic_rows)))
    assert nordic.format_id == "linkedin-content"
    assert sorted((v.measure, v.start, v.value, v.source_row) for v in nordic.values) == sorted(
        (v.measure, v.start, v.value, v.source_row) for v in book.values)
    assert nordic.posts == []
    assert nordic.post_coverage == {}


def test_posts_sheet_alone_contributes_its_figures():
    rows = [["Post-level metrics for your posts."], POSTS_HEADER, *posts_rows()]
    source = read_file("All posts.csv", csv_bytes(rows, delimiter=",", encoding="utf-8"))
    assert claims(source) == ["linkedin-content"]
    parsed = parse(source)
    assert parsed.post_measures == ("reactions", "comments", "shares", "views", "link_clicks")
    assert parsed.post_coverage == {AccountRef("linkedin"): (date(2024, 9, 1), date(2024, 9, 12))}
    assert any("first to the last post day" in n for n in parsed.notes)
    given = parse(source, ParseOptions(period=(date(2024, 9, 1), date(2024, 9, 30))))
    assert given.post_coverage == {AccountRef("linkedin"): (date(2024, 9, 1), date(2024, 9, 30))}


def test_visitors_and_followers_workbooks():
    visitors = helpers.workbook({
        "Visitor metrics": [
            ["Date", "Overview page views (total)", "Total page views (desktop)", "Total page views (mobile)",
             "Total page views (total)", "Total unique visitors (total)"],
            ["10/01/2024", 5, 7, 3, 10, 4],
            ["10/02/2024", 0, 1, 1, 2, 2],
        ],
        "Location": [["Location", "Total views"], ["Stockholm, Sweden", 12]],
    })
    source = read_file("v.xlsx", visitors)
    assert claims(source) == ["linkedin-visitors"]
    parsed = parse(source)
    assert parsed.format_id == "linkedin-visitors"
    assert helpers.daily_values(parsed, "profile_visits") == {date(2024, 10, 1): 10, date(2024, 10, 2): 2}

    followers = helpers.workbook({
        "New followers": [
            ["Date", "Sponsored followers", "Organic followers", "Auto-invited followers", "Total followers"],
            ["10/01/2024", 0, 3, 1, 4],
            ["10/02/2024", 1, 0, 0, 1],
        ],
        "Industry": [["Industry", "Total followers"], ["Government Administration", 812]],
    })
    source = read_file("f.xlsx", followers)
    assert claims(source) == ["linkedin-followers"]
    parsed = parse(source)
    assert helpers.daily_values(parsed, "new_followers") == {date(2024, 10, 1): 4, date(2024, 10, 2): 1}
    assert {v.measure for v in parsed.values} == {"new_followers"}  # never the audience
    assert "New followers: Organic followers" in parsed.ignored_columns


def test_workbook_with_only_demographics_is_not_page_metrics():
    source = read_file("demo.xlsx", helpers.workbook({
        "Location": [["Location", "Total followers"], ["Oslo, Norway", 40]],
        "Seniority": [["Seniority", "Total followers"], ["Entry", 17]],
    }))
    assert claims(source) == []
    assert not_metrics(source) == ["linkedin-demographics"]


def test_bad_cells_reject_the_workbook_with_sheet_and_row():
    rows = metrics_rows()
    rows[1][3] = "many"           # sheet row 4: Impressions (total)
    rows[2][0] = "09/45/2024"     # sheet row 5: Date
    with pytest.raises(ImportRejected) as caught:
        parse(read_file("bad.xlsx", content_workbook(rows)))
    problems = {(p.row, p.column, p.value) for p in caught.value.problems}
    assert problems == {
        ("sheet 'Metrics', row 4", "Impressions (total)", "many"),
        ("sheet 'Metrics', row 5", "Date", "09/45/2024"),
    }


def test_engagement_rate_must_be_a_number_and_empty_sheets_are_rejected():
    rows = metrics_rows()
    rows[0][-1] = "n/a%x"
    with pytest.raises(ImportRejected) as caught:
        parse(read_file("bad.xlsx", content_workbook(rows)))
    assert [(p.row, p.column) for p in caught.value.problems] == [
        ("sheet 'Metrics', row 3", "Engagement rate (total)")]
    empty = helpers.workbook({"Metrics": [[NOTICE], METRICS_HEADER]})
    with pytest.raises(ImportRejected):
        parse(read_file("empty.xlsx", empty))


@pytest.mark.shared
def test_every_sample_is_claimed_by_the_right_detector_only():
    helpers.check_sample_claims(lambda source: claims(source) + not_metrics(source), {MERGED: "linkedin-content"},
                                own=lambda name: name.startswith("linkedin"))
