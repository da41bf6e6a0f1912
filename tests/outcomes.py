"""police.uk outcomes files made for tests from the real Kent street-level files' Crime IDs (no real outcomes files
are bundled). An outcomes file (YYYY-MM-<force>-outcomes.csv) has one row per outcome given to a crime in its month,
with the crime's location columns, as police.uk publishes them."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
          "LSOA name", "Outcome type"]
# Outcome types as police.uk outcomes files name them, most common first.
TYPES = ("Investigation complete; no suspect identified", "Unable to prosecute suspect", "Local resolution",
         "Offender given a caution", "Suspect charged", "Court result unavailable", "Offender fined",
         "Action to be taken by another organisation", "Further investigation is not in the public interest")


def street_crimes(path: Path) -> list[dict[str, str]]:
    """The crime rows (with a Crime ID) of a police.uk street-level file, in file order."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if r["Crime ID"]]


def outcome_row(crime: dict[str, str], month: str, outcome: str, force: str = "Kent Police") -> list[str]:
    return [crime["Crime ID"], month, force, force, crime["Longitude"], crime["Latitude"], crime["Location"],
            crime["LSOA code"], crime["LSOA name"], outcome]


def write_outcomes(path: Path, rows: Iterable[list[str]], *, line_end: str = "\r\n") -> Path:
    """An outcomes file as police.uk writes it (CRLF line ends, quotes only where needed)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator=line_end)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def cycle_outcomes(crimes: list[dict[str, str]], month: str, force: str = "Kent Police") -> list[list[str]]:
    """One outcome per crime, the types taken in turn (so the share of each is known exactly)."""
    return [outcome_row(c, month, TYPES[i % len(TYPES)], force) for i, c in enumerate(crimes)]
