"""Real change or noise: XmR control charts, before/after verdicts, expected ranges and the solved-rate p-chart.

Pure computation on monthly series; the store, pages and command line feed it and show its results.

A series is an ordered run of consecutive months, each ``(month 'YYYY-MM', value, data_quality)``. ``value`` is
None (or NaN) when the month has no figure; ``data_quality`` is the reason the month cannot be trusted (e.g. a
partial extract), or None. A month with no value or with a data-quality reason is *not eligible*: it is never in
a baseline, never carries a signal, and breaks every run and window of the rules.

XmR chart (NHS England "Making Data Count"):
- baseline: by default the first month of the chart (or of the segment, after a process change) to at most 24
  months later (24 calendar months; the ineligible ones among them are left out). Fewer than 12 eligible baseline
  months: the limits are *trial* limits.
- centre = mean of the baseline values; moving range mR = |x_i − x_{i−1}| for two adjacent calendar months both
  in the baseline (no moving range across a left-out month); mR̄ = mean of those.
- limits = centre ± 2.66 × mR̄; the mR chart's upper range limit = 3.267 × mR̄. The limits are drawn from the
  baseline and hold for every month of the segment. Counts cannot fall below zero, so the lower limit is shown
  floored at 0 (``lower_display``, ``lower_floored``); the rules use the raw limit.
- optional outlier screening: moving ranges above 3.267 × mR̄ are left out and mR̄ is recomputed once.
- a process change starts a new segment at its month, with its own baseline (trial until 12 points); the rules
  never look across a segment boundary.

Rules (each point gets the names of those it is part of, in this order):
- ``outside_limits``: the value is above the upper limit or below the (raw) lower limit — strictly; a value
  exactly on a limit is inside.
- ``shift``: 7 or more consecutive points all above, or all below, the centre line; a point exactly on the centre
  line breaks the run; every point of the run is flagged.
- ``trend``: 7 or more consecutive points each strictly higher than the point before it within the run (or each
  strictly lower), counting the run's first point: 7 points, 6 rises in a row. This is how NHS England's "Making
  Data Count" tools and the NHS-R "plot the dots" package count "seven or more consecutive points all increasing
  or all decreasing". Equal neighbours break the run; every point of the run is flagged; a turning point can
  belong to a rising and a falling run.
- ``two_of_three``: in 3 consecutive points, 2 or 3 lie beyond the two-thirds line on the same side — beyond
  centre + ⅔ × (upper − centre), or below centre − ⅔ × (centre − lower) — without being outside the limits (those
  are ``outside_limits``); the third point may lie anywhere. The points beyond the two-thirds line in any such
  window are flagged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from analytics.domain.periods import month_name, parse_month, range_label, shift_month

OUTSIDE_LIMITS = "outside_limits"
SHIFT = "shift"
TREND = "trend"
TWO_OF_THREE = "two_of_three"
SIGNALS = (OUTSIDE_LIMITS, SHIFT, TREND, TWO_OF_THREE)
SIGNAL_LABELS = {
    OUTSIDE_LIMITS: "outside the limits",
    SHIFT: "7 or more in a row on one side of the centre line",
    TREND: "7 or more in a row rising, or falling",
    TWO_OF_THREE: "2 of 3 beyond two-thirds of the way to a limit",
}

LIMIT_FACTOR = 2.66  # 3 / d2 for moving ranges of two points (d2 = 1.128)
RANGE_FACTOR = 3.267  # D4 for moving ranges of two points
RUN_LENGTH = 7
BASELINE_MONTHS = 24
TRIAL_BELOW = 12
BEFORE_AFTER_CAP = 12
Z_CRITICAL = 1.96  # two-sided 5%

# Two-sided 95% Student t quantiles by degrees of freedom: an expected range uses 3 to 5 earlier years (1-3 df).
_T_975 = {1: 12.706204736, 2: 4.302652730, 3: 3.182446305}
EXPECTED_RANGE_YEARS = 5
EXPECTED_RANGE_MIN_YEARS = 3
EXPECTED_RANGE_METHOD = (
    "The expected range for a month comes from the same month in up to five earlier years (at least three): a "
    "straight line fitted through those years' figures (least squares) gives the expected figure for this year, "
    "and the range is the 95% prediction interval around it (expected ± t × residual standard error × "
    "√(1 + 1/n + (this year − mean year)² / Σ(year − mean year)²), t from Student's t with n − 2 degrees of "
    "freedom). Months with a data-quality problem are not used. Fewer earlier years give a wider range; with "
    "three years it is wide. Counts cannot be negative, so the range stops at 0."
)

_BASELINE_RE = re.compile(r"^\s*(\S+)\s*:\s*(\S+)\s*$")


class MonthValue(NamedTuple):
    """One month of a monthly count: its value (None: no figure) and why it cannot be trusted (None: it can)."""

    month: str
    value: float | None
    data_quality: str | None = None


class MonthRate(NamedTuple):
    """One month of a rate: solved of total (None: no figure) and why it cannot be trusted (None: it can)."""

    month: str
    solved: int | None
    total: int | None
    data_quality: str | None = None


@dataclass(frozen=True)
class Baseline:
    """The months the limits come from: the window start–end, the eligible months used and those left out."""

    start: str
    end: str
    months: tuple[str, ...]
    excluded: tuple[str, ...]
    screened: tuple[str, ...]
    trial: bool

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "trial": self.trial,
            "count": len(self.months),
            "excluded": list(self.excluded),
            "screened": list(self.screened),
        }


@dataclass(frozen=True)
class XmRPoint:
    month: str
    value: float | None
    data_quality: str | None
    moving_range: float | None
    signals: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "value": self.value,
            "signals": list(self.signals),
            "data_quality": self.data_quality,
            "moving_range": self.moving_range,
        }


@dataclass(frozen=True)
class Segment:
    """A stretch of the chart between process changes, with the limits of its own baseline.

    centre is None when the baseline has no eligible month; mr_bar and the limits are None without a moving range.
    """

    start: str
    end: str
    baseline: Baseline
    centre: float | None
    mr_bar: float | None
    lower: float | None
    upper: float | None
    lower_display: float | None
    lower_floored: bool
    upper_range_limit: float | None
    points: tuple[XmRPoint, ...]

    def limits_json(self) -> dict[str, Any]:
        return {
            "centre": self.centre,
            "lower": self.lower,
            "upper": self.upper,
            "mr_bar": self.mr_bar,
            "lower_display": self.lower_display,
            "lower_floored": self.lower_floored,
            "upper_range_limit": self.upper_range_limit,
            "baseline": self.baseline.to_json_dict(),
        }

    def to_json_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, **self.limits_json()}


@dataclass(frozen=True)
class XmRChart:
    """An XmR chart: its segments in order; the headline numbers are those of the last segment."""

    segments: tuple[Segment, ...]

    @property
    def last(self) -> Segment:
        return self.segments[-1]

    @property
    def points(self) -> tuple[XmRPoint, ...]:
        return tuple(p for s in self.segments for p in s.points)

    @property
    def centre(self) -> float | None:
        return self.last.centre

    @property
    def lower(self) -> float | None:
        return self.last.lower

    @property
    def upper(self) -> float | None:
        return self.last.upper

    @property
    def mr_bar(self) -> float | None:
        return self.last.mr_bar

    @property
    def baseline(self) -> Baseline:
        return self.last.baseline

    def to_json_dict(self, measure: str) -> dict[str, Any]:
        """The command line's JSON: the last segment's limits, every point, and every segment's limits."""
        return {
            "measure": measure,
            **self.last.limits_json(),
            "points": [p.to_json_dict() for p in self.points],
            "segments": [s.to_json_dict() for s in self.segments],
        }


@dataclass(frozen=True)
class BeforeAfter:
    """An intervention's before/after comparison and the XmR verdict on it.

    ``before``/``after``: the months compared (the same number either side; the intervention month is the first
    month after). Means are of the eligible months; ``left_out`` lists the others. The limits come from the
    months before; ``shifted`` is whether any month after shows a rule signal against them (None when the months
    before give no limits). ``direction``: the side of the centre line the signalling months are on — 'up', 'down'
    or 'both' (e.g. a trend that crosses it) — None without a signal.
    """

    intervention: str
    months: int
    before: tuple[str, ...]
    after: tuple[str, ...]
    left_out: tuple[str, ...]
    before_mean: float | None
    after_mean: float | None
    change: float | None
    pct_change: float | None
    centre: float | None
    lower: float | None
    upper: float | None
    trial: bool
    points: tuple[XmRPoint, ...]
    signals: tuple[str, ...]
    shifted: bool | None
    direction: str | None
    sentence: str

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention,
            "months": self.months,
            "before": list(self.before),
            "after": list(self.after),
            "left_out": list(self.left_out),
            "before_mean": self.before_mean,
            "after_mean": self.after_mean,
            "change": self.change,
            "pct_change": self.pct_change,
            "centre": self.centre,
            "lower": self.lower,
            "upper": self.upper,
            "trial": self.trial,
            "points": [p.to_json_dict() for p in self.points],
            "signals": list(self.signals),
            "shifted": self.shifted,
            "direction": self.direction,
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class ExpectedRange:
    """The expected range of one month (low/expected/high None when fewer than three earlier years are usable)."""

    month: str
    value: float | None
    low: float | None
    expected: float | None
    high: float | None
    years: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "value": self.value,
            "low": self.low,
            "expected": self.expected,
            "high": self.high,
            "years": list(self.years),
            "phrase": expected_range_phrase(self),
        }


@dataclass(frozen=True)
class PPoint:
    month: str
    solved: int | None
    total: int | None
    rate: float | None
    lower: float | None
    upper: float | None
    data_quality: str | None
    signals: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "solved": self.solved,
            "total": self.total,
            "rate": self.rate,
            "lower": self.lower,
            "upper": self.upper,
            "signals": list(self.signals),
            "data_quality": self.data_quality,
        }


@dataclass(frozen=True)
class PChart:
    """A p-chart of a monthly rate: centre p̄ from the baseline, limits per month from that month's total."""

    centre: float | None
    baseline: Baseline
    points: tuple[PPoint, ...]

    def to_json_dict(self, measure: str = "solved_rate") -> dict[str, Any]:
        return {
            "measure": measure,
            "centre": self.centre,
            "baseline": self.baseline.to_json_dict(),
            "points": [p.to_json_dict() for p in self.points],
        }


@dataclass(frozen=True)
class ProportionTest:
    """Two-proportion z test of rate (solved/total) against rate_before (pooled standard error)."""

    rate: float
    rate_before: float
    change_pp: float
    z: float
    p_value: float
    beyond_chance: bool

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "rate_before": self.rate_before,
            "change_pp": self.change_pp,
            "z": self.z,
            "p_value": self.p_value,
            "beyond_chance": self.beyond_chance,
        }


# ---------------------------------------------------------------------------------------------------- input


class _Month(NamedTuple):
    month: str
    value: float | None
    data_quality: str | None

    @property
    def eligible(self) -> bool:
        return self.value is not None and self.data_quality is None


def _quality(reason: object, month: str) -> str | None:
    if reason is None or reason is False or reason == "":
        return None
    if reason is True:
        return "data quality"
    if isinstance(reason, str):
        return reason
    raise ValueError(f"{month}: the data-quality flag must be a reason (text), True, or None, not {reason!r}")


def _number(value: object, month: str, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{month}: the {what} must be a number or None, not {value!r}")
    if isinstance(value, float) and math.isnan(value):
        return None
    if math.isinf(value):
        raise ValueError(f"{month}: the {what} must be a finite number, not {value!r}")
    return value


def _check_months(months: Sequence[str]) -> None:
    if not months:
        raise ValueError("no months to chart: the series is empty")
    for month in months:
        parse_month(month)
    for before, month in zip(months, months[1:], strict=False):
        if month != shift_month(before, 1):
            raise ValueError(
                f"the months must run one after another: {month} follows {before}; give every month, "
                "with value None for a month that has no figure"
            )


def _series(series: Iterable[tuple[str, float | None, str | bool | None]]) -> list[_Month]:
    rows: list[_Month] = []
    for row in series:
        month, value, reason = row
        month = str(month)
        rows.append(_Month(month, _number(value, month, "value"), _quality(reason, month)))
    _check_months([r.month for r in rows])
    return rows


def parse_baseline(text: str) -> tuple[str, str]:
    """'2023-01:2024-12' -> ('2023-01', '2024-12'), as the command line's --baseline takes it."""
    match = _BASELINE_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a baseline: write it as YYYY-MM:YYYY-MM, e.g. 2023-01:2024-12")
    start, end = shift_month(match.group(1), 0), shift_month(match.group(2), 0)
    if end < start:
        raise ValueError(f"the baseline {text!r} ends before it starts: write the earlier month first")
    return start, end


# ---------------------------------------------------------------------------------------------------- rules


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _blocks(values: Sequence[float | None]) -> list[tuple[int, int]]:
    """[start, end) of each stretch of consecutive eligible values."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    for i, v in enumerate(values):
        if v is None:
            if start is not None:
                blocks.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        blocks.append((start, len(values)))
    return blocks


def _side_runs(values: Sequence[float | None], centre: float) -> list[tuple[int, int, int]]:
    """Maximal runs [start, end) of points on one side of the centre (side +1 above, −1 below)."""
    runs: list[tuple[int, int, int]] = []
    for b, e in _blocks(values):
        start, side = b, 0
        for i in range(b, e):
            v = values[i]
            assert v is not None
            s = _sign(v - centre)
            if s != side:
                if side:
                    runs.append((start, i, side))
                start, side = i, s
        if side:
            runs.append((start, e, side))
    return runs


def _trend_runs(values: Sequence[float | None]) -> list[tuple[int, int, int]]:
    """Maximal runs [start, end) of points each strictly above (+1) or below (−1) the one before, first included."""
    runs: list[tuple[int, int, int]] = []
    for b, e in _blocks(values):
        start, direction = b, 0
        for i in range(b + 1, e):
            now, before = values[i], values[i - 1]
            assert now is not None and before is not None
            d = _sign(now - before)
            if d and d == direction:
                continue
            if direction:
                runs.append((start, i, direction))
            start, direction = (i - 1, d) if d else (i, 0)
        if direction:
            runs.append((start, e, direction))
    return runs


def _signals(
    values: Sequence[float | None], centre: float | None, lower: float | None, upper: float | None
) -> list[tuple[str, ...]]:
    """The rule names each point is part of (values None: not eligible)."""
    flagged: list[set[str]] = [set() for _ in values]
    if centre is not None:
        for start, end, _ in _side_runs(values, centre):
            if end - start >= RUN_LENGTH:
                for i in range(start, end):
                    flagged[i].add(SHIFT)
    for start, end, _ in _trend_runs(values):
        if end - start >= RUN_LENGTH:
            for i in range(start, end):
                flagged[i].add(TREND)
    if centre is not None and lower is not None and upper is not None:
        high_line = centre + (upper - centre) * 2 / 3
        low_line = centre - (centre - lower) * 2 / 3
        high = [v is not None and high_line < v <= upper for v in values]
        low = [v is not None and lower <= v < low_line for v in values]
        for i, v in enumerate(values):
            if v is not None and (v > upper or v < lower):
                flagged[i].add(OUTSIDE_LIMITS)
        for b, e in _blocks(values):
            for i in range(b, e - 2):
                for beyond in (high, low):
                    window = [j for j in range(i, i + 3) if beyond[j]]
                    if len(window) >= 2:
                        for j in window:
                            flagged[j].add(TWO_OF_THREE)
    return [tuple(s for s in SIGNALS if s in f) for f in flagged]


# ---------------------------------------------------------------------------------------------------- XmR


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


@dataclass(frozen=True)
class _Limits:
    baseline: Baseline
    centre: float | None
    mr_bar: float | None
    lower: float | None
    upper: float | None


def _limits(rows: Sequence[_Month], start: str, end: str, screen_outliers: bool) -> _Limits:
    window = [r for r in rows if start <= r.month <= end]
    used = [r for r in window if r.eligible]
    in_baseline = {r.month for r in used}
    values = [r.value for r in used if r.value is not None]
    ranges: list[tuple[str, float]] = []
    for before, now in zip(window, window[1:], strict=False):
        if before.month in in_baseline and now.month in in_baseline:
            assert before.value is not None and now.value is not None
            ranges.append((now.month, abs(now.value - before.value)))
    mr_bar = _mean([mr for _, mr in ranges])
    screened: list[str] = []
    if screen_outliers and mr_bar is not None:
        url = RANGE_FACTOR * mr_bar
        kept = [mr for _, mr in ranges if mr <= url]
        screened = [m for m, mr in ranges if mr > url]
        mr_bar = _mean(kept)  # once: the recomputed mR̄ is not screened again
    centre = _mean(values)
    baseline = Baseline(
        start=start,
        end=end,
        months=tuple(r.month for r in used),
        excluded=tuple(r.month for r in window if not r.eligible),
        screened=tuple(screened),
        trial=len(used) < TRIAL_BELOW,
    )
    if centre is None or mr_bar is None:
        return _Limits(baseline, centre, None, None, None)
    return _Limits(baseline, centre, mr_bar, centre - LIMIT_FACTOR * mr_bar, centre + LIMIT_FACTOR * mr_bar)


def _points(rows: Sequence[_Month], lim: _Limits) -> tuple[XmRPoint, ...]:
    eligible = [r.value if r.eligible else None for r in rows]
    signals = _signals(eligible, lim.centre, lim.lower, lim.upper)
    points: list[XmRPoint] = []
    for i, r in enumerate(rows):
        now, before = eligible[i], eligible[i - 1] if i else None
        mr = abs(now - before) if now is not None and before is not None else None
        points.append(XmRPoint(r.month, r.value, r.data_quality, mr, signals[i]))
    return tuple(points)


def xmr_chart(
    series: Iterable[tuple[str, float | None, str | bool | None]],
    *,
    baseline: tuple[str, str] | None = None,
    process_changes: Iterable[str] = (),
    screen_outliers: bool = False,
) -> XmRChart:
    """The XmR chart of a monthly series (rules and baseline: the module's docstring).

    process_changes: months from which the chart is re-baselined (those at or before the first month, or after
    the last, change nothing). baseline: (start, end) of the baseline of the segment holding `start`, instead of
    its first 24 months; it must lie within the chart and within one segment. The other segments keep theirs.
    """
    rows = _series(series)
    first, last = rows[0].month, rows[-1].month
    changes = sorted({shift_month(m, 0) for m in process_changes if first < shift_month(m, 0) <= last})
    starts = [first, *changes]
    ends = [shift_month(m, -1) for m in changes] + [last]
    if baseline is not None:
        baseline = b_start, b_end = shift_month(baseline[0], 0), shift_month(baseline[1], 0)
        if b_end < b_start:
            raise ValueError(f"the baseline {b_start}:{b_end} ends before it starts: write the earlier month first")
        if b_start < first or b_end > last:
            raise ValueError(f"the baseline {b_start}:{b_end} is not within the chart's months {first}:{last}")
        holding = [i for i, (s, e) in enumerate(zip(starts, ends, strict=True)) if s <= b_start <= e]
        if b_end > ends[holding[0]]:
            raise ValueError(
                f"the baseline {b_start}:{b_end} crosses the process change of {starts[holding[0] + 1]}: "
                "a baseline must end before the next process change"
            )
    segments: list[Segment] = []
    for s, e in zip(starts, ends, strict=True):
        part = [r for r in rows if s <= r.month <= e]
        if baseline is not None and s <= baseline[0] <= e:
            window = baseline
        else:
            window = (s, min(e, shift_month(s, BASELINE_MONTHS - 1)))
        lim = _limits(part, window[0], window[1], screen_outliers)
        floored = lim.lower is not None and lim.lower < 0
        segments.append(
            Segment(
                start=s,
                end=e,
                baseline=lim.baseline,
                centre=lim.centre,
                mr_bar=lim.mr_bar,
                lower=lim.lower,
                upper=lim.upper,
                lower_display=None if lim.lower is None else max(lim.lower, 0.0),
                lower_floored=floored,
                upper_range_limit=None if lim.mr_bar is None else RANGE_FACTOR * lim.mr_bar,
                points=_points(part, lim),
            )
        )
    return XmRChart(tuple(segments))


def suggest_rebaseline(chart: XmRChart) -> str | None:
    """The first month of the earliest sustained shift — a run of 7 or more points on one side of the centre line
    that starts after its segment's baseline ends — as the month to re-baseline from; None when there is none."""
    for segment in chart.segments:
        if segment.centre is None:
            continue
        values = [p.value if p.value is not None and p.data_quality is None else None for p in segment.points]
        for start, end, _ in _side_runs(values, segment.centre):
            month = segment.points[start].month
            if end - start >= RUN_LENGTH and month > segment.baseline.end:
                return month
    return None


# ---------------------------------------------------------------------------------------------------- before/after


def _figure(x: float) -> str:
    return f"{x:,.1f}"


def _months_phrase(k: int) -> str:
    return "1 month" if k == 1 else f"{k} months"


def before_after(
    series: Iterable[tuple[str, float | None, str | bool | None]],
    intervention: str,
    *,
    months: int | None = None,
    cap: int = BEFORE_AFTER_CAP,
    label: str = "The figure",
) -> BeforeAfter:
    """Before/after comparison of an intervention in month `intervention`, with the XmR verdict.

    The same number of months either side: `months` when given, else as many as the series has on both sides up
    to `cap`; never more than the series has (the intervention month counts as the first month after). The
    limits come from the months before (centre = their mean, mR̄ from adjacent eligible months before); the months
    after are tested against them with every rule (runs only among the months after).
    """
    rows = _series(series)
    intervention = shift_month(intervention, 0)
    index = next((i for i, r in enumerate(rows) if r.month == intervention), None)
    if index is None or index == 0:
        raise ValueError(
            f"the intervention month {intervention} needs months before it and from it within the series "
            f"{rows[0].month}:{rows[-1].month}"
        )
    if months is not None and months < 1:
        raise ValueError(f"months either side must be at least 1, not {months}")
    k = min(index, len(rows) - index, cap if months is None else months)
    before_rows, after_rows = rows[index - k:index], rows[index:index + k]
    lim = _limits(before_rows, before_rows[0].month, before_rows[-1].month, False)
    before_values = [r.value for r in before_rows if r.eligible and r.value is not None]
    after_values = [r.value for r in after_rows if r.eligible and r.value is not None]
    before_mean, after_mean = _mean(before_values), _mean(after_values)
    change = None if before_mean is None or after_mean is None else after_mean - before_mean
    pct = None if change is None or not before_mean else change / before_mean * 100
    limits_ok = lim.mr_bar is not None
    points = _points(after_rows, lim)
    if not limits_ok:  # no verdict without limits: not even a trend, which needs none
        points = tuple(replace(p, signals=()) for p in points)
    found = {s for p in points for s in p.signals}
    signals = tuple(s for s in SIGNALS if s in found)
    sides = {
        _sign(p.value - lim.centre) for p in points if p.signals and p.value is not None and lim.centre is not None
    } - {0}  # a trend point exactly on the centre line is on neither side
    direction = None if not sides else "both" if sides >= {1, -1} else "up" if 1 in sides else "down"
    left_out = tuple(r.month for r in (*before_rows, *after_rows) if not r.eligible)
    sentence = _before_after_sentence(
        label, intervention, k, before_rows, after_rows, before_mean, after_mean, change, pct,
        lim, signals, direction, left_out,
    )
    return BeforeAfter(
        intervention=intervention,
        months=k,
        before=tuple(r.month for r in before_rows),
        after=tuple(r.month for r in after_rows),
        left_out=left_out,
        before_mean=before_mean,
        after_mean=after_mean,
        change=change,
        pct_change=pct,
        centre=lim.centre if limits_ok else None,
        lower=lim.lower,
        upper=lim.upper,
        trial=lim.baseline.trial,
        points=points,
        signals=signals,
        shifted=bool(signals) if limits_ok else None,
        direction=direction,
        sentence=sentence,
    )


def _before_after_sentence(
    label: str,
    intervention: str,
    k: int,
    before_rows: Sequence[_Month],
    after_rows: Sequence[_Month],
    before_mean: float | None,
    after_mean: float | None,
    change: float | None,
    pct: float | None,
    lim: _Limits,
    signals: tuple[str, ...],
    direction: str | None,
    left_out: tuple[str, ...],
) -> str:
    when = month_name(intervention)
    span_before = range_label(before_rows[0].month, before_rows[-1].month)
    span_after = range_label(after_rows[0].month, after_rows[-1].month)
    if before_mean is None or after_mean is None or change is None:
        side, span = ("before", span_before) if before_mean is None else ("from", span_after)
        return f"{label}: no usable months {side} {when} ({span}) to compare."
    if change == 0:
        moved = "no change"
    else:
        moved = f"{'a rise' if change > 0 else 'a fall'} of {_figure(abs(change))} a month"
        if pct is not None:
            moved += f" ({_figure(abs(pct))}%)"
    text = (
        f"{label} averaged {_figure(before_mean)} a month in the {_months_phrase(k)} before {when} "
        f"({span_before}) and {_figure(after_mean)} in the {_months_phrase(k)} from {when} ({span_after}): {moved}."
    )
    if left_out:
        text += f" Left out for data quality or no figure: {', '.join(month_name(m) for m in left_out)}."
    if lim.mr_bar is None:
        return text + " Too few months before to set limits, so no verdict on whether the process shifted."
    basis = "limits from the months before"
    if lim.baseline.trial:
        basis = "trial " + basis + f" (fewer than {TRIAL_BELOW})"
    if signals:
        names = ", ".join(SIGNAL_LABELS[s] for s in signals)
        way = {"up": " upwards", "down": " downwards", "both": ""}.get(direction or "", "")
        text += f" Against {basis}, the months after show a signal ({names}): the process shifted{way}."
    else:
        text += f" Against {basis}, the months after show no signal: no evidence that the process shifted."
    if k < RUN_LENGTH:
        text += f" With fewer than {RUN_LENGTH} months after, a shift or trend cannot show yet."
    return text


# ---------------------------------------------------------------------------------------------------- expected range


def _expected(earlier: Sequence[tuple[int, float]]) -> tuple[float, float, float] | None:
    """(low, expected, high) from (years before, value) pairs, or None with fewer than three."""
    n = len(earlier)
    if n < EXPECTED_RANGE_MIN_YEARS:
        return None
    xs = [float(-years) for years, _ in earlier]  # this year is 0
    ys = [v for _, v in earlier]
    x_bar, y_bar = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - x_bar) ** 2 for x in xs)
    slope = math.fsum((x - x_bar) * (y - y_bar) for x, y in zip(xs, ys, strict=True)) / sxx
    prediction = y_bar - slope * x_bar
    ssr = math.fsum((y - (y_bar + slope * (x - x_bar))) ** 2 for x, y in zip(xs, ys, strict=True))
    se = math.sqrt(ssr / (n - 2))
    half = _T_975[n - 2] * se * math.sqrt(1 + 1 / n + x_bar**2 / sxx)
    return max(prediction - half, 0.0), max(prediction, 0.0), max(prediction + half, 0.0)


def expected_ranges(
    series: Iterable[tuple[str, float | None, str | bool | None]], months: Iterable[str] | None = None
) -> tuple[ExpectedRange, ...]:
    """The expected range of each month of `months` (default: every month of the series), from the same month
    in up to five earlier years of the series (method: EXPECTED_RANGE_METHOD). A month outside the series gets a
    range with no value."""
    rows = _series(series)
    by_month = {r.month: r for r in rows}
    wanted = [r.month for r in rows] if months is None else [shift_month(m, 0) for m in months]
    out: list[ExpectedRange] = []
    for month in wanted:
        earlier: list[tuple[int, float]] = []
        used: list[str] = []
        for years in range(EXPECTED_RANGE_YEARS, 0, -1):
            r = by_month.get(shift_month(month, -12 * years))
            if r is not None and r.eligible and r.value is not None:
                earlier.append((years, r.value))
                used.append(r.month)
        band = _expected(earlier)
        own = by_month.get(month)
        value = own.value if own is not None else None
        if band is None:
            out.append(ExpectedRange(month, value, None, None, None, tuple(used)))
        else:
            out.append(ExpectedRange(month, value, band[0], band[1], band[2], tuple(used)))
    return tuple(out)


def expected_range_phrase(rng: ExpectedRange) -> str | None:
    """'above the expected range', 'within the expected range' (the edges count as within) or 'below the expected
    range'; None when the month has no value or no range."""
    if rng.value is None or rng.low is None or rng.high is None:
        return None
    if rng.value > rng.high:
        return "above the expected range"
    if rng.value < rng.low:
        return "below the expected range"
    return "within the expected range"


# ---------------------------------------------------------------------------------------------------- rates


def p_chart(
    series: Iterable[tuple[str, int | None, int | None, str | bool | None]],
    *,
    baseline: tuple[str, str] | None = None,
) -> PChart:
    """p-chart of a monthly rate such as the solved rate (solved of total crimes each month).

    p̄ = Σ solved ÷ Σ total over the eligible baseline months (default: the first month to at most 24 months
    later; trial with fewer than 12). Each month's limits are p̄ ± 3 × √(p̄(1 − p̄) / total), clipped to [0, 1].
    Rules: ``outside_limits`` (rate above the upper or below the lower limit) and ``shift`` (7 or more eligible
    months in a row on one side of p̄). A month with no figure, a total of 0 or a data-quality reason is not
    eligible: no rate, no limits, no signal, not in the baseline, and it breaks a run.
    """
    rows: list[tuple[str, int | None, int | None, str | None]] = []
    for month, solved, total, reason in series:
        month = str(month)
        s, n = _count(solved, month, "solved count"), _count(total, month, "total")
        if s is not None and n is not None and s > n:
            raise ValueError(f"{month}: solved ({s}) is more than the total ({n})")
        rows.append((month, s, n, _quality(reason, month)))
    _check_months([r[0] for r in rows])
    first, last = rows[0][0], rows[-1][0]
    if baseline is None:
        start, end = first, min(last, shift_month(first, BASELINE_MONTHS - 1))
    else:
        start, end = shift_month(baseline[0], 0), shift_month(baseline[1], 0)
        if end < start or start < first or end > last:
            raise ValueError(f"the baseline {start}:{end} is not a run of months within the chart's {first}:{last}")

    def eligible(row: tuple[str, int | None, int | None, str | None]) -> bool:
        return row[1] is not None and row[2] is not None and row[2] > 0 and row[3] is None

    window = [r for r in rows if start <= r[0] <= end]
    used = [r for r in window if eligible(r)]
    solved_sum = sum(r[1] or 0 for r in used)
    total_sum = sum(r[2] or 0 for r in used)
    centre = solved_sum / total_sum if total_sum else None
    base = Baseline(
        start=start,
        end=end,
        months=tuple(r[0] for r in used),
        excluded=tuple(r[0] for r in window if not eligible(r)),
        screened=(),
        trial=len(used) < TRIAL_BELOW,
    )
    rates = [(r[1] / r[2]) if eligible(r) and r[1] is not None and r[2] else None for r in rows]
    flagged: list[set[str]] = [set() for _ in rows]
    lows: list[float | None] = []
    highs: list[float | None] = []
    for i, r in enumerate(rows):
        rate, total = rates[i], r[2]
        if centre is None or rate is None or not total:
            lows.append(None)
            highs.append(None)
            continue
        half = 3 * math.sqrt(centre * (1 - centre) / total)
        lo, hi = max(centre - half, 0.0), min(centre + half, 1.0)
        lows.append(lo)
        highs.append(hi)
        if rate > hi or rate < lo:
            flagged[i].add(OUTSIDE_LIMITS)
    if centre is not None:
        for s, e, _ in _side_runs(rates, centre):
            if e - s >= RUN_LENGTH:
                for i in range(s, e):
                    flagged[i].add(SHIFT)
    points = tuple(
        PPoint(
            month=r[0],
            solved=r[1],
            total=r[2],
            rate=rates[i],
            lower=lows[i],
            upper=highs[i],
            data_quality=r[3],
            signals=tuple(s for s in SIGNALS if s in flagged[i]),
        )
        for i, r in enumerate(rows)
    )
    return PChart(centre, base, points)


def _count(value: object, month: str, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{month}: the {what} must be a whole number of 0 or more, or None, not {value!r}")
    return value


def two_proportion_test(solved: int, total: int, solved_before: int, total_before: int) -> ProportionTest:
    """Is the change from solved_before/total_before to solved/total beyond chance?

    Two-proportion z test with the pooled proportion p = (solved + solved_before) / (total + total_before):
    z = (p1 − p0) / √(p(1 − p)(1/total + 1/total_before)); two-sided p-value = erfc(|z| / √2). beyond_chance
    is |z| ≥ 1.96, i.e. a two-sided test at the 5% level (95% confidence). When both periods are all solved or
    all unsolved there is no variation: z = 0 and the change is not beyond chance. change_pp is in percentage
    points (not rounded).
    """
    for what, s, n in (("this period", solved, total), ("the period before", solved_before, total_before)):
        if n <= 0 or s < 0 or s > n:
            raise ValueError(f"{what}: solved must be between 0 and the total, and the total above 0 (got {s} of {n})")
    p1, p0 = solved / total, solved_before / total_before
    pooled = (solved + solved_before) / (total + total_before)
    se = math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / total_before))
    z = (p1 - p0) / se if se > 0 else 0.0
    return ProportionTest(
        rate=p1,
        rate_before=p0,
        change_pp=(p1 - p0) * 100,
        z=z,
        p_value=math.erfc(abs(z) / math.sqrt(2)),
        beyond_chance=abs(z) >= Z_CRITICAL,
    )
