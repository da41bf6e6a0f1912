"""The command-line contract: exit statuses, messages on stderr, batches --json, and a busy database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from analytics import store
from analytics.domain.access import current_user
from tests.test_load import police_uk_csv

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, db: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def table_rows(db: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM asb_incidents), "
                           "(SELECT count(*) FROM crimes)").fetchone()
    finally:
        con.close()


def test_ingest_batches_rollback_exit_codes(tmp_path):
    db = tmp_path / "cli.duckdb"
    jan = police_uk_csv(tmp_path / "2025-01-kent-street.csv", "2025-01", 3, 2)

    done = cli("ingest", str(jan), db=db)
    assert done.returncode == 0, done.stderr
    assert "loaded as batch 1" in done.stderr and "5 rows read, 5 loaded, 0 rejected" in done.stderr

    again = cli("ingest", str(jan), db=db)
    assert again.returncode == 0 and "already loaded" in again.stderr
    assert table_rows(db) == (1, 3, 2)

    clash = police_uk_csv(tmp_path / "other-jan.csv", "2025-01", 1, 1, tag="z")
    refused = cli("ingest", str(clash), db=db)
    assert refused.returncode == 2 and "Months already loaded" in refused.stderr and "--replace" in refused.stderr
    assert table_rows(db) == (1, 3, 2)

    listed = cli("batches", "--json", db=db)
    [batch] = json.loads(listed.stdout)
    for key in ("id", "file", "sha256", "source", "kind", "rows_read", "rows_loaded", "rows_rejected", "months",
                "status", "loaded_by", "loaded_at"):
        assert key in batch
    assert (batch["file"], batch["rows_read"], batch["months"]) == ("2025-01-kent-street.csv", 5, ["2025-01"])
    assert batch["loaded_by"] == current_user()

    assert cli("rollback", "7", db=db).returncode == 2
    undone = cli("rollback", "1", db=db)
    assert undone.returncode == 0 and "Rolled back batch 1" in undone.stderr
    assert table_rows(db) == (1, 0, 0)


def test_refused_file_exit_2_names_row(tmp_path):
    db = tmp_path / "cli.duckdb"
    bad = police_uk_csv(tmp_path / "bad.csv", "2025-01", 1, 0,
                        extra=",31/02/2025,Kent Police,Kent Police,,,,,,Anti-social behaviour,,\n")
    refused = cli("ingest", str(bad), db=db)
    assert refused.returncode == 2
    assert "row 3" in refused.stderr and "31/02/2025" in refused.stderr and "--accept-valid-rows" in refused.stderr
    assert table_rows(db) == (0, 0, 0)


def _holder(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the database for writing for `seconds`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); "
                               f"time.sleep({seconds}); c.close(); print('done', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_busy_database_gives_a_clear_message(tmp_path):
    db = tmp_path / "busy.duckdb"
    store.connect(db).close()
    holder = _holder(db, 60)
    try:
        jan = police_uk_csv(tmp_path / "jan.csv", "2025-01", 1, 1)
        busy = cli("ingest", str(jan), db=db, env={"ASB_WRITE_WAIT": "1"})
        assert busy.returncode == 2
        assert "in use" in busy.stderr and f"PID {holder.pid}" not in busy.stderr  # our wording, not DuckDB's
        assert f"process {holder.pid}" in busy.stderr and "one writer at a time" in busy.stderr
        assert "Nothing was changed." in busy.stderr
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    assert table_rows(db) == (0, 0, 0)


def test_a_load_waits_for_another_writer_to_finish(tmp_path):
    db = tmp_path / "wait.duckdb"
    store.connect(db).close()
    holder = _holder(db, 3)
    try:
        jan = police_uk_csv(tmp_path / "jan.csv", "2025-01", 1, 1)
        done = cli("ingest", str(jan), db=db, env={"ASB_WRITE_WAIT": "60"})
        assert holder.stdout.readline().strip() == "done"  # the holder let go first
        assert done.returncode == 0, done.stderr
        assert "loaded as batch 1" in done.stderr
    finally:
        holder.kill()
        holder.wait()
    assert table_rows(db) == (1, 1, 1)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_commands_that_read_refuse_a_missing_database_and_create_nothing(tmp_path):
    db = tmp_path / "mistyped" / "asb.duckdb"
    for args in (("batches",), ("batches", "--json"), ("rollback", "1")):
        done = run(*args, "--db", str(db))
        assert done.returncode == 2, done.stderr
        assert f"No database at {db}" in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "mistyped").exists()


def test_a_database_whose_folder_is_a_file_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a folder")
    db = tmp_path / "notes.txt" / "asb.duckdb"
    jan = police_uk_csv(tmp_path / "jan.csv", "2025-01", 1, 1)
    for args in (("ingest", str(jan)), ("demo",), ("batches",), ("rollback", "1")):
        done = run(*args, "--db", str(db))
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and "is a file, not a folder" in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "not a folder"
    folder_db = run("batches", "--db", str(tmp_path))
    assert folder_db.returncode == 2 and "is a folder" in folder_db.stderr


def test_batches_reads_alongside_another_reader(tmp_path):
    db = tmp_path / "shared.duckdb"
    con = store.connect(db)
    con.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}, read_only=True); "
                               "print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        listed = cli("batches", "--json", db=db)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == []
    finally:
        holder.kill()
        holder.wait()


def test_ingest_refusals_of_names_months_and_forces(tmp_path):
    db = tmp_path / "cli.duckdb"
    header = "incident_ref,reported_date,district,call_type\n"
    east = tmp_path / "east.csv"
    east.write_text(header + "E1,03/01/2025,Dover,Noise\n", encoding="utf-8")
    west = tmp_path / "west.csv"
    west.write_text(header + "W1,04/01/2025,Ashford,Noise\n", encoding="utf-8")
    for name in ("police.uk", "   "):
        done = cli("ingest", "--name", name, str(east), db=db)
        assert done.returncode == 2 and "source name" in done.stderr, done.stderr
    split = cli("ingest", "--replace", str(east), str(west), db=db)
    assert split.returncode == 2 and "east.csv and west.csv both hold ASB January 2025" in split.stderr
    assert table_rows(db) == (0, 0, 0)
    twice = cli("ingest", str(east), str(east), db=db)  # the same file twice: the second adds nothing
    assert twice.returncode == 0 and "already loaded" in twice.stderr
    assert table_rows(db) == (1, 1, 0)


def test_reading_commands_read_the_published_copy_while_a_writer_holds_the_database(tmp_path):
    db = tmp_path / "read.duckdb"
    assert cli("ingest", str(police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2)), db=db).returncode == 0
    holder = _holder(db, 60)  # a load in progress, say
    try:
        summary = cli("summary", "--end", "2025-01", "--months", "1", "--json", db=db)
        assert summary.returncode == 0, summary.stderr
        assert json.loads(summary.stdout)["asb"]["total"]["count"] == 3
        batches = cli("batches", "--json", db=db)
        assert batches.returncode == 0, batches.stderr
        assert [b["file"] for b in json.loads(batches.stdout)] == ["jan.csv"]
    finally:
        holder.kill()
        holder.wait()
