"""The real police.uk Kent files as tests read them: the bundled demo (data/demo/police-uk/*.csv.gz), unpacked
once into tests/out/kent/ and checked against data/demo/police-uk/SHA256SUMS, so a test sees exactly the published
bytes (CRLF in 2024, LF in 2025) without reaching outside the repository."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "police-uk"
SUMS = DEMO / "SHA256SUMS"
FILES = ROOT / "tests" / "files" / "police-uk"
CITY_JAN_2025 = FILES / "2025-01-city-of-london-street.csv"
CITY_JUN_2025 = FILES / "2025-06-city-of-london-street.csv"


def _published() -> dict[str, str]:
    sums = {}
    for line in SUMS.read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        sums[name] = digest
    return sums


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kent_dir() -> Path:
    """tests/out/kent/ holding the 16 Kent CSV files, unpacked from the demo where missing or not as published."""
    folder = ROOT / "tests" / "out" / "kent"
    folder.mkdir(parents=True, exist_ok=True)
    for name, digest in _published().items():
        target = folder / name
        if target.exists() and _sha256(target) == digest:
            continue
        tmp = target.with_suffix(".part")
        with gzip.open(DEMO / f"{name}.gz", "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        if _sha256(tmp) != digest:
            raise AssertionError(f"{DEMO / name}.gz does not unpack to the published {name}")
        tmp.replace(target)
    return folder


KENT = kent_dir()
JAN_2025 = KENT / "2025-01-kent-street.csv"
FEB_2025 = KENT / "2025-02-kent-street.csv"
