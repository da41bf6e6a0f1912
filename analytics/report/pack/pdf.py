"""The pack as an A4 PDF, typeset with ReportLab's platypus: the cover, then each section's text, tables and charts.

Every page carries the pack's area, source and period at the top and "data as at" and "Page N of M" at the foot.
Tables repeat their header row on every page they run onto. The text is real text in DejaVu Sans, embedded in the
file (subset), so it is selectable and reads the same on any machine, with the report's signs (− ▲ ▼ ◆). Figures
are formatted exactly as on screen (analytics.report.formatting). Text from data (names, sentences) is escaped
before ReportLab reads it as paragraph markup.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from analytics.report import formatting as fmt
from analytics.report.pack.images import png_size
from analytics.report.pack.model import Chart, Column, Pack, Table, Text, is_hidden
from analytics.report.suppression import HIDDEN

FONTS = Path(__file__).resolve().parent / "fonts"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
DARK = colors.HexColor("#1F4E79")
GREY = colors.HexColor("#555555")
LINE = colors.HexColor("#BBBBBB")
MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=13, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=22, leading=27, textColor=DARK,
                                spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12.5, leading=16, textColor=DARK,
                                   spaceAfter=14),
        "h1": ParagraphStyle("h1", parent=base, fontName=BOLD, fontSize=15, leading=19, textColor=DARK,
                             spaceBefore=2, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=10.5, leading=14, textColor=DARK,
                             spaceBefore=8, spaceAfter=4),
        "body": base,
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=10, bulletIndent=0, spaceAfter=5),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10.5, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0,
                                     alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0,
                               textColor=colors.white),
        "head_right": ParagraphStyle("head_right", parent=base, fontName=BOLD, fontSize=8.5, leading=10.5,
                                     spaceAfter=0, textColor=colors.white, alignment=TA_RIGHT),
    }


def _p(text: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """A paragraph of plain text: markup characters from data are escaped, so a name shows as written."""
    return Paragraph(escape(text), style, **kwargs)


def cell_text(value: Any, column: Column) -> str:
    """A table cell as the screen writes it: 1,663; ▲ +187; −16.8%; 12.6%; +6.0 pp; ◆ signal; n/a; *."""
    if value is None:
        return "" if column.kind == "signal" else fmt.NA  # a row with no signal test (last year's rate)
    if is_hidden(value):
        return HIDDEN
    kind = column.kind
    if kind == "count":
        return fmt.fmt_int(value)
    if kind == "change":
        mark = fmt.arrow(value)
        return f"{mark} {fmt.fmt_change(value)}" if mark else fmt.fmt_change(value)
    if kind == "pct":
        return fmt.fmt_pct(value)
    if kind == "rate":
        return fmt.fmt_rate(value)
    if kind == "pp":
        return fmt.fmt_pp(value)
    if kind == "decimal":
        return fmt.fmt_decimal(value)
    if kind == "signal":
        return fmt.signal_mark(value)
    if kind == "month":
        return fmt.month_short(str(value))
    return str(value)


PAD = 12  # a cell's left and right padding together (ReportLab's default 6 + 6)


def _widths(table: Table) -> list[float]:
    """Each figure column as wide as its widest cell or heading word; the first column takes the rest."""
    def width(text: str, font: str) -> float:
        return float(pdfmetrics.stringWidth(text, font, 8.5))

    needs = []
    for j, column in enumerate(table.columns):
        words = max((width(w, BOLD) for w in column.heading.split()), default=0.0)
        cells = max((width(cell_text(r[j], column), BOLD) for r in table.rows), default=0.0)
        needs.append(max(words, cells, 50.0 if j else 24.0) + PAD)
    rest = WIDTH - sum(needs[1:])
    if rest >= needs[0]:
        return [rest, *needs[1:]]
    scale = (WIDTH - needs[0]) / sum(needs[1:])  # too wide: the figures give way, never the names
    return [needs[0], *(w * scale for w in needs[1:])]


def _table(table: Table, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    head = [_p(c.heading, st["head"] if i == 0 else st["head_right"]) for i, c in enumerate(table.columns)]
    body = []
    for values in table.rows:
        body.append([_p(cell_text(v, c), st["cell"] if i == 0 or c.kind == "text" else st["cell_right"])
                     for i, (c, v) in enumerate(zip(table.columns, values, strict=True))])
    grid = LongTable([head, *body], colWidths=_widths(table), repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # the default is Helvetica, never embedded
        ("BACKGROUND", (0, 0), (-1, 0), DARK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if table.total and body:
        style += [("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                  ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#EEF2F7"))]
    grid.setStyle(TableStyle(style))
    if table.total and body:  # bold Total: the cells are paragraphs, so their style carries the weight
        for p in body[-1]:
            p.style = ParagraphStyle("total", parent=p.style, fontName=BOLD)
    out: list[Flowable] = [KeepTogether([_p(table.title, st["h2"]), Spacer(1, 1)]), grid]
    if table.note:
        out.append(Spacer(1, 3))
        out.append(_p(table.note, st["note"]))
    out.append(Spacer(1, 6))
    return out


def _chart(chart: Chart, png: bytes | None, failed: str | None, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    parts: list[Flowable] = [_p(chart.title, st["h2"])]
    if png is not None:
        w, h = png_size(png)
        width = WIDTH
        parts.append(Image(io.BytesIO(png), width=width, height=width * h / w))
    else:
        parts.append(_p(f"Chart not drawn ({failed}).", st["note"]))
    parts.append(_p(chart.summary, st["note"]))
    return [KeepTogether(parts), Spacer(1, 6)]


def _text(block: Text, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    if block.bullets:
        return [_p(line, st["bullet"], bulletText="•") for line in block.paragraphs]
    return [_p(line, st["note"] if block.note else st["body"]) for line in block.paragraphs]


def _cover(pack: Pack, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    c = pack.cover
    out: list[Flowable] = [Spacer(1, 10 * mm), _p(c.title + (" — public" if pack.public else ""), st["title"]),
                           _p(c.heading, st["subtitle"])]
    facts = LongTable([[_p(label, ParagraphStyle("fl", parent=st["body"], fontName=BOLD)), _p(text, st["body"])]
                       for label, text in c.facts], colWidths=[36 * mm, WIDTH - 36 * mm], hAlign="LEFT")
    facts.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE)]))
    out += [facts, Spacer(1, 8)]
    if pack.public_note:
        out += [_p("Public version", st["h2"]), _p(pack.public_note, st["body"])]
    out.append(_p("Definitions", st["h1"]))
    for term, text in c.definitions:
        out.append(KeepTogether([_p(term, st["h2"]), _p(text, st["body"])]))
    out.append(_p("Contents", st["h1"]))
    out += [_p(s.title, st["body"]) for s in pack.sections]
    return out


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Draws each page's head and foot once the page count is known: 'Page 3 of 12'."""

    pack: Pack

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # the canvas would start each page in Helvetica, a standard font that is never embedded
        kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        pack = self.pack
        width, height = A4
        self.saveState()
        self.setStrokeColor(LINE)
        self.setLineWidth(0.5)
        self.line(MARGIN, height - 11 * mm, width - MARGIN, height - 11 * mm)
        self.line(MARGIN, 11 * mm, width - MARGIN, 11 * mm)
        self.setFillColor(GREY)
        self.setFont(FONT, 7.5)
        left = pack.cover.title + (" — public" if pack.public else "")
        self.drawString(MARGIN, height - 9.5 * mm, left)
        self.drawRightString(width - MARGIN, height - 9.5 * mm, pack.running_head)
        self.drawString(MARGIN, 7.5 * mm, f"Period: {pack.cover.period} · {pack.cover.as_at_short}")
        self.drawRightString(width - MARGIN, 7.5 * mm, f"Page {self._pageNumber} of {total}")
        self.restoreState()


def write_pdf(pack: Pack, images: Mapping[str, bytes], *, failed: str | None = None) -> bytes:
    """The PDF's bytes. `images`: chart key -> PNG (analytics.report.pack.images.render)."""
    _register_fonts()
    st = _styles()
    story: list[Flowable] = [*_cover(pack, st), PageBreak()]
    for section in pack.sections:
        # sections follow on; a section starts a new page only when little of the page is left
        story += [CondPageBreak(70 * mm), _p(section.title, st["h1"])]
        for block in section.blocks:
            if isinstance(block, Table):
                story.append(CondPageBreak(40 * mm))
                story += _table(block, st)
            elif isinstance(block, Chart):
                story += _chart(block, images.get(block.key), failed or "not drawn", st)
            else:
                story += _text(block, st)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                            bottomMargin=16 * mm, initialFontName=FONT, title=pack.cover.title,
                            author="ASB & crime performance dashboard", subject=pack.running_head,
                            creator="analytics.report.pack")

    class Canvas_(_NumberedCanvas):
        pass

    Canvas_.pack = pack
    doc.build(story, canvasmaker=Canvas_)
    return out.getvalue()
