"""What loading a checked file would change, worked out before anything is written.

The file is read into a scratch database (``read_file`` on ``store.connect(":memory:")``); its valid rows are
counted per kind and month there, and set against the live rows of the same source in the real database (the
``asb`` and ``crime`` views). A month either is new for the source or would be replaced: the loader replaces whole
months of one source, so the month's count afterwards is exactly the file's count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from analytics.formatting import fmt_change
from analytics.ingest.load import _already_loaded, default_source, file_digest
from analytics.ingest.readers import Staged

LABELS = {"asb": "ASB", "crime": "Crime"}
NOUNS = {"asb": ("ASB incident", "ASB incidents"), "crime": ("crime", "crimes")}
VIEWS = {"asb": "asb", "crime": "crime"}  # kind -> view of live rows (fixed identifiers)


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

    def rows(self) -> list[dict]:
        """One dict per kind and month, for a table on screen or a CSV."""
        return [{"kind": LABELS[c.kind], "month": c.month, "now": c.current, "after load": c.incoming,
                 "change": c.change, "what happens": "new month" if c.status == "new" else "month replaced"}
                for c in self.changes]


def staged_counts(scratch: duckdb.DuckDBPyConnection, staged: Staged) -> dict[tuple[str, str], int]:
    """(kind, 'YYYY-MM') -> valid rows of the staged file in that month."""
    counts: dict[tuple[str, str], int] = {}
    for kind, table in (("asb", staged.asb_table), ("crime", staged.crime_table)):
        if not table:
            continue
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
        f"SELECT strftime(month, '%Y-%m') AS m, count(*) FROM {VIEWS[kind]} "
        "WHERE source = ? AND list_contains(?, strftime(month, '%Y-%m')) GROUP BY m",
        [source, months],
    ).fetchall()
    found = dict(rows)
    return {m: found.get(m, 0) for m in months}


def compare_counts(con: duckdb.DuckDBPyConnection, counts: dict[tuple[str, str], int], *, source: str) -> Comparison:
    """Set a file's per-month counts against what ``source`` has loaded now."""
    changes = []
    for kind in ("asb", "crime"):
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
