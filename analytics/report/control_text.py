"""Control charts in words: the one-sentence verdict a senior officer reads first, the tile line, how the limits
were set, the rules, the tables, the before/after and the solved-rate tests.

Every sentence is built from the chart objects of analytics.figures.control and control_series, so the words and
the chart cannot disagree. A data-quality month is never described as a fall or a rise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analytics import interventions as register
from analytics.domain.periods import month_name, month_runs, range_label, short_label
from analytics.figures import control
from analytics.figures.control_series import ControlSeries, InterventionEffect, SolvedControl
from analytics.report import formatting as fmt

# each rule: its words in a table, its marker on the chart (shape and glyph), and its words on the chart
RULE_WORDS = {
    control.OUTSIDE_LIMITS: "outside the limits",
    control.SHIFT: "shift: 7+ in a row on one side of the centre",
    control.TREND: "trend: 7+ in a row rising or falling",
    control.TWO_OF_THREE: "2 of 3 close to a limit",
}
RULE_SYMBOLS = {control.OUTSIDE_LIMITS: "diamond", control.TWO_OF_THREE: "star", control.SHIFT: "square",
                control.TREND: "triangle-up"}
RULE_GLYPHS = {control.OUTSIDE_LIMITS: "◆", control.TWO_OF_THREE: "★", control.SHIFT: "■", control.TREND: "▲"}
DATA_QUALITY_GLYPH = "✕"
RULES_TEXT = (
    "Rules (NHS England's Making Data Count): ◆ a month outside the limits; ■ a shift, 7 or more months in a row on "
    "one side of the centre line (a month exactly on it breaks the run); ▲ a trend, 7 or more months in a row each "
    "higher (or each lower) than the one before; ★ 2 of 3 months in a row more than two-thirds of the way to the "
    "same limit. ✕ marks a data-quality month (not loaded, a partial extract, or immature outcomes): never a "
    "signal, never a fall, and left out of the limits."
)

SIGNAL, NO_SIGNAL, DATA_QUALITY, NO_LIMITS = "signal", "no signal", "data quality", "no limits"


@dataclass(frozen=True)
class Verdict:
    """The verdict on one month of a chart: the lead sentence, the tile's short line, and its status."""

    month: str
    status: str  # SIGNAL | NO_SIGNAL | DATA_QUALITY | NO_LIMITS
    sentence: str
    short: str
    signals: tuple[str, ...]


def figure(x: float | None) -> str:
    """A count, mean or limit in words: whole numbers as they are, others to one decimal place below 1,000
    (a limit of 110.6 next to a count of 111) and to the unit from 1,000 up (1,896)."""
    if x is None or fmt.is_missing(x):
        return fmt.NA
    return f"{x:,.0f}" if abs(x) >= 1000 or float(x).is_integer() else f"{x:,.1f}"


def range_figure(x: float | None) -> str:
    """An expected range's end: to the unit from 100 up (a band, not a limit tested to a decimal)."""
    if x is None or fmt.is_missing(x):
        return fmt.NA
    return f"{x:,.0f}" if abs(x) >= 100 else figure(x)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def signal_words(signals: Sequence[str]) -> str:
    """'◆ outside the limits; ■ shift: …' or '' — shapes and words, never colour alone."""
    return "; ".join(f"{RULE_GLYPHS[s]} {RULE_WORDS[s]}" for s in signals)


def _points(series: ControlSeries) -> list[control.XmRPoint]:
    return list(series.chart.points)


def _usable(p: control.XmRPoint) -> bool:
    return p.value is not None and p.data_quality is None


def _side(p: control.XmRPoint, seg: control.Segment) -> int:
    if p.value is None or seg.centre is None:
        return 0
    return (p.value > seg.centre) - (p.value < seg.centre)


def _run_back(points: list[control.XmRPoint], i: int, rule: str) -> int:
    """How many points up to i in a row carry `rule`."""
    n = 0
    while i - n >= 0 and rule in points[i - n].signals:
        n += 1
    return n


def _outside_lead(series: ControlSeries, points: list[control.XmRPoint], i: int) -> tuple[str, str]:
    p, seg = points[i], series.segment(points[i].month)
    assert p.value is not None and seg.upper is not None and seg.lower is not None
    above = p.value > seg.upper
    word, limit = ("above its upper limit", seg.upper) if above else ("below its lower limit", seg.lower)

    def same_side(q: control.XmRPoint) -> bool:
        s = series.segment(q.month)
        if control.OUTSIDE_LIMITS not in q.signals or q.value is None or s.centre is None:
            return False
        return (q.value > s.centre) == above

    same = [q for q in points[:i] if same_side(q)]
    when = month_name(p.month)
    figures = f"{figure(p.value)} {series.spec.noun} against a limit of {figure(limit)}"
    run = 0
    while i - run >= 0 and points[i - run] in same + [p]:
        run += 1
    if run >= 2:
        since = f"for the {ordinal(run)} month running"
    elif same:
        since = f"the first time since {month_name(same[-1].month)}"
    else:
        since = f"the first time in the {len(points)} months charted (from {month_name(points[0].month)})"
    sentence = f"{series.label} was {word} in {when} ({figures}), {since}."
    return sentence, f"Control chart: ◆ {word} in {short_label(p.month)}"


def _shift_lead(series: ControlSeries, points: list[control.XmRPoint], i: int) -> tuple[str, str]:
    p, seg = points[i], series.segment(points[i].month)
    n = _run_back(points, i, control.SHIFT)
    start = points[i - n + 1].month
    side = "above" if _side(p, seg) > 0 else "below"
    return (f"{series.label} has been {side} its centre line ({figure(seg.centre)}) for {n} months in a row, since "
            f"{month_name(start)}: a sustained shift ({figure(p.value)} in {month_name(p.month)}).",
            f"Control chart: ■ shift, {n} months in a row {side} its centre line")


def _trend_lead(series: ControlSeries, points: list[control.XmRPoint], i: int) -> tuple[str, str]:
    p = points[i]
    n = _run_back(points, i, control.TREND)
    first = points[i - n + 1]
    rising = first.value is not None and p.value is not None and p.value > first.value
    way = "rising" if rising else "falling"
    return (f"{series.label} has been {way} for {n} months in a row, each month {'higher' if rising else 'lower'} "
            f"than the one before, to {figure(p.value)} in {month_name(p.month)}: a trend.",
            f"Control chart: {'▲' if rising else '▼'} trend, {n} months in a row {way}")


def _two_of_three_lead(series: ControlSeries, points: list[control.XmRPoint], i: int) -> tuple[str, str]:
    p, seg = points[i], series.segment(points[i].month)
    side = "upper" if _side(p, seg) > 0 else "lower"
    return (f"{series.label} in {month_name(p.month)} ({figure(p.value)}) was close to its {side} limit for the "
            "second time in three months (more than two-thirds of the way to it): an early warning.",
            f"Control chart: ★ close to its {side} limit twice in 3 months")


_LEADS = {control.OUTSIDE_LIMITS: _outside_lead, control.SHIFT: _shift_lead, control.TREND: _trend_lead,
          control.TWO_OF_THREE: _two_of_three_lead}


def _limits_phrase(seg: control.Segment) -> str:
    return f"limits {figure(seg.lower_display)}–{figure(seg.upper)}"


def _trial_note(seg: control.Segment) -> str:
    return (f" These are trial limits: fewer than {control.TRIAL_BELOW} baseline months." if seg.baseline.trial
            else "")


def _verdict_usable(series: ControlSeries, points: list[control.XmRPoint], i: int) -> Verdict:
    p, seg = points[i], series.segment(points[i].month)
    if seg.mr_bar is None or seg.upper is None:
        return Verdict(p.month, NO_LIMITS, f"{series.label}: too few usable months to set control limits yet "
                                           f"({len(seg.baseline.months)} in the baseline).",
                       "Control chart: too few months for limits", ())
    if p.signals:
        leads = [_LEADS[s](series, points, i) for s in p.signals]
        sentence = leads[0][0]
        if len(leads) > 1:
            sentence += " Also: " + "; ".join(RULE_WORDS[s] for s in p.signals[1:]) + "."
        return Verdict(p.month, SIGNAL, sentence + _trial_note(seg), leads[0][1], p.signals)
    return Verdict(p.month, NO_SIGNAL,
                   f"No signal: {series.label} is within its normal range ({month_name(p.month)}: "
                   f"{figure(p.value)} {series.spec.noun}; {_limits_phrase(seg)}).{_trial_note(seg)}",
                   f"Control chart: no signal in {short_label(p.month)}", ())


def verdict(series: ControlSeries, month: str | None = None) -> Verdict:
    """The verdict on `month` (default: the last month shown). A data-quality month says so — not a fall — and
    gives the verdict on the latest usable month before it."""
    points = _points(series)
    month = month or points[-1].month
    i = next((k for k, q in enumerate(points) if q.month == month), len(points) - 1)
    p = points[i]
    if _usable(p):
        return _verdict_usable(series, points, i)
    when = month_name(p.month)
    if p.value is None:
        lead = f"{series.label}: {when} is not loaded, so it has no figure."
    else:
        reason = (p.data_quality or "").rstrip(".")
        lead = (f"{series.label} in {when} ({figure(p.value)}) is a data-quality problem, not a real fall: "
                f"{reason[0].lower() + reason[1:] if reason else 'the figure cannot be trusted'}. It is left out of "
                "the limits.")
    earlier = next((k for k in range(i - 1, -1, -1) if _usable(points[k])), None)
    if earlier is not None:
        before = _verdict_usable(series, points, earlier)
        lead += f" The latest usable month is {month_name(points[earlier].month)}: {before.sentence}"
    short = f"Control chart: {short_label(p.month)} is a data-quality month, not a fall"
    return Verdict(p.month, DATA_QUALITY, lead, short, ())


def season_note(verdict: Verdict, rng: control.ExpectedRange | None) -> str | None:
    """A signal on a month within its expected range for the time of year may be the season, not a change."""
    if verdict.status != SIGNAL or rng is None or control.expected_range_phrase(rng) != "within the expected range":
        return None
    return (f"{month_name(verdict.month)} is within its expected range for the time of year "
            f"({range_figure(rng.low)}–{range_figure(rng.high)}, from the same month in {len(rng.years)} earlier "
            "years), so "
            "this signal may be the season rather than a change in the underlying level.")


# ---------------------------------------------------------------------------------------------------- method


def quality_note(series: ControlSeries) -> str | None:
    """The chart's data-quality months in words: months not loaded as runs, the others with their reason."""
    points = [p for p in series.chart.points if p.data_quality]
    if not points:
        return None
    missing = [p.month for p in points if p.value is None]
    parts = [f"not loaded: {month_runs(missing)}"] if missing else []
    parts += [f"{month_name(p.month)}: {(p.data_quality or '').rstrip('.')}" for p in points if p.value is not None]
    return ("Data quality (✕ on the chart; not used for the limits, and never read as a fall or a rise) — "
            + "; ".join(parts) + ".")


def method_text(series: ControlSeries) -> str:
    """How the limits of the latest segment were set, in words with its numbers."""
    seg = series.chart.last
    base = seg.baseline
    if seg.centre is None:
        return "No usable months in the baseline, so no centre line or limits."
    parts = [f"Centre line: the mean of the {len(base.months)} usable baseline months, "
             f"{range_label(base.start, base.end)} ({figure(seg.centre)})."]
    if seg.mr_bar is None or seg.lower is None or seg.upper is None:
        parts.append("There are too few adjacent baseline months for a moving range, so no limits yet.")
        return " ".join(parts)
    parts.append(f"Limits: centre ± 2.66 × the mean moving range ({figure(seg.mr_bar)}, the average month-to-month "
                 f"change), so {figure(seg.lower)} to {figure(seg.upper)}.")
    if seg.lower_floored:
        parts.append(f"The lower limit works out below 0 ({figure(seg.lower)}); counts cannot be negative, so it is "
                     "drawn at 0.")
    if base.trial:
        parts.append(f"Trial limits: fewer than {control.TRIAL_BELOW} baseline months; they firm up as months are "
                     "added.")
    if base.excluded:
        parts.append(f"Left out of the baseline (data quality or no figure): {month_runs(base.excluded)}.")
    if len(series.chart.segments) > 1:
        parts.append(f"Re-baselined from {month_name(seg.start)}"
                     + (" (a recorded process change)." if seg.start not in series.previewed else " (preview)."))
    elif series.baseline_given:
        parts.append("Baseline chosen by hand.")
    else:
        parts.append(f"The baseline is the first {control.BASELINE_MONTHS} months at most, from the first month "
                     "shown or the last recorded process change.")
    return " ".join(parts)


def suggestion_text(series: ControlSeries) -> str | None:
    if series.suggestion is None:
        return None
    seg = series.segment(series.suggestion)
    first = series.point(series.suggestion)
    side = "above" if first is not None and _side(first, seg) > 0 else "below"
    return (f"A sustained shift starts in {month_name(series.suggestion)}: 7 or more months in a row {side} the "
            f"centre line, after the baseline. If the process changed then (a new way of recording, a new system), "
            f"record a process change from {month_name(series.suggestion)} so the limits are recalculated from there.")


# ---------------------------------------------------------------------------------------------------- tables

TABLE_COLUMNS = ["Month", "Recorded", "Moving range", "Signals", "Data quality", "Centre", "Lower limit",
                 "Upper limit", "In baseline"]


def xmr_table(df: pd.DataFrame, *, formatted: bool = True) -> pd.DataFrame:
    """An xmr_frame as the page's table (words for signals) or its download (numbers, rule names)."""
    rows: list[list[object]] = []
    for r in df.to_dict("records"):
        signals = tuple(str(x) for x in r["signals"])
        quality = r["data_quality"] if isinstance(r["data_quality"], str) else ""
        if formatted:
            rows.append([short_label(str(r["month"])), _fmt(r["value"]), _fmt(r["moving_range"]),
                         signal_words(signals) or ("" if quality else "none"),
                         f"{DATA_QUALITY_GLYPH} {quality}" if quality else "", _fmt(r["centre"]),
                         _fmt(r["lower_display"]) + (" (floored at 0)" if r["lower_floored"] else ""),
                         _fmt(r["upper"]), "yes" if r["in_baseline"] else "no"])
        else:
            rows.append([r["month"], _num(r["value"]), _num(r["moving_range"]), " ".join(signals), quality,
                         _num(r["centre"]), _num(r["lower"]), _num(r["upper"]), bool(r["in_baseline"])])
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _fmt(x: object) -> str:
    return fmt.NA if fmt.is_missing(x) else figure(float(x))  # type: ignore[arg-type]


def _num(x: object) -> float | None:
    return None if fmt.is_missing(x) else float(x)  # type: ignore[arg-type]


def register_table(entries: Sequence[register.Entry]) -> pd.DataFrame:
    """The register as shown: every entry, withdrawn ones too, with who recorded it and when."""
    return pd.DataFrame(
        [[f"#{e.id}", e.started.isoformat(), e.type_label, "process change (re-baselines)" if e.process_change
          else "intervention (marked)", e.where, register.AFFECTS.get(e.affects, e.affects), e.description, e.status,
          f"{e.recorded_by}, {e.recorded_at:%Y-%m-%d %H:%M}",
          "" if e.withdrawn_at is None else f"{e.withdrawn_by}, {e.withdrawn_at:%Y-%m-%d %H:%M}: {e.withdrawn_reason}"]
         for e in entries],
        columns=["Entry", "Date", "Type", "Effect on charts", "Where", "Affects", "Description", "Status",
                 "Recorded by", "Withdrawn"])


# ---------------------------------------------------------------------------------------------------- before/after


def effect_sentence(effect: InterventionEffect) -> str:
    """The before/after in plain English, with a caution when the process changed within its months or the
    comparison is on a wider area than the entry's."""
    r = effect.result
    text = r.sentence
    if r.months < 12 and r.after_mean is not None:
        text += (f" The {r.months} months before and after fall at different times of year, and ASB and crime rise "
                 "and fall with the seasons, so part of the difference may be the season.")
        if effect.year_earlier_mean is not None:
            base = effect.year_earlier_mean
            change = (r.after_mean - base) / base * 100 if base else None
            moved = ("unchanged" if change == 0 else "not comparable (none a year earlier)" if change is None
                     else f"{'up' if change > 0 else 'down'} {abs(change):.1f}%")
            span = range_label(effect.year_earlier[0], effect.year_earlier[-1])
            text += f" Against the same months a year earlier ({span}, {figure(base)} a month), they were {moved}."
    if effect.process_changes:
        text += (" Caution: the recording process changed within these months ("
                 + ", ".join(e.title for e in effect.process_changes) + "), so part of any difference may come from "
                 "that change.")
    if effect.entry.district and effect.spec.district != effect.entry.district:
        text += (f" This compares {effect.spec.label}; the entry is in {effect.entry.district}, so choose "
                 f"{effect.entry.district} in the sidebar to compare it alone.")
    return text


def _short_span(first: str, last: str) -> str:
    return short_label(first) if first == last else f"{short_label(first)} – {short_label(last)}"


def year_earlier_change(effect: InterventionEffect) -> float | None:
    """% change of the months after on the same months a year earlier (None without them)."""
    base, after = effect.year_earlier_mean, effect.result.after_mean
    if base is None or after is None or not base:
        return None
    return (after - base) / base * 100


def effect_lead(effect: InterventionEffect) -> str:
    """The before/after in one sentence: the XmR verdict and, when the seasons differ, the same months a year
    earlier, which they do not sway."""
    r = effect.result
    when = month_name(r.intervention)
    if r.shifted is None:
        lead = f"Too few months before {when} to set limits: no verdict yet on whether {effect.spec.label} shifted"
    elif r.shifted:
        way = {"up": "upwards", "down": "downwards"}.get(r.direction or "", "")
        lead = f"{effect.spec.label} shifted {way} after {when} on its XmR chart".replace("  ", " ")
    else:
        lead = f"No evidence that {effect.spec.label} shifted after {when}: no signal on its XmR chart"
    change = year_earlier_change(effect)
    if r.months < 12 and change is not None:
        moved = "unchanged" if round(change, 1) == 0 else f"{'up' if change > 0 else 'down'} {abs(change):.1f}%"
        lead += f"; on the same months a year earlier it was {moved}"
        disagrees = r.shifted and ((r.direction == "up" and change <= 0) or (r.direction == "down" and change >= 0))
        if disagrees:
            lead += ", so the shift is probably the season"
    return lead + "."


def effect_table(effect: InterventionEffect) -> pd.DataFrame:
    """The before/after in a short table that fits a phone: months, averages, change, limits, verdict."""
    r = effect.result
    verdict_words = ("no verdict (too few months before)" if r.shifted is None
                     else f"shifted: {signal_words(r.signals)}" if r.shifted else "no signal")
    change = "" if r.change is None else (f"{'+' if r.change > 0 else fmt.MINUS if r.change < 0 else ''}"
                                          f"{figure(abs(r.change))}"
                                          + ("" if r.pct_change is None else f" ({fmt.fmt_pct(r.pct_change)})"))
    limits = "" if r.centre is None else (f"{figure(max(r.lower or 0.0, 0.0))}–{figure(r.upper)}"
                                          + (" (trial)" if r.trial else ""))
    rows = [
        ["Months", _short_span(r.before[0], r.before[-1]), _short_span(r.after[0], r.after[-1])],
        ["Average a month", figure(r.before_mean), figure(r.after_mean)],
        ["Change", "", change],
        ["Limits", limits, ""],
        ["XmR verdict", "", verdict_words],
    ]
    earlier = year_earlier_change(effect)
    if effect.year_earlier_mean is not None:
        rows.append(["A year earlier", "", f"{figure(effect.year_earlier_mean)} a month "
                     f"({_short_span(effect.year_earlier[0], effect.year_earlier[-1])})"
                     + ("" if earlier is None else f": after is {fmt.fmt_pct(earlier)}")])
    if r.left_out:
        rows.append(["Data quality", month_runs(m for m in r.left_out if m < r.after[0]),
                     month_runs(m for m in r.left_out if m >= r.after[0])])
    return pd.DataFrame(rows, columns=["", "Before", "After"])


# ---------------------------------------------------------------------------------------------------- solved rate


def immature_sentence(sc: SolvedControl) -> str | None:
    if not sc.immature:
        return None
    return (f"Outcomes for {month_runs(sc.immature)} are not yet mature: far more of those crimes still await an "
            f"outcome than in a typical month ({sc.typical_pending_pct or 0:.1f}% awaiting), so their solved rates "
            "will rise as investigations finish. They are shown as data quality (✕) on the p-chart and left out of "
            "its limits.")


def p_chart_sentence(sc: SolvedControl) -> str:
    usable = [p for p in sc.chart.points if p.rate is not None and p.data_quality is None]
    if sc.chart.centre is None or not usable:
        return "Solved rate p-chart: no usable months."
    p = usable[-1]
    when = month_name(p.month)
    rate = f"{p.rate * 100:.1f}%" if p.rate is not None else fmt.NA
    limits = f"{(p.lower or 0) * 100:.1f}%–{(p.upper or 0) * 100:.1f}%"
    trial = " (trial limits)" if sc.chart.baseline.trial else ""
    centre = f"{sc.chart.centre * 100:.1f}%"
    if p.signals:
        words = "; ".join(RULE_WORDS[s] for s in p.signals)
        return (f"Signal: the solved rate in {when} ({rate}) shows {words} against its limits {limits}{trial} "
                f"around an average of {centre}.")
    return (f"No signal: the solved rate in {when} ({rate}) is within its limits ({limits}{trial}) around an average "
            f"of {centre}; the limits widen in months with fewer crimes.")


def proportion_sentence(test: control.ProportionTest | None, period_label: str,
                        immature: Sequence[str] = ()) -> str:
    """Whether the change in the solved rate on the same months last year is beyond chance, in words."""
    if test is None:
        return "No test of the change in the solved rate: a year earlier is not loaded for every month."
    p = "p < 0.001" if test.p_value < 0.001 else f"p = {test.p_value:.3f}"
    change = fmt.fmt_pp(test.change_pp)
    how = f"two-proportion z test, z = {test.z:.2f}, {p}"
    if test.beyond_chance:
        text = (f"The change in the solved rate in {period_label} ({change}: {test.rate * 100:.1f}% against "
                f"{test.rate_before * 100:.1f}%) is beyond chance at the 95% level ({how}).")
    else:
        text = (f"The change in the solved rate in {period_label} ({change}: {test.rate * 100:.1f}% against "
                f"{test.rate_before * 100:.1f}%) could be chance: it is not beyond chance at the 95% level ({how}).")
    if immature:
        text += (f" Caution: outcomes for {month_runs(immature)} are not yet mature, so this period's rate will rise; "
                 "the comparison is not like for like yet.")
    return text


# ---------------------------------------------------------------------------------------------------- expected range


def expected_sentence(label: str, ranges: Sequence[control.ExpectedRange]) -> str:
    """The latest month with a figure, against its expected range, or why it has none."""
    with_value = [r for r in ranges if r.value is not None]
    if not with_value:
        return f"{label}: no months with a figure, so no expected range."
    r = with_value[-1]
    when = month_name(r.month)
    phrase = control.expected_range_phrase(r)
    if phrase is None:
        return (f"{label} in {when}: no expected range — it needs the same month in at least "
                f"{control.EXPECTED_RANGE_MIN_YEARS} earlier years ({len(r.years)} loaded).")
    return (f"{label} in {when} ({figure(r.value)}) was {phrase} ({range_figure(r.low)}–{range_figure(r.high)}, "
            f"expected {range_figure(r.expected)} from {len(r.years)} earlier years).")


# ---------------------------------------------------------------------------------------------------- districts


def district_signal_sentence(charts: Sequence[ControlSeries], month: str) -> str:
    """Which districts' control charts show a signal in `month`."""
    when = month_name(month)
    verdicts = [(c.spec.district or "", verdict(c, month)) for c in charts]
    if verdicts and all(v.status == DATA_QUALITY for _, v in verdicts):
        return (f"{when} is a data-quality month for every district (not loaded or a partial extract): no district "
                "signal can be read, and no fall should be.")
    flagged = [(d, v) for d, v in verdicts if v.status == SIGNAL]
    if not flagged:
        return f"No district's control chart shows a signal in {when}: each is within its normal range."
    names = ", ".join(f"{d} ({'; '.join(RULE_WORDS[s] for s in v.signals)})" for d, v in flagged)
    rest = len(verdicts) - len(flagged)
    return (f"Control-chart signals in {when}: {names}. "
            + (f"No signal in the other {rest} districts." if rest else ""))


def district_table(charts: Sequence[ControlSeries], month: str, *, formatted: bool = True) -> pd.DataFrame:
    rows: list[list[object]] = []
    for c in charts:
        p = c.point(month)
        seg = c.segment(month)
        v = verdict(c, month)
        value = None if p is None else p.value
        signals = v.signals if v.status == SIGNAL else ()
        if formatted:
            limits = f"{figure(seg.lower_display)}–{figure(seg.upper)}" + (" (trial)" if seg.baseline.trial else "")
            rows.append([c.spec.district, figure(value), figure(seg.centre), limits,
                         signal_words(signals) or ("data quality" if v.status == DATA_QUALITY else "none")])
        else:
            rows.append([c.spec.district, value, seg.centre, seg.lower, seg.upper, " ".join(signals),
                         v.status == DATA_QUALITY])
    columns = (["District", "This month", "Centre", "Limits", "Control-chart signal"] if formatted else
               ["District", "This month", "Centre", "Lower limit", "Upper limit", "Signals", "Data quality"])
    return pd.DataFrame(rows, columns=columns)
