"""The register of process changes and interventions: who and when, withdrawing and correcting instead of
deleting, bad input refused with nothing written, viewers refused, the command line, the Interventions page, and
the schema upgrade that adds the register to an older file."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import interventions as register
from analytics import store
from analytics.domain.access import ANALYST, LOCAL, SIGNED_IN, VIEWER, AccessRefused, Identity, current_user
from analytics.errors import InputRefused, NotFound
from tests.conftest import APP, insert_batch, old_database, plain

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "ui" / "pages"
ANNA = Identity("anna@kent.police.uk", ANALYST, SIGNED_IN)
CAROL = Identity("carol@kent.police.uk", VIEWER, SIGNED_IN)
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "x"},
        "roles": {"anna@kent.police.uk": "analyst"}}


def rows(con) -> list[tuple]:
    return con.execute("SELECT * FROM interventions ORDER BY id").fetchall()


def test_an_entry_records_who_and_when(con):
    before = datetime.now().replace(microsecond=0)
    e = register.add(con, ANNA, started="2025-03-14", type="PSPO", district="shepway",
                     description="  PSPO covering   Folkestone town centre ", affects="asb")
    assert (e.id, e.started, e.district, e.type, e.affects) == (1, date(2025, 3, 14), "Folkestone and Hythe", "pspo",
                                                                "asb")
    assert e.description == "PSPO covering Folkestone town centre"  # spaces tidied
    assert e.recorded_by == "anna@kent.police.uk" and before <= e.recorded_at <= datetime.now()
    assert e.month == "2025-03" and e.active and not e.process_change and e.status == "Active"
    assert e.title == "#1 PSPO, Folkestone and Hythe, March 2025"
    assert register.add(con, ANNA, started="2024-04", type="new system", description="New system").process_change


def test_withdrawing_keeps_the_entry_with_who_when_and_why(con):
    e = register.add(con, ANNA, started="2025-03-01", type="closure-order", description="Closure order, 12 High St")
    bob = Identity("bob", ANALYST, LOCAL)
    gone = register.withdraw(con, bob, e.id, "order revoked by the court")
    assert len(rows(con)) == 1  # nothing deleted
    assert (gone.withdrawn_by, gone.withdrawn_reason, gone.status) == ("bob", "order revoked by the court",
                                                                        "Withdrawn")
    assert gone.withdrawn_at is not None and gone.recorded_by == "anna@kent.police.uk"
    assert register.entries(con, include_withdrawn=False) == []
    assert [x.id for x in register.entries(con)] == [e.id]
    with pytest.raises(InputRefused, match="was withdrawn by bob"):
        register.withdraw(con, ANNA, e.id, "again")
    with pytest.raises(InputRefused, match="Say why"):
        register.withdraw(con, ANNA, register.add(con, ANNA, started="2025-01", type="other", description="x").id, "")


def test_correcting_records_a_new_entry_and_keeps_the_old(con):
    e = register.add(con, ANNA, started="2025-03-01", type="pspo", district="Swale", description="PSPO Sheerness")
    fixed = register.correct(con, Identity("bob", ANALYST, LOCAL), e.id, started="2025-04-01", force_wide=True)
    old = register.entry(con, e.id)
    assert (fixed.id, fixed.replaces, fixed.started, fixed.district, fixed.description) == (
        2, 1, date(2025, 4, 1), None, "PSPO Sheerness")
    assert fixed.recorded_by == "bob"
    assert old.status == "Corrected (see #2)" and old.withdrawn_reason == "Corrected: replaced by #2"
    assert old.recorded_by == "anna@kent.police.uk" and len(rows(con)) == 2
    with pytest.raises(InputRefused, match="Nothing to correct"):
        register.correct(con, ANNA, fixed.id, description="PSPO Sheerness")
    with pytest.raises(InputRefused, match="is withdrawn"):
        register.correct(con, ANNA, e.id, description="again")


@pytest.mark.parametrize("fields, message", [
    ({"started": "14/03/2025"}, "is not a date"),
    ({"started": "2025-02-30"}, "is not a date"),
    ({"type": "curfew"}, "is not a type of entry"),
    ({"district": "Atlantis"}, "There is no district called 'Atlantis'"),
    ({"description": "   "}, "Say what the entry is"),
    ({"description": "x" * 1001}, "keep it to 1,000"),
    ({"affects": "traffic"}, "an entry affects one of"),
])
def test_bad_input_is_refused_and_nothing_is_written(con, fields, message):
    args = {"started": "2025-03-01", "type": "pspo", "description": "PSPO", **fields}
    with pytest.raises(InputRefused, match=message):
        register.add(con, ANNA, **args)
    assert rows(con) == []


def test_a_viewer_cannot_edit_the_register(con):
    e = register.add(con, ANNA, started="2025-03-01", type="pspo", description="PSPO")
    with pytest.raises(AccessRefused, match="needs the analyst role; you are working as carol@kent.police.uk"):
        register.add(con, CAROL, started="2025-03-01", type="pspo", description="PSPO")
    with pytest.raises(AccessRefused):
        register.withdraw(con, CAROL, e.id, "no")
    with pytest.raises(AccessRefused):
        register.correct(con, CAROL, e.id, description="changed")
    assert len(rows(con)) == 1 and register.entry(con, e.id).active
    with pytest.raises(NotFound, match="no entry #9"):
        register.withdraw(con, ANNA, 9, "missing")


def test_the_register_changes_the_data_version_so_no_page_shows_stale_marks(con):
    first = store.data_version(con)
    e = register.add(con, ANNA, started="2025-03-01", type="pspo", description="PSPO")
    second = store.data_version(con)
    register.withdraw(con, ANNA, e.id, "entered twice")
    assert len({first, second, store.data_version(con)}) == 3


def test_for_chart_applies_district_and_kind_rules():
    def entry(i, type_, district=None, affects="both"):
        return register.Entry(i, date(2025, 3, 1), district, type_, affects, "d", "a", datetime(2025, 1, 1))

    found = [entry(1, "new_system"), entry(2, "new_system", "Swale"), entry(3, "pspo", "Swale"),
             entry(4, "pspo", "Dover", "crime"), entry(5, "recording_rule", affects="crime")]
    changes, marks = register.for_chart(found, kind="asb", district=None, first="2025-01", last="2025-12")
    assert [e.id for e in changes] == [1] and [e.id for e in marks] == [3]
    changes, marks = register.for_chart(found, kind="asb", district="Swale", first="2025-01", last="2025-12")
    assert [e.id for e in changes] == [1, 2] and [e.id for e in marks] == [3]
    changes, marks = register.for_chart(found, kind="crime", district="Dover", first="2025-01", last="2025-12")
    assert [e.id for e in changes] == [1, 5] and [e.id for e in marks] == [4]
    assert register.for_chart(found, kind="asb", district=None, first="2025-04", last="2025-12") == ([], [])


def test_an_older_file_gains_the_register_and_keeps_its_data(tmp_path):
    # a version-3 file, as that version wrote it (before the register), holding a load
    path = tmp_path / "old.duckdb"
    con = old_database(path, 3)
    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover"}])
    con.close()
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM asb_incidents").fetchone()[0] == 1
    assert register.add(con, ANNA, started="2025-01", type="other", description="first").id == 1
    con.close()


# ---------------------------------------------------------------------------------------------- command line


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", "intervention", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_command_line_adds_lists_corrects_and_withdraws(tmp_path):
    db = tmp_path / "register.duckdb"
    added = cli(db, "add", "--date", "2025-03-14", "--type", "task-force", "--district", "Thanet",
                "--description", "Operation in Margate town centre", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["recorded_by"] == current_user()
    assert "Recorded #1 Task-force operation, Thanet, March 2025" in added.stderr
    assert cli(db, "correct", "1", "--date", "2025-03-21").returncode == 0
    assert cli(db, "withdraw", "2", "--reason", "operation cancelled").returncode == 0
    listed = json.loads(cli(db, "list", "--json").stdout)
    assert [(e["id"], e["status"], e["date"]) for e in listed] == [(1, "Corrected (see #2)", "2025-03-14"),
                                                                   (2, "Withdrawn", "2025-03-21")]
    assert listed[1]["withdrawn_reason"] == "operation cancelled" and listed[1]["replaces"] == 1
    assert json.loads(cli(db, "list", "--active", "--json").stdout) == []
    refused = cli(db, "add", "--date", "2025-13-01", "--type", "pspo", "--description", "x")
    assert refused.returncode == 2 and "is not a date" in refused.stderr
    assert cli(db, "withdraw", "7", "--reason", "x").returncode == 2
    assert len(json.loads(cli(db, "list", "--json").stdout)) == 2


# ---------------------------------------------------------------------------------------------- the pages


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "pages.duckdb"
    con = store.connect(path)
    insert_batch(con, "asb", [{"month": f"2025-{m:02d}", "district": "Dover"} for m in range(1, 13) for _ in range(20)])
    insert_batch(con, "crime", [{"month": f"2025-{m:02d}", "district": "Dover", "offence_group": "Burglary"}
                                for m in range(1, 13) for _ in range(10)])
    register.add(con, ANNA, started="2025-06-01", type="pspo", district="Dover", description="Dover PSPO")
    con.close()
    monkeypatch.setenv("ASB_DB", str(path))
    return path


def test_a_viewer_cannot_open_the_register_page_but_sees_the_register(db):
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"], at.secrets["roles"] = AUTH["auth"], AUTH["roles"]
    at.user = {"is_logged_in": True, "email": "carol@kent.police.uk"}
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(str(PAGES / "interventions.py"))
    at.switch_page(str(PAGES / "control.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    register_table = [d.value for d in at.dataframe if "Entry" in d.value.columns][0]
    assert register_table["Description"].tolist() == ["Dover PSPO"]
    assert [b.key for b in at.button] == ["sign_out"] and not at.text_area and not at.text_input
    alone = AppTest.from_file(str(PAGES / "interventions.py"), default_timeout=120)
    alone.secrets["auth"], alone.secrets["roles"] = AUTH["auth"], AUTH["roles"]
    alone.user = {"is_logged_in": True, "email": "carol@kent.police.uk"}
    alone.run()
    assert [plain(e.value) for e in alone.error] == [
        "**Not allowed.** Editing the interventions register needs the analyst role; you are working as "
        "carol@kent.police.uk (viewer). Ask an administrator to add your e-mail address to the [roles] table in "
        ".streamlit/secrets.toml."]
    assert not alone.text_area and not alone.dataframe


def test_an_analyst_records_and_withdraws_an_entry_on_the_page(db):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(str(PAGES / "interventions.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Interventions"
    at.date_input(key="iv_add_date").set_value(date(2025, 9, 1))
    at.selectbox(key="iv_add_type").set_value("new_system")
    at.selectbox(key="iv_add_affects").set_value("asb")
    at.text_area(key="iv_add_text").set_value("New ASB recording system")
    at.button[0].click()  # the form's Record button
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Recorded #2 New system, Force-wide, September 2025" in plain(s.value) for s in at.success)
    con = store.connect(db)
    try:
        new = register.entry(con, 2)
        assert (new.type, new.affects, new.district, new.recorded_by) == ("new_system", "asb", None, current_user())
    finally:
        con.close()
    at.selectbox(key="iv_withdraw_id").set_value(2)
    at.run()
    at.text_input(key="iv_withdraw_reason_2").set_value("entered too early")
    at.run()
    at.button(key="iv_withdraw").click()
    at.run()
    assert any("Withdrew #2" in plain(s.value) for s in at.success)
    shown = [d.value for d in at.dataframe if "Entry" in d.value.columns][0]
    assert shown["Status"].tolist() == ["Active", "Withdrawn"]  # by date: June, then September
