"""The performance pack of the Overview's view: built when a download button is pressed (it takes seconds, so
never on a page run), as an Excel workbook, a PDF or a public PDF."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.figures.common import Con
from analytics.report import export
from analytics.report.pack import files
from analytics.report.suppression import DEFAULT_THRESHOLD, public_note
from analytics.views.common import Selection


@dataclass(frozen=True)
class PackChoice:
    label: str
    kind: str  # 'xlsx' | 'pdf'
    public: bool
    help: str


CHOICES = (
    PackChoice("Excel pack", "xlsx", False, "The performance pack as a workbook: every table of the report with its "
               "figures as numbers, the charts, the definitions and the commentary. Internal: small numbers shown."),
    PackChoice("PDF pack", "pdf", False, "The same pack as an A4 PDF. Internal: small numbers shown."),
    PackChoice("Public PDF", "pdf", True, "The PDF for publication. " + public_note(DEFAULT_THRESHOLD)),
)


def file_name(sel: Selection, choice: PackChoice) -> str:
    """'performance-pack_thanet_police-uk_2024-04-to-2025-03.pdf' ('performance-pack-public_…' for the public one)."""
    measure = "performance-pack-public" if choice.public else "performance-pack"
    return export.csv_file_name(measure, sel.district, sel.source, sel.period.start, sel.period.end, ext=choice.kind)


def build(con: Con, sel: Selection, choice: PackChoice, threshold: int = DEFAULT_THRESHOLD) -> bytes:
    """The pack's file for the selection (see analytics.report.pack)."""
    from analytics.views.pack_sections import build_pack  # all the pages' sections: imported when a pack is built

    pack = build_pack(con, period=sel.period, source=sel.source, district=sel.district, public=choice.public,
                      threshold=threshold)
    return files.write(pack, choice.kind).data
