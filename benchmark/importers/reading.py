"""Turning the bytes of an upload into sheets of cells, whatever the file's name says.

The kind of file is decided by its first bytes, never by its extension: an
`.xls` can be a real Excel 97 workbook, an Excel 2003 XML file or plain text
(research: ../shared/reference/export_formats.md §0, §1d, §3, §5, §9.1).

* `PK\\x03\\x04` — a ZIP archive: an .xlsx workbook, read with openpyxl (which parses
  the XML inside with defusedxml). Before opening it the archive is checked: it
  must hold `xl/workbook.xml`, no member may be encrypted, and the unpacked size
  must stay reasonable (at most 20 times the upload limit, no large member
  compressed more than 200 to 1), so a "ZIP bomb" is refused unopened.
* `D0 CF 11 E0` — an OLE2 compound file: an Excel 97–2003 (BIFF) workbook, read
  with xlrd (LinkedIn exports, sheets pasted by analysts). Date cells become
  datetimes; whole numbers become ints.
* Text starting with `<?xml` or `<Workbook` in the SpreadsheetML namespace — the
  "Excel" download of legacy Facebook Insights (§1d), read with defusedxml.
* Any other text — CSV. Encoding from the byte-order mark (UTF-16LE with BOM:
  Meta chart exports; UTF-8 with BOM: Meta and TikTok post files), else UTF-16
  recognised by its NUL bytes, else UTF-8, else Windows-1252 (Excel re-saves,
  legacy Facebook). A first line `sep=X` sets the delimiter and is removed;
  otherwise `,`, `;` or tab is chosen by which splits the first 30 lines most
  consistently. Rows are kept as they are (ragged rows too: Meta post files drop
  trailing empty fields, §0.2); title lines such as `"Facebook reach"` are
  ordinary one-cell rows. CSV cells are always `str`.

Row numbers are what the analyst sees: the spreadsheet row (1-based) in a
workbook, the line in a text editor for a CSV (a removed `sep=` line still
counts, and a row whose quoted text spans several lines has the number of the
line where it starts). Blank rows inside a table are kept as `[]` (a CSV's blank
line, an empty spreadsheet row) and trailing blank rows are dropped; workbook
rows lose trailing empty cells (rows missing from a SpreadsheetML file become `[]`
too, as in openpyxl). Workbook cells keep their types: str, int, float,
datetime or None; booleans become "TRUE"/"FALSE" and error cells their text
(`#N/A`), so that reading a count from them fails loudly.

Refused, each with an `UnreadableFileError` saying why in plain words: files
over the upload limit (checked first), empty files, binary data (images, PDFs,
archives, NUL bytes, bytes that are no text in any encoding above), web pages
saved as `.xls`, ZIP files that are no workbook (a YouTube export ZIP: unzip
it), password-protected or damaged workbooks, XML with entity or DTD
declarations (entity-expansion attacks), lines wrapped whole into one quoted
cell by a spreadsheet (§1b, the `WRAPPED_LINES` sample), a quoted text that
never closes, more than 10,000 columns, more than 1,048,576 rows or 20 million
cells. No other exception escapes, whatever the bytes.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from xml.etree.ElementTree import Element, ParseError

import openpyxl
import xlrd
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from .model import Cell, Sheet, SourceFile, UnreadableFileError

DEFAULT_MAX_BYTES = 50 * 2**20
# The legacy Facebook page export has ~2,700 columns (§1d); nothing real comes near this.
MAX_COLUMNS = 10_000
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELLS = 20_000_000  # bounds the work a small, hostile workbook can cause
ZIP_EXPANSION_LIMIT = 20  # unpacked size at most this many times the upload limit
ZIP_RATIO_LIMIT = 200  # per member larger than 1 MiB; real sheets compress about 5–30 to 1
# Post captions can be long (Facebook allows ~63,000 characters); a field far beyond that
# is a quote that never closes. csv's limit is process-wide, so it is only ever raised.
CSV_FIELD_LIMIT = 2**20
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))

SNIFF_LINES = 30
DELIMITERS = (";", "\t", ",")  # on an exact tie `;` wins: `,` is also the Nordic decimal mark
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
SPREADSHEETML_NS = "urn:schemas-microsoft-com:office:spreadsheet"

AS_DOWNLOADED = "upload the file exactly as the platform exported it (.csv, .xlsx or .xls)"
NOT_A_TABLE = f"this is not a CSV or Excel file (it holds binary data, not text); {AS_DOWNLOADED}"
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_SEP_LINE = re.compile(r'\s*"?sep=([^\w"\s]|\t)"?\s*', re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"')
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f]")


def read_file(name: str, content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """The sheets of an uploaded file; `UnreadableFileError` for anything that is not one."""
    if len(content) > max_bytes:
        raise UnreadableFileError(
            name,
            f"the file is {_megabytes(len(content))} MB and files of at most {_megabytes(max_bytes)} MB "
            "can be read; export a shorter date range (split the export by date range) and upload the parts",
        )
    if not content.strip():
        raise UnreadableFileError(name, "the file is empty")
    kind = "csv"
    try:
        if content[:4] in _ZIP_MAGIC:
            kind = "xlsx"
            return SourceFile(name, content, _read_xlsx(name, content, max_bytes), kind)
        if content.startswith(_OLE_MAGIC):
            kind = "xls"
            return SourceFile(name, content, _read_biff(name, content), kind)
        for magic, what in _MAGIC:
            if content.startswith(magic):
                raise UnreadableFileError(name, f"this is {what}, not a CSV or Excel file; {AS_DOWNLOADED}")
        text, encoding = _decode(name, content)
        head = text.lstrip()[:4096]
        if head[:5].lower() == "<?xml" or head[:9] == "<Workbook":
            if SPREADSHEETML_NS not in head:
                raise UnreadableFileError(
                    name, f"this is an XML file but not an Excel spreadsheet saved as XML; {AS_DOWNLOADED}"
                )
            kind = "spreadsheetml"
            return SourceFile(name, content, _read_spreadsheetml(name, content), kind)
        if re.match(r"<(!doctype html|html|table)\b", head[:64], re.IGNORECASE):
            raise UnreadableFileError(
                name,
                "this is a web page (HTML) saved under a spreadsheet name, not a CSV or Excel file; "
                "open it in Excel and save it as .xlsx, or " + AS_DOWNLOADED,
            )
        return SourceFile(name, content, (_read_csv(name, text, encoding),), kind)
    except UnreadableFileError:
        raise
    except Exception as error:  # libraries fail on broken files in many ways; none may escape
        raise UnreadableFileError(
            name, f"{_DAMAGED[kind]} ({type(error).__name__}: {error}); export it again from the platform",
        ) from error


_DAMAGED = {
    "xlsx": "the Excel workbook (.xlsx) is damaged and cannot be read",
    "xls": "the Excel 97-2003 workbook (.xls) is damaged and cannot be read",
    "spreadsheetml": "the Excel XML spreadsheet is damaged and cannot be read",
    "csv": "the file could not be read, it may be damaged",
}


def _megabytes(size: int) -> str:
    value = size / 2**20
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


# -- text ---------------------------------------------------------------------------------------
def _decode(name: str, content: bytes) -> tuple[str, str]:
    """(text, encoding name) with the byte-order mark removed; refuses binary data."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if content[0] == 0xFF else "utf-16-be"
        text = _decode_utf16(name, content[2:], encoding)
    elif content.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
        try:
            text = content[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableFileError(
                name, f"the file says it is UTF-8 text but byte {error.start + 3} is not; it is damaged — "
                "export it again",
            ) from None
    elif (guess := _utf16_without_bom(content)) is not None:
        encoding = guess
        text = _decode_utf16(name, content, encoding)
    else:
        try:
            text, encoding = content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = content.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise UnreadableFileError(name, NOT_A_TABLE) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise UnreadableFileError(name, NOT_A_TABLE)
    # Control characters: a few occur in damaged real exports (the cp1251 sample has 2 %);
    # a tenth of the text is binary data that happens to decode.
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 10):
        raise UnreadableFileError(name, NOT_A_TABLE)
    if not text.strip():
        raise UnreadableFileError(name, "the file is empty")
    return text, encoding


def _decode_utf16(name: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFileError(
            name, "the file is UTF-16 text but it is damaged or cut off; export it again"
        ) from None


def _utf16_without_bom(content: bytes) -> str | None:
    head = content[:1024]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _read_csv(name: str, text: str, encoding: str) -> Sheet:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first, _, rest = text.partition("\n")
    sep = _SEP_LINE.fullmatch(first)
    if sep:
        text, skipped = rest, 1
    else:
        skipped = 0
    head_lines = text.split("\n", SNIFF_LINES)[:SNIFF_LINES]
    delimiter = sep.group(1) if sep else _sniff(head_lines)
    _refuse_wide_lines(name, head_lines, delimiter, skipped)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                        doublequote=True, strict=False)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    consumed = 0
    try:
        for row in reader:
            start = consumed + 1 + skipped
            consumed = reader.line_num
            if len(row) > MAX_COLUMNS:
                raise UnreadableFileError(name, _too_wide(len(row), start))
            rows.append(list(row))
            numbers.append(start)
    except csv.Error as error:
        raise UnreadableFileError(
            name, f"line {consumed + 1 + skipped}: a quoted text never ends or is longer than "
            f"{CSV_FIELD_LIMIT:,} characters ({error}); the file is damaged — export it again",
        ) from None
    if rows and _ends_inside_quotes(text, numbers[-1] - 1 - skipped, delimiter):
        raise UnreadableFileError(
            name, f"line {numbers[-1]}: a quoted text starts there and is never closed; the file is cut off "
            "or damaged — export it again",
        )
    while rows and all(not str(cell).strip() for cell in rows[-1]):
        rows.pop()
        numbers.pop()
    if not rows:
        raise UnreadableFileError(name, "the file is empty")
    if rows[0] and isinstance(rows[0][0], str):
        rows[0][0] = rows[0][0].lstrip("\ufeff")
    _refuse_wrapped_lines(name, rows)
    return Sheet(None, rows, numbers, encoding=encoding, delimiter=delimiter)


def _sniff(lines: list[str]) -> str:
    """The delimiter that splits the first lines into more than one field most consistently."""
    sample = "\n".join(lines)
    best: tuple[tuple[float, float, int], str] | None = None
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
        try:
            counts = [len(row) for row in reader if any(cell.strip() for cell in row)]
        except csv.Error:
            continue  # an oversized field: the full read below reports it with its line
        split = [count for count in counts if count > 1]
        if not split:
            continue
        mode, frequency = Counter(split).most_common(1)[0]
        score = (len(split) / len(counts), frequency / len(counts), mode)
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else ","


def _refuse_wide_lines(name: str, lines: list[str], delimiter: str, skipped: int) -> None:
    """Refuse an absurdly wide header before the csv module builds it, cell by cell."""
    for number, line in enumerate(lines, start=1 + skipped):
        if line.count(delimiter) < MAX_COLUMNS:
            continue
        fields = _QUOTED.sub("", line).count(delimiter) + 1
        if fields > MAX_COLUMNS:
            raise UnreadableFileError(name, _too_wide(fields, number))


def _too_wide(columns: int, row: int) -> str:
    return (
        f"row {row} has {columns:,} columns; no platform export has more than a few thousand "
        "(this is not an analytics export, or it is damaged)"
    )


def _ends_inside_quotes(text: str, last_record_line: int, delimiter: str) -> bool:
    """Whether the last record runs into the end of the file inside a quoted field."""
    tail = text.split("\n", last_record_line)[-1]
    reader = csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _refuse_wrapped_lines(name: str, rows: list[list[Cell]]) -> None:
    """Every line one quoted cell that itself holds the delimiter: damage done by a spreadsheet or tool."""
    filled = [row for row in rows if any(str(cell).strip() for cell in row)]
    if len(filled) < 2 or any(len(row) != 1 for row in filled):
        return
    for delimiter in DELIMITERS:
        splittable = sum(1 for row in filled if _splits(str(row[0]), delimiter))
        if splittable >= 0.8 * len(filled):
            raise UnreadableFileError(
                name,
                "every line of this file was wrapped in quotes as one single value (a spreadsheet or "
                f"another tool did this when the file was opened and saved), so its {_DELIMITER_NAMES[delimiter]}"
                "-separated columns cannot be told apart; upload the file exactly as downloaded from the "
                "platform, without opening and saving it first",
            )


def _splits(cell: str, delimiter: str) -> bool:
    try:
        first = next(csv.reader(io.StringIO(cell, newline=""), delimiter=delimiter, strict=False), [])
    except csv.Error:
        return False
    return len(first) > 1


# -- workbooks ----------------------------------------------------------------------------------
class _SheetBuilder:
    """Collects one sheet's rows with their spreadsheet row numbers, enforcing the size limits."""

    def __init__(self, file_name: str, sheet_name: str, budget: list[int]) -> None:
        self.file_name, self.sheet_name, self.budget = file_name, sheet_name, budget
        self.rows: list[list[Cell]] = []
        self.numbers: list[int] = []

    def add(self, number: int, cells: Iterable[Cell]) -> None:
        if number > MAX_ROWS:
            raise UnreadableFileError(
                self.file_name, f"sheet {self.sheet_name!r} has more than {MAX_ROWS:,} rows; it is damaged"
            )
        row = list(cells)
        self.budget[0] -= len(row)
        if self.budget[0] < 0:
            raise UnreadableFileError(
                self.file_name, f"the workbook has more than {MAX_CELLS:,} cells; export a shorter date range"
            )
        while row and row[-1] is None:
            row.pop()
        if len(row) > MAX_COLUMNS:
            raise UnreadableFileError(
                self.file_name, f"sheet {self.sheet_name!r}: {_too_wide(len(row), number)}"
            )
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
        raise UnreadableFileError(name, "the workbook is empty: none of its sheets has any data")
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
        raise UnreadableFileError(
            name, "the file is a damaged ZIP archive or Excel (.xlsx) workbook; download it again"
        ) from None
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
            raise UnreadableFileError(
                name,
                f"the workbook would unpack to {_megabytes(unpacked)} MB and is packed far more tightly than "
                "any real export; it was refused unopened (it is damaged or built to overload the server)",
            )


_PASSWORD = "the workbook is protected with a password; remove the password in Excel (or export it again) and upload it"


def _opening(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:  # never more than the first bytes: the member may be huge
        return stream.read(64)


def _zip_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.bin" in names:
        return "this is an Excel binary workbook (.xlsb), which cannot be read; save it as .xlsx or CSV"
    if "mimetype" in names and _opening(archive, "mimetype").startswith(b"application/vnd.oasis.opendocument"):
        return "this is an OpenDocument file (LibreOffice/OpenOffice); save it as .xlsx or CSV"
    if "word/document.xml" in names:
        return "this is a Word document, not a CSV or Excel file"
    if "ppt/presentation.xml" in names:
        return "this is a PowerPoint presentation, not a CSV or Excel file"
    tables = sorted(n for n in names if n.lower().endswith((".csv", ".xlsx", ".xls")))
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        return f"this is a ZIP archive holding {shown}; unzip it and upload those files one by one"
    return "this is a ZIP archive, not an Excel workbook; unzip it and upload the CSV or Excel files inside"


def _read_xlsx(name: str, content: bytes, max_bytes: int) -> tuple[Sheet, ...]:
    _check_zip(name, content, max_bytes)
    if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment: never parse unguarded
        raise UnreadableFileError(
            name, "reading .xlsx is switched off on this server (its XML protection is disabled); "
            "upload the export as CSV or tell the administrator",
        )
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


_XML_TRICKS = (
    "the file contains XML entity or document-type declarations, which no export has and which can be "
    "used to overload the server; it was refused — export it again from the platform"
)


def _read_biff(name: str, content: bytes) -> tuple[Sheet, ...]:
    if "EncryptedPackage".encode("utf-16-le") in content:
        raise UnreadableFileError(name, _PASSWORD)
    try:
        book = xlrd.open_workbook(file_contents=content, logfile=io.StringIO(), formatting_info=False)
    except xlrd.XLRDError as error:
        message = str(error)
        if "encrypted" in message.lower():
            raise UnreadableFileError(name, _PASSWORD) from None
        if "Can't find workbook" in message:
            raise UnreadableFileError(
                name, "this is an Office document (such as a Word .doc) but not an Excel workbook"
            ) from None
        raise UnreadableFileError(
            name, f"the .xls workbook is damaged and cannot be read ({message}); export it again"
        ) from None
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


def _read_spreadsheetml(name: str, content: bytes) -> tuple[Sheet, ...]:
    try:
        root = SafeElementTree.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise UnreadableFileError(name, _XML_TRICKS) from None
    except ParseError as error:
        raise UnreadableFileError(
            name, f"the Excel XML spreadsheet is damaged ({error}); export it again"
        ) from None
    if root.tag != _ss("Workbook"):
        raise UnreadableFileError(
            name, f"this is an XML file but not an Excel spreadsheet saved as XML; {AS_DOWNLOADED}"
        )
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
        raise UnreadableFileError(
            name, f"sheet {sheet_name!r}: the Excel XML spreadsheet is damaged (position {text!r} after "
            f"{previous}); export it again",
        )
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
