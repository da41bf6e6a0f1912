"""What admins manage: remembered column mappings and the editable reference files (data/reference/*.csv).

A replaced reference file must keep the same columns and must read cleanly through ``definitions``; otherwise the
old file is put back and the change is refused. The ref_* tables are then synced, which changes the data version,
so every figure on screen is recomputed with the new rules.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import duckdb

from analytics import store
from analytics.domain import definitions
from analytics.errors import InputRefused

REFERENCE_FILES = ("districts.csv", "population.csv", "offence_groups.csv", "outcomes.csv", "asb_call_types.csv")


def list_mappings(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute(
        "SELECT source, format, file_column, canonical, updated_by, strftime(updated_at, '%Y-%m-%d %H:%M') "
        "FROM column_mappings ORDER BY source, format, canonical, file_column"
    ).fetchall()
    return [dict(zip(("source", "format", "file_column", "canonical", "updated_by", "updated_at"), r, strict=True))
            for r in rows]


def forget_mappings(con: duckdb.DuckDBPyConnection, source: str, fmt: str) -> int:
    """Forget the remembered mapping of one source and format; returns the number of columns forgotten."""
    with store.transaction(con):
        return len(con.execute(
            "DELETE FROM column_mappings WHERE source = ? AND format = ? RETURNING file_column", [source, fmt]
        ).fetchall())


def reference_path(name: str) -> Path:
    if name not in REFERENCE_FILES:
        raise InputRefused("Unknown reference file", f"{name!r} is not one of: {', '.join(REFERENCE_FILES)}.")
    return definitions.REFERENCE_DIR / name


def _header(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)), [])


def _clear_caches() -> None:
    for value in vars(definitions).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def replace_reference(con: duckdb.DuckDBPyConnection, name: str, data: bytes) -> int:
    """Replace reference file ``name`` with ``data`` (CSV) and sync the ref_* tables; returns its data rows.

    Refused, with the old file kept, when the columns differ or the rules cannot be read from the new file.
    """
    path = reference_path(name)
    try:
        new_header = _header(data)
    except UnicodeDecodeError as e:
        raise InputRefused("Not UTF-8", f"The new {name} is not UTF-8 text: save it as 'CSV UTF-8'.") from e
    old = path.read_bytes()
    if new_header != _header(old):
        raise InputRefused(
            "Columns differ",
            f"The new {name} has columns {', '.join(new_header) or '(none)'}; it must have exactly "
            f"{', '.join(_header(old))}. Download the current file, edit it and upload it again.",
        )
    rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig")))) - 1
    tmp = path.with_suffix(".csv.new")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    _clear_caches()
    try:
        definitions.reference_tables()
        store.sync_reference(con)
    except Exception as e:  # any reading or constraint error: put the old rules back, unchanged
        path.write_bytes(old)
        _clear_caches()
        store.sync_reference(con)
        raise InputRefused("Reference file refused", f"The new {name} could not be used ({e}). The old file is "
                           "kept.") from e
    return rows
