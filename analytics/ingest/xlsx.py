"""Excel workbooks, read with fastexcel (calamine into Arrow columns; openpyxl is ~30x slower and only writes).

Checks before reading: the zip's declared uncompressed size and compression ratio (a zip bomb is refused unread),
password-protected workbooks (an encrypted OOXML file is an OLE2 container) and files that are not workbooks.
Cells become text the validation reads the same way as CSV text: real date cells as ISO timestamps, whole
numbers without ".0", so row numbers and values match what the analyst sees in Excel.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc

from analytics.errors import InputRefused
from analytics.ingest import detect

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
MAX_RATIO = 100  # real sheets compress 5-20x; far more is a zip bomb
HEADER_SCAN_ROWS = 30


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
            f"{path.name} could not be read as an Excel workbook ({text.splitlines()[0] if text else e!r}). "
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
        raise InputRefused("Corrupt workbook", f"Sheet {name!r} could not be read: {e}") from e
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
    for prefix, suffix, pattern in (("1899-12-31 ", None, _TIME_ONLY), (None, " 00:00:00", _MIDNIGHT)):
        test = pc.starts_with(text, prefix) if prefix else pc.ends_with(text, suffix)
        mask = pc.and_(test, pc.equal(pc.utf8_length(text), 19)).fill_null(False)
        if pc.any(mask).as_py():
            picked = pc.replace_substring_regex(pc.filter(text, mask), pattern=pattern, replacement=r"\1")
            text = pc.replace_with_mask(text, mask, picked)
    return text


def _head(columns: list[pa.Array], rows: int) -> list[list[str]]:
    """The first rows as lists of cell text, '' for empty cells."""
    n = min(rows, len(columns[0])) if columns else 0
    cols = [c.slice(0, n).to_pylist() for c in columns]
    return [[(col[i] or "") for col in cols] for i in range(n)]


def read_workbook(
    path: Path, *, sheet: str | None, formats: tuple[str, ...], progress: Callable[[float, str], None]
) -> Sheet:
    _check_container(path)
    reader = _open(path)
    sheets = list(reader.sheet_names)
    if sheet is not None and sheet not in sheets:
        raise InputRefused(
            "Sheet not found",
            f"{path.name} has no sheet {sheet!r}. Its sheets are: {', '.join(repr(s) for s in sheets)}.",
        )
    candidates = [sheet] if sheet is not None else sheets
    best: tuple[int, str, detect.HeaderChoice | None] = (-1, candidates[0] if candidates else "", None)
    loaded: dict[str, list[pa.Array]] = {}  # reading a sheet is the costly step: do it once per sheet
    for name in candidates:
        loaded[name] = _load(reader, name)
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
            f"{path.name} has no header and no data in sheet(s) {', '.join(repr(s) for s in candidates)}.",
        )
    columns = loaded[chosen]
    progress(0.2, f"Read {len(columns[0]) if columns else 0} rows from sheet {chosen!r}")
    table = _to_arrow(columns, choice.index, len(choice.header))
    warnings = []
    for i, name in enumerate(choice.header):
        values = table.column(f"c{i}")
        if not name and pc.any(pc.not_equal(pc.utf8_trim_whitespace(values), "")).as_py():
            warnings.append(f"Column {_letter(i)} of sheet {chosen!r} has values but no header, so it was ignored.")
    return Sheet(table, choice.header, [f"c{i}" for i in range(len(choice.header))], chosen, sheets, warnings)


def _letter(i: int) -> str:
    """Spreadsheet column letter for a 0-based index (0 -> A, 26 -> AA)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _to_arrow(columns: list[pa.Array], header_index: int, n: int) -> pa.Table:
    start = header_index + 1
    rows = max(len(columns[0]) - start, 0) if columns else 0
    first_row = header_index + 2  # spreadsheet row number of the first data row
    data = [c.slice(start) for c in columns]
    arrays: dict[str, pa.Array] = {"source_row": pa.array(range(first_row, first_row + rows), pa.int32())}
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
