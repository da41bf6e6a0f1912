"""One-line sentences for the screen: the text alternative of every chart, the comparison note, freshness and
coverage. Built only from the frames analytics.figures returns, so the words and the figures cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analytics.domain import definitions
from analytics.domain.kinds import Measure
from analytics.domain.periods import Period, month_runs
from analytics.figures.coverage import Freshness, Gaps, QualityFlag
from analytics.figures.solved import SolvedRate
from analytics.report import formatting as fmt
from analytics.report import maturity
from analytics.report.narrative import flag_runs
from analytics.report.tiles import total_row


def _is_are(months: Sequence[str]) -> str:
    return "is" if len(months) == 1 else "are"


def comparison_note(gaps: Gaps) -> str | None:
    """A warning when some months of the period cannot be compared with a year earlier, else None."""
    if not gaps.any:
        return None
    now, before, n = gaps.missing_now, gaps.missing_before, len(gaps.period.months)
    parts = []
    if now:
        parts.append(f"{month_runs(now)} {_is_are(now)} not loaded, so the period has no total")
    if before:
        parts.append(f"{month_runs(before)}, a year earlier, {_is_are(before)} not loaded")
    lead = ("No comparison with a year earlier" if len(before) == n
            else "Part of this period cannot be compared with a year earlier")
    tail = "" if now or len(before) == n else ", so the totals have no change on last year"
    return f"{lead}: {'; '.join(parts)}{tail}."


def freshness_sentence(fresh: Freshness) -> str:
    if fresh.latest is None:
        return "No data loaded for this source."
    parts = [f"Data from {fmt.month_label(fresh.first)} to {fmt.month_label(fresh.latest)}."]
    missing, partial = flag_runs(fresh.missing), flag_runs(fresh.partial)
    parts.append(f"Gaps: {', '.join(missing)}." if missing else "No gaps.")
    parts.append(f"Partial months (far fewer rows than the months around them): {', '.join(partial)}."
                 if partial else "No partial months.")
    return " ".join(parts)


def _movement(change: Any, pct: Any) -> str:
    if fmt.is_missing(change):
        return "no comparison with last year (a month is not covered)"
    if change == 0:
        return "the same as the same months last year"
    word = "up" if change > 0 else "down"
    return f"{word} {fmt.fmt_int(abs(int(change)))} ({fmt.fmt_pct(pct)}) on the same months last year"


def has_values(df: pd.DataFrame, column: str) -> bool:
    """True when any row of the frame has a value in `column` (a chart would draw something)."""
    return bool(df[column].notna().any()) if column in df and len(df) else False


def has_comparison(df: pd.DataFrame) -> bool:
    """True when any row of a comparison or breakdown frame has a change against last year."""
    return bool(df["change"].notna().any()) if "change" in df else False


def comparison_sentence(measure: Measure | str, df: pd.DataFrame, period: Period) -> str:
    """'ASB incidents: 4,321 in November 2024 – January 2025, down 491 (−10.2%) …; within normal variation.'"""
    measure = Measure(measure)
    total = total_row(df)
    head = f"{measure.label}: {fmt.fmt_int(total['count'])} in {period.label}, "
    if fmt.is_missing(total["change"]):  # nothing to compare: no word on variation
        return head + f"{_movement(total['change'], total['pct_change'])}."
    signal = "a signal: beyond normal variation" if bool(total["signal"]) else "within normal variation"
    return head + f"{_movement(total['change'], total['pct_change'])}; {signal}."


def trend_sentence(measure: Measure | str, df: pd.DataFrame) -> str:
    """The 25-month trend in one line: the latest month against the same month last year, and the peak."""
    measure = Measure(measure)
    covered = df.dropna(subset=["count"])
    if covered.empty:
        return f"{measure.label}: no months covered in this window."
    last = covered.iloc[-1]
    peak = covered.iloc[int(covered["count"].astype("int64").to_numpy().argmax())]
    return (f"{measure.label} by month, {df['label'].iloc[0]} to {df['label'].iloc[-1]}: "
            f"{fmt.fmt_int(last['count'])} in {last['label']} against {fmt.fmt_int(last['last_year'])} a year "
            f"earlier; highest {fmt.fmt_int(peak['count'])} in {peak['label']}. "
            f"{len(df) - len(covered)} of {len(df)} months not covered.")


def breakdown_sentence(df: pd.DataFrame, what: str) -> str:
    """The largest reduction and the largest increase of a breakdown frame, and which changes are signals."""
    rows = df.dropna(subset=["change"])
    if rows.empty and has_values(df, "count"):
        return f"{len(df)} {what}: no comparison with last year (a month is not covered)."
    if rows.empty:
        return f"No {what} recorded in this period for this source."
    falls, rises = rows[rows["change"] < 0], rows[rows["change"] > 0]
    parts = []
    if len(falls):
        r = falls.sort_values("change").iloc[0]
        parts.append(f"largest reduction {r['name']}: {fmt.fmt_int(r['count'])}, {fmt.fmt_pct(r['pct_change'])}, "
                     f"down {fmt.fmt_int(-int(r['change']))}")
    if len(rises):
        r = rises.sort_values("change", ascending=False).iloc[0]
        parts.append(f"largest increase {r['name']}: {fmt.fmt_int(r['count'])}, {fmt.fmt_pct(r['pct_change'])}, "
                     f"up {fmt.fmt_int(int(r['change']))}")
    signals = [str(n) for n, s in zip(rows["name"], rows["signal"], strict=True) if bool(s)]
    text = "; ".join(parts) if parts else "no change in any"
    verdict = ("No change is beyond normal variation." if not signals else
               f"Beyond normal variation (a signal): {', '.join(signals)}.")
    return f"{len(rows)} {what}: {text}. {verdict}"


def solved_sentence(rate: SolvedRate, period: Period) -> str:
    """The solved rate in a line or two: the cohort rate against last year, why it is not like for like when it
    is not (then it carries no word on variation), and the rate at the same age where outcomes are dated."""
    if rate.total is None:
        return "Solved rate: no rate for this period (a month is not covered)."
    head = (f"Solved rate {fmt.fmt_rate(rate.rate)} in {period.label} ({fmt.fmt_int(rate.solved)} of "
            f"{fmt.fmt_int(rate.total)} victim-based crimes)")
    if rate.last_year_total is None:  # nothing to compare: no word on variation
        return head + "; no comparison with a year earlier (a month is not covered)."
    m = rate.matched
    same_age = "" if m is None else " " + maturity.same_age(m.as_at, m.last_year_as_at, m.rate, m.last_year_rate,
                                                            m.pp_change, m.signal)
    compared = f", {fmt.fmt_pp(rate.pp_change)} against {fmt.fmt_rate(rate.last_year_rate)} a year earlier"
    if rate.like_for_like is False:
        return (head + compared + ". "
                + maturity.not_like_for_like(rate.pending_share, rate.last_year_pending_share, rate.pp_change)
                + same_age)
    signal = "a signal" if rate.signal else "within normal variation"
    return head + compared + f"; {signal}." + same_age


def rate_series_sentence(df: pd.DataFrame) -> str:
    covered = df.dropna(subset=["rate"])
    if covered.empty:
        return "Solved rate by month: no months covered."
    lo = covered.iloc[int(covered["rate"].to_numpy().argmin())]
    hi = covered.iloc[int(covered["rate"].to_numpy().argmax())]
    last = covered.iloc[-1]
    return (f"Solved rate by month: {fmt.fmt_rate(last['rate'])} in {last['label']}; lowest "
            f"{fmt.fmt_rate(lo['rate'])} ({lo['label']}), highest {fmt.fmt_rate(hi['rate'])} ({hi['label']}).")


def rolling_sentence(measure: Measure | str, df: pd.DataFrame) -> str:
    measure = Measure(measure)
    covered = df.dropna(subset=["rolling_12"])
    if covered.empty:
        return f"{measure.label}, rolling 12 months: not enough months loaded for a 12-month total."
    last = covered.iloc[-1]
    return (f"{measure.label} in the 12 months to {fmt.month_label(last['month'])}: "
            f"{fmt.fmt_int(last['rolling_12'])}, {_movement(last['change'], last['pct_change'])} "
            f"(12 months before: {fmt.fmt_int(last['previous_12'])}).")


def outcome_labels(df: pd.DataFrame) -> list[str]:
    """The bar labels of an outcome_breakdown frame: '25.3% · solved' for a solved group, else '25.3%'."""
    return [fmt.fmt_rate(v) + (" · solved" if s else "") for v, s in zip(df["share_pct"], df["solved"], strict=True)]


def outcome_sentence(df: pd.DataFrame) -> str:
    if df.empty:
        return "No victim-based crimes recorded in this period."
    top = df.iloc[0]
    solved = df[df["solved"].astype(bool)]
    return (f"{len(df)} outcome groups; the largest is {top['outcome_group']} ({fmt.fmt_rate(top['share_pct'])} of "
            f"victim-based crime). Solved outcomes together: {fmt.fmt_rate(solved['share_pct'].sum())}.")


def district_sentence(df: pd.DataFrame, measure: Measure | str) -> str:
    measure = Measure(measure)
    rows = df.dropna(subset=["rate_per_1000"])
    if rows.empty:
        return "No district figures for this period."
    hi = rows.iloc[int(rows["rate_per_1000"].to_numpy().argmax())]
    lo = rows.iloc[int(rows["rate_per_1000"].to_numpy().argmin())]
    signals = [d for d, s in zip(rows["district"], rows["signal"], strict=True) if bool(s)]
    return (f"{measure.label} per 1,000 residents: highest {hi['district']} "
            f"({fmt.fmt_decimal(hi['rate_per_1000'])}), lowest {lo['district']} "
            f"({fmt.fmt_decimal(lo['rate_per_1000'])}). Signals: {', '.join(signals) if signals else 'none'}.")


def coverage_sentence(df: pd.DataFrame, flags: dict[str, list[QualityFlag]]) -> str:
    if df.empty:
        return "No data loaded."
    parts = []
    by_source = {str(source): sorted(set(months.tolist())) for source, months in df.groupby("source")["month"]}
    for source in definitions.sorted_sources(by_source):
        months = by_source[source]
        issues = flags.get(source, [])
        missing = sum(1 for f in issues if f.issue == "missing")
        partial = sum(1 for f in issues if f.issue == "partial")
        parts.append(f"{source}: {fmt.month_label(months[0])} to {fmt.month_label(months[-1])}, {len(months)} months "
                     f"with rows, {missing} missing and {partial} partial month flags")
    return "; ".join(parts) + "."
