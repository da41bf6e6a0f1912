"""Each dashboard page's server-side run, timed with AppTest on the 10-million-row database of bench/queries.py.

    python bench/pages.py [--rows 10000000] [--runs 10] [--db PATH]

The database (bench/out/queries-<rows>.duckdb) is built by bench/queries.py when missing, then copied to a temporary
file so the benchmark neither locks nor changes the shared one. For every page:
- cold: the query caches are emptied before each run (st.cache_data and the analytics whole-history cache), as
  after a new load; the connection stays open, as in a running server;
- warm: the same page run again with the caches filled, as when a user switches pages or comes back.
Printed: p50 and p95 wall-clock milliseconds and the median process CPU time. Goal: under 500 ms warm.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this file is bench/pages.py: keep its folder off the path so `pages` means the dashboard's pages
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analytics.figures import coverage  # noqa: E402

# AppTest outside a server warns once per run that st.cache_data has no runtime; that is expected here.
logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
    lambda record: "No runtime found" not in record.getMessage())

GOAL_MS = 500
PAGES = ["overview", "asb", "crime", "districts", "data"]


def _entry(folder: Path) -> str:
    # AppTest reruns a page file alone when the main script sits next to a `pages` folder (see tests/test_pages.py)
    entry = folder / "run_dashboard.py"
    entry.write_text(
        f"import runpy, sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        f"runpy.run_path({str(ROOT / 'dashboard.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    return str(entry)


def _clear() -> None:
    st.cache_data.clear()
    clear = getattr(coverage, "clear_cache", None)
    if clear is not None:
        clear()


def _stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def _run(at: AppTest) -> tuple[float, float]:
    start, start_cpu = time.perf_counter(), time.process_time()
    at.run(timeout=600)
    wall, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    source = args.db or ROOT / "bench" / "out" / f"queries-{args.rows}.duckdb"
    if not source.exists():
        import runpy

        queries = runpy.run_path(str(ROOT / "bench" / "queries.py"))
        source.parent.mkdir(parents=True, exist_ok=True)
        queries["build"](source, args.rows)

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "pages.duckdb"
        shutil.copyfile(source, db)
        os.environ["ASB_DB"] = str(db)
        entry = _entry(Path(folder))
        at = AppTest.from_file(entry, default_timeout=600)
        started = time.perf_counter()
        _run(at)  # opens the connection once, as a server's first request does
        print(f"database {source.name} (copied); first run including opening the file: "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {args.runs} runs each")
        print(f"{'page':10} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9} {'warm cpu':>9}")
        over = []
        for page in PAGES:
            at.switch_page(str(ROOT / "ui" / "pages" / f"{page}.py"))
            cold = []
            for _ in range(args.runs):
                _clear()
                cold.append(_run(at)[0])
            warm, cpu = [], []
            for _ in range(args.runs):
                wall, used = _run(at)
                warm.append(wall)
                cpu.append(used)
            c50, c95 = _stats(cold)
            w50, w95 = _stats(warm)
            if w95 >= GOAL_MS:
                over.append(page)
            print(f"{page:10} {c50:9.0f} {c95:9.0f} {w50:9.0f} {w95:9.0f} {statistics.median(cpu):9.0f}")
        print(f"pages over the {GOAL_MS} ms warm goal (p95): " + (", ".join(over) if over else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
