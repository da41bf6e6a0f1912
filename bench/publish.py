"""How long publishing takes: the writer's CHECKPOINT, copy, fsync, check and pointer swap after a write.

    python bench/publish.py --db PATH [--runs 5]        # a copy of PATH is published (PATH itself is not touched)
    python bench/publish.py --rows 10000000 [--runs 3]  # bench/queries.py's generated database of that many rows

The database is first copied to a scratch folder beside it (not timed). Each run removes the scratch pointer, so
the writer publishes in full: `publish.writing()` with an empty block — open read-write, CHECKPOINT, copy to
published/<name>.<seq>.tmp, fsync, open the copy once read-only, rename, write CURRENT, prune — timed as a whole,
and the copy alone. Printed: the file size, seconds per run (min, median, max) and MB/s of the copy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import publish  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the database to publish a copy of")
    parser.add_argument("--rows", type=int, help="use bench/queries.py's generated database of this many rows")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if (args.db is None) == (args.rows is None):
        parser.error("give --db PATH or --rows N")
    if args.rows is not None:
        sys.path.insert(0, str(ROOT / "bench"))
        import queries  # bench/queries.py

        source = queries.OUT / f"queries-{args.rows}.duckdb"
        if not source.exists():
            source.parent.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            queries.build(source, args.rows)
            print(f"generated {source} ({args.rows:,} rows) in {time.perf_counter() - started:.1f} s")
    else:
        source = args.db
    with tempfile.TemporaryDirectory(dir=source.parent, prefix=".publish-bench-") as scratch:
        master = Path(scratch) / "bench.duckdb"
        shutil.copyfile(source, master)
        size_mb = master.stat().st_size / 1e6
        whole, copies = [], []
        real_copy = publish._copy

        def timed_copy(*a: object) -> None:
            started = time.perf_counter()
            real_copy(*a)  # type: ignore[arg-type]
            copies.append(time.perf_counter() - started)

        publish._copy = timed_copy  # type: ignore[assignment]
        for _ in range(args.runs):
            publish.pointer(master).unlink(missing_ok=True)
            os.sync()
            started = time.perf_counter()
            with publish.writing(master):
                pass
            whole.append(time.perf_counter() - started)
        publish._copy = real_copy
    print(f"{source}: {size_mb:.1f} MB; {args.runs} publishes; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  whole publish (open, CHECKPOINT, copy, fsync, check, rename, CURRENT, prune): min {min(whole):.2f} s, "
          f"median {statistics.median(whole):.2f} s, max {max(whole):.2f} s")
    print(f"  the copy and fsync alone: min {min(copies):.2f} s, median {statistics.median(copies):.2f} s, "
          f"max {max(copies):.2f} s ({size_mb / statistics.median(copies):.0f} MB/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
