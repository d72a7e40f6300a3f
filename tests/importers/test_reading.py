"""Reading uploads: the kind of file from its first bytes, the limits, and everything that must be refused.

Text (CSV) files are tested in test_reading_text.py, workbooks in test_reading_workbooks.py.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.importers.model import UnreadableFileError
from benchmark.importers.reading import MAX_COLUMNS, read_file
from tests.conftest import shared_or_skip
from tests.importers import helpers
from tests.importers.helpers import only_sheet, read, refused

# -- refusals ----------------------------------------------------------------------------------------


def test_random_bytes_are_refused():
    noise = random.Random(3).randbytes(4000)
    assert "not a CSV or Excel file" in refused(noise, "export.csv")


def test_png_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(50)
    assert "PNG image" in refused(png, "chart.csv")


def test_nul_bytes_in_text_are_refused():
    assert "not a CSV or Excel file" in refused(b"Date,Views\n2025-01-01,5\x00\x00\x01\n")


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t", b"\xef\xbb\xbf", b"\xff\xfe" + " \n".encode("utf-16-le"), b"\n,,,\n,,\n"])
def test_empty(content):
    assert refused(content) == "the file is empty"


def test_oversize_is_refused_before_reading():
    reason = refused(b"Date,Views\n" * 10_000, max_bytes=2**16)
    assert reason.startswith("the file is 0.105 MB and files of at most 0.0625 MB can be read")
    assert "split the export by date range" in reason


def test_too_many_columns_in_the_header():
    reason = refused((",".join(["col"] * (MAX_COLUMNS + 1)) + "\n1,2\n").encode())
    assert reason.startswith("row 1 has 10,001 columns; no platform export has more than a few thousand")


def test_too_many_columns_later_in_the_file():
    body = "a,b\n" + "1,2\n" * 40 + ",".join(["x"] * (MAX_COLUMNS + 5)) + "\n"
    assert "row 42 has 10,005 columns" in refused(body.encode())


def test_delimiters_inside_quotes_do_not_count_as_columns():
    sheet = only_sheet(read(('Message,Likes\n"' + "," * (MAX_COLUMNS + 5) + '",5\n').encode()))
    assert len(sheet.rows[1]) == 2


def test_html_saved_as_xls_is_refused():
    reason = refused(b"<html><body><table><tr><td>Date</td></tr></table></body></html>", "report.xls")
    assert "web page (HTML)" in reason


def test_other_xml_is_refused():
    assert "not an Excel spreadsheet" in refused(b'<?xml version="1.0"?>\n<rss><channel/></rss>', "feed.xls")


def test_damaged_zip_is_refused():
    assert "damaged" in refused(b"PK\x03\x04" + bytes(range(200)), "book.xlsx")


def test_damaged_ole_file_is_refused():
    assert "damaged" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "book.xls")


# -- nothing but UnreadableFileError escapes -------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_read_or_refused(content):
    try:
        source = read(content)
    except UnreadableFileError:
        return
    assert source.sheets


# -- the real samples ----------------------------------------------------------------------------------

WRAPPED = "meta_mbs_fb_videos_en_WRAPPED_LINES_first10.csv"


def _samples() -> list[Path]:
    folder = shared_or_skip("samples")
    return sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".xls", ".xlsx"))


@pytest.mark.shared
def test_every_sample_reads_or_is_refused_as_unreadable():
    samples = _samples()
    assert len(samples) >= 38
    refused_names = []
    for path in samples:
        try:
            source = read_file(path.name, path.read_bytes())
        except UnreadableFileError:
            refused_names.append(path.name)
            continue
        assert source.sheets, path.name
        assert len(source.sheets[0].rows) >= 2, path.name
        for sheet in source.sheets:
            assert len(sheet.rows) == len(sheet.row_numbers), path.name
            assert sheet.row_numbers == sorted(set(sheet.row_numbers)), path.name
    assert refused_names == [WRAPPED]


@pytest.mark.shared
def test_sample_swedish_post_file_has_its_45_columns():
    sheet = only_sheet(helpers.sample("meta_mbs_fb_posts_sv_riks_2026-01_first300.csv"))
    assert sheet.encoding == "utf-8-sig"
    assert len(sheet.rows[0]) == 45
    assert sheet.rows[0][:3] == ["Publicerings-id", "Sid-id", "Sidnamn"]
    assert sheet.rows[0][-1] == "Link Clicks"
    assert len(sheet.rows) == 301  # header + 300 posts, captions spanning lines included
    assert max(len(row) for row in sheet.rows) == 45 and min(len(row) for row in sheet.rows[1:]) < 45  # ragged


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("meta_mbs_page_series_fb_reach_en_utf16.csv", "Facebook reach"),
        ("meta_mbs_page_series_fb_follows_en_utf16.csv", "Follows"),
        ("meta_mbs_page_series_ig_reach_en_utf16.csv", "Reach"),
        ("meta_mbs_page_series_ig_follows_en_utf16.csv", "Instagram follows"),
    ],
)
def test_sample_utf16_series(name, title):
    sheet = only_sheet(helpers.sample(name))
    assert (sheet.encoding, sheet.delimiter) == ("utf-16-le", ",")
    # line 1 (`sep=,`) is removed; row 0 is the title on line 2, row 1 the header on line 3
    assert sheet.rows[0] == [title]
    assert sheet.rows[1] == ["Date", "Primary"]
    assert sheet.row_numbers[:3] == [2, 3, 4]
    assert sheet.rows[2][0].startswith("20") and sheet.rows[2][0][10] == "T"


@pytest.mark.shared
def test_sample_excel_resaved_semicolon_series():
    sheet = only_sheet(helpers.sample("meta_mbs_page_series_fb_viewers_EXCEL_RESAVED_semicolon.csv"))
    assert sheet.delimiter == ";"
    assert sheet.rows[1] == ["Date", "Primary"]


@pytest.mark.shared
def test_sample_linkedin_biff():
    source = helpers.sample("linkedin_page_visitors_and_updates_legacy2020_EXCEL_MERGED.xls")
    assert source.kind == "xls"
    names = [sheet.name for sheet in source.sheets]
    assert names[0] == "Visitor metrics"
    assert {"Update metrics (aggregated)", "Update Engagement"} <= set(names)
    visitors = source.sheets[0]
    assert visitors.rows[0][0] == "Date"
    assert visitors.rows[1][0] == "04/01/2020"  # a text cell in the file, not a date
    assert isinstance(visitors.rows[1][1], int)


@pytest.mark.shared
def test_sample_x_pasted_into_biff():
    source = helpers.sample("twitter_daily_activity_2020_pasted_into_xls.xls")
    assert source.kind == "xls"
    assert [sheet.name for sheet in source.sheets] == ["NPLF Twitter April", "NPLF Twitter May", "NPLF Twitter June"]
    april = source.sheets[0]
    assert april.rows[0][:2] == ["Date", "Tweets published"]
    assert april.rows[1][0] == datetime(2020, 4, 1)  # a date cell becomes a datetime
    assert april.row_numbers[1] == 2


@pytest.mark.shared
def test_sample_facebook_spreadsheetml():
    source = helpers.sample("fb_legacy_insights_post_level_2020_SpreadsheetML.xls")
    assert source.kind == "spreadsheetml"
    assert [sheet.name for sheet in source.sheets][:2] == ["Key Metrics", "Lifetime Talking About This(..."]
    assert len(source.sheets) == 7
    metrics = source.sheets[0]
    posted = metrics.rows[0].index("Posted")
    assert metrics.rows[2][posted] == datetime(2020, 9, 22, 7, 7, 36)
