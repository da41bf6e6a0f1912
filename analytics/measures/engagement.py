"""Engagement figures: My Community Voice (MCV) members (a level, and a share of households), sign-ups per week
and alerts per month, for the force or one district; and, for any measure, its figure over a reporting period
against the same period a year earlier (analytics.measures.figures says how figures are made)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics.domain import definitions
from analytics.domain.periods import Period, month_range, shift_month
from analytics.measures import catalogue, targets
from analytics.measures.catalogue import MCV_ALERTS, MCV_MEMBERS, MCV_SIGNUPS
from analytics.measures.figures import Point, area_points, dated_levels, latest_in, period_total, series
from analytics.measures.periods import MONTH, WEEK, month, short_label, weeks_of_month, year_earlier

SERIES_COLUMNS = ["period", "label", "value", "last_year", "basis"]


def month_end(code: str) -> date:
    """The last day of a month 'YYYY-MM'."""
    return month(code).end


@dataclass(frozen=True)
class PeriodFigure:
    """A measure's figure over a reporting period (the months' total, or a level at the period's end) and the same
    period a year earlier; either None where the months are not all loaded."""

    measure: str
    district: str | None
    period: Period
    figure: Point | None
    last_year: Point | None


def period_figure(con: duckdb.DuckDBPyConnection, measure: str, district: str | None, period: Period) -> PeriodFigure:
    """See PeriodFigure: flows and surveys need every month of the period; a level is the latest value up to the
    period's last day."""
    m = catalogue.get(measure)
    if not m.sums:
        points = area_points(con, measure, district)
        now = latest_in(points, period.end)
        before = latest_in(points, period.last_year[-1])
        # a level must stand within its period, not long before it
        if now is not None and now.month < period.months[0]:
            now = None
        if before is not None and before.month < period.last_year[0]:
            before = None
        return PeriodFigure(measure, district, period, now, before)
    monthly = series(con, measure, district, MONTH)
    return PeriodFigure(measure, district, period, period_total(m, monthly, list(period.months)),
                        period_total(m, monthly, list(period.last_year)))


@dataclass(frozen=True)
class Members:
    """MCV members for an area: the latest figure up to a day, the households and the share of them, and progress
    towards the target (value, target, distance and the date the trend reaches it)."""

    district: str | None
    latest: Point | None
    households: int | None
    share_pct: float | None
    progress: targets.Progress | None


def members(con: duckdb.DuckDBPyConnection, district: str | None, end_month: str) -> Members:
    """MCV members counted in ``end_month`` or before (a week in the month of its Thursday)."""
    points = [p for p in area_points(con, MCV_MEMBERS, district) if p.month <= end_month]
    latest = latest_in(points, end_month)
    homes = targets.area_households(con, district)
    share = None if latest is None or not homes else 100 * latest.value / homes
    progress = targets.progress(con, MCV_MEMBERS, district, latest, None, dated_levels(points))
    return Members(district, latest, homes, share, progress)


MEMBER_COLUMNS = ["district", "members", "as_at", "households", "share_pct", "target", "distance"]


def members_by_district(con: duckdb.DuckDBPyConnection, end_month: str) -> pd.DataFrame:
    """Each district's latest MCV members counted in ``end_month`` or before, its households, share, target and
    distance; the force last (its figure as analytics.measures.figures makes it)."""
    rows = []
    for area in [*(d.name for d in definitions.districts()), None]:
        found = members(con, area, end_month)
        p = found.progress
        rows.append({
            "district": area or "Kent", "members": None if found.latest is None else found.latest.value,
            "as_at": None if found.latest is None else found.latest.period, "households": found.households,
            "share_pct": found.share_pct, "target": None if p is None else p.target,
            "distance": None if p is None else p.distance,
        })
    return pd.DataFrame(rows, columns=MEMBER_COLUMNS)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    for column in ("value", "last_year"):
        frame[column] = pd.to_numeric(frame[column]).astype("Float64")
    return frame


def weekly_series(con: duckdb.DuckDBPyConnection, measure: str, district: str | None, end_month: str,
                  weeks: int = 26) -> pd.DataFrame:
    """The last ``weeks`` ISO weeks counted in months up to ``end_month``: each week's figure (given, or the sum
    of its 7 days) and the same ISO week a year earlier; <NA> where not loaded."""
    codes: list[str] = []
    month_code = end_month
    while len(codes) < weeks:
        codes = [w.code for w in weeks_of_month(month_code)] + codes
        month_code = shift_month(month_code, -1)
    codes = codes[-weeks:]
    found = series(con, measure, district, WEEK)
    rows: list[dict[str, object]] = []
    for code in codes:
        before = year_earlier(code)
        point = found.get(code)
        rows.append({"period": code, "label": short_label(code), "value": None if point is None else point.figure,
                     "last_year": None if before is None or before not in found else found[before].figure,
                     "basis": None if point is None else point.basis})
    return _frame(rows)


def monthly_series(con: duckdb.DuckDBPyConnection, measure: str, district: str | None, end_month: str,
                   months: int = 25) -> pd.DataFrame:
    """Each of the ``months`` months to ``end_month``: its figure (given or built from its weeks) and the same
    month a year earlier; <NA> where not loaded."""
    found = series(con, measure, district, MONTH)
    rows: list[dict[str, object]] = []
    for code in month_range(shift_month(end_month, 1 - months), end_month):
        point, before = found.get(code), found.get(shift_month(code, -12))
        rows.append({"period": code, "label": short_label(code), "value": None if point is None else point.figure,
                     "last_year": None if before is None else before.figure,
                     "basis": None if point is None else point.basis})
    return _frame(rows)


def signups_weekly(con: duckdb.DuckDBPyConnection, district: str | None, end_month: str,
                   weeks: int = 26) -> pd.DataFrame:
    return weekly_series(con, MCV_SIGNUPS, district, end_month, weeks)


def alerts_monthly(con: duckdb.DuckDBPyConnection, district: str | None, end_month: str,
                   months: int = 25) -> pd.DataFrame:
    return monthly_series(con, MCV_ALERTS, district, end_month, months)


def members_trend(con: duckdb.DuckDBPyConnection, district: str | None, end_month: str) -> list[Point]:
    """MCV members by date, counted in ``end_month`` or before (one figure per date, the finest grain)."""
    return dated_levels(p for p in area_points(con, MCV_MEMBERS, district) if p.month <= end_month)
