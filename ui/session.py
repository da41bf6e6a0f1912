"""This script run's published copy, cursor and data version, the cached page views, and the writer path.

The dashboard never opens the master database for reading. Each script run reads the pointer to the current
published copy once (analytics.publish) and takes a cursor on a read-only connection to that copy (one connection
per copy and process, st.cache_resource), so every figure of one page run comes from one version and the next run
picks up a new version without a restart. Views are kept per data version (ui.view_cache). Writes (uploads,
roll-backs, edits) go through ``act``: the master read-write for the moment of the write, then a new copy is
published.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import duckdb
import streamlit as st

from analytics import publish, store
from analytics.errors import DashboardError, translated
from ui.view_cache import ViewCache

T = TypeVar("T")

# master path -> True when this process loaded the demo into it (the Overview and Data pages say so)
_DEMO_LOADED: dict[str, bool] = {}
_first_start_lock = threading.Lock()
FIRST_START_WAIT = 300.0  # another process may be loading the demo: wait for it rather than refuse
# master path -> the thread loading the rest of the demo, or the error that stopped it
_finishing: dict[str, threading.Thread | str] = {}
_finishing_lock = threading.Lock()
log = logging.getLogger(__name__)


def show_error(e: DashboardError) -> NoReturn:
    from ui.widgets import show_error  # imported when needed: this module is imported before the pages' modules

    show_error(e)


def _load_police_uk(master: Path) -> bool:
    """The writer loads the real police.uk demo files into an empty database (checked again once it holds the file,
    so two processes starting at once load it once) and publishes; True if it loaded them."""
    from analytics.ingest.demo import start_demo

    with publish.writing(master, wait=FIRST_START_WAIT, republish=True) as con:
        _loading.add(con)  # interrupted should the dashboard stop meanwhile: rolled back, loaded at the next start
        try:
            if _stopping.is_set():  # raised, so nothing is published: an empty copy would stop the next start's load
                raise RuntimeError("the dashboard is stopping")
            loaded = start_demo(con)
        finally:
            _loading.discard(con)
    if loaded:
        _DEMO_LOADED[str(master)] = True
    return loaded


# master path -> the first start's police.uk load, begun as the server started (or by a script run)
_early: dict[str, Future[bool]] = {}
_early_lock = threading.Lock()
_published_once: set[str] = set()  # masters this process has seen a published copy of
_first_starts: list[threading.Thread] = []  # begin()'s loads, waited for on exit


def begin() -> None:
    """When the database has no published copy yet (the first start), start loading the police.uk demo files now,
    on a thread: called as the server starts (ui.server) and again by each script run, before it imports the pages'
    modules (DuckDB's reading runs outside the GIL). The first start's critical path. start() waits for it; anything
    else (an unusable copy, an error) is left to start()."""
    try:
        master = store.resolve_db_path()
    except DashboardError:
        return  # start() shows it
    if str(master) in _published_once:
        return  # seen once: later runs skip the look (start() still deals with a copy gone missing)
    if publish.current(master) is not None:
        _published_once.add(str(master))
        return
    with _early_lock:
        if str(master) in _early:
            return
        future: Future[bool] = Future()
        _early[str(master)] = future

    def load() -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(_load_police_uk(master))
            except BaseException as e:  # raised again by the script run waiting for it
                if _stopping.is_set():
                    log.warning("the dashboard stopped while the police.uk demo files loaded: the next start"
                                " loads them")
                future.set_exception(e)

    thread = threading.Thread(target=load, name="first-start", daemon=True)
    _first_starts.append(thread)
    thread.start()


def _first_start(master: Path) -> None:
    """No usable published copy: the police.uk demo files are loaded (or the load begin() started is waited for)
    and published, so the Overview (whose default source is police.uk) draws now; start() then has the rest loaded
    in the background."""
    with _first_start_lock:
        if _reader_ok(master):
            return
        from ui.widgets import preload_charts

        preload = preload_charts()
        with st.spinner("Opening the database (the first start loads the demo data)…"):
            early = _early.pop(str(master), None)
            loaded = early is not None and early.result()
            if early is None or not _reader_ok(master):
                loaded = _load_police_uk(master) or loaded
            if loaded:
                _DEMO_LOADED[str(master)] = True
        preload.empty()


def _finish_demo(master: Path) -> None:
    """The rest of the demo (the synthetic source, its measures and case reviews) through the one writer, then a
    new copy is published: viewers see all of it or none. Runs on a thread at a lower priority, so the pages being
    drawn meanwhile come first; on Linux the priority is the thread's own, and DuckDB's threads, started when the
    writer opens the file, inherit it."""
    # the page run that started it (and the browser drawing it) first: it waits for that run to finish, then a
    # moment more, while the server sends the page (the load's pandas work holds the GIL) and the browser draws it
    _page_drawn.wait(timeout=FINISH_DELAY)
    if _stopping.wait(DRAW_GRACE):
        return  # the dashboard is stopping: the next start loads it
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass
    from analytics.ingest.demo import finish_demo

    try:
        with translated(), publish.writing(master, wait=FIRST_START_WAIT) as con:
            _loading.add(con)
            try:
                finish_demo(con)  # nothing to do when another process finished it first
            finally:
                _loading.discard(con)
    except Exception as e:  # a thread has no page to show it on: the pages say the source did not load
        if _stopping.is_set():
            log.info("the dashboard stopped while the synthetic demo source loaded: the next start loads it")
            return
        log.exception("the synthetic demo source did not load")
        with _finishing_lock:
            _finishing[str(master)] = e.message if isinstance(e, DashboardError) else f"{type(e).__name__}: {e}"


_loading: set[duckdb.DuckDBPyConnection] = set()  # the demo loads' writers, while they load
_stopping = threading.Event()
_page_drawn = threading.Event()
FINISH_DELAY = 5.0  # the most the background load waits for a page run to finish (one that stopped early)
DRAW_GRACE = 1.0  # and then for the page to reach the browser and be drawn


def page_drawn() -> None:
    """A page run has finished (dashboard.py calls this after page.run()): the background load may start."""
    _page_drawn.set()


@atexit.register
def stop_loading() -> None:
    """As the server stops (ui.server) and on exit, interrupt a demo load part-way and wait for it to roll back (the
    next start loads it again), rather than end the interpreter under a running query."""
    _stopping.set()
    threads = [t for t in _finishing.values() if isinstance(t, threading.Thread)] + _first_starts
    deadline = time.monotonic() + 10
    while True:  # a load on a script run's own thread is interrupted too, if only once: it is not waited for
        # again and again: an interrupt stops only the statement running, and a load runs Python between statements
        for con in list(_loading):
            con.interrupt()
        if not any(t.is_alive() for t in threads) or time.monotonic() >= deadline:
            break
        for thread in threads:
            thread.join(timeout=0.02)


def _demo_loading(master: Path, pending: bool) -> str | None:
    """While the copy this run reads has the demo half loaded: start loading the rest (once per process: a process
    that finds it half loaded after a crash finishes it) and say so; None when nothing is pending."""
    if not pending:
        return None
    with _finishing_lock:
        found = _finishing.get(str(master))
        if isinstance(found, str):
            return found
        if found is None:
            found = _finishing[str(master)] = threading.Thread(target=_finish_demo, args=(master,),
                                                                name="finish-demo", daemon=True)
            found.start()
    return ""


def _reader_ok(master: Path) -> bool:
    copy = publish.current(master)
    return copy is not None and _open(copy) is not None


@st.cache_resource(show_spinner=False, max_entries=4)
def _reader(copy: str, inode: int) -> tuple[duckdb.DuckDBPyConnection, store.Versions] | None:
    """A read-only connection to one published copy and its data versions (a copy never changes; the inode tells a
    copy made again under the same name, after the folder was emptied, from the one before), or None when the copy
    is out of date and a writer must publish again."""
    con = publish.open_copy(Path(copy))
    return None if con is None else (con, store.versions(con))


def _open(copy: Path) -> tuple[duckdb.DuckDBPyConnection, store.Versions] | None:
    try:
        inode = copy.stat().st_ino
    except FileNotFoundError:  # removed since CURRENT was read: the next publish is under way
        return None
    return _reader(str(copy), inode)


CATCH_UP_EVERY = 10.0  # seconds between looks, per process, for a copy left behind by a writer that ended early
_caught_up_at: dict[str, float] = {}
_catching_up: set[str] = set()
_catch_up_lock = threading.Lock()


def _catch_up(master: Path) -> None:
    """Every CATCH_UP_EVERY seconds at most: when the master holds a write that was never published (its writer
    ended between commit and publish), publish it on a thread; the runs after it read the new copy. A look is two
    stats and is done on the page run; the copy is made off it."""
    key = str(master)
    now = time.monotonic()
    with _catch_up_lock:
        if key in _catching_up or now - _caught_up_at.get(key, -CATCH_UP_EVERY) < CATCH_UP_EVERY:
            return
        _caught_up_at[key] = now
        if not publish.behind(master):
            return
        _catching_up.add(key)

    def run() -> None:
        try:
            copy = publish.catch_up(master)
            if copy is not None:
                log.warning("published %s: the last write to %s had not been published (its writer ended early)",
                            copy.name, master)
        except Exception:  # a thread has no page to show it on; the next look tries again
            log.exception("the published copy could not be brought up to date")
        finally:
            with _catch_up_lock:
                _catching_up.discard(key)

    threading.Thread(target=run, name="catch-up", daemon=True).start()


@dataclass
class Run:
    cursor: duckdb.DuckDBPyConnection
    version: str  # the master's path and the whole data version: the key of anything built from every source
    demo_loaded: bool
    # None, or while the synthetic demo source is loading in the background "" (the error when it failed)
    demo_loading: str | None = None
    connection: duckdb.DuckDBPyConnection | None = None
    copy: str = ""
    versions: store.Versions | None = None
    master: str = ""

    def version_of(self, source: str | None) -> str:
        """The key of a view built from one source (analytics.views.common.one_source), else the whole version."""
        if source is None or self.versions is None:
            return self.version
        return f"{self.master}:{self.versions.of(source)}"


def start() -> Run:
    """Find the current published copy (publishing one first if there is none) and give this script run its own
    cursor on it and its data version."""
    try:
        with translated():
            master = store.resolve_db_path()
            copy = publish.current(master)
            opened = _open(copy) if copy is not None else None
            if opened is None:
                _first_start(master)
                copy = publish.current(master)
                assert copy is not None
                opened = _open(copy)
                assert opened is not None
            con, versions = opened
            _catch_up(master)
            # the master's path is part of the key so two databases never share cached figures
            key = f"{master}:{versions.whole}"
            cursor = con.cursor()
            from analytics.ingest.demo import demo_pending

            pending = _cached(key, "analytics.ingest.demo.demo_pending()", demo_pending, cursor, ())
            run = Run(cursor, key, _DEMO_LOADED.get(str(master), False), _demo_loading(master, pending), con,
                      str(copy), versions, str(master))
    except DashboardError as e:
        show_error(e)
    st.session_state["_run"] = run
    return run


def current() -> Run:
    run = st.session_state.get("_run")
    return run if isinstance(run, Run) else start()


_VIEWS = ViewCache(most=1000)


def _cached(version: str, key: str, build: Callable[..., Any], cursor: Any, args: tuple[Any, ...]) -> Any:
    # `version` changes after every load and `key` names the builder and its arguments: one object shared by every
    # run and session (st.cache_data would unpickle the whole view on every run: a quarter of a Districts run)
    return _VIEWS.get(version, key, lambda: build(cursor, *args))


def view(build: Callable[..., T], *args: Any) -> T:
    """build(cursor, *args) from analytics.views, cached per data version (a view of one source per that source's
    version, so a load into another source leaves it cached); a DashboardError is shown and stops the page.
    Arguments are plain values or frozen dataclasses, so their repr is the cache key."""
    run = current()
    key = f"{build.__module__}.{build.__qualname__}{args!r}"
    from analytics.views.common import source_of

    try:
        with translated():
            result: T = _cached(run.version_of(source_of(build, args)), key, build, run.cursor, args)
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
    """action(connection, *args, **kwargs) once, uncached, on the master opened read-write (waiting for another
    writer to finish), then published: a load, a roll-back, an edit. The page's next run sees the new version.
    Errors are shown, except those of the classes in `passing`, which the page handles itself."""
    try:
        with translated(), publish.writing(store.resolve_db_path()) as con:
            return action(con, *args, **kwargs)
    except passing:
        raise
    except DashboardError as e:
        show_error(e)


def read(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """action(cursor, *args, **kwargs) once, uncached, on this run's version: a check before a write."""
    try:
        with translated():
            return action(current().cursor, *args, **kwargs)
    except DashboardError as e:
        show_error(e)
