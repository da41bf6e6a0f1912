"""The victim-based crime solved rate (DESIGN §3: solved = a positive outcome, from the editable outcomes file).

Cohort basis (default): victim-based crimes recorded in the months with a positive outcome ÷ victim-based crimes
recorded in the months. Outcome-date basis: victim-based crimes given a positive outcome in the months (whenever
recorded) ÷ victim-based crimes recorded in the months. Rates and pp_change come from the exact counts, each
rounded once to 1 dp half away from zero. A period's figures need every month of it covered (coverage rule,
analytics.figures.common).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analytics import store
from analytics.domain.periods import Period, month_date, month_range, shift_month, short_label
from analytics.domain.rounding import pp_change, rate
from analytics.domain.signals import is_signal, z_score
from analytics.figures.common import Con, check_district, frame, month_of

BASES = ("cohort", "outcome_date")


@dataclass(frozen=True)
class SolvedRate:
    """The VBC solved rate for a period and the same months last year.

    solved/total are None unless every month of the period is covered, last year's unless every month a year
    earlier is; pp_change, z and signal need both. months are the period's months when this period's figures
    exist, else empty.
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


def _solved_by_month(
    con: Con, source: str, months: Sequence[str], district: str | None, basis: str
) -> dict[str, tuple[int, int] | None]:
    """{month: (solved, total)} or None where the source has no crime rows in the month."""
    if basis not in BASES:
        raise ValueError("basis must be 'cohort' or 'outcome_date'")
    if not months:
        return {}
    ordered = sorted(set(months))
    where = check_district(district)
    params = {"source": source, "first": month_date(ordered[0]), "last": month_date(ordered[-1]), "district": where}
    rows = {month_of(m): (solved, total)
            for m, rows_any, total, solved in con.execute(store.sql("figures/solved_counts"), params).fetchall()
            if rows_any}
    if basis == "outcome_date":
        params = {"source": source, "first": month_date(ordered[0]),
                  "after": month_date(shift_month(ordered[-1], 1)), "district": where}
        by_outcome = {month_of(m): n
                      for m, n in con.execute(store.sql("figures/solved_by_outcome_date"), params).fetchall()}
        rows = {m: (by_outcome.get(m, 0), total) for m, (_, total) in rows.items()}
    return {m: rows.get(m) for m in ordered}


def solved_rate(
    con: Con, *, period: Period, source: str, district: str | None = None, basis: str = "cohort"
) -> SolvedRate:
    """The VBC solved rate over the period against the same months last year (coverage rule: see module)."""
    by_month = _solved_by_month(con, source, period.months + period.last_year, district, basis)

    def sums(months: Sequence[str]) -> tuple[int | None, int | None]:
        found = [by_month[m] for m in months]
        known = [c for c in found if c is not None]
        if len(known) < len(found):
            return None, None
        return sum(c[0] for c in known), sum(c[1] for c in known)

    s1, t1 = sums(period.months)
    s0, t0 = sums(period.last_year)
    z = z_score(s1, s0)
    return SolvedRate(s1, t1, rate(s1, t1), s0, t0, rate(s0, t0), pp_change(s1, t1, s0, t0), basis, is_signal(z),
                      z, tuple(period.months) if s1 is not None else ())


def solved_rate_series(
    con: Con, *, source: str, end: str, months: int = 25, district: str | None = None, basis: str = "cohort"
) -> pd.DataFrame:
    """month, label, solved, total (Int64, <NA> where not covered), rate (1 dp) for the months ending at `end`."""
    shown = month_range(shift_month(end, 1 - months), end)
    by_month = _solved_by_month(con, source, shown, district, basis)
    rows = []
    for m in shown:
        found = by_month[m]
        solved, total = found if found is not None else (None, None)
        rows.append({"month": m, "label": short_label(m), "solved": solved, "total": total,
                     "rate": rate(solved, total)})
    return frame(rows, ("month", "label", "solved", "total", "rate"))
