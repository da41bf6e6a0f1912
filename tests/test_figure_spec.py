"""FigureSpec builds a figure as the dict Plotly's Figure would make of the same calls, without Plotly's checks."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analytics.measures.figures import Point
from analytics.report import charts, measure_charts
from analytics.report.figure_spec import FigureSpec, colorscale, typed_array
from tests.figures import _plain, plotly_figure


def _json(figure: dict | go.Figure) -> object:
    return _plain(json.loads(pio.to_json(figure, validate=False)))


def _both(steps) -> tuple[object, object]:
    """The same calls on a FigureSpec and on Plotly's Figure, as the JSON each sends."""
    ours, theirs = FigureSpec(), go.Figure()
    steps(ours)
    steps(theirs)
    return _json(ours.to_dict()), _json(theirs)


def test_layout_updates_follow_plotly_s_rules():
    def steps(fig):
        fig.add_scatter(x=["Jan 2025", "Feb 2025"], y=[1, None], marker_color="red", marker_line_width=2,
                        hovertemplate=None, line=dict(color="blue", dash=None))
        fig.update_layout(title=dict(text="Before", font=dict(size=15)), legend=dict(orientation="h", y=1.02),
                          yaxis=dict(title="Recorded", rangemode="tozero"), height=360, plot_bgcolor="white")
        fig.update_layout(title=dict(text="After"), legend=dict(y=-0.3, x=0), yaxis_title="Solved rate (%)",
                          margin=dict(t=50), height=None, hovermode="closest", xaxis=dict(range=[0, 1]))
        fig.update_xaxes(range=[-1, 2], tickangle=0)
        fig.update_yaxes(rangemode="normal")
        fig.add_shape(type="line", x0=0, x1=1, y0=0, y1=1, line=dict(width=1.5, dash="dot"))
        fig.add_annotation(x=0, y=1, text="mark", showarrow=False, bgcolor=None, font=dict(size=11))

    ours, theirs = _both(steps)
    assert ours == theirs
    layout = ours["layout"]
    # merged, not replaced; None unsets; a title as text is {text}; plot_bgcolor is one property, not plot.bgcolor
    assert layout["title"] == {"text": "After", "font": {"size": 15}}
    assert layout["yaxis"] == {"title": {"text": "Solved rate (%)"}, "rangemode": "normal"}
    assert "height" not in layout and layout["plot_bgcolor"] == "white"
    assert ours["data"][0]["marker"] == {"color": "red", "line": {"width": 2}}
    assert "hovertemplate" not in ours["data"][0] and ours["data"][0]["line"] == {"color": "blue"}
    # the default template a new Plotly figure carries (Streamlit's theme, once Streamlit is imported)
    assert layout["template"] == _json(go.Figure())["layout"]["template"]


def test_a_shared_constant_is_never_changed_by_a_later_update():
    font = dict(size=13, family="Arial")
    fig = FigureSpec().update_layout(font=font)
    fig.update_layout(font=dict(size=20))
    assert font == dict(size=13, family="Arial")
    assert fig.to_dict()["layout"]["font"] == {"size": 20, "family": "Arial"}


def test_the_target_line_is_plotly_s_add_hline():
    def steps(fig):
        fig.add_scatter(x=[1, 2], y=[3, 4])
        line = dict(color="#e66101", dash="dash")
        if isinstance(fig, FigureSpec):
            fig.add_hline(y=50, line=line, annotation_text="Target 50")
        else:
            fig.add_hline(y=50, line=line, annotation_text="Target 50", annotation_position="top left")

    ours, theirs = _both(steps)
    assert ours == theirs
    points = [Point("week", "w/c 5 Jan 2025", date(2025, 1, 5), date(2025, 1, 11), "2025-01", 40.0, None, "given"),
              Point("week", "w/c 12 Jan 2025", date(2025, 1, 12), date(2025, 1, 18), "2025-01", 44.0, None, "given")]
    fig = plotly_figure(measure_charts.members_over_time(points, target=60.0, per_day=0.5, title="Members"))
    assert fig.layout.shapes[0].y0 == 60.0 and fig.layout.annotations[0].text == "Target 60"
    assert list(fig.data[1].y) == [44.0, 44.0 + 0.5 * 182]


def test_named_colour_scales_and_typed_arrays_are_what_plotly_sends():
    values = np.array([[1.0, np.nan], [2.5, 4.0]])
    ours, theirs = _both(lambda fig: fig.add_heatmap(
        z=typed_array(values) if isinstance(fig, FigureSpec) else values,
        colorscale=colorscale("RdBu_r") if isinstance(fig, FigureSpec) else "RdBu_r"))
    assert ours == theirs
    assert ours["data"][0]["z"] == [[1.0, None], [2.5, 4.0]]
    assert ours["data"][0]["colorscale"][0] == [0.0, "rgb(5,48,97)"]


def test_the_check_finds_a_property_plotly_does_not_know_and_a_value_it_would_send_otherwise():
    with pytest.raises(ValueError, match="nosuchproperty"):
        plotly_figure(FigureSpec().add_scatter(x=[1], y=[2], nosuchproperty=1))
    # "RdBu_r" is Plotly's name: Plotly sends the colours, plotly.js would not know the name
    with pytest.raises(AssertionError, match="colorscale"):
        plotly_figure(FigureSpec().add_heatmap(z=[[1.0]], colorscale="RdBu_r"))


def test_every_builder_s_figure_is_plotly_s():
    # the builders as the pages call them, each figure checked by plotly_figure (the other tests read them so too)
    from tests.test_chart_legibility import _every_chart

    figures = _every_chart()
    assert len(figures) == 10 and all(isinstance(f, go.Figure) for f in figures.values())
    assert figures["map"].data[0].type == "choroplethmap" and len(charts.kent_geojson()["features"]) == 13


def test_every_plotly_property_with_an_underscore_in_its_name_is_kept_whole():
    # Plotly's own classes list each object's properties (_valid_props): a new one with an underscore, in a later
    # Plotly, would otherwise be split into a nested property it is not
    import re
    from pathlib import Path

    import plotly.graph_objs

    from analytics.report.figure_spec import WHOLE_NAMES

    found: set[str] = set()
    for path in Path(plotly.graph_objs.__file__).parent.rglob("*.py"):
        for props in re.findall(r"_valid_props = \{([^}]*)\}", path.read_text(encoding="utf-8")):
            found.update(n for n in re.findall(r'"([a-z0-9_]+)"', props) if "_" in n)
    assert "plot_bgcolor" in found and found == WHOLE_NAMES
