"""Turning the bytes of an upload into sheets of cells, whatever the file's name says.

The kind of file is decided by its first bytes, never by its extension: an
`.xls` can be a real Excel 97 workbook, an Excel 2003 XML file or plain text
(research: ../shared/reference/export_formats.md §0, §1d, §3, §5, §9.1).

* `PK\\x03\\x04` — a ZIP archive: an .xlsx workbook, read with openpyxl once the
  archive is checked not to be a "ZIP bomb" (`reading_workbooks`).
* `D0 CF 11 E0` — an OLE2 compound file: an Excel 97–2003 (BIFF) workbook, read
  with xlrd (LinkedIn exports, sheets pasted by analysts; `reading_workbooks`).
* Text starting with `<?xml` or `<Workbook` in the SpreadsheetML namespace — the
  "Excel" download of legacy Facebook Insights (§1d), read with defusedxml
  (`reading_workbooks`).
* Any other text — CSV, in whichever encoding and delimiter it was written
  (`reading_text`). CSV cells are always `str`; workbook cells keep their types
  (str, int, float, datetime or None).

Row numbers are what the analyst sees: the spreadsheet row (1-based) in a
workbook, the line in a text editor for a CSV (a removed `sep=` line still
counts, and a row whose quoted text spans several lines has the number of the
line where it starts). Blank rows inside a table are kept as `[]` and trailing
blank rows are dropped.

Refused, each with an `UnreadableFileError` saying why in plain words: files
over the upload limit (checked first), empty files, binary data (images, PDFs,
archives, NUL bytes, bytes that are no text in any encoding we read), web pages
saved as `.xls`, ZIP files that are no workbook (a YouTube export ZIP: unzip
it), password-protected or damaged workbooks, XML with entity or DTD
declarations (entity-expansion attacks), lines wrapped whole into one quoted
cell by a spreadsheet (§1b, the `WRAPPED_LINES` sample), a quoted text that
never closes, more than 10,000 columns, more than 1,048,576 rows or 20 million
cells (`reading_limits`). No other exception escapes, whatever the bytes.
"""

from __future__ import annotations

import re

from .model import SourceFile, UnreadableFileError
from .reading_limits import (
    AS_DOWNLOADED,
    DEFAULT_MAX_BYTES,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    megabytes,
)
from .reading_text import decode, read_csv
from .reading_workbooks import (
    SPREADSHEETML_NS,
    read_biff,
    read_spreadsheetml,
    read_xlsx,
)

__all__ = ["DEFAULT_MAX_BYTES", "MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "read_file"]

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


def read_file(name: str, content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """The sheets of an uploaded file; `UnreadableFileError` for anything that is not one."""
    if len(content) > max_bytes:
        raise UnreadableFileError(
            name,
            f"the file is {megabytes(len(content))} MB and files of at most {megabytes(max_bytes)} MB "
            "can be read; export a shorter date range (split the export by date range) and upload the parts",
        )
    if not content.strip():
        raise UnreadableFileError(name, "the file is empty")
    kind = "csv"
    try:
        if content[:4] in _ZIP_MAGIC:
            kind = "xlsx"
            return SourceFile(name, content, read_xlsx(name, content, max_bytes), kind)
        if content.startswith(_OLE_MAGIC):
            kind = "xls"
            return SourceFile(name, content, read_biff(name, content), kind)
        for magic, what in _MAGIC:
            if content.startswith(magic):
                raise UnreadableFileError(name, f"this is {what}, not a CSV or Excel file; {AS_DOWNLOADED}")
        text, encoding = decode(name, content)
        head = text.lstrip()[:4096]
        if head[:5].lower() == "<?xml" or head[:9] == "<Workbook":
            if SPREADSHEETML_NS not in head:
                raise UnreadableFileError(
                    name, f"this is an XML file but not an Excel spreadsheet saved as XML; {AS_DOWNLOADED}"
                )
            kind = "spreadsheetml"
            return SourceFile(name, content, read_spreadsheetml(name, content), kind)
        if re.match(r"<(!doctype html|html|table)\b", head[:64], re.IGNORECASE):
            raise UnreadableFileError(
                name,
                "this is a web page (HTML) saved under a spreadsheet name, not a CSV or Excel file; "
                "open it in Excel and save it as .xlsx, or " + AS_DOWNLOADED,
            )
        return SourceFile(name, content, (read_csv(name, text, encoding),), kind)
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
