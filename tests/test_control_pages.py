"""The control charts in the product: the figure builders (checked on their figure data), the Control charts page,
the Overview's tile lines, expected-range band and commentary, the Districts page's signals, the Crime page's
p-chart and change test, and the pack's function.

The page seed is tests/test_pages.py's (worked out there): police.uk, January 2023 – January 2025, ASB Ashford
10 + i and Medway 20 a month, so the force's ASB is 30 + i (i = 0..24), rising every month. Its control chart:
the baseline is the first 24 months (30..53): centre 41.5, every moving range 1 so mR̄ = 1, limits 41.5 ± 2.66 =
38.84 and 44.16. January 2025 (54) is above the upper limit, as is every month from 45 (i = 15, April 2024) on:
the 10th month running.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import interventions as register
from analytics import store
from analytics.domain.access import ANALYST, LOCAL, Identity
from analytics.domain.periods import shift_month
from analytics.figures import control, control_series
from analytics.report import charts, control_text
from analytics.views import control as control_view
from analytics.views.common import Selection
from tests.conftest import APP, insert_batch, plain
from tests.figures import plotly_figure
from tests.test_pages import _seed

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "ui" / "pages"
ME = Identity("analyst.one", ANALYST, LOCAL)


# ---------------------------------------------------------------------------------------------- figure builders


def frame(values, *, quality=None, segments=None, start="2024-01", baseline=None, changes=()):
    series = [control.MonthValue(shift_month(start, i), v, (quality or {}).get(i)) for i, v in enumerate(values)]
    chart = control.xmr_chart(series, baseline=baseline, process_changes=changes)
    spec = control_series.SeriesSpec(control_series.Measure.ASB, "force")
    cs = control_series.ControlSeries(spec, tuple(s.month for s in series), tuple(series), chart, (), (), None,
                                      baseline is not None)
    return cs, control_series.xmr_frame(cs)


BASE = [102, 98] * 6  # centre 100, mR̄ 4, limits 89.36 – 110.64


def test_xmr_figure_draws_values_limits_signals_by_shape_and_data_quality():
    cs, df = frame(BASE + [111, (30), 100], quality={13: "Partial month: 30 rows"}, baseline=("2024-01", "2024-12"))
    fig = plotly_figure(charts.xmr(df, title="ASB", y_title="Incidents a month"))
    by_name = {t.name: t for t in fig.data}
    line = by_name["Incidents a month"]
    assert list(line.y)[12:] == [111.0, None, 100.0]  # the partial month is not joined to the line
    assert list(line.x)[:2] == ["2024-01-15", "2024-02-15"]  # mid-month on a date axis
    assert list(by_name["Upper limit"].y) == pytest.approx([110.64] * 15)
    assert list(by_name["Centre (mean)"].y) == pytest.approx([100.0] * 15)
    outside = by_name[control_text.RULE_WORDS[control.OUTSIDE_LIMITS]]
    assert list(outside.x) == ["2025-01-15"] and list(outside.marker.symbol) == ["diamond"]
    dq = by_name["data quality: not used, never a signal"]
    assert list(dq.x) == ["2025-02-15"] and list(dq.y) == [30.0] and list(dq.text) == ["data quality"]
    # the last month's verdict in words on the chart: 100 is within the limits, so none
    assert not [a for a in fig.layout.annotations if "limit" in (a.text or "")]


def test_xmr_figure_labels_the_last_month_and_floors_the_lower_limit():
    # centre 50 / 6 = 8.33, mR̄ (6 + 7 + 8 + 9 + 30) / 5 = 12, lower 8.33 − 31.92 < 0: drawn at 0; 6 months: trial
    _, df = frame([2, 8, 1, 9, 0, 30])
    fig = plotly_figure(charts.xmr(df))
    names = [t.name for t in fig.data]
    assert "Lower limit (floored at 0) (trial)" in names and "Upper limit (trial)" in names
    lower = next(t for t in fig.data if t.name.startswith("Lower limit"))
    assert set(lower.y) == {0.0}
    _, rising = frame(BASE + [111], baseline=("2024-01", "2024-12"))
    labels = [a.text for a in plotly_figure(charts.xmr(rising)).layout.annotations]
    assert charts.latest_words(rising) == "Jan 2025: above upper limit"
    assert "Jan 2025: above upper limit" in labels


def test_xmr_figure_draws_each_segment_and_the_register_marks():
    _, df = frame(BASE + [152, 148] * 6, changes=("2025-01",))
    marks = [charts.Mark("2025-01", "Re-baselined: new system", "#1", True),
             charts.Mark("2025-06", "PSPO", "#2 PSPO", False), charts.Mark("2027-01", "Off the chart", "#3")]
    fig = plotly_figure(charts.xmr(df, marks=marks))
    centres = [t for t in fig.data if t.name.startswith("Centre")]
    assert [list(t.y)[0] for t in centres] == pytest.approx([100.0, 150.0])
    assert [t.showlegend for t in centres] == [True, False]
    shapes = [(s.x0, s.line.dash) for s in fig.layout.shapes]
    assert shapes == [("2025-01-15", "solid"), ("2025-06-15", "dot")]  # the mark off the chart is not drawn
    texts = [(a.text, a.yshift) for a in fig.layout.annotations if a.text in ("Re-baselined: new system", "PSPO")]
    assert texts == [("Re-baselined: new system", 2), ("PSPO", 17)]  # a row each


def test_shift_and_trend_have_their_own_shapes():
    _, shift = frame(BASE + [101] * 7, baseline=("2024-01", "2024-12"))
    trace = next(t for t in plotly_figure(charts.xmr(shift)).data if t.name == control_text.RULE_WORDS[control.SHIFT])
    assert len(trace.x) == 7 and set(trace.marker.symbol) == {"square"}
    _, trend = frame(BASE + [97, 99, 100, 101, 102, 103, 104], baseline=("2024-01", "2024-12"))
    trace = next(t for t in plotly_figure(charts.xmr(trend)).data if t.name == control_text.RULE_WORDS[control.TREND])
    assert list(trace.marker.symbol) == ["triangle-up"] * 7  # the run rises, though its first month fell


def test_moving_range_figure_marks_a_range_above_its_limit():
    _, df = frame([10, 11] * 6 + [40])  # mR̄ = (11 × 1 + 29) / 12 = 3.333, range limit 10.89: 29 is above
    fig = plotly_figure(charts.moving_range(df))
    assert list(fig.data[0].y)[:3] == [None, 1.0, 1.0]
    high = next(t for t in fig.data if t.name == "above the range limit")
    assert list(high.x) == ["2025-01-15"] and list(high.y) == [29.0]


def test_trend_figure_draws_the_expected_band_and_marks():
    df = pd.DataFrame({"month": ["2025-01", "2025-02"], "label": ["Jan 2025", "Feb 2025"],
                       "count": pd.array([150, 90], dtype="Int64"), "last_year": pd.array([140, 95], dtype="Int64")})
    band = pd.DataFrame({"label": ["Jan 2025", "Feb 2025"], "low": [120.0, float("nan")],
                         "high": [160.0, float("nan")]})
    fig = plotly_figure(charts.trend(df, expected=band, marks=[charts.Mark("2025-02", "PSPO", "#1")]))
    high, low = fig.data[0], fig.data[1]
    assert (high.name, low.name, low.fill) == ("Expected range", "Expected range", "tonexty")
    assert list(high.y) == [160.0, None] and list(low.y) == [120.0, None]
    assert [s.x0 for s in fig.layout.shapes] == ["Feb 2025"]
    assert tuple(fig.layout.yaxis.range) == pytest.approx((0, 150 * 1.25))  # the axis fits the counts


def test_marks_escape_the_entry_words():
    e = register.Entry(1, pd.Timestamp("2025-03-01").date(), "Swale", "pspo", "asb", "<a href='x'>PSPO</a>", "a",
                       pd.Timestamp("2025-01-01").to_pydatetime())
    [mark] = charts.marks_for([e])
    assert mark.text == "Swale PSPO" and "<a" not in mark.hover and "&lt;a" in mark.hover
    [change] = charts.marks_for([register.Entry(2, e.started, None, "new_system", "asb", "d", "a", e.recorded_at)],
                                control_chart=True)
    assert change.text == "Re-baselined: new system" and change.process_change


def test_p_chart_figure_steps_the_limits_and_shows_immature_months():
    sc_frame = pd.DataFrame({
        "month": ["2025-01", "2025-02", "2025-03"], "label": ["Jan 2025", "Feb 2025", "Mar 2025"],
        "solved": pd.array([20, 10, 5], dtype="Int64"), "total": pd.array([100, 50, 100], dtype="Int64"),
        "rate": [20.0, 20.0, float("nan")], "lower": [8.0, 3.0, float("nan")], "upper": [32.0, 37.0, float("nan")],
        "centre": [20.0] * 3, "data_quality": [None, None, "Outcomes not yet mature: 40%"],
        "signals": [(), (), ()], "pending_pct": [5.0, 5.0, 40.0], "raw_rate": [20.0, 20.0, 5.0]})
    fig = plotly_figure(charts.p_chart(sc_frame))
    upper = next(t for t in fig.data if t.name == "Upper limit")
    assert upper.line.shape == "hvh" and list(upper.y)[:2] == [32.0, 37.0]
    dq = next(t for t in fig.data if t.name.startswith("data quality"))
    assert list(dq.text) == ["immature"] and list(dq.y) == [5.0]  # its rate so far, greyed and said in words


def test_before_after_figure():
    df = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03", "2025-04"],
                       "label": ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"],
                       "period": ["before", "before", "after", "after"], "value": [100.0, 100.0, 150.0, 150.0],
                       "data_quality": [None] * 4, "signals": [(), (), ("outside_limits",), ("outside_limits",)],
                       "mean": [100.0, 100.0, 150.0, 150.0]})
    fig = plotly_figure(charts.before_after(df, centre=100.0, lower=90.0, upper=110.0, intervention="2025-03"))
    names = [t.name for t in fig.data]
    assert names[:4] == ["Months before", "Average before: 100", "Months after", "Average after: 150"]
    upper = next(t for t in fig.data if t.name.startswith("Upper limit"))
    assert list(upper.x) == ["2025-03-15", "2025-04-15"] and list(upper.y) == [110.0, 110.0]
    assert [s.x0 for s in fig.layout.shapes] == ["2025-03-15"]


# ---------------------------------------------------------------------------------------------- pages


@pytest.fixture
def seeded(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "seeded.duckdb"
    _seed(path)
    monkeypatch.setenv("ASB_DB", str(path))
    return path


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _switch(at: AppTest, page: str) -> AppTest:
    at.switch_page(str(PAGES / f"{page}.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_control_page_leads_with_the_verdict_and_shows_the_table(seeded):
    at = _switch(_app(), "control")
    assert at.title[0].value == "Control charts"
    [box] = at.warning
    # January 2025 is also the 13th month in a row above the centre (42 up, from January 2024) and the 25th rising
    assert plain(box.value) == ("**Signal.** ASB was above its upper limit in January 2025 (54 incidents against a "
                                "limit of 44.2), for the 10th month running. Also: shift: 7+ in a row on one side of "
                                "the centre; trend: 7+ in a row rising or falling.")
    table = [d.value for d in at.dataframe if "Moving range" in d.value.columns][0]
    assert len(table) == 25 and table["Recorded"].tolist()[:2] == ["30", "31"]
    last = table.iloc[-1]
    assert last["Signals"].startswith("◆ outside the limits") and last["In baseline"] == "no"
    assert (last["Centre"], last["Lower limit"], last["Upper limit"]) == ("41.5", "38.8", "44.2")
    assert "Centre line: the mean of the 24 usable baseline months, January 2023 – December 2024 (41.5)" in \
        plain("\n".join(c.value for c in at.caption))
    # victim-based crime is 30 every month: no moving range, limits at 30, no signal
    at.segmented_control(key="c_measure").set_value("vbc").run()
    assert not at.exception
    assert plain(at.success[0].value) == ("**No signal:** Victim-based crime is within its normal range "
                                          "(January 2025: 30 crimes; limits 30–30).")


def test_control_page_before_after_of_a_recorded_intervention(seeded):
    con = store.connect(seeded)
    register.add(con, ME, started="2024-07-01", type="task-force", affects="asb", description="Summer operation")
    con.close()
    at = _switch(_app(), "control")
    assert at.selectbox(key="c_intervention").options == ["#1 Task-force operation, Force-wide, July 2024"]
    # 7 months either side (July 2024 – January 2025 after): before 41..47 (mean 44), after 48..54 (mean 51);
    # limits from the months before 44 ± 2.66, so every month after is above them
    # the same months a year earlier (July 2023 – January 2024): 36..42, mean 39; 51 is 30.8% up on it
    infos = [plain(i.value) for i in at.info]
    assert ("ASB shifted upwards after July 2024 on its XmR chart; on the same months a year earlier it was up "
            "30.8%.") in infos
    table = [d.value for d in at.dataframe if "Before" in d.value.columns][0]
    assert table.iloc[1].tolist() == ["Average a month", "44", "51"]


def test_overview_tile_lines_band_and_commentary(seeded):
    at = _app()
    captions = plain("\n".join(c.value for c in at.caption))
    assert "Control chart: ◆ above its upper limit in Jan 2025" in captions
    assert "Control chart: no signal in Jan 2025" in captions  # victim-based crime
    text = plain("\n".join(m.value for m in at.markdown))
    assert ("Control chart: ASB was above its upper limit in January 2025 (54 incidents against a limit of 44.2), "
            "for the 10th month running.") in text
    # two earlier years only: no expected range, and it says why
    assert "ASB in January 2025: no expected range — it needs the same month in at least 3 earlier years (2 " \
           "loaded)." in captions


def test_districts_page_names_the_districts_with_signals(seeded):
    at = _switch(_app(), "districts")
    # Ashford 10 + i: baseline 10..33, centre 21.5, mR̄ 1, limits 18.84–24.16; January 2025 (34) above, 13 in a
    # row above the centre, 25 rising. Medway 20 a month and the others 0: no signal.
    text = plain("\n".join(m.value for m in at.markdown))
    assert ("Control-chart signals in January 2025: Ashford (outside the limits; shift: 7+ in a row on one side of "
            "the centre; trend: 7+ in a row rising or falling). No signal in the other 12 districts.") in text
    table = [d.value for d in at.dataframe if "Control-chart signal" in d.value.columns][0]
    assert dict(zip(table["District"], table["Control-chart signal"], strict=True))["Medway"] == "none"


def test_crime_page_p_chart_and_change_test(seeded):
    at = _switch(_app(), "crime")
    text = plain("\n".join(m.value for m in at.markdown))
    # November 2024 – January 2025: 21 of 90 against 18 of 90; pooled 39 / 180 = 0.21667,
    # se = √(0.21667 × 0.78333 × 2 / 90) = 0.061423, z = (0.23333 − 0.2) / 0.061423 = 0.543
    assert ("The change in the solved rate in November 2024 – January 2025 (+3.3 pp: 23.3% against 20.0%) could be "
            "chance: it is not beyond chance at the 95% level (two-proportion z test, z = 0.54") in text
    # the p-chart: 6 of 30 every month but January 2025 (9 of 30); p̄ over the 24 baseline months = 0.2,
    # limits 0.2 ± 3√(0.16 / 30) = 0 (clipped) and 0.419
    assert ("No signal: the solved rate in January 2025 (30.0%) is within its limits (0.0%–41.9%) around an "
            "average of 20.0%") in text


def test_pack_function_returns_both_charts_and_tables(seeded):
    con = store.connect(seeded)
    try:
        found = control_view.pack(con, source="police.uk", end="2025-01")
        view = control_view.build(con, Selection("police.uk", "2025-01", "3m"), control_series.Measure.ASB)
    finally:
        con.close()
    assert [p.measure.value for p in found] == ["asb", "vbc"]
    asb = found[0]
    assert asb.status == "signal" and asb.verdict == view.headline
    assert len(asb.table) == 25 and asb.raw["Upper limit"].iloc[-1] == pytest.approx(41.5 + 2.66)
    assert asb.chart["layout"]["title"]["text"] == "ASB: incidents a month, with limits"
    assert any(t.get("name") == "Mean moving range" for t in asb.moving_range["data"])


def test_force_wide_trend_marks_every_intervention(seeded):
    con = store.connect(seeded)
    insert_batch(con, "asb", [{"month": "2025-01", "district": "Swale"}], source="other")  # another source: ignored
    register.add(con, ME, started="2024-09-01", type="pspo", district="Swale", description="Swale PSPO")
    con.close()
    from analytics.views import overview

    con = store.connect(seeded)
    try:
        view = overview.build(con, Selection("police.uk", "2025-01", "3m"))
    finally:
        con.close()
    shapes = view.trends[0].figure["layout"]["shapes"]
    texts = [a["text"] for a in view.trends[0].figure["layout"]["annotations"]]
    assert [s["x0"] for s in shapes] == ["Sep 2024"] and "Swale PSPO" in texts
