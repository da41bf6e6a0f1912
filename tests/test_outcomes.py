"""police.uk outcomes files and the solved rate at the same age.

Outcomes files are made from the real Kent street-level files' Crime IDs (tests/outcomes.py): no real outcomes files
are bundled. Every expected figure is counted straight from the files written here, or worked out by hand below.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import pytest

from analytics import store
from analytics.cli import main
from analytics.domain import definitions
from analytics.domain.maturity import comparable, year_earlier
from analytics.domain.periods import make_period
from analytics.errors import InputRefused
from analytics.figures import solved
from analytics.ingest import synthetic
from analytics.ingest.load import list_batches, load_file, load_files, rollback
from analytics.ingest.readers import read_file
from analytics.report import tiles
from analytics.report.summary import build_summary
from tests import outcomes
from tests.kent import CITY_JAN_2025, FEB_2025, JAN_2025, KENT
from tests.large_compare import assert_same
from tests.test_hostile_loads import every_table

VBC_TYPES = {"Violence and sexual offences", "Burglary", "Robbery", "Vehicle crime", "Theft from the person",
             "Shoplifting", "Bicycle theft", "Other theft", "Criminal damage and arson"}
PENDING_TEXTS = {"Under investigation", "Status update unavailable", "Awaiting court outcome"}


def vbc_crimes(path, outcome: set[str]) -> list[dict[str, str]]:
    return [c for c in outcomes.street_crimes(path) if c["Crime type"] in VBC_TYPES
            and c["Last outcome category"] in outcome]


def jan_figures(con) -> tuple[int, int, int]:
    """(victim-based crimes, solved, pending) recorded in January 2025 for police.uk."""
    return con.execute("SELECT count(*), count(*) FILTER (WHERE solved), count(*) FILTER (WHERE pending) FROM crime "
                       "WHERE vbc AND month = DATE '2025-01-01' AND source = 'police.uk'").fetchone()


# ------------------------------------------------------------------------------------------------ the rules


def test_comparable_maturity_is_within_two_points_exactly():
    # 10.0% against 12.0%: exactly 2 points apart, comparable; 10.0% against 12.1% is not
    assert comparable(100, 1000, 120, 1000) is True
    assert comparable(100, 1000, 121, 1000) is False
    assert comparable(121, 1000, 100, 1000) is False
    # 1 of 3 against 530 of 1,500 (33.33…% against 35.33…%): exactly 2 points, as 100 × |1·1500 − 530·3| = 9,000 =
    # 2 × 3 × 1,500, with no float rounding on the way; 531 of 1,500 is 2.2 points apart
    assert comparable(1, 3, 530, 1500) is True
    assert comparable(1, 3, 531, 1500) is False
    assert comparable(None, 10, 1, 10) is None and comparable(1, 10, 1, 0) is None
    assert comparable(10, 10, 10, 10, outcomes_recorded=False) is None


def test_a_year_earlier_keeps_month_ends():
    assert year_earlier(date(2025, 2, 28)) == date(2024, 2, 29)  # a month's end: police.uk outcomes are dated so
    assert year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)
    assert year_earlier(date(2025, 3, 15)) == date(2024, 3, 15)
    assert year_earlier(date(2025, 12, 31)) == date(2024, 12, 31)


def test_outcomes_reference_flags_pending():
    by_code = {o.outcome: o for o in definitions.outcomes()}
    assert definitions.match_outcome("Awaiting court outcome") == "Awaiting court outcome"
    awaiting = by_code["Awaiting court outcome"]
    assert awaiting.solved and awaiting.pending and awaiting.outcome_group == "Charge/summons"
    assert by_code["Under investigation"].pending and not by_code["Under investigation"].solved
    assert by_code["Status update unavailable"].pending
    assert definitions.match_outcome("Pending") == "Under investigation"
    assert [o.outcome for o in definitions.outcomes() if o.pending] == [
        "Under investigation", "Status update unavailable", "Awaiting court outcome"]
    assert definitions.match_outcome("Court result unavailable") == "1" and not by_code["1"].pending


def test_no_outcome_recorded_is_pending_an_unknown_outcome_is_not(con):
    from tests.conftest import insert_batch

    insert_batch(con, "crime", [{"month": "2025-01", "district": "Ashford", "offence_group": "Burglary",
                                 "outcome": o} for o in (None, "Pending", "Made-up outcome", "1")])
    got = con.execute("SELECT outcome, solved, pending FROM crime ORDER BY outcome NULLS FIRST").fetchall()
    assert got == [(None, False, True), ("1", True, False), ("Made-up outcome", False, False),
                   ("Pending", False, True)]


# ------------------------------------------------------------------------------------------------ loading


def test_outcomes_file_loads_loss_free_and_moves_crimes_outcomes(tmp_path):
    con = store.connect(tmp_path / "kent.duckdb")
    load_file(con, JAN_2025)
    total, solved_before, pending_before = jan_figures(con)
    # counted from the file: 10,751 victim-based crimes in January 2025, 384 + 61 pending of them at most
    waiting = vbc_crimes(JAN_2025, {"Status update unavailable"})
    awaiting_court = vbc_crimes(JAN_2025, {"Awaiting court outcome"})
    assert total == 10751 and pending_before == len(waiting) + len(awaiting_court)
    charged, closed = waiting[:20], waiting[20:30]
    not_loaded = [c for c in outcomes.street_crimes(FEB_2025)][:3]  # February's crimes: not loaded yet
    rows = ([outcomes.outcome_row(c, "2025-03", "Suspect charged") for c in charged]
            + [outcomes.outcome_row(c, "2025-03", "Investigation complete; no suspect identified") for c in closed]
            + [outcomes.outcome_row(c, "2025-03", "Offender fined") for c in not_loaded])
    path = outcomes.write_outcomes(tmp_path / "2025-03-kent-outcomes.csv", rows)

    result = load_file(con, path)
    assert (result.status, result.kind, result.format, result.source) == (
        "loaded", "outcomes", "police-uk-outcomes", "police.uk")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (33, 33, 0)
    assert result.months == ["2025-03"]
    assert ("3 of 33 outcomes are for Crime IDs that source 'police.uk' does not hold (yet): they are kept, not "
            "dropped") in result.warnings[0]
    stored = con.execute("SELECT crime_ref, month, outcome_date, outcome, outcome_code FROM outcome_events "
                         "ORDER BY source_row").fetchall()
    assert [r[0] for r in stored] == [r[0] for r in rows]  # every row, in file order, none dropped
    assert {(r[1], r[2]) for r in stored} == {(date(2025, 3, 1), date(2025, 3, 31))}
    assert stored[0][3:] == ("Suspect charged", "1") and stored[-1][3:] == ("Offender fined", "1")
    [batch] = [b for b in list_batches(con) if b["id"] == result.batch_id]
    assert (batch["kind"], batch["force"], batch["rows_live"], batch["status"]) == (
        "outcomes", "Kent Police", 33, "loaded")

    # the crimes' outcomes moved: 20 more solved, 30 fewer pending; dated the outcome month's last day
    assert jan_figures(con) == (total, solved_before + 20, pending_before - 30)
    moved = con.execute("SELECT outcome, outcome_date, solved, pending FROM crime WHERE crime_ref = ?",
                        [charged[0]["Crime ID"]]).fetchall()
    assert moved == [("Suspect charged", datetime(2025, 3, 31), True, False)]

    # the outcomes for crimes not loaded were kept: they count once February's file is loaded
    load_file(con, FEB_2025)
    got = con.execute("SELECT count(*) FROM crime WHERE outcome = 'Offender fined' AND crime_ref IN "
                      "(SELECT unnest(?))", [[c["Crime ID"] for c in not_loaded]]).fetchone()[0]
    assert got == 3

    # the same file again adds nothing; another file of the same month needs --replace
    again = load_file(con, path)
    assert again.status == "already loaded" and con.execute("SELECT count(*) FROM outcome_events").fetchone()[0] == 33
    other = outcomes.write_outcomes(tmp_path / "2025-03-kent-outcomes-b.csv",
                                    [outcomes.outcome_row(c, "2025-03", "Offender given a caution") for c in closed])
    before = every_table(con)
    with pytest.raises(InputRefused, match="Months already loaded"):
        load_file(con, other)
    assert_same(every_table(con), before)
    replacing = load_file(con, other, replace=True)
    assert replacing.replaced_batches == [result.batch_id]
    assert jan_figures(con) == (total, solved_before + 10, pending_before - 10)
    rollback(con, replacing.batch_id)
    assert jan_figures(con) == (total, solved_before + 20, pending_before - 30)
    # rolled back, the street file's own outcomes are the crimes' outcomes again
    rollback(con, result.batch_id)
    assert jan_figures(con) == (total, solved_before, pending_before)
    assert con.execute("SELECT count(*) FROM outcome_events").fetchone()[0] == 0
    con.close()


def test_outcomes_file_row_problems_keep_row_numbers(con, tmp_path):
    crimes = outcomes.street_crimes(JAN_2025)[:4]
    rows = [outcomes.outcome_row(crimes[0], "2025-02", "Local resolution"),
            outcomes.outcome_row(crimes[1], "2025-02", ""),
            outcomes.outcome_row(crimes[2], "2025-13", "Local resolution"),
            ["", "2025-02", "Kent Police", "Kent Police", "", "", "No location", "", "", "Local resolution"]]
    path = outcomes.write_outcomes(tmp_path / "bad-outcomes.csv", rows)
    s = read_file(con, path)
    assert s.format == "police-uk-outcomes" and s.kind == "outcomes"
    assert [(p.row, p.column) for p in s.problems] == [(3, "Outcome type"), (4, "Month"), (5, "Crime ID")]
    assert s.rows_read == 4 and s.rows_rejected == 3


def test_another_forces_outcomes_file_is_refused_with_and_without_replace(tmp_path):
    db = tmp_path / "kent.duckdb"
    con = store.connect(db)
    load_files(con, [JAN_2025, outcomes.write_outcomes(
        tmp_path / "2025-02-kent-outcomes.csv", outcomes.cycle_outcomes(outcomes.street_crimes(JAN_2025)[:50],
                                                                        "2025-02"))])
    city = outcomes.write_outcomes(tmp_path / "2025-02-city-of-london-outcomes.csv", outcomes.cycle_outcomes(
        outcomes.street_crimes(CITY_JAN_2025)[:5], "2025-02", force="City of London Police"))
    before = every_table(con)
    for again in (False, True):
        with pytest.raises(InputRefused) as refused:
            load_file(con, city, replace=again)
        assert refused.value.title == "Another force's file"
        assert "City of London Police" in refused.value.message and "holds Kent Police" in refused.value.message
        assert_same(every_table(con), before)
    con.close()
    # the command line: exit 2, the database unchanged, with and without --replace
    for extra in ([], ["--replace"]):
        assert main(["ingest", "--db", str(db), *extra, str(city)]) == 2
    con = store.connect(db)
    assert_same(every_table(con), before)
    con.close()
    assert main(["ingest", "--db", str(db), "--name", "city", str(city)]) == 0


def test_another_forces_street_file_is_refused_by_the_command_line_with_replace(tmp_path):
    """The issue's case: Kent's June 2025 loaded, City of London's June 2025 file given with --replace."""
    from tests.kent import CITY_JUN_2025

    db = tmp_path / "kent.duckdb"
    assert main(["ingest", "--db", str(db), str(KENT / "2025-06-kent-street.csv")]) == 0
    con = store.connect(db)
    before = every_table(con)
    con.close()
    for extra in ([], ["--replace"]):
        assert main(["ingest", "--db", str(db), *extra, str(CITY_JUN_2025)]) == 2
    con = store.connect(db)
    assert_same(every_table(con), before)
    assert con.execute("SELECT count(*) FROM asb WHERE month = DATE '2025-06-01'").fetchone()[0] > 8
    con.close()


# ------------------------------------------------------------------------------------------------ the same age


def test_matched_rate_from_police_uk_outcomes_files_equals_a_hand_count(tmp_path):
    """January 2025 against January 2024, with outcomes files for January to February (and March 2024).

    D is the latest date loaded: 28 February 2025 (February 2025's outcomes), later than January's crimes (dated
    31 January); a year earlier, 29 February 2024. By hand, from the files written below:
    - January 2025's crimes solved as at D: 25 local resolutions in January, 5 of them closed unsolved in February
      (the latest event counts), and 40 charged in February: 20 + 40 = 60 of 10,751.
    - January 2024's as at D − 1 year: 30 charged in January and 10 cautioned in February = 40 of 11,231; March
      2024 closes 5 of those unsolved, after D − 1 year, so they still count.
    """
    con = store.connect(tmp_path / "kent.duckdb")
    jan24, jan25 = KENT / "2024-01-kent-street.csv", JAN_2025
    load_files(con, [jan24, jan25])
    c24 = vbc_crimes(jan24, PENDING_TEXTS | {"Unable to prosecute suspect"})
    c25 = vbc_crimes(jan25, PENDING_TEXTS | {"Unable to prosecute suspect"})
    files = {
        "2024-01": [outcomes.outcome_row(c, "2024-01", "Suspect charged") for c in c24[:30]],
        "2024-02": [outcomes.outcome_row(c, "2024-02", "Offender given a caution") for c in c24[30:40]],
        "2024-03": [outcomes.outcome_row(c, "2024-03", "Investigation complete; no suspect identified")
                    for c in c24[30:35]],
        "2025-01": [outcomes.outcome_row(c, "2025-01", "Local resolution") for c in c25[:25]],
        "2025-02": ([outcomes.outcome_row(c, "2025-02", "Suspect charged") for c in c25[25:65]]
                    + [outcomes.outcome_row(c, "2025-02", "Unable to prosecute suspect") for c in c25[:5]]),
    }
    paths = {m: outcomes.write_outcomes(tmp_path / f"{m}-kent-outcomes.csv", rows) for m, rows in files.items()}
    results = {m: load_file(con, p) for m, p in paths.items()}
    period = make_period("2025-01", "1m")
    m = solved.solved_rate(con, period=period, source="police.uk").matched
    assert m is not None and (m.as_at, m.last_year_as_at) == (date(2025, 2, 28), date(2024, 2, 29))
    assert (m.solved, m.total, m.last_year_solved, m.last_year_total) == (60, 10751, 40, 11231)
    assert (m.rate, m.last_year_rate, m.pp_change) == (0.6, 0.4, 0.2)  # 0.558%, 0.356%: +0.202 points
    assert m.signal is False  # z = 2(√60 − √40) = 2.84

    # as at 31 January 2025: January's events only, on both sides (25 against 30)
    early = solved.solved_rate(con, period=period, source="police.uk", as_at=date(2025, 1, 31)).matched
    assert early is not None and (early.solved, early.last_year_solved) == (25, 30)
    assert early.last_year_as_at == date(2024, 1, 31)
    with pytest.raises(InputRefused, match="after the latest date loaded"):
        solved.solved_rate(con, period=period, source="police.uk", as_at=date(2025, 3, 1))
    with pytest.raises(InputRefused, match="before the period ends"):
        solved.solved_rate(con, period=period, source="police.uk", as_at=date(2025, 1, 30))

    # without February 2024's outcomes, last year's rate at the same age cannot be known
    rollback(con, results["2024-02"].batch_id)
    gap = solved.solved_rate(con, period=period, source="police.uk").matched
    assert gap is not None and gap.last_year_solved is None and gap.missing_months == ("2024-02",)
    block = build_summary(con, period=period, source="police.uk")["victim_based_crime"]["solved"]
    assert block["matched"] == {"as_at": "2025-02-28", "rate": 0.6, "last_year_rate": None, "pp_change": None,
                                "signal": False}
    con.close()


# A force crime extract written by hand: January 2025 against January 2024, ten victim-based crimes each.
# This year: solved (outcome 1) on 20/01/2025, 10/02/2025 and 15/03/2025 (the latest date in the file: D), one
# closed unsolved (18), six with no outcome yet. Last year: solved on 15/01/2024, 15/03/2024 (D − 1 year, counts),
# 16/03/2024 and 01/09/2024 (after it), six closed unsolved.
# Cohort: 3 of 10 (30.0%) against 4 of 10 (40.0%), −10.0 pp; pending 60% against 0%: not like-for-like.
# As at D: 3 of 10 (30.0%) against 2 of 10 (20.0%), +10.0 pp. As at 28/02/2025: 2 (20.0%) against 1 (10.0%).
EXTRACT_ROWS = [
    *[f"T{i},{i + 1:02d}/01/2025 10:00,Ashford,Burglary,{o},{d}" for i, (o, d) in enumerate([
        ("1", "20/01/2025 12:00"), ("1", "10/02/2025 09:00"), ("1", "15/03/2025 16:30"), ("18", "05/02/2025 10:00"),
        ("", ""), ("", ""), ("", ""), ("", ""), ("", ""), ("", "")])],
    *[f"L{i},{i + 1:02d}/01/2024 10:00,Ashford,Burglary,{o},{d}" for i, (o, d) in enumerate([
        ("1", "15/01/2024 12:00"), ("1", "15/03/2024 23:00"), ("1", "16/03/2024 08:00"), ("1", "01/09/2024 10:00"),
        *[("18", "20/02/2024 10:00")] * 6])],
]


@pytest.fixture
def extract_db(tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text("crime_ref,recorded_date,district,offence_group,outcome,outcome_date\n"
                    + "\n".join(EXTRACT_ROWS) + "\n", encoding="utf-8")
    db = tmp_path / "extract.duckdb"
    con = store.connect(db)
    load_file(con, path)
    con.close()
    return db


def test_matched_rate_of_a_force_extract_by_hand(extract_db):
    con = store.connect(extract_db)
    rate = solved.solved_rate(con, period=make_period("2025-01", "1m"), source="force")
    assert (rate.solved, rate.total, rate.last_year_solved, rate.pp_change) == (3, 10, 4, -10.0)
    assert (rate.pending, rate.last_year_pending, rate.pending_share, rate.last_year_pending_share) == (6, 0, 60.0, 0.0)
    assert rate.like_for_like is False and rate.signal is False
    m = rate.matched
    assert m is not None and (m.as_at, m.last_year_as_at) == (date(2025, 3, 15), date(2024, 3, 15))
    assert (m.solved, m.last_year_solved, m.rate, m.last_year_rate, m.pp_change) == (3, 2, 30.0, 20.0, 10.0)
    # 28 February 2025 is a month's end, so a year earlier is 29 February 2024
    feb = solved.solved_rate(con, period=make_period("2025-01", "1m"), source="force", as_at=date(2025, 2, 28))
    assert feb.matched is not None and feb.matched.last_year_as_at == date(2024, 2, 29)
    assert (feb.matched.solved, feb.matched.last_year_solved, feb.matched.pp_change) == (2, 1, 10.0)
    # the tile leads with the rate at the same age and says why the cohort comparison is not like for like
    tile = tiles.solved_tile(rate)
    assert (tile.value, tile.delta, tile.direction, tile.signal) == (
        "30.0%", "+10.0 pp on last year at the same age", "up", False)
    assert tile.signal_text == ("Within normal variation. Both years counted with the same time to be solved: "
                                "outcomes up to 15 March 2025 and 15 March 2024.")
    assert tile.lines == ("On all outcomes to date: 30.0%, −10.0 pp on last year, not like-for-like: 60.0% of this "
                          "period's crimes and 0.0% of last year's still await an outcome.",)
    # without the rate at the same age the cohort rate stays, grey and without an arrow, and says why
    cohort = tiles.solved_tile(replace(rate, matched=None))
    assert (cohort.value, cohort.delta, cohort.direction, cohort.color, cohort.signal) == (
        "30.0%", "−10.0 pp on last year — not like-for-like", "off", "gray", False)
    assert cohort.signal_text == (
        "Not like-for-like: in the data loaded, 60.0% of this period's crimes and 0.0% of last year's still await an "
        "outcome, so the −10.0 pp change reflects how far investigations had got, not performance.")
    con.close()


def test_summary_json_gives_maturity_and_the_matched_rate(extract_db):
    import io
    from contextlib import redirect_stdout

    def run(*extra: str) -> dict:
        out = io.StringIO()
        with redirect_stdout(out):
            assert main(["summary", "--db", str(extract_db), "--end", "2025-01", "--months", "1", "--json",
                         *extra]) == 0
        return json.loads(out.getvalue())

    s = run()["victim_based_crime"]["solved"]
    assert (s["like_for_like"], s["signal"], s["pending_share"]) == (False, False, {"this_year": 60.0,
                                                                                      "last_year": 0.0})
    assert s["matched"] == {"as_at": "2025-03-15", "rate": 30.0, "last_year_rate": 20.0, "pp_change": 10.0,
                            "signal": False}
    s = run("--as-at", "2025-02-28")["victim_based_crime"]["solved"]
    assert s["matched"] == {"as_at": "2025-02-28", "rate": 20.0, "last_year_rate": 10.0, "pp_change": 10.0,
                            "signal": False}
    for bad in ("2025-13-01", "2025-03-16"):
        assert main(["summary", "--db", str(extract_db), "--end", "2025-01", "--months", "1", "--as-at", bad]) == 2


def test_matched_rate_of_the_synthetic_extract_equals_a_count_of_its_file(tmp_path):
    """The generated force extract, taken as at its end: the rate at the same age counted straight from the CSV."""
    paths = synthetic.write_synthetic_extracts(tmp_path, start="2024-01", end="2025-03", taken=True)
    con = store.connect(":memory:")
    load_file(con, paths["crime"], source_name="synthetic")
    period = make_period("2025-03", "3m")
    rate = solved.solved_rate(con, period=period, source="synthetic")

    frame = pd.read_csv(paths["crime"], dtype=str, keep_default_na=False)
    recorded = pd.to_datetime(frame["Recorded Date"], format="%d/%m/%Y %H:%M")
    outcome_at = pd.to_datetime(frame["Outcome Date"], format="%d/%m/%Y %H:%M", errors="coerce")
    vbc = {g.name: g.victim_based for g in definitions.offence_groups()}
    is_vbc = frame["Offence Group"].map(lambda g: vbc[definitions.match_offence_group(g)])
    is_solved = frame["Outcome"].isin({"1", "1A", "2", "3", "4", "6", "7", "8"})
    d = max(recorded.max(), outcome_at.max()).date()
    months = recorded.dt.strftime("%Y-%m")

    def count(months_in: tuple[str, ...], by: date) -> tuple[int, int]:
        rows = is_vbc & months.isin(months_in)
        solved_by = rows & is_solved & (outcome_at.dt.date <= by)
        return int(solved_by.sum()), int(rows.sum())

    m = rate.matched
    assert m is not None and m.as_at == d == date(2025, 3, 31)
    assert (m.solved, m.total) == count(period.months, d)
    assert (m.last_year_solved, m.last_year_total) == count(period.last_year, year_earlier(d))
    # taken at its end, the extract's recent crimes are less mature: cohort not like for like, same age is
    assert rate.like_for_like is False and rate.pending_share > rate.last_year_pending_share + 2
    con.close()


def test_a_version_6_file_upgrades_with_its_batches_and_awaiting_court_outcomes(tmp_path):
    from tests.conftest import insert_batch, old_database

    path = tmp_path / "v6.duckdb"
    con = old_database(path, 6)
    # as version 6 stored them: "Awaiting court outcome" coded as outcome 1 (a synonym of it then)
    rows = [{"month": "2025-01", "district": "Ashford", "offence_group": "Burglary", "outcome": o}
            for o in ["Awaiting court outcome"] * 2 + ["Local resolution"] * 3]
    batch = insert_batch(con, "crime", rows)
    con.execute("UPDATE crimes SET outcome_code = '1' WHERE outcome = 'Awaiting court outcome'")
    before = con.execute("SELECT * FROM batches").fetchall()
    con.close()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION == 8
        assert con.execute("SELECT * EXCLUDE (kind, format) FROM batches").fetchall() == [
            r[:5] + r[7:] for r in before]  # every batch kept, its id too
        assert con.execute("SELECT outcome_code, solved, pending, count(*) FROM crime WHERE batch_id = ? GROUP BY ALL "
                           "ORDER BY ALL", [batch]).fetchall() == [
            ("8", True, False, 3), ("Awaiting court outcome", True, True, 2)]
        # the new kind of batch can be stored
        assert con.execute("SELECT count(*) FROM outcome_events").fetchone() == (0,)
    finally:
        con.close()


def test_the_crime_page_does_not_test_a_change_that_is_not_like_for_like(extract_db):
    from analytics.views import crime as crime_view
    from analytics.views.common import Selection

    con = store.connect(extract_db)
    try:
        v = crime_view.build(con, Selection("force", "2025-01", "1m"))
    finally:
        con.close()
    assert v.change_test == ("The change in the solved rate is not tested for chance: it is not like-for-like (in "
                             "the data loaded, 60.0% of this period's crimes and 0.0% of last year's still await an "
                             "outcome).")
    assert v.solved_tile.value == "30.0%" and v.solved_tile.delta == "+10.0 pp on last year at the same age"


def test_the_p_chart_counts_pending_by_the_reference_flag(con):
    from analytics.domain.periods import shift_month
    from analytics.figures import control_series
    from tests.conftest import insert_batch

    rows = []
    for i in range(6):
        month = shift_month("2024-07", i)
        # 10 crimes a month: 2 solved, 1 awaiting court (solved and pending), the rest closed; the last month 6
        # awaiting court: pending 10% against 60%
        awaiting = 6 if i == 5 else 1
        rows += [{"month": month, "district": "Ashford", "offence_group": "Burglary", "outcome": "1"}] * 2
        rows += [{"month": month, "district": "Ashford", "offence_group": "Burglary",
                  "outcome": "Awaiting court outcome"}] * awaiting
        rows += [{"month": month, "district": "Ashford", "offence_group": "Burglary", "outcome": "18"}] * (8 - awaiting)
    insert_batch(con, "crime", rows)
    sc = control_series.solved_control(con, source="force", end="2024-12", months=6)
    assert sc.pending_pct["2024-07"] == pytest.approx(10.0) and sc.pending_pct["2024-12"] == pytest.approx(60.0)
    assert sc.immature == ("2024-12",)
