"""Reading workbooks: .xlsx (and ZIP bombs) and SpreadsheetML; damaged ones are refused (BIFF .xls: test_reading.py)."""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from datetime import datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.importers.model import UnreadableFileError
from tests.importers.helpers import read, refused

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


# -- damaged workbooks: nothing but UnreadableFileError escapes ---------------------------------------


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


def test_a_workbook_is_not_parsed_when_openpyxl_took_lxml(monkeypatch):
    # lxml (installed with python-pptx) bypasses defusedxml; the package switches it off at import,
    # and refuses to parse should openpyxl have been imported with it first.
    import openpyxl.xml

    assert openpyxl.xml.LXML is False
    monkeypatch.setattr(openpyxl.xml, "LXML", True)
    assert "reading .xlsx is switched off on this server" in refused(_xlsx(), "ok.xlsx")
