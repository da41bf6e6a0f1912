"""Rates per 1,000 residents by district (ONS mid-year population, DESIGN §4)."""

from __future__ import annotations

import math

import pandas as pd

from analytics import store
from analytics.domain import definitions
from analytics.domain.periods import Period
from analytics.domain.rounding import round_half_away
from analytics.figures.breakdowns import period_groups
from analytics.figures.common import Con, cells, frame

RATE_COLUMNS = ("code", "district", "population", "count", "rate_per_1000", "last_year", "change", "pct_change", "z",
                "signal")


def district_names(con: Con) -> list[str]:
    """The force's districts, alphabetical."""
    return [r[0] for r in con.execute(store.sql("figures/district_names")).fetchall()]


def rates_per_1000(con: Con, *, measure: str, period: Period, source: str) -> pd.DataFrame:
    """Per force district: count over the period, rate per 1,000 residents (ref_districts.population; 2 dp, half
    away from zero), and last year's count with its change. count and rate need every month of the period covered,
    last_year every month a year earlier (analytics.figures.common). A district without a usable population (none,
    or not positive) has no rate rather than breaking the page.

    Only the force districts: rows outside the force area or without a district are in no district's rate.
    Resident population is a poor denominator for town centres and the night-time economy.
    """
    totals, this_ok, last_ok = period_groups(con, measure, "district", period, source, None)
    population = dict(con.execute(store.sql("figures/district_population")).fetchall())
    rows = []
    for d in definitions.districts():
        pop = population.get(d.name, d.population)
        count, last = totals.get(d.name, (0 if this_ok else None, 0 if last_ok else None))
        c = cells(count, last)
        rate = math.nan if count is None or not pop or pop < 0 else round_half_away(count * 1000, pop, 2)
        rows.append({"code": d.code, "district": d.name, "population": pop, "count": count, "rate_per_1000": rate,
                     "last_year": last, "change": c["change"], "pct_change": c["pct_change"], "z": c["z"],
                     "signal": c["signal"]})
    return frame(rows, RATE_COLUMNS)
