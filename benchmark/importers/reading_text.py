"""Reading CSV text: the encoding, the delimiter, quoted fields and rows, with the file's line numbers.

What platforms and spreadsheets write (research: ../shared/reference/export_formats.md §0):

* Encoding from the byte-order mark (UTF-16LE with BOM: Meta chart exports;
  UTF-8 with BOM: Meta and TikTok post files), else UTF-16 recognised by its NUL
  bytes, else UTF-8, else Windows-1252 (Excel re-saves, legacy Facebook). Bytes
  that are no text in any of these, or text full of control characters, are
  binary data and refused.
* A first line `sep=X` sets the delimiter and is removed; otherwise `,`, `;` or
  tab is chosen by which splits the first 30 lines most consistently (on an
  exact tie `;`, because `,` is also the Nordic decimal mark).
* Rows are kept as they are (ragged rows too: Meta post files drop trailing
  empty fields, §0.2); title lines such as `"Facebook reach"` are ordinary
  one-cell rows. CSV cells are always `str`.
* A row's number is the line where it starts in a text editor (a removed
  `sep=` line still counts; a quoted text may span several lines). A blank line
  is kept as `[]`; trailing blank lines are dropped.

Refused: a quoted text that never closes (or a value longer than a caption can
be), rows wider than `MAX_COLUMNS` (an absurdly wide header before the csv
module splits it), more than `MAX_ROWS` rows or `MAX_CELLS` cells, and files
whose every line was wrapped whole into one quoted cell by a spreadsheet (§1b,
the `WRAPPED_LINES` sample).

Memory: the text is handed to the csv module a line at a time (never copied
whole into an `io.StringIO`, which takes four bytes a character), and equal
cells share one string, so a 50 MB file takes a few hundred MB at most while
it is read (figures in docs/importers.md, "Limits and hostile files").
"""

from __future__ import annotations

import csv
import io
import re
from array import array
from collections import Counter

from ..errors import Message, Number
from .model import Cell, Sheet, UnreadableFileError
from .reading_limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, NOT_A_TABLE, too_wide

# Post captions can be long (Facebook allows ~63,000 characters); a field far beyond that
# is a quote that never closes. csv's limit is process-wide, so it is only ever raised.
CSV_FIELD_LIMIT = 2**20
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))

SHARED_CELLS = 2**16  # distinct cell texts kept to share between equal cells
SNIFF_LINES = 30
DELIMITERS = (";", "\t", ",")  # on an exact tie `;` wins: `,` is also the Nordic decimal mark
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}  # message keys under error.reading.delimiter
_SEP_LINE = re.compile(r'\s*"?sep=([^\w"\s]|\t)"?\s*', re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"')
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f]")


def decode(name: str, content: bytes) -> tuple[str, str]:
    """(text, encoding name) with the byte-order mark removed; refuses binary data."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if content[0] == 0xFF else "utf-16-be"
        text = _decode_utf16(name, content[2:], encoding)
    elif content.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
        try:
            text = content[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableFileError(name, "reading.bad_utf8", byte=error.start + 3) from None
    elif (guess := _utf16_without_bom(content)) is not None:
        encoding = guess
        text = _decode_utf16(name, content, encoding)
    else:
        try:
            text, encoding = content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = content.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise UnreadableFileError(name, NOT_A_TABLE) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise UnreadableFileError(name, NOT_A_TABLE)
    # Control characters: a few occur in damaged real exports (the cp1251 sample has 2 %);
    # a tenth of the text is binary data that happens to decode.
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 10):
        raise UnreadableFileError(name, NOT_A_TABLE)
    if not text.strip():
        raise UnreadableFileError(name, "reading.empty")
    return text, encoding


def _decode_utf16(name: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFileError(name, "reading.bad_utf16") from None


def _utf16_without_bom(content: bytes) -> str | None:
    head = content[:1024]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def read_csv(name: str, text: str, encoding: str) -> Sheet:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    end = text.find("\n")
    sep = _SEP_LINE.fullmatch(text if end < 0 else text[:end])
    if sep:
        text, skipped = ("" if end < 0 else text[end + 1:]), 1
    else:
        skipped = 0
    head_lines = _head_lines(text, SNIFF_LINES)
    delimiter = sep.group(1) if sep else _sniff(head_lines)
    _refuse_wide_lines(name, head_lines, delimiter, skipped)

    # The text is handed to the csv module line by line (an io.StringIO would copy it at four bytes a
    # character); `lines.starts` keeps where each line starts, to look at a record again.
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    consumed = cells = 0
    shared: dict[str, str] = {}
    try:
        for row in reader:
            start = consumed + 1 + skipped
            consumed = reader.line_num
            if len(row) > MAX_COLUMNS:
                raise UnreadableFileError(name, too_wide(len(row), start))
            cells += len(row)
            if len(rows) >= MAX_ROWS:  # these two bound the memory a hostile file can take
                raise UnreadableFileError(name, "reading.csv_too_many_rows", limit=Number(MAX_ROWS))
            if cells > MAX_CELLS:
                raise UnreadableFileError(name, "reading.csv_too_many_cells", limit=Number(MAX_CELLS))
            # Equal cells share one string (exports repeat the same figures and dates a lot).
            rows.append([shared.setdefault(cell, cell) for cell in row] if len(shared) < SHARED_CELLS
                        else [shared.get(cell, cell) for cell in row])
            numbers.append(start)
    except csv.Error as error:
        record = lines.line(consumed)
        key = "reading.quote_too_long" if '"' in record[:CSV_FIELD_LIMIT] else "reading.value_too_long"
        raise UnreadableFileError(name, key, line=consumed + 1 + skipped, limit=Number(CSV_FIELD_LIMIT),
                                  detail=str(error)) from None
    if rows and _ends_inside_quotes(text[lines.starts[numbers[-1] - 1 - skipped]:], delimiter):
        raise UnreadableFileError(name, "reading.quote_not_closed", line=numbers[-1])
    while rows and all(not str(cell).strip() for cell in rows[-1]):
        rows.pop()
        numbers.pop()
    if not rows:
        raise UnreadableFileError(name, "reading.empty")
    if rows[0] and isinstance(rows[0][0], str):
        rows[0][0] = rows[0][0].lstrip("\ufeff")
    _refuse_wrapped_lines(name, rows)
    return Sheet(None, rows, numbers, encoding=encoding, delimiter=delimiter)


class _Lines:
    """The lines of a text, each with its "\\n", one at a time; remembers where each starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = array("q")
        self._next = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        start = self._next
        if start >= len(self.text):
            raise StopIteration
        end = self.text.find("\n", start)
        self._next = len(self.text) if end < 0 else end + 1
        self.starts.append(start)
        return self.text[start:self._next]

    def line(self, index: int) -> str:
        """Line `index` (0-based) as far as it was read, "" past the end."""
        if index >= len(self.starts):
            return ""
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else self._next
        return self.text[start:end]


def _head_lines(text: str, count: int) -> list[str]:
    """The first `count` lines (without their "\\n"), without splitting the whole text."""
    lines: list[str] = []
    start = 0
    while len(lines) < count and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        lines.append(text[start:end])
        start = end + 1
    return lines


def _sniff(lines: list[str]) -> str:
    """The delimiter that splits the first lines into more than one field most consistently."""
    best: tuple[tuple[float, float, int], str] | None = None
    for delimiter in DELIMITERS:
        reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter, strict=False)
        try:
            counts = [len(row) for row in reader if any(cell.strip() for cell in row)]
        except csv.Error:
            continue  # an oversized field: the full read below reports it with its line
        split = [count for count in counts if count > 1]
        if not split:
            continue
        mode, frequency = Counter(split).most_common(1)[0]
        score = (len(split) / len(counts), frequency / len(counts), mode)
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else ","


def _refuse_wide_lines(name: str, lines: list[str], delimiter: str, skipped: int) -> None:
    """Refuse an absurdly wide header before the csv module builds it, cell by cell."""
    for number, line in enumerate(lines, start=1 + skipped):
        if line.count(delimiter) < MAX_COLUMNS:
            continue
        fields = _QUOTED.sub("", line).count(delimiter) + 1
        if fields > MAX_COLUMNS:
            raise UnreadableFileError(name, too_wide(fields, number))


def _ends_inside_quotes(tail: str, delimiter: str) -> bool:
    """Whether the last record (`tail`, the text from where it starts) runs into the end inside a quoted field."""
    reader = csv.reader(_Lines(tail), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _refuse_wrapped_lines(name: str, rows: list[list[Cell]]) -> None:
    """Every line one quoted cell that itself holds the delimiter: damage done by a spreadsheet or tool."""
    filled = [row for row in rows if any(str(cell).strip() for cell in row)]
    if len(filled) < 2 or any(len(row) != 1 for row in filled):
        return
    for delimiter in DELIMITERS:
        splittable = sum(1 for row in filled if _splits(str(row[0]), delimiter))
        if splittable >= 0.8 * len(filled):
            raise UnreadableFileError(name, "reading.wrapped_lines",
                                      delimiter=Message(f"reading.delimiter.{_DELIMITER_NAMES[delimiter]}"))


def _splits(cell: str, delimiter: str) -> bool:
    try:
        first = next(csv.reader(io.StringIO(cell, newline=""), delimiter=delimiter, strict=False), [])
    except csv.Error:
        return False
    return len(first) > 1
