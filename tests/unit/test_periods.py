from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmark.errors import PeriodError
from benchmark.periods import parse_period, periods_between, trailing_months


@pytest.mark.parametrize(
    ("text", "start", "end", "kind", "days"),
    [
        ("2024-Q3", date(2024, 7, 1), date(2024, 9, 30), "quarter", 92),
        ("2024-q1", date(2024, 1, 1), date(2024, 3, 31), "quarter", 91),  # leap year
        ("2024-07", date(2024, 7, 1), date(2024, 7, 31), "month", 31),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28), "month", 28),
        ("2024-W27", date(2024, 7, 1), date(2024, 7, 7), "week", 7),
        ("2021-W01", date(2021, 1, 4), date(2021, 1, 10), "week", 7),  # ISO week 1 starts in January here
        ("2020-W53", date(2020, 12, 28), date(2021, 1, 3), "week", 7),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "year", 366),
        ("2024-07-01..2024-09-30", date(2024, 7, 1), date(2024, 9, 30), "custom", 92),
        (" 2024-07-15..2024-07-15 ", date(2024, 7, 15), date(2024, 7, 15), "custom", 1),
    ],
)
def test_parse_period(text, start, end, kind, days):
    period = parse_period(text)
    assert (period.start, period.end, period.kind, period.days) == (start, end, kind, days)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-Q5", "not recognised"),
        ("2024-13", "no month 13"),
        ("2021-W53", "no ISO week 53"),
        ("2024-09-30..2024-07-01", "ends before it starts"),
        ("2024-02-30..2024-03-01", "not a real date"),
        ("", "empty"),
        ("last quarter", "not recognised"),
    ],
)
def test_bad_periods_name_the_problem(text, reason):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert reason in str(caught.value)
    assert "2024-Q3" in str(caught.value)  # tells how to write it


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2024-Q3", "2024-Q2"),
        ("2024-Q1", "2023-Q4"),
        ("2024-03", "2024-02"),
        ("2024-01", "2023-12"),
        ("2024-W01", "2023-W52"),
        ("2024", "2023"),
        ("2024-07-10..2024-07-19", "2024-06-30..2024-07-09"),
    ],
)
def test_previous_period_of_equal_length(text, previous):
    assert parse_period(text).previous().label == previous


def test_periods_between_and_trailing_months():
    quarters = periods_between("quarter", date(2024, 2, 10), date(2024, 11, 1))
    assert [q.label for q in quarters] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    months = trailing_months(parse_period("2024-Q3"), 12)
    assert [months[0].label, months[-1].label, len(months)] == ["2023-10", "2024-09", 12]


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_every_calendar_period_round_trips(day):
    for kind in ("week", "month", "quarter", "year"):
        period = periods_between(kind, day, day)[0]
        assert period.start <= day <= period.end
        assert parse_period(period.label) == period
        assert period.previous().end.toordinal() == period.start.toordinal() - 1
