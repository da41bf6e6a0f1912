"""The bundled demo: the real police.uk Kent files (source police.uk) and a synthetic force extract for Kent
(source synthetic), generated on the spot and labelled SYNTHETIC: the force's own extracts are not public, and
without them the real data has no call types, outcome dates or twelve months a year apart.

No police.uk outcomes files are bundled or made up: the police.uk source is real data only, so its solved rate has
no same-age figure. The synthetic extract is taken as at the end of its range (outcomes that would come later are
not known yet), so its recent months' solved rates are lower, as in real extracts. With it come a few synthetic
ASB Case Review applications and synthetic engagement and satisfaction measures."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from analytics import store
from analytics.ingest.load import LoadResult, Progress, load_files

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
SYNTHETIC_SOURCE = "synthetic"


def demo_files() -> list[Path]:
    return sorted((DEMO_DIR / "police-uk").glob("*.csv.gz"))


def load_demo(
    con: duckdb.DuckDBPyConnection, *, synthetic: bool = False, progress: Progress | None = None,
    loaded_by: str | None = None,
) -> list[LoadResult]:
    """Load the real police.uk demo files (already-loaded files are skipped), and the synthetic extract if asked.
    The extract is generated while the real files load (both spend most of their time outside the GIL)."""
    if not synthetic:
        return load_files(con, demo_files(), source_format="police-uk", progress=progress, loaded_by=loaded_by)
    from analytics.ingest.synthetic import write_synthetic_extracts

    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(max_workers=1) as pool:
        extracts = pool.submit(write_synthetic_extracts, Path(folder), taken=True)
        results = load_files(con, demo_files(), source_format="police-uk", progress=progress, loaded_by=loaded_by)
        results += load_files(con, sorted(extracts.result().values()), source_name=SYNTHETIC_SOURCE,
                              progress=progress, loaded_by=loaded_by)
        from analytics.ingest.synthetic import write_synthetic_measures

        # two years of engagement and satisfaction measures (also SYNTHETIC), loaded as a measures file
        results += load_files(con, [write_synthetic_measures(Path(folder))], source_format="measures",
                              progress=progress, loaded_by=loaded_by)
    from analytics.casework.reviews import seed_demo

    # a few ASB Case Review applications from the synthetic repeat callers, labelled synthetic
    seed_demo(con, source=SYNTHETIC_SOURCE)
    return results


def ensure_demo(con: duckdb.DuckDBPyConnection, *, progress: Progress | None = None) -> bool:
    """Load the demo (the real police.uk files and the synthetic extract) into a database that has never had a
    load; True if it did."""
    if store.scalar(con, store.sql("ingest/batch_count")):
        return False
    load_demo(con, synthetic=True, progress=progress, loaded_by="demo")
    return True
