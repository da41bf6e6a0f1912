"""A load killed part-way (SIGKILL: no clean-up, no rollback handler) leaves the database exactly as it was.

A real `python -m analytics ingest` runs on a generated police.uk file big enough to take seconds. It is killed
either while it reads that file or while it writes the rows into the database file (the file has started to grow
but the load has not committed), and the database is then opened as the next user would open it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import store
from analytics.ingest import synthetic
from analytics.ingest.load import list_batches, load_file

ROOT = Path(__file__).resolve().parent.parent
BIG_ROWS = 400_000
SMALL_ROWS = 2_000


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("crash")
    # Different months, so the big file never conflicts with the small one already loaded.
    return {
        "small": synthetic.write_police_uk_csv(folder / "small.csv", SMALL_ROWS, months=("2022-01", "2022-02")),
        "big": synthetic.write_police_uk_csv(folder / "big.csv", BIG_ROWS, months=("2023-01", "2023-12")),
    }


def has_open(pid: int, path: Path) -> bool:
    """Whether process pid has path open (Linux /proc): the loader has started reading it."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return str(path) in links


def wal_of(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def kill_mid_load(db: Path, big: Path, phase: str) -> bool:
    """Start the CLI load of big and SIGKILL it mid-load; returns whether its commit had begun (a WAL existed).

    reading: 0.1 s into the first spell of at least that long in which the loader has the file open (the loader
    reads a 400,000-row file in well under a second, in several short opens).
    storing: as soon as the database file grows, which it does only when the rows are written into it.
    Fails if the load finishes before it is killed.
    """
    size = db.stat().st_size
    process = subprocess.Popen(
        [sys.executable, "-m", "analytics", "ingest", "--db", str(db), str(big)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        started = time.monotonic()
        opened = None
        while True:
            if process.poll() is not None:
                _, err = process.communicate()
                pytest.fail(f"the load ended (exit {process.returncode}) before it could be killed: {err.decode()}")
            now = time.monotonic()
            if phase == "reading":
                is_open = has_open(process.pid, big)
                opened = (opened or now) if is_open else None
                if opened is not None and now - opened >= 0.1:
                    break
            elif db.stat().st_size > size or wal_of(db).exists():
                break
            if now - started >= 60:
                break  # no sign seen (e.g. no /proc): kill anyway, the assertions below still hold
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        committing = wal_of(db).exists()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    return committing


def table_counts(con) -> tuple[int, int, int]:
    return con.execute(
        "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM asb_incidents), (SELECT count(*) FROM crimes)"
    ).fetchone()


@pytest.mark.parametrize("phase", ["reading", "storing"])
def test_killed_load_leaves_database_as_it_was(files: dict[str, Path], tmp_path: Path, phase: str) -> None:
    db = tmp_path / "asb.duckdb"
    con = store.connect(db)
    small = load_file(con, files["small"], loaded_by="test")
    assert small.rows_read == small.rows_loaded == SMALL_ROWS
    before = table_counts(con)
    small_rows = con.execute("SELECT * FROM crimes ORDER BY source_row").fetchall()
    assert before == (1, small.rows_loaded - len(small_rows), len(small_rows))
    con.close()
    assert not wal_of(db).exists()

    committing = kill_mid_load(db, files["big"], phase)

    con = store.connect(db)
    batches = list_batches(con)
    if committing and len(batches) == 2:
        # Killed after the commit was written: then the whole load must be there (all or nothing).
        asb = con.execute(
            "SELECT count(*) FROM read_csv(?, all_varchar = true) WHERE \"Crime type\" = 'Anti-social behaviour'",
            [str(files["big"])],
        ).fetchone()[0]
        assert table_counts(con) == (2, before[1] + asb, before[2] + BIG_ROWS - asb)
        assert [b["rows_loaded"] for b in batches if b["file"] == "big.csv"] == [BIG_ROWS]
        con.close()
        return
    assert table_counts(con) == before
    assert [b["file"] for b in batches] == ["small.csv"]
    assert batches[0]["status"] == "loaded"
    assert con.execute("SELECT * FROM crimes ORDER BY source_row").fetchall() == small_rows
    assert con.execute("SELECT count(*) FROM asb WHERE month >= DATE '2023-01-01'").fetchone()[0] == 0

    # The same file then loads in full, as if the killed attempt had never happened.
    big = load_file(con, files["big"], loaded_by="test")
    assert big.status == "loaded"
    assert big.rows_read == big.rows_loaded == BIG_ROWS
    assert con.execute("SELECT count(*) FROM batches").fetchone()[0] == 2
    assert con.execute(
        "SELECT (SELECT count(*) FROM asb_incidents) + (SELECT count(*) FROM crimes)"
    ).fetchone()[0] == SMALL_ROWS + BIG_ROWS
    con.close()

