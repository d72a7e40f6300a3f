"""Meta Business Suite formats: post exports, chart (series) exports and the files we refuse.

Expected figures for the real samples in ../shared/samples/ are computed here
from the raw bytes with the csv module, independently of the importer; the
synthetic fixtures are written by the tests (invented values).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime

import pytest

from benchmark.importers.formats import meta
from benchmark.importers.formats.meta_posts import POSTS_FORMAT
from benchmark.importers.formats.meta_series import SERIES_FORMAT
from benchmark.importers.model import (
    AccountRef,
    ImportRejected,
    ParsedFile,
    ParseOptions,
    SourceFile,
    UnreadableFileError,
    UnrecognisedFileError,
)
from benchmark.importers.reading import read_file
from tests.conftest import shared_or_skip
from tests.importers import helpers

pytestmark = pytest.mark.shared

POSTS_SAMPLES = (
    "meta_mbs_fb_posts_en_2025-01_first80.csv",
    "meta_mbs_fb_posts_en_2025-03_dupViewsCol.csv",
    "meta_mbs_fb_posts_sv_lokalt_2026-01_wide_first100.csv",
    "meta_mbs_fb_posts_sv_riks_2026-01_first300.csv",
    "meta_mbs_ig_posts_en_2025-03.csv",
    "meta_mbs_ig_posts_sv_riks_2026-01_first300.csv",
)
SERIES_SAMPLES = {
    # file → (platform the title says, measure)
    "meta_mbs_page_series_content_interactions_en_utf16.csv": (None, "interactions"),
    "meta_mbs_page_series_fb_follows_en_utf16.csv": (None, "new_followers"),
    "meta_mbs_page_series_fb_reach_en_utf16.csv": ("facebook", "reach"),
    "meta_mbs_page_series_fb_viewers_EXCEL_RESAVED_semicolon.csv": (None, "reach"),
    "meta_mbs_page_series_fb_visits_en_utf16.csv": ("facebook", "profile_visits"),
    "meta_mbs_page_series_ig_follows_en_utf16.csv": ("instagram", "new_followers"),
    "meta_mbs_page_series_ig_link_clicks_en_utf16.csv": ("instagram", "link_clicks"),
    "meta_mbs_page_series_ig_profile_visits_en_utf16.csv": ("instagram", "profile_visits"),
    "meta_mbs_page_series_ig_reach_en_utf16.csv": (None, "reach"),
    "meta_mbs_page_series_views_en_utf16.csv": (None, "views"),
}
NOT_METRICS_SAMPLES = {
    "meta_mbs_audience_age_gender_en_utf16.csv": "meta-audience",
    "meta_mbs_audience_EXCEL_RESAVED_cp1251_mangled.csv": "meta-audience",
    "meta_mbs_top_content_formats_EXCEL_RESAVED.csv": "meta-top-content-formats",
}
WRAPPED_SAMPLE = "meta_mbs_fb_videos_en_WRAPPED_LINES_first10.csv"
NO_OPTIONS = ParseOptions()


def _claims(source: SourceFile) -> list[str]:
    return helpers.claims(meta, source) + helpers.refusals(meta, source)


def _parse(source: SourceFile, options: ParseOptions = NO_OPTIONS) -> ParsedFile:
    return helpers.parse(meta, source, options)


def _text(data: bytes) -> str:
    if data.startswith(b"\xff\xfe"):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


# -- every sample of the family ------------------------------------------------------------------
def test_every_sample_is_claimed_by_the_right_meta_entry_only():
    expected = {
        **dict.fromkeys(POSTS_SAMPLES, "meta-posts"),
        **dict.fromkeys(SERIES_SAMPLES, "meta-series"),
        **NOT_METRICS_SAMPLES,
    }
    helpers.check_sample_claims(
        _claims, expected, own=lambda name: name.startswith("meta_mbs_") and name != WRAPPED_SAMPLE)


def test_wrapped_video_export_is_unreadable():
    path = shared_or_skip("samples", WRAPPED_SAMPLE)
    with pytest.raises(UnreadableFileError):
        read_file(WRAPPED_SAMPLE, path.read_bytes())


# -- post exports ----------------------------------------------------------------------------------
_ID_HEADERS = {"Post ID", "Publicerings-id"}
_ACCOUNT_HEADERS = {"Page ID", "Sid-id", "Account ID", "Konto-id"}
_SUMMED = {
    "reactions": {"Reactions", "Reaktioner", "Likes", "Gilla-markeringar"},
    "comments": {"Comments", "Kommentarer"},
    "shares": {"Shares", "Delningar"},
}


def _raw_posts(name: str) -> dict[str, dict[str, int]]:
    """Per account id: post count and reaction/comment/share sums, read with the csv module."""
    rows = list(csv.reader(io.StringIO(_text(shared_or_skip("samples", name).read_bytes()))))
    header, data = rows[0], rows[1:]

    def first(row: list[str], names: set[str]) -> str:
        return next((row[i] for i, h in enumerate(header) if h in names and i < len(row) and row[i]), "")

    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in data:
        account = first(row, _ACCOUNT_HEADERS)
        assert first(row, _ID_HEADERS)
        totals[account]["posts"] += 1
        for measure, names in _SUMMED.items():
            totals[account][measure] += int(first(row, names) or 0)
    return totals


@pytest.mark.parametrize("name", POSTS_SAMPLES)
def test_post_sample_counts_and_sums_per_account(name):
    parsed = _parse(helpers.sample(name))
    expected = _raw_posts(name)
    got: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for post in parsed.posts:
        totals = got[post.account.platform_account_id]
        totals["posts"] += 1
        for measure in _SUMMED:
            totals[measure] += getattr(post, measure) or 0
    assert {a: dict(t) for a, t in got.items()} == {a: dict(t) for a, t in expected.items()}
    assert parsed.platform == ("instagram" if "_ig_" in name else "facebook")
    assert {p.account.platform for p in parsed.posts} == {parsed.platform}
    assert parsed.rows_read == len(parsed.posts)
    assert {"reactions", "comments", "shares", "views"} <= set(parsed.post_measures)


def _raw_record(name: str, post_id: str) -> dict[str, str]:
    """Header → first non-empty cell of the sample row of `post_id` (names and captions are not copied here)."""
    rows = list(csv.reader(io.StringIO(_text(shared_or_skip("samples", name).read_bytes()))))
    header = rows[0]
    for row in rows[1:]:
        record: dict[str, str] = {}
        for position, cell in enumerate(row):
            if cell and not record.get(header[position]):
                record[header[position]] = cell
        if post_id in (record.get("Post ID"), record.get("Publicerings-id")):
            return record
    raise AssertionError(f"{post_id} not in {name}")


def test_english_facebook_sample_account_and_columns():
    name = "meta_mbs_fb_posts_en_2025-01_first80.csv"
    parsed = _parse(helpers.sample(name))
    raw = _raw_record(name, "939005954986064")
    assert parsed.accounts == [AccountRef("facebook", raw["Page name"], "100066300057039")]
    assert parsed.format_label == "Meta Business Suite post export (Facebook, English headers)"
    assert parsed.post_measures == ("reactions", "comments", "shares", "views", "link_clicks")
    assert "Seconds viewed" in parsed.ignored_columns
    assert "Reactions, Comments and Shares" in parsed.ignored_columns
    post = next(p for p in parsed.posts if p.post_id == "939005954986064")
    # 02/16/2025 05:14 Pacific standard time (UTC-8) → 13:14 UTC
    assert raw["Publish time"] == "02/16/2025 05:14"
    assert post.published_at == datetime(2025, 2, 16, 13, 14)
    assert (post.views, post.reach, post.reactions, post.comments, post.shares) == (40, 15, 2, 1, 0)
    assert post.link_clicks is None  # empty cell: unknown, not 0
    assert post.post_type == "Photos"
    assert post.permalink == raw["Permalink"]
    # The title is the first line of Title, cut to 200 characters.
    first_line = raw["Title"].splitlines()[0]
    assert len(first_line) > 200
    assert post.title == first_line[:199] + "…"


def test_swedish_publish_time_is_converted_from_pacific_by_hand():
    name = "meta_mbs_fb_posts_sv_lokalt_2026-01_wide_first100.csv"
    parsed = _parse(helpers.sample(name))
    raw = _raw_record(name, "1477114251086461")
    post = next(p for p in parsed.posts if p.post_id == "1477114251086461")
    # `01/05/2026 09:42` in Pacific standard time (UTC-8) → 17:42 UTC.
    assert raw["Publiceringstid"] == "01/05/2026 09:42"
    assert post.published_at == datetime(2026, 1, 5, 17, 42)
    assert post.account == AccountRef("facebook", raw["Sidnamn"], "100063636997648")
    assert post.post_type == "Photos"  # written `Foton`: stored in English like the file's other half
    assert (post.views, post.reach, post.reactions, post.comments, post.shares) == (6604, 4165, 34, 6, 0)
    assert parsed.format_label == "Meta Business Suite post export (Facebook, Swedish headers)"
    # The Swedish 3-second column is empty throughout, the English duplicate holds the values (0: photos).
    assert "video_views" in parsed.post_measures
    assert {p.video_views for p in parsed.posts} == {0}
    breakdown = [c for c in parsed.ignored_columns if "per-country/age columns" in c]
    assert len(breakdown) == 1 and breakdown[0].startswith("171 per-country/age columns")
    assert not any("efter land" in c or "by country" in c for c in parsed.ignored_columns if c not in breakdown)


def test_summer_time_publish_time():
    parsed = _parse(helpers.sample("meta_mbs_fb_posts_en_2025-03_dupViewsCol.csv"))
    post = next(p for p in parsed.posts if p.post_id == "960221266197866")
    # `03/18/2025 12:59`: US daylight time since 9 March 2025 (UTC-7) → 19:59 UTC.
    assert post.published_at == datetime(2025, 3, 18, 19, 59)


def test_duplicate_views_column_takes_the_first_non_empty():
    name = "meta_mbs_fb_posts_en_2025-03_dupViewsCol.csv"
    rows = list(csv.reader(io.StringIO(_text(shared_or_skip("samples", name).read_bytes()))))
    header = rows[0]
    views = [i for i, h in enumerate(header) if h == "Views"]
    assert len(views) == 2
    expected = {r[0]: int(next(r[i] for i in views if r[i])) for r in rows[1:]}
    parsed = _parse(helpers.sample(name))
    assert {p.post_id: p.views for p in parsed.posts} == expected
    assert "Views" not in parsed.ignored_columns


def test_swedish_rows_with_only_the_english_post_id_still_import():
    name = "meta_mbs_fb_posts_sv_riks_2026-01_first300.csv"
    rows = list(csv.reader(io.StringIO(_text(shared_or_skip("samples", name).read_bytes()))))
    header = rows[0]
    sv_id, en_id, en_views = header.index("Publicerings-id"), header.index("Post ID"), header.index("Views")
    english_only = {r[en_id]: int(r[en_views]) for r in rows[1:] if not r[sv_id] and len(r) > en_id and r[en_id]}
    assert len(english_only) == 22
    parsed = _parse(helpers.sample(name))
    by_id = {p.post_id: p for p in parsed.posts}
    for post_id, views in english_only.items():
        assert by_id[post_id].views == views
    # Two of those rows have no reactions/comments/shares/reach at all: unknown, not 0.
    assert by_id["1553596092957496"].reactions is None
    assert by_id["1553596092957496"].reach is None
    assert len(parsed.accounts) == 15


def test_instagram_swedish_sample_coalesces_account_columns():
    name = "meta_mbs_ig_posts_sv_riks_2026-01_first300.csv"
    parsed = _parse(helpers.sample(name))
    assert parsed.format_label == "Meta Business Suite post export (Instagram, Swedish headers)"
    raw = _raw_record(name, "17871611892497759")
    post = next(p for p in parsed.posts if p.post_id == "17871611892497759")
    assert post.account == AccountRef("instagram", raw["Kontonamn"], "17841411627511976")
    # `01/05/2026 06:26` PST → 14:26 UTC; Gilla-markeringar are the reactions.
    assert post.published_at == datetime(2026, 1, 5, 14, 26)
    assert (post.views, post.reach, post.reactions, post.shares, post.comments) == (14603, 10912, 158, 20, 4)
    assert post.post_type == "IG reel"  # written `IG-reel`
    assert parsed.post_measures == ("reactions", "comments", "shares", "views")
    assert {"Följer", "Sparade objekt"} <= set(parsed.ignored_columns)


def test_coverage_from_the_file_name():
    # The sample's original name: the export range Meta put in it.
    name = "FB Riks Jan-01-2026_Jan-31-2026_1909489173296485.csv"
    parsed = _parse(helpers.sample("meta_mbs_fb_posts_sv_riks_2026-01_first300.csv", as_name=name))
    assert set(parsed.post_coverage) == set(parsed.accounts)
    assert set(parsed.post_coverage.values()) == {(date(2026, 1, 1), date(2026, 1, 31))}
    # A post at 01/31/2026 23:47 Pacific is 1 February in UTC: inside the one day of slack.
    assert max(p.published_at for p in parsed.posts) == datetime(2026, 2, 1, 7, 47)


def test_coverage_when_the_name_range_does_not_hold_the_posts():
    source = helpers.sample("meta_mbs_fb_posts_en_2025-01_first80.csv", as_name="Jan-14-2025_Jan-31-2025_1.csv")
    parsed = _parse(source)
    assert list(parsed.post_coverage.values()) == [(date(2025, 2, 16), date(2025, 3, 18))]
    assert any("the name range was not used" in n for n in parsed.notes)
    assert any("first to its last post" in n for n in parsed.notes)
    period = (date(2025, 2, 1), date(2025, 3, 31))
    parsed = _parse(source, ParseOptions(period=period))
    assert list(parsed.post_coverage.values()) == [period]


# -- chart (series) exports ------------------------------------------------------------------------
def _raw_series(name: str) -> list[tuple[str, int]]:
    """(date part, value) of every data row, read with the csv module."""
    text = _text(shared_or_skip("samples", name).read_bytes())
    lines = text.splitlines()
    if lines[0].startswith("sep="):
        lines = lines[1:]
    delimiter = ";" if ";" in lines[1] else ","
    rows = [r for r in csv.reader(lines, delimiter=delimiter) if any(r)]
    assert rows[1][:2] == ["Date", "Primary"]
    return [(r[0][:10], int(r[1])) for r in rows[2:]]


@pytest.mark.parametrize("name", sorted(SERIES_SAMPLES))
def test_series_sample_days_and_total(name):
    platform, measure = SERIES_SAMPLES[name]
    raw = _raw_series(name)
    parsed = _parse(helpers.sample(name))
    assert parsed.platform == platform
    assert {v.measure for v in parsed.values} == {measure}
    assert {v.account for v in parsed.values} == {AccountRef()}
    assert all(v.start == v.end for v in parsed.values)
    assert sum(v.value for v in parsed.values) == sum(value for _, value in raw)
    days = {date.fromisoformat(d) for d, _ in raw}
    assert min(v.start for v in parsed.values) == min(days)
    assert max(v.start for v in parsed.values) == max(days)
    if name != "meta_mbs_page_series_ig_follows_en_utf16.csv":
        assert len(parsed.values) == len(raw)
        first = min(parsed.values, key=lambda v: v.start)
        assert first.value == raw[0][1]


def test_series_sample_first_row_and_row_number():
    parsed = _parse(helpers.sample("meta_mbs_page_series_fb_reach_en_utf16.csv"))
    first = parsed.values[0]
    # `sep=,` is line 1, the title line 2, the header line 3: 2025-01-01T01:00:00 (PST) is line 4.
    assert (first.start, first.value, first.source_row) == (date(2025, 1, 1), 5, 4)
    assert len(parsed.values) == 105  # 1 January to 15 April 2025
    # The switch to US summer time shows as T00:00:00 from 10 March: still one row per day.
    assert [v.start for v in parsed.values] == sorted({v.start for v in parsed.values})


def test_sparse_instagram_follows_are_zero_filled():
    name = "meta_mbs_page_series_ig_follows_en_utf16.csv"
    raw = _raw_series(name)
    assert len(raw) == 40
    parsed = _parse(helpers.sample(name))
    assert len(parsed.values) == 62  # 31 October to 31 December 2025
    filled = [v for v in parsed.values if v.source_row is None]
    assert len(filled) == 22 and {v.value for v in filled} == {0}
    assert sum(v.value for v in parsed.values) == sum(value for _, value in raw)
    assert any("filled 22 day(s)" in n for n in parsed.notes)


def test_viewers_file_resaved_by_excel():
    parsed = _parse(helpers.sample("meta_mbs_page_series_fb_viewers_EXCEL_RESAVED_semicolon.csv"))
    assert parsed.format_label == "Meta Business Suite chart export ('Viewers')"
    assert parsed.values[0].start == date(2025, 10, 31) and parsed.values[0].value == 1148
    assert len(parsed.values) == 62


# -- synthetic post exports: the re-saved forms ------------------------------------------------------
FB_HEADER = ["Post ID", "Page ID", "Page name", "Title", "Description", "Publish time", "Permalink",
             "Post type", "Date", "Views", "Reach", "Reactions", "Comments", "Shares", "Link Clicks",
             "Seconds viewed"]
SV_HEADER = ["Publicerings-id", "Sid-id", "Sidnamn", "Titel", "Beskrivning", "Publiceringstid", "Permalänk",
             "Inläggstyp", "Datum", "Visningar", "Räckvidd", "Reaktioner", "Kommentarer", "Delningar",
             "Länkklick", "Sekunder visad"]
# Invented posts: (id, page id, page, title, description, publish time US Pacific, type, counts…)
FB_POSTS = [
    ("9001", "5550001", "Testkommun Öst", "Snöröjning i dag\nMer info på webben", "", datetime(2026, 1, 5, 9, 42),
     "Foton", 1234, 1000, 45, 6, 7, 12),
    ("9002", "5550001", "Testkommun Öst", "", "Beskrivning, med komma", datetime(2026, 1, 31, 23, 47),
     "Links", 20500, 15000, 1204, 0, 3, None),
    ("9003", "5550002", "Testregion Väst", "Video om vård", "", datetime(2026, 1, 20, 8, 0),
     "Videor", 300, 250, 2, 1, 0, 0),
]
EXPECTED_FB = {
    # post id → (account, published UTC, views, reach, reactions, comments, shares, link clicks, title)
    "9001": (AccountRef("facebook", "Testkommun Öst", "5550001"), datetime(2026, 1, 5, 17, 42),
             1234, 1000, 45, 6, 7, 12, "Snöröjning i dag"),
    "9002": (AccountRef("facebook", "Testkommun Öst", "5550001"), datetime(2026, 2, 1, 7, 47),
             20500, 15000, 1204, 0, 3, None, "Beskrivning, med komma"),
    "9003": (AccountRef("facebook", "Testregion Väst", "5550002"), datetime(2026, 1, 20, 16, 0),
             300, 250, 2, 1, 0, 0, "Video om vård"),
}


def _post_rows(time_text, count_text, date_text="Lifetime") -> list[list[str]]:
    rows = []
    for (pid, page_id, page, title, desc, published, kind, views, reach, reac, comm, shar, clicks) in FB_POSTS:
        counts = [count_text(v) if v is not None else "" for v in (views, reach, reac, comm, shar, clicks)]
        rows.append([pid, page_id, page, title, desc, time_text(published),
                     f"https://www.facebook.com/{page_id}/posts/{pid}", kind, date_text, *counts, "8.5"])
    return rows


def _csv_bytes(header, rows, *, delimiter=",", encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if delimiter == ";" else "\n").writerows(
        [header, *rows])
    return out.getvalue().encode(encoding)


def _us_time(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y %H:%M")


def _summary(parsed: ParsedFile) -> dict[str, tuple]:
    return {
        p.post_id: (p.account, p.published_at, p.views, p.reach, p.reactions, p.comments, p.shares,
                    p.link_clicks, p.title)
        for p in parsed.posts
    }


def _xlsx(header, rows) -> bytes:
    return helpers.workbook({"Export": [header, *rows]})


def test_synthetic_posts_plain_csv():
    content = _csv_bytes(FB_HEADER, _post_rows(_us_time, str))
    parsed = _parse(read_file("Jan-01-2026_Jan-31-2026_123.csv", content))
    assert _summary(parsed) == EXPECTED_FB
    assert parsed.post_measures == ("reactions", "comments", "shares", "views", "link_clicks")
    assert parsed.ignored_columns == ["Seconds viewed"]
    assert parsed.post_coverage == {
        EXPECTED_FB["9001"][0]: (date(2026, 1, 1), date(2026, 1, 31)),
        EXPECTED_FB["9003"][0]: (date(2026, 1, 1), date(2026, 1, 31)),
    }
    assert [p.source_row for p in parsed.posts] == [2, 4, 5]  # the first title spans lines 2-3
    assert [p.post_type for p in parsed.posts] == ["Photos", "Links", "Videos"]  # Foton, Links, Videor


@pytest.mark.parametrize(
    ("header", "time_text", "count_text", "delimiter", "encoding"),
    [
        # Excel on a Nordic PC: semicolons, grouped thousands (space, NBSP), day-first dates.
        (FB_HEADER, lambda t: t.strftime("%d.%m.%Y %H:%M"), lambda v: f"{v:,}".replace(",", " "), ";",
         "utf-8-sig"),
        (SV_HEADER, lambda t: t.strftime("%Y-%m-%d %H:%M"), lambda v: f"{v:,}".replace(",", "\u00a0"), ";",
         "utf-8"),
        (SV_HEADER, lambda t: t.strftime("%d-%m-%Y %H:%M"), lambda v: f"{v:,}".replace(",", "."), ";", "cp1252"),
        (SV_HEADER, _us_time, str, "\t", "utf-16"),
    ],
    ids=["utf8bom-semicolon-space-ddmmyyyy", "utf8-swedish-nbsp-iso", "cp1252-swedish-period-dash",
         "utf16-tab-swedish"],
)
def test_synthetic_posts_resaved_forms_give_the_same_posts(header, time_text, count_text, delimiter, encoding):
    content = _csv_bytes(header, _post_rows(time_text, count_text), delimiter=delimiter, encoding=encoding)
    parsed = _parse(read_file("Jan-01-2026_Jan-31-2026_123.csv", content))
    assert _summary(parsed) == EXPECTED_FB


def test_synthetic_posts_xlsx_with_typed_cells():
    rows = []
    for (pid, page_id, page, title, desc, published, kind, views, reach, reac, comm, shar, clicks) in FB_POSTS:
        rows.append([int(pid), page_id, page, title, desc, published, None, kind, "Livstid",
                     views, reach, reac, comm, shar, clicks, 8.5])
    parsed = _parse(read_file("Jan-01-2026_Jan-31-2026_123.xlsx", _xlsx(SV_HEADER, rows)))
    assert _summary(parsed) == EXPECTED_FB
    assert parsed.format_label == "Meta Business Suite post export (Facebook, Swedish headers)"


def test_synthetic_instagram_with_username_only():
    header = ["Post ID", "Account username", "Description", "Publish time", "Date", "Likes", "Comments", "Shares"]
    rows = [["1", "testkommun", "Hej", "07/01/2025 12:00", "Lifetime", "5", "1", "0"]]
    parsed = _parse(read_file("x.csv", _csv_bytes(header, rows)))
    post = parsed.posts[0]
    # 1 July is summer time (UTC-7).
    assert post.published_at == datetime(2025, 7, 1, 19, 0)
    assert post.account == AccountRef("instagram", "testkommun", None)
    assert (post.reactions, post.comments, post.shares) == (5, 1, 0)
    assert parsed.post_measures == ("reactions", "comments", "shares")


def test_instagram_without_id_column_groups_by_username():
    header = ["Post ID", "Account username", "Account name", "Publish time", "Date", "Likes"]
    rows = [["1", "kommun_a", "Kommun A", "03/01/2025 10:00", "Lifetime", "5"],
            ["2", "kommun_b", "", "03/02/2025 10:00", "Lifetime", "7"],
            ["3", "kommun_a", "Kommun A", "03/03/2025 10:00", "Lifetime", "1"]]
    parsed = _parse(read_file("x.csv", _csv_bytes(header, rows)))
    assert [(p.post_id, p.account) for p in parsed.posts] == [
        ("1", AccountRef("instagram", "Kommun A", None)),
        ("2", AccountRef("instagram", "kommun_b", None)),
        ("3", AccountRef("instagram", "Kommun A", None)),
    ]


def test_swedish_post_types_are_stored_in_english():
    parsed = _parse(helpers.sample("meta_mbs_fb_posts_sv_riks_2026-01_first300.csv"))
    # The file mixes `Foton`/`Photos`, `Länkar`/`Links`; `Videor` and `Text` too.
    assert {p.post_type for p in parsed.posts} == {"Photos", "Links", "Videos", "Text"}


def test_ragged_rows_are_missing_values():
    header = FB_HEADER
    row = ["9001", "5550001", "Testkommun", "T", "", "01/05/2026 09:42", "", "Photos", "Lifetime", "10", "8", "3"]
    parsed = _parse(read_file("x.csv", _csv_bytes(header, [row])))
    post = parsed.posts[0]
    assert (post.views, post.reach, post.reactions) == (10, 8, 3)
    assert (post.comments, post.shares, post.link_clicks) == (None, None, None)


# -- post exports: refusals -------------------------------------------------------------------------
def _rejected(content: bytes, name: str = "x.csv") -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        _parse(read_file(name, content))
    return caught.value


def test_daily_breakdown_is_rejected_with_advice():
    # One row per post per day (research §0.9): real dates in Datum, no Visningar column.
    header = ["Publicerings-id", "Sid-id", "Sidnamn", "Titel", "Publiceringstid", "Datum", "Räckvidd",
              "Reaktioner", "Kommentarer", "Delningar"]
    rows = []
    for day in range(1, 4):
        for pid in ("9001", "9002"):
            rows.append([pid, "5550001", "Testkommun", "T", "02/01/2026 10:00", f"02/0{day}/2026", "10", "2", "1",
                         "0"])
    error = _rejected(_csv_bytes(header, rows))
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.row is None and problem.column == "Datum"
    assert "6 row(s) carry a day" in problem.expected
    assert "row 2" in problem.expected and "'02/01/2026'" in problem.expected
    assert "Lifetime" in problem.expected and "Livstid" in problem.expected
    assert "daily breakdown" in str(error)


def test_unknown_date_value_is_a_problem():
    rows = _post_rows(_us_time, str)
    rows[1][8] = "Senaste 28 dagarna"
    error = _rejected(_csv_bytes(FB_HEADER, rows))
    assert [(p.row, p.column, p.value) for p in error.problems] == [("row 4", "Date", "Senaste 28 dagarna")]


def test_bad_cells_are_reported_with_row_column_and_value():
    rows = _post_rows(_us_time, str)
    rows[0][11] = "12,5"  # Reactions
    rows[2][5] = "31/31/2026 10:00"  # Publish time
    rows[2][1] = ""  # Page ID
    error = _rejected(_csv_bytes(FB_HEADER, rows))
    found = {(p.row, p.column, p.value) for p in error.problems}
    # Row 2 is the first post (its title spans lines 2-3), row 5 the third.
    assert found == {("row 2", "Reactions", "12,5"), ("row 5", "Page ID", None),
                     ("row 5", "Publish time", "31/31/2026 10:00")}
    assert "row 2, column 'Reactions': '12,5'" in str(error)


def test_publish_times_in_both_orders_are_a_problem():
    rows = _post_rows(_us_time, str)
    rows[0][5] = "13/01/2026 10:00"  # day first, while row 4 has 01/31/2026: month first
    error = _rejected(_csv_bytes(FB_HEADER, rows))
    assert [(p.row, p.column, p.value) for p in error.problems] == [
        ("row 4", "Publish time", "01/31/2026 23:47"),  # the order clash, found at the second kind
        ("row 2", "Publish time", "13/01/2026 10:00"),  # read month first: no month 13
    ]
    assert "one order throughout the column" in error.problems[0].expected


def test_negative_count_is_a_problem():
    rows = _post_rows(_us_time, str)
    rows[2][13] = "-3"
    error = _rejected(_csv_bytes(FB_HEADER, rows))
    assert [(p.row, p.column, p.value) for p in error.problems] == [("row 5", "Shares", "-3")]


def test_id_rounded_by_excel_is_a_problem():
    rows = [[1.7871611892497801e16, "5550001", "Testkommun", "T", "", datetime(2026, 1, 5, 9, 42), None,
             "Photos", "Lifetime", 1, 1, 1, 1, 1, 1, 1]]
    error = _rejected(_xlsx(FB_HEADER, rows), "x.xlsx")
    assert [(p.row, p.column) for p in error.problems] == [("sheet 'Export', row 2", "Post ID")]
    assert "rounded" in error.problems[0].expected


def test_same_post_twice_with_other_figures_is_a_problem():
    rows = _post_rows(_us_time, str)
    again = list(rows[2])
    again[11] = "99"
    error = _rejected(_csv_bytes(FB_HEADER, [*rows, again]))
    assert [(p.row, p.column, p.value) for p in error.problems] == [("row 6", "Post ID", "9003")]
    assert "row 5" in error.problems[0].expected


def test_same_post_twice_with_same_figures_is_skipped_with_a_note():
    rows = _post_rows(_us_time, str)
    parsed = _parse(read_file("x.csv", _csv_bytes(FB_HEADER, [*rows, rows[2]])))
    assert len(parsed.posts) == 3
    assert any("repeating a post" in n for n in parsed.notes)


def test_header_without_rows_is_rejected():
    error = _rejected(_csv_bytes(FB_HEADER, []))
    assert error.problems[0].row is None and "none" in error.problems[0].expected


def test_missing_required_column_is_not_this_format():
    header = [h for h in FB_HEADER if h != "Publish time"]
    rows = [r[:5] + r[6:] for r in _post_rows(_us_time, str)]
    source = read_file("x.csv", _csv_bytes(header, rows))
    assert POSTS_FORMAT.detect(source) is None
    assert _claims(source) == []


# -- synthetic chart exports ------------------------------------------------------------------------
SERIES_DAYS = [(date(2025, 3, 8), 5), (date(2025, 3, 9), 1234), (date(2025, 3, 10), 0), (date(2025, 3, 11), 17)]


def _series_text(title, header, date_text, value_text, *, sep_line=None, delimiter=","):
    lines = [f"sep={sep_line}"] if sep_line else []
    if title is not None:
        lines.append(f'"{title}"' if delimiter == "," else f"{title}{delimiter}")
    lines.append(delimiter.join(f'"{h}"' if delimiter == "," else h for h in header))
    for day, value in SERIES_DAYS:
        lines.append(delimiter.join([date_text(day), value_text(value)]))
    return "\n".join(lines) + "\n"


def _series_values(parsed: ParsedFile) -> list[tuple[date, int]]:
    return [(v.start, v.value) for v in parsed.values]


def test_synthetic_series_as_downloaded():
    # US summer time began on 9 March 2025: the time part changes, the day does not.
    text = _series_text("Facebook follows", ["Date", "Primary"],
                        lambda d: f'"{d}T{"01" if d < date(2025, 3, 10) else "00"}:00:00"', lambda v: f'"{v}"',
                        sep_line=",")
    parsed = _parse(read_file("Follows.csv", b"\xff\xfe" + text.encode("utf-16-le")))
    assert _series_values(parsed) == SERIES_DAYS
    assert parsed.platform == "facebook"
    assert [v.source_row for v in parsed.values] == [4, 5, 6, 7]
    assert {v.measure for v in parsed.values} == {"new_followers"}


@pytest.mark.parametrize(
    ("date_text", "value_text", "encoding"),
    [
        (lambda d: d.strftime("%d.%m.%Y"), lambda v: f"{v:,}".replace(",", " "), "cp1252"),
        (lambda d: d.strftime("%d-%m-%Y"), lambda v: f"{v:,}".replace(",", "\u00a0"), "utf-8-sig"),
        (lambda d: d.isoformat(), lambda v: f"{v:,}".replace(",", "."), "utf-16"),
    ],
    ids=["cp1252-ddmmyyyy-space", "utf8bom-dash-nbsp", "utf16-iso-period"],
)
def test_synthetic_series_resaved_on_a_nordic_pc(date_text, value_text, encoding):
    text = _series_text("Facebook follows", ["Date", "Primary"], date_text, value_text, delimiter=";")
    parsed = _parse(read_file("Follows.csv", text.encode(encoding)))
    assert _series_values(parsed) == SERIES_DAYS
    assert parsed.platform == "facebook"


def test_synthetic_series_xlsx():
    rows = [["Instagram follows"], ["Date", "Primary"],
            *([datetime(day.year, day.month, day.day, 1), value] for day, value in SERIES_DAYS)]
    parsed = _parse(read_file("Follows.xlsx", helpers.workbook({"Sheet": rows})))
    assert _series_values(parsed) == SERIES_DAYS
    assert parsed.platform == "instagram"


def test_2022_form_without_title_row():
    text = _series_text(None, ["Date", "New Facebook Page likes"], lambda d: f"{d}T00:00:00", str)
    parsed = _parse(read_file("likes.csv", text.replace('"', "").encode()))
    assert _series_values(parsed) == SERIES_DAYS
    assert (parsed.platform, parsed.values[0].measure) == ("facebook", "new_followers")
    assert parsed.values[0].source_row == 2


def test_bare_date_views_table_is_not_claimed():
    # `Date,Views` is also YouTube's Totals export: only titles naming a Meta platform are claimed.
    text = _series_text(None, ["Date", "Views"], lambda d: d.isoformat(), str).replace('"', "")
    assert SERIES_FORMAT.detect(read_file("Totals.csv", text.encode())) is None


def test_comparison_columns_are_ignored_with_a_note():
    lines = ["sep=,", '"Views"', '"Date","Primary","Previous period"']
    lines += [f'"{d}T00:00:00","{v}","1"' for d, v in SERIES_DAYS]
    parsed = _parse(read_file("Views.csv", "\n".join(lines).encode("utf-8")))
    assert _series_values(parsed) == SERIES_DAYS
    assert parsed.ignored_columns == ["Previous period"]
    assert any("Previous period" in n for n in parsed.notes)
    assert parsed.platform is None


def test_sparse_reach_is_never_filled():
    lines = ['"Reach"', '"Date","Primary"', '"2025-03-01T00:00:00","10"', '"2025-03-04T00:00:00","7"']
    parsed = _parse(read_file("Reach.csv", "\n".join(lines).encode()))
    assert _series_values(parsed) == [(date(2025, 3, 1), 10), (date(2025, 3, 4), 7)]
    assert any("left unknown" in n for n in parsed.notes)


def test_empty_cell_in_series_is_unknown_not_zero():
    lines = ['"Views"', '"Date","Primary"', '"2025-03-01T00:00:00","10"', '"2025-03-02T00:00:00",""',
             '"2025-03-03T00:00:00","7"']
    parsed = _parse(read_file("Views.csv", "\n".join(lines).encode()))
    assert _series_values(parsed) == [(date(2025, 3, 1), 10), (date(2025, 3, 3), 7)]
    assert any("no value" in n for n in parsed.notes)


def test_unknown_title_is_refused_naming_it():
    lines = ['"Räckvidd på Facebook"', '"Date","Primary"', '"2025-03-01T00:00:00","10"']
    source = read_file("x.csv", "\n".join(lines).encode())
    assert _claims(source) == ["meta-series"]
    with pytest.raises(UnrecognisedFileError) as caught:
        _parse(source)
    assert "'Räckvidd på Facebook'" in caught.value.reason
    assert "'Facebook reach'" in caught.value.reason and "'Instagram follows'" in caught.value.reason


def test_series_bad_cells_with_row_numbers():
    lines = ["sep=,", '"Views"', '"Date","Primary"', '"2025-03-01T00:00:00","10"', '"2025-13-02T00:00:00","3"',
             '"2025-03-03T00:00:00","12,5"', '"2025-03-01T00:00:00","4"']
    with pytest.raises(ImportRejected) as caught:
        _parse(read_file("Views.csv", "\n".join(lines).encode()))
    found = [(p.row, p.column, p.value) for p in caught.value.problems]
    assert found == [("row 5", "Date", "2025-13-02T00:00:00"), ("row 6", "Primary", "12,5"),
                     ("row 7", "Date", "2025-03-01T00:00:00")]
    assert "row 4" in caught.value.problems[2].expected


def test_series_without_rows_is_rejected():
    with pytest.raises(ImportRejected) as caught:
        _parse(read_file("Views.csv", b'sep=,\n"Views"\n"Date","Primary"\n'))
    assert caught.value.problems[0].row is None


# -- files that are not page metrics -----------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(NOT_METRICS_SAMPLES))
def test_not_page_metrics_samples(name):
    source = helpers.sample(name)
    assert _claims(source) == [NOT_METRICS_SAMPLES[name]]
    entry = next(n for n in meta.NOT_PAGE_METRICS if n.id == NOT_METRICS_SAMPLES[name])
    assert entry.detect(source)
    assert "Content → Export" in entry.advice


def test_well_formed_video_export_is_recognised_but_refused():
    header = ["Video asset ID", "Universal video ID", "Page ID", "Page name", "Title", "Duration (sec)",
              "Publish time", "Date", "Reach", "3-second video views", "Reactions", "Comments", "Shares"]
    row = ["777", "888", "5550001", "Testkommun", "Film", "30", "01/05/2026 09:42", "Lifetime", "10", "5", "1",
           "0", "0"]
    source = read_file("x.csv", _csv_bytes(header, [row]))
    assert _claims(source) == ["meta-video-export"]
