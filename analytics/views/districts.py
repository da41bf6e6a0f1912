"""The Districts page: the force's districts by rate per 1,000 residents or by change on last year, on a map, in a
table and side by side."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.domain.kinds import Measure
from analytics.figures.common import Con
from analytics.figures.rates import rates_per_1000
from analytics.report import charts, export, text
from analytics.report import formatting as fmt
from analytics.views.common import Chart, Header, Selection, Table, chart, header

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


def build(con: Con, sel: Selection, measure: Measure, colour: str) -> DistrictsView:
    rates = rates_per_1000(con, measure=measure, period=sel.period, source=sel.source)
    summary = text.district_sentence(rates, measure)
    # every district, whatever the sidebar's district: the area is the force
    raw = export.with_context(fmt.display_table(rates, DOWNLOADED, labels={"last_year": "Same months last year"},
                                                formatted=False), area=None, source=sel.source)
    name = f"{measure.value}-rate-per-1000-by-district"
    table = Table(fmt.display_table(rates, SHOWN), raw,
                  export.csv_file_name(name, None, sel.source, sel.period.start, sel.period.end))
    return DistrictsView(
        header=header(con, sel, "Districts", WHAT),
        summary=summary,
        table=table,
        map=chart(charts.district_map(rates, color_by=colour), summary),
        bars=chart(charts.district_bars(rates, title=f"{measure.label} per 1,000 residents"), summary,
                   table),
        chosen_note=(f"This page always compares all 13 districts; {sel.district} is chosen in the sidebar."
                     if sel.district else None),
    )
