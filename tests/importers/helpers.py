"""Helpers the importer tests share: the real samples, a family's detectors and parsers, synthetic re-saves.

Plain functions, imported by the test modules. Expected figures are never computed
here: `raw_rows` only reads a sample with the csv module, independently of the importer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from types import ModuleType

import openpyxl
import pytest

from benchmark.importers.model import (
    ParsedFile,
    ParseOptions,
    Sheet,
    SourceFile,
    UnreadableFileError,
)
from benchmark.importers.reading import read_file
from tests.conftest import shared_or_skip

# The forms an analyst's Excel on a Nordic PC writes: (date format, thousands separator, delimiter, encoding).
RESAVES = {
    "semicolon-cp1252": ("%d.%m.%Y", " ", ";", "cp1252"),
    "utf16-tab": ("%d-%m-%Y", "\u00a0", "\t", "utf-16"),
    "bom-semicolon": ("%Y-%m-%d", ".", ";", "utf-8-sig"),
}
RESAVED_STYLES = (*RESAVES, "xlsx")


# -- reading files ------------------------------------------------------------------------------
def sample(name: str, as_name: str | None = None) -> SourceFile:
    """A sample of ../shared/samples/ read as an upload (named `as_name` when given); skips if absent."""
    return read_file(as_name or name, shared_or_skip("samples", name).read_bytes())


def raw_rows(name: str) -> list[dict[str, str]]:
    """The rows of a UTF-8 (with or without BOM) CSV sample, read with the csv module."""
    text = shared_or_skip("samples", name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def check_sample_claims(claims: Callable[[SourceFile], Iterable[str]], expected: Mapping[str, str], *,
                        own: Callable[[str], bool] = lambda name: False) -> None:
    """Every readable sample is claimed by exactly its `expected` entry, every other one by none.

    `claims` lists the ids of a family's entries that claim a file; `own` tells the
    family's samples by name: each of them must be listed in `expected`.
    """
    folder = shared_or_skip("samples")
    seen = set()
    for path in sorted(folder.iterdir()):
        if path.name == "MANIFEST.tsv":
            continue
        assert not own(path.name) or path.name in expected, path.name
        try:
            source = read_file(path.name, path.read_bytes())
        except UnreadableFileError:
            assert path.name not in expected, path.name
            continue
        assert sorted(claims(source)) == ([expected[path.name]] if path.name in expected else []), path.name
        seen.add(path.name)
    assert set(expected) <= seen, sorted(set(expected) - seen)
    assert len(seen) >= 30


def read(content: bytes, name: str = "upload.csv", **options) -> SourceFile:
    """`read_file` with the arguments in the order the reading tests think of them."""
    return read_file(name, content, **options)


def refused(content: bytes, name: str = "upload.csv", **options) -> str:
    """The reason `read_file` refuses the bytes (it must), checking the error names the file."""
    with pytest.raises(UnreadableFileError) as caught:
        read_file(name, content, **options)
    assert caught.value.file_name == name
    assert str(caught.value) == f"{name}: {caught.value.reason}"
    return caught.value.reason


def only_sheet(source: SourceFile) -> Sheet:
    """The one sheet of a CSV upload."""
    assert source.kind == "csv"
    assert len(source.sheets) == 1
    return source.sheets[0]


# -- a family's formats -------------------------------------------------------------------------
def claims(family: ModuleType, source: SourceFile) -> list[str]:
    """Ids of the family's formats that claim the file."""
    return [f.id for f in family.FORMATS if f.detect(source) is not None]


def refusals(family: ModuleType, source: SourceFile) -> list[str]:
    """Ids of the family's not-page-metrics entries that recognise the file."""
    return [n.id for n in family.NOT_PAGE_METRICS if n.detect(source)]


def parse(family: ModuleType, source: SourceFile, options: ParseOptions | None = None) -> ParsedFile:
    """The file parsed by the one format of the family that claims it."""
    ((fmt, match),) = [(f, m) for f in family.FORMATS if (m := f.detect(source)) is not None]
    return fmt.parse(source, match, options or ParseOptions())


def daily_values(parsed: ParsedFile, measure: str) -> dict[date, int]:
    """Day → value of one measure's one-day values."""
    return {v.start: v.value for v in parsed.values if v.measure == measure and v.start == v.end}


def comparable(parsed: ParsedFile) -> list[tuple]:
    """The values as sortable tuples, to compare two parses of the same figures."""
    return sorted((v.measure, v.start, v.end, v.value, v.source_row) for v in parsed.values)


# -- synthetic files ----------------------------------------------------------------------------
def workbook(sheets: Mapping[str, list[list]]) -> bytes:
    """An .xlsx with one sheet per entry (sheet name → rows), written with openpyxl."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(rows: list[list], style: str, *, stem: str, plain_date: str = "%Y-%m-%d",
           plain_encoding: str = "utf-8", missing: str = "") -> tuple[str, bytes]:
    """(file name, bytes) of the rows as the platform writes them (`plain`) or as a `RESAVED_STYLES` form.

    Dates are written in the style's date format (with the time when they have one),
    whole numbers with its thousands separator, None as `missing`. `plain` is
    comma-separated with LF line ends, a re-save semicolon- or tab-separated with
    CRLF; `xlsx` keeps typed cells.
    """
    if style == "xlsx":
        blank = missing or None  # an empty cell, unless the platform writes a marker such as NAN
        return f"{stem}.xlsx", workbook({"Sheet": [[blank if c is None else c for c in row] for row in rows]})
    if style == "plain":
        date_format, group, delimiter, encoding = plain_date, "", ",", plain_encoding
    else:
        date_format, group, delimiter, encoding = RESAVES[style]

    def cell(value: object) -> str:
        if value is None:
            return missing
        if isinstance(value, datetime):
            return value.strftime(date_format + " %H:%M:%S")
        if isinstance(value, date):
            return value.strftime(date_format)
        if isinstance(value, int):
            return f"{value:,}".replace(",", group)
        return str(value)

    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n" if style == "plain" else "\r\n")
    writer.writerows([[cell(c) for c in row] for row in rows])
    return f"{stem}-{style}.csv", text.getvalue().encode(encoding)
