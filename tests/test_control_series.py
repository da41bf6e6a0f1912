"""Control charts on the loaded data (analytics.figures.control_series): every rule tripped and not tripped from
rows in a database, re-baselining at a recorded process change, before/after, partial months as data quality, the
solved-rate p-chart with immature outcomes, and the district charts.

The series are ASB incidents of a force source, one district. Every expected number is worked out by hand in the
comment beside it.
"""

from __future__ import annotations

import pytest

from analytics import interventions as register
from analytics.domain.access import ANALYST, LOCAL, Identity
from analytics.domain.periods import shift_month
from analytics.errors import InputRefused, NotFound
from analytics.figures import control, control_series, solved
from analytics.report import control_text
from tests.conftest import insert_batch

ME = Identity("analyst.one", ANALYST, LOCAL)
OUTSIDE, SHIFT, TREND, TWO = control.OUTSIDE_LIMITS, control.SHIFT, control.TREND, control.TWO_OF_THREE

# A steady baseline: 2024-01..2024-12 alternating 102, 98 (ends on 98, below the centre).
# centre = 1,200 / 12 = 100; every moving range is 4, so mR̄ = 4; limits 100 ± 2.66 × 4 = 89.36 and 110.64;
# two-thirds lines 100 ± 7.0933 = 92.907 and 107.093. No value below is under 60% of its neighbours, so no month
# of these series looks partial unless a test makes it so.
BASE = [102, 98] * 6
BASELINE = ("2024-01", "2024-12")


def seed(con, values, *, start="2024-01", district="Ashford", call_type="Noise nuisance", source="force"):
    rows = []
    for i, n in enumerate(values):
        rows += [{"month": shift_month(start, i), "district": district, "call_type": call_type}] * n
    insert_batch(con, "asb", rows, source=source)


def chart(con, tail, **kwargs):
    seed(con, BASE + list(tail))
    end = shift_month("2024-12", len(tail))
    return control_series.control_chart(con, measure="asb", source="force", end=end, baseline=BASELINE, **kwargs)


def tail_signals(series, rule):
    """Values after the baseline that carry `rule`."""
    return [p.value for p in series.chart.points if p.month > "2024-12" and rule in p.signals]


def test_limits_from_the_database_match_the_hand_calculation(con):
    series = chart(con, [])
    assert series.chart.centre == pytest.approx(100.0)
    assert series.chart.mr_bar == pytest.approx(4.0)
    assert (series.chart.lower, series.chart.upper) == pytest.approx((89.36, 110.64))
    assert [p.value for p in series.chart.points] == BASE
    assert series.chart.baseline.trial is False  # 12 baseline months
    assert series.label == "ASB" and series.months == tuple(shift_month("2024-01", i) for i in range(12))


def test_outside_limits_tripped_above_and_below_and_not_on_the_near_side(con):
    series = chart(con, [111, 100, 89, 100])  # 111 > 110.64, 89 < 89.36
    assert tail_signals(series, OUTSIDE) == [111, 89]


def test_outside_limits_not_tripped_just_inside(con):
    series = chart(con, [110, 100, 90, 100])  # 110 < 110.64 and 90 > 89.36
    assert tail_signals(series, OUTSIDE) == []
    assert all(OUTSIDE not in p.signals for p in series.chart.points)


def test_shift_seven_above_is_a_shift(con):
    series = chart(con, [101] * 7 + [99])
    assert tail_signals(series, SHIFT) == [101] * 7


def test_shift_six_above_is_not(con):
    series = chart(con, [101] * 6 + [99])
    assert tail_signals(series, SHIFT) == []


def test_a_month_on_the_centre_line_breaks_the_run(con):
    series = chart(con, [101] * 6 + [100] + [101] * 6)  # 100 is exactly the centre
    assert tail_signals(series, SHIFT) == []


def test_trend_seven_rising_months_is_a_trend(con):
    # the baseline ends 98; 97 falls, then 97, 99, 100, 101, 102, 103, 104: 7 months each higher than the last
    series = chart(con, [97, 99, 100, 101, 102, 103, 104])
    assert tail_signals(series, TREND) == [97, 99, 100, 101, 102, 103, 104]


def test_trend_six_rising_months_is_not(con):
    series = chart(con, [97, 99, 100, 101, 102, 103])
    assert tail_signals(series, TREND) == []


def test_two_of_three_beyond_two_thirds_is_tripped(con):
    series = chart(con, [108, 100, 108])  # 108 > 107.093 and below 110.64, twice in three months
    assert tail_signals(series, TWO) == [108, 108]


def test_two_of_three_not_tripped_when_the_two_are_four_months_apart(con):
    series = chart(con, [108, 100, 100, 108])  # each window of three holds one 108
    assert tail_signals(series, TWO) == []


def test_a_real_fall_is_a_signal_but_a_partial_month_is_data_quality(con):
    # 85 is 85% of the months around it: a real fall, below 89.36. 30 is under 60% of them: a partial extract.
    fall = chart(con, [100, 85, 100])
    assert tail_signals(fall, OUTSIDE) == [85]
    assert fall.point("2025-02").data_quality is None


def test_partial_month_is_data_quality_never_a_signal_and_out_of_the_baseline(con):
    values = list(BASE) + list(BASE)
    values[6] = 30  # July 2024 (would be 102): 30 < 60% of the median of its neighbours (100)
    seed(con, values)
    series = control_series.control_chart(con, measure="asb", source="force", end="2025-12")
    july = series.point("2024-07")
    assert july.value == 30 and july.signals == () and july.data_quality.startswith("Partial month: ")
    base = series.chart.baseline
    assert (base.start, base.end) == ("2024-01", "2025-12") and base.excluded == ("2024-07",)
    # 23 usable months: 11 × 102 + 12 × 98 = 2,298 → centre 99.913; 21 moving ranges of 4 (none across July)
    assert series.chart.centre == pytest.approx(2298 / 23)
    assert series.chart.mr_bar == pytest.approx(4.0)
    verdict = control_text.verdict(series, "2024-07")
    assert verdict.status == control_text.DATA_QUALITY
    assert "not a real fall" in verdict.sentence and "left out of the limits" in verdict.sentence
    assert "below its lower limit" not in verdict.sentence


def test_recorded_process_change_re_baselines_from_its_month(con):
    # 2024: alternating 102/98 (centre 100); 2025: alternating 152/148 (centre 150), mR̄ 4 in each year
    seed(con, BASE + [152, 148] * 6)
    plain = control_series.control_chart(con, measure="asb", source="force", end="2025-12")
    assert len(plain.chart.segments) == 1 and plain.chart.centre == pytest.approx(125.0)  # 3,000 / 24
    register.add(con, ME, started="2025-01-06", type="new-system", affects="asb",
                 description="New ASB recording system")
    series = control_series.control_chart(con, measure="asb", source="force", end="2025-12")
    first, second = series.chart.segments
    assert (first.start, first.end, second.start, second.end) == ("2024-01", "2024-12", "2025-01", "2025-12")
    assert first.centre == pytest.approx(100.0) and second.centre == pytest.approx(150.0)
    assert second.mr_bar == pytest.approx(4.0) and second.upper == pytest.approx(160.64)
    assert second.baseline.trial is False  # 12 months from the change
    assert [e.type for e in series.process_changes] == ["new_system"]
    assert all(not p.signals for p in series.chart.points)  # each year sits within its own limits
    data = series.to_json_dict()
    assert data["centre"] == pytest.approx(150.0) and data["baseline"]["start"] == "2025-01"
    assert "Re-baselined from January 2025" in control_text.method_text(series)


def test_only_process_changes_that_apply_re_baseline(con):
    seed(con, BASE + [152, 148] * 6)
    register.add(con, ME, started="2025-01", type="recording-rule", affects="crime", description="Crime rule")
    register.add(con, ME, started="2025-01", type="new-system", district="Swale", description="Swale's system")
    register.add(con, ME, started="2025-01", type="pspo", description="Not a process change")
    withdrawn = register.add(con, ME, started="2025-01", type="new-system", description="Entered by mistake")
    register.withdraw(con, ME, withdrawn.id, "entered by mistake")
    series = control_series.control_chart(con, measure="asb", source="force", end="2025-12")
    # crime-only, another district's, an intervention and a withdrawn entry: none re-baselines the force's ASB
    assert len(series.chart.segments) == 1
    assert [e.description for e in series.interventions] == ["Not a process change"]
    # the same shift unrecorded: 12 months above the centre after the baseline... a shift, suggested
    shifted = control_series.control_chart(con, measure="asb", source="force", end="2025-12", baseline=BASELINE)
    assert shifted.suggestion == "2025-01"
    assert "record a process change from January 2025" in control_text.suggestion_text(shifted)
    previewed = control_series.control_chart(con, measure="asb", source="force", end="2025-12", baseline=BASELINE,
                                             rebaseline_from=("2025-01",))
    assert previewed.previewed == ("2025-01",) and previewed.chart.centre == pytest.approx(150.0)


def test_a_district_process_change_re_baselines_that_district(con):
    seed(con, BASE + [152, 148] * 6, district="Swale")
    register.add(con, ME, started="2025-01", type="new-system", district="Swale", description="Swale's system")
    series = control_series.control_chart(con, measure="asb", source="force", end="2025-12", district="swale")
    assert series.label == "ASB in Swale" and len(series.chart.segments) == 2


def test_before_after_of_an_intervention(con):
    seed(con, BASE + [152, 148] * 6)
    pspo = register.add(con, ME, started="2025-01-20", type="pspo", affects="asb", description="Town-centre PSPO")
    series = control_series.control_chart(con, measure="asb", source="force", end="2025-12")
    effect = control_series.intervention_effect(con, series.spec, pspo, end="2025-12")
    r = effect.result
    # 12 months either side: before 2024 (mean 100), after 2025 (mean 150): +50 a month, +50%
    assert (r.before[0], r.before[-1], r.after[0], r.after[-1]) == ("2024-01", "2024-12", "2025-01", "2025-12")
    assert (r.before_mean, r.after_mean, r.change, r.pct_change) == pytest.approx((100.0, 150.0, 50.0, 50.0))
    # limits from the months before: 100 ± 10.64; every month after is above 110.64
    assert r.upper == pytest.approx(110.64) and r.shifted is True and r.direction == "up"
    assert OUTSIDE in r.signals and SHIFT in r.signals
    assert effect.year_earlier == tuple(shift_month("2024-01", i) for i in range(12))
    assert effect.year_earlier_mean == pytest.approx(100.0)
    assert control_text.effect_lead(effect) == "ASB shifted upwards after January 2025 on its XmR chart."
    assert "averaged 100.0 a month in the 12 months before January 2025" in control_text.effect_sentence(effect)
    table = control_text.effect_table(effect)
    assert table.iloc[1].tolist() == ["Average a month", "100", "150"]
    assert table.iloc[2].tolist() == ["Change", "", "+50 (+50.0%)"]


def test_before_after_with_no_change_shows_no_shift(con):
    seed(con, BASE * 2)
    task = register.add(con, ME, started="2025-01", type="task-force", description="Operation")
    series = control_series.control_chart(con, measure="asb", source="force", end="2025-12")
    effect = control_series.intervention_effect(con, series.spec, task, end="2025-12")
    assert effect.result.shifted is False and effect.result.change == pytest.approx(0.0)
    assert control_text.effect_lead(effect).startswith("No evidence that ASB shifted after January 2025")


def test_before_after_needs_months_before(con):
    seed(con, BASE)
    early = register.add(con, ME, started="2024-01", type="pspo", description="At the start of the data")
    spec = control_series.SeriesSpec(control_series.Measure.ASB, "force")
    with pytest.raises(InputRefused, match="no ASB months before it"):
        control_series.intervention_effect(con, spec, early, end="2024-12")


def test_call_type_series_and_unknown_names(con):
    seed(con, [10] * 12, call_type="Noise nuisance")
    seed(con, [5] * 12, call_type="Fly-tipping")
    series = control_series.control_chart(con, measure="asb", source="force", end="2024-12", group="fly tipping")
    assert series.spec.group == "Fly-tipping" and [p.value for p in series.chart.points] == [5] * 12
    assert series.label == "ASB (Fly-tipping)"
    with pytest.raises(NotFound, match="Its call types: Fly-tipping, Noise nuisance"):
        control_series.control_chart(con, measure="asb", source="force", end="2024-12", group="Skateboarding")
    with pytest.raises(InputRefused, match="ends in December 2024"):
        control_series.control_chart(con, measure="asb", source="force", end="2025-01")
    with pytest.raises(NotFound, match="Unknown source"):
        control_series.control_chart(con, measure="asb", source="nowhere", end="2024-12")


def test_months_shown_start_no_earlier_than_the_source(con):
    seed(con, BASE)
    series = control_series.control_chart(con, measure="asb", source="force", end="2024-12", months=36)
    assert series.months[0] == "2024-01" and len(series.months) == 12


def test_verdict_sentences(con):
    above = chart(con, [100, 111])
    assert control_text.verdict(above).sentence == (
        "ASB was above its upper limit in February 2025 (111 incidents against a limit of 110.6), the first time in "
        "the 14 months charted (from January 2024).")
    quiet = control_series.control_chart(con, measure="asb", source="force", end="2024-12", baseline=BASELINE)
    assert control_text.verdict(quiet).sentence == (
        "No signal: ASB is within its normal range (December 2024: 98 incidents; limits 89.4–110.6).")


def test_district_charts_find_the_district_with_a_signal(con):
    seed(con, BASE + [100, 120], district="Swale")  # 120 > 110.64
    seed(con, BASE + [100, 100], district="Dover")
    charts = control_series.district_charts(con, measure="asb", source="force", end="2025-02", months=14)
    by_name = {c.spec.district: c for c in charts}
    assert len(charts) == 13
    assert by_name["Swale"].point("2025-02").signals == (OUTSIDE,)
    # each district has its own limits from its 14 months: Swale's centre 1,420 / 14 = 101.43, mR̄ 66 / 13 = 5.08,
    # upper 114.9, so 120 is above it; Dover's centre 100, mR̄ 46 / 13 = 3.54, so 100 is within
    assert by_name["Dover"].point("2025-02").signals == ()
    assert by_name["Ashford"].point("2025-02").value == 0
    sentence = control_text.district_signal_sentence(charts, "2025-02")
    assert sentence == ("Control-chart signals in February 2025: Swale (outside the limits). No signal in the other "
                        "12 districts.")


def test_expected_range_from_earlier_years(con):
    # Januaries 2021..2024: 100, 110, 120, 130 (a straight line, no residual): January 2025 is expected at 140
    # with a zero-width range; 150 is above it
    rows = []
    for year, n in zip(range(2021, 2026), (100, 110, 120, 130, 150), strict=True):
        for month in range(1, 13):
            rows += [{"month": f"{year}-{month:02d}", "district": "Ashford"}] * (n if month == 1 else 120)
    insert_batch(con, "asb", rows)
    [rng] = control_series.expected_band(con, measure="asb", source="force", end="2025-01", months=1)
    assert (rng.low, rng.expected, rng.high) == pytest.approx((140.0, 140.0, 140.0))
    assert control.expected_range_phrase(rng) == "above the expected range"
    assert control_text.expected_sentence("ASB", (rng,)) == (
        "ASB in January 2025 (150) was above the expected range (140–140, expected 140 from 4 earlier years).")


def crimes(month, total, solved_n, pending):
    rows = [{"month": month, "district": "Ashford", "offence_group": "Burglary", "outcome": "1"}] * solved_n
    rows += [{"month": month, "district": "Ashford", "offence_group": "Burglary",
              "outcome": "Under investigation"}] * pending
    rows += [{"month": month, "district": "Ashford", "offence_group": "Burglary",
              "outcome": "18"}] * (total - solved_n - pending)
    return rows


def test_solved_rate_p_chart_leaves_immature_months_out(con):
    rows = []
    for i in range(14):
        month = shift_month("2024-01", i)
        # 12 mature months: 20 of 100 solved, 5 awaiting an outcome; the last two: 5 solved, 40 awaiting
        rows += crimes(month, 100, 20, 5) if i < 12 else crimes(month, 100, 5, 40)
    insert_batch(con, "crime", rows)
    sc = control_series.solved_control(con, source="force", end="2025-02", months=14)
    # awaiting: 5% in 12 months, 40% in 2; median 5%; 40 − 5 = 35 points > 5: immature
    assert sc.typical_pending_pct == pytest.approx(5.0)
    assert sc.immature == ("2025-01", "2025-02")
    # p̄ = 240 / 1,200 = 0.2 from the 12 mature months; limits 0.2 ± 3√(0.16 / 100) = 0.08 and 0.32
    assert sc.chart.centre == pytest.approx(0.2)
    assert sc.chart.baseline.months == tuple(shift_month("2024-01", i) for i in range(12))
    last = sc.chart.points[-1]
    # 5% would be below 8%, but it is immature: data quality, no signal
    assert last.rate is None and last.signals == () and last.data_quality.startswith("Outcomes not yet mature")
    assert sc.chart.points[0].lower == pytest.approx(0.08) and sc.chart.points[0].upper == pytest.approx(0.32)
    assert "Outcomes for January – February 2025 are not yet mature" in control_text.immature_sentence(sc)


def test_solved_rate_change_test_by_hand(con):
    rows = crimes("2024-01", 100, 20, 0) + crimes("2025-01", 100, 30, 0)
    insert_batch(con, "crime", rows)
    from analytics.domain.periods import make_period

    rate = solved.solved_rate(con, period=make_period("2025-01", "1m"), source="force")
    test = control_series.solved_change_test(rate)
    # pooled p = 50 / 200 = 0.25; se = √(0.25 × 0.75 × (1/100 + 1/100)) = 0.061237; z = 0.10 / 0.061237 = 1.633;
    # two-sided p = erfc(1.633 / √2) = 0.1025
    assert test.z == pytest.approx(1.63299, abs=1e-4) and test.beyond_chance is False
    assert test.change_pp == pytest.approx(10.0)
    sentence = control_text.proportion_sentence(test, "January 2025", ["2025-01"])
    assert sentence.startswith("The change in the solved rate in January 2025 (+10.0 pp: 30.0% against 20.0%) could "
                               "be chance: it is not beyond chance at the 95% level (two-proportion z test, "
                               "z = 1.63, p = 0.102).")
    assert "Caution: outcomes for January 2025 are not yet mature" in sentence
