"""Ingest speed: our loader against bare DuckDB and pandas on the same police.uk file, and our XLSX ingest.

    python bench/ingest.py [--rows 1000000] [--xlsx-rows 200000] [--repeat 1] [--profile]

Generated inputs go to bench/out/ (git-ignored) and are reused when present. Every load goes into a fresh DuckDB
file. Goals (issue 13): our CSV ingest within 1.2x of a bare DuckDB read_csv into a table; XLSX >= 150,000 rows/s.
The "no checks" line is a load that keeps row numbers and checks nothing: the file read once in order, its
rows written into our two fact tables. Three more bare lines say where a load's time goes: the read alone (into
Arrow, no table), the same table without the Crime ID column (compressing police.uk's 64-character hex IDs as
they are written is about a third of the bare load), and a one-pass load that keeps each row's number with
row_number() OVER (), which DuckDB runs on one thread.
Ours and bare DuckDB run in turn, so the ratio of each pair is shown too: on a shared machine it moves less than
either time. Our load's time is split into read+validate (until the loader starts storing rows) and store (insert +
checks), from the loader's own progress reports.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

from analytics import store  # noqa: E402
from analytics.ingest import synthetic  # noqa: E402
from analytics.ingest.load import load_file  # noqa: E402

OUT = ROOT / "bench" / "out"
# Benchmark files may exceed the upload limit meant for analysts' files.
os.environ.setdefault("ASB_MAX_UPLOAD_MB", "100000")
CSV_GOAL = 1.2
XLSX_GOAL = 150_000


def police_uk_file(rows: int) -> Path:
    path = OUT / f"police-uk-{rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        synthetic.write_police_uk_csv(path.with_suffix(".tmp"), rows, months=("2023-01", "2023-12"))
        path.with_suffix(".tmp").rename(path)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    return path


def force_xlsx_file(rows: int) -> Path:
    path = OUT / f"SYNTHETIC-force-asb-{rows}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        # Enough months of the synthetic ASB extract to give ``rows`` rows (about 2,500 a month).
        months = rows // 1600 + 1
        start = str(pd.Period("2025-12", "M") - months + 1)
        frame = synthetic.synthetic_asb(start, "2025-12").head(rows)
        synthetic.write_asb_xlsx(frame, path.with_suffix(".tmp.xlsx"),
                                 title=f"SYNTHETIC DATA - Kent ASB incidents, {rows:,} rows for benchmarking")
        path.with_suffix(".tmp.xlsx").rename(path)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    return path


def fresh_db(name: str) -> Path:
    path = OUT / "db" / f"{name}.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    return path


class Phases:
    """Times the loader's phases from its progress reports: read+validate until "Storing rows", then store; for a
    workbook, also the sheet's read (used-range check included) until "Read N rows from sheet"."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.storing: float | None = None
        self.sheet_read: float | None = None

    def __call__(self, fraction: float, message: str) -> None:
        if self.storing is None and message.endswith("Storing rows"):
            self.storing = time.perf_counter()
        if self.sheet_read is None and " rows from sheet " in message:
            self.sheet_read = time.perf_counter()


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("SET enable_progress_bar = false")
    return con


def ours(path: Path, name: str) -> tuple[float, int, dict[str, float]]:
    db = fresh_db(name)
    con = quiet(store.connect(db))
    phases = Phases()
    started = time.perf_counter()
    result = load_file(con, path, progress=phases, loaded_by="bench")
    con.close()
    total = time.perf_counter() - started
    assert result.rows_read == result.rows_loaded, result.message
    read = (phases.storing or time.perf_counter()) - started
    split = {"read+validate": read}
    if phases.sheet_read is not None:
        split["  of which the sheet's read"] = phases.sheet_read - started
    split["store"] = total - read
    return total, result.rows_loaded, split


def bare_duckdb(path: Path, columns: str = "*") -> tuple[float, int]:
    """CREATE TABLE AS SELECT ``columns`` FROM read_csv into a fresh file: the bare load, or a variant of it."""
    con = quiet(duckdb.connect(str(fresh_db("bare"))))
    started = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT {columns} FROM read_csv(?)", [str(path)])
    con.close()
    elapsed = time.perf_counter() - started
    con = duckdb.connect(str(OUT / "db" / "bare.duckdb"), read_only=True)
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    return elapsed, rows


def bare_read(path: Path) -> tuple[float, int]:
    """The read alone: read_csv into Arrow as text, no table written (the part of a load no design avoids)."""
    con = quiet(duckdb.connect())
    started = time.perf_counter()
    rows = con.sql("SELECT * FROM read_csv(?, all_varchar = true)", params=[str(path)]).to_arrow_table().num_rows
    con.close()
    return time.perf_counter() - started, rows


def unchecked(path: Path) -> tuple[float, int]:
    """A load that keeps row numbers and checks nothing, for comparison: the file read once into Arrow in file
    order (so row i is row i), then its rows written into the two fact tables of our schema, with no checks,
    lookups, audit or aggregates."""
    con = quiet(store.connect(fresh_db("unchecked")))
    started = time.perf_counter()
    stage = con.sql("SELECT * FROM read_csv(?, all_varchar = true)", params=[str(path)]).to_arrow_table()
    stage = stage.add_column(0, "source_row", pa.array(np.arange(2, stage.num_rows + 2, dtype=np.int32)))
    con.register("stage", stage)
    common = ("strptime(Month, '%Y-%m')::DATE, coalesce(\"LSOA name\", ''), Location, \"LSOA code\", "
              "TRY_CAST(Latitude AS DOUBLE), TRY_CAST(Longitude AS DOUBLE)")
    with store.transaction(con):
        con.execute("INSERT INTO crimes (batch_id, source, source_row, crime_ref, month, district, location, "
                    f"lsoa_code, latitude, longitude, offence_group, outcome) SELECT 1, 'bench', source_row, "
                    f"\"Crime ID\", {common}, \"Crime type\", \"Last outcome category\" FROM stage "
                    "WHERE \"Crime type\" <> 'Anti-social behaviour'")
        con.execute("INSERT INTO asb_incidents (batch_id, source, source_row, month, district, location, lsoa_code, "
                    f"latitude, longitude) SELECT 1, 'bench', source_row, {common} FROM stage "
                    "WHERE \"Crime type\" = 'Anti-social behaviour'")
    con.close()
    return time.perf_counter() - started, stage.num_rows


def pandas_read(path: Path, engine: str = "c") -> tuple[float, int]:
    started = time.perf_counter()
    frame = pd.read_csv(path, engine=engine)
    return time.perf_counter() - started, len(frame)


def calamine_read(path: Path) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return time.perf_counter() - started, len(rows) - 2


def cpu_seconds() -> float:
    """CPU time of this process, all threads: steadier than wall time when other work shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured(fn: Callable[[], tuple]) -> tuple:
    """One run of fn, after a garbage collection, with its CPU seconds appended to what it returns."""
    gc.collect()
    started = cpu_seconds()
    result = fn()
    return (*result, cpu_seconds() - started)


def best(fn: Callable[[], tuple], repeat: int) -> tuple:
    """The fastest of ``repeat`` runs (the usual way to take noise out of a wall-clock figure), with its CPU
    seconds appended."""
    return min((measured(fn) for _ in range(repeat)), key=lambda r: r[0])


def interleaved(first: Callable[[], tuple], second: Callable[[], tuple],
                repeat: int) -> tuple[tuple, tuple, list[float]]:
    """The fastest of ``repeat`` runs of each, run in turn (first, second, first, ...) so that a busy spell on a
    shared machine slows both alike, with the ratio of each pair's times (first / second)."""
    pairs = [(measured(first), measured(second)) for _ in range(repeat)]
    ratios = [a[0] / b[0] for a, b in pairs]
    return min((a for a, _ in pairs), key=lambda r: r[0]), min((b for _, b in pairs), key=lambda r: r[0]), ratios


def fastexcel_read(path: Path) -> tuple[float, int]:
    import fastexcel

    started = time.perf_counter()
    table = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string").to_arrow()
    return time.perf_counter() - started, table.num_rows - 2


def profile(path: Path, name: str, top: int) -> None:
    con = quiet(store.connect(fresh_db(name)))
    profiler = cProfile.Profile()
    profiler.enable()
    load_file(con, path, loaded_by="bench")
    profiler.disable()
    con.close()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(r"analytics|duckdb|pandas|calamine", top)
    print(f"\nProfile of load_file({path.name}), cumulative seconds, top {top}:")
    print("\n".join(line for line in text.getvalue().splitlines() if line.strip())[-6000:])


class TimedConnection:
    """A DuckDB connection that times every statement, so the profile can say which SQL takes the time."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self.timings: list[tuple[float, str]] = []

    def _timed(self, method: str, query: str, *args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        result = getattr(self._con, method)(query, *args, **kwargs)
        self.timings.append((time.perf_counter() - started, " ".join(str(query).split())))
        return result

    def execute(self, query: str, *args: object, **kwargs: object) -> object:
        return self._timed("execute", query, *args, **kwargs)

    def executemany(self, query: str, *args: object, **kwargs: object) -> object:
        return self._timed("executemany", query, *args, **kwargs)

    def sql(self, query: str, *args: object, **kwargs: object) -> object:
        return TimedRelation(self, query, self._con.sql(query, *args, **kwargs))

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


class TimedRelation:
    """A relation from TimedConnection.sql: it runs when fetched, so that is when it is timed."""

    def __init__(self, timed: TimedConnection, query: str, relation: duckdb.DuckDBPyRelation) -> None:
        self._timed, self._query, self._relation = timed, query, relation

    def __getattr__(self, name: str) -> object:
        attr = getattr(self._relation, name)
        if not callable(attr) or not name.startswith(("fetch", "to_", "arrow", "df")):
            return attr

        def run(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            result = attr(*args, **kwargs)
            self._timed.timings.append((time.perf_counter() - started, " ".join(self._query.split())))
            return result

        return run


def statements(path: Path, name: str, top: int) -> None:
    """Time every SQL statement of our load, and the Python between them."""
    con = quiet(store.connect(fresh_db(name)))
    timed = TimedConnection(con)
    started = time.perf_counter()
    load_file(timed, path, loaded_by="bench")  # type: ignore[arg-type]
    total = time.perf_counter() - started
    con.close()
    in_sql = sum(t for t, _ in timed.timings)
    print(f"\nSQL statements of load_file({path.name}): {len(timed.timings)} statements, {in_sql:.2f} s in DuckDB, "
          f"{total - in_sql:.2f} s in Python, {total:.2f} s in all. Slowest:")
    for seconds, query in sorted(timed.timings, reverse=True)[:top]:
        print(f"  {seconds:7.2f} s  {query[:150]}")


def row(label: str, seconds: float, rows: int, ratio: str = "", goal: str = "") -> str:
    return f"{label:<44} {rows:>10,} {seconds:>9.2f} {rows / seconds:>12,.0f} {ratio:>8} {goal:>14}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="police.uk CSV rows (default 1,000,000)")
    parser.add_argument("--xlsx-rows", type=int, default=200_000, help="XLSX force extract rows (default 200,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the fastest is shown")
    parser.add_argument("--profile", action="store_true", help="also profile our CSV and XLSX loads")
    parser.add_argument("--top", type=int, default=15, help="profile lines to show")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = police_uk_file(args.rows)
    xlsx_path = force_xlsx_file(args.xlsx_rows) if args.xlsx_rows else None

    (ours_s, ours_rows, phases, ours_cpu), (bare_s, bare_rows, bare_cpu), paired = interleaved(
        lambda: ours(csv_path, "ours-csv"), lambda: bare_duckdb(csv_path), args.repeat)
    floor_s, floor_rows, _ = best(lambda: unchecked(csv_path), args.repeat)
    read_s, read_rows, _ = best(lambda: bare_read(csv_path), args.repeat)
    no_id_s, no_id_rows, _ = best(lambda: bare_duckdb(csv_path, '* EXCLUDE ("Crime ID")'), args.repeat)
    # The only row number DuckDB's CSV reader can give (it has no file_row_number); the window runs on one thread.
    numbered_s, numbered_rows, _ = best(
        lambda: bare_duckdb(csv_path, "row_number() OVER () AS source_row, *"), args.repeat)
    pandas_s, pandas_rows, _ = best(lambda: pandas_read(csv_path), args.repeat)
    arrow_s, arrow_rows, _ = best(lambda: pandas_read(csv_path, "pyarrow"), args.repeat)
    counts = {ours_rows, bare_rows, floor_rows, pandas_rows, arrow_rows, read_rows, no_id_rows, numbered_rows}
    assert counts == {args.rows}, counts

    ratio = ours_s / bare_s
    print(f"\nIngest benchmark: {csv_path.name} ({csv_path.stat().st_size / 1e6:.0f} MB), best of {args.repeat}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':<44} {'rows':>10} {'seconds':>9} {'rows/s':>12} {'ratio':>8} {'goal':>14}")
    print(row("ours: load_file into a fresh DuckDB file", ours_s, ours_rows, f"{ratio:.2f}x", f"<= {CSV_GOAL}x bare"))
    for phase, seconds in phases.items():
        print(f"  {phase:<42} {'':>10} {seconds:>9.2f}")
    print(row("bare DuckDB: CREATE TABLE AS read_csv", bare_s, bare_rows, "1.00x"))
    print(row("bare DuckDB, read only: read_csv to Arrow", read_s, read_rows, f"{read_s / bare_s:.2f}x"))
    print(row("bare DuckDB without the Crime ID column", no_id_s, no_id_rows, f"{no_id_s / bare_s:.2f}x"))
    print(row("bare DuckDB with row numbers: row_number()", numbered_s, numbered_rows, f"{numbered_s / bare_s:.2f}x"))
    print(row("no checks: read in order, rows written", floor_s, floor_rows, f"{floor_s / bare_s:.2f}x"))
    print(row("pandas.read_csv (C engine)", pandas_s, pandas_rows, f"{pandas_s / bare_s:.2f}x"))
    print(row("pandas.read_csv (pyarrow engine)", arrow_s, arrow_rows, f"{arrow_s / bare_s:.2f}x"))
    print(f"  CPU seconds (all threads): ours {ours_cpu:.2f}, bare DuckDB {bare_cpu:.2f} ({ours_cpu / bare_cpu:.2f}x)")
    print(f"  ours / bare, run by run (taken in turn): {', '.join(f'{r:.2f}x' for r in paired)}; "
          f"median {float(np.median(paired)):.2f}x")

    xlsx_ok = True
    if xlsx_path:
        x_s, x_rows, x_phases, x_cpu = best(lambda: ours(xlsx_path, "ours-xlsx"), args.repeat)
        c_s, c_rows, _ = best(lambda: calamine_read(xlsx_path), args.repeat)
        f_s, f_rows, f_cpu = best(lambda: fastexcel_read(xlsx_path), args.repeat)
        xlsx_ok = x_rows / x_s >= XLSX_GOAL
        print(f"\nXLSX force extract: {xlsx_path.name} ({xlsx_path.stat().st_size / 1e6:.0f} MB)")
        print(row("ours: load_file into a fresh DuckDB file", x_s, x_rows, "", f">= {XLSX_GOAL:,}/s"))
        for phase, seconds in x_phases.items():
            print(f"  {phase:<42} {'':>10} {seconds:>9.2f}")
        print(row("python-calamine to_python (read only)", c_s, c_rows))
        print(row("fastexcel to Arrow as text (read only)", f_s, f_rows))
        print(f"  CPU seconds (all threads): ours {x_cpu:.2f}, fastexcel's read {f_cpu:.2f}")

    print(f"\nCSV goal (<= {CSV_GOAL}x bare DuckDB): {'met' if ratio <= CSV_GOAL else 'NOT met'} ({ratio:.2f}x)")
    if xlsx_path:
        print(f"XLSX goal (>= {XLSX_GOAL:,} rows/s): {'met' if xlsx_ok else 'NOT met'} ({x_rows / x_s:,.0f} rows/s)")
    if args.profile:
        statements(csv_path, "statements-csv", 8)
        profile(csv_path, "profile-csv", args.top)
        if xlsx_path:
            statements(xlsx_path, "statements-xlsx", 8)
            profile(xlsx_path, "profile-xlsx", args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
