"""Casework in words and charts: repeat callers, the caller lookup, repeat locations, the case review register.

Frames in (from analytics.casework), sentences and Plotly figures out; nothing here holds or prints a caller
reference except where a function says so.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import pandas as pd

from analytics.report import formatting as fmt
from analytics.report.charts import LAST_YEAR, RISE, THIS_YEAR, _layout, month_ticks
from analytics.report.figure_spec import FigureSpec

POLICE_UK_CAVEAT = (
    "police.uk locations are snapped to anonymous map points, each standing for many addresses nearby, so on "
    "police.uk data a \u201clocation\u201d is the area around a street point, not an address, and incidents at "
    "one point may come from several streets.")


def day(value: date | None) -> str:
    """'30 Jun 2025'; '' for none."""
    if value is None or fmt.is_missing(value):
        return ""
    return f"{value.day} {calendar.month_abbr[value.month]} {value.year}"


def long_day(value: date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def yes_no(value: Any, unknown: str = "Not recorded") -> str:
    if value is None or fmt.is_missing(value):
        return unknown
    return "Yes" if bool(value) else "No"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def repeat_sentence(n: int, new: int, vulnerable: int, case_review: int, *, as_of: date, threshold_words: str,
                    start: date, case_review_words: str) -> str:
    """'554 repeat callers as at 31 December 2025 (3 or more incidents in 6 months: 1 July – 31 December 2025) …'"""
    if n == 0:
        return (f"No repeat callers as at {long_day(as_of)}: nobody has {threshold_words} "
                f"({long_day(start)} to {long_day(as_of)}).")
    return (f"{plural(n, 'repeat caller')} as at {long_day(as_of)} ({threshold_words}: {long_day(start)} to "
            f"{long_day(as_of)}); {new:,} became repeat callers this month, {vulnerable:,} are flagged vulnerable "
            f"and {case_review:,} meet the ASB Case Review threshold ({case_review_words}).")


def trend_sentence(trend: pd.DataFrame) -> str:
    if trend.empty:
        return "No months to show."
    first, last = trend.iloc[0], trend.iloc[-1]
    share = fmt.fmt_pct(last["share_pct"], signed=False)
    return (f"Repeat callers at each month end, {fmt.month_label(first['month'])} to "
            f"{fmt.month_label(last['month'])}: {int(first['repeat_callers']):,} then {int(last['repeat_callers']):,}; "
            f"in {fmt.month_label(last['month'])} {share} of incidents with a caller reference came from repeat "
            "callers.")


def trend_chart(trend: pd.DataFrame, *, title: str | None = None) -> FigureSpec:
    """Repeat callers at each month end (line) and those new that month (bars)."""
    labels = [fmt.month_short(m) for m in trend["month"]]
    fig = FigureSpec()
    fig.add_bar(x=labels, y=[int(v) for v in trend["new_repeat_callers"]], name="Became repeat callers that month",
                marker_color=LAST_YEAR)
    fig.add_scatter(x=labels, y=[int(v) for v in trend["repeat_callers"]], name="Repeat callers at the month end",
                    mode="lines+markers", line=dict(color=THIS_YEAR, width=3), marker=dict(size=6))
    fig.add_scatter(x=labels, y=[int(v) for v in trend["vulnerable_repeat_callers"]],
                    name="of whom vulnerable", mode="lines", line=dict(color=RISE, width=2, dash="dot"))
    _layout(fig, title=title, yaxis_title="Callers")
    return month_ticks(fig, labels)


def lookup_sentence(*, key: str, count: int, window_label: str, repeat: bool, repeat_words: str,
                    case_review: bool, case_review_count: int, case_review_words: str,
                    vulnerable: bool | None, vulnerable_before: bool) -> str:
    """What the call handler needs to hear, in one paragraph (this one names the caller reference)."""
    parts = [f"{key}: {plural(count, 'incident')} from {window_label}."]
    parts.append(f"{'A repeat caller' if repeat else 'Not a repeat caller'} ({repeat_words}).")
    if case_review:
        parts.append(f"Meets the ASB Case Review threshold ({case_review_words}: {case_review_count:,}): tell the "
                     "caller they can ask for a case review.")
    else:
        parts.append(f"Below the ASB Case Review threshold ({case_review_words}: {case_review_count:,} so far).")
    if vulnerable:
        parts.append("Flagged vulnerable on a call in this window.")
    elif vulnerable_before:
        parts.append("Not flagged vulnerable in this window, but flagged vulnerable on an earlier call.")
    elif vulnerable is None:
        parts.append("No vulnerability flag recorded in this window.")
    else:
        parts.append("Not flagged vulnerable.")
    return " ".join(parts)
