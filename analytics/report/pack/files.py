"""A pack written as a file: its charts drawn once, then the workbook or the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.report.pack import images
from analytics.report.pack.model import Pack

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


@dataclass(frozen=True)
class PackFile:
    data: bytes
    mime: str
    charts_failed: str | None  # why the charts could not be drawn (the file says so in their place), or None


def write(pack: Pack, kind: str) -> PackFile:
    """The pack as 'xlsx' or 'pdf'. Charts that cannot be drawn are replaced by a line saying why."""
    if kind not in FORMATS:
        raise ValueError(f"A pack is written as xlsx or pdf, not {kind!r}.")
    failed: str | None = None
    try:
        drawn = images.render(pack.charts())
    except images.ChartsUnavailable as e:
        drawn, failed = {}, str(e)
    # openpyxl and reportlab are imported when a pack is written, not by the pages that offer one
    if kind == "xlsx":
        from analytics.report.pack.excel import write_workbook as writer
    else:
        from analytics.report.pack.pdf import write_pdf as writer
    return PackFile(writer(pack, drawn, failed=failed), FORMATS[kind], failed)
