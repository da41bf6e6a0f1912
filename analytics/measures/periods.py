"""The periods a measure is given for: a day, an ISO week or a calendar month, and the month each counts in.

Written forms: a day 2025-01-15 (or 15/01/2025, day first); an ISO week 2025-W03 (Monday 13 – Sunday 19 January
2025); a month 2025-01 (or January 2025).

**The month of a week.** ISO 8601 gives a week to the year holding its Thursday; a week belongs to the *month* of
its Thursday in the same way. So every week counts in exactly one month, and a month has four or five weeks:
2025-W01 (30 December 2024 – 5 January 2025) is January's, 2025-W05 (27 January – 2 February) January's too, and
2025-W06 February's first. A month built from weeks is those weeks' total: it runs from the Monday of its first
week to the Sunday of its last, which may start a few days before the calendar month or end a few days after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from analytics.domain.periods import MONTH_NAMES, month_name, parse_month, shift_month

DAY, WEEK, MONTH = "day", "week", "month"
GRAINS = (DAY, WEEK, MONTH)
ORDINALS = ("first", "second", "third", "fourth", "fifth")

_DAY_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DAY_UK = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_WEEK = re.compile(r"^(\d{4})\s*-?\s*W\s*(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_WORDS = re.compile(r"^([A-Za-z]+)\s+(\d{4})$")

PERIOD_HELP = ("Write a day as 2025-01-15 (or 15/01/2025, day first), an ISO week as 2025-W03, or a month as "
               "2025-01 (or January 2025).")


@dataclass(frozen=True)
class MeasurePeriod:
    grain: str  # 'day' | 'week' | 'month'
    code: str  # '2025-01-15' | '2025-W03' | '2025-01'
    start: date
    end: date
    month: str  # 'YYYY-MM', the month it counts in

    @property
    def label(self) -> str:
        return period_label(self.code)


def month_of_week(monday: date) -> str:
    """The month a week counts in: its Thursday's."""
    thursday = monday + timedelta(days=3)
    return f"{thursday.year:04d}-{thursday.month:02d}"


def week(year: int, number: int) -> MeasurePeriod:
    """ISO week ``number`` of ISO year ``year``; ValueError when the year has no such week."""
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {number}: its weeks run 1 to {weeks_in_year(year)}") from None
    return MeasurePeriod(WEEK, f"{year:04d}-W{number:02d}", monday, monday + timedelta(days=6), month_of_week(monday))


def weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def day(value: date) -> MeasurePeriod:
    return MeasurePeriod(DAY, value.isoformat(), value, value, f"{value.year:04d}-{value.month:02d}")


def month(code: str) -> MeasurePeriod:
    year, number = parse_month(code)
    first = date(year, number, 1)
    nxt = date(year + number // 12, number % 12 + 1, 1)
    return MeasurePeriod(MONTH, f"{year:04d}-{number:02d}", first, nxt - timedelta(days=1), f"{year:04d}-{number:02d}")


def week_of(value: date) -> MeasurePeriod:
    """The ISO week holding a day."""
    year, number, _ = value.isocalendar()
    return week(year, number)


def parse_period(text: str) -> MeasurePeriod:
    """A written period (see the module); ValueError with what to write instead."""
    s = str(text).strip()
    if m := _WEEK.match(s):
        return week(int(m.group(1)), int(m.group(2)))
    if m := _MONTH.match(s):
        if not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"{s!r} has no month {int(m.group(2))}. {PERIOD_HELP}")
        return month(f"{m.group(1)}-{int(m.group(2)):02d}")
    if m := _MONTH_WORDS.match(s):
        names = [n.lower() for n in MONTH_NAMES]
        word = m.group(1).lower()
        found = [i for i, n in enumerate(names) if n == word or (len(word) == 3 and n[:3] == word)]
        if found:
            return month(f"{m.group(2)}-{found[0] + 1:02d}")
    for pattern, order in ((_DAY_ISO, (1, 2, 3)), (_DAY_UK, (3, 2, 1))):
        if m := pattern.match(s):
            y, mo, d = (int(m.group(i)) for i in order)
            try:
                return day(date(y, mo, d))
            except ValueError:
                raise ValueError(f"{s!r} is not a day that exists (read day first). {PERIOD_HELP}") from None
    raise ValueError(f"{s!r} is not a period. {PERIOD_HELP}")


def weeks_of_month(code: str) -> list[MeasurePeriod]:
    """The ISO weeks that count in a month (those whose Thursday falls in it), in order."""
    first = month(code).start
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    out = []
    while f"{thursday.year:04d}-{thursday.month:02d}" == code:
        out.append(week_of(thursday))
        thursday += timedelta(days=7)
    return out


def days_of(period: MeasurePeriod) -> list[date]:
    return [period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1)]


def year_earlier(code: str) -> str | None:
    """The same period a year earlier: the month 12 months before, the same ISO week number of the ISO year
    before (None when that year has no such week), the same day (None for 29 February)."""
    period = parse_period(code)
    if period.grain == MONTH:
        return shift_month(code, -12)
    if period.grain == WEEK:
        year, number = int(code[:4]), int(code[6:])
        return None if number > weeks_in_year(year - 1) else f"{year - 1:04d}-W{number:02d}"
    try:
        return period.start.replace(year=period.start.year - 1).isoformat()
    except ValueError:
        return None


def previous(code: str) -> str:
    """The period just before, of the same grain."""
    period = parse_period(code)
    if period.grain == MONTH:
        return shift_month(code, -1)
    if period.grain == WEEK:
        return week_of(period.start - timedelta(days=7)).code
    return (period.start - timedelta(days=1)).isoformat()


def day_label(value: date) -> str:
    """'15 January 2025'."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def week_in_month(code: str) -> str:
    """'the third week of January' (weeks counted by their Thursdays)."""
    period = parse_period(code)
    codes = [w.code for w in weeks_of_month(period.month)]
    return f"the {ORDINALS[codes.index(code)]} week of {MONTH_NAMES[int(period.month[5:]) - 1]}"


def period_label(code: str) -> str:
    """'15 January 2025', 'week 3 of 2025 (13 – 19 January 2025)', 'January 2025'."""
    period = parse_period(code)
    if period.grain == MONTH:
        return month_name(code)
    if period.grain == DAY:
        return day_label(period.start)
    start, end = period.start, period.end
    if start.month == end.month:
        span = f"{start.day} – {day_label(end)}"
    elif start.year == end.year:
        span = f"{start.day} {MONTH_NAMES[start.month - 1]} – {day_label(end)}"
    else:
        span = f"{day_label(start)} – {day_label(end)}"
    return f"week {int(code[6:])} of {code[:4]} ({span})"


def short_label(code: str) -> str:
    """'15 Jan 2025', 'w/c 13 Jan 2025', 'Jan 2025', for table rows and chart axes."""
    period = parse_period(code)
    if period.grain == MONTH:
        return f"{MONTH_NAMES[period.start.month - 1][:3]} {period.start.year}"
    prefix = "w/c " if period.grain == WEEK else ""
    s = period.start
    return f"{prefix}{s.day} {MONTH_NAMES[s.month - 1][:3]} {s.year}"
