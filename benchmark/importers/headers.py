"""Finding a format's header row and mapping its columns through alias tables.

Exports name their columns in the exporting person's UI language, repeat some
names, add or drop columns, and put notice or description rows around the
header. So columns are always found by name, never by position: each format
lists, per field, every header it is known by (`Aliases`), and `find_header`
scores the first rows of a sheet against that table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import Cell, Sheet, SourceFile

Aliases = dict[str, tuple[str, ...]]  # field -> headers it is known by, any language

_SPACES = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
# Renamed duplicates, e.g. DuckDB's or pandas' "Views_1" / "Views.1": a file that went through a tool.
_DUPLICATE_SUFFIX = re.compile(r"(?:_|\.)\d+$")


def normalise_header(text: Cell) -> str:
    """Case-folded, NFC, invisible characters removed, whitespace collapsed and trimmed."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text)).translate(_INVISIBLE).replace("\u00a0", " ")
    return _SPACES.sub(" ", value).strip().casefold()


@dataclass(frozen=True)
class HeaderMatch:
    sheet: Sheet
    header_index: int  # index into sheet.rows of the header row
    columns: dict[str, tuple[int, ...]]  # field -> column positions, first listed wins when coalescing
    headers: tuple[str, ...]  # the header row as written (trimmed)
    unmapped: tuple[str, ...]  # headers no alias matched

    @property
    def data_start(self) -> int:
        return self.header_index + 1

    def has(self, field: str) -> bool:
        return field in self.columns

    def header_of(self, field: str) -> str:
        return self.headers[self.columns[field][0]]

    def get(self, row: list[Cell], field: str) -> Cell:
        """The field's value in `row`: the first non-empty of its (duplicate) columns."""
        for position in self.columns.get(field, ()):
            if position < len(row):
                value = row[position]
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    return value
        return None


def alias_lookup(aliases: Aliases) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for field, names in aliases.items():
        for name in names:
            key = normalise_header(name)
            if key in lookup and lookup[key] != field:
                raise ValueError(f"header alias {name!r} maps to both {lookup[key]!r} and {field!r}")
            lookup[key] = field
    return lookup


def match_row(row: list[Cell], lookup: dict[str, str]) -> dict[str, tuple[int, ...]]:
    columns: dict[str, list[int]] = {}
    for position, cell in enumerate(row):
        key = normalise_header(cell)
        field = lookup.get(key)
        if field is None and _DUPLICATE_SUFFIX.search(key):
            field = lookup.get(_DUPLICATE_SUFFIX.sub("", key))
        if field is not None:
            columns.setdefault(field, []).append(position)
    return {f: tuple(p) for f, p in columns.items()}


def find_header(
    sheet: Sheet, aliases: Aliases, required: set[str] | frozenset[str], *, scan_rows: int = 10
) -> HeaderMatch | None:
    """The row among the first `scan_rows` that maps every required field, scoring the most fields.

    Returns None when no row has all required fields, so a format that does not
    fit simply does not match.
    """
    lookup = alias_lookup(aliases)
    best: tuple[int, int, dict[str, tuple[int, ...]]] | None = None
    for index, row in enumerate(sheet.rows[:scan_rows]):
        columns = match_row(row, lookup)
        if not required <= columns.keys():
            continue
        if best is None or len(columns) > best[1]:
            best = (index, len(columns), columns)
    if best is None:
        return None
    index, _, columns = best
    header_row = sheet.rows[index]
    headers = tuple(_SPACES.sub(" ", str(c if c is not None else "")).strip() for c in header_row)
    mapped = {p for positions in columns.values() for p in positions}
    unmapped = tuple(h for p, h in enumerate(headers) if p not in mapped and h)
    return HeaderMatch(sheet, index, columns, headers, unmapped)


def first_table(
    source: SourceFile, aliases: Aliases, required: set[str] | frozenset[str], *, scan_rows: int = 10
) -> HeaderMatch | None:
    """`find_header` on each sheet of the file in turn: the first sheet whose header matches."""
    for sheet in source.sheets:
        match = find_header(sheet, aliases, required, scan_rows=scan_rows)
        if match is not None:
            return match
    return None


def is_blank(row: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)
