"""Template workbooks for the force extracts: the columns the loader expects, an example row, and a notes sheet.

A template loads as it is (its example row is valid), so a force can fill it in or shape its export like it.
Columns come from ``canonical_columns``, so a template never disagrees with the loader.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analytics.ingest.readers import canonical_columns
from analytics.measures import template as measures  # noqa: F401  (the measures file's template, for the pages)

FORMATS = ("asb", "crime")
TITLES = {"asb": "Force ASB incident extract", "crime": "Force recorded-crime extract"}

# canonical column -> (example value, what it holds)
COLUMNS: dict[str, dict[str, tuple[object, str]]] = {
    "asb": {
        "incident_ref": ("ASB/25/000123", "The incident's unique reference (incident or CAD number)."),
        "reported_date": (datetime(2025, 1, 3, 14, 25), "When the incident was reported: a date cell, or text "
                          "day first (03/01/2025 or 03/01/2025 14:25 is 3 January). Sets the month it counts in."),
        "district": ("Ashford", "One of the 13 Kent districts (Medway and the 12 district and borough councils); "
                     "former names such as Shepway are recognised."),
        "call_type": ("Noise nuisance", "The ASB call type (opening code), e.g. Noise nuisance, Neighbour dispute, "
                      "Motor vehicle nuisance on road."),
        "location": ("High Street, Ashford", "Optional. Street or place."),
        "lsoa_code": ("E01023987", "Optional. The LSOA code of the location."),
        "latitude": (51.146, "Optional. Decimal degrees."),
        "longitude": (0.875, "Optional. Decimal degrees."),
        "caller_ref": ("C-000456", "Optional. The caller's reference (personal data: shown to analysts only)."),
        "vulnerable": ("N", "Optional. Y or N: the caller is vulnerable."),
        "repeat_caller": ("Y", "Optional. Y or N: the caller has called about ASB before."),
    },
    "crime": {
        "crime_ref": ("46/000789/25", "The crime's unique reference (crime number)."),
        "recorded_date": (datetime(2025, 1, 4, 9, 10), "When the crime was recorded: a date cell, or text day "
                          "first (04/01/2025 is 4 January). Sets the month it counts in."),
        "district": ("Canterbury", "One of the 13 Kent districts (Medway and the 12 district and borough "
                     "councils); former names such as Shepway are recognised."),
        "offence_group": ("Burglary", "The Home Office offence group or police.uk crime type, e.g. Burglary, "
                          "Violence against the person, Shoplifting, Drugs."),
        "victim_based": ("Y", "Optional. Y or N; when blank it follows from the offence group."),
        "outcome": ("1", "Optional. The Home Office outcome number (1, 1A, 2 ... 22) or a police.uk outcome text."),
        "outcome_date": (datetime(2025, 2, 20), "Optional. When the outcome was recorded."),
        "location": ("St George's Street, Canterbury", "Optional. Street or place."),
        "lsoa_code": ("E01024040", "Optional. The LSOA code of the location."),
        "latitude": (51.278, "Optional. Decimal degrees."),
        "longitude": (1.082, "Optional. Decimal degrees."),
    },
}

_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_REQUIRED_FILL = PatternFill("solid", fgColor="DDEBF7")


def columns(fmt: str) -> list[tuple[str, bool, object, str]]:
    """(column, required, example, description) in the loader's order."""
    if fmt not in FORMATS:
        raise ValueError(f"no template for format {fmt!r}: use one of {', '.join(FORMATS)}")
    return [(name, required, *COLUMNS[fmt][name]) for name, required in canonical_columns(fmt).items()]


def file_name(fmt: str, suffix: str = "xlsx") -> str:
    return f"{fmt}-extract-template.{suffix}"


def template_workbook(fmt: str) -> bytes:
    """An .xlsx with sheet 'Data' (header and one example row) and sheet 'Notes' (what each column holds)."""
    cols = columns(fmt)
    wb = Workbook()
    data = wb.create_sheet("Data", 0)
    wb.remove(wb.worksheets[1])  # the blank sheet a new workbook starts with
    data.append([name for name, *_ in cols])
    data.append([example for _, _, example, _ in cols])
    for i, (name, _, example, _) in enumerate(cols, start=1):
        head = data.cell(row=1, column=i)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = _HEAD_FILL
        if isinstance(example, datetime):
            data.cell(row=2, column=i).number_format = "dd/mm/yyyy hh:mm"
        data.column_dimensions[get_column_letter(i)].width = max(14, len(name) + 4, len(str(example)) + 2)
    data.freeze_panes = "A2"

    notes = wb.create_sheet("Notes")
    notes.append([TITLES[fmt]])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append(["One row per " + ("incident" if fmt == "asb" else "crime") + ", under the header in sheet Data. "
                  "Replace the example row with your data. Column names may differ (e.g. 'Incident Number'): "
                  "the upload page suggests a mapping and remembers it."])
    notes.append([])
    notes.append(["column", "required", "example", "what it holds"])
    for cell in notes[4]:
        cell.font = Font(bold=True)
    for name, required, example, description in cols:
        shown = example.strftime("%d/%m/%Y %H:%M") if isinstance(example, datetime) else example
        notes.append([name, "required" if required else "optional", shown, description])
        if required:
            for cell in notes[notes.max_row]:
                cell.fill = _REQUIRED_FILL
    for letter, width in zip("ABCD", (18, 10, 30, 100), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=5):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_csv(fmt: str) -> bytes:
    """The same header and example row as CSV (UTF-8, dates day first as a UK export writes them)."""
    cols = columns(fmt)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, *_ in cols])
    writer.writerow([e.strftime("%d/%m/%Y %H:%M") if isinstance(e, datetime) else e for _, _, e, _ in cols])
    return out.getvalue().encode("utf-8")

