"""The Engagement and Victim satisfaction pages, and the Overview's measures tiles, run with AppTest on a seeded
database: ASB rows for the sidebar's months, and a measures file worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.ingest.load import load_file
from tests.conftest import APP, insert_batch, open_tables, plain

ROOT = Path(__file__).resolve().parent.parent
MEASURES = """measure,period,district,value,surveyed
mcv_signups,2025-W01,,70,
mcv_signups,2025-W02,,256,
mcv_signups,2025-W03,,550,
mcv_signups,2025-W04,,300,
mcv_signups,2025-W05,,200,
mcv_members,2025-01-31,Ashford,2000,
mcv_alerts,2025-01,,48,
mcv_alerts,2024-01,,40,
asb_victim_satisfaction,2025-01,,390,500
asb_victim_satisfaction,2024-01,,360,500
asb_victim_satisfaction_ew,2025-01,,76.5,
"""


def _seed(path: Path, tmp_path: Path, *, measures: bool = True) -> None:
    con = store.connect(path)
    insert_batch(con, "asb", [{"month": m, "district": "Ashford"} for m in ("2024-01", "2025-01") for _ in range(5)],
                 source="police.uk")
    if measures:
        (tmp_path / "m.csv").write_text(MEASURES, encoding="utf-8")
        load_file(con, tmp_path / "m.csv", loaded_by="t")
    con.close()


def _app(tmp_path, monkeypatch, *, measures: bool = True) -> AppTest:
    path = tmp_path / "m.duckdb"
    _seed(path, tmp_path, measures=measures)
    monkeypatch.setenv("ASB_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.sidebar.radio(key="f_kind").set_value("1m").run()
    return at


def _switch(at: AppTest, page: str) -> AppTest:
    """The page, with every chart's table open (test_pages.test_a_charts_table_is_sent_once_its_expander_is_opened
    checks they are sent only once opened)."""
    at.switch_page(str(ROOT / "ui" / "pages" / f"{page}.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    open_tables(at)
    return at


def _metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, [m.label for m in at.metric]
    return found[0]


def test_engagement_page_figures(tmp_path, monkeypatch):
    at = _switch(_app(tmp_path, monkeypatch), "engagement")
    assert at.title[0].value == "Engagement"
    # sign-ups: every week of January is loaded (by Thursday): 70 + 256 + 550 + 300 + 200 = 1,376; no January 2024
    signups = _metric(at, "MCV sign-ups in the period")
    assert signups.value == "1,376" and not signups.delta
    # alerts 48 against 40: +20.0% (+8)
    alerts = _metric(at, "MCV alerts sent in the period")
    assert alerts.value == "48" and alerts.delta == "+20.0% (+8) on last year"
    # no force-wide members figure (only Ashford's): n/a for Kent; Ashford's row in the table
    assert _metric(at, "MCV members").value == "n/a"
    table = [d.value for d in at.dataframe if "Households" in d.value.columns][0]
    ashford = table[table["District"] == "Ashford"].iloc[0]
    # Ashford: 2,000 of 57,600 households (households.csv) = 3.47%; target 10% = 5,760; distance −3,760
    assert (ashford["Members"], ashford["Households"], ashford["Share of households"], ashford["Target"],
            ashford["Distance from target"]) == ("2,000", "57,600", "3.47%", "5,760", "\u22123,760")
    assert len(table) == 14  # 13 districts and Kent
    assert any("Households: Estimate (not a Census count)" in plain(c.value) for c in at.caption)


def test_engagement_page_for_a_district_shows_progress(tmp_path, monkeypatch):
    at = _app(tmp_path, monkeypatch)
    at.sidebar.selectbox(key="f_district").set_value("Ashford").run()
    _switch(at, "engagement")
    assert _metric(at, "MCV members").value == "2,000"
    text = " ".join(plain(m.value) for m in at.markdown)
    assert ("MCV members in Ashford: 2,000 at 31 January 2025 (3.5% of households), 3,760 short of the target of "
            "5,760 (10% of households); too few values") in text


def test_satisfaction_page_figures(tmp_path, monkeypatch):
    at = _switch(_app(tmp_path, monkeypatch), "satisfaction")
    assert at.title[0].value == "Victim satisfaction"
    tile = _metric(at, "ASB victim satisfaction")
    # 390/500 = 78.0% against 360/500 = 72.0%: +6.0 pp, z = 2.19: significant
    assert tile.value == "78.0%" and tile.delta == "+6.0 pp on last year"
    captions = plain("\n".join(c.value for c in at.caption))
    assert "95% interval 74.2% – 81.4% · Significant change (p = 0.028)" in captions
    assert _metric(at, "England and Wales").value == "76.5%"
    table = at.dataframe[0].value
    jan = table[table["Month"] == "Jan 2025"].iloc[0]
    assert (jan["Satisfied"], jan["Surveyed"], jan["Share satisfied"], jan["95% low"], jan["95% high"],
            jan["England and Wales"]) == ("390", "500", "78.0%", "74.2%", "81.4%", "76.5%")


def test_overview_shows_the_measures_tiles(tmp_path, monkeypatch):
    at = _app(tmp_path, monkeypatch)
    assert _metric(at, "ASB victim satisfaction").value == "78.0%"
    assert _metric(at, "MCV sign-ups in the period").value == "1,376"
    text = " ".join(plain(m.value) for m in at.markdown)
    assert "MCV sign-ups more than doubled in the third week of January: 550 against 256 the week before." in text


@pytest.mark.parametrize("page", ["engagement", "satisfaction"])
def test_pages_without_measures_say_how_to_load_them(tmp_path, monkeypatch, page):
    at = _switch(_app(tmp_path, monkeypatch, measures=False), page)
    assert any("Upload page" in plain(i.value) for i in at.info)
    assert not at.metric
