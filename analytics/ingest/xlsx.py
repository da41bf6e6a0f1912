"""Excel workbooks, read with python-calamine (openpyxl is ~30x slower and only writes files here).

Checks before reading: the zip's declared uncompressed size and compression ratio (a zip bomb is refused unread),
password-protected workbooks (an encrypted OOXML file is an OLE2 container) and files that are not workbooks.
Cells become text the validation reads the same way as CSV text: real date cells as ISO timestamps, whole
numbers without ".0", so row numbers and values match what the analyst sees in Excel.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import python_calamine as pc

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


def _limit_mb(name: str, default: int) -> int:
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
    cap = _limit_mb("ASB_MAX_XLSX_UNCOMPRESSED_MB", 1000)
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


def _open(path: Path) -> pc.CalamineWorkbook:
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as e:
        raise InputRefused(
            "Password-protected workbook",
            f"{path.name} is password-protected, so it cannot be read. Remove the password in Excel and save again.",
        ) from e
    except Exception as e:  # calamine raises several error types for damaged files
        raise InputRefused(
            "Corrupt workbook",
            f"{path.name} could not be read as an Excel workbook ({e}). Save it again from Excel or export as CSV.",
        ) from e


def cell_text(v: object) -> str:
    """A cell as text: dates ISO, whole numbers without '.0', booleans TRUE/FALSE, empty as ''."""
    if v is None:
        return ""
    if type(v) is str:
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v.total_seconds() / 86400)
    return str(v)


def _rows(sheet: pc.CalamineSheet, nrows: int | None = None) -> list[list[object]]:
    """Rows from A1, so list index + 1 is the spreadsheet's row number."""
    try:
        rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
    except Exception as e:
        raise InputRefused("Corrupt workbook", f"Sheet {sheet.name!r} could not be read: {e}") from e
    return rows


def read_workbook(
    path: Path, *, sheet: str | None, formats: tuple[str, ...], progress: Callable[[float, str], None]
) -> Sheet:
    _check_container(path)
    wb = _open(path)
    try:
        sheets = list(wb.sheet_names)
        if sheet is not None and sheet not in sheets:
            raise InputRefused(
                "Sheet not found",
                f"{path.name} has no sheet {sheet!r}. Its sheets are: {', '.join(repr(s) for s in sheets)}.",
            )
        candidates = [sheet] if sheet is not None else sheets
        best: tuple[int, str, detect.HeaderChoice | None] = (-1, candidates[0] if candidates else "", None)
        loaded: dict[str, pc.CalamineSheet] = {}  # parsing a sheet is the costly step: do it once per sheet
        for name in candidates:
            loaded[name] = wb.get_sheet_by_name(name)
            head = [[cell_text(v) for v in r] for r in _rows(loaded[name], HEADER_SCAN_ROWS)]
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
        progress(0.1, f"Reading sheet {chosen!r}")
        rows = _rows(loaded[chosen])
    finally:
        wb.close()
    progress(0.2, f"Read {len(rows)} rows from sheet {chosen!r}")
    table = _to_arrow(rows, choice.index, len(choice.header))
    warnings = []
    for i, name in enumerate(choice.header):
        if not name and table.column(f"c{i}").drop_null().to_pylist() and any(
            v.strip() for v in table.column(f"c{i}").drop_null().to_pylist()
        ):
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


def _to_arrow(rows: list[list[object]], header_index: int, n: int) -> pa.Table:
    data = rows[header_index + 1 :]
    first_row = header_index + 2  # spreadsheet row number of the first data row
    arrays: dict[str, pa.Array] = {"source_row": pa.array(range(first_row, first_row + len(data)), pa.int32())}
    for i in range(n):
        column = [r[i] if i < len(r) else None for r in data]
        if all(type(v) is str for v in column):
            arrays[f"c{i}"] = pa.array(column, pa.string())
        else:
            arrays[f"c{i}"] = pa.array([cell_text(v) for v in column], pa.string())
    extras = []
    for r in data:
        rest = r[n:]
        extras.append(", ".join(cell_text(v) for v in rest) if any(cell_text(v).strip() for v in rest) else None)
    arrays["_extra"] = pa.array(extras, pa.string())
    return pa.table(arrays)
