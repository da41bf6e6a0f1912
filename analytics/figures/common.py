"""What every figure shares: the coverage rule, the year-on-year cells, typed frames, and the month-count queries.

Coverage. A month is *covered* by a source for a kind (ASB or crime) when the source has at least one live row
of that kind in the month, in any district. An uncovered month has no count (``<NA>``), never 0, and carries no
change; a covered month with no rows in the chosen district counts 0.

Year-on-year cells. For a month m: ``count`` = rows in m, ``last_year`` = rows in m − 12 months, ``change`` =
count − last_year, ``pct_change`` = change ÷ last_year × 100 rounded once to one decimal place, half away from
zero, from the exact integers (NaN when last year is 0 or either side is not covered). ``z`` and ``signal``: the
signal test of analytics.domain.signals (False when z cannot be computed).

Period totals never hide a count that exists, and never pass off part of a period as the whole of it: a total
needs every month of its period covered (see analytics.figures.counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from analytics import store
from analytics.domain import definitions
from analytics.domain.kinds import Measure
from analytics.domain.kinds import measure as as_measure
from analytics.domain.periods import month_date
from analytics.domain.rounding import pct_change
from analytics.domain.signals import is_signal, z_score
from analytics.errors import NotFound
from analytics.figures import kept

Con = duckdb.DuckDBPyConnection
Row = dict[str, Any]

NOT_RECORDED = "Not recorded"
OUTCOME_COUNTS = "crime_outcomes"  # crimes per month by outcome (schema.sql), beside the kind's monthly aggregate
OTHER_DISTRICTS = (definitions.OUTSIDE_FORCE_AREA, definitions.UNKNOWN_DISTRICT)
EVER = (date(1, 1, 1), date(9999, 12, 1))  # every month a source can hold

INT_COLUMNS = frozenset({"count", "last_year", "change", "rolling_12", "previous_12", "solved", "total", "pending",
                         "population", "months_covered"})
FLOAT_COLUMNS = frozenset({"pct_change", "z", "rate", "rate_per_1000", "share_pct"})
BOOL_COLUMNS = frozenset({"signal", "complete"})


def month_of(value: date) -> str:
    """'YYYY-MM' of a date."""
    return f"{value.year:04d}-{value.month:02d}"


def cells(count: int | None, last_year: int | None) -> Row:
    """The year-on-year cells of one row (see module)."""
    change = None if count is None or last_year is None else count - last_year
    z = z_score(count, last_year)
    return {"count": count, "last_year": last_year, "change": change, "pct_change": pct_change(count, last_year),
            "z": z, "signal": is_signal(z)}


def frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a frame with the figure dtypes: counts Int64 (<NA> where not covered), figures float, flags bool."""
    df = pd.DataFrame(list(rows), columns=list(columns))
    for col in columns:
        if col in INT_COLUMNS:
            df[col] = df[col].astype("Int64")
        elif col in FLOAT_COLUMNS:
            df[col] = df[col].astype("float64")
        elif col in BOOL_COLUMNS:
            df[col] = df[col].astype(bool)
    return df


def sum_if_all(values: Iterable[int | None]) -> int | None:
    """The sum when every value exists (every month covered), else None."""
    total = 0
    for v in values:
        if v is None:
            return None
        total += v
    return total


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


def covered_counts(
    con: Con, measure: str, source: str, first: date, last: date, district: str | None
) -> dict[str, int]:
    """{month: count} for the months in [first, last] the source covers for the measure's kind."""
    m = as_measure(measure)
    where = check_district(district)

    def every_month() -> dict[str, int]:
        rows = con.execute(
            store.sql("figures/month_counts").format(view=m.kind.counts, measure_filter=m.row_filter),
            {"source": source, "first": EVER[0], "last": EVER[1], "district": where},
        ).fetchall()
        return {month_of(month): n for month, rows_any, n in rows if rows_any}

    # the whole history once per version of the aggregates (analytics.figures.kept), then the months asked
    found = kept.current(con).get(("month counts", m.value, source, where), every_month)
    low, high = month_of(first), month_of(last)
    return {month: n for month, n in found.items() if low <= month <= high}


def month_counts(
    con: Con, measure: str, source: str, months: Iterable[str], district: str | None
) -> dict[str, int | None]:
    """Count for each month asked; None where the source does not cover the month for the measure's kind."""
    wanted = sorted(set(months))
    if not wanted:
        return {}
    found = covered_counts(con, measure, source, month_date(wanted[0]), month_date(wanted[-1]), district)
    return {m: found.get(m) for m in wanted}


def grouped(
    con: Con, measure: Measure | str, key: str, source: str, months: Sequence[str], district: str | None,
    *, view: str | None = None,
) -> tuple[dict[str | None, dict[str, int]], set[str]]:
    """{group: {month: count}} over the months asked, and the months asked that the source covers (one scan).

    ``key`` is an SQL expression from an allow-list (analytics.figures.breakdowns.BREAKDOWN_KEYS) over the columns
    of ``view``, the measure's monthly aggregate unless another is named (OUTCOME_COUNTS: crimes by outcome)."""
    m = as_measure(measure)
    if not months:
        return {}, set()
    if view not in (None, OUTCOME_COUNTS):
        raise ValueError(f"no monthly aggregate {view!r}")
    ordered = sorted(months)
    where = check_district(district)

    def fetch() -> list[tuple[Any, ...]]:
        return con.execute(
            store.sql("figures/grouped_counts").format(key=key, view=view or m.kind.counts,
                                                       measure_filter=m.row_filter),
            {"source": source, "first": month_date(ordered[0]), "last": month_date(ordered[-1]), "district": where},
        ).fetchall()

    rows = kept.current(con).get(("grouped", m.value, key, view, source, ordered[0], ordered[-1], where), fetch)
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
