"""The date arithmetic of casework: the M-month window up to a date, working days, due dates, financial years.

**The window.** "At least N incidents in the M months up to D" counts incidents reported from the day after the
same date M calendar months earlier up to and including D: for D = 30 June 2023 and M = 6, 31 December 2022 to
30 June 2023. When the earlier month has no such date (31 August − 6 months: there is no 31 February) the same
date is that month's last day — the corresponding-date rule the courts apply to calendar months (Dodds v Walker)
and DuckDB's own ``date - INTERVAL 6 MONTH``. So D = 31 August 2023 gives 28 February 2023 and the window starts
on 1 March 2023; D = 31 August 2024 gives 29 February 2024 and again starts on 1 March; D = 29 February 2024 gives
29 August 2023 and the window starts on 30 August 2023. Days are calendar days: an incident at 23:59 on D is in.

**Working days** are Monday to Friday except the bank holidays of England and Wales, substitute days included,
from the maintained ``holidays`` package (``country_holidays("GB", subdiv="ENG")``; Wales has the same days).
The response is due on the N-th working day after the starting event: the day after the event is the first day
counted, so an application received on Friday 19 December 2025 (Christmas Day, Boxing Day and New Year's Day
being holidays) has its 25th working day on Wednesday 28 January 2026.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

from analytics.domain.periods import financial_year_label
from analytics.errors import InputRefused


def months_before(day: date, months: int) -> date:
    """The same date `months` calendar months before `day`, or that month's last day when it has no such date."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    """The days counted as "the M months up to `end`": `start` to `end`, both included."""

    start: date
    end: date
    months: int

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= _day(day) <= self.end

    @property
    def after_end(self) -> date:
        """The first day after the window: SQL compares timestamps with ``< after_end``."""
        return self.end + timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{long_date(self.start)} to {long_date(self.end)}"


def window(as_of: date, months: int) -> Window:
    """The M-month window up to and including `as_of` (see the module)."""
    if months < 1:
        raise ValueError(f"A window needs at least one month, not {months}.")
    as_of = _day(as_of)
    return Window(months_before(as_of, months) + timedelta(days=1), as_of, months)


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def previous_month_end(day: date) -> date:
    """The last day of the month before `day`'s month."""
    return date(day.year, day.month, 1) - timedelta(days=1)


def long_date(day: date) -> str:
    """'30 June 2023'."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def _day(value: date) -> date:
    # a datetime is a date too: compare calendar days only
    return date(value.year, value.month, value.day)


def parse_day(value: date | str) -> date:
    """A date from a date, a datetime (its day) or 'YYYY-MM-DD'; a clear refusal otherwise."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as e:
            raise InputRefused("Bad date", f"'{value}' is not a date: write it as YYYY-MM-DD.") from e
    return _day(value)


# ------------------------------------------------------------------------------------------------ working days


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday_name(day: date) -> str | None:
    """The name of the England and Wales bank holiday on `day`, or None."""
    found = holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)
    return str(found) if found else None


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales (substitute days are holidays)."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(event: date, days: int) -> date:
    """The `days`-th working day after `event`; the day after the event is the first day that can count."""
    if days < 1:
        raise ValueError(f"Count at least one working day, not {days}.")
    day = _day(event)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    day, counted = _day(start), 0
    while day < end:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return counted


def week_end(today: date) -> date:
    """The Sunday ending `today`'s week (Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


# ------------------------------------------------------------------------------------------------ years


def financial_year(day: date) -> str:
    """The UK financial year (April to March) holding `day`: '2025/26' for 1 April 2025 – 31 March 2026."""
    return financial_year_label(day.year if day.month >= 4 else day.year - 1)


def financial_year_bounds(label: str) -> tuple[date, date]:
    """First and last day of a financial year given as '2025/26'."""
    start = int(label[:4])
    return date(start, 4, 1), date(start + 1, 3, 31)
