"""A CSV file as a raw relation: one VARCHAR column per header column, the row number, and any extra fields.

DuckDB's reader does the work (explicit dialect, no auto-detection). Its rows come in file order, so a record's
place in the stage gives its row number (validate._materialise; no numbering window, which would make the read
single-threaded).
DuckDB skips empty lines, which would shift row numbers: a file with more line breaks than records goes through an
exact check for empty lines between data rows, and if it has any, through Python's csv module instead, streamed into
a temp table in batches of BATCH_ROWS records so memory stays bounded whatever the file's size. Row numbers count
records, as a spreadsheet shows them: the header is row 1 unless title rows sit above it.
"""

from __future__ import annotations

import codecs
import csv
import mmap
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from analytics.errors import InputRefused
from analytics.ingest import detect, sniff
from analytics.ingest.messages import clip

EXTRA_FIELDS = 4  # spare columns that catch fields beyond the header's
MAX_FIELD_BYTES = 4 * 1024 * 1024
BATCH_ROWS = 50_000  # records the exact reader holds as Python objects at a time
_NULLSTR = "\x01"  # never matches, so blank fields stay '' and fields beyond the end of a short row are NULL


@dataclass
class Raw:
    relation: str  # a relation to SELECT FROM (a temp table name or a read_csv call)
    header: list[str]
    columns: list[str]  # raw column per header column
    warnings: list[str] = field(default_factory=list)
    first_row: int | None = None  # when set, the relation has no source_row: record i (0-based) is row first_row + i
    line_breaks: int | None = None  # b"\n" in the file, to tell whether DuckDB may have skipped empty lines
    skip_lines: int = 0
    path: Path | None = None
    exact: Callable[[], Raw] | None = None  # the exact (Python csv) reading of the same file


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _raw_columns(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _scan(path: Path) -> tuple[int, bool, bool]:
    """One pass over the file, mapped rather than copied: its line breaks (b"\\n"), whether it is valid UTF-8 and
    whether it has any double quote (so possibly a quoted line break, which DuckDB's parallel reader refuses).
    ASCII chunks (most of a police.uk file) need no decoding; from the first non-ASCII chunk on, chunks are
    decoded."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    breaks, utf8, decoding, quotes = 0, True, False, False
    step = 16 << 20
    with open(path, "rb") as f:
        try:
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            return 0, True, False
        with mm:
            data = np.frombuffer(mm, dtype=np.uint8)
            for at in range(0, len(data), step):
                chunk = data[at : at + step]
                breaks += int(np.count_nonzero(chunk == 10))
                quotes = quotes or bool((chunk == 34).any())
                if utf8 and (decoding or chunk.max() >= 128):
                    decoding = True
                    try:
                        decoder.decode(mm[at : at + step])
                    except UnicodeDecodeError:
                        utf8 = False
            del data, chunk  # the map cannot close while arrays still point into it
    if utf8 and decoding:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return breaks, utf8, quotes


def _has_interior_blank_lines(path: Path) -> bool:
    """Whether an empty line is followed by more content (DuckDB skips empty lines, shifting row numbers)."""
    with open(path, "rb") as f:
        try:
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:
            return False
        with mm:
            for pattern in (b"\n\n", b"\n\r\n"):
                at = mm.find(pattern)
                while at != -1:
                    if mm[at : at + 65536].strip():
                        return True
                    at = mm.find(pattern, at + 65536)
    return False


def _physical_lines(records: list[list[str]]) -> int:
    return sum(1 + sum(f.count("\n") for f in r) for r in records)


def open_csv(con: duckdb.DuckDBPyConnection, path: Path, *, formats: tuple[str, ...], display_name: str) -> Raw:
    with open(path, "rb") as f:
        sample = f.read(sniff.SAMPLE_BYTES)
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputRefused(
            "Unsupported text encoding",
            f"{display_name} is saved as UTF-16 (Excel's 'Unicode text'). Save it as 'CSV UTF-8' and try again.",
        )
    dialect = sniff.sniff(sample)
    if not any(any(c.strip() for c in r) for r in dialect.records):
        raise InputRefused("Empty file", f"{display_name} holds no header and no data (only blank lines).")
    choice = detect.find_header(dialect.records, formats)
    if choice is None:
        first = next(i for i, r in enumerate(dialect.records) if any(c.strip() for c in r))
        choice = detect.HeaderChoice(first, [c.strip() for c in dialect.records[first]])
    header = choice.header
    n = len(header)
    warnings = []
    encoding = dialect.encoding
    breaks, utf8, quotes = _scan(path)
    if encoding == "utf-8" and not utf8:
        encoding = "latin-1"
    if encoding == "latin-1":
        warnings.append(f"{display_name} is not UTF-8: it was read as Latin-1 (Windows) text.")
    skip_records = choice.index + 1

    def exact() -> Raw:
        columns = ", ".join(f"{c} VARCHAR" for c in _raw_columns(n))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _raw (source_row INTEGER, {columns}, _extra VARCHAR)")
        batches = _python_read(path, dialect, encoding, skip_records, n, display_name)
        try:
            for batch in batches:
                con.register("_csv_arrow", batch)
                try:
                    con.execute("INSERT INTO _raw SELECT * FROM _csv_arrow")
                finally:
                    con.unregister("_csv_arrow")
        finally:
            batches.close()
        return Raw("_raw", header, _raw_columns(n), warnings)

    skip_lines = _physical_lines(dialect.records[:skip_records])
    # A quoted field may hold a line break, which only the sequential reader accepts. Choosing now, not retrying
    # after an error, matters: inside the load's transaction a failed read aborts the whole transaction.
    relation = duckdb_relation(path, dialect.delimiter, encoding, skip_lines, n, parallel=not quotes)
    return Raw(relation, header, _raw_columns(n), warnings, skip_records + 1, breaks, skip_lines, path, exact)


def may_have_skipped_lines(raw: Raw, records: int) -> bool:
    """Whether DuckDB may have skipped empty lines between data rows, shifting row numbers. Every record but the
    last ends in a line break, so more breaks than header lines plus records means empty lines (or quoted line
    breaks): then the file is searched for empty lines followed by more data."""
    if raw.line_breaks is None or raw.path is None or raw.line_breaks <= raw.skip_lines + records:
        return False
    return _has_interior_blank_lines(raw.path)


def duckdb_relation(paths: Path | list[Path], delimiter: str, encoding: str, skip_lines: int, n: int, *,
                    parallel: bool, file_index: bool = False) -> str:
    """The raw relation of DuckDB's reader over one file or several (c0..c{n-1} and _extra); with ``file_index``,
    also _file, each row's file as the number its name is (0.csv, 1.csv, ...: the bundled read's files)."""
    extras = [f"x{i}" for i in range(1, EXTRA_FIELDS + 1)]
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in _raw_columns(n) + extras) + "}"
    # Blank trailing fields are harmless; anything else beyond the header (or a run of fields long enough to be
    # cut off by the spare columns) is a row with too many fields.
    extra_bad = " OR ".join([f"coalesce(trim({x}), '') <> ''" for x in extras] + [f"{extras[-1]} IS NOT NULL"])
    extra = f"CASE WHEN {extra_bad} THEN concat_ws({_lit(delimiter)}, {', '.join(extras)}) END"
    data = ", ".join(_raw_columns(n))
    listed = "[" + ", ".join(_lit(str(p)) for p in paths) + "]" if isinstance(paths, list) else _lit(str(paths))
    read = (
        f"read_csv({listed}, auto_detect = false, header = false, skip = {skip_lines}, "
        f"delim = {_lit(delimiter)}, quote = '\"', escape = '\"', columns = {columns}, null_padding = true, "
        f"strict_mode = false, nullstr = {_lit(_NULLSTR)}, encoding = {_lit(encoding)}, "
        f"max_line_size = {MAX_FIELD_BYTES}, parallel = {str(parallel).lower()}, filename = {str(file_index).lower()})"
    )
    file = ", CAST(parse_filename(filename, true) AS INTEGER) AS _file" if file_index else ""
    return f"(SELECT {data}, {extra} AS _extra{file} FROM {read})"


def _python_read(path: Path, dialect: sniff.Dialect, encoding: str, skip: int, n: int,
                 name: str) -> Generator[pa.Table, None, None]:
    """The slow, exact path: every record counted, empty lines included; Arrow tables of up to BATCH_ROWS
    records (source_row, c0..c{n-1}, _extra), so only one batch is ever held in Python lists."""
    py_encoding = "utf-8-sig" if encoding == "utf-8" else "cp1252" if _is_cp1252(path) else "latin-1"
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_BYTES)

    def batch(rows: list[int], cols: list[list[str | None]], extras: list[str | None]) -> pa.Table:
        arrays = {"source_row": pa.array(rows, pa.int32())}
        arrays.update({f"c{i}": pa.array(cols[i], pa.string()) for i in range(n)})
        arrays["_extra"] = pa.array(extras, pa.string())
        return pa.table(arrays)

    try:
        with open(path, encoding=py_encoding, newline="") as f:
            reader = csv.reader(f, delimiter=dialect.delimiter, quotechar='"', doublequote=True)
            cols: list[list[str | None]] = [[] for _ in range(n)]
            rows: list[int] = []
            extras: list[str | None] = []
            number = 0
            try:
                for number, record in enumerate(reader, start=1):
                    if number <= skip or not record:
                        continue
                    rows.append(number)
                    for i in range(n):
                        cols[i].append(record[i] if i < len(record) else None)
                    extra = record[n:]
                    extras.append(dialect.delimiter.join(extra) if any(e.strip() for e in extra) else None)
                    if len(rows) >= BATCH_ROWS:
                        yield batch(rows, cols, extras)
                        cols, rows, extras = [[] for _ in range(n)], [], []
            except csv.Error as e:
                raise _too_long(name, number + 1) if "field larger" in str(e) else InputRefused(
                    "Unreadable CSV", f"{name} could not be read as CSV near row {number + 1}: {e}."
                ) from e
            if rows:
                yield batch(rows, cols, extras)
    finally:
        csv.field_size_limit(old_limit)


def _is_cp1252(path: Path) -> bool:
    """Windows-1252 rather than Latin-1: its printable characters (curly quotes, euro) sit in 0x80-0x9F. Read in
    blocks (a single-byte encoding, so a block boundary never splits a character)."""
    c1 = re.compile(rb"[\x80-\x9f]")
    found = False
    with open(path, "rb") as f:
        while block := f.read(16 << 20):
            try:
                block.decode("cp1252")
            except UnicodeDecodeError:
                return False
            found = found or c1.search(block) is not None
    return found


def _too_long(name: str, row: int | None) -> InputRefused:
    where = f" at or near row {row}" if row else ""
    return InputRefused(
        "Value too long",
        f"{name} has a field{where} longer than {MAX_FIELD_BYTES // 1024 // 1024} MB. No incident or crime record "
        "holds that much text: the file is probably damaged or not an extract (an unclosed quote can swallow the "
        "rest of the file). Check the row and export again.",
    )


def translate_error(e: duckdb.Error, name: str) -> InputRefused:
    """A DuckDB CSV error as a message an analyst can act on."""
    text = str(e)
    first = clip(text.strip().splitlines()[0], 300) if text.strip() else type(e).__name__
    if "maximum line size" in text.lower() or "line size" in text.lower():
        m = re.search(r"Line: (\d+)", text)
        return _too_long(name, int(m.group(1)) if m else None)
    if "unicode" in text.lower():
        return InputRefused("Unreadable text", f"{name} has text that is neither UTF-8 nor Latin-1: {first}")
    return InputRefused("Unreadable CSV", f"{name} could not be read as CSV: {first}")
