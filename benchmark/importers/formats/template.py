"""The project's own template: one row per organisation, platform and period.

This is how a network collects quarterly figures from its members, or how an
analyst enters figures copied from another tool. The columns are derived from
the measures in `benchmark.metrics`, so a new measure appears in the template,
its explanation sheet and its parser at once.

Columns (header names in English, Swedish, Danish, Norwegian or Finnish; the
measure columns also by their id or English label):

* `organisation` (required): official name, alias or `COUNTRY:CODE` (SE:1880).
* `platform` (required): facebook, instagram, linkedin, x, youtube or tiktok.
* `period` (2025-Q3, 2025-07, 2025-W27, 2025 or 2025-07-01..2025-09-30), or
  `from` and `to` dates (any of the accepted date forms, e.g. 01.07.2025).
* `account` (optional): the page's name when the organisation has several on
  the platform; default: the organisation's name.
* one column per measure; empty means unknown, never 0. `followers` is the
  count on the last day of the period; `reach` is unique people over exactly
  that period (never summed); `net_followers` may be negative.

The template is strict, being ours: an unknown column is an error, so a typo in
a header is never silently dropped. A CSV template may start with `#` comment
lines (the downloadable one explains each column that way).
"""

from __future__ import annotations

import csv
import functools
import io
from datetime import date

from ...errors import PeriodError
from ...metrics import MEASURES
from ...periods import custom_period, parse_period
from ...vocabulary import PLATFORMS
from ..base import Format, NotPageMetrics, Problems, rejected
from ..headers import HeaderMatch, find_header, is_blank, normalise_header
from ..model import (
    AccountRef,
    CellError,
    ParsedFile,
    ParseOptions,
    PeriodValue,
    SourceFile,
)
from ..rows import read_counts
from ..values import cell_text, is_missing, parse_date

# Header names of the identity columns in the five languages (sv, da, nb, fi after English).
IDENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "organisation": ("organisation", "organization", "organisasjon", "organisaatio"),
    "platform": ("platform", "plattform", "alusta"),
    "period": ("period", "periode", "jakso"),
    "from": ("from", "från", "fra", "alkaen", "period_start", "start"),
    "to": ("to", "till", "til", "asti", "period_end", "end"),
    "account": ("account", "konto", "page", "sida", "side", "tili"),
}
MEASURE_ALIASES: dict[str, tuple[str, ...]] = {
    m.id: tuple(dict.fromkeys((m.id, m.label, m.id.replace("_", " ")))) for m in MEASURES
}
ALIASES = {**IDENTITY_ALIASES, **MEASURE_ALIASES}
TEMPLATE_COLUMNS = ("organisation", "platform", "period", "account", *(m.id for m in MEASURES))

COLUMN_HELP: dict[str, str] = {
    "organisation": "Required. Official name, alias or COUNTRY:CODE (e.g. SE:1880 for Örebro kommun).",
    "platform": "Required. One of: " + ", ".join(PLATFORMS) + ".",
    "period": "Required (or columns 'from' and 'to' with dates). 2025-Q3, 2025-07, 2025-W27, 2025 "
              "or 2025-07-01..2025-09-30.",
    "account": "Optional. The page's name if the organisation has several pages on the platform; "
               "default: the organisation's name.",
    **{m.id: f"{m.label}: {m.description} Empty = unknown (never write 0 for unknown)." for m in MEASURES},
}


def _detect(source: SourceFile) -> HeaderMatch | None:
    for sheet in source.sheets:
        match = find_header(sheet, ALIASES, {"organisation", "platform"}, scan_rows=40)
        if match and (match.has("period") or (match.has("from") and match.has("to"))) \
                and any(match.has(m.id) for m in MEASURES):
            return match
    return None


@functools.lru_cache(maxsize=64)
def _platform(cell: object) -> str:
    key = normalise_header(cell if isinstance(cell, str) else "")
    for platform_id, label in PLATFORMS.items():
        if key in (platform_id, label.casefold()) or (platform_id == "x" and key == "twitter"):
            return platform_id
    raise CellError(cell, "a platform: " + ", ".join(PLATFORMS))


@functools.lru_cache(maxsize=4096)  # a file repeats a handful of periods over thousands of rows
def _period(cell: object) -> tuple[date, date]:
    text = cell_text(cell)
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise CellError(cell, "a period such as 2025-Q3, 2025-07, 2025-W27, 2025 or "
                              f"2025-07-01..2025-09-30 ({exc.reason})") from None
    return period.start, period.end


def _parse(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    problems = Problems()
    for header in match.unmapped:
        problems.add(None, None, None, header,
                     "only the template's columns (" + ", ".join(TEMPLATE_COLUMNS) + "); "
                     f"rename or delete the column {header!r}")
    duplicated = [f for f, positions in match.columns.items() if len(positions) > 1]
    for field in duplicated:
        problems.add(None, None, None, match.header_of(field), "each column once; this one appears twice")
    parsed = ParsedFile("template", "project template", None)
    seen: dict[tuple, int] = {}
    for index in range(match.data_start, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row) or (isinstance(row[0], str) and row[0].lstrip().startswith("#")):
            continue
        parsed.rows_read += 1
        line = sheet.row_numbers[index]
        organisation = match.get(row, "organisation")
        if is_missing(organisation):
            problems.add(sheet, index, match.header_of("organisation"), organisation, "the organisation's name")
            continue
        platform = problems.read(_platform, match.get(row, "platform"), sheet, index, match.header_of("platform"))
        if match.has("period"):
            span = problems.read(_period, match.get(row, "period"), sheet, index, match.header_of("period"))
        else:
            start = problems.read(parse_date, match.get(row, "from"), sheet, index, match.header_of("from"), day_first=True)
            end = problems.read(parse_date, match.get(row, "to"), sheet, index, match.header_of("to"), day_first=True)
            span = None
            if start and end:
                if end < start:
                    problems.add(sheet, index, match.header_of("to"), match.get(row, "to"), "a date on or after 'from'")
                else:
                    span = (custom_period(start, end).start, end)
        if platform is None or span is None:
            continue
        account_name = match.get(row, "account")
        ref = AccountRef(platform, cell_text(organisation if is_missing(account_name) else account_name), None,
                         cell_text(organisation))
        key = (ref, span)
        if key in seen:
            problems.add(sheet, index, None, None,
                         f"one row per organisation, account, platform and period; row {seen[key]} has the same")
            continue
        seen[key] = line
        figures = read_counts(match, row, index, [m.id for m in MEASURES if match.has(m.id)], problems)
        parsed.values += [PeriodValue(ref, m, span[0], span[1], v, line) for m, v in figures.items() if v is not None]
    problems.raise_if_any(source.name, parsed.format_label)
    if not parsed.values:
        raise rejected(source.name, parsed.format_label, "at least one row with a figure: the template has no figures")
    return parsed


FORMATS = (Format("template", "project template", _detect, _parse),)
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = ()


# -- the blank template -------------------------------------------------------------------------
def template_csv() -> bytes:
    """The blank CSV template: `#` lines explaining each column, then the header (UTF-8 with BOM for Excel)."""
    buffer = io.StringIO()
    buffer.write("# Nordic social benchmark - data template. One row per organisation, platform and period.\n")
    buffer.write("# Lines starting with # are ignored. Empty cells mean 'unknown', never 0.\n")
    for column in TEMPLATE_COLUMNS:
        buffer.write(f"# {column}: {COLUMN_HELP[column]}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The blank XLSX template: sheet 'Data' with the header, sheet 'Columns' explaining each column."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    data = book.active
    data.title = "Data"
    data.append(list(TEMPLATE_COLUMNS))
    for cell, column in zip(data[1], TEMPLATE_COLUMNS, strict=True):
        cell.font = Font(bold=True)
        cell.comment = Comment(COLUMN_HELP[column], "benchmark")
        data.column_dimensions[cell.column_letter].width = max(12, len(column) + 4)
    data.freeze_panes = "A2"
    help_sheet = book.create_sheet("Columns")
    help_sheet.append(["column", "explanation"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in TEMPLATE_COLUMNS:
        help_sheet.append([column, COLUMN_HELP[column]])
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 110
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
