"""The Upload, Load history and Admin pages through AppTest, on a real database file, asserting its state after.

The database starts with the real police.uk Kent file for January 2025 (1,560 ASB incidents, 12,641 crimes), so
the first start does not load the demo and the figures can be worked out by hand.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import publish, store
from analytics.domain.access import current_user
from analytics.ingest.load import load_files
from tests.conftest import APP, plain
from tests.kent import FEB_2025, JAN_2025
from tests.large_compare import assert_same

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("batches", "asb_incidents", "crimes", "rejected_rows", "column_mappings")

ASB_HEADER = "Incident Number,Date Reported,District,Call Type,Caller Ref"
ODD_HEADER = "Ref No,Logged,Area,Kind,Who"  # names no synonym knows: the analyst maps them


def _asb_rows(month: int, n: int, *, start: int = 1) -> list[str]:
    """n valid force ASB rows in March..(month) 2025: references, UK dates, districts, call types, caller refs."""
    districts = ("Ashford", "Medway", "Dover")
    calls = ("Noise nuisance", "Neighbour dispute", "Fly-tipping")
    return [f"ASB-{month:02d}-{i:04d},{(i % 27) + 1:02d}/{month:02d}/2025 10:15,{districts[i % 3]},{calls[i % 3]},"
            f"CALLER-{i:05d}" for i in range(start, start + n)]


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "upload.duckdb"
    con = store.connect(path)
    load_files(con, [JAN_2025], loaded_by="seed")
    con.close()
    monkeypatch.setenv("ASB_DB", str(path))
    return path


def _snapshot(path: Path) -> dict[str, list]:
    con = store.connect(path)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = store.connect(path)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page(tmp_path: Path, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    _ok(at.run())
    at.switch_page(str(ROOT / "ui" / "pages" / f"{page}.py"))
    return _ok(at.run())


def _upload(at: AppTest, *files: Path | tuple[str, bytes]) -> AppTest:
    values = [(f.name, f.read_bytes(), "text/csv") if isinstance(f, Path) else (f[0], f[1], "text/csv")
              for f in files]
    at.file_uploader[0].set_value(values)
    return _ok(at.run())


def _text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success", "subheader")
             for e in getattr(at, kind)]
    return plain("\n".join(str(p) for p in parts))


def _load_button(at: AppTest):
    return at.button(key="up_load")


def test_police_uk_file_uploads_loads_and_is_recorded(db, tmp_path):
    at = _page(tmp_path, "upload")
    assert at.title[0].value == "Upload extracts"
    assert "Local mode: no sign-in; you are working as" in _text(at)
    at = _upload(at, FEB_2025)
    text = _text(at)
    assert "Detected: **police.uk street-level file** · source **police.uk**" in text
    assert "**13,305 rows read**: 13,305 ready to load, 0 with problems." in text
    assert "- ASB: February 2025 is new: 1,645 ASB incidents would be added." in text
    assert "- Crime: February 2025 is new: 11,660 crimes would be added." in text
    assert not _load_button(at).disabled
    # nothing is stored by checking
    assert _query(db, "SELECT count(*) FROM batches") == [(1,)]

    _ok(_load_button(at).click().run())
    assert [plain(s.value) for s in at.success] == [
        "2025-02-kent-street.csv: loaded as batch 2 (source police.uk, February 2025): 13,305 rows read, "
        "13,305 loaded, 0 rejected."]
    assert _query(db, "SELECT id, file_name, loaded_by, rows_loaded, status FROM batches WHERE id = 2") == [
        (2, "2025-02-kent-street.csv", current_user(), 13305, "loaded")]
    assert _query(db, "SELECT count(*) FROM asb WHERE month = DATE '2025-02-01'") == [(1645,)]
    assert not at.file_uploader[0].value  # a fresh uploader for the next files


def test_corrected_month_shows_the_change_and_needs_replace(db, tmp_path):
    lines = JAN_2025.read_text(encoding="utf-8").splitlines()
    extra = [ln for ln in lines if ",Anti-social behaviour," in ln][:11]
    corrected = tmp_path / "2025-01-kent-street-v2.csv"
    corrected.write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
    at = _upload(_page(tmp_path, "upload"), corrected)
    text = _text(at)
    assert "- ASB: January 2025 would change from 1,560 to 1,571 ASB incidents (+11)." in text
    assert "- Crime: January 2025 would be replaced with the same number of crimes (12,641)." in text
    assert _load_button(at).disabled  # until the analyst agrees to replace January
    replace = at.checkbox(key="up_replace")
    assert "Replace the months already loaded (ASB January 2025; crime January 2025)" in replace.label
    _ok(replace.check().run())
    _ok(_load_button(at).click().run())
    assert "Replaced the same months from batch 1." in plain(at.success[0].value)
    assert _query(db, "SELECT count(*) FROM asb") == [(1571,)]
    assert _query(db, "SELECT id, status FROM batches ORDER BY id") == [(1, "replaced"), (2, "loaded")]


def test_rows_with_problems_report_download_and_refusal_leave_the_database_unchanged(db, tmp_path):
    rows = _asb_rows(3, 8)
    rows[2] = "ASB-03-BAD1,31/02/2025 10:15,Ashford,Noise nuisance,CALLER-90001"  # no 31 February
    rows[5] = "ASB-03-BAD2,05/03/2025 10:15,,Noise nuisance,CALLER-90002"  # no district
    bad = _write(tmp_path / "asb-2025-03.csv", ASB_HEADER, rows)
    before = _snapshot(db)
    at = _upload(_page(tmp_path, "upload"), bad)
    text = _text(at)
    assert "Detected: **Force ASB incident extract** · source **force**" in text
    assert "**8 rows read**: 6 ready to load, 2 with problems." in text
    report = at.dataframe[0].value
    assert list(report.columns) == ["row", "column", "value", "reason"]
    assert report["row"].tolist() == [4, 7]  # file rows: the header is row 1
    assert report["column"].tolist() == ["Date Reported", "District"]
    assert report["value"].iloc[0] == "31/02/2025 10:15"
    download = [b for b in at.get("download_button") if "validation report" in b.label]
    assert download, [b.label for b in at.get("download_button")]
    assert _load_button(at).disabled
    assert_same(_snapshot(db), before)  # checking wrote nothing

    # loading the valid rows only keeps the bad ones as rejects
    _ok(at.checkbox(key="up_accept").check().run())
    _ok(_load_button(at).click().run())
    assert "6 loaded, 2 rejected" in plain(at.success[0].value)
    assert _query(db, "SELECT source_row, column_name FROM rejected_rows ORDER BY source_row") == [
        (4, "Date Reported"), (7, "District")]
    assert _query(db, "SELECT count(*) FROM asb WHERE source = 'force'") == [(6,)]


def test_validation_report_csv_has_row_column_value_reason(db, tmp_path):
    from analytics.ingest import compare

    bad = _write(tmp_path / "asb.csv", ASB_HEADER, ["ASB-1,31/02/2025,Ashford,Noise nuisance,C1"])
    check = compare.check_file(store.connect(":memory:"), bad)
    frame = compare.problems_frame(check.problems)
    csv_text = frame.to_csv(index=False)
    assert csv_text.splitlines()[0] == "row,column,value,reason"
    assert csv_text.splitlines()[1].startswith("2,Date Reported,31/02/2025,")


def test_a_mapping_is_made_once_and_remembered_for_the_next_file(db, tmp_path):
    march = _write(tmp_path / "asb-march.csv", ODD_HEADER, _asb_rows(3, 5))
    at = _upload(_page(tmp_path, "upload"), march)
    assert "**Unknown format.**" in _text(at)
    _ok([s for s in at.selectbox if s.key.startswith("up_format_")][0].set_value("asb").run())
    assert "**Required column missing.**" in _text(at)
    assert _load_button(at).disabled
    by_canon = {s.key.split("_asb_", 1)[1]: s for s in at.selectbox if s.key.startswith("up_map_")}
    assert by_canon["incident_ref"].value == "(not in this file)"  # nothing suggested for these names
    for canon, column in (("incident_ref", "Ref No"), ("reported_date", "Logged"), ("district", "Area"),
                          ("call_type", "Kind"), ("caller_ref", "Who")):
        by_canon[canon].set_value(column)
    _ok(at.run())
    text = _text(at)
    assert "**5 rows read**: 5 ready to load, 0 with problems." in text
    assert "- ASB: March 2025 is new: 5 ASB incidents would be added." in text
    _ok(_load_button(at).click().run())
    assert "loaded as batch 2 (source force, March 2025)" in plain(at.success[0].value)
    assert dict(_query(db, "SELECT file_column, canonical FROM column_mappings WHERE source = 'force'")) == {
        "Ref No": "incident_ref", "Logged": "reported_date", "Area": "district", "Kind": "call_type",
        "Who": "caller_ref"}

    # next month's file, in a new session with the format left on automatic: it maps itself
    april = _write(tmp_path / "asb-april.csv", ODD_HEADER, _asb_rows(4, 7))
    at = _upload(_page(tmp_path, "upload"), april)
    text = _text(at)
    assert "Remembered from the last file of this source." in text
    assert "- ASB: April 2025 is new: 7 ASB incidents would be added." in text
    _ok(_load_button(at).click().run())
    assert _query(db, "SELECT count(*), count(caller_ref) FROM asb WHERE month = DATE '2025-04-01'") == [(7, 7)]


def _zip_bomb(path: Path) -> Path:
    """A workbook-shaped zip whose one sheet unpacks to 60 MB of the same byte: far beyond any real ratio."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    path.write_bytes(buf.getvalue())
    return path


def test_zip_bomb_is_refused_in_the_page_and_on_the_command_line(db, tmp_path):
    bomb = _zip_bomb(tmp_path / "asb-extract.xlsx")
    assert bomb.stat().st_size < 200 * 1024
    before = _snapshot(db)
    at = _upload(_page(tmp_path, "upload"), bomb)
    errors = [plain(e.value) for e in at.error]
    assert any(e.startswith("**Suspicious workbook.** asb-extract.xlsx claims to unpack to 60 MB") for e in errors)
    assert any("Nothing can be loaded until these files are fixed or removed: asb-extract.xlsx." in e for e in errors)
    assert _load_button(at).disabled
    cli = subprocess.run([sys.executable, "-m", "analytics", "ingest", str(bomb), "--db", str(tmp_path / "cli.db")],
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 2
    assert "Suspicious workbook" in cli.stderr and "zip bomb" in cli.stderr
    assert_same(_snapshot(db), before)


def test_over_size_file_is_refused_in_the_page_and_on_the_command_line(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ASB_MAX_UPLOAD_MB", "2")
    size_mb = FEB_2025.stat().st_size / 1024 / 1024
    assert size_mb > 2, size_mb
    before = _snapshot(db)
    at = _upload(_page(tmp_path, "upload"), FEB_2025)
    assert "up to 2 MB each" in at.file_uploader[0].label
    errors = [plain(e.value) for e in at.error]
    assert any(e.startswith(f"**File too large.** 2025-02-kent-street.csv is {size_mb:.0f} MB, over the 2 MB "
                            "limit (ASB_MAX_UPLOAD_MB).") for e in errors), errors
    assert _load_button(at).disabled
    cli = subprocess.run([sys.executable, "-m", "analytics", "ingest", str(FEB_2025), "--db",
                          str(tmp_path / "cli.db")], capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 2 and "over the 2 MB limit" in cli.stderr
    assert_same(_snapshot(db), before)


def test_a_load_by_someone_else_after_the_check_is_not_doubled(db, tmp_path):
    # February is checked here, then loaded elsewhere before Load is pressed: the page checks again against the
    # new data, so February is reported already loaded and only March is stored
    march = _write(tmp_path / "asb-2025-03.csv", ASB_HEADER, _asb_rows(3, 4))
    at = _upload(_page(tmp_path, "upload"), march, FEB_2025)
    assert "February 2025 is new" in _text(at)
    with publish.writing(db) as con:
        load_files(con, [FEB_2025], loaded_by="someone else")
    _ok(_load_button(at).click().run())
    assert [plain(s.value) for s in at.success] == [
        "asb-2025-03.csv: loaded as batch 3 (source force, March 2025): 4 rows read, 4 loaded, 0 rejected.",
        "2025-02-kent-street.csv is already loaded (batch 2, source police.uk); nothing was added."]
    assert _query(db, "SELECT count(*) FROM asb WHERE month = DATE '2025-02-01'") == [(1645,)]
    assert _query(db, "SELECT id, loaded_by FROM batches ORDER BY id") == [
        (1, "seed"), (2, "someone else"), (3, current_user())]


def test_history_lists_loads_and_rolls_back_after_confirmation(db, tmp_path):
    at = _upload(_page(tmp_path, "upload"), FEB_2025)
    _ok(_load_button(at).click().run())
    at.switch_page(str(ROOT / "ui" / "pages" / "history.py"))
    _ok(at.run())
    history = at.dataframe[0].value
    assert history["Batch"].tolist() == [2, 1]
    assert history["File"].tolist() == ["2025-02-kent-street.csv", "2025-01-kent-street.csv"]
    assert history["Loaded by"].tolist() == [current_user(), "seed"]
    assert history["Rows read"].tolist() == [13305, 14201]
    button = at.button(key="hist_rollback")
    assert button.label == "Roll back batch 2" and button.disabled
    sure = at.checkbox(key="hist_sure_2")
    assert plain(sure.label) == "Yes, remove the 13,305 live rows of batch 2 (2025-02-kent-street.csv)"
    _ok(sure.check().run())
    _ok(at.button(key="hist_rollback").click().run())
    assert plain(at.success[0].value) == "Rolled back batch 2 (2025-02-kent-street.csv)."
    assert _query(db, "SELECT status, rolled_back_by FROM batches WHERE id = 2") == [
        ("rolled back", current_user())]
    assert _query(db, "SELECT count(*) FROM asb WHERE month = DATE '2025-02-01'") == [(0,)]
    assert at.dataframe[0].value["Status"].tolist() == ["Rolled back", "Loaded"]


def test_history_shows_rejected_rows(db, tmp_path):
    rows = _asb_rows(3, 3) + ["ASB-X,31/02/2025,Ashford,Noise nuisance,C9"]
    con = store.connect(db)
    load_files(con, [_write(tmp_path / "asb.csv", ASB_HEADER, rows)], accept_valid_rows=True, loaded_by="t")
    con.close()
    at = _page(tmp_path, "history")
    rejects = [d.value for d in at.dataframe if list(d.value.columns) == ["row", "column", "value", "reason"]][0]
    assert rejects[["row", "column", "value"]].values.tolist() == [[5, "Date Reported", "31/02/2025"]]


def test_templates_download_from_the_upload_page(db, tmp_path):
    at = _page(tmp_path, "upload")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Force ASB incident extract template (.xlsx)", "Force ASB incident extract template (.csv)",
                      "Force recorded-crime extract template (.xlsx)", "Force recorded-crime extract template (.csv)",
                      "Measures template (.xlsx)", "Measures template (.csv)"]


def test_admin_page_needs_admin_and_forgets_a_mapping(db, tmp_path):
    # local mode is an analyst: the Admin page is not in the navigation, and refuses if run anyway
    at = _page(tmp_path, "upload")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(str(ROOT / "ui" / "pages" / "admin.py"))
    alone = _ok(AppTest.from_file(str(ROOT / "ui" / "pages" / "admin.py"), default_timeout=120).run())
    assert plain(alone.error[0].value).startswith(
        f"**Not allowed.** The admin page needs the admin role; you are working as {current_user()} (analyst).")
    assert not alone.dataframe and not alone.button
    with publish.writing(db) as con:  # a load from elsewhere while the dashboard serves: the writer publishes it
        load_files(con, [_write(tmp_path / "m.csv", ODD_HEADER, _asb_rows(3, 2))], source_format="asb",
                   mapping={"Ref No": "incident_ref", "Logged": "reported_date", "Area": "district",
                            "Kind": "call_type"}, loaded_by="t")
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "x"}
    at.secrets["roles"] = {"alice@kent.police.uk": "admin"}
    at.user = {"is_logged_in": True, "email": "alice@kent.police.uk", "name": "Alice"}
    _ok(at.run())
    at.switch_page(str(ROOT / "ui" / "pages" / "admin.py"))
    _ok(at.run())
    assert at.title[0].value == "Admin"
    mappings = at.dataframe[0].value
    assert sorted(mappings["file column"]) == ["Area", "Kind", "Logged", "Ref No"]
    _ok(at.button(key="admin_forget").click().run())
    assert plain(at.success[0].value) == "Forgot 4 remembered columns of source force (asb)."
    assert _query(db, "SELECT count(*) FROM column_mappings") == [(0,)]
    assert isinstance(at.dataframe[0].value, pd.DataFrame)  # the reference file is shown


def test_workbook_sheet_is_shown_and_can_be_picked(db, tmp_path):
    from analytics.ingest import templates

    book = ("asb-template.xlsx", templates.template_workbook("asb"))
    at = _upload(_page(tmp_path, "upload"), book)
    assert "Detected: **Force ASB incident extract**, sheet **Data** · source **force**" in _text(at)
    picker = [s for s in at.selectbox if s.key.startswith("up_sheet_")][0]
    assert picker.options == ["Data", "Notes"] and picker.value == "Data"
    assert "- ASB: January 2025 is new: 1 ASB incident would be added." in _text(at)
    _ok(picker.set_value("Notes").run())
    assert "sheet **Notes**" in _text(at)
    assert _load_button(at).disabled  # the notes sheet is no extract
    _ok([s for s in at.selectbox if s.key.startswith("up_sheet_")][0].set_value("Data").run())
    _ok(_load_button(at).click().run())
    assert _query(db, "SELECT file_name, sheet, rows_loaded FROM batches WHERE id = 2") == [
        ("asb-template.xlsx", "Data", 1)]


@pytest.fixture
def reference_copy(tmp_path, monkeypatch):
    """The reference files copied to a temporary folder, so replacing one never touches data/reference."""
    import shutil

    from analytics.domain import definitions
    from analytics.ingest import admin

    folder = tmp_path / "reference"
    shutil.copytree(definitions.REFERENCE_DIR, folder)
    monkeypatch.setattr(definitions, "REFERENCE_DIR", folder)
    admin._clear_caches()
    yield folder
    monkeypatch.undo()
    admin._clear_caches()


def test_admin_replaces_a_reference_file_and_the_figures_follow(reference_copy, con):
    from analytics.errors import InputRefused
    from analytics.ingest import admin

    con.execute("INSERT INTO batches (file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, "
                "rows_read, rows_loaded, rows_rejected, months, status) VALUES ('a.csv', repeat('a', 64), 0, 'force', "
                "'asb', 'asb', 't', now(), 1, 1, 0, ['2025-01'], 'loaded')")
    con.execute("INSERT INTO asb_incidents (batch_id, source, source_row, month, district, call_type) "
                "VALUES (1, 'force', 2, DATE '2025-01-01', 'Ashford', 'Noise nuisance')")
    assert con.execute("SELECT category FROM asb").fetchall() == [("Nuisance",)]
    path = reference_copy / "asb_call_types.csv"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("Noise nuisance,Nuisance", "Noise nuisance,Personal")
    assert changed != text
    rows = admin.replace_reference(con, "asb_call_types.csv", changed.encode())
    assert rows == len(text.strip().splitlines()) - 1
    assert con.execute("SELECT category FROM asb").fetchall() == [("Personal",)]

    with pytest.raises(InputRefused, match="must have exactly call_type, category, synonyms"):
        admin.replace_reference(con, "asb_call_types.csv", b"call_type,category\nNoise nuisance,Nuisance\n")
    districts = (reference_copy / "districts.csv").read_bytes()
    duplicate = districts + b"E07000999,Ashford,\n"  # a second Ashford breaks the unique district names
    with pytest.raises(InputRefused, match="The old file is kept"):
        admin.replace_reference(con, "districts.csv", duplicate)
    assert (reference_copy / "districts.csv").read_bytes() == districts
    assert con.execute("SELECT count(*) FROM ref_districts").fetchone()[0] == 13
    with pytest.raises(InputRefused, match="not one of"):
        admin.reference_path("../../etc/passwd")


# ------------------------------------------------------------------------------------------------ the page's words


def test_one_row_is_one_row_and_nothing_is_called_loaded_before_load(db, tmp_path):
    one = _write(tmp_path / "asb-one.csv", ASB_HEADER, ["ASB-1,03/03/2025 10:15,Ashford,Skateboarding,C1"])
    at = _upload(_page(tmp_path, "upload"), one)
    text = _text(at)
    assert "**1 row read**: 1 ready to load, 0 with problems." in text
    assert [e.label for e in at.expander if e.label.startswith("Preview")] == [
        "Preview: the 1 ASB incident as it would be stored"]
    warnings = [plain(w.value) for w in at.warning]
    assert ('1 unknown call type: "Skateboarding" (1 row). It is kept as given and counts as Unclassified.'
            in warnings)
    assert not any("loaded" in w for w in warnings)  # nothing has been loaded yet
    assert "- ASB: March 2025 is new: 1 ASB incident would be added." in text

    bad = _write(tmp_path / "asb-bad.csv", ASB_HEADER, ["ASB-1,31/02/2025 10:15,Ashford,Noise nuisance,C1",
                                                        "ASB-2,03/03/2025 10:15,Ashford,Noise nuisance,C2"])
    at = _upload(_page(tmp_path, "upload"), bad)
    assert "**Validation report** — 1 problem:" in _text(at)
    assert "keep the 1 row with problems in the rejects table" in at.checkbox(key="up_accept").label


def test_national_asb_categories_are_recognised(db, tmp_path):
    rows = ["N1,03/03/2025 10:15,Ashford,Personal,C1", "N2,04/03/2025 10:15,Dover,ASB - Nuisance,C2",
            "N3,05/03/2025 10:15,Dover,Nuisance,C3", "N4,06/03/2025 10:15,Medway,Environmental,C4"]
    at = _upload(_page(tmp_path, "upload"), _write(tmp_path / "categories.csv", ASB_HEADER, rows))
    assert not any("unknown call type" in plain(w.value) for w in at.warning)
    _ok(_load_button(at).click().run())
    assert _query(db, "SELECT category, call_type, count(*) FROM asb WHERE source = 'force' GROUP BY ALL "
                      "ORDER BY ALL") == [("Environmental", "Environmental ASB", 1), ("Nuisance", "Nuisance ASB", 2),
                                          ("Personal", "Personal ASB", 1)]


def test_a_column_with_values_but_no_header_must_be_resolved(db, tmp_path):
    header = ASB_HEADER + ","
    rows = [r + ("," if i else ",see notes") for i, r in enumerate(_asb_rows(3, 3))]
    at = _upload(_page(tmp_path, "upload"), _write(tmp_path / "notes.csv", header, rows))
    errors = plain(" ".join(e.value for e in at.error))
    assert "**Values under a blank header.**" in errors
    assert "column F (1 row, e.g. 'see notes')" in errors and "Give the column a header" in errors
    assert _load_button(at).disabled
    assert _query(db, "SELECT count(*) FROM batches") == [(1,)]
    named = _write(tmp_path / "notes-named.csv", ASB_HEADER + ",Notes", rows)
    at = _upload(_page(tmp_path, "upload"), named)
    assert "1 column is not used and is ignored: 'Notes'." in [plain(w.value) for w in at.warning]
    assert not _load_button(at).disabled


def test_the_police_uk_source_name_applies_to_police_uk_files(db, tmp_path):
    from tests.kent import CITY_JAN_2025

    at = _upload(_page(tmp_path, "upload"), CITY_JAN_2025)
    assert "**Another force's file.**" in plain(" ".join(e.value for e in at.error))
    assert _load_button(at).disabled
    at.text_input(key="up_source_police").set_value("City of London").run()
    _ok(at)
    assert "Detected: **police.uk street-level file** · source **City of London**" in _text(at)
    _ok(_load_button(at).click().run())
    assert _query(db, "SELECT source, force FROM batches WHERE id = 2") == [("City of London",
                                                                              "City of London Police")]
    # a blank name is refused with the rule's own message, before any file is read
    at = _page(tmp_path, "upload")
    at.text_input(key="up_source_police").set_value("   ").run()
    assert "**Blank source name.**" in plain(" ".join(e.value for e in at.error))


def test_a_police_uk_outcomes_file_uploads_into_the_police_uk_source(db, tmp_path):
    from tests import outcomes

    crimes = outcomes.street_crimes(JAN_2025)[:4]
    path = outcomes.write_outcomes(tmp_path / "2025-02-kent-outcomes.csv",
                                   outcomes.cycle_outcomes(crimes, "2025-02")
                                   + [outcomes.outcome_row(c, "2025-02", "Local resolution")
                                      for c in outcomes.street_crimes(FEB_2025)[:1]])
    at = _upload(_page(tmp_path, "upload"), path)
    text = _text(at)
    assert "Detected: **police.uk outcomes file** · source **police.uk**" in text
    assert "- Outcomes: February 2025 is new: 5 outcomes would be added." in text
    assert ("1 of 5 outcomes is for a Crime ID that source 'police.uk' does not hold (yet): it is kept, not "
            "dropped") in text
    _ok(_load_button(at).click().run())
    assert _query(db, "SELECT kind, format, source, rows_loaded FROM batches WHERE id = 2") == [
        ("outcomes", "police-uk-outcomes", "police.uk", 5)]
