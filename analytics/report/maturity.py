"""The solved rate's maturity in words: why a comparison is not like for like, and the rate at the same age.

Plain numbers in, one sentence out, so the tile, the screen's sentences, the commentary and the summary text say
the same thing (analytics.domain.maturity defines the rules).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from analytics.domain.maturity import MATURITY_TOLERANCE_PP
from analytics.report import formatting as fmt

NOT_LIKE_FOR_LIKE = "not like-for-like"


def day_label(day: date) -> str:
    """'31 December 2025'."""
    return f"{day.day} {day:%B %Y}"


def not_like_for_like(pending_share: Any, last_year_pending_share: Any, pp_change: Any) -> str:
    """The one plain sentence saying why a cohort comparison is not like for like."""
    change = f"the {fmt.fmt_pp(pp_change)} change" if not fmt.is_missing(pp_change) else "the change"
    return (f"Not like-for-like: in the data loaded, {fmt.fmt_rate(pending_share)} of this period's crimes and "
            f"{fmt.fmt_rate(last_year_pending_share)} of last year's still await an outcome, so {change} reflects how "
            "far investigations had got, not performance.")


def cohort_line(rate: Any, pp_change: Any, pending_share: Any, last_year_pending_share: Any) -> str:
    """Under a same-age headline: the cohort rate and why it is not like for like, in one sentence."""
    return (f"On all outcomes to date: {fmt.fmt_rate(rate)}, {fmt.fmt_pp(pp_change)} on last year, "
            f"{NOT_LIKE_FOR_LIKE}: {fmt.fmt_rate(pending_share)} of this period's crimes and "
            f"{fmt.fmt_rate(last_year_pending_share)} of last year's still await an outcome.")


def same_age_basis(as_at: date, last_year_as_at: date) -> str:
    """'Both years counted with the same time to be solved: outcomes up to 31 December 2025 and 31 December 2024.'"""
    return (f"Both years counted with the same time to be solved: outcomes up to {day_label(as_at)} and "
            f"{day_label(last_year_as_at)}.")


def pending_line(pending_share: Any, last_year_pending_share: Any) -> str:
    """'Still awaiting an outcome: 3.8% of this period's crimes, 25.9% of last year's (like for like within 2
    points).'"""
    return (f"Still awaiting an outcome: {fmt.fmt_rate(pending_share)} of this period's crimes, "
            f"{fmt.fmt_rate(last_year_pending_share)} of last year's (like for like within "
            f"{MATURITY_TOLERANCE_PP} points).")


def same_age(as_at: date, last_year_as_at: date, rate: Any, last_year_rate: Any, pp_change: Any,
             signal: bool) -> str:
    """'At the same age (this year's outcomes up to 31 December 2025, last year's up to 31 December 2024): 8.1%
    against 5.8%, +2.3 pp; within normal variation.'"""
    when = f"this year's outcomes up to {day_label(as_at)}, last year's up to {day_label(last_year_as_at)}"
    if fmt.is_missing(rate):
        return f"At the same age ({when}): no rate, the outcomes it needs are not all loaded."
    if fmt.is_missing(last_year_rate) or fmt.is_missing(pp_change):
        return (f"At the same age ({when}): {fmt.fmt_rate(rate)}; no rate for last year, the outcomes it needs "
                "are not all loaded.")
    verdict = "a signal: beyond normal variation" if signal else "within normal variation"
    return (f"At the same age ({when}): {fmt.fmt_rate(rate)} against {fmt.fmt_rate(last_year_rate)}, "
            f"{fmt.fmt_pp(pp_change)}; {verdict}.")


def not_tested(pending_share: Any, last_year_pending_share: Any) -> str:
    """In place of a test of the change: a comparison that is not like for like is not tested."""
    return (f"The change in the solved rate is not tested for chance: it is {NOT_LIKE_FOR_LIKE} (in the data "
            f"loaded, {fmt.fmt_rate(pending_share)} of this period's crimes and "
            f"{fmt.fmt_rate(last_year_pending_share)} of last year's still await an outcome).")
