"""Loading: batches, already-loaded files, month replacement, roll-back, all-or-nothing, the audit trail."""

from __future__ import annotations

import pytest

from analytics import store
from analytics.errors import InputRefused, NotFound
from analytics.ingest.load import list_batches, load_file, load_files, rejected_rows, rollback
from tests.large_compare import assert_same

HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type," \
         "Last outcome category,Context\n"
TABLES = ("batches", "asb_incidents", "crimes", "rejected_rows", "column_mappings")


def police_uk_csv(path, month: str, asb: int, crimes: int, *, tag: str = "a", extra: str = ""):
    """A police.uk file with `asb` ASB rows and `crimes` crimes in Ashford for one month."""
    lines = [HEADER]
    for _ in range(asb):
        lines.append(f",{month},Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,Ashford 001B,"
                     "Anti-social behaviour,,\n")
    for i in range(crimes):
        lines.append(f"{tag}{month}{i:05d},{month},Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,"
                     "Ashford 001B,Burglary,Local resolution,\n")
    path.write_text("".join(lines) + extra, encoding="utf-8")
    return path


def snapshot(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def live_counts(con) -> dict[tuple[str, str], int]:
    rows = con.execute(
        "SELECT 'asb', strftime(month, '%Y-%m'), count(*) FROM asb GROUP BY ALL "
        "UNION ALL SELECT 'crime', strftime(month, '%Y-%m'), count(*) FROM crime GROUP BY ALL"
    ).fetchall()
    return {(kind, month): n for kind, month, n in rows}


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def test_load_records_batch_and_rows(con, tmp_path):
    result = load_file(con, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2), loaded_by="alice")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("loaded", 5, 5, 0)
    assert live_counts(con) == {("asb", "2025-01"): 3, ("crime", "2025-01"): 2}
    [batch] = list_batches(con)
    assert batch["file"] == "jan.csv"
    assert batch["source"] == "police.uk" and batch["kind"] == "asb+crime"
    assert batch["months"] == ["2025-01"] and batch["status"] == "loaded" and batch["loaded_by"] == "alice"
    assert len(batch["sha256"]) == 64 and batch["size_bytes"] == (tmp_path / "jan.csv").stat().st_size
    # Local resolution is community resolution (HO outcome 8): solved.
    assert con.execute("SELECT count(*) FROM crime WHERE solved AND vbc").fetchone()[0] == 2


def test_same_file_again_adds_nothing(con, tmp_path):
    path = police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2)
    first = load_file(con, path)
    before = snapshot(con)
    again = load_file(con, path)
    assert again.status == "already loaded" and again.batch_id == first.batch_id
    assert "already loaded" in again.message and "nothing was added" in again.message
    assert_same(snapshot(con), before)


def test_overlapping_months_refused_then_replaced_then_rolled_back(con, tmp_path):
    load_file(con, police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2))
    load_file(con, police_uk_csv(tmp_path / "feb.csv", "2025-02", 4, 1))
    before = snapshot(con)
    corrected = police_uk_csv(tmp_path / "jan-v2.csv", "2025-01", 5, 7, tag="b")
    with pytest.raises(InputRefused) as refused:
        load_file(con, corrected)
    assert "already loaded" in refused.value.message and "January 2025" in refused.value.message
    assert "--replace" in refused.value.message
    assert_same(snapshot(con), before)

    result = load_file(con, corrected, replace=True)
    assert result.replaced_batches == [1]
    # Hand count: January now 5 ASB and 7 crimes from the corrected file; February untouched.
    assert live_counts(con) == {("asb", "2025-01"): 5, ("crime", "2025-01"): 7,
                                ("asb", "2025-02"): 4, ("crime", "2025-02"): 1}
    statuses = {b["id"]: b["status"] for b in list_batches(con)}
    assert statuses == {1: "replaced", 2: "loaded", 3: "loaded"}

    done = rollback(con, result.batch_id, user="bob")
    assert done["restored_batches"] == [1]
    assert live_counts(con) == {("asb", "2025-01"): 3, ("crime", "2025-01"): 2,
                                ("asb", "2025-02"): 4, ("crime", "2025-02"): 1}
    batches = {b["id"]: b for b in list_batches(con)}
    assert batches[3]["status"] == "rolled back" and batches[3]["rolled_back_by"] == "bob"
    assert batches[1]["status"] == "loaded"
    with pytest.raises(InputRefused, match="already rolled back"):
        rollback(con, 3)
    with pytest.raises(NotFound, match="no batch 99"):
        rollback(con, 99)


def test_partial_replacement_and_stacked_rollback_never_double_count(con, tmp_path):
    two_months = police_uk_csv(tmp_path / "q.csv", "2025-01", 2, 0)
    text = two_months.read_text() + "".join(
        ",2025-02,Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,Ashford 001B,Anti-social behaviour,,\n"
        for _ in range(3)
    )
    two_months.write_text(text)
    a = load_file(con, two_months)
    b = load_file(con, police_uk_csv(tmp_path / "feb-b.csv", "2025-02", 10, 0), replace=True)
    c = load_file(con, police_uk_csv(tmp_path / "feb-c.csv", "2025-02", 20, 0, tag="c"), replace=True)
    assert {x["id"]: x["status"] for x in list_batches(con)} == {
        a.batch_id: "partly replaced", b.batch_id: "replaced", c.batch_id: "loaded"}
    # Rolling back B, the middle of the stack, must not bring A's February back beside C's.
    rollback(con, b.batch_id)
    assert live_counts(con) == {("asb", "2025-01"): 2, ("asb", "2025-02"): 20}
    rollback(con, c.batch_id)
    assert live_counts(con) == {("asb", "2025-01"): 2, ("asb", "2025-02"): 3}
    assert {x["id"]: x["status"] for x in list_batches(con)}[a.batch_id] == "loaded"


def test_several_files_load_all_or_nothing(con, tmp_path):
    good = police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2)
    bad = police_uk_csv(tmp_path / "feb.csv", "2025-02", 1, 1,
                        extra=",2025-13,Kent Police,Kent Police,,,,,,Anti-social behaviour,,\n")
    before = snapshot(con)
    with pytest.raises(InputRefused) as refused:
        load_files(con, [good, bad])
    assert "feb.csv" in refused.value.message and "row 4" in refused.value.message
    assert_same(snapshot(con), before)


def test_accept_valid_rows_keeps_rejects(con, tmp_path):
    path = police_uk_csv(tmp_path / "feb.csv", "2025-02", 2, 1,
                         extra=",2025-13,Kent Police,Kent Police,,,,,,Anti-social behaviour,,\n")
    result = load_file(con, path, accept_valid_rows=True)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    [reject] = rejected_rows(con, result.batch_id)
    assert reject["row"] == 5 and reject["column"] == "Month" and reject["value"] == "2025-13"
    assert live_counts(con) == {("asb", "2025-02"): 2, ("crime", "2025-02"): 1}


def test_missing_file_is_refused(con, tmp_path):
    with pytest.raises(InputRefused, match="does not exist"):
        load_file(con, tmp_path / "nope.csv")
    with pytest.raises(InputRefused, match="is a folder: name the files in it"):
        load_file(con, tmp_path)
    assert list_batches(con) == []


def test_old_schema_file_upgrades_in_place(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    # Version 1 had no warnings column on batches.
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL "
                "DEFAULT current_timestamp)")
    old.execute("INSERT INTO schema_version (version) VALUES (1)")
    old.execute("CREATE SEQUENCE batch_ids START 1")
    old.execute("""CREATE TABLE batches (
        id INTEGER PRIMARY KEY DEFAULT nextval('batch_ids'), file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL, source VARCHAR NOT NULL, kind VARCHAR NOT NULL, format VARCHAR NOT NULL,
        sheet VARCHAR, loaded_by VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL, rows_read BIGINT NOT NULL,
        rows_loaded BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, months VARCHAR[] NOT NULL,
        status VARCHAR NOT NULL, replaces INTEGER[] NOT NULL DEFAULT [], rolled_back_by VARCHAR,
        rolled_back_at TIMESTAMP)""")
    old.execute("INSERT INTO batches (file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, "
                "rows_read, rows_loaded, rows_rejected, months, status) VALUES ('old.csv', ?, 10, 'police.uk', "
                "'asb+crime', 'police-uk', 'carol', '2024-05-01 09:00:00', 0, 0, 0, ['2024-04'], 'loaded')",
                ["0" * 64])
    old.close()

    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    [batch] = list_batches(con)
    assert (batch["file"], batch["loaded_by"], batch["warnings"], batch["force"]) == ("old.csv", "carol", [], None)
    assert con.execute("SELECT count(*) FROM column_mappings").fetchone()[0] == 0
    con.close()


def test_files_read_differently_still_load_all_or_nothing(con, tmp_path):
    from analytics.ingest.load import FileRequest, load_requests

    police = police_uk_csv(tmp_path / "jan.csv", "2025-01", 3, 2)
    extract = tmp_path / "asb.csv"
    extract.write_text("Ref;When;Area;What\nA1;03/01/2025;Shepway;Noise\nA2;04/01/2025;Dover;Graffiti\n",
                       encoding="utf-8")
    mapping = {"Ref": "incident_ref", "When": "reported_date", "Area": "district", "What": "call_type"}
    bad = police_uk_csv(tmp_path / "feb.csv", "2025-02", 1, 0,
                        extra=",2025-13,Kent Police,Kent Police,,,,,,Anti-social behaviour,,\n")
    before = snapshot(con)
    with pytest.raises(InputRefused, match="feb.csv"):
        load_requests(con, [FileRequest(police, "jan.csv"),
                            FileRequest(extract, "asb.csv", "asb", "force", None, mapping),
                            FileRequest(bad, "feb.csv")])
    assert_same(snapshot(con), before)

    results = load_requests(con, [FileRequest(police, "jan.csv"),
                                  FileRequest(extract, "asb.csv", "asb", "force", None, mapping)], loaded_by="dan")
    assert [(r.source, r.rows_loaded) for r in results] == [("police.uk", 5), ("force", 2)]
    assert con.execute("SELECT district, call_type FROM asb WHERE source = 'force' ORDER BY ALL").fetchall() == [
        ("Dover", "Graffiti"), ("Folkestone and Hythe", "Noise nuisance")]
    # the force source's mapping is remembered for its next file
    assert con.execute("SELECT count(*) FROM column_mappings WHERE source = 'force'").fetchone()[0] == 4
