"""Named measures: periods and the week-to-month rule, Wilson intervals and the two-proportion test (worked out by
hand), figures kept apart by grain, targets from the households file, loading, refusing, replacing and rolling
back a measures file, and the summary's "measures" entries."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analytics import store
from analytics.domain import definitions
from analytics.domain.periods import make_period
from analytics.errors import InputRefused
from analytics.ingest import admin
from analytics.ingest.load import RowsRefused, list_batches, load_file, rollback
from analytics.measures import engagement, satisfaction, targets
from analytics.measures.figures import series
from analytics.measures.periods import parse_period, period_label, week_in_month, weeks_of_month, year_earlier
from analytics.measures.stats import change_test, wilson
from analytics.report.summary import build_summary
from tests.conftest import old_database
from tests.large_compare import assert_same

ROOT = Path(__file__).resolve().parent.parent
HEADER = "measure,period,district,value,surveyed\n"
TABLES = ("batches", "measure_values", "rejected_rows")


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def snapshot(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


@pytest.fixture
def reference(tmp_path, monkeypatch):
    """The reference files in a temporary folder, households.csv replaced by round figures: Ashford 50,000 and
    every other district 10,000 (so the force has 170,000)."""
    folder = tmp_path / "reference"
    shutil.copytree(definitions.REFERENCE_DIR, folder)
    lines = ["code,name,households,source"]
    for d in definitions.districts():
        lines.append(f"{d.code},{d.name},{50000 if d.name == 'Ashford' else 10000},test figures")
    (folder / "households.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(definitions, "REFERENCE_DIR", folder)
    admin._clear_caches()
    yield folder
    monkeypatch.undo()
    admin._clear_caches()


@pytest.fixture
def con(reference):
    c = store.connect(":memory:")
    yield c
    c.close()


# ------------------------------------------------------------------------------------------------ periods


def test_a_week_counts_in_the_month_of_its_thursday():
    first = parse_period("2025-W01")  # Monday 30 December 2024 – Sunday 5 January 2025, Thursday 2 January
    assert (first.start, first.end, first.month) == (date(2024, 12, 30), date(2025, 1, 5), "2025-01")
    assert [w.code for w in weeks_of_month("2025-01")] == ["2025-W01", "2025-W02", "2025-W03", "2025-W04",
                                                          "2025-W05"]  # W05 ends Sunday 2 February
    assert [w.code for w in weeks_of_month("2025-02")] == ["2025-W06", "2025-W07", "2025-W08", "2025-W09"]
    # 2020-W53: Monday 28 December 2020, Thursday 31 December: December's
    assert parse_period("2020-W53").month == "2020-12"
    assert week_in_month("2025-W03") == "the third week of January"
    assert period_label("2025-W03") == "week 3 of 2025 (13 – 19 January 2025)"
    assert (year_earlier("2025-W03"), year_earlier("2026-W53"), year_earlier("2025-01")) == ("2024-W03", None,
                                                                                            "2024-01")
    assert parse_period("31/01/2025").code == "2025-01-31" and parse_period("January 2025").code == "2025-01"
    with pytest.raises(ValueError, match="2025 has no ISO week 53"):
        parse_period("2025-W53")


# ------------------------------------------------------------------------------------------------ statistics


def test_wilson_intervals_worked_by_hand():
    # 80 of 100: p = 0.8, z² = 3.8414588, z²/n = 0.0384146; centre = (0.8 + 0.0192073) / 1.0384146 = 0.7889018;
    # half = 1.959964 × √(0.0016 + 0.0000960) / 1.0384146 = 1.959964 × 0.0411830 / 1.0384146 = 0.0777311
    i = wilson(80, 100)
    assert (i.share, i.low, i.high) == (0.8, pytest.approx(0.7111707, abs=1e-6), pytest.approx(0.8666329, abs=1e-6))
    # 0 of 10: low 0, high = (z²/n) / (1 + z²/n) = 0.3841459 / 1.3841459 = 0.2775328; 10 of 10 mirrors it
    assert (wilson(0, 10).low, wilson(0, 10).high) == (0.0, pytest.approx(0.2775328, abs=1e-6))
    assert (wilson(10, 10).low, wilson(10, 10).high) == (pytest.approx(0.7224672, abs=1e-6), 1.0)
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_two_proportion_test_worked_by_hand():
    # 390/500 = 0.78 against 360/500 = 0.72: pooled 750/1000 = 0.75; se = √(0.75 × 0.25 × (2/500)) = √0.00075
    # = 0.0273861; z = 0.06 / 0.0273861 = 2.1909 ≥ 1.96: significant. The same shares of 100 each:
    # se = √(0.1875 × 0.02) = 0.0612372, z = 0.9798: not significant.
    big = change_test(390, 500, 360, 500)
    assert big.z == pytest.approx(2.1908902, abs=1e-6) and big.beyond_chance
    small = change_test(78, 100, 72, 100)
    assert small.z == pytest.approx(0.9797959, abs=1e-6) and not small.beyond_chance


# ------------------------------------------------------------------------------------------------ figures


def test_weekly_sign_ups_make_a_month_only_when_every_week_is_loaded(con, tmp_path):
    rows = [f"mcv_signups,2025-W{w:02d},,{10 * w}," for w in range(1, 6)]  # January: 10 + 20 + 30 + 40 + 50
    rows += [f"mcv_signups,2025-W{w:02d},,{w}," for w in (6, 7, 8)]  # February without W09
    rows += ["mcv_signups,2025-03,,500,"]  # March given as a month, and its weeks as well
    rows += [f"mcv_signups,2025-W{w:02d},,7," for w in (10, 11, 12, 13)]
    load_file(con, write(tmp_path / "s.csv", rows), loaded_by="t")
    monthly = series(con, "mcv_signups", None, "month")
    assert monthly["2025-01"].value == 150 and monthly["2025-01"].basis == "sum of 5 weeks"
    assert "2025-02" not in monthly  # W09 missing: no monthly figure rather than part of a month
    assert monthly["2025-03"].value == 500 and monthly["2025-03"].basis == "given"  # never 500 + 28
    weekly = series(con, "mcv_signups", None, "week")
    assert [weekly[c].value for c in ("2025-W10", "2025-W11")] == [7, 7]
    # a three-month period needs every month: February is missing
    assert engagement.period_figure(con, "mcv_signups", None, make_period("2025-03", "3m")).figure is None
    assert engagement.period_figure(con, "mcv_signups", None, make_period("2025-01", "1m")).figure.value == 150


def test_a_week_from_its_days_and_the_force_from_every_district(con, tmp_path):
    days = [f"mcv_signups,2025-01-{d:02d},Ashford,1," for d in range(6, 13)]  # all 7 days of 2025-W02
    days += [f"mcv_signups,2025-01-{d:02d},Ashford,1," for d in (13, 14)]  # two days of W03 only
    others = [f"mcv_signups,2025-W02,{d.name},2," for d in definitions.districts() if d.name != "Ashford"]
    load_file(con, write(tmp_path / "d.csv", days + others), loaded_by="t")
    ashford = series(con, "mcv_signups", "Ashford", "week")
    assert ashford["2025-W02"].value == 7 and ashford["2025-W02"].basis == "sum of 7 days"
    assert "2025-W03" not in ashford
    # the force's W02 is not the districts' sum: a force figure adds up values given for the same period by every
    # district, and Ashford gave days, not the week (values of different grains are never added together)
    assert "2025-W02" not in series(con, "mcv_signups", None, "week")


def test_share_of_households_target_from_the_households_file(con, tmp_path):
    rows = ["mcv_members,2025-W01,Ashford,1000,", "mcv_members,2025-W02,Ashford,1100,",
            "mcv_members,2025-W03,Ashford,1200,", "mcv_members,2025-W04,Ashford,1300,"]
    load_file(con, write(tmp_path / "m.csv", rows), loaded_by="t")
    found = engagement.members(con, "Ashford", "2025-01")
    # target: the force's 10% of households applies to Ashford: 10% of 50,000 = 5,000; 1,300 is 2.6%
    assert found.households == 50_000 and found.share_pct == pytest.approx(2.6)
    assert found.progress.target == 5000 and found.progress.distance == -3700
    # least squares through (−21, 1000), (−14, 1100), (−7, 1200), (0, 1300): 100 a week; the 3,700 still needed
    # take 259 days from Sunday 26 January 2025
    assert found.progress.forecast.status == targets.ON_COURSE
    assert found.progress.forecast.per_day == pytest.approx(100 / 7)
    assert found.progress.forecast.when == date(2025, 10, 12)
    # the force: 10% of 170,000 = 17,000 households; no force figure, as 12 districts have none
    assert targets.area_households(con, None) == 170_000
    table = engagement.members_by_district(con, "2025-01").set_index("district")
    assert table.loc["Ashford", "target"] == 5000 and table.loc["Dover", "target"] == 1000
    assert table.loc["Kent", "households"] == 170_000


def test_a_falling_trend_is_not_on_course(con, tmp_path):
    rows = [f"mcv_members,2025-W0{w},Ashford,{1300 - 100 * w}," for w in range(1, 5)]
    load_file(con, write(tmp_path / "m.csv", rows), loaded_by="t")
    found = engagement.members(con, "Ashford", "2025-01")
    assert found.progress.forecast.status == targets.NOT_ON_COURSE and found.progress.forecast.when is None


def test_satisfaction_share_interval_and_significance(con, tmp_path):
    rows = ["asb_victim_satisfaction,2025-01,,390,500", "asb_victim_satisfaction,2024-01,,360,500",
            "asb_victim_satisfaction_ew,2024-12,,76.5,"]
    load_file(con, write(tmp_path / "v.csv", rows), loaded_by="t")
    s = satisfaction.satisfaction(con, None, make_period("2025-01", "1m"))
    assert (s.figure.value, s.figure.surveyed, s.last_year.value) == (390, 500, 360)
    assert s.significant and s.test.z == pytest.approx(2.1908902, abs=1e-6)
    assert s.interval.low == pytest.approx(wilson(390, 500).low)
    assert s.comparison.value == 76.5 and s.against_comparison == satisfaction.IN_LINE  # 74.2% – 81.4%


# ------------------------------------------------------------------------------------------------ loading


def test_a_bad_measures_file_is_refused_with_row_numbers_and_nothing_changes(con, tmp_path):
    load_file(con, write(tmp_path / "good.csv", ["mcv_alerts,2025-01,,40,"]), loaded_by="t")
    before = snapshot(con)
    bad = write(tmp_path / "bad.csv", [
        "mcv_alerts,2025-02,,41,",  # row 2: good
        "mcv_alerts,2025-13,,5,",  # row 3: no month 13
        "mcv_alerts,2025-03,Atlantis,5,",  # row 4: unknown district
        "mcv_alerts,2025-04,,lots,",  # row 5: not a number
        "asb_victim_satisfaction,2025-01,,390,300",  # row 6: more satisfied than surveyed
        "asb_victim_satisfaction,2025-02,,390,",  # row 7: no number surveyed
        "mcv_members,2025-W03,,12.5,",  # row 8: not a whole number
        "nonsense,2025-01,,1,",  # row 9: unknown measure
        "mcv_alerts,2025-02,Kent,41,",  # row 10: the same as row 2 (Kent is force-wide)
    ])
    with pytest.raises(RowsRefused) as info:
        load_file(con, bad, loaded_by="t")
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(3, "period"), (4, "district"), (5, "value"), (6, "value"), (7, "surveyed"), (8, "value"),
                     (9, "measure"), (2, "period"), (10, "period")}
    message = info.value.message
    assert "9 invalid rows of 9" in message and "row 6, column 'value', value '390': More satisfied" in message
    assert_same(snapshot(con), before)


def test_load_reload_replace_and_roll_back(con, tmp_path):
    first = write(tmp_path / "a.csv", ["mcv_alerts,2025-01,,40,", "mcv_alerts,2025-02,,44,"])
    result = load_file(con, first, loaded_by="ann")
    assert (result.status, result.kind, result.rows_loaded, result.months) == ("loaded", "measures", 2,
                                                                               ["2025-01", "2025-02"])
    [batch] = list_batches(con)
    assert (batch["format"], batch["source"], batch["loaded_by"], batch["rows_live"]) == ("measures", "measures",
                                                                                         "ann", 2)
    assert len(batch["sha256"]) == 64
    assert load_file(con, first, loaded_by="ann").status == "already loaded"
    assert con.execute("SELECT count(*) FROM measure_values").fetchone()[0] == 2
    corrected = write(tmp_path / "b.csv", ["mcv_alerts,2025-02,,45,", "mcv_alerts,2025-03,,50,"])
    before = snapshot(con)
    with pytest.raises(InputRefused, match="holds 1 values already loaded"):
        load_file(con, corrected, loaded_by="ann")
    assert_same(snapshot(con), before)
    second = load_file(con, corrected, loaded_by="ann", replace=True)
    assert second.replaced_batches == [result.batch_id]
    monthly = series(con, "mcv_alerts", None, "month")
    assert {m: p.value for m, p in monthly.items()} == {"2025-01": 40, "2025-02": 45, "2025-03": 50}
    assert {b["id"]: b["status"] for b in list_batches(con)} == {1: "partly replaced", 2: "loaded"}
    assert rollback(con, second.batch_id, user="ann")["restored_batches"] == [result.batch_id]
    monthly = series(con, "mcv_alerts", None, "month")
    assert {m: p.value for m, p in monthly.items()} == {"2025-01": 40, "2025-02": 44}
    assert {b["id"]: b["status"] for b in list_batches(con)} == {1: "loaded", 2: "rolled back"}


def test_an_xlsx_measures_file_and_the_template_load(con, tmp_path):
    from analytics.ingest import templates

    path = tmp_path / templates.measures.file_name()
    path.write_bytes(templates.measures.workbook())
    result = load_file(con, path, loaded_by="t")
    assert (result.format, result.rows_loaded) == ("measures", len(templates.measures.EXAMPLES))
    weekly = series(con, "mcv_signups", None, "week")
    assert [weekly[c].value for c in ("2025-W01", "2025-W02", "2025-W03")] == [70, 256, 550]


def test_the_upload_check_says_what_a_measures_file_would_change(con, tmp_path):
    from analytics.ingest.compare import check_file

    load_file(con, write(tmp_path / "a.csv", ["mcv_alerts,2025-01,,40,"]), loaded_by="t")
    c = check_file(con, write(tmp_path / "b.csv", ["mcv_alerts,2025-01,,41,", "mcv_alerts,2025-02,,42,"]),
                   source_name="force")
    assert (c.format, c.source, c.rows_read, c.refusal) == ("measures", "measures", 2, None)
    assert c.comparison.sentences() == ["Measures: January 2025: 1 measure value, 1 of them replacing values "
                                        "already loaded.", "Measures: February 2025: 1 measure value would be added."]
    assert c.comparison.needs_replace


@pytest.mark.parametrize("version", [3, 5])
def test_an_older_database_is_upgraded_keeping_its_batches(tmp_path, version):
    # before measures the batches' CHECK constraints knew only ASB and crime: the upgrade rebuilds the table
    path = tmp_path / f"v{version}.duckdb"
    raw = old_database(path, version)
    raw.execute("INSERT INTO batches (file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, "
                "rows_read, rows_loaded, rows_rejected, months, status) VALUES ('old.csv', ?, 1, 'force', 'asb', "
                "'asb', 'x', now(), 0, 0, 0, [], 'loaded')", ["a" * 64])
    raw.close()
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert con.execute("SELECT id, file_name, warnings, force FROM batches").fetchall() == [(1, "old.csv", [], None)]
    result = load_file(con, write(tmp_path / "m.csv", ["mcv_alerts,2025-01,,40,"]), loaded_by="t")
    assert result.batch_id == 2
    con.close()


# ------------------------------------------------------------------------------------------------ the summary


def _seeded(con, tmp_path):
    from tests.conftest import insert_batch

    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover"}] * 3)
    rows = ["mcv_signups,2025-W01,,70,", "mcv_signups,2025-W02,,256,", "mcv_signups,2025-W03,,550,",
            "mcv_signups,2025-W04,,300,", "mcv_signups,2025-W05,,200,",
            "mcv_members,2025-W05,,9500,", "asb_victim_satisfaction,2025-01,,390,500",
            "asb_victim_satisfaction,2024-01,,360,500", "asb_victim_satisfaction_ew,2025-01,,76.5,"]
    load_file(con, write(tmp_path / "m.csv", rows), loaded_by="t")


def test_summary_measures_contract(con, tmp_path):
    _seeded(con, tmp_path)
    out = build_summary(con, period=make_period("2025-01", "1m"))
    json.dumps(out)
    entries = out["measures"]
    assert all(list(e) == ["measure", "period", "value", "target", "low", "high"] for e in entries)
    by = {(e["measure"], e["period"]): e for e in entries}
    # members: January is the latest week counted in it (W05); target 10% of 170,000 households = 17,000
    assert by[("mcv_members", "2025-01")] == {"measure": "mcv_members", "period": "2025-01", "value": 9500,
                                              "target": 17000, "low": None, "high": None}
    assert by[("mcv_signups", "2025-01")]["value"] == 1376  # 70 + 256 + 550 + 300 + 200: every week is loaded
    assert [by[("mcv_signups", f"2025-W0{w}")]["value"] for w in range(1, 6)] == [70, 256, 550, 300, 200]
    # 390 of 500 = 78.0%, Wilson 74.2% – 81.4%
    assert by[("asb_victim_satisfaction", "2025-01")] == {"measure": "asb_victim_satisfaction", "period": "2025-01",
                                                          "value": 78.0, "target": None, "low": 74.2, "high": 81.4}
    assert by[("asb_victim_satisfaction_ew", "2025-01")]["value"] == 76.5
    assert ("asb_victim_satisfaction", "2024-01") not in by  # last year is not in the period
    text = out["commentary"]
    assert "MCV sign-ups more than doubled in the third week of January: 550 against 256 the week before." in text
    assert ("ASB victim satisfaction was 78.0% in January 2025 (95% confidence interval 74.2% to 81.4%, 500 "
            "surveyed).") in text
    assert any(s.startswith("That is up 6.0 percentage points on 72.0% a year earlier: a significant change")
               for s in text)


def test_summary_json_from_the_command_line(reference, tmp_path):
    db = tmp_path / "m.duckdb"
    con = store.connect(db)
    _seeded(con, tmp_path)
    con.close()
    run = subprocess.run([sys.executable, "-m", "analytics", "ingest", "--db", str(db), "--source", "measures",
                          str(write(tmp_path / "n.csv", ["mcv_alerts,2025-01,,48,"]))],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([sys.executable, "-m", "analytics", "summary", "--db", str(db), "--end", "2025-01",
                          "--months", "1", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    entries = json.loads(run.stdout)["measures"]
    assert {"measure": "mcv_alerts", "period": "2025-01", "value": 48, "target": None, "low": None,
            "high": None} in entries
    # this subprocess reads the shipped households.csv: 10% of its 790,300 households
    members = next(e for e in entries if e["measure"] == "mcv_members")
    assert members["target"] == 79030


# ------------------------------------------------------------------------------------------------ admin


def test_households_and_targets_files_are_checked_on_save(con, reference):
    path = reference / "households.csv"
    text = path.read_text(encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputRefused, match=r"row 3, column households, value '-5': must be a whole number"):
        admin.replace_reference(con, "households.csv", text.replace("10000", "-5", 1).encode())
    assert_same(path.read_bytes(), before)
    bad = "measure,district,target_type,value,note\nmcv_members,,share_of_households,150,x\nalerts,,level,5,x\n"
    with pytest.raises(InputRefused) as info:
        admin.replace_reference(con, "targets.csv", bad.encode())
    assert "row 2, column value, value '150': a share of households is a per cent above 0" in info.value.message
    assert "row 3, column measure, value 'alerts': not a measure name: write it as mcv_alerts" in info.value.message
    good = "measure,district,target_type,value,note\nmcv_members,Ashford,level,2000,District plan\n"
    admin.replace_reference(con, "targets.csv", good.encode())
    assert targets.rule_for(con, "mcv_members", "Ashford").target_type == "level"
    assert targets.rule_for(con, "mcv_members", None) is None


def test_pack_tables(con, tmp_path):
    from analytics.report.measures import pack_tables

    _seeded(con, tmp_path)
    tables = pack_tables(con, period=make_period("2025-01", "1m"), district=None)
    assert list(tables) == ["MCV members by district", "MCV sign-ups by week", "MCV alerts by month",
                            "Victim satisfaction by month", "Measures", "Targets"]
    weeks = tables["MCV sign-ups by week"].set_index("period")["value"]
    assert [weeks[f"2025-W0{w}"] for w in range(1, 6)] == [70, 256, 550, 300, 200]
    sat = tables["Victim satisfaction by month"].set_index("period")
    assert (sat.loc["2025-01", "satisfied"], sat.loc["2025-01", "surveyed"]) == (390, 500)
    assert sat.loc["2025-01", "low_pct"] == pytest.approx(100 * wilson(390, 500).low)
    [target] = tables["Targets"].to_dict("records")
    # 9,500 members against 10% of 170,000 households
    assert (target["measure"], target["target"], target["figure"], target["target_figure"], target["distance"]) == (
        "mcv_members", "10% of households", 9500, 17000, -7500)
    assert len(tables["Measures"]) == len(build_summary(con, period=make_period("2025-01", "1m"))["measures"])
