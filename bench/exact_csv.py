"""Peak memory of reading a police.uk CSV on the exact path (an empty line between data rows) against the fast path.

    python bench/exact_csv.py [--mb 110]

A police.uk CSV of about ``--mb`` MB is generated in bench/out/ (reused when present), with a copy that has one
empty line after its first data row, which sends it through the exact (Python csv) reader. Each file is read by
read_file in a fresh process, so the peak resident memory (VmHWM) printed is that read's alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.ingest import synthetic  # noqa: E402

OUT = ROOT / "bench" / "out"
BYTES_PER_ROW = 204  # about, for synthetic police.uk rows

CHILD = """
import sys, time
import duckdb
from analytics.ingest.readers import read_file
con = duckdb.connect()
started = time.perf_counter()
staged = read_file(con, sys.argv[1])
seconds = time.perf_counter() - started
peak = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))
print(staged.rows_read, len(staged.problems), round(seconds, 2), peak // 1024)
"""


def files(mb: int) -> tuple[Path, Path]:
    rows = mb * 1_000_000 // BYTES_PER_ROW
    plain = OUT / f"police-uk-{rows}.csv"
    if not plain.exists():
        synthetic.write_police_uk_csv(plain.with_suffix(".tmp"), rows, months=("2023-01", "2023-12"))
        plain.with_suffix(".tmp").rename(plain)
    blank = OUT / f"police-uk-{rows}-empty-line.csv"
    if not blank.exists():
        with open(plain, "rb") as src, open(blank, "wb") as dst:
            dst.write(src.readline() + src.readline() + b"\n")
            while block := src.read(1 << 20):
                dst.write(block)
    return plain, blank


def measure(path: Path) -> tuple[int, int, float, int]:
    env = {**os.environ, "ASB_MAX_UPLOAD_MB": "100000", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=True)
    rows, problems, seconds, peak_mb = done.stdout.split()
    return int(rows), int(problems), float(seconds), int(peak_mb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=110, help="size of the generated CSV in MB (default 110)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    plain, blank = files(args.mb)
    print(f"files ready in {time.perf_counter() - started:.0f} s: {plain.name} ({plain.stat().st_size / 1e6:.0f} MB)")
    print(f"{'read_file on':<34} {'rows':>10} {'problems':>9} {'seconds':>8} {'peak RSS MB':>12}")
    for label, path in (("fast path (no empty line)", plain), ("exact path (one empty line)", blank)):
        rows, problems, seconds, peak = measure(path)
        print(f"{label:<34} {rows:>10,} {problems:>9} {seconds:>8.1f} {peak:>12,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
