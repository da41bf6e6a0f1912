"""The real Kent police.uk demo: every row of every file accounted for, counts equal to a direct count."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections import Counter
from pathlib import Path

import pytest

from analytics import store
from analytics.ingest.demo import DEMO_DIR, demo_files, ensure_demo, load_demo
from analytics.ingest.load import list_batches


def direct_count(path: Path) -> tuple[int, Counter]:
    """Data rows and (kind, month) counts, counted with the csv module straight from the file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    kinds = Counter(("asb" if r["Crime type"] == "Anti-social behaviour" else "crime", r["Month"]) for r in rows)
    return len(rows), kinds


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    assert ensure_demo(con) is True
    yield con
    con.close()


def test_demo_files_are_the_published_files():
    names = [p.name for p in demo_files()]
    assert len(names) == 16 and names[0] == "2024-01-kent-street.csv.gz" and names[-1] == "2025-12-kent-street.csv.gz"
    # SHA256SUMS holds the digests of the files as data.police.uk published them
    sums = (DEMO_DIR / "police-uk" / "SHA256SUMS").read_text().splitlines()
    published = {name: digest for digest, name in (line.split() for line in sums)}
    assert sorted(published) == [n.removesuffix(".gz") for n in names]
    for path in demo_files():
        with gzip.open(path, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == published[path.name.removesuffix(".gz")]


def test_every_row_accounted_for_per_file(demo_db):
    batches = {b["file"]: b for b in list_batches(demo_db)}
    assert len(batches) == 16
    expected_months: Counter = Counter()
    for path in demo_files():
        rows, kinds = direct_count(path)
        batch = batches[path.name]
        assert batch["rows_read"] == rows
        assert batch["rows_read"] == batch["rows_loaded"] + batch["rows_rejected"]
        assert batch["rows_rejected"] == 0
        expected_months.update(kinds)
    stored = demo_db.execute(
        "SELECT 'asb', strftime(month, '%Y-%m'), count(*) FROM asb GROUP BY ALL "
        "UNION ALL SELECT 'crime', strftime(month, '%Y-%m'), count(*) FROM crime GROUP BY ALL"
    ).fetchall()
    assert {(k, m): n for k, m, n in stored} == dict(expected_months)
    # Spot checks against figures counted by hand from the published files.
    assert expected_months[("asb", "2025-01")] == 1560 and expected_months[("asb", "2024-01")] == 1663
    assert sum(n for (kind, _), n in expected_months.items() if kind == "crime") == 200535


def test_districts_from_lsoa_names(demo_db):
    districts = dict(demo_db.execute("SELECT district, count(*) FROM crime GROUP BY ALL").fetchall())
    districts.update({f"asb:{d}": n for d, n in
                      demo_db.execute("SELECT district, count(*) FROM asb GROUP BY ALL").fetchall()})
    # Folkestone and Hythe under its current name; LSOAs in Bexley etc. are outside the force area.
    assert "Folkestone and Hythe" in districts and "Shepway" not in districts
    assert "Outside force area" in districts and "Bexley" not in districts
    assert all(not name.endswith(("001A", "001B")) for name in districts)


def test_demo_again_adds_nothing(demo_db):
    before = demo_db.execute("SELECT count(*) FROM batches").fetchone()[0]
    results = load_demo(demo_db)
    assert {r.status for r in results} == {"already loaded"}
    assert demo_db.execute("SELECT count(*) FROM batches").fetchone()[0] == before
    assert ensure_demo(demo_db) is False
