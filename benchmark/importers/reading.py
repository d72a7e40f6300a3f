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

from ..errors import Message
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

_MAGIC = (  # (first bytes, message key under error.reading.kind)
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def read_file(name: str, content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """The sheets of an uploaded file; `UnreadableFileError` for anything that is not one."""
    if len(content) > max_bytes:
        raise UnreadableFileError(name, "reading.too_large", size=megabytes(len(content)), limit=megabytes(max_bytes))
    if not content.strip():
        raise UnreadableFileError(name, "reading.empty")
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
                raise UnreadableFileError(name, "reading.other_kind", what=Message(f"reading.kind.{what}"),
                                          advice=AS_DOWNLOADED)
        text, encoding = decode(name, content)
        head = text.lstrip()[:4096]
        if head[:5].lower() == "<?xml" or head[:9] == "<Workbook":
            if SPREADSHEETML_NS not in head:
                raise UnreadableFileError(name, "reading.xml_not_excel", advice=AS_DOWNLOADED)
            kind = "spreadsheetml"
            return SourceFile(name, content, read_spreadsheetml(name, content), kind)
        if re.match(r"<(!doctype html|html|table)\b", head[:64], re.IGNORECASE):
            raise UnreadableFileError(name, "reading.html", advice=AS_DOWNLOADED)
        return SourceFile(name, content, (read_csv(name, text, encoding),), kind)
    except UnreadableFileError:
        raise
    except Exception as error:  # libraries fail on broken files in many ways; none may escape
        # The library's own words (English) stay as a technical detail.
        raise UnreadableFileError(name, "reading.damaged", what=Message(f"reading.damaged_kind.{kind}"),
                                  detail=f"{type(error).__name__}: {error}") from error
