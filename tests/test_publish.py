"""Publishing: a write makes a new read-only copy and points CURRENT at it; old copies and partial ones go; a write
that fails publishes nothing; readers read the copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analytics import publish, store
from analytics.errors import DatabaseBusy
from analytics.ingest.load import RowsRefused, load_files
from tests.test_load import police_uk_csv

ROOT = Path(__file__).resolve().parent.parent


def _counts(path: Path) -> tuple[int, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT (SELECT count(*) FROM asb_incidents), (SELECT count(*) FROM crimes)").fetchone()
    finally:
        con.close()


def _load(db: Path, csv: Path) -> None:
    with publish.writing(db) as con:
        load_files(con, [csv], source_format="police-uk")


def test_each_write_publishes_a_new_copy_and_keeps_the_one_before(tmp_path):
    db = tmp_path / "asb.duckdb"
    assert publish.current(db) is None
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    first = publish.current(db)
    assert first == tmp_path / "published" / "asb.1.duckdb"
    assert (tmp_path / "published" / "asb.CURRENT").read_text().splitlines()[0] == "asb.1.duckdb"
    assert _counts(first) == (3, 2)

    _load(db, police_uk_csv(tmp_path / "feb.csv", "2025-02", 4, 1))
    _load(db, police_uk_csv(tmp_path / "mar.csv", "2025-03", 1, 1))
    third = publish.current(db)
    assert third == tmp_path / "published" / "asb.3.duckdb"
    assert _counts(third) == (3 + 4 + 1, 2 + 1 + 1)
    # the current copy and the one before it; the first is gone
    assert sorted(p.name for p in (tmp_path / "published").iterdir()) == ["asb.2.duckdb", "asb.3.duckdb",
                                                                         "asb.CURRENT"]
    assert _counts(tmp_path / "published" / "asb.2.duckdb") == (7, 3)


def test_a_write_that_changes_nothing_publishes_nothing(tmp_path):
    db = tmp_path / "asb.duckdb"
    jan = police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2)
    _load(db, jan)
    _load(db, jan)  # already loaded: nothing added
    with publish.writing(db):
        pass
    assert sorted(p.name for p in (tmp_path / "published").iterdir()) == ["asb.1.duckdb", "asb.CURRENT"]


def test_a_failed_write_publishes_nothing_and_leaves_the_copy(tmp_path):
    db = tmp_path / "asb.duckdb"
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    bad = police_uk_csv(tmp_path / "bad.csv", "2025-02", 1, 0,
                        extra=",31/02/2025,Kent Police,Kent Police,,,,,,Anti-social behaviour,,\n")
    with pytest.raises(RowsRefused):
        _load(db, bad)
    assert publish.current(db) == tmp_path / "published" / "asb.1.duckdb"
    assert _counts(publish.current(db)) == (3, 2)
    assert _counts(db) == (3, 2)


def test_an_open_reader_keeps_reading_a_removed_copy(tmp_path):
    db = tmp_path / "asb.duckdb"
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    reader = publish.reading(db)
    for month, n in (("2025-02", 4), ("2025-03", 5)):
        _load(db, police_uk_csv(tmp_path / f"{month}.csv", month, n, 0))
    assert not (tmp_path / "published" / "asb.1.duckdb").exists()  # removed under the reader
    assert reader.execute("SELECT count(*) FROM asb_incidents").fetchone() == (3,)
    reader.close()
    fresh = publish.reading(db)
    assert fresh.execute("SELECT count(*) FROM asb_incidents").fetchone() == (12,)
    fresh.close()


def test_a_partial_copy_and_copies_current_does_not_name_are_removed_by_the_next_publish(tmp_path):
    db = tmp_path / "asb.duckdb"
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    out = tmp_path / "published"
    (out / "asb.2.tmp").write_bytes(b"half a copy")  # a publish that crashed mid-copy
    (out / "asb.3.duckdb").write_bytes(b"renamed, but CURRENT never named it")
    (out / "other.1.duckdb").write_bytes(b"another database's copy")
    assert publish.current(db) == out / "asb.1.duckdb"
    _load(db, police_uk_csv(tmp_path / "feb.csv", "2025-02", 1, 0))
    assert publish.current(db) == out / "asb.4.duckdb"
    assert sorted(p.name for p in out.iterdir()) == ["asb.1.duckdb", "asb.4.duckdb", "asb.CURRENT",
                                                     "other.1.duckdb"]
    assert _counts(out / "asb.4.duckdb") == (4, 2)


def test_current_ignores_a_pointer_to_a_missing_or_foreign_file(tmp_path):
    db = tmp_path / "asb.duckdb"
    (tmp_path / "published").mkdir()
    pointer = tmp_path / "published" / "asb.CURRENT"
    pointer.write_text("asb.7.duckdb\n")
    assert publish.current(db) is None
    pointer.write_text("../asb.duckdb\n")
    assert publish.current(db) is None


def test_reading_uses_the_copy_and_falls_back_to_the_master(tmp_path):
    db = tmp_path / "asb.duckdb"
    con = store.connect(db)
    load_files(con, [police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2)], source_format="police-uk")
    con.close()
    master_only = publish.reading(db)  # an install from before publishing: the master, read-only
    assert master_only.execute("SELECT count(*) FROM asb_incidents").fetchone() == (3,)
    master_only.close()
    copy = publish.ensure_published(db)
    assert copy == tmp_path / "published" / "asb.1.duckdb"
    # while a writer holds the master, readers still read the copy
    writer = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        con = publish.reading(db)
        assert con.execute("SELECT count(*) FROM crimes").fetchone() == (2,)
        con.close()
        with pytest.raises(DatabaseBusy, match="one writer at a time"):
            publish.open_writer(db, wait=0.5)
    finally:
        writer.kill()
        writer.wait()


def test_a_crash_mid_copy_leaves_current_and_the_next_write_recovers(tmp_path):
    db = tmp_path / "asb.duckdb"
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    feb = police_uk_csv(tmp_path / "feb.csv", "2025-02", 4, 1)
    crashed = subprocess.run([sys.executable, "-m", "analytics", "ingest", "--db", str(db), str(feb)], cwd=ROOT,
                             env={**os.environ, publish.FAULT_ENV: "mid-copy"}, capture_output=True, text=True,
                             timeout=120)
    assert crashed.returncode == 70, crashed.stderr
    out = tmp_path / "published"
    tmp = out / "asb.2.tmp"
    assert tmp.exists() and 0 < tmp.stat().st_size < db.stat().st_size  # half written
    assert publish.current(db) == out / "asb.1.duckdb"
    assert _counts(publish.current(db)) == (3, 2)  # readers keep the version before
    assert _counts(db) == (7, 3)  # the load itself was committed
    # the next write cleans up and publishes everything committed
    _load(db, police_uk_csv(tmp_path / "mar.csv", "2025-03", 1, 0))
    assert sorted(p.name for p in out.iterdir()) == ["asb.1.duckdb", "asb.3.duckdb", "asb.CURRENT"]
    assert _counts(publish.current(db)) == (8, 3)


def _crashed_load(db: Path, csv: Path, fault: str) -> None:
    crashed = subprocess.run([sys.executable, "-m", "analytics", "ingest", "--db", str(db), str(csv)], cwd=ROOT,
                             env={**os.environ, publish.FAULT_ENV: fault}, capture_output=True, text=True,
                             timeout=120)
    assert crashed.returncode == 70, crashed.stderr


@pytest.mark.parametrize("fault", ["before-publish", "mid-copy"])
def test_a_write_its_writer_never_published_is_published_without_waiting_for_the_next_write(tmp_path, fault):
    db = tmp_path / "asb.duckdb"
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    assert not publish.behind(db)
    assert publish.catch_up(db) is None  # up to date: nothing is copied
    _crashed_load(db, police_uk_csv(tmp_path / "feb.csv", "2025-02", 4, 1), fault)
    out = tmp_path / "published"
    assert publish.current(db) == out / "asb.1.duckdb"
    assert _counts(publish.current(db)) == (3, 2)
    if fault == "before-publish":  # never checkpointed: the committed load is in the write-ahead log only
        assert (tmp_path / "asb.duckdb.wal").stat().st_size > 0
    assert publish.behind(db)

    # while a writer holds the master it is left to that writer
    with publish.writing(db):
        assert publish.catch_up(db) is None
    assert publish.current(db) != out / "asb.1.duckdb"  # that writer published the committed load
    assert _counts(publish.current(db)) == (7, 3)
    assert not publish.behind(db)
    assert publish.catch_up(db) is None


@pytest.mark.parametrize("fault", ["before-publish", "mid-copy"])
def test_a_reader_brings_the_copy_up_to_date_after_a_writer_that_did_not_publish(tmp_path, fault):
    db = tmp_path / "asb.duckdb"
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    _crashed_load(db, police_uk_csv(tmp_path / "feb.csv", "2025-02", 4, 1), fault)
    out = tmp_path / "published"
    copy = publish.catch_up(db)
    assert copy == publish.current(db) == (out / "asb.3.duckdb" if fault == "mid-copy" else out / "asb.2.duckdb")
    assert _counts(copy) == (7, 3)
    assert sorted(p.name for p in out.iterdir()) == ["asb.1.duckdb", copy.name, "asb.CURRENT"]  # no partial copy
    assert not publish.behind(db)
    assert publish.catch_up(db) is None

    # the command line's read-only commands do it too
    _crashed_load(db, police_uk_csv(tmp_path / "mar.csv", "2025-03", 1, 1), fault)
    con = publish.reading(db)
    try:
        assert con.execute("SELECT count(*) FROM asb_incidents").fetchone() == (8,)
    finally:
        con.close()
    assert not publish.behind(db)


def test_a_copy_readers_cannot_use_is_published_again(tmp_path):
    from analytics.domain import definitions

    db = tmp_path / "asb.duckdb"
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    first = publish.current(db)
    table = next(iter(definitions.reference_tables()))
    stale = duckdb.connect(str(first))  # as if made with other reference files
    stale.execute(f"DELETE FROM {table}")
    stale.close()
    assert publish.open_copy(first) is None
    con = publish.reading(db)  # the master is as the copy was made from, and still the copy is made again
    assert con.execute("SELECT count(*) FROM asb_incidents").fetchone() == (3,)
    assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    con.close()
    assert publish.current(db) == tmp_path / "published" / "asb.2.duckdb"


def test_the_dashboard_publishes_a_write_left_unpublished_off_its_page_runs_and_looks_only_now_and_then(tmp_path,
                                                                                                     monkeypatch):
    import threading

    from ui import session

    def look() -> None:
        session._catch_up(db)
        for t in [t for t in threading.enumerate() if t.name == "catch-up"]:
            t.join(timeout=60)

    db = tmp_path / "asb.duckdb"
    monkeypatch.setattr(session, "_caught_up_at", {})
    _load(db, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    look()  # up to date: nothing is published
    assert sorted(p.name for p in (tmp_path / "published").iterdir()) == ["asb.1.duckdb", "asb.CURRENT"]

    _crashed_load(db, police_uk_csv(tmp_path / "feb.csv", "2025-02", 4, 1), "before-publish")
    look()  # the last look was a moment ago: this run does not look again
    assert publish.current(db) == tmp_path / "published" / "asb.1.duckdb"
    session._caught_up_at[str(db)] -= session.CATCH_UP_EVERY
    look()
    assert publish.current(db) == tmp_path / "published" / "asb.2.duckdb"
    assert _counts(publish.current(db)) == (7, 3)
