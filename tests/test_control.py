"""Control charts: XmR limits and rules, re-baselining, before/after, expected ranges, the p-chart and the z test.

Every expected number is worked out by hand in the comment beside it.
"""

import json
import math

import pytest

from analytics.domain.periods import shift_month
from analytics.figures.control import (
    OUTSIDE_LIMITS,
    SHIFT,
    TREND,
    TWO_OF_THREE,
    ExpectedRange,
    MonthValue,
    before_after,
    expected_range_phrase,
    expected_ranges,
    p_chart,
    parse_baseline,
    suggest_rebaseline,
    two_proportion_test,
    xmr_chart,
)


def series(values, start="2024-01"):
    """Consecutive months from `start`; an item is a value, None, or (value, data-quality reason)."""
    out = []
    for i, v in enumerate(values):
        value, reason = v if isinstance(v, tuple) else (v, None)
        out.append(MonthValue(shift_month(start, i), value, reason))
    return out


# A stable baseline for the rule tests: 12 months alternating 14, 10 (ending below the centre).
# centre = (6 × 14 + 6 × 10) / 12 = 12; every moving range is 4, so mR̄ = 4;
# limits = 12 ± 2.66 × 4 = 12 ± 10.64 → lower 1.36, upper 22.64;
# two-thirds lines = 12 ± (2/3) × 10.64 = 12 ± 7.0933 → 4.9067 and 19.0933.
BASE = [14, 10] * 6
BASE_END = "2024-12"


def rule_chart(tail):
    return xmr_chart(series(BASE + list(tail)), baseline=("2024-01", BASE_END))


def flagged(chart, signal):
    """Values after the baseline that carry `signal`, in order."""
    return [p.value for p in chart.points if p.month > BASE_END and signal in p.signals]


def tail_signals(chart):
    return [p.signals for p in chart.points if p.month > BASE_END]


# ------------------------------------------------------------------------------------------------ limits


def test_limits_match_a_hand_calculation():
    # values 10, 12, 11, 15, 12: centre = 60 / 5 = 12.0
    # moving ranges |12−10| = 2, |11−12| = 1, |15−11| = 4, |12−15| = 3; mR̄ = 10 / 4 = 2.5
    # upper = 12 + 2.66 × 2.5 = 18.65; lower = 12 − 6.65 = 5.35; upper range limit = 3.267 × 2.5 = 8.1675
    chart = xmr_chart(series([10, 12, 11, 15, 12]))
    assert chart.centre == pytest.approx(12.0)
    assert chart.mr_bar == pytest.approx(2.5)
    assert chart.upper == pytest.approx(18.65)
    assert chart.lower == pytest.approx(5.35)
    assert chart.last.upper_range_limit == pytest.approx(8.1675)
    assert chart.last.lower_display == pytest.approx(5.35) and chart.last.lower_floored is False
    assert [p.moving_range for p in chart.points] == [None, 2, 1, 4, 3]
    assert (chart.baseline.start, chart.baseline.end) == ("2024-01", "2024-05")
    assert chart.baseline.trial is True  # 5 baseline points, fewer than 12
    assert all(p.signals == () for p in chart.points)


def test_json_follows_the_command_line_contract():
    chart = xmr_chart(series([10, 12, 11, 15, 12]))
    data = json.loads(json.dumps(chart.to_json_dict("asb")))
    assert list(data)[:6] == ["measure", "centre", "lower", "upper", "mr_bar", "lower_display"]
    assert data["measure"] == "asb"
    assert data["centre"] == pytest.approx(12.0) and data["upper"] == pytest.approx(18.65)
    assert data["baseline"]["start"] == "2024-01" and data["baseline"]["end"] == "2024-05"
    assert data["baseline"]["trial"] is True
    assert data["points"][3] == {"month": "2024-04", "value": 15, "signals": [], "data_quality": None,
                                 "moving_range": 4}
    assert len(data["segments"]) == 1 and data["segments"][0]["start"] == "2024-01"


def test_lower_limit_is_floored_at_zero_for_display_but_kept_raw():
    # values 2, 8, 1, 9: centre 20 / 4 = 5; moving ranges 6, 7, 8 → mR̄ = 7; lower = 5 − 18.62 = −13.62
    chart = xmr_chart(series([2, 8, 1, 9]))
    assert chart.lower == pytest.approx(-13.62)
    assert chart.last.lower_display == 0.0
    assert chart.last.lower_floored is True
    assert chart.to_json_dict("asb")["lower_floored"] is True


def test_trial_until_twelve_baseline_points():
    assert xmr_chart(series(BASE[:11])).baseline.trial is True
    assert xmr_chart(series(BASE)).baseline.trial is False


def test_default_baseline_is_at_most_24_months():
    chart = xmr_chart(series([10, 14] * 15))  # 30 months from 2024-01
    assert (chart.baseline.start, chart.baseline.end) == ("2024-01", "2025-12")
    assert len(chart.baseline.months) == 24


def test_data_quality_month_stays_out_of_the_baseline_and_is_never_flagged():
    # 10, 12, [3 partial], 11, 15, 12: baseline values 10, 12, 11, 15, 12 → centre 60 / 5 = 12
    # moving ranges only between adjacent baseline months: |12−10| = 2, |15−11| = 4, |12−15| = 3 → mR̄ = 3
    # lower = 12 − 2.66 × 3 = 4.02: the partial month (3) is below it but is a data-quality flag, not a signal
    chart = xmr_chart(series([10, 12, (3, "partial extract"), 11, 15, 12]))
    assert chart.centre == pytest.approx(12.0)
    assert chart.mr_bar == pytest.approx(3.0)
    assert chart.lower == pytest.approx(4.02)
    partial = chart.points[2]
    assert partial.data_quality == "partial extract" and partial.signals == () and partial.moving_range is None
    assert chart.baseline.excluded == ("2024-03",)
    assert "2024-03" not in chart.baseline.months


def test_data_quality_month_makes_the_baseline_trial():
    # 12 months in the window, one partial: 11 baseline points, so trial
    values = [*BASE[:5], (1, "partial extract"), *BASE[6:]]
    assert xmr_chart(series(values)).baseline.trial is True


def test_outlier_screening_drops_large_moving_ranges_once():
    # 10, 11 alternating for 11 months (10 moving ranges of 1), then 16, 56: moving ranges 6 and 40.
    # mR̄ = (10 + 6 + 40) / 12 = 4.667; upper range limit 3.267 × 4.667 = 15.25 → 40 (2025-01) is screened out;
    # recomputed once: mR̄ = (10 + 6) / 11 = 1.4545 (6 is above the new 3.267 × 1.4545 = 4.75 but stays: once only)
    # centre = (5 × 21 + 10 + 16 + 56) / 13 = 187 / 13 = 14.3846
    values = [10, 11] * 5 + [10, 16, 56]
    plain = xmr_chart(series(values))
    screened = xmr_chart(series(values), screen_outliers=True)
    assert plain.mr_bar == pytest.approx(56 / 12) and plain.baseline.screened == ()
    assert screened.mr_bar == pytest.approx(16 / 11)
    assert screened.baseline.screened == ("2025-01",)
    assert screened.centre == pytest.approx(187 / 13)
    assert screened.upper == pytest.approx(187 / 13 + 2.66 * 16 / 11)


# ------------------------------------------------------------------------------------------------ rules


def test_rule_baseline_limits():
    chart = rule_chart([])
    assert (chart.centre, chart.lower, chart.upper) == pytest.approx((12.0, 1.36, 22.64))
    assert all(p.signals == () for p in chart.points)


def test_outside_limits_above_and_below():
    chart = rule_chart([23, 12, 1, 12, 22])  # 23 > 22.64, 1 < 1.36; 22 is inside
    assert flagged(chart, OUTSIDE_LIMITS) == [23, 1]


def test_outside_limits_uses_the_raw_lower_limit():
    # 2, 8, 1, 9 → lower −13.62 (shown as 0): nothing is below the raw limit, so no signal at 0-ish values
    chart = xmr_chart(series([2, 8, 1, 9, 0]), baseline=("2024-01", "2024-04"))
    assert chart.points[-1].signals == ()


def test_shift_seven_points_on_one_side_flags_every_point():
    chart = rule_chart([13] * 7 + [11])
    assert flagged(chart, SHIFT) == [13] * 7


def test_shift_six_points_is_not_a_shift():
    chart = rule_chart([13] * 6 + [11])
    assert flagged(chart, SHIFT) == []


def test_a_point_on_the_centre_line_breaks_a_shift():
    chart = rule_chart([13] * 6 + [12] + [13] * 6)  # 12 is exactly the centre
    assert flagged(chart, SHIFT) == []


def test_shift_below_the_centre():
    # the baseline ends with 10 (below): 10 + six 11s = 7 below in a row, all flagged (the last baseline point too)
    chart = rule_chart([11] * 6 + [13])
    assert flagged(chart, SHIFT) == [11] * 6
    assert SHIFT in chart.points[11].signals


def test_trend_seven_rising_points():
    # the baseline ends 10; 7 falls to 7, then 7, 8, 9, 10, 11, 13, 14: 7 points, each higher than the one before
    chart = rule_chart([7, 8, 9, 10, 11, 13, 14])
    assert flagged(chart, TREND) == [7, 8, 9, 10, 11, 13, 14]


def test_trend_six_rising_points_is_not_a_trend():
    chart = rule_chart([8, 9, 10, 11, 13, 14])
    assert flagged(chart, TREND) == []


def test_equal_neighbours_break_a_trend():
    chart = rule_chart([7, 8, 9, 9, 10, 11, 13, 14])
    assert flagged(chart, TREND) == []


def test_trend_seven_falling_points():
    chart = rule_chart([17, 16, 15, 14, 13, 11, 10])
    assert flagged(chart, TREND) == [17, 16, 15, 14, 13, 11, 10]


def test_two_of_three_beyond_two_thirds_on_the_same_side():
    # 20 > 19.0933 twice within three points; the middle point (11) is not flagged
    chart = rule_chart([20, 11, 20])
    assert flagged(chart, TWO_OF_THREE) == [20, 20]
    assert tail_signals(chart)[1] == ()


def test_two_of_three_low_side():
    chart = rule_chart([4, 11, 3])  # both below 4.9067 and above 1.36
    assert flagged(chart, TWO_OF_THREE) == [4, 3]


def test_two_of_three_needs_them_within_three_points():
    chart = rule_chart([20, 11, 13, 20])
    assert flagged(chart, TWO_OF_THREE) == []


def test_two_of_three_does_not_count_points_beyond_the_limit():
    chart = rule_chart([23, 20, 11])
    assert flagged(chart, TWO_OF_THREE) == []
    assert tail_signals(chart)[0] == (OUTSIDE_LIMITS,)


def test_two_of_three_needs_the_same_side():
    chart = rule_chart([20, 4, 11])
    assert flagged(chart, TWO_OF_THREE) == []


def test_data_quality_and_missing_months_break_runs_and_are_never_flagged():
    # 7 values above the centre, but the 4th is a partial month: runs of 3 and 3, no shift
    chart = rule_chart([13, 13, 13, (13, "partial extract"), 13, 13, 13])
    assert flagged(chart, SHIFT) == []
    chart = rule_chart([13, 13, 13, None, 13, 13, 13])
    assert flagged(chart, SHIFT) == []
    # a missing month also splits a two-of-three window
    chart = rule_chart([20, None, 20])
    assert flagged(chart, TWO_OF_THREE) == []
    # a partial month far outside the limits carries no signal
    chart = rule_chart([(40, "partial extract")])
    assert tail_signals(chart) == [()]


# ------------------------------------------------------------------------------------------------ process changes


def test_a_process_change_rebaselines_the_chart():
    # 12 months alternating 14, 10 (centre 12, mR̄ 4), then from 2025-01 12 months alternating 24, 20:
    # segment 2: centre (6 × 24 + 6 × 20) / 12 = 22, mR̄ = 4 → limits 22 ± 10.64 = 11.36 and 32.64
    values = BASE + [24, 20] * 6
    chart = xmr_chart(series(values), process_changes=["2025-01"])
    first, second = chart.segments
    assert (first.start, first.end, first.centre, first.mr_bar) == ("2024-01", "2024-12", 12.0, 4.0)
    assert (second.start, second.end) == ("2025-01", "2025-12")
    assert (second.centre, second.mr_bar) == (22.0, 4.0)
    assert (second.lower, second.upper) == pytest.approx((11.36, 32.64))
    assert (second.baseline.start, second.baseline.end, second.baseline.trial) == ("2025-01", "2025-12", False)
    assert all(p.signals == () for p in chart.points)
    # the moving range does not cross the re-baseline: 2025-01 has none
    assert second.points[0].moving_range is None
    data = chart.to_json_dict("asb")
    assert data["centre"] == 22.0 and data["baseline"]["start"] == "2025-01"
    assert [s["centre"] for s in data["segments"]] == [12.0, 22.0]
    # without the change, one baseline of all 24 months: centre (12 × 12 + 12 × 22) / 24 = 17, and every
    # month is a shift (12 below, then 12 above)
    single = xmr_chart(series(values))
    assert single.centre == 17.0 and len(single.segments) == 1
    assert all(SHIFT in p.signals for p in single.points)


def test_a_new_segment_is_trial_until_twelve_points():
    chart = xmr_chart(series(BASE + [24, 20, 24, 20, 24]), process_changes=["2025-01"])
    assert chart.segments[0].baseline.trial is False
    assert chart.segments[1].baseline.trial is True


def test_rules_do_not_look_across_a_rebaseline():
    # 8, 9, 10, 11 | 12, 13, 14: seven rising points, but a process change at the 12 splits them 4 + 3
    values = [14, 10, 14, 10, 14, 8, 9, 10, 11, 12, 13, 14, 10, 14, 10]
    assert [p.value for p in xmr_chart(series(values)).points if TREND in p.signals] == [8, 9, 10, 11, 12, 13, 14]
    split = xmr_chart(series(values), process_changes=["2024-10"])
    assert all(TREND not in p.signals for p in split.points)


def test_process_changes_outside_the_chart_change_nothing():
    chart = xmr_chart(series(BASE), process_changes=["2023-05", "2024-01", "2030-01"])
    assert len(chart.segments) == 1


def test_explicit_baseline_must_not_cross_a_process_change():
    with pytest.raises(ValueError, match="crosses the process change of 2024-06"):
        xmr_chart(series(BASE), baseline=("2024-01", "2024-08"), process_changes=["2024-06"])
    with pytest.raises(ValueError, match="not within the chart"):
        xmr_chart(series(BASE), baseline=("2023-01", "2024-08"))


def test_suggest_a_rebaseline_after_a_sustained_shift():
    # baseline: the first 12 months (centre 12); then 8 months at 16, above the centre (inside the 2/3 line)
    values = BASE + [16] * 8
    chart = xmr_chart(series(values), baseline=("2024-01", BASE_END))
    assert suggest_rebaseline(chart) == "2025-01"
    rebased = xmr_chart(series(values), process_changes=["2025-01"])
    assert rebased.centre == 16.0 and rebased.baseline.trial is True
    assert suggest_rebaseline(rebased) is None


def test_no_rebaseline_for_six_points_or_a_shift_inside_the_baseline():
    assert suggest_rebaseline(xmr_chart(series(BASE + [16] * 6 + [10]), baseline=("2024-01", BASE_END))) is None
    # default baseline covers all 20 months: the run is flagged, but it is part of the baseline
    chart = xmr_chart(series(BASE + [16] * 8))
    assert any(SHIFT in p.signals for p in chart.points)
    assert suggest_rebaseline(chart) is None


# ------------------------------------------------------------------------------------------------ before/after


def test_before_after_finds_a_shift():
    # before: 12 months alternating 100, 104 → mean 102, mR̄ 4, limits 102 ± 10.64 = 91.36 and 112.64,
    # lower two-thirds line 102 − 7.0933 = 94.9067. After (from 2025-01): alternating 90, 94 → mean 92:
    # 90 is below the lower limit, every month is below the centre (a shift of 12), and each window 94, 90, 94
    # has two points beyond the two-thirds line. Change −10 = −9.80% of 102.
    values = [100, 104] * 6 + [90, 94] * 6
    result = before_after(series(values), "2025-01", label="ASB")
    assert result.months == 12
    assert result.before[0] == "2024-01" and result.after == tuple(shift_month("2025-01", i) for i in range(12))
    assert (result.before_mean, result.after_mean, result.change) == (102.0, 92.0, -10.0)
    assert result.pct_change == pytest.approx(-1000 / 102)
    assert (result.lower, result.upper) == pytest.approx((91.36, 112.64))
    assert result.signals == (OUTSIDE_LIMITS, SHIFT, TWO_OF_THREE)
    assert result.shifted is True and result.direction == "down" and result.trial is False
    assert "a fall of 10.0 a month (9.8%)" in result.sentence
    assert "the process shifted downwards" in result.sentence
    assert result.sentence.startswith("ASB averaged 102.0 a month in the 12 months before January 2025")
    json.dumps(result.to_json_dict())


def test_before_after_without_a_shift():
    result = before_after(series([100, 104] * 12), "2025-01")
    assert result.shifted is False and result.signals == () and result.change == 0.0
    assert "no evidence that the process shifted" in result.sentence


def test_before_after_counts_a_trend_as_a_shift():
    # before: 14, 10 alternating (centre 12, limits 1.36 and 22.64); after: 5, 7, 9, 12, 15, 17, 19 rise seven
    # times in a row (7 points), all inside the limits and the two-thirds lines, crossing the centre line
    values = [14, 10] * 6 + [5, 7, 9, 12, 15, 17, 19, 16, 14, 12, 10, 14]
    result = before_after(series(values), "2025-01")
    assert result.signals == (TREND,) and result.shifted is True
    assert [p.value for p in result.points if p.signals] == [5, 7, 9, 12, 15, 17, 19]
    assert result.direction == "both"  # below the centre, then above (12 is on it)


def test_before_after_uses_the_same_number_of_months_either_side():
    values = [100, 104] * 9  # 18 months: 12 before 2025-01, 6 from it
    result = before_after(series(values), "2025-01")
    assert result.months == 6
    assert result.before == tuple(shift_month("2024-07", i) for i in range(6))
    assert result.after == tuple(shift_month("2025-01", i) for i in range(6))
    assert result.trial is True and "cannot show yet" in result.sentence
    assert before_after(series([100, 104] * 15), "2025-04").months == 12  # 15 either side, capped at 12
    assert before_after(series(values), "2025-01", months=3).before == ("2024-10", "2024-11", "2024-12")


def test_before_after_leaves_out_data_quality_months():
    # before (Oct–Dec 2024): 100, 104, 100; after (Jan–Mar 2025): 104, 100, [20 partial] → mean of the two
    # usable months = 102; the partial month, far below the lower limit, has no signal
    values = [100, 104, 100, 104, 100, (20, "partial extract"), 104]
    result = before_after(series(values, "2024-10"), "2025-01", months=3)
    assert result.after_mean == 102.0 and result.left_out == ("2025-03",)
    assert result.points[2].signals == () and result.shifted is False
    assert "Left out for data quality or no figure: March 2025." in result.sentence


def test_before_after_with_too_few_months_before_gives_no_verdict():
    result = before_after(series([100, 60, 60, 60]), "2024-02")
    assert result.months == 1 and result.shifted is None
    assert "no verdict" in result.sentence


def test_before_after_month_must_be_inside_the_series():
    with pytest.raises(ValueError, match="intervention month 2024-01"):
        before_after(series([1, 2, 3]), "2024-01")


# ------------------------------------------------------------------------------------------------ expected range


def januaries(values_by_year, other=50):
    """A series from January 2020, every January from values_by_year (year → value or (value, reason))."""
    out = []
    last = max(values_by_year)
    for year in range(2020, last + 1):
        for month in range(1, 13):
            if year == last and month > 1:
                break
            v = values_by_year.get(year, other) if month == 1 else other
            value, reason = v if isinstance(v, tuple) else (v, None)
            out.append(MonthValue(f"{year}-{month:02d}", value, reason))
    return out


def january(ranges, year):
    return next(r for r in ranges if r.month == f"{year}-01")


def test_expected_range_from_five_earlier_years():
    # Januaries 2020–2024: 100, 110, 130, 130, 140; x = years before 2025 = −5 … −1, x̄ = −3, Σ(x − x̄)² = 10,
    # ȳ = 122, Σ(x − x̄)(y − ȳ) = (−2)(−22) + (−1)(−12) + 0 + (1)(8) + (2)(18) = 100 → slope 10/year;
    # expected 2025 = 122 + 10 × 3 = 152. Fitted 102, 112, 122, 132, 142; residuals −2, −2, 8, −2, −2,
    # Σ = 80, s = √(80/3) = 5.1640; factor √(1 + 1/5 + 9/10) = √2.1 = 1.4491; t(3 df) = 3.1824;
    # half-width = 3.1824 × 5.1640 × 1.4491 = 23.815 → 128.185 to 175.815.
    ranges = expected_ranges(januaries({2020: 100, 2021: 110, 2022: 130, 2023: 130, 2024: 140, 2025: 180}))
    jan = january(ranges, 2025)
    assert jan.expected == pytest.approx(152.0)
    assert (jan.low, jan.high) == pytest.approx((152 - 23.815247, 152 + 23.815247))
    assert jan.years == ("2020-01", "2021-01", "2022-01", "2023-01", "2024-01")
    assert expected_range_phrase(jan) == "above the expected range"


def test_expected_range_from_three_years_is_wide():
    # Januaries 2020–2022: 100, 110, 130; x = −3, −2, −1, x̄ = −2, Σ(x − x̄)² = 2, ȳ = 113.333, slope = 30/2 = 15,
    # expected 2023 = 113.333 + 15 × 2 = 143.333; residuals 1.667, −3.333, 1.667, Σ² = 16.667, s = 4.0825;
    # factor √(1 + 1/3 + 4/2) = 1.8257; t(1 df) = 12.706 → half-width 94.706
    jan = january(expected_ranges(januaries({2020: 100, 2021: 110, 2022: 130, 2023: 150})), 2023)
    assert jan.expected == pytest.approx(430 / 3)
    assert jan.high - jan.expected == pytest.approx(94.70646, rel=1e-6)
    assert expected_range_phrase(jan) == "within the expected range"


def test_no_expected_range_with_fewer_than_three_usable_years():
    ranges = expected_ranges(januaries({2020: 100, 2021: (20, "partial extract"), 2022: 130, 2023: 150}))
    jan = january(ranges, 2023)
    assert (jan.low, jan.expected, jan.high) == (None, None, None)
    assert jan.years == ("2020-01", "2022-01")
    assert expected_range_phrase(jan) is None
    assert january(ranges, 2022).low is None  # only two earlier Januaries at all


def test_expected_range_phrases_and_the_floor_at_zero():
    rng = ExpectedRange("2025-01", 120.0, 128.0, 152.0, 176.0, ())
    assert expected_range_phrase(rng) == "below the expected range"
    assert expected_range_phrase(ExpectedRange("2025-01", 128.0, 128.0, 152.0, 176.0, ())) == (
        "within the expected range"
    )
    # 100, 60, 20: a perfect line falling 40 a year predicts −20: shown as 0, with no spread
    jan = january(expected_ranges(januaries({2020: 100, 2021: 60, 2022: 20, 2023: 5})), 2023)
    assert (jan.low, jan.expected, jan.high) == (0.0, 0.0, 0.0)
    assert expected_range_phrase(jan) == "above the expected range"


# ------------------------------------------------------------------------------------------------ p-chart


def test_p_chart_limits_per_month():
    # baseline 2024-01..03: 10/100, 20/100, 30/200 → p̄ = 60/400 = 0.15; p̄(1 − p̄) = 0.1275
    # n = 100: 3√(0.1275/100) = 0.107121 → 0.042879 to 0.257121
    # n = 200: 3√(0.1275/200) = 0.075746 → 0.074254 to 0.225746
    # n = 4: 3√(0.1275/4) = 0.535607 → lower −0.385607 clipped to 0, upper 0.685607
    rows = [
        ("2024-01", 10, 100, None), ("2024-02", 20, 100, None), ("2024-03", 30, 200, None),
        ("2024-04", 30, 100, None),  # 0.30 above 0.257121
        ("2024-05", 1, 4, None),
        ("2024-06", None, None, None),
        ("2024-07", 5, 100, "partial extract"),
    ]
    chart = p_chart(rows, baseline=("2024-01", "2024-03"))
    assert chart.centre == pytest.approx(0.15)
    p = chart.points
    assert (p[0].lower, p[0].upper) == pytest.approx((0.0428786, 0.2571214))
    assert (p[2].lower, p[2].upper) == pytest.approx((0.0742537, 0.2257463))
    assert (p[4].lower, p[4].upper) == pytest.approx((0.0, 0.685607))
    assert [x.signals for x in p[:5]] == [(), (), (), (OUTSIDE_LIMITS,), ()]
    assert (p[5].rate, p[5].lower, p[5].signals) == (None, None, ())
    assert (p[6].rate, p[6].upper, p[6].signals, p[6].data_quality) == (None, None, (), "partial extract")
    assert chart.baseline.trial is True
    data = json.loads(json.dumps(chart.to_json_dict()))
    assert data["measure"] == "solved_rate" and data["points"][3]["signals"] == ["outside_limits"]


def test_p_chart_upper_limit_clipped_to_one():
    # baseline 9/10 and 9/10 → p̄ 0.9; n = 4: 3√(0.9 × 0.1 / 4) = 0.45 → 1.35 clipped to 1, lower 0.45
    chart = p_chart([("2024-01", 9, 10, None), ("2024-02", 9, 10, None), ("2024-03", 4, 4, None)],
                    baseline=("2024-01", "2024-02"))
    assert chart.centre == pytest.approx(0.9)
    assert chart.points[2].upper == 1.0 and chart.points[2].lower == pytest.approx(0.45)
    assert chart.points[2].signals == ()


def test_p_chart_default_baseline_takes_every_month_up_to_24():
    chart = p_chart([("2024-01", 9, 10, None), ("2024-02", 9, 10, None), ("2024-03", 2, 4, None)])
    assert chart.centre == pytest.approx(20 / 24)  # (9 + 9 + 2) / (10 + 10 + 4)
    assert (chart.baseline.start, chart.baseline.end) == ("2024-01", "2024-03")


def test_p_chart_shift_seven_versus_six():
    base = [(shift_month("2024-01", i), 10 if i % 2 else 20, 100, None) for i in range(12)]  # p̄ = 0.15

    def tail(k):
        above = [(shift_month("2025-01", i), 17, 100, None) for i in range(k)]
        return above + [(shift_month("2025-01", k), 10, 100, None)]

    seven = p_chart(base + tail(7), baseline=("2024-01", "2024-12"))
    six = p_chart(base + tail(6), baseline=("2024-01", "2024-12"))
    assert sum(SHIFT in x.signals for x in seven.points) == 7
    assert sum(SHIFT in x.signals for x in six.points) == 0


def test_p_chart_refuses_more_solved_than_recorded():
    with pytest.raises(ValueError, match="2024-02: solved \\(11\\) is more than the total \\(10\\)"):
        p_chart([("2024-01", 1, 10, None), ("2024-02", 11, 10, None)])


# ------------------------------------------------------------------------------------------------ z test


def test_two_proportion_change_beyond_chance():
    # 60/200 = 30% against 40/200 = 20%: pooled 100/400 = 0.25; se = √(0.25 × 0.75 × (1/200 + 1/200))
    # = √0.001875 = 0.0433013; z = 0.10 / 0.0433013 = 2.3094; two-sided p = erfc(2.3094/√2) = 0.02092
    test = two_proportion_test(60, 200, 40, 200)
    assert test.change_pp == pytest.approx(10.0)
    assert test.z == pytest.approx(2.3094011)
    assert test.p_value == pytest.approx(0.0209213, rel=1e-5)
    assert test.beyond_chance is True


def test_two_proportion_change_within_chance():
    # 50/200 against 40/200: pooled 0.225; se = √(0.225 × 0.775 × 0.01) = 0.0417582; z = 0.05 / 0.0417582 = 1.1974
    test = two_proportion_test(50, 200, 40, 200)
    assert test.z == pytest.approx(1.1973687)
    assert test.beyond_chance is False
    falling = two_proportion_test(40, 200, 60, 200)
    assert falling.z == pytest.approx(-2.3094011) and falling.beyond_chance is True


def test_two_proportion_with_no_variation():
    test = two_proportion_test(10, 10, 20, 20)
    assert (test.z, test.p_value, test.beyond_chance) == (0.0, 1.0, False)
    with pytest.raises(ValueError, match="total above 0"):
        two_proportion_test(1, 0, 1, 2)


# ------------------------------------------------------------------------------------------------ input


def test_months_must_run_one_after_another():
    with pytest.raises(ValueError, match="2024-03 follows 2024-01"):
        xmr_chart([("2024-01", 1, None), ("2024-03", 2, None)])
    with pytest.raises(ValueError, match="empty"):
        xmr_chart([])
    with pytest.raises(ValueError, match="not a month"):
        xmr_chart([("January", 1, None)])


def test_nan_is_no_figure_and_a_flag_of_true_is_a_data_quality_problem():
    chart = xmr_chart([("2024-01", 10, None), ("2024-02", math.nan, None), ("2024-03", 12, True),
                       ("2024-04", 14, None)])
    assert chart.points[1].value is None
    assert chart.points[2].data_quality == "data quality"
    assert chart.baseline.months == ("2024-01", "2024-04")


def test_parse_baseline():
    assert parse_baseline("2023-01:2024-12") == ("2023-01", "2024-12")
    with pytest.raises(ValueError, match="YYYY-MM:YYYY-MM"):
        parse_baseline("2023-01")
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_baseline("2024-12:2023-01")
