"""The monthly aggregates (store.refresh_aggregates) always equal a fresh GROUP BY over the live fact rows: after
loads of police.uk street-level and outcomes files and of a force extract, a roll-back, a month replaced and edits of
the reference files that classify crimes. The figures read only the aggregates, so this is what keeps them equal to
the incident rows; the expected figures of the other tests were worked out from the rows themselves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics import store
from analytics.domain.periods import make_period
from analytics.figures import counts, solved
from analytics.ingest import admin
from analytics.ingest.load import list_batches, load_file, rollback
from tests import outcomes
from tests.kent import FEB_2025, JAN_2025
from tests.large_compare import assert_same
from tests.test_load import police_uk_csv
from tests.test_outcomes import EXTRACT_ROWS
from tests.test_upload_page import reference_copy  # noqa: F401  (a fixture)

# Fresh GROUP BYs over the live rows (views asb and crime, the fact tables), in each aggregate's columns.
FRESH = {
    "asb_monthly": "SELECT source, month, district, call_type, count(*) FROM asb GROUP BY ALL",
    "crime_monthly": "SELECT source, month, district, crime_type, vbc, count(*) FROM crime GROUP BY ALL",
    "crime_outcomes": "SELECT source, month, district, vbc, solved, pending, outcome IS NOT NULL, outcome_group, "
                      "count(*) FROM crime GROUP BY ALL",
    "fact_months": "SELECT source, 'asb', month, batch_id, count(*), NULL, NULL, NULL FROM asb_incidents "
                   "WHERE replaced_by IS NULL GROUP BY ALL "
                   "UNION ALL SELECT source, 'crime', month, batch_id, count(*), "
                   "max(coalesce(CAST(recorded_date AS DATE), last_day(month))), max(CAST(outcome_date AS DATE)), "
                   "count(outcome_date) FROM crimes WHERE replaced_by IS NULL GROUP BY ALL "
                   "UNION ALL SELECT source, 'outcomes', month, batch_id, count(*), NULL, NULL, NULL "
                   "FROM outcome_events WHERE replaced_by IS NULL GROUP BY ALL",
}

# The solved rate at the same age straight from the rows, as the figures computed it before the aggregates: a crime
# with outcome events is solved as at the day before $after when its latest event before then is positive.
SOLVED_AS_AT = """
WITH events AS (
    SELECT crime_ref, month, batch_id, source_row, outcome_code, outcome_date
    FROM outcome_events WHERE source = $source AND replaced_by IS NULL
),
has_events AS (SELECT DISTINCT crime_ref FROM events),
as_at AS (
    SELECT crime_ref, outcome_code FROM events WHERE outcome_date < $after
    QUALIFY row_number() OVER (PARTITION BY crime_ref ORDER BY month DESC, batch_id DESC, source_row DESC) = 1
)
SELECT strftime(c.month, '%Y-%m'),
       count(*) FILTER (WHERE CASE WHEN h.crime_ref IS NOT NULL THEN coalesce(o.solved, false)
                                   ELSE c.solved AND c.outcome_date < $after END) AS solved
FROM crime c
LEFT JOIN has_events h ON h.crime_ref = c.crime_ref
LEFT JOIN as_at e ON e.crime_ref = c.crime_ref
LEFT JOIN ref_outcomes o ON o.outcome = e.outcome_code
WHERE c.source = $source AND c.vbc
GROUP BY ALL
"""
SOLVED_BY_OUTCOME_MONTH = ("SELECT strftime(outcome_date, '%Y-%m'), count(*) FROM crime "
                           "WHERE source = ? AND vbc AND solved AND outcome_date IS NOT NULL GROUP BY ALL")


def rows(con, query: str, params=None) -> list[tuple]:
    return sorted(con.execute(query, params or []).fetchall(), key=repr)


def assert_aggregates_match(con) -> None:
    for table, fresh in FRESH.items():
        assert rows(con, f"SELECT * FROM {table}") == rows(con, fresh), table
    # every live row is in exactly one aggregate row, and the load history's live counts are the rows' own
    live = dict(con.execute("SELECT batch_id, count(*) FROM (SELECT batch_id FROM asb WHERE true UNION ALL "
                            "SELECT batch_id FROM crime UNION ALL SELECT batch_id FROM outcome_events "
                            "WHERE replaced_by IS NULL) GROUP BY ALL").fetchall())
    assert {b["id"]: b["rows_live"] for b in list_batches(con)} == {b["id"]: live.get(b["id"], 0)
                                                                     for b in list_batches(con)}
    sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM crimes ORDER BY 1").fetchall()]
    for source in sources:
        months = [r[0] for r in con.execute("SELECT DISTINCT strftime(month, '%Y-%m') FROM crime WHERE source = ? "
                                            "ORDER BY 1", [source]).fetchall()]
        dates = solved.outcome_dates(con, source=source)
        # as at every month's end from the first crime's month to the data date, and the days outcomes were given
        days = {date.fromisoformat(f"{m}-01") + timedelta(days=d) for m in months for d in (0, 9, 30, 40, 70, 400)}
        days |= {r[0] for r in con.execute("SELECT DISTINCT CAST(outcome_date AS DATE) FROM crime WHERE source = ? "
                                           "AND outcome_date IS NOT NULL", [source]).fetchall()}
        if dates.data_date:
            days.add(dates.data_date)
        for day in sorted(days):
            fresh = {m: n for m, n in rows(con, SOLVED_AS_AT, {"source": source, "after": day + timedelta(days=1)})
                     if n}
            assert solved._solved_as_at(con, source, months, None, day) == fresh, (source, day)
        by_outcome = dict(rows(con, SOLVED_BY_OUTCOME_MONTH, [source]))
        for m in months:
            rate = solved.solved_rate(con, period=make_period(m, "1m"), source=source, basis="outcome_date")
            assert rate.solved in (None, by_outcome.get(m, 0)), (source, m)
    # and rebuilding every aggregate from scratch changes nothing
    before = {t: rows(con, f"SELECT * FROM {t}") for t in store.AGGREGATE_TABLES}
    store.refresh_aggregates(con)
    assert_same({t: rows(con, f"SELECT * FROM {t}") for t in store.AGGREGATE_TABLES}, before)


def solved_crimes(con, source: str) -> int:
    return con.execute("SELECT count(*) FROM crime WHERE source = ? AND vbc AND solved", [source]).fetchone()[0]


@pytest.fixture
def db(tmp_path):
    con = store.connect(tmp_path / "aggregates.duckdb")
    yield con
    con.close()


def test_aggregates_equal_the_rows_through_loads_roll_back_replacement_and_reference_edits(
        db, tmp_path, reference_copy):  # noqa: F811
    con = db
    load_file(con, JAN_2025)
    load_file(con, FEB_2025)
    assert_aggregates_match(con)

    # outcomes: January's crimes given an outcome in February, some of them another in March (so a crime solved in
    # February may be unsolved as at March, and the other way round)
    jan = outcomes.street_crimes(JAN_2025)
    load_file(con, outcomes.write_outcomes(tmp_path / "2025-02-kent-outcomes.csv",
                                           outcomes.cycle_outcomes(jan[:600], "2025-02")))
    march = outcomes.write_outcomes(
        tmp_path / "2025-03-kent-outcomes.csv",
        [outcomes.outcome_row(c, "2025-03", "Under investigation" if i % 2 else "Suspect charged")
         for i, c in enumerate(jan[300:900])])
    march_batch = load_file(con, march).batch_id
    assert_aggregates_match(con)

    # a force extract with outcome dates, as a source of its own
    extract = tmp_path / "extract.csv"
    extract.write_text("crime_ref,recorded_date,district,offence_group,outcome,outcome_date\n"
                       + "\n".join(EXTRACT_ROWS) + "\n", encoding="utf-8")
    load_file(con, extract, source_name="force")
    assert_aggregates_match(con)

    # a roll-back of March's outcomes brings February's back for those crimes
    solved_with_march = solved_crimes(con, "police.uk")
    rollback(con, march_batch, user="test")
    assert solved_crimes(con, "police.uk") != solved_with_march
    assert_aggregates_match(con)

    # February replaced by a small file: its old rows are kept, replaced, and counted nowhere
    feb = counts.comparison(con, measure="all_crime", period=make_period("2025-02", "1m"), source="police.uk")
    assert feb["count"].iloc[0] > 7
    replacement = load_file(con, police_uk_csv(tmp_path / "feb.csv", "2025-02", 4, 3, tag="r"), replace=True)
    feb = counts.comparison(con, measure="all_crime", period=make_period("2025-02", "1m"), source="police.uk")
    assert feb["count"].iloc[0] == 3
    assert_aggregates_match(con)
    # and rolling the replacement back brings the published February back
    rollback(con, replacement.batch_id, user="test")
    assert_aggregates_match(con)

    # reference edits that change what counts as solved and as victim-based crime
    path = reference_copy / "outcomes.csv"
    text = path.read_text(encoding="utf-8")
    charged = "1,Charged or summonsed,Charge/summons,"
    changed = text.replace(charged + "true,", charged + "false,")
    assert changed != text
    before = solved_crimes(con, "police.uk")
    admin.replace_reference(con, "outcomes.csv", changed.encode())
    assert solved_crimes(con, "police.uk") < before
    assert_aggregates_match(con)
    path = reference_copy / "offence_groups.csv"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("Burglary,Burglary,true,", "Burglary,Burglary,false,")
    assert changed != text
    admin.replace_reference(con, "offence_groups.csv", changed.encode())
    assert con.execute("SELECT count(*) FROM crime WHERE crime_type = 'Burglary' AND vbc").fetchone() == (0,)
    assert_aggregates_match(con)


def test_a_version_7_file_gets_its_aggregates_on_upgrade(tmp_path):
    from tests.conftest import insert_batch, old_database

    path = tmp_path / "v7.duckdb"
    con = old_database(path, 7)
    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover", "call_type": "Noise nuisance"}] * 3)
    insert_batch(con, "crime", [{"month": "2025-01", "district": "Dover", "offence_group": "Burglary",
                                 "outcome": "1", "outcome_date": "2025-01-20"}] * 2)
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'asb_monthly'"
                       ).fetchone() == (0,)
    con.close()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == 8
        assert con.execute("SELECT source, month, district, call_type, n FROM asb_monthly").fetchall() == [
            ("force", date(2025, 1, 1), "Dover", "Noise nuisance", 3)]
        assert con.execute("SELECT crime_type, vbc, n FROM crime_monthly").fetchall() == [("Burglary", True, 2)]
        assert con.execute("SELECT vbc, solved, pending, outcome_group, n FROM crime_outcomes").fetchall() == [
            (True, True, False, "Charge/summons", 2)]
        assert con.execute("SELECT solved_from, solved_to, n FROM crime_solved").fetchall() == [
            (date(2025, 1, 20), None, 2)]
        assert_aggregates_match(con)
    finally:
        con.close()


def test_figures_kept_for_a_file_follow_loads_roll_backs_and_reference_edits(db, tmp_path, reference_copy):  # noqa: F811
    from analytics.figures import breakdowns
    from tests.conftest import insert_batch

    con = db
    jan = make_period("2025-01", "1m")
    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover", "call_type": "Noise nuisance"}] * 3)

    def by_category() -> dict:
        df = breakdowns.breakdown(con, measure="asb", by="category", period=jan, source="force")
        return dict(zip(df["name"], df["count"], strict=True))

    def january() -> int:
        return int(counts.comparison(con, measure="asb", period=jan, source="force")["count"].iloc[0])

    assert (by_category(), january()) == ({"Nuisance": 3}, 3)
    # the same figures again come from what is kept; a roll-back of a second load changes them back
    second = insert_batch(con, "asb", [{"month": "2025-02", "district": "Dover"}])
    assert january() == 3
    rollback(con, second, user="test")
    assert january() == 3 and counts.comparison(con, measure="asb", period=make_period("2025-02", "1m"),
                                                 source="force")["count"].isna().iloc[0]
    # an edit of the call types file (joined when the aggregates are read) is seen at once
    assert by_category() == {"Nuisance": 3}
    path = reference_copy / "asb_call_types.csv"
    text = path.read_text(encoding="utf-8")
    admin.replace_reference(con, "asb_call_types.csv",
                            text.replace("Noise nuisance,Nuisance", "Noise nuisance,Personal").encode())
    assert by_category() == {"Personal": 3}


def test_what_is_kept_is_for_the_latest_few_files_only(tmp_path):
    # a dashboard reads a new published copy after every load: what was kept for old copies is let go
    from analytics.figures import kept

    kept.clear()
    files = []
    for i in range(kept._KEEP_FILES + 2):
        con = store.connect(tmp_path / f"copy{i}.duckdb")
        kept.current(con).get(("n",), lambda i=i: i)
        files.append(str(tmp_path / f"copy{i}.duckdb"))
        con.close()
    assert list(kept._KEPT) == files[2:]
    assert all(found.memo == {("n",): i + 2} for i, (_, found) in enumerate(kept._KEPT.values()))
