"""Casework speed on a 10-million-row ASB database: the caller lookup at first contact and the repeat-caller queries.

    python bench/casework.py [--rows 10000000] [--runs 200] [--db PATH]

The database (bench/out/casework-<rows>.duckdb, git-ignored) is made of the synthetic Kent ASB extract
(analytics/ingest/synthetic.py) drawn with one seed per "force" until there are enough rows (about 126,000 a
seed, 2021-11..2025-12), each seed's caller references prefixed with its number so callers never merge across
seeds, and one in ten written untidily (lower case, a space) so the caller key has work to do. The rows are stored
in date order, as monthly loads store them, through the caller-key index. It is reused when present.

Printed: p50/p95 (and median CPU) of the lookup (one caller reference, typed untidily or not, as at the latest
date) and of the repeat callers as at a date, plus the month-by-month trend, repeat locations, the location
lookup and a case review added with its lookup (removed again afterwards: the database is scratch); the cost of
keeping the index up to date on a load; peak memory.
Goal (issue 11): the lookup under 100 ms on 10 million rows.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from analytics import store  # noqa: E402
from analytics.casework import repeat, reviews  # noqa: E402
from analytics.domain.callers import CALLER_KEY_SQL  # noqa: E402
from analytics.ingest import synthetic  # noqa: E402

OUT = ROOT / "bench" / "out"
SOURCE = "force"
LOOKUP_GOAL_MS = 100


def build(path: Path, rows: int) -> None:
    started = time.perf_counter()
    con = store.connect(path)
    con.execute("CREATE TABLE bench_staging (incident_ref VARCHAR, reported_date TIMESTAMP, district VARCHAR, "
                "call_type VARCHAR, location VARCHAR, caller_ref VARCHAR, vulnerable BOOLEAN, repeat_caller BOOLEAN)")
    made, seed = 0, 0
    while made < rows:
        frame = synthetic.synthetic_asb(seed=synthetic.DEFAULT_SEED + seed)
        frame = frame.head(rows - made)
        prefix = f"F{seed:03d}-"
        refs = prefix + frame["Caller Ref"]
        untidy = frame.index % 10 == 3
        refs[untidy] = (prefix + " " + frame["Caller Ref"][untidy]).str.lower()
        staged = frame.assign(ref=prefix + frame["Incident Number"], caller=refs,
                              vul=frame["Vulnerable"] == "Y", rep=frame["Repeat Caller"] == "Y")
        con.register("frame", staged[["ref", "reported", "District", "Call Type", "Location", "caller", "vul",
                                      "rep"]])
        con.execute("INSERT INTO bench_staging SELECT * FROM frame")
        con.unregister("frame")
        made += len(frame)
        seed += 1
    generated = time.perf_counter()
    with store.transaction(con):
        con.execute(
            "INSERT INTO batches (id, file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, "
            "rows_read, rows_loaded, rows_rejected, months, status) "
            "VALUES (nextval('batch_ids'), 'bench', repeat('0', 64), 0, ?, "
            "'asb', 'asb', 'bench', now(), ?, ?, 0, [], 'loaded')", [SOURCE, made, made])
        con.execute(f"""
            INSERT INTO asb_incidents (batch_id, source, source_row, incident_ref, reported_date, month, district,
                                       call_type, location, caller_ref, vulnerable, repeat_caller, caller_key)
            SELECT 1, ?, row_number() OVER (ORDER BY reported_date, incident_ref), incident_ref, reported_date,
                   CAST(date_trunc('month', reported_date) AS DATE), district, call_type, location, caller_ref,
                   vulnerable, repeat_caller, {CALLER_KEY_SQL}
            FROM bench_staging ORDER BY reported_date, incident_ref
        """, [SOURCE])
        store.refresh_aggregates(con)  # as every load does (the pages' figures read the monthly aggregates)
    con.execute("DROP TABLE bench_staging")
    con.execute("CHECKPOINT")
    con.close()
    done = time.perf_counter()
    print(f"built {path.name}: {made:,} ASB rows from {seed} seeds; generated in {generated - started:.0f} s, "
          f"stored with the index in {done - generated:.0f} s")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Wall-clock p50 and p95 and median process CPU, in ms, after one warm-up call."""
    fn()
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], statistics.median(cpu)


def index_upkeep(rows: int = 1_000_000) -> tuple[float, float]:
    """Seconds to insert `rows` caller-referenced rows into an empty incident table without and with the index."""
    out = []
    for with_index in (False, True):
        con = duckdb.connect(":memory:")
        con.execute("CREATE TABLE t (caller_ref VARCHAR, caller_key VARCHAR, reported_date TIMESTAMP)")
        if with_index:
            con.execute("CREATE INDEX t_key ON t (caller_key)")
        start = time.perf_counter()
        con.execute(f"INSERT INTO t SELECT caller_ref, {CALLER_KEY_SQL}, TIMESTAMP '2025-01-01' + to_minutes(i) "
                    "FROM (SELECT i, 'c ' || (hash(i) % 300000) AS caller_ref FROM range(?) r(i))", [rows])
        out.append(time.perf_counter() - start)
        con.close()
    return out[0], out[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=200, help="lookups timed (other queries: a tenth, at least 10)")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--only", metavar="WORDS", help="time only the queries whose name holds one of these "
                        "comma-separated words (e.g. lookup,month)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = args.db or OUT / f"casework-{args.rows}.duckdb"
    if not path.exists():
        build(path, args.rows)
    started = time.perf_counter()
    con = store.connect(path)
    opened = time.perf_counter() - started
    cur = con.cursor()
    total, callers, latest = cur.execute(
        "SELECT count(*), count(DISTINCT caller_key), CAST(max(reported_date) AS DATE) FROM asb").fetchall()[0]
    print(f"database {path} with {total:,} live ASB rows, {callers:,} callers, latest {latest}; opened in "
          f"{opened * 1000:.0f} ms")
    rng = random.Random(11)
    frequent = [r[0] for r in cur.execute(
        "SELECT caller_ref FROM asb WHERE caller_key IN (SELECT caller_key FROM asb GROUP BY ALL "
        "HAVING count(*) >= 20 ORDER BY caller_key LIMIT 2000) ORDER BY ALL").fetchall()]
    anyone = [r[0] for r in cur.execute("SELECT caller_ref FROM asb USING SAMPLE 2000 ROWS (reservoir, 5)")
              .fetchall()]
    typed = [rng.choice(frequent) for _ in range(args.runs // 2)] + [rng.choice(anyone) for _ in range(args.runs // 2)]
    typed = [t.lower().replace("-", "- ") if i % 3 == 0 else t for i, t in enumerate(typed)]
    picks = iter(typed * 2 + typed)
    other_runs = max(10, args.runs // 10)
    dates = [latest - timedelta(days=30 * k) for k in range(other_runs + 1)]
    as_at = iter(dates * 3)
    found = repeat.caller_lookup(cur, source=SOURCE, ref=typed[0], as_of=latest)
    n_repeat = len(repeat.repeat_callers(cur, source=SOURCE, as_of=latest))
    print(f"a typed reference {typed[0]!r}: {found.count} incidents in 6 months, {found.earlier} earlier; "
          f"{n_repeat:,} repeat callers as at {latest}")
    end_month = f"{latest:%Y-%m}"

    def add_review() -> None:
        reviews.add(cur, received=latest, district="Ashford", caller_ref=next(picks), source=SOURCE, by="bench")

    calls: list[tuple[str, Callable[[], object], int]] = [
        ("caller lookup (one reference)", lambda: repeat.caller_lookup(cur, source=SOURCE, ref=next(picks),
                                                                      as_of=latest), args.runs),
        ("repeat callers as at D", lambda: repeat.repeat_callers(cur, source=SOURCE, as_of=next(as_at)),
         other_runs),
        ("repeat callers each month (13)", lambda: repeat.repeat_trend(cur, source=SOURCE, as_of=latest),
         other_runs),
        ("repeat locations 6 months", lambda: repeat.repeat_locations(cur, source=SOURCE, end_month=end_month,
                                                                      months=6, min_incidents=10), other_runs),
        ("location lookup", lambda: repeat.location_lookup(cur, source=SOURCE, text="school lane", as_of=latest),
         other_runs),
        ("caller sources", lambda: repeat.caller_sources(cur), other_runs),
        ("case review add (with its lookup)", add_review, other_runs),
    ]
    print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'query':34} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8}")
    wanted = [w.strip() for w in args.only.split(",")] if args.only else None
    for name, fn, runs in calls:
        if wanted and not any(w in name for w in wanted):
            continue
        p50, p95, cpu = timed(fn, runs)
        flag = "  over goal" if name.startswith("caller lookup") and p95 >= LOOKUP_GOAL_MS else ""
        print(f"{name:34} {runs:5} {p50:8.1f} {p95:8.1f} {cpu:8.1f}{flag}")
    if not wanted:
        without, with_index = index_upkeep()
        print(f"storing 1,000,000 caller-referenced rows: {without:.2f} s without the index, {with_index:.2f} s "
              "with it")
    print(f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"load average after timing: {os.getloadavg()[0]:.1f}")
    # the benchmark's own applications go again: this file is a generated scratch database
    cur.execute("DELETE FROM case_review_changes WHERE changed_by = 'bench'")
    cur.execute("DELETE FROM case_reviews WHERE created_by = 'bench'")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
