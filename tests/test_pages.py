"""Every page run with AppTest on a seeded database file: real figures, filters changed, pages switched.

The seed (worked out by hand): 25 months, January 2023 – January 2025, month index i = 0..24.
- ASB: Ashford 10 + i incidents a month, Medway 20 a month.
- Crime: Ashford 30 burglaries a month (victim-based), 6 solved (outcome 1) each month except January 2025 with 9;
  Medway 5 drugs offences a month (not victim-based).
So for January 2025 (i = 24) against January 2024 (i = 12): ASB 54 against 42, +12, +28.6%; victim-based crime
30 against 30; solved rate 30.0% against 20.0%, +10.0 pp. For November 2024 – January 2025: ASB 159 against 123,
+36, +29.3%. Ashford alone in January 2025: ASB 34 against 22, +12, +54.5%.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.domain.periods import make_period, month_runs, shift_month
from analytics.figures import breakdowns, counts, coverage, rates, solved
from analytics.report import audit, export, text, tiles
from analytics.report import formatting as fmt
from analytics.views import pack as pack_view
from analytics.views.common import Selection
from analytics.views.overview import headline_tiles
from tests.conftest import insert_batch, open_tables, plain

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
MONTHS = [shift_month("2023-01", i) for i in range(25)]


def _seed(path: Path, *, source: str = "police.uk", call_types: bool = False) -> None:
    con = store.connect(path)
    asb, crime = [], []
    for i, month in enumerate(MONTHS):
        noise, tipping = ("Noise nuisance", "Fly-tipping") if call_types else (None, None)
        asb += [{"month": month, "district": "Ashford", "call_type": noise}] * (10 + i)
        asb += [{"month": month, "district": "Medway", "call_type": tipping}] * 20
        solved = 9 if month == "2025-01" else 6
        crime += [{"month": month, "district": "Ashford", "offence_group": "Burglary", "outcome": "1"}] * solved
        crime += [{"month": month, "district": "Ashford", "offence_group": "Burglary",
                   "outcome": "Investigation complete; no suspect identified"}] * (30 - solved)
        crime += [{"month": month, "district": "Medway", "offence_group": "Drugs"}] * 5
    insert_batch(con, "asb", asb, source=source)
    insert_batch(con, "crime", crime, source=source)
    con.close()


@pytest.fixture
def seeded(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "seeded.duckdb"
    _seed(path)
    monkeypatch.setenv("ASB_DB", str(path))
    return path


@pytest.fixture
def app_path(tmp_path) -> str:
    return APP


def _app(entry: str) -> AppTest:
    at = AppTest.from_file(entry, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _switch(at: AppTest, page: str) -> AppTest:
    """The page, with every chart's table open (test_pages.test_a_charts_table_is_sent_once_its_expander_is_opened
    checks they are sent only once opened)."""
    at.switch_page(str(ROOT / "ui" / "pages" / f"{page}.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    open_tables(at)
    return at


def _expected(path: Path, function, **kwargs):
    con = store.connect(path)
    try:
        return function(con, **kwargs)
    finally:
        con.close()


def _metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, [m.label for m in at.metric]
    return found[0]


def _captions(at: AppTest) -> str:
    return plain("\n".join(c.value for c in at.caption))


def test_overview_tiles_default_to_latest_month_and_equal_analytics(seeded, app_path):
    at = _app(app_path)
    assert at.title[0].value == "Overview"
    # sidebar defaults: latest complete month, 3 months, all Kent; one source, so no source picker
    assert at.sidebar.selectbox(key="f_end").value == "2025-01"
    assert at.sidebar.radio(key="f_kind").value == "3m"
    assert at.sidebar.selectbox(key="f_district").value == "All Kent"
    assert not [s for s in at.sidebar.selectbox if s.key == "f_source"]
    assert "November 2024 – January 2025 compared with the same months a year earlier" in at.markdown[0].value

    asb = _metric(at, "ASB incidents")
    assert asb.value == "159"
    assert asb.delta == "+29.3% (+36) on last year"
    period = make_period("2025-01", "3m")
    total = _expected(seeded, counts.comparison, measure="asb", period=period, source="police.uk").iloc[-1]
    assert asb.value == fmt.fmt_int(total["count"]) and total["last_year"] == 123

    vbc = _metric(at, "Victim-based crime")
    assert vbc.value == "90" and vbc.delta == "0.0% (0) on last year"
    solved = _metric(at, "Victim-based crime solved rate")
    # 21 of 90 (6 + 6 + 9) against 18 of 90
    assert solved.value == "23.3%" and solved.delta == "+3.3 pp on last year"
    assert "Within normal variation" in _captions(at)
    assert "cohort basis" in _captions(at)
    assert "January 2025" in " ".join(m.value for m in at.markdown)  # freshness names the latest month


def test_a_charts_table_is_sent_once_its_expander_is_opened(seeded, app_path):
    at = _app(app_path)
    closed = [e for e in at.expander if e.label == "Table and summary"]
    assert [e.key for e in closed] == ["table_and_summary_trend_asb", "table_and_summary_trend_vbc"]
    assert not at.dataframe  # neither trend's table
    assert all("25 months" in e.markdown[0].value for e in closed)  # each chart's summary is sent closed too
    at.session_state["table_and_summary_trend_asb"] = True
    at.run()
    asb, vbc = [e for e in at.expander if e.label == "Table and summary"]
    assert not vbc.dataframe
    # January 2025: Ashford 10 + 24 and Medway 20; January 2024: 10 + 12 and 20
    assert asb.dataframe[0].value.iloc[-1].tolist()[:3] == ["Jan 2025", "54", "42"]


def test_sidebar_filters_change_the_figures_and_survive_page_switches(seeded, app_path):
    at = _app(app_path)
    at.sidebar.radio(key="f_kind").set_value("1m").run()
    assert _metric(at, "ASB incidents").value == "54"
    assert _metric(at, "ASB incidents").delta == "+28.6% (+12) on last year"
    assert _metric(at, "Victim-based crime solved rate").value == "30.0%"
    assert _metric(at, "Victim-based crime solved rate").delta == "+10.0 pp on last year"
    assert "January 2025 compared with the same month a year earlier" in at.markdown[0].value

    at.sidebar.selectbox(key="f_district").set_value("Ashford").run()
    assert _metric(at, "ASB incidents").value == "34"
    assert _metric(at, "ASB incidents").delta == "+54.5% (+12) on last year"

    at.sidebar.selectbox(key="f_end").set_value("2024-12").run()
    # Ashford December 2024 (i = 23): 33 against 21
    assert _metric(at, "ASB incidents").value == "33"

    _switch(at, "asb")
    assert at.sidebar.selectbox(key="f_district").value == "Ashford"
    assert at.sidebar.radio(key="f_kind").value == "1m"
    assert at.sidebar.selectbox(key="f_end").value == "2024-12"
    report = at.dataframe[0].value
    assert report.iloc[0].tolist()[:5] == ["Dec 2024", "33", "21", "+57.1%", "+12"]


def test_asb_page_report_table_equals_analytics(seeded, app_path):
    at = _switch(_app(app_path), "asb")
    assert at.title[0].value == "Anti-social behaviour"
    period = make_period("2025-01", "3m")
    comp = _expected(seeded, counts.comparison, measure="asb", period=period, source="police.uk")
    table = at.dataframe[0].value
    pd.testing.assert_frame_equal(table.reset_index(drop=True), fmt.comparison_table(comp), check_dtype=False)
    assert table["Month"].tolist() == ["Nov 2024", "Dec 2024", "Jan 2025", "Total"]
    assert table["Recorded"].tolist() == ["52", "53", "54", "159"]
    assert table["% change"].iloc[-1] == "+29.3%"
    assert "Same month last year" in table.columns
    # police.uk has no call types: said in words, not an empty chart
    assert any("no ASB call types" in i.value for i in at.info)
    # the district breakdown: Ashford up 36, Medway unchanged
    dists = _expected(seeded, breakdowns.breakdown, measure="asb", by="district", period=period, source="police.uk")
    shown = [d.value for d in at.dataframe if "District" in d.value.columns][0]
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), fmt.breakdown_table(dists, name_label="District"),
                                  check_dtype=False)
    assert dict(zip(shown["District"], shown["Change"], strict=True))["Ashford"] == "+36"
    assert any(b.label == "Download CSV" for b in at.get("download_button"))


def test_crime_page_tables_and_solved_rate(seeded, app_path):
    at = _switch(_app(app_path), "crime")
    assert at.title[0].value == "Crime & outcomes"
    period = make_period("2025-01", "3m")
    vbc = _expected(seeded, counts.comparison, measure="vbc", period=period, source="police.uk")
    pd.testing.assert_frame_equal(at.dataframe[0].value.reset_index(drop=True), fmt.comparison_table(vbc),
                                  check_dtype=False)
    rate = _expected(seeded, solved.solved_rate, period=period, source="police.uk")
    tile = _metric(at, "Victim-based crime solved rate")
    assert tile.value == fmt.fmt_rate(rate.rate) == "23.3%"
    all_crime = [d.value for d in at.dataframe if d.value.columns[0] == "Month"][-1]
    # all crime adds Medway's 5 drugs offences a month: 105 against 105
    assert all_crime["Recorded"].tolist() == ["35", "35", "35", "105"]
    types = [d.value for d in at.dataframe if "Crime type" in d.value.columns][0]
    assert sorted(types["Crime type"]) == ["Burglary", "Drugs"]
    outcomes = [d.value for d in at.dataframe if "Outcome" in d.value.columns][0]
    expected = _expected(seeded, breakdowns.outcome_breakdown, period=period, source="police.uk")
    assert outcomes["Outcome"].tolist() == expected["outcome_group"].tolist()
    assert outcomes["Victim-based crimes"].tolist() == ["69", "21"]


def test_districts_page_table_and_measure_switch(seeded, app_path):
    at = _switch(_app(app_path), "districts")
    assert at.title[0].value == "Districts"
    table = at.dataframe[0].value
    assert len(table) == 13
    rows = dict(zip(table["District"], table["Recorded"], strict=True))
    assert rows["Ashford"] == "99" and rows["Medway"] == "60" and rows["Dover"] == "0"
    per_1000 = _expected(seeded, rates.rates_per_1000, measure="asb", period=make_period("2025-01", "3m"),
                         source="police.uk")
    ashford = per_1000[per_1000["district"] == "Ashford"].iloc[0]
    assert dict(zip(table["District"], table["Rate per 1,000"], strict=True))["Ashford"] == fmt.fmt_decimal(
        ashford["rate_per_1000"]) == "0.72"  # 99 / 138,283 × 1,000
    at.segmented_control(key="d_measure").set_value("vbc").run()
    table = at.dataframe[0].value
    assert dict(zip(table["District"], table["Recorded"], strict=True))["Ashford"] == "90"


def test_data_page_coverage_and_history(seeded, app_path):
    at = _switch(_app(app_path), "data")
    assert at.title[0].value == "Data"
    history = [d.value for d in at.dataframe if "Batch" in d.value.columns][0]
    assert len(history) == 2
    assert set(history["Holds"]) == {"ASB", "Crime"}
    assert any("No gaps and no partial months" in s.value for s in at.success)
    coverage = [d.value for d in at.dataframe if "Rows" in d.value.columns][0]
    assert len(coverage) == 50  # 25 months of ASB and 25 of crime


def test_two_sources_show_a_source_picker_and_call_types(tmp_path, monkeypatch, app_path):
    path = tmp_path / "two.duckdb"
    _seed(path)
    _seed(path, source="force", call_types=True)
    monkeypatch.setenv("ASB_DB", str(path))
    at = _app(app_path)
    picker = at.sidebar.selectbox(key="f_source")
    assert picker.options == ["police.uk", "force"] and picker.value == "police.uk"
    picker.set_value("force").run()
    _switch(at, "asb")
    assert not any("no ASB call types" in i.value for i in at.info)
    calls = [d.value for d in at.dataframe if "Call type" in d.value.columns][0]
    # Noise nuisance follows Ashford (+36), Fly-tipping follows Medway (0)
    assert dict(zip(calls["Call type"], calls["Change"], strict=True)) == {"Noise nuisance": "+36", "Fly-tipping": "0"}
    cats = [d.value for d in at.dataframe if "Category" in d.value.columns][0]
    assert dict(zip(cats["Category"], cats["Recorded"], strict=True)) == {"Nuisance": "99", "Environmental": "60"}


def test_tiles_text_matches_overview_builder(seeded, app_path):
    con = store.connect(seeded)
    found = headline_tiles(con, Selection("police.uk", "2025-01", "3m"))
    con.close()
    at = _app(app_path)
    for tile in found:
        shown = _metric(at, tile.label)
        assert (shown.value, shown.delta) == (tile.value, tile.delta)
    assert [t.delta_color for t in found] == ["inverse", "inverse", "normal"]


def test_empty_database_without_demo_files_says_so(tmp_path, monkeypatch):
    # an empty file that has had a load rolled back: the demo is not reloaded and the page explains
    from analytics.ingest import load

    path = tmp_path / "empty.duckdb"
    con = store.connect(path)
    load.rollback(con, insert_batch(con, "asb", [{"month": "2025-01", "district": "Ashford"}]), user="test")
    con.close()
    monkeypatch.setenv("ASB_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("No data is loaded yet" in i.value for i in at.info)


def test_tile_colour_follows_whether_the_move_is_good():
    # the report's minus sign is not ASCII, so the colour and arrow are set from the change, not the text
    fall = tiles.Tile("asb", "ASB incidents", "159", "−10.2% (−18) on last year", "inverse", "down", False,
                         "Within normal variation", "")
    assert fall.color == "green"
    assert tiles.Tile(**{**fall.__dict__, "direction": "up"}).color == "red"
    assert tiles.Tile(**{**fall.__dict__, "delta_color": "normal"}).color == "red"
    assert tiles.Tile(**{**fall.__dict__, "direction": "off"}).color == "gray"


def test_month_runs_and_comparison_note(seeded):
    assert month_runs(["2024-07", "2024-05", "2024-06", "2024-10"]) == "May – July 2024, October 2024"
    con = store.connect(seeded)

    def note(end):
        return text.comparison_note(coverage.period_gaps(con, period=make_period(end, "3m"), source="police.uk"))

    try:
        assert note("2025-01") is None
        # the seed starts in January 2023, so 2023 cannot be compared with 2022
        assert note("2024-01") == (
"Part of this period cannot be compared with a year earlier: November – December 2022, "
                        "a year earlier, are not loaded, so the totals have no change on last year.")
        assert coverage.comparable_end_month(con, source="police.uk") == "2025-01"
        assert coverage.default_end_month(con, source="police.uk") == "2025-01"
        assert coverage.end_month_options(con, source="police.uk")[:2] == ["2025-01", "2024-12"]
    finally:
        con.close()


def test_a_period_without_last_year_warns_and_offers_the_latest_comparable_month(seeded, app_path):
    at = _app(app_path)
    at.sidebar.selectbox(key="f_end").set_value("2023-06").run()
    # April – June 2023 is loaded, 2022 is not: the total shows (13 + 14 + 15 Ashford, 3 × 20 Medway), no change
    assert _metric(at, "ASB incidents").value == "102"
    assert _metric(at, "ASB incidents").delta is None or _metric(at, "ASB incidents").delta == ""
    assert "No comparison: the same months last year are not loaded" in _captions(at)
    assert plain(at.warning[0].value) == ("No comparison with a year earlier: April – June 2022, a year earlier, "
                                          "are not loaded. The latest month that can be compared is January 2025.")
    at.button(key="goto_2025-01").click().run()
    assert at.sidebar.selectbox(key="f_end").value == "2025-01"
    assert _metric(at, "ASB incidents").value == "159"


def test_breakdown_sentence_names_the_signals():
    frame = pd.DataFrame({"name": ["Dover", "Thanet", "Swale"], "count": [10, 20, 30], "last_year": [15, 18, 30],
                          "change": [-5, 2, 0], "pct_change": [-33.3, 11.1, 0.0], "signal": [False, True, False]})
    assert text.breakdown_sentence(frame, "districts") == (
        "3 districts: largest reduction Dover: 10, −33.3%, down 5; largest increase Thanet: 20, +11.1%, up 2. "
        "Beyond normal variation (a signal): Thanet.")
    calm = frame.assign(signal=False)
    assert text.breakdown_sentence(calm, "districts").endswith("No change is beyond normal variation.")


def test_quality_table_words_every_flag_of_every_source():
    flags = {"police.uk": [coverage.QualityFlag("2024-05", "crime", "missing", "no rows")],
             "force": [coverage.QualityFlag("2025-01", "asb", "partial", "312 rows against a median of 1,540")]}
    table = audit.quality_table(flags)
    assert table.to_dict("records") == [
        {"Source": "police.uk", "Month": "May 2024", "Holds": "Crime", "Issue": "Missing", "Detail": "no rows"},
        {"Source": "force", "Month": "January 2025", "Holds": "ASB", "Issue": "Partial",
         "Detail": "312 rows against a median of 1,540"},
    ]
    assert audit.quality_table({"police.uk": []}).empty


# ------------------------------------------------------------------------------------------------ links and packs


def test_a_link_opens_the_view_it_names(seeded):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["end"] = "2024-12"
    at.query_params["period"] = "1m"
    at.query_params["district"] = "ashford"  # names match as the reference file matches them
    at.switch_page(str(ROOT / "ui" / "pages" / "asb.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Anti-social behaviour"
    assert at.sidebar.selectbox(key="f_end").value == "2024-12"
    assert at.sidebar.radio(key="f_kind").value == "1m"
    assert at.sidebar.selectbox(key="f_district").value == "Ashford"
    # Ashford, December 2024 (i = 23): 33 against 21
    assert at.dataframe[0].value.iloc[0].tolist()[:5] == ["Dec 2024", "33", "21", "+57.1%", "+12"]
    assert dict(at.query_params) == {"end": "2024-12", "period": "1m", "district": "Ashford", "source": "police.uk"}


def test_changing_a_filter_rewrites_the_address_and_a_page_switch_keeps_it(seeded):
    at = _app(APP)
    assert dict(at.query_params) == {"end": "2025-01", "period": "3m", "source": "police.uk"}
    at.sidebar.radio(key="f_kind").set_value("1m").run()
    at.sidebar.selectbox(key="f_district").set_value("Medway").run()
    assert dict(at.query_params) == {"end": "2025-01", "period": "1m", "district": "Medway", "source": "police.uk"}
    _switch(at, "data")  # a page without the period filters keeps them in the address
    assert dict(at.query_params)["district"] == "Medway"
    _switch(at, "overview")
    assert _metric(at, "ASB incidents").value == "20"  # Medway, January 2025
    assert at.sidebar.selectbox(key="f_district").value == "Medway"


def test_an_unknown_value_in_a_link_falls_back_with_a_notice(seeded):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["district"] = "Atlantis"
    at.query_params["period"] = "7m"
    at.query_params["end"] = "1999-01"
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="f_district").value == "All Kent"
    assert at.sidebar.radio(key="f_kind").value == "3m"
    assert at.sidebar.selectbox(key="f_end").value == "2025-01"
    notice = plain(" ".join(t.value for t in at.toast))
    assert "unknown district 'Atlantis', showing All Kent" in notice
    assert "unknown period '7m', showing 3 months" in notice
    assert "unknown period end '1999-01', showing January 2025" in notice
    assert _metric(at, "ASB incidents").value == "159"


def test_the_overview_offers_the_pack_with_names_that_say_what_it_holds(seeded):
    at = _app(APP)
    labels = [b.label for b in at.get("download_button")]
    assert labels[:3] == ["Excel pack", "PDF pack", "Public PDF"]
    sel = Selection("police.uk", "2025-01", "12m", "Tunbridge Wells")
    assert [pack_view.file_name(sel, c) for c in pack_view.CHOICES] == [
        "performance-pack_tunbridge-wells_police-uk_2024-02-to-2025-01.xlsx",
        "performance-pack_tunbridge-wells_police-uk_2024-02-to-2025-01.pdf",
        "performance-pack-public_tunbridge-wells_police-uk_2024-02-to-2025-01.pdf"]


def test_every_page_csv_names_its_measure_area_source_and_period(seeded):
    from analytics.views import asb as asb_view
    from analytics.views import data as data_view

    con = store.connect(seeded)
    try:
        v = asb_view.build(con, Selection("police.uk", "2025-01", "12m", "Ashford"))
    finally:
        con.close()
    t = v.comparison.table
    assert t.file_name == "asb-by-month_ashford_police-uk_2024-02-to-2025-01.csv"
    assert list(t.raw.columns[:2]) == ["Area", "Source"] and set(t.raw["Area"]) == {"Ashford"}
    assert v.rolling.chart is not None and v.rolling.chart.table is not None
    assert v.rolling.chart.table.file_name == "asb-rolling-12-months_ashford_police-uk_2024-01-to-2025-01.csv"
    con = store.connect(seeded)
    try:
        history = data_view.build(con).history
    finally:
        con.close()
    assert history.file_name == "load-history_kent_all-sources_2023-01-to-2025-01.csv"
    data = export.csv_bytes(t.raw).decode("utf-8-sig").splitlines()
    assert data[0] == '"Area","Source","Month","Recorded","Same month last year","% change","Change","Signal"'
    # Ashford January 2025 (i = 24): 34 against 22 (i = 12), +54.5%: a signal? z = 2(√34 − √22) = 2.28: no
    assert data[-2] == '"Ashford","police.uk","Jan 2025",34,22,54.5,12,'
    assert data[-1].startswith('"Ashford","police.uk","Total",')
