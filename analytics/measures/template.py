"""The measures file's template: the columns the loader expects, an example row per measure, and a notes sheet.

The template loads as it is (every example row is valid), so an analyst can overwrite the examples with the
month's figures. Columns come from analytics.measures.reading.COLUMNS, so the template never disagrees with the
loader.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analytics.measures.catalogue import CATALOGUE
from analytics.measures.reading import COLUMNS

TITLE = "Measures file (engagement and satisfaction)"
FILE_STEM = "measures-template"

DESCRIPTIONS = {
    "measure": "Which measure: one of the names in the table below (or its title).",
    "period": "A day (2025-01-31, or 31/01/2025 day first), an ISO week (2025-W03: Monday 13 – Sunday 19 January "
              "2025) or a month (2025-01). A week counts in the month of its Thursday.",
    "district": "Optional. One of the 13 Kent districts, or blank (or Kent) for a force-wide value.",
    "value": "The figure: a whole number for counts (members, sign-ups, alerts) and for a survey the number of "
             "victims satisfied; a per cent (0-100) for a comparison figure.",
    "surveyed": "Survey measures only: the number of victims surveyed (at least the number satisfied). Blank for "
                "every other measure.",
}
# Example rows (the values are examples to overwrite): sign-ups by week as the force report gives them.
EXAMPLES: list[tuple[str, str, str, object, object]] = [
    ("mcv_members", "2025-01-31", "", 9500, ""),
    ("mcv_members", "2025-01-31", "Ashford", 700, ""),
    ("mcv_signups", "2025-W01", "", 70, ""),
    ("mcv_signups", "2025-W02", "", 256, ""),
    ("mcv_signups", "2025-W03", "", 550, ""),
    ("mcv_alerts", "2025-01", "", 48, ""),
    ("asb_victim_satisfaction", "2025-01", "", 390, 500),
    ("asb_victim_satisfaction_ew", "2025-01", "", 76.5, ""),
]

_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_REQUIRED_FILL = PatternFill("solid", fgColor="DDEBF7")


def file_name(suffix: str = "xlsx") -> str:
    return f"{FILE_STEM}.{suffix}"


def workbook() -> bytes:
    """An .xlsx with sheet 'Data' (header and the example rows) and sheet 'Notes' (columns and measures)."""
    names = list(COLUMNS)
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = "Data"
    data.append(names)
    for row in EXAMPLES:
        data.append(list(row))
    for i, name in enumerate(names, start=1):
        head = data.cell(row=1, column=i)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = _HEAD_FILL
        data.column_dimensions[get_column_letter(i)].width = max(14, len(name) + 4,
                                                                 *(len(str(r[i - 1])) + 2 for r in EXAMPLES))
    data.freeze_panes = "A2"

    notes = wb.create_sheet("Notes")
    notes.append([TITLE])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append(["One row per measure, period and area, under the header in sheet Data. The rows there are "
                  "examples: replace them with your figures. Weekly and monthly values may sit in one file; they "
                  "are never added together."])
    notes.append([])
    notes.append(["column", "required", "what it holds"])
    for cell in notes[4]:
        cell.font = Font(bold=True)
    for name, (required, _) in COLUMNS.items():
        notes.append([name, "required" if required else "optional", DESCRIPTIONS[name]])
        if required:
            for cell in notes[notes.max_row]:
                cell.fill = _REQUIRED_FILL
    notes.append([])
    notes.append(["measure", "title", "what it holds"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    for m in CATALOGUE:
        notes.append([m.name, m.title, m.help])
    for letter, width in zip("ABC", (26, 42, 100), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=5):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes() -> bytes:
    """The same header and example rows as CSV (UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(COLUMNS))
    writer.writerows(EXAMPLES)
    return out.getvalue().encode("utf-8")
