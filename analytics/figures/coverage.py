"""What each source covers: months per kind, gaps and partial months, the latest month, and which months a period
can end at and be compared with a year earlier.

Coverage, latest month and completeness read the whole history (every page asks for them), so the row counts per
source, kind and month (the aggregate fact_months) are kept per database file until the next load, replacement or
roll-back changes its batches, with what is worked out from them per source. In-memory databases are not cached.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from analytics import store
from analytics.domain import definitions
from analytics.domain.kinds import Kind, Measure
from analytics.domain.periods import Period, make_period, month_range, shift_month
from analytics.figures import kept
from analytics.figures.common import Con, month_counts

# A covered month is "partial" when its count is below PARTIAL_SHARE of the median of the covered months within
# PARTIAL_REACH months either side (see partial_month).
PARTIAL_SHARE = 0.6
PARTIAL_REACH = 2
PARTIAL_MIN_NEIGHBOURS = 1


@dataclass(frozen=True)
class QualityFlag:
    month: str  # 'YYYY-MM'
    kind: str  # 'asb' | 'crime': coverage is a property of the kind, so VBC and all crime share it
    issue: str  # 'missing' | 'partial'
    detail: str


History = list[tuple[str, str, str, int]]


def _kept(con: Con) -> kept.Kept:
    """What is kept for the connection's file (analytics.figures.kept), its whole-history counts first."""
    found = kept.current(con)
    found.get(("history",), lambda: con.execute(store.sql("figures/coverage")).fetchall())
    return found


def _rows(found: kept.Kept) -> History:
    rows: History = found.get(("history",), list)
    return rows


def _history(con: Con) -> History:
    """(source, kind, month, rows) for every source, kind and month with live rows."""
    return _rows(_kept(con))


def clear_cache() -> None:
    """Forget kept whole-history counts and every other kept input (the benchmark times the uncached path)."""
    kept.clear()


def loaded_sources(con: Con) -> list[str]:
    """Sources with live rows, police.uk first then by name."""
    found = _kept(con)
    return list(found.get(("sources",), lambda: definitions.sorted_sources({src for src, _, _, _ in _rows(found)})))


def coverage(con: Con) -> pd.DataFrame:
    """source, kind ('asb' | 'crime'), month, count: the rows each source holds per month."""
    df = pd.DataFrame(_history(con), columns=["source", "kind", "month", "count"])
    df["count"] = df["count"].astype("Int64")
    return df


def _by_source(con: Con) -> dict[tuple[str, str], dict[str, int]]:
    kept_now = _kept(con)

    def make() -> dict[tuple[str, str], dict[str, int]]:
        out: dict[tuple[str, str], dict[str, int]] = {}
        for src, k, m, n in _rows(kept_now):
            out.setdefault((src, k), {})[m] = n
        return out

    found: dict[tuple[str, str], dict[str, int]] = kept_now.get(("by source",), make)
    return found


def kind_counts(con: Con, kind: str, source: str) -> dict[str, int]:
    """{month: rows} of one kind for the source, every month it covers."""
    return dict(_by_source(con).get((source, str(kind)), {}))


def _months_by_kind(con: Con, source: str) -> list[set[str]]:
    """The months the source has rows for, one set per kind it holds (ASB, crime)."""
    by_source = _by_source(con)
    kinds = [set(by_source.get((source, str(k)), {})) for k in Kind]
    return [k for k in kinds if k]


def first_month(con: Con, *, source: str) -> str | None:
    """The first month with rows of any kind, None when the source has none."""
    kinds = _months_by_kind(con, source)
    return min(set().union(*kinds)) if kinds else None


def covered_months(con: Con, *, source: str) -> set[str]:
    """Months covered for every kind the source holds (for a source with one kind, that kind)."""
    def make() -> frozenset[str]:
        kinds = _months_by_kind(con, source)
        return frozenset(set.intersection(*kinds)) if kinds else frozenset()

    return set(_kept(con).get(("covered", source), make))


def latest_month(con: Con, *, source: str) -> str | None:
    """The latest month with both ASB and crime rows for the source; for a source holding only one kind, the
    latest month of that kind; None when the source has no rows."""
    covered = covered_months(con, source=source)
    return max(covered) if covered else None


def partial_month(month: str, counts: dict[str, int]) -> tuple[float, int] | None:
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
    partial extract. With `months`, only those months are reported. Ordered by month, then ASB before crime.
    """
    if months is None:  # the whole history's flags: kept with the counts
        return list(_kept(con).get(("flags", source), lambda: tuple(_flags(con, source, None))))
    return _flags(con, source, months)


def _flags(con: Con, source: str, months: Sequence[str] | None) -> list[QualityFlag]:
    per_kind: dict[Kind, dict[str, int]]
    if months is None:
        per_kind = {kind: kind_counts(con, kind, source) for kind in Kind}
        every = sorted(set(per_kind[Kind.ASB]) | set(per_kind[Kind.CRIME]))
        if not every:
            return []
        asked: Sequence[str] = month_range(every[0], every[-1])
    else:
        asked = sorted(set(months))
        if not asked:
            return []
        # only the months asked and their neighbours: a window the month filter can prune to
        window = month_range(shift_month(asked[0], -PARTIAL_REACH), shift_month(asked[-1], PARTIAL_REACH))
        per_kind = {}
        for kind, measure in ((Kind.ASB, Measure.ASB), (Kind.CRIME, Measure.ALL_CRIME)):
            found = month_counts(con, measure, source, window, None)
            per_kind[kind] = {m: n for m, n in found.items() if n is not None}
    flags: list[QualityFlag] = []
    for kind, counts in per_kind.items():
        if months is None and not counts:
            continue
        word = kind.word
        first, last = (min(counts), max(counts)) if counts else (None, None)
        for m in asked:
            if m not in counts:
                if months is not None:
                    where = "the source does not cover this month"
                elif first is None or last is None:
                    where = f"{source} has no {word} rows at all"
                elif m < first:
                    where = f"before its first {word} month ({first})"
                elif m > last:
                    where = f"after its last {word} month ({last})"
                else:
                    where = "a gap in its months"
                flags.append(QualityFlag(m, kind, "missing", f"No {word} rows from {source} for {m}: {where}."))
                continue
            partial = partial_month(m, counts)
            if partial:
                median, n = partial
                flags.append(QualityFlag(
                    m, kind, "partial",
                    f"{counts[m]:,} {word} rows from {source} for {m}, {counts[m] / median:.0%} of the median "
                    f"({median:,.0f}) of the {n} covered months within two months of it: probably a partial extract.",
                ))
    flags.sort(key=lambda f: (f.month, f.kind))
    return flags


def end_month_options(con: Con, *, source: str, kind: str = "1m") -> list[str]:
    """Months a period of ``kind`` (a key of analytics.domain.periods.PERIOD_CHOICES, or 'Nm') can end at, newest
    first: those whose every month the source covers (for every kind of row it holds). A period with a gap, or
    reaching back before the source's first month, is never offered: it would show no total."""
    def make() -> tuple[str, ...]:
        covered = covered_months(con, source=source)
        return tuple(sorted((m for m in covered if all(x in covered for x in make_period(m, kind).months)),
                            reverse=True))

    return list(_kept(con).get(("ends", source, kind), make))


def comparable_end_month(con: Con, *, source: str, kind: str = "1m") -> str | None:
    """The latest month a period of ``kind`` can end at and be compared with a year earlier: the source covers
    every month of the period and the same months last year, for both ASB and crime (for a source with one kind,
    that kind). None when there is no such month."""
    covered = covered_months(con, source=source)
    for m in end_month_options(con, source=source, kind=kind):
        if all(shift_month(x, -12) in covered for x in make_period(m, kind).months):
            return m
    return None


def default_end_month(con: Con, *, source: str, kind: str = "1m") -> str | None:
    """The latest complete month a period of ``kind`` can end at and be compared with a year earlier.

    Complete: the latest month a period of the kind can end at (end_month_options), stepping back over trailing
    months quality_flags marks partial or missing. A performance view is a comparison, so when that period has no
    same months last year loaded (the bundled demo holds 2024 only up to April) the default is the latest one that
    has, if any. None when no period of the kind is covered.
    """
    found: str | None = _kept(con).get(("default end", source, kind),
                                       lambda: _default_end_month(con, source=source, kind=kind))
    return found


def _default_end_month(con: Con, *, source: str, kind: str) -> str | None:
    options = end_month_options(con, source=source, kind=kind)
    if not options:
        return None
    flagged = {f.month for f in quality_flags(con, source=source)}
    complete = next((m for m in options if m not in flagged), options[0])
    comparable = comparable_end_month(con, source=source, kind=kind)
    return comparable if comparable is not None and comparable < complete else complete


@dataclass(frozen=True)
class Gaps:
    """The months of a period, and of the same months a year earlier, that the source does not cover."""

    period: Period
    missing_now: tuple[str, ...]
    missing_before: tuple[str, ...]

    @property
    def any(self) -> bool:
        return bool(self.missing_now or self.missing_before)


def period_gaps(con: Con, *, period: Period, source: str) -> Gaps:
    covered = covered_months(con, source=source)
    return Gaps(period, tuple(m for m in period.months if m not in covered),
                tuple(shift_month(m, -12) for m in period.months if shift_month(m, -12) not in covered))


@dataclass(frozen=True)
class Freshness:
    """How fresh and complete a source is: its span, and its gaps and partial months as (month, kind) pairs."""

    latest: str | None
    first: str | None
    missing: tuple[tuple[str, str], ...]
    partial: tuple[tuple[str, str], ...]


def freshness(con: Con, *, source: str) -> Freshness:
    flags = quality_flags(con, source=source)
    return Freshness(latest_month(con, source=source), first_month(con, source=source),
                     tuple((f.month, f.kind) for f in flags if f.issue == "missing"),
                     tuple((f.month, f.kind) for f in flags if f.issue == "partial"))


def last_loaded(con: Con, *, source: str) -> datetime | None:
    """When the source's live rows were last loaded (the newest load still in use), None when nothing is."""
    row = con.execute(store.sql("figures/last_loaded"), {"source": source}).fetchone()
    value = row[0] if row else None
    return value if isinstance(value, datetime) else None


def solved_outcomes(con: Con) -> list[tuple[str, str]]:
    """(outcome, description) of every outcome the solved rate counts as solved, from the outcomes reference file."""
    return [(str(o), str(d)) for o, d in con.execute(store.sql("figures/solved_outcomes")).fetchall()]


def victim_based_crime_types(con: Con) -> list[str]:
    """The crime types whose offence groups are victim-based, from the offence groups reference file."""
    return [str(r[0]) for r in con.execute(store.sql("figures/victim_based_groups")).fetchall()]
