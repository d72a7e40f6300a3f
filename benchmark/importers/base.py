"""The shape of a format, and a collector for the problems found while parsing one file.

A format is data plus two functions: `detect(source)` returns an opaque match
(or None when the file is not of this format), `parse(source, match, options)` returns a
`ParsedFile` or raises `ImportRejected` listing every cell it could not read
(`Problems`), or naming the one reason the whole file cannot be read (`rejected`).
Formats never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import message
from .model import (
    Cell,
    CellError,
    ImportRejected,
    ParsedFile,
    ParseOptions,
    RowProblem,
    Sheet,
    SourceFile,
)
from .values import is_missing

T = TypeVar("T")


@dataclass(frozen=True)
class Format:
    id: str
    label: str  # what the analyst sees: "YouTube Studio table data"
    detect: Callable[[SourceFile], Any | None]
    parse: Callable[[SourceFile, Any, ParseOptions], ParsedFile]


@dataclass(frozen=True)
class NotPageMetrics:
    """A file we recognise but that holds no page metrics (audience, demographics …)."""

    id: str
    label: str  # "Meta Business Suite audience export (age, gender, places)"
    detect: Callable[[SourceFile], bool]
    advice: str  # what to export instead


MAX_PROBLEMS_KEPT = 1000  # a damaged file can have a million; the rest are counted, not kept


class Problems:
    """Collects every unreadable cell of a file, so the analyst can fix them all at once.

    The first `MAX_PROBLEMS_KEPT` are kept with their row, column and value; any beyond are only
    counted (`count`), so a file that is wrong on every one of a million rows costs no more memory
    than one wrong on a thousand.
    """

    def __init__(self) -> None:
        self.items: list[RowProblem] = []
        self.count = 0

    @property
    def full(self) -> bool:
        """Whether further problems are only counted (callers may skip building their message)."""
        return len(self.items) >= MAX_PROBLEMS_KEPT

    def read(self, parse: Callable[..., T], cell: Cell, sheet: Sheet, index: int, column: str,
             **options: Any) -> T | None:
        """`parse(cell, **options)`, or None after recording the problem."""
        try:
            return parse(cell, **options)
        except CellError as exc:
            self.add(sheet, index, column, cell, exc.expected)
            return None

    def read_required(self, parse: Callable[..., T], cell: Cell, sheet: Sheet, index: int, column: str,
                      what: str, **options: Any) -> T | None:
        """Like `read`, but a missing cell is a problem too: `what` (a message key or `Message`) says what belongs in it."""
        if is_missing(cell):
            self.add(sheet, index, column, cell, what)
            return None
        return self.read(parse, cell, sheet, index, column, **options)

    def add(self, sheet: Sheet | None, index: int | None, column: str | None, value: Cell, expected: str,
            **params: Any) -> None:
        """One problem: `expected` is a message key (with `params`) or a `Message` saying what belongs there."""
        self.count += 1
        if self.full:
            return
        where = sheet.where(index) if sheet is not None and index is not None else None
        shown = None if value is None else str(value)
        self.items.append(RowProblem(where, column, shown, message(expected, **params)))

    def raise_if_any(self, file_name: str, format_label: str) -> None:
        if self.count:
            raise ImportRejected(file_name, format_label, self.items, total=self.count)


def rejected(file_name: str, format_label: str, expected: str, **params: Any) -> ImportRejected:
    """The whole file refused for one reason that no single cell carries (no data rows, say).

    `expected` is a message key (with `params`) or a `Message`.
    """
    return ImportRejected(file_name, format_label, [RowProblem(None, None, None, message(expected, **params))])
