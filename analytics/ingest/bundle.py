"""Many police.uk street-level files loaded as one read: the first start's bundled demo files.

load_files reads, checks and stores each file on its own, about a fifth of a second a file, mostly costs that do not
grow with the rows (sniffing, a dozen small statements, the checks against what is already loaded). Here the files
are unpacked side by side, read by one read_csv and checked by one stage (validate.stage_police_uk, the same checks),
and each file is still a batch of its own in the audit trail, with its own rows, months, warnings, force and digest,
recorded exactly as load_files records them (tests/test_bundle.py compares the two databases), so it rolls back on
its own. Only the plain case is taken: every file the standard police.uk street-level header in UTF-8 with no blank
lines or quotes, no problem on any row, no unknown crime type or outcome, no month or Crime ID in two of the files,
one force in every file, and a source that holds nothing live yet. Anything else gives None, and the caller loads
the files one by one, which says what is wrong.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from isal import isal_zlib

from analytics import store
from analytics.domain.access import current_user
from analytics.errors import InputRefused
from analytics.ingest import rawcsv, validate, xlsx
from analytics.ingest.detect import POLICE_UK, POLICE_UK_COLUMNS
from analytics.ingest.load import (
    DERIVED_COLUMNS,
    FACT_COLUMNS,
    LoadResult,
    Progress,
    aggregate_slices,
    check_stored,
    record_batch,
)
from analytics.ingest.names import check_source_name

HEADER = ",".join(POLICE_UK_COLUMNS).encode()
KIND = "asb+crime"  # what a street-level file holds (readers: kind of a police.uk file)
_BLANK_LINE = re.compile(rb"\n\r?\n")


@dataclass
class _File:
    path: Path
    sha256: str
    size: int
    csv: Path  # the file as plain text, in the load's private folder
    records: int  # its data records: line breaks less the header's


def _unpack(path: Path, csv: Path) -> _File | None:
    """The file's digest and size, and its text written to ``csv``; None unless it is a plain police.uk file."""
    raw = path.read_bytes()
    if not raw or len(raw) > xlsx.limit_mb("ASB_MAX_UPLOAD_MB", 200) * 1024 * 1024:
        return None
    data = raw
    if raw[:2] == b"\x1f\x8b":
        cap = xlsx.limit_mb("ASB_MAX_XLSX_UNCOMPRESSED_MB", 1000) * 1024 * 1024
        # one gzip member, in one call outside the GIL; ISA-L inflates it in half zlib's time
        unpack = isal_zlib.decompressobj(wbits=31)
        try:
            data = unpack.decompress(raw, cap + 1)
        except xlsx.ISAL_ERROR:
            return None
        if len(data) > cap or not unpack.eof or unpack.unused_data:
            return None
    if not (data.startswith(HEADER + b"\r\n") or data.startswith(HEADER + b"\n")):
        return None
    # a quoted field may hold a line break, and DuckDB skips blank lines: either would shift the row numbers (one
    # regex pass finds a blank line in a third of the time of two `in` tests)
    if b'"' in data or _BLANK_LINE.search(data):
        return None
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    csv.write_bytes(data)
    records = data.count(b"\n") - (1 if data.endswith(b"\n") else 0)
    return _File(path, hashlib.sha256(raw).hexdigest(), len(raw), csv, records)


def load_police_uk_files(
    con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, loaded_by: str | None = None,
    progress: Progress | None = None,
) -> list[LoadResult] | None:
    """Load police.uk street-level files under the police.uk source in one transaction, each its own batch, as
    load_files(con, paths, source_format="police-uk") would; None (nothing changed) when they are not the plain
    case the module docstring describes. Not to be called inside another transaction: a read that fails there
    would abort it."""
    report = progress or (lambda fraction, message: None)
    source = check_source_name(None, POLICE_UK)
    paths = [Path(p) for p in paths]
    if not paths:
        return None
    folder = Path(tempfile.mkdtemp(prefix="asb-bundle-"))
    try:
        report(0.0, "Reading the police.uk files")
        with ThreadPoolExecutor(max_workers=2) as pool:  # unpacking and hashing run outside the GIL
            files = list(pool.map(lambda ip: _unpack(ip[1], folder / f"{ip[0]}.csv"), enumerate(paths)))
        plain = [f for f in files if f is not None]
        if len(plain) != len(files) or len({f.sha256 for f in plain}) != len(plain) or min(
                f.records for f in plain) < 1:
            return None
        held = con.execute(
            "SELECT count(*) FROM batches WHERE status IN ('loaded', 'partly replaced') "
            "AND (source = ? OR list_contains(?, sha256))", [source, [f.sha256 for f in plain]]).fetchall()[0][0]
        if held:
            return None
        try:
            staged = _stage(con, plain)
        except duckdb.InterruptException:
            raise  # stopped (the dashboard is stopping), not a file to load one by one
        except (duckdb.Error, InputRefused):
            return None
        if staged is None:
            return None
        report(0.6, "Storing rows")
        return _store(con, plain, staged, source, loaded_by or current_user())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        try:
            con.execute("DROP TABLE IF EXISTS _bundle_batches")
        except duckdb.Error:
            pass  # a connection interrupted part-way: its temporary tables go with it, and its error is raised


@dataclass
class _Staged:
    base: int  # source_row of the stage = file index * base + the row number in its file
    force: str | None
    months: list[dict[str, list[str]]]  # per file: kind -> its months
    warnings: list[list[str]]  # per file


class _NotPlain(Exception):
    """What the bundled read found is not the plain case after all: the files are loaded one by one."""


def _stage(con: duckdb.DuckDBPyConnection, files: list[_File]) -> _Staged | None:
    """Every file read by one read_csv straight into one stage, checked by validate.stage_police_uk; None when
    anything differs from the plain case (a problem, a blank row, a warning, a month or Crime ID in two files)."""
    data = [f"c{i}" for i in range(len(POLICE_UK_COLUMNS))]
    records = [f.records for f in files]
    base = 10 ** len(str(max(records) + 2))
    if len(files) * base >= 2**31:
        return None
    # the reader as rawcsv's for one file, with each row's file (the files are 0.csv, 1.csv, ... in the load's
    # private folder)
    raw = rawcsv.duckdb_relation([f.csv for f in files], ",", "utf-8", 1, len(data), parallel=True, file_index=True)
    expected = np.repeat(np.arange(len(files), dtype=np.int64), records)
    starts = np.cumsum([0, *records[:-1]])

    def number(stage: pa.Table) -> pa.Array:
        """The stage's rows numbered file index * base + row in its file (row 1 is the header), once they are
        every record of every file in order, none skipped, and every file names its force (one with none records
        no force)."""
        file = stage.column("_file").to_numpy()
        if len(file) != len(expected) or not np.array_equal(file, expected):
            raise _NotPlain
        named = stage.column("falls_within").is_valid().to_numpy(zero_copy_only=False)
        if np.bincount(file[named], minlength=len(files)).min() == 0:
            raise _NotPlain
        return pa.array(file * base + np.arange(len(file)) - starts[file] + 2, pa.int32())

    cols: dict[str, str | None] = {name: data[i] for i, name in enumerate(POLICE_UK_COLUMNS)}
    try:
        result = validate.stage_police_uk(con, raw, cols, data, number, keep=("_file",))
    except _NotPlain:
        return None
    if result.problems or result.rows_rejected or result.rows_read != result.records:
        return None
    # Crime IDs on more than one row, and the first and last file holding each
    dups = con.execute(
        f"SELECT crime_ref, count(*), min(source_row // {base}), max(source_row // {base}) FROM "
        f"{validate.CRIME_TABLE} WHERE crime_ref IS NOT NULL GROUP BY crime_ref HAVING count(*) > 1 "
        "ORDER BY crime_ref").fetchall()
    if any(first != last for _, _, first, last in dups):
        return None  # one file's Crime ID again in another: a problem on that row when loaded one by one
    # the stage's only warning may be the repeated Crime IDs (there over all the files; here per file)
    if result.warnings != ([validate.repeated_crime_ids([(ref, rows) for ref, rows, _, _ in dups])] if dups else []):
        return None
    months: list[dict[str, list[str]]] = [{"asb": [], "crime": []} for _ in files]
    for kind, table in (("asb", validate.ASB_TABLE), ("crime", validate.CRIME_TABLE)):
        for file, month in con.execute(
                f"SELECT DISTINCT source_row // {base}, strftime(month, '%Y-%m') AS m FROM {table} "
                "WHERE month IS NOT NULL ORDER BY ALL").fetchall():
            months[file][kind].append(month)
    for kind in ("asb", "crime"):
        every = [m for file_months in months for m in file_months[kind]]
        if len(every) != len(set(every)):
            return None  # a month in two files: the second would replace the first
    per_file: dict[int, list[tuple[str, int]]] = {}
    for ref, rows, file, _ in dups:
        per_file.setdefault(file, []).append((ref, rows))
    warnings = [[validate.repeated_crime_ids(per_file[i])] if i in per_file else [] for i in range(len(files))]
    return _Staged(base, result.force, months, warnings)


def _store(con: duckdb.DuckDBPyConnection, files: list[_File], staged: _Staged, source: str,
           user: str) -> list[LoadResult]:
    """The batches, one per file in order, and every file's rows, in one transaction."""
    results: list[LoadResult] = []
    with store.transaction(con):
        for i, f in enumerate(files):
            months = sorted({m for kind_months in staged.months[i].values() for m in kind_months})
            result = LoadResult(f.path.name, "loaded", None, source, POLICE_UK, KIND, f.sha256, f.size, f.records,
                                f.records, 0, months, [], staged.warnings[i], [])
            result.batch_id = record_batch(con, result, sheet=None, loaded_by=user, force=staged.force)
            results.append(result)
        con.execute("CREATE OR REPLACE TEMP TABLE _bundle_batches AS SELECT unnest(range(?::BIGINT)) AS file, "
                    "unnest(?::INTEGER[]) AS batch_id", [len(files), [r.batch_id for r in results]])
        for kind, view in (("asb", validate.ASB_TABLE), ("crime", validate.CRIME_TABLE)):
            table, columns = FACT_COLUMNS[kind]
            names = ", ".join(columns)
            picked = ", ".join(f"CAST(s.source_row % {staged.base} AS INTEGER)" if c == "source_row" else f"s.{c}"
                               for c in columns)
            derived = DERIVED_COLUMNS.get(kind, {})
            targets = "".join(f", {c}" for c in derived)
            values = "".join(f", {e}" for e in derived.values())
            con.execute(
                f"INSERT INTO {table} (batch_id, source, {names}{targets}) SELECT b.batch_id, ?, {picked}{values} "
                f"FROM {view} s JOIN _bundle_batches b ON b.file = s.source_row // {staged.base} "
                "ORDER BY s.source_row",
                [source],
            )
        stored = dict(con.execute(
            "SELECT batch_id, count(*) FROM (SELECT batch_id FROM asb_incidents UNION ALL "
            "SELECT batch_id FROM crimes) WHERE list_contains(?, batch_id) GROUP BY batch_id",
            [[r.batch_id for r in results]]).fetchall())
        for r in results:
            check_stored(r.file, r.rows_loaded, stored.get(r.batch_id, 0))
        store.refresh_aggregates(con, aggregate_slices([(r.kind, r.source, r.months) for r in results]))
    return results
