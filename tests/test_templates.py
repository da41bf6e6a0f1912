"""Template workbooks for the force extracts: the loader's columns, an example row that loads, notes."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from analytics import store
from analytics.ingest import templates
from analytics.ingest.load import load_files
from analytics.ingest.readers import canonical_columns, read_file


@pytest.mark.parametrize("fmt", templates.FORMATS)
def test_workbook_has_every_canonical_column_in_order_and_notes(fmt):
    wb = load_workbook(io.BytesIO(templates.template_workbook(fmt)))
    assert wb.sheetnames == ["Data", "Notes"]
    rows = list(wb["Data"].iter_rows(values_only=True))
    assert list(rows[0]) == list(canonical_columns(fmt))
    assert len(rows) == 2 and all(v is not None for v in rows[1])
    notes = list(wb["Notes"].iter_rows(min_row=5, values_only=True))
    assert [(r[0], r[1]) for r in notes] == [
        (c, "required" if req else "optional") for c, req in canonical_columns(fmt).items()]
    assert all(r[3] for r in notes)  # every column is described


@pytest.mark.parametrize("fmt, suffix", [("asb", "xlsx"), ("asb", "csv"), ("crime", "xlsx"), ("crime", "csv")])
def test_template_reads_as_its_format_with_no_problems(tmp_path, fmt, suffix):
    data = templates.template_workbook(fmt) if suffix == "xlsx" else templates.template_csv(fmt)
    path = tmp_path / templates.file_name(fmt, suffix)
    path.write_bytes(data)
    scratch = store.connect(":memory:")
    staged = read_file(scratch, path)
    assert (staged.format, staged.rows_read, staged.rows_rejected, staged.problems) == (fmt, 1, 0, [])
    assert staged.warnings == []  # every column is used, every value is known
    table = staged.asb_table if fmt == "asb" else staged.crime_table
    row = scratch.execute(f"SELECT * FROM {table}").fetchone()
    if fmt == "asb":
        # source_row 2 (under the header), day-first date, district and flags as stored
        assert row == (2, "ASB/25/000123", datetime(2025, 1, 3, 14, 25), date(2025, 1, 1), "Ashford",
                       "Noise nuisance", "High Street, Ashford", "E01023987", 51.146, 0.875, "C-000456", False, True)
    else:
        assert row[:8] == (2, "46/000789/25", datetime(2025, 1, 4, 9, 10), date(2025, 1, 1), "Canterbury",
                           "Burglary", True, "1")
        assert row[8] == "1" and row[9] == datetime(2025, 2, 20)  # outcome 1 (charged) recognised


def test_filled_templates_load_and_count(con, tmp_path):
    paths = []
    for fmt in templates.FORMATS:
        path = tmp_path / templates.file_name(fmt)
        path.write_bytes(templates.template_workbook(fmt))
        paths.append(path)
    results = load_files(con, paths, source_name="force", loaded_by="test")
    assert [(r.kind, r.rows_loaded) for r in results] == [("asb", 1), ("crime", 1)]
    assert con.execute("SELECT category FROM asb").fetchall() == [("Nuisance",)]
    assert con.execute("SELECT vbc, solved FROM crime").fetchall() == [(True, True)]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="no template for format 'police-uk'"):
        templates.template_workbook("police-uk")
