"""Sections several pages share: a measure's report table and bars, a breakdown, rolling 12 months, years."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.domain.kinds import Measure
from analytics.figures import breakdowns, counts, coverage
from analytics.figures.common import Con
from analytics.report import charts, text
from analytics.report import formatting as fmt
from analytics.views.common import MIN_POINTS, Chart, Selection, Table, chart, chart_marks, points, table

ROLLING_COLUMNS = ["month", "rolling_12", "previous_12", "change", "pct_change", "signal"]
ANNUAL_COLUMNS = ["year", "months_covered", "count", "last_year", "pct_change", "change", "signal"]


@dataclass(frozen=True)
class Comparison:
    """A measure's report table, its one-line summary and its bar chart."""

    sentence: str
    table: Table
    bars: Chart


@dataclass(frozen=True)
class Rolling:
    chart: Chart | None  # None when no 12-month total exists: the sentence says why
    sentence: str


@dataclass(frozen=True)
class Years:
    """Calendar and financial years of a measure, each year against the same months a year before."""

    calendar: Table
    financial: Table


def comparison(con: Con, sel: Selection, measure: Measure, name: str) -> Comparison:
    comp = counts.comparison(con, measure=measure, period=sel.period, source=sel.source, district=sel.district)
    sentence = text.comparison_sentence(measure, comp, sel.period)
    t = table(fmt.comparison_table(comp), fmt.comparison_table(comp, formatted=False), sel, f"{name}-by-month")
    months = comp.iloc[:-1]  # the Total row is not a point
    return Comparison(sentence, t, chart(charts.comparison_bars(comp, title="This year against last year"), sentence,
                                         points=points(months, "count")))


@dataclass(frozen=True)
class Breakdown:
    """A breakdown's diverging chart of changes (with its table), or, when no change can be drawn, the table alone
    and a message saying why."""

    chart: Chart | None
    table: Table | None
    message: str | None


def breakdown(con: Con, sel: Selection, measure: Measure, by: str, *, top: int, what: str, name_label: str,
              name: str, empty: str) -> Breakdown:
    df = breakdowns.breakdown(con, measure=measure, by=by, period=sel.period, source=sel.source,
                              district=sel.district)
    if df.empty:
        return Breakdown(None, None, empty)
    t = table(fmt.breakdown_table(df, name_label=name_label),
              fmt.breakdown_table(df, name_label=name_label, formatted=False), sel, name)
    if not text.has_comparison(df):
        return Breakdown(None, t, f"No changes to show: this period has no comparison with a year earlier. "
                                  f"{text.breakdown_sentence(df, what)}")
    return Breakdown(chart(charts.diverging_change(df, top=top), text.breakdown_sentence(df, what), t), t, None)


def rolling(con: Con, sel: Selection, measure: Measure, name: str) -> Rolling:
    roll = counts.rolling_12(con, measure=measure, source=sel.source, end=sel.end, months=13, district=sel.district)
    sentence = text.rolling_sentence(measure, roll)
    if not text.has_values(roll, "rolling_12"):
        return Rolling(None, sentence + " A 12-month total needs all 12 months loaded.")
    shown = points(roll, "rolling_12")
    if shown < MIN_POINTS:
        few = "one 12-month total" if shown == 1 else f"{shown} 12-month totals"
        return Rolling(None, f"{sentence} Only {few} can be made from the months loaded, too few for a chart.")
    labels = {"month": "12 months to"}
    t = table(fmt.display_table(roll, ROLLING_COLUMNS, labels=labels),
              fmt.display_table(roll, ROLLING_COLUMNS, labels=labels, formatted=False), sel,
              f"{name}-rolling-12-months", start=roll["month"].iloc[0], end=sel.end)
    marks = chart_marks(con, sel, measure.kind, str(roll["month"].iloc[0]), sel.end)
    return Rolling(chart(charts.rolling(roll, marks=marks), sentence, t), sentence)


def years(con: Con, sel: Selection, measure: Measure, name: str) -> Years:
    tables = []
    # the years cover every month the source holds
    first = coverage.first_month(con, source=sel.source) or sel.period.start
    last = coverage.latest_month(con, source=sel.source) or sel.period.end
    for basis in ("calendar", "financial"):
        df = counts.annual_totals(con, measure=measure, source=sel.source, basis=basis, district=sel.district)
        labels = {"year": "Financial year" if basis == "financial" else "Year",
                  "last_year": "Same months a year before"}
        tables.append(table(fmt.display_table(df, ANNUAL_COLUMNS, labels=labels),
                            fmt.display_table(df, ANNUAL_COLUMNS, labels=labels, formatted=False), sel,
                            f"{name}-{basis}-years", start=min(first, last), end=last))
    return Years(*tables)


