"""Plotly figure builders: an analytics DataFrame in, a figure out. No queries, no Streamlit.

Every builder draws what the frame holds and nothing more, so the figure data can be checked against the frame.
Signals (changes beyond normal variation) are marked by a diamond marker and the words "◆ signal", and rises
and falls by ▲/▼ in the labels, so nothing depends on colour alone. Colours are from a colour-blind-safe
palette (blue/orange).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analytics.domain import definitions
from analytics.domain.kinds import Kind
from analytics.domain.periods import month_range
from analytics.report import formatting as fmt

GEOJSON_PATH = definitions.ROOT / "data" / "geography" / "kent-districts-2013.geojson"

THIS_YEAR = "#1f4e79"
LAST_YEAR = "#9aa5b1"
FALL = "#2b83ba"
RISE = "#e66101"
SIGNAL_SYMBOL = "diamond"
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, *, title: str | None = None, height: int = 360, **extra: Any) -> go.Figure:
    settings: dict[str, Any] = dict(
        # the title on its own line, the legend under it, so neither covers the other in a narrow column
        title=dict(text=title, x=0, xanchor="left", y=0.98, yanchor="top", font=dict(size=15)) if title else None,
        height=height,
        margin=dict(l=10, r=10, t=70 if title else 30, b=10),
        font=FONT,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        plot_bgcolor="white",
        hovermode="x unified",
    )
    fig.update_layout(**{**settings, **extra})
    fig.update_xaxes(showgrid=False, linecolor="#cccccc")
    fig.update_yaxes(gridcolor="#eeeeee", zeroline=True, zerolinecolor="#cccccc", rangemode="tozero")
    return fig


def _numbers(series: pd.Series) -> list[float | None]:
    """Plotly gaps for <NA>: a month the source does not cover is drawn as a break, not as zero."""
    return [_or_none(v) for v in series]


def trend(df: pd.DataFrame, *, title: str | None = None, y_title: str = "Recorded") -> go.Figure:
    """monthly_series frame (month, label, count, last_year): this year as a solid line, last year dotted."""
    fig = go.Figure()
    fig.add_scatter(
        x=list(df["label"]), y=_numbers(df["count"]), name="Recorded", mode="lines+markers",
        line=dict(color=THIS_YEAR, width=3), marker=dict(size=6),
    )
    fig.add_scatter(
        x=list(df["label"]), y=_numbers(df["last_year"]), name="Same month last year", mode="lines",
        line=dict(color=LAST_YEAR, width=2, dash="dot"),
    )
    _layout(fig, title=title, yaxis_title=y_title)
    return fig


def comparison_bars(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """comparison frame: this year against last year for each month of the period (the Total row is left out).

    Months with a signal get a diamond above the bars.
    """
    months = df[df["month"] != "Total"]
    fig = go.Figure()
    fig.add_bar(x=list(months["label"]), y=_numbers(months["last_year"]), name="Same month last year",
                marker_color=LAST_YEAR)
    fig.add_bar(x=list(months["label"]), y=_numbers(months["count"]), name="Recorded", marker_color=THIS_YEAR,
                text=[f"{fmt.arrow(c)} {fmt.fmt_pct(p)}" for c, p in _zip(months["change"], months["pct_change"])],
                textposition="outside", cliponaxis=False)
    flagged = months[_flags(months)]
    if len(flagged):
        tops = [max(v for v in pair if not fmt.is_missing(v)) for pair in _zip(flagged["count"], flagged["last_year"])]
        fig.add_scatter(x=list(flagged["label"]), y=[t * 1.2 for t in tops], mode="markers", name="Signal",
                        marker=dict(symbol=SIGNAL_SYMBOL, size=12, color="black"), hoverinfo="skip")
    _layout(fig, title=title, barmode="group", yaxis_title="Recorded")
    return fig


def diverging_change(
    df: pd.DataFrame, *, title: str | None = None, top: int = 6, fall_is_good: bool = True
) -> go.Figure:
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
    fig = go.Figure()
    fig.add_bar(
        y=names, x=changes, orientation="h", marker_color=colours, text=text, textposition="none",
        name="Change on last year", customdata=[fmt.fmt_int(v) for v in shown["count"]],
        hovertemplate="%{y}: %{customdata} recorded, %{text}<extra></extra>",
    )
    # Labels sit on the other side of the zero line from their bar, so they never run into the names
    fig.add_scatter(
        y=names, x=[0.0] * len(shown), mode="text", text=[f" {t} " for t in text], hoverinfo="skip",
        textposition=["middle right" if c < 0 else "middle left" for c in changes], name="Labels",
    )
    flagged = shown[_flags(shown)]
    if len(flagged):
        fig.add_scatter(y=list(flagged["name"]), x=[float(v) for v in flagged["change"]], mode="markers",
                        name="Signal", marker=dict(symbol=SIGNAL_SYMBOL, size=11, color="black"), hoverinfo="skip")
    span = max([abs(v) for v in changes] or [1.0])
    _layout(fig, title=title, height=max(220, 40 + 34 * len(shown)), showlegend=False, hovermode="closest",
            xaxis_title="Change on last year (number)")
    fig.update_xaxes(range=[-span * 1.15, span * 1.15], zeroline=True, zerolinecolor="#555555")
    fig.update_yaxes(rangemode="normal", gridcolor="rgba(0,0,0,0)")
    return fig


def share_bars(df: pd.DataFrame, *, name: str, value: str, title: str | None = None,
               text: list[str] | None = None) -> go.Figure:
    """Horizontal bars of one value per name, largest at the top (outcomes by group, crime types, categories)."""
    ordered = df.iloc[::-1]
    fig = go.Figure()
    values = _numbers(ordered[value])
    fig.add_bar(y=list(ordered[name]), x=values, orientation="h", marker_color=THIS_YEAR,
                text=text[::-1] if text is not None else None, textposition="outside", cliponaxis=False)
    _layout(fig, title=title, height=max(220, 40 + 30 * len(df)), showlegend=False, hovermode="closest")
    fig.update_xaxes(range=[0, max([v for v in values if v is not None] or [1.0]) * 1.35])
    fig.update_yaxes(rangemode="normal", gridcolor="rgba(0,0,0,0)")
    return fig


def rolling(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """rolling_12 frame: the 12-month total ending each month, with the 12 months before it dotted."""
    labels = [fmt.month_short(m) for m in df["month"]]
    fig = go.Figure()
    fig.add_scatter(x=labels, y=_numbers(df["rolling_12"]), name="12 months to here", mode="lines+markers",
                    line=dict(color=THIS_YEAR, width=3))
    fig.add_scatter(x=labels, y=_numbers(df["previous_12"]), name="Previous 12 months", mode="lines",
                    line=dict(color=LAST_YEAR, width=2, dash="dot"))
    flagged = df[_flags(df)]
    if len(flagged):
        fig.add_scatter(x=[fmt.month_short(m) for m in flagged["month"]], y=_numbers(flagged["rolling_12"]),
                        mode="markers", name="Signal", marker=dict(symbol=SIGNAL_SYMBOL, size=12, color="black"))
    _layout(fig, title=title, yaxis_title="Recorded in 12 months")
    fig.update_yaxes(rangemode="normal")
    return fig


def solved_rate_trend(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """solved_rate_series frame (month, label, solved, total, rate): the solved rate (%) each month."""
    fig = go.Figure()
    fig.add_scatter(
        x=list(df["label"]), y=_numbers(df["rate"]), name="Solved rate", mode="lines+markers",
        line=dict(color=THIS_YEAR, width=3),
        customdata=[[fmt.fmt_int(s), fmt.fmt_int(t)] for s, t in _zip(df["solved"], df["total"])],
        hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
    )
    _layout(fig, title=title, yaxis_title="Solved rate (%)", hovermode="closest")
    return fig


@lru_cache(maxsize=1)
def kent_geojson() -> dict[str, Any]:
    """The 13 Kent districts (2013 boundaries; LAD13CD is the district code). Bundled: no map tiles are fetched."""
    geojson: dict[str, Any] = json.loads(GEOJSON_PATH.read_text(encoding="utf-8"))
    return geojson


def district_map(df: pd.DataFrame, *, color_by: str = "rate_per_1000", title: str | None = None) -> go.Figure:
    """rates_per_1000 frame (code, district, rate_per_1000, pct_change, signal) as a choropleth of the districts.

    color_by is 'rate_per_1000' or 'pct_change'. The map has no base tiles and the view fits the districts, so
    nothing is fetched from the internet (a Choroplethmap on a white background that fits the districts).
    Districts with a signal get a ◆ in their label.
    """
    if color_by not in ("rate_per_1000", "pct_change"):
        raise ValueError(f"color_by must be rate_per_1000 or pct_change, not {color_by!r}")
    z = _numbers(df[color_by])
    # a horizontal colour bar under the map leaves the map the full width of its column
    bar = dict(orientation="h", y=-0.02, yanchor="top", thickness=12, len=0.8)
    if color_by == "pct_change":
        span = max([abs(v) for v in z if v is not None] or [1.0])
        colour = dict(colorscale="RdBu_r", zmin=-span, zmax=span, colorbar={**bar, "title": "% change on last year"})
    else:
        colour = dict(colorscale="Blues", colorbar={**bar, "title": "Rate per 1,000 residents"})
    hover = [
        f"{d}<br>Rate per 1,000: {fmt.fmt_decimal(r)}<br>Change on last year: {fmt.fmt_pct(p)}"
        + ("<br>◆ signal" if bool(s) else "")
        for d, r, p, s in _zip(df["district"], df["rate_per_1000"], df["pct_change"], _flags(df))
    ]
    fig = go.Figure(
        go.Choroplethmap(
            geojson=kent_geojson(), featureidkey="properties.LAD13CD", locations=list(df["code"]), z=z,
            text=hover, hoverinfo="text", marker_line_color="white", marker_line_width=1, **colour,
        )
    )
    # A plain white background: no map tiles, no base geography fetched from the internet. The view is set from
    # the boundaries' extent rather than fitbounds, which the plotly.js bundled with Streamlit does not apply.
    (west, south), (east, north) = _extent(kent_geojson())
    fig.update_layout(map=dict(style="white-bg", center=dict(lon=(west + east) / 2, lat=(south + north) / 2),
                               zoom=_zoom(east - west, south, north)))
    fig.update_layout(height=430, margin=dict(l=0, r=0, t=40 if title else 0, b=50), font=FONT,
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


def district_bars(df: pd.DataFrame, *, value: str = "rate_per_1000", title: str | None = None) -> go.Figure:
    """rates_per_1000 frame: districts side by side, this period's value with the change and signal as labels."""
    ordered = df.sort_values(value, ascending=True)
    text = [
        f"{fmt.fmt_decimal(v) if value == 'rate_per_1000' else fmt.fmt_int(v)}  {fmt.arrow(c)} {fmt.fmt_pct(p)}"
        + ("  ◆ signal" if bool(s) else "")
        for v, c, p, s in _zip(ordered[value], ordered["change"], ordered["pct_change"], _flags(ordered))
    ]
    fig = go.Figure()
    fig.add_bar(y=list(ordered["district"]), x=_numbers(ordered[value]), orientation="h", marker_color=THIS_YEAR,
                text=text, textposition="outside", cliponaxis=False)
    _layout(fig, title=title, height=40 + 30 * len(df), showlegend=False, hovermode="closest")
    fig.update_yaxes(rangemode="normal", gridcolor="rgba(0,0,0,0)")
    top = max([v for v in _numbers(ordered[value]) if v is not None] or [0.0])
    fig.update_xaxes(range=[0, top * 1.45 or 1])
    return fig


def coverage_heatmap(
    df: pd.DataFrame, flags: Mapping[str, Sequence[Any]] | None = None, *, title: str | None = None
) -> go.Figure:
    """coverage frame (source, kind, month, count) as a heat map: one row per source and kind, one column
    per month. Months with no rows are blank; `flags` (source -> quality_flags) write 'missing' or 'partial'
    in the cell, so gaps read without colour."""
    if df.empty:
        return _layout(go.Figure(), title=title)
    all_months = month_range(min(df["month"]), max(df["month"]))
    order = {source: i for i, source in enumerate(definitions.sorted_sources(df["source"]))}
    rows = sorted(set(_zip(df["source"], df["kind"])), key=lambda r: (order[r[0]], r[1]))
    row_labels = [f"{s} · {Kind(m).heading}" for s, m in rows]
    counts = {(s, m, mo): c for s, m, mo, c in _zip(df["source"], df["kind"], df["month"], df["count"])}
    z = [[_or_none(counts.get((s, m, mo))) for mo in all_months] for s, m in rows]
    marks: dict[tuple[str, str, str], str] = {}
    for source, source_flags in (flags or {}).items():
        for flag in source_flags:
            marks[(source, flag.kind, flag.month)] = "missing" if flag.issue == "missing" else "partial"
    text = [[marks.get((s, m, mo), "") for mo in all_months] for s, m in rows]
    fig = go.Figure(
        go.Heatmap(
            x=[fmt.month_short(m) for m in all_months], y=row_labels, z=z, text=text, texttemplate="%{text}",
            colorscale="Blues", colorbar_title="Rows", xgap=2, ygap=2, hoverongaps=False,
            hovertemplate="%{y}, %{x}: %{z:,} rows<extra></extra>",
        )
    )
    _layout(fig, title=title, height=120 + 45 * len(rows), hovermode="closest")
    fig.update_yaxes(autorange="reversed", rangemode="normal", gridcolor="rgba(0,0,0,0)")
    return fig


def _flags(df: pd.DataFrame) -> list[bool]:
    return [bool(v) and not fmt.is_missing(v) for v in df["signal"]]


def _zip(*columns: Any) -> Any:
    return zip(*columns, strict=True)


def _or_none(value: Any) -> float | None:
    return None if fmt.is_missing(value) else float(value)

