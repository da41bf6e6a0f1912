"""Storing a staged measures file: the values already loaded that it would replace, its rows, and roll-back.

A value is identified by its measure, period and area (a district, or force-wide). A file holding a value already
live (from any batch) replaces it only when the load is asked to (``replace``); the old row keeps
``replaced_by``, so rolling the new batch back brings it back. Values of different grains never replace one
another: weekly and monthly values of the same month live side by side (analytics.measures.figures keeps them
apart). The batch row itself is written by analytics.ingest.load, as for every file.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from analytics import store
from analytics.measures.reading import STAGED_COLUMNS, STAGED_TABLE

CHECK_TABLE = "_check_measures"  # a staged file registered on the real database by the upload check
_STAGED_NAMES = (STAGED_TABLE, CHECK_TABLE)


def _staged(name: str) -> str:
    if name not in _STAGED_NAMES:
        raise ValueError(f"not a staged measures table: {name!r}")
    return name


@dataclass(frozen=True)
class Conflict:
    batch_id: int
    file_name: str
    measure: str
    period: str
    district: str | None
    row: int  # the staged row that would replace it


def conflicts(con: duckdb.DuckDBPyConnection, staged: str = STAGED_TABLE) -> list[Conflict]:
    """The live values the staged rows would replace, one per staged row (the batch holding it)."""
    sql = store.sql("measures/conflicts").replace("{staged}", _staged(staged))
    return [Conflict(*r) for r in con.execute(sql).fetchall()]


def insert(con: duckdb.DuckDBPyConnection, batch_id: int, source: str, *, replace: bool) -> int:
    """Store the staged rows as ``batch_id``; with ``replace``, the live values they stand for are marked replaced
    first. Returns the rows stored."""
    if replace:
        con.execute(
            f"UPDATE measure_values f SET replaced_by = ? FROM {STAGED_TABLE} s "
            "WHERE f.replaced_by IS NULL AND f.measure = s.measure AND f.period = s.period "
            "AND f.district IS NOT DISTINCT FROM s.district",
            [batch_id],
        )
    names = ", ".join(STAGED_COLUMNS)
    con.execute(f"INSERT INTO measure_values (batch_id, source, {names}) SELECT ?, ?, {names} FROM {STAGED_TABLE}",
                [batch_id, source])
    return int(store.scalar(con, store.sql("measures/batch_count"), [batch_id]))


def roll_back(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[int]:
    """Undo a batch's values (inside the caller's transaction): those it replaced come back (see
    rollback_restore.sql), its own are deleted. Returns the batches whose values came back."""
    restored = [int(r[0]) for r in con.execute(store.sql("measures/rollback_restore"), [batch_id]).fetchall()]
    con.execute(store.sql("measures/delete_batch"), [batch_id])
    return sorted(set(restored))


def staged_months(con: duckdb.DuckDBPyConnection, staged: str = STAGED_TABLE) -> dict[str, int]:
    """'YYYY-MM' -> values of the staged file counting in that month."""
    rows = con.execute(
        f"SELECT strftime(month, '%Y-%m') AS m, count(*) FROM {_staged(staged)} GROUP BY m ORDER BY m"
    ).fetchall()
    return {str(m): int(n) for m, n in rows}
