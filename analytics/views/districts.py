"""The Districts page: the force's districts by rate per 1,000 residents or by change on last year, on a map, in a
table and side by side."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.domain.kinds import Measure
from analytics.domain.periods import month_name
from analytics.errors import InputRefused, NotFound
from analytics.figures import control_series
from analytics.figures.common import Con
from analytics.figures.rates import rates_per_1000
from analytics.report import charts, control_text, export, text
from analytics.report import formatting as fmt
from analytics.views.common import Chart, Header, Selection, Table, chart, header, one_source

WHAT = "The 13 Kent districts compared: how many incidents or crimes per 1,000 residents, and the change on last year."
MEASURES = (Measure.ASB, Measure.VBC)
COLOURS = {"rate_per_1000": "Rate per 1,000 residents", "pct_change": "% change on last year"}
SHOWN = ["district", "count", "rate_per_1000", "pct_change", "signal"]
DOWNLOADED = ["district", "population", "count", "rate_per_1000", "last_year", "change", "pct_change", "signal"]
CAVEAT = ("Rates use ONS mid-2023 resident population. Resident population is a poor denominator for town centres, "
          "which draw visitors: read high rates there with care. Rows outside the force area or with no district "
          "are not in any district's rate.")


@dataclass(frozen=True)
class DistrictsView:
    header: Header
    summary: str
    table: Table
    map: Chart
    bars: Chart
    chosen_note: str | None  # the sidebar's district, when one is chosen: this page compares them all
    control_heading: str
    control_sentence: str  # which districts' control charts show a signal in the period's last month
    control_table: Table | None


@one_source
def build(con: Con, sel: Selection, measure: Measure, colour: str) -> DistrictsView:
    rates = rates_per_1000(con, measure=measure, period=sel.period, source=sel.source)
    summary = text.district_sentence(rates, measure)
    # every district, whatever the sidebar's district: the area is the force
    raw = export.with_context(fmt.display_table(rates, DOWNLOADED, labels={"last_year": "Same months last year"},
                                                formatted=False), area=None, source=sel.source)
    name = f"{measure.value}-rate-per-1000-by-district"
    shown = fmt.display_table(rates, SHOWN)
    if sel.district:  # the sidebar's district, marked in words in the table as on the map and the bars
        first = shown.columns[0]
        shown[first] = [f"▶ {d} (chosen)" if d == sel.district else d for d in shown[first]]
    table = Table(shown, raw,
                  export.csv_file_name(name, None, sel.source, sel.period.start, sel.period.end))
    heading = f"Control-chart signals in {month_name(sel.end)}"
    try:
        per_district = control_series.district_charts(con, measure=measure, source=sel.source, end=sel.end)
        control_sentence = control_text.district_signal_sentence(per_district, sel.end)
        control_table: Table | None = Table(
            control_text.district_table(per_district, sel.end),
            export.with_context(control_text.district_table(per_district, sel.end, formatted=False), area=None,
                                source=sel.source),
            export.csv_file_name(f"{measure.value}-control-signals-by-district", None, sel.source, sel.end, sel.end))
    except (NotFound, InputRefused) as e:
        control_sentence, control_table = e.message, None
    return DistrictsView(
        header=header(con, sel, "Districts", WHAT),
        summary=summary,
        table=table,
        map=chart(charts.district_map(rates, color_by=colour, chosen=sel.district), summary),
        bars=chart(charts.district_bars(rates, title=f"{measure.label} per 1,000 residents",
                                        chosen=sel.district), summary,
                   table),
        chosen_note=(f"This page always compares all 13 districts; {sel.district}, chosen in the sidebar, is "
                     "outlined in black on the map, marked ▶ in the table and drawn black in the bars."
                     if sel.district else None),
        control_heading=heading,
        control_sentence=control_sentence,
        control_table=control_table,
    )
