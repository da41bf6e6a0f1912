"""Chart builders checked on the figure data they produce (read fig.data[i].x / .y, not the JSON)."""

import numpy as np
import pandas as pd
import pytest

from analytics.report import charts
from tests.figures import plotly_figure

MINUS = "\u2212"


def _comparison() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": ["2024-11", "2024-12", "2025-01", "Total"],
            "label": ["Nov 2024", "Dec 2024", "Jan 2025", "Total"],
            "count": pd.array([100, 81, None, 181], dtype="Int64"),
            "last_year": pd.array([64, 80, 70, 144], dtype="Int64"),
            "change": pd.array([36, 1, None, 37], dtype="Int64"),
            "pct_change": [56.3, 1.3, np.nan, 25.7],
            "z": [4.0, 0.11, np.nan, 2.9],
            "signal": [True, False, False, False],
        }
    )


def test_trend_draws_this_year_and_last_year_with_gaps_for_uncovered_months():
    df = pd.DataFrame(
        {
            "month": ["2025-01", "2025-02", "2025-03"],
            "label": ["Jan 2025", "Feb 2025", "Mar 2025"],
            "count": pd.array([1560, None, 1700], dtype="Int64"),
            "last_year": pd.array([1663, 1500, None], dtype="Int64"),
        }
    )
    fig = plotly_figure(charts.trend(df))
    assert [t.name for t in fig.data] == ["Recorded", "Same month last year"]
    assert list(fig.data[0].x) == ["Jan 2025", "Feb 2025", "Mar 2025"]
    assert list(fig.data[0].y) == [1560, None, 1700]
    assert list(fig.data[1].y) == [1663, 1500, None]
    assert fig.data[1].line.dash == "dot"


def test_comparison_bars_leave_out_total_and_mark_signals_by_shape():
    fig = plotly_figure(charts.comparison_bars(_comparison()))
    last, this, signal = fig.data
    assert list(this.x) == ["Nov 2024", "Dec 2024", "Jan 2025"]
    assert list(this.y) == [100, 81, None]
    assert list(last.y) == [64, 80, 70]
    assert list(this.text) == ["▲ +56.3%", "▲ +1.3%", " n/a"]
    assert list(signal.x) == ["Nov 2024"]
    assert signal.marker.symbol == "diamond"
    assert signal.y[0] == pytest.approx(120.0)


def test_diverging_change_keeps_largest_reductions_and_increases():
    df = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D", "E", "F"],
            "count": [10, 20, 30, 40, 749, 5],
            "last_year": [60, 45, 33, 40, 658, 0],
            "change": [-50, -25, -3, 0, 91, 5],
            "pct_change": [-83.3, -55.6, -9.1, 0.0, 13.8, np.nan],
            "z": [-9.2, -4.5, -0.5, 0.0, 3.4, 4.5],
            "signal": [True, True, False, False, True, True],
        }
    )
    fig = plotly_figure(charts.diverging_change(df, top=2))
    bars = fig.data[0]
    # two largest falls and two largest rises; no-change rows are not drawn
    assert list(bars.y) == ["A", "B", "F", "E"]
    assert list(bars.x) == [-50, -25, 5, 91]
    assert bars.text[0] == f"▼ {MINUS}50 ({MINUS}83.3%)"
    assert bars.text[3] == "▲ +91 (+13.8%)"
    assert bars.text[2] == "▲ +5 (n/a)"
    assert bars.marker.color[0] == charts.FALL and bars.marker.color[3] == charts.RISE
    # each name carries its change on a second line, so no label runs off a phone's narrow chart
    labels = list(fig.layout.yaxis.ticktext)
    assert labels[0] == f"A<br><b>▼ {MINUS}50 ({MINUS}83.3%)</b>" and labels[3] == "E<br><b>▲ +91 (+13.8%)</b>"
    assert list(fig.layout.yaxis.tickvals) == ["A", "B", "F", "E"]
    signals = fig.data[1]
    assert list(signals.y) == ["A", "B", "F", "E"] and list(signals.x) == [-50, -25, 5, 91]


def test_diverging_change_with_no_rows_is_an_empty_bar():
    empty = pd.DataFrame(columns=["name", "count", "last_year", "change", "pct_change", "z", "signal"])
    fig = plotly_figure(charts.diverging_change(empty))
    assert len(fig.data[0].y or ()) == 0


def test_rolling_and_solved_rate():
    df = pd.DataFrame(
        {
            "month": ["2025-01", "2025-02"],
            "rolling_12": pd.array([20000, 20100], dtype="Int64"),
            "previous_12": pd.array([21000, None], dtype="Int64"),
            "change": pd.array([-1000, None], dtype="Int64"),
            "pct_change": [-4.8, np.nan],
            "signal": [True, False],
        }
    )
    fig = plotly_figure(charts.rolling(df))
    assert list(fig.data[0].x) == ["Jan 2025", "Feb 2025"]
    assert list(fig.data[0].y) == [20000, 20100]
    assert list(fig.data[1].y) == [21000, None]
    assert list(fig.data[2].x) == ["Jan 2025"]

    rates = pd.DataFrame(
        {"month": ["2025-01"], "label": ["Jan 2025"], "solved": [150], "total": [1200], "rate": [12.5]}
    )
    fig = plotly_figure(charts.solved_rate_trend(rates))
    assert list(fig.data[0].y) == [12.5]
    assert [list(c) for c in fig.data[0].customdata] == [["150", "1,200"]]


def _rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["E07000105", "E07000112", "E06000035"],
            "district": ["Ashford", "Folkestone and Hythe", "Medway"],
            "population": [138283, 110995, 286800],
            "count": [300, 200, 900],
            "rate_per_1000": [2.17, 1.8, 3.14],
            "last_year": [250, 220, 900],
            "change": [50, -20, 0],
            "pct_change": [20.0, -9.1, 0.0],
            "signal": [True, False, False],
        }
    )


def test_district_map_uses_bundled_boundaries_without_tiles():
    fig = plotly_figure(charts.district_map(_rates()))
    trace = fig.data[0]
    assert trace.type == "choroplethmap"
    assert list(trace.locations) == ["E07000105", "E07000112", "E06000035"]
    assert list(trace.z) == [2.17, 1.8, 3.14]
    assert trace.featureidkey == "properties.LAD13CD"
    codes = {f["properties"]["LAD13CD"] for f in trace.geojson["features"]}
    assert len(codes) == 13 and "E07000112" in codes
    assert fig.layout.map.style == "white-bg"
    # centred on Kent (about 0.03–1.45° E, 50.9–51.5° N) at a zoom that shows the whole county
    assert 0.6 < fig.layout.map.center.lon < 0.9 and 51.1 < fig.layout.map.center.lat < 51.3
    assert 7 < fig.layout.map.zoom < 8.5
    assert "◆ signal" in trace.text[0] and "◆" not in trace.text[1]

    by_change = plotly_figure(charts.district_map(_rates(), color_by="pct_change"))
    assert list(by_change.data[0].z) == [20.0, -9.1, 0.0]
    assert by_change.data[0].zmin == -20.0 and by_change.data[0].zmax == 20.0
    with pytest.raises(ValueError):
        plotly_figure(charts.district_map(_rates(), color_by="count"))


def test_district_bars_sorted_with_change_labels():
    fig = plotly_figure(charts.district_bars(_rates()))
    assert list(fig.data[0].y) == ["Folkestone and Hythe", "Ashford", "Medway"]
    assert list(fig.data[0].x) == [1.8, 2.17, 3.14]
    assert fig.data[0].text[1] == "2.17  ▲ +20.0%  ◆ signal"


def test_coverage_heatmap_shows_gaps_and_flags():
    from types import SimpleNamespace

    df = pd.DataFrame(
        {
            "source": ["police.uk", "police.uk", "police.uk", "police.uk"],
            "kind": ["asb", "asb", "crime", "crime"],
            "month": ["2024-01", "2024-03", "2024-01", "2024-03"],
            "count": [1663, 900, 12803, 12000],
        }
    )
    flags = {"police.uk": [SimpleNamespace(month="2024-02", kind="asb", issue="missing", detail="")]}
    fig = plotly_figure(charts.coverage_heatmap(df, flags))
    (heat,) = fig.data  # one trace for every column, so the columns line up under their headings
    # months run down the side, one column per source and kind
    assert list(heat.y) == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert list(heat.x) == ["police.uk<br>ASB", "police.uk<br>Crime"]
    assert list(fig.layout.xaxis.categoryarray) == list(heat.x)
    # the counts themselves for hover; no row is a blank cell, not a zero
    cells = [[None if v != v else v for v in r] for r in heat.customdata]  # NaN: no rows
    assert cells == [[1663, 12803], [None, None], [900, 12000]]
    assert [list(r) for r in heat.text] == [["", ""], ["missing", ""], ["", ""]]
