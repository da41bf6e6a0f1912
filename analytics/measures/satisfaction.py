"""Victim satisfaction: the share satisfied over a reporting period with its 95% Wilson interval, the change on
the same period a year earlier and whether it is significant (two-proportion z test, 5% level), and the optional
comparison figure (e.g. the England and Wales average) entered as a measure.

A period's share pools its months: the satisfied and the surveyed of every month, added (each month's figure given
or built from complete weeks, analytics.measures.figures); a month not loaded means no figure for the period.
The comparison figure shown is the latest one entered for a period counted in the period's last month or before.
Kent's share is *in line* with it when it lies within Kent's 95% interval, else above or below it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.domain.periods import Period, month_range, shift_month
from analytics.figures.control import ProportionTest
from analytics.measures.catalogue import SATISFACTION, SATISFACTION_EW
from analytics.measures.engagement import period_figure
from analytics.measures.figures import Point, area_points, latest_in, series
from analytics.measures.periods import MONTH, short_label
from analytics.measures.stats import Interval, change_test

IN_LINE, ABOVE, BELOW = "in line with", "above", "below"


@dataclass(frozen=True)
class Satisfaction:
    district: str | None
    period: Period
    figure: Point | None  # satisfied (value) of surveyed over the period
    interval: Interval | None
    last_year: Point | None
    last_year_interval: Interval | None
    test: ProportionTest | None  # None without both periods
    comparison: Point | None  # the comparison figure (per cent), force-wide
    against_comparison: str | None  # IN_LINE | ABOVE | BELOW

    @property
    def significant(self) -> bool:
        return self.test is not None and self.test.beyond_chance


def satisfaction(con: duckdb.DuckDBPyConnection, district: str | None, period: Period) -> Satisfaction:
    found = period_figure(con, SATISFACTION, district, period)
    now, before = found.figure, found.last_year
    interval = None if now is None else now.interval
    before_interval = None if before is None else before.interval
    test = None
    if now is not None and before is not None and now.surveyed and before.surveyed:
        test = change_test(int(now.value), now.surveyed, int(before.value), before.surveyed)
    comparison = latest_in(area_points(con, SATISFACTION_EW, None), period.end)
    against = None
    if comparison is not None and interval is not None:
        share = comparison.value / 100
        against = IN_LINE if interval.low <= share <= interval.high else (ABOVE if interval.low > share else BELOW)
    return Satisfaction(district, period, now, interval, before, before_interval, test, comparison, against)


MONTHLY_COLUMNS = ["period", "label", "satisfied", "surveyed", "share_pct", "low_pct", "high_pct", "comparison_pct"]


def satisfaction_monthly(con: duckdb.DuckDBPyConnection, district: str | None, end_month: str,
                         months: int = 13) -> pd.DataFrame:
    """Each month to ``end_month``: satisfied, surveyed, the share and its 95% Wilson interval (per cent), and the
    comparison figure entered for that month; <NA> where not loaded."""
    found = series(con, SATISFACTION, district, MONTH)
    compared = series(con, SATISFACTION_EW, None, MONTH)
    rows = []
    for code in month_range(shift_month(end_month, 1 - months), end_month):
        p = found.get(code)
        i = None if p is None else p.interval
        c = compared.get(code)
        rows.append({"period": code, "label": short_label(code), "satisfied": None if p is None else int(p.value),
                     "surveyed": None if p is None else p.surveyed, "share_pct": None if i is None else 100 * i.share,
                     "low_pct": None if i is None else 100 * i.low, "high_pct": None if i is None else 100 * i.high,
                     "comparison_pct": None if c is None else c.value})
    frame = pd.DataFrame(rows, columns=MONTHLY_COLUMNS)
    for column in ("satisfied", "surveyed"):
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    for column in ("share_pct", "low_pct", "high_pct", "comparison_pct"):
        frame[column] = pd.to_numeric(frame[column]).astype("Float64")
    return frame
