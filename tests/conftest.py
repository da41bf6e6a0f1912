"""Shared fixtures: a fresh in-memory database and a helper that writes a batch with its fact rows."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import store
from analytics.domain import definitions

ASB_COLUMNS = ("incident_ref", "reported_date", "month", "district", "call_type")
CRIME_COLUMNS = ("crime_ref", "recorded_date", "month", "district", "offence_group", "victim_based", "outcome",
                 "outcome_code", "outcome_date")


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def insert_batch(con, kind: str, rows: pd.DataFrame | list[dict], *, source: str = "force") -> int:
    """Write one loaded batch of `kind` ('asb' or 'crime') with its rows; returns the batch id.

    Rows need month ('YYYY-MM') and district; ASB rows may have call_type; crime rows need offence_group and may
    have outcome (HO number or police.uk text, mapped to outcome_code as the loader does) and outcome_date.
    """
    df = pd.DataFrame(rows).copy()
    columns = ASB_COLUMNS if kind == "asb" else CRIME_COLUMNS
    for col in columns:
        if col not in df.columns:
            df[col] = None
    df["month"] = pd.to_datetime(df["month"].astype(str) + "-01")
    if kind == "crime":
        df["outcome_code"] = [definitions.match_outcome(o) if isinstance(o, str) else None for o in df["outcome"]]
        df["outcome_date"] = pd.to_datetime(df["outcome_date"])
        df["victim_based"] = df["victim_based"].astype("boolean")
    df = df[list(columns)]
    months = sorted({d.strftime("%Y-%m") for d in df["month"]})
    digest = hashlib.sha256(f"{kind}{source}{len(df)}{months}{datetime.now()}".encode()).hexdigest()
    batch_id = con.execute(
        "INSERT INTO batches (file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, rows_read, "
        "rows_loaded, rows_rejected, months, status) VALUES (?, ?, 0, ?, ?, ?, 'test', now(), ?, ?, 0, ?, 'loaded') "
        "RETURNING id",
        [f"{kind}.csv", digest, source, kind, kind if source != definitions.POLICE_UK_SOURCE else "police-uk",
         len(df), len(df), months],
    ).fetchone()[0]
    con.register("new_rows", df)
    table = "asb_incidents" if kind == "asb" else "crimes"
    con.execute(
        f"INSERT INTO {table} (batch_id, source, source_row, {', '.join(columns)}) "
        f"SELECT ?, ?, row_number() OVER (), {', '.join(columns)} FROM new_rows",
        [batch_id, source],
    )
    con.unregister("new_rows")
    if store.schema_version(con) == store.SCHEMA_VERSION:  # as the loader does; an older file's come on upgrade
        store.refresh_aggregates(con, {source: months})
    return batch_id


def repeat(row: dict, n: int) -> list[dict]:
    """n copies of a row."""
    return [dict(row) for _ in range(n)]


ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")


def open_tables(at) -> None:
    """Open every chart's "Table and summary" on the page and run it again: a chart's table is sent only once
    its expander is open."""
    from ui.widgets import TABLE_AND_SUMMARY

    keys = [e.key for e in at.expander if e.key and e.key.startswith(TABLE_AND_SUMMARY)]
    if keys:
        for key in keys:
            at.session_state[key] = True
        at.run()
        assert not at.exception, [e.value for e in at.exception]


def plain(markdown: str) -> str:
    """Text as the reader sees it: the page escapes every punctuation mark of data it renders as markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


SCHEMAS = Path(__file__).resolve().parent / "files" / "schemas"


def old_database(path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A database file as schema version `version` made it (tests/files/schemas/v{version}.sql), with that
    version's reference tables empty; the caller adds rows, closes it and reopens it with store.connect."""
    con = duckdb.connect(str(path))
    con.execute((SCHEMAS / f"v{version}.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    return con
