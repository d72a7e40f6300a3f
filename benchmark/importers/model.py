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

from ..errors import BenchmarkError, Joined, Localised, Message, message
from .names import clean_name

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
        """How to point the analyst at row `index` of this sheet (a `Message`: "row 4" in English)."""
        row = self.row_numbers[index] if index < len(self.row_numbers) else index + 1
        return Message("importer.where.sheet_row", sheet=self.name, row=row) if self.name \
            else Message("importer.where.row", row=row)


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

    def __post_init__(self) -> None:
        # Names in their one clean form (NFC, no invisible or control characters; see `names`).
        for field_name in ("name", "platform_account_id", "organisation"):
            value = getattr(self, field_name)
            if value is not None:
                object.__setattr__(self, field_name, clean_name(value))

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

    def __post_init__(self) -> None:
        # Texts from the file in their one clean form (see `names`): no control character reaches an export.
        for field_name in ("post_type", "title", "permalink"):
            value = getattr(self, field_name)
            if value is not None:
                object.__setattr__(self, field_name, clean_name(value) or None)
        # An id made only of invisible characters keeps them written out (`\\u200b`): still an id, still distinct.
        post_id = str(self.post_id)
        object.__setattr__(self, "post_id", clean_name(post_id) or post_id.encode("unicode_escape").decode("ascii"))


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
class CellError(Localised, ValueError):
    """A single value that cannot be read; the format adds the row and column.

    `expected` says what a valid value looks like: a message key (with `params`) or a `Message`.
    """

    def __init__(self, value: object, expected: str, /, **params: object) -> None:
        self.value = value
        self.expected = message(expected, **params)
        self.key = "importer.cell"
        self.params = {"value": value, "expected": self.expected}
        super().__init__(str(self.message))

    @property
    def message(self) -> Message:
        return Message(self.key, **self.params)

    def render(self, lang: str) -> str:
        return self.message.render(lang)

    __str__ = ValueError.__str__


@dataclass(frozen=True)
class RowProblem(Localised):
    row: str | None  # "row 14" or "sheet 'Metrics', row 3" (`Sheet.where`); None for file-level problems
    column: str | None  # a header of the file, as written there
    value: str | None  # the cell as written in the file
    expected: str  # a `Message` saying what belongs there

    @property
    def message(self) -> Message:
        if self.row and self.column:
            where: str | None = Message("importer.where.row_column", row=self.row, column=self.column)
        elif self.column:
            where = Message("importer.where.column", column=self.column)
        else:
            where = self.row or None
        if self.value is not None:
            if where:
                return Message("importer.problem.where_value", where=where, value=self.value, expected=self.expected)
            return Message("importer.problem.value", value=self.value, expected=self.expected)
        if where:
            return Message("importer.problem.where", where=where, expected=self.expected)
        return Message("importer.problem.bare", expected=self.expected)

    def render(self, lang: str) -> str:
        return self.message.render(lang)

    def __str__(self) -> str:
        return str(self.message)


MAX_PROBLEMS_SHOWN = 20


class ImportRejected(BenchmarkError):
    """The file was read but some rows cannot be; nothing was imported."""

    def __init__(self, file_name: str, format_label: str, problems: list[RowProblem], *,
                 total: int | None = None) -> None:
        self.file_name = file_name
        self.format_label = format_label  # the format's label (a `Message`)
        self.problems = problems  # the first ones (`base.MAX_PROBLEMS_KEPT`) of a file with very many
        self.total = max(total or 0, len(problems))  # how many there are in all
        more = self.total - MAX_PROBLEMS_SHOWN
        super().__init__(
            "importer.rejected", file_name=file_name, format_label=format_label, count=self.total,
            problems=Joined(problems[:MAX_PROBLEMS_SHOWN], "\n", "  - {}"),
            more=Message("importer.more_problems", count=more) if more > 0 else "",
        )


class UnreadableFileError(BenchmarkError):
    """The bytes are not a file we can open: wrong kind, broken, too large, empty.

    `reason` is a message key (with `params`) or a `Message`; `str(error)` is `<file>: <reason>`.
    """

    def __init__(self, file_name: str, reason: str, /, **params: object) -> None:
        self.file_name = file_name
        self.reason = message(reason, **params)
        super().__init__("importer.file", file_name=file_name, reason=self.reason)


class UnrecognisedFileError(BenchmarkError):
    """The file opens but is no export we know, or no page-metrics export (`reason` as above)."""

    def __init__(self, file_name: str, reason: str, /, **params: object) -> None:
        self.file_name = file_name
        self.reason = message(reason, **params)
        super().__init__("importer.file", file_name=file_name, reason=self.reason)


class NeedsInputError(BenchmarkError):
    """The file does not say something we must know (platform, account, period): ask the analyst."""

    def __init__(self, file_name: str, field: str, reason: str, /, **params: object) -> None:
        self.file_name = file_name
        self.field = field  # "platform", "account" or "period"
        self.reason = message(reason, **params)
        super().__init__("importer.file", file_name=file_name, reason=self.reason)
