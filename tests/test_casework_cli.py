"""The command-line contract of `repeat` and `case-review`, through a real subprocess: JSON shapes, exit statuses,
messages on stderr, and a refused input that leaves the database as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics import store
from analytics.domain.access import current_user
from analytics.ingest.load import load_files
from tests.test_casework_repeat import BOUNDARY, HEADER

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analytics", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "casework.duckdb"
    extract = tmp_path / "asb.csv"
    extract.write_text(HEADER + "\n" + "\n".join(BOUNDARY) + "\n", encoding="utf-8")
    con = store.connect(path)
    load_files(con, [extract], source_name="force", loaded_by="test")
    con.close()
    return path


def register(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM case_reviews ORDER BY id").fetchall() + \
            con.execute("SELECT * FROM case_review_changes ORDER BY id").fetchall()
    finally:
        con.close()


def test_repeat_json_is_the_contract(db):
    done = ok(cli("repeat", "--as-of", "2023-06-30", "--json", db=db))
    rows = json.loads(done.stdout)
    assert rows == [
        {"caller_ref": "A-100", "incidents": 3, "first": "2022-12-31", "last": "2023-06-30", "district": "Ashford",
         "vulnerable": False},
        {"caller_ref": "C300", "incidents": 3, "first": "2023-01-02", "last": "2023-06-20", "district": "Medway",
         "vulnerable": True},
        {"caller_ref": "D-400", "incidents": 3, "first": "2023-02-01", "last": "2023-04-01", "district": "Thanet",
         "vulnerable": None},
    ]
    # counting only the incidents inside the window: D-400 has a fourth on 1 July 2023
    four = json.loads(ok(cli("repeat", "--as-of", "2023-07-01", "--min-incidents", "4", "--json", db=db)).stdout)
    assert four == [{"caller_ref": "D-400", "incidents": 4, "first": "2023-02-01", "last": "2023-07-01",
                     "district": "Thanet", "vulnerable": None}]
    one_month = json.loads(ok(cli("repeat", "--as-of", "2023-06-30", "--months", "1", "--min-incidents", "1",
                                  "--json", db=db)).stdout)
    # 31 May .. 30 June: A3 (30 June), C3 (20 June), B3 (1 June), one each, latest first
    assert [r["caller_ref"] for r in one_month] == ["A-100", "C300", "B-200"]
    text = ok(cli("repeat", "--as-of", "2023-06-30", db=db))
    assert "Repeat callers in force: 3 or more incidents in 6 months, 31 December 2022 to 30 June 2023: 3" \
        in text.stderr
    assert text.stdout.splitlines()[1].split() == ["A-100", "3", "2022-12-31", "2023-06-30", "no", "Ashford"]


def test_repeat_refuses_bad_input_with_exit_status_2(db, tmp_path):
    bad = cli("repeat", "--as-of", "30/06/2023", db=db)
    assert bad.returncode == 2 and "Bad date" in bad.stderr and "YYYY-MM-DD" in bad.stderr
    assert cli("repeat", "--as-of", "2023-06-30", "--months", "0", db=db).returncode == 2
    assert cli("repeat", "--as-of", "2023-06-30", "--source", "nowhere", db=db).returncode == 2
    empty = tmp_path / "empty.duckdb"
    none = cli("repeat", "--as-of", "2023-06-30", db=empty)
    assert none.returncode == 2 and "No loaded ASB extract has caller references" in none.stderr


def test_case_review_add_update_list_stats(db):
    added = json.loads(ok(cli("case-review", "add", "--received", "2025-12-19", "--district", "Ashford",
                              "--json", db=db)).stdout)
    assert (added["id"], added["response_due"], added["received"], added["applicant"]) == (
        1, "2026-01-28", "2025-12-19", "victim")
    assert added["created_by"] == current_user() and added["overdue"] is (date.today() > date(2026, 1, 28))
    easter = json.loads(ok(cli("case-review", "add", "--received", "2025-04-10", "--district", "dover",
                               "--applicant", "other", "--consent", "yes", "--caller-ref", "d 400",
                               "--json", db=db)).stdout)
    # D-400 has no incidents in the six months before 10 April 2025 (its incidents are in 2023)
    assert (easter["id"], easter["response_due"], easter["district"]) == (2, "2025-05-20", "Dover")
    assert (easter["incidents_found"], easter["lookup_source"], easter["consent"]) == (0, "force", True)

    updated = json.loads(ok(cli("case-review", "update", "2", "--threshold-met", "no", "--reasons",
                                "No incidents found", "--response-date", "2025-05-21", "--json", db=db)).stdout)
    assert (updated["threshold_met"], updated["status"], updated["late"]) == (False, "responded", True)
    ok(cli("case-review", "update", "1", "--threshold-met", "yes", "--panel-date", "2026-01-09", "--agencies",
           "Kent Police; Ashford Borough Council", "--recommendations", "Mediation", db=db))

    listed = json.loads(ok(cli("case-review", "list", "--json", db=db)).stdout)
    assert [(r["id"], r["received"], r["status"]) for r in listed] == [
        (2, "2025-04-10", "responded"), (1, "2025-12-19", "review held: response due")]
    assert listed[1]["agencies"] == ["Kent Police", "Ashford Borough Council"]

    stats = json.loads(ok(cli("case-review", "stats", "--json", db=db)).stdout)
    assert stats == {"years": [{"year": "2025/26", "applications": 2, "threshold_not_met": 1, "reviews": 1,
                                "with_recommendations": 1}]}

    history = json.loads(ok(cli("case-review", "history", "2", "--json", db=db)).stdout)
    assert [h["field"] for h in history][-3:] == ["threshold_met", "threshold_reasons", "response_date"]
    assert {h["changed_by"] for h in history} == {current_user()}

    withdrawn = json.loads(ok(cli("case-review", "update", "2", "--withdraw", "duplicate", "--withdrawn-on",
                                  "2025-06-01", "--json", db=db)).stdout)
    assert (withdrawn["status"], withdrawn["withdrawn_on"]) == ("withdrawn", "2025-06-01")
    assert len(json.loads(ok(cli("case-review", "list", "--json", db=db)).stdout)) == 2  # kept, never deleted
    stats = json.loads(ok(cli("case-review", "stats", "--json", db=db)).stdout)
    assert stats["years"][0]["applications"] == 1


def test_case_review_refusals_leave_the_register_as_it_was(db):
    ok(cli("case-review", "add", "--received", "2025-12-19", "--district", "Ashford", db=db))
    before = register(db)
    for args, message in [
        (("case-review", "add", "--received", "2025-12-19", "--district", "Atlantis"), "Unknown district"),
        (("case-review", "add", "--received", "19/12/2025", "--district", "Ashford"), "Bad date"),
        (("case-review", "update", "1", "--panel-date", "2025-12-01"), "Date before receipt"),
        (("case-review", "update", "1"), "Nothing to change"),
        (("case-review", "update", "9", "--panel-date", "2026-01-05"), "No such application"),
        (("case-review", "update", "1", "--withdraw", "x", "--reinstate"), "Withdraw or reinstate"),
    ]:
        done = cli(*args, db=db)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr, (args, done.stderr)
    assert register(db) == before


def test_case_review_settings(db):
    shown = json.loads(ok(cli("case-review", "settings", "--json", db=db)).stdout)
    assert shown == {"working_days": 25, "due_from": "receipt", "case_review_min_incidents": 3,
                     "case_review_months": 6}
    ok(cli("case-review", "settings", "--working-days", "20", "--due-from", "panel", db=db))
    added = json.loads(ok(cli("case-review", "add", "--received", "2025-12-19", "--district", "Ashford", "--json",
                              db=db)).stdout)
    assert (added["working_days"], added["due_from"], added["response_due"]) == (20, "panel", None)
    text = ok(cli("case-review", "settings", db=db)).stdout
    assert text.startswith("Responses are due 20 working days from the day after the panel")
