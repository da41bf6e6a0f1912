"""The pack as an Excel workbook laid out like a board paper: a cover sheet, then a sheet per section.

Figures stay numbers (a count is 1663 with the format #,##0, a % change is −16.8 shown as "−16.8%", a change shows
"▲ +187" or "▼ −332" through its number format), so the workbook can be added up; "n/a" and the public "*" are
text. Every text cell goes through analytics.report.export.write_cell, so a district, call type, source or file
name that starts like a formula stays text. Each sheet prints on A4 fitted to the page width, with its title and
first table's header repeated on every printed page and a footer with the period, "data as at" and page numbers.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analytics.report import formatting as fmt
from analytics.report.export import write_cell
from analytics.report.pack.model import Chart, Column, Pack, Table, Text, is_hidden
from analytics.report.suppression import HIDDEN

NUMBER_FORMATS = {
    "count": "#,##0",
    "change": '"▲ "+#,##0;"▼ ""−"#,##0;0',
    "pct": '+0.0"%";"−"0.0"%";0.0"%"',
    "rate": '0.0"%"',
    "pp": '+0.0" pp";"−"0.0" pp";0.0" pp"',
    "decimal": "0.00",
}
DARK = "1F4E79"
HEADER_FILL = PatternFill("solid", fgColor=DARK)
TOTAL_BORDER = Border(top=Side(style="thin", color="000000"))
TITLE_FONT = Font(name="Arial", size=16, bold=True, color=DARK)
HEADING_FONT = Font(name="Arial", size=12, bold=True, color=DARK)
BODY_FONT = Font(name="Arial", size=10)
BOLD_FONT = Font(name="Arial", size=10, bold=True)
SMALL_FONT = Font(name="Arial", size=9, italic=True, color="444444")
HEADER_FONT = Font(name="Arial", size=10, bold=True, color="FFFFFF")
WRAP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right")
TEXT_WIDTH = 8  # columns a paragraph spans
PX_PER_ROW = 20  # default row height in pixels
CHART_WIDTH_PX = 640


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")  # '&' starts a code in Excel headers and footers


def _print_setup(ws: Worksheet, pack: Pack, *, wide: bool, title_rows: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if wide else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    props = ws.sheet_properties.pageSetUpPr
    assert props is not None
    props.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    head, foot = ws.oddHeader, ws.oddFooter
    assert head is not None and foot is not None
    head.left.text = _footer_text(pack.cover.title + (" (public)" if pack.public else ""))
    head.right.text = _footer_text(pack.running_head)
    foot.left.text = _footer_text(f"{pack.cover.period} · {pack.cover.as_at_short}")
    foot.right.text = "Page &P of &N"
    for part in (head.left, head.right, foot.left, foot.right):
        part.size = 8


def _display(value: Any, column: Column) -> str:
    """The text a cell shows, for column widths."""
    if value is None:
        return "" if column.kind == "signal" else fmt.NA
    if is_hidden(value):
        return HIDDEN
    kind = column.kind
    if kind == "count":
        return fmt.fmt_int(value)
    if kind == "change":
        return f"▲ {fmt.fmt_change(value)}"
    if kind in ("pct", "rate"):
        return fmt.fmt_pct(value)
    if kind == "pp":
        return fmt.fmt_pp(value)
    if kind == "decimal":
        return fmt.fmt_decimal(value)
    if kind == "signal":
        return fmt.signal_mark(value)
    if kind == "month":
        return fmt.month_short(str(value))
    return str(value)


def _write_value(ws: Worksheet, row: int, col: int, value: Any, column: Column, *, bold: bool) -> None:
    if value is None and column.kind == "signal":
        cell = write_cell(ws, row, col, None)
    elif value is None:
        cell = write_cell(ws, row, col, fmt.NA)
        cell.alignment = RIGHT
    elif is_hidden(value):
        cell = write_cell(ws, row, col, HIDDEN)
        cell.alignment = RIGHT
    elif column.kind == "signal":
        cell = write_cell(ws, row, col, fmt.signal_mark(value))
    elif column.kind == "month":
        cell = write_cell(ws, row, col, fmt.month_short(str(value)))
    elif column.kind in NUMBER_FORMATS:
        cell = write_cell(ws, row, col, value)
        cell.number_format = NUMBER_FORMATS[column.kind]
    else:
        cell = write_cell(ws, row, col, value)
    cell.font = BOLD_FONT if bold else BODY_FONT


class _Sheet:
    """Writes blocks down a sheet and remembers what its print set-up and widths need."""

    def __init__(self, ws: Worksheet, pack: Pack, title: str) -> None:
        self.ws = ws
        self.pack = pack
        self.row = 1
        self.widths: dict[int, int] = {}
        self.first_header: int | None = None
        self.columns = 1
        write_cell(ws, 1, 1, title).font = TITLE_FONT
        write_cell(ws, 2, 1, f"{pack.cover.heading} · {pack.cover.area} · {pack.cover.source} · "
                             f"{pack.cover.as_at_short}").font = SMALL_FONT
        self.row = 4

    def width(self, col: int, text: str) -> None:
        self.widths[col] = max(self.widths.get(col, 0), min(60, len(text) + 2))

    def text(self, block: Text) -> None:
        for para in block.paragraphs:
            line = f"• {para}" if block.bullets else para
            self.paragraph(line, SMALL_FONT if block.note else BODY_FONT)
        self.row += 1

    def paragraph(self, line: str, font: Font) -> None:
        ws = self.ws
        cell = write_cell(ws, self.row, 1, line)
        cell.font = font
        cell.alignment = WRAP
        ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=TEXT_WIDTH)
        per_line = 110  # characters across eight columns at the widths the sheets get
        ws.row_dimensions[self.row].height = 14 * max(1, math.ceil(len(line) / per_line)) + 2
        self.row += 1

    def table(self, table: Table) -> None:
        ws = self.ws
        write_cell(ws, self.row, 1, table.title).font = HEADING_FONT
        self.row += 1
        header = self.row
        if self.first_header is None:
            self.first_header = header
        for j, column in enumerate(table.columns, start=1):
            cell = write_cell(ws, header, j, column.heading)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="left" if j == 1 else "right", vertical="center", wrap_text=True)
            self.width(j, column.heading if len(column.heading) < 16 else column.heading[:16])
        ws.row_dimensions[header].height = 30
        self.columns = max(self.columns, len(table.columns))
        for i, values in enumerate(table.rows):
            r = header + 1 + i
            total = table.total and i == len(table.rows) - 1
            signal = any(c.kind == "signal" and v is True for c, v in zip(table.columns, values, strict=True))
            for j, (column, v) in enumerate(zip(table.columns, values, strict=True), start=1):
                _write_value(ws, r, j, v, column, bold=total or (signal and column.kind == "signal"))
                if total:
                    ws.cell(row=r, column=j).border = TOTAL_BORDER
                self.width(j, _display(v, column))
        self.row = header + 1 + len(table.rows)
        if table.note:
            self.paragraph(table.note, SMALL_FONT)
        self.row += 1

    def chart(self, chart: Chart, png: bytes | None, failed: str | None) -> None:
        ws = self.ws
        write_cell(ws, self.row, 1, chart.title).font = HEADING_FONT
        self.row += 1
        if png is not None:
            image = Image(io.BytesIO(png))
            image.width = CHART_WIDTH_PX
            image.height = round(CHART_WIDTH_PX * chart.height / chart.width)
            ws.add_image(image, f"A{self.row}")
            self.row += math.ceil(image.height / PX_PER_ROW) + 1
        else:
            self.paragraph(f"Chart not drawn ({failed}).", SMALL_FONT)
        self.paragraph(chart.summary, SMALL_FONT)
        self.row += 1

    def finish(self) -> None:
        ws = self.ws
        for col in range(1, max(self.columns, TEXT_WIDTH) + 1):
            ws.column_dimensions[get_column_letter(col)].width = max(self.widths.get(col, 0), 30 if col == 1 else 11)
        if self.first_header is not None:
            ws.freeze_panes = f"A{self.first_header + 1}"
        else:
            ws.freeze_panes = "A3"
        _print_setup(ws, self.pack, wide=self.columns > 7, title_rows=self.first_header or 2)
        ws.sheet_view.showGridLines = False


def _cover(wb: Workbook, pack: Pack) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = "Cover"
    c = pack.cover
    write_cell(ws, 1, 1, c.title + (" — public" if pack.public else "")).font = Font(name="Arial", size=20,
                                                                                      bold=True, color=DARK)
    write_cell(ws, 2, 1, c.heading).font = Font(name="Arial", size=12, color=DARK)
    row = 4
    for label, text in c.facts:
        write_cell(ws, row, 1, label).font = BOLD_FONT
        cell = write_cell(ws, row, 2, text)
        cell.font = BODY_FONT
        cell.alignment = WRAP
        row += 1
    if pack.public_note:
        row += 1
        write_cell(ws, row, 1, "Public version").font = BOLD_FONT
        cell = write_cell(ws, row, 2, pack.public_note)
        cell.font = BODY_FONT
        cell.alignment = WRAP
        ws.row_dimensions[row].height = 44
        row += 1
    row += 1
    write_cell(ws, row, 1, "Definitions").font = HEADING_FONT
    row += 1
    for term, text in c.definitions:
        write_cell(ws, row, 1, term).font = BOLD_FONT
        ws.cell(row=row, column=1).alignment = WRAP
        cell = write_cell(ws, row, 2, text)
        cell.font = BODY_FONT
        cell.alignment = WRAP
        ws.row_dimensions[row].height = 14 * max(1, math.ceil(len(text) / 95)) + 4
        row += 1
    row += 1
    write_cell(ws, row, 1, "Contents").font = HEADING_FONT
    row += 1
    for section in pack.sections:
        write_cell(ws, row, 1, section.title).font = BODY_FONT
        row += 1
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    _print_setup(ws, pack, wide=False, title_rows=0)
    ws.sheet_view.showGridLines = False


def write_workbook(pack: Pack, images: Mapping[str, bytes], *, failed: str | None = None) -> bytes:
    """The workbook's bytes. `images`: chart key -> PNG (analytics.report.pack.images.render); `failed` says why
    charts missing from it could not be drawn."""
    wb = Workbook()
    _cover(wb, pack)
    for section in pack.sections:
        sheet = _Sheet(wb.create_sheet(section.title), pack, section.title)
        for block in section.blocks:
            if isinstance(block, Table):
                sheet.table(block)
            elif isinstance(block, Chart):
                sheet.chart(block, images.get(block.key), failed or "not drawn")
            else:
                sheet.text(block)
        sheet.finish()
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
