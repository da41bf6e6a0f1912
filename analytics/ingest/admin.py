"""What admins manage: remembered column mappings and the editable reference files (data/reference/*.csv).

A replaced reference file must keep the same columns and pass the checks of its kind before it is saved: every
row as many fields as the header; keys present and unique (ignoring case and punctuation, as names are matched);
names and synonyms meaning one thing only; booleans true or false (an outcome's solved and pending flags both);
an ASB category one of the three; a population a whole number above 0; every district of districts.csv with its
population in population.csv (and its households in households.csv, each with its source named); a target for a
known measure and district, of a known type, with a number in range. Then it must read cleanly through
``definitions``; otherwise the old file is put back and the change is refused. The ref_* tables are then synced,
which changes the data version, so every figure on screen is recomputed with the new rules.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import duckdb

from analytics import store
from analytics.domain import definitions
from analytics.errors import InputRefused
from analytics.ingest.messages import clip
from analytics.measures import catalogue
from analytics.measures.catalogue import Unit
from analytics.measures.targets import CHANGE, LEVEL, SHARE, TARGET_TYPES

REFERENCE_FILES = ("districts.csv", "population.csv", "offence_groups.csv", "outcomes.csv", "asb_call_types.csv",
                   "households.csv", "targets.csv")
PROBLEMS_SHOWN = 20
MAX_POPULATION = 100_000_000  # far above any district's, and within the INTEGER column
Row = tuple[int, dict[str, str]]  # (spreadsheet row number, column -> value)


def list_mappings(con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    rows = con.execute(store.sql("ingest/list_mappings")).fetchall()
    return [dict(zip(("source", "format", "file_column", "canonical", "updated_by", "updated_at"), r, strict=True))
            for r in rows]


def forget_mappings(con: duckdb.DuckDBPyConnection, source: str, fmt: str) -> int:
    """Forget the remembered mapping of one source and format; returns the number of columns forgotten."""
    with store.transaction(con):
        return len(con.execute(store.sql("ingest/forget_mappings"), [source, fmt]).fetchall())


def reference_path(name: str) -> Path:
    if name not in REFERENCE_FILES:
        raise InputRefused("Unknown reference file", f"{name!r} is not one of: {', '.join(REFERENCE_FILES)}.")
    return definitions.REFERENCE_DIR / name


def _header(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)), [])


def _clear_caches() -> None:
    for value in vars(definitions).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def _rows(text: str, header: list[str], problems: list[str]) -> list[Row]:
    """The data rows with their row numbers (the header is row 1); a row with the wrong number of fields is a
    problem. Empty lines are skipped."""
    out = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number == 1 or not record or not any(v.strip() for v in record):
            continue
        if len(record) != len(header):
            problems.append(f"row {number}: has {len(record)} fields, the header has {len(header)}")
            continue
        out.append((number, {k: v.strip() for k, v in zip(header, record, strict=True)}))
    return out


def _problem(row: int, column: str, value: str, reason: str) -> str:
    shown = f", value '{clip(value)}'" if value else ""
    return f"row {row}, column {column}{shown}: {reason}"


def _present(rows: list[Row], columns: tuple[str, ...], problems: list[str]) -> None:
    for number, row in rows:
        problems += [f"row {number}, column {c}: must not be blank" for c in columns if c in row and not row[c]]


def _unique(rows: list[Row], column: str, problems: list[str]) -> None:
    """Values of ``column`` appear once, ignoring case and punctuation (names are matched that way)."""
    where: dict[str, list[int]] = {}
    for number, row in rows:
        if row.get(column):
            where.setdefault(definitions.normalise_key(row[column]) or row[column], []).append(number)
    for number, row in rows:
        found = where.get(definitions.normalise_key(row.get(column, "")) or row.get(column, ""), [])
        if len(found) > 1 and number != found[0]:
            times = "twice" if len(found) == 2 else f"{len(found)} times"
            listed = ", ".join(map(str, found[:-1])) + f" and {found[-1]}"
            problems.append(_problem(number, column, row[column], f"appears {times} (rows {listed}), ignoring case "
                                     "and punctuation: each must appear once"))


def _one_meaning(rows: list[Row], columns: tuple[str, ...], problems: list[str]) -> None:
    """A synonym must not be another row's name or synonym: a written name must match one row only."""
    owner: dict[str, int] = {}
    for number, row in rows:
        for c in columns:
            owner.setdefault(definitions.normalise_key(row.get(c, "")), number)
    for number, row in rows:
        for synonym in (s.strip() for s in row.get("synonyms", "").split("|")):
            first = owner.setdefault(definitions.normalise_key(synonym), number) if synonym else number
            if first != number:
                problems.append(_problem(number, "synonyms", synonym, f"already the name or a synonym of row {first}"))


def _boolean(rows: list[Row], column: str, problems: list[str]) -> None:
    problems += [_problem(n, column, r[column], "must be true or false") for n, r in rows
                 if r[column].lower() not in ("true", "false")]


def _saved_rows(name: str) -> list[dict[str, str]]:
    """The rows of the reference file as saved now (another file's checks refer to it)."""
    with open(reference_path(name), encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _check_districts(rows: list[Row], problems: list[str]) -> None:
    _present(rows, ("code", "name"), problems)
    _unique(rows, "code", problems)
    _unique(rows, "name", problems)
    _one_meaning(rows, ("name", "code"), problems)
    population = {r["code"] for r in _saved_rows("population.csv")}
    problems += [_problem(n, "code", r["code"], "not in population.csv (every district needs its population)")
                 for n, r in rows if r["code"] and r["code"] not in population]


def _check_population(rows: list[Row], problems: list[str]) -> None:
    _present(rows, ("code", "name"), problems)
    _unique(rows, "code", problems)
    column = "population_mid_2023"
    reason = f"must be a whole number above 0 (at most {MAX_POPULATION:,})"
    problems += [_problem(n, column, r[column], reason) for n, r in rows
                 if not re.fullmatch(r"[0-9]{1,9}", r[column]) or not 0 < int(r[column]) <= MAX_POPULATION]
    codes = {r["code"] for _, r in rows}
    problems += [f"{d['code']} ({d['name']}) has no population: every district in districts.csv needs a row"
                 for d in _saved_rows("districts.csv") if d["code"] not in codes]


def _check_offence_groups(rows: list[Row], problems: list[str]) -> None:
    _present(rows, ("name", "crime_type"), problems)
    _unique(rows, "name", problems)
    _one_meaning(rows, ("name",), problems)
    _boolean(rows, "victim_based", problems)


def _check_outcomes(rows: list[Row], problems: list[str]) -> None:
    _present(rows, ("outcome", "description", "outcome_group"), problems)
    _unique(rows, "outcome", problems)
    _one_meaning(rows, ("outcome", "description"), problems)
    _boolean(rows, "solved", problems)
    _boolean(rows, "pending", problems)


def _check_call_types(rows: list[Row], problems: list[str]) -> None:
    _present(rows, ("call_type",), problems)
    _unique(rows, "call_type", problems)
    _one_meaning(rows, ("call_type",), problems)
    categories = definitions.ASB_CATEGORIES
    problems += [_problem(n, "category", r["category"], f"must be one of {', '.join(categories)}")
                 for n, r in rows if r["category"] not in categories]


def _check_households(rows: list[Row], problems: list[str]) -> None:
    _present(rows, ("code", "name", "source"), problems)
    _unique(rows, "code", problems)
    reason = f"must be a whole number above 0 (at most {MAX_POPULATION:,})"
    problems += [_problem(n, "households", r["households"], reason) for n, r in rows
                 if not re.fullmatch(r"[0-9]{1,9}", r["households"]) or not 0 < int(r["households"]) <= MAX_POPULATION]
    codes = {r["code"] for _, r in rows}
    problems += [f"{d['code']} ({d['name']}) has no households: every district in districts.csv needs a row"
                 for d in _saved_rows("districts.csv") if d["code"] not in codes]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _check_targets(rows: list[Row], problems: list[str]) -> None:
    _present(rows, ("measure", "target_type", "value", "note"), problems)
    districts = {d["name"] for d in _saved_rows("districts.csv")}
    seen: dict[tuple[str, str], int] = {}
    for n, r in rows:
        m = catalogue.find(r["measure"])
        if r["measure"] and (m is None or m.name != r["measure"]):
            hint = f"write it as {m.name}" if m else f"use one of {', '.join(x.name for x in catalogue.CATALOGUE)}"
            problems.append(_problem(n, "measure", r["measure"], f"not a measure name: {hint}"))
        if r["district"] and r["district"] not in districts:
            problems.append(_problem(n, "district", r["district"], "not a district of districts.csv (as named "
                                     "there), or blank for the whole force"))
        if r["target_type"] and r["target_type"] not in TARGET_TYPES:
            problems.append(_problem(n, "target_type", r["target_type"], f"must be one of {', '.join(TARGET_TYPES)}"))
        value = _number(r["value"])
        if r["value"] and value is None:
            problems.append(_problem(n, "value", r["value"], "must be a number"))
        elif value is not None and r["target_type"] == SHARE and not 0 < value <= 100:
            problems.append(_problem(n, "value", r["value"], "a share of households is a per cent above 0, at most "
                                     "100"))
        elif value is not None and r["target_type"] == LEVEL and value < 0:
            problems.append(_problem(n, "value", r["value"], "a level is 0 or more"))
        elif value is not None and r["target_type"] == CHANGE and value <= -100:
            problems.append(_problem(n, "value", r["value"], "a change is above −100"))
        if m is not None and r["target_type"] == SHARE and m.unit is not Unit.COUNT:
            problems.append(_problem(n, "target_type", r["target_type"], f"{m.name} is not a count, so it cannot "
                                     "be a share of households"))
        if m is not None and m.unit is Unit.PERCENT:
            problems.append(_problem(n, "measure", r["measure"], "a comparison figure has no target"))
        first = seen.setdefault((r["measure"], r["district"]), n)
        if first != n:
            problems.append(_problem(n, "measure", r["measure"], f"row {first} already sets this measure's target "
                                     f"for {r['district'] or 'the whole force'}"))


CHECKS: dict[str, Callable[[list[Row], list[str]], None]] = {
    "districts.csv": _check_districts,
    "population.csv": _check_population,
    "offence_groups.csv": _check_offence_groups,
    "outcomes.csv": _check_outcomes,
    "asb_call_types.csv": _check_call_types,
    "households.csv": _check_households,
    "targets.csv": _check_targets,
}


def validate_reference(name: str, data: bytes) -> int:
    """Check a new reference file ``name`` (see the module docstring) without saving it; returns its data rows.

    Refused (InputRefused) listing every problem with its row number (the header is row 1)."""
    path = reference_path(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputRefused("Not UTF-8", f"The new {name} is not UTF-8 text: save it as 'CSV UTF-8'.") from e
    header = next(csv.reader(io.StringIO(text)), [])
    old_header = _header(path.read_bytes())
    if header != old_header:
        raise InputRefused(
            "Columns differ",
            f"The new {name} has columns {', '.join(clip(h) for h in header) or '(none)'}; it must have exactly "
            f"{', '.join(old_header)}. Download the current file, edit it and upload it again.",
        )
    problems: list[str] = []
    rows = _rows(text, header, problems)
    CHECKS[name](rows, problems)
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:PROBLEMS_SHOWN])
        more = f"\n  ... and {len(problems) - PROBLEMS_SHOWN:,} more." if len(problems) > PROBLEMS_SHOWN else ""
        raise InputRefused(
            "Reference file refused",
            f"The new {name} has {len(problems)} problem{'s' if len(problems) > 1 else ''}:\n{listed}{more}\n"
            "Nothing was saved: The old file is kept. Correct the rows and save again.",
        )
    return len(rows)


def replace_reference(con: duckdb.DuckDBPyConnection, name: str, data: bytes) -> int:
    """Replace reference file ``name`` with ``data`` (CSV) and sync the ref_* tables; returns its data rows.

    Refused, with the old file kept, when the columns differ, a check fails (validate_reference) or the rules
    cannot be read from the new file.
    """
    path = reference_path(name)
    rows = validate_reference(name, data)
    old = path.read_bytes()
    tmp = path.with_suffix(".csv.new")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    _clear_caches()
    try:
        definitions.reference_tables()
        store.sync_reference(con)
    except Exception as e:  # any reading or constraint error: put the old rules back, unchanged
        path.write_bytes(old)
        _clear_caches()
        store.sync_reference(con)
        raise InputRefused("Reference file refused", f"The new {name} could not be used ({clip(e, 300)}). The old "
                           "file is kept.") from e
    return rows
