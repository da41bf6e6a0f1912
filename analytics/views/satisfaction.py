"""The Victim satisfaction page: the share of ASB victims satisfied over the period with its 95% Wilson interval,
the change on the same period last year and whether it is significant, the comparison figure, and each month."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.figures.common import Con
from analytics.measures import satisfaction
from analytics.measures.catalogue import SATISFACTION
from analytics.measures.figures import loaded
from analytics.measures.periods import period_label
from analytics.report import formatting as fmt
from analytics.report import measure_charts
from analytics.report import measures as words
from analytics.report.tiles import Tile
from analytics.views.common import Chart, Header, Selection, Table, chart, one_source
from analytics.views.engagement import measures_header

WHAT = ("The share of ASB victims surveyed who were satisfied, with its 95% confidence interval (Wilson), against "
        "the same months last year and the England and Wales figure where one is entered.")
NOTHING = ("No victim satisfaction figures are loaded yet. An analyst can load a measures file with "
           "asb_victim_satisfaction rows (number satisfied and number surveyed); template on the Upload page.")
METHOD = ("The interval is the 95% Wilson score interval from the number surveyed; a change on last year is called "
          "significant only when a two-proportion z test finds it so at the 5% level (|z| ≥ 1.96). A period pools "
          "the responses of its months and needs every month loaded. The comparison figure is \"in line\" when it "
          "lies inside the interval.")


@dataclass(frozen=True)
class SatisfactionView:
    header: Header
    empty: str | None
    tiles: list[Tile]
    sentences: list[str]
    chart: Chart | None
    method: str


def satisfaction_tile(con: Con, sel: Selection) -> Tile:
    s = satisfaction.satisfaction(con, sel.district, sel.period)
    i = s.interval
    if s.figure is None or i is None:
        return Tile("satisfaction", "ASB victim satisfaction", fmt.NA, None, "normal", "off", False,
                    "Not every month of the period is loaded", "")
    pp = None if s.last_year_interval is None else round(100 * (i.share - s.last_year_interval.share), 1)
    test = s.test
    verdict = ("No comparison: the same months last year are not loaded" if test is None else
               f"{'Significant' if test.beyond_chance else 'Not a significant'} change (p = {test.p_value:.3f})")
    return Tile(
        key="satisfaction", label="ASB victim satisfaction", value=f"{100 * i.share:.1f}%",
        delta=None if pp is None else f"{fmt.fmt_pp(pp)} on last year", delta_color="normal",
        direction="off" if not pp else ("up" if pp > 0 else "down"), signal=bool(test and test.beyond_chance),
        signal_text=f"95% interval {100 * i.low:.1f}% – {100 * i.high:.1f}% · {verdict}",
        help=f"{fmt.fmt_int(int(s.figure.value))} satisfied of {fmt.fmt_int(s.figure.surveyed)} surveyed.",
    )


def comparison_tile(con: Con, sel: Selection) -> Tile | None:
    s = satisfaction.satisfaction(con, sel.district, sel.period)
    if s.comparison is None:
        return None
    return Tile("comparison", "England and Wales", f"{s.comparison.value:.1f}%", None, "normal", "off", False,
                f"Entered for {period_label(s.comparison.period)}" + (
                    f"; {sel.area} is {s.against_comparison} it" if s.against_comparison else ""), "")


@one_source
def build(con: Con, sel: Selection) -> SatisfactionView:
    head = measures_header(sel, "Victim satisfaction", WHAT)
    if SATISFACTION not in loaded(con):
        return SatisfactionView(head, NOTHING, [], [], None, METHOD)
    tiles = [satisfaction_tile(con, sel)]
    other = comparison_tile(con, sel)
    if other is not None:
        tiles.append(other)
    sentences = words.satisfaction_sentences(con, period=sel.period, district=sel.district)
    monthly = satisfaction.satisfaction_monthly(con, sel.district, sel.end)
    raw = monthly.rename(columns={"period": "Month", "label": "Label", "satisfied": "Satisfied",
                                  "surveyed": "Surveyed", "share_pct": "Share satisfied", "low_pct": "95% low",
                                  "high_pct": "95% high", "comparison_pct": "England and Wales"})
    shown = raw.drop(columns=["Month"]).rename(columns={"Label": "Month"}).astype(object)
    for col in ("Satisfied", "Surveyed"):
        shown[col] = [fmt.NA if fmt.is_missing(v) else fmt.fmt_int(int(v)) for v in raw[col]]
    for col in ("Share satisfied", "95% low", "95% high", "England and Wales"):
        shown[col] = [fmt.NA if fmt.is_missing(v) else f"{v:.1f}%" for v in raw[col]]
    table = Table(shown, raw, f"victim-satisfaction-to-{sel.end}")
    fig = measure_charts.share_with_intervals(monthly, title="ASB victim satisfaction by month",
                                              comparison_label="England and Wales")
    summary = sentences[0] if sentences else "ASB victim satisfaction by month with 95% intervals."
    return SatisfactionView(head, None, tiles, sentences, chart(fig, summary, table), METHOD)
