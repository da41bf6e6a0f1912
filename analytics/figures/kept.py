"""Figures' inputs kept per database file until its aggregates change.

Every page asks for the same few things many times (which months a source covers, a measure's counts by month), and
a page run after the last one asks for them again. They are worked out once per version of the aggregates
(store.refresh_aggregates raises ``aggregates_version`` in the transaction of every load, replacement, roll-back and
classifying reference edit) and kept, so checking that they are current is one read of a one-row table. In-memory
databases keep nothing: every call works its inputs out afresh.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import duckdb

from analytics import store

Con = duckdb.DuckDBPyConnection
T = TypeVar("T")


@dataclass
class Kept:
    """What was worked out from one version of one database file, by key."""

    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def get(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        if key not in self.memo:
            self.memo[key] = make()
        found: T = self.memo[key]
        return found


# a dashboard reads a new published copy (a new file) after every load: the latest few are kept, not every one
_KEEP_FILES = 4
_KEPT: OrderedDict[str, tuple[Any, Kept]] = OrderedDict()
# per connection or cursor: the file it reads (None in memory) and, for a file open read-only (a published copy,
# which never changes), its aggregates' version, asked once rather than on every figure
_FILES: weakref.WeakKeyDictionary[Con, tuple[str | None, int | None]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _file(con: Con) -> tuple[str | None, int | None]:
    """(the file the connection reads, its fixed aggregates version if it is open read-only), asked once."""
    with _lock:
        if con in _FILES:
            return _FILES[con]
    row = con.execute(store.sql("store/database_file")).fetchone()
    path = row[0] if row and row[0] else None
    fixed = store.scalar(con, store.sql("figures/history_state")) if path and row and row[1] else None
    with _lock:
        _FILES[con] = (path, fixed)
    return path, fixed


def current(con: Con) -> Kept:
    """What is kept for the connection's file at its aggregates' current version (a fresh one after a change)."""
    path, fixed = _file(con)
    if not path:
        return Kept()
    version = fixed if fixed is not None else store.scalar(con, store.sql("figures/history_state"))
    with _lock:
        found = _KEPT.get(path)
        if found is not None and found[0] == version:
            _KEPT.move_to_end(path)
            return found[1]
        kept = Kept()
        _KEPT[path] = (version, kept)
        _KEPT.move_to_end(path)
        while len(_KEPT) > _KEEP_FILES:
            _KEPT.popitem(last=False)
        return kept


def clear() -> None:
    """Forget everything kept (the benchmarks time the first run after a load with it)."""
    with _lock:
        _KEPT.clear()
