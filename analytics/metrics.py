"""Every figure of the performance report, from the views ``asb`` and ``crime`` (definitions: DESIGN.md §3–4).

Measures: ``asb`` (ASB incidents by reported month), ``vbc`` (victim-based crime by recorded month) and
``all_crime``. Every figure is for one source; figures from different sources are never added together.

Coverage. A month is *covered* by a source for a kind (ASB or crime) when the source has at least one live row
of that kind in the month, in any district. An uncovered month has no count (``<NA>``), never 0, and carries no
change; a covered month with no rows in the chosen district counts 0.

Year-on-year cells. For a month m: ``count`` = rows in m, ``last_year`` = rows in m − 12 months, ``change`` =
count − last_year, ``pct_change`` = change ÷ last_year × 100 rounded once to one decimal place, half away from
zero, from the exact integers (NaN when last year is 0 or either side is not covered). ``z`` = 2(√count −
√last_year), the variance-stabilised difference of two Poisson counts; ``signal`` is |z| ≥ 3 (False when z
cannot be computed).

Period totals never hide a count that exists, and never pass off part of a period as the whole of it:
- Total ``count`` = the sum of the period's months when EVERY month of the period is covered, else ``<NA>``;
  ``last_year`` = the sum of the same months a year earlier when every one of them is covered, else ``<NA>``;
  change, pct_change, z and signal only when both exist. So a period with no last year still has its total,
  and a 12-month period with 4 comparable months has no Total rather than a 4-month sum labelled "Total".
- Breakdowns (call type, category, crime type, district) and rates per 1,000 follow the same rule: this
  period's counts (and rates) when every month of the period is covered, last year's when every month of last
  year's period is covered, changes only when both.
- Solved rate likewise: this period's solved, total and rate when every month is covered, last year's when
  every month a year earlier is covered, pp_change, z and signal only when both.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics import definitions, store
from analytics.errors import NotFound
from analytics.periods import (
    Period,
    financial_year_label,
    make_period,
    month_date,
    month_range,
    parse_month,
    shift_month,
    short_label,
)

SQL_DIR = Path(__file__).with_name("sql")
SIGNAL_Z = 3.0
# A covered month is "partial" when its count is below this share of the median of the covered months within
# PARTIAL_REACH months either side (see _partial).
PARTIAL_SHARE = 0.6
PARTIAL_REACH = 2
PARTIAL_MIN_NEIGHBOURS = 1

MEASURES: dict[str, tuple[str, str]] = {
    # measure: (view, filter on that view) — the only identifiers that reach SQL text
    "asb": ("asb", "TRUE"),
    "vbc": ("crime", "vbc"),
    "all_crime": ("crime", "TRUE"),
}
BREAKDOWN_KEYS: dict[str, tuple[str, frozenset[str]]] = {
    # by: (expression, measures it applies to)
    "call_type": ("call_type", frozenset({"asb"})),
    "category": ("CASE WHEN call_type IS NULL THEN NULL ELSE category END", frozenset({"asb"})),
    "crime_type": ("crime_type", frozenset({"vbc", "all_crime"})),
    "district": ("district", frozenset(MEASURES)),
}
NOT_RECORDED = "Not recorded"
OTHER_DISTRICTS = (definitions.OUTSIDE_FORCE_AREA, definitions.UNKNOWN_DISTRICT)

Con = duckdb.DuckDBPyConnection


# ---------------------------------------------------------------------------------------------- arithmetic


def round_half_away(numerator: int, denominator: int, places: int = 1) -> float:
    """numerator ÷ denominator rounded once to `places` decimals, half away from zero, in integer arithmetic."""
    if denominator == 0:
        raise ZeroDivisionError("round_half_away: denominator is 0")
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    scaled = abs(numerator) * 10**places
    quotient, remainder = divmod(scaled, abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return sign * quotient / 10**places if quotient else 0.0


def pct_change(count: int | None, last_year: int | None) -> float:
    """Percentage change rounded once to 1 dp; NaN when last year is 0 or either count is missing."""
    if count is None or last_year is None or last_year == 0:
        return math.nan
    return round_half_away((count - last_year) * 100, last_year)


def z_score(count: int | None, last_year: int | None) -> float:
    """2(√count − √last_year); NaN when either count is missing."""
    if count is None or last_year is None:
        return math.nan
    return 2.0 * (math.sqrt(count) - math.sqrt(last_year))


def is_signal(z: float) -> bool:
    return not math.isnan(z) and abs(z) >= SIGNAL_Z


def _cells(count: int | None, last_year: int | None) -> dict[str, Any]:
    change = None if count is None or last_year is None else count - last_year
    z = z_score(count, last_year)
    return {
        "count": count,
        "last_year": last_year,
        "change": change,
        "pct_change": pct_change(count, last_year),
        "z": z,
        "signal": is_signal(z),
    }


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    for col in columns:
        if col in {"count", "last_year", "change", "rolling_12", "previous_12", "solved", "total", "population",
                   "months_covered"}:
            df[col] = df[col].astype("Int64")
        elif col in {"pct_change", "z", "rate", "rate_per_1000", "share_pct"}:
            df[col] = df[col].astype("float64")
        elif col in {"signal", "complete"}:
            df[col] = df[col].astype(bool)
    return df


COMPARISON_COLUMNS = ("month", "label", "count", "last_year", "change", "pct_change", "z", "signal")


# ---------------------------------------------------------------------------------------------- SQL helpers


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _measure(measure: str) -> tuple[str, str]:
    try:
        return MEASURES[measure]
    except KeyError:
        raise ValueError(f"unknown measure {measure!r}: use one of {', '.join(MEASURES)}") from None


def check_district(district: str | None) -> str | None:
    """The canonical district name, or NotFound naming the valid ones. None means the whole force."""
    if district is None:
        return None
    for other in OTHER_DISTRICTS:
        if definitions.normalise_key(district) == definitions.normalise_key(other):
            return other
    name = definitions.match_district(district)
    if name is None:
        valid = ", ".join([d.name for d in definitions.districts()] + list(OTHER_DISTRICTS))
        raise NotFound("Unknown district", f"There is no district called {district!r}. Valid districts: {valid}.")
    return name


def _fetch(con: Con, sql: str, params: dict[str, Any]) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def _covered_counts(
    con: Con, measure: str, source: str, first: date, last: date, district: str | None
) -> dict[str, int]:
    """{month: count} for the months in [first, last] the source covers for the measure's kind."""
    view, where = _measure(measure)
    rows = _fetch(
        con,
        _sql("month_counts").format(view=view, measure_filter=where),
        {"source": source, "first": first, "last": last, "district": check_district(district)},
    )
    return {month_of(m): n for m, rows_any, n in rows if rows_any}


def _month_counts(
    con: Con, measure: str, source: str, months: Iterable[str], district: str | None
) -> dict[str, int | None]:
    """Count for each month asked; None where the source does not cover the month for the measure's kind."""
    months = sorted(set(months))
    if not months:
        return {}
    found = _covered_counts(con, measure, source, month_date(months[0]), month_date(months[-1]), district)
    return {m: found.get(m) for m in months}


def _sum_if_all(values: Iterable[int | None]) -> int | None:
    """The sum when every value exists (every month covered), else None."""
    values = list(values)
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


# ---------------------------------------------------------------------------------------------- comparisons


def comparison(con: Con, *, measure: str, period: Period, source: str, district: str | None = None) -> pd.DataFrame:
    """Each month of the period against the same month last year, then the period 'Total' row.

    Columns: month, label, count, last_year, change (Int64, <NA> where not covered), pct_change, z (float, NaN
    where not computable), signal (bool). The Total's count needs every month of the period covered and its
    last_year every month a year earlier (see module).
    """
    wanted = list(period.months) + list(period.last_year)
    counts = _month_counts(con, measure, source, wanted, district)
    rows = []
    for month in period.months:
        rows.append({"month": month, "label": short_label(month),
                     **_cells(counts[month], counts[shift_month(month, -12)])})
    total = _cells(_sum_if_all(counts[m] for m in period.months),
                   _sum_if_all(counts[m] for m in period.last_year))
    rows.append({"month": "Total", "label": "Total", **total})
    return _frame(rows, COMPARISON_COLUMNS)


def year_to_date(
    con: Con, *, measure: str, source: str, end: str, basis: str = "financial", district: str | None = None
) -> pd.DataFrame:
    """Year to date (financial: from April; calendar: from January) to `end` against the same months last year.

    One row shaped like a comparison Total row; month is 'YTD' and label names the months.
    """
    if basis not in {"financial", "calendar"}:
        raise ValueError("basis must be 'financial' or 'calendar'")
    period = make_period(end, "fytd" if basis == "financial" else "cytd")
    total = comparison(con, measure=measure, period=period, source=source, district=district).iloc[[-1]].copy()
    total["month"] = "YTD"
    total["label"] = period.label
    return total.reset_index(drop=True)


def monthly_series(
    con: Con, *, measure: str, source: str, end: str, months: int = 25, district: str | None = None
) -> pd.DataFrame:
    """month, label, count, last_year (Int64, <NA> where not covered) for the `months` months ending at `end`."""
    shown = month_range(shift_month(end, 1 - months), end)
    counts = _month_counts(con, measure, source, list(shown) + [shift_month(m, -12) for m in shown], district)
    rows = [{"month": m, "label": short_label(m), "count": counts[m], "last_year": counts[shift_month(m, -12)]}
            for m in shown]
    return _frame(rows, ("month", "label", "count", "last_year"))


def rolling_12(
    con: Con, *, measure: str, source: str, end: str, months: int = 13, district: str | None = None
) -> pd.DataFrame:
    """For each of the `months` months ending at `end`: the 12 months ending there against the 12 before.

    rolling_12 / previous_12 are <NA> when any of their 12 months is not covered.
    """
    shown = month_range(shift_month(end, 1 - months), end)
    counts = _month_counts(con, measure, source, month_range(shift_month(shown[0], -23), end), district)

    def window(last: str) -> int | None:
        return _sum_if_all(counts[shift_month(last, -i)] for i in range(12))

    rows = []
    for m in shown:
        cells = _cells(window(m), window(shift_month(m, -12)))
        rows.append({"month": m, "label": short_label(m), "rolling_12": cells["count"],
                     "previous_12": cells["last_year"], "change": cells["change"],
                     "pct_change": cells["pct_change"], "z": cells["z"], "signal": cells["signal"]})
    return _frame(rows, ("month", "label", "rolling_12", "previous_12", "change", "pct_change", "z", "signal"))


def _all_month_counts(con: Con, measure: str, source: str, district: str | None) -> dict[str, int | None]:
    """Counts for every month from the source's first to its last month of the measure's kind."""
    found = _covered_counts(con, measure, source, date(1, 1, 1), date(9999, 12, 1), district)
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
        last = _sum_if_all(counts.get(shift_month(m, -12)) for m in covered)
        cells = _cells(sum(counts[m] for m in covered), last)
        rows.append({"year": str(year) if basis == "calendar" else financial_year_label(year),
                     "months_covered": len(covered), **cells, "complete": len(covered) == 12})
    return _frame(rows, ("year", "months_covered", "count", "last_year", "change", "pct_change", "z", "signal",
                         "complete"))


# ---------------------------------------------------------------------------------------------- breakdowns


def _grouped(
    con: Con, measure: str, key: str, source: str, months: Sequence[str], district: str | None
) -> tuple[dict[str | None, dict[str, int]], set[str]]:
    """{group: {month: count}} over the months asked, and the months asked that the source covers (one scan)."""
    view, where = _measure(measure)
    if not months:
        return {}, set()
    ordered = sorted(months)
    rows = _fetch(
        con,
        _sql("grouped_counts").format(key=key, view=view, measure_filter=where),
        {"source": source, "first": month_date(ordered[0]), "last": month_date(ordered[-1]),
         "district": check_district(district)},
    )
    wanted = set(months)
    out: dict[str | None, dict[str, int]] = {}
    covered: set[str] = set()
    for name, day, n in rows:
        month = month_of(day)
        if month in wanted:
            covered.add(month)
            if n:
                out.setdefault(name, {})[month] = n
    return out, covered


def _period_groups(
    con: Con, measure: str, key: str, period: Period, source: str, district: str | None
) -> tuple[dict[str | None, tuple[int | None, int | None]], bool, bool]:
    """{group: (count this period, count last year)}, and whether every month of this period and of last year's
    period is covered. A side not wholly covered is None for every group."""
    grouped, covered = _grouped(con, measure, key, source, period.months + period.last_year, district)
    this_ok = all(m in covered for m in period.months)
    last_ok = all(m in covered for m in period.last_year)
    totals = {
        name: (sum(by_month.get(m, 0) for m in period.months) if this_ok else None,
               sum(by_month.get(m, 0) for m in period.last_year) if last_ok else None)
        for name, by_month in grouped.items()
    }
    return totals, this_ok, last_ok


def _rank(row: dict[str, Any]) -> tuple:
    """By change ascending; rows without a change (a side not covered) after them, largest count first."""
    change, count = row["change"], row["count"]
    if change is not None:
        return (0, change, 0, row["name"])
    return (1, 0, -(count or 0), row["name"])


BREAKDOWN_COLUMNS = ("name", "count", "last_year", "change", "pct_change", "z", "signal")


def breakdown(
    con: Con, *, measure: str, by: str, period: Period, source: str, district: str | None = None
) -> pd.DataFrame:
    """Counts by call type, ASB category, crime type or district over the period against the same months last
    year, ordered by change ascending (largest reductions first, largest increases last); rows without a change
    follow, largest count first. count is <NA> unless every month of the period is covered, last_year unless
    every month a year earlier is (see module).

    Call types and categories are empty for a source that records none (police.uk); rows of a force source
    without a call type show as 'Not recorded'. The district breakdown lists all 13 force districts (0 when none)
    plus 'Outside force area' / 'Unknown' when they have rows.
    """
    if by not in BREAKDOWN_KEYS:
        raise ValueError(f"unknown breakdown {by!r}: use one of {', '.join(BREAKDOWN_KEYS)}")
    key, applies = BREAKDOWN_KEYS[by]
    _measure(measure)  # an unknown measure is named as such before "does not apply"
    if measure not in applies:
        raise ValueError(f"breakdown by {by} does not apply to {measure}")
    totals, this_ok, last_ok = _period_groups(con, measure, key, period, source, district)
    if by in {"call_type", "category"}:
        if not any(name is not None for name in totals):
            return _frame([], BREAKDOWN_COLUMNS)
        totals = {(NOT_RECORDED if name is None else name): v for name, v in totals.items()}
    if by == "district" and (this_ok or last_ok):
        wanted = [check_district(district)] if district else [d.name for d in definitions.districts()]
        for name in wanted:
            totals.setdefault(name, (0 if this_ok else None, 0 if last_ok else None))
    rows = [{"name": name, **_cells(*values)} for name, values in totals.items()]
    rows.sort(key=_rank)
    return _frame(rows, BREAKDOWN_COLUMNS)


def rates_per_1000(con: Con, *, measure: str, period: Period, source: str) -> pd.DataFrame:
    """Per force district: count over the period, rate per 1,000 residents (ONS mid-2023,
    ref_districts.population; 2 dp, half away from zero), and last year's count with its change. count and rate
    need every month of the period covered, last_year every month a year earlier (see module).

    Only the 13 force districts: rows outside the force area or without a district are in no district's rate.
    Resident population is a poor denominator for town centres and the night-time economy.
    """
    totals, this_ok, last_ok = _period_groups(con, measure, "district", period, source, None)
    population = dict(con.execute("SELECT name, population FROM ref_districts").fetchall())
    rows = []
    for d in definitions.districts():
        pop = population.get(d.name, d.population)
        count, last = totals.get(d.name, (0 if this_ok else None, 0 if last_ok else None))
        cells = _cells(count, last)
        rate = math.nan if count is None else round_half_away(count * 1000, pop, 2)
        rows.append({"code": d.code, "district": d.name, "population": pop, "count": count,
                     "rate_per_1000": rate, "last_year": last, "change": cells["change"],
                     "pct_change": cells["pct_change"], "z": cells["z"], "signal": cells["signal"]})
    return _frame(rows, ("code", "district", "population", "count", "rate_per_1000", "last_year", "change",
                         "pct_change", "z", "signal"))


def outcome_breakdown(con: Con, *, period: Period, source: str, district: str | None = None) -> pd.DataFrame:
    """Victim-based crimes recorded in the period's covered months by Home Office outcome group (their latest
    outcome): outcome_group, count, share_pct (of all VBC in those months, 1 dp), solved; largest first.
    """
    rows_in: dict[tuple[str, bool], int] = {}
    grouped, _ = _grouped(con, "vbc", "outcome_group || '|' || solved", source, period.months, district)
    for name, by_month in grouped.items():
        group, solved = name.rsplit("|", 1)
        rows_in[(group, solved == "true")] = sum(by_month.values())
    total = sum(rows_in.values())
    rows = [{"outcome_group": g, "count": n, "share_pct": round_half_away(n * 100, total), "solved": s}
            for (g, s), n in rows_in.items()]
    rows.sort(key=lambda r: (-r["count"], r["outcome_group"]))
    df = _frame(rows, ("outcome_group", "count", "share_pct", "solved"))
    df["solved"] = df["solved"].astype(bool)  # _frame types "solved" as a count (solved_rate_series); here a flag
    return df


# ---------------------------------------------------------------------------------------------- solved rate


@dataclass(frozen=True)
class SolvedRate:
    """The VBC solved rate for a period and the same months last year.

    Cohort basis (default): victim-based crimes recorded in the months with a positive outcome ÷ victim-based
    crimes recorded in the months. Outcome-date basis: victim-based crimes given a positive outcome in the months
    (whenever recorded) ÷ victim-based crimes recorded in the months. Rates and pp_change come from the exact
    counts, each rounded once to 1 dp half away from zero. solved/total are None unless every month of the
    period is covered, last year's unless every month a year earlier is; pp_change, z and signal need both.
    months are the period's months when this period's figures exist, else empty.
    """

    solved: int | None
    total: int | None
    rate: float
    last_year_solved: int | None
    last_year_total: int | None
    last_year_rate: float
    pp_change: float
    basis: str
    signal: bool
    z: float = math.nan
    months: tuple[str, ...] = ()


def _rate(solved: int | None, total: int | None) -> float:
    if solved is None or not total:
        return math.nan
    return round_half_away(solved * 100, total)


def _pp_change(s1: int | None, t1: int | None, s0: int | None, t0: int | None) -> float:
    if None in (s1, t1, s0, t0) or not t1 or not t0:
        return math.nan
    # s1/t1 − s0/t0 in percentage points over the common denominator, rounded once
    return round_half_away((s1 * t0 - s0 * t1) * 100, t1 * t0)


def _solved_by_month(
    con: Con, source: str, months: Sequence[str], district: str | None, basis: str
) -> dict[str, tuple[int, int] | None]:
    """{month: (solved, total)} or None where the source has no crime rows in the month."""
    if basis not in {"cohort", "outcome_date"}:
        raise ValueError("basis must be 'cohort' or 'outcome_date'")
    if not months:
        return {}
    ordered = sorted(set(months))
    params = {"source": source, "first": month_date(ordered[0]), "last": month_date(ordered[-1]),
              "district": check_district(district)}
    rows = {month_of(m): (solved, total) for m, rows_any, total, solved in _fetch(con, _sql("solved_counts"), params)
            if rows_any}
    if basis == "outcome_date":
        params = {"source": source, "first": month_date(ordered[0]),
                  "after": month_date(shift_month(ordered[-1], 1)), "district": params["district"]}
        by_outcome = {month_of(m): n for m, n in _fetch(con, _sql("solved_by_outcome_date"), params)}
        rows = {m: (by_outcome.get(m, 0), total) for m, (_, total) in rows.items()}
    return {m: rows.get(m) for m in ordered}


def solved_rate(
    con: Con, *, period: Period, source: str, district: str | None = None, basis: str = "cohort"
) -> SolvedRate:
    """The VBC solved rate over the period against the same months last year (coverage rule: see module)."""
    by_month = _solved_by_month(con, source, period.months + period.last_year, district, basis)

    def sums(months: Sequence[str]) -> tuple[int | None, int | None]:
        cells = [by_month[m] for m in months]
        known = [c for c in cells if c is not None]
        if len(known) < len(cells):
            return None, None
        return sum(c[0] for c in known), sum(c[1] for c in known)

    s1, t1 = sums(period.months)
    s0, t0 = sums(period.last_year)
    z = z_score(s1, s0)
    return SolvedRate(s1, t1, _rate(s1, t1), s0, t0, _rate(s0, t0), _pp_change(s1, t1, s0, t0), basis,
                      is_signal(z), z, tuple(period.months) if s1 is not None else ())


def solved_rate_series(
    con: Con, *, source: str, end: str, months: int = 25, district: str | None = None, basis: str = "cohort"
) -> pd.DataFrame:
    """month, label, solved, total (Int64, <NA> where not covered), rate (1 dp) for the months ending at `end`."""
    shown = month_range(shift_month(end, 1 - months), end)
    by_month = _solved_by_month(con, source, shown, district, basis)
    rows = []
    for m in shown:
        solved, total = by_month[m] if by_month[m] is not None else (None, None)
        rows.append({"month": m, "label": short_label(m), "solved": solved, "total": total,
                     "rate": _rate(solved, total)})
    return _frame(rows, ("month", "label", "solved", "total", "rate"))


# ---------------------------------------------------------------------------------------------- completeness


@dataclass(frozen=True)
class QualityFlag:
    month: str  # 'YYYY-MM'
    measure: str  # 'asb' | 'crime' (coverage is a property of the kind, so VBC and all crime share it)
    issue: str  # 'missing' | 'partial'
    detail: str


KIND_WORDS = {"asb": "ASB", "crime": "crime"}


# Whole-history row counts per source, kind and month, for the file and data version they were read at. Coverage,
# latest month and completeness read the whole history (every page asks for them), so they are kept until the next
# load, replacement, roll-back or reference edit changes store.data_version. In-memory databases are not cached.
_HISTORY: dict[str, tuple[str, list[tuple[str, str, str, int]]]] = {}


def _history(con: Con) -> list[tuple[str, str, str, int]]:
    """(source, kind, month, rows) for every source, kind and month with live rows."""
    row = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()").fetchone()
    path = row[0] if row else None
    version = store.data_version(con) if path else ""
    if path and path in _HISTORY and _HISTORY[path][0] == version:
        return _HISTORY[path][1]
    rows = [(src, kind, month_of(m), n) for src, kind, m, n in con.execute(_sql("coverage")).fetchall()]
    if path:
        _HISTORY[path] = (version, rows)
    return rows


def loaded_sources(con: Con) -> list[str]:
    """Sources with live rows, police.uk first then by name (store.sources, from the kept whole-history counts)."""
    names = {src for src, _, _, _ in _history(con)}
    return sorted(names, key=lambda n: (n != definitions.POLICE_UK_SOURCE, n))


def clear_cache() -> None:
    """Forget cached whole-history counts (the benchmark times the uncached path with it)."""
    _HISTORY.clear()


def _kind_counts(con: Con, kind: str, source: str) -> dict[str, int]:
    return {m: n for src, k, m, n in _history(con) if src == source and k == kind}


def _partial(month: str, counts: dict[str, int]) -> tuple[float, int] | None:
    """(median of the neighbouring covered months, how many) when `month` looks partial, else None.

    Rule: count < 60% of the median of the covered months within two months either side (at least one needed).
    Only near neighbours: ASB is strongly seasonal (a Kent July has over twice a January's incidents), so a wider
    window would flag every winter month; a month-to-month fall of 40% is beyond normal seasonal movement.
    """
    near = [shift_month(month, d) for d in range(-PARTIAL_REACH, PARTIAL_REACH + 1) if d]
    neighbours = [counts[m] for m in near if m in counts]
    if len(neighbours) < PARTIAL_MIN_NEIGHBOURS:
        return None
    median = statistics.median(neighbours)
    if counts[month] < PARTIAL_SHARE * median:
        return median, len(neighbours)
    return None


def quality_flags(con: Con, *, source: str, months: Sequence[str] | None = None) -> list[QualityFlag]:
    """Months that would distort a comparison, for ASB and crime separately.

    missing: a month with no rows of that kind from the source — inside the source's span (its first to last
    month of either kind) or, when `months` is given, any month asked for (then only the months asked and their
    neighbours are read, so the detail does not say where the source's data begins or ends). partial: a covered
    month whose count is below 60% of the median of the covered months within two months either side: probably a
    partial extract.
    With `months`, only those months are reported. Ordered by month, then ASB before crime.
    """
    flags: list[QualityFlag] = []
    if months is None:
        per_kind = {kind: _kind_counts(con, kind, source) for kind in ("asb", "crime")}
        every = sorted(set(per_kind["asb"]) | set(per_kind["crime"]))
        if not every:
            return []
        asked = month_range(every[0], every[-1])
    else:
        # only the months asked and their neighbours: a window the month filter can prune to
        asked = sorted(set(months))
        if not asked:
            return []
        window = month_range(shift_month(asked[0], -PARTIAL_REACH), shift_month(asked[-1], PARTIAL_REACH))
        per_kind = {}
        for kind, measure in (("asb", "asb"), ("crime", "all_crime")):
            counts = _month_counts(con, measure, source, window, None)
            per_kind[kind] = {m: n for m, n in counts.items() if n is not None}
    for kind, counts in per_kind.items():
        if months is None and not counts:
            continue
        word = KIND_WORDS[kind]
        first, last = (min(counts), max(counts)) if counts else (None, None)
        for m in asked:
            if m not in counts:
                if months is not None:
                    where = "the source does not cover this month"
                elif first is None:
                    where = f"{source} has no {word} rows at all"
                elif m < first:
                    where = f"before its first {word} month ({first})"
                elif m > last:
                    where = f"after its last {word} month ({last})"
                else:
                    where = "a gap in its months"
                flags.append(QualityFlag(m, kind, "missing", f"No {word} rows from {source} for {m}: {where}."))
                continue
            partial = _partial(m, counts)
            if partial:
                median, n = partial
                flags.append(QualityFlag(
                    m, kind, "partial",
                    f"{counts[m]:,} {word} rows from {source} for {m}, {counts[m] / median:.0%} of the median "
                    f"({median:,.0f}) of the {n} covered months within two months of it: probably a partial extract.",
                ))
    flags.sort(key=lambda f: (f.month, f.measure))
    return flags


def coverage(con: Con) -> pd.DataFrame:
    """source, measure ('asb' | 'crime'), month, count: the rows each source holds per month."""
    df = pd.DataFrame(_history(con), columns=["source", "measure", "month", "count"])
    df["count"] = df["count"].astype("Int64")
    return df


def latest_month(con: Con, *, source: str) -> str | None:
    """The latest month with both ASB and crime rows for the source; for a source holding only one kind, the
    latest month of that kind; None when the source has no rows."""
    asb = set(_kind_counts(con, "asb", source))
    crime = set(_kind_counts(con, "crime", source))
    both = asb & crime if asb and crime else asb | crime
    return max(both) if both else None


def district_names(con: Con) -> list[str]:
    """The force's 13 districts, alphabetical."""
    return [r[0] for r in con.execute("SELECT name FROM ref_districts ORDER BY name").fetchall()]


def month_of(value: date) -> str:
    """'YYYY-MM' of a date."""
    return f"{value.year:04d}-{value.month:02d}"
