"""Reading and checking a measures file: its rows from the loader's raw relation, checked one by one, the valid
ones staged in a TEMP table in the layout of ``measure_values``.

The loader (analytics.ingest) finds the header and reads the file (CSV or XLSX, with its encodings, delimiters
and title rows); this module checks what the rows say. Every problem names its row as the analyst sees it in the
file, the column and the value: a blank or unknown measure, a period that cannot be read (or lies in the future),
a district Kent does not have, a value that is not a number (or not a whole number for a count, or above 100 for
a percent), a survey measure without its number surveyed or with more satisfied than surveyed, a number surveyed
given for a measure that is no survey, and the same measure, period and area on two rows.

A blank district, or one of FORCE_WIDE ("Kent", "Force", "All"), is a force-wide value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from analytics.domain import definitions
from analytics.domain.definitions import normalise_key
from analytics.errors import InputRefused
from analytics.measures import catalogue
from analytics.measures.catalogue import MeasureDef, Unit
from analytics.measures.periods import PERIOD_HELP, MeasurePeriod, parse_period

MEASURES = "measures"  # the format, batch kind and default source of a measures file
STAGED_TABLE = "_staged_measures"
MAX_ROWS = 50_000  # a measures file is small: a year of weekly values for every measure and district is ~3,500
EARLIEST_YEAR = 2000
FORCE_WIDE = frozenset(normalise_key(w) for w in (
    "Kent", "Force", "Force-wide", "Force wide", "Forcewide", "All", "All Kent", "Whole force", "Kent Police",
    "Kent Police area", "Total"))  # fmt: skip

# canonical column -> (required?, header synonyms), as analytics.ingest.detect reads them
COLUMNS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "measure": (True, ("measure", "measure name", "indicator", "metric", "kpi", "measure code")),
    "period": (True, ("period", "week", "month", "date", "period code", "reporting period", "week or month")),
    "district": (False, ("district", "district name", "csu", "community safety unit", "local authority", "area",
                         "borough", "council")),
    "value": (True, ("value", "figure", "count", "number", "total", "number satisfied", "satisfied", "amount")),
    "surveyed": (False, ("surveyed", "number surveyed", "respondents", "responses", "sample", "sample size",
                         "base", "victims surveyed")),
}
STAGED_COLUMNS = ("source_row", "measure", "grain", "period", "period_start", "period_end", "month", "district",
                  "value", "surveyed")
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    key: str | None  # canonical column; the loader names it as the file does
    value: str | None
    reason: str


@dataclass
class MeasuresStage:
    table: str
    rows_read: int
    rows_rejected: int
    problems: list[RowProblem] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    records: int = 0  # records seen, blank ones included (the loader's empty-line check)


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(text: str) -> float | None:
    """'1,234', '550', '78.5' -> the number; None when it is not one. Spaces and thousands commas are dropped."""
    s = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
    return float(s) if _NUMBER.match(s) else None


def _value(text: str, measure: MeasureDef) -> tuple[float | None, str | None]:
    """The value and None, or None and the reason it cannot be used."""
    raw = text.strip()
    if measure.unit is Unit.PERCENT and raw.endswith("%"):
        raw = raw[:-1].strip()
    if raw.startswith(("-", "\u2212")) and _number(raw[1:]) is not None:
        return None, "The value is negative: a count or a share is 0 or more."
    number = _number(raw)
    if number is None:
        return None, ("Not a number. Write the value as a plain number (e.g. 550 or 9,512"
                      + (", or 78.5 for a per cent" if measure.unit is Unit.PERCENT else "") + ").")
    if measure.unit is Unit.PERCENT:
        if number > 100:
            return None, "A per cent is at most 100."
        return number, None
    if number != math.floor(number):
        what = "the number satisfied" if measure.unit is Unit.SURVEY else f"a count of {measure.nouns[1]}"
        return None, f"Not a whole number: {measure.name} is {what}."
    return number, None


def _surveyed(text: str | None, measure: MeasureDef) -> tuple[int | None, str | None]:
    if measure.unit is not Unit.SURVEY:
        if text:
            return None, (f"{measure.name} is not a survey measure, so it takes no number surveyed: leave the "
                          "surveyed column blank on its rows.")
        return None, None
    if not text:
        return None, (f"The number surveyed is blank: {measure.name} is a survey measure, so every row needs the "
                      "number of victims surveyed (and the value is the number of them satisfied).")
    number = _number(text)
    if number is None or number != math.floor(number) or number < 1:
        return None, "The number surveyed must be a whole number of 1 or more."
    return int(number), None


def _district(text: str | None, measure: MeasureDef) -> tuple[str | None, str | None]:
    """(district or None for force-wide, reason or None)."""
    if not text or normalise_key(text) in FORCE_WIDE:
        return None, None
    found = definitions.match_district(text)
    if found is None:
        names = ", ".join(d.name for d in definitions.districts())
        return None, (f"Not a Kent district. Use one of {names}; or leave it blank (or write Kent) for a "
                      "force-wide value.")
    if measure.force_only:
        return None, f"{measure.name} is a force-wide figure: leave the district blank (or write Kent)."
    return found, None


def _period(text: str, latest: date) -> tuple[MeasurePeriod | None, str | None]:
    try:
        period = parse_period(text)
    except ValueError as e:
        return None, str(e)
    if period.start > latest:
        return None, "The period starts in the future: check the year."
    if period.start.year < EARLIEST_YEAR:
        return None, f"The period is before {EARLIEST_YEAR}: check the year."
    return period, None


def stage(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: dict[str, str],
    all_columns: list[str],
    first_row: int | None,
    name: str,
) -> MeasuresStage:
    """Check every row of ``relation`` (the loader's raw relation; ``columns``: canonical column -> raw column,
    ``all_columns`` every raw column) and stage the valid ones as STAGED_TABLE. See the module for the checks."""
    def raw(key: str) -> str:
        col = columns.get(key)
        return f"nullif(trim({col}), '')" if col else "NULL::VARCHAR"

    filled = " OR ".join(f"coalesce(trim({c}), '') <> ''" for c in all_columns) or "false"
    row = "source_row" if first_row is None else "NULL::INTEGER"
    records = con.execute(
        f"SELECT {row}, _extra, {', '.join(raw(k) for k in COLUMNS)}, ({filled}) OR _extra IS NOT NULL "
        f"FROM {relation} LIMIT {MAX_ROWS + 1}"
    ).fetchall()
    data = [(r[0] if first_row is None else first_row + i, *r[1:7]) for i, r in enumerate(records) if r[7]]
    if len(data) > MAX_ROWS:
        raise InputRefused("Too many rows for a measures file",
                           f"{name} has more than {MAX_ROWS:,} rows. A measures file holds a few values per measure, "
                           "period and district; check that this is the right file.")
    latest = date.today() + timedelta(days=1)
    problems: list[RowProblem] = []
    good: list[tuple[int, MeasureDef, MeasurePeriod, str | None, float, int | None]] = []
    for number, extra, measure_text, period_text, district_text, value_text, surveyed_text in data:
        found: list[RowProblem] = []

        def problem(key: str | None, value: str | None, reason: str, row: int = number,
                    found: list[RowProblem] = found) -> None:
            found.append(RowProblem(row, key, None if value is None else _clip(value), reason))

        if extra is not None:
            problem(None, extra, "This row has more fields than the header has columns (a stray delimiter or an "
                    "unquoted comma?). Fix the row so its values line up with the header.")
        measure = catalogue.find(measure_text) if measure_text else None
        if not measure_text:
            problem("measure", None, "The measure is blank: every row names its measure.")
        elif measure is None:
            problem("measure", measure_text, f"Not a known measure. Use one of: {catalogue.names_listed()}.")
        period, why = (None, "The period is blank: every row needs its day, week or month. " + PERIOD_HELP) \
            if not period_text else _period(period_text, latest)
        if why:
            problem("period", period_text, why)
        value: float | None = None
        surveyed: int | None = None
        district: str | None = None
        if measure is not None:
            district, why = _district(district_text, measure)
            if why:
                problem("district", district_text, why)
            if not value_text:
                problem("value", None, "The value is blank: every row needs its value.")
            else:
                value, why = _value(value_text, measure)
                if why:
                    problem("value", value_text, why)
            surveyed, why = _surveyed(surveyed_text, measure)
            if why:
                problem("surveyed", surveyed_text, why)
            if value is not None and surveyed is not None and value > surveyed:
                problem("value", value_text, f"More satisfied ({value:,.0f}) than surveyed ({surveyed:,}): the "
                        "value is the number of the victims surveyed who were satisfied.")
        problems += found
        if not found and measure is not None and period is not None and value is not None:
            good.append((number, measure, period, district, value, surveyed))

    # the same measure, period and area twice: a problem on every such row, and none of them is staged
    rows_of: dict[tuple[str, str, str | None], list[int]] = {}
    for number, measure, period, district, _, _ in good:
        rows_of.setdefault((measure.name, period.code, district), []).append(number)
    doubled = {key: rows for key, rows in rows_of.items() if len(rows) > 1}
    for (measure_name, code, district), rows in doubled.items():
        listed = ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
        where = district or "force-wide"
        for number in rows:
            problems.append(RowProblem(number, "period", code, f"{measure_name} for {code} ({where}) is on rows "
                                       f"{listed}: each measure, period and area appears once."))
    bad = {r for rows in doubled.values() for r in rows}
    staged = [g for g in good if g[0] not in bad]
    problems.sort(key=lambda p: p.row or 0)
    con.register("_measures_arrow", pa.table({
        "source_row": pa.array([g[0] for g in staged], pa.int32()),
        "measure": pa.array([g[1].name for g in staged], pa.string()),
        "grain": pa.array([g[2].grain for g in staged], pa.string()),
        "period": pa.array([g[2].code for g in staged], pa.string()),
        "period_start": pa.array([g[2].start for g in staged], pa.date32()),
        "period_end": pa.array([g[2].end for g in staged], pa.date32()),
        "month": pa.array([date(int(g[2].month[:4]), int(g[2].month[5:]), 1) for g in staged], pa.date32()),
        "district": pa.array([g[3] for g in staged], pa.string()),
        "value": pa.array([g[4] for g in staged], pa.float64()),
        "surveyed": pa.array([g[5] for g in staged], pa.int32()),
    }))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGED_TABLE} AS SELECT * FROM _measures_arrow")
    finally:
        con.unregister("_measures_arrow")
    months = sorted({g[2].month for g in staged})
    return MeasuresStage(STAGED_TABLE, len(data), len({p.row for p in problems}), problems, months, len(records))
