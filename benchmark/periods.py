"""Periods as the users write them: 2024-Q3, 2024-07, 2024-W27, 2024, 2024-W27..2024-W39, 2024-07-01..2024-09-30."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .errors import PeriodError

WEEK, MONTH, QUARTER, YEAR, WEEKS, CUSTOM = "week", "month", "quarter", "year", "weeks", "custom"
PERIOD_KINDS = (WEEK, MONTH, QUARTER, YEAR, WEEKS, CUSTOM)

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_WEEK_RANGE = re.compile(r"^(\d{4})-?W(\d{2})\.\.(\d{4})-?W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    kind: str
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one (calendar-aligned where it is one)."""
        if self.kind == WEEK:
            return week_period(self.start - timedelta(days=7))
        if self.kind == MONTH:
            return month_period(self.start - timedelta(days=1))
        if self.kind == QUARTER:
            return quarter_period(self.start - timedelta(days=1))
        if self.kind == YEAR:
            return year_period(self.start.year - 1)
        if self.kind == WEEKS:
            return weeks_period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))
        end = self.start - timedelta(days=1)
        return custom_period(end - timedelta(days=self.days - 1), end)

    def __str__(self) -> str:
        return self.label


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), YEAR, f"{year:04d}")


def quarter_period(day: date) -> Period:
    q = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * q - 2, 1)
    end = _month_end(date(day.year, 3 * q, 1))
    return Period(start, end, QUARTER, f"{day.year:04d}-Q{q}")


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    return Period(start, _month_end(start), MONTH, f"{day.year:04d}-{day.month:02d}")


def week_period(day: date) -> Period:
    iso_year, iso_week, _ = day.isocalendar()
    start = date.fromisocalendar(iso_year, iso_week, 1)
    return Period(start, start + timedelta(days=6), WEEK, f"{iso_year:04d}-W{iso_week:02d}")


def weeks_period(first_day: date, last_day: date) -> Period:
    """The whole ISO weeks from the week holding `first_day` to the week holding `last_day`."""
    start = week_period(first_day).start
    end = week_period(last_day).end
    if start == week_period(last_day).start:
        return week_period(start)
    return Period(start, end, WEEKS, f"{week_period(start).label}..{week_period(end).label}")


def whole_weeks(period: Period) -> Period:
    """A month, quarter or year as the whole ISO weeks whose Thursday falls inside it.

    This is ISO 8601's own rule for which year a week belongs to, applied to months
    and quarters as well: with weekly figures, 2025-Q3 is weeks 27–39
    (2025-06-30..2025-09-28), since weeks cannot be split at a month's edge.
    Weeks and week ranges are returned as they are; a custom range too.
    """
    if period.kind not in (MONTH, QUARTER, YEAR):
        return period
    first = _monday_of_thursday_week(period.start)
    after = _monday_of_thursday_week(period.end + timedelta(days=1))
    return weeks_period(first, after - timedelta(days=1))


def _monday_of_thursday_week(day: date) -> date:
    """Monday of the first ISO week whose Thursday is on or after `day`."""
    thursday = day + timedelta(days=(3 - day.weekday()) % 7)
    return thursday - timedelta(days=3)


def calendar_of(period: Period) -> Period | None:
    """The month, quarter or year whose whole weeks `period` is (see `whole_weeks`), if any."""
    if period.kind != WEEKS:
        return None
    thursday = period.start + timedelta(days=3)
    for calendar in (month_period(thursday), quarter_period(thursday), year_period(thursday.year)):
        if whole_weeks(calendar) == period:
            return calendar
    return None


@lru_cache(maxsize=4096)
def is_summary_period(period: Period) -> bool:
    """True for the periods `period_summaries` holds: calendar weeks, months, quarters and years,
    and the whole-week version of every month, quarter and year (see `whole_weeks`)."""
    start, end = period.start, period.end
    if start.weekday() == 0 and end == start + timedelta(days=6):
        return True
    for make in (month_period, quarter_period, lambda d: year_period(d.year)):
        calendar = make(start)
        if (calendar.start, calendar.end) == (start, end):
            return True
        weeks = whole_weeks(make(start + timedelta(days=3)))
        if (weeks.start, weeks.end) == (start, end):
            return True
    return False


def custom_period(start: date, end: date) -> Period:
    return Period(start, end, CUSTOM, f"{start.isoformat()}..{end.isoformat()}")


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def parse_period(text: str) -> Period:
    """Read a period; raises PeriodError naming what is wrong."""
    value = (text or "").strip()
    if not value:
        raise PeriodError(text, "period.reason.empty")
    if m := _YEAR.match(value):
        return year_period(int(m.group(1)))
    if m := _QUARTER.match(value):
        year, q = int(m.group(1)), int(m.group(2))
        return quarter_period(date(year, 3 * q - 2, 1))
    if m := _MONTH.match(value):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(text, "period.reason.no_month", month=f"{month:02d}")
        return month_period(date(year, month, 1))
    if m := _WEEK.match(value):
        year, week = int(m.group(1)), int(m.group(2))
        try:
            return week_period(date.fromisocalendar(year, week, 1))
        except ValueError:
            raise PeriodError(text, "period.reason.no_week", year=year, week=f"{week:02d}") from None
    if m := _WEEK_RANGE.match(value):
        first, last = _iso_week(text, m.group(1), m.group(2)), _iso_week(text, m.group(3), m.group(4))
        if last < first:
            raise PeriodError(text, "period.reason.ends_before_start")
        return weeks_period(first, last)
    if m := _RANGE.match(value):
        try:
            start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError:
            wrong = next(d for d in (m.group(1), m.group(2)) if not _is_date(d))
            raise PeriodError(text, "period.reason.not_a_date", date=wrong) from None
        if end < start:
            raise PeriodError(text, "period.reason.ends_before_start")
        return custom_period(start, end)
    raise PeriodError(text, "period.reason.not_recognised")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _iso_week(text: str, year: str, week: str) -> date:
    try:
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise PeriodError(text, "period.reason.no_week", year=year, week=week) from None


def periods_between(kind: str, first: date, last: date) -> list[Period]:
    """Calendar periods of one kind that touch [first, last], oldest first."""
    make = {WEEK: week_period, MONTH: month_period, QUARTER: quarter_period}.get(kind)
    if kind == YEAR:
        return [year_period(y) for y in range(first.year, last.year + 1)]
    if make is None:
        raise ValueError(f"no calendar periods of kind {kind!r}")
    result: list[Period] = []
    current = make(first)
    while current.start <= last:
        result.append(current)
        current = make(current.end + timedelta(days=1))
    return result


def trailing_months(period: Period, count: int) -> list[Period]:
    """The `count` calendar months ending with the month that holds the period's last day."""
    months = [month_period(period.end)]
    while len(months) < count:
        months.append(month_period(months[-1].start - timedelta(days=1)))
    return list(reversed(months))
