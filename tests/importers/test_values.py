"""Cell values as exports write them: counts, decimals, dates, times, Pacific time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.importers.model import CellError
from benchmark.importers.values import (
    MISSING_MARKERS,
    day_first_for,
    is_missing,
    pacific_to_utc,
    parse_count,
    parse_date,
    parse_datetime,
    parse_decimal,
)

# -- missing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [None, "", "   ", "\u00a0", "-", "--", "NAN", "nan", "N/A", "n/a", " -- ", float("nan")])
def test_missing_markers(cell):
    assert is_missing(cell)


@pytest.mark.parametrize("cell", ["0", 0, 0.0, "Lifetime", "none", "#N/A", "–", datetime(2025, 1, 1)])
def test_not_missing(cell):
    assert not is_missing(cell)


def test_missing_markers_are_casefolded():
    assert all(marker == marker.strip().casefold() for marker in MISSING_MARKERS)


# -- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1234", 1234),
        ("0", 0),
        ("  42 ", 42),
        ("+5", 5),
        ("1 234", 1234),
        ("1\u00a0234", 1234),  # NBSP: Excel on a Swedish PC
        ("1\u202f234", 1234),  # narrow NBSP
        ("1\u2009234", 1234),  # thin space
        ("1'234", 1234),
        ("12 345 678", 12345678),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("1.234", 1234),  # ambiguous: grouping wins for counts
        ("1,234", 1234),
        ("1.000", 1000),
        ("2633.0", 2633),  # X legacy exports
        ("2633,00", 2633),
        ("1.234,00", 1234),
        ("1 234,0", 1234),
        ("1,234.00", 1234),
        (2633, 2633),
        (2633.0, 2633),
        ("", None),
        ("--", None),
        ("NAN", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_count_accepts(cell, expected):
    assert parse_count(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected_text"),
    [
        ("12,5", "not a number with decimals"),
        ("3.7", "not a number with decimals"),
        ("1,234.5", "not a number with decimals"),
        (3.7, "not a number with decimals"),
        ("5%", "not a percentage"),
        ("12 %", "not a percentage"),
        ("abc", "such as 1234 or 1 234"),
        ("12a", "such as 1234 or 1 234"),
        ("1 23", "such as 1234 or 1 234"),  # a separator must group exactly three digits
        ("1.23.456", "such as 1234 or 1 234"),
        ("1.234,567.890", "such as 1234 or 1 234"),  # separators mixed
        ("1.234.5", "such as 1234 or 1 234"),
        ("1e6", "such as 1234 or 1 234"),
        ("2025-01-31", "such as 1234 or 1 234"),
        ("Lifetime", "such as 1234 or 1 234"),
        ("-3", "0 or more"),
        ("\u22123", "0 or more"),
        (-3, "0 or more"),
        (True, "such as 1234"),
        (float("inf"), "such as 1234"),
        (datetime(2025, 1, 1), "such as 1234"),
        (date(2025, 1, 1), "such as 1234"),
        ("9" * 40, "too many digits"),
    ],
)
def test_parse_count_rejects(cell, expected_text):
    with pytest.raises(CellError) as caught:
        parse_count(cell)
    assert expected_text in caught.value.expected
    assert caught.value.value is cell


def test_parse_count_negative_when_allowed():
    assert parse_count("-3", allow_negative=True) == -3
    assert parse_count("\u22121 234", allow_negative=True) == -1234
    assert parse_count(-7, allow_negative=True) == -7
    assert parse_count("-", allow_negative=True) is None  # a lone dash is missing, not minus nothing


def test_count_expected_texts_are_plain_language():
    with pytest.raises(CellError) as caught:
        parse_count("many")
    assert caught.value.expected == "a whole number such as 1234 or 1 234"
    assert str(caught.value) == "'many': expected a whole number such as 1234 or 1 234"


# -- decimals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("8.835", 8.835),  # Meta average watch time: a lone point is the decimal mark
        ("12,5", 12.5),
        ("1,234", 1.234),  # … and so is a lone comma
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("12,5%", 12.5),
        ("3.06 %", 3.06),
        ("-0,5", -0.5),
        ("\u22120,5", -0.5),
        (".5", 0.5),
        ("7", 7.0),
        (7, 7.0),
        (0.0306, 0.0306),
        ("N/A", None),
        (None, None),
    ],
)
def test_parse_decimal_accepts(cell, expected):
    assert parse_decimal(cell) == pytest.approx(expected) if expected is not None else parse_decimal(cell) is None


@pytest.mark.parametrize(
    "cell", ["abc", "1.2.3,4,5", "1,5,5", "12,5,", "%", "1 2", True, float("inf"), 10**400, datetime(2025, 1, 1)]
)
def test_parse_decimal_rejects(cell):
    with pytest.raises(CellError) as caught:
        parse_decimal(cell)
    assert "such as" in caught.value.expected


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2025-01-31", date(2025, 1, 31)),
        ("2025-01-01T01:00:00", date(2025, 1, 1)),  # Meta chart export outside US DST: date part only
        ("2025-01-01T00:00:00", date(2025, 1, 1)),
        ("2025-03-09T23:30:00-08:00", date(2025, 3, 9)),  # never converted
        ("2019-01-31 23:32 +0000", date(2019, 1, 31)),
        ("2025/10/31", date(2025, 10, 31)),  # TikTok
        ("2025/10/31 18:19:10", date(2025, 10, 31)),
        ("31.10.2025", date(2025, 10, 31)),  # Excel on a Nordic PC: day first
        ("1.2.2025", date(2025, 2, 1)),
        ("13-06-2025", date(2025, 6, 13)),  # YouTube totals re-saved by Excel
        ("01-02-2025", date(2025, 2, 1)),
        ("10/31/2025", date(2025, 10, 31)),  # US month first
        ("01/05/2026 09:42", date(2026, 1, 5)),
        ("8/19/2015", date(2015, 8, 19)),
        ("Sep 27, 2024", date(2024, 9, 27)),  # YouTube
        ("September 27, 2024", date(2024, 9, 27)),
        ("Sat, Sep 6, 2025", date(2025, 9, 6)),  # X
        ("Saturday, September 6, 2025", date(2025, 9, 6)),
        ("27 Sep 2024", date(2024, 9, 27)),
        ("27-Sep-2024", date(2024, 9, 27)),
        ("Jan-14-2025", date(2025, 1, 14)),  # Meta export file names
        ("27 sep. 2024", date(2024, 9, 27)),  # Swedish
        ("6 maj 2025", date(2025, 5, 6)),  # Swedish / Danish
        ("6. mai 2025", date(2025, 5, 6)),  # Norwegian
        ("3 okt 2025", date(2025, 10, 3)),
        ("3 mars 2025", date(2025, 3, 3)),
        ("3. marts 2025", date(2025, 3, 3)),  # Danish
        ("24 des. 2025", date(2025, 12, 24)),  # Norwegian
        ("1 juni 2025", date(2025, 6, 1)),
        ("1 augusti 2025", date(2025, 8, 1)),
        ("45000", date(2023, 3, 15)),  # Excel serial as text
        ("45000.75", date(2023, 3, 15)),
        (45000, date(2023, 3, 15)),  # Excel serial as a number
        (45000.99, date(2023, 3, 15)),
        (25569, date(1970, 1, 1)),
        (73415, date(2100, 12, 31)),
        (datetime(2025, 1, 2, 23, 59), date(2025, 1, 2)),
        (date(2025, 1, 2), date(2025, 1, 2)),
    ],
)
def test_parse_date_accepts(cell, expected):
    assert parse_date(cell) == expected


def test_slash_dates_are_month_first_unless_day_first():
    assert parse_date("05/06/2025") == date(2025, 5, 6)
    assert parse_date("05/06/2025", day_first=False) == date(2025, 5, 6)
    assert parse_date("05/06/2025", day_first=True) == date(2025, 6, 5)
    assert parse_date("2025/05/06", day_first=True) == date(2025, 5, 6)  # year first is never reordered
    assert parse_date("05.06.2025", day_first=False) == date(2025, 6, 5)  # dots are always day first


@pytest.mark.parametrize(
    ("cell", "expected_text"),
    [
        ("31/02/2025", "exists in the calendar"),
        ("2025-02-30", "exists in the calendar"),
        ("13/01/2025", "exists in the calendar"),  # US order: there is no month 13
        ("1/5/26", "four-digit year"),  # two-digit years are refused
        ("05.06.25", "four-digit year"),
        ("20250131", "four-digit year"),  # YYYYMMDD: would be confused with counts
        ("Fri, Sep 6, 2025", "weekday does not match"),
        ("6 foo 2025", "such as 2025-01-31"),
        ("Lifetime", "such as 2025-01-31"),
        ("2025-01-31 25:00", "such as 2025-01-31"),
        ("12345", "between 1970 and 2100"),  # a 5-digit serial before 1970
        ("99999", "between 1970 and 2100"),
        (25568, "between 1970 and 2100"),
        (73416, "between 1970 and 2100"),
        (-1, "between 1970 and 2100"),
        (float("inf"), "between 1970 and 2100"),
        (10**400, "between 1970 and 2100"),
        (True, "a date"),
        (None, "a date"),
        ("", "a date"),
        ("--", "a date"),
    ],
)
def test_parse_date_rejects(cell, expected_text):
    with pytest.raises(CellError) as caught:
        parse_date(cell)
    assert expected_text in caught.value.expected


def test_date_expected_text_lists_the_forms():
    with pytest.raises(CellError) as caught:
        parse_date("soon")
    expected = caught.value.expected
    for form in ("2025-01-31", "31.01.2025", "01/31/2025", "Jan 31, 2025", "four-digit year"):
        assert form in expected


# -- date and time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "moment", "offset"),
    [
        ("2019-01-31 23:32 +0000", datetime(2019, 1, 31, 23, 32), timedelta(0)),  # X legacy
        ("2025-01-01T10:00:00Z", datetime(2025, 1, 1, 10), timedelta(0)),
        ("2025-01-01T10:00:00+01:00", datetime(2025, 1, 1, 10), timedelta(hours=1)),
        ("2025-01-01T10:00:00-0530", datetime(2025, 1, 1, 10), -timedelta(hours=5, minutes=30)),
        ("2020-09-22T07:07:36.000", datetime(2020, 9, 22, 7, 7, 36), None),  # SpreadsheetML text
        ("01/05/2026 09:42", datetime(2026, 1, 5, 9, 42), None),  # Meta Publish time
        ("02/14/2016 12:40:16 AM", datetime(2016, 2, 14, 0, 40, 16), None),  # legacy FB Posted
        ("02/14/2016 12:40:16 PM", datetime(2016, 2, 14, 12, 40, 16), None),
        ("02/14/2016 1:05 pm", datetime(2016, 2, 14, 13, 5), None),
        ("2025/10/31 18:19:10", datetime(2025, 10, 31, 18, 19, 10), None),  # TikTok
        ("31.10.2025 18:19", datetime(2025, 10, 31, 18, 19), None),
        ("31-10-2025 18:19", datetime(2025, 10, 31, 18, 19), None),
        ("2025-10-31", datetime(2025, 10, 31), None),  # a date alone is midnight
        ("Sep 27, 2024", datetime(2024, 9, 27), None),
        (45000.5, datetime(2023, 3, 15, 12), None),  # Excel serial with a time fraction
        ("45000.25", datetime(2023, 3, 15, 6), None),
        (datetime(2020, 1, 1, 5, 6, 7), datetime(2020, 1, 1, 5, 6, 7), None),
        (datetime(2020, 1, 1, 5, tzinfo=timezone(timedelta(hours=2))), datetime(2020, 1, 1, 5), timedelta(hours=2)),
        (date(2020, 1, 1), datetime(2020, 1, 1), None),
    ],
)
def test_parse_datetime(cell, moment, offset):
    assert parse_datetime(cell) == (moment, offset)


def test_parse_datetime_day_first():
    assert parse_datetime("05/06/2025 10:00", day_first=True) == (datetime(2025, 6, 5, 10), None)


@pytest.mark.parametrize("cell", ["02/14/2016 13:40 PM", "02/14/2016 0:40 AM", "2025-01-01 10:61", "2025-01-01T10:00+15:00", "noon"])
def test_parse_datetime_rejects(cell):
    with pytest.raises(CellError) as caught:
        parse_datetime(cell)
    assert "such as" in caught.value.expected


# -- order of slash dates in a column -------------------------------------------------------------


def test_day_first_for():
    assert day_first_for(["01/02/2025", "13/02/2025", "05/03/2025"]) is True
    assert day_first_for(["01/02/2025", "02/13/2025 10:00"]) is False
    assert day_first_for(["01/02/2025", "03/04/2025"]) is None  # undecidable: the caller uses US order
    assert day_first_for([None, 5, "", "2025-01-31", datetime(2025, 1, 1)]) is None
    assert day_first_for(["13/13/2025", "01/02/2025"]) is None  # impossible either way: parse_date says so


def test_day_first_for_refuses_mixed_orders():
    with pytest.raises(CellError) as caught:
        day_first_for(["13/01/2025", "01/02/2025", "01/13/2025"])
    assert caught.value.value == "01/13/2025"
    assert "one order throughout the column" in caught.value.expected
    assert "13/01/2025" in caught.value.expected


# -- Pacific time -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pacific", "utc"),
    [
        (datetime(2025, 1, 15, 9, 42), datetime(2025, 1, 15, 17, 42)),  # PST = UTC-8
        (datetime(2025, 7, 1, 9, 42), datetime(2025, 7, 1, 16, 42)),  # PDT = UTC-7
        # Spring forward, Sunday 2025-03-09 at 02:00 PST -> 03:00 PDT
        (datetime(2025, 3, 9, 1, 59), datetime(2025, 3, 9, 9, 59)),
        (datetime(2025, 3, 9, 2, 30), datetime(2025, 3, 9, 10, 30)),  # does not exist: read as PST
        (datetime(2025, 3, 9, 3, 0), datetime(2025, 3, 9, 10, 0)),
        # Fall back, Sunday 2025-11-02 at 02:00 PDT -> 01:00 PST: 01:xx happens twice
        (datetime(2025, 11, 2, 0, 59), datetime(2025, 11, 2, 7, 59)),
        (datetime(2025, 11, 2, 1, 30), datetime(2025, 11, 2, 8, 30)),  # first occurrence (PDT)
        (datetime(2025, 11, 2, 2, 0), datetime(2025, 11, 2, 10, 0)),
        (datetime(2025, 12, 31, 23, 0), datetime(2026, 1, 1, 7, 0)),  # crosses the year
    ],
)
def test_pacific_to_utc(pacific, utc):
    assert pacific_to_utc(pacific) == utc


def test_pacific_to_utc_wants_naive():
    with pytest.raises(ValueError):
        pacific_to_utc(datetime(2025, 1, 1, tzinfo=UTC))


# -- properties ---------------------------------------------------------------------------------


def _grouped(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)


@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(["plain", " ", "\u00a0", "\u202f", ".", ",", "'", ".0", ",00", " ,0"]),
)
def test_count_round_trip(number, style):
    if style == "plain":
        text = str(number)
    elif style in (".0", ",00"):
        text = f"{number}{style}"
    elif style == " ,0":
        text = _grouped(number, " ") + ",0"
    else:
        text = _grouped(number, style)
    assert parse_count(text) == number
    assert parse_count(f" +{text} ") == number
    assert parse_count(f"-{text}", allow_negative=True) == -number


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_decimal_round_trip(whole, hundredths):
    value = whole + hundredths / 100
    assert parse_decimal(f"{whole}.{hundredths:02d}") == pytest.approx(value)
    assert parse_decimal(f"{whole},{hundredths:02d}") == pytest.approx(value)
    assert parse_decimal(_grouped(whole, "\u00a0") + f",{hundredths:02d}") == pytest.approx(value)
    assert parse_decimal(_grouped(whole, ",") + f".{hundredths:02d}") == pytest.approx(value)


_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_date_round_trip(day):
    serial = (day - date(1899, 12, 30)).days
    forms = [
        day.isoformat(),
        f"{day.isoformat()}T00:00:00",
        f"{day:%d-%m-%Y}",
        f"{day:%d.%m.%Y}",
        f"{day.month}/{day.day}/{day.year}",
        f"{day:%m/%d/%Y}",
        f"{_MONTH_ABBREVIATIONS[day.month - 1]} {day.day}, {day.year}",
        serial,
        str(serial),
        float(serial),
    ]
    for form in forms:
        assert parse_date(form) == day, form
    assert parse_date(f"{day.day}/{day.month}/{day.year}", day_first=True) == day


_PARSERS = (
    parse_count,
    lambda cell: parse_count(cell, allow_negative=True),
    parse_decimal,
    parse_date,
    lambda cell: parse_date(cell, day_first=True),
    parse_datetime,
    lambda cell: day_first_for([cell]),
    is_missing,
)
_NUMBERISH = st.from_regex(r"[+\-\u2212]?[0-9 .,'\u00a0]{0,24}%?", fullmatch=True)
_DATEISH = st.from_regex(
    r"([A-Za-z]{0,9},? )?[0-9]{1,4}[-./ ]([0-9]{1,2}|[A-Za-z]{1,9}\.?)[-./ ,]{1,2}[0-9]{1,5}"
    r"([ T][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}(\.[0-9]{1,9})?)?( ?[AaPp][Mm])?( ?(Z|[+\-][0-9]{2}:?[0-9]{2}))?)?",
    fullmatch=True,
)


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(), _NUMBERISH, _DATEISH, st.integers(), st.integers(min_value=10**300), st.floats(), st.none(),
        st.booleans(), st.datetimes(), st.dates(),
    )
)
def test_parsers_only_raise_cell_errors(cell):
    for parse in _PARSERS:
        try:
            parse(cell)
        except CellError:
            pass
