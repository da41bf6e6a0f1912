"""How long the dashboard's first start spends loading the demo into an empty database: the real police.uk files
alone, and with the synthetic force extract generated and loaded beside them (what ensure_demo does), each into a
fresh file, alternating so both see the same machine. Also the parts: generating and writing the synthetic
extract, and loading it. Prints seconds (median of the runs, and each run), and the CPU seconds of the first
start (all threads), steadier than wall time when other work shares the machine.

    python bench/first_start.py [--runs N] [--browser]

With --browser it also measures the whole first start: from `streamlit run dashboard.py` on an empty database to
the Overview fully drawn (its charts and figures, the script run over) in headless Chromium.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import store  # noqa: E402
from analytics.ingest import synthetic  # noqa: E402
from analytics.ingest.demo import SYNTHETIC_SOURCE, ensure_demo, load_demo  # noqa: E402
from analytics.ingest.load import load_files  # noqa: E402


def timed(fn: Callable[..., object], *args: object, **kwargs: object) -> float:
    t = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def browser_first_start(folder: Path) -> float:
    """Seconds from starting `streamlit run dashboard.py` on an empty database to the Overview fully drawn."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "ASB_DB": str(folder / "browser.duckdb")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    page.goto(url, timeout=2_000)
                    break
                except Exception:  # not listening yet
                    if server.poll() is not None or time.perf_counter() - started > 120:
                        raise
                    time.sleep(0.05)
            page.wait_for_selector(".js-plotly-plot", timeout=180_000)
            page.get_by_role("heading", name="Overview").first.wait_for(timeout=60_000)
            page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                   timeout=120_000)
            return time.perf_counter() - started
        finally:
            browser.close()
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also time streamlit run to the Overview drawn")
    args = parser.parse_args()
    runs = args.runs
    found: dict[str, list[float]] = {"police.uk files only": [], "first start (both sources)": [],
                                     "synthetic: generate and write": [], "synthetic: load": []}
    first_start_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(runs):
            con = store.connect(Path(folder) / f"real-{i}.duckdb")
            found["police.uk files only"].append(timed(load_demo, con))
            con.close()
            con = store.connect(Path(folder) / f"both-{i}.duckdb")
            cpu = cpu_seconds()
            found["first start (both sources)"].append(timed(ensure_demo, con))
            first_start_cpu.append(cpu_seconds() - cpu)
            con.close()
            out = Path(folder) / f"extract-{i}"
            t = time.perf_counter()
            paths = synthetic.write_synthetic_extracts(out, taken=True)
            found["synthetic: generate and write"].append(time.perf_counter() - t)
            con = store.connect(":memory:")
            found["synthetic: load"].append(
                timed(load_files, con, sorted(paths.values()), source_name=SYNTHETIC_SOURCE))
            con.close()
            if args.browser:
                found.setdefault("streamlit run to Overview drawn", []).append(
                    browser_first_start(Path(folder) / f"browser-{i}"))
    for name, seconds in found.items():
        print(f"{name:32} {statistics.median(seconds):6.1f} s   (runs: {', '.join(f'{s:.1f}' for s in seconds)})")
    print(f"{'first start, CPU seconds':32} {statistics.median(first_start_cpu):6.1f} s   "
          f"(runs: {', '.join(f'{s:.1f}' for s in first_start_cpu)}; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
