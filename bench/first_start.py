"""How long the dashboard's first start spends loading the demo into an empty database: its two parts, the real
police.uk files (start_demo: loaded and published before the Overview is drawn) and the synthetic source with its
measures and case reviews (finish_demo: loaded in the background, then published again), each into a fresh file.
Also the police.uk files loaded one file at a time (load_files, as before the first start read them as one), and
the synthetic part's pieces: generating and writing the extract, and loading it. Prints seconds (median of the
runs, and each run), and the CPU seconds of each part (all threads), steadier than wall time when other work shares
the machine.

    python bench/first_start.py [--runs N] [--browser]

With --browser it also measures the whole first start, once the README's first command has installed and compiled
the project: from `streamlit run dashboard.py` on an empty database to the Overview fully drawn (its charts and
figures, the script run over) in headless Chromium, and from the same start to the background load's copy
published (the synthetic source readable by the next page run).
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

from analytics import publish, store  # noqa: E402
from analytics.ingest import synthetic  # noqa: E402
from analytics.ingest.demo import DEMO_USER, SYNTHETIC_SOURCE, demo_files, demo_pending, finish_demo, start_demo  # noqa: E402
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


def _background_published(db: Path) -> bool:
    """Whether the copy readers get now holds the whole demo (the background load has published)."""
    copy = publish.current(db)
    if copy is None:
        return False
    con = publish.open_copy(copy)
    if con is None:
        return False
    try:
        return not demo_pending(con)
    finally:
        con.close()


def _process_cpu(pid: int) -> float:
    """CPU seconds a process has used, all its threads (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# A browser just launched spends about 1 CPU second over its first second and a half (measured: 0.8 s, then 0.2 s,
# then none), which on 2 cores would be taken from the server's start: the clock starts once it is idle, like the
# browser a user already has open.
BROWSER_SETTLES = 2.0
COMPILED = ("dashboard.py", "analytics", "ui")  # the README's first command compiles these


def browser_first_start(folder: Path) -> tuple[float, float, float, float]:
    """Seconds from starting `streamlit run dashboard.py` on an empty database to the Overview fully drawn, and to
    the background load's copy published; and the server process's CPU seconds at each (steadier than wall time on
    a shared machine)."""
    from playwright.sync_api import sync_playwright

    # as the README's command does before `streamlit run`: the project's modules compiled once, as pip compiles an
    # installed package's (where PYTHONDONTWRITEBYTECODE is set, as on CI, every start would compile them again)
    subprocess.run([sys.executable, "-m", "compileall", "-q", *COMPILED], cwd=ROOT, check=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    db = folder / "browser.duckdb"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        time.sleep(BROWSER_SETTLES)
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "ASB_DB": str(db)},
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
            drawn, drawn_cpu = time.perf_counter() - started, _process_cpu(server.pid)
            while not _background_published(db):
                if server.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError("the background load did not publish")
                time.sleep(0.05)
            return drawn, time.perf_counter() - started, drawn_cpu, _process_cpu(server.pid)
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
    found: dict[str, list[float]] = {"police.uk part (start_demo)": [], "police.uk one file at a time": [],
                                     "synthetic part (finish_demo)": [], "synthetic: generate and write": [],
                                     "synthetic: load": []}
    cpu_found: dict[str, list[float]] = {"police.uk part, CPU seconds": [], "... one file at a time, CPU s": [],
                                         "synthetic part, CPU seconds": []}
    with tempfile.TemporaryDirectory() as folder:
        for i in range(runs):
            con = store.connect(Path(folder) / f"demo-{i}.duckdb")
            for part, cpu_name, fn in (("police.uk part (start_demo)", "police.uk part, CPU seconds", start_demo),
                                       ("synthetic part (finish_demo)", "synthetic part, CPU seconds", finish_demo)):
                cpu = cpu_seconds()
                found[part].append(timed(fn, con))
                cpu_found[cpu_name].append(cpu_seconds() - cpu)
            con.close()
            # start_demo reads the files as one (analytics.ingest.bundle); load_files reads them one at a time
            con = store.connect(Path(folder) / f"each-{i}.duckdb")
            cpu = cpu_seconds()
            found["police.uk one file at a time"].append(
                timed(load_files, con, demo_files(), source_format="police-uk", loaded_by=DEMO_USER))
            cpu_found["... one file at a time, CPU s"].append(cpu_seconds() - cpu)
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
                (Path(folder) / f"browser-{i}").mkdir()
                drawn, published, drawn_cpu, published_cpu = browser_first_start(Path(folder) / f"browser-{i}")
                found.setdefault("streamlit run to Overview drawn", []).append(drawn)
                found.setdefault("... to the whole demo published", []).append(published)
                cpu_found.setdefault("server CPU s, Overview drawn", []).append(drawn_cpu)
                cpu_found.setdefault("server CPU s, demo published", []).append(published_cpu)
    for name, seconds in found.items():
        print(f"{name:32} {statistics.median(seconds):6.1f} s   (runs: {', '.join(f'{s:.1f}' for s in seconds)})")
    for name, seconds in cpu_found.items():
        print(f"{name:32} {statistics.median(seconds):6.1f} s   (runs: {', '.join(f'{s:.1f}' for s in seconds)})")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

if __name__ == "__main__":
    main()
