"""How long the performance pack takes to build: Excel and PDF, internal and public, on the bundled demo (each of its
sources: police.uk and the synthetic extract, with its case reviews and measures) and on
the 10-million-row database bench/queries.py builds (bench/out/queries-10000000.duckdb, used when it exists).

For each: the pack's content (every figure, from the database), its charts drawn by kaleido in Chromium (first
with a fresh browser and no kept images, as the command line does; then with the dashboard's kept browser and
kept images, as a second press of the button is), and the workbook and the PDF written. Prints seconds.

    python bench/pack.py [--db PATH] [--end YYYY-MM] [--months N] [--source NAME] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import store  # noqa: E402
from analytics.domain.periods import make_period  # noqa: E402
from analytics.figures import coverage  # noqa: E402
from analytics.ingest.demo import load_demo  # noqa: E402
from analytics.report.pack import excel, images, pdf  # noqa: E402
from analytics.views.pack_sections import build_pack  # noqa: E402

BIG = ROOT / "bench" / "out" / "queries-10000000.duckdb"


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def bench(name: str, db: Path, end: str | None, months: int, source: str | None, runs: int) -> None:
    con = store.connect(db, read_only=True)
    try:
        source = source or coverage.loaded_sources(con)[0]
        end = end or coverage.default_end_month(con, source=source)
        assert end is not None
        period = make_period(end, f"{months}m")
        rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("asb", "crime"))
        print(f"\n{name}: {db} ({rows:,} live rows), source {source}, {period.label}")
        for public in (False, True):
            content = []
            for _ in range(runs):
                pack, s = timed(build_pack, con, period=period, source=source, public=public)
                content.append(s)
            images.clear_cache()
            images.keep_browser(False)
            drawn, cold = timed(images.render, pack.charts())
            images.keep_browser(True)
            images.clear_cache()
            timed(images.render, pack.charts())  # opens the kept browser
            images.clear_cache()
            _, warm = timed(images.render, pack.charts())
            _, cached = timed(images.render, pack.charts())
            xlsx = [timed(excel.write_workbook, pack, drawn)[1] for _ in range(runs)]
            pdfs = [timed(pdf.write_pdf, pack, drawn)[1] for _ in range(runs)]
            c, x, p = statistics.median(content), statistics.median(xlsx), statistics.median(pdfs)
            word = "public  " if public else "internal"
            print(f"  {word}: content {c:5.2f} s | {len(pack.charts())} charts: fresh browser {cold:5.2f} s, "
                  f"kept browser {warm:5.2f} s, kept images {cached:5.3f} s | write xlsx {x:5.2f} s, pdf {p:5.2f} s")
            print(f"  {word}: a pack from the command line: xlsx {c + cold + x:5.2f} s, pdf {c + cold + p:5.2f} s; "
                  f"from the dashboard's second view: xlsx {c + warm + x:5.2f} s, pdf {c + warm + p:5.2f} s")
        images.keep_browser(False)
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a database to measure instead of the demo and the 10M one")
    parser.add_argument("--end", help="period end (default: the source's default month)")
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--source")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.db:
        bench(args.db.name, args.db, args.end, args.months, args.source, args.runs)
        return
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo.duckdb"
        con = store.connect(demo)
        load_demo(con, synthetic=True)  # with the casework register and the measures the pack's sections draw on
        sources = [args.source] if args.source else coverage.loaded_sources(con)
        con.close()
        for source in sources:
            bench(f"demo ({source})", demo, args.end, args.months, source, args.runs)
    if BIG.exists():
        bench("10 million rows", BIG, args.end, args.months, args.source, args.runs)
    else:
        print(f"\n{BIG} does not exist: build it with python bench/queries.py, then run this again.")


if __name__ == "__main__":
    main()
