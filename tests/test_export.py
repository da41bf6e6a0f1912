"""The export layer: formula injection through data values and file names, numbers as numbers, signals as words,
self-describing file names and rows, and workbook cells that are literal strings."""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from analytics.report import export
from analytics.report import formatting as fmt

HOSTILE_FILE = '=HYPERLINK("http:x","click").csv'
HOSTILE = [HOSTILE_FILE, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "\uff1d1+1", " =1+1", '"=1+1',
           "'=1+1"]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM first, so Excel reads the characters right"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# ------------------------------------------------------------------------------------------------ safe_text


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_get_a_single_quote(value):
    assert export.safe_text(value) == "'" + value


@pytest.mark.parametrize("value", ["Thanet", "Tunbridge Wells", "police.uk", "", " ", "1663", "a=b", "x-1",
                                   "−174", "Rowdy/nuisance", "'quoted'"])
def test_plain_text_is_left_alone(value):
    # "−174" uses the report's true minus sign (U+2212), which no spreadsheet reads as a formula.
    assert export.safe_text(value) == value


def test_a_leading_quote_alone_is_not_guarded_but_a_quoted_formula_is():
    assert export.safe_text("'quoted'") == "'quoted'"
    assert export.safe_text("'=1+1") == "''=1+1"
    assert export.safe_text("  \"  @cmd") == "'  \"  @cmd"


# ------------------------------------------------------------------------------------------------ csv_bytes


def test_formula_injection_through_data_values_is_text_in_the_csv():
    frame = pd.DataFrame({"District": HOSTILE, "Recorded": range(len(HOSTILE))})
    rows = read_csv(export.csv_bytes(frame))
    assert rows[0] == ["District", "Recorded"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE]
    assert [r[1] for r in rows[1:]] == [str(i) for i in range(len(HOSTILE))]
    # no field of the file, once read back, starts with a formula character
    assert not any(field[:1] in export.FORMULA_STARTS for row in rows for field in row if field)


def test_formula_injection_through_a_file_name_in_the_load_history_export():
    history = pd.DataFrame([{"Batch": 7, "File": HOSTILE_FILE, "Source": "police.uk", "Rows read": 1663,
                             "Rolled back by": ""}])
    data = export.csv_bytes(history)
    rows = read_csv(data)
    assert rows[1] == ["7", "'" + HOSTILE_FILE, "police.uk", "1663", ""]
    # on disk the text cell is wrapped in quotes with its inner quotes doubled (RFC 4180)
    assert b'"\'=HYPERLINK(""http:x"",""click"").csv"' in data


def test_hostile_column_headings_are_guarded():
    rows = read_csv(export.csv_bytes(pd.DataFrame({"=cmd|' /C calc'!A0": [1]})))
    assert rows[0] == ["'=cmd|' /C calc'!A0"]


def test_a_separator_inside_a_value_cannot_start_a_new_cell():
    # Excel in a locale whose list separator is ';' splits unquoted fields on ';': every text field is quoted.
    data = export.csv_bytes(pd.DataFrame({"Call type": ["Noise;=1+1"]}))
    assert data.decode("utf-8-sig").splitlines()[1] == '"Noise;=1+1"'


def test_negative_changes_stay_numbers_and_counts_are_integers():
    frame = pd.DataFrame({
        "Month": ["Apr 2025", "May 2025"],
        "Recorded": pd.Series([1663, pd.NA], dtype="Int64"),
        "Change": pd.Series([-174, pd.NA], dtype="Int64"),
        "% change": [-9.5, float("nan")],
    })
    data = export.csv_bytes(frame)
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[1] == '"Apr 2025",1663,-174,-9.5'
    assert lines[2] == '"May 2025",,,'
    assert lines[3] == ""


def test_counts_made_float_by_a_gap_are_written_as_integers():
    # display_table(formatted=False) hands an Int64 column with <NA> over as float64 with NaN.
    comp = pd.DataFrame({"label": ["Apr 2025", "Total"], "count": pd.Series([1663, pd.NA], dtype="Int64"),
                         "last_year": pd.Series([1837, 1837], dtype="Int64"),
                         "pct_change": [-9.5, float("nan")], "change": pd.Series([-174, pd.NA], dtype="Int64"),
                         "signal": [True, False]})
    raw = fmt.comparison_table(comp, formatted=False)
    assert raw["Recorded"].dtype == "float64"
    rows = read_csv(export.csv_bytes(raw))
    assert rows[0] == ["Month", "Recorded", "Same month last year", "% change", "Change", "Signal"]
    assert rows[1] == ["Apr 2025", "1663", "1837", "-9.5", "-174", "signal"]
    assert rows[2] == ["Total", "", "1837", "", "", ""]
    assert b"1663.0" not in export.csv_bytes(raw)
    assert b"True" not in export.csv_bytes(raw) and b"False" not in export.csv_bytes(raw)


def test_signal_columns_can_be_named():
    frame = pd.DataFrame({"Beyond normal variation": [True, False], "Complete year": [True, False]})
    rows = read_csv(export.csv_bytes(frame, signal_columns=["Beyond normal variation"]))
    assert rows[1:] == [["signal", "Yes"], ["", "No"]]
    # an object column (as display_table hands over) with numpy booleans and a gap
    mixed = pd.DataFrame({"Signal": pd.Series([np.True_, np.False_, None], dtype=object)})
    assert read_csv(export.csv_bytes(mixed))[1:] == [["signal"], [""], [""]]
    with pytest.raises(ValueError, match="not in the table"):
        export.csv_bytes(frame, signal_columns=["Signal"])


def test_floats_are_written_as_given():
    rows = read_csv(export.csv_bytes(pd.DataFrame({"Solved rate": [12.3, 0.1, 100.0, -0.5]})))
    assert [r[0] for r in rows[1:]] == ["12.3", "0.1", "100", "-0.5"]


def test_new_string_dtype_and_missing_text():
    frame = pd.DataFrame({"Name": pd.Series(["@x", None], dtype="str")})
    data = export.csv_bytes(frame)
    assert read_csv(data)[1:] == [["'@x"], [""]]
    assert len(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")) == 2, "the blank row is not lost"


# ------------------------------------------------------------------------------------------------ names and rows


def test_file_names_say_measure_area_source_and_period():
    assert (export.csv_file_name("asb-by-month", "Thanet", "police.uk", "2024-04", "2025-03")
            == "asb-by-month_thanet_police-uk_2024-04-to-2025-03.csv")
    assert export.csv_file_name("asb", None, "force", "2025-04", "2025-04") == "asb_kent_force_2025-04.csv"
    assert (export.csv_file_name("Crime types", "All Kent", "Force extract (v2)", "2025-01", "2025-03", ext=".xlsx")
            == "crime-types_kent_force-extract-v2_2025-01-to-2025-03.xlsx")
    assert (export.csv_file_name("districts", "Tunbridge Wells", "police.uk", "2024-04", "2025-03")
            == "districts_tunbridge-wells_police-uk_2024-04-to-2025-03.csv")


def test_a_hostile_area_or_source_cannot_shape_the_file_name():
    name = export.csv_file_name("asb", '=HYPERLINK("http:x")', "../../etc", "2025-01", "2025-02")
    assert name == "asb_hyperlink-http-x_etc_2025-01-to-2025-02.csv"


@pytest.mark.parametrize(("start", "end", "message"), [
    ("2025-4", "2025-05", "YYYY-MM"), ("2025-13", "2025-12", "YYYY-MM"), ("2025-05", "2025-04", "starts after"),
])
def test_bad_periods_in_file_names_are_refused(start, end, message):
    with pytest.raises(ValueError, match=message):
        export.csv_file_name("asb", "Thanet", "police.uk", start, end)


def test_a_measure_with_no_letters_is_refused():
    with pytest.raises(ValueError, match="measure"):
        export.csv_file_name("==", "Thanet", "police.uk", "2025-01", "2025-01")


def test_rows_carry_area_and_source_first():
    frame = pd.DataFrame({"Month": ["Apr 2025"], "Recorded": [1663]})
    out = export.with_context(frame, area="Thanet", source="police.uk")
    assert list(out.columns) == ["Area", "Source", "Month", "Recorded"]
    assert out.iloc[0].tolist() == ["Thanet", "police.uk", "Apr 2025", 1663]
    assert export.with_context(frame, area=None, source="force")["Area"].tolist() == ["All Kent"]
    assert list(frame.columns) == ["Month", "Recorded"], "the caller's frame is not changed"
    rows = read_csv(export.csv_bytes(export.with_context(frame, area="@Thanet", source="police.uk")))
    assert rows[1] == ["'@Thanet", "police.uk", "Apr 2025", "1663"]


def test_context_columns_are_not_added_twice():
    with pytest.raises(ValueError, match="Source"):
        export.with_context(pd.DataFrame({"Source": ["force"]}), area=None, source="force")


# ------------------------------------------------------------------------------------------------ workbooks


def saved(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_workbook_cells_are_literal_strings_and_numbers_stay_numeric():
    wb = Workbook()
    ws = wb.active
    values = [*HOSTILE, "Thanet", np.int64(-174), 1663, np.float64(12.3), None, pd.NA, float("nan"), np.True_]
    for r, v in enumerate(values, start=1):
        export.write_cell(ws, r, 1, v)
    data = saved(wb)

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets), "no formula"

    back = load_workbook(io.BytesIO(data)).active
    for r, v in enumerate(HOSTILE, start=1):
        cell = back.cell(row=r, column=1)
        # XML turns a bare carriage return into a line feed when the file is read; the text is otherwise exact
        assert (cell.data_type, cell.value) == ("s", v.replace("\r", "\n"))
        assert cell.quotePrefix, f"{v!r} keeps Excel's text prefix, so editing it cannot make a formula"
    first = back.cell(row=1, column=1)
    assert first.value == HOSTILE_FILE
    n = len(HOSTILE)
    thanet, change, count, rate, none, na, nan, flag = (back.cell(row=n + i, column=1) for i in range(1, 9))
    assert (thanet.value, thanet.data_type, thanet.quotePrefix) == ("Thanet", "s", False)
    assert (change.value, change.data_type) == (-174, "n")
    assert (count.value, count.data_type) == (1663, "n")
    assert (rate.value, rate.data_type) == (12.3, "n")
    assert none.value is None and na.value is None and nan.value is None
    assert (flag.value, flag.data_type) == (True, "b")


def test_control_characters_a_workbook_cannot_hold_are_replaced():
    wb = Workbook()
    export.write_cell(wb.active, 1, 1, "\x00=1\x07")
    back = load_workbook(io.BytesIO(saved(wb))).active["A1"]
    assert back.value == "\ufffd=1\ufffd" and back.data_type == "s"


def test_write_rows_returns_the_next_row():
    wb = Workbook()
    ws = wb.active
    assert export.write_rows(ws, [["District", "Change"], ["@Dover", -3]], first_row=2, first_col=2) == 4
    assert ws["B3"].value == "@Dover" and ws["B3"].quotePrefix and ws["C3"].value == -3


def test_a_merged_cell_is_refused_with_a_clear_message():
    wb = Workbook()
    ws = wb.active
    ws.merge_cells("A1:B1")
    with pytest.raises(ValueError, match="merged"):
        export.write_cell(ws, 1, 2, "x")
