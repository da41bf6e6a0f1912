"""Commentary sentences from summary figures: wording, grammar and signals."""

from analytics.report import narrative
from analytics.report.narrative import commentary, measure_sentences, plural


def cell(count, last, pct, signal=False, month=None):
    change = None if count is None or last is None else count - last
    row = {"count": count, "last_year": last, "change": change, "pct_change": pct, "signal": signal}
    if month:
        row["month"] = month
    return row


def block(months, total):
    return {"months": months, "total": total}


def summary(asb, vbc=None, call_types=(), solved=None, quality=(), district=None):
    vbc = vbc or block([], cell(None, None, None))
    vbc["solved"] = solved or {"count": None, "rate": None, "last_year_count": None, "last_year_rate": None,
                               "pp_change": None, "basis": "cohort", "signal": False}
    return {"period": {"start": "2025-01", "end": "2025-03", "label": "January – March 2025"}, "district": district,
            "asb": dict(asb, call_types=list(call_types), districts=[]), "victim_based_crime": vbc,
            "all_crime": block([], cell(None, None, None)), "quality": list(quality)}


def test_one_more_incident_is_singular_and_within_normal_variation():
    asb = block([cell(10, 10, 0.0, month="2025-01"), cell(11, 10, 10.0, month="2025-02"),
                 cell(9, 9, 0.0, month="2025-03")], cell(30, 29, 3.4))
    text = commentary(summary(asb))
    assert text[0] == ("ASB rose by 3.4% (1 more incident) in January – March 2025 compared with the same period "
                       "last year, with an increase only in February (+1, +10.0%).")
    assert text[1] == "The rise is within normal variation."


def test_mixed_months_and_fewer_not_less():
    months = [cell(90, 100, -10.0, month="2025-01"), cell(105, 100, 5.0, month="2025-02"),
              cell(80, 100, -20.0, month="2025-03")]
    text = measure_sentences("ASB", "incident", block(months, cell(275, 300, -8.3)), "January – March 2025")
    assert text[0] == ("ASB fell by 8.3% (25 fewer incidents) in January – March 2025 compared with the same period "
                       "last year, with decreases in two of the three months, most notably March (−20, −20.0%).")
    assert "less" not in text[0]


def test_unchanged_from_zero_and_not_covered():
    label = "January 2025"
    assert measure_sentences("ASB", "incident", block([], cell(1, 1, 0.0)), label) == [
        "ASB was unchanged at 1 incident in January 2025 compared with the same period last year."]
    assert measure_sentences("ASB", "incident", block([], cell(3, 0, None)), label)[0] == (
        "ASB rose to 3 incidents in January 2025, from none in the same period last year.")
    assert measure_sentences("ASB", "incident", block([], cell(5, None, None)), label, "January 2024") == [
        "ASB: 5 incidents in January 2025. No comparison with a year earlier: January 2024 is not fully loaded."]


def test_no_last_year_says_so_and_never_within_normal_variation():
    months = [cell(2591, None, None, month="2025-10"), cell(2589, None, None, month="2025-11"),
              cell(2339, None, None, month="2025-12")]
    s = summary(block(months, cell(7519, None, None)))
    s["period"] = {"start": "2025-10", "end": "2025-12", "label": "October – December 2025"}
    text = commentary(s)
    assert text[0] == ("ASB: 7,519 incidents in October – December 2025. No comparison with a year earlier: "
                       "October – December 2024 is not loaded.")
    assert not any("variation" in t for t in text)
    # last year loaded but for one month: only that month is named
    months[1] = cell(2589, 2400, 7.9, month="2025-11")
    assert measure_sentences("ASB", "incident", block(months, cell(7519, None, None)), "October – December 2025") == [
        "ASB: 7,519 incidents in October – December 2025. No comparison with a year earlier: October 2024, "
        "December 2024 are not loaded."]
    # a month of the period itself not loaded: no total, and the month is named
    gap = [cell(None, None, None, month="2025-09"), cell(2591, 2500, 3.6, month="2025-10")]
    assert measure_sentences("Victim-based crime", "crime", block(gap, cell(None, 5000, None)),
                             "September – October 2025") == [
        "Victim-based crime: no total for September – October 2025: September 2025 is not loaded."]


def test_solved_rate_call_types_signals_and_caution():
    asb = block([cell(1760, 1959, -10.2, True, "2022-11")], cell(1760, 1959, -10.2, True))
    calls = [{"name": "Neighbour dispute", "count": 200, "last_year": 260, "change": -60, "pct_change": -23.1,
              "signal": True},
             {"name": "Not recorded", "count": 5, "last_year": 1, "change": 4, "pct_change": 400.0, "signal": False},
             {"name": "Fireworks", "count": 21, "last_year": 20, "change": 1, "pct_change": 5.0, "signal": False},
             {"name": "Motor vehicle nuisance on road", "count": 749, "last_year": 658, "change": 91,
              "pct_change": 13.8, "signal": True}]
    solved = {"count": 3470, "total": 35403, "rate": 9.8, "last_year_count": 3107, "last_year_rate": 8.1,
              "pp_change": 1.7, "basis": "cohort", "signal": True}
    quality = [{"month": "2021-11", "measure": "crime", "issue": "missing", "detail": ""}]
    text = commentary(summary(asb, call_types=calls, solved=solved, quality=quality, district="Dover"))
    assert text[0].startswith("ASB in Dover fell by 10.2% (199 fewer incidents) in January – March 2025")
    assert ("The largest reductions were in Neighbour dispute (down 23.1% to 200 incidents, 60 fewer; "
            "a signal).") in text
    assert ("Rising call types: Motor vehicle nuisance on road (up 13.8% to 749 incidents, 91 more; a signal) and "
            "Fireworks (up 5.0% to 21 incidents, 1 more; within normal variation).") in text
    assert ("The victim-based crime solved rate was 9.8% (3,470 of 35,403 crimes), up 1.7 percentage points from "
            "8.1% in the same period last year (basis: crimes recorded in the period).") in text
    assert "The change in the number of solved crimes (+363) is beyond normal variation." in text
    assert text[-1].startswith("Caution: the source has no data for November 2021 (crime);")


def test_flag_runs_group_months_and_kinds():
    flags = [("2024-05", "asb"), ("2024-05", "crime"), ("2024-06", "crime"), ("2024-06", "asb"),
             ("2024-07", "asb"), ("2024-09", "crime")]
    assert narrative.flag_runs(flags) == ["May – June 2024 (ASB and crime)", "July 2024 (ASB)",
                                          "September 2024 (crime)"]


def test_plural():
    assert plural(1, "crime") == "1 crime" and plural(1024, "crime") == "1,024 crimes" and plural(0, "crime") == (
        "0 crimes")
