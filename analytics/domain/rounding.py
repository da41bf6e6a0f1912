"""Rounding as the force report does it: once, to one decimal place, half away from zero, from exact integers.

Percentage changes, rates and percentage-point changes are computed in integer arithmetic and rounded once, so
0.05 rounds up and no float error moves a figure across a rounding boundary.
"""

from __future__ import annotations

import math


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


def rate(numerator: int | None, denominator: int | None) -> float:
    """numerator ÷ denominator as a percentage, 1 dp; NaN when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return math.nan
    return round_half_away(numerator * 100, denominator)


def pp_change(s1: int | None, t1: int | None, s0: int | None, t0: int | None) -> float:
    """s1/t1 − s0/t0 in percentage points over the common denominator, rounded once; NaN when not computable."""
    if s1 is None or t1 is None or s0 is None or t0 is None or not t1 or not t0:
        return math.nan
    return round_half_away((s1 * t0 - s0 * t1) * 100, t1 * t0)
