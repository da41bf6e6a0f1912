"""The Admin page (admins): remembered column mappings and the reference files that define the figures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.figures.common import Con
from analytics.ingest import admin
from analytics.report import formatting as fmt

MAPPING_COLUMNS = {"source": "source", "format": "format", "file_column": "file column", "canonical": "our column",
                   "updated_by": "saved by", "updated_at": "saved at"}


@dataclass(frozen=True)
class AdminView:
    mappings: pd.DataFrame  # empty when none is remembered
    pairs: list[tuple[str, str]]  # (source, format) with a remembered mapping
    reference_files: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceFile:
    name: str
    table: pd.DataFrame
    data: bytes


def build(con: Con) -> AdminView:
    rows = admin.list_mappings(con)
    mappings = pd.DataFrame(rows, columns=list(MAPPING_COLUMNS)).rename(columns=MAPPING_COLUMNS)
    return AdminView(mappings, sorted({(r["source"], r["format"]) for r in rows}), admin.REFERENCE_FILES)


def reference_file(name: str) -> ReferenceFile:
    path = admin.reference_path(name)
    return ReferenceFile(name, pd.read_csv(path, dtype=str, keep_default_na=False), path.read_bytes())


def forget(con: Con, source: str, fmt_name: str) -> str:
    n = admin.forget_mappings(con, source, fmt_name)
    return f"Forgot {n} remembered columns of source {source} ({fmt_name})."


def replace_reference(con: Con, name: str, data: bytes) -> str:
    rows = admin.replace_reference(con, name, data)
    return f"Saved {name} ({fmt.fmt_int(rows)} rows); the reference tables are updated."
