"""Public mode for the pack: small counts hidden in every table, and whatever would give them away hidden or left out.

- Each table is suppressed with its own relations (analytics.report.suppression.suppress_table: counts from 1 to
  the threshold as "*", secondary suppression so no hidden count follows from a Total or a difference, percentages
  and rates on a base below 10 hidden).
- Figures shown by more than one table (a measure's period Total in its report table, its breakdowns and the
  solved rate; a district's count in the district breakdown and the rates table) carry the same link: hidden in
  one table, they are hidden in every table, and each table is suppressed again around them until nothing changes.
- A table whose figures overlap another's months in ways the relations do not describe (rolling 12 months,
  calendar and financial years against the report table) is left out when that table hides anything.
- A chart or sentence is left out when any table it draws on hides a cell, or when it draws a count from 1 to the
  threshold that no table shows (a 25-month trend), since a picture cannot show "*".

Caller-level data never reaches a pack in either mode: no section reads it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import pandas as pd

from analytics.report.formatting import is_missing
from analytics.report.pack.model import Block, Chart, Pack, Section, Table, Text
from analytics.report.suppression import DEFAULT_MIN_BASE, HIDDEN, CellKey, Suppression, public_note, suppress_table

LEFT_OUT_CHART = "Chart left out of the public pack: it would show figures that are hidden in the tables."
LEFT_OUT_TEXT = "Left out of the public pack: it quotes figures that are hidden in the tables."


def _frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in table.rows], columns=[c.key for c in table.columns])


def _suppress(table: Table, threshold: int, min_base: int, hide: set[CellKey]) -> Suppression:
    spec = table.suppressible
    assert spec is not None
    frame = _frame(table)
    label = table.columns[0].key
    result = suppress_table(
        frame, count_columns=list(spec.count_columns),
        total_row=table.rows[-1][0] if spec.total_row and table.rows else None, label_column=label,
        difference=spec.difference, pct_columns=dict(spec.pct_columns), rate_columns=dict(spec.rate_columns),
        derived_columns={k: list(v) for k, v in spec.derived_columns.items()}, shown_columns=list(spec.shown_columns),
        threshold=threshold, min_base=min_base, hide=sorted(hide))
    if spec.whole_table and result.mask.to_numpy().any():
        published, mask = result.published.copy(), result.mask.copy()
        for col in spec.whole_table:
            for r in range(len(frame)):
                if not is_missing(published.at[r, col]):
                    published.at[r, col] = HIDDEN
                    mask.at[r, col] = True
        result = Suppression(published, mask)
    return result


def suppress_tables(tables: list[Table], threshold: int, min_base: int = DEFAULT_MIN_BASE) -> dict[str, Suppression]:
    """Every suppressible table suppressed, linked figures hidden alike in all the tables that show them."""
    forced: dict[str, set[CellKey]] = defaultdict(set)
    while True:
        results = {t.key: _suppress(t, threshold, min_base, forced[t.key]) for t in tables if t.suppressible}
        hidden_links = {link for t in tables if t.suppressible for r, col, link in t.suppressible.links
                        if results[t.key].mask.at[r, col]}
        changed = False
        for t in tables:
            if not t.suppressible:
                continue
            for r, col, link in t.suppressible.links:
                if link in hidden_links and not results[t.key].mask.at[r, col] and (r, col) not in forced[t.key]:
                    forced[t.key].add((r, col))
                    changed = True
        if not changed:  # forced cells only ever grow, so this ends
            return results


def _published_rows(result: Suppression) -> tuple[tuple[object, ...], ...]:
    rows = []
    for _, r in result.published.iterrows():
        rows.append(tuple(None if is_missing(v) else v for v in r.tolist()))
    return tuple(rows)


def publish(pack: Pack, *, threshold: int, min_base: int = DEFAULT_MIN_BASE) -> Pack:
    """The pack as published: see the module for what is hidden and what is left out."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise ValueError(f"The suppression threshold must be a whole number of 0 or more, got {threshold!r}.")
    tables = pack.tables()
    results = suppress_tables(tables, threshold, min_base)
    hidden = {key: int(r.mask.to_numpy().sum()) for key, r in results.items()}
    note = public_note(threshold, min_base)

    def dirty(keys: tuple[str, ...]) -> bool:
        return any(hidden.get(k, 0) for k in keys)

    sections = []
    for section in pack.sections:
        blocks: list[Block] = []
        for b in section.blocks:
            if isinstance(b, Table):
                if b.suppressible and dirty(b.suppressible.left_out_with):
                    blocks.append(Text((f"{b.title}: left out of the public pack, because its totals overlap "
                                        "months whose figures are hidden.",), note=True))
                    continue
                if b.key in results:
                    n = hidden[b.key]
                    b = replace(b, rows=_published_rows(results[b.key]), hidden=n,
                                note=(f"{b.note} {note}" if b.note else note) if n else b.note)
                blocks.append(b)
            elif isinstance(b, Chart):
                small = any(1 <= c <= threshold for c in b.counts)
                blocks.append(Text((f"{b.title}. {LEFT_OUT_CHART}",), note=True) if dirty(b.draws_on) or small
                              else b)
            else:
                blocks.append(Text((LEFT_OUT_TEXT,), note=True) if dirty(b.draws_on) else b)
        sections.append(Section(section.key, section.title, tuple(blocks)))
    return replace(pack, sections=tuple(sections), public=True, threshold=threshold, public_note=note)
