"""Targets for the measures (data/reference/targets.csv) and progress towards them.

A target is one of:
- ``level``: a figure to reach, in the measure's unit (members, sign-ups a month, or per cent satisfied);
- ``share_of_households``: a per cent of the area's households (households.csv), so the target is that many
  households, e.g. MCV members "10% of Kent households";
- ``change``: a change on the same period last year: per cent for a count ("−5" is 5% fewer), percentage points
  for a survey's share satisfied.

A row with a blank district is the force's target. A district without a row of its own takes the force's target
when it is a share of households (a share applies to any area); a level or a change for the force says nothing
about one district.

Progress: the figure, the target and the distance (figure − target). For a level or a share of households, the
date the trend reaches the target: a least-squares line through the values of the last TREND_DAYS days (at least
MIN_POINTS values) gives the current rate; from the latest value at that rate the target is reached on the date
given. A rate that is flat or moves away from the target is "not on course". Every measure here is better higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from analytics import store
from analytics.measures import catalogue
from analytics.measures.catalogue import MeasureDef, Unit
from analytics.measures.figures import Point

LEVEL, SHARE, CHANGE = "level", "share_of_households", "change"
TARGET_TYPES = (LEVEL, SHARE, CHANGE)
TREND_DAYS = 182
MIN_POINTS = 3
REACHED, ON_COURSE, NOT_ON_COURSE, TOO_FEW = "reached", "on course", "not on course", "too few values"


@dataclass(frozen=True)
class TargetRule:
    measure: str
    district: str | None  # None: the force
    target_type: str
    value: float
    note: str

    def describe(self) -> str:
        """'10% of households', '9,500 members', '−5.0% on last year', '+2.0 pp on last year'."""
        m = catalogue.get(self.measure)
        sign = "+" if self.value > 0 else ("\u2212" if self.value < 0 else "")
        if self.target_type == SHARE:
            return f"{self.value:g}% of households"
        if self.target_type == CHANGE:
            unit = " pp" if m.unit is Unit.SURVEY else "%"
            return f"{sign}{abs(self.value):.1f}{unit} on last year"
        return f"{self.value:.1f}%" if m.unit is not Unit.COUNT else m.counted(self.value)


def households(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """district -> households (households.csv)."""
    return {str(n): int(h) for n, h, _ in con.execute(store.sql("measures/households")).fetchall()}


def households_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources households.csv names, each once."""
    return sorted({str(s) for _, _, s in con.execute(store.sql("measures/households")).fetchall()})


def area_households(con: duckdb.DuckDBPyConnection, district: str | None) -> int | None:
    """An area's households: a district's figure, or for the force the sum over its districts."""
    found = households(con)
    if district is None:
        return sum(found.values()) or None
    return found.get(district)


def rules(con: duckdb.DuckDBPyConnection) -> list[TargetRule]:
    return [TargetRule(str(m), str(d) or None, str(t), float(v), str(n))
            for m, d, t, v, n in con.execute(store.sql("measures/targets")).fetchall()]


def rule_for(con: duckdb.DuckDBPyConnection, measure: str, district: str | None) -> TargetRule | None:
    """The area's target for a measure (see the module on districts)."""
    found = {(r.measure, r.district): r for r in rules(con)}
    own = found.get((measure, district))
    if own is not None or district is None:
        return own
    force = found.get((measure, None))
    return force if force is not None and force.target_type == SHARE else None


def target_figure(con: duckdb.DuckDBPyConnection, rule: TargetRule, district: str | None,
                  last_year: Point | None) -> float | None:
    """The target in the figure's unit (a count, or per cent for a survey's share or a percent measure); None for
    a change with no figure a year earlier, or a share without households."""
    m = catalogue.get(rule.measure)
    if rule.target_type == LEVEL:
        return rule.value
    if rule.target_type == SHARE:
        homes = area_households(con, district)
        return None if homes is None else homes * rule.value / 100
    if last_year is None:
        return None
    if m.unit is Unit.SURVEY:
        return last_year.figure + rule.value
    return last_year.figure * (1 + rule.value / 100)


@dataclass(frozen=True)
class Forecast:
    status: str  # REACHED | ON_COURSE | NOT_ON_COURSE | TOO_FEW
    when: date | None  # the day the target is reached at the current rate (ON_COURSE)
    per_day: float | None  # the trend's rate, figure units a day
    points: int  # values the trend was fitted to


def forecast(points: Sequence[Point], target: float) -> Forecast:
    """When the latest value, growing at the trend's rate, reaches ``target`` (see the module)."""
    if not points:
        return Forecast(TOO_FEW, None, None, 0)
    latest = max(points, key=lambda p: p.end)
    if latest.figure >= target:
        return Forecast(REACHED, None, None, 0)
    recent = [p for p in points if p.end > latest.end - timedelta(days=TREND_DAYS)]
    if len(recent) < MIN_POINTS:
        return Forecast(TOO_FEW, None, None, len(recent))
    xs = [(p.end - latest.end).days for p in recent]
    ys = [p.figure for p in recent]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    if slope <= 0:
        return Forecast(NOT_ON_COURSE, None, slope, len(recent))
    days = (target - latest.figure) / slope
    if days > 365 * 200:  # beyond any date worth naming
        return Forecast(NOT_ON_COURSE, None, slope, len(recent))
    return Forecast(ON_COURSE, latest.end + timedelta(days=int(-(-days // 1))), slope, len(recent))


@dataclass(frozen=True)
class Progress:
    measure: MeasureDef
    district: str | None
    rule: TargetRule
    figure: float | None  # the value (a count, or per cent)
    period: str | None  # the value's period code
    target: float | None  # in the figure's unit
    forecast: Forecast | None  # levels and shares of households only

    @property
    def distance(self) -> float | None:
        """figure − target: below zero while short of it."""
        return None if self.figure is None or self.target is None else self.figure - self.target


def progress(con: duckdb.DuckDBPyConnection, measure: str, district: str | None, point: Point | None,
             last_year: Point | None, trend: Sequence[Point]) -> Progress | None:
    """Progress of ``point`` (the latest figure) towards the area's target, None when it has none; ``trend`` the
    figures the forecast is fitted to (for a level target)."""
    rule = rule_for(con, measure, district)
    if rule is None:
        return None
    target = target_figure(con, rule, district, last_year)
    ahead = forecast(trend, target) if target is not None and rule.target_type != CHANGE else None
    return Progress(catalogue.get(measure), district, rule, None if point is None else point.figure,
                    None if point is None else point.period, target, ahead)
