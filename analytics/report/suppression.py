"""Public mode: small counts hidden in published figures, so that no one can be picked out of them.

The table. Rows (months, districts, call types), optionally a Total row that is the sum of the others; columns of
counts (``count_columns``: non-negative whole numbers, each additive over the rows when there is a Total row);
optionally a change column with ``change = this − last`` in every row (``difference``), itself additive over the
rows; percentages and rates computed from those; other numeric columns only when declared (``shown_columns`` for
reference figures such as population, ``derived_columns`` for figures computed from counts such as z or signal).
A numeric column that is not declared is refused, so a new column cannot leak a hidden count by accident.

The rules.

- Primary: a count from 1 to ``threshold`` (default 5) is hidden as "*". Zero is never hidden (it picks no one
  out) and a missing value stays missing.
- Secondary: no hidden count may be worked out from what is shown. The relations the public knows are the column
  sums (members add up to the Total, in every count column and the change column) and the row differences
  (this − last − change = 0). While some relation has exactly one hidden cell, one more cell of it is hidden:
  in a column sum the smallest non-zero member, else the Total; in a row difference the change, else the smaller
  non-zero count. That alone is not always enough (relations combine), so each round ends with
  :func:`recoverable_cells`, which solves the shown figures exactly: a hidden cell is recoverable when the
  relations fix its value (exact linear algebra over fractions: the cell is a pivot of the reduced system with no
  free variable in its row), or when the relations together with what "*" tells (a hidden count is a whole
  number of at least 1, since zeros are never hidden; every count is at least 0) squeeze it to one value (bound
  propagation on the reduced and the original relations). A recoverable cell gets a further complement in one of
  its relations, and the rounds go on until nothing is recoverable. Each round hides at least one more cell and a
  fully hidden table gives nothing away, so this ends. It is not optimal (no hypercube or linear programme), but
  the check is what makes it safe, and tests run the check on many random tables.
- Percentages and rates: hidden when their base (the denominator count, e.g. last year for % change) is below
  ``min_base`` (default 10), or when a count they are computed from is hidden (a percentage and its base give the
  count back). Derived figures (z, signal) are hidden when a count they come from is hidden.

What is guaranteed: no hidden count can be computed exactly from the published table by sums and differences.
Narrow ranges are not ruled out (two hidden cells that sum to 12 are each between 1 and 11).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

import pandas as pd

from analytics.report.formatting import is_missing

HIDDEN = "*"
DEFAULT_THRESHOLD = 5
DEFAULT_MIN_BASE = 10

CellKey = tuple[int, str]  # (row position, column)


def public_note(threshold: int = DEFAULT_THRESHOLD, min_base: int = DEFAULT_MIN_BASE) -> str:
    """The footnote a published table carries."""
    return (f"* Hidden: a count from 1 to {threshold}, or a figure hidden so that such a count cannot be worked out "
            f"from totals or differences. Percentages and rates on a base below {min_base} are not shown.")


class Suppression(NamedTuple):
    """`published`: the table as object dtype with "*" in hidden cells; `mask`: True where hidden."""

    published: pd.DataFrame
    mask: pd.DataFrame


@dataclass(frozen=True)
class Recovered:
    """A hidden cell that can be worked out: its row position, column, the value it must have (None when a shown
    percentage, rate or derived figure gives it away only approximately) and how."""

    row: int
    column: str
    value: int | None
    via: str


@dataclass(frozen=True)
class _Layout:
    count_columns: tuple[str, ...]
    total_index: int | None
    difference: tuple[str, str, str] | None
    ratios: dict[str, tuple[str, tuple[str, ...]]]  # percentage or rate -> (base, columns it is computed from)
    derived: dict[str, tuple[str, ...]]
    n_rows: int
    equations: list[list[tuple[CellKey, int]]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "column" or "row" per equation

    @property
    def change_column(self) -> str | None:
        return self.difference[2] if self.difference else None


def _whole(value: Any, where: str) -> int | None:
    """A count or change cell as int, None when missing; refuses fractions and text."""
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool) or isinstance(value, str):
        raise ValueError(f"{where} must be a whole number, got {value!r}.")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where} must be a whole number, got {value!r}.") from None
    if not f.is_integer():
        raise ValueError(f"{where} must be a whole number, got {value!r}.")
    return int(f)


def _layout(
    frame: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    total_row: Hashable | None,
    label_column: str,
    difference: tuple[str, str, str] | None,
    pct_columns: Mapping[str, str | tuple[str, str]] | None,
    rate_columns: Mapping[str, tuple[str, str]] | None,
    derived_columns: Mapping[str, Sequence[str]] | None,
    shown_columns: Sequence[str],
) -> _Layout:
    columns = list(frame.columns)

    def need(col: str, role: str) -> None:
        if col not in columns:
            raise ValueError(f"The {role} column {col!r} is not in the table "
                             f"(its columns: {', '.join(map(str, columns))}).")

    if not count_columns:
        raise ValueError("Name at least one count column to suppress.")
    for c in count_columns:
        need(c, "count")
    if difference is not None:
        this, last, change = difference
        for c in (this, last):
            if c not in count_columns:
                raise ValueError(f"The difference's column {c!r} must be one of the count columns.")
        need(change, "change")
        if change in count_columns:
            raise ValueError(f"The change column {change!r} is not a count: leave it out of count_columns.")

    ratios: dict[str, tuple[str, tuple[str, ...]]] = {}
    for col, spec in (pct_columns or {}).items():
        need(col, "percentage")
        if isinstance(spec, str):
            if difference is None:
                raise ValueError(f"Percentage {col!r} names only its base; give difference=(this, last, change) "
                                 "or (numerator, base).")
            need(spec, "base")
            ratios[col] = (spec, (*difference, spec))
        else:
            numerator, base = spec
            need(numerator, "numerator")
            need(base, "base")
            ratios[col] = (base, (numerator, base))
    for col, (numerator, base) in (rate_columns or {}).items():
        need(col, "rate")
        need(numerator, "numerator")
        need(base, "base")
        ratios[col] = (base, (numerator, base))
    derived: dict[str, tuple[str, ...]] = {}
    for col, sources in (derived_columns or {}).items():
        need(col, "derived")
        for s in sources:
            need(s, "source")
        derived[col] = tuple(sources)
    for c in shown_columns:
        need(c, "shown")

    declared = {*count_columns, *ratios, *derived, *shown_columns, label_column}
    if difference is not None:
        declared.add(difference[2])
    for col in columns:
        if col in declared:
            continue
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series) or any(isinstance(v, int | float) and not is_missing(v)
                                                        for v in series.tolist()):
            raise ValueError(f"Column {col!r} holds numbers but is not declared: name it in count_columns, "
                             "pct_columns, rate_columns, derived_columns or shown_columns, so it cannot give a "
                             "hidden count away.")

    total_index: int | None = None
    if total_row is not None:
        if label_column not in columns:
            raise ValueError(f"The label column {label_column!r} that names the Total row is not in the table.")
        hits = [i for i, v in enumerate(frame[label_column].tolist()) if not is_missing(v) and v == total_row]
        if len(hits) != 1:
            raise ValueError(f"Expected one row labelled {total_row!r} in {label_column!r}, found {len(hits)}.")
        total_index = hits[0]

    layout = _Layout(tuple(count_columns), total_index, difference, ratios, derived, len(frame))
    additive = list(count_columns) + ([difference[2]] if difference else [])
    if total_index is not None:
        members = [r for r in range(len(frame)) if r != total_index]
        for col in additive:
            layout.equations.append([((r, col), 1) for r in members] + [((total_index, col), -1)])
            layout.kinds.append("column")
    if difference is not None:
        this, last, change = difference
        for r in range(len(frame)):
            layout.equations.append([((r, this), 1), ((r, last), -1), ((r, change), -1)])
            layout.kinds.append("row")
    return layout


def _values(frame: pd.DataFrame, layout: _Layout) -> dict[CellKey, int | None]:
    cols = list(layout.count_columns) + ([layout.change_column] if layout.change_column else [])
    values: dict[CellKey, int | None] = {}
    for col in cols:
        for r, v in enumerate(frame[col].tolist()):
            where = f"Row {r + 1}, column {col!r}"
            n = _whole(v, where)
            if n is not None and n < 0 and col in layout.count_columns:
                raise ValueError(f"{where} is a count and cannot be negative, got {n}.")
            values[(r, col)] = n
    return values


def _check_relations(values: Mapping[CellKey, int | None], layout: _Layout) -> None:
    # Rows first: a wrong change in one row is the more useful message than the column sum it also breaks.
    pairs = sorted(zip(layout.equations, layout.kinds, strict=True), key=lambda p: p[1] != "row")
    for eq, kind in pairs:
        terms = [values[c] for c, _ in eq]
        if any(t is None for t in terms):
            continue
        if sum(coef * (values[c] or 0) for c, coef in eq) != 0:
            cell = eq[-1][0] if kind == "column" else eq[0][0]
            what = (f"the Total row is not the sum of the other rows in column {cell[1]!r}" if kind == "column"
                    else f"row {cell[0] + 1}: change is not this year minus last year")
            raise ValueError(f"The table does not hold together: {what}, so suppression cannot be worked out.")


# ------------------------------------------------------------------------------------------------ the check


def _rref(matrix: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form of an augmented matrix (last column the right-hand side); its pivot columns."""
    m = [row[:] for row in matrix]
    pivots: list[int] = []
    width = len(m[0]) - 1 if m else 0
    r = 0
    for c in range(width):
        p = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        pv = m[r][c]
        m[r] = [x / pv for x in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(m):
            break
    return m[:r], pivots


Bound = Fraction | None


def _propagate(
    rows: list[tuple[dict[int, Fraction], Fraction]], lo: list[Bound], hi: list[Bound], rounds: int = 200
) -> None:
    """Tighten integer bounds lo <= x <= hi (None: unbounded) through sum(a_i x_i) = b, in place."""
    for _ in range(rounds):
        changed = False
        for coefs, b in rows:
            for j, aj in coefs.items():
                s_lo: Bound = Fraction(0)
                s_hi: Bound = Fraction(0)
                for i, ai in coefs.items():
                    if i == j:
                        continue
                    low, high = (lo[i], hi[i]) if ai > 0 else (hi[i], lo[i])
                    s_lo = None if s_lo is None or low is None else s_lo + ai * low
                    s_hi = None if s_hi is None or high is None else s_hi + ai * high
                # aj * x_j = b - S
                top = None if s_lo is None else (b - s_lo) / aj
                bottom = None if s_hi is None else (b - s_hi) / aj
                new_lo, new_hi = (bottom, top) if aj > 0 else (top, bottom)
                low_j, high_j = lo[j], hi[j]
                if new_lo is not None:
                    new_lo = Fraction(math.ceil(new_lo))  # the cells are whole numbers
                    if low_j is None or new_lo > low_j:
                        lo[j] = low_j = new_lo
                        changed = True
                if new_hi is not None:
                    new_hi = Fraction(math.floor(new_hi))
                    if high_j is None or new_hi < high_j:
                        hi[j] = high_j = new_hi
                        changed = True
                if low_j is not None and high_j is not None and low_j > high_j:
                    return  # contradiction: the figures are not what the layout says; nothing more to learn
        if not changed:
            return


def _recover(
    layout: _Layout, known: Mapping[CellKey, int | None], hidden: set[CellKey], hidden_at_least: int
) -> list[Recovered]:
    """Hidden cells the shown figures fix, by the table's relations alone (see the module)."""
    unknown = sorted({c for eq in layout.equations for c, _ in eq if c in hidden or known[c] is None})
    if not unknown:
        return []
    index = {c: i for i, c in enumerate(unknown)}
    matrix: list[list[Fraction]] = []
    originals: list[tuple[dict[int, Fraction], Fraction]] = []
    for eq in layout.equations:
        row = [Fraction(0)] * (len(unknown) + 1)
        rhs = Fraction(0)
        for cell, coef in eq:
            if cell in index:
                row[index[cell]] += coef
            else:
                rhs -= coef * (known[cell] or 0)
        row[-1] = rhs
        if any(row[:-1]):
            matrix.append(row)
            originals.append(({i: v for i, v in enumerate(row[:-1]) if v}, rhs))
    found: dict[CellKey, Recovered] = {}
    if not matrix:
        return []
    reduced, pivots = _rref(matrix)
    for row, c in zip(reduced, pivots, strict=True):
        cell = unknown[c]
        if cell in hidden and all(v == 0 for i, v in enumerate(row[:-1]) if i != c):
            found[cell] = Recovered(cell[0], cell[1], int(row[-1]), "sums and differences")

    lo: list[Bound] = []
    hi: list[Bound] = []
    for cell in unknown:
        if cell[1] in layout.count_columns:
            lo.append(Fraction(hidden_at_least if cell in hidden else 0))
        else:
            lo.append(None)
        hi.append(None)
    system = [({i: v for i, v in enumerate(row[:-1]) if v}, row[-1]) for row in reduced] + originals
    _propagate(system, lo, hi)
    for i, cell in enumerate(unknown):
        low, high = lo[i], hi[i]
        if cell in hidden and cell not in found and low is not None and low == high:
            found[cell] = Recovered(cell[0], cell[1], int(low), "sums and differences with the range of *")
    return sorted(found.values(), key=lambda x: (x.row, x.column))


def _derived_leaks(layout: _Layout, published: pd.DataFrame, hidden: set[CellKey]) -> list[Recovered]:
    leaks = []
    sources = {col: spec[1] for col, spec in layout.ratios.items()} | layout.derived
    for col, cols in sources.items():
        for r, v in enumerate(published[col].tolist()):
            if is_missing(v) or (isinstance(v, str) and v == HIDDEN):
                continue
            for s in cols:
                if (r, s) in hidden:
                    leaks.append(Recovered(r, s, None, f"shown {col}"))
    return leaks


def recoverable_cells(
    original: pd.DataFrame,
    published: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    total_row: Hashable | None = None,
    label_column: str = "label",
    difference: tuple[str, str, str] | None = None,
    pct_columns: Mapping[str, str | tuple[str, str]] | None = None,
    rate_columns: Mapping[str, tuple[str, str]] | None = None,
    derived_columns: Mapping[str, Sequence[str]] | None = None,
    shown_columns: Sequence[str] = (),
    hidden_at_least: int = 1,
) -> list[Recovered]:
    """Every hidden cell of `published` ("*") that someone holding only `published` can work out.

    Uses every relation the layout implies (column sums to the Total, this − last = change in every row), exactly,
    plus what a "*" tells (a hidden count is a whole number of at least `hidden_at_least`; counts are never
    negative), and reports a hidden count whose percentage, rate or derived figure is shown. `original` supplies
    the layout's check; the values worked out come from `published` alone.
    """
    layout = _layout(original, count_columns=count_columns, total_row=total_row, label_column=label_column,
                     difference=difference, pct_columns=pct_columns, rate_columns=rate_columns,
                     derived_columns=derived_columns, shown_columns=shown_columns)
    if list(published.columns) != list(original.columns) or len(published) != len(original):
        raise ValueError("The published table must have the original's rows and columns.")
    hidden = {(r, col) for col in published.columns for r, v in enumerate(published[col].tolist())
              if isinstance(v, str) and v == HIDDEN}
    shown = published.copy()
    for r, col in hidden:
        shown.iat[r, list(shown.columns).index(col)] = None
    known = _values(shown, layout)
    return _recover(layout, known, hidden, hidden_at_least) + _derived_leaks(layout, published, hidden)


# ------------------------------------------------------------------------------------------------ suppression


def _complement(
    eq: list[tuple[CellKey, int]], kind: str, layout: _Layout, values: Mapping[CellKey, int | None],
    hidden: set[CellKey],
) -> CellKey | None:
    """The cell of `eq` to hide next (see the module's rule), or None when every cell is hidden or missing."""
    best: tuple[tuple[int, int, int, int], CellKey] | None = None
    for order, (cell, _) in enumerate(eq):
        v = values[cell]
        if cell in hidden or v is None:
            continue
        is_count = cell[1] in layout.count_columns
        if is_count and v == 0:
            tier = 9  # zeros protect nothing and "*" promises at least 1: only when nothing else is left
        elif kind == "column":
            tier = 1 if cell[0] == layout.total_index else 0
        else:
            tier = 1 if is_count else 0
        key = (tier, abs(v), cell[0], order)
        if best is None or key < best[0]:
            best = (key, cell)
    return None if best is None else best[1]


def _secondary(layout: _Layout, values: Mapping[CellKey, int | None], hidden: set[CellKey],
               hidden_at_least: int) -> None:
    """Hide complements in place until no hidden count can be worked out."""
    while True:
        added = False
        for eq, kind in zip(layout.equations, layout.kinds, strict=True):
            unknown = [c for c, _ in eq if c in hidden or values[c] is None]
            if len(unknown) == 1 and unknown[0] in hidden:
                cell = _complement(eq, kind, layout, values, hidden)
                if cell is not None:
                    hidden.add(cell)
                    added = True
        if added:
            continue
        known = {c: (None if c in hidden else v) for c, v in values.items()}
        leaks = _recover(layout, known, hidden, hidden_at_least)
        if not leaks:
            return
        leak = (leaks[0].row, leaks[0].column)
        pairs = list(zip(layout.equations, layout.kinds, strict=True))
        around = [(eq, k) for eq, k in pairs if any(c == leak for c, _ in eq)]
        others = [(eq, k) for eq, k in pairs if any(c in hidden for c, _ in eq)]
        for eq, kind in around + others:
            cell = _complement(eq, kind, layout, values, hidden)
            if cell is not None:
                hidden.add(cell)
                break
        else:
            return  # everything in the relations is hidden already; nothing can be worked out from them


def suppress_table(
    frame: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    total_row: Hashable | None = None,
    label_column: str = "label",
    difference: tuple[str, str, str] | None = None,
    pct_columns: Mapping[str, str | tuple[str, str]] | None = None,
    rate_columns: Mapping[str, tuple[str, str]] | None = None,
    derived_columns: Mapping[str, Sequence[str]] | None = None,
    shown_columns: Sequence[str] = (),
    threshold: int = DEFAULT_THRESHOLD,
    min_base: int = DEFAULT_MIN_BASE,
    secondary: bool = True,
    hide: Iterable[CellKey] = (),
) -> Suppression:
    """`frame` as published in public mode: counts 1..`threshold` and whatever would give them away as "*".

    count_columns: the counts (whole, non-negative; additive over rows when there is a Total row).
    total_row: the value in `label_column` of the row that is the sum of the others (None: no Total row).
    difference: (this, last, change), with change = this − last in every row.
    pct_columns: {percentage: base} for a % change of `difference` on `base` (hidden when the base is below
        `min_base` or this, last or change is hidden), or {percentage: (numerator, base)}.
    rate_columns: {rate: (numerator, base)}, e.g. the solved rate {"rate": ("solved", "total")}.
    derived_columns: {column: (columns it is computed from)}, e.g. {"z": ("count", "last_year")}.
    shown_columns: other numeric columns published as they are (reference figures such as population).
    secondary: False publishes primary suppression only (for checks; never for a real publication).
    hide: cells (row position, column) hidden whatever their value, before secondary suppression: a figure hidden
        in another table of the same publication (a Total shared by two tables) is hidden here too.

    Returns (published, mask): the frame as object dtype with "*" where hidden, and a bool frame of the hidden
    cells. Missing values stay missing. See the module for the rules and what they guarantee.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise ValueError(f"The suppression threshold must be a whole number of 0 or more, got {threshold!r}.")
    if isinstance(min_base, bool) or not isinstance(min_base, int) or min_base < 0:
        raise ValueError(f"The smallest base for a percentage must be a whole number of 0 or more, got {min_base!r}.")
    layout = _layout(frame, count_columns=count_columns, total_row=total_row, label_column=label_column,
                     difference=difference, pct_columns=pct_columns, rate_columns=rate_columns,
                     derived_columns=derived_columns, shown_columns=shown_columns)
    values = _values(frame, layout)
    _check_relations(values, layout)

    hidden = {c for c, v in values.items() if c[1] in layout.count_columns and v is not None and 1 <= v <= threshold}
    for r, col in hide:
        if (r, col) not in values:
            raise ValueError(f"Cannot hide row {r + 1}, column {col!r}: it is not a count or change of the table.")
        if values[(r, col)] is not None:
            hidden.add((r, col))
    if secondary:
        # "*" promises at least 1 only while every hidden count is; a zero hidden on request promises 0
        at_least = 0 if any(values[c] == 0 for c in hidden) else 1
        _secondary(layout, values, hidden, hidden_at_least=at_least)

    columns = list(frame.columns)
    for col, (base, sources) in layout.ratios.items():
        bases = frame[base].tolist()
        for r, v in enumerate(frame[col].tolist()):
            if is_missing(v):
                continue
            b = bases[r]
            if any((r, s) in hidden for s in sources) or (not is_missing(b) and float(b) < min_base):
                hidden.add((r, col))
    for col, sources in layout.derived.items():
        for r, v in enumerate(frame[col].tolist()):
            if not is_missing(v) and any((r, s) in hidden for s in sources):
                hidden.add((r, col))

    published = frame.astype(object).copy()
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for r, col in hidden:
        j = columns.index(col)
        published.iat[r, j] = HIDDEN
        mask.iat[r, j] = True
    return Suppression(published, mask)
