"""Reporting periods: runs of calendar months ending at a chosen month, as the performance report uses them.

A month is a string 'YYYY-MM'. Every period is compared with the same months a year earlier. The UK financial
year runs April to March, so financial year to date for June 2025 is April – June 2025.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    start: str
    end: str
    months: tuple[str, ...]
    label: str
    kind: str

    @property
    def last_year(self) -> tuple[str, ...]:
        """The same months a year earlier, in order."""
        return tuple(shift_month(m, -12) for m in self.months)


# parse_month, shift_month and month_range are pure and asked the same few hundred months over and over (every
# source's history, every page run): they are remembered
@lru_cache(maxsize=65536)
def parse_month(month: str) -> tuple[int, int]:
    """(year, month number) of 'YYYY-MM'; ValueError for anything else."""
    match = _MONTH_RE.match(str(month).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{month!r} is not a month: write it as YYYY-MM, e.g. 2025-01")
    return int(match.group(1)), int(match.group(2))


@lru_cache(maxsize=65536)
def shift_month(month: str, delta: int) -> str:
    """The month `delta` months after `month` (before, when negative)."""
    year, number = parse_month(month)
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@lru_cache(maxsize=4096)
def month_range(start: str, end: str) -> tuple[str, ...]:
    """Every month from start to end inclusive (empty when end is before start)."""
    first, last = parse_month(start), parse_month(end)
    count = (last[0] * 12 + last[1]) - (first[0] * 12 + first[1]) + 1
    return tuple(shift_month(start, i) for i in range(max(count, 0)))


def month_date(month: str) -> date:
    """The first day of the month, as fact rows store it."""
    year, number = parse_month(month)
    return date(year, number, 1)


def month_name(month: str) -> str:
    """'January 2025'."""
    year, number = parse_month(month)
    return f"{MONTH_NAMES[number - 1]} {year}"


@lru_cache(maxsize=4096)
def short_label(month: str) -> str:
    """'Jan 2025', as table rows show a month (kept: a national table names each month thousands of times)."""
    year, number = parse_month(month)
    return f"{MONTH_NAMES[number - 1][:3]} {year}"


def range_label(start: str, end: str) -> str:
    """'January 2025' for one month, 'February – April 2025' within a year, 'November 2022 – January 2023' across."""
    if start == end:
        return month_name(start)
    (y1, m1), (y2, _) = parse_month(start), parse_month(end)
    first = MONTH_NAMES[m1 - 1] if y1 == y2 else month_name(start)
    return f"{first} – {month_name(end)}"


def month_runs(months: Iterable[str]) -> str:
    """Months as runs: ['2024-05', '2024-06', '2024-07', '2024-10'] -> 'May – July 2024, October 2024'."""
    runs: list[list[str]] = []
    for m in sorted(set(months)):
        if runs and shift_month(runs[-1][-1], 1) == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(range_label(r[0], r[-1]) for r in runs)


def describe_months(months: Iterable[str]) -> str:
    """'January 2025' for one month; several: 'January – March 2025 (3 months)', gaps shown as separate runs."""
    distinct = set(months)
    if not distinct:
        return "no months"
    return month_runs(distinct) if len(distinct) == 1 else f"{month_runs(distinct)} ({len(distinct)} months)"


def financial_year_start(month: str) -> str:
    """April of the UK financial year holding `month`."""
    year, number = parse_month(month)
    return f"{year if number >= 4 else year - 1:04d}-04"


def financial_year_label(start_year: int) -> str:
    """'2024/25' for the year April 2024 – March 2025."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def make_period(end: str, kind: str = "3m") -> Period:
    """The period of kind '1m', '3m', '12m', 'Nm' (any N >= 1), 'fytd' or 'cytd' ending at month `end`."""
    end = shift_month(end, 0)  # validates and normalises
    if kind == "fytd":
        start = financial_year_start(end)
        label = f"Financial year to date {range_label(start, end)}"
    elif kind == "cytd":
        start = f"{parse_month(end)[0]:04d}-01"
        label = f"Calendar year to date {range_label(start, end)}"
    else:
        match = re.fullmatch(r"(\d+)m", kind)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"unknown period kind {kind!r}: use 1m, 3m, 12m, fytd, cytd or Nm with N >= 1")
        start = shift_month(end, 1 - int(match.group(1)))
        label = range_label(start, end)
    return Period(start=start, end=end, months=month_range(start, end), label=label, kind=kind)


# The periods the dashboard offers, with their words (the command line takes any Nm too).
PERIOD_CHOICES = {"1m": "1 month", "3m": "3 months", "12m": "12 months", "fytd": "Financial year to date"}
# A period of each kind inside a sentence: 'no 12-month period of this source ...'.
PERIOD_NOUNS = {"1m": "month", "3m": "3-month period", "12m": "12-month period", "fytd": "financial year to date"}
