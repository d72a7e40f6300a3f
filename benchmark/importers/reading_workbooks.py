"""Reading workbooks: .xlsx (openpyxl), Excel 97–2003 .xls (xlrd) and Excel 2003 XML (SpreadsheetML).

Research: ../shared/reference/export_formats.md §0, §1d (Facebook's "Excel"
download is SpreadsheetML saved as `.xls`), §3 (LinkedIn's BIFF `.xls`), §5
(sheets pasted by analysts).

* .xlsx: before openpyxl opens the ZIP archive, it must hold
  `xl/workbook.xml`, no member may be encrypted, and the unpacked size must stay
  reasonable (at most `ZIP_EXPANSION_LIMIT` times the upload limit, no member
  over 1 MiB compressed more than `ZIP_RATIO_LIMIT` to 1), so a "ZIP bomb" is
  refused unopened. Then every part is unpacked a piece at a time and its
  `<row>`, `<c>` and `<si>` tags counted (`_scan_member`), so a row wider than
  `MAX_COLUMNS` or more than `MAX_CELLS` cells or shared strings are refused
  before openpyxl, which builds a whole row and every shared string in memory,
  sees them. openpyxl parses the XML with defusedxml; a server where that
  protection is switched off refuses .xlsx files.
* .xls (BIFF): date cells become datetimes, whole numbers ints.
* SpreadsheetML: read with defusedxml, DTDs forbidden; `Index` attributes place
  rows and cells, and rows the file skips are empty rows, as Excel shows them.

A row's number is its spreadsheet row (1-based). Rows lose their trailing empty
cells, empty rows are kept as `[]` and trailing empty rows are dropped. Cells
keep their types: str, int, float, datetime or None; booleans become
"TRUE"/"FALSE" and error cells their text (`#N/A`), so that reading a count from
them fails loudly.

Refused: ZIP files that are no workbook (a YouTube export ZIP: unzip it; .xlsb,
OpenDocument, Word, PowerPoint), password-protected or damaged workbooks, XML
with entity or DTD declarations (entity-expansion attacks), more than
`MAX_ROWS` rows in a sheet, `MAX_COLUMNS` columns, or `MAX_CELLS` cells in a workbook.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from xml.etree.ElementTree import Element, ParseError

import openpyxl
import openpyxl.xml
import xlrd
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from ..errors import Message, Number
from .model import Cell, Sheet, UnreadableFileError
from .reading_limits import (
    AS_DOWNLOADED,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    ZIP_EXPANSION_LIMIT,
    ZIP_RATIO_LIMIT,
    megabytes,
    too_wide,
)

SPREADSHEETML_NS = "urn:schemas-microsoft-com:office:spreadsheet"


class _SheetBuilder:
    """Collects one sheet's rows with their spreadsheet row numbers, enforcing the size limits."""

    def __init__(self, file_name: str, sheet_name: str, budget: list[int]) -> None:
        self.file_name, self.sheet_name, self.budget = file_name, sheet_name, budget
        self.rows: list[list[Cell]] = []
        self.numbers: list[int] = []

    def add(self, number: int, cells: Iterable[Cell]) -> None:
        if number > MAX_ROWS:
            raise UnreadableFileError(self.file_name, "reading.too_many_rows", sheet=self.sheet_name,
                                      limit=Number(MAX_ROWS))
        row = list(cells)
        self.budget[0] -= len(row)
        if self.budget[0] < 0:
            raise UnreadableFileError(self.file_name, "reading.too_many_cells", limit=Number(MAX_CELLS))
        while row and row[-1] is None:
            row.pop()
        if len(row) > MAX_COLUMNS:
            raise UnreadableFileError(self.file_name, "reading.in_sheet", sheet=self.sheet_name,
                                      reason=too_wide(len(row), number))
        self.rows.append(row)
        self.numbers.append(number)

    def sheet(self) -> Sheet:
        while self.rows and all(cell is None or (isinstance(cell, str) and not cell.strip())
                                for cell in self.rows[-1]):
            self.rows.pop()
            self.numbers.pop()
        return Sheet(self.sheet_name, self.rows, self.numbers)


def _nonempty(name: str, sheets: list[Sheet]) -> tuple[Sheet, ...]:
    if not any(sheet.rows for sheet in sheets):
        raise UnreadableFileError(name, "reading.empty_workbook")
    return tuple(sheets)


def _workbook_value(value: object) -> Cell:
    if value is None or isinstance(value, str | datetime):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | date):
        return value
    if isinstance(value, time | timedelta):
        return str(value)
    return str(value)


def _check_zip(name: str, content: bytes, max_bytes: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise UnreadableFileError(name, "reading.damaged_zip") from None
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise UnreadableFileError(name, _zip_kind(archive, names))
        if any(member.flag_bits & 0x1 for member in members):
            raise UnreadableFileError(name, _PASSWORD)
        unpacked = sum(member.file_size for member in members)
        bomb = unpacked > ZIP_EXPANSION_LIMIT * max_bytes or any(
            member.file_size > 2**20
            and member.file_size > ZIP_RATIO_LIMIT * max(member.compress_size, 1)
            for member in members
        )
        if bomb:
            raise UnreadableFileError(name, "reading.zip_bomb", size=megabytes(unpacked))
        budget = {"cells": MAX_CELLS, "strings": MAX_CELLS}
        for member in members:
            _scan_member(name, archive, member, budget)


_PASSWORD = Message("reading.password")

# Tag starts in the workbook's XML, with or without a namespace prefix (`<c r="A1">`, `<x:row>`).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][-.\w]{0,31}:)?row(?=[\s/>])")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][-.\w]{0,31}:)?c(?=[\s/>])")
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][-.\w]{0,31}:)?si(?=[\s/>])")
_SCAN_CHUNK = 2**20
_LONGEST_TAG_START = 64  # bytes: more than any of the tag starts above with its prefix


def _scan_member(name: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: dict[str, int]) -> None:
    """Count the rows, cells and shared strings of one part of an .xlsx, unpacking it a piece at a time.

    openpyxl builds a whole row (and the whole list of shared strings) before the sheet builder
    sees it, so a row of a million cells or fifty million strings is refused here, unopened, in
    bounded memory. Every part is scanned whatever its name: the workbook's relations can point anywhere.
    """
    rows = width = 0
    carry = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            buffer = carry + chunk
            # Keep an unfinished tag start for the next piece: from the last "<" when it is near the end.
            cut = buffer.rfind(b"<") if chunk else -1
            if cut < 0 or len(buffer) - cut > _LONGEST_TAG_START:
                cut = len(buffer)
            region, carry = buffer[:cut], buffer[cut:]
            start = counted = 0
            for row in _ROW_TAG.finditer(region):
                cells = len(_CELL_TAG.findall(region, start, row.start()))  # the cells of the row before
                counted, width = counted + cells, width + cells
                if width > MAX_COLUMNS:  # counted to its end, so the message gives the row's real width
                    raise UnreadableFileError(name, too_wide(width, max(rows, 1)))
                rows, width, start = rows + 1, 0, row.start()
            cells = len(_CELL_TAG.findall(region, start))
            counted, width = counted + cells, width + cells
            budget["cells"] -= counted
            budget["strings"] -= len(_STRING_TAG.findall(region))
            if budget["cells"] < 0 or budget["strings"] < 0:
                raise UnreadableFileError(name, "reading.too_many_cells", limit=Number(MAX_CELLS))
            if not chunk:
                if width > MAX_COLUMNS:
                    raise UnreadableFileError(name, too_wide(width, max(rows, 1)))
                return


def _opening(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:  # never more than the first bytes: the member may be huge
        return stream.read(64)


def _zip_kind(archive: zipfile.ZipFile, names: set[str]) -> Message:
    if "xl/workbook.bin" in names:
        return Message("reading.zip.xlsb")
    if "mimetype" in names and _opening(archive, "mimetype").startswith(b"application/vnd.oasis.opendocument"):
        return Message("reading.zip.opendocument")
    if "word/document.xml" in names:
        return Message("reading.zip.word")
    if "ppt/presentation.xml" in names:
        return Message("reading.zip.powerpoint")
    tables = sorted(n for n in names if n.lower().endswith((".csv", ".xlsx", ".xls")))
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        return Message("reading.zip.tables", files=shown)
    return Message("reading.zip.other")


def read_xlsx(name: str, content: bytes, max_bytes: int) -> tuple[Sheet, ...]:
    _check_zip(name, content, max_bytes)
    # Parse only through defusedxml: not when OPENPYXL_DEFUSEDXML=False, nor when openpyxl took lxml
    # (imported before the package could switch it off, see benchmark/__init__.py).
    if not openpyxl.DEFUSEDXML or openpyxl.xml.LXML:
        raise UnreadableFileError(name, "reading.xlsx_switched_off")
    budget = [MAX_CELLS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:
            # openpyxl re-raises parse errors as ValueError("Unable to read workbook …") from the original
            if _caused_by(error, DefusedXmlException):
                raise UnreadableFileError(name, _XML_TRICKS) from None
            raise
        try:
            sheets = []
            for worksheet in book.worksheets:
                builder = _SheetBuilder(name, worksheet.title, budget)
                if hasattr(worksheet, "reset_dimensions"):
                    worksheet.reset_dimensions()  # the stored size is often wrong; read what is there
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    builder.add(number, map(_workbook_value, values))
                sheets.append(builder.sheet())
        except DefusedXmlException:
            raise UnreadableFileError(name, _XML_TRICKS) from None
        finally:
            book.close()
    return _nonempty(name, sheets)


def _caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, kind):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


_XML_TRICKS = Message("reading.xml_tricks")


def read_biff(name: str, content: bytes) -> tuple[Sheet, ...]:
    if "EncryptedPackage".encode("utf-16-le") in content:
        raise UnreadableFileError(name, _PASSWORD)
    try:
        book = xlrd.open_workbook(file_contents=content, logfile=io.StringIO(), formatting_info=False)
    except xlrd.XLRDError as error:
        message = str(error)
        if "encrypted" in message.lower():
            raise UnreadableFileError(name, _PASSWORD) from None
        if "Can't find workbook" in message:
            raise UnreadableFileError(name, "reading.office_not_excel") from None
        raise UnreadableFileError(name, "reading.damaged_xls", detail=message) from None
    budget = [MAX_CELLS]
    sheets = []
    try:
        for worksheet in book.sheets():
            builder = _SheetBuilder(name, worksheet.name, budget)
            for index in range(worksheet.nrows):
                types, values = worksheet.row_types(index), worksheet.row_values(index)
                builder.add(index + 1, (_biff_value(t, v, book.datemode) for t, v in zip(types, values)))
            sheets.append(builder.sheet())
    finally:
        book.release_resources()
    return _nonempty(name, sheets)


def _whole(number: float) -> int | float:
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _biff_value(kind: int, value: object, datemode: int) -> Cell:
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_TEXT:
        return str(value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return _whole(float(value))
    if kind == xlrd.XL_CELL_NUMBER:
        return _whole(float(value))
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return str(value)


# -- SpreadsheetML (Excel 2003 XML) ----------------------------------------------------------------
def _ss(tag: str) -> str:
    return f"{{{SPREADSHEETML_NS}}}{tag}"


def read_spreadsheetml(name: str, content: bytes) -> tuple[Sheet, ...]:
    try:
        root = SafeElementTree.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise UnreadableFileError(name, _XML_TRICKS) from None
    except ParseError as error:
        raise UnreadableFileError(name, "reading.damaged_xml", detail=str(error)) from None
    if root.tag != _ss("Workbook"):
        raise UnreadableFileError(name, "reading.xml_not_excel", advice=AS_DOWNLOADED)
    budget = [MAX_CELLS]
    sheets = []
    for position, worksheet in enumerate(root.iter(_ss("Worksheet")), start=1):
        sheet_name = worksheet.get(_ss("Name")) or f"Sheet{position}"
        builder = _SheetBuilder(name, sheet_name, budget)
        table = worksheet.find(_ss("Table"))
        number = 0
        for row in table.iter(_ss("Row")) if table is not None else ():
            number = _xml_index(name, sheet_name, row, number, MAX_ROWS)
            for gap in range(builder.numbers[-1] + 1 if builder.numbers else 1, number):
                builder.add(gap, [])  # rows the file skips are empty rows, as Excel shows them
            builder.add(number, _xml_cells(name, sheet_name, row))
            number += int(row.get(_ss("Span")) or 0)
        sheets.append(builder.sheet())
    return _nonempty(name, sheets)


def _xml_index(name: str, sheet_name: str, element: Element, previous: int, limit: int) -> int:
    text = element.get(_ss("Index"))
    if text is None:
        return previous + 1
    if not text.strip().isdigit() or not previous < int(text) <= limit:
        raise UnreadableFileError(name, "reading.in_sheet", sheet=sheet_name,
                                  reason=Message("reading.bad_position", position=text, previous=previous))
    return int(text)


def _xml_cells(name: str, sheet_name: str, row: Element) -> list[Cell]:
    cells: list[Cell] = []
    column = 0
    for cell in row.iter(_ss("Cell")):
        column = _xml_index(name, sheet_name, cell, column, MAX_COLUMNS)
        cells.extend([None] * (column - 1 - len(cells)))
        data = cell.find(_ss("Data"))
        cells.append(None if data is None else _xml_value(data))
        column += int(cell.get(_ss("MergeAcross")) or 0)
    return cells


_CONVERT: dict[str, Callable[[str], Cell]] = {
    "Number": lambda text: _whole(float(text)),
    "DateTime": lambda text: datetime.fromisoformat(text.strip()),
}


def _xml_value(data: Element) -> Cell:
    text = "".join(data.itertext())  # String data may carry inline HTML formatting
    convert = _CONVERT.get(data.get(_ss("Type")) or "String")
    if convert is None:
        return text
    try:
        return convert(text)
    except ValueError:
        return text
