"""The performance pack: the workbook and the PDF read back and checked against `summary --json`, fonts embedded
and every page headed and numbered, formula injection through data values, source names and file names, public
mode worked out by hand, and the command line's refusals.

The board seed (worked out by hand), source "force", January 2023 – January 2025, month index i = 0..24:
- ASB: Ashford 10 + i incidents a month ("Noise nuisance"), Medway 20 a month ("Fly-tipping").
- Crime: Ashford 30 burglaries a month (victim-based), 6 solved (outcome 1) except January 2025 with 9; Medway 5
  drugs offences a month (not victim-based).
For November 2024 – January 2025 against a year earlier: ASB 159 against 123 (+36, +29.3%); victim-based crime 90
against 90; solved 21 of 90 (23.3%) against 18 of 90 (20.0%), +3.3 pp; all crime 105 against 105.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from analytics import store
from analytics.cli import main
from analytics.domain.periods import make_period, shift_month
from analytics.figures import coverage
from analytics.ingest.load import list_batches, load_files
from analytics.report import audit, export, suppression
from analytics.report import formatting as fmt
from analytics.report.pack import files, public
from analytics.report.pack.content import build_pack, data_as_at, pack_file_name
from analytics.report.pack.model import Column, Suppressible, Table
from analytics.report.pack.pdf import cell_text
from analytics.views import asb as asb_view
from analytics.views import history as history_view
from analytics.views.common import Selection
from tests.browser import CHROMIUM
from tests.conftest import insert_batch

ROOT = Path(__file__).resolve().parent.parent
MONTHS = [shift_month("2023-01", i) for i in range(25)]
H = suppression.HIDDEN
HAS_CHROMIUM = Path(CHROMIUM).exists()


def seed_board(path: Path) -> None:
    con = store.connect(path)
    asb, crime = [], []
    for i, month in enumerate(MONTHS):
        asb += [{"month": month, "district": "Ashford", "call_type": "Noise nuisance"}] * (10 + i)
        asb += [{"month": month, "district": "Medway", "call_type": "Fly-tipping"}] * 20
        solved = 9 if month == "2025-01" else 6
        crime += [{"month": month, "district": "Ashford", "offence_group": "Burglary", "outcome": "1"}] * solved
        crime += [{"month": month, "district": "Ashford", "offence_group": "Burglary",
                   "outcome": "Investigation complete; no suspect identified"}] * (30 - solved)
        crime += [{"month": month, "district": "Medway", "offence_group": "Drugs"}] * 5
    insert_batch(con, "asb", asb, source="force")
    insert_batch(con, "crime", crime, source="force")
    con.close()


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """The board seed, its summary JSON and its pack written by the command line as xlsx and pdf."""
    folder = tmp_path_factory.mktemp("pack")
    db = folder / "board.duckdb"
    seed_board(db)
    args = ["--db", str(db), "--end", "2025-01", "--months", "3"]
    out = subprocess.run([sys.executable, "-m", "analytics", "summary", *args, "--json"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    summary = json.loads(out.stdout)
    xlsx, pdf = folder / "pack.xlsx", folder / "pack.pdf"
    assert main(["report", *args, "--out", str(xlsx)]) == 0
    assert main(["report", *args, "--out", str(pdf)]) == 0
    return {"db": db, "summary": summary, "xlsx": xlsx, "pdf": pdf}


# ------------------------------------------------------------------------------------------------ reading back


def sheet_table(ws, title: str) -> dict[str, list]:
    """The table titled `title` on a sheet: {first column's value: the row's other values}, as written."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    header = [h for h in rows[start + 1] if h is not None]
    found = {}
    for r in rows[start + 2:]:
        if r[0] is None:
            break
        found[r[0]] = list(r[1:len(header)])
    return found


def as_figure(cell):
    """A cell as the summary JSON writes it: 'n/a' -> None, '◆ signal' -> True, blank signal -> False."""
    if cell == fmt.NA:
        return None
    if cell == fmt.SIGNAL_MARK:
        return True
    return False if cell is None else cell


def figures(row: list) -> dict:
    # the pack's columns: Recorded, Same … last year, % change, Change, Signal
    count, last, pct, change, signal = (as_figure(v) for v in row[:5])
    return {"count": count, "last_year": last, "pct_change": pct, "change": change, "signal": signal or False}


def expected(cells: dict) -> dict:
    return {k: cells[k] for k in ("count", "last_year", "pct_change", "change", "signal")}


def test_every_summary_figure_is_in_the_workbook(board):
    s = board["summary"]
    wb = load_workbook(board["xlsx"])
    months = [fmt.month_short(m["month"]) for m in s["asb"]["months"]]
    assert months == ["Nov 2024", "Dec 2024", "Jan 2025"]
    for sheet, title, block in (("ASB", "ASB incidents by month", s["asb"]),
                                ("Victim-based crime", "Victim-based crime by month", s["victim_based_crime"]),
                                ("Victim-based crime", "All recorded crime by month", s["all_crime"])):
        table = sheet_table(wb[sheet], title)
        assert list(table) == [*months, "Total"]
        for label, cells in zip(months, block["months"], strict=True):
            assert figures(table[label]) == expected(cells), (title, label)
        assert figures(table["Total"]) == expected(block["total"]), title
    # worked out by hand: 159 against 123, +36, +29.3%
    assert figures(sheet_table(wb["ASB"], "ASB incidents by month")["Total"])[
        "count"] == 159 and s["asb"]["total"]["pct_change"] == 29.3
    for title, sheet, items in (("ASB incidents by call type", "ASB call types", s["asb"]["call_types"]),
                                ("ASB incidents by district", "ASB", s["asb"]["districts"])):
        table = sheet_table(wb[sheet], title)
        assert set(table) == {c["name"] for c in items} | {"Total"}
        for c in items:
            assert figures(table[c["name"]]) == expected(c), (title, c["name"])
    assert figures(sheet_table(wb["ASB call types"], "ASB incidents by call type")["Noise nuisance"])[
        "change"] == 36
    solved = s["victim_based_crime"]["solved"]
    rows = sheet_table(wb["Solved rate"], "Victim-based crime solved rate")
    assert rows["This period"][:4] == [solved["count"], solved["total"], solved["rate"], solved["pp_change"]]
    assert rows["Same period last year"][:3] == [solved["last_year_count"], solved["last_year_total"],
                                                 solved["last_year_rate"]]
    assert (solved["count"], solved["total"], solved["rate"], solved["pp_change"]) == (21, 90, 23.3, 3.3)
    assert as_figure(rows["This period"][4]) is solved["signal"]
    text = "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    for sentence in s["commentary"]:
        assert sentence in text
    assert "cohort basis" in text


def test_the_workbook_is_laid_out_like_a_board_paper(board):
    wb = load_workbook(board["xlsx"])
    assert wb.sheetnames[:3] == ["Cover", "Commentary", "ASB"]
    cover: dict = {}
    for label, text, *_ in wb["Cover"].iter_rows(values_only=True):
        cover.setdefault(label, text)
    assert cover["Period"] == "November 2024 – January 2025"
    assert cover["Area"] == "All Kent" and cover["Source"] == "force"
    con = store.connect(board["db"], read_only=True)
    try:
        loaded = coverage.last_loaded(con, source="force")
        as_at = data_as_at(con, "force")
    finally:
        con.close()
    assert cover["Data as at"] == f"{loaded.day} {loaded:%B %Y} (latest month loaded: January 2025)"
    assert as_at[1] == f"Data as at {loaded.day} {loaded:%B %Y}"
    assert "1 Charged or summonsed" in cover["Outcomes counted as solved"]
    assert "Burglary" in cover["Victim-based crime"] and "Drugs, possession of weapons" in cover[
        "Victim-based crime"]
    assert "|z| ≥ 3" in cover["Signal test"]
    ws = wb["ASB"]
    row = next(r for r in ws.iter_rows() if r[0].value == "Total")
    recorded, change = row[1], row[4]
    assert recorded.value == 159 and recorded.number_format == "#,##0"
    assert change.value == 36 and change.number_format.startswith('"▲ "+#,##0;"▼ "')
    assert row[3].value == 29.3 and row[3].number_format == '+0.0"%";"−"0.0"%";0.0"%"'
    assert ws.freeze_panes is not None and ws.freeze_panes.startswith("A")
    assert int(ws.page_setup.paperSize) == 9 and int(ws.page_setup.fitToWidth) == 1  # 9: A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows and ws.print_title_rows.startswith("$1:")
    assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
    assert "Data as at" in ws.oddFooter.left.text
    assert ws.column_dimensions["A"].width >= 20
    # no cell anywhere is a formula
    assert not [c.coordinate for s in wb for r in s.iter_rows() for c in r if c.data_type == "f"]
    if HAS_CHROMIUM:
        images = {name: len(wb[name]._images) for name in ("Commentary", "Solved rate", "Districts")}
        assert images == {"Commentary": 2, "Solved rate": 1, "Districts": 2}


def pdf_pages(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


def test_the_pdf_holds_the_same_figures(board):
    s = board["summary"]
    text = " ".join(pdf_pages(board["pdf"]))
    for block in (s["asb"], s["victim_based_crime"], s["all_crime"]):
        for m in [*block["months"], {**block["total"], "month": None}]:
            label = fmt.month_short(m["month"]) if m["month"] else "Total"
            change = f"{fmt.arrow(m['change'])} {fmt.fmt_change(m['change'])}".strip()
            line = f"{label} {fmt.fmt_int(m['count'])} {fmt.fmt_int(m['last_year'])} {fmt.fmt_pct(m['pct_change'])} "
            assert line + change in text, line
    assert "Total 159 123 +29.3% ▲ +36" in text
    for c in s["asb"]["call_types"] + s["asb"]["districts"]:
        assert f"{c['name']} {fmt.fmt_int(c['count'])} {fmt.fmt_int(c['last_year'])}" in text, c["name"]
    solved = s["victim_based_crime"]["solved"]
    assert (f"This period {solved['count']} {solved['total']} {fmt.fmt_rate(solved['rate'])} "
            f"{fmt.fmt_pp(solved['pp_change'])}") in text
    assert "This period 21 90 23.3% +3.3 pp" in text
    for sentence in s["commentary"]:
        assert re.sub(r"\s+", " ", sentence) in text


def test_the_pdf_embeds_its_fonts_and_heads_and_numbers_every_page(board):
    reader = PdfReader(board["pdf"])
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts[font["/BaseFont"]] = "/FontFile2" in font["/FontDescriptor"]
    assert fonts and all(fonts.values()), fonts
    assert any("DejaVuSans" in name for name in fonts)
    pages = pdf_pages(board["pdf"])
    con = store.connect(board["db"], read_only=True)
    try:
        as_at = data_as_at(con, "force")[1]
    finally:
        con.close()
    assert len(pages) >= 5
    for n, page in enumerate(pages, start=1):
        assert "November 2024 – January 2025" in page, n
        assert as_at in page, n
        assert f"Page {n} of {len(pages)}" in page, n
    # a table that runs onto the next page repeats its header there
    assert sum(p.count("Recorded Same") for p in pages) >= 6


def test_cells_are_written_as_on_screen():
    assert cell_text(-332, Column("change", "Change", "change")) == "▼ −332"
    assert cell_text(0, Column("change", "Change", "change")) == "0"
    assert cell_text(-16.8, Column("pct_change", "% change", "pct")) == "−16.8%"
    assert cell_text(None, Column("pct_change", "% change", "pct")) == "n/a"
    assert cell_text(H, Column("count", "Recorded", "count")) == "*"
    assert cell_text(True, Column("signal", "Signal", "signal")) == "◆ signal"
    assert cell_text(None, Column("signal", "Signal", "signal")) == ""


# ------------------------------------------------------------------------------------------------ formula injection

HOSTILE_FILE = '=HYPERLINK("http:x","click").csv'
HOSTILE_CALL = '=HYPERLINK("http://x","click")'
MARKUP_CALL = "@SUM(1+1)<b>bold</b>"
HOSTILE_SOURCE = "+1"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A force ASB extract named like a formula, with call types that are formulas, loaded as source '+1'."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / HOSTILE_FILE
    lines = ["incident_ref,reported_date,district,call_type"]
    n = 0
    for month in ("2024-01", "2025-01"):
        y, m = month.split("-")
        for call, count in ((HOSTILE_CALL, 12), (MARKUP_CALL, 8), ("Noise nuisance", 20)):
            for _ in range(count):
                n += 1
                call_text = '"' + call.replace('"', '""') + '"'
                lines.append(f"R{n},03/{m}/{y},Thanet,{call_text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = folder / "hostile.duckdb"
    con = store.connect(db)
    load_files(con, [path], source_name=HOSTILE_SOURCE, loaded_by="=cmd|' /C calc'!A0")
    yield con
    con.close()


def test_formulas_in_data_values_and_names_stay_text_in_the_pack(hostile):
    pack = build_pack(hostile, period=make_period("2025-01", "1m"), source=HOSTILE_SOURCE)
    calls = pack.table("asb-call-types")
    assert {r[0] for r in calls.rows} == {HOSTILE_CALL, MARKUP_CALL, "Noise nuisance", "Total"}
    wb = load_workbook(io.BytesIO(files.write(pack, "xlsx").data))
    hostile_cells = [c for ws in wb for r in ws.iter_rows() for c in r
                     if isinstance(c.value, str) and export.needs_guard(c.value)]
    assert {c.value for c in hostile_cells} >= {HOSTILE_CALL, MARKUP_CALL, HOSTILE_SOURCE}
    for c in hostile_cells:
        assert c.data_type == "s" and c.quotePrefix, c.coordinate
    assert not [c.coordinate for ws in wb for r in ws.iter_rows() for c in r if c.data_type == "f"]
    text = " ".join(pdf_pages(io.BytesIO(files.write(pack, "pdf").data)))
    assert HOSTILE_CALL in text and MARKUP_CALL in text  # markup in a name is printed, not obeyed
    assert pack_file_name(pack, "xlsx") == "performance-pack_kent_1_2025-01.xlsx"


def test_formulas_in_data_values_stay_text_in_the_page_csvs(hostile):
    view = asb_view.build(hostile, Selection(HOSTILE_SOURCE, "2025-01", "1m"))
    table = view.call_types.table
    assert table is not None
    rows = list(__import__("csv").reader(io.StringIO(export.csv_bytes(table.raw).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Area", "Source"]
    fields = [f for r in rows for f in r]
    assert "'" + HOSTILE_CALL in fields and "'" + MARKUP_CALL in fields and "'" + HOSTILE_SOURCE in fields
    assert not [f for f in fields if f[:1] in export.FORMULA_STARTS]
    assert table.file_name == "asb-call-types_kent_1_2025-01.csv"


def test_a_file_name_that_is_a_formula_stays_text_in_the_load_history_exports(hostile):
    for table in (history_view.build(hostile).table, audit.batch_history(list_batches(hostile))):
        data = export.csv_bytes(table)
        fields = [f for r in __import__("csv").reader(io.StringIO(data.decode("utf-8-sig"))) for f in r]
        assert "'" + HOSTILE_FILE in fields and "'=cmd|' /C calc'!A0" in fields and "'" + HOSTILE_SOURCE in fields
        assert not [f for f in fields if f[:1] in export.FORMULA_STARTS]
        assert b'"\'=HYPERLINK(""http:x"",""click"").csv"' in data


# ------------------------------------------------------------------------------------------------ public mode


def test_figures_shared_by_two_tables_are_hidden_in_both():
    # Worked out by hand. The rates-like table (no Total) hides Medway's 3 and, from its row (3 − 10 = −7), the
    # change. The breakdown (with a Total, 23 = 3 + 20) must also hide Ashford's 20 and then both changes. Linked
    # by district, the first table then hides Ashford's count and change too.
    spec = {"count_columns": ("count", "last_year"), "difference": ("count", "last_year", "change")}
    cols = (Column("name", "District", "text"), Column("count", "Recorded", "count"),
            Column("last_year", "Last year", "count"), Column("change", "Change", "change"))
    links = tuple((i, c, f"{name}:{c}") for i, name in enumerate(("Medway", "Ashford"))
                  for c in ("count", "last_year", "change"))
    rates = Table("rates", "Rates", cols, (("Medway", 3, 10, -7), ("Ashford", 20, 18, 2)),
                  suppressible=Suppressible(**spec, links=links))
    both = Table("breakdown", "Breakdown", cols, (("Medway", 3, 10, -7), ("Ashford", 20, 18, 2), ("Total", 23, 28, -5)),
                 total=True, suppressible=Suppressible(**spec, total_row=True, links=links))
    result = public.suppress_tables([rates, both], threshold=5)
    assert result["rates"].published.values.tolist() == [["Medway", H, 10, H], ["Ashford", H, 18, H]]
    assert result["breakdown"].published.values.tolist() == [["Medway", H, 10, H], ["Ashford", H, 18, H],
                                                             ["Total", 23, 28, -5]]
    for key, t in (("rates", rates), ("breakdown", both)):
        original = public._frame(t)
        assert suppression.recoverable_cells(original, result[key].published, count_columns=["count", "last_year"],
                                             difference=("count", "last_year", "change"), label_column="name",
                                             total_row="Total" if t.total else None) == []


def seed_small(path: Path) -> None:
    """Dover, January: ASB 4 against 12; burglaries 20 against 15, solved 2 against 6. Ashford ASB 30 against 25."""
    con = store.connect(path)
    insert_batch(con, "asb", [{"month": "2024-01", "district": "Dover"}] * 12
                 + [{"month": "2024-01", "district": "Ashford"}] * 25
                 + [{"month": "2025-01", "district": "Dover"}] * 4
                 + [{"month": "2025-01", "district": "Ashford"}] * 30, source="force")
    crime = []
    for month, total, solved in (("2024-01", 15, 6), ("2025-01", 20, 2)):
        crime += [{"month": month, "district": "Dover", "offence_group": "Burglary", "outcome": "1"}] * solved
        crime += [{"month": month, "district": "Dover", "offence_group": "Burglary",
                   "outcome": "Investigation complete; no suspect identified"}] * (total - solved)
    insert_batch(con, "crime", crime, source="force")
    con.close()


def test_public_pack_hides_small_counts_and_what_gives_them_away(tmp_path):
    # Worked out by hand for Dover in January 2025. ASB: 4 is hidden (primary); its row gives it back from
    # last year (12) and the change (−8), so the change is hidden too, in the month and the Total (the Total is
    # the month). The district breakdown and the rates table show the same figures and hide the same. The solved
    # count 2 is hidden, and so the rate and the change in points; last year's 6 of 15 (40.0%) stays.
    seed_small(tmp_path / "small.duckdb")
    con = store.connect(tmp_path / "small.duckdb")
    try:
        pack = build_pack(con, period=make_period("2025-01", "1m"), district="Dover", public=True)
        internal = build_pack(con, period=make_period("2025-01", "1m"), district="Dover")
    finally:
        con.close()
    assert pack.table("asb-by-month").rows == (("Jan 2025", H, 12, H, H, H), ("Total", H, 12, H, H, H))
    assert pack.table("asb-by-district").rows == (("Dover", H, 12, H, H, H), ("Total", H, 12, H, H, H))
    rates = {r[0]: r for r in pack.table("asb-district-rates").rows}
    assert rates["Dover"] == ("Dover", 118591, H, H, 12, H, H, H)
    assert rates["Ashford"][2:] == (30, round(30 * 1000 / 138283, 2), 25, 20.0, 5, False)
    assert pack.table("solved-rate").rows == (("This period", H, 20, H, H, H),
                                              ("Same period last year", 6, 15, 40.0, None, None))
    assert pack.table("vbc-by-month").rows == internal.table("vbc-by-month").rows  # nothing small: all shown
    assert pack.table("asb-by-month").note == suppression.public_note(5)
    # what would give the hidden figures away is left out: ASB's charts, years, commentary
    keys = {getattr(b, "key", None) for s in pack.sections for b in s.blocks}
    assert {"asb-trend", "solved-trend", "asb-district-bars", "asb-calendar-years"}.isdisjoint(keys)
    assert {"vbc-trend", "vbc-district-bars", "vbc-calendar-years"} <= keys
    assert pack.sections[0].blocks[0].paragraphs == (public.LEFT_OUT_TEXT,)
    assert pack.public and pack.public_note == suppression.public_note(5)
    # nothing hidden can be worked out from any published table
    for t in internal.tables():
        if t.suppressible is None or t.key not in {x.key for x in pack.tables()}:
            continue
        published = public._frame(pack.table(t.key))
        spec = t.suppressible
        found = suppression.recoverable_cells(
            public._frame(t), published, count_columns=list(spec.count_columns),
            total_row=t.rows[-1][0] if spec.total_row else None, label_column=t.columns[0].key,
            difference=spec.difference, pct_columns=dict(spec.pct_columns), rate_columns=dict(spec.rate_columns),
            derived_columns={k: list(v) for k, v in spec.derived_columns.items()},
            shown_columns=list(spec.shown_columns) + list(spec.whole_table))
        assert found == [], t.key
    # the threshold is configurable: with 3, Dover's 4 is shown
    con = store.connect(tmp_path / "small.duckdb")
    try:
        low = build_pack(con, period=make_period("2025-01", "1m"), district="Dover", public=True, threshold=3)
    finally:
        con.close()
    assert low.table("asb-by-month").rows[0][:4] == ("Jan 2025", 4, 12, -66.7)
    assert low.table("solved-rate").rows[0][1] == H


# ------------------------------------------------------------------------------------------------ command line


@pytest.mark.parametrize("extra, message", [
    (["--out", "pack.docx"], "must end in .xlsx or .pdf"),
    (["--out", "pack.pdf", "--district", "Atlantis"], "no district called 'Atlantis'"),
    (["--out", "pack.pdf", "--source", "nope"], "no source called 'nope'"),
    (["--out", "pack.pdf", "--threshold", "-1"], "--threshold -1"),
    (["--out", "missing/pack.pdf"], "does not exist"),
])
def test_the_report_command_refuses_bad_input(board, tmp_path, monkeypatch, capsys, extra, message):
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--db", str(board["db"]), "--end", "2025-01", *extra]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_the_report_command_writes_a_public_pdf(board, tmp_path, capsys):
    out = tmp_path / "public.pdf"
    assert main(["report", "--db", str(board["db"]), "--end", "2025-01", "--public", "--out", str(out)]) == 0
    assert "public performance pack" in capsys.readouterr().err
    pages = pdf_pages(out)
    assert "public" in pages[0] and suppression.public_note(5)[:40] in pages[0]
