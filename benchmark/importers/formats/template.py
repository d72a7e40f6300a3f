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

import pandas as pd

from ...errors import Message, PeriodError
from ...metrics import MEASURES, SIGNED_MEASURES
from ...periods import parse_period
from ...vocabulary import PLATFORMS
from ..base import Format, NotPageMetrics, Problems, rejected
from ..headers import HeaderMatch, find_header, is_blank, normalise_header
from ..model import (
    AccountRef,
    Cell,
    CellError,
    ParsedFile,
    ParseOptions,
    SourceFile,
)
from ..values import cell_text, is_missing, parse_count, parse_date
from ..names import clean_name

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
def read_platform(cell: object) -> str:
    """A platform cell as a platform id (`CellError` when it names none); also the bulk reader's."""
    key = normalise_header(cell if isinstance(cell, str) else "")
    for platform_id, label in PLATFORMS.items():
        if key in (platform_id, label.casefold()) or (platform_id == "x" and key == "twitter"):
            return platform_id
    raise CellError(cell, "expected.platform", platforms=", ".join(PLATFORMS))


@functools.lru_cache(maxsize=4096)  # a file repeats a handful of periods over thousands of rows
def read_period(cell: object) -> tuple[date, date]:
    """A period cell as (first day, last day) (`CellError` when it is none); also the bulk reader's."""
    text = cell_text(cell)
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise CellError(cell, "expected.period", reason=exc.reason) from None
    return period.start, period.end


def _column(rows: list[list[Cell]], position: int | None) -> list[Cell]:
    if position is None:
        return [None] * len(rows)
    return [row[position] if position < len(row) else None for row in rows]


def _each_distinct(cells: list[Cell], parse, problems: Problems, sheet, indices: list[int], header: str,
                   **options) -> list:
    """`parse` applied once per distinct cell (a file repeats a few platforms and periods over
    thousands of rows); a bad cell is a problem at every row that has it."""
    results: dict[Cell, object] = {}
    failed: dict[Cell, str] = {}
    for cell in dict.fromkeys(cells):
        try:
            results[cell] = parse(cell, **options)
        except CellError as exc:
            failed[cell] = exc.expected
    for cell, index in zip(cells, indices, strict=True):
        if cell in failed:
            problems.add(sheet, index, header, cell, failed[cell])
    return [results.get(cell) for cell in cells]


def _counts(cells: list[Cell], signed: bool, problems: Problems, sheet, indices: list[int],
            header: str) -> pd.Series:
    """A column of counts as nullable integers. Plain digits are read in one vectorised step; every
    other cell (empty, `1 234`, `-4`, text …) goes through `parse_count`, which says what is wrong."""
    text = pd.Series(cells, dtype="object").astype("string")
    plain = text.str.fullmatch(r"[0-9]{1,15}").fillna(False).to_numpy()
    values = pd.Series(pd.NA, index=text.index, dtype="Int64")
    if plain.any():
        values[plain] = pd.to_numeric(text[plain]).astype("Int64")
    for position in (~plain).nonzero()[0]:
        value = problems.read(parse_count, cells[position], sheet, indices[position], header, allow_negative=signed)
        if value is not None:
            values.iat[position] = value
    return values


def _parse(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    problems = Problems()
    for header in match.unmapped:
        problems.add(None, None, None, header, "expected.template_columns", columns=", ".join(TEMPLATE_COLUMNS),
                     header=header)
    duplicated = [f for f, positions in match.columns.items() if len(positions) > 1]
    for field in duplicated:
        problems.add(None, None, None, match.header_of(field), "expected.column_once")
    parsed = ParsedFile("template", LABEL, None)

    indices = [i for i in range(match.data_start, len(sheet.rows))
               if not is_blank(sheet.rows[i])
               and not (isinstance(sheet.rows[i][0], str) and sheet.rows[i][0].lstrip().startswith("#"))]
    parsed.rows_read = len(indices)
    rows = [sheet.rows[i] for i in indices]

    def cells(field: str) -> list[Cell]:
        positions = match.columns.get(field)
        return _column(rows, positions[0] if positions else None)

    organisations = [clean_name(cell_text(c)) or None if not is_missing(c) else None for c in cells("organisation")]
    for organisation, index in zip(organisations, indices, strict=True):
        if organisation is None:
            problems.add(sheet, index, match.header_of("organisation"), None, "expected.organisation_name")
    platforms = _each_distinct(cells("platform"), read_platform, problems, sheet, indices, match.header_of("platform"))
    if match.has("period"):
        spans = _each_distinct(cells("period"), read_period, problems, sheet, indices, match.header_of("period"))
    else:
        starts = _each_distinct(cells("from"), parse_date, problems, sheet, indices, match.header_of("from"),
                                day_first=True)
        ends = _each_distinct(cells("to"), parse_date, problems, sheet, indices, match.header_of("to"),
                              day_first=True)
        spans = []
        for start, end, cell, index in zip(starts, ends, cells("to"), indices, strict=True):
            if start and end and end < start:
                problems.add(sheet, index, match.header_of("to"), cell, "expected.on_or_after_from")
            spans.append((start, end) if start and end and end >= start else None)
    account_names = cells("account")
    refs: dict[tuple, int] = {}  # identity -> position in parsed.table_accounts
    keys: list[tuple | None] = []
    seen: dict[tuple, int] = {}
    for organisation, platform, span, name, index in zip(organisations, platforms, spans, account_names, indices,
                                                         strict=True):
        if organisation is None or platform is None or span is None:
            keys.append(None)
            continue
        account = "" if is_missing(name) else clean_name(cell_text(name))  # one form for NFC/NFD, invisible characters
        identity = (platform, account or organisation, organisation)
        if identity not in refs:
            refs[identity] = len(parsed.table_accounts)
            parsed.table_accounts.append(AccountRef(identity[0], identity[1], None, identity[2]))
        key = (refs[identity], span)
        if key in seen:
            problems.add(sheet, index, None, None, "expected.template_row_once", row=seen[key])
            keys.append(None)
            continue
        seen[key] = sheet.row_numbers[index]
        keys.append(key)

    measures = [m.id for m in MEASURES if match.has(m.id)]
    counts = {m: _counts(cells(m), m in SIGNED_MEASURES, problems, sheet, indices, match.header_of(m))
              for m in measures}
    problems.raise_if_any(source.name, parsed.format_label)

    frame = pd.DataFrame({
        "account": [k[0] if k else None for k in keys],
        "start": [k[1][0] if k else None for k in keys],
        "end": [k[1][1] if k else None for k in keys],
        "source_row": [sheet.row_numbers[i] for i in indices],
    })
    long = [frame.assign(measure=m, value=counts[m]).dropna(subset=["value", "account"]) for m in measures]
    table = pd.concat(long, ignore_index=True) if long else frame.iloc[0:0]
    if table.empty:
        raise rejected(source.name, parsed.format_label, "expected.template_figures")
    parsed.value_table = table[["account", "measure", "start", "end", "value", "source_row"]].astype(
        {"account": "int64", "value": "int64", "source_row": "int64"})
    return parsed


LABEL = Message("format.template")
FORMATS = (Format("template", LABEL, _detect, _parse),)
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
