"""Which kind of extract a header belongs to, where the header row is, and how its columns map to ours.

Header names match case-, space- and punctuation-insensitively ("Date/Time Reported" = "date time reported").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from analytics.domain import definitions
from analytics.measures.reading import COLUMNS as MEASURES_COLUMNS
from analytics.measures.reading import MEASURES

# Header detection scores the first rows of every file against every format, and the same cells (column names,
# months, force names) come back file after file: the keys of short cells are worked out once (a pure function of
# the text; long cells are not kept, so the cache stays small whatever the files hold).
_cached_key = lru_cache(maxsize=1 << 14)(definitions.normalise_key)


def normalise_key(text: str) -> str:
    return _cached_key(text) if len(text) <= 200 else definitions.normalise_key(text)

POLICE_UK = "police-uk"
POLICE_UK_OUTCOMES = "police-uk-outcomes"
FORMATS = (POLICE_UK, POLICE_UK_OUTCOMES, "asb", "crime", MEASURES)
POLICE_UK_FORMATS = (POLICE_UK, POLICE_UK_OUTCOMES)  # police.uk files: one force per source, never a force extract's

POLICE_UK_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)  # fmt: skip
POLICE_UK_REQUIRED = ("Crime ID", "Month", "Crime type")
# police.uk outcomes files (YYYY-MM-<force>-outcomes.csv): one row per outcome given to a crime in the month.
OUTCOMES_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
)  # fmt: skip
OUTCOMES_REQUIRED = ("Crime ID", "Month", "Outcome type")

_SHARED: dict[str, tuple[bool, tuple[str, ...]]] = {
    "district": (True, ("district", "district name", "csu", "community safety unit", "csp", "local authority",
                        "local authority name", "borough", "district borough", "council", "lad", "lad name")),
    "location": (False, ("location", "address", "street", "location description", "street name")),
    "lsoa_code": (False, ("lsoa code", "lsoa", "lsoa11cd", "lsoa21cd", "lsoa 2011", "lsoa 2021")),
    "latitude": (False, ("latitude", "lat")),
    "longitude": (False, ("longitude", "long", "lon", "lng")),
}

# canonical column -> (required?, header synonyms). The canonical name itself always matches.
COLUMNS: dict[str, dict[str, tuple[bool, tuple[str, ...]]]] = {
    "asb": {
        "incident_ref": (True, ("incident number", "incident no", "incident num", "incident ref", "incident reference",
                                "incident id", "urn", "asb ref", "asb reference", "reference", "ref", "log number",
                                "cad number", "cad ref", "occurrence number", "incident")),
        "reported_date": (True, ("date reported", "reported", "date time reported", "reported date time",
                                 "reported datetime", "created date", "date created", "created", "reported on",
                                 "incident date", "date of incident", "received date", "date received", "call date",
                                 "date")),
        "call_type": (True, ("call type", "opening code", "incident type", "asb type", "asb category",
                             "asb call type", "incident category", "type", "category", "nature")),
        **{k: v for k, v in _SHARED.items() if k == "district"},
        **{k: v for k, v in _SHARED.items() if k != "district"},
        "caller_ref": (False, ("caller ref", "caller id", "caller reference", "caller", "caller number")),
        "vulnerable": (False, ("vulnerable", "vulnerable caller", "vulnerable victim", "vulnerability",
                               "vulnerable flag")),
        "repeat_caller": (False, ("repeat caller", "repeat", "repeat victim", "repeat flag")),
    },
    "crime": {
        "crime_ref": (True, ("crime number", "crime no", "crime num", "crn", "crime ref", "crime reference",
                             "crime id", "urn", "occurrence number", "reference", "ref")),
        "recorded_date": (True, ("recorded date", "date recorded", "recorded", "crime recorded date",
                                 "date time recorded", "recorded date time", "date")),
        **{k: v for k, v in _SHARED.items() if k == "district"},
        "offence_group": (True, ("offence group", "crime group", "ho offence group", "crime type", "offence type",
                                 "offence category", "crime category", "offence", "ho group")),
        "victim_based": (False, ("victim based", "vbc", "victim based crime", "victim based flag")),
        "outcome": (False, ("outcome", "outcome code", "ho outcome", "ho outcome code", "outcome type",
                            "outcome number", "last outcome", "last outcome category", "outcome category")),
        "outcome_date": (False, ("outcome date", "date of outcome", "outcome recorded date", "date outcome")),
        **{k: v for k, v in _SHARED.items() if k != "district"},
    },
    # a measures file (analytics.measures): measure, period, district, value, surveyed
    MEASURES: MEASURES_COLUMNS,
}


def canonical_columns(format: str) -> dict[str, bool]:
    """Canonical column -> required?, for the force formats 'asb' and 'crime' and for 'measures'."""
    if format not in COLUMNS:
        raise ValueError(f"no canonical columns for format {format!r}")
    return {name: required for name, (required, _) in COLUMNS[format].items()}


def _synonym_index(format: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, (_, synonyms) in COLUMNS[format].items():
        for name in (canonical, *synonyms):
            index.setdefault(normalise_key(name), canonical)
    return index


_INDEX = {f: _synonym_index(f) for f in COLUMNS}
_POLICE_UK_KEYS = {POLICE_UK: {normalise_key(c) for c in POLICE_UK_COLUMNS},
                   POLICE_UK_OUTCOMES: {normalise_key(c) for c in OUTCOMES_COLUMNS}}
_POLICE_UK_REQUIRED = {POLICE_UK: POLICE_UK_REQUIRED, POLICE_UK_OUTCOMES: OUTCOMES_REQUIRED}


def police_uk_columns(format: str) -> tuple[str, ...]:
    """The columns of a police.uk file of ``format`` (street-level or outcomes)."""
    return POLICE_UK_COLUMNS if format == POLICE_UK else OUTCOMES_COLUMNS


def police_uk_required(format: str) -> tuple[str, ...]:
    return _POLICE_UK_REQUIRED[format]


def suggest_mapping(header: list[str], format: str) -> dict[str, str]:
    """File column -> canonical column for every header name a synonym recognises (first column wins a tie)."""
    index = _INDEX[format]
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in header:
        canonical = index.get(normalise_key(name))
        if canonical and canonical not in taken and name not in out:
            out[name] = canonical
            taken.add(canonical)
    return out


def _score(header: list[str], format: str) -> tuple[int, int]:
    """(required columns matched, all columns matched) for one format."""
    if format in POLICE_UK_FORMATS:
        keys = {normalise_key(h) for h in header}
        required = sum(normalise_key(c) in keys for c in _POLICE_UK_REQUIRED[format])
        return required, len(keys & _POLICE_UK_KEYS[format])
    mapped = set(suggest_mapping(header, format).values())
    required = sum(1 for c, (req, _) in COLUMNS[format].items() if req and c in mapped)
    return required, len(mapped)


def is_police_uk(header: list[str]) -> bool:
    return _score(header, POLICE_UK)[0] == len(POLICE_UK_REQUIRED)


def _complete(header: list[str], format: str) -> bool:
    """Every required column of the format is named."""
    return _score(header, format)[0] == sum(1 for required, _ in COLUMNS[format].values() if required)


def is_police_uk_outcomes(header: list[str]) -> bool:
    return _score(header, POLICE_UK_OUTCOMES)[0] == len(OUTCOMES_REQUIRED)


def detect_format(header: list[str]) -> str | None:
    """'police-uk', 'police-uk-outcomes', 'asb', 'crime' or 'measures' from a header, or None when no format is
    recognisable."""
    if is_police_uk(header):
        return POLICE_UK
    if is_police_uk_outcomes(header):
        return POLICE_UK_OUTCOMES
    if _complete(header, MEASURES) and not (_complete(header, "asb") or _complete(header, "crime")):
        return MEASURES
    asb, crime = _score(header, "asb"), _score(header, "crime")
    if max(asb[0], crime[0]) < 2:
        return None
    if asb == crime:
        return None
    return "asb" if asb > crime else "crime"


def header_score(row: list[str], formats: tuple[str, ...] = FORMATS) -> int:
    """How many of a row's cells name a known column (of the best-matching format)."""
    cells = [c for c in row if c and c.strip()]
    if not cells:
        return 0
    return max(_score(cells, f)[1] for f in formats)


@dataclass
class HeaderChoice:
    index: int  # 0-based index of the (last) header row among the rows given
    header: list[str]  # with a group label row above it combined in, when there is one


def _combine(above: list[str], below: list[str], formats: tuple[str, ...]) -> list[str]:
    """A header split over two rows. Merged cells leave their value in the first cell only, so the label above is
    filled right; each column then takes whichever name is known: "label name", the name below, or the label."""
    width = max(len(above), len(below))
    above = above + [""] * (width - len(above))
    below = below + [""] * (width - len(below))
    filled, last = [], ""
    for cell in above:
        last = cell.strip() or last
        filled.append(last)
    out = []
    for a, b, own in zip(filled, [c.strip() for c in below], [c.strip() for c in above], strict=True):
        options = [f"{a} {b}".strip(), b, own] if b else [own or a]
        known = [o for o in options if o and header_score([o], formats) > 0]
        out.append(known[0] if known else options[0])
    return out


def find_header(rows: list[list[str]], formats: tuple[str, ...] = FORMATS, scan: int = 30) -> HeaderChoice | None:
    """The header among the first rows: the first row naming the most known columns (at least two).

    A row above the header is read as part of it when combining the two names more known columns: that is a
    group label merged over several columns ("Incident" over "Number" and "Date") or a header split over two rows.
    """
    best: HeaderChoice | None = None
    best_score = 1
    for i, row in enumerate(rows[:scan]):
        score = header_score(row, formats)
        if score > best_score:
            best, best_score = HeaderChoice(i, [c.strip() for c in row]), score
    if best is None:
        return None
    i = best.index
    if i > 0 and any(c.strip() for c in rows[i - 1]):
        combined = _combine([str(c) for c in rows[i - 1]], [str(c) for c in rows[i]], formats)
        if header_score(combined, formats) > best_score and len(rows[i - 1]) > 1:
            return HeaderChoice(i, combined)
    return best
