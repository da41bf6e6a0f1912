"""What a performance pack holds, whatever it is written as: a cover and sections of text, tables and charts.

The Excel and PDF writers draw a Pack and nothing else, so the two files cannot disagree. Table cells hold the
figures as numbers (counts as int, percentages and rates already rounded once, as in the summary JSON), None where a
figure cannot be computed, and "*" (suppression.HIDDEN) where public mode hides it; each column says what kind of
figure it holds, and the writers format it from that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analytics.report.suppression import HIDDEN

# What a column holds, so each writer formats it the report's way:
# text | month ('YYYY-MM') | count | change | pct | rate | pp | decimal | signal (bool)
COLUMN_KINDS = frozenset({"text", "month", "count", "change", "pct", "rate", "pp", "decimal", "signal"})
NUMERIC_KINDS = frozenset({"count", "change", "pct", "rate", "pp", "decimal"})


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r} for {self.key!r}.")


@dataclass(frozen=True)
class Suppressible:
    """How public mode suppresses a table (analytics.report.suppression.suppress_table's relations).

    links: (row, column, key) — a figure that another table of the pack also shows under the same key (a
    measure's period Total, a district's count); hidden in one table, it is hidden in all of them.
    whole_table: columns computed from several rows (a percentage-point change), hidden when any cell is.
    left_out_with: tables whose suppression this one could undo (12-month totals overlap the months of the report
    table): when any of them hides a cell, this table is left out of the public pack.
    """

    count_columns: tuple[str, ...]
    total_row: bool = False
    difference: tuple[str, str, str] | None = None
    pct_columns: Mapping[str, str] = field(default_factory=dict)
    rate_columns: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    derived_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    shown_columns: tuple[str, ...] = ()
    whole_table: tuple[str, ...] = ()
    links: tuple[tuple[int, str, str], ...] = ()
    left_out_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    key: str  # unique in the pack; charts and text name the tables they draw on by it
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: bool = False  # the last row is the Total
    note: str | None = None
    suppressible: Suppressible | None = None  # None: nothing in it is a count (data quality flags)
    hidden: int = 0  # cells hidden by public mode

    def column(self, key: str) -> list[Any]:
        i = [c.key for c in self.columns].index(key)
        return [row[i] for row in self.rows]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    figure: dict[str, Any]  # a Plotly figure as a dict (analytics.report.charts)
    summary: str  # its text alternative, printed under it
    draws_on: tuple[str, ...] = ()  # tables whose figures it shows: left out in public mode if any is suppressed
    counts: tuple[int, ...] = ()  # the counts it draws that no table shows (a 25-month trend)
    width: int = 760
    height: int = 340


@dataclass(frozen=True)
class Text:
    paragraphs: tuple[str, ...]
    bullets: bool = False
    note: bool = False  # small print: basis, caveats
    draws_on: tuple[str, ...] = ()  # tables whose figures it quotes


Block = Table | Chart | Text


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # also its sheet's name: at most 31 characters, none of []:*?/\
    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        if len(self.title) > 31 or any(ch in self.title for ch in "[]:*?/\\"):
            raise ValueError(f"Section title {self.title!r} cannot name a sheet.")


@dataclass(frozen=True)
class Cover:
    title: str
    period: str  # 'February – April 2025'
    heading: str  # 'February – April 2025 compared with the same months a year earlier'
    start: str
    end: str
    area: str
    source: str
    data_as_at: str  # 'Data as at 2 December 2026 (latest month loaded: December 2025)'
    as_at_short: str  # 'Data as at 2 December 2026', on every page
    facts: tuple[tuple[str, str], ...]
    definitions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Pack:
    cover: Cover
    sections: tuple[Section, ...]
    public: bool = False
    threshold: int | None = None
    public_note: str | None = None

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def table(self, key: str) -> Table:
        for t in self.tables():
            if t.key == key:
                return t
        raise KeyError(key)

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    @property
    def running_head(self) -> str:
        """The line every page carries: area, source and period."""
        return f"{self.cover.area} · {self.cover.source} · {self.cover.period}"


def is_hidden(value: Any) -> bool:
    return isinstance(value, str) and value == HIDDEN


def rows_of(values: Sequence[Sequence[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(r) for r in values)
