"""Files uploaded through the dashboard: kept in a private temporary folder until they are loaded or go stale, and
the decision whether a set of checked files can be loaded as they are.

Nothing here touches the database: files are checked by analytics.ingest.compare.check_file and loaded by
analytics.ingest.load.load_requests, the same path as `python -m analytics ingest`.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analytics.domain.kinds import Kind
from analytics.domain.periods import describe_months
from analytics.ingest import xlsx
from analytics.ingest.compare import FORCE_FORMATS, Check
from analytics.ingest.load import FileRequest
from analytics.measures.reading import MEASURES
from analytics.report.export import slug

KIND_WORDS = {Kind.ASB.value: Kind.ASB.word, Kind.CRIME.value: Kind.CRIME.word, "outcomes": "outcomes",
              MEASURES: "measure values of"}
NOUNS = {"asb": ("ASB incident", "ASB incidents"), "crime": ("crime", "crimes"), "outcomes": ("outcome", "outcomes"),
         MEASURES: ("measure value", "measure values")}
PREVIEW_ROWS = 10  # rows compare.check_file previews per kind
UPLOAD_DIR = Path(tempfile.gettempdir()) / "asb-dashboard-uploads"
# Uploads checked but never loaded may hold caller references, so they must not linger.
STALE_SECONDS = 6 * 3600


def problems_file_name(name: str) -> str:
    """'2025-01-asb-problems.csv' for an uploaded file's validation report: its name in letters and digits only,
    so an upload named like a formula never names a download like one."""
    return f"{slug(Path(name).stem) or 'file'}-problems.csv"

def plural(n: int, noun: str) -> str:
    """'1 problem', '2 problems'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def preview_title(kind: str, shown: int) -> str:
    """'Preview: the first 10 crimes as they would be stored', 'Preview: the 1 ASB incident as it would be
    stored': nothing is stored until Load is pressed."""
    one, many = NOUNS[kind]
    if shown == 1:
        return f"Preview: the 1 {one} as it would be stored"
    first = "the first" if shown >= PREVIEW_ROWS else "the"
    return f"Preview: {first} {shown:,} {many} as they would be stored"


def limit_mb() -> int:
    """The upload limit in MB (ASB_MAX_UPLOAD_MB, default 200): the loader's limit, also given to the uploader."""
    return xlsx.limit_mb("ASB_MAX_UPLOAD_MB", 200)


def purge_stale(now: float | None = None) -> int:
    """Delete uploads older than STALE_SECONDS; returns how many folders went."""
    if not UPLOAD_DIR.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - STALE_SECONDS
    gone = 0
    for folder in UPLOAD_DIR.iterdir():
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def save(name: str, data: bytes) -> tuple[Path, str]:
    """An upload written to a private temporary file (the loaders read files); returns (path, sha256)."""
    sha = hashlib.sha256(data).hexdigest()
    folder = UPLOAD_DIR / sha[:32]
    path = folder / Path(name).name
    if not path.exists():
        UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        path.write_bytes(data)
    return path, sha


def discard(paths: Sequence[Path]) -> None:
    """Delete loaded uploads with their folders."""
    for path in paths:
        shutil.rmtree(path.parent, ignore_errors=True)


@dataclass(frozen=True)
class Readiness:
    """Whether a set of checked files can be loaded, and what the analyst must confirm first."""

    refused: tuple[str, ...]  # files that cannot be loaded until fixed or removed
    rows_with_problems: int  # rows that would go to the rejects table (confirm "valid rows only")
    replaced_months: str | None  # months already loaded that the load would replace (confirm "replace")
    all_loaded: bool  # every file is already loaded: loading adds nothing

    def ready(self, *, accept: bool, replace: bool) -> bool:
        if self.refused or self.all_loaded:
            return False
        if self.rows_with_problems and not accept:
            return False
        return not (self.replaced_months and not replace)


def readiness(checks: Sequence[Check]) -> Readiness:
    refused = tuple(c.name for c in checks if c.comparison is None)
    problems = sum(c.rows_rejected for c in checks if c.comparison is not None and c.problems)
    replacing = sorted({(m.kind, m.month) for c in checks if c.comparison is not None and c.comparison.needs_replace
                        for m in c.comparison.replaced_months})
    months = "; ".join(f"{KIND_WORDS[k]} {describe_months([m])}" for k, m in replacing) or None
    already = [c for c in checks if c.comparison is not None and c.comparison.already_loaded_batch is not None]
    return Readiness(refused, problems, months, bool(checks) and len(already) == len(checks))


def request(check: Check, path: Path) -> FileRequest:
    """How the loader should read a checked file: as it was checked (format, source, sheet and mapping)."""
    return FileRequest(path, check.name, check.format or "auto", None if check.format == MEASURES else check.source,
                       check.sheet, check.mapping if check.format in FORCE_FORMATS else None)
