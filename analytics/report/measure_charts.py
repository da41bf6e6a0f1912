"""Plotly figures for the named measures: a frame from analytics.measures in, a figure out (no queries)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics.measures.figures import Point
from analytics.report import formatting as fmt
from analytics.report.charts import LAST_YEAR, MAX_TICKS, RISE, THIS_YEAR, _layout, month_ticks
from analytics.report.figure_spec import FigureSpec

TARGET = "#e66101"


def _numbers(series: pd.Series) -> list[float | None]:
    return [None if fmt.is_missing(v) else float(v) for v in series]


def bars_with_last_year(df: pd.DataFrame, *, title: str, y_title: str, last_label: str) -> FigureSpec:
    """A weekly or monthly series frame (label, value, last_year): bars this year, a dotted line last year."""
    fig = FigureSpec()
    fig.add_bar(x=list(df["label"]), y=_numbers(df["value"]), name="This year", marker_color=THIS_YEAR)
    if df["last_year"].notna().any():
        fig.add_scatter(x=list(df["label"]), y=_numbers(df["last_year"]), name=last_label, mode="lines+markers",
                        line=dict(color=LAST_YEAR, width=2, dash="dot"), marker=dict(size=5))
    _layout(fig, title=title, yaxis_title=y_title)
    # weeks' labels are longer than months': fewer of them fit a phone's width level
    labels = [str(v) for v in df["label"]]
    month_ticks(fig, labels, most=4 if any(len(t) > 8 for t in labels) else MAX_TICKS)
    return fig


def members_over_time(points: list[Point], *, target: float | None, per_day: float | None,
                      title: str) -> FigureSpec:
    """MCV members by date, the target as a dashed line and, where there is one, the trend at its current rate
    carried forward 26 weeks (dotted)."""
    fig = FigureSpec()
    xs = [p.end.isoformat() for p in points]
    fig.add_scatter(x=xs, y=[p.value for p in points], name="Members", mode="lines+markers",
                    line=dict(color=THIS_YEAR, width=3), marker=dict(size=6))
    if points and per_day is not None and per_day > 0:
        last = points[-1]
        ahead: list[date] = [last.end, last.end + timedelta(days=182)]
        fig.add_scatter(x=[d.isoformat() for d in ahead], y=[last.value, last.value + per_day * 182],
                        name="Current rate, carried forward", mode="lines",
                        line=dict(color=LAST_YEAR, width=2, dash="dot"))
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET, width=2, dash="dash"),
                      annotation_text=f"Target {fmt.fmt_int(int(round(target)))}")
    _layout(fig, title=title, yaxis_title="Members", hovermode="x")
    fig.update_xaxes(type="date")
    return fig


def share_with_intervals(df: pd.DataFrame, *, title: str, comparison_label: str) -> FigureSpec:
    """A satisfaction frame (label, share_pct, low_pct, high_pct, comparison_pct): the share each month with its
    95% interval as error bars, and the comparison figure where entered."""
    fig = FigureSpec()
    share = _numbers(df["share_pct"])
    plus = [None if s is None or h is None else h - s for s, h in zip(share, _numbers(df["high_pct"]), strict=True)]
    minus = [None if s is None or lo is None else s - lo for s, lo in zip(share, _numbers(df["low_pct"]),
                                                                            strict=True)]
    fig.add_scatter(x=list(df["label"]), y=share, name="Share satisfied (95% interval)", mode="markers+lines",
                    line=dict(color=THIS_YEAR, width=2), marker=dict(size=8),
                    error_y=dict(type="data", array=plus, arrayminus=minus, color=THIS_YEAR, thickness=1.5))
    if df["comparison_pct"].notna().any():
        fig.add_scatter(x=list(df["label"]), y=_numbers(df["comparison_pct"]), name=comparison_label,
                        mode="markers", marker=dict(color=RISE, size=10, symbol="diamond"))
    layout: dict[str, Any] = dict(title=title, yaxis_title="Per cent satisfied")
    _layout(fig, **layout)
    fig.update_yaxes(range=[0, 100], rangemode="normal")
    month_ticks(fig, [str(v) for v in df["label"]])
    return fig
