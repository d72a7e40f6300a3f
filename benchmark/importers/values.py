"""Reading single cell values: counts, decimals, dates and times as exports write them.

Every function here is pure and raises `CellError(value, expected)` for a value
it cannot read; the format adds the row and the column. The `expected` texts
are shown to analysts, so they say in plain words what a valid value looks like.

What the exports really contain (see ../shared/reference/export_formats.md):

* Missing values (§0.9, §5, §6, §9.7): empty cells, `-` (X promoted columns,
  Fanpage Karma), `--` (TikTok `Total followers`), `NAN` (TikTok), `N/A`. Those
  and nothing else are `MISSING_MARKERS`; a missing value is *unknown*, never 0.
* Counts: plain integers in the platforms' own files, floats such as `2633.0`
  in X legacy files, and whatever Excel made of them on a Nordic PC: `1 234`
  (with a space, NBSP or narrow NBSP), `1.234`, `1,234`, `2633,00`.
  A count never has decimals, so a lone `.` or `,` followed by exactly three
  digits (`1.234`, `1,234`) is read as a thousands separator: 1234. Read as a
  decimal it would be a count of 1.234 people, which cannot be. A non-zero
  fraction (`12,5`) is rejected rather than rounded, and so is a count of more
  than `MAX_COUNT_DIGITS` digits, also as a workbook's number (`1E+300`).
* Decimals (`parse_decimal`): the other way round. `8.835` seconds (Meta,
  §1a) is a decimal, so a lone `.` or `,` is the decimal mark; grouping is
  recognised only where it is unambiguous (`1 234,5`, `1.234.567`, `1,234.5`).
* Dates (§9.6): ISO `2025-01-31` with or without a time (`T01:00:00` in Meta
  chart exports: only the date part counts, never converted, §0.7),
  `2025/10/31` (TikTok), `31.10.2025` / `31-10-2025` (Excel on a Nordic PC:
  always day first), `10/31/2025` (US month first, Meta and LinkedIn; day
  first only when the caller says so, see `day_first_for`), `Sep 27, 2024`
  (YouTube), `Sat, Sep 6, 2025` (X), `27 sep. 2024` / `6 maj 2025` (English,
  Swedish, Danish and Norwegian month names) and Excel date serials
  (1900 date system). Two-digit years are refused: `1/5/26` could be 1926.
  Every date lies in `FIRST_DAY`..`LAST_DAY` (1970–2100), however it is written:
  a year 1 or 9999 is a damaged cell, and would make an export cover 700,000 days.
* Times (`parse_datetime`, `as_utc`): an explicit UTC offset in the text is
  always applied; without one the format says which zone its times are in
  (Meta: US Pacific, `pacific_to_utc`; LinkedIn, X and TikTok: UTC).
* Text (`cell_text`, `first_line`): trimmed, and a post's title is the first
  non-empty line of its caption.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import Message
from .model import Cell, CellError

# -- missing values ---------------------------------------------------------------------------

# Case-folded. Only markers seen in real exports (research §0.9, §5, §6, §9.7).
MISSING_MARKERS: frozenset[str] = frozenset({"", "-", "--", "nan", "n/a"})


def is_missing(cell: object) -> bool:
    """True for an empty cell, a float NaN or one of `MISSING_MARKERS` (any case, surrounding spaces)."""
    if cell is None:
        return True
    if isinstance(cell, float):
        return math.isnan(cell)
    if isinstance(cell, str):
        return cell.strip().casefold() in MISSING_MARKERS
    return False


# -- text ---------------------------------------------------------------------------------------

def cell_text(cell: Cell) -> str:
    """A cell as trimmed text; "" for an empty cell."""
    return "" if cell is None else str(cell).strip()


def first_line(cell: Cell) -> str | None:
    """The first non-empty line of a text cell, trimmed (a post's title from its caption); None if none."""
    return next((line.strip() for line in cell_text(cell).splitlines() if line.strip()), None)


# -- numbers ----------------------------------------------------------------------------------

COUNT_EXPECTED = Message("expected.count")
NON_NEGATIVE_EXPECTED = Message("expected.non_negative")
FRACTION_EXPECTED = Message("expected.no_decimals")
PERCENT_EXPECTED = Message("expected.no_percentage")
DECIMAL_EXPECTED = Message("expected.decimal")
TOO_MANY_DIGITS_EXPECTED = Message("expected.too_many_digits", expected=COUNT_EXPECTED)

# Spaces used as thousands separators: space, NBSP (Excel, Swedish locale), narrow NBSP, thin space.
_SPACES = re.compile("[ \u00a0\u202f\u2009]")
# Apostrophe grouping (1'234), typed or typographic.
_APOSTROPHES = re.compile("['\u2019]")
# A grouped integer: every separator (one kind throughout) is followed by exactly 3 digits;
# then an optional fraction whose mark differs from the separator (checked in code).
_GROUPED = re.compile(r"(\d{1,3})([ '.,])(\d{3}(?:\2\d{3})*)(?:([.,])(\d+))?")
_PLAIN = re.compile(r"(\d*)(?:([.,])(\d+))?")
# No audience or view count has more digits; also keeps int() far from its 4300-digit limit.
MAX_COUNT_DIGITS = 15


class _NotANumber(Exception):
    pass


def _split_number(text: str, *, grouping_first: bool) -> tuple[bool, str, str, bool]:
    """(negative, integer digits, fraction digits, had a percent sign) of a number written as text."""
    body = text.strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].rstrip()
    negative = False
    if body[:1] == "+":
        body = body[1:]
    elif body[:1] in ("-", "\u2212"):
        negative, body = True, body[1:]
    body = _APOSTROPHES.sub("'", _SPACES.sub(" ", body))

    def grouped() -> tuple[str, str] | None:
        match = _GROUPED.fullmatch(body)
        if match is None or (match.group(4) is not None and match.group(4) == match.group(2)):
            return None
        return match.group(1) + match.group(3).replace(match.group(2), ""), match.group(5) or ""

    def plain() -> tuple[str, str] | None:
        match = _PLAIN.fullmatch(body)
        if match is None or not (match.group(1) or match.group(3)):
            return None
        return match.group(1), match.group(3) or ""

    attempts = (grouped, plain) if grouping_first else (plain, grouped)
    for attempt in attempts:
        parts = attempt()
        if parts is not None:
            return negative, parts[0], parts[1], percent
    raise _NotANumber


def parse_count(cell: Cell, *, allow_negative: bool = False) -> int | None:
    """A whole number, or None when the cell is missing (unknown, not 0)."""
    # Most cells of a big file are plain ASCII digits: read those at once.
    if type(cell) is str and cell.isascii() and cell.isdigit() and len(cell) <= MAX_COUNT_DIGITS:
        return int(cell)
    if is_missing(cell):
        return None
    if isinstance(cell, bool):
        raise CellError(cell, COUNT_EXPECTED)
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float):
        if not math.isfinite(cell):
            raise CellError(cell, COUNT_EXPECTED)
        if not cell.is_integer():
            raise CellError(cell, FRACTION_EXPECTED)
        value = int(cell)
    elif isinstance(cell, str):
        try:
            negative, digits, fraction, percent = _split_number(cell, grouping_first=True)
        except _NotANumber:
            raise CellError(cell, COUNT_EXPECTED) from None
        if percent:
            raise CellError(cell, PERCENT_EXPECTED)
        if fraction.strip("0"):
            raise CellError(cell, FRACTION_EXPECTED)
        if not digits:
            raise CellError(cell, COUNT_EXPECTED)
        if len(digits.lstrip("0")) > MAX_COUNT_DIGITS:
            raise CellError(cell, TOO_MANY_DIGITS_EXPECTED)
        value = -int(digits) if negative else int(digits)
    else:  # dates, times and anything else a workbook may hold
        raise CellError(cell, COUNT_EXPECTED)
    if abs(value) >= 10**MAX_COUNT_DIGITS:  # a workbook's number cell too (1E+300 would overflow the database)
        raise CellError(cell, TOO_MANY_DIGITS_EXPECTED)
    if value < 0 and not allow_negative:
        raise CellError(cell, NON_NEGATIVE_EXPECTED)
    return value


def parse_decimal(cell: Cell) -> float | None:
    """A number with or without decimals, or None when missing.

    A trailing `%` is dropped and the number returned as written (`12,5%` → 12.5):
    whether a column holds percents or fractions is the format's business.
    """
    if is_missing(cell):
        return None
    if isinstance(cell, bool):
        raise CellError(cell, DECIMAL_EXPECTED)
    if isinstance(cell, int):
        try:
            return float(cell)
        except OverflowError:
            raise CellError(cell, DECIMAL_EXPECTED) from None
    if isinstance(cell, float):
        if not math.isfinite(cell):
            raise CellError(cell, DECIMAL_EXPECTED)
        return cell
    if not isinstance(cell, str):
        raise CellError(cell, DECIMAL_EXPECTED)
    try:
        negative, digits, fraction, _ = _split_number(cell, grouping_first=False)
    except _NotANumber:
        raise CellError(cell, DECIMAL_EXPECTED) from None
    value = float(f"{digits or '0'}.{fraction or '0'}")
    return -value if negative else value


# -- dates and times ----------------------------------------------------------------------------

DATE_EXPECTED = Message("expected.date")
REAL_DATE_EXPECTED = Message("expected.real_date")
DATETIME_EXPECTED = Message("expected.datetime")
SERIAL_EXPECTED = Message("expected.serial")
A_DATE_EXPECTED = Message("expected.a_date")

_EXCEL_EPOCH = datetime(1899, 12, 30)  # 1900 date system, Excel's leap-year bug included
_SERIAL_MIN, _SERIAL_MAX = 25569, 73415  # 1970-01-01 .. 2100-12-31
# Every date read, however written, lies in these years: a year 1 or 9999 is a damaged cell, and
# would make an export "cover" hundreds of thousands of days.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2100, 12, 31)
PLAUSIBLE_DATE_EXPECTED = Message("expected.plausible_date", first=FIRST_DAY.year, last=LAST_DAY.year)

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januari januar",
        "feb february februari februar",
        "mar march mars marts",
        "apr april",
        "may maj mai",
        "jun june juni",
        "jul july juli",
        "aug august augusti",
        "sep sept september",
        "oct okt october oktober",
        "nov november",
        "dec des december desember",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        ("mon monday", "tue tues tuesday", "wed wednesday", "thu thur thurs thursday", "fri friday",
         "sat saturday", "sun sunday")
    )
    for name in names.split()
}

_TIME = (
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d+))?)?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
    r"(?:\s*(?P<tz>Z|UTC|GMT|[+\-\u2212]\d{2}(?::?\d{2})?))?"
)
_WEEKDAY = r"(?:(?P<wd>[A-Za-z]+)\.?,?\s+)?"
_DATE_PATTERNS = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("ymd", rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:[T ]{_TIME})?"),
        ("ymd", rf"(?P<y>\d{{4}})/(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})(?: {_TIME})?"),
        ("dmy", rf"(?P<d>\d{{1,2}})(?P<sep>[.-])(?P<m>\d{{1,2}})(?P=sep)(?P<y>\d{{4}})(?: {_TIME})?"),
        ("slash", rf"(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y>\d{{4}})(?: {_TIME})?"),
        # Sep 27, 2024 / Sat, Sep 6, 2025 / Jan-14-2025 (Meta export file names)
        ("name", rf"{_WEEKDAY}(?P<mon>[^\W\d_]+)\.?(?P<sep>[ -])(?P<d>\d{{1,2}}),?(?P=sep)(?P<y>\d{{4}})(?:,? {_TIME})?"),
        # 27 Sep 2024 / 27 sep. 2024 / 6. mai 2025 / 27-Sep-2024 (Excel)
        ("name", rf"{_WEEKDAY}(?P<d>\d{{1,2}})\.?(?P<sep>[ -])(?P<mon>[^\W\d_]+)\.?,?(?P=sep)(?P<y>\d{{4}})(?:,? {_TIME})?"),
        ("serial", r"(?P<serial>\d{5}(?:\.\d+)?)"),
    )
)
_SLASH_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/\d{4}(?!\d)")


def _from_serial(value: Cell, number: float | str) -> datetime:
    try:
        serial = float(number)
    except OverflowError:  # an int too large for a float
        raise CellError(value, SERIAL_EXPECTED) from None
    if not math.isfinite(serial) or not _SERIAL_MIN <= math.floor(serial) <= _SERIAL_MAX:
        raise CellError(value, SERIAL_EXPECTED)
    # Excel stores times as fractions of a day: round to the second it displays.
    return _EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))


def _offset(text: str, value: Cell, expected: str) -> timedelta:
    if text.upper() in ("Z", "UTC", "GMT"):
        return timedelta(0)
    sign = -1 if text[0] in "-\u2212" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise CellError(value, expected)
    return sign * timedelta(hours=hours, minutes=minutes)


def _clock(match: re.Match[str], value: Cell, expected: str) -> tuple[time | None, timedelta | None]:
    if match.group("H") is None:
        return None, None
    hour, minute = int(match.group("H")), int(match.group("M"))
    second = int(match.group("S") or 0)
    micro = int((match.group("F") or "0")[:6].ljust(6, "0"))
    ampm = match.group("ampm")
    if ampm:
        if not 1 <= hour <= 12:
            raise CellError(value, expected)
        hour = hour % 12 + (12 if ampm[0] in "Pp" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(value, expected)
    offset = _offset(match.group("tz"), value, expected) if match.group("tz") else None
    return time(hour, minute, second, micro), offset


def _parse(value: Cell, day_first: bool | None, expected: str) -> tuple[datetime, timedelta | None]:
    """(naive datetime as written, UTC offset if given) of a date/time cell, within FIRST_DAY..LAST_DAY."""
    moment, offset = _parse_any(value, day_first, expected)
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise CellError(value, PLAUSIBLE_DATE_EXPECTED)
    return moment, offset


def _parse_any(value: Cell, day_first: bool | None, expected: str) -> tuple[datetime, timedelta | None]:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), value.utcoffset()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), None
    if isinstance(value, bool) or is_missing(value):
        raise CellError(value, A_DATE_EXPECTED)
    if isinstance(value, int | float):
        return _from_serial(value, value), None
    if not isinstance(value, str):
        raise CellError(value, expected)
    text = re.sub(r"\s+", " ", value.strip())
    for kind, pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if kind == "serial":
            return _from_serial(value, match.group("serial")), None
        groups = match.groupdict()
        year = int(groups["y"])
        if kind == "slash":
            first, second = int(groups["a"]), int(groups["b"])
            day, month = (first, second) if day_first else (second, first)
        elif kind == "name":
            month = _MONTHS.get(groups["mon"].casefold())
            if month is None:
                raise CellError(value, expected)
            day = int(groups["d"])
        else:
            day, month = int(groups["d"]), int(groups["m"])
        try:
            day_value = date(year, month, day)
        except ValueError:
            raise CellError(value, REAL_DATE_EXPECTED) from None
        weekday = groups.get("wd")
        if weekday is not None and _WEEKDAYS.get(weekday.casefold()) != day_value.weekday():
            raise CellError(value, "expected.weekday_mismatch", expected=expected)
        clock, offset = _clock(match, value, expected)
        return datetime.combine(day_value, clock or time(0)), offset
    raise CellError(value, expected)


def parse_date(cell: Cell, *, day_first: bool | None = None) -> date:
    """The calendar date of a cell; a time or UTC offset after it is ignored, never converted.

    `day_first` only concerns slash dates (`05/06/2025`): month first unless it is True.
    Dates with dots or dashes (`05.06.2025`, `05-06-2025`) are always day first.
    """
    return _parse(cell, day_first, DATE_EXPECTED)[0].date()


def parse_datetime(cell: Cell, *, day_first: bool | None = None) -> tuple[datetime, timedelta | None]:
    """(naive date and time as written, UTC offset if the text gave one); a date alone is midnight."""
    return _parse(cell, day_first, DATETIME_EXPECTED)


def day_first_for(cells: Iterable[Cell]) -> bool | None:
    """Whether a column's slash dates are day first: True, False, or None when no cell tells.

    A first part above 12 (`31/01/2025`) means day first; a second part above 12
    (`01/31/2025`) means month first. A column showing both is refused: its dates
    were typed or converted inconsistently and no reading of them is safe.
    """
    day_first_seen: object = None
    month_first_seen: object = None
    for cell in cells:
        if not isinstance(cell, str):
            continue
        match = _SLASH_DATE.match(cell)
        if match is None:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 and second > 12:
            continue  # no valid date either way; parse_date reports it
        if first > 12:
            if month_first_seen is not None:
                raise CellError(cell, "expected.one_date_order", other=month_first_seen)
            day_first_seen = day_first_seen or cell
        elif second > 12:
            if day_first_seen is not None:
                raise CellError(cell, "expected.one_date_order", other=day_first_seen)
            month_first_seen = month_first_seen or cell
    if day_first_seen is not None:
        return True
    if month_first_seen is not None:
        return False
    return None


_PACIFIC = ZoneInfo("America/Los_Angeles")


def pacific_to_utc(naive: datetime) -> datetime:
    """A wall-clock time in US Pacific time (Meta's `Publish time`, `Posted`) as naive UTC.

    DST-aware. In the repeated hour of the autumn change the first occurrence
    (daylight time) is taken; a time in the skipped spring hour is read with the
    offset in force before the change (standard time).
    """
    if naive.tzinfo is not None:
        raise ValueError("pacific_to_utc expects a naive datetime")
    local = naive.replace(tzinfo=_PACIFIC, fold=0)
    return local.astimezone(UTC).replace(tzinfo=None)


def as_utc(naive: datetime, offset: timedelta | None,
           local_to_utc: Callable[[datetime], datetime] | None = None) -> datetime:
    """A time from `parse_datetime` as naive UTC: by the offset the cell gave, else by the format's zone.

    `local_to_utc` converts the wall-clock times of a format without offsets (Meta: `pacific_to_utc`);
    None means the format's times are UTC already.
    """
    if offset is not None:
        return naive - offset
    return local_to_utc(naive) if local_to_utc is not None else naive
