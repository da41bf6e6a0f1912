"""Validation and transformation of raw rows into the staged relations, in SQL.

Input is a raw relation (a temp table, a registered Arrow table or a read_csv call) with ``_extra`` (non-NULL when
the row has more fields than the header), one VARCHAR column per header column and either ``source_row`` (the row
number the analyst sees) or, for DuckDB's CSV reader, a first row number from which records count in file order.
One pass reads the raw rows into the stage (an Arrow table registered as ``_stage``) with every check's flag;
values that repeat (months, districts, groups, outcomes) are worked out once each. Output: TEMP views of the valid
rows in the exact column layout of the fact tables, which the loader reads straight into them, and every problem.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from analytics.domain import definitions
from analytics.errors import InputRefused
from analytics.ingest.messages import clip, rows_word

# A force extract whose district values are mostly not districts (a caller-reference or location column mapped to
# district) is refused: such values would be shown to every viewer. Refused when more than UNKNOWN_DISTRICT_VALUES
# different values are unknown to districts.csv, or when more than UNKNOWN_DISTRICT_SHARE of the rows with a
# district (and at least UNKNOWN_DISTRICT_MIN_ROWS rows) have an unknown one; below that, they load with a warning.
UNKNOWN_DISTRICT_SHARE = 0.05
UNKNOWN_DISTRICT_VALUES = 20
UNKNOWN_DISTRICT_MIN_ROWS = 10
UNKNOWN_SHOWN = 5  # unknown values named in the refusal
# Dates are held to the years EARLIEST_YEAR (ASB_EARLIEST_YEAR) .. the day after the load (time zones).
EARLIEST_YEAR = 2000

ASB_TABLE = "_staged_asb"
CRIME_TABLE = "_staged_crime"
OUTCOME_TABLE = "_staged_outcomes"
_STAGE = "_stage"

ASB_COLUMNS = (
    "source_row INTEGER, incident_ref VARCHAR, reported_date TIMESTAMP, month DATE, district VARCHAR, "
    "call_type VARCHAR, location VARCHAR, lsoa_code VARCHAR, latitude DOUBLE, longitude DOUBLE, caller_ref VARCHAR, "
    "vulnerable BOOLEAN, repeat_caller BOOLEAN"
)
CRIME_COLUMNS = (
    "source_row INTEGER, crime_ref VARCHAR, recorded_date TIMESTAMP, month DATE, district VARCHAR, "
    "offence_group VARCHAR, victim_based BOOLEAN, outcome VARCHAR, outcome_code VARCHAR, outcome_date TIMESTAMP, "
    "location VARCHAR, lsoa_code VARCHAR, latitude DOUBLE, longitude DOUBLE"
)
OUTCOME_COLUMNS = (
    "source_row INTEGER, crime_ref VARCHAR, month DATE, outcome_date DATE, outcome VARCHAR, outcome_code VARCHAR, "
    "district VARCHAR, location VARCHAR, lsoa_code VARCHAR, latitude DOUBLE, longitude DOUBLE"
)

# UK day-first dates. A date impossible day-first (31/02/2024, 01/13/2024) gives NULL: it is never re-read
# month-first. Excel serial numbers count days from 1899-12-30 (the 1900 leap-year bug included). The forms are
# disjoint, so the commonest (ISO, as workbook date cells read) is tested first. A value written exactly in one of
# the commonest forms (it reads back identically) is parsed with that one format, skipping the patterns: the
# result is the one the general rule gives, at a tenth of the cost. Length and one separator are tested first,
# because a failed parse is itself costly.
_MACROS = r"""
CREATE OR REPLACE TEMP MACRO _uk_ts_any(s) AS (
    CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_matches(s, '^\d{4}-\d{1,2}-\d{1,2}') THEN
        try_strptime(s, ['%Y-%m-%d', '%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f',
                         '%Y-%m-%dT%H:%M', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%SZ'])
    WHEN regexp_full_match(s, '\d{1,7}(\.\d+)?') THEN
        CASE WHEN TRY_CAST(s AS DOUBLE) BETWEEN 1 AND 2958465
             THEN TIMESTAMP '1899-12-30'
                  + to_microseconds(CAST(round(CAST(s AS DOUBLE) * 86400) AS BIGINT) * 1000000) END
    WHEN regexp_matches(s, '^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}($|[ T])') THEN
        try_strptime(regexp_replace(s, '^(\d{1,2})[/.-](\d{1,2})[/.-]', '\1/\2/'),
                     ['%d/%m/%y', '%d/%m/%y %H:%M', '%d/%m/%y %H:%M:%S'])
    WHEN regexp_matches(s, '^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}') THEN
        try_strptime(regexp_replace(s, '^(\d{1,2})[/.-](\d{1,2})[/.-]', '\1/\2/'),
                     ['%d/%m/%Y', '%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M:%S.%f',
                      '%d/%m/%YT%H:%M', '%d/%m/%YT%H:%M:%S'])
    WHEN regexp_matches(s, '^\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{4}') THEN
        try_strptime(regexp_replace(s, '^(\d{1,2})[ -]([A-Za-z]+)[ -]', '\1 \2 '),
                     ['%d %b %Y', '%d %B %Y', '%d %b %Y %H:%M', '%d %B %Y %H:%M', '%d %b %Y %H:%M:%S',
                      '%d %B %Y %H:%M:%S'])
    END
);
CREATE OR REPLACE TEMP MACRO _is_as(s, f, n, i, c) AS (
    length(s) = n AND substr(s, i, 1) = c AND strftime(try_strptime(s, f), f) = s
);
CREATE OR REPLACE TEMP MACRO _uk_ts(s) AS (
    CASE WHEN _is_as(s, '%Y-%m-%d %H:%M:%S', 19, 5, '-') THEN try_strptime(s, '%Y-%m-%d %H:%M:%S')
         WHEN _is_as(s, '%d/%m/%Y %H:%M', 16, 3, '/') THEN try_strptime(s, '%d/%m/%Y %H:%M')
         WHEN _is_as(s, '%d/%m/%Y', 10, 3, '/') THEN try_strptime(s, '%d/%m/%Y')
         WHEN _is_as(s, '%Y-%m-%d', 10, 5, '-') THEN try_strptime(s, '%Y-%m-%d')
         ELSE _uk_ts_any(s) END
);
CREATE OR REPLACE TEMP MACRO _flag(s) AS (
    CASE WHEN lower(s) IN ('y', 'yes', 'true', 't', '1') THEN true
         WHEN lower(s) IN ('n', 'no', 'false', 'f', '0') THEN false END
);
"""


@dataclass
class RawProblem:
    row: int | None
    key: str | None  # canonical column (or police.uk column name); mapped to the file's name by the caller
    value: str | None
    reason: str


@dataclass
class StageResult:
    asb_table: str | None
    crime_table: str | None
    rows_read: int
    rows_rejected: int
    problems: list[RawProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    months: dict[str, list[str]] = field(default_factory=dict)
    records: int = 0  # records the reader saw, blank ones included (for the reader's empty-line check)
    force: str | None = None  # a police.uk file's force ("Falls within")
    outcome_table: str | None = None  # a police.uk outcomes file's staged outcome events


def earliest_year() -> int:
    """The earliest year a date may have: ASB_EARLIEST_YEAR, else EARLIEST_YEAR."""
    try:
        return int(os.environ.get("ASB_EARLIEST_YEAR", EARLIEST_YEAR))
    except ValueError:
        return EARLIEST_YEAR


def latest_day() -> dt.date:
    """The latest day a date may have: the day after the load's (local) day, so a time zone ahead is no problem."""
    return dt.date.today() + dt.timedelta(days=1)


def _bounds(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, int]:
    """The date bounds as a one-row temp table ``_bounds`` (latest DATE, earliest INTEGER) the checks read."""
    latest, earliest = latest_day(), earliest_year()
    con.execute("CREATE OR REPLACE TEMP TABLE _bounds AS SELECT ?::DATE AS latest, ?::INTEGER AS earliest",
                [latest, earliest])
    return latest, earliest


def _future(latest: dt.date) -> str:
    return (f"The date is in the future: after {latest:%d/%m/%Y}, the day after this load. Check the date (a "
            "month-first date read day-first?) and the export.")


def _too_early(earliest: int) -> str:
    return (f"The date is before {earliest}, the earliest year loaded (ASB_EARLIEST_YEAR). Check the date and the "
            "export.")


_LATEST = "(SELECT latest FROM _bounds)"
_EARLIEST = "(SELECT earliest FROM _bounds)"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _txt(col: str | None, trim: bool = True) -> str:
    """A raw column as trimmed text, NULL when blank. police.uk files are machine-written, so they skip the trim
    (it costs about a tenth of a load's time). DuckDB's trim() takes off the Unicode space separators (the
    ASCII space, the no-break space, U+2000..U+200A and a few more), so an ASCII value that neither starts nor
    ends with a space is already trimmed: most values, which then skip the trim's own scan."""
    if col is None:
        return "NULL::VARCHAR"
    if not trim:
        return f"nullif({col}, '')"
    return (f"nullif(CASE WHEN strlen({col}) = length({col}) AND NOT starts_with({col}, ' ') "
            f"AND NOT ends_with({col}, ' ') THEN {col} ELSE trim({col}) END, '')")


def _lookup(con: duckdb.DuckDBPyConnection, name: str, values: list[str], match: Callable[[str], str | None]) -> None:
    """A small temp table value -> canonical, worked out in Python over the distinct values only."""
    canon = [match(v) for v in values]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS "
        "SELECT unnest(?::VARCHAR[]) AS value, unnest(?::VARCHAR[]) AS canonical",
        [values, canon],
    )


def _counts(con: duckdb.DuckDBPyConnection, expr: str, where: str) -> list[tuple[str, int]]:
    """Distinct non-NULL values of an expression over the stage, with their row counts."""
    q = f"SELECT {expr} AS v, count(*) FROM {_STAGE} WHERE {where} AND {expr} IS NOT NULL GROUP BY v"
    return con.execute(q).fetchall()


def _unknown(counts: list[tuple[str, int]], match: Callable[[str], str | None], what: str, then: str,
             then_one: str) -> list[str]:
    """A warning listing the values the reference data does not know, most rows first. ``what`` and ``then`` are
    plural ("call types", "They are kept ..."); one unknown value is named in the singular (``then_one``)."""
    rows = sorted(((v, n) for v, n in counts if match(v) is None), key=lambda r: (-r[1], r[0]))
    if not rows:
        return []
    listed = ", ".join(f'"{clip(v)}" ({rows_word(n)})' for v, n in rows[:20])
    more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
    if len(rows) == 1:
        return [f"1 unknown {what.removesuffix('s')}: {listed}. {then_one}"]
    return [f"{len(rows)} unknown {what}: {listed}{more}. {then}"]


# How the stage's rows are numbered: None when the raw relation has source_row; else its rows come in file order
# (DuckDB's CSV reader) and are numbered from a first row number, or by a function of the stage's rows (the bundled
# read of many files, analytics.ingest.bundle) that returns their numbers.
Numbering = int | Callable[[pa.Table], pa.Array] | None


def _row_column(first_row: Numbering) -> str:
    return "CAST(source_row AS INTEGER) AS source_row, " if first_row is None else ""


def _materialise(con: duckdb.DuckDBPyConnection, select: str, first_row: Numbering) -> None:
    """Run the stage's SELECT once into an Arrow table registered as the stage.

    Results keep the file's order, so when the raw relation has no row numbers (DuckDB's CSV reader), record i is
    row first_row + i. Arrow is cheaper to fill than a temp table and as quick to scan."""
    table = con.sql(select).to_arrow_table()
    if callable(first_row):
        table = table.add_column(0, "source_row", first_row(table))
    elif first_row is not None:
        rows = pa.array(np.arange(first_row, first_row + table.num_rows, dtype=np.int32))
        table = table.add_column(0, "source_row", rows)
    con.register(_STAGE, table)


def _mark_bad(con: duckdb.DuckDBPyConnection, condition: str, params: list[object] | None = None) -> None:
    """Flag more rows bad (a problem found after the stage pass: an unreadable month, a duplicate reference)."""
    select = f"SELECT * REPLACE (_bad OR (NOT _blank AND coalesce({condition}, false)) AS _bad) FROM {_STAGE}"
    table = con.sql(select, params=params).to_arrow_table()
    con.register(_STAGE, table)


def _collect(con: duckdb.DuckDBPyConnection, checks: list[tuple[str | None, str, str, str]]) -> list[RawProblem]:
    """Every problem of every flagged row: checks are (column key, failing condition, offending value, reason).

    Only rows flagged ``_bad`` are examined, copied out first: with no bad rows this costs one scan of a flag."""
    if not checks or not con.execute(f"SELECT bool_or(_bad) FROM {_STAGE}").fetchall()[0][0]:
        return []
    con.execute(f"CREATE OR REPLACE TEMP TABLE _bad_rows AS SELECT * FROM {_STAGE} WHERE _bad")
    parts = [
        f"SELECT source_row, {i} AS check_id, CAST({value} AS VARCHAR) AS value FROM _bad_rows WHERE {cond}"
        for i, (_, cond, value, _) in enumerate(checks)
    ]
    q = " UNION ALL ".join(parts) + " ORDER BY source_row, check_id"
    out = []
    for row, check_id, value in con.execute(q).fetchall():
        key, _, _, reason = checks[check_id]
        out.append(RawProblem(row, key, None if value is None else value[:200], reason))
    con.execute("DROP TABLE _bad_rows")
    return out


def _duplicates(con: duckdb.DuckDBPyConnection, expr: str, where: str) -> list[tuple[str, int, list[int]]]:
    """Values of ``expr`` on more than one row: (value, rows, their row numbers). Grouping on a 64-bit hash first
    keeps the common case (no duplicates) cheap; the exact values are then compared for the few candidates."""
    return con.execute(f"""
        WITH candidates AS (
            SELECT hash({expr}) AS h FROM {_STAGE} WHERE {where} AND {expr} IS NOT NULL
            GROUP BY h HAVING count(*) > 1
        )
        SELECT {expr} AS v, count(*) AS n, list(source_row ORDER BY source_row)
        FROM {_STAGE} WHERE {where} AND {expr} IS NOT NULL AND hash({expr}) IN (SELECT h FROM candidates)
        GROUP BY v HAVING n > 1 ORDER BY v
    """).fetchall()


def exclude_rows(con: duckdb.DuckDBPyConnection, rows: list[int]) -> None:
    """Flag more rows of the stage bad after staging (references already loaded): the staged views leave them out."""
    con.register("_excluded", pa.table({"r": pa.array(rows, pa.int32())}))
    try:
        _mark_bad(con, "source_row IN (SELECT r FROM _excluded)")
    finally:
        con.unregister("_excluded")


def staged_months(con: duckdb.DuckDBPyConnection, tables: dict[str, str | None]) -> dict[str, list[str]]:
    """The months of the valid staged rows per kind (kind -> staged view)."""
    return {kind: _month_names(con, table) for kind, table in tables.items() if table}


def _month_names(con: duckdb.DuckDBPyConnection, table: str, column: str = "month", where: str = "true") -> list[str]:
    q = (f"SELECT DISTINCT strftime({column}, '%Y-%m') AS m FROM {table} WHERE {where} AND {column} IS NOT NULL "
         "ORDER BY m")
    return [r[0] for r in con.execute(q).fetchall()]


# police.uk street and outcomes files: coordinates are numbers in range, or blank (the staged query reads them)
_COORDINATES: tuple[tuple[str | None, str, str, str], ...] = (
    ("Longitude", "lon_raw IS NOT NULL", "lon_raw", "Longitude must be a number between -180 and 180 (or blank)."),
    ("Latitude", "lat_raw IS NOT NULL", "lat_raw", "Latitude must be a number between -90 and 90 (or blank)."),
)
_EXTRA = (
    None, "_extra IS NOT NULL", "_extra",
    "This row has more fields than the header has columns (a stray delimiter or an unquoted comma?). "
    "Fix the row so its values line up with the header.",
)  # fmt: skip


def _blank_expr(cols: list[str], first: list[str | None]) -> str:
    """True when every field of the row is blank: such rows (e.g. trailing blank rows) are not data.

    A CASE chain stops at the first filled field, so on real rows only the ``first`` fields (ones data rows always
    fill) are ever trimmed; testing every field of every row costs a fifth of a large load."""
    if not cols:
        return "true"
    ordered = list(dict.fromkeys([c for c in first if c in cols] + cols))
    tests = " ".join(f"WHEN trim({c}) <> '' THEN false" for c in ordered)
    return f"(CASE {tests} ELSE _extra IS NULL END)"


def _view(con: duckdb.DuckDBPyConnection, name: str, columns: str, select: str) -> None:
    """A staged relation as a view over the stage, typed exactly like its fact table (``columns``)."""
    names = [c.strip().split(" ")[0] for c in columns.split(",")]
    types = [c.strip().split(" ")[1] for c in columns.split(",")]
    outer = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t in zip(names, types, strict=True))
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {outer} FROM ({select})")


_MONTH_RE = r"\d{4}-\d{2}"
# An LSOA name is the district's name and a code ("Ashford 001B"): the same rule as the old per-row regexp_replace.
_LSOA_SUFFIX = re.compile(r"[\t\n\f\r ]*[0-9]{3}[A-Za-z]\Z")


def _month_checks(con: duckdb.DuckDBPyConnection) -> list[tuple[str | None, str, str, str]]:
    """The Month column of a police.uk file (street-level or outcomes): each distinct value read once into
    ``_lk_month``; rows with an unreadable, future or too early month are flagged bad; returns their checks."""
    latest, earliest = _bounds(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_month AS
        SELECT *, month > {_LATEST} AS future, year(month) < {_EARLIEST} AS early
        FROM (
            SELECT value, CASE WHEN regexp_full_match(value, '{_MONTH_RE}')
                               THEN CAST(try_strptime(value, '%Y-%m') AS DATE) END AS month
            FROM (SELECT DISTINCT month_raw AS value FROM {_STAGE} WHERE NOT _blank AND month_raw IS NOT NULL)
        )
    """)
    bad_month = "month_raw IN (SELECT value FROM _lk_month WHERE month IS NULL)"
    future_month = "month_raw IN (SELECT value FROM _lk_month WHERE future)"
    early_month = "month_raw IN (SELECT value FROM _lk_month WHERE early)"
    if con.execute("SELECT count(*) FILTER (WHERE month IS NULL OR future OR early) FROM _lk_month").fetchall()[0][0]:
        _mark_bad(con, f"{bad_month} OR {future_month} OR {early_month}")
    return [
        ("Month", f"month_raw IS NULL OR {bad_month}", "month_raw",
         "Month must be a month written YYYY-MM (e.g. 2025-01). Re-download the file from police.uk."),
        ("Month", future_month, "month_raw", _future(latest).replace("The date", "The month")),
        ("Month", early_month, "month_raw", _too_early(earliest).replace("The date", "The month")),
    ]  # fmt: skip


# LSOA name -> district, worked out once per name while the reference districts stay the same (a folder of
# monthly police.uk files names the same LSOAs in every file). Keyed by the districts() tuple, which is new
# whenever the reference files are reloaded.
_lsoa_districts: tuple[object, dict[str, str]] = ((), {})


def _district_of_lsoa(name: str) -> str:
    """The district of a police.uk LSOA name ("Ashford 001B" -> Ashford), or outside the force area."""
    global _lsoa_districts
    key, known = _lsoa_districts
    if key is not definitions.districts():
        _lsoa_districts = key, known = definitions.districts(), {}
    found = known.get(name)
    if found is None:
        found = known[name] = (definitions.match_district(_LSOA_SUFFIX.sub("", name))
                               or definitions.OUTSIDE_FORCE_AREA)
    return found


def repeated_crime_ids(dups: list[tuple[str, int]]) -> str:
    """The warning on a police.uk file's Crime IDs that appear on more than one row: (Crime ID, rows), by ID."""
    return (f"{len(dups)} Crime IDs appear more than once ({sum(n for _, n in dups)} rows). police.uk publishes "
            "these as separate crimes at different locations, so every row is kept. First: "
            + ", ".join(f"{ref[:16]}… ({n} rows)" for ref, n in dups[:3]))


def stage_police_uk(
    con: duckdb.DuckDBPyConnection, raw: str, cols: dict[str, str | None], all_cols: list[str],
    first_row: Numbering = None, keep: tuple[str, ...] = (),
) -> StageResult:
    """Stage a police.uk street-level file. ``cols`` maps police.uk column names to raw columns; ``keep`` names raw
    columns carried into the stage as they are.

    One pass reads the raw rows into the stage with their checks' flags; months, districts, crime types and
    outcomes are then worked out once per distinct value (they repeat on almost every row) and joined in by the
    staged views, which the loader reads straight into the fact tables."""

    def c(name: str) -> str:
        return _txt(cols.get(name), trim=False)

    # Row-level checks (the month's format is checked per distinct value, below).
    row_checks = [
        "_extra IS NOT NULL",
        "month_raw IS NULL",
        "crime_type IS NULL",
        "crime_id IS NULL AND crime_type IS NOT NULL AND NOT is_asb",
        "lon_raw IS NOT NULL AND (longitude IS NULL OR NOT longitude BETWEEN -180 AND 180)",
        "lat_raw IS NOT NULL AND (latitude IS NULL OR NOT latitude BETWEEN -90 AND 90)",
    ]
    # Unreadable coordinates are kept as written (for the problem report); readable ones only as numbers.
    _materialise(con, f"""
        SELECT * REPLACE (CASE WHEN coalesce({row_checks[4]}, false) THEN lon_raw END AS lon_raw,
                          CASE WHEN coalesce({row_checks[5]}, false) THEN lat_raw END AS lat_raw),
               NOT _blank AND ({" OR ".join(f"coalesce({x}, false)" for x in row_checks)}) AS _bad
        FROM (
            SELECT *, TRY_CAST(lon_raw AS DOUBLE) AS longitude, TRY_CAST(lat_raw AS DOUBLE) AS latitude,
                   crime_type = 'Anti-social behaviour' AS is_asb
            FROM (
                SELECT {_row_column(first_row)}{"".join(f"{k}, " for k in keep)}_extra,
                       {c("Crime ID")} AS crime_id, {c("Month")} AS month_raw,
                       {c("Longitude")} AS lon_raw, {c("Latitude")} AS lat_raw,
                       {c("Location")} AS location, {c("LSOA code")} AS lsoa_code,
                       {c("LSOA name")} AS lsoa_name, {c("Crime type")} AS crime_type,
                       {c("Last outcome category")} AS outcome, {c("Falls within")} AS falls_within,
                       {_blank_expr(all_cols, [cols.get("Month"), cols.get("Crime type")])} AS _blank
                FROM {raw}
            )
        )
    """, first_row)
    force = _one_force(con)
    checks: list[tuple[str | None, str, str, str]] = [_EXTRA, *_month_checks(con)]
    checks += [
        ("Crime type", row_checks[2], "crime_type",
         "Crime type is blank: every row needs one (Anti-social behaviour or a crime category)."),
        ("Crime ID", row_checks[3], "crime_id",
         "Crime ID is blank on a crime row: only Anti-social behaviour rows may have no Crime ID."),
        *_COORDINATES,
    ]  # fmt: skip
    problems = _collect(con, checks)
    ok = "NOT _blank AND NOT _bad"

    # One pass for every per-value figure of the valid rows: crime types and outcomes of crime rows, LSOA names,
    # and the months of each kind.
    groups = con.execute(f"""
        SELECT grouping(crime_type, outcome, lsoa_name, month_raw) AS g, is_asb, crime_type, outcome, lsoa_name,
               month_raw, count(*)
        FROM {_STAGE} WHERE {ok}
        GROUP BY GROUPING SETS ((is_asb, crime_type), (is_asb, outcome), (lsoa_name), (is_asb, month_raw))
    """).fetchall()
    # every value is text (or NULL), from the raw VARCHAR columns
    by_set: dict[int, list[tuple[bool | None, list[str | None], int]]] = {}
    for g, is_asb, *values, n in groups:
        by_set.setdefault(g, []).append((is_asb, values, n))
    # grouping() sets a bit for each column left out of the set (crime_type is the highest bit).
    offences = [(o, n) for a, v, n in by_set.get(0b0111, []) if a is False and (o := v[0]) is not None]
    outcomes = [(o, n) for a, v, n in by_set.get(0b1011, []) if a is False and (o := v[1]) is not None]
    lsoa_names = [name for _, v, _ in by_set.get(0b1101, []) if (name := v[2]) is not None]
    month_raws = {kind: [v[3] for a, v, _ in by_set.get(0b1110, []) if a is (kind == "asb")]
                  for kind in ("asb", "crime")}
    _lookup(con, "_lk_district", lsoa_names, _district_of_lsoa)
    _lookup(con, "_lk_offence", [v for v, _ in offences], definitions.match_offence_group)
    _lookup(con, "_lk_outcome", [v for v, _ in outcomes], definitions.match_outcome)
    district = f"coalesce(d.canonical, {_lit(definitions.UNKNOWN_DISTRICT)})"
    src = "s.source_row"
    joins = "JOIN _lk_month m ON m.value = s.month_raw LEFT JOIN _lk_district d ON d.value = s.lsoa_name"
    _view(con, ASB_TABLE, ASB_COLUMNS, f"""
        SELECT {src} AS source_row, NULL AS incident_ref, NULL AS reported_date, m.month, {district} AS district,
               NULL AS call_type, s.location, s.lsoa_code, s.latitude, s.longitude, NULL AS caller_ref,
               NULL AS vulnerable, NULL AS repeat_caller
        FROM {_STAGE} s {joins}
        WHERE NOT s._blank AND NOT s._bad AND s.is_asb
    """)
    _view(con, CRIME_TABLE, CRIME_COLUMNS, f"""
        SELECT {src} AS source_row, s.crime_id AS crime_ref, NULL AS recorded_date, m.month, {district} AS district,
               coalesce(g.canonical, s.crime_type) AS offence_group, NULL AS victim_based, s.outcome,
               o.canonical AS outcome_code, NULL AS outcome_date, s.location, s.lsoa_code, s.latitude, s.longitude
        FROM {_STAGE} s {joins}
        LEFT JOIN _lk_offence g ON g.value = s.crime_type
        LEFT JOIN _lk_outcome o ON o.value = s.outcome
        WHERE NOT s._blank AND NOT s._bad AND NOT s.is_asb
    """)
    warnings: list[str] = []
    warnings += _unknown(offences, definitions.match_offence_group, "crime types",
                         "They are kept as given and are not counted as victim-based crime.",
                         "It is kept as given and is not counted as victim-based crime.")
    warnings += _unknown(outcomes, definitions.match_outcome, "outcomes",
                         "They are kept as given and count as neither solved nor pending.",
                         "It is kept as given and counts as neither solved nor pending.")
    dups = _duplicates(con, "crime_id", f"{ok} AND NOT is_asb")
    if dups:
        warnings.append(repeated_crime_ids([(ref, n) for ref, n, _ in dups]))
    month_of = dict(con.execute("SELECT value, strftime(month, '%Y-%m') FROM _lk_month").fetchall())
    months = {kind: sorted({month_of[v] for v in raws}) for kind, raws in month_raws.items()}
    result = _finish(con, problems, warnings, months, has_asb=True, has_crime=True)
    result.force = force
    return result


def stage_police_uk_outcomes(
    con: duckdb.DuckDBPyConnection, raw: str, cols: dict[str, str | None], all_cols: list[str],
    first_row: int | None = None,
) -> StageResult:
    """Stage a police.uk outcomes file: each row an outcome given to a crime (its Crime ID) in the month, dated the
    month's last day. ``cols`` maps the police.uk column names to raw columns. Every row needs a Crime ID, a month
    and an outcome type; a Crime ID may appear on several rows (several outcomes)."""

    def c(name: str) -> str:
        return _txt(cols.get(name), trim=False)

    row_checks = [
        "_extra IS NOT NULL",
        "month_raw IS NULL",
        "crime_id IS NULL",
        "outcome IS NULL",
        "lon_raw IS NOT NULL AND (longitude IS NULL OR NOT longitude BETWEEN -180 AND 180)",
        "lat_raw IS NOT NULL AND (latitude IS NULL OR NOT latitude BETWEEN -90 AND 90)",
    ]
    _materialise(con, f"""
        SELECT * REPLACE (CASE WHEN coalesce({row_checks[4]}, false) THEN lon_raw END AS lon_raw,
                          CASE WHEN coalesce({row_checks[5]}, false) THEN lat_raw END AS lat_raw),
               NOT _blank AND ({" OR ".join(f"coalesce({x}, false)" for x in row_checks)}) AS _bad
        FROM (
            SELECT *, TRY_CAST(lon_raw AS DOUBLE) AS longitude, TRY_CAST(lat_raw AS DOUBLE) AS latitude
            FROM (
                SELECT {_row_column(first_row)}_extra,
                       {c("Crime ID")} AS crime_id, {c("Month")} AS month_raw,
                       {c("Longitude")} AS lon_raw, {c("Latitude")} AS lat_raw,
                       {c("Location")} AS location, {c("LSOA code")} AS lsoa_code,
                       {c("LSOA name")} AS lsoa_name, {c("Outcome type")} AS outcome,
                       {c("Falls within")} AS falls_within,
                       {_blank_expr(all_cols, [cols.get("Month"), cols.get("Crime ID")])} AS _blank
                FROM {raw}
            )
        )
    """, first_row)
    force = _one_force(con)
    checks: list[tuple[str | None, str, str, str]] = [_EXTRA, *_month_checks(con)]
    checks += [
        ("Crime ID", row_checks[2], "crime_id",
         "Crime ID is blank: every outcome belongs to a crime. Re-download the file from police.uk."),
        ("Outcome type", row_checks[3], "outcome",
         "Outcome type is blank: every row of an outcomes file is an outcome. Re-download the file from police.uk."),
        *_COORDINATES,
    ]  # fmt: skip
    problems = _collect(con, checks)
    ok = "NOT _blank AND NOT _bad"
    groups = con.execute(f"""
        SELECT grouping(outcome, lsoa_name, month_raw) AS g, outcome, lsoa_name, month_raw, count(*)
        FROM {_STAGE} WHERE {ok}
        GROUP BY GROUPING SETS ((outcome), (lsoa_name), (month_raw))
    """).fetchall()
    outcomes = [(v, n) for g, v, _, _, n in groups if g == 0b011 and v is not None]
    lsoa_names = [v for g, _, v, _, _ in groups if g == 0b101 and v is not None]
    month_raws = [v for g, _, _, v, _ in groups if g == 0b110 and v is not None]
    _lookup(con, "_lk_district", lsoa_names, _district_of_lsoa)
    _lookup(con, "_lk_outcome", [v for v, _ in outcomes], definitions.match_outcome)
    _view(con, OUTCOME_TABLE, OUTCOME_COLUMNS, f"""
        SELECT s.source_row, s.crime_id AS crime_ref, m.month, last_day(m.month) AS outcome_date, s.outcome,
               o.canonical AS outcome_code, coalesce(d.canonical, {_lit(definitions.UNKNOWN_DISTRICT)}) AS district,
               s.location, s.lsoa_code, s.latitude, s.longitude
        FROM {_STAGE} s
        JOIN _lk_month m ON m.value = s.month_raw
        LEFT JOIN _lk_district d ON d.value = s.lsoa_name
        LEFT JOIN _lk_outcome o ON o.value = s.outcome
        WHERE NOT s._blank AND NOT s._bad
    """)
    warnings = _unknown(outcomes, definitions.match_outcome, "outcome types",
                        "They are kept as given and count as neither solved nor pending.",
                        "It is kept as given and counts as neither solved nor pending.")
    month_of = dict(con.execute("SELECT value, strftime(month, '%Y-%m') FROM _lk_month").fetchall())
    result = _finish(con, problems, warnings, {"outcomes": sorted({month_of[v] for v in month_raws})},
                     has_asb=False, has_crime=False)
    result.force, result.outcome_table = force, OUTCOME_TABLE
    return result


def _one_force(con: duckdb.DuckDBPyConnection) -> str | None:
    """The force a police.uk file belongs to (its "Falls within"); a file of several forces is refused."""
    forces = con.execute(
        f"SELECT falls_within, count(*) AS n FROM {_STAGE} WHERE NOT _blank AND falls_within IS NOT NULL "
        "GROUP BY ALL ORDER BY n DESC, falls_within"
    ).fetchall()
    if len(forces) > 1:
        listed = ", ".join(f'"{clip(f)}" ({rows_word(n)})' for f, n in forces[:UNKNOWN_SHOWN])
        more = f" and {len(forces) - UNKNOWN_SHOWN} more" if len(forces) > UNKNOWN_SHOWN else ""
        raise InputRefused(
            "Several forces in one file",
            f"This police.uk file holds the rows of {len(forces)} forces in its 'Falls within' column: {listed}"
            f"{more}. A police.uk source holds one force: download each force's file from police.uk and load "
            "them as separate sources (each with its own source name).",
        )
    return forces[0][0] if forces else None


def _finish(
    con: duckdb.DuckDBPyConnection,
    problems: list[RawProblem],
    warnings: list[str],
    months: dict[str, list[str]],
    *,
    has_asb: bool,
    has_crime: bool,
) -> StageResult:
    rows_read, records = con.execute(f"SELECT count(*) FILTER (WHERE NOT _blank), count(*) FROM {_STAGE}").fetchall()[0]
    rejected = len({p.row for p in problems})
    return StageResult(
        ASB_TABLE if has_asb else None, CRIME_TABLE if has_crime else None, rows_read, rejected, problems, warnings,
        months, records,
    )


_DATE_HELP = (
    "Dates are read day-first (UK), e.g. 03/01/2023 or 03/01/2023 14:35 for 3 January 2023, 2023-01-03, "
    "3 Jan 2023 or an Excel date; a date that does not exist day-first (31/02/2024, 01/13/2024) is refused, never "
    "re-read month-first."
)
_FLAG_HELP = "must be Y/N, Yes/No, True/False or 1/0 (or blank)."

# Per format: the reference column, the date column and its meaning, the lookups, the flag columns.
@dataclass(frozen=True)
class _ForceSpec:
    """The canonical columns of one force extract format that validation treats specially."""

    ref: str
    date: str
    thing: str
    date_what: str
    group: str
    flags: tuple[str, ...]
    table: str


_FORCE = {
    "asb": _ForceSpec("incident_ref", "reported_date", "incident", "the date it was reported", "call_type",
                      ("vulnerable", "repeat_caller"), ASB_TABLE),
    "crime": _ForceSpec("crime_ref", "recorded_date", "crime", "the date it was recorded", "offence_group",
                        ("victim_based",), CRIME_TABLE),
}


def _refuse_unknown_districts(counts: list[tuple[str, int]], name: str) -> None:
    """Refuse a force extract whose districts are mostly unknown (see UNKNOWN_DISTRICT_SHARE)."""
    unknown = sorted(((v, n) for v, n in counts if definitions.match_district(v) is None), key=lambda r: (-r[1], r[0]))
    total = sum(n for _, n in counts)
    rows = sum(n for _, n in unknown)
    many_rows = rows >= UNKNOWN_DISTRICT_MIN_ROWS and rows > UNKNOWN_DISTRICT_SHARE * total
    if not (many_rows or len(unknown) > UNKNOWN_DISTRICT_VALUES):
        return
    listed = ", ".join(f'"{clip(v)}" ({rows_word(n)})' for v, n in unknown[:UNKNOWN_SHOWN])
    raise InputRefused(
        "Districts not recognised",
        f"{name}: {rows:,} of {total:,} rows ({100 * rows / total:.1f}%) have a district that "
        f"data/reference/districts.csv does not know, {len(unknown):,} different values; the commonest: {listed}. "
        f"A file is refused when more than {UNKNOWN_DISTRICT_SHARE:.0%} of its rows (and at least "
        f"{UNKNOWN_DISTRICT_MIN_ROWS}) or more than {UNKNOWN_DISTRICT_VALUES} different values are unknown: the "
        "column read as the district probably holds something else (caller references, locations), which every "
        "viewer would see. Check which column is mapped to district; if these are force districts under other "
        "names, add them as synonyms in data/reference/districts.csv.",
    )


def stage_force(
    con: duckdb.DuckDBPyConnection, raw: str, fmt: str, cols: dict[str, str], all_cols: list[str],
    first_row: int | None = None, name: str = "The file",
) -> StageResult:
    """Stage a force ASB or crime extract. ``cols`` maps canonical columns to raw columns (optional ones may be
    absent)."""
    con.execute(_MACROS)
    spec = _FORCE[fmt]
    ref, date, group = spec.ref, spec.date, spec.group
    text_cols = ["location", "lsoa_code", "caller_ref", "outcome"]
    names = [ref, date, "district", group, "latitude", "longitude", "outcome_date", *spec.flags, *text_cols]
    selects = ", ".join(f"{_txt(cols.get(n))} AS r_{n}" for n in dict.fromkeys(names))
    flags = ", ".join(f"_flag(r_{f}) AS {f}" for f in spec.flags)
    thing = spec.thing
    checks: list[tuple[str | None, str, str, str]] = [
        _EXTRA,
        (ref, f"r_{ref} IS NULL", "NULL", f"The reference is blank: every {thing} needs its reference."),
        (date, f"r_{date} IS NULL", "NULL", f"The date is blank: every {thing} needs {spec.date_what}."),
        (date, f"r_{date} IS NOT NULL AND {date} IS NULL", f"r_{date}", f"Not a date that can be read. {_DATE_HELP}"),
        ("district", "r_district IS NULL", "NULL", f"The district is blank: every {thing} needs its district."),
        (group, f"r_{group} IS NULL", "NULL",
         f"The {'call type' if fmt == 'asb' else 'offence group'} is blank: every {thing} needs one."),
        ("latitude", "r_latitude IS NOT NULL AND (latitude IS NULL OR NOT latitude BETWEEN -90 AND 90)",
         "r_latitude", "Latitude must be a number between -90 and 90 (or blank)."),
        ("longitude", "r_longitude IS NOT NULL AND (longitude IS NULL OR NOT longitude BETWEEN -180 AND 180)",
         "r_longitude", "Longitude must be a number between -180 and 180 (or blank)."),
        *[(f, f"r_{f} IS NOT NULL AND {f} IS NULL", f"r_{f}", f"{f.replace('_', ' ').capitalize()} {_FLAG_HELP}")
          for f in spec.flags],
    ]  # fmt: skip
    if fmt == "crime" and "outcome_date" in cols:
        checks.append(("outcome_date", "r_outcome_date IS NOT NULL AND outcome_date IS NULL", "r_outcome_date",
                       f"Not a date that can be read. {_DATE_HELP}"))  # fmt: skip
    latest, earliest = _bounds(con)
    for column in (str(date), "outcome_date"):
        checks += [
            (column, f"CAST({column} AS DATE) > {_LATEST}", f"r_{column}", _future(latest)),
            (column, f"year({column}) < {_EARLIEST}", f"r_{column}", _too_early(earliest)),
        ]
    checks = [c for c in checks if c[0] is None or c[0] in cols]
    bad = " OR ".join(f"coalesce({cond}, false)" for _, cond, _, _ in checks)
    # Each date is parsed once, then held to the years 1900-2100.
    _materialise(con, f"""
        SELECT *, NOT _blank AND ({bad}) AS _bad
        FROM (
            SELECT * EXCLUDE (_ts_date, _ts_outcome),
                   CASE WHEN year(_ts_date) BETWEEN 1900 AND 2100 THEN _ts_date END AS {date},
                   CASE WHEN year(_ts_outcome) BETWEEN 1900 AND 2100 THEN _ts_outcome END AS outcome_date
            FROM (
                SELECT *, _uk_ts(r_{date}) AS _ts_date, _uk_ts(r_outcome_date) AS _ts_outcome,
                       TRY_CAST(r_latitude AS DOUBLE) AS latitude, TRY_CAST(r_longitude AS DOUBLE) AS longitude,
                       {flags}
                FROM (
                    SELECT {_row_column(first_row)}_extra, {selects},
                           {_blank_expr(all_cols, [cols.get(date), cols.get(ref)])} AS _blank
                    FROM {raw}
                )
            )
        )
    """, first_row)
    problems = _collect(con, checks)
    dups = _duplicates(con, f"r_{ref}", "NOT _blank")
    for value, n, rows in dups:
        where = ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}" if n <= 10 else f"{rows[0]}, {rows[1]}, …"
        reason = (f"The reference appears {n} times in the file, rows {where}: each {thing} must appear once. "
                  "Remove the duplicate rows (or fix the references) and load again.")  # fmt: skip
        problems += [RawProblem(r, ref, value[:200], reason) for r in rows]
    if dups:
        _mark_bad(con, f"list_contains(?, r_{ref})", [[v for v, _, _ in dups]])
    problems.sort(key=lambda p: (p.row or 0))
    ok = "NOT _blank AND NOT _bad"

    districts = _counts(con, "r_district", ok)
    _refuse_unknown_districts(districts, name)
    groups = _counts(con, f"r_{group}", ok)
    match_group = definitions.match_call_type if fmt == "asb" else definitions.match_offence_group
    _lookup(con, "_lk_district", [v for v, _ in districts], definitions.match_district)
    _lookup(con, "_lk_group", [v for v, _ in groups], match_group)
    month = f"CAST(date_trunc('month', s.{date}) AS DATE)"
    src = "s.source_row"
    common = "s.r_location AS location, s.r_lsoa_code AS lsoa_code, s.latitude, s.longitude"
    where = "WHERE NOT s._blank AND NOT s._bad"
    if fmt == "asb":
        _view(con, ASB_TABLE, ASB_COLUMNS, f"""
            SELECT {src} AS source_row, s.r_incident_ref AS incident_ref, s.reported_date, {month} AS month,
                   coalesce(d.canonical, s.r_district) AS district, coalesce(g.canonical, s.r_call_type) AS call_type,
                   {common}, s.r_caller_ref AS caller_ref, s.vulnerable, s.repeat_caller
            FROM {_STAGE} s
            LEFT JOIN _lk_district d ON d.value = s.r_district
            LEFT JOIN _lk_group g ON g.value = s.r_call_type
            {where}
        """)
    else:
        outcomes = _counts(con, "r_outcome", ok)
        _lookup(con, "_lk_outcome", [v for v, _ in outcomes], definitions.match_outcome)
        _view(con, CRIME_TABLE, CRIME_COLUMNS, f"""
            SELECT {src} AS source_row, s.r_crime_ref AS crime_ref, s.recorded_date, {month} AS month,
                   coalesce(d.canonical, s.r_district) AS district,
                   coalesce(g.canonical, s.r_offence_group) AS offence_group, s.victim_based, s.r_outcome AS outcome,
                   o.canonical AS outcome_code, s.outcome_date, {common}
            FROM {_STAGE} s
            LEFT JOIN _lk_district d ON d.value = s.r_district
            LEFT JOIN _lk_group g ON g.value = s.r_offence_group
            LEFT JOIN _lk_outcome o ON o.value = s.r_outcome
            {where}
        """)
    warnings = _unknown(districts, definitions.match_district, "district names",
                        "They are kept as given; add them as synonyms in data/reference/districts.csv "
                        "if they are force districts.",
                        "It is kept as given; add it as a synonym in data/reference/districts.csv "
                        "if it is a force district.")  # fmt: skip
    if fmt == "asb":
        warnings += _unknown(groups, match_group, "call types",
                             "They are kept as given and count as Unclassified.",
                             "It is kept as given and counts as Unclassified.")  # fmt: skip
    else:
        warnings += _unknown(groups, match_group, "offence groups",
                             "They are kept as given and are not counted as victim-based crime "
                             "unless the file's victim_based column says so.",
                             "It is kept as given and is not counted as victim-based crime "
                             "unless the file's victim_based column says so.")  # fmt: skip
        warnings += _unknown(outcomes, definitions.match_outcome, "outcomes",
                             "They are kept as given, with no outcome code, and count as neither solved nor "
                             "pending.",
                             "It is kept as given, with no outcome code, and counts as neither solved nor "
                             "pending.")
    months = {fmt: _month_names(con, _STAGE, date, ok)}
    return _finish(con, problems, warnings, months, has_asb=fmt == "asb", has_crime=fmt == "crime")
