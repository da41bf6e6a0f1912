"""A pack written as a file: its charts drawn once, then the workbook or the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.report.pack import excel, images, pdf
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
    writer = excel.write_workbook if kind == "xlsx" else pdf.write_pdf
    return PackFile(writer(pack, drawn, failed=failed), FORMATS[kind], failed)
