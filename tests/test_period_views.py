"""Honest period views through AppTest: the periods and end months offered, the jump button, Total rows that never
scroll away, and charts too short to draw.

The seed has the bundled demo's shape, worked out by hand: police.uk holds January – April 2024 and January –
December 2025 (ASB: Ashford 10 a month; crime: Ashford 20 burglaries a month, 4 solved); "short" holds January –
June 2025 only. So for police.uk a 3-month period can end in March or April 2024 or March – December 2025; a
12-month period only in December 2025, and none can be compared with a year earlier; a 3-month period can be
compared only up to April 2025 (February – April against February – April 2024).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.domain.periods import month_range
from analytics.report.formatting import month_label
from analytics.views import asb as asb_view
from analytics.views.common import Selection, Table
from tests.conftest import APP, insert_batch, plain

ROOT = Path(__file__).resolve().parent.parent
POLICE_UK_MONTHS = [*month_range("2024-01", "2024-04"), *month_range("2025-01", "2025-12")]


def _seed(path: Path) -> None:
    con = store.connect(path)
    for source, months in (("police.uk", POLICE_UK_MONTHS), ("short", list(month_range("2025-01", "2025-06")))):
        asb = [{"month": m, "district": "Ashford"} for m in months for _ in range(10)]
        crime = [{"month": m, "district": "Ashford", "offence_group": "Burglary", "outcome": "1" if i < 4 else "18"}
                 for m in months for i in range(20)]
        insert_batch(con, "asb", asb, source=source)
        insert_batch(con, "crime", crime, source=source)
    con.close()


@pytest.fixture
def gappy(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "gappy.duckdb"
    _seed(path)
    monkeypatch.setenv("ASB_DB", str(path))
    return path


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _app() -> AppTest:
    return _ok(AppTest.from_file(APP, default_timeout=90).run())


def _switch(at: AppTest, page: str) -> AppTest:
    at.switch_page(str(ROOT / "ui" / "pages" / f"{page}.py"))
    return _ok(at.run())


def _labels(months: list[str]) -> list[str]:
    return [month_label(m) for m in months]


def _jump_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("goto_")]


def _warnings(at: AppTest) -> str:
    return plain(" ".join(w.value for w in at.warning))


def test_period_ending_offers_only_months_that_end_a_period_held_in_full(gappy):
    at = _app()
    end, kind = at.sidebar.selectbox(key="f_end"), at.sidebar.radio(key="f_kind")
    # 3 months, the default: the latest that can be compared with a year earlier
    assert (kind.value, end.value) == ("3m", "2025-04")
    assert end.options == _labels([*reversed(month_range("2025-03", "2025-12")), "2024-04", "2024-03"])
    assert _warnings(at) == "" and _jump_buttons(at) == []

    kind.set_value("12m").run()
    end = at.sidebar.selectbox(key="f_end")
    assert end.options == ["December 2025"] and end.value == "2025-12"
    # the twelve months are there, so the tiles have figures; no year earlier, so no jump button
    assert at.metric[0].value == "120"
    assert "No 12-month period of this source can be compared with a year earlier." in _warnings(at)
    assert _jump_buttons(at) == []

    at.sidebar.radio(key="f_kind").set_value("fytd").run()
    assert at.sidebar.selectbox(key="f_end").options == _labels([*reversed(month_range("2025-04", "2025-12")),
                                                                 "2024-04"])
    at.sidebar.radio(key="f_kind").set_value("1m").run()
    assert at.sidebar.selectbox(key="f_end").options == _labels(list(reversed(POLICE_UK_MONTHS)))


def test_the_jump_button_respects_the_period_length(gappy):
    at = _app()
    at.sidebar.selectbox(key="f_end").set_value("2025-12").run()
    # October – December 2025 against 2024's, which are not loaded: the latest 3-month period that can be compared
    # ends in April 2025
    assert "The latest month that can be compared is April 2025." in _warnings(at)
    assert _jump_buttons(at) == ["goto_2025-04"]
    at.button(key="goto_2025-04").click().run()
    assert (at.sidebar.radio(key="f_kind").value, at.sidebar.selectbox(key="f_end").value) == ("3m", "2025-04")
    assert _warnings(at) == "" and _jump_buttons(at) == []
    assert at.metric[0].delta == "0.0% (0) on last year"  # 30 against 30
    # one month: from December 2025, April 2025 again (the latest month with its month a year earlier)
    at.sidebar.radio(key="f_kind").set_value("1m").run()
    at.sidebar.selectbox(key="f_end").set_value("2025-06").run()
    assert _jump_buttons(at) == ["goto_2025-04"]


def test_periods_a_source_does_not_hold_are_not_offered(gappy):
    at = _app()
    at.sidebar.radio(key="f_kind").set_value("12m").run()
    at.sidebar.selectbox(key="f_source").set_value("short").run()
    # six months only: no 12-month period; the choice falls back to 3 months and the sidebar says why
    kind = at.sidebar.radio(key="f_kind")
    assert kind.options == ["1 month", "3 months", "Financial year to date"] and kind.value == "3m"
    captions = plain(" ".join(c.value for c in at.sidebar.caption))
    assert "Not offered: 12 months — this source does not hold every month of any such period." in captions
    assert "Showing 3 months: this source holds no 12 months in full." in captions
    assert at.sidebar.selectbox(key="f_end").options == _labels(list(reversed(month_range("2025-03", "2025-06"))))


def test_a_total_row_is_never_hidden_by_an_inner_scroll(gappy, monkeypatch):
    from ui import widgets

    drawn: list[tuple[list[str], int, object]] = []
    original = streamlit.dataframe

    def recording(data, *args, **kwargs):
        # tables go to Streamlit as Arrow (converted once per view), or as pandas when Arrow refuses them
        frame = data.to_pandas() if isinstance(data, pa.Table) else data if isinstance(data, pd.DataFrame) \
            else pd.DataFrame()
        drawn.append((frame.iloc[:, 0].astype(str).tolist() if len(frame.columns) else [], len(frame),
                      kwargs.get("height")))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", recording)
    at = _app()
    at.sidebar.radio(key="f_kind").set_value("12m").run()
    drawn.clear()
    _switch(at, "asb")
    report = [d for d in drawn if d[0][-1:] == ["Total"]]
    assert report, drawn
    rows, n, height = report[0][0], report[0][1], report[0][2]
    assert n == 13 and rows[0] == "Jan 2025"
    assert height == widgets.ROW_PX * (13 + 1) + 3 == 493  # every row and the header: no inner scroll

    long = Table(pd.DataFrame({"Month": [f"m{i}" for i in range(40)] + ["Total"]}), pd.DataFrame(), "x.csv")
    assert widgets.table_height(long) == 35 * 42 + 3
    plain_long = Table(pd.DataFrame({"Batch": [str(i) for i in range(40)]}), pd.DataFrame(), "x.csv")
    assert widgets.table_height(plain_long) == "auto"  # no Total row: a long list may scroll


def test_a_chart_of_fewer_than_three_points_is_a_sentence(gappy):
    at = _app()
    at.sidebar.radio(key="f_kind").set_value("12m").run()
    at = _switch(at, "asb")
    charts = [c.proto.id for c in at.get("plotly_chart")]
    # one 12-month total (January – December 2025): a sentence, not a one-point chart
    assert not any(i.endswith("chart_asb_rolling") for i in charts)
    infos = plain(" ".join(i.value for i in at.info))
    assert ("ASB incidents in the 12 months to December 2025: 120, no comparison with last year (a month is not "
            "covered) (12 months before: n/a). Only one 12-month total can be made from the months loaded, too few "
            "for a chart.") in infos
    assert any(i.endswith("chart_asb_bars") for i in charts)  # twelve months of bars are drawn
    # one month: the bars would be one pair; the sentence above the table says it
    at.sidebar.radio(key="f_kind").set_value("1m").run()
    charts = [c.proto.id for c in at.get("plotly_chart")]
    assert not any(i.endswith("chart_asb_bars") for i in charts)
    assert "ASB incidents: 10 in December 2025" in plain(" ".join(m.value for m in at.markdown))


def test_views_decide_which_charts_are_sentences(gappy):
    con = store.connect(gappy)
    try:
        one = asb_view.build(con, Selection("police.uk", "2025-04", "1m"))
        three = asb_view.build(con, Selection("police.uk", "2025-04", "3m"))
    finally:
        con.close()
    assert one.comparison.bars.figure is None and "(Only one point to show, too few for a chart.)" in \
        one.comparison.bars.summary
    assert three.comparison.bars.figure is not None
    # April 2024 – April 2025 holds only January – April 2025's and April 2024's 12-month totals: none is whole
    assert three.rolling.chart is None
