"""The one export layer: every CSV download, the load-history export and the pack's workbook cells go through here.

Formula injection. A spreadsheet runs a cell that starts with a formula character, so text from data or file names
(a district, a call type, ``=HYPERLINK("http:x","click").csv``) must never reach a file as a live formula. The rule
follows OWASP's CSV Injection page:

- a text cell is guarded when it starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return, line feed, NUL
  (ASVS 1.2.10) or a full-width ``＝ ＋ － ＠`` (read as formulas in some locales);
- it is also guarded when such a character (``= + - @`` or full width) comes after leading whitespace or quote
  marks (`` =1+1``, ``"=1+1``), which some spreadsheets skip before deciding a cell is a formula;
- guarding is one single quote ``'`` put in front, which spreadsheets read as "this is text";
- in CSV every text cell is also wrapped in double quotes with inner quotes doubled (OWASP's "wrap each cell"
  and RFC 4180), so a ``,`` or ``;`` in a value can never start a new cell in any locale's separator.

Only str cells are touched: numbers stay numbers, so a change of -174 is written ``-174``, never ``'-174``.
Apply the guard once, when the file is written (guarding twice adds a second quote).

Workbooks: openpyxl stores a str starting with ``=`` as a formula, so :func:`write_cell` forces every str to a
string cell and sets Excel's quote prefix on guarded values (the cell keeps the value exactly, shows it as text and
stays text when someone edits it); numbers stay numeric cells.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analytics.report.formatting import is_missing

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not by every page that offers a download
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

ALL_KENT = "All Kent"
SIGNAL_WORD = "signal"

# Characters that make a spreadsheet read a cell as a formula when they come first.
FORMULA_STARTS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")
# The same without the whitespace ones: what counts after leading blanks or quote marks.
_AFTER_LEAD = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_QUOTE_MARKS = frozenset("\"'\uff02\uff07\u2018\u2019\u201c\u201d")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def needs_guard(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula (see the module's rule)."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return True
    for ch in text:
        if ch.isspace() or ch in _QUOTE_MARKS:
            continue
        return ch in _AFTER_LEAD
    return False


def safe_text(value: str) -> str:
    """`value` as a spreadsheet shows it as text: a single quote in front when it could start a formula."""
    return "'" + value if needs_guard(value) else value


# ------------------------------------------------------------------------------------------------ cells


def _number_text(value: Any) -> str | None:
    """The CSV text of a number, or None when `value` is not a number. Whole floats are written as integers: a
    count column that pandas made float because a month is missing still writes 1663, not 1663.0."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return "" if not value.is_finite() else (str(int(value)) if value == value.to_integral_value()
                                                 else format(value, "f"))
    if isinstance(value, Real):
        f = float(value)
        if not math.isfinite(f):
            return ""
        return str(int(f)) if f.is_integer() else repr(f)
    return None


def _text(value: Any) -> str:
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    return str(value)


def _quoted(text: str) -> str:
    return '"' + safe_text(text).replace('"', '""') + '"'


def _csv_field(value: Any, *, signal: bool) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        if signal:
            return SIGNAL_WORD if value else ""
        return _quoted("Yes" if value else "No")
    number = _number_text(value)
    if number is not None:
        return number
    return _quoted(_text(value))


def signal_columns_of(frame: pd.DataFrame) -> list[str]:
    """Columns named like the screen's signal column ('signal', 'Signal')."""
    return [c for c in frame.columns if str(c).strip().lower() == SIGNAL_WORD]


def csv_bytes(frame: pd.DataFrame, *, signal_columns: Sequence[str] | None = None) -> bytes:
    """`frame` (no index) as CSV for a spreadsheet: UTF-8 with a BOM so Excel reads the characters right, CRLF rows.

    Counts are integers (an Int64 or float count with a gap writes ``1663`` and a blank); other floats as given;
    booleans in `signal_columns` (by default the columns named 'signal'/'Signal') read "signal" or blank, as on
    screen, other booleans Yes/No; missing values are blank; every heading and text cell is quoted and guarded
    against formulas (see the module).
    """
    signals = set(signal_columns_of(frame) if signal_columns is None else signal_columns)
    unknown = signals - set(frame.columns)
    if unknown:
        raise ValueError(f"Signal columns {sorted(map(str, unknown))} are not in the table "
                         f"(its columns: {', '.join(map(str, frame.columns))}).")
    flags = [c in signals for c in frame.columns]
    lines = [",".join(_quoted(str(c)) for c in frame.columns)]
    for row in frame.itertuples(index=False, name=None):
        # A one-column row that is blank is written "" so readers that skip blank lines keep the row.
        lines.append(",".join(_csv_field(v, signal=s) for v, s in zip(row, flags, strict=True)) or '""')
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


# ------------------------------------------------------------------------------------------------ names


def slug(text: str) -> str:
    """Lower case ASCII with every run of other characters as one '-': 'police.uk' -> 'police-uk'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def area_slug(area: str | None) -> str:
    """'kent' for all of Kent (None, blank or 'All Kent'), else the district's slug."""
    if area is None or not area.strip() or area.strip().lower() == ALL_KENT.lower():
        return "kent"
    return slug(area)


def csv_file_name(measure: str, area: str | None, source: str, start: str, end: str, ext: str = "csv") -> str:
    """A file name that says what the file holds: measure, area, source and period.

    ``csv_file_name("asb-by-month", "Thanet", "police.uk", "2024-04", "2025-03")`` ->
    ``asb-by-month_thanet_police-uk_2024-04-to-2025-03.csv``. A one-month period is written as that month alone
    (``..._2025-04.csv``). Parts are separated by '_' (slugs only use '-'), so the name splits back into its parts.
    """
    for name, month in (("start", start), ("end", end)):
        if not isinstance(month, str) or not _MONTH.fullmatch(month):
            raise ValueError(f"The {name} month for the file name must be YYYY-MM, got {month!r}.")
    if start > end:
        raise ValueError(f"The file name's period starts after it ends ({start} to {end}).")
    given = {"measure": measure, "area": area, "source": source, "extension": ext}
    parts = {"measure": slug(measure), "area": area_slug(area), "source": slug(source),
             "extension": slug(ext.lstrip("."))}
    for name, value in parts.items():
        if not value:
            raise ValueError(f"The {name} for the file name has no letters or digits (got {given[name]!r}).")
    period = start if start == end else f"{start}-to-{end}"
    return f"{parts['measure']}_{parts['area']}_{parts['source']}_{period}.{parts['extension']}"


def with_context(frame: pd.DataFrame, *, area: str | None, source: str) -> pd.DataFrame:
    """`frame` with 'Area' and 'Source' columns first, so every row of a download says where it is from."""
    clash = [c for c in ("Area", "Source") if c in frame.columns]
    if clash:
        raise ValueError(f"The table already has {' and '.join(clash)} column(s); it cannot take the context twice.")
    out = frame.copy()
    out.insert(0, "Source", [source] * len(out))
    out.insert(0, "Area", [ALL_KENT if area is None or not area.strip() else area] * len(out))
    return out


# ------------------------------------------------------------------------------------------------ workbooks


def cell_value(value: Any) -> Any:
    """A value openpyxl writes as it is: None for missing, Python int/float for numpy numbers, bools, dates and
    str as they are; anything else as its text. Characters a workbook cannot hold (control characters other than
    tab, CR and LF) become U+FFFD so a file name or data value cannot break the pack."""
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Decimal | Real):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, datetime | date):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", _text(value))


def write_cell(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """Write `value` to `ws` at (row, col) so text is always a literal string cell and numbers are numbers.

    openpyxl would store a str starting with '=' as a formula: here every str is a string cell, and a value that
    could start a formula also gets Excel's quote prefix, so it stays text when someone edits the cell. The value
    itself is kept exactly (no visible quote in a workbook).
    """
    from openpyxl.cell.cell import MergedCell

    v = cell_value(value)
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        raise ValueError(f"Cell {cell.coordinate} of sheet {ws.title!r} is inside a merged range: "
                         "write to the range's first cell.")
    cell.value = v
    if isinstance(v, str):
        cell.data_type = "s"
        if needs_guard(v):
            cell.quotePrefix = True
    return cell


def write_rows(ws: Worksheet, rows: Iterable[Sequence[Any]], *, first_row: int = 1, first_col: int = 1) -> int:
    """Write `rows` through :func:`write_cell` from (first_row, first_col); returns the next free row."""
    r = first_row
    for values in rows:
        for offset, value in enumerate(values):
            write_cell(ws, r, first_col + offset, value)
        r += 1
    return r
