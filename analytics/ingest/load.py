"""Loading staged files into the store: batches, month replacement, roll-back and the audit trail.

The rules (DESIGN §3): a command's files load in one transaction, all or none; loading the same file again adds
nothing; months already loaded for a source and kind are refused unless ``replace`` is asked for, and then the
old rows are kept but marked replaced (so rolling back the new batch brings them back); invalid rows refuse the
whole file unless ``accept_valid_rows``, when they are kept in ``rejected_rows``.

Nothing doubled, nothing silently lost: two files of one load may not hold the same month of a source and kind
(the second would replace the first); a reference (incident_ref, crime_ref, a police.uk Crime ID) already live for
the source, in an earlier file of the load or an earlier batch, is a problem on the row that repeats it, unless
the month holding it is being replaced. A police.uk source holds one force: a file of another force is refused.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from analytics import store
from analytics.domain.access import current_user
from analytics.domain.callers import CALLER_KEY_SQL
from analytics.domain.periods import month_runs
from analytics.errors import DashboardError, InputRefused, NotFound
from analytics.ingest import validate
from analytics.ingest.detect import POLICE_UK_FORMATS
from analytics.ingest.messages import clip
from analytics.ingest.names import check_source_name
from analytics.ingest.readers import Problem, Staged, read_file
from analytics.measures import storing as measures_storing
from analytics.measures.reading import MEASURES

Progress = Callable[[float, str], None]

# Fact table and its staged columns for each kind; the staged tables hold exactly these columns.
FACT_COLUMNS: dict[str, tuple[str, list[str]]] = {
    "asb": (
        "asb_incidents",
        ["source_row", "incident_ref", "reported_date", "month", "district", "call_type", "location", "lsoa_code",
         "latitude", "longitude", "caller_ref", "vulnerable", "repeat_caller"],
    ),
    "crime": (
        "crimes",
        ["source_row", "crime_ref", "recorded_date", "month", "district", "offence_group", "victim_based", "outcome",
         "outcome_code", "outcome_date", "location", "lsoa_code", "latitude", "longitude"],
    ),
    "outcomes": (
        "outcome_events",
        ["source_row", "crime_ref", "month", "outcome_date", "outcome", "outcome_code", "district", "location",
         "lsoa_code", "latitude", "longitude"],
    ),
}
# The caller key (analytics.domain.callers) of a reference that is ASCII with no white space is the reference in
# capitals: DuckDB's upper() then gives the rule's key without its regular expression replace and translate, which
# cost about a tenth of a force extract's load. Other references go through the rule's own SQL.
CALLER_KEY_FAST_SQL = (r"CASE WHEN strlen(caller_ref) = length(caller_ref) AND NOT regexp_matches(caller_ref, "
                       rf"'[ \t\n\r\f\v]') THEN nullif(upper(caller_ref), '') ELSE {CALLER_KEY_SQL} END")
# Columns worked out from the staged ones as rows are stored: the caller key, so a lookup is an index probe.
DERIVED_COLUMNS: dict[str, dict[str, str]] = {"asb": {"caller_key": CALLER_KEY_FAST_SQL}}
KIND_LABEL = {"asb": "ASB", "crime": "crime", "outcomes": "outcomes"}
REF_COLUMN = {"asb": "incident_ref", "crime": "crime_ref"}  # the reference each kind's rows carry
PROBLEMS_SHOWN = 20


@dataclass
class LoadResult:
    """What happened to one file."""

    file: str
    status: str  # 'loaded' | 'already loaded'
    batch_id: int | None
    source: str
    format: str
    kind: str
    sha256: str
    size_bytes: int
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    months: list[str] = field(default_factory=list)
    replaced_batches: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.status == "already loaded":
            return (f"{self.file} is already loaded (batch {self.batch_id}, source {self.source}); "
                    "nothing was added.")
        text = (f"{self.file}: loaded as batch {self.batch_id} (source {self.source}, {describe_months(self.months)}): "
                f"{self.rows_read:,} rows read, {self.rows_loaded:,} loaded, {self.rows_rejected:,} rejected.")
        if self.replaced_batches:
            what = "values" if self.kind == MEASURES else "months"
            text += f" Replaced the same {what} from batch " + ", ".join(map(str, self.replaced_batches)) + "."
        return text


class RowsRefused(InputRefused):
    """A file refused for invalid rows; ``problems`` holds every one of them, for the screen and a CSV download."""

    def __init__(self, title: str, message: str, problems: list[Problem]) -> None:
        super().__init__(title, message)
        self.problems = problems


def file_digest(path: Path) -> tuple[str, int]:
    """The file's sha256 (hex) and size in bytes, read in blocks so memory stays flat."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def describe_months(months: Sequence[str]) -> str:
    """'2025-01' -> 'January 2025'; several -> 'January – March 2025 (3 months)', gaps shown as separate runs."""
    if not months:
        return "no months"
    count = len(set(months))
    return month_runs(months) if count == 1 else f"{month_runs(months)} ({count} months)"


def format_problems(problems: Sequence[Problem], limit: int = PROBLEMS_SHOWN) -> str:
    lines = []
    for p in problems[:limit]:
        where = f"row {p.row}" if p.row is not None else "file"
        column = f", column '{clip(p.column)}'" if p.column else ""
        value = f", value '{clip(p.value)}'" if p.value not in (None, "") else ""
        lines.append(f"  {where}{column}{value}: {p.reason}")
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit:,} more problems.")
    return "\n".join(lines)


def _already_loaded(con: duckdb.DuckDBPyConnection, sha256: str, source_name: str | None) -> tuple[Any, ...] | None:
    row = con.execute(
        "SELECT id, source, format, kind FROM batches WHERE sha256 = ? AND status IN ('loaded', 'partly replaced') "
        "AND (? IS NULL OR source = ?) ORDER BY id LIMIT 1",
        [sha256, source_name, source_name],
    ).fetchall()
    return row[0] if row else None


def _conflicts(
    con: duckdb.DuckDBPyConnection, source: str, months: dict[str, list[str]]
) -> dict[str, list[tuple[Any, ...]]]:
    """Live rows of this source in the file's months, per kind: [(batch_id, month, file_name)]."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for kind, kind_months in months.items():
        if not kind_months:
            continue
        table = FACT_COLUMNS[kind][0]
        rows = con.execute(
            f"SELECT DISTINCT f.batch_id, strftime(f.month, '%Y-%m') AS m, b.file_name FROM {table} f "
            "JOIN batches b ON b.id = f.batch_id "
            "WHERE f.source = ? AND f.replaced_by IS NULL AND list_contains(?, strftime(f.month, '%Y-%m')) "
            "ORDER BY m, f.batch_id",
            [source, kind_months],
        ).fetchall()
        if rows:
            found[kind] = rows
    return found


def _refresh_status(con: duckdb.DuckDBPyConnection, batch_ids: Sequence[int]) -> None:
    """Set 'loaded' / 'partly replaced' / 'replaced' from how many of each batch's rows are still live."""
    for batch_id in batch_ids:
        live, total = con.execute(
            "SELECT count(*) FILTER (WHERE replaced_by IS NULL), count(*) FROM ("
            "SELECT replaced_by FROM asb_incidents WHERE batch_id = ? "
            "UNION ALL SELECT replaced_by FROM crimes WHERE batch_id = ? "
            "UNION ALL SELECT replaced_by FROM outcome_events WHERE batch_id = ? "
            "UNION ALL SELECT replaced_by FROM measure_values WHERE batch_id = ?)",
            [batch_id, batch_id, batch_id, batch_id],
        ).fetchall()[0]
        status = "loaded" if live == total else ("replaced" if live == 0 else "partly replaced")
        con.execute("UPDATE batches SET status = ? WHERE id = ? AND status <> 'rolled back'", [status, batch_id])


def force_conflict(con: duckdb.DuckDBPyConnection, source: str, force: str | None, name: str) -> InputRefused | None:
    """The refusal for a police.uk file of ``force`` when ``source`` already holds another force's rows, else
    None. Batches loaded before the force was recorded (schema 2) have none and are not compared."""
    if force is None:
        return None
    held = [r[0] for r in con.execute(
        "SELECT DISTINCT force FROM batches WHERE source = ? AND status IN ('loaded', 'partly replaced') "
        "AND force IS NOT NULL AND force <> ? ORDER BY force",
        [source, force],
    ).fetchall()]
    if not held:
        return None
    return InputRefused(
        "Another force's file",
        f"{name} is a police.uk file of {clip(force)}, but source '{clip(source)}' holds {clip(' and '.join(held))}. "
        "A police.uk source holds one force, so nothing was loaded. To load it as a source of its own, give it a "
        "name: --name NAME on the command line, or the source name for police.uk files on the Upload page.",
    )


def format_conflict(con: duckdb.DuckDBPyConnection, source: str, fmt: str, name: str) -> InputRefused | None:
    """The refusal for a file of ``fmt`` when ``source`` holds live rows of the other family (police.uk files,
    street-level or outcomes, against force extracts): their figures are counted differently and are never added
    together."""
    police = fmt in POLICE_UK_FORMATS
    clash = con.execute(
        "SELECT id, file_name FROM batches WHERE source = ? AND status IN ('loaded', 'partly replaced') "
        "AND list_contains(?, format) <> ? ORDER BY id LIMIT 1",
        [source, list(POLICE_UK_FORMATS), police],
    ).fetchall()
    if not clash:
        return None
    batch_id, file_name = clash[0]
    this, other = ("a police.uk file", "force extracts") if police else ("a force extract", "police.uk files")
    return InputRefused(
        "Source holds another kind of file",
        f"{name} is {this}, but source '{clip(source)}' holds {other} (batch {batch_id}, {file_name}). Figures "
        "from the two are never added together: give this file a source name of its own.",
    )


def _month_clash(staged: Staged, source: str, name: str, seen: dict[tuple[str, str, str], str]) -> None:
    """Refuse a file holding a month of the source and kind that an earlier file of the same load holds."""
    clashes: dict[str, list[str]] = {}
    for kind, months in staged.months.items():
        for month in months:
            other = seen.get((source, kind, month))
            if other is not None:
                clashes.setdefault(other, []).append(f"{KIND_LABEL[kind]} {describe_months([month])}")
    if clashes:
        other, what = next(iter(clashes.items()))
        raise InputRefused(
            "The same month in two files",
            f"{other} and {name} both hold {', '.join(what)} for source '{clip(source)}'. One load cannot hold a "
            "month twice: the second file would replace the first. Combine them into one file holding the whole "
            "month (every district), or load them as separate sources. Nothing was loaded.",
        )


def duplicate_refs(
    con: duckdb.DuckDBPyConnection, staged: Staged, source: str, replaced: dict[str, list[str]], this_load: set[int],
) -> list[Problem]:
    """Staged rows whose reference is already live for the source (an earlier file of this load or an earlier
    batch), outside the months this file replaces (``replaced``: kind -> 'YYYY-MM'): one problem per row, naming
    the first such row."""
    problems = []
    file_column = {canon: col for col, canon in staged.mapping.items()}
    for kind, table in (("asb", staged.asb_table), ("crime", staged.crime_table)):
        if not table:
            continue
        ref = REF_COLUMN[kind]
        rows = con.execute(
            f"SELECT s.source_row, s.{ref}, f.batch_id, b.file_name, f.source_row "
            f"FROM {table} s JOIN {FACT_COLUMNS[kind][0]} f ON f.{ref} = s.{ref} "
            "JOIN batches b ON b.id = f.batch_id "
            "WHERE f.source = ? AND f.replaced_by IS NULL AND s.{ref} IS NOT NULL "
            "AND NOT list_contains(?, strftime(f.month, '%Y-%m')) "
            "QUALIFY row_number() OVER (PARTITION BY s.source_row ORDER BY f.batch_id, f.source_row) = 1 "
            "ORDER BY s.source_row".replace("{ref}", ref),
            [source, replaced.get(kind, [])],
        ).fetchall()
        column = "Crime ID" if staged.format == "police-uk" else file_column.get(ref, ref)
        for row, value, batch_id, file_name, other_row in rows:
            where = (f"{file_name} (row {other_row}) in this same load" if batch_id in this_load else
                     f"batch {batch_id} ({file_name}, row {other_row})")
            reason = (f"The reference is already loaded for source '{clip(source)}' in {where}: each "
                      f"{'incident' if kind == 'asb' else 'crime'} is loaded once. Remove the row, or if this file "
                      "corrects that one, load it with --replace for the same months.")
            problems.append(Problem(row, column, value[:200], reason))
    return problems


def _load_one(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    display_name: str,
    source_format: str,
    source_name: str | None,
    sheet: str | None,
    replace: bool,
    accept_valid_rows: bool,
    loaded_by: str,
    mapping: dict[str, str] | None,
    progress: Progress,
    seen: dict[tuple[str, str, str], str],
    this_load: set[int],
) -> LoadResult:
    wanted = None if source_name is None else check_source_name(source_name, None)
    # The digest is worked out while the file is read (hashing and DuckDB both run outside the GIL). A read that
    # fails may have aborted the transaction, so nothing else is asked of the database then: a file that loaded
    # before cannot fail to read now.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(file_digest, path)
        staged: Staged = read_file(con, path, source_format=source_format, sheet=sheet, mapping=mapping,
                                   progress=lambda f, m: progress(0.8 * f, m))
        sha256, size = digest.result()
    previous = _already_loaded(con, sha256, wanted)
    if previous:
        batch_id, source, fmt, kind = previous
        return LoadResult(display_name, "already loaded", batch_id, source, fmt, kind, sha256, size)
    if staged.format == MEASURES:
        from analytics.ingest.measures_file import store_measures

        return store_measures(con, staged, display_name=display_name, sha256=sha256, size=size, source=wanted,
                              replace=replace, accept_valid_rows=accept_valid_rows, loaded_by=loaded_by,
                              progress=progress, this_load=this_load)

    source = check_source_name(wanted, staged.format)
    refusal = format_conflict(con, source, staged.format, display_name)
    if staged.format in POLICE_UK_FORMATS:
        refusal = refusal or force_conflict(con, source, staged.force, display_name)
    if refusal:
        raise refusal
    _month_clash(staged, source, display_name, seen)

    # References live for the source are problems on this file's rows. Leaving such rows out can empty a month,
    # which then replaces nothing, so the check repeats until the months hold still.
    while True:
        months = {kind: m for kind, m in staged.months.items() if m}
        conflicts = _conflicts(con, source, months)
        replacing = {kind: sorted({m for _, m, _ in rows}) for kind, rows in conflicts.items()}
        doubled = duplicate_refs(con, staged, source, replacing, this_load)
        if not doubled:
            break
        validate.exclude_rows(con, [p.row for p in doubled if p.row is not None])
        staged.problems = sorted([*staged.problems, *doubled], key=lambda p: p.row or 0)
        staged.rows_rejected = len({p.row for p in staged.problems})
        staged.months = validate.staged_months(con, {"asb": staged.asb_table, "crime": staged.crime_table})

    rows_valid = staged.rows_read - staged.rows_rejected
    if staged.problems and not accept_valid_rows:
        raise RowsRefused(
            "File refused: invalid rows",
            f"{display_name} has {staged.rows_rejected:,} invalid {'row' if staged.rows_rejected == 1 else 'rows'} "
            f"of {staged.rows_read:,}; nothing was loaded.\n"
            f"{format_problems(staged.problems)}\n"
            "Correct the file and load it again, or load the valid rows only (--accept-valid-rows) and keep the "
            "invalid ones in the rejects table.",
            staged.problems,
        )
    if rows_valid == 0:
        raise RowsRefused(
            "File refused: no valid rows",
            f"{display_name} has no rows that can be loaded ({staged.rows_read:,} read, all invalid).\n"
            f"{format_problems(staged.problems)}",
            staged.problems,
        )

    if conflicts and not replace:
        lines = [
            f"  {KIND_LABEL[kind]} {describe_months([m])}: batch {batch_id} ({file_name})"
            for kind, rows in conflicts.items()
            for batch_id, m, file_name in rows
        ]
        raise InputRefused(
            "Months already loaded",
            f"{display_name} holds months already loaded for source '{clip(source)}':\n" + "\n".join(lines) + "\n"
            "Nothing was loaded. To replace those months with this file, load it again with --replace "
            "(the old batches stay in the audit trail and come back if this load is rolled back).",
        )

    all_months = sorted({m for kind_months in months.values() for m in kind_months})
    if staged.outcome_table:
        staged.warnings += unmatched_outcomes(con, staged.outcome_table, source)
    batch_id = record_batch(con, LoadResult(display_name, "loaded", None, source, staged.format, staged.kind, sha256,
                                            size, staged.rows_read, rows_valid, staged.rows_rejected, all_months,
                                            warnings=staged.warnings), sheet=staged.sheet, loaded_by=loaded_by,
                            force=staged.force)
    this_load.add(batch_id)
    for kind, kind_months in months.items():
        seen.update({(source, kind, m): display_name for m in kind_months})

    replaced = sorted({batch for rows in conflicts.values() for batch, _, _ in rows})
    progress(0.85, "Storing rows")
    for kind, staged_table in staged.tables.items():
        table, columns = FACT_COLUMNS[kind]
        if kind in conflicts:
            con.execute(
                f"UPDATE {table} SET replaced_by = ? WHERE source = ? AND replaced_by IS NULL "
                "AND list_contains(?, strftime(month, '%Y-%m'))",
                [batch_id, source, months[kind]],
            )
        names = ", ".join(columns)
        derived = DERIVED_COLUMNS.get(kind, {})
        targets = "".join(f", {c}" for c in derived)
        values = "".join(f", {e}" for e in derived.values())
        con.execute(
            f"INSERT INTO {table} (batch_id, source, {names}{targets}) SELECT ?, ?, {names}{values} "
            f"FROM {staged_table}",
            [batch_id, source],
        )
    if replaced:
        con.execute("UPDATE batches SET replaces = ? WHERE id = ?", [replaced, batch_id])
        _refresh_status(con, replaced)
    if staged.problems:
        _store_rejects(con, batch_id, staged.problems)
    check_stored(display_name, rows_valid, _count_batch_rows(con, batch_id))
    progress(1.0, "Loaded")
    return LoadResult(display_name, "loaded", batch_id, source, staged.format, staged.kind, sha256, size,
                      staged.rows_read, rows_valid, staged.rows_rejected, all_months, replaced, staged.warnings,
                      staged.problems)


def record_batch(con: duckdb.DuckDBPyConnection, result: LoadResult, *, sheet: str | None, loaded_by: str,
                 force: str | None) -> int:
    """A loaded file's row in the audit trail (its file, digest, source, kind, counts, months and warnings); its id."""
    found = con.execute(
        "INSERT INTO batches (file_name, sha256, size_bytes, source, kind, format, sheet, loaded_by, loaded_at, "
        "rows_read, rows_loaded, rows_rejected, months, status, warnings, force) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?) RETURNING id",
        [result.file, result.sha256, result.size_bytes, result.source, result.kind, result.format, sheet, loaded_by,
         datetime.now().replace(microsecond=0), result.rows_read, result.rows_loaded, result.rows_rejected,
         result.months, result.warnings, force],
    ).fetchall()
    return int(found[0][0])


def check_stored(name: str, valid: int, stored: int) -> None:
    """Every valid row read was stored, or the load stops (its transaction rolled back)."""
    if stored != valid:
        raise DashboardError(
            "Row count mismatch",
            f"{name}: {valid:,} valid rows were read but {stored:,} were stored; nothing was loaded.",
        )


def _store_rejects(con: duckdb.DuckDBPyConnection, batch_id: int, problems: Sequence[Problem]) -> None:
    """Keep every problem of a batch loaded with accept_valid_rows; one Arrow insert (executemany is row by row,
    seconds per ten thousand rows)."""
    rejects = pa.table({
        "batch_id": pa.array([batch_id] * len(problems), pa.int32()),
        "source_row": pa.array([p.row or 0 for p in problems], pa.int32()),
        "column_name": pa.array([p.column for p in problems], pa.string()),
        "value": pa.array([p.value for p in problems], pa.string()),
        "reason": pa.array([p.reason for p in problems], pa.string()),
    })
    con.register("_rejects", rejects)
    try:
        con.execute("INSERT INTO rejected_rows SELECT * FROM _rejects")
    finally:
        con.unregister("_rejects")


def _count_batch_rows(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    return int(con.execute(
        "SELECT (SELECT count(*) FROM asb_incidents WHERE batch_id = ?) "
        "+ (SELECT count(*) FROM crimes WHERE batch_id = ?) "
        "+ (SELECT count(*) FROM outcome_events WHERE batch_id = ?) "
        "+ (SELECT count(*) FROM measure_values WHERE batch_id = ?)",
        [batch_id, batch_id, batch_id, batch_id],
    ).fetchall()[0][0])


def unmatched_outcomes(con: duckdb.DuckDBPyConnection, table: str, source: str) -> list[str]:
    """A note on the outcome events of a staged outcomes file whose Crime ID no live crime of the source has:
    they are kept, not dropped, and count once those crimes are loaded. Empty when every event matches."""
    unmatched, total = con.execute(
        f"SELECT count(*) FILTER (WHERE c.crime_ref IS NULL), count(*) FROM {table} s "
        "LEFT JOIN (SELECT DISTINCT crime_ref FROM crimes WHERE source = ? AND replaced_by IS NULL) c "
        "ON c.crime_ref = s.crime_ref",
        [source],
    ).fetchall()[0]
    if not unmatched:
        return []
    if unmatched == 1:
        return [f"1 of {total:,} outcomes is for a Crime ID that source '{clip(source)}' does not hold (yet): it is "
                "kept, not dropped, and counts once the street-level file holding that crime is loaded."]
    return [f"{unmatched:,} of {total:,} outcomes are for Crime IDs that source '{clip(source)}' does not hold (yet): "
            "they are kept, not dropped, and count once the street-level files holding those crimes are loaded."]


@dataclass(frozen=True)
class FileRequest:
    """One file to load and how to read it: the options that may differ from file to file in one load."""

    path: Path
    display_name: str
    source_format: str = "auto"
    source_name: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] | None = None


def load_requests(
    con: duckdb.DuckDBPyConnection,
    requests: Sequence[FileRequest],
    *,
    replace: bool = False,
    accept_valid_rows: bool = False,
    loaded_by: str | None = None,
    progress: Progress | None = None,
) -> list[LoadResult]:
    """Load files in one transaction: every file loads, or (on any refusal or error) none does.

    A request's ``mapping`` (file column -> canonical column) is used for a force extract and remembered for its
    source, so the source's next file maps itself.
    """
    for request in requests:
        if request.path.is_dir():
            raise InputRefused("A folder, not a file", f"{request.path} is a folder: name the files in it, e.g. "
                               f"{request.path / '*.csv'}. Nothing was loaded.")
        if not request.path.is_file():
            raise InputRefused("File not found",
                               f"{request.path} does not exist or is not a file. Nothing was loaded.")
        if request.source_name is not None:
            check_source_name(request.source_name, None if request.source_format == "auto" else
                              request.source_format)
    user = loaded_by or current_user()
    report = progress or (lambda fraction, message: None)
    results: list[LoadResult] = []
    seen: dict[tuple[str, str, str], str] = {}  # (source, kind, month) -> the file of this load holding it
    this_load: set[int] = set()
    with store.transaction(con):
        for i, request in enumerate(requests):
            def step(fraction: float, message: str, i: int = i, name: str = request.display_name) -> None:
                report((i + fraction) / len(requests), f"{name}: {message}")

            try:
                result = _load_one(
                    con, request.path, display_name=request.display_name, source_format=request.source_format,
                    source_name=request.source_name, sheet=request.sheet, replace=replace,
                    accept_valid_rows=accept_valid_rows, loaded_by=user, mapping=request.mapping, progress=step,
                    seen=seen, this_load=this_load,
                )
            except duckdb.Error as e:
                raise DashboardError("Load failed", f"{request.display_name} could not be stored: {e}. "
                                     "Nothing was loaded.") from e
            results.append(result)
            if request.mapping and result.status == "loaded" and result.format in ("asb", "crime"):
                remember_mapping(con, result.source, result.format, request.mapping, user)
        store.refresh_aggregates(con, aggregate_slices(
            [(r.kind, r.source, r.months) for r in results if r.status == "loaded"]))
    return results


def aggregate_slices(batches: Sequence[tuple[str, str, Sequence[str]]]) -> dict[str, set[str] | None]:
    """The aggregate slices (store.refresh_aggregates) that loading or rolling back batches of (kind, source, months)
    changes: a batch's own months (the rows it replaced or brings back are of the same months), and every month of
    its source for outcomes, which may give an outcome to a crime of any month. Measures have no aggregates."""
    slices: dict[str, set[str] | None] = {}
    for kind, source, months in batches:
        if kind == MEASURES:
            continue
        current = slices.get(source, set())
        slices[source] = None if kind == "outcomes" or current is None else current | set(months)
    return slices


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | os.PathLike[str]],
    *,
    source_format: str = "auto",
    source_name: str | None = None,
    sheet: str | None = None,
    replace: bool = False,
    accept_valid_rows: bool = False,
    loaded_by: str | None = None,
    progress: Progress | None = None,
    mapping: dict[str, str] | None = None,
    display_names: Sequence[str] | None = None,
) -> list[LoadResult]:
    """Load files read the same way in one transaction (see load_requests); ``display_names`` gives the name
    recorded for each file (an upload's original name)."""
    files = [Path(p) for p in paths]
    names = list(display_names) if display_names else [p.name for p in files]
    requests = [FileRequest(path, name, source_format, source_name, sheet, mapping)
                for path, name in zip(files, names, strict=True)]
    return load_requests(con, requests, replace=replace, accept_valid_rows=accept_valid_rows, loaded_by=loaded_by,
                         progress=progress)


def load_file(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str], **options: object) -> LoadResult:
    """Load one file in its own transaction (see load_files)."""
    display_name = options.pop("display_name", None)
    if display_name:
        options["display_names"] = [display_name]
    return load_files(con, [path], **options)[0]  # type: ignore[arg-type]


def remember_mapping(con: duckdb.DuckDBPyConnection, source: str, fmt: str, mapping: dict[str, str], user: str) -> None:
    """Store the analyst's column mapping so the source's next file maps itself."""
    now = datetime.now().replace(microsecond=0)
    for file_column, canonical in mapping.items():
        con.execute(
            "INSERT OR REPLACE INTO column_mappings VALUES (?, ?, ?, ?, ?, ?)",
            [source, fmt, file_column, canonical, user, now],
        )


def remembered_mapping(con: duckdb.DuckDBPyConnection, source: str, fmt: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT file_column, canonical FROM column_mappings WHERE source = ? AND format = ? ORDER BY file_column",
        [source, fmt],
    ).fetchall()
    return dict(rows)


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int, *, user: str | None = None) -> dict[str, Any]:
    """Undo a batch: delete its rows and bring back the rows it replaced. The batch stays in the audit trail."""
    row = con.execute("SELECT status, file_name, kind, source, months FROM batches WHERE id = ?",
                      [batch_id]).fetchall()
    if not row:
        raise NotFound("No such batch", f"There is no batch {batch_id}. `python -m analytics batches` lists them.")
    status, file_name, kind, source, months = row[0]
    if status == "rolled back":
        raise InputRefused("Already rolled back", f"Batch {batch_id} ({file_name}) was already rolled back.")
    with store.transaction(con):
        restored = []
        for table, _ in FACT_COLUMNS.values():
            # Rows this batch replaced come back, unless a later batch has since replaced this batch's rows in the
            # same month: then they stay replaced, by that later batch, so no month is ever counted twice.
            restored += [r[0] for r in con.execute(
                f"UPDATE {table} t SET replaced_by = m.replacer FROM "
                f"(SELECT month, any_value(replaced_by) AS replacer FROM {table} WHERE batch_id = ? GROUP BY month) m "
                "WHERE t.replaced_by = ? AND t.month = m.month RETURNING t.batch_id",
                [batch_id, batch_id],
            ).fetchall()]
            con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
        restored += measures_storing.roll_back(con, batch_id)
        con.execute(
            "UPDATE batches SET status = 'rolled back', rolled_back_by = ?, rolled_back_at = ? WHERE id = ?",
            [user or current_user(), datetime.now().replace(microsecond=0), batch_id],
        )
        _refresh_status(con, sorted(set(restored)))
        store.refresh_aggregates(con, aggregate_slices([(kind, source, months)]))
    return {"id": batch_id, "file": file_name, "restored_batches": sorted(set(restored))}


BATCH_FIELDS = ("id", "file", "sha256", "size_bytes", "source", "kind", "format", "sheet", "rows_read", "rows_loaded",
                "rows_rejected", "rows_live", "months", "status", "loaded_by", "loaded_at", "replaces",
                "rolled_back_by", "rolled_back_at", "warnings", "force")


def list_batches(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The audit trail, newest first; ``rows_live`` counts the batch's rows that are not replaced (fact rows from
    the aggregates, store.refresh_aggregates)."""
    rows = con.execute(
        "WITH live AS (SELECT batch_id, sum(n) AS n FROM ("
        "  SELECT batch_id, live AS n FROM fact_months"
        "  UNION ALL SELECT batch_id, 1 FROM measure_values WHERE replaced_by IS NULL) GROUP BY batch_id) "
        "SELECT b.id, b.file_name, b.sha256, b.size_bytes, b.source, b.kind, b.format, b.sheet, b.rows_read, "
        "b.rows_loaded, b.rows_rejected, coalesce(live.n, 0), b.months, b.status, b.loaded_by, "
        "strftime(b.loaded_at, '%Y-%m-%dT%H:%M:%S'), b.replaces, b.rolled_back_by, "
        "strftime(b.rolled_back_at, '%Y-%m-%dT%H:%M:%S'), b.warnings, b.force "
        "FROM batches b LEFT JOIN live ON live.batch_id = b.id ORDER BY b.id DESC"
    ).fetchall()
    return [dict(zip(BATCH_FIELDS, r, strict=True)) for r in rows]


def rejected_rows(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT source_row, column_name, value, reason FROM rejected_rows WHERE batch_id = ? ORDER BY source_row",
        [batch_id],
    ).fetchall()
    return [dict(zip(("row", "column", "value", "reason"), r, strict=True)) for r in rows]
