"""The database connection of this process, this script run's cursor and data version, and the cached page views.

One connection per process (st.cache_resource), a cursor per script run. Views are cached per data version, which
changes after every load, replacement, roll-back or reference edit, so a page never shows stale figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import duckdb
import streamlit as st

from analytics import store
from analytics.errors import DashboardError, translated
from analytics.ingest.demo import ensure_demo
from ui.widgets import show_error

T = TypeVar("T")


@st.cache_resource(show_spinner="Opening the database (the first start loads the demo data)…")
def _connection(path: str) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """One connection per process; on a database that has never had a load, the bundled demo is loaded."""
    con = store.connect(path)
    return con, ensure_demo(con)


@dataclass
class Run:
    cursor: duckdb.DuckDBPyConnection
    version: str
    demo_loaded: bool
    connection: duckdb.DuckDBPyConnection | None = None


def start() -> Run:
    """Open (or reuse) the connection and give this script run its own cursor and the data version."""
    try:
        with translated():
            path = str(store.resolve_db_path())
            con, demo_loaded = _connection(path)
            cursor = con.cursor()
            # the path is part of the key so two database files never share cached figures
            run = Run(cursor, f"{path}:{store.data_version(cursor)}", demo_loaded, con)
    except DashboardError as e:
        show_error(e)
    st.session_state["_run"] = run
    return run


def current() -> Run:
    run = st.session_state.get("_run")
    return run if isinstance(run, Run) else start()


@st.cache_data(show_spinner=False, max_entries=1000)
def _cached(version: str, key: str, _build: Callable[..., Any], _cursor: Any, _args: tuple[Any, ...]) -> Any:
    # `version` changes after every load and `key` names the builder and its arguments
    return _build(_cursor, *_args)


def view(build: Callable[..., T], *args: Any) -> T:
    """build(cursor, *args) from analytics.views, cached per data version; a DashboardError is shown and stops
    the page. Arguments are plain values or frozen dataclasses, so their repr is the cache key."""
    run = current()
    key = f"{build.__module__}.{build.__qualname__}{args!r}"
    try:
        with translated():
            result: T = _cached(run.version, key, build, run.cursor, args)
    except DashboardError as e:
        show_error(e)
    return result


_FILES: OrderedDict[str, bytes] = OrderedDict()
_FILES_KEPT = 24
_files_lock = threading.Lock()


def deferred(build: Callable[..., bytes], *args: Any) -> Callable[[], bytes]:
    """A callable for st.download_button's data: build(cursor, *args) runs when the button is pressed, on a cursor
    of its own (Streamlit calls it on another thread), and the file is kept per data version, so pressing again is
    instant and a page run never builds it."""
    run = current()
    connection = run.connection
    key = f"{run.version}|{build.__module__}.{build.__qualname__}{args!r}"

    def make() -> bytes:
        with _files_lock:
            if key in _FILES:
                _FILES.move_to_end(key)
                return _FILES[key]
        assert connection is not None
        with translated():
            data = build(connection.cursor(), *args)
        with _files_lock:
            _FILES[key] = data
            while len(_FILES) > _FILES_KEPT:
                _FILES.popitem(last=False)
        return data

    return make


def act(action: Callable[..., T], *args: Any, passing: tuple[type[DashboardError], ...] = (), **kwargs: Any) -> T:
    """action(cursor, *args, **kwargs) once, uncached: a check, a load, a roll-back, an edit. Errors are shown,
    except those of the classes in `passing`, which the page handles itself."""
    try:
        with translated():
            return action(current().cursor, *args, **kwargs)
    except passing:
        raise
    except DashboardError as e:
        show_error(e)
