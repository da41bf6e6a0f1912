"""Counts over time: a period against the same months last year, monthly series, rolling 12 months, annual totals.

Totals follow the coverage rule of analytics.figures.common: a total's ``count`` is the sum of the period's months
when EVERY month of the period is covered, else ``<NA>``; ``last_year`` the sum of the same months a year earlier
when every one of them is covered, else ``<NA>``; change, pct_change, z and signal only when both exist. So a period
with no last year still has its total, and a 12-month period with 4 comparable months has no Total rather than a
4-month sum labelled "Total".
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.domain.periods import Period, financial_year_label, month_range, parse_month, shift_month, short_label
from analytics.figures.common import Con, cells, covered_counts, frame, month_counts, sum_if_all

COMPARISON_COLUMNS = ("month", "label", "count", "last_year", "change", "pct_change", "z", "signal")
ROLLING_COLUMNS = ("month", "label", "rolling_12", "previous_12", "change", "pct_change", "z", "signal")
ANNUAL_COLUMNS = ("year", "months_covered", "count", "last_year", "change", "pct_change", "z", "signal", "complete")


def comparison(con: Con, *, measure: str, period: Period, source: str, district: str | None = None) -> pd.DataFrame:
    """Each month of the period against the same month last year, then the period 'Total' row.

    Columns: month, label, count, last_year, change (Int64, <NA> where not covered), pct_change, z (float, NaN
    where not computable), signal (bool). The Total's count needs every month of the period covered and its
    last_year every month a year earlier (see module).
    """
    counts = month_counts(con, measure, source, list(period.months) + list(period.last_year), district)
    rows = [{"month": m, "label": short_label(m), **cells(counts[m], counts[shift_month(m, -12)])}
            for m in period.months]
    total = cells(sum_if_all(counts[m] for m in period.months), sum_if_all(counts[m] for m in period.last_year))
    rows.append({"month": "Total", "label": "Total", **total})
    return frame(rows, COMPARISON_COLUMNS)


def monthly_series(
    con: Con, *, measure: str, source: str, end: str, months: int = 25, district: str | None = None
) -> pd.DataFrame:
    """month, label, count, last_year (Int64, <NA> where not covered) for the `months` months ending at `end`."""
    shown = month_range(shift_month(end, 1 - months), end)
    counts = month_counts(con, measure, source, list(shown) + [shift_month(m, -12) for m in shown], district)
    rows = [{"month": m, "label": short_label(m), "count": counts[m], "last_year": counts[shift_month(m, -12)]}
            for m in shown]
    return frame(rows, ("month", "label", "count", "last_year"))


def rolling_12(
    con: Con, *, measure: str, source: str, end: str, months: int = 13, district: str | None = None
) -> pd.DataFrame:
    """For each of the `months` months ending at `end`: the 12 months ending there against the 12 before.

    rolling_12 / previous_12 are <NA> when any of their 12 months is not covered.
    """
    shown = month_range(shift_month(end, 1 - months), end)
    counts = month_counts(con, measure, source, month_range(shift_month(shown[0], -23), end), district)

    def window(last: str) -> int | None:
        return sum_if_all(counts[shift_month(last, -i)] for i in range(12))

    rows = []
    for m in shown:
        c = cells(window(m), window(shift_month(m, -12)))
        rows.append({"month": m, "label": short_label(m), "rolling_12": c["count"], "previous_12": c["last_year"],
                     "change": c["change"], "pct_change": c["pct_change"], "z": c["z"], "signal": c["signal"]})
    return frame(rows, ROLLING_COLUMNS)


def _all_month_counts(con: Con, measure: str, source: str, district: str | None) -> dict[str, int | None]:
    """Counts for every month from the source's first to its last month of the measure's kind."""
    found = covered_counts(con, measure, source, date(1, 1, 1), date(9999, 12, 1), district)
    if not found:
        return {}
    return {m: found.get(m) for m in month_range(min(found), max(found))}


def annual_totals(
    con: Con, *, measure: str, source: str, basis: str = "calendar", district: str | None = None
) -> pd.DataFrame:
    """Totals per calendar year ('2025') or financial year ('2024/25') the source covers.

    count sums the year's covered months (months_covered of 12; complete when all 12). last_year is the previous
    year over the same months, <NA> unless all of them are covered, so an incomplete year is compared like with
    like.
    """
    if basis not in {"calendar", "financial"}:
        raise ValueError("basis must be 'calendar' or 'financial'")
    counts = _all_month_counts(con, measure, source, district)

    def year_of(month: str) -> int:
        year, number = parse_month(month)
        return year if basis == "calendar" or number >= 4 else year - 1

    years: dict[int, list[str]] = {}
    for m, n in counts.items():
        if n is not None:
            years.setdefault(year_of(m), []).append(m)
    rows = []
    for year, covered in sorted(years.items()):
        last = sum_if_all(counts.get(shift_month(m, -12)) for m in covered)
        this = sum_if_all(counts[m] for m in covered)
        rows.append({"year": str(year) if basis == "calendar" else financial_year_label(year),
                     "months_covered": len(covered), **cells(this, last), "complete": len(covered) == 12})
    return frame(rows, ANNUAL_COLUMNS)
