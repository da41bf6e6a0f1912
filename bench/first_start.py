"""How long the dashboard's first start spends loading the demo into an empty database: the real police.uk files
alone, and with the synthetic force extract generated and loaded beside them (what ensure_demo does), each into a
fresh file, alternating so both see the same machine. Also the parts: generating and writing the synthetic
extract, and loading it. Prints seconds (median of the runs, and each run), and the CPU seconds of the first
start (all threads), steadier than wall time when other work shares the machine.

    python bench/first_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
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
    for name, seconds in found.items():
        print(f"{name:32} {statistics.median(seconds):6.1f} s   (runs: {', '.join(f'{s:.1f}' for s in seconds)})")
    print(f"{'first start, CPU seconds':32} {statistics.median(first_start_cpu):6.1f} s   "
          f"(runs: {', '.join(f'{s:.1f}' for s in first_start_cpu)}; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
