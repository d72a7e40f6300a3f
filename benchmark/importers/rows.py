"""Reading the rows under a header: blank rows, the date order of a column, and daily series.

Every format reads its data rows the same way:

* Blank rows are skipped, with one note per sheet saying how many.
* The slash dates of a column (`05/06/2025`) are read in one order, decided
  from the whole column (`values.day_first_for`); a column showing both orders
  is a problem at the cell that contradicts the others.
* A daily series (one row per day) gives one value per day and measure. A row
  whose date is missing or unreadable is a problem, and its counts are read all
  the same so that every bad cell is reported at once. Counts are never negative
  except for the signed measures (`net_followers`).
* A day found twice is a problem, except in formats whose files are known to
  repeat days (monthly sheets pasted with an overlap): there a repeat with the
  same figures is read once, with a note, and one with other figures is a problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..errors import Joined, Message, Number
from ..metrics import SIGNED_MEASURES
from .base import Problems, rejected
from .headers import HeaderMatch, is_blank
from .model import AccountRef, Cell, CellError, ParsedFile, PeriodValue, Sheet
from .values import day_first_for, parse_count, parse_date

NO_DAYS = Message("expected.no_days")
NO_POSTS = Message("expected.no_posts")
DAY_EXPECTED = Message("expected.day")


def data_rows(match: HeaderMatch, parsed: ParsedFile, *, skip: int = 0) -> list[tuple[int, list[Cell]]]:
    """(index, row) of the rows under the header (after `skip` rows that are not data), blank rows left out.

    Counts the rows in `parsed.rows_read` and notes how many blank rows were skipped.
    """
    sheet = match.sheet
    rows = [(i, sheet.rows[i]) for i in range(match.data_start + skip, len(sheet.rows))]
    kept = [(i, row) for i, row in rows if not is_blank(row)]
    parsed.rows_read += len(kept)
    if len(kept) < len(rows):
        skipped = Number(len(rows) - len(kept))
        parsed.notes.append(Message("note.blank_rows_in_sheet", count=skipped, sheet=sheet.name) if sheet.name
                            else Message("note.blank_rows", count=skipped))
    return kept


def column_day_first(match: HeaderMatch, field: str, problems: Problems,
                     indexes: Iterable[int] | None = None) -> bool | None:
    """Whether the slash dates of a column are day first: True, False, or None when no cell tells.

    `indexes` are the rows to look at (default: every row under the header). A
    column mixing both orders is recorded as a problem and read month first.
    """
    sheet = match.sheet
    rows = range(match.data_start, len(sheet.rows)) if indexes is None else indexes
    cells = {i: match.get(sheet.rows[i], field) for i in rows}
    try:
        return day_first_for(cells.values())
    except CellError as exc:
        index = next(i for i, c in cells.items() if c == exc.value)
        problems.add(sheet, index, match.header_of(field), exc.value, exc.expected)
        return None


def read_counts(match: HeaderMatch, row: list[Cell], index: int, fields: Iterable[str],
                problems: Problems) -> dict[str, int | None]:
    """The counts of `fields` in one row (None: unknown); negative only for the signed measures."""
    return {
        f: problems.read(parse_count, match.get(row, f), match.sheet, index, match.header_of(f),
                         allow_negative=f in SIGNED_MEASURES)
        for f in fields
    }


@dataclass
class DayRow:
    """One day of a daily series: the row it was read from and its counts (None: unknown)."""

    day: date
    sheet: Sheet
    index: int
    figures: dict[str, int | None]

    @property
    def row(self) -> int:
        return self.sheet.row_numbers[self.index]


def read_days(matches: Sequence[HeaderMatch], fields: Iterable[str], parsed: ParsedFile, problems: Problems,
              *, repeats: bool = False, skip: int = 0) -> list[DayRow]:
    """Every day of one or more daily tables (field `date` + count `fields`), once, in file order.

    Each count field the table has is read with `parse_count` (`fields` may be a
    whole alias table: its `date` is the date). Several tables
    (the monthly sheets of a workbook) form one series. With `repeats`, a day
    given again with the same figures is read once; otherwise any repeat is a problem.
    """
    fields = tuple(fields)
    days: dict[date, DayRow] = {}
    repeated: list[str] = []  # the first few repeated days, for the note
    repeats_read_once = 0
    for match in matches:
        sheet = match.sheet
        rows = data_rows(match, parsed, skip=skip)
        day_first = column_day_first(match, "date", problems, [i for i, _ in rows])
        date_header = match.header_of("date")
        present = [f for f in fields if f != "date" and match.has(f)]
        for index, row in rows:
            cell = match.get(row, "date")
            day = problems.read_required(parse_date, cell, sheet, index, date_header, DAY_EXPECTED,
                                         day_first=day_first)
            figures = read_counts(match, row, index, present, problems)
            if day is None:
                continue
            first = days.get(day)
            if first is None:
                days[day] = DayRow(day, sheet, index, figures)
                continue
            if repeats and first.figures == figures:
                repeats_read_once += 1
                if len(repeated) < 5:
                    repeated.append(Message("note.repeated_day", day=day, first=first.sheet.where(first.index),
                                            second=sheet.where(index)))
            elif problems.full:  # further problems are only counted: no message to build
                problems.add(sheet, index, date_header, cell, DAY_EXPECTED)
            elif repeats:
                problems.add(sheet, index, date_header, cell,
                             Message("expected.day_once_other_figures", day=day, where=first.sheet.where(first.index)))
            else:
                problems.add(sheet, index, date_header, cell,
                             Message("expected.day_once", where=first.sheet.where(first.index)))
    if repeats_read_once:
        parsed.notes.append(Message("note.repeated_days", count=Number(repeats_read_once), days=Joined(repeated),
                                    more=" …" if repeats_read_once > 5 else ""))
    return list(days.values())


def read_series(file_name: str, matches: Sequence[HeaderMatch], fields: Iterable[str], parsed: ParsedFile,
                *, repeats: bool = False, skip: int = 0) -> list[DayRow]:
    """`read_days` of a file that is one daily series: rejected with every problem found, or without days."""
    problems = Problems()
    days = read_days(matches, fields, parsed, problems, repeats=repeats, skip=skip)
    problems.raise_if_any(file_name, parsed.format_label)
    if not days:
        raise rejected(file_name, parsed.format_label, NO_DAYS)
    return days


def store_days(parsed: ParsedFile, account: AccountRef, days: Iterable[DayRow]) -> None:
    """A one-day `PeriodValue` for every known count of every day (an unknown count stores nothing)."""
    for row in days:
        for measure, value in row.figures.items():
            if value is not None:
                parsed.values.append(PeriodValue(account, measure, row.day, row.day, value, row.row))
