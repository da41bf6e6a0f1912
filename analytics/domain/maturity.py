"""Outcome maturity: when two periods' solved rates can be compared like for like (DESIGN §4).

A crime's outcome is **pending** while it may still change: its outcome is one the outcomes reference file marks
pending ("Under investigation", "Status update unavailable", "Awaiting court outcome" and the force equivalents),
or no outcome is recorded at all. The cohort solved rate counts every positive outcome given so far, so a period
whose crimes have had less time has more of them pending and a lower rate, with no change in performance.

**Comparable maturity**: the two periods' pending shares (pending crimes ÷ crimes recorded, in percent) differ by at
most MATURITY_TOLERANCE_PP percentage points, compared exactly from the counts. Then the comparison is like for
like; otherwise it is not, and its change is never called a signal. Maturity cannot be known (None) when either
period has no figures (a month not covered, or no crimes), or when neither period records a single outcome (the
source gives no outcomes, so nothing says how far they have got).

**Same age** (age-matched): as at a date D, a crime recorded this period counts as solved if its positive outcome is
dated on or before D, one recorded a year earlier if dated on or before year_earlier(D). Both periods' crimes have
then had the same time to be solved.
"""

from __future__ import annotations

import calendar
from datetime import date

MATURITY_TOLERANCE_PP = 2


def comparable(pending: int | None, total: int | None, last_pending: int | None, last_total: int | None, *,
               outcomes_recorded: bool = True) -> bool | None:
    """True when the pending shares pending/total and last_pending/last_total differ by at most
    MATURITY_TOLERANCE_PP points (exact integer arithmetic); None when maturity cannot be known (see module)."""
    if pending is None or total is None or last_pending is None or last_total is None:
        return None
    if not total or not last_total or not outcomes_recorded:
        return None
    # |p/t − q/s| × 100 ≤ k  ⇔  100 × |p·s − q·t| ≤ k × t × s
    return 100 * abs(pending * last_total - last_pending * total) <= MATURITY_TOLERANCE_PP * total * last_total


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def year_earlier(day: date) -> date:
    """The same date a year earlier. A month's last day maps to that month's last day a year earlier (28 February
    2025 -> 29 February 2024), because police.uk outcomes are dated at their month's end; 29 February maps to 28."""
    year = day.year - 1
    if day == month_end(day):
        return month_end(date(year, day.month, 1))
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))
