"""The Overview page: the three headline figures (each with its control chart's verdict on the last month), the
commentary, the 25-month trends with their expected ranges and the register's marks, and how fresh the data is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from analytics.domain.kinds import Measure
from analytics.domain.periods import shift_month
from analytics.errors import InputRefused, NotFound
from analytics.figures import control, control_series, counts, coverage, solved
from analytics.figures.common import Con
from analytics.measures.catalogue import MCV_MEMBERS, MCV_SIGNUPS, SATISFACTION
from analytics.measures.figures import loaded
from analytics.report import charts, control_text, text, tiles
from analytics.report import formatting as fmt
from analytics.report.summary import build_summary
from analytics.report.tiles import Tile
from analytics.views.common import Chart, Header, Selection, chart, chart_marks, header, one_source, points, table
from analytics.views.engagement import flow_tile, members_tile
from analytics.views.satisfaction import satisfaction_tile

WHAT = "The headline figures for the period against the same months a year earlier, and what they mean."
EXPECTED_NOTE = ("Shaded: the expected range for each month, from the same month in earlier years. "
                 + control.EXPECTED_RANGE_METHOD)


@dataclass(frozen=True)
class OverviewView:
    header: Header
    tiles: list[tiles.Tile]
    basis: str
    commentary: list[str]
    latest: str
    freshness: str
    trends: list[Chart]
    expected: list[str]  # each trend's latest month against its expected range
    expected_method: str
    measures: list[Tile]  # engagement and satisfaction, when measures are loaded


def headline_tiles(con: Con, sel: Selection, control_lines: dict[str, str] | None = None) -> list[tiles.Tile]:
    """ASB incidents, victim-based crime and the solved rate for the period against the same months last year;
    control_lines (tile key -> line) adds the control chart's verdict under a tile."""
    args: dict[str, Any] = {"period": sel.period, "source": sel.source, "district": sel.district}
    found = [tiles.count_tile(Measure.ASB, counts.comparison(con, measure=Measure.ASB, **args)),
             tiles.count_tile(Measure.VBC, counts.comparison(con, measure=Measure.VBC, **args)),
             tiles.solved_tile(solved.solved_rate(con, **args))]
    lines = control_lines or {}
    return [replace(t, control=lines.get(t.key)) for t in found]


def _solved_line(con: Con, sel: Selection) -> str | None:
    try:
        sc = control_series.solved_control(con, source=sel.source, end=sel.end, district=sel.district)
    except (NotFound, InputRefused):
        return None
    usable = [p for p in sc.chart.points if p.rate is not None and p.data_quality is None]
    if not usable or sc.chart.centre is None:
        return None
    p = usable[-1]
    head = (f"Control chart: ◆ signal in {fmt.month_short(p.month)}" if p.signals
            else f"Control chart: no signal in {fmt.month_short(p.month)}")
    return head + (f"; outcomes since {fmt.month_short(sc.immature[0])} not yet mature" if sc.immature and
                   sc.immature[-1] == sel.end else "")


def trend(con: Con, sel: Selection, measure: Measure) -> tuple[Chart, str]:
    series = counts.monthly_series(con, measure=measure, source=sel.source, end=sel.end, months=25,
                                   district=sel.district)
    ranges = control_series.expected_band(con, measure=measure, source=sel.source, end=sel.end, months=25,
                                          district=sel.district)
    band = control_series.expected_frame(ranges)
    joined = series.merge(band[["month", "low", "high", "phrase"]], on="month", how="left")
    joined[["low", "high"]] = joined[["low", "high"]].round(0)
    columns = ["label", "count", "last_year", "low", "high", "phrase"]
    labels = {"last_year": "Same month last year", "low": "Expected range from", "high": "Expected range to",
              "phrase": "Against the expected range"}
    t = table(fmt.display_table(joined, columns, labels=labels),
              fmt.display_table(joined, columns, labels=labels, formatted=False), sel, f"{measure.value}-trend",
              start=shift_month(sel.end, -24), end=sel.end)
    marks = chart_marks(con, sel, measure.kind, str(series["month"].iloc[0]), sel.end)
    label = control_series.MEASURE_WORDS[measure] + (f" in {sel.district}" if sel.district else "")
    expected = control_text.expected_sentence(label, ranges)
    figure = charts.trend(series, title=measure.label, expected=band, marks=marks)
    return chart(figure, f"{text.trend_sentence(measure, series)} {expected}", t, points=points(series, "count")), \
        expected


def engagement_tiles(con: Con, sel: Selection) -> list[Tile]:
    """MCV members, sign-ups in the period and victim satisfaction, each only when loaded."""
    present = loaded(con)
    out = []
    if MCV_MEMBERS in present:
        out.append(members_tile(con, sel))
    if MCV_SIGNUPS in present:
        out.append(flow_tile(con, MCV_SIGNUPS, sel.district, sel.period))
    if SATISFACTION in present:
        out.append(satisfaction_tile(con, sel))
    return out


@one_source
def build(con: Con, sel: Selection) -> OverviewView:
    fresh = coverage.freshness(con, source=sel.source)
    summary = build_summary(con, period=sel.period, source=sel.source, district=sel.district)
    lines = {"asb": summary["control"].get("asb", {}).get("short"),
             "vbc": summary["control"].get("victim_based_crime", {}).get("short"),
             "solved": _solved_line(con, sel)}
    trends = [trend(con, sel, Measure.ASB), trend(con, sel, Measure.VBC)]
    return OverviewView(
        header=header(con, sel, "Overview", WHAT),
        tiles=headline_tiles(con, sel, {k: v for k, v in lines.items() if v}),
        basis=tiles.basis_text("cohort"),
        commentary=summary["commentary"],
        latest=fmt.month_label(fresh.latest),
        freshness=text.freshness_sentence(fresh),
        trends=[t for t, _ in trends],
        expected=[e for _, e in trends],
        expected_method=EXPECTED_NOTE,
        measures=engagement_tiles(con, sel),
    )
