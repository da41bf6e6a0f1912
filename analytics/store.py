"""The only module that opens DuckDB: where the file is, its schema and upgrades, transactions, reference sync.

One read-write process may hold a DuckDB file at a time. A second writer gets DatabaseBusy, which names the
process holding the file and says what to do, instead of DuckDB's raw lock error.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb

from analytics.domain import definitions
from analytics.domain.callers import CALLER_KEY_SQL
from analytics.errors import DashboardError, DatabaseBusy

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "asb.duckdb"
SCHEMA_SQL = Path(__file__).with_name("sql") / "schema.sql"

# Each entry upgrades a file from the version before it; schema.sql (idempotent) then adds anything new.
SCHEMA_VERSION = 3
MIGRATIONS: dict[int, list[str]] = {
    2: [
        "ALTER TABLE batches ADD COLUMN warnings VARCHAR[] DEFAULT []",
        "ALTER TABLE batches ALTER COLUMN warnings SET NOT NULL",
    ],
    # Casework: the caller key of every incident already loaded; schema.sql then adds its index, the case review
    # register, its audit trail and the casework settings.
    3: [
        # IF EXISTS: a file older than the incident table gets it, key column and all, from schema.sql
        "ALTER TABLE IF EXISTS asb_incidents ADD COLUMN IF NOT EXISTS caller_key VARCHAR",
        # a rewrite of the column, not an UPDATE: DuckDB cannot index a column with updates pending in the same
        # transaction, and schema.sql creates the index next
        f"ALTER TABLE IF EXISTS asb_incidents ALTER COLUMN caller_key SET DATA TYPE VARCHAR USING {CALLER_KEY_SQL}",
    ],
}


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: the argument, else $ASB_DB, else data/asb.duckdb."""
    if path:
        return Path(path)
    return Path(os.environ.get("ASB_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating or upgrading) the database. ``":memory:"`` gives a fresh in-memory database."""
    target = ":memory:" if str(path) == ":memory:" else str(resolve_db_path(path))
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as e:
        raise _busy_error(target, e) from e
    except duckdb.Error as e:
        raise DashboardError("Cannot open the database", f"{target} could not be opened as a DuckDB file: {e}") from e
    if not read_only:
        migrate(con)
        sync_reference(con)
    return con


def _busy_error(target: str, error: Exception) -> DashboardError:
    text = str(error)
    if "lock" not in text.lower():
        return DashboardError("Cannot open the database", f"{target}: {text}")
    holder = re.search(r"held in (.+?) \(PID (\d+)\)", text)
    who = f"process {holder.group(2)} ({holder.group(1)})" if holder else "another process"
    return DatabaseBusy(
        "The database is in use",
        f"{target} is open for writing by {who}, probably the dashboard or a load from the command line. A "
        "database file has one writer at a time: while the dashboard runs, load files through its Upload page; "
        "otherwise stop that process and try again. Nothing was changed.",
    )


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema to SCHEMA_VERSION in one transaction; returns the version found before."""
    found = schema_version(con)
    if found > SCHEMA_VERSION:
        raise DashboardError(
            "Database is newer than this program",
            f"The file has schema version {found}; this program knows up to {SCHEMA_VERSION}. Upgrade the program.",
        )
    if found == SCHEMA_VERSION:
        return found
    with transaction(con):
        if found:
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, []):
                    con.execute(statement)
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])
    return found


def sync_reference(con: duckdb.DuckDBPyConnection) -> bool:
    """Make the ref_* tables equal the reference files; returns True if anything changed."""
    changed = False
    for table, rows in definitions.reference_tables().items():
        current = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # table from a fixed list
        if sorted(current) == sorted(rows):
            continue
        with transaction(con):
            con.execute(f"DELETE FROM {table}")
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        changed = True
    return changed


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit if the block finishes, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes after every load, replacement, roll-back, reference edit or change to the case review
    register (each adds a row to its audit trail): the cache key."""
    batches = con.execute(
        "SELECT count(*), coalesce(max(id), 0), max(rolled_back_at), count(*) FILTER (WHERE status <> 'loaded') "
        "FROM batches"
    ).fetchone()
    reference = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in definitions.reference_tables()]
    try:
        register = con.execute("SELECT count(*), coalesce(max(id), 0) FROM case_review_changes").fetchall()
    except duckdb.CatalogException:  # an older file opened read-only, not upgraded: no register yet
        register = None
    return hashlib.sha256(repr((batches, reference, register)).encode()).hexdigest()[:16]


def sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Sources with live rows, police.uk first then by name."""
    rows = con.execute(
        "SELECT source FROM (SELECT DISTINCT source FROM asb UNION SELECT DISTINCT source FROM crime) "
        "ORDER BY source <> ?, source",
        [definitions.POLICE_UK_SOURCE],
    ).fetchall()
    return [r[0] for r in rows]


SQL_DIR = Path(__file__).with_name("sql")


@cache
def sql(name: str) -> str:
    """The text of analytics/sql/<name>.sql (e.g. 'figures/month_counts')."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
