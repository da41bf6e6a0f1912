"""With analytics.publish, the only modules that open DuckDB: where the file is, its schema and upgrades, transactions,
reference sync.

One read-write process may hold a DuckDB file at a time. A second writer gets DatabaseBusy, which names the
process holding the file and says what to do, instead of DuckDB's raw lock error. Writers go through
analytics.publish, which waits for the file and publishes a read-only copy after each write; readers open that copy.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from analytics.domain import definitions
from analytics.domain.callers import CALLER_KEY_SQL
from analytics.domain.periods import month_date
from analytics.errors import DashboardError, DatabaseBusy, InputRefused, NotFound

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "asb.duckdb"
SCHEMA_SQL = Path(__file__).with_name("sql") / "schema.sql"



def _batches_ddl() -> str:
    """schema.sql's CREATE TABLE batches statement. DuckDB cannot alter a CHECK constraint, so a migration that
    widens the kinds or formats a batch may have rebuilds the table from it."""
    text = SCHEMA_SQL.read_text(encoding="utf-8")
    start = text.index("CREATE TABLE IF NOT EXISTS batches")
    return text[start : text.index("\n);", start) + 3]


def rebuild_batches() -> list[str]:
    """Statements that rebuild batches with schema.sql's definition, keeping every row and the id sequence."""
    return ["ALTER TABLE batches RENAME TO batches_before_rebuild", _batches_ddl(),
            "INSERT INTO batches BY NAME SELECT * FROM batches_before_rebuild", "DROP TABLE batches_before_rebuild"]


# Each entry upgrades a file from the version before it; schema.sql (idempotent) then adds anything new.
SCHEMA_VERSION = 8
MIGRATIONS: dict[int, list[str]] = {
    2: [
        "ALTER TABLE batches ADD COLUMN warnings VARCHAR[] DEFAULT []",
        "ALTER TABLE batches ALTER COLUMN warnings SET NOT NULL",
    ],
    # The force of a police.uk batch, so a file of another force is refused; older batches have none.
    3: ["ALTER TABLE batches ADD COLUMN force VARCHAR"],
    # The interventions register: a new sequence and table only, which schema.sql creates.
    4: [],
    # Casework: the caller key of every incident already loaded; schema.sql then adds its index, the case review
    # register, its audit trail and the casework settings.
    5: [
        # IF EXISTS: a file older than the incident table gets it, key column and all, from schema.sql
        "ALTER TABLE IF EXISTS asb_incidents ADD COLUMN IF NOT EXISTS caller_key VARCHAR",
        # a rewrite of the column, not an UPDATE: DuckDB cannot index a column with updates pending in the same
        # transaction, and schema.sql creates the index next
        f"ALTER TABLE IF EXISTS asb_incidents ALTER COLUMN caller_key SET DATA TYPE VARCHAR USING {CALLER_KEY_SQL}",
    ],
    # Measures files (kind and format 'measures'); their table measure_values comes from schema.sql.
    6: rebuild_batches(),
    # police.uk outcomes files: batches of a new kind and format, and their table outcome_events from schema.sql;
    # outcomes carry a pending flag (ref_outcomes is made again by schema.sql and refilled by sync_reference).
    7: [*rebuild_batches(), "DROP TABLE IF EXISTS ref_outcomes"],
    # Monthly aggregates (AGGREGATE_TABLES) and their version: new tables only, which schema.sql creates; migrate()
    # then builds them from the rows already loaded.
    8: [],
}
# Run after schema.sql, once its tables exist (a file that old may have none of them before).
AFTER_SCHEMA: dict[int, list[str]] = {
    # "Awaiting court outcome" became an outcome of its own (solved and pending): rows loaded before keep their text
    # and take its code, as the loader now gives it.
    7: ["UPDATE crimes SET outcome_code = 'Awaiting court outcome' "
        "WHERE outcome_code = '1' AND lower(trim(outcome)) = 'awaiting court outcome'"],
}


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: the argument, else $ASB_DB, else data/asb.duckdb."""
    if path:
        return Path(path)
    return Path(os.environ.get("ASB_DB") or DEFAULT_DB)


def connect(
    path: str | os.PathLike[str] | None = None, *, create: bool = True, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the database, upgraded and with its reference tables in step. ``":memory:"`` gives a fresh in-memory
    database.

    ``create``: a missing file (and its folder) is created; with ``create=False`` a missing database is refused
    (NotFound) and nothing is created, for commands that must find existing data. ``read_only``: for commands
    that only read; a file that needs an upgrade or a reference sync gets it first from a short read-write open.
    A path inside a file, or naming a folder, is refused (InputRefused) before anything is created.
    """
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
        migrate(con)
        sync_reference(con)
        return con
    target = resolve_db_path(path)
    _check_location(target)
    if not target.exists():
        if not create or read_only:
            raise NotFound(
                "No database",
                f"No database at {target}: nothing has been loaded there. Check --db (or ASB_DB); "
                "`python -m analytics ingest` or `demo` creates a database. Nothing was created.",
            )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputRefused("Cannot create the database",
                               f"The folder for {target} cannot be created: {e.strerror or e}.") from e
    con = _open(target, read_only=read_only)
    found = schema_version(con)
    if found == 0 and not create:
        con.close()
        raise NotFound("No dashboard data", f"{target} is a DuckDB file that holds no dashboard data. Check --db "
                       "(or ASB_DB). Nothing was changed.")
    if not read_only:
        migrate(con)
        sync_reference(con)
        return con
    if found != SCHEMA_VERSION or reference_changes(con):
        con.close()
        connect(target, create=False).close()
        con = _open(target, read_only=True)
    return con


def _check_location(target: Path) -> None:
    """Refuse a database path that names a folder or lies inside a file, with a message instead of a traceback."""
    if target.is_dir():
        raise InputRefused("Not a database file", f"{target} is a folder, not a database file. Give the file's "
                           f"path, e.g. {target / 'asb.duckdb'}. Nothing was created.")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputRefused(
                    "Cannot use that database path",
                    f"{parent} is a file, not a folder, so {target} cannot be a database. Check --db (or "
                    "ASB_DB). Nothing was created.",
                )
            return


def _open(target: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as e:
        raise _busy_error(str(target), e) from e
    except duckdb.Error as e:
        raise InputRefused("Cannot open the database",
                           f"{target} could not be opened as a DuckDB file: {e}. Nothing was changed.") from e


def _busy_error(target: str, error: Exception) -> DashboardError:
    text = str(error)
    if "lock" not in text.lower():
        return InputRefused("Cannot open the database", f"{target} could not be opened: {text}. Nothing was changed.")
    holder = re.search(r"held in (.+?) \(PID (\d+)\)", text)
    who = f"process {holder.group(2)} ({holder.group(1)})" if holder else "another process"
    return DatabaseBusy(
        "The database is in use",
        f"{target} is open for writing by {who}: another load, roll-back or change, from the command line or the "
        "dashboard. A database file has one writer at a time, and that one did not finish within the wait "
        "($ASB_WRITE_WAIT seconds, default 60). Try again when it has finished. Nothing was changed.",
    )


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if not scalar(con, sql("store/schema_exists")):
        return 0
    return int(scalar(con, sql("store/schema_version")))


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
        if found:
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in AFTER_SCHEMA.get(version, []):
                    con.execute(statement)
        if found and found < AGGREGATES_SINCE:
            refresh_aggregates(con)
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])
    return found


def reference_changes(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """The ref_* tables whose rows differ from the reference files, with the files' rows."""
    changes = {}
    for table, rows in definitions.reference_tables().items():
        current = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # table from a fixed list
        if sorted(current) != sorted(rows):
            changes[table] = rows
    return changes


def sync_reference(con: duckdb.DuckDBPyConnection) -> bool:
    """Make the ref_* tables equal the reference files, in one transaction with the rebuild of the aggregates
    when a file that classifies crimes changed (CLASSIFYING), else a new aggregates version (figures kept from the
    old rules are worked out again); returns True if anything changed."""
    changes = reference_changes(con)
    if not changes:
        return False
    with transaction(con):
        for table, rows in changes.items():
            con.execute(f"DELETE FROM {table}")
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        if CLASSIFYING & set(changes):
            refresh_aggregates(con)
        else:  # the figures join the others when they read the aggregates: what they worked out is out of date
            con.execute(sql("aggregates/version_up"))
    return True


# The aggregates (schema.sql) and their statements (sql/aggregates/<table>.sql), and the version that added them.
AGGREGATE_TABLES = ("fact_months", "asb_monthly", "crime_monthly", "crime_outcomes", "crime_solved")
AGGREGATES_SINCE = 8
# Reference tables an aggregate's rows depend on (crime type, victim-based, solved, pending, outcome group); the
# others are joined when the aggregates are read.
CLASSIFYING = frozenset({"ref_offence_groups", "ref_outcomes"})

Slices = Mapping[str, Iterable[str] | None]


def refresh_aggregates(con: duckdb.DuckDBPyConnection, slices: Slices | None = None) -> None:
    """Rebuild the aggregates of the slices given, {source: months ('YYYY-MM'), or None for all its months}, or of
    everything (None), from the live rows: the same GROUP BY the figures would run over the fact tables. Run inside
    the transaction that changed the rows, after the change (every load, replacement, roll-back, reference edit)."""
    targets: list[tuple[str | None, list[Any] | None]]
    if slices is None:
        targets = [(None, None)]
    else:
        targets = [(source, None if months is None else sorted({month_date(m) for m in months}))
                   for source, months in sorted(slices.items())]
    targets = [(source, months) for source, months in targets if months != []]
    if not targets:  # nothing changed (a file already loaded): the copy readers have stays current
        return
    for source, months in targets:
        params = {"source": source, "months": months}
        for table in AGGREGATE_TABLES:
            con.execute(sql("aggregates/delete").format(table=table), params)
            con.execute(sql(f"aggregates/{table}"), params)
    con.execute(sql("aggregates/version_up"))


_in_transaction: set[int] = set()  # id() of the connections inside transaction() now


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit if the block finishes, roll back on any exception. Inside another transaction() on
    the same connection the block joins it, so steps that are each all or nothing (a load, an application to the
    register) can also be made all or nothing together."""
    if id(con) in _in_transaction:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _in_transaction.add(id(con))
    try:
        yield con
    except BaseException:
        _in_transaction.discard(id(con))
        con.execute("ROLLBACK")
        raise
    _in_transaction.discard(id(con))
    con.execute("COMMIT")


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes after every load, replacement, roll-back, reference edit or change to a register (the
    interventions register re-baselines and marks the charts; the case review register adds a row to its audit
    trail for every change): the cache key."""
    return versions(con).whole


@dataclass(frozen=True)
class Versions:
    """The data version, and its parts: what one source's figures depend on changes only with that source's own
    incident and crime loads and with what every figure depends on (shared), so a load into one source leaves the
    figures of every other source as they were."""

    whole: str
    shared: str  # reference files, the registers and their settings, and the loads of outcomes and measures
    sources: Mapping[str, str]  # source -> the state of its incident and crime loads

    def of(self, source: str) -> str:
        """The version of one source's figures (a source with nothing loaded has one too: it may be loaded)."""
        return f"{self.shared}.{self.sources.get(source, 'none')}"


def _token(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def versions(con: duckdb.DuckDBPyConnection) -> Versions:
    """The data version and its parts (Versions), read in one go."""
    batches = one(con, sql("store/batch_state"))
    shared_batches = one(con, sql("store/shared_batch_state"))
    by_source = {str(row[0]): _token(row[1:]) for row in con.execute(sql("store/source_batch_state")).fetchall()}
    reference = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in definitions.reference_tables()]
    registers: list[tuple[Any, ...] | None] = []
    for query in ("store/interventions_state", "store/case_reviews_state"):
        try:
            registers.append(one(con, sql(query)))
        except duckdb.CatalogException:  # an older file opened read-only, not upgraded: no register yet
            registers.append(None)
    return Versions(_token((batches, reference, registers)), _token((shared_batches, reference, registers)),
                    by_source)


SQL_DIR = Path(__file__).with_name("sql")


@cache
def sql(name: str) -> str:
    """The text of analytics/sql/<name>.sql (e.g. 'figures/month_counts')."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def one(con: duckdb.DuckDBPyConnection, query: str, params: Sequence[object] | None = None) -> tuple[Any, ...]:
    """The one row a query returns (an aggregate, a lookup by key), fetched fully."""
    rows = con.execute(query, params or []).fetchall()
    if len(rows) != 1:
        raise DashboardError("Unexpected result", f"A query expected to return one row returned {len(rows)}.")
    return tuple(rows[0])


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: Sequence[object] | None = None) -> Any:
    """The first value of the one row a query returns."""
    return one(con, query, params)[0]
