"""The Control charts page: has a monthly figure really changed? The verdict in one sentence, the XmR chart with
its limits, rules and register marks, the moving-range chart, the table, and an intervention's before/after.

``pack`` gives the performance pack the same charts and tables for ASB and victim-based crime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analytics import interventions as register
from analytics.domain.kinds import Kind, Measure
from analytics.domain.periods import month_name
from analytics.errors import DashboardError, InputRefused, NotFound
from analytics.figures import control_series
from analytics.figures.common import Con
from analytics.report import charts, control_text, export
from analytics.views.common import Chart, Selection, Table, chart, one_source

TITLE = "Control charts"
WHAT = ("Whether a monthly figure has really changed or is moving within its normal range: an XmR control chart "
        "(NHS England's Making Data Count), with the force's process changes and interventions marked.")
MEASURES = (Measure.ASB, Measure.VBC, Measure.ALL_CRIME)
MONTH_CHOICES = (24, 36, 48, 60)
ALL = "All"


@dataclass(frozen=True)
class Choices:
    """What the page's pickers offer for the sidebar's source and end month."""

    group_word: str  # 'Call type' or 'Crime type'
    groups: list[str]  # empty: the source records none
    group_note: str | None
    interventions: dict[int, str]  # entries marked on the chart: id -> title, latest first


@dataclass(frozen=True)
class ControlView:
    title: str
    where: str
    what: str
    status: str  # control_text.SIGNAL | NO_SIGNAL | DATA_QUALITY | NO_LIMITS
    headline: str
    season_note: str | None
    suggestion: str | None
    suggested_month: str | None
    previewing: str | None  # the month a previewed re-baseline starts
    chart: Chart
    method: str
    rules: str
    moving_range: Chart
    table: Table
    quality_note: str | None
    register: Table


@dataclass(frozen=True)
class EffectView:
    title: str
    lead: str | None  # the verdict in one sentence (None: no comparison, the sentence says why)
    sentence: str
    chart: Chart | None
    table: Table | None


def _label(measure: Measure) -> str:
    return control_series.MEASURE_WORDS[measure]


@one_source
def choices(con: Con, sel: Selection, measure: Measure, months: int) -> Choices:
    shown = control_series.shown_months(con, source=sel.source, kind=measure.kind, end=sel.end, months=months)
    word = control_series.GROUPS[measure.kind][1]
    groups = control_series.group_names(con, measure=measure, source=sel.source, months=shown)
    note = None
    if not groups:
        note = (f"{sel.source} records no {word}s" + (" (police.uk publishes ASB incidents without them)."
                                                      if measure.kind is Kind.ASB else "."))
    _, marks = register.for_chart(register.entries(con, include_withdrawn=False), kind=measure.kind,
                                  district=sel.district, first=shown[0], last=shown[-1])
    return Choices(word[0].upper() + word[1:], groups, note, {e.id: e.title for e in reversed(marks)})


def _season_note(con: Con, series: control_series.ControlSeries, verdict: control_text.Verdict) -> str | None:
    if verdict.status != control_text.SIGNAL:
        return None
    [rng] = control_series.expected_for(con, series.spec, end=verdict.month)
    return control_text.season_note(verdict, rng)


def _table(shown: pd.DataFrame, raw: pd.DataFrame, sel: Selection, spec: control_series.SeriesSpec,
           months: Sequence[str]) -> Table:
    """The chart's table, named for its measure, group, area, source and months, its rows carrying area and
    source."""
    what = f"control-chart-{spec.measure.value}" + (f"-{export.slug(spec.group)}" if spec.group else "")
    return Table(shown, export.with_context(raw, area=spec.district, source=sel.source),
                 export.csv_file_name(what, spec.district, sel.source, months[0], months[-1]))


@one_source
def build(con: Con, sel: Selection, measure: Measure, group: str | None = None,
          months: int = control_series.DEFAULT_MONTHS, preview_from: str | None = None) -> ControlView:
    series = control_series.control_chart(con, measure=measure, source=sel.source, end=sel.end, months=months,
                                          district=sel.district, group=group,
                                          rebaseline_from=(preview_from,) if preview_from else ())
    return _view(con, sel, series)


def _view(con: Con, sel: Selection, series: control_series.ControlSeries) -> ControlView:
    verdict = control_text.verdict(series)
    frame = control_series.xmr_frame(series)
    marks = charts.marks_for([*series.process_changes, *series.interventions], district=series.spec.district,
                             control_chart=True)
    if series.previewed:
        marks += [charts.Mark(m, "Re-baselined (preview)", "Preview: not recorded", True) for m in series.previewed]
    noun = series.spec.noun
    y_title = f"{noun[0].upper()}{noun[1:]} a month"
    shown, raw = control_text.xmr_table(frame), control_text.xmr_table(frame, formatted=False)
    table = _table(shown, raw, sel, series.spec, series.months)
    method = control_text.method_text(series)
    xmr_chart = chart(charts.xmr(frame, title=f"{series.label}: {noun} a month, with limits", y_title=y_title,
                                 marks=marks), f"{verdict.sentence} {method}", table)
    mr_chart = chart(charts.moving_range(frame, title="The change from one month to the next"),
                     "The moving range is the size of each month's change from the month before; the limits use "
                     "its mean. A change above the upper range limit is unusually large.")
    quality = control_text.quality_note(series)
    first, last = series.months[0], series.months[-1]
    return ControlView(
        title=TITLE,
        where=f"{series.label} · {sel.source} data · {month_name(first)} – {month_name(last)}",
        what=WHAT,
        status=verdict.status,
        headline=verdict.sentence,
        season_note=_season_note(con, series, verdict),
        suggestion=control_text.suggestion_text(series),
        suggested_month=series.suggestion,
        previewing=series.previewed[0] if series.previewed else None,
        chart=xmr_chart,
        method=method,
        rules=control_text.RULES_TEXT,
        moving_range=mr_chart,
        table=table,
        quality_note=quality,
        register=register_table(con),
    )


def register_table(con: Con) -> Table:
    shown = control_text.register_table(register.entries(con))
    return Table(shown, shown, "interventions-register_kent_all-sources")


@one_source
def effect(con: Con, sel: Selection, measure: Measure, group: str | None, entry_id: int) -> EffectView:
    """The before/after of one register entry on the chosen series, in plain English, with its chart."""
    entry = register.entry(con, entry_id)
    try:
        shown = control_series.shown_months(con, source=sel.source, kind=measure.kind, end=sel.end, months=2)
        spec = control_series.series_spec(con, measure=measure, source=sel.source, months=shown,
                                          district=sel.district, group=group)
        found = control_series.intervention_effect(con, spec, entry, end=sel.end)
    except DashboardError as e:
        return EffectView(f"Before and after: {entry.title}", None, e.message, None, None)
    r = found.result
    frame = control_series.effect_frame(found)
    noun = spec.noun
    table = control_text.effect_table(found)
    sentence = control_text.effect_sentence(found)
    figure = charts.before_after(frame, centre=r.centre, lower=r.lower, upper=r.upper,
                                 title=f"{spec.label}: {r.months} months before and after",
                                 y_title=f"{noun[0].upper()}{noun[1:]} a month",
                                 intervention=entry.month)
    t = Table(table, export.with_context(table, area=spec.district, source=sel.source),
              export.csv_file_name(f"before-after-entry-{entry.id}-{spec.measure.value}", spec.district, sel.source,
                                   frame["month"].iloc[0], frame["month"].iloc[-1]))
    return EffectView(f"Before and after: {entry.title}", control_text.effect_lead(found), sentence,
                      chart(figure, sentence, t), t)


# ---------------------------------------------------------------------------------------------------- the pack


@dataclass(frozen=True)
class PackChart:
    """A control chart for the pack: the verdict, the two charts as Plotly specs, the method and the table."""

    measure: Measure
    status: str
    verdict: str
    method: str
    chart: dict[str, object] | None  # None: too few months to draw
    moving_range: dict[str, object] | None
    table: pd.DataFrame  # as shown (words)
    raw: pd.DataFrame  # numbers, for the workbook


def pack(con: Con, *, source: str, end: str, district: str | None = None,
         months: int = control_series.DEFAULT_MONTHS) -> list[PackChart]:
    """The control charts of ASB and victim-based crime ending at `end`, for the performance pack (a measure whose
    kind the source does not hold up to `end` is left out, as in the summary)."""
    sel = Selection(source, end, "1m", district)
    out = []
    for measure in (Measure.ASB, Measure.VBC):
        try:
            series = control_series.control_chart(con, measure=measure, source=source, end=end, months=months,
                                                  district=district)
        except (NotFound, InputRefused):
            continue
        v = _view(con, sel, series)
        out.append(PackChart(measure, v.status, v.headline, v.method, v.chart.figure, v.moving_range.figure,
                             v.table.shown, v.table.raw))
    return out
