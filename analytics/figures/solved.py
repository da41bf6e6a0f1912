"""The victim-based crime solved rate (DESIGN §3: solved = a positive outcome, from the editable outcomes file).

Cohort basis (default): victim-based crimes recorded in the months with a positive outcome ÷ victim-based crimes
recorded in the months. Outcome-date basis: victim-based crimes given a positive outcome in the months (whenever
recorded) ÷ victim-based crimes recorded in the months. Rates and pp_change come from the exact counts, each
rounded once to 1 dp half away from zero. A period's figures need every month of it covered (coverage rule,
analytics.figures.common).

Outcome maturity (analytics.domain.maturity): each period's pending share, and whether the two are comparable; a
cohort comparison that is not like for like is never a signal. Where the source's outcomes are dated (force
extracts' outcome_date, police.uk outcomes files) the rate at the same age is given too: as at the data's date D (or
the date asked for), this period's crimes solved by D against last year's solved by D a year earlier.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from analytics import store
from analytics.domain.maturity import comparable, month_end, year_earlier
from analytics.domain.periods import Period, month_date, month_range, shift_month, short_label
from analytics.domain.rounding import pp_change, rate
from analytics.domain.signals import is_signal, z_score
from analytics.errors import InputRefused
from analytics.figures import kept
from analytics.figures.common import EVER, Con, check_district, frame, month_of

BASES = ("cohort", "outcome_date")
Counts = tuple[int, int, int, int]  # (solved, total, pending, with an outcome recorded)


@dataclass(frozen=True)
class MatchedRate:
    """The solved rate at the same age: this period's crimes solved as at ``as_at`` against last year's solved as
    at ``last_year_as_at`` (a year earlier).

    A side's solved/total are None when a month of it is not covered or, for a source with police.uk outcomes
    files, when an outcomes month the side needs is not loaded (``missing_months``: those months, 'YYYY-MM').
    """

    as_at: date
    last_year_as_at: date
    solved: int | None
    total: int | None
    rate: float
    last_year_solved: int | None
    last_year_total: int | None
    last_year_rate: float
    pp_change: float
    z: float
    signal: bool
    missing_months: tuple[str, ...] = ()


@dataclass(frozen=True)
class SolvedRate:
    """The VBC solved rate for a period and the same months last year.

    solved/total are None unless every month of the period is covered, last year's unless every month a year
    earlier is; pp_change, z and signal need both. months are the period's months when this period's figures
    exist, else empty. pending/pending_share: crimes whose outcome is still pending (analytics.domain.maturity),
    the share in percent (1 dp). like_for_like: the two periods at comparable maturity (None when that cannot be
    known); when False, signal is False whatever z is. matched: the rate at the same age, where outcomes are dated.
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
    pending: int | None = None
    last_year_pending: int | None = None
    pending_share: float = math.nan
    last_year_pending_share: float = math.nan
    like_for_like: bool | None = None
    matched: MatchedRate | None = None


def _solved_by_month(
    con: Con, source: str, months: Sequence[str], district: str | None, basis: str
) -> dict[str, Counts | None]:
    """{month: (solved, total, pending, with outcome)} or None where the source has no crime rows in the month."""
    if basis not in BASES:
        raise ValueError("basis must be 'cohort' or 'outcome_date'")
    if not months:
        return {}
    ordered = sorted(set(months))
    where = check_district(district)
    every = {"source": source, "first": EVER[0], "last": EVER[1], "district": where}
    # the whole history once per version of the aggregates (analytics.figures.kept), then the months asked
    found = kept.current(con)
    rows: dict[str, Counts] = found.get(("solved counts", source, where), lambda: {
        month_of(m): (solved, total, pending, recorded)
        for m, rows_any, total, solved, pending, recorded
        in con.execute(store.sql("figures/solved_counts"), every).fetchall() if rows_any})
    if basis == "outcome_date":
        by_outcome: dict[str, int] = found.get(("solved by outcome date", source, where), lambda: {
            month_of(m): n for m, n in con.execute(store.sql("figures/solved_by_outcome_date"),
                                                   {"source": source, "first": EVER[0], "after": EVER[1],
                                                    "district": where}).fetchall()})
        rows = {m: (by_outcome.get(m, 0), total, pending, recorded)
                for m, (_, total, pending, recorded) in rows.items()}
    return {m: rows.get(m) for m in ordered}


@dataclass(frozen=True)
class OutcomeDates:
    """What a source says about when outcomes came: its data date D (None when it holds no crimes), whether any
    crime carries an outcome date, and the months of its police.uk outcome events."""

    data_date: date | None
    dated: bool
    event_months: tuple[str, ...]

    @property
    def any(self) -> bool:
        return self.dated or bool(self.event_months)


def outcome_dates(con: Con, *, source: str) -> OutcomeDates:
    found: OutcomeDates = kept.current(con).get(("outcome dates", source), lambda: _outcome_dates(con, source))
    return found


def _outcome_dates(con: Con, source: str) -> OutcomeDates:
    row = con.execute(store.sql("figures/outcome_dates"), {"source": source}).fetchone()
    if row is None:
        return OutcomeDates(None, False, ())
    data_date, dated, months = row
    return OutcomeDates(data_date, bool(dated), tuple(months or ()))


def data_date(con: Con, *, source: str) -> date | None:
    """D: the latest day a crime of the source was recorded or given an outcome (see outcome_dates.sql)."""
    return outcome_dates(con, source=source).data_date


def _solved_as_at(con: Con, source: str, months: Sequence[str], district: str | None, as_at: date) -> dict[str, int]:
    params = {"source": source, "first": month_date(months[0]), "last": month_date(months[-1]),
              "district": check_district(district), "after": as_at + timedelta(days=1)}
    found: dict[str, int] = kept.current(con).get(("solved as at", *params.values()), lambda: {
        month_of(m): solved for m, solved in con.execute(store.sql("figures/solved_as_at"), params).fetchall()})
    return dict(found)


def matched_rate(
    con: Con, *, period: Period, source: str, district: str | None = None, as_at: date | None = None,
) -> MatchedRate | None:
    """The solved rate at the same age (analytics.domain.maturity), or None when the source's outcomes are not dated.

    ``as_at`` defaults to the source's data date D; one asked for must not be after D (this year's outcomes would
    be counted short) nor before the period's last day (some of its crimes would not be recorded yet).
    """
    dates = outcome_dates(con, source=source)
    if not dates.any or dates.data_date is None:
        if as_at is not None:
            raise InputRefused("No outcome dates", f"{source} records no outcome dates (no force extract outcome "
                               "dates, no police.uk outcomes files), so there is no solved rate at the same age to "
                               "take as at a date: leave out --as-at.")
        return None
    day = dates.data_date if as_at is None else as_at
    period_end = month_end(month_date(period.end))
    if as_at is not None and as_at > dates.data_date:
        raise InputRefused("As-at date after the data",
                           f"--as-at {as_at:%Y-%m-%d} is after the latest date loaded for {source} "
                           f"({dates.data_date:%Y-%m-%d}): outcomes after that are not known yet. Give a date on or "
                           "before it.")
    if as_at is not None and as_at < period_end:
        raise InputRefused("As-at date inside the period",
                           f"--as-at {as_at:%Y-%m-%d} is before the period ends ({period_end:%Y-%m-%d}): crimes "
                           "recorded after it would count as not solved. Give a date on or after the period's end.")
    before = year_earlier(day)
    by_month = _solved_by_month(con, source, period.months + period.last_year, district, "cohort")

    def side(months: Sequence[str], when: date) -> tuple[int | None, int | None, tuple[str, ...]]:
        found = [by_month[m] for m in months]
        if any(c is None for c in found):
            return None, None, ()
        missing: tuple[str, ...] = ()
        if dates.event_months:  # outcomes files: every month from the first crime's to the as-at date's is needed
            missing = tuple(m for m in month_range(months[0], month_of(when)) if m not in dates.event_months)
        if missing:
            return None, None, missing
        solved = _solved_as_at(con, source, months, district, when)
        return sum(solved.get(m, 0) for m in months), sum(c[1] for c in found if c is not None), ()

    s1, t1, gap1 = side(period.months, day)
    s0, t0, gap0 = side(period.last_year, before)
    z = z_score(s1, s0)
    return MatchedRate(day, before, s1, t1, rate(s1, t1), s0, t0, rate(s0, t0), pp_change(s1, t1, s0, t0), z,
                       is_signal(z), tuple(sorted({*gap1, *gap0})))


def solved_rate(
    con: Con, *, period: Period, source: str, district: str | None = None, basis: str = "cohort",
    as_at: date | None = None,
) -> SolvedRate:
    """The VBC solved rate over the period against the same months last year (coverage rule: see module), with
    each period's pending share, whether they are comparable, and (cohort basis) the rate at the same age."""
    by_month = _solved_by_month(con, source, period.months + period.last_year, district, basis)

    def sums(months: Sequence[str]) -> Counts | None:
        found = [by_month[m] for m in months]
        known = [c for c in found if c is not None]
        if len(known) < len(found):
            return None
        return (sum(c[0] for c in known), sum(c[1] for c in known), sum(c[2] for c in known),
                sum(c[3] for c in known))

    now, before = sums(period.months), sums(period.last_year)
    s1, t1, p1, r1 = now if now is not None else (None, None, None, 0)
    s0, t0, p0, r0 = before if before is not None else (None, None, None, 0)
    like = comparable(p1, t1, p0, t0, outcomes_recorded=bool(r1 or r0))
    z = z_score(s1, s0)
    matched = matched_rate(con, period=period, source=source, district=district, as_at=as_at) \
        if basis == "cohort" else None
    return SolvedRate(s1, t1, rate(s1, t1), s0, t0, rate(s0, t0), pp_change(s1, t1, s0, t0), basis,
                      is_signal(z) and like is not False, z, tuple(period.months) if s1 is not None else (),
                      p1, p0, rate(p1, t1), rate(p0, t0), like, matched)


def solved_rate_series(
    con: Con, *, source: str, end: str, months: int = 25, district: str | None = None, basis: str = "cohort"
) -> pd.DataFrame:
    """month, label, solved, total, pending (Int64, <NA> where not covered), rate (1 dp) for the months ending at
    `end`; pending counts the crimes whose outcome is still pending (analytics.domain.maturity)."""
    shown = month_range(shift_month(end, 1 - months), end)
    by_month = _solved_by_month(con, source, shown, district, basis)
    rows = []
    for m in shown:
        found = by_month[m]
        solved, total, pending = found[:3] if found is not None else (None, None, None)
        rows.append({"month": m, "label": short_label(m), "solved": solved, "total": total, "pending": pending,
                     "rate": rate(solved, total)})
    return frame(rows, ("month", "label", "solved", "total", "pending", "rate"))
