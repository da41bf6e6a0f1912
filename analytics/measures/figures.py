"""Measure figures: the values of a measure for an area at a grain, with weekly and monthly values kept apart.

**Area.** A district's figures are its own rows. The force's are its force-wide rows; a period without one takes
the sum of the districts' values when the measure sums (or is a level: members by district add up) and every
district has that period (area_values.sql).

**Grains.** A value is given for a day, an ISO week or a month, and is never added to a value of another grain.
Where a grain has no value given, it is built from the grain below only when that is complete:
- a week from its days: the total of all 7 days (a flow or a survey) or the latest day's value (a level);
- a month from its weeks (the ISO weeks whose Thursday falls in it, analytics.measures.periods): the total of every
  one of those weeks (a flow or a survey: a missing week means no monthly figure), or the latest week's value (a
  level); a week built from days counts as a week.
A percent measure (a published comparison figure) is never built from others. Each figure says how it was made
(``basis``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import duckdb

from analytics import store
from analytics.domain import definitions
from analytics.measures import catalogue
from analytics.measures.catalogue import MeasureDef, Unit
from analytics.measures.periods import DAY, MONTH, WEEK, month, parse_period, week_of, weeks_of_month
from analytics.measures.stats import Interval, wilson

GIVEN = "given"
_GRAIN_ORDER = {DAY: 0, WEEK: 1, MONTH: 2}


@dataclass(frozen=True)
class Point:
    """One figure of a measure: its period and the value (for a survey, the number satisfied, with surveyed)."""

    grain: str
    period: str
    start: date
    end: date
    month: str
    value: float
    surveyed: int | None
    basis: str  # 'given', 'sum of districts', 'sum of 7 days', 'sum of 5 weeks', 'latest day', 'latest week', ...

    @property
    def interval(self) -> Interval | None:
        """The share satisfied and its 95% Wilson interval (fractions), for a survey figure."""
        if self.surveyed is None:
            return None
        return wilson(int(round(self.value)), self.surveyed)

    @property
    def figure(self) -> float:
        """What the figure shows: a count, a per cent, or a survey's share satisfied in per cent."""
        interval = self.interval
        return self.value if interval is None else 100 * interval.share


def area_points(con: duckdb.DuckDBPyConnection, measure: str, district: str | None) -> list[Point]:
    """Every live value of the measure for the area, at every grain (see the module's Area)."""
    m = catalogue.get(measure)
    summable = m.unit is not Unit.PERCENT and not m.force_only
    rows = con.execute(store.sql("measures/area_values"),
                       [m.name, district, summable, len(definitions.districts())]).fetchall()
    return [Point(g, p, s, e, f"{mo.year:04d}-{mo.month:02d}", float(v), None if n is None else int(n), b)
            for g, p, s, e, mo, v, n, b in rows]


def _total(points: Sequence[Point], grain: str, code: str, basis: str) -> Point:
    period = parse_period(code)
    surveyed = None if points[0].surveyed is None else sum(p.surveyed or 0 for p in points)
    return Point(grain, code, period.start, period.end, period.month, sum(p.value for p in points), surveyed, basis)


def _latest(points: Iterable[Point]) -> Point:
    return max(points, key=lambda p: (p.end, -_GRAIN_ORDER[p.grain]))


def _built(m: MeasureDef, grain: str, code: str, parts: Sequence[Point], needed: int, noun: str) -> Point | None:
    """A week or month from the grain below: the total when all ``needed`` parts are there, or the latest part's
    value for a level."""
    if not parts or m.unit is Unit.PERCENT:
        return None
    if m.sums:
        if len(parts) < needed:
            return None
        return _total(parts, grain, code, f"sum of {needed} {noun}s")
    latest = _latest(parts)
    period = parse_period(code)
    return replace(latest, grain=grain, period=code, start=period.start, end=period.end, month=period.month,
                   basis=f"latest {latest.grain} ({latest.period})")


def _weeks(m: MeasureDef, points: Sequence[Point]) -> dict[str, Point]:
    given = {p.period: p for p in points if p.grain == WEEK}
    days: dict[str, list[Point]] = {}
    for p in points:
        if p.grain == DAY:
            days.setdefault(week_of(p.start).code, []).append(p)
    out = dict(given)
    for code, parts in days.items():
        if code not in out:
            built = _built(m, WEEK, code, parts, 7, "day")
            if built is not None:
                out[code] = built
    return dict(sorted(out.items(), key=lambda kv: kv[1].start))


def _months(m: MeasureDef, points: Sequence[Point]) -> dict[str, Point]:
    out = {p.period: p for p in points if p.grain == MONTH}
    weeks = _weeks(m, points)
    by_month: dict[str, list[Point]] = {}
    for w in weeks.values():
        by_month.setdefault(w.month, []).append(w)
    if not m.sums:  # a level: the latest value counted in the month, of any grain
        for p in points:
            if p.grain == DAY:
                by_month.setdefault(p.month, []).append(p)
    for code, parts in by_month.items():
        if code not in out:
            built = _built(m, MONTH, code, parts, len(weeks_of_month(code)), "week")
            if built is not None:
                out[code] = built
    return dict(sorted(out.items()))


def series(con: duckdb.DuckDBPyConnection, measure: str, district: str | None, grain: str) -> dict[str, Point]:
    """period code -> figure, in order, at one grain: given, or built from the grain below (see the module)."""
    m = catalogue.get(measure)
    points = area_points(con, measure, district)
    if grain == DAY:
        return {p.period: p for p in points if p.grain == DAY}
    if grain == WEEK:
        return _weeks(m, points)
    if grain == MONTH:
        return _months(m, points)
    raise ValueError(f"unknown grain {grain!r}")


def period_total(m: MeasureDef, monthly: dict[str, Point], months: Sequence[str]) -> Point | None:
    """The figure of a run of months: for a flow or a survey the total of every month's figure (None when any is
    missing); for a level or a percent the figure of the last month (None when it has none)."""
    if not months:
        return None
    if not m.sums:
        return monthly.get(months[-1])
    parts = [monthly.get(code) for code in months]
    if any(p is None for p in parts):
        return None
    found = [p for p in parts if p is not None]
    if len(found) == 1:
        return found[0]
    total = _total(found, MONTH, months[-1], f"sum of {len(found)} months")
    return replace(total, period=f"{months[0]}/{months[-1]}", start=month(months[0]).start)


def latest_in(points: Iterable[Point], end_month: str) -> Point | None:
    """The latest figure counted in ``end_month`` or before (a week counts in its Thursday's month; the finest
    grain wins a tie of dates): a level at a period's end."""
    found = [p for p in points if p.month <= end_month]
    return _latest(found) if found else None


def dated_levels(points: Iterable[Point]) -> list[Point]:
    """A level's figures by the date they stand at (their period's end), one per date (the finest grain)."""
    by_end: dict[date, Point] = {}
    for p in sorted(points, key=lambda p: -_GRAIN_ORDER[p.grain]):
        by_end[p.end] = p
    return [by_end[d] for d in sorted(by_end)]


def loaded(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[date, date, int]]:
    """measure -> (first day, last day, values) over the live values."""
    return {str(m): (s, e, int(n)) for m, s, e, n in con.execute(store.sql("measures/loaded")).fetchall()}
