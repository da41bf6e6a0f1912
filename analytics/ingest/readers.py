"""Read an extract (police.uk CSV, force ASB or crime extract as CSV, CSV.GZ or XLSX) into staged TEMP views.

``read_file`` never writes to the real tables: it leaves the valid rows in TEMP views in the exact layout of
``asb_incidents`` / ``crimes`` and reports every problem with the row number the analyst sees in the file.
Files it cannot read at all raise InputRefused with a message that names the problem and what to do.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics.domain.definitions import normalise_key
from analytics.errors import ColumnsMissing, InputRefused, UnknownFormat
from analytics.ingest import detect, rawcsv, validate, xlsx
from analytics.ingest.detect import POLICE_UK_FORMATS, canonical_columns
from analytics.ingest.messages import clip, rows_word
from analytics.measures import reading as measures_reading

__all__ = ["Problem", "Progress", "Staged", "canonical_columns", "read_file"]

Progress = Callable[[float, str], None]
COLUMNS_SHOWN = 30  # header names listed in a message


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    value: str | None
    reason: str


@dataclass
class Staged:
    format: str
    kind: str
    asb_table: str | None
    crime_table: str | None
    rows_read: int
    rows_rejected: int
    problems: list[Problem]
    warnings: list[str]
    months: dict[str, list[str]]
    sheet: str | None = None
    force: str | None = None  # a police.uk file's force ("Falls within")
    sheets: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)
    measures_table: str | None = None  # a measures file's staged values (analytics.measures.reading)
    outcome_table: str | None = None  # a police.uk outcomes file's outcome events

    @property
    def tables(self) -> dict[str, str]:
        """kind ('asb', 'crime', 'outcomes') -> the staged view of its valid rows, for the kinds the file holds."""
        found = {"asb": self.asb_table, "crime": self.crime_table, "outcomes": self.outcome_table}
        return {kind: table for kind, table in found.items() if table}


def _noop(fraction: float, message: str) -> None:
    return None


def read_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    source_format: str = "auto",
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> Staged:
    """Read, check and stage one extract. See the module docstring; raises InputRefused for unreadable files."""
    progress = progress or _noop
    path = Path(path)
    # A caller may have left a result unfetched (fetchone): DuckDB then refuses register() and sql() on the
    # connection, which the reader uses; a new execute() closes that result.
    con.execute("SELECT 1").fetchall()
    if source_format not in ("auto", *detect.FORMATS):
        choices = ", ".join(("auto", *detect.FORMATS))
        raise InputRefused("Unknown format", f"Format {source_format!r} is not one of: {choices}.")
    if not path.is_file():
        raise InputRefused("File not found", f"{path} does not exist or is not a file.")
    size = path.stat().st_size
    max_mb = xlsx.limit_mb("ASB_MAX_UPLOAD_MB", 200)
    if size > max_mb * 1024 * 1024:
        raise InputRefused(
            "File too large",
            f"{path.name} is {size / 1024 / 1024:.0f} MB, over the {max_mb} MB limit (ASB_MAX_UPLOAD_MB). "
            "Split the extract by month and load the parts.",
        )
    if size == 0:
        raise InputRefused("Empty file", f"{path.name} is empty (0 bytes): there is no header and no data to load.")
    formats = detect.FORMATS if source_format == "auto" else (source_format,)
    progress(0.0, f"Reading {path.name}")
    with open(path, "rb") as f:
        head = f.read(8)
    name = path.name.lower()
    if xlsx.is_workbook(head, name):
        table = xlsx.read_workbook(path, sheet=sheet, formats=formats, progress=progress)
        # The stage reads the Arrow columns in place (no copy into a raw table first).
        con.register("_xlsx_arrow", table.arrow)
        try:
            raw = rawcsv.Raw("_xlsx_arrow", table.header, table.columns, table.warnings)
            return _stage(con, raw, path, source_format, mapping, progress, table.sheet, table.sheets)
        finally:
            con.unregister("_xlsx_arrow")
    else:
        if sheet is not None:
            raise InputRefused("Not a workbook",
                               f"{path.name} is a text file, so it has no sheet {clip(sheet)!r} to read.")
        with _maybe_gunzip(path) as csv_path:
            raw = rawcsv.open_csv(con, csv_path, formats=formats, display_name=path.name)
            return _stage(con, raw, path, source_format, mapping, progress, None, [])


class _maybe_gunzip:
    """A .csv.gz decompressed to a private temporary file (with a size cap), else the path itself.

    The copy may hold caller references, so it is deleted however the read ends, including when unpacking
    itself is refused (over the cap, corrupt): then ``__enter__`` raises and ``__exit__`` never runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp: str | None = None

    def __enter__(self) -> Path:
        with open(self.path, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        if not gz:
            return self.path
        cap = xlsx.limit_mb("ASB_MAX_XLSX_UNCOMPRESSED_MB", 1000) * 1024 * 1024
        fd, self.tmp = tempfile.mkstemp(suffix=".csv")
        try:
            with os.fdopen(fd, "wb") as dst, gzip.open(self.path, "rb") as src:
                written = 0
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > cap:
                        raise InputRefused(
                            "Compressed file too large",
                            f"{self.path.name} unpacks to more than {cap // 1024 // 1024} MB "
                            "(ASB_MAX_XLSX_UNCOMPRESSED_MB). Split the extract and load the parts.",
                        )
                    dst.write(chunk)
            shutil.copystat(self.path, self.tmp)
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            self._remove()
            raise InputRefused("Corrupt compressed file", f"{self.path.name} is not a readable .gz file: {e}") from e
        except BaseException:
            self._remove()
            raise
        return Path(self.tmp)

    def _remove(self) -> None:
        if self.tmp:
            Path(self.tmp).unlink(missing_ok=True)
            self.tmp = None

    def __exit__(self, *exc: object) -> None:
        self._remove()


def _columns_found(header: list[str]) -> str:
    named = [h for h in header if h.strip()]
    return _listed(named) if named else "(none)"


def _listed(names: list[str], quote: str = '"') -> str:
    """Column names for a message: each cut short, at most COLUMNS_SHOWN of them."""
    shown = ", ".join(f"{quote}{clip(h)}{quote}" for h in names[:COLUMNS_SHOWN])
    return shown + (f" and {len(names) - COLUMNS_SHOWN:,} more" if len(names) > COLUMNS_SHOWN else "")


def _refuse_unnamed_values(con: duckdb.DuckDBPyConnection, raw: rawcsv.Raw, name: str, sheet: str | None) -> None:
    """Refuse a file with a column that holds values under a blank header: nothing says what the values are, and
    leaving them out would lose them without a word. The analyst gives the column a name or deletes it."""
    unnamed = [(i, col) for i, (h, col) in enumerate(zip(raw.header, raw.columns, strict=True)) if not h.strip()]
    if not unnamed:
        return
    parts = ", ".join(f"count(*) FILTER (WHERE trim({col}) <> ''), "
                      f"min({col}) FILTER (WHERE trim({col}) <> '')" for _, col in unnamed)
    try:
        found = con.execute(f"SELECT {parts} FROM {raw.relation}").fetchall()[0]
    except duckdb.Error as e:
        raise rawcsv.translate_error(e, name) from e
    filled = [(i, found[2 * k], found[2 * k + 1]) for k, (i, _) in enumerate(unnamed) if found[2 * k]]
    if not filled:
        return
    where = f" of sheet {clip(sheet)!r}" if sheet else ""
    listed = "; ".join(f"column {xlsx.column_letter(i)} ({rows_word(n)}, e.g. '{clip(v)}')" for i, n, v in filled[:5])
    more = f" and {len(filled) - 5} more" if len(filled) > 5 else ""
    one = len(filled) == 1
    raise InputRefused(
        "Values under a blank header",
        f"{name}: {'a column' if one else f'{len(filled)} columns'}{where} {'holds' if one else 'hold'} values but "
        f"{'has' if one else 'have'} no header: {listed}{more}. Nothing says what {'it holds' if one else 'they hold'}"
        ", and leaving it out would lose those values without a word. Give the column a header (it can then be "
        "mapped, or is listed as not used), or delete it if it holds nothing needed, and load the file again. "
        "Nothing was loaded.",
    )


def _stage(
    con: duckdb.DuckDBPyConnection,
    raw: rawcsv.Raw,
    path: Path,
    source_format: str,
    mapping: dict[str, str] | None,
    progress: Progress,
    sheet: str | None,
    sheets: list[str],
) -> Staged:
    header = raw.header
    fmt = source_format if source_format != "auto" else detect.detect_format(header)
    if fmt is None:
        raise UnknownFormat(
            "Unknown format",
            f"{path.name} is not a police.uk street-level file, a force ASB extract or a force crime extract: "
            f"its columns are {_columns_found(header)}. Check that this is the right file, or choose the format "
            "and map its columns on the upload page.",
        )
    progress(0.3, "Checking rows")
    _refuse_unnamed_values(con, raw, path.name, sheet)
    if fmt == measures_reading.MEASURES:
        return _stage_measures(con, raw, path, mapping, progress, sheet, sheets)
    if fmt in POLICE_UK_FORMATS:
        expected = detect.police_uk_columns(fmt)
        keys = {normalise_key(h): col for h, col in zip(header, raw.columns, strict=True)}
        cols = {name: keys.get(normalise_key(name)) for name in expected}
        missing = [n for n in detect.police_uk_required(fmt) if cols[n] is None]
        if missing:
            what = "street-level" if fmt == detect.POLICE_UK else "outcomes"
            raise ColumnsMissing(
                "Required column missing",
                f"{path.name} has no {', '.join(repr(m) for m in missing)} column, which a police.uk {what} "
                f"file always has. Columns found: {_columns_found(header)}.",
            )
        stage_police = validate.stage_police_uk if fmt == detect.POLICE_UK else validate.stage_police_uk_outcomes
        result = _run(lambda rel, first: stage_police(con, rel, cols, raw.columns, first), raw, path.name)
        names = {n: n for n in expected}
        used = {h: h for h in header if h in expected}
        suggestions: dict[str, str] = {}
        kind = "asb+crime" if fmt == detect.POLICE_UK else "outcomes"
    else:
        suggestions = detect.suggest_mapping(header, fmt)
        used = _resolve_mapping(header, fmt, suggestions, mapping, path.name)
        by_canonical = {canon: raw.columns[header.index(col)] for col, canon in used.items()}
        ignored = [h for h in header if h.strip() and h not in used]
        result = _run(lambda rel, first: validate.stage_force(con, rel, fmt, by_canonical, raw.columns, first,
                                                              path.name), raw, path.name)
        if ignored:
            listed = _listed(ignored, quote="'")
            one = len(ignored) == 1
            result.warnings.append(f"{len(ignored):,} {'column is' if one else 'columns are'} not used and "
                                   f"{'is' if one else 'are'} ignored: {listed}.")
        names = {canon: col for col, canon in used.items()}
        kind = fmt
    progress(0.9, "Checked")
    problems = [Problem(p.row, names.get(p.key, p.key) if p.key else None,
                        p.value, p.reason) for p in result.problems]
    staged = Staged(
        format=fmt, kind=kind, asb_table=result.asb_table, crime_table=result.crime_table,
        rows_read=result.rows_read, rows_rejected=result.rows_rejected, problems=problems,
        warnings=raw.warnings + result.warnings, months=result.months, sheet=sheet, force=result.force, sheets=sheets,
        header=header, mapping=used, suggestions=suggestions, outcome_table=result.outcome_table,
    )  # fmt: skip
    if staged.rows_read == 0:
        raise InputRefused(
            "No data rows",
            f"{path.name} has a header but no data rows under it. Check that the export finished and holds "
            "the months you expect.",
        )
    read = f"{staged.rows_read} {'row' if staged.rows_read == 1 else 'rows'}"
    progress(1.0, f"{read} read, {staged.rows_rejected} with problems")
    return staged


def _run(stage: Callable[[str, int | None], validate.StageResult], raw: rawcsv.Raw, name: str) -> validate.StageResult:
    """Run a staging step; DuckDB's CSV errors become refusals.
    A file with empty lines between data rows is staged again from the exact reading, so row numbers hold."""
    try:
        result = stage(raw.relation, raw.first_row)
    except duckdb.Error as e:
        raise rawcsv.translate_error(e, name) from e
    if raw.exact is not None and rawcsv.may_have_skipped_lines(raw, result.records):
        exact = raw.exact()
        return stage(exact.relation, exact.first_row)
    return result


def _resolve_mapping(
    header: list[str], fmt: str, suggestions: dict[str, str], mapping: dict[str, str] | None, name: str
) -> dict[str, str]:
    """File column -> canonical column: the suggestions, overridden by an explicit mapping."""
    allowed = canonical_columns(fmt)
    used = dict(suggestions)
    if mapping:
        for col, canon in mapping.items():
            if col not in header:
                continue  # a remembered mapping may name a column this month's file does not have
            if not canon:
                used.pop(col, None)
                continue
            if canon not in allowed:
                raise ColumnsMissing(
                    "Unknown column in mapping",
                    f"Column {clip(col)!r} is mapped to {clip(canon)!r}, which is not one of: {', '.join(allowed)}.",
                )
            used = {c: k for c, k in used.items() if k != canon}
            used[col] = canon
        clashes = [c for c in set(mapping.values()) if c and sum(1 for v in used.values() if v == c) > 1]
        if clashes:
            raise ColumnsMissing("Mapping clash", f"Two columns are mapped to {clip(clashes[0])!r}: map only one.")
    missing = [c for c, required in allowed.items() if required and c not in used.values()]
    if missing:
        kind = {"asb": "a force ASB extract", "crime": "a force crime extract"}.get(fmt, "a measures file")
        raise ColumnsMissing(
            "Required column missing",
            f"{name} looks like {kind} but has no column for {', '.join(missing)}. "
            f"Columns found: {_columns_found(header)}. Add the column to the export or map an existing column "
            "to it on the upload page.",
        )
    return {c: used[c] for c in header if c in used}


def _stage_measures(
    con: duckdb.DuckDBPyConnection,
    raw: rawcsv.Raw,
    path: Path,
    mapping: dict[str, str] | None,
    progress: Progress,
    sheet: str | None,
    sheets: list[str],
) -> Staged:
    """A measures file: its columns mapped as a force extract's are, its rows checked by analytics.measures."""
    fmt = measures_reading.MEASURES
    header = raw.header
    suggestions = detect.suggest_mapping(header, fmt)
    used = _resolve_mapping(header, fmt, suggestions, mapping, path.name)
    by_canonical = {canon: raw.columns[header.index(col)] for col, canon in used.items()}

    def run(relation: str, first_row: int | None) -> measures_reading.MeasuresStage:
        try:
            return measures_reading.stage(con, relation, by_canonical, raw.columns, first_row, path.name)
        except duckdb.Error as e:
            raise rawcsv.translate_error(e, path.name) from e

    result = run(raw.relation, raw.first_row)
    if raw.exact is not None and rawcsv.may_have_skipped_lines(raw, result.records):
        exact = raw.exact()
        result = run(exact.relation, exact.first_row)
    warnings = list(raw.warnings)
    ignored = [h for h in header if h.strip() and h not in used]
    if ignored:
        warnings.append(f"{len(ignored)} column(s) not used and ignored: {_listed(ignored, quote=chr(39))}.")
    if result.rows_read == 0:
        raise InputRefused("No data rows", f"{path.name} has a header but no data rows under it.")
    names = {canon: col for col, canon in used.items()}
    problems = [Problem(p.row, names.get(p.key, p.key) if p.key else None, p.value, p.reason)
                for p in result.problems]
    progress(1.0, f"{result.rows_read} rows read, {result.rows_rejected} with problems")
    return Staged(format=fmt, kind=fmt, asb_table=None, crime_table=None, rows_read=result.rows_read,
                  rows_rejected=result.rows_rejected, problems=problems, warnings=warnings,
                  months={fmt: result.months}, sheet=sheet, sheets=sheets, header=header, mapping=used,
                  suggestions=suggestions, measures_table=result.table)
