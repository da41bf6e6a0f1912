"""Hostile input files written at test time: workbooks with absurd used ranges, gzip bombs, extracts with values
that must never reach a message whole. Small and generated, so nothing large is committed."""

from __future__ import annotations

import gzip
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

ASB_HEADER = ("incident_ref", "reported_date", "district", "call_type")
CRIME_HEADER = ("crime_ref", "recorded_date", "district", "offence_group", "outcome", "outcome_date")
POLICE_UK_HEADER = ("Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _row_of(ref: str) -> int:
    return int(re.fullmatch(r"[A-Z]+(\d+)", ref).group(1))


def workbook(path: Path, sheets: dict[str, Sequence[tuple[str | None, str]]], *,
             dimensions: dict[str, str | None] | None = None) -> Path:
    """An .xlsx written by hand: each sheet's cells as (reference or None, text), inline strings, in the order
    given; ``dimensions`` gives a sheet's <dimension ref> (none when absent or None). A cell with no reference
    follows the one before it, as OOXML allows."""
    dimensions = dimensions or {}
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1))
    files = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(names) + 1))
            + "</Relationships>",
    }
    for i, name in enumerate(names, 1):
        body = []
        row: int | None = None
        for ref, value in sheets[name]:
            r = _row_of(ref) if ref else row
            if r != row:
                if row is not None:
                    body.append("</row>")
                body.append(f'<row r="{r}">')
                row = r
            where = f' r="{ref}"' if ref else ""
            body.append(f'<c{where} t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        if row is not None:
            body.append("</row>")
        dimension = dimensions.get(name)
        files[f"xl/worksheets/sheet{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "")
            + "<sheetData>" + "".join(body) + "</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def asb_cells(rows: Iterable[Sequence[str]]) -> list[tuple[str | None, str]]:
    """An ASB extract's header and rows as cells from A1."""
    cells: list[tuple[str | None, str]] = []
    for r, values in enumerate([ASB_HEADER, *rows], start=1):
        cells += [(f"{chr(65 + c)}{r}", v) for c, v in enumerate(values)]
    return cells


def csv_file(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def asb_csv(path: Path, rows: Iterable[Sequence[str]]) -> Path:
    """A force ASB extract: rows of (incident_ref, reported_date, district, call_type)."""
    return csv_file(path, ASB_HEADER, rows)


def asb_rows(prefix: str, n: int, day: str = "03/01/2025", district: str = "Ashford") -> list[tuple[str, ...]]:
    return [(f"{prefix}{i}", day, district, "Noise nuisance") for i in range(1, n + 1)]


def police_uk_rows(month: str, ids: Iterable[str], *, force: str = "Kent Police") -> list[tuple[str, ...]]:
    """police.uk crime rows (Burglary in Ashford) with the given Crime IDs."""
    return [(i, month, force, force, "0.97", "51.25", "On or near X", "E01023987", "Ashford 001B", "Burglary",
             "Under investigation", "") for i in ids]


def gzip_bomb(path: Path, mb: int) -> Path:
    """A .csv.gz of an ASB header and one row repeated until it unpacks to ``mb`` MB (about 1/1000 that packed)."""
    line = b"B1,03/01/2025,Ashford,Noise nuisance\n"
    block = line * (1024 * 1024 // len(line) + 1)
    with gzip.open(path, "wb") as f:
        f.write(b"incident_ref,reported_date,district,call_type\n")
        for _ in range(mb):
            f.write(block)
    return path
