"""The bundled demo: the real police.uk Kent files (source police.uk) and a synthetic force extract for Kent
(source synthetic), generated on the spot and labelled SYNTHETIC: the force's own extracts are not public, and
without them the real data has no call types, outcome dates or twelve months a year apart.

No police.uk outcomes files are bundled or made up: the police.uk source is real data only, so its solved rate has
no same-age figure. The synthetic extract is taken as at the end of its range (outcomes that would come later are
not known yet), so its recent months' solved rates are lower, as in real extracts. With it come a few synthetic
ASB Case Review applications and synthetic engagement and satisfaction measures."""

from __future__ import annotations

import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import duckdb

from analytics import store
from analytics.ingest.load import LoadResult, Progress, load_files

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
SYNTHETIC_SOURCE = "synthetic"


def demo_files() -> list[Path]:
    return sorted((DEMO_DIR / "police-uk").glob("*.csv.gz"))


class _SideBySide:
    """The progress of loads running side by side, reported as one: each reports its own fraction, weighted."""

    def __init__(self, progress: Progress | None, weights: tuple[float, ...]) -> None:
        self.progress, self.weights = progress, weights
        self.done = [0.0] * len(weights)
        self.lock = threading.Lock()

    def part(self, i: int) -> Progress | None:
        if self.progress is None:
            return None
        report = self.progress

        def step(fraction: float, message: str) -> None:
            with self.lock:
                self.done[i] = fraction
                report(sum(w * d for w, d in zip(self.weights, self.done, strict=True)), message)

        return step


def load_demo(
    con: duckdb.DuckDBPyConnection, *, synthetic: bool = False, progress: Progress | None = None,
    loaded_by: str | None = None,
) -> list[LoadResult]:
    """Load the real police.uk demo files (already-loaded files are skipped), and the synthetic extract if asked.

    The synthetic extract is generated and loaded on a second connection to the same database while the real
    files load: the two are separate sources in separate transactions (each all or nothing, as when they load one
    after the other), they only add rows, and each side spends much of its time where the other can run (the real
    files' many small steps, the extract's large statements)."""
    if not synthetic:
        return load_files(con, demo_files(), source_format="police-uk", progress=progress, loaded_by=loaded_by)
    from analytics.ingest.synthetic import write_synthetic_extracts, write_synthetic_measures

    both = _SideBySide(progress, (0.3, 0.7))

    def synthetic_source(folder: Path) -> list[LoadResult]:
        paths = write_synthetic_extracts(folder, taken=True)
        cursor = con.cursor()
        try:
            return load_files(cursor, sorted(paths.values()), source_name=SYNTHETIC_SOURCE, progress=both.part(1),
                              loaded_by=loaded_by)
        finally:
            cursor.close()

    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(max_workers=1) as pool:
        extract = pool.submit(synthetic_source, Path(folder))
        try:
            results = load_files(con, demo_files(), source_format="police-uk", progress=both.part(0),
                                 loaded_by=loaded_by)
        except BaseException:
            wait([extract])  # the other side finishes (and its folder is still there) before this error is raised
            raise
        results += extract.result()  # raises the other side's error if it failed
        # two years of engagement and satisfaction measures (also SYNTHETIC), loaded as a measures file
        results += load_files(con, [write_synthetic_measures(Path(folder))], source_format="measures",
                              progress=progress, loaded_by=loaded_by)
    from analytics.casework.reviews import seed_demo

    # a few ASB Case Review applications from the synthetic repeat callers, labelled synthetic
    seed_demo(con, source=SYNTHETIC_SOURCE)
    return results


DEMO_USER = "demo"  # loaded_by of the first start's batches


def start_demo(con: duckdb.DuckDBPyConnection, *, progress: Progress | None = None) -> bool:
    """The first start's first part: the real police.uk files into a database that has never had a load; True if it
    loaded them. police.uk is the first source the sidebar offers, so the dashboard can publish and draw the
    Overview now; finish_demo loads the rest of the demo."""
    if store.scalar(con, store.sql("ingest/batch_count")):
        return False
    from analytics.ingest.bundle import load_police_uk_files

    # the bundled files read as one (each still its own batch); one by one should they ever not be plain
    if load_police_uk_files(con, demo_files(), loaded_by=DEMO_USER, progress=progress) is None:
        load_files(con, demo_files(), source_format="police-uk", progress=progress, loaded_by=DEMO_USER)
    return True


def demo_pending(con: duckdb.DuckDBPyConnection) -> bool:
    """True when start_demo has loaded the police.uk files and finish_demo has not yet loaded the synthetic source
    (a source the first start loaded and an analyst rolled back is not pending: its batches stay in the trail)."""
    return bool(store.scalar(con, store.sql("ingest/demo_pending"), [DEMO_USER, SYNTHETIC_SOURCE]))


def finish_demo(con: duckdb.DuckDBPyConnection, *, progress: Progress | None = None) -> bool:
    """The rest of the first start's demo, in one transaction: the synthetic extract, its engagement and
    satisfaction measures and the synthetic case review applications, or (on a crash or an error) none of them, so
    the next start does it again. True if it loaded them; False when nothing was pending."""
    if not demo_pending(con):
        return False
    from analytics.casework.reviews import seed_demo
    from analytics.ingest.synthetic import write_synthetic_extracts, write_synthetic_measures

    with tempfile.TemporaryDirectory() as name, store.transaction(con):
        folder = Path(name)
        paths = write_synthetic_extracts(folder, taken=True)
        load_files(con, sorted(paths.values()), source_name=SYNTHETIC_SOURCE, progress=progress, loaded_by=DEMO_USER)
        load_files(con, [write_synthetic_measures(folder)], source_format="measures", loaded_by=DEMO_USER)
        seed_demo(con, source=SYNTHETIC_SOURCE)
    return True


def ensure_demo(con: duckdb.DuckDBPyConnection, *, progress: Progress | None = None) -> bool:
    """Load the demo (the real police.uk files and the synthetic extract) into a database that has never had a
    load; True if it did. The dashboard's first start runs the two parts apart (ui.session)."""
    if not start_demo(con, progress=progress):
        return False
    finish_demo(con)
    return True
