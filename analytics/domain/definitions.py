"""Domain rules as data, read from the editable reference files in ``data/reference/``.

Each file is a CSV that a force can edit; this module only reads and normalises them.

- ``districts.csv``: the force's districts (ONS code, current name, ``|``-separated synonyms such as
  "Shepway" for Folkestone and Hythe). District names match after normalisation ("&" reads as "and",
  case and punctuation ignored).
- ``offence_groups.csv``: every offence group name a crime extract may use (police.uk categories and
  Home Office groups), the police.uk crime type it is shown under, and whether it is **victim-based crime**:
  violence against the person, sexual offences, robbery, theft offences (burglary, vehicle crime, theft from
  the person, bicycle theft, shoplifting, other theft), criminal damage and arson. Drugs, possession of
  weapons, public order and other crimes against society are not victim-based. ASB is never crime.
- ``outcomes.csv``: Home Office outcome numbers and police.uk outcome texts, their outcome group, whether the
  outcome is **solved** (a positive outcome): HO outcomes 1, 1A, 2, 3, 4, 6, 7 and 8 — charge or summons,
  cautions, taken into consideration, penalty notice, cannabis/khat warning, community resolution — and whether
  it is **pending** (the investigation or the court case has not finished, so the crime's outcome may still
  change): "Under investigation", "Status update unavailable", "Awaiting court outcome" and the force
  equivalents given as their synonyms. On police.uk data charged crimes appear as court outcomes ("Awaiting
  court outcome", "Court result unavailable", "Offender fined", ...), so those are solved, as are cautions,
  "Local resolution", penalty notices and drugs possession warnings; "Awaiting court outcome" is a row of its
  own so that it can be both solved (charged) and pending (the court case is open). Outcome 22 (diversionary
  activity) is not solved by default. A crime with no outcome recorded at all counts as pending too (nothing
  has been decided yet); an outcome text the file does not know counts as neither solved nor pending.
- ``asb_call_types.csv``: ASB call types and their category (Personal, Nuisance or Environmental). The national
  categories themselves are call types too ("Personal ASB", with synonyms "Personal", "ASB - Personal", ...), for
  extracts that record only the category an incident was closed under.
- ``population.csv``: ONS mid-2023 resident population by district, the denominator of rates per 1,000.
- ``households.csv``: households by district, the denominator of a measure given as a share of households
  (analytics.measures), with the source of each figure named in its ``source`` column.
- ``targets.csv``: a target per measure (and optionally per district): its type (``level``,
  ``share_of_households`` or ``change``), its value and a note saying whose target it is (analytics.measures).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = ROOT / "data" / "reference"

POLICE_UK_SOURCE = "police.uk"
FORCE_SOURCE = "force"
OUTSIDE_FORCE_AREA = "Outside force area"
UNKNOWN_DISTRICT = "Unknown"
UNCLASSIFIED = "Unclassified"
ASB_CATEGORIES = ("Personal", "Nuisance", "Environmental")


def sorted_sources(names: Iterable[str]) -> list[str]:
    """Source names as every list shows them: police.uk first, then by name."""
    return sorted(set(names), key=lambda n: (n != POLICE_UK_SOURCE, n))


def normalise_key(text: str) -> str:
    """A matching key: lower case, "&" as "and", punctuation dropped, spaces collapsed."""
    text = text.replace("&", " and ").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _read(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _synonyms(row: dict[str, str]) -> list[str]:
    return [s.strip() for s in row.get("synonyms", "").split("|") if s.strip()]


@cache
def _aliases(file: str, key: str, *also: str) -> dict[str, str]:
    """Normalised name -> canonical ``key`` value, over the key, the ``also`` columns and the synonyms."""
    lookup: dict[str, str] = {}
    for row in _read(file):
        for alias in [row[key], *(row[c] for c in also), *_synonyms(row)]:
            lookup[normalise_key(alias)] = row[key]
    return lookup


def _truth(value: str) -> bool:
    return value.strip().lower() in {"true", "yes", "y", "1"}


@dataclass(frozen=True)
class District:
    code: str
    name: str
    population: int


@lru_cache(maxsize=1)
def districts() -> tuple[District, ...]:
    """The force's districts in name order, with their mid-2023 population."""
    population = {r["code"]: int(r["population_mid_2023"]) for r in _read("population.csv")}
    rows = _read("districts.csv")
    return tuple(sorted((District(r["code"], r["name"], population[r["code"]]) for r in rows), key=lambda d: d.name))


def match_district(name: str) -> str | None:
    """The force district a written name means ("Shepway" -> "Folkestone and Hythe"), or None if unknown."""
    return _aliases("districts.csv", "name", "code").get(normalise_key(name))


@dataclass(frozen=True)
class OffenceGroup:
    name: str
    crime_type: str
    victim_based: bool


@lru_cache(maxsize=1)
def offence_groups() -> tuple[OffenceGroup, ...]:
    rows = _read("offence_groups.csv")
    return tuple(OffenceGroup(r["name"], r["crime_type"], _truth(r["victim_based"])) for r in rows)


def match_offence_group(name: str) -> str | None:
    """The canonical offence group a written name means, or None if the reference file does not know it."""
    return _aliases("offence_groups.csv", "name").get(normalise_key(name))


@dataclass(frozen=True)
class Outcome:
    outcome: str
    description: str
    outcome_group: str
    solved: bool
    pending: bool


@lru_cache(maxsize=1)
def outcomes() -> tuple[Outcome, ...]:
    return tuple(
        Outcome(r["outcome"], r["description"], r["outcome_group"], _truth(r["solved"]), _truth(r["pending"]))
        for r in _read("outcomes.csv")
    )


def match_outcome(text: str) -> str | None:
    """The canonical outcome ("1A", "8", "Under investigation") for a number or police.uk text, or None.

    "Outcome 8", "HO 8" and "8" all mean outcome 8; a police.uk text maps to the HO outcome it stands for
    ("Local resolution" -> "8").
    """
    key = re.sub(r"^(ho )?(outcome )?(type )?(?=\d)", "", normalise_key(text))
    key = re.sub(r"^(\d+) ([a-z])$", r"\1\2", key)
    return _aliases("outcomes.csv", "outcome", "description").get(key)


@dataclass(frozen=True)
class CallType:
    call_type: str
    category: str


@lru_cache(maxsize=1)
def call_types() -> tuple[CallType, ...]:
    return tuple(CallType(r["call_type"], r["category"]) for r in _read("asb_call_types.csv"))


def is_category_call_type(call_type: str) -> bool:
    """True for the call types that are a national category itself ("Nuisance ASB"), not a kind of incident."""
    return normalise_key(call_type) in {normalise_key(f"{c} ASB") for c in ASB_CATEGORIES}


def match_call_type(name: str) -> str | None:
    """The canonical ASB call type a written name means, or None if the reference file does not know it."""
    return _aliases("asb_call_types.csv", "call_type").get(normalise_key(name))


@dataclass(frozen=True)
class Households:
    code: str
    name: str
    households: int
    source: str


@lru_cache(maxsize=1)
def households() -> tuple[Households, ...]:
    """Households by district (households.csv), in name order."""
    rows = _read("households.csv")
    return tuple(sorted((Households(r["code"], r["name"], int(r["households"]), r["source"]) for r in rows),
                        key=lambda h: h.name))


@dataclass(frozen=True)
class Target:
    measure: str
    district: str  # '' for the whole force
    target_type: str  # 'level' | 'share_of_households' | 'change'
    value: float
    note: str


@lru_cache(maxsize=1)
def targets() -> tuple[Target, ...]:
    """The measures' targets (targets.csv)."""
    return tuple(Target(r["measure"], r["district"], r["target_type"], float(r["value"]), r["note"])
                 for r in _read("targets.csv"))


def reference_tables() -> dict[str, list[tuple[object, ...]]]:
    """Rows of the ref_* tables the store keeps in step with the reference files."""
    return {
        "ref_districts": [(d.code, d.name, d.population) for d in districts()],
        "ref_offence_groups": [(g.name, g.crime_type, g.victim_based) for g in offence_groups()],
        "ref_outcomes": [(o.outcome, o.description, o.outcome_group, o.solved, o.pending) for o in outcomes()],
        "ref_call_types": [(c.call_type, c.category) for c in call_types()],
        "ref_households": [(h.code, h.name, h.households, h.source) for h in households()],
        "ref_targets": [(t.measure, t.district, t.target_type, t.value, t.note) for t in targets()],
    }
