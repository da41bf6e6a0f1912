"""Plotly figure builders: an analytics DataFrame in, a figure out (a FigureSpec, the dict plotly.js reads). No
queries, no Streamlit.

Every builder draws what the frame holds and nothing more, so the figure data can be checked against the frame.
Signals (changes beyond normal variation) are marked by a diamond marker and the words "◆ signal", and rises
and falls by ▲/▼ in the labels, so nothing depends on colour alone. Colours are from a colour-blind-safe
palette (blue/orange).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from plotly import colors as px_colors

from analytics import interventions as register
from analytics.domain import definitions
from analytics.domain.kinds import Kind
from analytics.domain.periods import month_range, shift_month
from analytics.figures import control
from analytics.report import control_text
from analytics.report import formatting as fmt
from analytics.report.figure_spec import FigureSpec, colorscale, typed_array

GEOJSON_PATH = definitions.ROOT / "data" / "geography" / "kent-districts-2013.geojson"

THIS_YEAR = "#1f4e79"
LAST_YEAR = "#9aa5b1"
FALL = "#2b83ba"
RISE = "#e66101"
SIGNAL_SYMBOL = "diamond"
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=13)
MIN_TEXT = 11  # no text on a chart is drawn smaller (px): Plotly would otherwise shrink bar labels to fit
LABEL_FONT = dict(size=12, color="#0b0c0c")
MAX_TICKS = 6  # month axes label at most this many months, level, so they read on a phone
CHOSEN = "#000000"  # the outline of the district chosen in the sidebar
BAND = "rgba(31, 78, 121, 0.13)"
LIMIT = "#444444"
QUALITY = "#777777"
SIGNAL_COLOUR = RISE
MARK = "#5e3c99"


@dataclass(frozen=True)
class Mark:
    """A register entry on a chart: a vertical line at its month, a short text on it, the detail on hover.
    Process changes are solid lines ("re-baselined"), interventions dotted."""

    month: str  # 'YYYY-MM'
    text: str
    hover: str
    process_change: bool = False

    @property
    def label(self) -> str:
        """The month as the category charts label it ('Mar 2025')."""
        return fmt.month_short(self.month)


def marks_for(entries: Sequence[register.Entry], *, district: str | None = None,
              control_chart: bool = False) -> list[Mark]:
    """The marks of register entries on a chart of `district` (None: the force): an intervention in another
    district than the chart's is named with its district; on a control chart a process change is where it was
    re-baselined."""
    out = []
    for e in entries:
        where = f"{e.district} " if e.district and e.district != district else ""
        change = "Re-baselined" if control_chart else "Process change"
        text = f"{change}: {e.type_label.lower()}" if e.process_change else f"{where}{e.type_label}"
        # Plotly reads its texts as a little HTML: the entry's own words are escaped so they show as written
        out.append(Mark(e.month, html.escape(text, quote=False),
                        html.escape(f"{e.title}: {e.description}", quote=False), e.process_change))
    return out


def add_marks(fig: FigureSpec, marks: Sequence[Mark], xs: Sequence[str], *, dates: bool = False) -> FigureSpec:
    """Draw the marks whose month is on the chart. `xs`: the chart's x values, category labels ('Mar 2025') or,
    with dates=True, months ('2025-03') on a date axis. Texts step down when marks are close, so none overlaps."""
    position = {x: i for i, x in enumerate(xs)}
    shown = sorted((m for m in marks if (m.month if dates else m.label) in position), key=lambda m: m.month)
    for level, mark in enumerate(shown):
        at = _date(mark.month) if dates else mark.label
        fig.add_shape(type="line", xref="x", yref="paper", x0=at, x1=at, y0=0, y1=1,
                      line=dict(color=MARK, width=1.5, dash="solid" if mark.process_change else "dot"))
        # each text a row of its own (three rows, then round again), so the texts cover neither each other nor
        # the points, on a phone as on a wide screen: above the plot on the control charts (their legend is
        # below), at the foot of the plot on the trends (their legend is above, and counts rarely come near 0)
        row = 15 * (level % 3)
        fig.add_annotation(x=at, xref="x", yref="paper", y=1 if dates else 0, yanchor="bottom",
                           yshift=2 + row, xanchor="left" if position[mark.month if dates else mark.label]
                           < len(xs) * 0.6 else "right", text=mark.text, hovertext=mark.hover, showarrow=False,
                           font=dict(size=11, color=MARK), bgcolor=None if dates else "rgba(255,255,255,0.8)")
    if shown and dates:
        top = fig.layout.get("margin", {}).get("t", 30)
        fig.update_layout(margin=dict(t=top + 15 * min(len(shown), 3)))
    return fig


def _date(month: str) -> str:
    """A month as a date-axis value: the middle of the month, so a point sits between its month's ticks."""
    return f"{month}-15"


def _layout(fig: FigureSpec, *, title: str | None = None, height: int = 360, **extra: Any) -> FigureSpec:
    settings: dict[str, Any] = dict(
        # the title on its own line, the legend under it, so neither covers the other in a narrow column
        title=dict(text=title, x=0, xanchor="left", y=0.98, yanchor="top", font=dict(size=15)) if title else None,
        height=height,
        margin=dict(l=10, r=10, t=70 if title else 30, b=10),
        font=FONT,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        plot_bgcolor="white",
        hovermode="x unified",
        # bar labels keep at least MIN_TEXT px: shown whole rather than shrunk to fit a narrow bar
        uniformtext=dict(minsize=MIN_TEXT, mode="show"),
    )
    props = {**settings, **extra}
    # the axes' style over whatever the caller gave them (an axis title), as every chart has one x and one y axis
    props["xaxis"] = {**props.get("xaxis", {}), "showgrid": False, "linecolor": "#cccccc"}
    props["yaxis"] = {**props.get("yaxis", {}), "gridcolor": "#eeeeee", "zeroline": True, "zerolinecolor": "#cccccc",
                      "rangemode": "tozero"}
    return fig.update_layout(**props)


def month_ticks(fig: FigureSpec, labels: Sequence[str], *, most: int = MAX_TICKS) -> FigureSpec:
    """A category axis of months ('Apr 2025') or weeks ('w/c 28 Oct 2024') labelled level, the year on a line of
    its own, at most `most` of them: every n-th counted back from the latest, so the last is always named. Hover
    still names every one."""
    labels = list(labels)
    step = max(1, -(-len(labels) // most))
    shown = labels[::-1][::step][::-1]
    fig.update_xaxes(type="category", tickmode="array", tickvals=shown,
                     ticktext=["<br>".join(str(t).rsplit(" ", 1)) for t in shown], tickangle=0)
    return fig


def _numbers(series: pd.Series) -> list[float | None]:
    """Plotly gaps for <NA>: a month the source does not cover is drawn as a break, not as zero."""
    return [_or_none(v) for v in series]


def trend(df: pd.DataFrame, *, title: str | None = None, y_title: str = "Recorded",
          expected: pd.DataFrame | None = None, marks: Sequence[Mark] = ()) -> FigureSpec:
    """monthly_series frame (month, label, count, last_year): this year as a solid line, last year dotted.

    expected: an expected_frame (label, low, high) drawn as a shaded band named "Expected range" behind the lines;
    marks: register entries as vertical lines."""
    fig = FigureSpec()
    if expected is not None and expected["high"].notna().any():
        band = df[["label"]].merge(expected[["label", "low", "high"]], on="label", how="left")
        fig.add_scatter(x=list(band["label"]), y=_numbers(band["high"]), mode="lines", line=dict(width=0),
                        name="Expected range", legendgroup="expected", showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=list(band["label"]), y=_numbers(band["low"]), mode="lines", line=dict(width=0),
                        fill="tonexty", fillcolor=BAND, name="Expected range", legendgroup="expected",
                        customdata=[[fmt.fmt_int(lo), fmt.fmt_int(hi)] for lo, hi in _zip(band["low"], band["high"])],
                        hovertemplate="Expected range %{customdata[0]}–%{customdata[1]}<extra></extra>")
    fig.add_scatter(
        x=list(df["label"]), y=_numbers(df["count"]), name="Recorded", mode="lines+markers",
        line=dict(color=THIS_YEAR, width=3), marker=dict(size=6),
    )
    fig.add_scatter(
        x=list(df["label"]), y=_numbers(df["last_year"]), name="Same month last year", mode="lines",
        line=dict(color=LAST_YEAR, width=2, dash="dot"),
    )
    _layout(fig, title=title, yaxis=dict(title=y_title))
    month_ticks(fig, list(df["label"]))
    if expected is not None:
        # the axis fits the figures, not the band: a range from few earlier years is wide, and would flatten
        # the lines it is there to help read; the band runs off the chart instead
        tops = [v for v in _numbers(df["count"]) + _numbers(df["last_year"]) if v is not None]
        if tops:
            fig.update_yaxes(range=[0, max(tops) * 1.25])
    return add_marks(fig, marks, list(df["label"]))


def comparison_bars(df: pd.DataFrame, *, title: str | None = None) -> FigureSpec:
    """comparison frame: this year against last year for each month of the period (the Total row is left out).

    Months with a signal get a diamond above the bars.
    """
    months = df[df["month"] != "Total"]
    fig = FigureSpec()
    fig.add_bar(x=list(months["label"]), y=_numbers(months["last_year"]), name="Same month last year",
                marker_color=LAST_YEAR)
    fig.add_bar(x=list(months["label"]), y=_numbers(months["count"]), name="Recorded", marker_color=THIS_YEAR,
                text=[f"{fmt.arrow(c)} {fmt.fmt_pct(p)}" for c, p in _zip(months["change"], months["pct_change"])],
                textposition="outside", cliponaxis=False, textfont=LABEL_FONT, textangle=0)
    flagged = months[_flags(months)]
    if len(flagged):
        tops = [max(v for v in pair if not fmt.is_missing(v)) for pair in _zip(flagged["count"], flagged["last_year"])]
        fig.add_scatter(x=list(flagged["label"]), y=[t * 1.2 for t in tops], mode="markers", name="Signal",
                        marker=dict(symbol=SIGNAL_SYMBOL, size=12, color="black"), hoverinfo="skip")
    _layout(fig, title=title, barmode="group", yaxis=dict(title="Recorded"))
    month_ticks(fig, list(months["label"]))
    return fig


def diverging_change(
    df: pd.DataFrame, *, title: str | None = None, top: int = 6, fall_is_good: bool = True
) -> FigureSpec:
    """breakdown frame (name, count, change, pct_change, signal): the `top` largest reductions and increases as
    horizontal bars of number change, reductions to the left. Labels carry ▲/▼ and the % change; signals are
    black diamonds at the bar ends."""
    rows = df.dropna(subset=["change"])
    falls = rows[rows["change"] < 0].sort_values("change").head(top)
    rises = rows[rows["change"] > 0].sort_values("change", ascending=False).head(top)
    # Plotly draws the first bar at the bottom: largest reduction at the bottom, largest increase at the top
    shown = pd.concat([falls, rises]).sort_values("change", kind="stable")
    good, bad = (FALL, RISE) if fall_is_good else (RISE, FALL)
    colours = [good if c < 0 else bad for c in shown["change"]]
    # signals are the diamonds at the bar ends; labels stay short so they fit beside the zero line
    text = [f"{fmt.arrow(c)} {fmt.fmt_change(c)} ({fmt.fmt_pct(p)})"
            for c, p in _zip(shown["change"], shown["pct_change"])]
    names, changes = list(shown["name"]), [float(v) for v in shown["change"]]
    fig = FigureSpec()
    fig.add_bar(
        y=names, x=changes, orientation="h", marker_color=colours, text=text, textposition="none",
        name="Change on last year", customdata=[fmt.fmt_int(v) for v in shown["count"]],
        hovertemplate="%{y}: %{customdata} recorded, %{text}<extra></extra>",
    )
    flagged = shown[_flags(shown)]
    if len(flagged):
        fig.add_scatter(y=list(flagged["name"]), x=[float(v) for v in flagged["change"]], mode="markers",
                        name="Signal", marker=dict(symbol=SIGNAL_SYMBOL, size=11, color="black"), hoverinfo="skip")
    span = max([abs(v) for v in changes] or [1.0])
    _layout(fig, title=title, height=max(220, 60 + 40 * len(shown)), showlegend=False, hovermode="closest",
            xaxis=dict(title="Change on last year (number)"))
    fig.update_xaxes(range=[-span * 1.15, span * 1.15], zeroline=True, zerolinecolor="#555555")
    fig.update_yaxes(rangemode="normal", gridcolor="rgba(0,0,0,0)")
    two_line_names(fig, names, text)
    return fig


def share_bars(df: pd.DataFrame, *, name: str, value: str, title: str | None = None,
               text: list[str] | None = None) -> FigureSpec:
    """Horizontal bars of one value per name, largest at the top (outcomes by group, crime types, categories).
    With `text`, each name's label is written under its name (two_line_names)."""
    ordered = df.iloc[::-1]
    fig = FigureSpec()
    values = _numbers(ordered[value])
    names = list(ordered[name])
    labels = text[::-1] if text is not None else None
    fig.add_bar(y=names, x=values, orientation="h", marker_color=THIS_YEAR, text=labels, textposition="none",
                hovertemplate="%{y}: %{text}<extra></extra>" if labels is not None else None)
    _layout(fig, title=title, height=max(220, 40 + (40 if labels else 30) * len(df)), showlegend=False,
            hovermode="closest")
    fig.update_xaxes(range=[0, max([v for v in values if v is not None] or [1.0]) * 1.05])
    fig.update_yaxes(rangemode="normal", gridcolor="rgba(0,0,0,0)")
    if labels is not None:
        two_line_names(fig, names, labels)
        # each bar's figure is under its name: an axis of numbers squeezed into a phone's width adds nothing
        fig.update_xaxes(showticklabels=False)
    return fig


def two_line_names(fig: FigureSpec, names: Sequence[str], labels: Sequence[str],
                   shown: Sequence[str] | None = None) -> FigureSpec:
    """Each bar's name with its figures on a second line beside the bar: on a phone a label at the bar's end
    runs off the chart, and one over the bars runs into them. `shown`: the names as drawn (already markup)."""
    drawn = list(shown) if shown is not None else [html.escape(str(n), quote=False) for n in names]
    fig.update_yaxes(tickmode="array", tickvals=list(names),
                     ticktext=[f"{n}<br><b>{html.escape(str(t), quote=False)}</b>" for n, t in _zip(drawn, labels)],
                     tickfont=dict(size=12, color="#0b0c0c"))
    return fig


def rolling(df: pd.DataFrame, *, title: str | None = None, marks: Sequence[Mark] = ()) -> FigureSpec:
    """rolling_12 frame: the 12-month total ending each month, with the 12 months before it dotted."""
    labels = [fmt.month_short(m) for m in df["month"]]
    fig = FigureSpec()
    fig.add_scatter(x=labels, y=_numbers(df["rolling_12"]), name="12 months to here", mode="lines+markers",
                    line=dict(color=THIS_YEAR, width=3))
    fig.add_scatter(x=labels, y=_numbers(df["previous_12"]), name="Previous 12 months", mode="lines",
                    line=dict(color=LAST_YEAR, width=2, dash="dot"))
    flagged = df[_flags(df)]
    if len(flagged):
        fig.add_scatter(x=[fmt.month_short(m) for m in flagged["month"]], y=_numbers(flagged["rolling_12"]),
                        mode="markers", name="Signal", marker=dict(symbol=SIGNAL_SYMBOL, size=12, color="black"))
    _layout(fig, title=title, yaxis=dict(title="Recorded in 12 months"))
    month_ticks(fig, labels)
    fig.update_yaxes(rangemode="normal")
    return add_marks(fig, marks, labels)


def solved_rate_trend(df: pd.DataFrame, *, title: str | None = None, marks: Sequence[Mark] = ()) -> FigureSpec:
    """solved_rate_series frame (month, label, solved, total, rate): the solved rate (%) each month."""
    fig = FigureSpec()
    fig.add_scatter(
        x=list(df["label"]), y=_numbers(df["rate"]), name="Solved rate", mode="lines+markers",
        line=dict(color=THIS_YEAR, width=3),
        customdata=[[fmt.fmt_int(s), fmt.fmt_int(t)] for s, t in _zip(df["solved"], df["total"])],
        hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
    )
    _layout(fig, title=title, yaxis=dict(title="Solved rate (%)"), hovermode="closest")
    month_ticks(fig, list(df["label"]))
    return add_marks(fig, marks, list(df["label"]))


@lru_cache(maxsize=1)
def kent_geojson() -> dict[str, Any]:
    """The 13 Kent districts (2013 boundaries; LAD13CD is the district code). Bundled: no map tiles are fetched."""
    geojson: dict[str, Any] = json.loads(GEOJSON_PATH.read_text(encoding="utf-8"))
    return geojson


def district_map(df: pd.DataFrame, *, color_by: str = "rate_per_1000", title: str | None = None,
                 chosen: str | None = None) -> FigureSpec:
    """rates_per_1000 frame (code, district, rate_per_1000, pct_change, signal) as a choropleth of the districts.

    Each district is named on hover (and in the table beside the map); the `chosen` district is drawn with a
    thick black outline over its neighbours, and its hover says it is the one chosen.

    color_by is 'rate_per_1000' or 'pct_change'. The map has no base tiles and the view fits the districts, so
    nothing is fetched from the internet (a Choroplethmap on a white background that fits the districts).
    Districts with a signal get a ◆ in their label.
    """
    if color_by not in ("rate_per_1000", "pct_change"):
        raise ValueError(f"color_by must be rate_per_1000 or pct_change, not {color_by!r}")
    z = _numbers(df[color_by])
    # a horizontal colour bar under the map leaves the map the full width of its column
    # right under the districts, its title over it, so it reads as the map's key
    bar = dict(orientation="h", y=0, yanchor="top", thickness=12, len=0.7, x=0.5, xanchor="center")
    if color_by == "pct_change":
        span = max([abs(v) for v in z if v is not None] or [1.0])
        colour = dict(colorscale=colorscale("RdBu_r"), zmin=-span, zmax=span,
                      colorbar={**bar, "title": dict(text="% change on last year", side="top")})
    else:
        colour = dict(colorscale=colorscale("Blues"),
                      colorbar={**bar, "title": dict(text="Rate per 1,000 residents", side="top")})
    hover = [
        f"{d}<br>Rate per 1,000: {fmt.fmt_decimal(r)}<br>Change on last year: {fmt.fmt_pct(p)}"
        + ("<br>◆ signal" if bool(s) else "")
        for d, r, p, s in _zip(df["district"], df["rate_per_1000"], df["pct_change"], _flags(df))
    ]
    fig = FigureSpec().add_choroplethmap(
        geojson=kent_geojson(), featureidkey="properties.LAD13CD", locations=list(df["code"]), z=z,
        text=hover, hoverinfo="text", marker_line_color="white", marker_line_width=1, name="Districts",
        **colour,
    )
    picked = [i for i, d in enumerate(df["district"]) if d == chosen]
    if picked:
        i = picked[0]
        fig.add_choroplethmap(
            geojson=kent_geojson(), featureidkey="properties.LAD13CD", locations=[df["code"].iloc[i]], z=[0],
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False, marker_line_color=CHOSEN,
            marker_line_width=4, text=[f"{hover[i]}<br>(chosen)"], hoverinfo="text", name=f"{chosen} (chosen)",
        )
    # A plain white background: no map tiles, no base geography fetched from the internet. The view is set from
    # the boundaries' extent rather than fitbounds, which the plotly.js bundled with Streamlit does not apply.
    (west, south), (east, north) = _extent(kent_geojson())
    fig.update_layout(map=dict(style="white-bg", center=dict(lon=(west + east) / 2, lat=(south + north) / 2),
                               zoom=_zoom(east - west, south, north, height=260)))
    # Kent is twice as wide as it is tall: a map as high as its column is wide would be mostly white
    fig.update_layout(height=330, margin=dict(l=0, r=0, t=40 if title else 0, b=70), font=FONT,
                      title=dict(text=title, x=0) if title else None)
    return fig


def _extent(geojson: dict[str, Any]) -> tuple[tuple[float, float], tuple[float, float]]:
    """(west, south), (east, north) of every coordinate in a GeoJSON FeatureCollection."""
    lons: list[float] = []
    lats: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            lons.append(float(coords[0]))
            lats.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for feature in geojson["features"]:
        walk(feature["geometry"]["coordinates"])
    return (min(lons), min(lats)), (max(lons), max(lats))


def _zoom(lon_span: float, south: float, north: float, width: int = 340, height: int = 340) -> float:
    """The web-mercator zoom at which the extent fits a width × height map (512-pixel world at zoom 0)."""
    import math

    def merc(lat: float) -> float:
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))

    lat_span = merc(north) - merc(south)
    fit_x = math.log2(360 * width / (512 * lon_span * 1.1))
    fit_y = math.log2(360 * height / (512 * lat_span * 1.1))
    return round(min(fit_x, fit_y), 2)


def district_bars(df: pd.DataFrame, *, value: str = "rate_per_1000", title: str | None = None,
                  chosen: str | None = None) -> FigureSpec:
    """rates_per_1000 frame: districts side by side, this period's value with the change and signal as labels.
    The `chosen` district's bar is black and its name bold, marked "▶" (not by colour alone)."""
    ordered = df.sort_values(value, ascending=True)
    text = [
        f"{fmt.fmt_decimal(v) if value == 'rate_per_1000' else fmt.fmt_int(v)}  {fmt.arrow(c)} {fmt.fmt_pct(p)}"
        + ("  ◆ signal" if bool(s) else "")
        for v, c, p, s in _zip(ordered[value], ordered["change"], ordered["pct_change"], _flags(ordered))
    ]
    fig = FigureSpec()
    names = list(ordered["district"])
    fig.add_bar(y=names, x=_numbers(ordered[value]), orientation="h",
                marker_color=[CHOSEN if d == chosen else THIS_YEAR for d in names],
                text=text, textposition="none", hovertemplate="%{y}: %{text}<extra></extra>")
    _layout(fig, title=title, height=40 + 40 * len(df), showlegend=False, hovermode="closest")
    fig.update_yaxes(rangemode="normal", gridcolor="rgba(0,0,0,0)")
    # the chosen district's name in bold, marked ▶
    two_line_names(fig, names, text, shown=[f"<b>▶ {html.escape(d, quote=False)}</b>" if d == chosen
                                                    else html.escape(d, quote=False) for d in names])
    top = max([v for v in _numbers(ordered[value]) if v is not None] or [0.0])
    fig.update_xaxes(range=[0, top * 1.05 or 1])
    return fig


def _halves(low: list[str], high: list[str]) -> list[list[Any]]:
    """One colour scale of two: `low` over 0–0.5 and `high` over 0.5–1, meeting at 0.5 with no blend."""
    first = [[0.5 * i / (len(low) - 1), c] for i, c in enumerate(low)]
    second = [[0.5 + 0.5 * i / (len(high) - 1), c] for i, c in enumerate(high)]
    return first + second


# the coverage map's scale: ASB's counts in its lower half (blues), crime's in its upper half (purples)
KIND_COLOURSCALE = _halves(px_colors.sequential.Blues, px_colors.sequential.Purples)


def coverage_heatmap(
    df: pd.DataFrame, flags: Mapping[str, Sequence[Any]] | None = None, *, title: str | None = None
) -> FigureSpec:
    """coverage frame (source, kind, month, count) as a heat map: one column per source and kind, one row per
    month (earliest at the top), so every cell is wide enough for its words on a phone. ASB and crime each have a
    colour scale of their own, up to that kind's largest month: ASB's few thousand rows a month would look blank
    beside crime's tens of thousands. Months with no rows are blank; `flags` (source -> quality_flags) write
    'missing' or 'partial' in the cell, so gaps read without colour."""
    if df.empty:
        return _layout(FigureSpec(), title=title)
    all_months = month_range(str(df["month"].min()), str(df["month"].max()))
    order = {source: i for i, source in enumerate(definitions.sorted_sources(df["source"].unique().tolist()))}
    rows = sorted(set(_zip(df["source"], df["kind"])), key=lambda r: (order[r[0]], r[1]))
    months = [fmt.month_short(m) for m in all_months]
    labels = {r: f"{r[0]}<br>{Kind(r[1]).heading}" for r in rows}
    columns = [labels[r] for r in rows]
    # one trace for every column (a trace per column, or per kind, is drawn out of line with the others, and costs a
    # column per trace at national scale): each kind's counts are scaled into its own half of one colour scale
    # (ASB 0–0.5 in blues, crime 0.5–1 in purples), the lightest filled cell still a tint, never white.
    # The cells placed by index, not one by one (15,000 of them at national scale), and sent as typed arrays.
    at_month = pd.Index(all_months).get_indexer(pd.Index(df["month"].tolist()))
    keys = [f"{s}\x00{k}" for s, k in _zip(df["source"], df["kind"])]
    at_column = pd.Index([f"{s}\x00{k}" for s, k in rows]).get_indexer(pd.Index(keys))
    found = np.full((len(all_months), len(rows)), np.nan)
    found[at_month, at_column] = pd.to_numeric(df["count"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    kinds = np.array([kind for _, kind in rows])
    tops: dict[str, float] = {}  # each kind's largest month, 1 when it has none
    for kind in set(kinds.tolist()):
        cells = found[:, kinds == kind]
        tops[kind] = 1.0 if np.isnan(cells).all() else float(np.nanmax(cells))
    text = np.full(found.shape, "", dtype=object)
    month_at = {m: i for i, m in enumerate(all_months)}
    column_at = {r: j for j, r in enumerate(rows)}
    for source, source_flags in (flags or {}).items():
        for flag in source_flags:
            if flag.month in month_at and (source, flag.kind) in column_at:
                text[month_at[flag.month], column_at[(source, flag.kind)]] = (
                    "missing" if flag.issue == "missing" else "partial")
    shade = np.full(found.shape, np.nan)
    for j, (_, kind) in enumerate(rows):
        top = tops[kind]
        share = np.clip((found[:, j] + 0.3 * top) / (1.3 * top), 0.0, 1.0)
        # ASB stops just short of 0.5, where crime's half starts
        shade[:, j] = 0.5 + 0.5 * share if kind == Kind.CRIME.value else 0.4999 * share

    fig = FigureSpec()
    fig.add_heatmap(
        x=columns, y=months, z=typed_array(shade), customdata=typed_array(found), text=text.tolist(),
        texttemplate="%{text}", textfont=dict(size=12, color="black"),
        colorscale=KIND_COLOURSCALE, zmin=0.0, zmax=1.0, showscale=False, xgap=3, ygap=2, hoverongaps=False,
        hovertemplate="%{x}, %{y}: %{customdata:,} rows<extra></extra>",
    )
    _layout(fig, title=title, height=90 + 20 * len(all_months), hovermode="closest", showlegend=False)
    fig.update_layout(margin=dict(l=10, r=10, t=70 if title else 50, b=10))
    fig.update_xaxes(side="top", type="category", categoryorder="array", categoryarray=columns)
    fig.update_yaxes(autorange="reversed", rangemode="normal", gridcolor="rgba(0,0,0,0)", type="category")
    return fig


def _flags(df: pd.DataFrame) -> list[bool]:
    return [bool(v) and not fmt.is_missing(v) for v in df["signal"]]


def _zip(*columns: Any) -> Any:
    # a column as a list first: iterating a pandas column of strings goes value by value through Arrow
    return zip(*(c.tolist() if isinstance(c, pd.Series) else c for c in columns), strict=True)


def _or_none(value: Any) -> float | None:
    return None if fmt.is_missing(value) else float(value)



# ---------------------------------------------------------------------------------------------------- control charts
# These charts use a date axis (a point in the middle of its month), whose ticks thin out on a narrow screen.

_PRIORITY = (control.OUTSIDE_LIMITS, control.TWO_OF_THREE, control.SHIFT, control.TREND)


def _x(df: pd.DataFrame) -> list[str]:
    return [_date(m) for m in df["month"]]


def _control_layout(fig: FigureSpec, *, title: str | None, height: int, y_title: str,
                    legend_y: float = -0.2) -> FigureSpec:
    # no axis title: the chart's title says what is counted, and a phone needs the width
    # the legend under the chart: above it, it would fight the register's marks and the title on a phone
    # legend_y: far enough under the plot (a share of its height) to clear the two-line month labels
    return _layout(fig, title=title, height=height, hovermode="closest",
                   legend=dict(orientation="h", yanchor="top", y=legend_y, xanchor="left", x=0),
                   margin=dict(l=10, r=10, t=50 if title else 20, b=10),
                   xaxis=dict(type="date", tickformat="%b<br>%Y", hoverformat="%b %Y", ticklabelmode="period"))


def _segments(df: pd.DataFrame) -> list[pd.DataFrame]:
    return [part for _, part in df.groupby("segment", sort=True)]


def _usable(df: pd.DataFrame, value: str) -> list[float | None]:
    return [None if fmt.is_missing(v) or (isinstance(q, str) and q) else float(v)
            for v, q in _zip(df[value], df["data_quality"])]


def _quality_points(fig: FigureSpec, df: pd.DataFrame, *, value: str = "value") -> None:
    """Data-quality months: a grey ✕ at the figure (at 0 when there is none), labelled in words once a run."""
    dq = df[df["data_quality"].notna() & (df["data_quality"] != "")]
    if dq.empty:
        return
    _missing_bands(fig, dq, value)
    dq = dq[dq[value].notna()]  # months with a figure: a ✕ at it
    if dq.empty:
        return
    texts: list[str] = []
    previous: tuple[str, str] | None = None
    for month, reason, v in _zip(dq["month"], dq["data_quality"], dq[value]):
        word = ("immature" if str(reason).startswith("Outcomes") else "not loaded" if fmt.is_missing(v)
                else "data quality")
        texts.append("" if previous == (word, month) else word)
        previous = (word, shift_month(month, 1))
    fig.add_scatter(x=_x(dq), y=[0.0 if fmt.is_missing(v) else float(v) for v in dq[value]],
                    mode="markers+text", name="data quality: not used, never a signal",
                    text=texts, textposition="bottom center", textfont=dict(size=11, color=QUALITY),
                    marker=dict(symbol="x-thin", size=12, line=dict(width=2.5, color=QUALITY), color=QUALITY),
                    customdata=list(dq["data_quality"]), hovertemplate="%{x}: %{customdata}<extra></extra>")


def _missing_bands(fig: FigureSpec, dq: pd.DataFrame, value: str) -> None:
    """Each run of months with no figure as a grey band across the plot, said in words: "not loaded"."""
    gone = [str(m) for m, v in _zip(dq["month"], dq[value]) if fmt.is_missing(v)]
    runs: list[list[str]] = []
    for month in gone:
        if runs and shift_month(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    for run in runs:
        fig.add_shape(type="rect", xref="x", yref="paper", x0=f"{run[0]}-01", x1=f"{shift_month(run[-1], 1)}-01",
                      y0=0, y1=1, fillcolor="rgba(150,150,150,0.15)", line=dict(width=0), layer="below")
        middle = run[len(run) // 2]
        fig.add_annotation(x=_date(middle), xref="x", yref="paper", y=0.5, text="not loaded", showarrow=False,
                           textangle=-90 if len(run) < 3 else 0, font=dict(size=11, color=QUALITY))


def _limit_lines(fig: FigureSpec, df: pd.DataFrame, *, centre: str, upper: str, lower: str | None,
                 floored: bool, names: tuple[str, str, str], shape: str = "linear") -> None:
    """Centre and limits per segment (a process change starts new lines), trial limits dotted."""
    for k, part in enumerate(_segments(df)):
        trial = bool(part["trial"].iloc[0])
        x = _x(part)
        first = k == 0
        suffix = " (trial)" if trial else ""
        fig.add_scatter(x=x, y=_numbers(part[centre]), mode="lines", name=names[0] + suffix,
                        line=dict(color=LIMIT, width=1.5, shape=shape), legendgroup="centre", showlegend=first,
                        hoverinfo="skip")
        dash = "dot" if trial else "dash"
        fig.add_scatter(x=x, y=_numbers(part[upper]), mode="lines", name=names[1] + suffix,
                        line=dict(color=LIMIT, width=1.5, dash=dash, shape=shape), legendgroup="upper",
                        showlegend=first, hoverinfo="skip")
        if lower is not None:
            name = names[2] + (" (floored at 0)" if floored else "") + suffix
            fig.add_scatter(x=x, y=_numbers(part[lower]), mode="lines", name=name,
                            line=dict(color=LIMIT, width=1.5, dash=dash, shape=shape), legendgroup="lower",
                            showlegend=first, hoverinfo="skip")


def _signal_points(fig: FigureSpec, df: pd.DataFrame, value: str, rules: Sequence[str]) -> None:
    """Each month with a signal gets the marker of its first rule (◆ outside, ★ 2 of 3, ■ shift, ▲/▼ trend): a
    shape, and in the legend its words; the hover lists every rule the month is part of."""
    chosen: dict[str, list[int]] = {}
    for i, signals in enumerate(df["signals"]):
        found = [r for r in _PRIORITY if r in signals and r in rules]
        if found:
            chosen.setdefault(found[0], []).append(i)
    values = list(df[value])
    x = _x(df)
    for rule in _PRIORITY:
        rows = chosen.get(rule, [])
        if not rows:
            continue
        symbols = [control_text.RULE_SYMBOLS[rule]] * len(rows)
        if rule == control.TREND:  # the direction of the month's run, by shape
            symbols = ["triangle-up" if _rising(df, values, i) else "triangle-down" for i in rows]
        fig.add_scatter(
            x=[x[i] for i in rows], y=[float(values[i]) for i in rows], mode="markers",
            name=control_text.RULE_WORDS[rule],
            marker=dict(symbol=symbols, size=12, color=SIGNAL_COLOUR, line=dict(width=1.5, color="black")),
            customdata=[control_text.signal_words(df["signals"].iloc[i]) for i in rows],
            hovertemplate="%{x}: %{y:,.0f}<br>%{customdata}<extra></extra>",
        )


def _rising(df: pd.DataFrame, values: list[Any], i: int) -> bool:
    """Whether the run of trend months holding month i rises (its last value above its first)."""
    start, end = i, i
    while start > 0 and control.TREND in df["signals"].iloc[start - 1]:
        start -= 1
    while end + 1 < len(df) and control.TREND in df["signals"].iloc[end + 1]:
        end += 1
    return bool(float(values[end]) > float(values[start]))


def _latest_label(fig: FigureSpec, df: pd.DataFrame, value: str, text: str | None) -> None:
    """The verdict on the last month, in words, pointing at it: what a reader looks for first."""
    if not text:
        return
    last = df.iloc[-1]
    y = 0.0 if fmt.is_missing(last[value]) else float(last[value])
    # under a low point (into the empty space above 0), over a high one
    low = not fmt.is_missing(last["centre"]) and y < float(last["centre"])
    fig.add_annotation(x=_date(str(last["month"])), y=y, text=html.escape(text, quote=False), showarrow=True,
                       arrowhead=2, ax=-12, ay=34 if low else -34, xanchor="right", font=dict(size=11, color="black"),
                       bgcolor="rgba(255,255,255,0.9)", bordercolor="black", borderwidth=1)


def latest_words(df: pd.DataFrame) -> str | None:
    """Words for the last month of an xmr_frame: its rules, or data quality, or None without a signal."""
    last = df.iloc[-1]
    if isinstance(last["data_quality"], str) and last["data_quality"]:
        return f"{fmt.month_short(str(last['month']))}: data quality"
    signals = tuple(last["signals"])
    if not signals:
        return None
    words = []
    for s in signals:
        if s == control.OUTSIDE_LIMITS:
            above = not fmt.is_missing(last["upper"]) and float(last["value"]) > float(last["upper"])
            words.append("above upper limit" if above else "below lower limit")
        else:
            words.append(control_text.RULE_WORDS[s].split(":")[0])
    return f"{fmt.month_short(str(last['month']))}: {', '.join(words)}"


def xmr(df: pd.DataFrame, *, title: str | None = None, y_title: str = "Recorded",
        marks: Sequence[Mark] = (), height: int = 480) -> FigureSpec:
    """xmr_frame (month, value, data_quality, signals, segment, centre, upper, lower_display, lower_floored,
    trial, …): the individuals chart. The monthly values as a line; centre and limits per segment; signals as
    shapes named in the legend; the last month's verdict in words on the chart; data-quality months as grey ✕,
    not joined to the line; register entries as vertical lines."""
    fig = FigureSpec()
    floored = bool(df["lower_floored"].any())
    _limit_lines(fig, df, centre="centre", upper="upper", lower="lower_display", floored=floored,
                 names=("Centre (mean)", "Upper limit", "Lower limit"))
    fig.add_scatter(x=_x(df), y=_usable(df, "value"), mode="lines+markers", name=y_title,
                    line=dict(color=THIS_YEAR, width=2.5), marker=dict(size=6), connectgaps=False,
                    hovertemplate="%{x}: %{y:,.0f}<extra></extra>")
    _signal_points(fig, df, "value", control.SIGNALS)
    _quality_points(fig, df)
    _latest_label(fig, df, "value", latest_words(df))
    _control_layout(fig, title=title, height=height, y_title=y_title)
    return add_marks(fig, marks, list(df["month"]), dates=True)


def moving_range(df: pd.DataFrame, *, title: str | None = None, height: int = 300) -> FigureSpec:
    """xmr_frame: the moving-range chart — each month's change from the month before (bars), their mean and the
    upper range limit (3.267 × mean) per segment; a bar above the range limit is marked ◆ and said in words."""
    fig = FigureSpec()
    fig.add_bar(x=_x(df), y=_numbers(df["moving_range"]), name="Change from the month before",
                marker_color=LAST_YEAR, hovertemplate="%{x}: %{y:,.0f}<extra></extra>")
    for k, part in enumerate(_segments(df)):
        x = _x(part)
        fig.add_scatter(x=x, y=_numbers(part["mr_bar"]), mode="lines", name="Mean moving range",
                        line=dict(color=LIMIT, width=1.5), legendgroup="mr", showlegend=k == 0, hoverinfo="skip")
        fig.add_scatter(x=x, y=_numbers(part["upper_range_limit"]), mode="lines", name="Upper range limit",
                        line=dict(color=LIMIT, width=1.5, dash="dash"), legendgroup="url", showlegend=k == 0,
                        hoverinfo="skip")
    high = df[df["moving_range"].notna() & df["upper_range_limit"].notna()
              & (df["moving_range"] > df["upper_range_limit"])]
    if len(high):
        fig.add_scatter(x=_x(high), y=_numbers(high["moving_range"]), mode="markers+text",
                        name="above the range limit", text=["above range limit"] * len(high),
                        textposition="top center", marker=dict(symbol=SIGNAL_SYMBOL, size=12, color=SIGNAL_COLOUR,
                                                               line=dict(width=1.5, color="black")))
    return _control_layout(fig, title=title, height=height, y_title="Change", legend_y=-0.38)


def p_chart(df: pd.DataFrame, *, title: str | None = None, marks: Sequence[Mark] = (),
            height: int = 400) -> FigureSpec:
    """p_frame (month, rate, lower, upper, centre (%), data_quality, signals, solved, total): the solved rate
    each month with its own limits (wider in months with fewer crimes, drawn as steps), the average rate, signals
    as shapes and words, immature or data-quality months as grey ✕."""
    fig = FigureSpec()
    frame = df.assign(segment=0, trial=False)
    _limit_lines(fig, frame, centre="centre", upper="upper", lower="lower", floored=False,
                 names=("Average rate", "Upper limit", "Lower limit"), shape="hvh")
    fig.add_scatter(x=_x(df), y=_usable(df, "rate"), mode="lines+markers", name="Solved rate",
                    line=dict(color=THIS_YEAR, width=2.5), marker=dict(size=6),
                    customdata=[[fmt.fmt_int(s), fmt.fmt_int(t)] for s, t in _zip(df["solved"], df["total"])],
                    hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>")
    _signal_points(fig, frame.rename(columns={"rate": "value"}), "value", (control.OUTSIDE_LIMITS, control.SHIFT))
    # an immature month is drawn at its rate so far, greyed: low, and said to be so
    _quality_points(fig, frame, value="raw_rate" if "raw_rate" in frame else "rate")
    _control_layout(fig, title=title, height=height, y_title="Solved rate (%)", legend_y=-0.24)
    fig.update_yaxes(rangemode="normal")
    return add_marks(fig, marks, list(df["month"]), dates=True)


def before_after(df: pd.DataFrame, *, centre: float | None, lower: float | None, upper: float | None,
                 title: str | None = None, y_title: str = "Recorded", intervention: str | None = None,
                 height: int = 380) -> FigureSpec:
    """effect_frame (month, period, value, data_quality, signals, mean): the months before and after an
    intervention as bars, each side's average as a line, the limits from the months before carried across the
    months after, signals on the months after as shapes and words, and the intervention's month as a line."""
    fig = FigureSpec()
    for period, colour in (("before", LAST_YEAR), ("after", THIS_YEAR)):
        part = df[df["period"] == period]
        if part.empty:
            continue
        fig.add_bar(x=_x(part), y=_usable(part, "value"), name=f"Months {period}", marker_color=colour,
                    hovertemplate="%{x}: %{y:,.0f}<extra></extra>")
        mean = part["mean"].iloc[0]
        if not fmt.is_missing(mean):
            fig.add_scatter(x=_x(part), y=[float(mean)] * len(part), mode="lines",
                            name=f"Average {period}: {control_text.figure(float(mean))}",
                            line=dict(color="black", width=2.5, dash="solid" if period == "after" else "dash"))
    after = df[df["period"] == "after"]
    if centre is not None and upper is not None and len(after):
        x = _x(after)
        fig.add_scatter(x=x, y=[upper] * len(x), mode="lines", name="Upper limit (from the months before)",
                        line=dict(color=LIMIT, width=1.2, dash="dot"), hoverinfo="skip")
        fig.add_scatter(x=x, y=[max(lower or 0.0, 0.0)] * len(x), mode="lines",
                        name="Lower limit (from the months before)" + (" (floored at 0)" if (lower or 0) < 0 else ""),
                        line=dict(color=LIMIT, width=1.2, dash="dot"), hoverinfo="skip")
    _signal_points(fig, df.reset_index(drop=True), "value", control.SIGNALS)
    _quality_points(fig, df)
    _control_layout(fig, title=title, height=height, y_title=y_title, legend_y=-0.36)
    fig.update_layout(bargap=0.25)
    if intervention is not None:
        add_marks(fig, [Mark(intervention, "start", "The intervention's month: the first month after")],
                  list(df["month"]), dates=True)
    return fig
