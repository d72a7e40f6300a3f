"""The table of an export, and how it is written as CSV (for machines) and XLSX (for people).

- **CSV** keeps what the command line has always written: the stable column ids as headers, plain
  numbers (dot decimal, no grouping, ratios rounded to the metric's decimals + 2), UTF-8.
- **XLSX** is for people: a title row, translated headers with units, numbers as numeric cells
  with the metric's decimals as number format, a bold frozen header with a filter, the source
  note (and the synthetic-data label) below the table.

Both neutralise formula injection: organisation and page names come from uploaded files and can
be hostile, so a text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading apostrophe, and in XLSX is also stored as a plain string cell with Excel's "quote prefix"
(openpyxl would otherwise store a text starting with "=" as a formula).
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import pandas as pd

from .. import i18n
from ..metrics import METRICS_BY_ID

INT, FLOAT, PERCENT, TEXT, DATE = "int", "float", "percent", "text", "date"
KINDS = (INT, FLOAT, PERCENT, TEXT, DATE)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold (openpyxl and python-pptx refuse them): dropped, never passed on.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Ranking and profile columns expressed in the unit of the one metric of the table.
_IN_METRIC_UNIT = ("peer_median", "difference_from_median", "peer_q1", "peer_q3")


@dataclass(frozen=True)
class Column:
    """A column as people see it (XLSX, slides); `id` names a column of `ExportTable.frame`."""

    id: str
    header: str  # translated
    kind: str = TEXT
    unit: str = ""  # translated; "%" for percentages
    decimals: int = 0
    signed: bool = False  # a difference: "+3" rather than "3"

    @property
    def heading(self) -> str:
        """The header with its unit in brackets, unless the header already says it."""
        if self.unit and self.unit.lower() not in self.header.lower():
            return f"{self.header} ({self.unit})"
        return self.header


@dataclass(frozen=True)
class ExportTable:
    title: str
    subtitle: str
    source_note: str
    columns: tuple[Column, ...]  # for people, in order
    frame: pd.DataFrame  # every column, named by id
    csv_columns: tuple[str, ...]  # the machine-readable CSV, in order
    sheet_name: str
    demo_label: str | None = None  # set when demo rows are shown
    own_column: str | None = "is_own"  # rows where it is true are yours (bold)
    data_as_of: date | None = None  # the last day of the figures; also the XLSX file's date

    def own_rows(self) -> list[bool]:
        if not self.own_column or self.own_column not in self.frame.columns:
            return [False] * len(self.frame)
        return [bool(v) if not _missing(v) else False for v in self.frame[self.own_column]]


def metric_column(column_id: str, metric_id: str, header: str, lang: str, *, signed: bool = False) -> Column:
    """A column in the unit and precision of a metric."""
    metric = METRICS_BY_ID[metric_id]
    if metric.unit == "%":
        return Column(column_id, header, PERCENT, "%", metric.decimals, signed)
    kind = INT if metric.decimals == 0 else FLOAT
    return Column(column_id, header, kind, i18n.text(f"metric.{metric_id}.unit", lang), metric.decimals, signed)


# -- text safety -------------------------------------------------------------
def clean_text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def neutralise(text: str) -> str:
    """A text no spreadsheet will run: a leading apostrophe before =, +, -, @, tab or CR."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:
        return False


def _neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = [neutralise(v) if isinstance(v, str) else v for v in out[column]]
    return out


# -- CSV ---------------------------------------------------------------------
def round_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Round ratios to a sensible precision so CSV files are readable and diff well: a metric to its
    decimals + 2 (the columns in the ranked metric's unit likewise), percentiles to 0.1."""
    out = frame.copy()
    ranked = [METRICS_BY_ID[c] for c in out.columns if c in METRICS_BY_ID]
    for column in out.columns:
        metric = METRICS_BY_ID.get(column)
        if column in _IN_METRIC_UNIT and len(ranked) == 1:
            metric = ranked[0]
        if metric is not None:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(metric.decimals + 2)
        elif column == "percentile":
            out[column] = pd.to_numeric(out[column], errors="coerce").round(1)
    return out


def frame_to_csv(frame: pd.DataFrame) -> str:
    """Any frame as the command line writes it: ids as headers, rounded, neutralised.

    pandas formats the values (quoting every field, so they can be read back exactly); the fields are
    then joined again with quotes only where needed. Python's csv writer leaves a field with a lone
    carriage return unquoted when lines end in "\n", and such a field would split the row in two.
    """
    buffer = io.StringIO()
    _neutralise_frame(round_for_csv(frame)).to_csv(buffer, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    rows = csv.reader(io.StringIO(buffer.getvalue(), newline=""))
    return "".join((",".join(_csv_field(field) for field in row) if row != [""] else '""') + "\n" for row in rows)


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def to_csv(table: ExportTable) -> bytes:
    return frame_to_csv(table.frame[list(table.csv_columns)]).encode("utf-8")


# -- values for people ---------------------------------------------------------
def format_value(column: Column, value: object, lang: str) -> str:
    """A cell as text in the language's number style (slides): `17 000`, `7,5 %`, `–` when unknown."""
    if _missing(value):
        return "–"
    if column.kind == PERCENT:
        return i18n.format_percent(value, lang, column.decimals, signed=column.signed)
    if column.kind in (INT, FLOAT):
        return i18n.format_number(value, lang, column.decimals, signed=column.signed)
    if column.kind == DATE and isinstance(value, date):
        return i18n.format_date(value, lang)
    return clean_text(value)


def number_format(column: Column) -> str:
    """Excel's number format for the column: Excel shows separators in the reader's own locale."""
    digits = "0" if column.decimals == 0 else "0." + "0" * column.decimals
    if column.kind == PERCENT:
        body = f'{digits} "%"'
    elif column.kind == DATE:
        return "yyyy-mm-dd"
    else:
        body = "#,##" + digits
    return f"+{body};-{body};{body}" if column.signed else body


# -- XLSX ----------------------------------------------------------------------
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 4


def sheet_name(text: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_NAME_BAD.sub(" ", clean_text(text)).strip().strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def to_xlsx(tables: Sequence[ExportTable]) -> bytes:
    """One sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.xml.functions import tostring

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.sheet_name, taken))
        _put_text(sheet.cell(TITLE_ROW, 1), table.title).font = Font(bold=True, size=14)
        _put_text(sheet.cell(SUBTITLE_ROW, 1), table.subtitle)
        widths = []
        for col, column in enumerate(table.columns, start=1):
            cell = _put_text(sheet.cell(HEADER_ROW, col), column.heading)
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor="E8E8E8")
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
            widths.append(min(len(column.heading), 30))
        own = table.own_rows()
        for index in range(len(table.frame)):
            row = HEADER_ROW + 1 + index
            for col, column in enumerate(table.columns, start=1):
                value = table.frame[column.id].iloc[index]
                cell = sheet.cell(row, col)
                shown = _put_value(cell, column, value)
                if own[index]:
                    cell.font = bold
                widths[col - 1] = max(widths[col - 1], len(shown))
        last_row = HEADER_ROW + len(table.frame)
        last_col = get_column_letter(max(1, len(table.columns)))
        sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{max(last_row, HEADER_ROW)}"
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = max(8, min(width + 2, 50))
        note_row = last_row + 2
        _put_text(sheet.cell(note_row, 1), table.source_note)
        if table.demo_label:
            _put_text(sheet.cell(note_row + 1, 1), table.demo_label).font = Font(bold=True, color="B33C00")
    # The same tables give the same bytes (the dashboard's button and the command line agree to the
    # byte): the file's dates are the data's date, not the clock's; fixed times on the zip's members.
    days = [t.data_as_of for t in tables if t.data_as_of is not None]
    stamp = datetime.combine(max(days), time()) if days else datetime(2000, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps "modified" with the clock while saving: the properties are written again.
    book.properties.created = book.properties.modified = stamp
    core = tostring(book.properties.to_tree())
    return reproducible_zip(buffer.getvalue(), {"docProps/core.xml": core})


def reproducible_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The same zip archive (some members `replace`d) with every member dated 1980-01-01."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, (replace or {}).get(member.filename) or source.read(member.filename))
    return out.getvalue()


def _put_text(cell, text: str):
    """A text cell that can never become a formula, whatever the text."""
    clean = clean_text(text)
    value = neutralise(clean)
    cell.value = value
    cell.data_type = "s"  # openpyxl guesses "f" for "=…"; a text it stays
    if value != clean:
        cell.quotePrefix = True
    return cell


def _put_value(cell, column: Column, value: object) -> str:
    """Write one value; returns roughly what Excel will show, for the column width."""
    if _missing(value):
        return ""
    if column.kind in (INT, FLOAT, PERCENT):
        number = float(value)  # type: ignore[arg-type]
        cell.value = int(number) if column.kind == INT and number.is_integer() else number
        cell.number_format = number_format(column)
        return format_value(column, value, "en")
    if column.kind == DATE and isinstance(value, date):
        cell.value = value
        cell.number_format = number_format(column)
        return "yyyy-mm-dd"
    _put_text(cell, str(value))
    return str(value)


def simple_table(frame: pd.DataFrame, headers: dict[str, str], title: str,
                 kinds: dict[str, str] | None = None, *, metrics: dict[str, str] | None = None,
                 lang: str = "en") -> ExportTable:
    """A table that is not a view of its own (the import history, a refused file's problems, an
    organisation's pages), ready for `to_csv`/`to_xlsx`: `headers` maps column id → translated header,
    in order; a column is text unless `kinds` names its kind or `metrics` the metric whose unit and
    decimals it has."""
    kinds, metrics = kinds or {}, metrics or {}
    columns = tuple(metric_column(c, metrics[c], h, lang) if c in metrics else Column(c, h, kinds.get(c, TEXT))
                    for c, h in headers.items())
    return ExportTable(
        title=title, subtitle="", source_note="", frame=frame[list(headers)].reset_index(drop=True),
        columns=columns, csv_columns=tuple(headers), sheet_name=title[:31], own_column=None,
    )
