"""Every earlier schema upgrades: a file as version N wrote it, holding a load, opens with the current store.connect
at the current version with its rows and batches intact, and takes the next load."""

from __future__ import annotations

import pytest

from analytics import store
from analytics.domain.periods import make_period
from analytics.figures import counts
from tests.conftest import SCHEMAS, insert_batch, old_database

VERSIONS = sorted(int(p.stem[1:]) for p in SCHEMAS.glob("v*.sql"))


def test_every_version_before_this_one_has_its_schema_here():
    assert VERSIONS == list(range(2, store.SCHEMA_VERSION)), "add tests/files/schemas/vN.sql for each version"


@pytest.mark.parametrize("version", VERSIONS)
def test_an_old_file_upgrades_with_its_data(tmp_path, version):
    path = tmp_path / f"v{version}.duckdb"
    con = old_database(path, version)
    rows = [{"month": "2025-01", "district": "Dover"}] * 3 + [{"month": "2024-01", "district": "Dover"}]
    insert_batch(con, "asb", rows)
    con.close()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert con.execute("SELECT count(*), count(DISTINCT batch_id) FROM asb_incidents").fetchall() == [(4, 1)]
        assert con.execute("SELECT status FROM batches").fetchall() == [("loaded",)]
        total = counts.comparison(con, measure="asb", period=make_period("2025-01", "1m"), source="force").iloc[-1]
        assert (total["count"], total["last_year"]) == (3, 1)
        insert_batch(con, "asb", [{"month": "2025-02", "district": "Thanet"}])
        assert con.execute("SELECT count(*) FROM asb_incidents").fetchone()[0] == 5
    finally:
        con.close()
