"""What every importer reads and returns: plain data, no database.

Reading turns the bytes of an upload into `Sheet`s (rows of cells, with the
row numbers the analyst sees in the file). A format turns sheets into a
`ParsedFile`: the accounts, per-period values and posts it found, each
carrying the file row it came from. The import service (`benchmark.imports`)
then matches accounts to organisations, compares with what is stored and
writes everything in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from ..errors import BenchmarkError

# A cell as read: text from CSV files, typed values from workbooks.
Cell = str | int | float | datetime | date | None


@dataclass
class Sheet:
    """One table of a file: the whole CSV, or one sheet of a workbook."""

    name: str | None  # sheet name in a workbook; None for a CSV file
    rows: list[list[Cell]]
    row_numbers: list[int]  # 1-based row (CSV: line) in the file where each row starts
    encoding: str | None = None  # CSV only: the encoding the bytes were decoded with
    delimiter: str | None = None  # CSV only

    def where(self, index: int) -> str:
        """How to point the analyst at row `index` of this sheet."""
        row = self.row_numbers[index] if index < len(self.row_numbers) else index + 1
        return f"sheet {self.name!r}, row {row}" if self.name else f"row {row}"


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: bytes
    sheets: tuple[Sheet, ...]
    kind: str  # "csv", "xlsx", "xls" (BIFF) or "spreadsheetml"


@dataclass(frozen=True)
class AccountRef:
    """An account as a file names it. Fields the file does not carry are None.

    `AccountRef()` (all None) means "the account the analyst names in the
    upload form or with --account/--organisation", for files that do not say
    whose they are (chart exports, YouTube, TikTok).
    """

    platform: str | None = None
    name: str | None = None
    platform_account_id: str | None = None
    organisation: str | None = None  # the organisation the file says it belongs to (the project's template)

    @property
    def is_named(self) -> bool:
        return bool(self.name or self.platform_account_id)

    def describe(self) -> str:
        if self.name and self.platform_account_id:
            return f"{self.name} ({self.platform_account_id})"
        return self.name or self.platform_account_id or "the account named in the upload form"


@dataclass(frozen=True)
class PeriodValue:
    """One measure for one account over one period (a day when start == end)."""

    account: AccountRef
    measure: str
    start: date
    end: date
    value: int
    source_row: int | None  # file row it came from; None when summed from several rows


@dataclass(frozen=True)
class Post:
    account: AccountRef
    post_id: str
    published_at: datetime  # UTC, naive
    post_type: str | None = None
    title: str | None = None
    permalink: str | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    reach: int | None = None
    views: int | None = None
    video_views: int | None = None
    link_clicks: int | None = None
    source_row: int | None = None


# Post fields that become per-day measures of the same name (the day of publication).
POST_MEASURES = ("reactions", "comments", "shares", "views", "video_views", "link_clicks")


@dataclass
class ParsedFile:
    format_id: str  # e.g. "meta-posts"
    format_label: str  # e.g. "Meta Business Suite post export (Facebook, Swedish headers)"
    platform: str | None  # None when the file does not say (asked in the form)
    values: list[PeriodValue] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    # Days a post export covers, per account: days in it without posts count as 0 posts.
    post_coverage: dict[AccountRef, tuple[date, date]] = field(default_factory=dict)
    # Post fields the file has a column for: the others are unknown, not zero.
    post_measures: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)  # e.g. "skipped the 'Total' row"
    ignored_columns: list[str] = field(default_factory=list)
    rows_read: int = 0

    # Large files may give their values as one table instead of `values` (same fields, one row each:
    # account, measure, start, end, value, source_row), where `account` is a position in
    # `table_accounts`; the import service reads both.
    value_table: pd.DataFrame | None = None
    table_accounts: list[AccountRef] = field(default_factory=list)

    @property
    def accounts(self) -> list[AccountRef]:
        seen: dict[AccountRef, None] = {}
        for item in (*self.values, *self.posts):
            seen.setdefault(item.account, None)
        seen.update(dict.fromkeys(self.table_accounts))
        return list(seen)

    @property
    def value_count(self) -> int:
        return len(self.values) + (0 if self.value_table is None else len(self.value_table))


@dataclass(frozen=True)
class ParseOptions:
    """What the analyst told us about a file that does not say it itself."""

    period: tuple[date, date] | None = None  # the date range selected when exporting


# -- problems -------------------------------------------------------------------
class CellError(ValueError):
    """A single value that cannot be read; the format adds the row and column."""

    def __init__(self, value: object, expected: str) -> None:
        super().__init__(f"{value!r}: expected {expected}")
        self.value = value
        self.expected = expected


@dataclass(frozen=True)
class RowProblem:
    row: str | None  # "row 14" or "sheet 'Metrics', row 3"; None for file-level problems
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.row, f"column {self.column!r}" if self.column else None) if p)
        shown = f"{self.value!r} " if self.value is not None else ""
        prefix = f"{where}: " if where else ""
        return f"{prefix}{shown}— expected {self.expected}" if shown else f"{prefix}{self.expected}"


MAX_PROBLEMS_SHOWN = 20


class ImportRejected(BenchmarkError):
    """The file was read but some rows cannot be; nothing was imported."""

    def __init__(self, file_name: str, format_label: str, problems: list[RowProblem]) -> None:
        self.file_name = file_name
        self.format_label = format_label
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"{file_name}: not imported — {len(problems)} value(s) in this {format_label} cannot be read; "
            f"fix them in the file (or re-export it from the platform) and upload it again:\n{shown}{tail}"
        )


class UnreadableFileError(BenchmarkError):
    """The bytes are not a file we can open: wrong kind, broken, too large, empty."""

    def __init__(self, file_name: str, reason: str) -> None:
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason


class UnrecognisedFileError(BenchmarkError):
    """The file opens but is no export we know, or no page-metrics export."""

    def __init__(self, file_name: str, reason: str) -> None:
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason


class NeedsInputError(BenchmarkError):
    """The file does not say something we must know (platform, account, period): ask the analyst."""

    def __init__(self, file_name: str, field: str, reason: str) -> None:
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.field = field  # "platform", "account" or "period"
        self.reason = reason
