"""Validation and transformation of raw rows into the staged tables, in SQL.

Input is a raw relation (a temp table or a read_csv call) with columns ``source_row`` (the row number the analyst
sees), ``_extra`` (non-NULL when the row has more fields than the header) and one VARCHAR column per header column.
Output: TEMP tables of valid rows in the exact column layout of the fact tables, and every problem found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from analytics import definitions

ASB_TABLE = "_staged_asb"
CRIME_TABLE = "_staged_crime"
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

# UK day-first dates. A date impossible day-first (31/02/2024, 01/13/2024) gives NULL: it is never re-read
# month-first. Excel serial numbers count days from 1899-12-30 (the 1900 leap-year bug included).
_MACROS = r"""
CREATE OR REPLACE TEMP MACRO _uk_ts(s) AS (
    CASE
    WHEN s IS NULL THEN NULL
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
    WHEN regexp_matches(s, '^\d{4}-\d{1,2}-\d{1,2}') THEN
        try_strptime(s, ['%Y-%m-%d', '%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f',
                         '%Y-%m-%dT%H:%M', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%SZ'])
    WHEN regexp_matches(s, '^\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{4}') THEN
        try_strptime(regexp_replace(s, '^(\d{1,2})[ -]([A-Za-z]+)[ -]', '\1 \2 '),
                     ['%d %b %Y', '%d %B %Y', '%d %b %Y %H:%M', '%d %B %Y %H:%M', '%d %b %Y %H:%M:%S',
                      '%d %B %Y %H:%M:%S'])
    END
);
CREATE OR REPLACE TEMP MACRO _uk_date(s) AS (
    CASE WHEN year(_uk_ts(s)) BETWEEN 1900 AND 2100 THEN _uk_ts(s) END
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


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _txt(col: str | None, trim: bool = True) -> str:
    """A raw column as trimmed text, NULL when blank. police.uk files are machine-written, so they skip the trim
    (it costs about a tenth of a load's time)."""
    if col is None:
        return "NULL::VARCHAR"
    return f"nullif(trim({col}), '')" if trim else f"nullif({col}, '')"


def _lookup(con: duckdb.DuckDBPyConnection, name: str, values: list[str], match: Callable[[str], str | None]) -> None:
    """A small temp table value -> canonical, worked out in Python over the distinct values only."""
    rows = [(v, match(v)) for v in values]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (value VARCHAR, canonical VARCHAR)")
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES (?, ?)", rows)


def _distinct(con: duckdb.DuckDBPyConnection, expr: str, where: str = "true") -> list[str]:
    q = f"SELECT DISTINCT {expr} FROM {_STAGE} WHERE {expr} IS NOT NULL AND {where}"
    return [r[0] for r in con.execute(q).fetchall()]


def _unknown_warning(
    con: duckdb.DuckDBPyConnection, expr: str, lookup: str, where: str, what: str, then: str
) -> list[str]:
    rows = con.execute(
        f"SELECT s.v, count(*) AS n FROM (SELECT {expr} AS v FROM {_STAGE} WHERE {where}) s "
        f"JOIN {lookup} l ON l.value = s.v WHERE l.canonical IS NULL GROUP BY s.v ORDER BY n DESC, s.v"
    ).fetchall()
    if not rows:
        return []
    listed = ", ".join(f'"{v}" ({n} rows)' for v, n in rows[:20])
    more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
    return [f"{len(rows)} unknown {what}: {listed}{more}. {then}"]


def _months(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    q = f"SELECT DISTINCT strftime(month, '%Y-%m') AS m FROM {table} ORDER BY m"
    return [r[0] for r in con.execute(q).fetchall()]


def _collect(con: duckdb.DuckDBPyConnection, checks: list[tuple[str | None, str, str, str]]) -> list[RawProblem]:
    """Every problem of every row: checks are (column key, failing condition, offending value, reason)."""
    if not checks:
        return []
    parts = [
        f"SELECT source_row, {i} AS check_id, CAST({value} AS VARCHAR) AS value FROM {_STAGE} WHERE {cond}"
        for i, (_, cond, value, _) in enumerate(checks)
    ]
    q = " UNION ALL ".join(parts) + " ORDER BY source_row, check_id"
    out = []
    for row, check_id, value in con.execute(q).fetchall():
        key, _, _, reason = checks[check_id]
        out.append(RawProblem(row, key, None if value is None else value[:200], reason))
    return out


_EXTRA = (
    None, "_extra IS NOT NULL", "_extra",
    "This row has more fields than the header has columns (a stray delimiter or an unquoted comma?). "
    "Fix the row so its values line up with the header.",
)  # fmt: skip
_NOT_BLANK = "_blank = false"


def _blank_expr(cols: list[str]) -> str:
    """True when every field of the row is blank: such rows (e.g. trailing blank rows) are not data."""
    if not cols:
        return "true"
    return f"(trim(concat({', '.join(cols)})) = '' AND _extra IS NULL)"


def stage_police_uk(
    con: duckdb.DuckDBPyConnection, raw: str, cols: dict[str, str | None], all_cols: list[str]
) -> StageResult:
    """Stage a police.uk street-level file. ``cols`` maps police.uk column names to raw columns."""
    con.execute(_MACROS)

    def c(name: str) -> str:
        return _txt(cols.get(name), trim=False)

    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_STAGE} AS
        SELECT *,
               CASE WHEN regexp_full_match(month_raw, '\\d{{4}}-\\d{{2}}')
                    THEN CAST(try_strptime(month_raw, '%Y-%m') AS DATE) END AS month,
               TRY_CAST(lon_raw AS DOUBLE) AS longitude, TRY_CAST(lat_raw AS DOUBLE) AS latitude,
               crime_type = 'Anti-social behaviour' AS is_asb,
               regexp_replace(lsoa_name, '\\s*\\d{{3}}[A-Za-z]$', '') AS lsoa_district
        FROM (
            SELECT CAST(source_row AS INTEGER) AS source_row, _extra,
                   {c("Crime ID")} AS crime_id, {c("Month")} AS month_raw,
                   {c("Longitude")} AS lon_raw, {c("Latitude")} AS lat_raw,
                   {c("Location")} AS location, {c("LSOA code")} AS lsoa_code,
                   {c("LSOA name")} AS lsoa_name, {c("Crime type")} AS crime_type,
                   {c("Last outcome category")} AS outcome,
                   {_blank_expr(all_cols)} AS _blank
            FROM {raw}
        ) WHERE NOT _blank
    """)
    checks: list[tuple[str | None, str, str, str]] = [
        _EXTRA,
        ("Month", "month IS NULL", "month_raw",
         "Month must be a month written YYYY-MM (e.g. 2025-01). Re-download the file from police.uk."),
        ("Crime type", "crime_type IS NULL", "crime_type",
         "Crime type is blank: every row needs one (Anti-social behaviour or a crime category)."),
        ("Crime ID", "crime_id IS NULL AND crime_type IS NOT NULL AND NOT is_asb", "crime_id",
         "Crime ID is blank on a crime row: only Anti-social behaviour rows may have no Crime ID."),
        ("Longitude", "lon_raw IS NOT NULL AND (longitude IS NULL OR NOT longitude BETWEEN -180 AND 180)", "lon_raw",
         "Longitude must be a number between -180 and 180 (or blank)."),
        ("Latitude", "lat_raw IS NOT NULL AND (latitude IS NULL OR NOT latitude BETWEEN -90 AND 90)", "lat_raw",
         "Latitude must be a number between -90 and 90 (or blank)."),
    ]  # fmt: skip
    bad = " OR ".join(f"({cond})" for _, cond, _, _ in checks)
    problems = _collect(con, checks)

    def district_of(name: str) -> str:
        return definitions.match_district(name) or definitions.OUTSIDE_FORCE_AREA

    _lookup(con, "_lk_district", _distinct(con, "lsoa_district"), district_of)
    _lookup(con, "_lk_offence", _distinct(con, "crime_type", "NOT is_asb"), definitions.match_offence_group)
    _lookup(con, "_lk_outcome", _distinct(con, "outcome", "NOT is_asb"), definitions.match_outcome)
    district = f"coalesce(d.canonical, {_lit(definitions.UNKNOWN_DISTRICT)})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {ASB_TABLE} ({ASB_COLUMNS});
        INSERT INTO {ASB_TABLE}
        SELECT s.source_row, NULL, NULL, s.month, {district}, NULL, s.location, s.lsoa_code, s.latitude,
               s.longitude, NULL, NULL, NULL
        FROM {_STAGE} s LEFT JOIN _lk_district d ON d.value = s.lsoa_district
        WHERE s.is_asb AND NOT ({bad});
        CREATE OR REPLACE TEMP TABLE {CRIME_TABLE} ({CRIME_COLUMNS});
        INSERT INTO {CRIME_TABLE}
        SELECT s.source_row, s.crime_id, NULL, s.month, {district}, coalesce(g.canonical, s.crime_type), NULL,
               s.outcome, o.canonical, NULL, s.location, s.lsoa_code, s.latitude, s.longitude
        FROM {_STAGE} s
        LEFT JOIN _lk_district d ON d.value = s.lsoa_district
        LEFT JOIN _lk_offence g ON g.value = s.crime_type
        LEFT JOIN _lk_outcome o ON o.value = s.outcome
        WHERE NOT s.is_asb AND NOT ({bad});
    """)
    warnings: list[str] = []
    ok = f"NOT is_asb AND NOT ({bad})"
    warnings += _unknown_warning(con, "crime_type", "_lk_offence", ok, "crime types",
                                 "They were loaded as given and are not counted as victim-based crime.")
    warnings += _unknown_warning(con, "outcome", "_lk_outcome", ok, "outcomes",
                                 "They were loaded as given and do not count as solved.")
    dups = con.execute(
        f"SELECT crime_ref, count(*) AS n FROM {CRIME_TABLE} WHERE crime_ref IS NOT NULL "
        "GROUP BY crime_ref HAVING n > 1 ORDER BY crime_ref"
    ).fetchall()
    if dups:
        warnings.append(
            f"{len(dups)} Crime IDs appear more than once ({sum(n for _, n in dups)} rows). police.uk publishes "
            "these as separate crimes at different locations, so every row was loaded. First: "
            + ", ".join(f"{ref[:16]}… ({n} rows)" for ref, n in dups[:3])
        )
    return _finish(con, problems, warnings, has_asb=True, has_crime=True)


def _finish(
    con: duckdb.DuckDBPyConnection, problems: list[RawProblem], warnings: list[str], *, has_asb: bool, has_crime: bool
) -> StageResult:
    rows_read = con.execute(f"SELECT count(*) FROM {_STAGE}").fetchone()[0]
    rejected = len({p.row for p in problems})
    months = {}
    if has_asb:
        months["asb"] = _months(con, ASB_TABLE)
    if has_crime:
        months["crime"] = _months(con, CRIME_TABLE)
    return StageResult(
        ASB_TABLE if has_asb else None, CRIME_TABLE if has_crime else None, rows_read, rejected, problems, warnings,
        months,
    )


_DATE_HELP = (
    "Dates are read day-first (UK), e.g. 03/01/2023 or 03/01/2023 14:35 for 3 January 2023, 2023-01-03, "
    "3 Jan 2023 or an Excel date; a date that does not exist day-first (31/02/2024, 01/13/2024) is refused, never "
    "re-read month-first."
)
_FLAG_HELP = "must be Y/N, Yes/No, True/False or 1/0 (or blank)."

# Per format: the reference column, the date column and its meaning, the lookups, the flag columns.
_FORCE = {
    "asb": {
        "ref": "incident_ref", "date": "reported_date", "thing": "incident", "date_what": "the date it was reported",
        "group": "call_type", "flags": ("vulnerable", "repeat_caller"), "table": ASB_TABLE,
    },
    "crime": {
        "ref": "crime_ref", "date": "recorded_date", "thing": "crime", "date_what": "the date it was recorded",
        "group": "offence_group", "flags": ("victim_based",), "table": CRIME_TABLE,
    },
}  # fmt: skip


def stage_force(
    con: duckdb.DuckDBPyConnection, raw: str, fmt: str, cols: dict[str, str], all_cols: list[str]
) -> StageResult:
    """Stage a force ASB or crime extract. ``cols`` maps canonical columns to raw columns (optional ones may be
    absent)."""
    con.execute(_MACROS)
    spec = _FORCE[fmt]
    ref, date, group = spec["ref"], spec["date"], spec["group"]
    text_cols = ["location", "lsoa_code", "caller_ref", "outcome"]
    names = [ref, date, "district", group, "latitude", "longitude", "outcome_date", *spec["flags"], *text_cols]
    selects = ", ".join(f"{_txt(cols.get(n))} AS r_{n}" for n in dict.fromkeys(names))
    flags = ", ".join(f"_flag(r_{f}) AS {f}" for f in spec["flags"])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_STAGE} AS
        SELECT *,
               _uk_date(r_{date}) AS {date},
               _uk_date(r_outcome_date) AS outcome_date,
               TRY_CAST(r_latitude AS DOUBLE) AS latitude, TRY_CAST(r_longitude AS DOUBLE) AS longitude,
               {flags},
               count(*) OVER (PARTITION BY r_{ref}) AS _n
        FROM (
            SELECT CAST(source_row AS INTEGER) AS source_row, _extra, {selects}, {_blank_expr(all_cols)} AS _blank
            FROM {raw}
        ) WHERE NOT _blank
    """)
    thing = spec["thing"]
    checks: list[tuple[str | None, str, str, str]] = [
        _EXTRA,
        (ref, f"r_{ref} IS NULL", "NULL", f"The reference is blank: every {thing} needs its reference."),
        (date, f"r_{date} IS NULL", "NULL", f"The date is blank: every {thing} needs {spec['date_what']}."),
        (date, f"r_{date} IS NOT NULL AND {date} IS NULL", f"r_{date}", f"Not a date that can be read. {_DATE_HELP}"),
        ("district", "r_district IS NULL", "NULL", f"The district is blank: every {thing} needs its district."),
        (group, f"r_{group} IS NULL", "NULL",
         f"The {'call type' if fmt == 'asb' else 'offence group'} is blank: every {thing} needs one."),
        ("latitude", "r_latitude IS NOT NULL AND (latitude IS NULL OR NOT latitude BETWEEN -90 AND 90)",
         "r_latitude", "Latitude must be a number between -90 and 90 (or blank)."),
        ("longitude", "r_longitude IS NOT NULL AND (longitude IS NULL OR NOT longitude BETWEEN -180 AND 180)",
         "r_longitude", "Longitude must be a number between -180 and 180 (or blank)."),
        *[(f, f"r_{f} IS NOT NULL AND {f} IS NULL", f"r_{f}", f"{f.replace('_', ' ').capitalize()} {_FLAG_HELP}")
          for f in spec["flags"]],
    ]  # fmt: skip
    if fmt == "crime" and "outcome_date" in cols:
        checks.append(("outcome_date", "r_outcome_date IS NOT NULL AND outcome_date IS NULL", "r_outcome_date",
                       f"Not a date that can be read. {_DATE_HELP}"))  # fmt: skip
    checks = [c for c in checks if c[0] is None or c[0] in cols]
    problems = _collect(con, checks)
    dup_rows = con.execute(
        f"SELECT r_{ref}, count(*) AS n, list(source_row ORDER BY source_row) FROM {_STAGE} "
        f"WHERE r_{ref} IS NOT NULL AND _n > 1 GROUP BY r_{ref}"
    ).fetchall()
    for value, n, rows in dup_rows:
        where = ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}" if n <= 10 else f"{rows[0]}, {rows[1]}, …"
        reason = (f"The reference appears {n} times in the file, rows {where}: each {thing} must appear once. "
                  "Remove the duplicate rows (or fix the references) and load again.")  # fmt: skip
        problems += [RawProblem(r, ref, value[:200], reason) for r in rows]
    problems.sort(key=lambda p: (p.row or 0))
    bad = " OR ".join([f"({cond})" for _, cond, _, _ in checks] + [f"(r_{ref} IS NOT NULL AND _n > 1)"])
    ok = f"NOT ({bad})"

    _lookup(con, "_lk_district", _distinct(con, "r_district"), definitions.match_district)
    match_group = definitions.match_call_type if fmt == "asb" else definitions.match_offence_group
    _lookup(con, "_lk_group", _distinct(con, f"r_{group}"), match_group)
    month = f"CAST(date_trunc('month', s.{date}) AS DATE)"
    common = "s.r_location, s.r_lsoa_code, s.latitude, s.longitude"
    if fmt == "asb":
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {ASB_TABLE} ({ASB_COLUMNS});
            INSERT INTO {ASB_TABLE}
            SELECT s.source_row, s.r_incident_ref, s.reported_date, {month}, coalesce(d.canonical, s.r_district),
                   coalesce(g.canonical, s.r_call_type), {common}, s.r_caller_ref, s.vulnerable, s.repeat_caller
            FROM {_STAGE} s
            LEFT JOIN _lk_district d ON d.value = s.r_district
            LEFT JOIN _lk_group g ON g.value = s.r_call_type
            WHERE {ok}
        """)
    else:
        _lookup(con, "_lk_outcome", _distinct(con, "r_outcome"), definitions.match_outcome)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {CRIME_TABLE} ({CRIME_COLUMNS});
            INSERT INTO {CRIME_TABLE}
            SELECT s.source_row, s.r_crime_ref, s.recorded_date, {month}, coalesce(d.canonical, s.r_district),
                   coalesce(g.canonical, s.r_offence_group), s.victim_based, s.r_outcome, o.canonical,
                   s.outcome_date, {common}
            FROM {_STAGE} s
            LEFT JOIN _lk_district d ON d.value = s.r_district
            LEFT JOIN _lk_group g ON g.value = s.r_offence_group
            LEFT JOIN _lk_outcome o ON o.value = s.r_outcome
            WHERE {ok}
        """)
    warnings = _unknown_warning(con, "r_district", "_lk_district", ok, "district names",
                                "They were loaded as given; add them as synonyms in data/reference/districts.csv "
                                "if they are force districts.")  # fmt: skip
    if fmt == "asb":
        warnings += _unknown_warning(con, "r_call_type", "_lk_group", ok, "call types",
                                     "They were loaded as given and count as Unclassified.")  # fmt: skip
    else:
        warnings += _unknown_warning(con, "r_offence_group", "_lk_group", ok, "offence groups",
                                     "They were loaded as given and are not counted as victim-based crime "
                                     "unless the file's victim_based column says so.")  # fmt: skip
        warnings += _unknown_warning(con, "r_outcome", "_lk_outcome", ok, "outcomes",
                                     "They were loaded as given, with no outcome code, and do not count as solved.")
    return _finish(con, problems, warnings, has_asb=fmt == "asb", has_crime=fmt == "crime")
