"""Analytics speed on a 10-million-row database: every function a page calls, warm, with the process's peak memory.

    python bench/queries.py [--rows 10000000] [--runs 20] [--db PATH]

The database (bench/out/queries-<rows>.duckdb, git-ignored) is generated with DuckDB SQL straight into
asb_incidents and crimes plus one batches row, at the scale of all 43 forces over five years (2021-01 .. 2025-12),
and reused when present. One source ('force') with call types, outcomes and outcome dates, so every function has
work to do. Goals (DESIGN §5, issue): each function under 200 ms warm (p50 and p95 printed); peak memory < 1 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import store  # noqa: E402
from analytics.domain.periods import make_period  # noqa: E402
from analytics.figures import breakdowns, counts, coverage, rates, solved  # noqa: E402
from analytics.report.summary import build_summary  # noqa: E402

OUT = ROOT / "bench" / "out"
SOURCE = "force"
FIRST_MONTH = "2021-01-01"
MONTHS = 60
ASB_SHARE = 0.25  # of all rows; the rest are crimes
GOAL_MS = 200
GOAL_MB = 1024

DISTRICTS = ["Ashford", "Canterbury", "Dartford", "Dover", "Folkestone and Hythe", "Gravesham", "Maidstone",
             "Medway", "Sevenoaks", "Swale", "Thanet", "Tonbridge and Malling", "Tunbridge Wells",
             "Outside force area"]
CALL_TYPES = ["Motor vehicle nuisance on road", "Rowdy or inconsiderate behaviour", "Neighbour dispute",
              "Noise nuisance", "Fly-tipping", "Street drinking", "Intimidation or harassment", "Graffiti"]
OFFENCES = ["Violence against the person", "Sexual offences", "Robbery", "Burglary", "Vehicle crime", "Shoplifting",
            "Other theft", "Criminal damage and arson", "Drugs", "Public order", "Possession of weapons",
            "Other crime"]
OUTCOMES = ["18", "14", "15", "16", "1", "8", "3", "Under investigation", "20", "21"]


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"  # fixed lists above


def build(path: Path, rows: int) -> None:
    """Generate the database; rows arrive month by month, as monthly loads would store them."""
    con = store.connect(path)
    asb_rows = int(rows * ASB_SHARE)
    crime_rows = rows - asb_rows
    started = time.perf_counter()
    with store.transaction(con):
        con.execute(
            "INSERT INTO batches (id, file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, "
            "rows_read, rows_loaded, rows_rejected, months, status) "
            "VALUES (nextval('batch_ids'), 'bench', repeat('0', 64), 0, ?, "
            "'asb+crime', 'asb', 'bench', now(), ?, ?, 0, [], 'loaded')", [SOURCE, rows, rows])
        con.execute(f"""
            INSERT INTO asb_incidents (batch_id, source, source_row, incident_ref, reported_date, month, district,
                                       call_type)
            SELECT 1, ?, i + 1, 'ASB' || i, m + to_days(CAST(hash(i) % 28 AS INTEGER)), m,
                   {_sql_list(DISTRICTS)}[1 + CAST(hash(i * 7) % {len(DISTRICTS)} AS INTEGER)],
                   {_sql_list(CALL_TYPES)}[1 + CAST(hash(i * 13) % {len(CALL_TYPES)} AS INTEGER)]
            FROM (SELECT i, CAST(DATE '{FIRST_MONTH}' + to_months(CAST(i * {MONTHS} // ? AS INTEGER)) AS DATE) AS m
                  FROM range(?) t(i))
            ORDER BY i
        """, [SOURCE, asb_rows, asb_rows])
        con.execute(f"""
            INSERT INTO crimes (batch_id, source, source_row, crime_ref, recorded_date, month, district,
                                offence_group, outcome, outcome_code, outcome_date)
            SELECT 1, ?, i + 1, 'CR' || i, m + to_days(CAST(hash(i) % 28 AS INTEGER)), m,
                   {_sql_list(DISTRICTS)}[1 + CAST(hash(i * 7) % {len(DISTRICTS)} AS INTEGER)],
                   {_sql_list(OFFENCES)}[1 + CAST(hash(i * 13) % {len(OFFENCES)} AS INTEGER)],
                   o, o, m + to_days(CAST(20 + hash(i * 17) % 90 AS INTEGER))
            FROM (SELECT i, CAST(DATE '{FIRST_MONTH}' + to_months(CAST(i * {MONTHS} // ? AS INTEGER)) AS DATE) AS m,
                         {_sql_list(OUTCOMES)}[1 + CAST(hash(i * 11) % {len(OUTCOMES)} AS INTEGER)] AS o
                  FROM range(?) t(i))
            ORDER BY i
        """, [SOURCE, crime_rows, crime_rows])
        store.refresh_aggregates(con)  # as every load does: the figures read the monthly aggregates
    con.execute("CHECKPOINT")
    con.close()
    print(f"built {path.name}: {asb_rows:,} ASB + {crime_rows:,} crime rows in {time.perf_counter() - started:.1f} s")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Wall-clock p50 and p95, and the median process CPU time (all DuckDB threads), in ms.

    CPU time is printed because other processes on a shared machine stretch wall-clock times.
    """
    fn()  # warm
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = args.db or OUT / f"queries-{args.rows}.duckdb"
    if not path.exists():
        build(path, args.rows)
    con = store.connect(path)
    total = con.execute("SELECT (SELECT count(*) FROM asb) + (SELECT count(*) FROM crime)").fetchone()[0]
    end = coverage.latest_month(con, source=SOURCE)
    print(f"database {path} with {total:,} live rows; latest month {end}; {args.runs} warm runs each")
    cur = con.cursor()  # as a page does: a cursor per script run
    p3, p12 = make_period(end, "3m"), make_period(end, "12m")
    common = {"source": SOURCE}
    calls: dict[str, Callable[[], object]] = {
        "comparison asb 3m": lambda: counts.comparison(cur, measure="asb", period=p3, **common),
        "comparison vbc 3m": lambda: counts.comparison(cur, measure="vbc", period=p3, **common),
        "comparison all_crime 12m": lambda: counts.comparison(cur, measure="all_crime", period=p12, **common),
        "comparison vbc 3m district": lambda: counts.comparison(cur, measure="vbc", period=p3, district="Dover",
                                                                 **common),
        "solved_rate cohort": lambda: solved.solved_rate(cur, period=p3, **common),
        "solved_rate outcome_date": lambda: solved.solved_rate(cur, period=p3, basis="outcome_date", **common),
        "outcome_breakdown": lambda: breakdowns.outcome_breakdown(cur, period=p3, **common),
        "breakdown call_type": lambda: breakdowns.breakdown(cur, measure="asb", by="call_type", period=p3, **common),
        "breakdown category": lambda: breakdowns.breakdown(cur, measure="asb", by="category", period=p3, **common),
        "breakdown crime_type": lambda: breakdowns.breakdown(cur, measure="vbc", by="crime_type", period=p3, **common),
        "breakdown district": lambda: breakdowns.breakdown(cur, measure="asb", by="district", period=p12, **common),
        "monthly_series 25": lambda: counts.monthly_series(cur, measure="asb", end=end, **common),
        "rolling_12 13": lambda: counts.rolling_12(cur, measure="all_crime", end=end, **common),
        "solved_rate_series 25": lambda: solved.solved_rate_series(cur, end=end, **common),
        "annual_totals calendar": lambda: counts.annual_totals(cur, measure="asb", **common),
        "annual_totals financial": lambda: counts.annual_totals(cur, measure="vbc", basis="financial", **common),
        "financial year to date": lambda: counts.comparison(cur, measure="vbc", period=make_period(end, "fytd"),
                                                            **common),
        "rates_per_1000": lambda: rates.rates_per_1000(cur, measure="asb", period=p12, **common),
        "coverage": lambda: coverage.coverage(cur),
        "quality_flags": lambda: coverage.quality_flags(cur, source=SOURCE),
        "latest_month": lambda: coverage.latest_month(cur, source=SOURCE),
        # the three above reuse whole-history counts until the data version changes; first call after a load:
        "coverage (uncached)": lambda: (coverage.clear_cache(), coverage.coverage(cur)),
        "quality_flags (uncached)": lambda: (coverage.clear_cache(), coverage.quality_flags(cur, source=SOURCE)),
        "latest_month (uncached)": lambda: (coverage.clear_cache(), coverage.latest_month(cur, source=SOURCE)),
        "district_names": lambda: rates.district_names(cur),
        "loaded_sources": lambda: coverage.loaded_sources(cur),
        "build_summary (whole report)": lambda: build_summary(cur, period=p3, source=SOURCE),
    }
    slow = []
    load = os.getloadavg()[0]
    print(f"load average before timing: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'function':32} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8}")
    for name, fn in calls.items():
        p50, p95, cpu = timed(fn, args.runs)
        flag = "" if p95 < GOAL_MS else "  over goal"
        if p95 >= GOAL_MS and not name.startswith("build_summary"):
            slow.append(name)
        print(f"{name:32} {p50:8.1f} {p95:8.1f} {cpu:8.1f}{flag}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {peak_mb:,.0f} MB (goal < {GOAL_MB:,} MB)")
    print("functions over the 200 ms goal (p95): " + (", ".join(slow) if slow else "none"))
    print(f"load average after timing: {os.getloadavg()[0]:.1f}")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
