"""Numbers and labels as the force performance report writes them.

1,760 for counts; −10.2% with a true minus sign (U+2212) and one decimal place; +1.7 pp for percentage-point
changes; "n/a" for anything that cannot be computed (a month the source does not cover, a change against zero).
Values arrive already rounded by analytics.figures (once, half away from zero); formatting never rounds again
except to print the decimal places the report uses.

The table helpers rename analytics columns to the words on screen ("Same month last year", "% change") and turn
numbers into report strings, so pages, downloads and tests all show the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from analytics.domain.periods import month_name, short_label

MINUS = "\u2212"
NA = "n/a"
UP = "▲"
DOWN = "▼"
SIGNAL_TEXT = "Signal: beyond normal variation"
NORMAL_TEXT = "Within normal variation"
SIGNAL_MARK = "◆ signal"
SIGNAL_CAPTION = (
    "◆ marks a signal: a change beyond normal variation (z = 2(√this year − √last year), |z| ≥ 3). "
    "Other changes are within the month-to-month noise expected of counts this size."
)


def is_missing(value: Any) -> bool:
    """True for None, pandas NA/NaT and float NaN."""
    if value is None:
        return True
    kind = type(value)
    if kind is int or kind is str:  # the common cases, without pandas (a table formats thousands of cells)
        return False
    if kind is float:
        return bool(value != value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _fixed(value: float, places: int) -> str:
    # Decimal keeps 0.05 -> 0.1 (half away from zero) where float formatting would round half to even.
    quantum = Decimal(1).scaleb(-places)
    return str(Decimal(repr(abs(float(value)))).quantize(quantum, rounding=ROUND_HALF_UP))


def fmt_int(value: Any) -> str:
    """1760 -> '1,760'; negative with a true minus sign; 'n/a' when missing."""
    if is_missing(value):
        return NA
    n = int(value)
    return f"{MINUS}{abs(n):,}" if n < 0 else f"{n:,}"


def fmt_change(value: Any) -> str:
    """A number change with its sign: '+91', '−174', '0'."""
    if is_missing(value):
        return NA
    n = int(value)
    if n > 0:
        return f"+{n:,}"
    return f"{MINUS}{abs(n):,}" if n < 0 else "0"


def fmt_pct(value: Any, *, signed: bool = True, places: int = 1) -> str:
    """A percentage change: '−10.2%', '+13.8%', '0.0%'; 'n/a' when missing (e.g. last year was 0)."""
    if is_missing(value) or (isinstance(value, float) and math.isinf(value)):
        return NA
    text = _fixed(value, places)
    if float(text) == 0:
        return f"{_fixed(0, places)}%"
    if value < 0:
        return f"{MINUS}{text}%"
    return f"+{text}%" if signed else f"{text}%"


def fmt_rate(value: Any, places: int = 1) -> str:
    """A rate as a percentage: '25.3%'."""
    return fmt_pct(value, signed=False, places=places)


def fmt_pp(value: Any) -> str:
    """A percentage-point change: '+1.7 pp', '−0.3 pp', '0.0 pp'."""
    if is_missing(value):
        return NA
    text = _fixed(value, 1)
    if float(text) == 0:
        return "0.0 pp"
    return f"{MINUS}{text} pp" if value < 0 else f"+{text} pp"


def fmt_decimal(value: Any, places: int = 2) -> str:
    """A plain decimal such as a rate per 1,000: '12.34'."""
    if is_missing(value):
        return NA
    text = _fixed(value, places)
    return f"{MINUS}{text}" if value < 0 and float(text) != 0 else text


def arrow(change: Any) -> str:
    """▲ for a rise, ▼ for a fall, '' for no change or unknown: direction shown by shape as well as colour."""
    if is_missing(change) or change == 0:
        return ""
    return UP if change > 0 else DOWN


def signal_text(signal: Any) -> str:
    return SIGNAL_TEXT if bool(signal) and not is_missing(signal) else NORMAL_TEXT


def signal_mark(signal: Any) -> str:
    return SIGNAL_MARK if bool(signal) and not is_missing(signal) else ""


def month_label(month: str | None) -> str:
    """'2025-01' -> 'January 2025'."""
    return month_name(month) if month else NA


def month_short(month: str) -> str:
    """'2025-01' -> 'Jan 2025'."""
    return short_label(month)


def period_heading(period_label: str) -> str:
    """The line at the top of each page: 'November 2022 – January 2023 compared with the same months a year earlier'."""
    several = "–" in period_label or period_label.startswith(("Financial year to date", "Calendar year to date"))
    return f"{period_label} compared with the same {'months' if several else 'month'} a year earlier"


def headline_delta(pct_change: Any, change: Any) -> str:
    """The st.metric delta: '−10.2% (−174) on last year'."""
    if is_missing(change):
        return "no comparison"
    return f"{fmt_pct(pct_change)} ({fmt_change(change)}) on last year"


# Screen words for analytics columns; a column not listed keeps its own name.
COLUMN_LABELS: Mapping[str, str] = {
    "label": "Month",
    "month": "Month",
    "name": "Name",
    "district": "District",
    "year": "Year",
    "count": "Recorded",
    "last_year": "Same period last year",
    "change": "Change",
    "pct_change": "% change",
    "signal": "Signal",
    "months_covered": "Months covered",
    "complete": "Complete year",
    "population": "Population (mid-2023)",
    "rate_per_1000": "Rate per 1,000",
    "rolling_12": "12 months to here",
    "previous_12": "Previous 12 months",
    "outcome_group": "Outcome",
    "share_pct": "Share of victim-based crime",
    "solved": "Solved",
    "total": "Recorded",
    "rate": "Solved rate",
}

def _month_cell(value: Any) -> str:
    text = str(value)
    return month_short(text) if len(text) == 7 and text[4] == "-" else text


_FORMATTERS = {
    "month": _month_cell,
    "count": fmt_int,
    "last_year": fmt_int,
    "change": fmt_change,
    "pct_change": fmt_pct,
    "signal": signal_mark,
    "population": fmt_int,
    "rate_per_1000": fmt_decimal,
    "rolling_12": fmt_int,
    "previous_12": fmt_int,
    "share_pct": fmt_rate,
    "total": fmt_int,
    "rate": fmt_rate,
    "months_covered": fmt_int,
    "low": fmt_int,
    "high": fmt_int,
}


def display_table(
    df: pd.DataFrame,
    columns: list[str],
    *,
    labels: Mapping[str, str] | None = None,
    formatted: bool = True,
) -> pd.DataFrame:
    """The analytics columns `columns` renamed to screen words and, when `formatted`, as report strings.

    With formatted=False the numbers stay numbers (for CSV downloads) but the headings are still plain words.
    """
    names = {**COLUMN_LABELS, **(labels or {})}
    out: dict[str, Any] = {}  # one frame made at the end: adding columns one by one costs more than the formatting
    for col in columns:
        if formatted:
            values = df[col].tolist()
            fmt = _FORMATTERS.get(col)
            if col == "solved" and df[col].dtype == bool:
                fmt = lambda v: "Yes" if v else "No"  # noqa: E731
            elif col == "complete":
                fmt = lambda v: "Yes" if v else "No (part year)"  # noqa: E731
            out[names.get(col, col)] = pd.Series([fmt(v) for v in values] if fmt else values, dtype=object)
        else:
            out[names.get(col, col)] = df[col].to_numpy()
    return pd.DataFrame(out, index=range(len(df)))


def comparison_table(df: pd.DataFrame, *, formatted: bool = True, period_word: str = "month") -> pd.DataFrame:
    """A comparison frame (analytics.figures.counts) as the report's table: Month, Recorded, Same month last year,
    % change, Change."""
    labels = {"last_year": f"Same {period_word} last year"}
    return display_table(
        df, ["label", "count", "last_year", "pct_change", "change", "signal"], labels=labels, formatted=formatted
    )


def breakdown_table(df: pd.DataFrame, *, name_label: str = "Name", formatted: bool = True) -> pd.DataFrame:
    """A breakdown frame (analytics.figures.breakdowns): Name, Recorded, Same period last year, % change, Change,
    Signal."""
    return display_table(
        df,
        ["name", "count", "last_year", "pct_change", "change", "signal"],
        labels={"name": name_label},
        formatted=formatted,
    )


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM so Excel opens the file with the right characters."""
    return df.to_csv(index=False).encode("utf-8-sig")
