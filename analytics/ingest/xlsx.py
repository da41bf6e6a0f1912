"""Excel workbooks, read with fastexcel (calamine into Arrow columns; openpyxl is ~30x slower and only writes).

Checks before reading: the zip's declared uncompressed size and compression ratio (a zip bomb is refused unread),
password-protected workbooks (an encrypted OOXML file is an OLE2 container), files that are not workbooks, and each
sheet's used range: calamine allocates a cell for every position from A1 to the last used cell, so one cell at
XFD1048576 would ask for 512 GB. An .xlsx sheet's range is read from its XML (the <dimension> it declares and the
cells' own references, since <dimension> can lie or be absent); other workbook formats are measured by a child
process with a memory limit, which dies instead of the server if the range is absurd. A large .xlsx sheet is
measured and read in parts at once, on both cores (SPLIT_BYTES), each part read only once its range is known to
be within the limits, from a private temporary workbook removed however the read ends.
Cells become text the validation reads the same way as CSV text: real date cells as ISO timestamps, whole
numbers without ".0", so row numbers and values match what the analyst sees in Excel.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeAlias, cast

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from isal import isal_zlib

from analytics.errors import InputRefused
from analytics.ingest import detect
from analytics.ingest.messages import clip

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
MAX_RATIO = 100  # real sheets compress 5-20x; far more is a zip bomb
HEADER_SCAN_ROWS = 30
# A sheet's used range from A1: real extracts are a few dozen columns wide and well under a million rows.
MAX_COLUMNS = 500
MAX_CELLS = 50_000_000
PROBE_MEMORY = 4 << 30  # address space for the child that measures a non-.xlsx workbook's sheets


Column: TypeAlias = "pa.Array | pa.ChunkedArray"  # a sheet's column of text; chunked when the sheet is read in parts


@dataclass
class Sheet:
    arrow: pa.Table  # source_row, c0..c{n-1}, _extra
    header: list[str]
    columns: list[str]
    sheet: str
    sheets: list[str]
    warnings: list[str]


def is_workbook(head: bytes, name: str) -> bool:
    return head.startswith((ZIP_MAGIC, OLE2_MAGIC[:4])) or name.endswith(WORKBOOK_SUFFIXES)


def limit_mb(name: str, default: int) -> int:
    """A size limit in MB from the environment variable ``name`` (the default when unset or not a number)."""
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _check_container(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(8)
    name = path.name
    if head.startswith(OLE2_MAGIC):
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise InputRefused(
                "Password-protected workbook",
                f"{name} is password-protected (encrypted), so it cannot be read. Open it in Excel, remove the "
                "password (File > Info > Protect Workbook > Encrypt with Password, clear it), save and upload again.",
            )
        return  # an old .xls workbook: calamine reads those
    if not head.startswith(ZIP_MAGIC):
        raise InputRefused(
            "Not an Excel workbook",
            f"{name} is named like a workbook but is not one (it is not an Excel file inside). "
            "Open it in Excel and save it as .xlsx, or export the extract as CSV.",
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputRefused(
            "Corrupt workbook",
            f"{name} is damaged: it is not a complete Excel file ({e}). Save it again from Excel or re-export it.",
        ) from e
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    cap = limit_mb("ASB_MAX_XLSX_UNCOMPRESSED_MB", 1000)
    if total > cap * 1024 * 1024:
        raise InputRefused(
            "Workbook too large",
            f"{name} unpacks to {total / 1024 / 1024:.0f} MB, over the {cap} MB limit "
            "(ASB_MAX_XLSX_UNCOMPRESSED_MB). Split the extract by month, or export it as CSV.",
        )
    if total > 10 * 1024 * 1024 and total > MAX_RATIO * max(packed, 1):
        raise InputRefused(
            "Suspicious workbook",
            f"{name} claims to unpack to {total / 1024 / 1024:.0f} MB from {packed / 1024:.0f} KB, a compression "
            "ratio no real spreadsheet has (a 'zip bomb'). It was not opened.",
        )


def _open(path: Path) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(str(path))
    except Exception as e:  # calamine raises several error types for damaged files
        text = str(e)
        if "password" in text.lower() or "encrypt" in text.lower():
            raise InputRefused(
                "Password-protected workbook",
                f"{path.name} is password-protected, so it cannot be read. Remove the password in Excel and save "
                "again.",
            ) from e
        raise InputRefused(
            "Corrupt workbook",
            f"{path.name} could not be read as an Excel workbook ({clip(text.splitlines()[0], 300) if text else e!r}). "
            "Save it again from Excel or export as CSV.",
        ) from e


# A date cell at midnight reads as a date (as Excel shows it), not a timestamp at 00:00:00.
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"
_TIME_ONLY = r"^1899-12-31 (\d{2}:\d{2}:\d{2})$"


def _load(reader: fastexcel.ExcelReader, name: str) -> list[pa.Array]:
    """A whole sheet as text columns from cell A1 (index + 1 is the spreadsheet's row number), every cell read by
    calamine into Arrow: text as is, whole numbers without ".0", dates and times ISO, booleans true/false, empty
    cells NULL. Converting whole columns at once keeps Python out of the per-cell work."""
    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        table = sheet.to_arrow()
        info = sheet.available_columns()
    except Exception as e:
        raise InputRefused("Corrupt workbook", f"Sheet {clip(name)!r} could not be read: {clip(e, 300)}") from e
    # The sheet's range starts at its first used column; columns to its left are empty.
    offset = info[0].absolute_index if info else 0
    columns = [pa.nulls(table.num_rows, pa.string())] * offset
    for column in table.columns:
        text = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        columns.append(_as_excel_shows(text.cast(pa.string())))
    return columns


def _as_excel_shows(text: pa.Array) -> pa.Array:
    """Dates and times as Excel shows them: " 00:00:00" dropped from dates at midnight, and time-only cells (which
    calamine dates 1899-12-31, a day no Excel date can be) as the time alone. Cheap tests pick the candidates;
    only they meet the regex."""
    nineteen = pc.equal(pc.utf8_length(text), 19)  # both forms are 19 characters long: most columns have none
    if not pc.any(nineteen).as_py():
        return text
    for prefix, suffix, pattern in (("1899-12-31 ", None, _TIME_ONLY), (None, " 00:00:00", _MIDNIGHT)):
        test = pc.starts_with(text, prefix) if prefix else pc.ends_with(text, suffix)
        mask = pc.and_(test, nineteen).fill_null(False)
        if pc.any(mask).as_py():
            picked = pc.replace_substring_regex(pc.filter(text, mask), pattern=pattern, replacement=r"\1")
            text = pc.replace_with_mask(text, mask, picked)
    return text


def _head(columns: list[Column], rows: int) -> list[list[str]]:
    """The first rows as lists of cell text, '' for empty cells."""
    n = min(rows, len(columns[0])) if columns else 0
    cols = [c.slice(0, n).to_pylist() for c in columns]
    return [[(col[i] or "") for col in cols] for i in range(n)]


def _letters(column: int) -> str:
    return column_letter(column - 1)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass(frozen=True)
class UsedRange:
    rows: int  # the last used row (1-based), so the range is A1 to (columns, rows)
    columns: int

    @property
    def ref(self) -> str:
        return f"A1:{_letters(max(self.columns, 1))}{max(self.rows, 1)}"


# The common form of a cell tag (Excel, openpyxl and most writers), and any tag named row or c, prefixed or not.
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,8})"')
_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]([^<>]{0,4096})")
_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Z]{0,4})\$?([0-9]{1,8})[\"']")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^<>]*?\bref=\"([^\"]{0,64})\"")
_LAST_REF = re.compile(rb"\$?([A-Z]{1,4})\$?([0-9]{1,8})$")


# ISA-L's type stub declares its error an instance; it is an exception class, as zlib's is.
ISAL_ERROR = cast(type[Exception], isal_zlib.error)
CHUNK_BYTES = 256 << 10  # a worksheet part is measured in blocks of this size (small blocks stay in cache)


def _inflate(z: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """A zip member's bytes in blocks of about CHUNK_BYTES. A deflated member is inflated by ISA-L, three times as
    fast as zlib (CRC included), with zipfile's checks: the declared size and CRC; other members go through
    zipfile itself."""
    info = z.getinfo(member)
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1 or not z.filename:
        with z.open(member) as f:
            while block := f.read(CHUNK_BYTES):
                yield block
        return
    with open(z.filename, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
        if len(header) != 30 or header[:4] != ZIP_MAGIC:
            raise zipfile.BadZipFile(f"Bad local file header for {member!r}")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        f.seek(info.header_offset + 30 + name_length + extra_length)
        inflater = isal_zlib.decompressobj(-15)
        left, size, crc, packed = info.compress_size, 0, 0, b""
        pieces: list[bytes] = []
        have = 0  # bytes in pieces: blocks are CHUNK_BYTES long, as zipfile's reads are, but the last
        while not inflater.eof:
            if not packed and left:
                packed = f.read(min(left, CHUNK_BYTES // 8))
                left = left - len(packed) if packed else 0
            # ISA-L may hold back output beyond max_length even when all input is taken: it is drained by calls
            # with no more input.
            piece = inflater.decompress(packed, CHUNK_BYTES - have)
            packed = inflater.unconsumed_tail
            if not piece and not packed and not left:
                break  # the stream ends early: a truncated member
            size += len(piece)
            if size > info.file_size:
                raise zipfile.BadZipFile(f"{member!r} is larger than its zip entry says")
            crc = isal_zlib.crc32(piece, crc)
            pieces.append(piece)
            have += len(piece)
            if have == CHUNK_BYTES:
                yield b"".join(pieces)
                pieces, have = [], 0
        if have:
            yield b"".join(pieces)
    if not inflater.eof or size != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {member!r}")


def _chunks(z: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """A zip member's bytes in blocks that never split a tag (a partial tag is carried into the next block)."""
    carry = b""
    for block in _inflate(z, member):
        data = carry + block
        cut = data.rfind(b"<")
        if cut != -1 and data.find(b">", cut) == -1 and len(data) - cut < 8192:
            data, carry = data[:cut], data[cut:]
        else:
            carry = b""
        yield data
    if carry:
        yield carry


_TAG = np.frombuffer(b'<c r="', dtype=np.uint8)


def _common_refs(data: bytes) -> tuple[int, int, int, int, int, int, bool]:
    """The cell tags of a block in the common form ``<c r="B7"`` (what _CELL_REF matches: 1-4 letters, 1-8
    digits, a closing quote): (how many, the largest column, the largest row, the last one's column and row, how
    many b"<c" the block holds in all, and whether it holds b":c", as a prefixed tag such as ``<x:c`` does).
    Worked out on the block's bytes as arrays, without a Python object per cell (``b":c" in data`` alone takes
    five times as long)."""
    a = np.frombuffer(data + bytes(16), dtype=np.uint8)
    colons = np.flatnonzero(a[: len(data)] == 58)
    prefixed = bool((a[colons + 1] == 99).any())
    at = np.flatnonzero(a[: len(data)] == _TAG[0])
    at = at[a[at + 1] == _TAG[1]]
    tags = len(at)  # b"<c" (it cannot overlap itself, so this is bytes.count)
    for i in range(2, len(_TAG)):
        at = at[a[at + i] == _TAG[i]]
    start = at + len(_TAG)
    # The run of capitals after the tag's quote (up to 5), then of digits (up to 9). A step no tag takes ends its
    # run for every tag, so the steps stop there (most sheets' columns are one letter). 32-bit sums suffice: at
    # most 4 letters (26**4) and 8 digits are ever summed.
    letters = np.zeros(len(at), dtype=np.int32)
    column = np.zeros(len(at), dtype=np.int32)
    for i in range(5):
        ch = a[start + i].astype(np.int32)
        go = (letters == i) & (ch >= 65) & (ch <= 90)
        if not go.any():
            break
        letters += go
        if i < 4:
            column = np.where(go, column * 26 + ch - 64, column)
    digits = np.zeros(len(at), dtype=np.int32)
    row = np.zeros(len(at), dtype=np.int32)
    first_digit = start + letters
    for j in range(9):
        ch = a[first_digit + j].astype(np.int32)
        go = (digits == j) & (ch >= 48) & (ch <= 57)
        if not go.any():
            break
        digits += go
        if j < 8:
            row = np.where(go, row * 10 + ch - 48, row)
    ok = (letters >= 1) & (letters <= 4) & (digits >= 1) & (digits <= 8) & (a[first_digit + digits] == 34)
    count = int(ok.sum())
    if not count:
        return 0, 0, 0, 0, 0, tags, prefixed
    column, row = column[ok], row[ok]
    return count, int(column.max()), int(row.max()), int(column[-1]), int(row[-1]), tags, prefixed


class _RangeScan:
    """The used range of a worksheet part, fed its blocks in order (see _scan_sheet)."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self.row = self.column = 0  # the position of the last row and cell tag seen
        self.blocks = 0

    @property
    def used(self) -> UsedRange:
        return UsedRange(self.rows, self.columns)

    def feed(self, data: bytes) -> None:
        if self.blocks == 0:
            found = _DIMENSION.search(data)
            last = _LAST_REF.search(found.group(1).split(b":")[-1]) if found else None
            if last:
                self.columns, self.rows = _column_number(last.group(1)), int(last.group(2))
        self.blocks += 1
        count, most_column, most_row, last_column, last_row, tags, prefixed = _common_refs(data)
        if count == tags and not prefixed:
            if count:
                self.columns, self.rows = max(self.columns, most_column), max(self.rows, most_row)
                self.column, self.row = last_column, last_row
            return
        rows, columns, row, column = self.rows, self.columns, self.row, self.column
        for kind, attrs in _TOKEN.findall(data):
            ref = _R_ATTR.search(b" " + attrs)
            if kind == b"row":
                row = int(ref.group(2)) if ref else row + 1
                column = 0
                rows = max(rows, row)
            elif ref and ref.group(1):
                column, cell_row = _column_number(ref.group(1)), int(ref.group(2))
                columns, rows = max(columns, column), max(rows, cell_row)
            else:
                column += 1
                columns, rows = max(columns, column), max(rows, row, 1)
        self.rows, self.columns, self.row, self.column = rows, columns, row, column


def _scan_sheet(z: zipfile.ZipFile, member: str) -> UsedRange:
    """The used range of a worksheet part: the larger of its <dimension> and its cells' positions.

    A block whose every cell tag is in the common form ``<c r="B7"`` is measured by one regex pass in C. Any
    other block (cells with no reference, which follow the cell before them; prefixed tags such as ``<x:c``;
    odd spacing; or just the <cols> list at the top) goes through a scan of every row and cell tag that tracks
    the position, so no cell calamine would place escapes the count."""
    scan = _RangeScan()
    for data in _chunks(z, member):
        scan.feed(data)
    return scan.used


def _package_sheets(path: Path) -> dict[str, str] | None:
    """Sheet name -> worksheet XML part of an .xlsx/.xlsm file; None for other workbook formats."""
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as z:
        return _ooxml_sheets(z)


def _ooxml_sheets(z: zipfile.ZipFile) -> dict[str, str] | None:
    """Sheet name -> worksheet XML part of an .xlsx/.xlsm package; None for other formats (.xlsb, .ods)."""
    names = set(z.namelist())

    def text(member: str) -> str:
        with z.open(member) as f:
            return f.read(16 << 20).decode("utf-8", "replace")

    book = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in re.findall(r"<Relationship\b[^>]*>", text("_rels/.rels")):
            if re.search(r'Type="[^"]*/officeDocument"', rel) and (target := re.search(r'Target="([^"]*)"', rel)):
                book = target.group(1).lstrip("/")
    if book not in names or not book.endswith(".xml"):
        return None
    rels_part = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    targets: dict[str, str] = {}
    if rels_part in names:
        for rel in re.findall(r"<Relationship\b[^>]*>", text(rels_part)):
            rid, target = re.search(r'\bId="([^"]*)"', rel), re.search(r'Target="([^"]*)"', rel)
            if rid and target:
                t = target.group(1)
                targets[rid.group(1)] = t.lstrip("/") if t.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(book), t))
    sheets = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", text(book)):
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\b(?:\w+:)?id="([^"]*)"', tag)
        if name and rid and targets.get(rid.group(1)) in names:
            sheets[html.unescape(name.group(1))] = targets[rid.group(1)]
    return sheets


_PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
import fastexcel
reader = fastexcel.read_excel(sys.argv[1])
out = {}
for name in json.loads(sys.argv[2]):
    sheet = reader.load_sheet(name, header_row=None, skip_rows=0, n_rows=1, dtypes="string")
    out[name] = [sheet.total_height, max([c.absolute_index + 1 for c in sheet.available_columns()], default=0)]
print(json.dumps(out))
"""


def _probe(path: Path, names: list[str]) -> dict[str, UsedRange]:
    """Sheets' used ranges measured by calamine in a child process with a memory limit; an absurd range kills
    the child (a failed allocation aborts), never this process."""
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path), json.dumps(names), str(PROBE_MEMORY)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise InputRefused(
            "Sheet too large",
            f"{path.name} could not be measured within {PROBE_MEMORY >> 30} GB of memory: a sheet uses a range far "
            f"beyond {MAX_CELLS:,} cells (a stray cell far below or to the right of the data?). It was not read. "
            "Save it as .xlsx or export the extract as CSV.",
        )
    return {name: UsedRange(rows, columns) for name, (rows, columns) in json.loads(done.stdout).items()}


def _too_large(used: UsedRange) -> bool:
    return used.columns > MAX_COLUMNS or used.rows * used.columns > MAX_CELLS


def _refuse_range(path: Path, name: str, used: UsedRange) -> None:
    if not _too_large(used):
        return
    raise InputRefused(
        "Sheet too large",
        f"Sheet {clip(name)!r} of {path.name} uses the range {used.ref}: {used.rows:,} rows × "
        f"{used.columns:,} columns, {used.rows * used.columns:,} cells. A sheet is read only up to "
        f"{MAX_COLUMNS} columns and {MAX_CELLS:,} cells, so it was not read. Delete the stray cells far below "
        "or to the right of the data (Ctrl+End in Excel goes to the last used cell) and save, or export the "
        "extract as CSV.",
    )


def check_used_ranges(path: Path, names: list[str]) -> None:
    """Refuse the workbook if any of the sheets ``names`` (those about to be read) uses a range beyond
    MAX_COLUMNS columns or MAX_CELLS cells from A1, before calamine allocates it."""
    ranges: dict[str, UsedRange] | None = None
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            parts = _ooxml_sheets(z)
            if parts is not None:
                ranges = {n: _scan_sheet(z, parts[n]) for n in names if n in parts}
    if ranges is None:
        ranges = _probe(path, names)
    for name in names:
        used = ranges.get(name)
        if used is not None:
            _refuse_range(path, name, used)


# A worksheet part of SPLIT_BYTES to SPLIT_MAX_BYTES (unpacked) is read as several workbooks at once (calamine
# works outside the GIL): the rows up to each cut (a row tag that far through the part) are read in a thread as soon
# as the range so far is measured, and the rest here once the whole range is. Measuring the range then costs little
# more than unpacking. Larger parts are read whole, so the copies stay within memory.
SPLIT_BYTES = 8 << 20
SPLIT_MAX_BYTES = 256 << 20
# One cut: the first part is read while the rest is measured, so it takes the larger share. Each part reads the
# shared strings again, so a second cut made a workbook as Excel writes it slower (0.85 s against 0.77 s for
# 200,000 rows), though a sheet of inline strings gained 0.02 s.
SPLIT_AT = (0.6,)
_SHEET_DATA = b"<sheetData>"
# A row tag straight after a row's end: between two rows of sheetData, never inside a cell's text (where "<" is
# written &lt;) as long as no CDATA section or comment came before it.
_SPLIT_ROW = re.compile(rb'</row>\s*(<row r="([0-9]{1,8})")')
_EMPTY_SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'


class _PartFailed(Exception):
    """A sheet could not be split, or its parts could not be read or joined as expected: it is read whole."""


def _load_sheet(path: Path, reader: fastexcel.ExcelReader, name: str, parts: dict[str, str] | None) -> list[Column]:
    """A sheet's text columns from A1 (see _load), once its used range is known to be within the limits. A large
    .xlsx/.xlsm worksheet is read in parts at once (SPLIT_BYTES); others whole, after their range is checked."""
    if parts is None or name not in parts:
        return _load(reader, name)
    try:
        return _load_measured(path, reader, name, parts[name], set(parts.values()))
    except (zipfile.BadZipFile, zlib.error, ISAL_ERROR, EOFError) as e:
        raise InputRefused(
            "Corrupt workbook",
            f"{path.name} is damaged: sheet {clip(name)!r} cannot be unpacked ({clip(str(e), 200)}). Save it again "
            "from Excel or re-export it.",
        ) from e


def _load_measured(path: Path, reader: fastexcel.ExcelReader, name: str, member: str,
                   worksheets: set[str]) -> list[Column]:
    """The sheet of the worksheet part ``member`` read whole or in parts, its range measured first (_load_sheet)."""
    with zipfile.ZipFile(path) as z:
        if not SPLIT_BYTES <= z.getinfo(member).file_size <= SPLIT_MAX_BYTES or _cpus() < 2:
            _refuse_range(path, name, _scan_sheet(z, member))
            return _load(reader, name)
        try:
            return _load_in_parts(path, z, name, member, worksheets)
        except _PartFailed:  # raised only once the whole range has been checked
            return _load(reader, name)
        except OSError:  # no room for the parts' temporary workbooks: measured, then read whole
            _refuse_range(path, name, _scan_sheet(z, member))
            return _load(reader, name)


def _cpus() -> int:
    """The CPUs this process may run on: with one, a split read only adds its own work."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _load_in_parts(path: Path, z: zipfile.ZipFile, name: str, member: str, worksheets: set[str]) -> list[Column]:
    """Measure the worksheet part while cutting it at rows (SPLIT_AT); each part but the last is read in a thread
    once the range so far is within the limits, the last here once the whole range is. Refuses the sheet on the
    whole range, as a whole read does; raises _PartFailed (after that check) when the part has no row to cut at
    where it is safe to, or its parts cannot be read or do not join up."""
    size = z.getinfo(member).file_size
    scan = _RangeScan()
    chunks = _chunks(z, member)
    starts: list[int] = [1]  # the sheet row each part starts at
    reads: list[Future[list[pa.Array] | None]] = []
    seen, head = 0, b""
    writer: _PartWriter | None = None
    written: list[_PartWriter] = []
    try:
        with ThreadPoolExecutor(max_workers=len(SPLIT_AT)) as pool:
            for data in chunks:
                scan.feed(data)
                if len(starts) > len(SPLIT_AT):
                    if writer:
                        writer.write(data)
                    continue
                if not head:
                    at = data.find(_SHEET_DATA)
                    if at == -1 or re.search(rb"<worksheet[\s>]", data[:at]) is None:
                        break
                    head = data[: at + len(_SHEET_DATA)]
                    writer = _PartWriter(z, member, worksheets)
                    written.append(writer)
                if writer is None or b"<!" in data:  # a CDATA section or a comment: a cut might fall inside it
                    break
                seen += len(data)
                found = _SPLIT_ROW.search(data) if seen >= SPLIT_AT[len(starts) - 1] * size else None
                if found is None:
                    writer.write(data)
                    continue
                row = int(found.group(2))
                writer.write(data[: found.start(1)] + b"</sheetData></worksheet>")
                writer.close()
                if row <= starts[-1] or _too_large(scan.used):
                    break
                reads.append(pool.submit(_load_part, writer.path, name))
                starts.append(row)
                writer = _PartWriter(z, member, worksheets)
                written.append(writer)
                writer.write(head + data[found.start(1):])
            for data in chunks:  # the rest of a part with no cut: measured only, then the sheet is read whole
                scan.feed(data)
            _refuse_range(path, name, scan.used)
            if len(starts) <= len(SPLIT_AT) or writer is None:
                raise _PartFailed
            writer.close()
            last = _load_part(writer.path, name)
            read = [*(future.result() for future in reads), last]
        joined = [(start, columns) for start, columns in zip(starts, read, strict=True) if columns is not None]
        if len(joined) < len(starts):
            raise _PartFailed
        return _join_parts(joined)
    finally:
        for part in written:
            part.remove()


class _PartWriter:
    """A workbook holding part of a worksheet, written unpacked (stored) as the part is unpacked, to a private
    temporary file (fastexcel opens a path at once, where bytes it copies one by one). The rows may hold caller
    references, so the file is removed however the read ends. The zip is written here rather than by zipfile, whose
    CRC (zlib's) took 0.05 s of a 99 MB part's measuring; ISA-L's takes a sixth of that. Under SPLIT_MAX_BYTES, so
    never zip64."""

    def __init__(self, z: zipfile.ZipFile, member: str, worksheets: set[str]) -> None:
        fd, name = tempfile.mkstemp(suffix=".xlsx")
        self.path = Path(name)
        self._file: BinaryIO | None = os.fdopen(fd, "wb")
        self._entries: list[tuple[bytes, int, int, int]] = []  # name, local header's offset, CRC, size
        try:
            for info in z.infolist():  # every other worksheet empty: only this one is read
                if info.filename != member:
                    self._add(info.filename, _EMPTY_SHEET if info.filename in worksheets else z.read(info))
            self._name = member.encode()
            self._offset = self._file.tell()
            self._file.write(_local_header(self._name, 0, 0))  # its CRC and size are written in at close()
        except BaseException:  # no room, say: the file goes, and the error (an OSError reads the sheet whole)
            self._file.close()
            self._file = None
            self.path.unlink(missing_ok=True)
            raise
        self._crc = self._size = 0

    def _add(self, name: str, data: bytes) -> None:
        assert self._file is not None
        encoded, crc = name.encode(), isal_zlib.crc32(data)
        self._entries.append((encoded, self._file.tell(), crc, len(data)))
        self._file.write(_local_header(encoded, crc, len(data)) + data)

    def write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)
        self._crc = isal_zlib.crc32(data, self._crc)
        self._size += len(data)

    def close(self) -> None:
        if self._file is None:
            return
        f, self._file = self._file, None
        with f:
            end = f.tell()
            f.seek(self._offset)
            f.write(_local_header(self._name, self._crc, self._size))
            f.seek(end)
            entries = [*self._entries, (self._name, self._offset, self._crc, self._size)]
            directory = b"".join(
                struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, _utf8_flag(name), 0, 0, _DOS_DATE, crc, size,
                            size, len(name), 0, 0, 0, 0, 0, offset) + name
                for name, offset, crc, size in entries)
            f.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                                            len(directory), end, 0))

    def remove(self) -> None:
        try:
            self.close()
        finally:
            self.path.unlink(missing_ok=True)


_DOS_DATE = 0x21  # 1980-01-01, the first date a zip entry can bear; the time is 00:00


def _utf8_flag(name: bytes) -> int:
    return 0 if name.isascii() else 0x800  # bit 11: the name is UTF-8


def _local_header(name: bytes, crc: int, size: int) -> bytes:
    """A stored zip entry's local header (version 2.0, no data descriptor)."""
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, _utf8_flag(name), 0, 0, _DOS_DATE, crc, size, size,
                       len(name), 0) + name


def _load_part(package: Path, name: str) -> list[pa.Array] | None:
    """A part's columns (see _load), or None when calamine cannot read it: the sheet is then read whole."""
    try:
        return _load(fastexcel.read_excel(str(package)), name)
    except Exception:  # calamine's errors and _load's refusal alike
        return None


def _join_parts(parts: list[tuple[int, list[pa.Array]]]) -> list[Column]:
    """The columns of a sheet read in parts, (the sheet row a part starts at, its columns). Each part is read
    from A1, its rows above its start empty, so each row keeps its place: part k gives the rows from its start to
    the next part's. A part with a value on the wrong side of its run (rows out of order) fails the join. The
    columns are chunked, the parts' slices as they are: copying them into one array took 0.04 s of a 200,000-row
    sheet's 0.8 s read."""
    starts = [row - 1 for row, _ in parts]
    ends: list[int | None] = [*starts[1:], None]
    lengths = [len(columns[0]) if columns else 0 for _, columns in parts]
    for (_, columns), start, end, n in zip(parts, starts, ends, lengths, strict=True):
        if (end is not None and (n > end or end <= start)) or any(
                c.slice(0, start).null_count != min(start, n) for c in columns):
            raise _PartFailed
    total = max(lengths)
    width = max(len(columns) for _, columns in parts)
    text = pa.string()
    out = []
    for i in range(width):
        pieces = []
        for (_, columns), start, end, n in zip(parts, starts, ends, lengths, strict=True):
            stop = total if end is None else min(end, total)
            if stop <= start:
                continue
            have = columns[i].slice(start, max(min(n, stop) - start, 0)) if i < len(columns) else pa.nulls(0, text)
            pieces += [have, pa.nulls(stop - start - len(have), text)]
        out.append(pa.chunked_array(pieces, type=text))
    return out


def read_workbook(
    path: Path, *, sheet: str | None, formats: tuple[str, ...], progress: Callable[[float, str], None]
) -> Sheet:
    _check_container(path)
    reader = _open(path)
    sheets = list(reader.sheet_names)
    if sheet is not None and sheet not in sheets:
        raise InputRefused(
            "Sheet not found",
            f"{path.name} has no sheet {clip(sheet)!r}. Its sheets are: {', '.join(repr(clip(s)) for s in sheets)}.",
        )
    candidates = [sheet] if sheet is not None else sheets
    parts = _package_sheets(path)
    if parts is None:
        check_used_ranges(path, candidates)  # .xlsx/.xlsm sheets are measured as they are read
    best: tuple[int, str, detect.HeaderChoice | None] = (-1, candidates[0] if candidates else "", None)
    loaded: dict[str, list[Column]] = {}  # reading a sheet is the costly step: do it once per sheet
    for name in candidates:
        loaded[name] = _load_sheet(path, reader, name, parts)
        head = _head(loaded[name], HEADER_SCAN_ROWS)
        choice = detect.find_header(head, formats)
        score = detect.header_score(choice.header, formats) if choice else 0
        if choice is None and best[2] is None and best[0] < 0:
            first = next((i for i, r in enumerate(head) if any(c.strip() for c in r)), None)
            if first is not None:
                choice = detect.HeaderChoice(first, [c.strip() for c in head[first]])
        if score > best[0]:
            best = (score, name, choice)
    _, chosen, choice = best
    if choice is None:
        raise InputRefused(
            "Empty workbook",
            f"{path.name} has no header and no data in sheet(s) {', '.join(repr(clip(s)) for s in candidates)}.",
        )
    columns = loaded[chosen]
    progress(0.2, f"Read {len(columns[0]) if columns else 0} rows from sheet {clip(chosen)!r}")
    table = _to_arrow(columns, choice.index, len(choice.header))
    # a column with values but no header is refused by the reader (analytics.ingest.readers), as in a CSV file
    return Sheet(table, choice.header, [f"c{i}" for i in range(len(choice.header))], chosen, sheets, [])


def column_letter(i: int) -> str:
    """Spreadsheet column letter for a 0-based index (0 -> A, 26 -> AA)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _to_arrow(columns: list[Column], header_index: int, n: int) -> pa.Table:
    start = header_index + 1
    rows = max(len(columns[0]) - start, 0) if columns else 0
    first_row = header_index + 2  # spreadsheet row number of the first data row
    data = [c.slice(start) for c in columns]
    arrays: dict[str, pa.Array] = {"source_row": pa.array(np.arange(first_row, first_row + rows, dtype=np.int32))}
    for i in range(n):
        arrays[f"c{i}"] = data[i] if i < len(data) else pa.nulls(rows, pa.string())
    rest = [c.fill_null("") for c in data[n:]]
    if rest:
        filled = pc.not_equal(pc.utf8_trim_whitespace(rest[0]), "")
        for c in rest[1:]:
            filled = pc.or_(filled, pc.not_equal(pc.utf8_trim_whitespace(c), ""))
        joined = pc.binary_join_element_wise(*rest, ", ")
        arrays["_extra"] = pc.if_else(filled, joined, pa.scalar(None, pa.string()))
    else:
        arrays["_extra"] = pa.nulls(rows, pa.string())
    # Record batches of 50,000 rows (zero-copy slices) let DuckDB scan the sheet on every core.
    table = pa.table(arrays)
    return pa.Table.from_batches(table.to_batches(max_chunksize=50_000), schema=table.schema)
