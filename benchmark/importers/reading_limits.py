"""How large an upload may be, and the words every reader uses to refuse one.

The limits bound the work a damaged or hostile file can cause; no real export
comes near them (research: ../shared/reference/export_formats.md §1d: the
widest real export, the legacy Facebook page export, has about 2,700 columns).
`limits_markdown()` is the "Limits and hostile files" section of docs/importers.md.
"""

from __future__ import annotations

from ..errors import Message, Number

DEFAULT_MAX_BYTES = 50 * 2**20
MAX_COLUMNS = 10_000
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELLS = 20_000_000  # bounds the work a small, hostile workbook can cause
ZIP_EXPANSION_LIMIT = 20  # unpacked size at most this many times the upload limit
ZIP_RATIO_LIMIT = 200  # per member larger than 1 MiB; real sheets compress about 5–30 to 1

AS_DOWNLOADED = Message("reading.as_downloaded")
NOT_A_TABLE = Message("reading.not_a_table", advice=AS_DOWNLOADED)


def megabytes(size: int) -> Number:
    value = size / 2**20
    return Number(value, ",.0f" if value >= 100 else ".3g")


def too_wide(columns: int, row: int) -> Message:
    return Message("reading.too_wide", row=row, columns=Number(columns))


def limits_markdown() -> str:
    """The "Limits and hostile files" section of docs/importers.md, from the limits in code."""
    from .base import MAX_PROBLEMS_KEPT
    from .reading_text import CSV_FIELD_LIMIT
    from .values import FIRST_DAY, LAST_DAY, MAX_COUNT_DIGITS

    return f"""## Limits and hostile files

An upload may be damaged, or built to harm the server. Every file is refused early, as a whole and
with a message that says what is wrong and what to do, never with a traceback, and nothing is written:

| what | limit | checked |
|---|---|---|
| file size | the `max_upload_mb` setting (default {DEFAULT_MAX_BYTES // 2**20} MB); the browser refuses a larger file before sending it (`server.maxUploadSize` in `.streamlit/config.toml`) | before the file is parsed (`imports.refuse_oversize`, which a caller holding only a path calls before reading the file) |
| columns in a row | {MAX_COLUMNS:,} | an absurdly wide CSV header before the csv module splits it; an .xlsx row before openpyxl builds it |
| rows | {MAX_ROWS:,} (Excel's own limit) | while a CSV or a sheet is read |
| cells | {MAX_CELLS:,} in a file or workbook (and as many shared strings) | while a CSV is read; an .xlsx is counted before it is opened |
| one value | {CSV_FIELD_LIMIT:,} characters | while a CSV is read |
| .xlsx unpacked | {ZIP_EXPANSION_LIMIT} × the upload limit, no part over 1 MiB packed more than {ZIP_RATIO_LIMIT} to 1 | before it is unpacked ("ZIP bomb") |
| XML | no entity or DTD declarations (defusedxml) | .xlsx and Excel 2003 XML |
| dates | {FIRST_DAY.year} to {LAST_DAY.year} | every date cell: year 1 or 9999 would make a file cover 700,000 days |
| counts | at most {MAX_COUNT_DIGITS} digits | every count cell, text or a workbook's number (1E+300) |
| problems listed | the first {MAX_PROBLEMS_KEPT:,}, the rest counted | a file wrong on every one of a million rows costs no more |

Empty files, files with only a header, images, PDFs, archives, executables and other binary data
named `.csv`, web pages saved as `.xls`, password-protected or damaged workbooks each have their own
message. Memory stays bounded: the text is handed to the csv module a line at a time and equal cells
share one string, so a 50 MB CSV takes a few hundred MB at most while it is read, and the refusals
above happen within a few tens of MB (`tests/hostile/test_hostile_files.py` measures them in child
processes and fails above 300 MB; `tests/browser/test_hostile_uploads.py` drops a 1 GB file, an empty
file, a PNG named `.csv` and a file with a million columns on the real Upload page and checks the
server's memory).

**Names** of pages and organisations read from files are stored in one form: Unicode NFC (a name
typed on a Mac, with combining accents, is the same name), without invisible characters (zero-width
spaces and joiners, byte-order marks, soft hyphens, the bidirectional controls that can turn a name
around on screen) and without control characters (so no name can break an .xlsx or .pptx export),
spaces collapsed and trimmed. A name with letters of another alphabet is matched only by its exact
letters: `Lаxå kommun` with a Cyrillic `а` is never the page `Laxå kommun`, nor linked to the
organisation of that name; the preview says "possible look-alike of …" and the page stays unlinked
until someone links it on purpose.

**Exports** (CSV and XLSX) neutralise formula injection: a text starting with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading apostrophe and is stored as text, so a page named
`=HYPERLINK("http://x","y")` is shown, never run. **SQL** is never built from a user's text: values
reach DuckDB as parameters; `tests/hostile/test_sql_strings.py` scans the package for SQL put
together in code and checks every piece against a reviewed list of names and fragments from code.

Every format is fuzzed (`tests/hostile/test_fuzz_formats.py`, `tests/imports/test_fuzz_imports.py`):
thousands of generated and mutated files per run, each read or refused with a named error. For a
longer run: `HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/hostile/test_fuzz_formats.py -q`.
"""
