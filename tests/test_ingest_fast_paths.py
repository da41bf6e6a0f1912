"""The reader's fast paths give exactly what the general rules give.

- Row numbers come from the stage table's rowid (file order) rather than a numbering window: checked on a file of
  several row groups, loaded inside the loader's transaction (where rowids start at a large offset).
- Dates written exactly in a common form skip the pattern rules: every such value, and near misses, must parse
  the same as the general rule.
- Workbooks are read column-wise with fastexcel: a sheet whose cells start at C3 keeps spreadsheet row numbers
  and column letters.
- Empty lines between rows are found from a count of line breaks; a file whose only extra line breaks are inside
  quotes or at the end stays on the fast path with exact row numbers.
- The caller key of an ASCII reference without white space is taken with upper(): it must equal the rule's key
  (analytics.domain.callers) for every reference, including the ones that take the general path.
- A force extract's value that is ASCII and neither starts nor ends with a space skips trim(): every value must
  come out as trim() gives it, whatever white space it starts or ends with.
- A worksheet's used range is measured on the part's bytes as arrays: it must count the cell tags exactly as the
  regular expression it stands for does.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analytics import store
from analytics.domain.callers import CALLER_KEY_SQL, caller_key
from analytics.errors import InputRefused
from analytics.ingest import synthetic, validate, xlsx
from analytics.ingest.load import CALLER_KEY_FAST_SQL, load_file
from analytics.ingest.readers import read_file

ROWS = 300_000  # three row groups of 122,880 rows


@pytest.fixture
def mem():
    c = duckdb.connect(":memory:")
    yield c
    c.close()


def test_row_numbers_exact_on_a_large_file_loaded_in_a_transaction(tmp_path: Path) -> None:
    path = synthetic.write_police_uk_csv(tmp_path / "big.csv", ROWS, months=("2023-01", "2023-03"))
    con = store.connect(tmp_path / "db.duckdb")
    result = load_file(con, path, loaded_by="test")
    assert result.rows_read == result.rows_loaded == ROWS
    crimes = dict(con.execute("SELECT source_row, crime_ref FROM crimes").fetchall())
    asb = dict(con.execute("SELECT source_row, location FROM asb_incidents").fetchall())
    con.close()
    assert len(crimes) + len(asb) == ROWS
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for row_number, row in enumerate(reader, start=2):
            if row[9] == "Anti-social behaviour":
                assert asb[row_number] == (row[6] or None), row_number
            else:
                assert crimes[row_number] == row[0], row_number


DATES = [
    "2023-01-03 14:35:00", "2023-01-03", "03/01/2023 14:35", "03/01/2023", "2024-02-29 23:59:59", "2023-02-29",
    "2023-02-29 10:00:00", "31/02/2024", "31/02/2024 10:00", "2023-13-01", "2023-1-3", "3/1/2023", "03/01/23",
    "03-01-2023", "2023-01-03T14:35:00", "2023-01-03 14:35", "2023-01-03 14:35:00.250", "03/01/2023 14:35:07",
    "44927", "44927.5", "3 Jan 2023", "1899-12-31", "2101-01-01 00:00:00", "0999-01-01", " 2023-01-03", "24:00",
    "2023-01-03 24:00:00", "00/01/2023", "2023-01-03 14:35:00 ", "",
]  # fmt: skip


CALLER_REFS = ["C0001234", "c0001234", "ABC-12/x", "c 000 123", "a\tb", "a\nb", "a\x0bb", "a\x0cb", "a\rb",
               "x\u00a0y", "\u00e9t\u00e9", "stra\u00dfe", "\u0131", "A\u2003b", "", " ", "\t", None]


def test_fast_caller_key_is_the_rule_s_key(mem) -> None:
    got = mem.execute(
        f"SELECT caller_ref, {CALLER_KEY_SQL}, {CALLER_KEY_FAST_SQL} FROM unnest(?::VARCHAR[]) t(caller_ref)",
        [CALLER_REFS],
    ).fetchall()
    for ref, rule, fast in got:
        assert fast == rule == caller_key(ref), ref
    keys = {ref: fast for ref, _, fast in got}
    assert keys["c 000 123"] == "C000123" and keys["c0001234"] == "C0001234" and keys["x\u00a0y"] == "XY"
    assert keys["\u00e9t\u00e9"] == "\u00e9T\u00e9"  # only ASCII letters change case
    assert keys[" "] is None and keys[None] is None


SPACES = [" ", "\t", "\n", "\r", "\u00a0", "\u1680", *map(chr, range(0x2000, 0x200C)), "\u202f", "\u205f",
          "\u3000", "\ufeff", "\u0085"]


def test_fast_trim_is_trim(mem) -> None:
    values = ["", "a", "Ashford", "é", "x y", *(f"{sp}{v}{end}" for sp in ["", *SPACES] for end in ["", *SPACES]
                                            for v in ("", "Ashford", "é"))]
    got = mem.execute(
        f"SELECT s, {validate._txt('s')}, nullif(trim(s), '') FROM unnest(?::VARCHAR[]) t(s)", [values]
    ).fetchall()
    assert len(got) == len(values)
    for value, fast, rule in got:
        assert fast == rule, repr(value)
    by_value = {value: fast for value, fast, _ in got}
    assert by_value[" Ashford "] == "Ashford" and by_value["\u00a0Ashford\u3000"] == "Ashford"
    assert by_value["\tAshford"] == "\tAshford" and by_value[" "] is None and by_value[""] is None


def test_used_range_from_arrays_counts_tags_as_the_pattern_does() -> None:
    blocks = [b'<c r="A1"', b'<c r="AB12" t="s"><v>1</v></c><c r="C12">', b'<c r="ABCDE1"', b'<c r="A123456789"',
              b'<c r="A12345678"', b'<c r="a1"', b'<c r="1"', b'<c r="A"', b'<c r="XFD1048576"', b'<c r="A1',
              b'<c r="Q7" <c r="AA10"<cols>', b"<c><c r=\"B2\">", b"", b'<x:c r="A1"', b":c", b'<c r="A1">:']
    for data in blocks:
        refs = xlsx._CELL_REF.findall(data)
        expected = (len(refs), max((xlsx._column_number(c) for c, _ in refs), default=0),
                    max((int(r) for _, r in refs), default=0),
                    xlsx._column_number(refs[-1][0]) if refs else 0, int(refs[-1][1]) if refs else 0,
                    data.count(b"<c"), b":c" in data)
        assert xlsx._common_refs(data) == expected, data
    assert xlsx._common_refs(b'<c r="XFD1048576"/>') == (1, 16384, 1048576, 16384, 1048576, 1, False)


def test_fast_date_forms_parse_exactly_as_the_general_rule(mem) -> None:
    mem.execute(validate._MACROS)
    got = mem.execute(
        "SELECT s, _uk_ts(s), _uk_ts_any(s) FROM unnest(?::VARCHAR[]) t(s)", [DATES]
    ).fetchall()
    for s, fast, general in got:
        assert fast == general, s
    by_text = {s: fast for s, fast, _ in got}
    assert by_text["03/01/2023 14:35"] == dt.datetime(2023, 1, 3, 14, 35)  # day first
    assert by_text["31/02/2024"] is None and by_text["2023-02-29 10:00:00"] is None


def test_workbook_starting_at_c3_keeps_row_numbers_and_column_letters(mem, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ASB"
    for col, name in zip("CDEF", ["Incident Number", "Date Reported", "District", "Call Type"], strict=True):
        ws[f"{col}3"] = name
    ws["C4"], ws["D4"], ws["E4"], ws["F4"] = "X1", dt.datetime(2023, 1, 3, 14, 35), "Ashford", "Noise"
    ws["C5"], ws["D5"], ws["E5"], ws["F5"] = "X2", dt.datetime(2023, 1, 31), "Medway", "Noise"
    ws["B5"] = "stray"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    # the stray value sits in column B under no header: refused, naming the column as the spreadsheet letters it
    with pytest.raises(InputRefused, match=r"of sheet 'ASB' holds values but has no header: column B \(1 row"):
        read_file(mem, path)
    ws["B5"] = None
    wb.save(path)
    s = read_file(mem, path)
    got = mem.execute(f"SELECT source_row, incident_ref, reported_date FROM {s.asb_table} ORDER BY 1").fetchall()
    assert got == [(4, "X1", dt.datetime(2023, 1, 3, 14, 35)), (5, "X2", dt.datetime(2023, 1, 31))]


def test_quoted_line_breaks_and_trailing_empty_lines_keep_exact_row_numbers(mem, tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(
        "incident_ref,reported_date,district,call_type,location\n"
        'Q1,03/01/2023,Ashford,Noise,"Flat 1\nHigh Street"\n'
        "Q2,04/01/2023,Medway,Noise,Main Road\n"
        "\n\n",
        encoding="utf-8",
    )
    s = read_file(mem, path)
    got = mem.execute(f"SELECT source_row, incident_ref, location FROM {s.asb_table} ORDER BY 1").fetchall()
    assert got == [(2, "Q1", "Flat 1\nHigh Street"), (3, "Q2", "Main Road")]
    assert s.problems == []


def test_workbook_times_and_midnight_dates_read_as_excel_shows_them(mem, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Incident Number", "Date Reported", "District", "Call Type", "Location"])
    ws.append(["T1", dt.datetime(2023, 1, 31), "Ashford", "Noise", dt.datetime(2023, 2, 1)])
    ws.append(["T2", dt.time(10, 0), "Ashford", "Noise", "x"])
    path = tmp_path / "times.xlsx"
    wb.save(path)
    s = read_file(mem, path)
    assert [(p.row, p.column, p.value) for p in s.problems] == [(3, "Date Reported", "10:00:00")]
    got = mem.execute(f"SELECT source_row, reported_date, location FROM {s.asb_table}").fetchall()
    assert got == [(2, dt.datetime(2023, 1, 31), "2023-02-01")]
