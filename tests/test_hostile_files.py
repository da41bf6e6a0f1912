"""Hostile files the reader must refuse (or read) without harm: absurd workbook ranges, gzip bombs and corrupt
gzips (no temporary copy left behind), the exact CSV path's memory, and values too long for a message."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import duckdb
import pytest

from analytics import store
from analytics.errors import InputRefused
from analytics.ingest import rawcsv, synthetic
from analytics.ingest.load import RowsRefused, load_file
from analytics.ingest.readers import read_file
from tests import hostile

ROOT = Path(__file__).resolve().parent.parent

# Reads a file in a child process, so a reader that tries to allocate a 512 GB grid kills the child, not pytest.
READ_IN_CHILD = """
import json, sys
import duckdb
from analytics.errors import InputRefused
from analytics.ingest.readers import read_file
try:
    staged = read_file(duckdb.connect(), sys.argv[1])
except InputRefused as e:
    print(json.dumps({"title": e.title, "message": e.message}))
    sys.exit(2)
print(json.dumps({"rows": staged.rows_read}))
"""


def read_in_child(path: Path) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-c", READ_IN_CHILD, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in (0, 2), f"the reader died (exit {done.returncode}): {done.stderr[-2000:]}"
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    yield c
    c.close()


# --- #3: a workbook's used range is checked before calamine reads it --------------------------------------------

ONE_ROW = hostile.asb_cells([("A1", "03/01/2025", "Ashford", "Noise nuisance")])


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", "A1:D2", None], ids=["honest", "lying", "absent"])
def test_one_cell_at_xfd1048576_is_refused_not_allocated(tmp_path, dimension):
    path = hostile.workbook(tmp_path / "huge-range.xlsx", {"Data": [*ONE_ROW, ("XFD1048576", "x")]},
                            dimensions={"Data": dimension})
    assert path.stat().st_size < 5 * 1024
    code, out = read_in_child(path)
    assert code == 2 and out["title"] == "Sheet too large"
    assert "'Data'" in out["message"] and "A1:XFD1048576" in out["message"]
    assert "1,048,576 rows" in out["message"] and "16,384 columns" in out["message"]


def test_dimension_claiming_a_huge_range_is_refused(tmp_path):
    path = hostile.workbook(tmp_path / "claims.xlsx", {"Data": ONE_ROW}, dimensions={"Data": "A1:ZZ1048576"})
    code, out = read_in_child(path)
    assert code == 2 and out["title"] == "Sheet too large" and "A1:ZZ1048576" in out["message"]


def test_cells_without_references_count_towards_the_range(tmp_path):
    # 600 cells in row 1 with no reference: they fill A1 to WB1, beyond the width limit.
    cells = [*ONE_ROW, ("A3", "x"), *[(None, "y")] * 599]
    path = hostile.workbook(tmp_path / "unreferenced.xlsx", {"Data": cells})
    code, out = read_in_child(path)
    assert code == 2 and "A1:WB3" in out["message"] and "600 columns" in out["message"]


def test_too_many_cells_refused_and_a_sane_sheet_beside_it_still_read(tmp_path):
    # 100 columns x 600,000 rows is 60 million cells, over the 50 million budget (width alone is fine).
    big = hostile.workbook(tmp_path / "tall.xlsx", {"Data": [*ONE_ROW, ("CV600000", "x")]})
    code, out = read_in_child(big)
    assert code == 2 and "A1:CV600000" in out["message"] and "60,000,000 cells" in out["message"]
    # A stray sheet of a sane workbook is read as before: only the sheets the reader would load are checked.
    fine = hostile.workbook(tmp_path / "fine.xlsx", {"Data": ONE_ROW, "Notes": [("A1", "n"), ("J40", "x")]})
    assert read_in_child(fine) == (0, {"rows": 1})


def test_named_sheet_only_is_checked(tmp_path, con):
    path = hostile.workbook(tmp_path / "two.xlsx", {"Data": ONE_ROW, "Junk": [("XFD1048576", "x")]})
    assert read_file(con, path, sheet="Data").rows_read == 1
    code, out = read_in_child(path)
    assert code == 2 and "'Junk'" in out["message"]


# --- #4: no temporary copy of a .csv.gz is left behind --------------------------------------------------------


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def test_gzip_bomb_over_the_cap_leaves_no_temporary_file(con, tmp_path, private_tmp, monkeypatch):
    monkeypatch.setenv("ASB_MAX_XLSX_UNCOMPRESSED_MB", "2")
    bomb = hostile.gzip_bomb(tmp_path / "bomb.csv.gz", 3)
    assert bomb.stat().st_size < 100 * 1024
    with pytest.raises(InputRefused) as refused:
        read_file(con, bomb)
    assert refused.value.title == "Compressed file too large" and "2 MB" in refused.value.message
    assert list(private_tmp.iterdir()) == []


def test_corrupt_gzip_leaves_no_temporary_file(con, tmp_path, private_tmp):
    good = hostile.gzip_bomb(tmp_path / "whole.csv.gz", 1).read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputRefused) as refused:
        read_file(con, cut)
    assert refused.value.title == "Corrupt compressed file"
    assert list(private_tmp.iterdir()) == []


def test_good_gzip_and_a_refused_load_of_it_leave_no_temporary_file(tmp_path, private_tmp):
    db = store.connect(":memory:")
    path = tmp_path / "asb.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("incident_ref,reported_date,district,call_type\nG1,03/01/2025,Ashford,Noise\n"
                "G2,31/02/2025,Ashford,Noise\n")
    with pytest.raises(RowsRefused):
        load_file(db, path)
    assert list(private_tmp.iterdir()) == []
    assert load_file(db, path, accept_valid_rows=True).rows_loaded == 1
    assert list(private_tmp.iterdir()) == []


# --- #5: the exact CSV path streams into DuckDB in batches ------------------------------------------------------


def exact_read_peak(con, path: Path) -> tuple[int, int]:
    """Python heap peak (bytes) of the exact reading of ``path``, and the rows it staged."""
    raw = rawcsv.open_csv(con, path, formats=("police-uk",), display_name=path.name)
    assert raw.exact is not None
    tracemalloc.start()
    try:
        exact = raw.exact()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, con.execute(f"SELECT count(*) FROM {exact.relation}").fetchone()[0]


def test_exact_path_memory_does_not_grow_with_the_file(con, tmp_path):
    peaks = {}
    for rows in (60_000, 180_000):
        path = synthetic.write_police_uk_csv(tmp_path / f"p{rows}.csv", rows, months=("2023-01", "2023-02"))
        lines = path.read_bytes().split(b"\n", 2)
        path.write_bytes(lines[0] + b"\n" + lines[1] + b"\n\n" + lines[2])
        peak, staged = exact_read_peak(con, path)
        assert staged == rows
        peaks[rows] = peak
    # Three times the rows: before, the whole file's fields were held in Python lists (three times the memory).
    assert peaks[180_000] < 1.3 * peaks[60_000], peaks


def test_exact_path_row_numbers_and_problems_across_batches(con, tmp_path):
    rows = [(f"A{i}", "03/01/2025", "Ashford", "Noise nuisance") for i in range(1, 120_001)]
    rows[60_000] = ("A60001", "31/02/2025", "Ashford", "Noise nuisance")  # file row 60,003 (an empty line above)
    rows[110_000] = ("A110001", "03/01/2025", "Ashford", "Noise nuisance", "extra")  # file row 110,003
    path = hostile.asb_csv(tmp_path / "exact.csv", rows)
    lines = path.read_bytes().split(b"\n", 2)
    path.write_bytes(lines[0] + b"\n" + lines[1] + b"\n\n" + lines[2])
    s = read_file(con, path)
    assert [(p.row, p.column, p.value) for p in s.problems] == [(60_003, "reported_date", "31/02/2025"),
                                                                 (110_003, None, "extra")]
    assert (s.rows_read, s.rows_rejected) == (120_000, 2)
    got = con.execute(f"SELECT min(source_row), max(source_row), count(*), count(DISTINCT source_row) "
                      f"FROM {s.asb_table}").fetchone()
    assert got == (2, 120_002, 119_998, 119_998)
    assert con.execute(f"SELECT incident_ref FROM {s.asb_table} WHERE source_row = 4").fetchone() == ("A2",)


# --- #15: values in messages and warnings are cut to 80 characters ---------------------------------------------


def test_megabyte_values_are_cut_in_warnings_and_messages(tmp_path):
    db = store.connect(":memory:")
    huge = "Z" * 1_000_000
    rows = hostile.asb_rows("M", 99)
    rows.append(("M100", "03/01/2025", huge, "Y" * 1_000_000))
    result = load_file(db, hostile.asb_csv(tmp_path / "huge.csv", rows))
    assert result.rows_loaded == 100
    [(stored,)] = db.execute("SELECT warnings FROM batches").fetchall()
    assert len(stored) == 2 and all(len(w) < 600 for w in stored), [len(w) for w in stored]
    assert all(f'"{"Z" * 79}…"' in w or f'"{"Y" * 79}…"' in w for w in stored)

    bad = hostile.asb_csv(tmp_path / "bad.csv", [("B1", huge, "Ashford", "Noise")])
    with pytest.raises(RowsRefused) as refused:
        load_file(db, bad)
    assert len(refused.value.message) < 1000 and f"'{'Z' * 79}…'" in refused.value.message


def test_other_workbook_formats_are_measured_in_a_child_with_a_memory_limit(tmp_path):
    from analytics.ingest import xlsx

    sane = hostile.workbook(tmp_path / "sane.xlsx", {"Data": ONE_ROW, "Notes": [("C3", "n"), ("F7", "x")]})
    assert xlsx._probe(sane, ["Data", "Notes"]) == {"Data": xlsx.UsedRange(2, 4), "Notes": xlsx.UsedRange(7, 6)}
    huge = hostile.workbook(tmp_path / "huge.xlsx", {"Data": [*ONE_ROW, ("XFD1048576", "x")]})
    with pytest.raises(InputRefused) as refused:
        xlsx._probe(huge, ["Data"])
    assert refused.value.title == "Sheet too large" and "4 GB" in refused.value.message
