"""Readers on the real police.uk Kent files, and the read_file contract (formats, mappings, temp tables)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from analytics.errors import InputRefused
from analytics.ingest.readers import canonical_columns, read_file
from tests.kent import KENT

KENT_FILES = sorted(KENT.glob("*.csv"))
FILES = Path(__file__).parent / "files"


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    yield c
    c.close()


def direct_counts(path: Path) -> tuple[int, Counter]:
    """Data rows and (kind, month) counts straight from the csv module."""
    counts: Counter = Counter()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        counts["asb" if r["Crime type"] == "Anti-social behaviour" else "crime", r["Month"]] += 1
    return len(rows), counts


def test_kent_files_are_all_there():
    assert len(KENT_FILES) == 16


@pytest.mark.parametrize("path", KENT_FILES, ids=lambda p: p.name)
def test_kent_file_rows_and_monthly_counts_match_a_direct_count(con, path):
    staged = read_file(con, path)
    data_rows, counts = direct_counts(path)
    assert staged.format == "police-uk" and staged.kind == "asb+crime"
    assert staged.rows_read == data_rows and staged.rows_rejected == 0 and staged.problems == []
    got: Counter = Counter()
    for kind, table in (("asb", staged.asb_table), ("crime", staged.crime_table)):
        for month, n in con.execute(f"SELECT strftime(month, '%Y-%m'), count(*) FROM {table} GROUP BY 1").fetchall():
            got[kind, month] = n
    assert got == counts
    # Row numbers are exact and unique: header is row 1, data rows 2..N+1.
    lo, hi, distinct = con.execute(
        f"SELECT min(source_row), max(source_row), count(DISTINCT source_row) FROM "
        f"(SELECT source_row FROM {staged.asb_table} UNION ALL SELECT source_row FROM {staged.crime_table})"
    ).fetchone()
    assert (lo, hi, distinct) == (2, data_rows + 1, data_rows)


@pytest.mark.parametrize(
    "name, asb, crime", [("2024-01", 1663, 12803), ("2025-01", 1560, 12641), ("2025-04", 2614, 12377)]
)
def test_kent_known_month_counts(con, name, asb, crime):
    staged = read_file(con, KENT / f"{name}-kent-street.csv")
    assert con.execute(f"SELECT count(*) FROM {staged.asb_table}").fetchone()[0] == asb
    assert con.execute(f"SELECT count(*) FROM {staged.crime_table}").fetchone()[0] == crime
    assert staged.months == {"asb": [name], "crime": [name]}


def test_kent_row_values_match_the_file(con):
    path = KENT / "2025-01-kent-street.csv"
    staged = read_file(con, path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    first = rows[0]
    got = con.execute(
        f"SELECT crime_ref, district, offence_group, outcome, location, lsoa_code, latitude, longitude "
        f"FROM {staged.crime_table} WHERE source_row = 2"
    ).fetchone()
    want = (first["Crime ID"], "Ashford", first["Crime type"], first["Last outcome category"], first["Location"],
            first["LSOA code"], float(first["Latitude"]), float(first["Longitude"]))  # fmt: skip
    assert got == want


def test_kent_duplicate_crime_ids_load_with_a_warning(con):
    dup_files = 0
    for path in KENT_FILES:
        staged = read_file(con, path)
        with open(path, encoding="utf-8-sig", newline="") as f:
            ids = Counter(r["Crime ID"] for r in csv.DictReader(f) if r["Crime ID"])
        dups = sum(1 for n in ids.values() if n > 1)
        warned = [w for w in staged.warnings if "appear more than once" in w]
        assert bool(warned) == (dups > 0)
        if dups:
            dup_files += 1
            assert warned[0].startswith(f"{dups} Crime IDs")
    assert dup_files >= 1


def test_kent_districts_every_row_has_one(con):
    staged = read_file(con, KENT / "2025-01-kent-street.csv")
    names = {r[0] for r in con.execute(f"SELECT DISTINCT district FROM {staged.crime_table}").fetchall()}
    assert "Folkestone and Hythe" in names and "Medway" in names
    assert con.execute(f"SELECT count(*) FROM {staged.crime_table} WHERE district IS NULL").fetchone()[0] == 0


def test_exact_path_matches_fast_path(con, tmp_path):
    """A trailing-space empty line forces the exact (Python csv) path; every staged row must be the same."""
    src = KENT / "2024-01-kent-street.csv"
    fast = read_file(con, src)
    fast_rows = con.execute(f"SELECT * FROM {fast.crime_table} ORDER BY source_row").fetchall()
    lines = src.read_bytes().split(b"\n")
    copy = tmp_path / "with_blank_line.csv"
    copy.write_bytes(b"\n".join([*lines[:3], b"", *lines[3:]]))
    exact = read_file(con, copy)
    exact_rows = con.execute(f"SELECT * FROM {exact.crime_table} ORDER BY source_row").fetchall()
    assert len(exact_rows) == len(fast_rows)
    # Rows after the inserted empty line are one row further down the file.
    assert exact_rows[0] == fast_rows[0] and exact_rows[2] == (fast_rows[2][0] + 1, *fast_rows[2][1:])


def test_temp_tables_replaced_on_the_next_read(con):
    read_file(con, KENT / "2025-01-kent-street.csv")
    second = read_file(con, FILES / "police_uk_excerpt.csv")
    assert con.execute(f"SELECT count(*) FROM {second.crime_table}").fetchone()[0] == 4
    temp = con.execute("SELECT count(*) FROM duckdb_tables() WHERE NOT temporary").fetchone()[0]
    assert temp == 0


def test_asb_table_columns_exactly_as_agreed(con):
    s = read_file(con, FILES / "synonyms.csv")
    cols = con.execute(f"DESCRIBE {s.asb_table}").fetchall()
    assert [(c[0], c[1]) for c in cols] == [
        ("source_row", "INTEGER"), ("incident_ref", "VARCHAR"), ("reported_date", "TIMESTAMP"), ("month", "DATE"),
        ("district", "VARCHAR"), ("call_type", "VARCHAR"), ("location", "VARCHAR"), ("lsoa_code", "VARCHAR"),
        ("latitude", "DOUBLE"), ("longitude", "DOUBLE"), ("caller_ref", "VARCHAR"), ("vulnerable", "BOOLEAN"),
        ("repeat_caller", "BOOLEAN"),
    ]  # fmt: skip


def test_crime_table_columns_exactly_as_agreed(con):
    s = read_file(con, FILES / "crime_extract.csv")
    cols = con.execute(f"DESCRIBE {s.crime_table}").fetchall()
    assert [c[0] for c in cols] == ["source_row", "crime_ref", "recorded_date", "month", "district", "offence_group",
                                    "victim_based", "outcome", "outcome_code", "outcome_date", "location",
                                    "lsoa_code", "latitude", "longitude"]  # fmt: skip


def test_canonical_columns():
    asb = canonical_columns("asb")
    assert [c for c, req in asb.items() if req] == ["incident_ref", "reported_date", "call_type", "district"]
    crime = canonical_columns("crime")
    assert {c for c, req in crime.items() if req} == {"crime_ref", "recorded_date", "district", "offence_group"}
    assert crime["outcome"] is False


def test_explicit_mapping_overrides_suggestions(con, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Ref,When,Patch,What,Note\nO1,03/01/2023,Dover,Littering,x\n")
    e = pytest.raises(InputRefused, read_file, con, path, source_format="asb").value
    assert "reported_date" in e.message and "district" in e.message and '"When"' in e.message
    s = read_file(con, path, source_format="asb",
                  mapping={"When": "reported_date", "Patch": "district", "What": "call_type", "Note": ""})  # fmt: skip
    assert s.mapping == {"Ref": "incident_ref", "When": "reported_date", "Patch": "district", "What": "call_type"}
    assert s.suggestions == {"Ref": "incident_ref"}
    assert con.execute(f"SELECT incident_ref, district FROM {s.asb_table}").fetchall() == [("O1", "Dover")]


def test_mapping_to_an_unknown_column_refused(con):
    e = pytest.raises(InputRefused, read_file, con, FILES / "synonyms.csv", mapping={"Officer": "officer"}).value
    assert e.title == "Unknown column in mapping" and "'officer'" in e.message


def test_forced_format_that_does_not_fit_is_refused(con):
    e = pytest.raises(InputRefused, read_file, con, FILES / "synonyms.csv", source_format="crime").value
    assert e.title == "Required column missing" and "crime_ref" in e.message


def test_police_uk_forced_on_a_force_file_refused(con):
    e = pytest.raises(InputRefused, read_file, con, FILES / "synonyms.csv", source_format="police-uk").value
    assert "Crime ID" in e.message


def test_sheet_argument_on_a_csv_refused(con):
    e = pytest.raises(InputRefused, read_file, con, FILES / "bom.csv", sheet="Sheet1").value
    assert e.title == "Not a workbook"


def test_named_sheet_read(con):
    s = read_file(con, FILES / "several_sheets.xlsx", sheet="Crimes")
    assert s.sheet == "Crimes" and s.rows_read == 3


def test_progress_reported_a_few_times(con):
    calls: list[tuple[float, str]] = []
    read_file(con, KENT / "2025-01-kent-street.csv", progress=lambda f, m: calls.append((f, m)))
    assert 3 <= len(calls) <= 10
    assert calls[0][0] == 0.0 and calls[-1][0] == 1.0
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)
    assert "14201 rows read" in calls[-1][1]


def test_xlsx_matches_csv_for_the_same_rows(con, tmp_path):
    """A Kent month written to XLSX stages the same rows as the CSV (openpyxl only writes the test file)."""
    from openpyxl import Workbook

    src = KENT / "2025-02-kent-street.csv"
    with open(src, encoding="utf-8-sig", newline="") as f:
        records = list(csv.reader(f))[:2001]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("street")
    for r in records:
        ws.append(r)
    xlsx = tmp_path / "kent.xlsx"
    wb.save(xlsx)
    a = read_file(con, xlsx)
    from_xlsx = con.execute(f"SELECT * FROM {a.crime_table} ORDER BY source_row").fetchall()
    part = tmp_path / "kent.csv"
    with open(part, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(records)
    b = read_file(con, part)
    from_csv = con.execute(f"SELECT * FROM {b.crime_table} ORDER BY source_row").fetchall()
    assert a.rows_read == b.rows_read == 2000 and from_xlsx == from_csv
