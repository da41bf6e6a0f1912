"""Charts read on a phone as on a laptop: no text under 11 px, month axes thinned and level, bar labels never
shrunk, the coverage heat map's words legible with a colour scale per kind, the chosen district marked on the map
and the bars, and chart titles written above the chart rather than inside it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.domain.periods import month_range
from analytics.report import charts, measure_charts
from analytics.report import formatting as fmt
from tests.figures import plotly_figure
from ui import widgets

MONTHS = month_range("2023-04", "2025-04")  # the 25 months of a trend


def _series() -> pd.DataFrame:
    n = len(MONTHS)
    return pd.DataFrame({
        "month": MONTHS, "label": [fmt.month_short(m) for m in MONTHS],
        "count": pd.array(range(1000, 1000 + n), dtype="Int64"),
        "last_year": pd.array(range(900, 900 + n), dtype="Int64"),
        "solved": list(range(100, 100 + n)), "total": [1000] * n, "rate": [10.0 + i / 10 for i in range(n)],
        "rolling_12": pd.array(range(20000, 20000 + n), dtype="Int64"),
        "previous_12": pd.array(range(19000, 19000 + n), dtype="Int64"),
        "change": pd.array([10] * n, dtype="Int64"), "pct_change": [1.0] * n, "signal": [False] * n,
    })


def _comparison(months: list[str]) -> pd.DataFrame:
    n = len(months)
    return pd.DataFrame({
        "month": [*months, "Total"], "label": [*(fmt.month_short(m) for m in months), "Total"],
        "count": pd.array([*range(100, 100 + n), 0], dtype="Int64"),
        "last_year": pd.array([*range(90, 90 + n), 0], dtype="Int64"),
        "change": pd.array([10] * n + [0], dtype="Int64"), "pct_change": [11.1] * n + [0.0],
        "signal": [False] * (n + 1),
    })


def _rates() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["E07000105", "E07000112", "E06000035"],
        "district": ["Ashford", "Folkestone and Hythe", "Medway"],
        "count": [300, 200, 900], "rate_per_1000": [2.17, 1.8, 3.14], "change": [50, -20, 0],
        "pct_change": [20.0, -9.1, 0.0], "signal": [True, False, False],
    })


def _sizes(fig: go.Figure) -> list[float]:
    """Every font size the figure sets: its layout, its traces' texts, its annotations, axes and legend."""
    spec = fig.to_dict()
    found: list[float] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "size" and "font" in key.lower() and isinstance(v, int | float):
                    found.append(float(v))
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(spec)
    return found


def _every_chart() -> dict[str, go.Figure]:
    s = _series()
    breakdown = pd.DataFrame({"name": ["A", "B"], "count": [10, 20], "change": [-5, 8], "pct_change": [-33.3, 66.7],
                              "signal": [False, True]})
    cov = pd.DataFrame({"source": ["police.uk"] * 2, "kind": ["asb", "crime"], "month": ["2024-01"] * 2,
                        "count": [1663, 12803]})
    specs = {
        "trend": charts.trend(s, title="ASB incidents"),
        "comparison": charts.comparison_bars(_comparison(MONTHS[-12:]), title="This year against last year"),
        "diverging": charts.diverging_change(breakdown),
        "share": charts.share_bars(breakdown, name="name", value="count", text=["10", "20"]),
        "rolling": charts.rolling(s),
        "solved": charts.solved_rate_trend(s),
        "map": charts.district_map(_rates(), chosen="Ashford"),
        "bars": charts.district_bars(_rates(), chosen="Ashford"),
        "coverage": charts.coverage_heatmap(cov),
        "measure bars": measure_charts.bars_with_last_year(
            pd.DataFrame({"label": ["W1", "W2"], "value": [1.0, 2.0], "last_year": [np.nan, 1.0]}),
            title="Sign-ups", y_title="Sign-ups", last_label="Last year"),
    }
    return {name: plotly_figure(spec) for name, spec in specs.items()}


def test_no_chart_text_is_smaller_than_11px_and_bar_labels_are_never_shrunk():
    for name, fig in _every_chart().items():
        sizes = _sizes(fig)
        assert sizes and min(sizes) >= charts.MIN_TEXT == 11, (name, sorted(sizes)[:3])
        labelled = [t for t in fig.data if t.type == "bar" and t.text is not None and t.textposition != "none"]
        for trace in labelled:
            assert trace.textfont.size == 12, name
        if labelled:
            assert fig.layout.uniformtext.minsize == 11 and fig.layout.uniformtext.mode == "show", name


def test_month_axes_name_at_most_six_months_level_ending_on_the_latest():
    # 25 months: every 5th month counted back from April 2025, written month over year, not turned
    expected = ["Aug 2023", "Jan 2024", "Jun 2024", "Nov 2024", "Apr 2025"]
    for spec in (charts.trend(_series()), charts.solved_rate_trend(_series()), charts.rolling(_series())):
        fig = plotly_figure(spec)
        axis = fig.layout.xaxis
        assert list(axis.tickvals) == expected
        assert list(axis.ticktext) == ["Aug<br>2023", "Jan<br>2024", "Jun<br>2024", "Nov<br>2024", "Apr<br>2025"]
        assert axis.tickangle == 0
        assert len(fig.data[0].x) == 25  # every month is still drawn, and named on hover
    # 12 months of bars: every second month; 3 months: each of them
    twelve = plotly_figure(charts.comparison_bars(_comparison(MONTHS[-12:]))).layout.xaxis
    assert list(twelve.tickvals) == ["Jun 2024", "Aug 2024", "Oct 2024", "Dec 2024", "Feb 2025", "Apr 2025"]
    three = plotly_figure(charts.comparison_bars(_comparison(MONTHS[-3:]))).layout.xaxis
    assert list(three.tickvals) == ["Feb 2025", "Mar 2025", "Apr 2025"]


def test_casework_and_satisfaction_month_axes_are_thinned_too():
    from analytics.report import casework

    trend = pd.DataFrame({"month": MONTHS[-13:], "new_repeat_callers": [1] * 13, "repeat_callers": [5] * 13,
                          "vulnerable_repeat_callers": [2] * 13})
    axis = plotly_figure(casework.trend_chart(trend)).layout.xaxis
    # 13 months: every third counted back from April 2025
    assert list(axis.tickvals) == ["Apr 2024", "Jul 2024", "Oct 2024", "Jan 2025", "Apr 2025"]
    assert axis.tickangle == 0
    labels = [fmt.month_short(m) for m in MONTHS[-13:]]
    share = plotly_figure(measure_charts.share_with_intervals(
        pd.DataFrame({"label": labels, "share_pct": [75.0] * 13, "low_pct": [70.0] * 13, "high_pct": [80.0] * 13,
                      "comparison_pct": [np.nan] * 13}), title="Satisfaction", comparison_label="England and Wales"))
    assert list(share.layout.xaxis.tickvals) == list(axis.tickvals)


def test_weekly_bars_name_four_weeks_level():
    weeks = [f"w/c {d} 2025" for d in ("6 Jan", "13 Jan", "20 Jan", "27 Jan", "3 Feb", "10 Feb", "17 Feb", "24 Feb")]
    fig = plotly_figure(measure_charts.bars_with_last_year(pd.DataFrame({"label": weeks, "value": [1.0] * 8,
                                                           "last_year": [np.nan] * 8}),
                                             title="Sign-ups", y_title="Sign-ups", last_label="Last year"))
    assert list(fig.layout.xaxis.tickvals) == ["w/c 13 Jan 2025", "w/c 27 Jan 2025", "w/c 10 Feb 2025",
                                               "w/c 24 Feb 2025"]
    assert fig.layout.xaxis.ticktext[0] == "w/c 13 Jan<br>2025" and fig.layout.xaxis.tickangle == 0


def test_coverage_heat_map_has_a_colour_scale_per_kind_and_legible_words():
    cov = pd.DataFrame({"source": ["police.uk"] * 4, "kind": ["asb", "asb", "crime", "crime"],
                        "month": ["2024-01", "2024-03", "2024-01", "2024-03"], "count": [1663, 900, 12803, 12000]})
    flags = {"police.uk": [SimpleNamespace(month="2024-02", kind="asb", issue="missing"),
                           SimpleNamespace(month="2024-03", kind="crime", issue="partial")]}
    (heat,) = plotly_figure(charts.coverage_heatmap(cov, flags)).data
    scale = [(float(at), colour) for at, colour in heat.colorscale]
    # ASB in blues over the lower half of the scale, crime in purples over the upper half
    assert scale[0] == (0.0, "rgb(247,251,255)") and scale[-1] == (1.0, "rgb(63,0,125)")
    assert all(at <= 0.5 for at, c in scale[:9]) and all(at >= 0.5 for at, c in scale[9:])
    asb = [r[0] for r in heat.z]
    crime = [r[1] for r in heat.z]
    # each kind runs to its own largest month: ASB's 1,663 is as dark as its half goes, as crime's 12,803 is
    assert asb[0] == pytest.approx(0.4999) and crime[0] == pytest.approx(1.0)
    # the smallest month is still a tint, never white: 900 of 1,663 is (900 + 0.3 × 1,663) / (1.3 × 1,663) of the way
    assert asb[2] == pytest.approx(0.4999 * (900 + 0.3 * 1663) / (1.3 * 1663))
    # a month with no rows is blank (NaN)
    assert np.isnan(asb[1]) and crime[2] == pytest.approx(0.5 + 0.5 * (12000 + 0.3 * 12803) / (1.3 * 12803))
    assert heat.zmin == 0 and heat.zmax == 1
    assert heat.textfont.size == 12
    assert [r[0] for r in heat.text] == ["", "missing", ""] and [r[1] for r in heat.text] == ["", "", "partial"]


def test_the_chosen_district_is_outlined_on_the_map_and_marked_in_the_bars():
    plain = plotly_figure(charts.district_map(_rates()))
    assert len(plain.data) == 1
    fig = plotly_figure(charts.district_map(_rates(), chosen="Folkestone and Hythe"))
    base, outline = fig.data
    assert list(outline.locations) == ["E07000112"]
    assert outline.marker.line.width == 4 and outline.marker.line.color == charts.CHOSEN
    assert outline.text[0].endswith("(chosen)") and outline.text[0].startswith("Folkestone and Hythe")
    # every district is named on hover
    assert [t.split("<br>")[0] for t in base.text] == ["Ashford", "Folkestone and Hythe", "Medway"]

    bars = plotly_figure(charts.district_bars(_rates(), chosen="Ashford"))
    assert list(bars.data[0].y) == ["Folkestone and Hythe", "Ashford", "Medway"]
    assert list(bars.data[0].marker.color) == [charts.THIS_YEAR, charts.CHOSEN, charts.THIS_YEAR]
    # each name with its figures under it, the chosen one bold and marked
    assert list(bars.layout.yaxis.ticktext) == [
        f"Folkestone and Hythe<br><b>1.80  ▼ {fmt.fmt_pct(-9.1)}</b>",
        "<b>▶ Ashford</b><br><b>2.17  ▲ +20.0%  ◆ signal</b>",
        "Medway<br><b>3.14   0.0%</b>",
    ]


def test_a_chart_title_is_written_above_the_chart_not_inside_it():
    spec = charts.comparison_bars(_comparison(MONTHS[-3:]), title="This year against last year").to_dict()
    title, rest = widgets.without_title(spec)
    assert title == "This year against last year"
    assert "title" not in rest["layout"] and rest["layout"]["margin"]["t"] == 30
    assert rest["data"] == spec["data"]
    untitled = charts.comparison_bars(_comparison(MONTHS[-3:])).to_dict()
    assert widgets.without_title(untitled) == (None, untitled)


def test_a_phone_shows_the_columns_a_reader_needs_first_while_they_fit():
    report = pd.DataFrame([["Feb 2025", "10,066", "10,416", "−3.4%", "−350", "◆ signal"]],
                          columns=["Month", "Recorded", "Same period last year", "% change", "Change", "Signal"])
    # about 70 + 77 + 70 + 71 px: four columns fit 358 px
    assert widgets.phone_columns(report) == ["Month", "Recorded", "% change", "Signal"]
    districts = pd.DataFrame([["Tonbridge and Malling", "1,234", "2.66", "+22.9%", "◆ signal"]],
                             columns=["District", "Recorded", "Rate per 1,000", "% change", "Signal"])
    # the long names leave room for the rate and the change only (154 + 110 + 71 px); the signal is under
    # "All columns" and in the sentence above the table
    assert widgets.phone_columns(districts) == ["District", "Rate per 1,000", "% change"]
    # ... and the phone marks it in the change cell, so no signal is lost off-screen
    two = pd.concat([districts, pd.DataFrame([["Dover", "900", "3.58", "−2.1%", ""]], columns=districts.columns)])
    shown = widgets.phone_frame(two, widgets.phone_columns(two))
    assert list(shown.columns) == ["District", "Rate per 1,000", "% change"]
    assert list(shown["% change"]) == ["+22.9% ◆", "−2.1%"]
    small = pd.DataFrame([["Jan 2025", "3", ""]], columns=["Month", "Recorded", "Signal"])
    assert widgets.phone_columns(small) == ["Month", "Recorded", "Signal"]
