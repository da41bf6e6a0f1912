"""Loading a measures file (analytics.measures) through the loader's path: a batch with its sha256, rows, who and
when; invalid rows refuse the file (or, when asked, go to the rejects table); values already loaded are refused
unless ``replace``, and then kept, marked replaced, so a roll-back brings them back.

Values are identified by measure, period and area across every source, so two sources never hold the same value
twice; the source (default ``measures``) is recorded for the audit trail.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from analytics.errors import DashboardError, InputRefused
from analytics.ingest.load import (
    LoadResult,
    Progress,
    RowsRefused,
    _refresh_status,
    _store_rejects,
    format_problems,
)
from analytics.ingest.messages import clip
from analytics.ingest.names import check_source_name
from analytics.ingest.readers import Staged
from analytics.measures import storing
from analytics.measures.reading import MEASURES

CONFLICTS_SHOWN = 20


def _where(c: storing.Conflict) -> str:
    return f"{c.measure} {c.period} ({c.district or 'force-wide'})"


def store_measures(
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    *,
    display_name: str,
    sha256: str,
    size: int,
    source: str | None,
    replace: bool,
    accept_valid_rows: bool,
    loaded_by: str,
    progress: Progress,
    this_load: set[int],
) -> LoadResult:
    """Store a staged measures file as one batch (inside the caller's transaction)."""
    source = MEASURES if source is None else check_source_name(source, MEASURES)
    rows_valid = staged.rows_read - staged.rows_rejected
    if staged.problems and not accept_valid_rows:
        raise RowsRefused(
            "File refused: invalid rows",
            f"{display_name} has {staged.rows_rejected:,} invalid {'row' if staged.rows_rejected == 1 else 'rows'} "
            f"of {staged.rows_read:,}; nothing was loaded.\n{format_problems(staged.problems)}\n"
            "Correct the file and load it again, or load the valid rows only (--accept-valid-rows) and keep the "
            "invalid ones in the rejects table.",
            staged.problems,
        )
    if rows_valid == 0:
        raise RowsRefused("File refused: no valid rows", f"{display_name} has no rows that can be loaded "
                          f"({staged.rows_read:,} read, all invalid).\n{format_problems(staged.problems)}",
                          staged.problems)
    found = storing.conflicts(con)
    same_load = [c for c in found if c.batch_id in this_load]
    if same_load:
        c = same_load[0]
        raise InputRefused(
            "The same values in two files",
            f"{c.file_name} and {display_name} both hold {_where(c)}. One load cannot hold a value twice: the second "
            "file would replace the first. Combine them into one file. Nothing was loaded.",
        )
    if found and not replace:
        lines = [f"  row {c.row}: {_where(c)}, loaded in batch {c.batch_id} ({c.file_name})"
                 for c in found[:CONFLICTS_SHOWN]]
        more = [f"  ... and {len(found) - CONFLICTS_SHOWN:,} more."] if len(found) > CONFLICTS_SHOWN else []
        raise InputRefused(
            "Values already loaded",
            f"{display_name} holds {len(found):,} values already loaded:\n" + "\n".join(lines + more) + "\n"
            "Nothing was loaded. To replace those values with this file's, load it again with --replace (the old "
            "values stay in the audit trail and come back if this load is rolled back).",
        )
    months = staged.months.get(MEASURES, [])
    progress(0.85, "Storing values")
    batch_id = int(con.execute(
        "INSERT INTO batches (file_name, sha256, size_bytes, source, kind, format, sheet, loaded_by, loaded_at, "
        "rows_read, rows_loaded, rows_rejected, months, status, warnings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?) RETURNING id",
        [display_name, sha256, size, source, MEASURES, MEASURES, staged.sheet, loaded_by,
         datetime.now().replace(microsecond=0), staged.rows_read, rows_valid, staged.rows_rejected, months,
         staged.warnings],
    ).fetchall()[0][0])
    this_load.add(batch_id)
    stored = storing.insert(con, batch_id, source, replace=bool(found))
    replaced = sorted({c.batch_id for c in found})
    if replaced:
        con.execute("UPDATE batches SET replaces = ? WHERE id = ?", [replaced, batch_id])
        _refresh_status(con, replaced)
    if staged.problems:
        _store_rejects(con, batch_id, staged.problems)
    if stored != rows_valid:
        raise DashboardError("Row count mismatch", f"{clip(display_name)}: {rows_valid:,} valid rows were read but "
                             f"{stored:,} were stored; nothing was loaded.")
    progress(1.0, "Loaded")
    return LoadResult(display_name, "loaded", batch_id, source, MEASURES, MEASURES, sha256, size, staged.rows_read,
                      rows_valid, staged.rows_rejected, months, replaced, staged.warnings, staged.problems)

