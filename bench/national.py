"""Page runs on a national database: 43 forces over 15 years, 100 million rows, through the monthly aggregates.

    python bench/national.py [--rows 100000000] [--db PATH] [--runs 20] [--rebuild] [--memory-limit 6GB]

The database (default bench/out/national-<rows>.duckdb, git-ignored) is generated when missing with DuckDB SQL
(no Python loops over rows) straight into batches, asb_incidents and crimes — one source per force ('force-01' ..
'force-43'), one batch per force and year (2011-01 .. 2025-12), a quarter of the rows ASB incidents with call types,
the rest crimes with outcomes and outcome dates — then the aggregates are built by store.refresh_aggregates, the
function every load runs, and the file is checkpointed.

Then each page's server-side work is timed as a page run does it: the sidebar's choices (analytics.views.common
.sidebar_choices) and the page's views (analytics.views.*.build) with the default filters, on a cursor of one open
read-only connection, without Streamlit's result cache (every run recomputes the figures):
- warm: the same page again in the same process (p50, p95 over --runs runs);
- cold: a fresh process per page that opens the file and runs the page once (the time from opening the file to
  the views built; the Python imports before it are printed apart);
- memory: peak RSS (VmHWM) of the warm process and of each cold one. Linux keeps ru_maxrss across exec, so a child
  would report its parent's peak; VmHWM starts again with the new program. A load's aggregate refresh (timed
  first) and the database's generation run in processes of their own, so their memory is not counted as the
  pages'.
Goals (issue 13): warm p95 < 150 ms, cold < 1 s, RSS < 1 GB. Printed with the load average: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

STARTED = time.perf_counter()

from analytics import store  # noqa: E402
from analytics.domain import definitions  # noqa: E402
from analytics.domain.kinds import Measure  # noqa: E402
from analytics.figures import coverage  # noqa: E402
from analytics.views import asb, control, crime, data, districts, overview  # noqa: E402
from analytics.views.common import Selection, sidebar_choices  # noqa: E402

IMPORTED = time.perf_counter()

OUT = ROOT / "bench" / "out"
FORCES = 43
FIRST_YEAR, YEARS = 2011, 15
ASB_SHARE = 0.25
GOAL_WARM_MS, GOAL_COLD_MS, GOAL_MB = 150, 1000, 1024
OUTCOMES = ["18", "14", "15", "16", "1", "8", "3", "Under investigation", "20", "21", "Awaiting court outcome", "9"]


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"  # fixed lists, not user input


def _pick(values: list[str], seed: str) -> str:
    """SQL picking one of the values by a hash of the row (deterministic)."""
    return f"{_sql_list(values)}[1 + CAST(hash({seed}) % {len(values)} AS INTEGER)]"


def build(path: Path, rows: int, memory_limit: str) -> None:
    """Generate the national database at path: year by year, every force's rows of the year in one statement."""
    districts_ = [d.name for d in definitions.districts()] + [definitions.OUTSIDE_FORCE_AREA]
    call_types = [c.call_type for c in definitions.call_types()][:10]
    offences = [g.name for g in definitions.offence_groups()]
    path.parent.mkdir(parents=True, exist_ok=True)
    con = store.connect(path)
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = true")
    started = time.perf_counter()
    per_year = rows // YEARS
    asb_rows = int(per_year * ASB_SHARE)
    crime_rows = per_year - asb_rows
    for y in range(YEARS):
        year = FIRST_YEAR + y
        months = [f"{year}-{m:02d}" for m in range(1, 13)]
        # batch id = force * YEARS + year index + 1; source 'force-NN'
        position = "CAST(((j * {f}) % {n}) * 12 // {n} AS INTEGER)"
        force = "CAST(j * {f} // {n} AS INTEGER)"
        with store.transaction(con):
            con.execute(
                "INSERT INTO batches (id, file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, "
                "rows_read, rows_loaded, rows_rejected, months, status) "
                "SELECT f * ? + ? + 1, 'national-' || lpad(CAST(f + 1 AS VARCHAR), 2, '0') || '-' || ? || '.csv', "
                "sha256(CAST(f * 100000 + ? AS VARCHAR)), 0, 'force-' || lpad(CAST(f + 1 AS VARCHAR), 2, '0'), "
                "'asb+crime', 'asb', 'bench', now(), 0, 0, 0, ?, 'loaded' FROM range(?) t(f)",
                [YEARS, y, year, year, months, FORCES])
            for sql in (
                f"""
                    INSERT INTO asb_incidents (batch_id, source, source_row, incident_ref, reported_date, month,
                                               district, call_type)
                    SELECT f * {YEARS} + {y} + 1, 'force-' || lpad(CAST(f + 1 AS VARCHAR), 2, '0'), j + 1,
                           'A{year}-' || j, m + to_days(CAST(hash(j) % 28 AS INTEGER)), m,
                           {_pick(districts_, 'j * 7')}, {_pick(call_types, 'j * 13')}
                    FROM (SELECT j, {force.format(f=FORCES, n=asb_rows)} AS f,
                                 CAST(DATE '{year}-01-01' + to_months({position.format(f=FORCES, n=asb_rows)})
                                      AS DATE) AS m
                          FROM range({asb_rows}) t(j))""",
                f"""
                    INSERT INTO crimes (batch_id, source, source_row, crime_ref, recorded_date, month, district,
                                        offence_group, outcome, outcome_code, outcome_date)
                    SELECT f * {YEARS} + {y} + 1, 'force-' || lpad(CAST(f + 1 AS VARCHAR), 2, '0'), j + 1,
                           'C{year}-' || j, m + to_days(CAST(hash(j) % 28 AS INTEGER)), m,
                           {_pick(districts_, 'j * 7')}, {_pick(offences, 'j * 13')}, o, o,
                           CASE WHEN o = 'Under investigation' THEN NULL
                                ELSE m + to_days(CAST(20 + hash(j * 17) % 90 AS INTEGER)) END
                    FROM (SELECT j, {force.format(f=FORCES, n=crime_rows)} AS f,
                                 CAST(DATE '{year}-01-01' + to_months({position.format(f=FORCES, n=crime_rows)})
                                      AS DATE) AS m,
                                 {_pick(OUTCOMES, 'j * 11')} AS o
                          FROM range({crime_rows}) t(j))""",
            ):
                con.execute(sql)
            con.execute(
                "UPDATE batches b SET rows_read = c.n, rows_loaded = c.n FROM ("
                "SELECT batch_id, sum(n) AS n FROM ("
                "SELECT batch_id, count(*) AS n FROM asb_incidents WHERE month BETWEEN ? AND ? GROUP BY ALL "
                "UNION ALL SELECT batch_id, count(*) FROM crimes WHERE month BETWEEN ? AND ? GROUP BY ALL) "
                "GROUP BY ALL) c WHERE b.id = c.batch_id",
                [f"{year}-01-01", f"{year}-12-01"] * 2)
        print(f"  {year}: {per_year:,} rows, {time.perf_counter() - started:.0f} s so far", flush=True)
    inserted = time.perf_counter()
    # the batches were numbered here, not by the sequence: move it past them, so a load into this database works
    con.execute("SELECT max(nextval('batch_ids')) FROM range((SELECT max(id) FROM batches))").fetchall()
    with store.transaction(con):
        store.refresh_aggregates(con)
    refreshed = time.perf_counter()
    con.execute("CHECKPOINT")
    con.close()
    print(f"built {path} ({path.stat().st_size / 1e9:.1f} GB): {rows:,} rows in {inserted - started:.0f} s, "
          f"aggregates in {refreshed - inserted:.0f} s, checkpoint {time.perf_counter() - refreshed:.0f} s",
          flush=True)


def pages(con: Any) -> dict[str, Callable[[], object]]:
    """Each page's server-side run with the default filters, as ui/pages/*.py ask for it (no result cache)."""
    def selection() -> Selection:
        choices = sidebar_choices(con, None, None)
        assert choices.default_end is not None
        return Selection(choices.sources[0], choices.default_end, choices.kind, None)

    def control_page() -> object:
        sel = selection()
        months = control.MONTH_CHOICES[1]
        control.choices(con, sel, Measure.ASB, months)
        return control.build(con, sel, Measure.ASB, None, months, None)

    return {
        "overview": lambda: overview.build(con, selection()),
        "asb": lambda: asb.build(con, selection()),
        "crime": lambda: crime.build(con, selection()),
        "districts": lambda: districts.build(con, selection(), Measure.ASB, "rate_per_1000"),
        "control": control_page,
        "data": lambda: (selection(), data.build(con)),
    }


def slice_refresh(path: Path) -> float:
    """Milliseconds to rebuild the aggregates of one source and month, as a monthly load of one force does (in
    transactions rolled back, so the file is unchanged)."""
    con = store.connect(path)
    source, month = con.execute("SELECT source, strftime(max(month), '%Y-%m') FROM fact_months GROUP BY source "
                                "ORDER BY source LIMIT 1").fetchone()
    took = []
    for _ in range(3):  # the median of three: the first reads the file from disk
        con.execute("BEGIN TRANSACTION")
        start = time.perf_counter()
        store.refresh_aggregates(con, {source: [month]})
        took.append((time.perf_counter() - start) * 1000)
        con.execute("ROLLBACK")
    con.close()
    return statistics.median(took)


def _rss_mb() -> float:
    """Peak resident memory of this process since it started its program, in MB."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):  # no /proc: ru_maxrss, which may include a parent's peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cold(path: Path, page: str) -> None:
    """One page run in this fresh process; prints a JSON line."""
    opened = time.perf_counter()
    con = store.connect(path, read_only=True)
    cur = con.cursor()
    pages(cur)[page]()
    done = time.perf_counter()
    print(json.dumps({"page": page, "ms": (done - opened) * 1000, "imports_ms": (IMPORTED - STARTED) * 1000,
                      "rss_mb": _rss_mb()}))


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="generate the database again even if it exists")
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB's memory limit while generating")
    parser.add_argument("--build-only", action="store_true", help="generate the database, measure nothing")
    parser.add_argument("--cold-page", help=argparse.SUPPRESS)  # internal: one cold page run in this process
    parser.add_argument("--slice-refresh", action="store_true", help=argparse.SUPPRESS)  # internal: time a refresh
    args = parser.parse_args()
    path = args.db or OUT / f"national-{args.rows}.duckdb"
    if args.cold_page:
        cold(path, args.cold_page)
        return 0
    if args.slice_refresh:
        print(json.dumps({"ms": slice_refresh(path), "rss_mb": _rss_mb()}))
        return 0
    if args.rebuild and path.exists():
        path.unlink()
        Path(f"{path}.wal").unlink(missing_ok=True)
    if args.build_only:
        if not path.exists():
            build(path, args.rows, args.memory_limit)
        return 0
    if not path.exists():  # in a process of its own, so the pages' peak memory is theirs alone
        subprocess.run([sys.executable, __file__, "--db", str(path), "--rows", str(args.rows), "--memory-limit",
                        args.memory_limit, "--build-only"], check=True)

    out = subprocess.run([sys.executable, __file__, "--db", str(path), "--slice-refresh"],
                         capture_output=True, text=True, check=True)
    refresh = json.loads(out.stdout.strip().splitlines()[-1])
    con = store.connect(path, read_only=True)
    live, aggregate_rows = con.execute(
        "SELECT (SELECT sum(live) FROM fact_months WHERE kind IN ('asb', 'crime')), "
        f"{' + '.join(f'(SELECT count(*) FROM {t})' for t in store.AGGREGATE_TABLES)}").fetchone()
    print(f"database {path} ({path.stat().st_size / 1e9:.1f} GB): {live:,} live rows, {aggregate_rows:,} aggregate "
          f"rows; {len(coverage.loaded_sources(con))} sources")
    print(f"a load's aggregate refresh of one source and month: {refresh['ms']:,.0f} ms "
          f"(in a process of its own: peak RSS {refresh['rss_mb']:,.0f} MB)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared with other work); "
          f"{args.runs} warm runs per page")
    cur = con.cursor()
    calls = pages(cur)
    results: dict[str, dict[str, float]] = {}
    for page, fn in calls.items():
        fn()  # the first run in this process fills DuckDB's buffers and the whole-history counts
        times, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        coverage.clear_cache()
        start = time.perf_counter()
        fn()
        uncached = (time.perf_counter() - start) * 1000
        results[page] = {"p50": statistics.median(times), "p95": _p95(times), "cpu": statistics.median(cpu),
                         "uncached": uncached}
    warm_rss = _rss_mb()
    con.close()
    for page in calls:
        out = subprocess.run([sys.executable, __file__, "--db", str(path), "--cold-page", page],
                             capture_output=True, text=True, check=True)
        found = json.loads(out.stdout.strip().splitlines()[-1])
        results[page].update(cold=found["ms"], imports=found["imports_ms"], cold_rss=found["rss_mb"])

    print(f"{'page':10} {'warm p50':>9} {'warm p95':>9} {'cpu p50':>8} {'1st after load':>14} {'cold':>7} "
          f"{'cold RSS':>9}  ratio to goals (warm p95 / 150 ms, cold / 1 s)")
    for page, r in results.items():
        print(f"{page:10} {r['p50']:9.1f} {r['p95']:9.1f} {r['cpu']:8.1f} {r['uncached']:14.1f} {r['cold']:7.0f} "
              f"{r['cold_rss']:7.0f} MB  {r['p95'] / GOAL_WARM_MS:.2f} / {r['cold'] / GOAL_COLD_MS:.2f}")
    imports = statistics.median(r["imports"] for r in results.values())
    peak = max([warm_rss] + [r["cold_rss"] for r in results.values()])
    print(f"times in ms; '1st after load': the first run after the whole-history counts are dropped (as after a "
          f"load), warm buffers; cold: a fresh process, from opening the file to the views built (its Python "
          f"imports before that: {imports:.0f} ms)")
    print(f"peak RSS: warm process {warm_rss:,.0f} MB, largest cold process "
          f"{max(r['cold_rss'] for r in results.values()):,.0f} MB (goal < {GOAL_MB:,} MB: ratio {peak / GOAL_MB:.2f})")
    over = [p for p, r in results.items() if r["p95"] >= GOAL_WARM_MS or r["cold"] >= GOAL_COLD_MS]
    print("pages over a goal: " + (", ".join(over) if over else "none") + f"; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
