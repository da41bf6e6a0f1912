"""What loading a checked file would change, worked out before anything is written.

The file is read into a scratch database (``read_file`` on ``store.connect(":memory:")``); its valid rows are
counted per kind and month there, and set against the live rows of the same source in the real database (the
``asb`` and ``crime`` views). A month either is new for the source or would be replaced: the loader replaces whole
months of one source, so the month's count afterwards is exactly the file's count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics import store
from analytics.domain.definitions import FORCE_SOURCE
from analytics.errors import ColumnsMissing, InputRefused, UnknownFormat
from analytics.ingest import detect, rawcsv, validate, xlsx
from analytics.ingest.load import (
    REF_COLUMN,
    _already_loaded,
    duplicate_refs,
    file_digest,
    force_conflict,
    format_conflict,
    remembered_mapping,
    unmatched_outcomes,
)
from analytics.ingest.names import check_source_name, default_source
from analytics.ingest.readers import Problem, Staged, read_file
from analytics.measures import storing as measures_storing
from analytics.measures.reading import MEASURES
from analytics.measures.reading import STAGED_TABLE as MEASURES_STAGED
from analytics.report.formatting import fmt_change

LABELS = {"asb": "ASB", "crime": "Crime", "outcomes": "Outcomes", MEASURES: "Measures"}
NOUNS = {"asb": ("ASB incident", "ASB incidents"), "crime": ("crime", "crimes"), "outcomes": ("outcome", "outcomes"),
         MEASURES: ("measure value", "measure values")}
# kind -> the live rows of its fact table (fixed identifiers)
VIEWS = {"asb": "asb", "crime": "crime", "outcomes": "(SELECT * FROM outcome_events WHERE replaced_by IS NULL)"}


def _month_name(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def _count(n: int, kind: str) -> str:
    one, many = NOUNS[kind]
    return f"{n:,} {one if n == 1 else many}"


@dataclass(frozen=True)
class MonthChange:
    """One kind and month of the file: how many live rows the source has now and would have after the load."""

    kind: str  # 'asb' | 'crime'
    month: str  # 'YYYY-MM'
    current: int
    incoming: int

    @property
    def status(self) -> str:
        """'new' (the source has no rows in the month) or 'replace' (the month's rows would be replaced)."""
        return "new" if self.current == 0 else "replace"

    @property
    def change(self) -> int:
        return self.incoming - self.current

    @property
    def sentence(self) -> str:
        """'January 2025 would change from 1,560 to 1,571 ASB incidents.'"""
        name = _month_name(self.month)
        if self.status == "new":
            return f"{name} is new: {_count(self.incoming, self.kind)} would be added."
        if self.change == 0:
            return f"{name} would be replaced with the same number of {NOUNS[self.kind][1]} ({self.incoming:,})."
        return (f"{name} would change from {self.current:,} to {_count(self.incoming, self.kind)} "
                f"({fmt_change(self.change)}).")


@dataclass(frozen=True)
class MeasuresMonthChange(MonthChange):
    """A measures file's values counting in one month: ``current`` of them would replace values already loaded
    (the same measure, period and area), the rest are added."""

    @property
    def sentence(self) -> str:
        name = _month_name(self.month)
        if self.current == 0:
            return f"{name}: {_count(self.incoming, self.kind)} would be added."
        return (f"{name}: {_count(self.incoming, self.kind)}, {self.current:,} of them replacing values already "
                "loaded.")


@dataclass
class Comparison:
    source: str
    changes: list[MonthChange] = field(default_factory=list)
    already_loaded_batch: int | None = None  # the same file (sha256) is already loaded in this batch

    @property
    def new_months(self) -> list[MonthChange]:
        return [c for c in self.changes if c.status == "new"]

    @property
    def replaced_months(self) -> list[MonthChange]:
        return [c for c in self.changes if c.status == "replace"]

    @property
    def needs_replace(self) -> bool:
        return bool(self.replaced_months) and self.already_loaded_batch is None

    def sentences(self) -> list[str]:
        if self.already_loaded_batch is not None:
            return [f"This file is already loaded (batch {self.already_loaded_batch}); loading it again adds nothing."]
        return [f"{LABELS[c.kind]}: {c.sentence}" for c in self.changes]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per kind and month, for a table on screen or a CSV."""
        return [{"kind": LABELS[c.kind], "month": c.month, "now": c.current, "after load": c.incoming,
                 "change": c.change, "what happens": "new month" if c.status == "new" else "month replaced"}
                for c in self.changes]


def staged_counts(scratch: duckdb.DuckDBPyConnection, staged: Staged) -> dict[tuple[str, str], int]:
    """(kind, 'YYYY-MM') -> valid rows of the staged file in that month."""
    counts: dict[tuple[str, str], int] = {}
    for kind, table in staged.tables.items():
        # table names come from the reader (fixed TEMP table names), never from user text
        rows = scratch.execute(
            f"SELECT strftime(month, '%Y-%m') AS m, count(*) FROM {table} GROUP BY m ORDER BY m"
        ).fetchall()
        counts.update({(kind, m): n for m, n in rows})
    return counts


def live_counts(con: duckdb.DuckDBPyConnection, source: str, kind: str, months: list[str]) -> dict[str, int]:
    """'YYYY-MM' -> live rows of ``source`` in each month (0 when none)."""
    if not months:
        return {}
    rows = con.execute(
        f"SELECT strftime(month, '%Y-%m') AS m, count(*) FROM {VIEWS[kind]} AS live "
        "WHERE source = ? AND list_contains(?, strftime(month, '%Y-%m')) GROUP BY m",
        [source, months],
    ).fetchall()
    found = dict(rows)
    return {m: found.get(m, 0) for m in months}


def compare_counts(con: duckdb.DuckDBPyConnection, counts: dict[tuple[str, str], int], *, source: str) -> Comparison:
    """Set a file's per-month counts against what ``source`` has loaded now."""
    changes = []
    for kind in ("asb", "crime", "outcomes"):
        months = sorted(m for k, m in counts if k == kind)
        now = live_counts(con, source, kind, months)
        changes += [MonthChange(kind, m, now[m], counts[(kind, m)]) for m in months]
    return Comparison(source, changes)


def compare_staged(
    con: duckdb.DuckDBPyConnection,
    scratch: duckdb.DuckDBPyConnection,
    staged: Staged,
    *,
    source: str | None = None,
    path: str | None = None,
) -> Comparison:
    """What loading ``staged`` (read into ``scratch``) as ``source`` would change in ``con``.

    With ``path`` the file's sha256 is checked too: a file already loaded adds nothing, as the loader says.
    """
    source = source or default_source(staged.format)
    comparison = compare_counts(con, staged_counts(scratch, staged), source=source)
    if path is not None:
        sha256, _ = file_digest(path)  # type: ignore[arg-type]
        previous = _already_loaded(con, sha256, source)
        if previous:
            comparison.already_loaded_batch = previous[0]
    return comparison


# ------------------------------------------------------------------------------------------------ checking a file

FORCE_FORMATS = ("asb", "crime")
# Refusals that a column mapping can put right, so the upload page offers the mapping with them
MAPPING_REFUSALS = (ColumnsMissing, UnknownFormat)


@dataclass
class Check:
    """Everything the upload page shows about one file before it is loaded; nothing here touches ``con``."""

    name: str
    path: str
    source_format: str  # as asked: 'auto' or a format
    format: str | None = None  # as read (or as asked, when a force file is refused for its columns)
    source: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # file column -> canonical, as used
    suggestions: dict[str, str] = field(default_factory=dict)
    remembered: dict[str, str] = field(default_factory=dict)  # the source's remembered mapping, when applied
    refusal: InputRefused | None = None
    rows_read: int = 0
    rows_rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: dict[str, pd.DataFrame] = field(default_factory=dict)  # kind -> first rows as they will be stored
    comparison: Comparison | None = None

    @property
    def can_map(self) -> bool:
        return self.format in FORCE_FORMATS and bool(self.header)

    @property
    def loadable_rows(self) -> int:
        return self.rows_read - self.rows_rejected


def _is_workbook(path: Path) -> bool:
    with open(path, "rb") as f:
        return xlsx.is_workbook(f.read(8), path.name.lower())


def _peek_header(scratch: duckdb.DuckDBPyConnection, path: Path, sheet: str | None,
                 fmt: str | None) -> tuple[list[str], str | None, list[str]]:
    """The header row the reader finds and the sheets, for a file the reader refused (to map it or pick a sheet)."""
    formats = (fmt,) if fmt else detect.FORMATS
    if _is_workbook(path):
        table = xlsx.read_workbook(path, sheet=sheet, formats=formats, progress=lambda f, m: None)
        return table.header, table.sheet, table.sheets
    return rawcsv.open_csv(scratch, path, formats=formats, display_name=path.name).header, None, []


def check_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    name: str | None = None,
    source_format: str = "auto",
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    source_name: str | None = None,
    police_uk_source: str | None = None,
    preview_rows: int = 10,
) -> Check:
    """Read and check a file in a scratch database, as ``load_files`` would, and compare it with ``con``.

    ``source_name`` is the source of a force extract, ``police_uk_source`` that of a police.uk file (default
    police.uk), both held to check_source_name. A force extract with no explicit ``mapping`` uses the source's
    remembered mapping, so next month's file maps itself. File-level refusals (including over-size files, zip
    bombs, a source name refused and a police.uk file of another force than its source's) are returned in
    ``refusal``.
    """
    path = Path(path)
    check = Check(name or path.name, str(path), source_format)
    scratch = store.connect(":memory:")
    try:
        staged: Staged | None = None
        try:
            staged = read_file(scratch, path, source_format=source_format, sheet=sheet, mapping=mapping)
        except InputRefused as e:
            check.refusal = e
        if staged is None and source_format == "auto" and isinstance(check.refusal, UnknownFormat):
            # a force file whose names the synonyms miss: a mapping remembered for the source may fit it
            for force_fmt in FORCE_FORMATS:
                remembered = remembered_mapping(con, source_name or FORCE_SOURCE, force_fmt)
                if not remembered:
                    continue
                try:
                    staged = read_file(scratch, path, source_format=force_fmt, sheet=sheet, mapping=remembered)
                except InputRefused:
                    continue
                check.refusal, check.remembered = None, remembered
                break
        if staged is not None and staged.format == MEASURES:
            return _check_measures(con, scratch, staged, check, path, preview_rows)
        fmt = staged.format if staged else (source_format if source_format in FORCE_FORMATS else None)
        try:
            source = check_source_name(police_uk_source if fmt in detect.POLICE_UK_FORMATS else source_name, fmt)
        except InputRefused as e:
            check.refusal, check.format = e, fmt
            return check
        if fmt in FORCE_FORMATS and mapping is None and not check.remembered and (
                staged or isinstance(check.refusal, MAPPING_REFUSALS)):
            remembered = remembered_mapping(con, source, fmt)
            differs = staged is None or any(
                staged.mapping.get(col) != canon for col, canon in remembered.items() if col in staged.header)
            if remembered and differs:
                try:
                    staged = read_file(scratch, path, source_format=fmt, sheet=sheet, mapping=remembered)
                    check.refusal, check.remembered = None, remembered
                except InputRefused as e:
                    if staged is None:
                        check.refusal = e
            elif remembered:
                check.remembered = remembered
        check.format, check.source = fmt, source
        if staged is None:
            mappable = fmt in FORCE_FORMATS and isinstance(check.refusal, MAPPING_REFUSALS)
            if mappable or (_is_workbook(path) and isinstance(check.refusal, MAPPING_REFUSALS)):
                try:
                    check.header, check.sheet, check.sheets = _peek_header(scratch, path, sheet, fmt)
                except InputRefused:
                    return check
            if mappable and fmt is not None:
                check.suggestions = detect.suggest_mapping(check.header, fmt)
                check.mapping = {c: k for c, k in {**check.suggestions, **(mapping or {})}.items()
                                 if k and c in check.header}
            return check
        check.sheet, check.sheets, check.header = staged.sheet, staged.sheets, staged.header
        check.mapping, check.suggestions = staged.mapping, staged.suggestions
        refusal = format_conflict(con, source, staged.format, check.name)
        if staged.format in detect.POLICE_UK_FORMATS:
            refusal = refusal or force_conflict(con, source, staged.force, check.name)
        if refusal:
            check.refusal = refusal
            return check
        check.rows_read, check.rows_rejected = staged.rows_read, staged.rows_rejected
        check.problems, check.warnings = staged.problems, staged.warnings
        if staged.outcome_table:
            check.warnings = [*staged.warnings, *_unmatched_outcomes(con, scratch, staged.outcome_table, source)]
        check.comparison = compare_staged(con, scratch, staged, source=source, path=str(path))
        if check.comparison.already_loaded_batch is None:
            doubled = _loaded_references(con, scratch, staged, source, check.comparison)
            if doubled:
                # as the loader does: those rows are problems, and the months are counted without them
                validate.exclude_rows(scratch, [p.row for p in doubled if p.row is not None])
                check.problems = sorted([*staged.problems, *doubled], key=lambda p: p.row or 0)
                check.rows_rejected = len({p.row for p in check.problems})
                check.comparison = compare_staged(con, scratch, staged, source=source, path=str(path))
        for kind, table in staged.tables.items():
            if table:
                check.preview[kind] = scratch.execute(
                    f"SELECT * FROM {table} ORDER BY source_row LIMIT ?", [preview_rows]).df()
        return check
    finally:
        scratch.close()


def _check_measures(con: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection, staged: Staged,
                    check: Check, path: Path, preview_rows: int) -> Check:
    """A measures file's check: its values per month, and how many would replace values already loaded in
    ``con`` (its staged rows registered there for the one query, then unregistered)."""
    check.format, check.source = MEASURES, MEASURES
    check.sheet, check.sheets, check.header = staged.sheet, staged.sheets, staged.header
    check.mapping, check.suggestions = staged.mapping, staged.suggestions
    check.rows_read, check.rows_rejected = staged.rows_read, staged.rows_rejected
    check.problems, check.warnings = staged.problems, staged.warnings
    incoming = measures_storing.staged_months(scratch)
    rows = scratch.sql("SELECT * FROM " + MEASURES_STAGED).to_arrow_table()
    month_of = dict(scratch.execute(f"SELECT source_row, strftime(month, '%Y-%m') FROM {MEASURES_STAGED}").fetchall())
    con.register(measures_storing.CHECK_TABLE, rows)
    try:
        found = measures_storing.conflicts(con, measures_storing.CHECK_TABLE)
    finally:
        con.unregister(measures_storing.CHECK_TABLE)
    replacing: dict[str, int] = {}
    for c in {c.row: c for c in found}.values():
        replacing[month_of[c.row]] = replacing.get(month_of[c.row], 0) + 1
    changes: list[MonthChange] = [MeasuresMonthChange(MEASURES, m, replacing.get(m, 0), n)
                                  for m, n in incoming.items()]
    comparison = Comparison(MEASURES, changes)
    previous = _already_loaded(con, file_digest(path)[0], None)
    if previous:
        comparison.already_loaded_batch = previous[0]
    check.comparison = comparison
    check.preview[MEASURES] = scratch.execute(
        f"SELECT * FROM {MEASURES_STAGED} ORDER BY source_row LIMIT ?", [preview_rows]).df()
    return check


def _loaded_references(
    con: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection, staged: Staged, source: str,
    comparison: Comparison,
) -> list[Problem]:
    """The loader's duplicate-reference problems for a file read into ``scratch``: its references are set against
    the live rows of ``source`` in ``con`` (outside the months the file would replace), through Arrow tables
    registered on ``con`` for the one query and unregistered after (nothing is written)."""
    registered: dict[str, str] = {}
    try:
        for kind, table in (("asb", staged.asb_table), ("crime", staged.crime_table)):
            if table:
                ref = REF_COLUMN[kind]  # fixed identifiers
                refs = scratch.sql(f"SELECT source_row, {ref} FROM {table} WHERE {ref} IS NOT NULL").to_arrow_table()
                registered[kind] = f"_check_refs_{kind}"
                con.register(registered[kind], refs)
        probe = replace(staged, asb_table=registered.get("asb"), crime_table=registered.get("crime"))
        replaced: dict[str, list[str]] = {}
        for change in comparison.replaced_months:
            replaced.setdefault(change.kind, []).append(change.month)
        return duplicate_refs(con, probe, source, replaced, set())
    finally:
        for name in registered.values():
            con.unregister(name)


def _unmatched_outcomes(con: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection, table: str,
                        source: str) -> list[str]:
    """The loader's note on outcomes for Crime IDs the source does not hold, for a file read into ``scratch``."""
    refs = scratch.sql(f"SELECT crime_ref FROM {table}").to_arrow_table()  # a fixed staged view name
    con.register("_check_outcomes", refs)
    try:
        return unmatched_outcomes(con, "_check_outcomes", source)
    finally:
        con.unregister("_check_outcomes")


def clashing_months(checks: Sequence[Check]) -> list[str]:
    """Months of a source and kind held by two checked files of one upload, which the load refuses (the second
    would replace the first): one sentence per clash, for the page to show before Load."""
    held: dict[tuple[str | None, str, str], str] = {}
    clashes = []
    for check in checks:
        if check.comparison is None or check.comparison.already_loaded_batch is not None or check.format == MEASURES:
            continue  # measures files clash on values, not months: the loader refuses a value held twice
        for change in check.comparison.changes:
            first = held.setdefault((check.source, change.kind, change.month), check.name)
            if first != check.name:
                clashes.append(f"{first} and {check.name} both hold {LABELS[change.kind]} "
                               f"{_month_name(change.month)} for source '{check.source}': one load cannot hold a "
                               "month twice. Combine them into one file.")
    return clashes


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The validation report: one row per problem, columns row, column, value, reason (for screen and CSV)."""
    return pd.DataFrame([{"row": p.row, "column": p.column, "value": p.value, "reason": p.reason} for p in problems],
                        columns=["row", "column", "value", "reason"])
