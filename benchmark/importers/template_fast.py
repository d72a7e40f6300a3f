"""Large project-template CSV files read by DuckDB instead of cell by cell in Python.

The project template (`formats/template.py`) is the format of bulk loads: a network's
quarterly figures for a thousand members, ten years of monthly figures pasted from
another tool. Reading such a file through the general reader (`reading_text`) and
the template's parser takes a Python step per cell; here DuckDB (in memory, never
the dashboard's database) splits the lines and checks the cells in bulk, and Python
sees only the distinct texts of the identity columns (a file repeats a few hundred
organisations, six platforms and a few dozen periods over a million rows), read by
the template's own functions.

Exactly the same result or none: `read` returns what the template's parser would
return, or None whenever it cannot be sure of that, and the caller then reads the
file the general way, which also gives the refusal report with row, column, value
and what was expected. None for:

* anything but plain CSV text: workbooks, other kinds of file, text the general
  reader refuses (decoding, limits), a file another format claims; the header,
  delimiter and row numbers come from the general reader run on the first lines;
* any double quote in the file (quoted cells follow the csv module's rules, which
  this reading does not repeat) and lines longer than the csv module's field limit;
* any problem in the rows: a cell the template's rules refuse, a missing
  organisation, a row given twice, no figure at all; an unknown column or a column
  given twice;
* periods of one day (the general path stores them as daily figures).

A cell counts as in the general path: a figure of plain digits is read by DuckDB;
an empty cell (only whitespace, as `str.strip` knows it) is unknown; every other
cell (`1 234`, `-5`, `n/a`, `2633,00` …) is read by `values.parse_count` once per
distinct text. Blank rows and `#` comment rows are skipped with Python's own
whitespace. As a last check, the line lengths DuckDB read must be those of the
text, line by line.
"""

from __future__ import annotations

import functools
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .. import settings
from ..metrics import MEASURES, SIGNED_MEASURES
from . import detect
from .formats.template import LABEL, read_period, read_platform
from .model import AccountRef, CellError, ParsedFile, SourceFile, UnreadableFileError, UnrecognisedFileError
from .names import clean_name
from .reading_limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS
from .reading_text import CSV_FIELD_LIMIT, decode, read_csv
from .values import cell_text, is_missing, parse_count, parse_date

# Enough lines for the general reader to choose the delimiter (30) and find the header (40).
HEAD_LINES = 64
_ZIP_OLE_OR_BINARY = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG",
                      b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
# The characters `str.strip()` removes (`str.isspace`; a test checks the list), for a regular
# expression's character class in DuckDB's RE2 syntax.
PYTHON_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                     "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_WHITESPACE = "".join(f"\\x{{{ord(c):x}}}" for c in PYTHON_WHITESPACE)
# A byte that separates nothing: DuckDB reads each line whole as one column.
_LINE_DELIMITERS = tuple(chr(c) for c in (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25))


@dataclass(frozen=True)
class FastTemplate:
    """A template file read in bulk: what `formats.template` parses, plus the rows as one table.

    `rows` holds the figures one row per file row: account (a position in
    `parsed.table_accounts`), period_start, period_end (datetime64), source_row and one nullable
    column per measure in `measures`; the import service writes and compares from it. The
    template parser's long table (one row per figure) is made from it only when asked
    (`long_rows`): `parsed.value_table` stays None, since a million-row file's long table of
    five million Python dates costs a second that the import does not need.
    """

    parsed: ParsedFile
    rows: pd.DataFrame
    measures: tuple[str, ...]


def read(name: str, content: bytes, *, max_bytes: int) -> FastTemplate | None:
    """The template file `content`, read in bulk; None when only the general reader can say."""
    if len(content) > max_bytes or content[:4].startswith(_ZIP_OLE_OR_BINARY):
        return None
    try:
        text, encoding = decode(name, content)
    except UnreadableFileError:
        return None
    start = text[:8192].lstrip()
    if len(start) < 4096 < len(text) or start[:5].lower() == "<?xml" or start[:9] == "<Workbook" \
            or re.match(r"<(!doctype html|html|table)\b", start[:64], re.IGNORECASE):
        return None
    if '"' in text:
        return None
    if "\r" in text:  # as the general reader does: every line break becomes "\n"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    head = _head(text)
    try:
        sheet = read_csv(name, head, encoding)
        found, match = detect(SourceFile(name, content, (sheet,), "csv"))
    except (UnreadableFileError, UnrecognisedFileError):
        return None
    if found.id != "template" or match.unmapped or any(len(p) > 1 for p in match.columns.values()):
        return None
    separator = next((d for d in _LINE_DELIMITERS if d not in text), None)
    if separator is None or not (sheet.delimiter or ",").isascii():
        return None
    try:
        with _Reader(text, separator) as reader:
            return reader.read(sheet.delimiter or ",", sheet.row_numbers[match.header_index], match)
    except (duckdb.Error, UnicodeError):  # e.g. a line DuckDB's reader takes otherwise: the general reader decides
        return None


def _head(text: str) -> str:
    """The first `HEAD_LINES` lines (the whole text if it is shorter)."""
    position = 0
    for _ in range(HEAD_LINES):
        position = text.find("\n", position) + 1
        if position == 0:
            return text
    return text[:position]


class _Reader:
    """The text's lines in an in-memory DuckDB (table `lines`, one row per line in file order)."""

    def __init__(self, text: str, separator: str) -> None:
        self.text = text
        self.separator = separator
        self._folder = tempfile.TemporaryDirectory(prefix="benchmark-template-")
        self.con = duckdb.connect(config={"threads": int(settings.get("duckdb_threads")),
                                          "memory_limit": settings.get("duckdb_memory_limit")})

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()
        self._folder.cleanup()

    def _lines(self, delimiter: str) -> bool:
        """Load the lines (table `lines`; the line number is rowid + 1); False when they are not
        what the text holds, or more than the general reader takes."""
        data = self.text.encode("utf-8")
        path = Path(self._folder.name) / "lines.csv"
        path.write_bytes(data)
        raw = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(raw == 10)
        if len(data) and data[-1:] != b"\n":
            ends = np.append(ends, len(data))
        lengths = np.diff(ends, prepend=-1) - 1
        if not len(lengths) or len(lengths) >= MAX_ROWS or lengths.max() >= CSV_FIELD_LIMIT:
            return False
        # cells per line as the csv module counts them (an empty line has none): the reader's limits
        separators = np.diff(np.searchsorted(np.flatnonzero(raw == ord(delimiter)), ends), prepend=0)
        cells = np.where(lengths > 0, separators + 1, 0)
        if cells.sum() >= MAX_CELLS or cells.max() > MAX_COLUMNS:
            return False
        # CREATE … AS keeps the file's order (DuckDB preserves insertion order): rowid is the line.
        self.con.execute(
            "CREATE TABLE lines AS SELECT line FROM read_csv(?, delim = ?, quote = '', escape = '', header = false, "
            "auto_detect = false, columns = {'line': 'VARCHAR'}, max_line_size = ?)",
            [str(path), self.separator, 2 * CSV_FIELD_LIMIT + 16])
        read = self.con.execute("SELECT coalesce(strlen(line), 0) AS length FROM lines ORDER BY rowid").fetchnumpy()
        return np.array_equal(np.asarray(read["length"]), lengths)

    def read(self, delimiter: str, header_row: int, match) -> FastTemplate | None:
        """The file's rows after the header row (`header_row`, its line number) as `match` maps them."""
        if not self._lines(delimiter):
            return None
        con = self.con
        position = {field: positions[0] + 1 for field, positions in match.columns.items()}  # DuckDB lists: 1-based
        measures = tuple(m.id for m in MEASURES if m.id in position)
        identity = [f for f in ("organisation", "platform", "account", "period", "from", "to") if f in position]
        cells = ", ".join(f'c[{int(position[f])}] AS "{f}"' for f in [*identity, *measures])
        # Data rows: after the header, neither blank (only whitespace and delimiters) nor a comment
        # (first cell starting with # after whitespace), as `template._parse` skips them.
        con.execute(
            f"CREATE TABLE cells AS SELECT n, {cells} FROM ("
            "SELECT rowid + 1 AS n, line, string_split(line, $d) AS c FROM lines "
            "WHERE rowid + 1 > $header AND line IS NOT NULL) "
            "WHERE NOT regexp_full_match(line, $blank) "
            "AND NOT (contains(c[1], '#') AND regexp_matches(c[1], $comment))",
            {"d": delimiter, "header": header_row, "blank": f"[{_WHITESPACE}\\x{{{ord(delimiter):x}}}]*",
             "comment": f"^[{_WHITESPACE}]*#"})
        rows_read = con.execute("SELECT count(*) FROM cells").fetchone()[0]
        if not rows_read:
            return None
        accounts = self._accounts("account" in identity)
        spans = self._spans("period" in identity)
        if accounts is None or spans is None or not self._readings(measures):
            return None
        account_key = " AND ".join(f'm."{f}" IS NOT DISTINCT FROM x."{f}"'
                                   for f in ("organisation", "platform", "account") if f in identity)
        span_key = " AND ".join(f's."{f}" IS NOT DISTINCT FROM x."{f}"'
                                for f in (("period",) if "period" in identity else ("from", "to")))
        # a figure of plain digits is read here; other texts as Python read them (`readings`);
        # an empty cell (only whitespace) is unknown
        figures = ", ".join(
            f"CASE WHEN regexp_full_match(x.{m}, '[0-9]{{1,15}}') THEN x.{m}::BIGINT "
            f"ELSE (SELECT r.value FROM readings r WHERE r.measure = '{m}' AND r.cell = x.{m}) END AS {m}"
            for m in measures)
        con.execute(f"CREATE TABLE keyed AS SELECT x.n, m.position AS account, s.span, {figures} "
                    f"FROM cells x JOIN account_map m ON {account_key} JOIN span_map s ON {span_key}")
        if con.execute("SELECT count(*) FROM keyed").fetchone()[0] != rows_read:
            return None
        if con.execute("SELECT count(*) FROM (SELECT account, span FROM keyed GROUP BY ALL HAVING count(*) > 1)"
                       ).fetchone()[0]:
            return None  # a row given twice: the general path names both rows
        return self._result(rows_read, measures, accounts, spans)

    def _accounts(self, named: bool) -> list[AccountRef] | None:
        """Table `account_map` (organisation, platform[, account] cells → position) and the accounts
        in order of first appearance, as `template._parse` makes them; None on a problem."""
        columns = ["organisation", "platform", *(["account"] if named else [])]
        quoted = ", ".join(f'"{c}"' for c in columns)
        found = self.con.execute(f"SELECT {quoted}, min(n) AS first FROM cells GROUP BY ALL ORDER BY first").fetchall()
        positions: dict[tuple, int] = {}
        mapped = []
        for row in found:
            organisation = _organisation(row[0])
            platform = _read(read_platform, row[1])
            if organisation is None or platform is None:
                return None
            account = _account_name(row[2]) if named else ""
            identity = (platform, account or organisation, organisation)
            mapped.append((*row[:len(columns)], positions.setdefault(identity, len(positions))))
        self._table("account_map", pd.DataFrame(mapped, columns=[*columns, "position"]), columns)
        return [AccountRef(platform, name, None, organisation) for platform, name, organisation in positions]

    def _spans(self, by_period: bool) -> list[tuple] | None:
        """Table `span_map` (the period cell or cells → span index) and the spans; None on a problem."""
        columns = ["period"] if by_period else ["from", "to"]
        quoted = ", ".join(f'"{c}"' for c in columns)
        cells = [tuple(r) for r in self.con.execute(f"SELECT DISTINCT {quoted} FROM cells").fetchall()]
        if by_period:
            read = [_read(read_period, cell) for (cell,) in cells]
        else:
            read = []
            for start_cell, end_cell in cells:
                start, end = _read(_date, start_cell), _read(_date, end_cell)
                read.append((start, end) if start and end and end >= start else None)
        if any(span is None or span[0] == span[1] for span in read):
            return None  # a problem, or a one-day period (stored as a daily figure)
        spans = list(dict.fromkeys(read))
        index = {span: i for i, span in enumerate(spans)}
        self._table("span_map", pd.DataFrame([(*c, index[s]) for c, s in zip(cells, read, strict=True)],
                                              columns=[*columns, "span"]), columns)
        return spans

    def _readings(self, measures: tuple[str, ...]) -> bool:
        """Table `readings` (measure, cell, value) of every figure that is neither plain digits nor
        empty, read by `parse_count`; False when one is refused."""
        readings = []
        for measure in measures:
            others = [r[0] for r in self.con.execute(
                f"SELECT DISTINCT {measure} FROM cells WHERE {measure} IS NOT NULL "
                f"AND NOT regexp_full_match({measure}, '[0-9]{{1,15}}') AND NOT regexp_full_match({measure}, $empty)",
                {"empty": f"[{_WHITESPACE}]*"}).fetchall()]
            for cell in others:
                try:
                    readings.append((measure, cell, parse_count(cell, allow_negative=measure in SIGNED_MEASURES)))
                except CellError:
                    return False
        frame = pd.DataFrame(readings, columns=["measure", "cell", "value"]).astype({"value": "Int64"})
        self._table("readings", frame, ["measure", "cell"])
        return True

    def _table(self, name: str, frame: pd.DataFrame, texts: list[str]) -> None:
        """Table `name` with the rows of `frame`, the columns `texts` as text (a column of Python
        strings, None among them, comes in whatever type pandas guesses)."""
        frame = frame.astype({c: object for c in texts})
        columns = ", ".join(f'"{c}"::VARCHAR AS "{c}"' if c in texts else f'"{c}"' for c in frame.columns)
        self.con.register("python_rows", frame)
        try:
            self.con.execute(f"CREATE TABLE {name} AS SELECT {columns} FROM python_rows")
        finally:
            self.con.unregister("python_rows")

    def _result(self, rows_read: int, measures: tuple[str, ...], accounts: list[AccountRef],
                spans: list[tuple]) -> FastTemplate | None:
        arrays = self.con.execute(f"SELECT account, span, n, {', '.join(measures)} FROM keyed ORDER BY n").fetchnumpy()
        account = np.asarray(arrays["account"]).astype(np.int64)
        span = np.asarray(arrays["span"]).astype(np.int64)
        source_row = np.asarray(arrays["n"]).astype(np.int64)
        parsed = ParsedFile("template", LABEL, None, rows_read=int(rows_read), table_accounts=accounts)
        starts = np.array([s for s, _ in spans], dtype="datetime64[D]")
        ends = np.array([e for _, e in spans], dtype="datetime64[D]")
        columns = {"account": account, "period_start": starts[span].astype("datetime64[s]"),
                   "period_end": ends[span].astype("datetime64[s]"), "source_row": source_row}
        figures = 0
        for measure in measures:
            column = np.ma.asarray(arrays[measure])
            mask = np.ma.getmaskarray(column)
            columns[measure] = pd.arrays.IntegerArray(np.ma.getdata(column).astype(np.int64, copy=False), mask)
            figures += int(mask.size - mask.sum())
        if not figures:
            return None  # no figure at all: the general path says so
        return FastTemplate(parsed, pd.DataFrame(columns, copy=False), measures)


def long_rows(rows: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    """`rows` (as `FastTemplate.rows`) as one row per known figure, measure by measure in file
    order, as the general reading gives them: account, measure, period_start, period_end (`date`s),
    value, source_row."""
    known = {m: np.flatnonzero(rows[m].notna().to_numpy()) for m in measures}
    picked = np.concatenate([known[m] for m in measures]) if measures else np.zeros(0, dtype=np.int64)
    dates = {}
    for column in ("period_start", "period_end"):
        codes, days = pd.factorize(rows[column].to_numpy()[picked])
        dates[column] = np.array([pd.Timestamp(day).date() for day in days], dtype=object)[codes] \
            if len(days) else np.array([], dtype=object)
    return pd.DataFrame({
        "account": rows["account"].to_numpy(dtype=np.int64)[picked],
        "measure": _strings(list(measures), [len(known[m]) for m in measures]),
        "period_start": dates["period_start"],
        "period_end": dates["period_end"],
        "value": np.concatenate([rows[m].to_numpy(dtype=np.int64, na_value=0)[known[m]] for m in measures])
        if measures else np.zeros(0, dtype=np.int64),
        "source_row": rows["source_row"].to_numpy(dtype=np.int64)[picked],
    }, copy=False)


def _strings(names: list[str], counts: list[int]) -> pd.api.extensions.ExtensionArray:
    """`names[i]` repeated `counts[i]` times, as pandas' default string column."""
    return texts_at(names, np.repeat(np.arange(len(names), dtype=np.int32), counts))


def texts_at(texts, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """`texts[code]` for each code, as pandas' default string column: decoded by pyarrow from the
    codes (a million rows of 8,000 texts in ≈ 50 ms, a quarter of the time from Python strings)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas' strings are then Python objects anyway
        return pd.array(np.asarray(texts, dtype=object)[codes], dtype="str")
    dictionary = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)),
                                                pa.array(list(texts), type=pa.string()))
    return pd.array(dictionary.cast(pa.string()), dtype="str")


def _read(function, cell):
    try:
        return function(cell)
    except CellError:
        return None


def _organisation(cell: str | None) -> str | None:
    return None if is_missing(cell) else (clean_name(cell_text(cell)) or None)


def _account_name(cell: str | None) -> str:
    return "" if is_missing(cell) else clean_name(cell_text(cell))


@functools.lru_cache(maxsize=4096)
def _date(cell: str | None):
    return parse_date(cell, day_first=True)
