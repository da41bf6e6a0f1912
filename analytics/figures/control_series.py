"""Control charts on the loaded data: monthly series of any measure, ASB call type, crime type or district of one
source, each month with its data-quality reason, the register's process changes and interventions, and the charts
of analytics.figures.control built on them.

Months shown: the `months` months ending at `end`, starting no earlier than the source's first month of the
measure's kind (ASB or crime), so a chart never opens with months from before the source began.

Data quality is not a fall. A month the source does not cover for the kind (missing), or whose extract looks
partial (analytics.figures.coverage: far fewer rows of the kind than the months around it), has no trusted
figure: it is a data-quality point on the chart, never carries a signal, is never reported as a fall and stays
out of every baseline. The partial test is on the kind's whole extract (every district and call type), where a
partial extract shows; a small series (one call type in one district) is never tested on its own, where a real
fall and a partial month cannot be told apart.

Re-baselining and marks follow the register (analytics.interventions.for_chart): a process change starts a new
segment with its own baseline; interventions are marked and get a before/after comparison.

Solved rate: a p-chart of the cohort solved rate. Recent months' rates are low while outcomes are still pending
(the outcomes reference file's pending flag, or no outcome recorded: analytics.domain.maturity), so a month whose
share of victim-based crimes still awaiting an outcome is more than IMMATURE_MARGIN_PP
percentage points above the median share of the months shown has immature outcomes: it is a data-quality point
on the p-chart (no signal, out of the baseline) and says so.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics import interventions as register
from analytics.domain import definitions
from analytics.domain.kinds import Kind, Measure
from analytics.domain.kinds import measure as as_measure
from analytics.domain.periods import month_name, month_range, range_label, shift_month, short_label
from analytics.errors import InputRefused, NotFound
from analytics.figures import control, coverage
from analytics.figures.common import Con, check_district, grouped, month_counts
from analytics.figures.solved import SolvedRate, solved_rate_series

DEFAULT_MONTHS = 36
TREND_MONTHS = 25
MIN_MONTHS = 2
# the column each kind's series can be narrowed to (an allow-list: these reach SQL text), and its words
GROUPS: dict[Kind, tuple[str, str]] = {Kind.ASB: ("call_type", "call type"), Kind.CRIME: ("crime_type", "crime type")}
MEASURE_WORDS = {Measure.ASB: "ASB", Measure.VBC: "Victim-based crime", Measure.ALL_CRIME: "All recorded crime"}
# outcome groups (data/reference/outcomes.csv, and the crime view's fallback) of crimes still awaiting an outcome
IMMATURE_MARGIN_PP = 5.0


@dataclass(frozen=True)
class SeriesSpec:
    """What a chart counts: a measure of one source, optionally one district and one call type or crime type."""

    measure: Measure
    source: str
    district: str | None = None
    group: str | None = None  # an ASB call type, or a crime type

    @property
    def kind(self) -> Kind:
        return self.measure.kind

    @property
    def label(self) -> str:
        """'ASB', 'ASB (Noise nuisance) in Swale', 'Burglary (victim-based crime)'."""
        base = MEASURE_WORDS[self.measure]
        if self.group is not None:
            if self.measure is Measure.ASB:
                base = f"ASB ({self.group})"
            else:
                base = f"{self.group} (victim-based crime)" if self.measure is Measure.VBC else self.group
        return base + (f" in {self.district}" if self.district else "")

    @property
    def noun(self) -> str:
        return "incidents" if self.measure is Measure.ASB else "crimes"


@dataclass(frozen=True)
class ControlSeries:
    """An XmR chart of a series with the register entries that shape it (see module)."""

    spec: SeriesSpec
    months: tuple[str, ...]
    values: tuple[control.MonthValue, ...]
    chart: control.XmRChart
    process_changes: tuple[register.Entry, ...]  # active ones within the months shown, that re-baseline it
    interventions: tuple[register.Entry, ...]  # active ones within the months shown, marked on it
    suggestion: str | None  # the month a sustained shift starts (after its baseline), to re-baseline from
    baseline_given: bool
    previewed: tuple[str, ...] = ()  # months re-baselined for a preview, not in the register

    @property
    def label(self) -> str:
        return self.spec.label

    def point(self, month: str) -> control.XmRPoint | None:
        return next((p for p in self.chart.points if p.month == month), None)

    def segment(self, month: str) -> control.Segment:
        """The segment holding `month` (the last one for a month after the chart)."""
        return next((s for s in self.chart.segments if s.start <= month <= s.end), self.chart.last)

    def to_json_dict(self) -> dict[str, Any]:
        """The `control --json` object: the contract's keys first, then what the chart is of and the register."""
        out = self.chart.to_json_dict(self.spec.measure.value)
        out.update({
            "source": self.spec.source,
            "district": self.spec.district,
            GROUPS[self.spec.kind][0]: self.spec.group,
            "label": self.label,
            "shown": {"start": self.months[0], "end": self.months[-1]},
            "suggested_rebaseline": self.suggestion,
            "process_changes": [e.to_json_dict() for e in self.process_changes],
            "interventions": [e.to_json_dict() for e in self.interventions],
        })
        return out


# ---------------------------------------------------------------------------------------------------- the months


def _measure(value: Measure | str) -> Measure:
    try:
        return as_measure(value)
    except ValueError as e:
        raise InputRefused("Unknown measure", str(e)) from None


def shown_months(con: Con, *, source: str, kind: Kind, end: str, months: int) -> tuple[str, ...]:
    """The `months` months ending at `end`, from no earlier than the source's first month of `kind`."""
    try:
        end = shift_month(end, 0)
    except ValueError as e:
        raise InputRefused("Bad month", str(e)) from None
    if months < MIN_MONTHS:
        raise InputRefused("Too few months", f"A control chart needs at least {MIN_MONTHS} months; asked for {months}.")
    loaded = coverage.loaded_sources(con)
    if source not in loaded:
        valid = ", ".join(loaded) if loaded else "none (the database is empty)"
        raise NotFound("Unknown source", f"There is no source called {source!r}. Loaded sources: {valid}.")
    covered = coverage.kind_counts(con, kind, source)
    if not covered:
        raise NotFound("No data", f"{source} holds no {kind.word} rows, so there is nothing to chart.")
    first, last = min(covered), max(covered)
    if end < first:
        raise NotFound("No months to chart", f"{source}'s {kind.word} data starts in {month_name(first)}; choose an "
                                             f"end month of {first} or later.")
    if end > last:
        raise InputRefused("No data for that month", f"{source}'s {kind.word} data ends in {month_name(last)}; choose "
                                                     f"an end month of {last} or earlier.")
    return month_range(max(shift_month(end, 1 - months), first), end)


def quality_reasons(con: Con, *, source: str, kind: Kind, months: Iterable[str]) -> dict[str, str]:
    """{month: why its figure cannot be trusted} for the months asked: missing or partial for the kind."""
    wanted = set(months)
    reasons: dict[str, str] = {}
    for flag in coverage.quality_flags(con, source=source):  # the whole history: kept per data version
        if flag.kind == kind and flag.month in wanted:
            reasons[flag.month] = ("Partial month: " if flag.issue == "partial" else "Not loaded: ") + flag.detail
    covered = coverage.kind_counts(con, kind, source)
    for month in wanted - set(reasons) - set(covered):
        reasons[month] = f"Not loaded: {source} has no {kind.word} rows for {month}."
    return reasons


def _group_key(kind: Kind) -> str:
    return GROUPS[kind][0]


def group_names(con: Con, *, measure: Measure | str, source: str, months: Sequence[str]) -> list[str]:
    """The call types (ASB) or crime types (crime) the source records in the months, alphabetical."""
    m = _measure(measure)
    by_group, _ = grouped(con, m, _group_key(m.kind), source, months, None)
    return sorted(str(name) for name in by_group if name is not None)


def _reference_groups(kind: Kind) -> list[str]:
    if kind is Kind.ASB:
        return [c.call_type for c in definitions.call_types()]
    return sorted({g.crime_type for g in definitions.offence_groups()})


def series_spec(
    con: Con, *, measure: Measure | str, source: str, months: Sequence[str], district: str | None = None,
    group: str | None = None,
) -> SeriesSpec:
    """The spec with the district and group in their canonical names; NotFound naming the valid ones."""
    m = _measure(measure)
    where = check_district(district)
    if group is None or not str(group).strip():
        return SeriesSpec(m, source, where)
    what = GROUPS[m.kind][1]
    names = group_names(con, measure=m, source=source, months=months)
    key = definitions.normalise_key(str(group))
    for name in names:
        if definitions.normalise_key(name) == key:
            return SeriesSpec(m, source, where, name)
    span = range_label(months[0], months[-1])
    if not names:
        raise NotFound(f"No {what}s", f"{source} records no {what}s in {span}"
                       + (" (police.uk publishes ASB incidents without them)." if m.kind is Kind.ASB else "."))
    for name in _reference_groups(m.kind):  # known, but none of it in these months: its counts are 0
        if definitions.normalise_key(name) == key:
            return SeriesSpec(m, source, where, name)
    raise NotFound(f"Unknown {what}", f"{source} has no {what} called {group!r} in {span}. Its {what}s: "
                                      f"{', '.join(names)}.")


def _counts(con: Con, spec: SeriesSpec, months: Sequence[str]) -> dict[str, int | None]:
    if spec.group is None:
        return month_counts(con, spec.measure, spec.source, months, spec.district)
    by_group, covered = grouped(con, spec.measure, _group_key(spec.kind), spec.source, months, spec.district)
    found = by_group.get(spec.group, {})
    return {m: (found.get(m, 0) if m in covered else None) for m in months}


def month_values(con: Con, spec: SeriesSpec, months: Sequence[str]) -> tuple[control.MonthValue, ...]:
    """Each month's count (None where not covered) and data-quality reason, in order."""
    counts = _counts(con, spec, months)
    reasons = quality_reasons(con, source=spec.source, kind=spec.kind, months=months)
    # counts stay whole numbers (the JSON shows 99, not 99.0)
    return tuple(control.MonthValue(m, counts.get(m), reasons.get(m)) for m in months)


# ---------------------------------------------------------------------------------------------------- XmR


def _chart(
    spec: SeriesSpec, months: tuple[str, ...], values: tuple[control.MonthValue, ...], found: Sequence[register.Entry],
    *, baseline: tuple[str, str] | None, rebaseline_from: Sequence[str], screen_outliers: bool,
) -> ControlSeries:
    changes, marks = register.for_chart(found, kind=spec.kind, district=spec.district, first=months[0],
                                        last=months[-1])
    previewed = tuple(sorted({shift_month(m, 0) for m in rebaseline_from} - {e.month for e in changes}))
    try:
        chart = control.xmr_chart(values, baseline=baseline, screen_outliers=screen_outliers,
                                  process_changes=[e.month for e in changes] + list(previewed))
    except ValueError as e:
        raise InputRefused("Bad baseline", f"{e}.") from None
    return ControlSeries(spec, months, values, chart, tuple(changes), tuple(marks), control.suggest_rebaseline(chart),
                         baseline is not None, previewed)


def control_chart(
    con: Con,
    *,
    measure: Measure | str,
    source: str,
    end: str,
    months: int = DEFAULT_MONTHS,
    district: str | None = None,
    group: str | None = None,
    baseline: tuple[str, str] | None = None,
    rebaseline_from: Sequence[str] = (),
    screen_outliers: bool = False,
) -> ControlSeries:
    """The XmR chart of a measure (optionally one district and one call type or crime type) of one source over the
    months shown (see module). Without `baseline`, each segment's baseline runs from its first month (the first
    month shown, or a process change) to at most 24 months later. `rebaseline_from`: months to re-baseline from as
    well, to preview a suggested re-baseline (not recorded anywhere)."""
    m = _measure(measure)
    shown = shown_months(con, source=source, kind=m.kind, end=end, months=months)
    spec = series_spec(con, measure=m, source=source, months=shown, district=district, group=group)
    values = month_values(con, spec, shown)
    return _chart(spec, shown, values, register.entries(con, include_withdrawn=False), baseline=baseline,
                  rebaseline_from=rebaseline_from, screen_outliers=screen_outliers)


def district_charts(
    con: Con, *, measure: Measure | str, source: str, end: str, months: int = DEFAULT_MONTHS
) -> list[ControlSeries]:
    """The XmR chart of each of the force's districts, from one scan of the months shown."""
    m = _measure(measure)
    shown = shown_months(con, source=source, kind=m.kind, end=end, months=months)
    by_district, covered = grouped(con, m, "district", source, shown, None)
    reasons = quality_reasons(con, source=source, kind=m.kind, months=shown)
    found = register.entries(con, include_withdrawn=False)
    out: list[ControlSeries] = []
    for d in definitions.districts():
        counts = by_district.get(d.name, {})
        values = tuple(control.MonthValue(mo, counts.get(mo, 0) if mo in covered else None, reasons.get(mo))
                       for mo in shown)
        out.append(_chart(SeriesSpec(m, source, d.name), shown, values, found, baseline=None, rebaseline_from=(),
                          screen_outliers=False))
    return out


def xmr_frame(series: ControlSeries) -> pd.DataFrame:
    """One row per month: the value, its moving range, data-quality reason and signals (a tuple of rule names),
    and the limits of its segment (the lower limit raw and as shown, floored at 0), as the charts draw them."""
    rows: list[dict[str, Any]] = []
    for index, segment in enumerate(series.chart.segments):
        in_baseline = set(segment.baseline.months)
        two_thirds = (None if segment.centre is None or segment.upper is None or segment.lower is None else
                      (segment.centre + (segment.upper - segment.centre) * 2 / 3,
                       segment.centre - (segment.centre - segment.lower) * 2 / 3))
        for p in segment.points:
            rows.append({
                "month": p.month, "label": short_label(p.month), "value": p.value, "data_quality": p.data_quality,
                "moving_range": p.moving_range, "signals": p.signals, "segment": index,
                "centre": segment.centre, "lower": segment.lower, "upper": segment.upper,
                "lower_display": segment.lower_display, "lower_floored": segment.lower_floored,
                "two_thirds_upper": None if two_thirds is None else two_thirds[0],
                "two_thirds_lower": None if two_thirds is None else two_thirds[1],
                "mr_bar": segment.mr_bar, "upper_range_limit": segment.upper_range_limit,
                "trial": segment.baseline.trial, "in_baseline": p.month in in_baseline,
            })
    df = pd.DataFrame(rows)
    for col in ("value", "moving_range", "centre", "lower", "upper", "lower_display", "two_thirds_upper",
                "two_thirds_lower", "mr_bar", "upper_range_limit"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


# ---------------------------------------------------------------------------------------------------- before/after


@dataclass(frozen=True)
class InterventionEffect:
    """An intervention's before/after comparison on a series, and the process changes within its months (which
    can explain part of a difference)."""

    entry: register.Entry
    spec: SeriesSpec
    result: control.BeforeAfter
    process_changes: tuple[register.Entry, ...]
    values: tuple[control.MonthValue, ...]  # the months compared, before and after
    # the months after's same months a year earlier: a comparison the seasons do not sway
    year_earlier: tuple[str, ...] = ()
    year_earlier_mean: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {"entry": self.entry.id, "label": self.spec.label, **self.result.to_json_dict(),
                "process_changes_within": [e.id for e in self.process_changes],
                "year_earlier": list(self.year_earlier), "year_earlier_mean": self.year_earlier_mean}


def intervention_effect(
    con: Con, spec: SeriesSpec, entry: register.Entry, *, end: str, months: int | None = None
) -> InterventionEffect:
    """The before/after of `entry` on `spec`'s series: the same number of months either side of its month (up to
    control.BEFORE_AFTER_CAP, or `months`), from the data up to `end`."""
    cap = control.BEFORE_AFTER_CAP if months is None else months
    if entry.month > end:
        raise InputRefused("Not yet", f"{entry.title} starts after {month_name(end)}: there are no months after it "
                                      "to compare yet.")
    covered = coverage.kind_counts(con, spec.kind, spec.source)
    if not covered or entry.month <= min(covered):
        raise InputRefused("No months before", f"{entry.title}: {spec.source} has no {spec.kind.word} months before "
                                               "it to compare with.")
    first = max(shift_month(entry.month, -cap), min(covered))
    last = min(end, shift_month(entry.month, cap - 1), max(covered))
    span = month_range(first, last)
    values = month_values(con, spec, span)
    try:
        result = control.before_after(values, entry.month, months=months, label=spec.label)
    except ValueError as e:
        raise InputRefused("No before/after", f"{e}.") from None
    changes, _ = register.for_chart(register.entries(con, include_withdrawn=False), kind=spec.kind,
                                    district=spec.district, first=result.before[0], last=result.after[-1])
    compared = set(result.before) | set(result.after)
    earlier = month_range(shift_month(result.after[0], -12), shift_month(result.after[-1], -12))
    usable = ([v.value for v in month_values(con, spec, earlier) if v.value is not None and v.data_quality is None]
              if earlier[0] >= min(covered) else [])
    # a mean only when every one of those months is usable, so it covers the same months of the year
    earlier_mean = sum(usable) / len(usable) if usable and len(usable) == len(earlier) else None
    return InterventionEffect(entry, spec, result, tuple(c for c in changes if c.id != entry.id),
                              tuple(v for v in values if v.month in compared), earlier, earlier_mean)


def effect_frame(effect: InterventionEffect) -> pd.DataFrame:
    """month, label, period ('before' | 'after'), value, data_quality, signals (after only), and the mean of its
    side, as the before/after chart draws them."""
    r = effect.result
    signals = {p.month: p.signals for p in r.points}
    rows = [{"month": v.month, "label": short_label(v.month), "period": "before" if v.month in r.before else "after",
             "value": v.value, "data_quality": v.data_quality, "signals": signals.get(v.month, ()),
             "mean": r.before_mean if v.month in r.before else r.after_mean} for v in effect.values]
    df = pd.DataFrame(rows, columns=["month", "label", "period", "value", "data_quality", "signals", "mean"])
    for col in ("value", "mean"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


# ---------------------------------------------------------------------------------------------------- expected range


def expected_band(
    con: Con, *, measure: Measure | str, source: str, end: str, months: int = TREND_MONTHS,
    district: str | None = None,
) -> tuple[control.ExpectedRange, ...]:
    """The expected range of each of the `months` months ending at `end` (the Overview's trend), from the same
    month in up to five earlier years (method: control.EXPECTED_RANGE_METHOD); months with a data-quality
    problem are not used."""
    return expected_for(con, SeriesSpec(_measure(measure), source, check_district(district)), end=end, months=months)


def expected_for(con: Con, spec: SeriesSpec, *, end: str, months: int = 1) -> tuple[control.ExpectedRange, ...]:
    """The expected range of each of the `months` months of `spec`'s series ending at `end`."""
    shown = month_range(shift_month(end, 1 - months), shift_month(end, 0))
    span = month_range(shift_month(shown[0], -12 * control.EXPECTED_RANGE_YEARS), shown[-1])
    return control.expected_ranges(month_values(con, spec, span), months=shown)


def expected_frame(ranges: Sequence[control.ExpectedRange]) -> pd.DataFrame:
    """month, label, value, low, expected, high (float, NaN without a range) and phrase of each range."""
    df = pd.DataFrame([{"month": r.month, "label": short_label(r.month), "value": r.value, "low": r.low,
                        "expected": r.expected, "high": r.high, "phrase": control.expected_range_phrase(r)}
                       for r in ranges], columns=["month", "label", "value", "low", "expected", "high", "phrase"])
    for col in ("value", "low", "expected", "high"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


# ---------------------------------------------------------------------------------------------------- solved rate


@dataclass(frozen=True)
class SolvedControl:
    """The p-chart of the victim-based crime solved rate (cohort basis) and the months whose outcomes are
    immature (see module)."""

    months: tuple[str, ...]
    chart: control.PChart
    pending_pct: Mapping[str, float]  # share of the month's victim-based crimes still awaiting an outcome
    typical_pending_pct: float | None  # the median of those shares
    immature: tuple[str, ...]
    district: str | None


def solved_control(
    con: Con, *, source: str, end: str, months: int = TREND_MONTHS, district: str | None = None
) -> SolvedControl:
    shown = shown_months(con, source=source, kind=Kind.CRIME, end=end, months=months)
    where = check_district(district)
    series = solved_rate_series(con, source=source, end=shown[-1], months=len(shown), district=where)
    pending: dict[str, float] = {}
    for month, total, waiting in zip(series["month"], series["total"], series["pending"], strict=True):
        if not pd.isna(total) and int(total):
            pending[str(month)] = int(waiting) * 100 / int(total)
    typical = statistics.median(pending.values()) if pending else None
    immature = tuple(m for m, share in pending.items()
                     if typical is not None and share - typical > IMMATURE_MARGIN_PP)
    reasons = quality_reasons(con, source=source, kind=Kind.CRIME, months=shown)
    for month in immature:
        reasons.setdefault(month, f"Outcomes not yet mature: {pending[month]:.1f}% of these crimes still await an "
                                  f"outcome, against {typical:.1f}% in a typical month shown; the rate will rise as "
                                  "investigations finish.")
    rows = []
    for month, solved, total in zip(series["month"], series["solved"], series["total"], strict=True):
        rows.append((str(month), None if pd.isna(solved) else int(solved), None if pd.isna(total) else int(total),
                     reasons.get(str(month))))
    return SolvedControl(shown, control.p_chart(rows), pending, typical, immature, where)


def solved_change_test(rate: SolvedRate) -> control.ProportionTest | None:
    """Whether the change in the solved rate on the same months last year is beyond chance (None when either
    period has no rate)."""
    if rate.solved is None or rate.total is None or rate.last_year_solved is None or rate.last_year_total is None:
        return None
    if not rate.total or not rate.last_year_total:
        return None
    return control.two_proportion_test(rate.solved, rate.total, rate.last_year_solved, rate.last_year_total)


def p_frame(sc: SolvedControl) -> pd.DataFrame:
    """month, label, solved, total, rate/lower/upper (%), centre (%), data_quality, signals, pending_pct, and
    raw_rate (%): solved ÷ total even in a month left out (an immature month's rate so far)."""
    centre = None if sc.chart.centre is None else sc.chart.centre * 100
    df = pd.DataFrame([{
        "month": p.month, "label": short_label(p.month), "solved": p.solved, "total": p.total,
        "rate": None if p.rate is None else p.rate * 100, "lower": None if p.lower is None else p.lower * 100,
        "upper": None if p.upper is None else p.upper * 100, "centre": centre, "data_quality": p.data_quality,
        "signals": p.signals, "pending_pct": sc.pending_pct.get(p.month),
        "raw_rate": p.solved * 100 / p.total if p.solved is not None and p.total else None,
    } for p in sc.chart.points])
    for col in ("rate", "lower", "upper", "centre", "pending_pct", "raw_rate"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in ("solved", "total"):
        df[col] = df[col].astype("Int64")
    return df
