"""The year-on-year signal test for counts (DESIGN §4).

z = 2(√this year − √last year) is the variance-stabilised difference of two Poisson counts; |z| ≥ 3 is a change
beyond normal variation (a *signal*). A comparison that is not like-for-like is never a signal, whatever z is.
"""

from __future__ import annotations

import math

SIGNAL_Z = 3.0


def z_score(count: int | None, last_year: int | None) -> float:
    """2(√count − √last_year); NaN when either count is missing."""
    if count is None or last_year is None:
        return math.nan
    return 2.0 * (math.sqrt(count) - math.sqrt(last_year))


def is_signal(z: float) -> bool:
    return not math.isnan(z) and abs(z) >= SIGNAL_Z
