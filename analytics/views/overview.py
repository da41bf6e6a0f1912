"""The Overview page: the three headline figures, the commentary, the 25-month trends and how fresh the data is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.domain.kinds import Measure
from analytics.figures import counts, coverage, solved
from analytics.figures.common import Con
from analytics.measures.catalogue import MCV_MEMBERS, MCV_SIGNUPS, SATISFACTION
from analytics.measures.figures import loaded
from analytics.report import charts, text, tiles
from analytics.report import formatting as fmt
from analytics.report.summary import build_summary
from analytics.report.tiles import Tile
from analytics.views.common import Chart, Header, Selection, Table, chart, header
from analytics.views.engagement import flow_tile, members_tile
from analytics.views.satisfaction import satisfaction_tile

WHAT = "The headline figures for the period against the same months a year earlier, and what they mean."


@dataclass(frozen=True)
class OverviewView:
    header: Header
    tiles: list[tiles.Tile]
    basis: str
    commentary: list[str]
    latest: str
    freshness: str
    trends: list[Chart]
    measures: list[Tile]  # engagement and satisfaction, when measures are loaded


def headline_tiles(con: Con, sel: Selection) -> list[tiles.Tile]:
    """ASB incidents, victim-based crime and the solved rate for the period against the same months last year."""
    args: dict[str, Any] = {"period": sel.period, "source": sel.source, "district": sel.district}
    return [tiles.count_tile(Measure.ASB, counts.comparison(con, measure=Measure.ASB, **args)),
            tiles.count_tile(Measure.VBC, counts.comparison(con, measure=Measure.VBC, **args)),
            tiles.solved_tile(solved.solved_rate(con, **args))]


def trend(con: Con, sel: Selection, measure: Measure) -> Chart:
    series = counts.monthly_series(con, measure=measure, source=sel.source, end=sel.end, months=25,
                                   district=sel.district)
    columns, labels = ["label", "count", "last_year"], {"last_year": "Same month last year"}
    table = Table(fmt.display_table(series, columns, labels=labels),
                  fmt.display_table(series, columns, labels=labels, formatted=False),
                  f"{measure.value}-by-month-to-{sel.end}")
    return chart(charts.trend(series, title=measure.label), text.trend_sentence(measure, series), table)


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


def build(con: Con, sel: Selection) -> OverviewView:
    fresh = coverage.freshness(con, source=sel.source)
    summary = build_summary(con, period=sel.period, source=sel.source, district=sel.district)
    return OverviewView(
        header=header(con, sel, "Overview", WHAT),
        tiles=headline_tiles(con, sel),
        basis=tiles.basis_text("cohort"),
        commentary=summary["commentary"],
        latest=fmt.month_label(fresh.latest),
        freshness=text.freshness_sentence(fresh),
        trends=[trend(con, sel, Measure.ASB), trend(con, sel, Measure.VBC)],
        measures=engagement_tiles(con, sel),
    )
