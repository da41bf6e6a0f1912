"""The Crime & outcomes page: victim-based crime against last year, the solved rate, outcomes, crime types, all
crime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.domain.kinds import Kind, Measure
from analytics.domain.periods import shift_month
from analytics.errors import InputRefused, NotFound
from analytics.figures import breakdowns, control_series, solved
from analytics.figures.common import Con
from analytics.report import charts, control_text, maturity, text, tiles
from analytics.report import formatting as fmt
from analytics.views.common import Chart, Header, Selection, chart, chart_marks, header, one_source, points, table
from analytics.views.sections import Breakdown, Comparison, Years, breakdown, comparison, years

WHAT = ("Victim-based crime by month recorded against the same months a year earlier, how much of it is solved, "
        "and how the crime types moved.")
SERIES_LABELS = {"solved": "Solved", "total": "Victim-based crimes"}
OUTCOME_COLUMNS = ["outcome_group", "count", "share_pct", "solved"]
P_COLUMNS = ["Month", "Solved", "Victim-based crimes", "Solved rate", "Lower limit", "Upper limit", "Signals",
             "Data quality"]


@dataclass(frozen=True)
class CrimeView:
    header: Header
    vbc: Comparison
    solved_tile: tiles.Tile
    solved_series: Chart
    basis: str
    outcomes: Chart
    p_chart: Chart | None  # None: no months to chart
    p_sentence: str
    immature: str | None  # which months' outcomes are not yet mature, and what that means
    change_test: str  # whether the change in the solved rate on last year is beyond chance
    crime_types: Breakdown
    all_crime: Comparison
    years: Years


@one_source
def build(con: Con, sel: Selection) -> CrimeView:
    args: dict[str, Any] = {"period": sel.period, "source": sel.source, "district": sel.district}
    rate = solved.solved_rate(con, **args)
    series = solved.solved_rate_series(con, source=sel.source, end=sel.end, months=25, district=sel.district)
    columns = ["label", "solved", "total", "rate"]
    marks = chart_marks(con, sel, Kind.CRIME, str(series["month"].iloc[0]), sel.end)
    series_chart = chart(
        charts.solved_rate_trend(series, title="Solved rate by month recorded, 25 months", marks=marks),
        text.rate_series_sentence(series),
        table(fmt.display_table(series, columns, labels=SERIES_LABELS),
              fmt.display_table(series, columns, labels=SERIES_LABELS, formatted=False), sel, "solved-rate-by-month",
              start=shift_month(sel.end, -24), end=sel.end),
        points=points(series, "rate"),
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
    p_chart, p_sentence, immature = _p_chart(con, sel)
    months_now = [m for m in sel.period.months if immature is not None and m in immature.immature]
    test = control_text.proportion_sentence(control_series.solved_change_test(rate), sel.period.label, months_now)
    if rate.like_for_like is False:  # a change that is not like for like is never called beyond chance
        test = maturity.not_tested(rate.pending_share, rate.last_year_pending_share)
    return CrimeView(
        header=header(con, sel, "Crime & outcomes", WHAT),
        vbc=comparison(con, sel, Measure.VBC, "victim-based-crime"),
        solved_tile=tiles.solved_tile(rate),
        solved_series=series_chart,
        basis=tiles.basis_text(rate.basis) + " " + tiles.SERIES_MATURITY,
        outcomes=outcome_chart,
        p_chart=p_chart,
        p_sentence=p_sentence,
        immature=None if immature is None else control_text.immature_sentence(immature),
        change_test=test,
        crime_types=breakdown(con, sel, Measure.ALL_CRIME, "crime_type", top=14, what="crime types",
                              name_label="Crime type", name="crime-types",
                              empty="No crimes recorded in this period for this source."),
        all_crime=comparison(con, sel, Measure.ALL_CRIME, "all-crime"),
        years=years(con, sel, Measure.VBC, "victim-based-crime"),
    )


def _p_chart(con: Con, sel: Selection) -> tuple[Chart | None, str, control_series.SolvedControl | None]:
    """The solved rate's p-chart, its verdict, and the months whose outcomes are immature."""
    try:
        sc = control_series.solved_control(con, source=sel.source, end=sel.end, district=sel.district)
    except (NotFound, InputRefused) as e:
        return None, e.message, None
    frame = control_series.p_frame(sc)
    rows = [[fmt.month_short(r["month"]), fmt.fmt_int(r["solved"]), fmt.fmt_int(r["total"]), fmt.fmt_rate(r["rate"]),
             fmt.fmt_rate(r["lower"]), fmt.fmt_rate(r["upper"]),
             control_text.signal_words(r["signals"]) or ("" if r["data_quality"] else "none"), r["data_quality"] or ""]
            for r in frame.to_dict("records")]
    shown = pd.DataFrame(rows, columns=P_COLUMNS)
    raw = frame[["month", "solved", "total", "rate", "lower", "upper", "data_quality", "pending_pct"]].copy()
    raw["signals"] = [" ".join(s) for s in frame["signals"]]
    sentence = control_text.p_chart_sentence(sc)
    marks = chart_marks(con, sel, Kind.CRIME, sc.months[0], sc.months[-1])
    figure = charts.p_chart(frame, title="Solved rate p-chart: each month against limits from its own size",
                            marks=marks)
    t = table(shown, raw, sel, "solved-rate-p-chart", start=sc.months[0], end=sc.months[-1])
    return chart(figure, sentence, t), sentence, sc
