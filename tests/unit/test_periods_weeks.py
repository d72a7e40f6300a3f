"""Whole ISO weeks: week ranges, the whole-week version of months, quarters and years, and back."""

from datetime import date, timedelta
from itertools import pairwise

import pytest

from benchmark.errors import PeriodError
from benchmark.periods import (
    CUSTOM,
    WEEK,
    WEEKS,
    calendar_of,
    custom_period,
    is_summary_period,
    month_period,
    parse_period,
    quarter_period,
    whole_weeks,
    year_period,
)


def _months(year):
    return [month_period(date(year, m, 1)) for m in range(1, 13)]


def _quarters(year):
    return [quarter_period(date(year, m, 1)) for m in (1, 4, 7, 10)]


# -- whole_weeks ---------------------------------------------------------------
def test_whole_weeks_of_a_quarter():
    weeks = whole_weeks(parse_period("2025-Q3"))
    assert (weeks.start, weeks.end) == (date(2025, 6, 30), date(2025, 9, 28))
    assert weeks.kind == WEEKS and weeks.label == "2025-W27..2025-W39"
    assert weeks.days == 13 * 7


def test_whole_weeks_of_a_month():
    # 2025-07-03 is the first Thursday of July; 2025-07-31 (a Thursday) keeps the week to 08-03.
    weeks = whole_weeks(parse_period("2025-07"))
    assert (weeks.start, weeks.end) == (date(2025, 6, 30), date(2025, 8, 3))
    assert weeks.label == "2025-W27..2025-W31"


def test_whole_weeks_of_a_53_week_year():
    weeks = whole_weeks(parse_period("2020"))
    assert (weeks.start, weeks.end) == (date(2019, 12, 30), date(2021, 1, 3))
    assert weeks.days == 53 * 7 and weeks.label == "2020-W01..2020-W53"


def test_whole_weeks_of_a_quarter_starting_on_a_friday():
    # 2021-01-01 is a Friday: that week is 2020-W53, so Q1 starts with the week of 2021-01-04.
    weeks = whole_weeks(parse_period("2021-Q1"))
    assert weeks.start == date(2021, 1, 4)
    assert weeks.days == 12 * 7 and weeks.label == "2021-W01..2021-W12"


@pytest.mark.parametrize("text", ["2025-W27", "2025-07-02..2025-07-31", "2025-W27..2025-W30"])
def test_whole_weeks_leaves_weeks_and_custom_ranges_alone(text):
    period = parse_period(text)
    assert whole_weeks(period) == period


def test_week_and_custom_kinds_are_what_they_say():
    assert parse_period("2025-W27").kind == WEEK
    assert parse_period("2025-07-02..2025-07-31").kind == CUSTOM


@pytest.mark.parametrize("year", [2024, 2026])
def test_months_whole_weeks_tile_the_year(year):
    months = [whole_weeks(m) for m in _months(year)]
    for before, after in pairwise(months):
        assert after.start == before.end + timedelta(days=1), (before, after)
    assert (months[0].start, months[-1].end) == (whole_weeks(year_period(year)).start, whole_weeks(year_period(year)).end)
    assert sum(m.days for m in months) == whole_weeks(year_period(year)).days


# -- parse_period ----------------------------------------------------------------
def test_parse_week_range_round_trips():
    period = whole_weeks(parse_period("2025-Q3"))
    assert parse_period(period.label) == period
    assert parse_period("2025-W27..2025-W39") == period


@pytest.mark.parametrize("text", ["2025W27..2025W39", "2025-w27..2025-w39", "2025w27..2025w39", " 2025-W27..2025-W39 "])
def test_parse_week_range_other_spellings(text):
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (date(2025, 6, 30), date(2025, 9, 28), WEEKS)
    assert period.label == "2025-W27..2025-W39"


def test_parse_week_range_across_a_year_end():
    period = parse_period("2025-W52..2026-W02")
    assert (period.start, period.end) == (date(2025, 12, 22), date(2026, 1, 11))
    assert period.kind == WEEKS and period.days == 21


def test_parse_one_week_range_is_a_week():
    period = parse_period("2025-W27..2025-W27")
    assert period == parse_period("2025-W27")
    assert period.kind == WEEK


def test_parse_week_range_ending_before_it_starts():
    with pytest.raises(PeriodError, match="ends before it starts"):
        parse_period("2025-W39..2025-W27")


def test_parse_week_range_with_a_week_the_year_lacks():
    with pytest.raises(PeriodError, match="2025 has no ISO week 54"):
        parse_period("2025-W27..2025-W54")
    # 2020 does have a week 53, 2025 does not
    assert parse_period("2020-W50..2020-W53").end == date(2021, 1, 3)
    with pytest.raises(PeriodError, match="no ISO week 53"):
        parse_period("2025-W50..2025-W53")


# -- calendar_of -------------------------------------------------------------------
def test_calendar_of_inverts_whole_weeks():
    for year in range(2019, 2027):
        for calendar in [*_months(year), *_quarters(year), year_period(year)]:
            assert calendar_of(whole_weeks(calendar)) == calendar


def test_calendar_of_other_periods_is_none():
    assert calendar_of(parse_period("2025-W27..2025-W30")) is None
    # one week too many for July
    assert calendar_of(parse_period("2025-W27..2025-W32")) is None
    assert calendar_of(parse_period("2025-07")) is None
    assert calendar_of(parse_period("2025-W27")) is None


# -- is_summary_period -------------------------------------------------------------
@pytest.mark.parametrize("text", ["2025-W27", "2025-07", "2025-Q3", "2025"])
def test_calendar_periods_and_their_whole_weeks_are_summary_periods(text):
    period = parse_period(text)
    assert is_summary_period(period)
    assert is_summary_period(whole_weeks(period))


@pytest.mark.parametrize("year", [2020, 2021, 2026])
def test_whole_weeks_of_every_month_and_quarter_are_summary_periods(year):
    for calendar in [*_months(year), *_quarters(year), year_period(year)]:
        assert is_summary_period(whole_weeks(calendar)), calendar


def test_other_ranges_are_not_summary_periods():
    assert not is_summary_period(parse_period("2025-W27..2025-W30"))
    assert not is_summary_period(custom_period(date(2025, 7, 2), date(2025, 7, 31)))
    thursday = date(2025, 7, 3)
    assert not is_summary_period(custom_period(thursday, thursday + timedelta(days=13 * 7 - 1)))


# -- previous ----------------------------------------------------------------------
def test_previous_of_a_week_range_is_as_many_weeks_just_before():
    previous = parse_period("2025-W27..2025-W39").previous()
    assert previous.label == "2025-W14..2025-W26"
    assert (previous.start, previous.end, previous.kind) == (date(2025, 3, 31), date(2025, 6, 29), WEEKS)


def test_previous_of_a_week_range_across_a_year_end():
    previous = parse_period("2026-W01..2026-W04").previous()
    assert previous.label == "2025-W49..2025-W52"
    assert previous.end == date(2025, 12, 28)
