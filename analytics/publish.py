"""One writer, immutable published copies: how loads run while dashboards serve.

The master file (store.resolve_db_path()) is opened read-write only for a write — a load, a roll-back, an edit —
by ``writing()``, which waits a bounded time for another writer to finish. When the write is done the master is
checkpointed and copied, whole, to ``<folder>/published/<name>.<seq>.duckdb`` (written as ``.tmp``, synced and
renamed), and the pointer file ``<folder>/published/<name>.CURRENT`` is replaced to name the new copy. Readers (the
dashboard, the command line's read-only commands) never open the master: they read CURRENT and open the copy it
names read-only, so every figure of one page run comes from one version, and a load never waits for a viewer.

A crash mid-publish leaves CURRENT naming the previous copy, which readers keep serving; the next writer removes the
partial file and publishes. Copies older than the previous one are removed (a reader that still has one open keeps
reading it: the file's space is freed when it closes).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import duckdb

from analytics import store
from analytics.errors import DashboardError, DatabaseBusy

log = logging.getLogger(__name__)

FOLDER = "published"
DEFAULT_WAIT = 60.0
# Fault injection for the crash tests: "mid-copy" ends the process after half the copy is written, "before-publish"
# once the write has committed, before its publish begins.
FAULT_ENV = "ASB_PUBLISH_FAULT"
_CHUNK = 8 * 1024 * 1024


def folder(master: Path) -> Path:
    return master.parent / FOLDER


def pointer(master: Path) -> Path:
    """The pointer file naming the current published copy of ``master``."""
    return folder(master) / f"{master.stem}.CURRENT"


def _read_pointer(master: Path) -> tuple[Path, str] | None:
    """(the copy CURRENT names, the master's state it was made from), or None when there is none."""
    try:
        lines = pointer(master).read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    if not lines or "/" in lines[0] or not lines[0].endswith(".duckdb"):
        return None
    return folder(master) / lines[0], (lines[1] if len(lines) > 1 else "")


def current(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The published copy readers open now, or None when there is none yet."""
    found = _read_pointer(store.resolve_db_path(path))
    return found[0] if found and found[0].exists() else None


def _master_state(master: Path) -> str:
    s = master.stat()
    return f"{s.st_size} {s.st_mtime_ns} {s.st_ino}"


def _wait() -> float:
    try:
        return max(0.0, float(os.environ.get("ASB_WRITE_WAIT", DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def open_writer(path: str | os.PathLike[str] | None = None, *, create: bool = True,
                wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """The master, read-write (upgraded, reference tables in step). While another process writes, tries again for up
    to ``wait`` seconds ($ASB_WRITE_WAIT, default 60), then refuses with DatabaseBusy."""
    deadline = time.monotonic() + (_wait() if wait is None else wait)
    while True:
        try:
            return store.connect(path, create=create)
        except DatabaseBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


_locks: dict[Path, threading.Lock] = {}
_locks_lock = threading.Lock()


def _process_lock(master: Path) -> threading.Lock:
    """One writer per process too: DuckDB gives a second connection in the same process the same database, so its
    file lock does not keep two threads (two dashboard sessions) from writing and publishing at once."""
    with _locks_lock:
        return _locks.setdefault(master.resolve(), threading.Lock())


@contextmanager
def writing(path: str | os.PathLike[str] | None = None, *, create: bool = True, wait: float | None = None,
            republish: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The master read-write for one write; when the block finishes, what it committed is published (with
    ``republish``, even when the master is as the current copy was made from: a reader found that copy unusable).
    On an exception nothing is published (the write's transaction rolled back, so the master is as it was)."""
    master = store.resolve_db_path(path)
    seconds = _wait() if wait is None else wait
    deadline = time.monotonic() + seconds
    lock = _process_lock(master)
    if not lock.acquire(timeout=seconds):
        raise DatabaseBusy("The database is in use", f"{master} is being written by another session of this "
                           f"dashboard, which did not finish within {seconds:g} seconds. Try again when it has "
                           "finished. Nothing was changed.")
    try:
        con = open_writer(master, create=create, wait=max(0.0, deadline - time.monotonic()))
        held = None
        try:
            yield con
            if os.environ.get(FAULT_ENV) == "before-publish":
                os._exit(70)  # a crash between the write's commit and its publish
            # read through a descriptor closed only after DuckDB's: closing any descriptor of a file ends the
            # process's POSIX lock on it, which would let another writer in while this one publishes
            held = open(master, "rb")
            publish(con, master, held, republish=republish)
        finally:
            con.close()
            if held is not None:
                held.close()
    finally:
        lock.release()


def publish(con: duckdb.DuckDBPyConnection, master: Path, source: BinaryIO, *, republish: bool = False) -> Path:
    """Checkpoint the master (held open read-write as ``con``, so no one else writes meanwhile) and publish a copy
    read from ``source`` (the master, opened for reading), unless the current copy was made from the master as it
    is. Returns the current copy."""
    con.execute("CHECKPOINT")
    wal = Path(f"{master}.wal")
    if wal.exists() and wal.stat().st_size:
        con.execute("FORCE CHECKPOINT")
    state = _master_state(master)
    found = _read_pointer(master)
    if found and found[1] == state and found[0].exists() and not republish:
        return found[0]
    out = folder(master)
    out.mkdir(exist_ok=True)
    previous = found[0] if found else None
    seq = 1 + max([_seq(master, p) for p in out.iterdir()] + [_seq(master, previous) if previous else 0])
    final = out / f"{master.stem}.{seq}.duckdb"
    tmp = out / f"{master.stem}.{seq}.tmp"
    _copy(source, os.fstat(source.fileno()).st_size, tmp)
    _check_copy(tmp)
    os.replace(tmp, final)
    _write_atomically(pointer(master), f"{final.name}\n{state}\n")
    _sync_folder(out)
    prune(master, keep={final, previous} - {None})
    return final


def _seq(master: Path, p: Path | None) -> int:
    m = re.fullmatch(rf"{re.escape(master.stem)}\.(\d+)\.(duckdb|tmp)", p.name) if p else None
    return int(m.group(1)) if m else 0


def prune(master: Path, *, keep: set[Path | None]) -> list[Path]:
    """Remove the published copies of ``master`` not in ``keep`` and any partial copy (a publish that crashed);
    returns what was removed. Only the writer calls it, holding the master, so no other publish is under way."""
    removed = []
    for p in folder(master).iterdir():
        if _seq(master, p) and p not in keep:
            try:
                p.unlink()
                removed.append(p)
            except FileNotFoundError:
                pass
    return removed


def _copy(source: BinaryIO, size: int, target: Path) -> None:
    with open(target, "wb") as dst:
        if os.environ.get(FAULT_ENV) == "mid-copy":
            os.sendfile(dst.fileno(), source.fileno(), 0, size // 2)
            os.fsync(dst.fileno())
            os._exit(70)  # a crash mid-publish: half the copy written, CURRENT untouched
        done = 0
        while done < size:
            sent = os.sendfile(dst.fileno(), source.fileno(), done, min(_CHUNK, size - done))
            if sent == 0:
                raise OSError(f"the database ended at byte {done} of {size} while it was copied")
            done += sent
        os.fsync(dst.fileno())


def _check_copy(copy: Path) -> None:
    """Open the copy read-only once, so a bad copy is never published."""
    con = duckdb.connect(str(copy), read_only=True)
    try:
        store.schema_version(con)
    finally:
        con.close()


def _write_atomically(target: Path, text: str) -> None:
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def _sync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_copy(copy: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to a published copy, or None when the copy is out of date (made by an older program,
    or its reference tables differ from the reference files): a writer then republishes."""
    con = duckdb.connect(str(copy), read_only=True)
    if store.schema_version(con) != store.SCHEMA_VERSION or store.reference_changes(con):
        con.close()
        return None
    return con


def ensure_published(path: str | os.PathLike[str] | None = None) -> Path:
    """The current copy, publishing one first when there is none or it is out of date."""
    copy = current(path)
    if copy is not None:
        con = open_copy(copy)
        if con is not None:
            con.close()
            return copy
    with writing(path, create=False, republish=True):
        pass
    copy = current(path)
    assert copy is not None
    return copy


def behind(path: str | os.PathLike[str] | None = None) -> bool:
    """Whether the master holds something the current copy lacks: it changed since the copy was made, or its
    write-ahead log holds committed writes. True while a writer is at work, and after a writer ended between its
    commit and its publish (a crash); a stat or two, cheap enough for every page run."""
    master = store.resolve_db_path(path)
    found = _read_pointer(master)
    if found is None:
        return False
    try:
        state = _master_state(master)
    except FileNotFoundError:
        return False
    wal = Path(f"{master}.wal")
    return found[1] != state or (wal.exists() and wal.stat().st_size > 0)


def catch_up(path: str | os.PathLike[str] | None = None) -> Path | None:
    """After a writer ended between its commit and its publish, publish what the master holds, so readers do not
    wait for the next write to see it. Does nothing when the copy is up to date, or when a writer holds the master
    now (it publishes when it finishes). Returns the copy it published, or None."""
    if not behind(path):
        return None
    before = current(path)
    try:
        with writing(path, create=False, wait=0):
            pass
    except DatabaseBusy:
        return None
    after = current(path)
    return after if after != before else None  # another process may have published it first


def reading(path: str | os.PathLike[str] | None = None, *, create: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection for a command that only reads: the published copy when there is one (so it runs
    during a load; brought up to date first after a writer that did not publish), else the master itself
    (``create``: as store.connect)."""
    try:
        catch_up(path)
    except (DashboardError, duckdb.Error, OSError) as e:  # a reader that may not write still reads the copy there is
        log.warning("the published copy could not be brought up to date: %s", e)
    copy = current(path)
    if copy is not None:
        con = open_copy(copy)
        if con is not None:
            return con
        return open_copy(ensure_published(path)) or store.connect(path, create=False, read_only=True)
    return store.connect(path, create=create, read_only=not create)
