"""The ASB Case Review register: create, update, the audit trail, withdrawal (never deletion), due dates across the
Christmas and Easter bank holidays, overdue and due-this-week flags, and the yearly statistics by financial year."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from analytics import store
from analytics.casework import reviews
from analytics.casework.windows import window
from analytics.errors import InputRefused, NotFound
from analytics.ingest.load import load_files
from tests.large_compare import assert_same

TODAY = date(2026, 2, 2)  # a Monday
NOW = datetime(2026, 2, 2, 9, 30)


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def add(con, **kw):
    kw.setdefault("district", "Ashford")
    return reviews.add(con, by=kw.pop("by", "alice"), today=kw.pop("today", TODAY), now=kw.pop("now", NOW), **kw)


def snapshot(con) -> tuple:
    return (con.execute("SELECT * FROM case_reviews ORDER BY id").fetchall(),
            con.execute("SELECT * FROM case_review_changes ORDER BY id").fetchall())


def test_create_records_every_field_with_who_and_when(con):
    r = add(con, received="2025-12-19", district="ashford", applicant="victim")
    assert (r["id"], r["received"], r["district"], r["applicant"]) == (1, date(2025, 12, 19), "Ashford", "victim")
    assert (r["working_days"], r["due_from"], r["response_due"]) == (25, "receipt", date(2026, 1, 28))
    assert (r["status"], r["created_by"], r["created_at"]) == ("awaiting threshold decision", "alice", NOW)
    assert r["year"] == "2025/26"
    trail = reviews.changes(con, 1)
    assert trail[["field", "old_value", "new_value"]].values.tolist() == [
        ["created", None, "application 1"], ["received", None, "2025-12-19"], ["applicant", None, "victim"],
        ["district", None, "Ashford"], ["working_days", None, "25"], ["due_from", None, "receipt"]]
    assert set(trail["changed_by"]) == {"alice"} and set(trail["changed_at"]) == {NOW}


def test_update_records_old_and_new_values_and_nothing_for_unchanged_fields(con):
    add(con, received="2025-12-19")
    later = datetime(2026, 1, 10, 14, 0)
    r = reviews.update(con, 1, {"threshold_met": "yes", "threshold_reasons": "Three incidents in six months.",
                                "panel_date": "2026-01-09", "agencies": "Kent Police; Ashford Borough Council ",
                                "district": "Ashford"}, by="bob", today=TODAY, now=later)
    assert r["threshold_met"] is True and r["agencies"] == ["Kent Police", "Ashford Borough Council"]
    assert (r["updated_by"], r["updated_at"], r["created_by"]) == ("bob", later, "alice")
    assert r["status"] == "review held: response due"
    changed = reviews.changes(con, 1).iloc[6:]
    assert changed[["field", "old_value", "new_value", "changed_by"]].values.tolist() == [
        ["threshold_met", None, "yes", "bob"], ["threshold_reasons", None, "Three incidents in six months.", "bob"],
        ["panel_date", None, "2026-01-09", "bob"], ["agencies", None, "Kent Police; Ashford Borough Council", "bob"]]
    reviews.update(con, 1, {"panel_date": "2026-01-12"}, by="carol", today=TODAY, now=later)
    last = reviews.changes(con, 1).iloc[-1]
    assert (last["field"], last["old_value"], last["new_value"], last["changed_by"]) == (
        "panel_date", "2026-01-09", "2026-01-12", "carol")
    # a value set to what it is already changes nothing and records nothing
    before = snapshot(con)
    reviews.update(con, 1, {"panel_date": date(2026, 1, 12)}, by="dave", today=TODAY)
    assert_same(snapshot(con), before)
    # '' clears a field, and says so
    reviews.update(con, 1, {"panel_date": ""}, by="carol", today=TODAY, now=later)
    assert reviews.get(con, 1, today=TODAY)["panel_date"] is None
    assert reviews.changes(con, 1).iloc[-1][["old_value", "new_value"]].tolist() == ["2026-01-12", None]


def test_withdrawn_never_deleted(con):
    add(con, received="2025-11-03")
    r = reviews.withdraw(con, 1, reason="Entered in error", on="2025-11-04", by="bob", today=TODAY)
    assert (r["status"], r["withdrawn_on"], r["withdrawn_reason"]) == ("withdrawn", date(2025, 11, 4),
                                                                       "Entered in error")
    assert not r["overdue"]  # a withdrawn application is never overdue
    assert [x["id"] for x in reviews.records(con, today=TODAY)] == [1]
    with pytest.raises(InputRefused, match="already withdrawn"):
        reviews.withdraw(con, 1, reason="again", today=TODAY)
    with pytest.raises(InputRefused, match="Give a reason"):
        reviews.withdraw(con, 1, reason=" ", today=TODAY)
    assert reviews.yearly_statistics(con, today=TODAY).empty
    # reinstating clears both and is recorded too
    reviews.update(con, 1, {"withdrawn_on": None, "withdrawn_reason": None}, by="bob", today=TODAY)
    assert reviews.get(con, 1, today=TODAY)["status"] == "awaiting threshold decision"
    assert [c for c in reviews.changes(con, 1)["field"]][-2:] == ["withdrawn_on", "withdrawn_reason"]
    assert not [name for name in dir(reviews) if "delete" in name.lower() or "remove" in name.lower()]


def test_due_dates_across_the_bank_holidays(con):
    # Christmas: received Friday 19 December 2025 -> 25th working day Wednesday 28 January 2026 (worked out in
    # test_casework_windows); Easter: received Thursday 10 April 2025 -> Tuesday 20 May 2025
    assert add(con, received="2025-12-19")["response_due"] == date(2026, 1, 28)
    assert add(con, received="2025-04-10")["response_due"] == date(2025, 5, 20)
    # a rule of 10 working days from the panel: panel Wednesday 16 April 2025 -> 17 (1), 22-25 (2-5), 28 Apr -
    # 2 May (6-10): Friday 2 May
    r = add(con, received="2025-04-01", working_days=10, due_from="panel")
    assert (r["response_due"], r["status"]) == (None, "awaiting threshold decision")  # no panel yet
    r = reviews.update(con, r["id"], {"panel_date": "2025-04-16", "threshold_met": True}, today=TODAY)
    assert r["response_due"] == date(2025, 5, 2)


def test_settings_change_new_applications_only_and_are_audited(con):
    first = add(con, received="2025-12-19")
    reviews.change_settings(con, working_days=20, due_from="receipt", by="admin", now=NOW)
    second = add(con, received="2025-12-19")
    assert (first["working_days"], second["working_days"]) == (25, 20)
    # the 20th working day after 19 December 2025 is Wednesday 21 January (see the Christmas count)
    assert reviews.get(con, first["id"], today=TODAY)["response_due"] == date(2026, 1, 28)
    assert second["response_due"] == date(2026, 1, 21)
    setting = reviews.changes(con).query("review_id.isna()")
    assert setting[["field", "old_value", "new_value", "changed_by"]].values.tolist() == [
        ["setting: working_days", "25", "20", "admin"]]
    with pytest.raises(InputRefused, match="1 to 260"):
        reviews.change_settings(con, working_days=0)


@pytest.mark.parametrize("today, overdue, this_week", [
    (date(2026, 1, 26), False, True),   # Monday of the due week
    (date(2026, 1, 28), False, True),   # the due day itself is not overdue
    (date(2026, 1, 29), True, False),   # the day after
    (date(2026, 1, 25), False, False),  # the Sunday before: due next week
])
def test_overdue_and_due_this_week(con, today, overdue, this_week):
    add(con, received="2025-12-19", today=date(2025, 12, 19))  # due 28 January 2026 (a Wednesday)
    r = reviews.get(con, 1, today=today)
    assert (r["overdue"], r["due_this_week"]) == (overdue, this_week)


def test_a_response_clears_the_flags_and_a_late_one_says_so(con):
    add(con, received="2025-12-19")
    r = reviews.update(con, 1, {"threshold_met": False, "response_date": "2026-01-29"}, today=TODAY)
    assert (r["overdue"], r["due_this_week"], r["late"], r["status"]) == (False, False, True, "responded")
    r = reviews.update(con, 1, {"response_date": "2026-01-28"}, today=TODAY)
    assert r["late"] is False


def test_yearly_statistics_by_financial_year(con):
    # 2023/24: two received (31 March 2024 is the year's last day), one not met, one reviewed with recommendations
    a = add(con, received="2023-06-01")
    reviews.update(con, a["id"], {"threshold_met": "yes", "panel_date": "2023-06-20",
                                  "recommendations": "Mediation."}, today=TODAY)
    b = add(con, received="2024-03-31")
    reviews.update(con, b["id"], {"threshold_met": "no"}, today=TODAY)
    # 2024/25: nothing received. 2025/26: 1 April 2025 onwards
    c = add(con, received="2025-04-01")  # reviewed, no recommendations
    reviews.update(con, c["id"], {"threshold_met": "yes", "panel_date": "2025-04-20"}, today=TODAY)
    d = add(con, received="2025-05-01")  # met, panel not yet sat: not a review carried out
    reviews.update(con, d["id"], {"threshold_met": "yes", "panel_date": "2026-03-01"}, today=TODAY)
    e = add(con, received="2025-06-01")  # withdrawn: not counted at all
    reviews.update(con, e["id"], {"threshold_met": "no"}, today=TODAY)
    reviews.withdraw(con, e["id"], reason="duplicate of 4", today=TODAY)
    f = add(con, received="2026-01-15")  # met with recommendations that are only spaces: none recorded
    reviews.update(con, f["id"], {"threshold_met": "yes", "panel_date": "2026-01-30", "recommendations": "   "},
                   today=TODAY)
    add(con, received="2026-02-02")  # not decided yet
    stats = reviews.yearly_statistics(con, today=TODAY)
    assert list(stats.columns) == ["year", "applications", "threshold_not_met", "reviews", "with_recommendations"]
    assert stats.values.tolist() == [["2023/24", 2, 1, 1, 1], ["2024/25", 0, 0, 0, 0], ["2025/26", 4, 0, 2, 0]]
    # once the May application's panel has sat it is a review carried out
    assert reviews.yearly_statistics(con, today=date(2026, 3, 1)).values.tolist()[-1] == ["2025/26", 4, 0, 3, 0]


def test_bad_input_is_refused_and_changes_nothing(con):
    add(con, received="2025-12-19")
    before = snapshot(con)
    refusals = [
        (lambda: add(con, received="2025-12-19", district="Narnia"), "not a district of the force"),
        (lambda: add(con, received="19/12/2025"), "YYYY-MM-DD"),
        (lambda: add(con, received="2026-03-01"), "after today"),
        (lambda: add(con, received="2025-12-19", applicant="neighbour"), "not one of victim, other"),
        (lambda: add(con, received="2025-12-19", consent="yes"), "on the victim's behalf"),
        (lambda: add(con, received="2025-12-19", incidents="-1"), "cannot be negative"),
        (lambda: reviews.update(con, 1, {"panel_date": "2025-12-01"}, today=TODAY), "before the application"),
        (lambda: reviews.update(con, 1, {"response_date": "2026-03-01"}, today=TODAY), "after today"),
        (lambda: reviews.update(con, 1, {"threshold_met": "maybe"}, today=TODAY), "not yes or no"),
        (lambda: reviews.update(con, 1, {"owner": "x"}, today=TODAY), "No field called owner"),
        (lambda: reviews.update(con, 1, {"withdrawn_on": "2026-01-05"}, today=TODAY), "date and a reason"),
        (lambda: reviews.update(con, 1, {}, today=TODAY), "Name at least one field"),
    ]
    for attempt, message in refusals:
        with pytest.raises(InputRefused, match=message):
            attempt()
    with pytest.raises(NotFound, match="no ASB Case Review application 99"):
        reviews.update(con, 99, {"panel_date": "2026-01-05"}, today=TODAY)
    assert_same(snapshot(con), before)


HEADER = "Incident Number,Date Reported,District,Call Type,Caller Ref,Vulnerable"


def test_incidents_in_the_six_months_before_are_looked_up(con, tmp_path: Path):
    extract = tmp_path / "asb.csv"
    extract.write_text(HEADER + "\n" + "\n".join([
        "X1,19/06/2025 10:00,Ashford,Noise nuisance,K 77,N",  # the window up to 19 December starts 20 June: out
        "X2,20/06/2025 10:00,Ashford,Noise nuisance,k77,N",
        "X3,01/10/2025 10:00,Ashford,Noise nuisance,K77,Y",
        "X4,19/12/2025 18:00,Ashford,Noise nuisance,K77,N",
        "X5,20/12/2025 10:00,Ashford,Noise nuisance,K77,N",  # after receipt: out
    ]) + "\n", encoding="utf-8")
    load_files(con, [extract], source_name="force", loaded_by="test")
    r = add(con, received="2025-12-19", caller_ref="k 77")
    assert (r["incidents_found"], r["incidents"], r["lookup_source"]) == (3, 3, "force")
    # the number the decision counts can differ (e.g. reports to the council too); a new caller ref looks again
    r = reviews.update(con, r["id"], {"incidents": 5}, today=TODAY)
    assert (r["incidents"], r["incidents_found"]) == (5, 3)
    r = reviews.update(con, r["id"], {"caller_ref": "nobody"}, today=TODAY)
    assert (r["incidents"], r["incidents_found"]) == (5, 0)
    assert [a["id"] for a in reviews.records(con, caller_ref="NOBODY", today=TODAY)] == [r["id"]]
    without = add(con, received="2025-12-19")
    assert (without["incidents_found"], without["lookup_source"]) == (None, None)


def test_the_register_changes_the_data_version(con):
    before = store.data_version(con)
    add(con, received="2025-12-19")
    assert store.data_version(con) != before


def test_the_synthetic_demo_register(tmp_path):
    from analytics.ingest.demo import SYNTHETIC_SOURCE
    from analytics.ingest.synthetic import write_synthetic_extracts

    con = store.connect(":memory:")
    paths = write_synthetic_extracts(tmp_path, start="2024-01", end="2025-12")
    load_files(con, [paths["asb"]], source_name=SYNTHETIC_SOURCE, loaded_by="test")
    ids = reviews.seed_demo(con, source=SYNTHETIC_SOURCE, today=TODAY)
    assert len(ids) == 10 and reviews.seed_demo(con, source=SYNTHETIC_SOURCE, today=TODAY) == []
    rows = reviews.records(con, today=TODAY)
    assert all(r["synthetic"] and r["created_by"] == reviews.SYNTHETIC_BY for r in rows)
    assert all(r["threshold_reasons"] is None or r["threshold_reasons"].startswith("SYNTHETIC") for r in rows)
    # each applicant is a real caller of the extract, with the incidents found at receipt
    for r in rows:
        win = window(r["received"], 6)
        found = con.execute("SELECT count(*) FROM asb WHERE source = ? AND caller_key = ? AND reported_date >= ? "
                            "AND reported_date < ?", [SYNTHETIC_SOURCE, r["caller_ref"], win.start,
                                                      win.after_end]).fetchall()[0][0]
        assert r["incidents_found"] == found
        assert (found >= 3) == (r["threshold_met"] is not False)
    assert sum(r["overdue"] for r in rows) == 2
    assert reviews.yearly_statistics(con, today=TODAY).values.tolist() == [
        ["2024/25", 5, 1, 4, 3], ["2025/26", 4, 1, 2, 2]]
    con.close()
