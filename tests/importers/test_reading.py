"""Reading uploads: encodings, delimiters, row numbers, workbooks, and everything that must be refused."""

from __future__ import annotations

import functools
import io
import random
import re
import struct
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.importers.model import SourceFile, UnreadableFileError
from benchmark.importers.reading import MAX_COLUMNS, read_file
from tests.conftest import shared_or_skip


def read(content: bytes, name: str = "upload.csv", **options) -> SourceFile:
    return read_file(name, content, **options)


def refused(content: bytes, name: str = "upload.csv", **options) -> str:
    with pytest.raises(UnreadableFileError) as caught:
        read_file(name, content, **options)
    assert caught.value.file_name == name
    assert str(caught.value) == f"{name}: {caught.value.reason}"
    return caught.value.reason


def only_sheet(source: SourceFile):
    assert source.kind == "csv"
    assert len(source.sheets) == 1
    return source.sheets[0]


# -- text encodings -------------------------------------------------------------------------------

PLAIN = "Date,Views\n2025-01-01,5\n2025-01-02,7\n"


def test_utf8():
    sheet = only_sheet(read(PLAIN.encode()))
    assert sheet.rows == [["Date", "Views"], ["2025-01-01", "5"], ["2025-01-02", "7"]]
    assert sheet.row_numbers == [1, 2, 3]
    assert (sheet.encoding, sheet.delimiter, sheet.name) == ("utf-8", ",", None)


def test_utf8_with_bom_loses_the_bom():
    sheet = only_sheet(read(b"\xef\xbb\xbf" + '"Post ID",Räckvidd\n1,5\n'.encode()))
    assert sheet.rows[0] == ["Post ID", "Räckvidd"]
    assert sheet.encoding == "utf-8-sig"


def test_utf16_meta_chart_layout():
    """UTF-16LE with BOM, a `sep=,` line, a title line, then the table (research §1c)."""
    text = 'sep=,\n"Facebook reach"\n"Date","Primary"\n"2025-01-01T01:00:00","5"\n"2025-01-02T01:00:00","12"\n'
    sheet = only_sheet(read(b"\xff\xfe" + text.encode("utf-16-le")))
    assert sheet.rows == [
        ["Facebook reach"],
        ["Date", "Primary"],
        ["2025-01-01T01:00:00", "5"],
        ["2025-01-02T01:00:00", "12"],
    ]
    # the removed `sep=` line still counts: these are the lines a text editor shows
    assert sheet.row_numbers == [2, 3, 4, 5]
    assert (sheet.encoding, sheet.delimiter) == ("utf-16-le", ",")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    sheet = only_sheet(read(PLAIN.encode(codec)))
    assert sheet.rows[1] == ["2025-01-01", "5"]
    assert sheet.encoding == codec


def test_utf16_big_endian_with_bom():
    sheet = only_sheet(read(b"\xfe\xff" + PLAIN.encode("utf-16-be")))
    assert sheet.rows[0] == ["Date", "Views"]
    assert sheet.encoding == "utf-16-be"


@pytest.mark.parametrize("line", ["sep=;", '"sep=;"', "SEP=;", "Sep=;  "])
def test_sep_line_sets_the_delimiter(line):
    sheet = only_sheet(read(f"{line}\nDate;Views,total\n2025-01-01;5\n".encode()))
    assert sheet.delimiter == ";"
    assert sheet.rows == [["Date", "Views,total"], ["2025-01-01", "5"]]
    assert sheet.row_numbers == [2, 3]


def test_cp1252_nordic_letters():
    text = "Kommun;Räckvidd\nÖrebro;1 234\nLæsø;5\nTromsø;7\nÅre;3\n"
    sheet = only_sheet(read(text.encode("cp1252")))
    assert sheet.encoding == "cp1252"
    assert sheet.delimiter == ";"
    assert [row[0] for row in sheet.rows] == ["Kommun", "Örebro", "Læsø", "Tromsø", "Åre"]
    assert sheet.rows[0][1] == "Räckvidd"


def test_damaged_utf16_is_refused():
    assert "UTF-16" in refused(b"\xff\xfe" + "Date,Views\n".encode("utf-16-le") + b"\x00\xd8")


def test_damaged_utf8_with_bom_is_refused():
    assert "UTF-8" in refused(b"\xef\xbb\xbfDate,Views\n\xff\xfe\xfa,1\n")


# -- delimiters and rows ---------------------------------------------------------------------------


def test_semicolon_with_decimal_commas():
    sheet = only_sheet(read("Datum;Visningar;Snitt\n01.02.2025;1\u00a0234;12,5\n02.02.2025;99;3,25\n".encode()))
    assert sheet.delimiter == ";"
    assert sheet.rows[1] == ["01.02.2025", "1\u00a0234", "12,5"]


def test_exact_tie_prefers_semicolon():
    # every line splits into two fields on `;` and on `,`: the comma is taken for a decimal mark
    sheet = only_sheet(read(b"Date;Rate,avg\n2025-01-01;1,5\n"))
    assert sheet.delimiter == ";"


def test_tab():
    sheet = only_sheet(read(b"Date\tViews\tReach\n2025-01-01\t5\t3\n"))
    assert sheet.delimiter == "\t"
    assert sheet.rows[1] == ["2025-01-01", "5", "3"]


def test_title_line_does_not_hide_the_delimiter():
    sheet = only_sheet(read(b"Viewers;\nDate;Primary\n2025-10-31T00:00:00;1148\n2025-11-01T00:00:00;762\n"))
    assert sheet.delimiter == ";"
    assert sheet.rows[0] == ["Viewers", ""]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_crlf_and_cr(newline):
    sheet = only_sheet(read(newline.join([b"Date,Views", b"2025-01-01,5", b"2025-01-02,7", b""])))
    assert sheet.rows == [["Date", "Views"], ["2025-01-01", "5"], ["2025-01-02", "7"]]
    assert sheet.row_numbers == [1, 2, 3]


def test_multi_line_quoted_field_keeps_the_line_where_it_starts():
    text = (
        'Post ID,Message,Likes\r\n'
        '1,"line one\r\nline two\r\nline three",5\r\n'
        '2,"said ""hi""",6\r\n'
        '3,"a\n\nb",7\r\n'
        '4,x,8\r\n'
    )
    sheet = only_sheet(read(text.encode()))
    assert sheet.row_numbers == [1, 2, 5, 6, 9]
    assert sheet.rows[1] == ["1", "line one\nline two\nline three", "5"]
    assert sheet.rows[2] == ["2", 'said "hi"', "6"]
    assert sheet.rows[3] == ["3", "a\n\nb", "7"]
    assert sheet.where(4) == "row 9"


def test_ragged_rows_are_kept_as_they_are():
    sheet = only_sheet(read(b"a,b,c\n1,2\n3\n4,5,6,7\n"))
    assert [len(row) for row in sheet.rows] == [3, 2, 1, 4]


def test_blank_lines_inside_are_kept_and_trailing_ones_dropped():
    sheet = only_sheet(read(b'sep=,\n"Age & gender"\n"","Women"\n\n"Top countries"\n\n,,\n \n'))
    assert sheet.rows == [["Age & gender"], ["", "Women"], [], ["Top countries"]]
    assert sheet.row_numbers == [2, 3, 4, 5]


def test_cells_are_not_stripped():
    sheet = only_sheet(read(b"Phone number clicks ,Date\n 5 ,x\n"))
    assert sheet.rows == [["Phone number clicks ", "Date"], [" 5 ", "x"]]


def test_unterminated_quote_at_the_end_is_refused():
    reason = refused(b'Post ID,Message\n1,"fine"\n2,"never closed\n3,more\n')
    assert "line 3" in reason and "never closed" in reason


def test_a_field_beyond_the_limit_is_refused():
    reason = refused(b'a,b\n1,"' + b"x" * (2**20 + 10) + b'"\n')
    assert "line 2" in reason


def test_wrapped_lines_are_refused():
    lines = [
        '"Video asset ID,""Page name"",Title,""Publish time"",Reach"',
        '"111,""Kommunen"",,""11/01/2025 11:04"",5"',
        '"222,""Kommunen"",,""10/31/2025 11:01"",7"',
    ]
    reason = refused(("\ufeff" + "\n".join(lines) + "\n").encode())
    assert "wrapped in quotes" in reason
    assert "as downloaded from the platform" in reason


def test_a_single_column_is_not_mistaken_for_wrapped_lines():
    sheet = only_sheet(read(b"Reach\n5\n7\n"))
    assert sheet.rows == [["Reach"], ["5"], ["7"]]


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


def test_text_saved_as_xls_is_read_as_csv():
    source = read(PLAIN.encode(), "report.xls")
    assert source.kind == "csv"
    assert source.sheets[0].rows[0] == ["Date", "Views"]


def test_other_xml_is_refused():
    assert "not an Excel spreadsheet" in refused(b'<?xml version="1.0"?>\n<rss><channel/></rss>', "feed.xls")


def test_damaged_zip_is_refused():
    assert "damaged" in refused(b"PK\x03\x04" + bytes(range(200)), "book.xlsx")


def test_damaged_ole_file_is_refused():
    assert "damaged" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "book.xls")


# -- xlsx ----------------------------------------------------------------------------------------------


@functools.cache
def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Metrics"
    first.append(["Aggregated metrics. All dates are in UTC."])
    first.append(["Date", "Impressions", "Rate", "Note"])
    first.append([datetime(2025, 1, 1), 1234, 0.25, "första"])
    first.append([datetime(2025, 1, 2, 13, 30), 7, 1.5, None])
    first["A6"] = "after a blank row"
    second = book.create_sheet("All posts")
    second["A1"] = "Post title"
    second["C1"] = "Likes"
    second["A2"] = "Hej"
    second["C2"] = 3
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_two_sheets_and_typed_cells():
    source = read(_xlsx(), "content.xlsx")
    assert source.kind == "xlsx"
    assert [sheet.name for sheet in source.sheets] == ["Metrics", "All posts"]
    metrics, posts = source.sheets
    assert metrics.rows == [
        ["Aggregated metrics. All dates are in UTC."],
        ["Date", "Impressions", "Rate", "Note"],
        [datetime(2025, 1, 1), 1234, 0.25, "första"],
        [datetime(2025, 1, 2, 13, 30), 7, 1.5],  # trailing empty cell dropped
        [],
        ["after a blank row"],
    ]
    assert metrics.row_numbers == [1, 2, 3, 4, 5, 6]  # spreadsheet row numbers, as Excel shows them
    assert type(metrics.rows[2][1]) is int and type(metrics.rows[2][2]) is float
    assert metrics.where(5) == "sheet 'Metrics', row 6"
    assert posts.rows == [["Post title", None, "Likes"], ["Hej", None, 3]]


def test_xlsx_is_recognised_by_content_not_name():
    assert read(_xlsx(), "export.csv").kind == "xlsx"


def test_empty_workbook_is_refused():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    assert "the workbook is empty" in refused(buffer.getvalue(), "empty.xlsx")


def test_sep_line_alone_is_empty():
    assert refused(b"sep=,\n") == "the file is empty"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_that_is_not_a_workbook():
    reason = refused(_zip({"Table data.csv": b"a\n", "Chart data.csv": b"b\n", "Totals.csv": b"c\n"}), "youtube.zip")
    assert "unzip it" in reason
    assert "Chart data.csv, Table data.csv, Totals.csv" in reason


def test_xlsb_and_opendocument_are_named():
    assert ".xlsb" in refused(_zip({"xl/workbook.bin": b"x"}), "book.xlsx")
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    assert "OpenDocument" in refused(ods, "book.ods")


def test_encrypted_zip_member_is_refused():
    content = bytearray(_xlsx())
    # set the "encrypted" flag of the first central-directory entry
    entry = content.index(b"PK\x01\x02")
    content[entry + 8] |= 0x01
    assert "password" in refused(bytes(content), "locked.xlsx")


def test_password_protected_xlsx_container_is_refused():
    # Excel stores a password-protected .xlsx as an OLE2 file holding an "EncryptedPackage" stream
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    assert "password" in refused(fake, "locked.xlsx")


def _deflated_zip(members: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip written by hand from members already deflated: name -> (raw deflate data, crc32, size)."""
    local, central = bytearray(), bytearray()
    for name, (data, crc, size) in members.items():
        encoded = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, len(local)) + encoded
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        local += encoded + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    return bytes(local + central + end)


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A workbook-shaped zip with a 1 GiB member of zeros, about 1 MB compressed.

    Deflating 1 GiB takes seconds, so one 16 MiB block of zeros is deflated once,
    flushed so that it stands alone, and repeated: the same bytes zlib would write.
    """
    chunk = bytes(2**24)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = 2**30 // len(chunk)
    crc = 0
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    sheet = (block * repeats + compressor.flush(), crc, 2**30)
    return _deflated_zip({
        "[Content_Types].xml": _deflate(b"<Types/>"),
        "xl/workbook.xml": _deflate(b"<workbook/>"),
        "xl/worksheets/sheet1.xml": sheet,
    })


def test_zip_bomb_fixture_is_a_real_zip(zip_bomb):
    with zipfile.ZipFile(io.BytesIO(zip_bomb)) as archive:
        assert archive.read("xl/workbook.xml") == b"<workbook/>"
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 2**30
        with archive.open("xl/worksheets/sheet1.xml") as member:
            assert member.read(2**20) == bytes(2**20)


def test_decompression_bomb_is_refused_unopened(zip_bomb):
    assert len(zip_bomb) < 2 * 2**20
    reason = refused(zip_bomb, "big.xlsx")
    assert reason.startswith("the workbook would unpack to 1,024 MB")
    assert "refused unopened" in reason


def test_one_highly_compressed_member_is_a_bomb_too():
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": bytes(4 * 2**20)})
    assert "refused unopened" in refused(bomb, "big.xlsx")


def test_openpyxl_parses_with_defusedxml():
    """openpyxl protects itself only when defusedxml is importable (openpyxl/xml/__init__.py)."""
    import defusedxml.ElementTree
    import openpyxl.xml
    import openpyxl.xml.functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse is defusedxml.ElementTree.iterparse
    if not openpyxl.xml.LXML:
        assert openpyxl.xml.functions.fromstring is defusedxml.ElementTree.fromstring


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def test_entity_expansion_in_xlsx_is_refused():
    original = zipfile.ZipFile(io.BytesIO(_xlsx()))
    members = {info.filename: original.read(info) for info in original.infolist()}
    workbook = re.sub(r"^<\?xml[^>]*\?>", "", members["xl/workbook.xml"].decode())
    members["xl/workbook.xml"] = (BILLION_LAUGHS + workbook).encode()
    assert "entity" in refused(_zip(members), "evil.xlsx")


# -- SpreadsheetML (Excel 2003 XML) ---------------------------------------------------------------------

SPREADSHEETML = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">
 <Styles><Style ss:ID="s21"><NumberFormat ss:Format="m/d/yy h:mm AM/PM"/><Font ss:FontName="Verdana"/></Style></Styles>
 <Worksheet ss:Name="Key Metrics">
  <Table>
   <Row><Cell><Data ss:Type="String">Post ID</Data></Cell><Cell><Data ss:Type="String">Posted</Data></Cell>
        <Cell><Data ss:Type="String">Lifetime Post Total Reach</Data></Cell><Cell><Data ss:Type="String">Rate</Data></Cell></Row>
   <Row><Cell ss:Index="3"><Data ss:Type="String">Lifetime: people reached</Data></Cell></Row>
   <Row ss:Index="4"><Cell><Data ss:Type="String">1_2</Data></Cell>
        <Cell ss:StyleID="s21"><Data ss:Type="DateTime">2020-09-22T07:07:36.000</Data></Cell>
        <Cell><Data ss:Type="Number">1234</Data></Cell><Cell><Data ss:Type="Number">0.5</Data></Cell></Row>
   <Row><Cell ss:MergeAcross="1"><Data ss:Type="String"><html:B>bold</html:B> text</Data></Cell>
        <Cell><Data ss:Type="Number">7</Data></Cell><Cell ss:Index="6"><Data ss:Type="Boolean">1</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="Lifetime Negative Feedback"><Table/></Worksheet>
</Workbook>
"""


def test_spreadsheetml():
    source = read(SPREADSHEETML.encode(), "Facebook Insights.xls")
    assert source.kind == "spreadsheetml"
    assert [sheet.name for sheet in source.sheets] == ["Key Metrics", "Lifetime Negative Feedback"]
    metrics = source.sheets[0]
    assert metrics.rows == [
        ["Post ID", "Posted", "Lifetime Post Total Reach", "Rate"],
        [None, None, "Lifetime: people reached"],
        [],  # row 3 is not in the file: an empty row, as Excel shows it
        ["1_2", datetime(2020, 9, 22, 7, 7, 36), 1234, 0.5],
        ["bold text", None, 7, None, None, "1"],
    ]
    assert metrics.row_numbers == [1, 2, 3, 4, 5]
    assert type(metrics.rows[3][2]) is int
    assert source.sheets[1].rows == []


def test_spreadsheetml_in_utf16():
    text = SPREADSHEETML.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    source = read(b"\xff\xfe" + text.encode("utf-16-le"), "x.xls")
    assert source.sheets[0].rows[3][0] == "1_2"


def test_spreadsheetml_entity_expansion_is_refused():
    evil = BILLION_LAUGHS.replace("lolz", "Workbook") + SPREADSHEETML.split("?>", 2)[2].replace(
        '<Data ss:Type="String">Post ID</Data>', '<Data ss:Type="String">&lol9;</Data>'
    )
    assert "entity" in refused(evil.encode(), "evil.xls")


def test_spreadsheetml_with_backwards_index_is_refused():
    broken = SPREADSHEETML.replace('<Row ss:Index="4">', '<Row ss:Index="1">')
    assert "damaged" in refused(broken.encode(), "broken.xls")


def test_spreadsheetml_column_beyond_the_limit_is_refused():
    broken = SPREADSHEETML.replace('<Cell ss:Index="6">', '<Cell ss:Index="20000">')
    assert "damaged" in refused(broken.encode(), "broken.xls")


def test_broken_spreadsheetml_is_refused():
    assert "damaged" in refused(SPREADSHEETML[:-40].encode(), "cut.xls")


# -- nothing but UnreadableFileError escapes -------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_read_or_refused(content):
    try:
        source = read(content)
    except UnreadableFileError:
        return
    assert source.sheets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_workbooks_read_or_refused(data):
    original = data.draw(st.sampled_from([_xlsx(), SPREADSHEETML.encode()]))
    content = bytearray(original)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(content) - 1))
        content[position] = data.draw(st.integers(min_value=0, max_value=255))
    try:
        read(bytes(content), "book.xlsx")
    except UnreadableFileError:
        pass


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


def _sample(name: str) -> SourceFile:
    return read_file(name, shared_or_skip("samples", name).read_bytes())


@pytest.mark.shared
def test_sample_swedish_post_file_has_its_45_columns():
    sheet = only_sheet(_sample("meta_mbs_fb_posts_sv_riks_2026-01_first300.csv"))
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
    sheet = only_sheet(_sample(name))
    assert (sheet.encoding, sheet.delimiter) == ("utf-16-le", ",")
    # line 1 (`sep=,`) is removed; row 0 is the title on line 2, row 1 the header on line 3
    assert sheet.rows[0] == [title]
    assert sheet.rows[1] == ["Date", "Primary"]
    assert sheet.row_numbers[:3] == [2, 3, 4]
    assert sheet.rows[2][0].startswith("20") and sheet.rows[2][0][10] == "T"


@pytest.mark.shared
def test_sample_excel_resaved_semicolon_series():
    sheet = only_sheet(_sample("meta_mbs_page_series_fb_viewers_EXCEL_RESAVED_semicolon.csv"))
    assert sheet.delimiter == ";"
    assert sheet.rows[1] == ["Date", "Primary"]


@pytest.mark.shared
def test_sample_linkedin_biff():
    source = _sample("linkedin_page_visitors_and_updates_legacy2020_EXCEL_MERGED.xls")
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
    source = _sample("twitter_daily_activity_2020_pasted_into_xls.xls")
    assert source.kind == "xls"
    assert [sheet.name for sheet in source.sheets] == ["NPLF Twitter April", "NPLF Twitter May", "NPLF Twitter June"]
    april = source.sheets[0]
    assert april.rows[0][:2] == ["Date", "Tweets published"]
    assert april.rows[1][0] == datetime(2020, 4, 1)  # a date cell becomes a datetime
    assert april.row_numbers[1] == 2


@pytest.mark.shared
def test_sample_facebook_spreadsheetml():
    source = _sample("fb_legacy_insights_post_level_2020_SpreadsheetML.xls")
    assert source.kind == "spreadsheetml"
    assert [sheet.name for sheet in source.sheets][:2] == ["Key Metrics", "Lifetime Talking About This(..."]
    assert len(source.sheets) == 7
    metrics = source.sheets[0]
    posted = metrics.rows[0].index("Posted")
    assert metrics.rows[2][posted] == datetime(2020, 9, 22, 7, 7, 36)
