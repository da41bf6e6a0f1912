"""Repeat callers, the caller lookup and repeat locations on extracts loaded through the real loader, with every
answer worked out by hand at the window's boundaries."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics import store
from analytics.casework import repeat
from analytics.casework.repeat import Threshold
from analytics.domain.callers import CALLER_KEY_SQL, caller_key
from analytics.errors import InputRefused, NotFound
from analytics.ingest.load import load_files, rollback
from tests.conftest import old_database
from tests.kent import KENT

HEADER = "Incident Number,Date Reported,District,Call Type,Location,Caller Ref,Vulnerable"


def extract(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def load(con, tmp_path: Path, rows: list[str], name: str = "asb.csv", source: str = "force", **kw) -> int:
    result = load_files(con, [extract(tmp_path / name, rows)], source_name=source, loaded_by="test", **kw)[0]
    assert result.rows_rejected == 0, result.problems
    return int(result.batch_id)


# D = 30 June 2023, M = 6: the window is 31 December 2022 .. 30 June 2023.
BOUNDARY = [
    # A: three incidents, the third exactly on the last day (late in the evening), the first on the first day
    "A1,31/12/2022 00:05,Ashford,Noise nuisance,On or near High Street,A-100,N",
    "A2,15/03/2023 10:00,Ashford,Noise nuisance,On or near High Street,A-100,N",
    "A3,30/06/2023 23:59,Ashford,Noise nuisance,On or near High Street,A-100,N",
    # B: three incidents, but the first one day outside the window
    "B1,30/12/2022 23:59,Dover,Fly-tipping,On or near Park Road,B-200,N",
    "B2,01/03/2023 10:00,Dover,Fly-tipping,On or near Park Road,B-200,",
    "B3,01/06/2023 10:00,Dover,Fly-tipping,On or near Park Road,B-200,",
    # C: one caller in two districts, the reference written three ways (case and spaces); vulnerable once
    "C1,02/01/2023 09:00,Medway,Neighbour dispute,On or near Mill Lane,c 300,N",
    "C2,10/04/2023 09:00,Swale,Neighbour dispute,On or near Mill Lane,C300,Y",
    "C3,20/06/2023 09:00,Medway,Street drinking,On or near Mill Lane,  c3 00 ,N",
    # D: four incidents, one after D (not counted), none flagged either way
    "D1,01/02/2023 09:00,Thanet,Noise nuisance,On or near Sea Road,D-400,",
    "D2,01/03/2023 09:00,Thanet,Noise nuisance,On or near Sea Road,D-400,",
    "D3,01/04/2023 09:00,Thanet,Noise nuisance,On or near Sea Road,D-400,",
    "D4,01/07/2023 00:00,Thanet,Noise nuisance,On or near Sea Road,D-400,",
]


def test_the_window_at_its_boundaries(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    found = repeat.repeat_callers(con, source="force", as_of="2023-06-30")
    rows = repeat.as_records(found)
    assert rows == [
        # most incidents first, then the latest last incident, then the reference
        {"caller_ref": "A-100", "incidents": 3, "first": "2022-12-31", "last": "2023-06-30", "district": "Ashford",
         "vulnerable": False},
        {"caller_ref": "C300", "incidents": 3, "first": "2023-01-02", "last": "2023-06-20", "district": "Medway",
         "vulnerable": True},
        {"caller_ref": "D-400", "incidents": 3, "first": "2023-02-01", "last": "2023-04-01", "district": "Thanet",
         "vulnerable": None},
    ]
    c = found.set_index("caller_ref").loc["C300"]
    assert c["districts"] == "Medway; Swale" and c["call_types"] == "Neighbour dispute; Street drinking"
    # B's first incident is one minute before the window: two incidents, not a repeat caller
    assert "B-200" not in set(found["caller_ref"])
    assert repeat.caller_lookup(con, source="force", ref="b-200", as_of="2023-06-30").count == 2
    # a day earlier (30 December .. 29 June), A's third incident is after D, and B's first comes in
    assert set(repeat.repeat_callers(con, source="force", as_of="2023-06-29")["caller_ref"]) == {
        "B-200", "C300", "D-400"}
    # a day later (1 July: 1 January .. 1 July), A's first incident falls out, D's fourth comes in
    later = repeat.repeat_callers(con, source="force", as_of="2023-07-01")
    assert dict(zip(later["caller_ref"], later["incidents"], strict=True)) == {"D-400": 4, "C300": 3}


def test_references_differing_only_in_case_or_spaces_are_one_caller(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    keys = con.execute("SELECT DISTINCT caller_ref, caller_key FROM asb_incidents WHERE incident_ref LIKE 'C%' "
                       "ORDER BY caller_ref").fetchall()
    # the loader trims a cell's outer spaces; inner spaces and case stay as written, the key ignores them
    assert keys == [("C300", "C300"), ("c 300", "C300"), ("c3 00", "C300")]
    for typed in ("c300", " C 3 0 0", "C\u00a0300"):
        assert repeat.caller_lookup(con, source="force", ref=typed, as_of="2023-06-30").count == 3
    assert caller_key("  c3 00 ") == "C300" and caller_key(" \t ") is None


def test_python_and_sql_keys_agree(con):
    refs = ["c 300", "C\t3\n00", "ab-12/x", "é ß", "Ǆ", "\u00a0x\u00a0", "   ", "", "K/123 456"]
    sql = [r[0] for r in con.execute(
        f"SELECT {CALLER_KEY_SQL} FROM (SELECT unnest(?) AS caller_ref, generate_subscripts(?, 1) AS i) ORDER BY i",
        [refs, refs]).fetchall()]
    assert sql == [caller_key(r) for r in refs]


def test_29_february(con, tmp_path):
    rows = [
        "E1,29/02/2024 12:00,Dartford,Noise nuisance,On or near Green Lane,E-500,N",
        "E2,01/06/2024 12:00,Dartford,Noise nuisance,On or near Green Lane,E-500,N",
        "E3,31/08/2024 12:00,Dartford,Noise nuisance,On or near Green Lane,E-500,N",
        "F1,01/03/2024 12:00,Dartford,Noise nuisance,On or near Green Lane,F-600,N",
        "F2,01/06/2024 12:00,Dartford,Noise nuisance,On or near Green Lane,F-600,N",
        "F3,31/08/2024 12:00,Dartford,Noise nuisance,On or near Green Lane,F-600,N",
    ]
    load(con, tmp_path, rows)
    # D = 31 August 2024: the same date six months earlier is 29 February (no 31st), so the window starts on
    # 1 March and the leap day is one day outside: E has two incidents, F three.
    found = repeat.repeat_callers(con, source="force", as_of="2024-08-31")
    assert found["caller_ref"].tolist() == ["F-600"]
    # D = 28 August 2024: the window starts on 29 February, so E's leap-day incident counts (its third is after D)
    assert repeat.caller_lookup(con, source="force", ref="E-500", as_of="2024-08-28").count == 2
    assert repeat.caller_lookup(con, source="force", ref="E-500", as_of="2024-08-28").window.start == date(2024, 2, 29)
    # with M = 7 on 31 August (31 January + 1 = 1 February) all three of E's count
    seven = repeat.repeat_callers(con, source="force", as_of="2024-08-31", threshold=Threshold(3, 7))
    assert seven["caller_ref"].tolist() == ["E-500", "F-600"]


def test_thresholds_and_the_case_review_window_are_separate(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    # two in three months (1 April .. 30 June): A (A3; A2 is in March -> 1), B (B3 only), C (C2, C3), D (D3)
    two = repeat.repeat_callers(con, source="force", as_of="2023-06-30", threshold=Threshold(2, 3))
    assert two["caller_ref"].tolist() == ["C300"]
    row = two.iloc[0]
    assert (row["incidents"], row["case_review_incidents"], bool(row["case_review"])) == (2, 3, True)
    # a local procedure asking for four in six months: nobody meets it on 30 June
    strict = repeat.repeat_callers(con, source="force", as_of="2023-06-30", case_review=Threshold(4, 6))
    assert not strict["case_review"].any()


def test_who_became_a_repeat_caller_this_month(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    # as at 31 May (window 1 December .. 31 May) C has C1, C2 = 2; D has D1-D3 = 3; A has A1, A2 = 2.
    # So on 30 June, A and C are new this month and D was already a repeat caller at the end of May.
    found = repeat.repeat_callers(con, source="force", as_of="2023-06-30").set_index("caller_ref")
    assert found["new_this_month"].to_dict() == {"A-100": True, "C300": True, "D-400": False}


def test_repeat_callers_each_month(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    trend = repeat.repeat_trend(con, source="force", as_of="2023-06-30", months_shown=3)
    assert trend["month"].tolist() == ["2023-04", "2023-05", "2023-06"]
    assert trend["as_at"].tolist() == [date(2023, 4, 30), date(2023, 5, 31), date(2023, 6, 30)]
    # 30 April (31 Oct .. 30 Apr): D (D1-D3) only, new since 31 March (D had D1, D2). 31 May: D. 30 June: A, C, D.
    assert trend["repeat_callers"].tolist() == [1, 1, 3]
    assert trend["new_repeat_callers"].tolist() == [1, 0, 2]
    assert trend["vulnerable_repeat_callers"].tolist() == [0, 0, 1]
    # incidents in the month with a caller reference: April C2, D3; May none; June A3, B3, C3
    assert trend["incidents"].tolist() == [2, 0, 3]
    # from the month's repeat callers: April D3; June A3, C3 (B is not a repeat caller)
    assert trend["incidents_from_repeat_callers"].tolist() == [1, 0, 2]
    assert trend["share_pct"].iloc[0] == 50.0 and pd.isna(trend["share_pct"].iloc[1])
    assert trend["share_pct"].iloc[2] == 66.7
    counts = repeat.repeat_caller_counts(con, source="force", as_of="2023-06-30", months_shown=3)
    assert "caller_ref" not in counts.columns
    assert not counts.astype(str).apply(lambda col: col.str.contains("A-100|C300|D-400")).any().any()


def test_the_lookup_at_first_contact(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    found = repeat.caller_lookup(con, source="force", ref="d-400", as_of="2023-06-30")
    assert found.key == "D-400" and found.count == 3 and found.repeat and found.meets_case_review
    assert found.incidents["incident_ref"].tolist() == ["D3", "D2", "D1"]  # newest first; D4 is after D
    assert found.vulnerable is None and found.vulnerable_before is False
    assert (found.earlier, found.first_ever) == (0, date(2023, 2, 1))
    # as at 1 August: D2-D4 in (1 February excluded: window starts 2 February), D1 earlier
    later = repeat.caller_lookup(con, source="force", ref="D-400", as_of="2023-08-01")
    assert (later.count, later.earlier) == (3, 1)
    c = repeat.caller_lookup(con, source="force", ref="c300", as_of="2023-06-30")
    assert c.vulnerable is True
    # the vulnerable flag from before the window is reported separately
    c_later = repeat.caller_lookup(con, source="force", ref="c300", as_of="2023-10-15")
    assert (c_later.count, c_later.vulnerable, c_later.vulnerable_before) == (1, False, True)
    unknown = repeat.caller_lookup(con, source="force", ref="nobody", as_of="2023-06-30")
    assert (unknown.count, unknown.earlier, unknown.repeat) == (0, 0, False)
    with pytest.raises(InputRefused, match="Type a caller reference"):
        repeat.caller_lookup(con, source="force", ref="   ", as_of="2023-06-30")


def test_the_lookup_is_an_index_probe(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    indexes = con.execute("SELECT index_name, sql FROM duckdb_indexes() WHERE table_name = 'asb_incidents'").fetchall()
    assert [name for name, _ in indexes] == ["asb_incidents_caller_key"]
    assert "caller_key" in indexes[0][1]


def test_sources_are_never_added_together_and_rolled_back_rows_leave(con, tmp_path):
    first = load(con, tmp_path, BOUNDARY[:3], name="a.csv", source="force")
    load(con, tmp_path, BOUNDARY[3:6], name="b.csv", source="other extract")
    assert [s.name for s in repeat.caller_sources(con)] == ["force", "other extract"]
    with pytest.raises(InputRefused, match="More than one source"):
        repeat.caller_source(con, None)
    assert repeat.caller_lookup(con, source="other extract", ref="A-100", as_of="2023-06-30").count == 0
    rollback(con, first, user="test")
    assert repeat.caller_lookup(con, source="force", ref="A-100", as_of="2023-06-30").count == 0
    assert repeat.caller_source(con, None).name == "other extract"
    with pytest.raises(NotFound, match="no live ASB incidents with caller references"):
        repeat.caller_source(con, "force")


def test_replaced_months_count_once(con, tmp_path):
    load(con, tmp_path, BOUNDARY[:3], name="a.csv")
    # June replaced by a file holding A's June incident again under another reference, plus a new one
    load(con, tmp_path, ["A3b,30/06/2023 22:00,Ashford,Noise nuisance,On or near High Street,A-100,N",
                         "A4,29/06/2023 08:00,Ashford,Noise nuisance,On or near High Street,A-100,N"],
         name="june.csv", replace=True)
    assert repeat.caller_lookup(con, source="force", ref="A-100", as_of="2023-06-30").count == 4


def test_no_caller_references_is_said_plainly(con):
    with pytest.raises(NotFound, match="No loaded ASB extract has caller references"):
        repeat.caller_source(con, None)


def test_an_old_database_gets_caller_keys_on_upgrade(tmp_path):
    # a version-4 file, as that version wrote it: incidents with caller references but no key column, no index
    path = tmp_path / "old.duckdb"
    con = old_database(path, 4)
    con.execute("INSERT INTO batches (file_name, sha256, size_bytes, source, kind, format, loaded_by, loaded_at, "
                "rows_read, rows_loaded, rows_rejected, months, status) VALUES ('old.csv', repeat('a', 64), 1, "
                "'force', 'asb', 'asb', 'test', now(), 3, 3, 0, ['2023-01', '2023-04', '2023-06'], 'loaded')")
    con.execute("INSERT INTO asb_incidents (batch_id, source, source_row, incident_ref, reported_date, month, "
                "district, call_type, caller_ref) VALUES "
                "(1, 'force', 2, 'C1', TIMESTAMP '2023-01-02 09:00', DATE '2023-01-01', 'Medway', 'Neighbour dispute', "
                "'c 300'), "
                "(1, 'force', 3, 'C2', TIMESTAMP '2023-04-10 09:00', DATE '2023-04-01', 'Swale', 'Neighbour dispute', "
                "'C300'), "
                "(1, 'force', 4, 'C3', TIMESTAMP '2023-06-20 09:00', DATE '2023-06-01', 'Medway', 'Street drinking', "
                "'  c3 00 ')")
    con.close()
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert con.execute("SELECT DISTINCT caller_key FROM asb_incidents").fetchall() == [("C300",)]
    assert repeat.caller_lookup(con, source="force", ref="c 3 0 0", as_of="2023-06-30").count == 3
    assert con.execute("SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'asb_incidents_caller_key'"
                       ).fetchall() == [(1,)]
    assert len(repeat.pseudonym_salt(con)) == 64
    con.close()


def test_pseudonyms_are_stable_here_and_differ_elsewhere(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    found = repeat.repeat_callers(con, source="force", as_of="2023-06-30")
    shared = repeat.pseudonymise(con, found)
    assert "caller_ref" not in shared.columns
    assert shared["caller"].str.fullmatch(r"P-[0-9A-F]{10}").all()
    assert repeat.pseudonyms(con, ["c 300", "C300", None]) == [shared["caller"].iloc[1]] * 2 + [None]
    assert not shared.astype(str).apply(lambda col: col.str.contains("A-100|C300|D-400")).any().any()
    other = store.connect(":memory:")
    assert repeat.pseudonyms(other, ["C300"]) != repeat.pseudonyms(con, ["C300"])
    other.close()


# ------------------------------------------------------------------------------------------------ locations

POLICE_UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                    "Crime type,Last outcome category,Context")


def police_uk_file(path: Path, month: str, rows: list[tuple[str, str, str]]) -> Path:
    """ASB rows (location, LSOA code, LSOA name) of one month."""
    lines = [f",{month},Kent Police,Kent Police,0.87,51.14,{loc},{code},{name},Anti-social behaviour,,"
             for loc, code, name in rows]
    path.write_text(POLICE_UK_HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_repeat_locations_on_police_uk_data(con, tmp_path):
    high = ("On or near High Street", "E01024001", "Ashford 001A")
    high_dover = ("On or near High Street", "E01024100", "Dover 001A")
    park = ("On or near Park Road", "E01024001", "Ashford 001A")
    files = [
        police_uk_file(tmp_path / "2025-01.csv", "2025-01", [high, high, park]),
        police_uk_file(tmp_path / "2025-02.csv", "2025-02", [high, high_dover, high_dover, park]),
        police_uk_file(tmp_path / "2025-03.csv", "2025-03", [high, high_dover, park, park]),
    ]
    load_files(con, files, loaded_by="test")
    found = repeat.repeat_locations(con, source="police.uk", end_month="2025-03", months=3, min_incidents=3)
    # Ashford High Street: 2 + 1 + 1 = 4; Ashford Park Road: 1 + 1 + 2 = 4; Dover High Street: 3
    assert found[["rank", "district", "location", "incidents", "months_with_incidents"]].values.tolist() == [
        [1, "Ashford", "On or near High Street", 4, 3], [2, "Ashford", "On or near Park Road", 4, 3],
        [3, "Dover", "On or near High Street", 3, 2]]
    assert found["callers"].tolist() == [0, 0, 0]
    # two months (February, March): Ashford Park Road 3, Dover 3, Ashford High Street 2
    two = repeat.repeat_locations(con, source="police.uk", end_month="2025-03", months=2, min_incidents=3)
    assert two["location"].tolist() == ["On or near Park Road", "On or near High Street"]
    assert two["district"].tolist() == ["Ashford", "Dover"]
    # by LSOA: E01024001 holds both Ashford places: 8
    lsoa = repeat.repeat_locations(con, source="police.uk", end_month="2025-03", months=3, min_incidents=4,
                                   by="lsoa")
    assert lsoa[["lsoa_code", "incidents"]].values.tolist() == [["E01024001", 8]]
    with pytest.raises(InputRefused, match="Group places by"):
        repeat.repeat_locations(con, source="police.uk", end_month="2025-03", by="street; DROP TABLE batches")


def test_repeat_locations_agree_with_a_direct_count_of_a_real_kent_file(con):
    path = KENT / "2025-01-kent-street.csv"
    load_files(con, [path], loaded_by="test")
    with open(path, encoding="utf-8", newline="") as f:
        asb = [r for r in csv.DictReader(f) if r["Crime type"] == "Anti-social behaviour" and r["Location"]]
    direct = Counter((r["LSOA code"] or None, r["Location"]) for r in asb)
    found = repeat.repeat_locations(con, source="police.uk", end_month="2025-01", months=1, min_incidents=5)
    assert len(found) == sum(1 for n in direct.values() if n >= 5)
    top = found.iloc[0]
    assert int(top["incidents"]) == max(direct.values())
    assert direct[(top["lsoa_code"], top["location"])] == int(top["incidents"])


def test_the_location_lookup(con, tmp_path):
    load(con, tmp_path, BOUNDARY)
    found = repeat.location_lookup(con, source="force", text="  mill   LANE ", as_of="2023-06-30")
    assert found.total == 3 and not found.truncated
    assert found.places.values.tolist() == [["On or near Mill Lane", "Medway", 2, 1],
                                            ["On or near Mill Lane", "Swale", 1, 1]]
    assert found.incidents["incident_ref"].tolist() == ["C3", "C2", "C1"]
    # LIKE wildcards typed by the user are plain text
    assert repeat.location_lookup(con, source="force", text="%_%", as_of="2023-06-30").total == 0
    with pytest.raises(InputRefused, match="at least three characters"):
        repeat.location_lookup(con, source="force", text="ab", as_of="2023-06-30")


def test_each_month_agrees_with_repeat_callers_as_at_each_month_end(con, tmp_path):
    from analytics.ingest.synthetic import write_synthetic_extracts

    paths = write_synthetic_extracts(tmp_path, start="2024-09", end="2025-06")
    load_files(con, [paths["asb"]], source_name="synthetic", loaded_by="test")
    for threshold in (Threshold(3, 6), Threshold(2, 2), Threshold(5, 9)):
        trend = repeat.repeat_trend(con, source="synthetic", as_of="2025-06-20", months_shown=6, threshold=threshold)
        assert trend["as_at"].tolist()[-2:] == [date(2025, 5, 31), date(2025, 6, 20)]
        for point in trend.itertuples():
            at = repeat.repeat_callers(con, source="synthetic", as_of=point.as_at, threshold=threshold)
            assert point.repeat_callers == len(at) > 0
            assert point.new_repeat_callers == int(at["new_this_month"].sum())
            assert point.vulnerable_repeat_callers == int(at["vulnerable"].fillna(False).astype(bool).sum())
            month = pd.Timestamp(point.as_at).to_period("M").start_time
            from_repeaters = con.execute(
                "SELECT count(*) FROM asb WHERE source = 'synthetic' AND reported_date >= ? AND reported_date < ? "
                "AND caller_key IN (SELECT unnest(?))",
                [month, pd.Timestamp(point.as_at) + pd.Timedelta(days=1), at["caller_ref"].tolist()]).fetchall()
            assert point.incidents_from_repeat_callers == from_repeaters[0][0]
