"""The real Kent police.uk demo: every row of every file accounted for, counts equal to a direct count."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections import Counter
from pathlib import Path

import pytest

from analytics import store
from analytics.ingest.demo import DEMO_DIR, demo_files, demo_pending, ensure_demo, finish_demo, load_demo, start_demo
from analytics.ingest.load import list_batches, rollback


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
    # the real files' batches (the demo also loads the synthetic extract, as a source of its own)
    batches = {b["file"]: b for b in list_batches(demo_db) if b["source"] == "police.uk"}
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
        "SELECT 'asb', strftime(month, '%Y-%m'), count(*) FROM asb WHERE source = 'police.uk' GROUP BY ALL "
        "UNION ALL SELECT 'crime', strftime(month, '%Y-%m'), count(*) FROM crime WHERE source = 'police.uk' "
        "GROUP BY ALL"
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


def test_demo_loads_the_synthetic_extract_beside_the_real_files(demo_db):
    from analytics.ingest.demo import SYNTHETIC_SOURCE

    batches = list_batches(demo_db)
    # the synthetic engagement and satisfaction measures are a source of their own
    assert {b["source"] for b in batches} == {"police.uk", SYNTHETIC_SOURCE, "measures"}
    synthetic = sorted(b["file"] for b in batches if b["source"] == SYNTHETIC_SOURCE)
    assert synthetic == ["SYNTHETIC-kent-asb-incidents.csv", "SYNTHETIC-kent-recorded-crime.csv"]
    # taken as at its end (31 December 2025): no outcome after it, and the latest months the least mature
    latest = demo_db.execute("SELECT max(outcome_date) FROM crime WHERE source = ?", [SYNTHETIC_SOURCE]).fetchone()[0]
    assert latest.date() <= __import__("datetime").date(2025, 12, 31)
    pending = dict(demo_db.execute(
        "SELECT strftime(month, '%Y-%m'), avg(pending::INT) FROM crime WHERE source = ? AND vbc "
        "AND month IN (DATE '2024-12-01', DATE '2025-12-01') GROUP BY ALL", [SYNTHETIC_SOURCE]).fetchall())
    assert pending["2025-12"] > 5 * pending["2024-12"]


def test_the_first_starts_second_part_is_all_or_nothing(tmp_path, monkeypatch):
    """start_demo loads the police.uk files alone; finish_demo loads the synthetic extract, its measures and the
    case reviews in one transaction: a failure at its last step (the case reviews) leaves none of them and the demo
    still pending, and the next try loads all of them once."""
    from analytics.casework import reviews

    con = store.connect(tmp_path / "half.duckdb")
    try:
        assert start_demo(con) is True and demo_pending(con) is True
        assert start_demo(con) is False  # the database has had a load
        before = con.execute("SELECT count(*) FROM batches").fetchone()[0]
        assert before == 16

        def fail(*args, **kwargs):
            raise OSError("disk full")

        monkeypatch.setattr(reviews, "seed_demo", fail)
        with pytest.raises(OSError, match="disk full"):
            finish_demo(con)
        assert con.execute("SELECT count(*) FROM batches").fetchone()[0] == before
        assert con.execute("SELECT count(*) FROM asb WHERE source = 'synthetic'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM measure_values").fetchone()[0] == 0
        assert demo_pending(con) is True
        monkeypatch.undo()
        assert finish_demo(con) is True and demo_pending(con) is False
        assert sorted(con.execute("SELECT source, count(*) FROM batches GROUP BY ALL").fetchall()) == [
            ("measures", 1), ("police.uk", 16), ("synthetic", 2)]
        assert con.execute("SELECT count(*) FROM case_reviews").fetchone()[0] == 10
        assert finish_demo(con) is False  # done: a second process finding it done adds nothing
        # an analyst who rolls the synthetic source back does not get it again: its batches stay in the trail
        for (batch,) in con.execute("SELECT id FROM batches WHERE source = 'synthetic'").fetchall():
            rollback(con, batch, user="analyst")
        assert con.execute("SELECT count(*) FROM asb WHERE source = 'synthetic'").fetchone()[0] == 0
        assert demo_pending(con) is False and finish_demo(con) is False
    finally:
        con.close()


def test_first_start_overview_says_why_feb_apr_2025_is_not_like_for_like(tmp_path, monkeypatch):
    """The dashboard's first start on an empty database: both demo sources, the banner saying which is which, and
    the solved-rate tile that does not call the demo's +6.0 pp a signal."""
    from streamlit.testing.v1 import AppTest

    from analytics.domain.periods import make_period
    from analytics.figures import solved
    from tests.browser import wait_for_whole_demo
    from tests.conftest import APP, plain

    db = tmp_path / "first.duckdb"
    monkeypatch.setenv("ASB_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    banner = plain(" ".join(i.value for i in at.info))
    assert "**police.uk** is real police.uk street-level data" in banner
    assert "**synthetic** is a generated force extract" in banner and "SYNTHETIC" in banner
    # the first run reads the copy published with the police.uk files alone: the synthetic source loads in the
    # background, the page says so, and the sidebar offers no choice of source yet
    assert "**synthetic** demo source" in banner and "is still loading" in banner
    assert "f_source" not in [s.key for s in at.sidebar.selectbox]
    wait_for_whole_demo(db)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "is still loading" not in plain(" ".join(i.value for i in at.info))
    source = at.sidebar.selectbox(key="f_source")
    assert source.options == ["police.uk", "synthetic (generated, not real)"] and source.value == "police.uk"
    assert (at.sidebar.selectbox(key="f_end").value, at.sidebar.radio(key="f_kind").value) == ("2025-04", "3m")

    tile = [m for m in at.metric if m.label == "Victim-based crime solved rate"][0]
    assert (tile.value, tile.delta) == ("12.6%", "+6.0 pp on last year — not like-for-like")
    captions = plain("\n".join(c.value for c in at.caption))
    sentence = ("Not like-for-like: in the data loaded, 3.8% of this period's crimes and 25.9% of last year's still "
                "await an outcome, so the +6.0 pp change reflects how far investigations had got, not performance.")
    assert sentence in captions and f"◆ {sentence}" not in captions
    assert sentence in plain(" ".join(m.value for m in at.markdown))  # the commentary says it too

    # the synthetic source: twelve months and financial years, and the rate at the same age leads the tile
    at.sidebar.selectbox(key="f_source").set_value("synthetic").run()
    assert at.sidebar.radio(key="f_kind").options == ["1 month", "3 months", "12 months", "Financial year to date"]
    assert at.sidebar.selectbox(key="f_end").value == "2025-04"  # the period chosen stays when the source changes
    at.sidebar.selectbox(key="f_end").set_value("2025-12").run()
    assert "Kent, synthetic (generated, not real) data" in plain(at.markdown[0].value)
    from analytics import store

    con = store.connect(db)  # the app holds the file in this process: the same configuration
    try:
        rate = solved.solved_rate(con, period=make_period("2025-12", "3m"), source="synthetic")
    finally:
        con.close()
    assert rate.like_for_like is False and rate.matched is not None
    tile = [m for m in at.metric if m.label == "Victim-based crime solved rate"][0]
    assert tile.value == f"{rate.matched.rate:.1f}%" and tile.delta.endswith("on last year at the same age")
    captions = plain("\n".join(c.value for c in at.caption))
    assert f"On all outcomes to date: {rate.rate:.1f}%" in captions and "not like-for-like" in captions
    assert "Both years counted with the same time to be solved: outcomes up to 31 December 2025 and 31 December " \
        "2024." in captions
    at.switch_page(str(APP.rsplit("/", 1)[0] + "/ui/pages/crime.py")).run()
    assert not at.exception
    tile = [m for m in at.metric if m.label == "Victim-based crime solved rate"][0]
    assert tile.value == f"{rate.matched.rate:.1f}%"
