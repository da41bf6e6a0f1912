"""Every bad or awkward file in tests/files/: either the exact rows staged or a refusal that names the problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analytics.errors import ColumnsMissing, InputRefused, UnknownFormat
from analytics.ingest.readers import Staged, read_file

FILES = Path(__file__).parent / "files"
D = dt.datetime


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    yield c
    c.close()


def rows(con, table: str | None, cols: str) -> list[tuple]:
    assert table is not None
    return con.execute(f"SELECT {cols} FROM {table} ORDER BY source_row").fetchall()


def asb(con, staged: Staged) -> list[tuple]:
    return rows(con, staged.asb_table, "source_row, incident_ref, reported_date, district, call_type")


def problems(staged: Staged) -> list[tuple]:
    return [(p.row, p.column, p.value) for p in staged.problems]


def refused(con, name: str, **kwargs) -> InputRefused:
    with pytest.raises(InputRefused) as info:
        read_file(con, FILES / name, **kwargs)
    return info.value


# --- refusals ---------------------------------------------------------------------------------------------------


def test_empty_file_refused(con):
    e = refused(con, "empty.csv")
    assert e.title == "Empty file" and "empty" in e.message


def test_header_only_refused(con):
    e = refused(con, "header_only.csv")
    assert "no data rows" in e.message


def test_missing_required_column_named_with_columns_found(con):
    e = refused(con, "missing_required.csv")
    assert e.title == "Required column missing" and isinstance(e, ColumnsMissing)
    assert "call_type" in e.message and '"incident_ref", "reported_date", "district", "location"' in e.message


def test_unknown_format_lists_columns(con):
    e = refused(con, "unknown_format.csv")
    assert e.title == "Unknown format" and '"name", "colour", "size"' in e.message and isinstance(e, UnknownFormat)


def test_binary_junk_named_xlsx_refused(con):
    e = refused(con, "junk.xlsx")
    assert e.title == "Not an Excel workbook" and "not one" in e.message


def test_corrupt_workbook_refused(con):
    e = refused(con, "corrupt.xlsx")
    assert e.title == "Corrupt workbook" and "damaged" in e.message


def test_password_protected_workbook_refused(con):
    e = refused(con, "password.xlsx")
    assert "password" in e.message.lower() and "remove the password" in e.message


def test_zip_bomb_refused_unread(con):
    e = refused(con, "zip_bomb.xlsx")
    assert "zip bomb" in e.message and "60 MB" in e.message


def test_zip_bomb_over_uncompressed_limit(con, monkeypatch):
    monkeypatch.setenv("ASB_MAX_XLSX_UNCOMPRESSED_MB", "50")
    e = refused(con, "zip_bomb.xlsx")
    assert e.title == "Workbook too large" and "50 MB limit" in e.message


def test_file_over_upload_limit_refused_before_reading(con, monkeypatch, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    monkeypatch.setenv("ASB_MAX_UPLOAD_MB", "1")
    e = refused(con, str(big))
    assert e.title == "File too large" and "1 MB limit" in e.message


def test_ten_megabyte_cell_refused_with_row(con, tmp_path):
    path = tmp_path / "huge_cell.csv"
    with open(path, "w") as f:
        f.write("incident_ref,reported_date,district,call_type,location\n")
        f.write("H1,03/01/2023,Ashford,Neighbour dispute,ok\n")
        f.write('H2,03/01/2023,Ashford,Neighbour dispute,"' + "x" * (10 * 1024 * 1024) + '"\n')
    e = refused(con, str(path))
    assert e.title == "Value too long" and "longer than 4 MB" in e.message and "row 3" in e.message


def test_ten_megabyte_cell_on_the_exact_path_refused_with_row(con, tmp_path):
    path = tmp_path / "huge_cell_blank_lines.csv"
    with open(path, "w") as f:
        f.write("incident_ref,reported_date,district,call_type,location\n\n")
        f.write('H2,03/01/2023,Ashford,Neighbour dispute,"' + "x" * (10 * 1024 * 1024) + '"\n')
    e = refused(con, str(path))
    assert e.title == "Value too long" and "row 3" in e.message


def test_missing_sheet_refused_listing_sheets(con):
    e = refused(con, "several_sheets.xlsx", sheet="Data")
    assert e.title == "Sheet not found" and "'Notes', 'Crimes', 'Lookup'" in e.message


# --- rows staged ------------------------------------------------------------------------------------------------


def test_impossible_dates_are_invalid_never_month_first(con):
    s = read_file(con, FILES / "impossible_dates.csv")
    assert problems(s) == [(3, "reported_date", "31/02/2023"), (4, "reported_date", "01/13/2023"),
                           (5, "reported_date", None)]  # fmt: skip
    assert "day-first" in s.problems[0].reason and "blank" in s.problems[2].reason
    assert [r[:3] for r in asb(con, s)] == [(2, "A1", D(2023, 1, 3)), (6, "A5", D(2023, 1, 12))]
    assert (s.rows_read, s.rows_rejected) == (5, 3)


def test_duplicate_references_both_invalid(con):
    s = read_file(con, FILES / "duplicate_refs.csv")
    assert problems(s) == [(3, "incident_ref", "D2"), (6, "incident_ref", "D2")]
    assert "appears 2 times in the file, rows 3 and 6" in s.problems[0].reason
    assert [r[1] for r in asb(con, s)] == ["D1", "D3", "D4"]


def test_title_rows_shift_row_numbers(con):
    s = read_file(con, FILES / "title_rows.csv")
    assert asb(con, s) == [(4, "T1", D(2023, 1, 3), "Ashford", "Neighbour dispute"),
                           (5, "T2", D(2023, 1, 15), "Canterbury", "Noise nuisance")]  # fmt: skip


def test_latin1_text_read_without_mojibake(con):
    s = read_file(con, FILES / "latin1.csv")
    assert rows(con, s.asb_table, "location") == [("Café Rouge",)]
    assert any("Latin-1" in w for w in s.warnings)


def test_semicolons(con):
    s = read_file(con, FILES / "semicolon.csv")
    assert rows(con, s.asb_table, "incident_ref, location, vulnerable") == [("S1", "1, High Street", True),
                                                                             ("S2", None, False)]  # fmt: skip


def test_tabs(con):
    s = read_file(con, FILES / "tabs.csv")
    assert rows(con, s.asb_table, "incident_ref, location") == [("TB1", "Main Road, Ashford")]


def test_bom_does_not_spoil_first_column(con):
    s = read_file(con, FILES / "bom.csv")
    assert s.header[0] == "incident_ref" and asb(con, s)[0][:2] == (2, "B1")


def test_crlf(con):
    s = read_file(con, FILES / "crlf.csv")
    assert asb(con, s) == [(2, "C1", D(2023, 1, 3), "Ashford", "Neighbour dispute"),
                           (3, "C2", D(2023, 1, 4), "Dover", "Littering")]  # fmt: skip


def test_trailing_blank_rows_are_not_data(con):
    s = read_file(con, FILES / "trailing_blank_rows.csv")
    assert (s.rows_read, s.rows_rejected, len(asb(con, s))) == (2, 0, 2)


def test_empty_line_between_rows_keeps_row_numbers(con):
    s = read_file(con, FILES / "interior_blank_lines.csv")
    assert [r[:2] for r in asb(con, s)] == [(2, "IB1"), (4, "IB2")]
    assert problems(s) == [(5, "reported_date", "99/01/2023")]
    assert s.rows_read == 3


def test_row_with_extra_fields_invalid_short_row_padded(con):
    s = read_file(con, FILES / "extra_columns.csv")
    assert (3, None, "Y") in problems(s)
    assert "more fields than the header" in next(p.reason for p in s.problems if p.column is None)
    # "E3" has blank trailing fields only (harmless); "E4" has fewer fields, so its call type is blank.
    assert (5, "call_type", None) in problems(s)
    assert rows(con, s.asb_table, "incident_ref, location, vulnerable") == [("E1", "High Street", True),
                                                                             ("E3", None, None)]  # fmt: skip


def test_serial_and_other_date_forms(con):
    s = read_file(con, FILES / "serial_dates.csv")
    assert s.problems == []
    dates = [r[0] for r in rows(con, s.asb_table, "reported_date")]
    assert dates == [D(2023, 1, 3), D(2023, 1, 3, 14, 30)] + [D(2023, 1, 3)] * 5


def test_dates_with_times_and_month_boundaries(con):
    s = read_file(con, FILES / "date_times.csv")
    got = rows(con, s.asb_table, "reported_date, month")
    assert got == [(D(2023, 1, 3, 14, 35), dt.date(2023, 1, 1)), (D(2023, 1, 3, 14, 35, 10), dt.date(2023, 1, 1)),
                   (D(2023, 1, 3, 14, 35), dt.date(2023, 1, 1)), (D(2023, 1, 31, 23, 59, 59), dt.date(2023, 1, 1)),
                   (D(2023, 2, 1), dt.date(2023, 2, 1))]  # fmt: skip
    assert s.months == {"asb": ["2023-01", "2023-02"]}


def test_header_synonyms_and_ignored_columns(con):
    s = read_file(con, FILES / "synonyms.csv")
    assert s.mapping == {"Incident Number": "incident_ref", "Date/Time Reported": "reported_date", "CSU": "district",
                         "Opening Code": "call_type", "Address": "location", "Caller ID": "caller_ref",
                         "Repeat Caller": "repeat_caller"}  # fmt: skip
    assert any("'Officer'" in w and "ignored" in w for w in s.warnings)
    assert "1 column is not used and is ignored: 'Officer'." in s.warnings  # one column, singular
    got = rows(con, s.asb_table, "incident_ref, district, call_type, caller_ref, repeat_caller")
    assert got == [("SY1", "Medway", "Rowdy or inconsiderate behaviour", "CR-9", True),
                   ("SY2", "Tunbridge Wells", "Motor vehicle nuisance on road", "CR-10", False)]  # fmt: skip


def test_quoted_newlines_count_as_one_row(con):
    s = read_file(con, FILES / "quoted_newlines.csv")
    assert rows(con, s.asb_table, "source_row, location") == [(2, "Flat 2\n1 High Street"),
                                                               (3, 'Car park, "north" end')]  # fmt: skip
    assert problems(s) == [(4, "reported_date", "45/01/2023")]


def test_unknown_district_loaded_as_given_with_warning_blank_invalid(con):
    s = read_file(con, FILES / "unknown_district.csv")
    assert [r[3] for r in asb(con, s)] == ["Ashford", "Atlantis", "Atlantis"]
    assert problems(s) == [(5, "district", None)]
    assert any('"Atlantis" (2 rows)' in w for w in s.warnings)


def test_shepway_and_ampersand_districts(con):
    s = read_file(con, FILES / "shepway.csv")
    assert [r[3] for r in asb(con, s)] == ["Folkestone and Hythe", "Folkestone and Hythe", "Tunbridge Wells"]
    assert s.warnings == []


def test_flags(con):
    s = read_file(con, FILES / "bad_flags.csv")
    assert rows(con, s.asb_table, "incident_ref, vulnerable") == [("F1", True), ("F2", False), ("F4", None)]
    assert problems(s) == [(4, "vulnerable", "maybe")]


def test_crime_extract_outcomes_and_groups(con):
    s = read_file(con, FILES / "crime_extract.csv")
    assert s.format == "crime" and s.kind == "crime" and s.asb_table is None
    got = rows(con, s.crime_table, "crime_ref, offence_group, victim_based, outcome, outcome_code")
    assert got == [("CR1", "Violence against the person", None, "1", "1"), ("CR2", "Drugs", None, "Outcome 8", "8"),
                   ("CR3", "Shoplifting", None, "Local resolution", "8"),
                   ("CR4", "Time travel", True, "Mystery outcome", None),
                   ("CR5", "Robbery", None, None, None)]  # fmt: skip
    assert any('"Time travel"' in w for w in s.warnings) and any('"Mystery outcome"' in w for w in s.warnings)


def test_police_uk_excerpt(con):
    s = read_file(con, FILES / "police_uk_excerpt.csv")
    assert s.format == "police-uk" and s.kind == "asb+crime" and s.problems == []
    assert rows(con, s.asb_table, "source_row, incident_ref, month, district, call_type, location") == [
        (2, None, dt.date(2025, 1, 1), "Ashford", None, "On or near Cobbs Hill")
    ]
    got = rows(con, s.crime_table, "source_row, crime_ref, district, offence_group, outcome_code, location, latitude")
    assert got == [
        (3, "aaa1", "Outside force area", "Burglary", "Under investigation", "On or near Mill Road", 51.44),
        (4, "aaa2", "Unknown", "Vehicle crime", "18", "No Location", None),
        (5, "aaa3", "Folkestone and Hythe", "Shoplifting", "3", None, 51.08),
        (6, "aaa3", "Folkestone and Hythe", "Shoplifting", "3", "On or near Sandgate Road", 51.09),
    ]
    # read before Load is pressed: the words say kept, not loaded
    assert any("appear more than once" in w and "every row is kept" in w for w in s.warnings)
    assert not any("loaded" in w for w in s.warnings)


def test_police_uk_bad_rows(con):
    s = read_file(con, FILES / "police_uk_bad.csv")
    assert problems(s) == [(2, "Month", "2025-1"), (3, "Crime ID", None), (4, "Longitude", "east"),
                           (4, "Latitude", "951.25"), (5, "Crime type", None), (6, None, "extra")]  # fmt: skip
    assert (s.rows_read, s.rows_rejected) == (6, 5)
    assert rows(con, s.crime_table, "source_row, crime_ref") == [(7, "bbb4")]


def test_gzipped_csv(con):
    s = read_file(con, FILES / "asb.csv.gz")
    assert [r[:2] for r in asb(con, s)] == [(2, "G1"), (3, "G2")]
    assert s.months == {"asb": ["2023-01", "2023-02"]}


def test_xlsx_title_row_real_dates_serials_text_and_trailing_blank_rows(con):
    s = read_file(con, FILES / "title_dates.xlsx")
    assert (s.sheet, s.sheets) == ("ASB", ["ASB"])
    assert rows(con, s.asb_table, "source_row, reported_date, vulnerable") == [
        (4, D(2023, 1, 3, 14, 35), True), (5, D(2023, 1, 31), False), (6, D(2023, 1, 3), None),
        (7, D(2023, 1, 4), None),
    ]  # fmt: skip
    assert problems(s) == [(8, "Date Reported", "31/02/2023")]
    assert s.rows_read == 5


def test_xlsx_several_sheets_picks_the_data_sheet(con):
    s = read_file(con, FILES / "several_sheets.xlsx")
    assert s.sheet == "Crimes" and s.sheets == ["Notes", "Crimes", "Lookup"] and s.format == "crime"
    assert problems(s) == [(2, "Crime Number", "MC1"), (4, "Crime Number", "MC1")]
    assert rows(con, s.crime_table, "source_row, crime_ref, offence_group, outcome_date") == [
        (3, "MC2", "Public order", None)
    ]


def test_xlsx_merged_group_labels_over_header(con):
    s = read_file(con, FILES / "merged_header.xlsx")
    assert s.header == ["Incident Number", "Incident Date", "District", "Location", "ASB Type"]
    assert rows(con, s.asb_table, "source_row, incident_ref, reported_date, location") == [
        (3, "M1", D(2023, 1, 3), "Margate seafront"), (4, "M2", D(2023, 1, 4), None)
    ]  # fmt: skip


def test_xlsx_formulas_give_cached_values(con):
    s = read_file(con, FILES / "formulas.xlsx")
    assert rows(con, s.asb_table, "incident_ref, reported_date, district, call_type, latitude") == [
        ("FX1", D(2023, 1, 3), "Ashford", "Neighbour dispute", 51.25),
        ("FX2", D(2023, 1, 4), "Dover", "Littering", None),
    ]  # fmt: skip


def test_xlsx_serial_numbers_and_stray_cell_beyond_header(con, tmp_path):
    # a value under a blank header is a problem to resolve, never silently dropped
    with pytest.raises(InputRefused) as refused:
        read_file(con, FILES / "serial_dates.xlsx")
    assert refused.value.title == "Values under a blank header"
    assert "column E (1 row, e.g. 'stray note')" in refused.value.message
    assert "of sheet 'Sheet'" in refused.value.message and "Give the column a header" in refused.value.message
    # resolved by deleting the stray cell: the serial dates read as before
    book = openpyxl.load_workbook(FILES / "serial_dates.xlsx")
    book.active["E5"] = None
    fixed = tmp_path / "serial_dates.xlsx"
    book.save(fixed)
    s = read_file(con, fixed)
    assert rows(con, s.asb_table, "incident_ref, reported_date") == [
        ("XS1", D(2023, 1, 3)), ("XS2", D(2023, 1, 3, 18)), ("XS3", D(2023, 1, 4)), ("XS4", D(2023, 1, 3))
    ]  # fmt: skip
    assert s.problems == []
    assert not any("no header" in w for w in s.warnings)


def test_csv_values_under_a_blank_header_are_refused(con, tmp_path):
    path = tmp_path / "blank_header.csv"
    path.write_text("incident_ref,reported_date,district,call_type,\n"
                    "B1,03/01/2023,Ashford,Noise,\nB2,04/01/2023,Dover,Graffiti,see note\n"
                    "B3,05/01/2023,Dover,Graffiti,second note\n", encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        read_file(con, path)
    assert refused.value.title == "Values under a blank header"
    assert "a column holds values but has no header: column E (2 rows, e.g. 'second note')" in refused.value.message
    # a blank header over blank values is no problem
    path.write_text("incident_ref,reported_date,district,call_type,\nB1,03/01/2023,Ashford,Noise,\n",
                    encoding="utf-8")
    assert read_file(con, path).rows_read == 1
