"""Every importer format, fuzzed: generated and mutated files are read or refused by name, never an exception.

One hand-written seed per format of `benchmark.importers.FORMATS` (written here in the layouts of
the real exports; no sample is copied), as the rows the platform writes. Hypothesis then

* **generates** files from a seed: its title, notice, header and description rows are kept (now
  and then with a column dropped, doubled or renamed), the data rows are replaced by rows of
  hostile cells (numbers in every notation, dates in every order, missing markers, formulas,
  control and invisible characters, look-alike letters, huge and negative values, ragged rows),
  and the whole is written as a plain CSV, an Excel re-save on a Nordic PC (`;`, cp1252 or
  UTF-16 with tabs) or an .xlsx with typed cells;
* **mutates** the seed's bytes (deletions, insertions, replaced bytes, truncation, repeated
  lines, swapped delimiters) and, for workbooks, the XML inside the archive.

Every result must be a `ParsedFile` that keeps the data rules (`check_parsed`: known measures,
sane dates, non-negative counts, clean names) or a `BenchmarkError` whose message renders in every
language. The BIFF (.xls) samples of ../shared are mutated too when present.

Cost: the `ci` profile (default) runs 50 generated and 100 mutated files per format (2,400 in all,
besides the 1,500 of tests/imports/test_fuzz_imports.py; about 15 seconds). For a long run:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/hostile/test_fuzz_formats.py -q -p no:cacheprovider

(`long`: 5,000 examples per format and kind, derandomised off, so every run tries new files.)
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from benchmark import i18n
from benchmark.errors import BenchmarkError
from benchmark.importers import FORMATS, detect, open_export, read_file
from benchmark.importers.model import ParsedFile, ParseOptions
from benchmark.metrics import MEASURE_IDS, SIGNED_MEASURES
from tests.conftest import SHARED
from tests.importers import helpers

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
GENERATED, MUTATED = {"ci": (50, 100), "long": (5000, 5000)}[PROFILE]  # examples per format
FUZZ = settings(deadline=None, derandomize=PROFILE == "ci", database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
OPTIONS = ParseOptions(period=(date(2024, 1, 1), date(2025, 12, 31)))
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\u200b\u200e\u200f\u202a-\u202e\u2060\ufeff]")


# -- seeds: one per format, as the rows the platform writes ------------------------------------------
@dataclass(frozen=True)
class Seed:
    name: str  # the file name (some formats read hints from it)
    sheets: dict[str | None, list[list]]  # sheet name (None: a CSV) → rows
    prefix: int = 1  # leading rows of every sheet that are not data: titles, notices, header, descriptions
    header: int = -1  # which of them is the header
    kind: str = "csv"  # "csv" (UTF-8, comma), "utf16" (Meta chart exports: sep line, tab-free UTF-16), "xlsx"
    data_sheets: tuple[str | None, ...] = field(default=(None,))  # sheets whose data rows are generated

    def render(self, rows_by_sheet: dict[str | None, list[list]] | None = None, style: str | None = None) -> tuple[str, bytes]:
        sheets = rows_by_sheet or self.sheets
        style = style or self.kind
        if style == "xlsx" or self.kind == "xlsx":
            stem = self.name.rsplit(".", 1)[0]
            # A workbook cannot hold most control characters: openpyxl refuses them.
            return stem + ".xlsx", helpers.workbook({name or "Sheet": [[_xml_safe(c) for c in row] for row in rows]
                                                     for name, rows in sheets.items()})
        (rows,) = sheets.values()
        if style == "utf16":
            return self.name, _csv(rows, ",", "\n").encode("utf-16")
        if style == "semicolon-cp1252":
            return self.name, _csv(rows, ";", "\r\n").encode("cp1252", errors="replace")
        if style == "utf16-tab":
            return self.name, _csv(rows, "\t", "\r\n").encode("utf-16")
        return self.name, _csv(rows, ",", "\n").encode("utf-8-sig" if self.kind == "csv-bom" else "utf-8")


def _xml_safe(cell: object) -> object:
    return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell


def _csv(rows: list[list], delimiter: str, newline: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows([["" if c is None else _text(c) for c in row] for row in rows])
    return out.getvalue()


def _text(cell: object) -> str:
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


FB_PAGE_HEADER = ["Date", "Lifetime Total Likes", "Daily New Likes", "Daily Total Reach", "Daily Total Impressions",
                  "Daily Logged-in Page Views"]
FB_PAGE_DESCRIPTIONS = ["", "Lifetime: The total number of people who have liked your Page. (Unique Users)",
                        "Daily: The number of new people who have liked your Page (Unique Users)",
                        "Daily: The number of people who have seen any content associated with your Page. (Unique Users)",
                        "Daily: The number of impressions seen of any content associated with your Page. (Total Count)",
                        "Daily: Page Views from users logged into Facebook (Total Count)"]
LINKEDIN_METRICS = ["Date", "Impressions (organic)", "Impressions (total)", "Clicks (total)", "Reactions (total)",
                    "Comments (total)", "Reposts (total)", "Engagement rate (total)"]
LINKEDIN_POSTS = ["Post title", "Post link", "Post type", "Created date", "Impressions", "Clicks", "Likes",
                  "Comments", "Reposts"]

SEEDS: dict[str, Seed] = {
    "template": Seed("members.csv", {None: [
        ["organisation", "platform", "period", "account", "followers", "posts", "reactions", "net_followers"],
        ["Laxå", "facebook", "2025-Q1", "", "1 200", "30", "300", "-4"],
        ["Örebro", "instagram", "2025-07", "Örebro kommun", "5400", "12", "", ""],
    ]}),
    "meta-posts": Seed("Jan-01-2026_Jan-31-2026_1.csv", {None: [
        ["Post ID", "Page ID", "Page name", "Title", "Publish time", "Post type", "Date", "Views", "Reach",
         "Reactions", "Comments", "Shares", "Link Clicks"],
        ["111", "999", "Laxå kommun", "Hello\nworld", "01/05/2026 09:42", "Photos", "Lifetime", "100", "80", "5", "1",
         "0", "2"],
        ["112", "999", "Laxå kommun", "Hej", "01/07/2026 23:10", "Links", "Lifetime", "50", "40", "2", "0", "1", ""],
    ]}, kind="csv-bom"),
    "meta-series": Seed("Follows.csv", {None: [
        ["sep=,"], ["Facebook follows"], ["Date", "Primary"],
        ["2025-01-01T01:00:00", "3"], ["2025-01-02T01:00:00", "0"], ["2025-01-03T01:00:00", "7"],
    ]}, prefix=3, kind="utf16"),
    "facebook-insights-page": Seed("Facebook Insights Data Export - Laxå kommun - 2016-04-01.csv", {None: [
        FB_PAGE_HEADER, FB_PAGE_DESCRIPTIONS,
        ["3/30/2016", "1210", "3", "701", "1250", "14"], ["3/31/2016", "1213", "4", "655", "1080", "11"],
    ]}, prefix=2, header=0),
    "facebook-insights-posts": Seed("Facebook Insights Data Export (Post Level) - Laxå - 2016-06-03.csv", {None: [
        ["Post ID", "Permalink", "Post Message", "Type", "Posted", "Lifetime Post Total Impressions",
         "Lifetime Talking About This (Post) by action type - like"],
        ["", "", "", "", "", "Lifetime: The number of impressions of your Page post. (Total Count)",
         "Lifetime: The number of unique people who created a story … (Unique Users)"],
        ["11_22", "https://example.org/p/22", "Hej", "Link", "06/01/2016 09:15:00 AM", "120", "7"],
        ["11_23", "https://example.org/p/23", "Då", "Photo", "06/02/2016 11:00:00 PM", "80", ""],
    ]}, prefix=2, header=0),
    "linkedin-content": Seed("laxa-kommun_content_1726000000000.xlsx", {
        "Metrics": [["Aggregated engagement metrics. All dates and times are in UTC."], LINKEDIN_METRICS,
                    ["09/01/2024", 1200, 1200, 30, 41, 5, 2, 0.06], ["09/02/2024", 950, 950, 12, 20, 0, 1, 0.03]],
        "All posts": [["Post-level metrics for your posts. All dates and times are in UTC."], LINKEDIN_POSTS,
                      ["Ny e-tjänst", "https://www.linkedin.com/feed/update/urn:li:activity:7236000000000000001",
                       "Organic", "09/01/2024", 900, 20, 30, 4, 2]],
    }, prefix=2, kind="xlsx", data_sheets=("Metrics", "All posts")),
    "linkedin-visitors": Seed("laxa-kommun_visitors_1726000000000.xlsx", {"Visitor metrics": [
        ["Date", "Overview page views (total)", "Total page views (total)", "Total unique visitors (total)"],
        ["10/01/2024", 5, 10, 4], ["10/02/2024", 0, 2, 2],
    ]}, kind="xlsx", data_sheets=("Visitor metrics",)),
    "linkedin-followers": Seed("laxa-kommun_followers_1726000000000.xlsx", {"New followers": [
        ["Date", "Sponsored followers", "Organic followers", "Total followers"],
        ["10/01/2024", 0, 3, 3], ["10/02/2024", 1, 0, 1],
    ]}, kind="xlsx", data_sheets=("New followers",)),
    "youtube-totals": Seed("Totals.csv", {None: [
        ["Date", "Views", "Watch time (hours)", "Subscribers", "Subscribers gained", "Impressions"],
        ["2025-06-13", "1224", "3.5", "-2", "4", "8000"], ["2025-06-14", "147", "0.7", "3", "3", "1200"],
    ]}),
    "youtube-table": Seed("Table data.csv", {None: [
        ["Content", "Video title", "Video publish time", "Duration", "Views", "Subscribers", "Impressions"],
        ["Total", "", "", "", "52345", "-7", "812345"],
        ["abcDEF12345", "Invented video", "Sep 27, 2024", "978", "27102", "5", "332014"],
        [" -i5vAKwX_bY", "Invented short", "Jan 5, 2025", "59", "4", "0", "1000"],
    ]}),
    "x-tweets": Seed("tweet_activity_metrics_Kommunen_20190101_20190201_en.csv", {None: [
        ["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements", "retweets", "replies",
         "likes", "url clicks", "media views", "promoted impressions"],
        ["1091117122825084928", "https://twitter.com/Kommunen/status/1091117122825084928", "Invented\nsecond line",
         "2019-01-31 23:32 +0000", "2633.0", "41.0", "5.0", "0.0", "7.0", "16.0", "0", "-"],
        ["1090000000000000001", "https://twitter.com/Kommunen/status/1090000000000000001", "Another",
         "2019-01-02 08:05 +0100", "12345.0", "4", "1", "2", "1234", "0", "3", "-"],
    ]}),
    "x-daily": Seed("daily_tweet_activity_metrics_Kommunen_20210801_20210901_en.csv", {None: [
        ["Date", "Tweets published", "impressions", "likes", "replies", "retweets", "url clicks",
         "user profile clicks", "media views"],
        ["2021-08-01", "2", "1500", "12", "1", "3", "4", "9", "0"], ["2021-08-02", "0", "300", "1", "0", "0", "0", "2", ""],
    ]}),
    "x-overview": Seed("account_overview_analytics.csv", {None: [
        ["Date", "Impressions", "Likes", "Engagements", "Bookmarks", "Shares", "New follows", "Unfollows", "Replies",
         "Reposts", "Profile visits", "Create Post", "Video views", "Media views"],
        ["Sat, Sep 6, 2025", "1200", "30", "50", "1", "0", "5", "1", "2", "3", "40", "2", "100", "150"],
        ["Fri, Sep 5, 2025", "900", "10", "20", "0", "1", "2", "3", "0", "1", "12", "1", "0", "10"],
    ]}),
    "tiktok-overview": Seed("Overview.csv", {None: [
        ["Date", "Video views", "Reached audience", "Profile views", "Likes", "Shares", "Comments",
         "Phone number clicks ", "Leads submission", "Net growth", "New followers", "Lost followers"],
        ["2025/10/31", "715", "NAN", "25", "26", "4", "7", "0", "0", "10", "10", "0"],
        ["2025/11/01", "75155", "75134", "539", "845", "244", "58", "0", "0", "98", "100", "2"],
    ]}, kind="csv-bom"),
    "tiktok-followers": Seed("Followers.csv", {None: [
        ["Date", "New followers", "Total followers", "Reached audience", "Engaged audience"],
        ["2025/10/31", "10", "--", "75134", "900"], ["2025/11/01", "100", "--", "1200", "30"],
    ]}, kind="csv-bom"),
    "tiktok-content": Seed("Content.csv", {None: [
        ["Video title", "Video link", "Post time", "Video views", "Likes", "Comments", "Shares", "Add to Favorites"],
        ["Invented video\n#tag", "https://www.tiktok.com/@kommunen/video/7566000000000000001", "2025/10/31 18:19:10",
         "715", "26", "7", "4", "1"],
        ["Invented photo", "https://www.tiktok.com/@kommunen/photo/7566000000000000002", "2025/11/01 08:00:00",
         "1200", "80", "0", "2", "0"],
    ]}, kind="csv-bom"),
}


def check_parsed(parsed: ParsedFile) -> None:
    """The data rules every parse must keep, whatever file it came from."""
    table = [] if parsed.value_table is None else list(parsed.value_table.itertuples(index=False))
    assert all(0 <= row.account < len(parsed.table_accounts) for row in table)
    for value in [*parsed.values, *table]:
        assert value.measure in MEASURE_IDS
        assert value.start <= value.end
        assert value.value >= 0 or value.measure in SIGNED_MEASURES
        assert date(1970, 1, 1) <= value.start <= date(2100, 12, 31)
    for post in parsed.posts:
        assert post.post_id and not _NOT_XML.search(post.post_id)
        for text in (post.title, post.post_type, post.permalink):
            assert text is None or not _NOT_XML.search(text)
        for name in ("reactions", "comments", "shares", "reach", "views", "video_views", "link_clicks"):
            count = getattr(post, name)
            assert count is None or count >= 0
    for ref in parsed.accounts:
        for text in (ref.name, ref.platform_account_id, ref.organisation):
            assert text is None or (not _NOT_XML.search(text) and text == text.strip())


def parse_or_refuse(name: str, content: bytes) -> None:
    try:
        parsed = open_export(name, content, OPTIONS)
    except BenchmarkError as exc:
        for lang in ("en", "sv"):
            assert i18n.error_text(exc, lang).strip()
        return
    check_parsed(parsed)


# -- the seeds themselves --------------------------------------------------------------------------------
def test_every_format_has_a_seed_that_it_claims_and_parses():
    assert set(SEEDS) == {f.id for f in FORMATS}
    for format_id, seed in SEEDS.items():
        name, content = seed.render()
        chosen, _ = detect(read_file(name, content))
        assert chosen.id == format_id, name
        parsed = open_export(name, content, OPTIONS)
        assert parsed.value_count or parsed.posts, format_id
        check_parsed(parsed)


# -- generated files ---------------------------------------------------------------------------------------
_DAYS = st.dates(date(1899, 12, 30), date(2200, 1, 1))
_DATE_TEXTS = st.tuples(_DAYS, st.sampled_from([
    "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%m/%d/%Y", "%Y/%m/%d", "%b %d, %Y", "%a, %b %d, %Y", "%Y-%m-%dT01:00:00",
    "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M +0000", "%Y/%m/%d %H:%M:%S", "%d %b. %Y", "%m/%d/%Y %I:%M:%S %p", "%d/%m/%y",
])).map(lambda pair: pair[0].strftime(pair[1]))
_HOSTILE = st.sampled_from([
    "", " ", "-", "--", "NAN", "nan", "N/A", "Total", "Totalt", "Lifetime", "Livstid", "0", "-0", "00", "1 234",
    "1\u00a0234", "1\u202f234", "1.234", "1,234", "1.234.567", "1,5", "12,50", "2633.0", "2633,00", "1.09112E+18",
    "1e308", "-1e308", "inf", "-inf", "9" * 40, "-5", "+5", "5%", "(5)", "=1+1", '=HYPERLINK("http://x","y")',
    "@SUM(A1)", "+1", "-2+3", "\tX", "\rY", "\x00", "a\x0bb", "\x1f", "\u200b", "Ma\u200blmö", "Mаlmö", "Ροlisen",
    "x'); DROP TABLE accounts; --", "31/02/2025", "2025-02-29", "00/00/0000", "9999-12-31", "0001-01-01",
    "https://twitter.com/x/status/1", "https://www.tiktok.com/@x/video/1", "urn:li:activity:1", "\ufeffDate", "sep=;",
    '"', '""', "'", ";", ",", "\t", "\n", "\r\n", "Ö" * 300,
])
_CELL_TEXT = st.one_of(_HOSTILE, _DATE_TEXTS, st.integers(-10**16, 10**16).map(str),
                       st.floats(allow_nan=True, allow_infinity=True).map(str), st.text(max_size=20))
_TYPED = st.one_of(st.none(), st.integers(-10**16, 10**16), st.floats(allow_nan=False, allow_infinity=False),
                   st.datetimes(datetime(1900, 3, 1), datetime(2200, 1, 1)), st.booleans())
_STYLES = ("plain", "semicolon-cp1252", "utf16-tab", "xlsx")


@st.composite
def generated(draw, format_id: str) -> tuple[str, bytes]:
    seed = SEEDS[format_id]
    style = draw(st.sampled_from(("xlsx",) if seed.kind == "xlsx" else _STYLES))
    cell = st.one_of(_CELL_TEXT, _TYPED) if style == "xlsx" else _CELL_TEXT
    sheets = {}
    for sheet, rows in seed.sheets.items():
        prefix = [list(row) for row in rows[:seed.prefix]]
        header = prefix[seed.header] if sheet in seed.data_sheets else None
        width = len(header or rows[-1])
        if header and draw(st.booleans()):  # a column dropped, doubled or renamed
            at = draw(st.integers(0, len(header) - 1))
            change = draw(st.sampled_from(["drop", "double", "rename"]))
            if change == "drop":  # from the header and a description row under it
                for row in prefix:
                    if len(row) == width:
                        del row[at]
            elif change == "double":
                header.insert(at, header[at])
            else:
                header[at] = draw(_HOSTILE)
            width = len(header)
        if sheet in seed.data_sheets:
            data = draw(st.lists(st.lists(cell, min_size=max(width - 2, 0), max_size=width + 1), max_size=8))
        else:
            data = [list(row) for row in rows[seed.prefix:]]
        sheets[sheet] = prefix + data
    if style == "plain" and seed.kind in ("utf16", "csv-bom"):
        style = seed.kind
    return seed.render(sheets, style)


@pytest.mark.parametrize("format_id", sorted(SEEDS))
def test_generated_files_parse_or_are_refused(format_id):
    @settings(FUZZ, max_examples=GENERATED)
    @given(generated(format_id))
    def run(case):
        parse_or_refuse(*case)

    run()


# -- mutated files -------------------------------------------------------------------------------------------
_INSERTS = [b",", b";", b"\t", b'"', b"\n", b"\r\n", b"-", b"NAN", b"1,5", b"\xa0", b"\x00", b"31/02/2025",
            b"\xef\xbb\xbf", b"\xff\xfe", b"<", b"&", b"]]>", b"\xe2\x80\x8b"]


def _mutate_bytes(draw, data: bytearray) -> bytearray:
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "repeat_line", "delimiter"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "delete" and data:
            del data[at:at + draw(st.integers(1, 8))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(_INSERTS))
        elif kind == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "repeat_line":
            lines = bytes(data).split(b"\n")
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(lines)))
            data = bytearray(b"\n".join(lines))
        elif kind == "delimiter":
            data = bytearray(bytes(data).replace(b",", b";"))
    return data


RENDERED = {format_id: seed.render() for format_id, seed in SEEDS.items()}  # once: a workbook's bytes carry the time


@st.composite
def mutated(draw, format_id: str) -> tuple[str, bytes]:
    seed = SEEDS[format_id]
    name, content = RENDERED[format_id]
    if seed.kind != "xlsx":
        return name, bytes(_mutate_bytes(draw, bytearray(content)))
    # A workbook: mostly its sheet XML mutated inside an intact archive (else the ZIP check stops
    # every case), sometimes the archive's own bytes.
    if draw(st.integers(0, 4)) == 0:
        return name, bytes(_mutate_bytes(draw, bytearray(content)))
    source = zipfile.ZipFile(io.BytesIO(content))
    members = source.namelist()
    target = draw(st.sampled_from([m for m in members if m.endswith(".xml")]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            data = source.read(member)
            archive.writestr(member, bytes(_mutate_bytes(draw, bytearray(data))) if member == target else data)
    return name, out.getvalue()


@pytest.mark.parametrize("format_id", sorted(SEEDS))
def test_mutated_files_parse_or_are_refused(format_id):
    @settings(FUZZ, max_examples=MUTATED)
    @given(mutated(format_id))
    def run(case):
        parse_or_refuse(*case)

    run()


# -- the BIFF (.xls) samples, when ../shared is here ---------------------------------------------------
BIFF_SAMPLES = ("linkedin_page_visitors_and_updates_legacy2020_EXCEL_MERGED.xls",
                "twitter_daily_activity_2020_pasted_into_xls.xls",
                "fb_legacy_insights_post_level_2020_SpreadsheetML.xls")


@pytest.mark.shared
@pytest.mark.parametrize("sample", BIFF_SAMPLES)
def test_mutated_xls_samples_parse_or_are_refused(sample):
    path = SHARED / "samples" / sample
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    original = path.read_bytes()

    @settings(FUZZ, max_examples=MUTATED // 4)
    @given(st.data())
    def run(data):
        parse_or_refuse(sample, bytes(_mutate_bytes(data.draw, bytearray(original))))

    run()
