"""Breakdowns of a period against the same months last year: by call type, ASB category, crime type, district, and
victim-based crime by outcome group.

Breakdowns follow the coverage rule (analytics.figures.common): this period's counts when every month of the period
is covered, last year's when every month of last year's period is covered, changes only when both.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.domain import definitions
from analytics.domain.kinds import Measure
from analytics.domain.kinds import measure as as_measure
from analytics.domain.periods import Period
from analytics.domain.rounding import round_half_away
from analytics.figures.common import NOT_RECORDED, OUTCOME_COUNTS, Con, Row, cells, check_district, frame, grouped

# A district value that is neither a force district nor "Outside force area" is shown as "Unknown": names the
# reference file does not know (a mis-mapped column, a typo) are for the analyst's load report, never for viewers.
DISTRICT_SHOWN = (f"CASE WHEN district IN (SELECT name FROM ref_districts) OR district = "
                  f"'{definitions.OUTSIDE_FORCE_AREA}' THEN district ELSE '{definitions.UNKNOWN_DISTRICT}' END")
BREAKDOWN_KEYS: dict[str, tuple[str, frozenset[Measure]]] = {
    # by: (SQL expression, measures it applies to) — the only expressions that reach SQL text
    "call_type": ("call_type", frozenset({Measure.ASB})),
    "category": ("CASE WHEN call_type IS NULL THEN NULL ELSE category END", frozenset({Measure.ASB})),
    "crime_type": ("crime_type", frozenset({Measure.VBC, Measure.ALL_CRIME})),
    "district": (DISTRICT_SHOWN, frozenset(Measure)),
}
BREAKDOWN_COLUMNS = ("name", "count", "last_year", "change", "pct_change", "z", "signal")

Totals = dict[str | None, tuple[int | None, int | None]]


def period_groups(
    con: Con, measure: str, key: str, period: Period, source: str, district: str | None
) -> tuple[Totals, bool, bool]:
    """{group: (count this period, count last year)}, and whether every month of this period and of last year's
    period is covered. A side not wholly covered is None for every group."""
    by_group, covered = grouped(con, measure, key, source, period.months + period.last_year, district)
    this_ok = all(m in covered for m in period.months)
    last_ok = all(m in covered for m in period.last_year)
    totals: Totals = {
        name: (sum(by_month.get(m, 0) for m in period.months) if this_ok else None,
               sum(by_month.get(m, 0) for m in period.last_year) if last_ok else None)
        for name, by_month in by_group.items()
    }
    return totals, this_ok, last_ok


def _rank(row: Row) -> tuple[Any, ...]:
    """By change ascending; rows without a change (a side not covered) after them, largest count first."""
    change, count = row["change"], row["count"]
    if change is not None:
        return (0, change, 0, row["name"])
    return (1, 0, -(count or 0), row["name"])


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
    m = as_measure(measure)  # an unknown measure is named as such before "does not apply"
    if m not in applies:
        raise ValueError(f"breakdown by {by} does not apply to {m.value}")
    totals, this_ok, last_ok = period_groups(con, m, key, period, source, district)
    if by in {"call_type", "category"}:
        if not any(name is not None for name in totals):
            return frame([], BREAKDOWN_COLUMNS)
        totals = {(NOT_RECORDED if name is None else name): v for name, v in totals.items()}
    if by == "district" and (this_ok or last_ok):
        chosen = check_district(district)
        wanted = [chosen] if chosen else [d.name for d in definitions.districts()]
        for name in wanted:
            totals.setdefault(name, (0 if this_ok else None, 0 if last_ok else None))
    rows = [{"name": name, **cells(*values)} for name, values in totals.items()]
    rows.sort(key=_rank)
    return frame(rows, BREAKDOWN_COLUMNS)


def outcome_breakdown(con: Con, *, period: Period, source: str, district: str | None = None) -> pd.DataFrame:
    """Victim-based crimes recorded in the period's covered months by Home Office outcome group (their latest
    outcome): outcome_group, count, share_pct (of all VBC in those months, 1 dp), solved; largest first.
    """
    counts: dict[tuple[str, bool], int] = {}
    by_group, _ = grouped(con, Measure.VBC, "outcome_group || '|' || solved", source, period.months, district,
                          view=OUTCOME_COUNTS)
    for name, by_month in by_group.items():
        group, solved = str(name).rsplit("|", 1)
        counts[(group, solved == "true")] = sum(by_month.values())
    total = sum(counts.values())
    rows: list[Row] = [{"outcome_group": g, "count": n, "share_pct": round_half_away(n * 100, total), "solved": s}
                       for (g, s), n in counts.items()]
    rows.sort(key=lambda r: (-r["count"], r["outcome_group"]))
    df = frame(rows, ("outcome_group", "count", "share_pct", "solved"))
    df["solved"] = df["solved"].astype(bool)  # frame types "solved" as a count (solved_rate_series); here a flag
    return df
