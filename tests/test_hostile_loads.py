"""Loads that must be refused or reported, never silently wrong: one month split over two files of a load,
references loaded twice, districts that are not districts, another force's police.uk file, dates in the future
or too early, source names that clash with police.uk. Every refusal leaves every table exactly as it was."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from analytics import store
from analytics.errors import InputRefused
from analytics.ingest import check_source_name, validate
from analytics.ingest.compare import check_file
from analytics.ingest.load import RowsRefused, list_batches, load_file, load_files, rejected_rows
from analytics.ingest.readers import read_file
from tests import hostile
from tests.kent import CITY_JAN_2025, FEB_2025, JAN_2025
from tests.large_compare import assert_same


def every_table(con) -> dict[str, list]:
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name").fetchall()]
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


@pytest.fixture
def con():
    c = store.connect(":memory:")
    yield c
    c.close()


def live(con, source: str = "force") -> list[tuple]:
    return con.execute("SELECT incident_ref, strftime(month, '%Y-%m') FROM asb WHERE source = ? ORDER BY ALL",
                       [source]).fetchall()


# --- #7: one month in two files of one load ---------------------------------------------------------------------


def test_one_month_split_over_two_files_of_one_load_is_refused(con, tmp_path):
    load_file(con, hostile.asb_csv(tmp_path / "dec.csv", hostile.asb_rows("D", 2, day="03/12/2024")))
    east = hostile.asb_csv(tmp_path / "east.csv", hostile.asb_rows("E", 3, district="Dover"))
    west = hostile.asb_csv(tmp_path / "west.csv", hostile.asb_rows("W", 2, district="Ashford"))
    before = every_table(con)
    for replace in (False, True):
        with pytest.raises(InputRefused) as refused:
            load_files(con, [east, west], replace=replace)
        e = refused.value
        assert e.title == "The same month in two files"
        assert "east.csv and west.csv both hold ASB January 2025" in e.message and "Combine them" in e.message
        assert_same(every_table(con), before)
    # The same month of the other kind, or other months, in one load are fine.
    crime = hostile.csv_file(tmp_path / "crime.csv", hostile.CRIME_HEADER,
                             [("C1", "03/01/2025", "Dover", "Burglary", "", "")])
    feb = hostile.asb_csv(tmp_path / "feb.csv", hostile.asb_rows("F", 1, day="03/02/2025"))
    assert [r.rows_loaded for r in load_files(con, [east, crime, feb])] == [3, 1, 1]


# --- #8: a reference loaded twice -------------------------------------------------------------------------------


def test_reference_in_two_files_of_one_load_is_a_problem_nothing_doubled(con, tmp_path):
    a = hostile.asb_csv(tmp_path / "dup_a.csv", hostile.asb_rows("A", 3))
    b = hostile.asb_csv(tmp_path / "dup_b.csv", [("B1", "03/02/2025", "Dover", "Noise"),
                                                 ("A3", "04/02/2025", "Dover", "Noise")])
    before = every_table(con)
    with pytest.raises(RowsRefused) as refused:
        load_files(con, [a, b])
    [problem] = refused.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "incident_ref", "A3")
    assert "dup_a.csv (row 4) in this same load" in problem.reason
    assert "dup_b.csv has 1 invalid row" in refused.value.message
    assert_same(every_table(con), before)

    results = load_files(con, [a, b], accept_valid_rows=True)
    assert [(r.rows_read, r.rows_loaded, r.rows_rejected) for r in results] == [(3, 3, 0), (2, 1, 1)]
    assert live(con) == [("A1", "2025-01"), ("A2", "2025-01"), ("A3", "2025-01"), ("B1", "2025-02")]
    assert [(r["row"], r["value"]) for r in rejected_rows(con, results[1].batch_id)] == [(3, "A3")]


def test_reference_already_loaded_for_the_source_is_a_problem(con, tmp_path):
    load_file(con, hostile.asb_csv(tmp_path / "jan.csv", hostile.asb_rows("A", 3)))
    feb = hostile.asb_csv(tmp_path / "feb.csv", [("A2", "03/02/2025", "Dover", "Noise"),
                                                 ("B1", "03/02/2025", "Dover", "Noise")])
    before = every_table(con)
    with pytest.raises(RowsRefused) as refused:
        load_file(con, feb)
    [problem] = refused.value.problems
    assert (problem.row, problem.value) == (2, "A2")
    assert "already loaded for source 'force' in batch 1 (jan.csv, row 3)" in problem.reason
    assert_same(every_table(con), before)
    # Another source is another set of references.
    assert load_file(con, feb, source_name="other").rows_loaded == 2


def test_rows_being_replaced_are_not_duplicates_live_rows_of_other_months_are(con, tmp_path):
    load_file(con, hostile.asb_csv(tmp_path / "jan.csv", hostile.asb_rows("J", 2)))
    load_file(con, hostile.asb_csv(tmp_path / "feb.csv", [("F1", "03/02/2025", "Dover", "Noise")]))
    corrected = load_file(con, hostile.asb_csv(tmp_path / "jan-v2.csv", hostile.asb_rows("J", 3)), replace=True)
    assert (corrected.rows_loaded, corrected.replaced_batches) == (3, [1])
    assert live(con) == [("F1", "2025-02"), ("J1", "2025-01"), ("J2", "2025-01"), ("J3", "2025-01")]
    before = every_table(con)
    moved = hostile.asb_csv(tmp_path / "jan-v3.csv", [("J1", "03/01/2025", "Dover", "Noise"),
                                                      ("F1", "05/01/2025", "Dover", "Noise")])
    with pytest.raises(RowsRefused) as refused:
        load_file(con, moved, replace=True)
    [problem] = refused.value.problems
    assert problem.row == 3 and "batch 2 (feb.csv, row 2)" in problem.reason
    assert_same(every_table(con), before)


def test_police_uk_crime_id_in_two_files_is_a_problem_within_one_file_a_warning(con, tmp_path):
    jan = hostile.csv_file(tmp_path / "jan.csv", hostile.POLICE_UK_HEADER,
                           hostile.police_uk_rows("2025-01", ["x1", "x2", "x2"]))
    feb = hostile.csv_file(tmp_path / "feb.csv", hostile.POLICE_UK_HEADER,
                           hostile.police_uk_rows("2025-02", ["x2", "x3"]))
    with pytest.raises(RowsRefused) as refused:
        load_files(con, [jan, feb])
    assert [(p.row, p.column, p.value) for p in refused.value.problems] == [(2, "Crime ID", "x2")]
    assert "jan.csv (row 3) in this same load" in refused.value.problems[0].reason
    results = load_files(con, [jan, feb], accept_valid_rows=True)
    assert [r.rows_loaded for r in results] == [3, 1]
    assert any("appear more than once" in w for w in results[0].warnings)


def test_crime_ref_already_loaded_is_a_problem(con, tmp_path):
    rows = [("C1", "03/01/2025", "Dover", "Burglary", "1", "10/01/2025")]
    load_file(con, hostile.csv_file(tmp_path / "a.csv", hostile.CRIME_HEADER, rows))
    again = hostile.csv_file(tmp_path / "b.csv", hostile.CRIME_HEADER,
                             [("C1", "03/02/2025", "Dover", "Burglary", "", "")])
    with pytest.raises(RowsRefused) as refused:
        load_file(con, again)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "crime_ref")]


# --- #9: district values that are not districts ------------------------------------------------------------------


def test_caller_refs_mapped_to_district_are_refused(con, tmp_path):
    rows = [(f"I{i}", "03/01/2025", f"CALLER-{i:06d}-" + "x" * 100, "Noise nuisance") for i in range(300)]
    path = hostile.asb_csv(tmp_path / "mapped.csv", rows)
    before = every_table(con)
    for accept in (False, True):
        with pytest.raises(InputRefused) as refused:
            load_file(con, path, accept_valid_rows=accept)
        e = refused.value
        assert e.title == "Districts not recognised"
        assert "300 of 300 rows (100.0%) have a district that data/reference/districts.csv does not know" in e.message
        assert "300 different values" in e.message
        assert f'"CALLER-000000-{"x" * 65}…"' in e.message and "CALLER-000005" not in e.message
        assert_same(every_table(con), before)


@pytest.mark.parametrize("unknown, distinct, refused", [
    (3, 2, False),     # 3 of 100 rows
    (10, 1, False),    # 10 of 200 rows: 5%, not beyond it
    (11, 1, True),     # 11 of 200 rows: 5.5%
    (9, 1, False),     # 9 of 20 rows: 45%, but fewer than 10 rows
    (20, 20, False),   # 20 values on 20 of 1,000 rows
    (21, 21, True),    # 21 values
])
def test_unknown_district_limits(con, tmp_path, unknown, distinct, refused):
    total = {3: 100, 10: 200, 11: 200, 9: 20, 20: 1000, 21: 1000}[unknown]
    rows = hostile.asb_rows("K", total - unknown)
    rows += [(f"U{i}", "03/01/2025", f"Atlantis {i % distinct}", "Noise nuisance") for i in range(unknown)]
    path = hostile.asb_csv(tmp_path / "some.csv", rows)
    if refused:
        with pytest.raises(InputRefused, match="Districts not recognised"):
            read_file(con, path)
        return
    staged = read_file(con, path)
    assert staged.rows_read == total and staged.rows_rejected == 0
    names = "district name" if distinct == 1 else "district names"  # plurals agree
    assert any(f"{distinct} unknown {names}:" in w for w in staged.warnings)
    assert validate.UNKNOWN_DISTRICT_SHARE == 0.05 and validate.UNKNOWN_DISTRICT_VALUES == 20


# --- issue 9: one force per police.uk source -------------------------------------------------------------------


def file_rows(path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_another_forces_police_uk_file_is_refused_with_and_without_replace(tmp_path):
    con = store.connect(tmp_path / "kent.duckdb")
    kent = load_file(con, JAN_2025)
    assert kent.rows_loaded == 14201
    before = every_table(con)
    for replace in (False, True):
        with pytest.raises(InputRefused) as refused:
            load_file(con, CITY_JAN_2025, replace=replace)
        e = refused.value
        assert e.exit_code == 2 and e.title == "Another force's file"
        assert "City of London Police" in e.message and "source 'police.uk' holds Kent Police" in e.message
        assert "--name NAME" in e.message and "source name" in e.message
        assert_same(every_table(con), before)
    # Together with a Kent file in one load: refused too, nothing loaded.
    with pytest.raises(InputRefused, match="Another force's file"):
        load_files(con, [FEB_2025, CITY_JAN_2025])
    assert_same(every_table(con), before)

    city = load_file(con, CITY_JAN_2025, source_name="city")
    assert (city.status, city.source, city.rows_loaded) == ("loaded", "city", file_rows(CITY_JAN_2025))
    assert con.execute("SELECT source, force FROM batches ORDER BY id").fetchall() == [
        ("police.uk", "Kent Police"), ("city", "City of London Police")]
    assert con.execute("SELECT count(*) FROM asb WHERE source = 'police.uk'").fetchone()[0] == 1560
    con.close()


def test_police_uk_file_of_two_forces_is_refused(con, tmp_path):
    rows = hostile.police_uk_rows("2025-01", ["k1", "k2"]) + hostile.police_uk_rows(
        "2025-01", ["c1"], force="City of London Police")
    path = hostile.csv_file(tmp_path / "mixed.csv", hostile.POLICE_UK_HEADER, rows)
    with pytest.raises(InputRefused) as refused:
        read_file(con, path)
    assert refused.value.title == "Several forces in one file"
    assert '"Kent Police" (2 rows)' in refused.value.message
    assert '"City of London Police" (1 row)' in refused.value.message


def test_check_file_gives_the_force_refusal_before_load(tmp_path):
    con = store.connect(tmp_path / "kent.duckdb")
    load_file(con, JAN_2025)
    check = check_file(con, CITY_JAN_2025)
    assert check.refusal is not None and check.refusal.title == "Another force's file" and check.comparison is None
    named = check_file(con, CITY_JAN_2025, police_uk_source="city")
    assert named.refusal is None and named.source == "city" and named.comparison is not None
    con.close()


# --- #11: dates after the load's day or before the earliest year ---------------------------------------------


def test_future_and_too_early_dates_are_row_problems(con, tmp_path, monkeypatch):
    today = dt.date.today()
    tomorrow, later = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    rows = [("D1", "03/01/2025"), ("D2", "2099-01-01"), ("D3", "31/12/2100"), ("D4", tomorrow.strftime("%d/%m/%Y")),
            ("D5", later.strftime("%d/%m/%Y 00:05")), ("D6", "31/12/1999"), ("D7", "01/01/2000")]
    path = hostile.asb_csv(tmp_path / "dates.csv", [(r, d, "Ashford", "Noise") for r, d in rows])
    s = read_file(con, path)
    assert [(p.row, p.value) for p in s.problems] == [(3, "2099-01-01"), (4, "31/12/2100"),
                                                       (6, later.strftime("%d/%m/%Y 00:05")), (7, "31/12/1999")]
    assert "after " + tomorrow.strftime("%d/%m/%Y") in s.problems[0].reason and "future" in s.problems[0].reason
    assert "before 2000" in s.problems[3].reason and "ASB_EARLIEST_YEAR" in s.problems[3].reason
    assert "2099-01" not in s.months["asb"] and "2100-12" not in s.months["asb"]

    monkeypatch.setenv("ASB_EARLIEST_YEAR", "1990")
    assert [p.row for p in read_file(con, path).problems] == [3, 4, 6]


def test_future_outcome_date_and_police_uk_month_are_row_problems(con, tmp_path):
    crimes = hostile.csv_file(tmp_path / "crimes.csv", hostile.CRIME_HEADER, [
        ("C1", "03/01/2025", "Dover", "Burglary", "1", "10/01/2025"),
        ("C2", "03/01/2025", "Dover", "Burglary", "1", "10/01/2099")])
    s = read_file(con, crimes)
    assert [(p.row, p.column, p.value) for p in s.problems] == [(3, "outcome_date", "10/01/2099")]
    rows = (hostile.police_uk_rows("2025-01", ["p1"]) + hostile.police_uk_rows("2099-12", ["p2"])
            + hostile.police_uk_rows("1999-12", ["p3"]))
    police = hostile.csv_file(tmp_path / "police.csv", hostile.POLICE_UK_HEADER, rows)
    with pytest.raises(RowsRefused) as refused:
        load_file(con, police)
    assert [(p.row, p.column, p.value) for p in refused.value.problems] == [(3, "Month", "2099-12"),
                                                                             (4, "Month", "1999-12")]
    assert "future" in refused.value.problems[0].reason and "before 2000" in refused.value.problems[1].reason
    result = load_file(con, police, accept_valid_rows=True)
    assert (result.rows_loaded, result.months) == (1, ["2025-01"])


# --- #12: one rule for source names ----------------------------------------------------------------------------


def test_source_name_rule():
    assert check_source_name(None, "asb") == "force"
    assert check_source_name(None, "police-uk") == "police.uk"
    assert check_source_name("  city ", "police-uk") == "city"
    assert check_source_name("police.uk", "police-uk") == "police.uk"
    assert check_source_name("Kent extract", "crime") == "Kent extract"
    for name, fmt in [("   ", "asb"), ("", "crime"), ("   ", "police-uk"), ("police.uk", "asb"),
                      ("Police.UK", "crime"), (" POLICE-UK ", "asb"), ("a\nb", "asb"), ("x" * 61, "asb")]:
        with pytest.raises(InputRefused):
            check_source_name(name, fmt)


def test_loader_and_checker_apply_the_source_name_rule(con, tmp_path):
    extract = hostile.asb_csv(tmp_path / "asb.csv", hostile.asb_rows("A", 2))
    before = every_table(con)
    for name in ("police.uk", "   ", "Police.UK"):
        with pytest.raises(InputRefused, match="source name"):
            load_file(con, extract, source_name=name)
        assert_same(every_table(con), before)
        check = check_file(con, extract, source_name=name)
        assert check.refusal is not None and "source name" in check.refusal.message and check.comparison is None
    assert [b["source"] for b in list_batches(con)] == []


def test_police_uk_files_and_force_extracts_never_share_a_source(con, tmp_path):
    load_file(con, hostile.asb_csv(tmp_path / "asb.csv", hostile.asb_rows("A", 2)))
    police = hostile.csv_file(tmp_path / "police.csv", hostile.POLICE_UK_HEADER,
                              hostile.police_uk_rows("2025-02", ["p1"]))
    before = every_table(con)
    with pytest.raises(InputRefused) as refused:
        load_file(con, police, source_name="force")
    assert refused.value.title == "Source holds another kind of file"
    assert "source 'force' holds force extracts (batch 1, asb.csv)" in refused.value.message
    assert_same(every_table(con), before)
    load_file(con, police, source_name="kent")
    extract = hostile.asb_csv(tmp_path / "more.csv", hostile.asb_rows("M", 1, day="03/02/2025"))
    with pytest.raises(InputRefused, match="holds police.uk files"):
        load_file(con, extract, source_name="kent")


def test_check_file_reports_loaded_references_and_clashing_months_before_load(con, tmp_path):
    from analytics.ingest.compare import clashing_months

    load_file(con, hostile.asb_csv(tmp_path / "jan.csv", hostile.asb_rows("A", 3)))
    feb = hostile.asb_csv(tmp_path / "feb.csv", [("A2", "03/02/2025", "Dover", "Noise"),
                                                 ("B1", "04/02/2025", "Dover", "Noise")])
    check = check_file(con, feb)
    assert [(p.row, p.value) for p in check.problems] == [(2, "A2")] and check.rows_rejected == 1
    assert "batch 1 (jan.csv, row 3)" in check.problems[0].reason
    assert [(c.month, c.incoming) for c in check.comparison.changes] == [("2025-02", 1)]
    # The same file checked as a correction of January (its months replaced) has no such problem.
    again = check_file(con, hostile.asb_csv(tmp_path / "jan-v2.csv", hostile.asb_rows("A", 4)))
    assert again.problems == [] and again.comparison.needs_replace
    east = check_file(con, hostile.asb_csv(tmp_path / "east.csv", hostile.asb_rows("E", 1, day="03/03/2025")))
    west = check_file(con, hostile.asb_csv(tmp_path / "west.csv", hostile.asb_rows("W", 1, day="04/03/2025")))
    assert clashing_months([check, east, west]) == [
        "east.csv and west.csv both hold ASB March 2025 for source 'force': one load cannot hold a month twice. "
        "Combine them into one file."]
