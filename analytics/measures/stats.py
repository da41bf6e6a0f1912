"""The statistics a survey measure is read with.

**Wilson interval** (95%): for x satisfied of n surveyed, p = x / n and z = 1.959964 (the two-sided 95% normal
quantile), the interval is

    (p + z²/2n ± z·√(p(1 − p)/n + z²/4n²)) / (1 + z²/n)

It stays within 0–100% and is sound for small samples and shares near 0 or 100%, where p ± z·√(p(1 − p)/n) is not.

**Change on last year**: the two-proportion z test of analytics.figures.control.two_proportion_test (pooled
standard error, two-sided, significant at the 5% level when |z| ≥ 1.96), with satisfied and surveyed in place of
solved and total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analytics.figures.control import ProportionTest, two_proportion_test

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    share: float  # x / n, a fraction
    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """The Wilson score interval of successes / n (fractions); ValueError unless 0 <= successes <= n and n > 0."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"a share needs 0 <= satisfied <= surveyed and surveyed > 0 (got {successes} of {n})")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # at 0 or n the interval ends exactly at 0% or 100% (rounding would leave it a hair inside)
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return Interval(p, low, high)


def change_test(satisfied: int, surveyed: int, satisfied_before: int, surveyed_before: int) -> ProportionTest:
    """Two-proportion z test of satisfied/surveyed against the year before (see the module)."""
    return two_proportion_test(satisfied, surveyed, satisfied_before, surveyed_before)
