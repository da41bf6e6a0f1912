"""The Crime & outcomes page: victim-based crime against last year, the solved rate, outcomes, crime types, all
crime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.domain.kinds import Measure
from analytics.domain.periods import shift_month
from analytics.figures import breakdowns, solved
from analytics.figures.common import Con
from analytics.report import charts, text, tiles
from analytics.report import formatting as fmt
from analytics.views.common import Chart, Header, Selection, chart, header, table
from analytics.views.sections import Breakdown, Comparison, Years, breakdown, comparison, years

WHAT = ("Victim-based crime by month recorded against the same months a year earlier, how much of it is solved, "
        "and how the crime types moved.")
SERIES_LABELS = {"solved": "Solved", "total": "Victim-based crimes"}
OUTCOME_COLUMNS = ["outcome_group", "count", "share_pct", "solved"]


@dataclass(frozen=True)
class CrimeView:
    header: Header
    vbc: Comparison
    solved_tile: tiles.Tile
    solved_series: Chart
    basis: str
    outcomes: Chart
    crime_types: Breakdown
    all_crime: Comparison
    years: Years


def build(con: Con, sel: Selection) -> CrimeView:
    args: dict[str, Any] = {"period": sel.period, "source": sel.source, "district": sel.district}
    rate = solved.solved_rate(con, **args)
    series = solved.solved_rate_series(con, source=sel.source, end=sel.end, months=25, district=sel.district)
    columns = ["label", "solved", "total", "rate"]
    series_chart = chart(
        charts.solved_rate_trend(series, title="Solved rate by month recorded, 25 months"),
        text.rate_series_sentence(series),
        table(fmt.display_table(series, columns, labels=SERIES_LABELS),
              fmt.display_table(series, columns, labels=SERIES_LABELS, formatted=False), sel, "solved-rate-by-month",
              start=shift_month(sel.end, -24), end=sel.end),
    )
    outcomes = breakdowns.outcome_breakdown(con, **args)
    labels = {"count": "Victim-based crimes"}
    outcome_chart = chart(
        charts.share_bars(outcomes, name="outcome_group", value="share_pct", text=text.outcome_labels(outcomes)),
        text.outcome_sentence(outcomes),
        table(fmt.display_table(outcomes, OUTCOME_COLUMNS, labels=labels),
              fmt.display_table(outcomes, OUTCOME_COLUMNS, labels=labels, formatted=False), sel,
              "victim-based-crime-outcomes"),
    )
    return CrimeView(
        header=header(con, sel, "Crime & outcomes", WHAT),
        vbc=comparison(con, sel, Measure.VBC, "victim-based-crime"),
        solved_tile=tiles.solved_tile(rate),
        solved_series=series_chart,
        basis=tiles.basis_text(rate.basis) + " Recent months rise as investigations finish.",
        outcomes=outcome_chart,
        crime_types=breakdown(con, sel, Measure.ALL_CRIME, "crime_type", top=14, what="crime types",
                              name_label="Crime type", name="crime-types",
                              empty="No crimes recorded in this period for this source."),
        all_crime=comparison(con, sel, Measure.ALL_CRIME, "all-crime"),
        years=years(con, sel, Measure.VBC, "victim-based-crime"),
    )
