"""Every awkward file in tests/files/ through the loader into a database that already holds data: each one is
either loaded with every row accounted for, or refused with a message, and then every table is exactly as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import store
from analytics.errors import InputRefused
from analytics.ingest.load import RowsRefused, load_file
from tests.large_compare import assert_same
from tests.test_load import police_uk_csv, snapshot

FILES = sorted(p for p in (Path(__file__).parent / "files").iterdir() if p.is_file() and p.name != "make_files.py")
# Files refused whole (even with --accept-valid-rows), and a word their message must contain.
REFUSED = {
    "corrupt.xlsx": "workbook", "empty.csv": "empty", "header_only.csv": "no data rows", "junk.xlsx": "workbook",
    "missing_required.csv": "column", "password.xlsx": "password", "unknown_format.csv": "format",
    "zip_bomb.xlsx": "unpack", "caller_refs_as_district.csv": "district", "two_forces.csv": "forces",
    "serial_dates.xlsx": "no header",
}
# Files with some invalid rows: refused by default, their valid rows loaded with accept_valid_rows.
INVALID_ROWS = {
    "bad_flags.csv", "duplicate_refs.csv", "extra_columns.csv", "impossible_dates.csv", "interior_blank_lines.csv",
    "police_uk_bad.csv", "quoted_newlines.csv", "several_sheets.xlsx", "title_dates.xlsx", "unknown_district.csv",
    "future_dates.csv",
}


@pytest.fixture
def con(tmp_path):
    connection = store.connect(":memory:")
    load_file(connection, police_uk_csv(tmp_path / "before.csv", "2019-06", 2, 3), loaded_by="seed")
    yield connection
    connection.close()


def test_every_file_is_named():
    assert len(FILES) >= 25
    assert set(REFUSED) | INVALID_ROWS <= {p.name for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_loaded_whole_or_refused_leaving_every_table_unchanged(con, path):
    before = snapshot(con)
    try:
        result = load_file(con, path, source_name="awkward")
    except RowsRefused as refused:
        assert path.name in INVALID_ROWS, f"{path.name} was refused: {refused.message}"
        assert refused.title == "File refused: invalid rows" and refused.problems
        assert_same(snapshot(con), before)
        result = load_file(con, path, source_name="awkward", accept_valid_rows=True)
        assert result.rows_rejected == len({p.row for p in refused.problems}) > 0
        kept = con.execute("SELECT count(DISTINCT source_row) FROM rejected_rows WHERE batch_id = ?",
                           [result.batch_id]).fetchone()[0]
        assert kept == result.rows_rejected
    except InputRefused as refused:
        assert path.name in REFUSED, f"{path.name} was refused: {refused.message}"
        assert REFUSED[path.name] in (refused.title + " " + refused.message).lower()
        assert_same(snapshot(con), before)
        return
    else:
        assert path.name not in set(REFUSED) | INVALID_ROWS, f"{path.name} should have been refused"
    assert result.status == "loaded" and result.rows_read > 0
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    stored = sum(con.execute(f"SELECT count(*) FROM {t} WHERE batch_id = ?", [result.batch_id]).fetchone()[0]
                 for t in ("asb_incidents", "crimes"))
    assert stored == result.rows_loaded


def test_ten_megabyte_cell_refused_through_the_loader(con, tmp_path):
    # DuckDB's reader fails on this file inside the load's transaction: the refusal must still name the problem.
    path = tmp_path / "big-cell.csv"
    path.write_text("Incident Number,Date Reported,District,Call Type\nA1,03/01/2023,Ashford,Noise nuisance\n"
                    "A2,03/01/2023,Ashford," + "x" * (10 * 1024 * 1024) + "\n", encoding="utf-8")
    before = snapshot(con)
    with pytest.raises(InputRefused) as refused:
        load_file(con, path)
    assert refused.value.title == "Value too long" and "row 3" in refused.value.message
    assert_same(snapshot(con), before)
