"""The casework views: warnings when the data cannot fill a window, the register as shown, and file names."""

from __future__ import annotations

from datetime import date

from analytics import store
from analytics.casework import reviews
from analytics.ingest.load import load_files
from analytics.views import callers, case_reviews, locations
from tests.test_casework_repeat import BOUNDARY, extract, police_uk_file


def test_a_window_reaching_before_the_extracts_says_so(tmp_path):
    con = store.connect(":memory:")
    load_files(con, [extract(tmp_path / "asb.csv", BOUNDARY)], source_name="force", loaded_by="t")
    # the extract starts on 30 December 2022; the window up to 30 June 2023 starts on 31 December: nothing missed
    assert callers.lookup(con, "force", callers.BY_REFERENCE, "A-100", date(2023, 6, 30)).short is None
    # up to 15 May 2023 the window starts on 16 November 2022, before the first incident loaded
    short = callers.lookup(con, "force", callers.BY_REFERENCE, "A-100", date(2023, 5, 15)).short
    assert short == ("The force incidents loaded begin on 30 December 2022, inside the window: calls before then "
                     "are not known here, so the counts may be short.")
    assert callers.build(con, "force", date(2023, 5, 15), 3, 6).short == short
    con.close()


def test_repeat_locations_name_the_months_not_loaded(tmp_path):
    con = store.connect(":memory:")
    row = ("On or near High Street", "E01024001", "Ashford 001A")
    load_files(con, [police_uk_file(tmp_path / "jan.csv", "2025-01", [row] * 3),
                     police_uk_file(tmp_path / "mar.csv", "2025-03", [row])], loaded_by="t")
    v = locations.build(con, "police.uk", "2025-03", 3, 3, "location")
    assert v.gaps == ("police.uk has no ASB data loaded for February 2025: those months count nothing, so a place "
                      "can fall short of 3 for want of data.")
    assert v.caveat and "snapped to anonymous map points" in v.caveat
    assert v.table["Incidents"].tolist() == [4]
    assert v.download and v.download.file_name == "repeat-locations-3-or-more_kent_police-uk_2025-01-to-2025-03.csv"
    assert locations.build(con, "police.uk", "2025-01", 1, 3, "location").gaps is None
    con.close()


def test_the_register_as_shown(tmp_path):
    con = store.connect(":memory:")
    today = date(2026, 2, 2)
    reviews.add(con, received="2025-12-19", district="Ashford", by="a", today=today)
    reviews.add(con, received="2026-01-05", district="Dover", by="a", today=today)
    reviews.withdraw(con, 2, reason="duplicate of 1", today=today)
    v = case_reviews.build(con, today)
    assert v.register[["Application", "Status", "Response due", "Flags"]].values.tolist() == [
        [2, "withdrawn", "", ""], [1, "awaiting threshold decision", "28 Jan 2026", "Overdue"]]
    assert v.alerts == ["Application 1 (Ashford): the response is overdue; it was due on 28 Jan 2026."]
    assert [(s.label, s.value) for s in v.stats] == [("Open applications", "1"), ("Overdue", "1"),
                                                     ("Due this week", "0"), ("Received 2025/26", "1")]
    assert v.statistics.values.tolist() == [["2025/26", 1, 0, 0, 0]]
    assert v.statistics_download is not None
    assert v.statistics_download.file_name == "asb-case-review-statistics_kent_register_2025-04-to-2026-03.csv"
    assert v.statistics_download.data.decode("utf-8-sig").splitlines()[0].startswith(
        '"Financial year","Applications for an ASB Case Review received"')
    con.close()
