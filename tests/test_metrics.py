"""The analytics layer on small databases whose answers are worked out by hand."""

import math

import pandas as pd
import pytest

from analytics.domain import rounding
from analytics.domain.periods import make_period, month_range
from analytics.errors import NotFound
from analytics.figures import breakdowns, common, counts, coverage, rates, solved
from tests.conftest import insert_batch, repeat


def asb(month, n, district="Dover", call_type=None):
    return repeat({"month": month, "district": district, "call_type": call_type}, n)


def crime(month, n, offence="Burglary", outcome=None, district="Dover", outcome_date=None):
    return repeat({"month": month, "district": district, "offence_group": offence, "outcome": outcome,
                   "outcome_date": outcome_date}, n)


def test_round_half_away_from_zero_in_integers():
    assert rounding.round_half_away(-257 * 100, 2000) == -12.9  # float round(-12.85, 1) gives -12.8
    assert rounding.round_half_away(257 * 100, 2000) == 12.9
    assert rounding.round_half_away(1 * 100, 16) == 6.3  # 6.25; float round gives 6.2
    assert rounding.round_half_away(-1, 3) == -0.3
    assert rounding.round_half_away(0, 7) == 0.0
    assert rounding.round_half_away(5000, 118591, 2) == 0.04


def test_comparison_at_the_half_and_at_zero_last_year(con):
    insert_batch(con, "asb", asb("2025-01", 1743) + asb("2024-01", 2000) + asb("2025-02", 2257) + asb("2024-02", 2000)
                 + asb("2025-03", 4, "Thanet") + asb("2024-03", 3, "Dover"))
    df = counts.comparison(con, measure="asb", period=make_period("2025-03", "3m"), source="force")
    assert list(df["month"]) == ["2025-01", "2025-02", "2025-03", "Total"]
    assert list(df["label"]) == ["Jan 2025", "Feb 2025", "Mar 2025", "Total"]
    assert df.loc[0, "change"] == -257 and df.loc[0, "pct_change"] == -12.9
    assert df.loc[1, "change"] == 257 and df.loc[1, "pct_change"] == 12.9
    assert (df.loc[3, "count"], df.loc[3, "last_year"], df.loc[3, "change"]) == (4004, 4003, 1)
    assert df.loc[3, "pct_change"] == 0.0
    thanet = counts.comparison(con, measure="asb", period=make_period("2025-03", "1m"), source="force",
                                district="Thanet")
    # March last year is covered (Dover rows) but Thanet had none: 0, and no percentage against 0
    assert (thanet.loc[0, "count"], thanet.loc[0, "last_year"], thanet.loc[0, "change"]) == (4, 0, 4)
    assert math.isnan(thanet.loc[0, "pct_change"])
    assert thanet.loc[0, "z"] == pytest.approx(4.0) and bool(thanet.loc[0, "signal"])
    assert str(df["count"].dtype) == "Int64" and df["signal"].dtype == bool


def test_months_the_source_does_not_cover_are_missing_not_zero(con):
    # 2024-02 has no rows at all: February cannot be compared; this year's total still exists (all three
    # months covered) but last year's does not, so the total has no change
    insert_batch(con, "asb", asb("2024-01", 64) + asb("2024-03", 64) + asb("2025-01", 100) + asb("2025-02", 81)
                 + asb("2025-03", 121))
    df = counts.comparison(con, measure="asb", period=make_period("2025-03", "3m"), source="force")
    feb = df.iloc[1]
    assert feb["count"] == 81 and feb["last_year"] is pd.NA and feb["change"] is pd.NA
    assert math.isnan(feb["pct_change"]) and math.isnan(feb["z"]) and not feb["signal"]
    total = df.iloc[3]
    assert (total["count"], total["last_year"], total["change"]) == (302, pd.NA, pd.NA)  # 100 + 81 + 121
    assert math.isnan(total["pct_change"]) and math.isnan(total["z"]) and not total["signal"]
    assert df.iloc[0]["z"] == pytest.approx(4.0) and df.iloc[0]["signal"]  # 2(10 - 8)
    assert df.iloc[2]["z"] == pytest.approx(6.0)  # 2(11 - 8)
    crime_df = counts.comparison(con, measure="all_crime", period=make_period("2025-03", "3m"), source="force")
    assert crime_df["count"].isna().all() and crime_df["last_year"].isna().all()


def test_total_needs_every_month_of_its_year(con):
    # January – April 2025 against 2024; 2025-03 is not loaded and 2024 is complete
    insert_batch(con, "asb", asb("2024-01", 10) + asb("2024-02", 20) + asb("2024-03", 30) + asb("2024-04", 40)
                 + asb("2025-01", 11) + asb("2025-02", 22) + asb("2025-04", 44))
    df = counts.comparison(con, measure="asb", period=make_period("2025-04", "4m"), source="force")
    total = df.iloc[-1]
    # a three-month sum is not the total of four months: no count; last year's four months exist: 100
    assert (total["count"], total["last_year"], total["change"]) == (pd.NA, 100, pd.NA)
    assert math.isnan(total["pct_change"]) and not total["signal"]
    assert list(df["change"][:4].astype("Float64").fillna(-999)) == [1, 2, -999, 4]
    # the three months before are all covered in both years: unchanged rule, 11 + 22 against 10 + 20
    both = counts.comparison(con, measure="asb", period=make_period("2025-02", "2m"), source="force").iloc[-1]
    assert (both["count"], both["last_year"], both["change"], both["pct_change"]) == (33, 30, 3, 10.0)
    # a 12-month period with four comparable months has no Total at all rather than a four-month sum
    year = counts.comparison(con, measure="asb", period=make_period("2025-12", "12m"), source="force").iloc[-1]
    assert (year["count"], year["last_year"]) == (pd.NA, pd.NA)


def test_breakdowns_rates_and_solved_rate_without_last_year(con):
    # October – December 2025 loaded, October – December 2024 not: this period's figures show, no changes
    insert_batch(con, "asb", asb("2025-10", 3, "Dover", "Fireworks") + asb("2025-11", 2, "Dover", "Fireworks")
                 + asb("2025-12", 4, "Thanet", "Fly-tipping") + asb("2025-12", 1, "Swale", None))
    insert_batch(con, "crime", crime("2025-10", 4, "Burglary", "1") + crime("2025-11", 6, "Robbery")
                 + crime("2025-12", 5, "Burglary", "Local resolution") + crime("2025-12", 2, "Drugs", "1"))
    p = make_period("2025-12", "3m")
    types = breakdowns.breakdown(con, measure="asb", by="call_type", period=p, source="force")
    assert list(zip(types["name"], types["count"], strict=True)) == [
        ("Fireworks", 5), ("Fly-tipping", 4), ("Not recorded", 1)]  # no change: largest count first
    assert types["last_year"].isna().all() and types["change"].isna().all() and not types["signal"].any()
    districts = breakdowns.breakdown(con, measure="asb", by="district", period=p, source="force")
    assert len(districts) == 13 and districts["count"].sum() == 10 and districts["last_year"].isna().all()
    assert list(districts["name"][:3]) == ["Dover", "Thanet", "Swale"]
    per_1000 = rates.rates_per_1000(con, measure="asb", period=p, source="force").set_index("district")
    assert per_1000.loc["Dover", "count"] == 5 and per_1000.loc["Dover", "rate_per_1000"] == 0.04  # 5000/118591
    assert per_1000.loc["Ashford", "count"] == 0 and per_1000.loc["Ashford", "rate_per_1000"] == 0.0
    assert per_1000["last_year"].isna().all() and per_1000["change"].isna().all()
    rate = solved.solved_rate(con, period=p, source="force")
    assert (rate.solved, rate.total, rate.rate) == (9, 15, 60.0)  # drugs are not VBC
    assert (rate.last_year_solved, rate.last_year_total) == (None, None)
    assert math.isnan(rate.last_year_rate) and math.isnan(rate.pp_change) and not rate.signal
    assert rate.months == ("2025-10", "2025-11", "2025-12")
    # a period with a month not loaded this year (2025-09): no counts, no rates, no solved rate
    gap = make_period("2025-10", "2m")
    assert breakdowns.breakdown(con, measure="asb", by="district", period=gap, source="force")["count"].isna().all()
    assert rates.rates_per_1000(con, measure="asb", period=gap, source="force")["rate_per_1000"].isna().all()
    partial = solved.solved_rate(con, period=gap, source="force")
    assert (partial.solved, partial.total, partial.months) == (None, None, ())


def test_signal_threshold(con):
    insert_batch(con, "asb", asb("2025-01", 81) + asb("2024-01", 64) + asb("2025-02", 49) + asb("2024-02", 25))
    df = counts.comparison(con, measure="asb", period=make_period("2025-02", "2m"), source="force")
    assert df.iloc[0]["z"] == pytest.approx(2.0) and not df.iloc[0]["signal"]
    assert df.iloc[1]["z"] == pytest.approx(4.0) and df.iloc[1]["signal"]


def test_vbc_excludes_other_crime_and_asb_is_never_crime(con):
    insert_batch(con, "crime", crime("2025-01", 7, "Burglary") + crime("2025-01", 3, "Drugs")
                 + crime("2025-01", 2, "Violence with injury") + crime("2024-01", 5, "Public order")
                 + crime("2024-01", 4, "Shoplifting"))
    insert_batch(con, "asb", asb("2025-01", 50) + asb("2024-01", 50))
    p = make_period("2025-01", "1m")
    vbc = counts.comparison(con, measure="vbc", period=p, source="force").iloc[-1]
    assert (vbc["count"], vbc["last_year"]) == (7, 4)  # Violence with injury is unknown to the reference: not VBC
    everything = counts.comparison(con, measure="all_crime", period=p, source="force").iloc[-1]
    assert (everything["count"], everything["last_year"]) == (12, 9)


def test_solved_rate_cohort_from_exact_counts(con):
    # 1 of 16 VBC solved (6.25% -> 6.3), drugs charges never count; last year 0 of 5
    insert_batch(con, "crime", crime("2025-01", 1, "Burglary", "Local resolution")
                 + crime("2025-01", 15, "Robbery", "18") + crime("2025-01", 6, "Drugs", "1")
                 + crime("2024-01", 5, "Burglary", "Under investigation")
                 + crime("2024-01", 2, "Drugs", "1"))
    s = solved.solved_rate(con, period=make_period("2025-01", "1m"), source="force")
    assert (s.solved, s.total, s.rate) == (1, 16, 6.3)
    assert (s.last_year_solved, s.last_year_total, s.last_year_rate) == (0, 5, 0.0)
    assert s.pp_change == 6.3 and s.basis == "cohort" and not s.signal


def test_pp_change_is_rounded_once_from_exact_counts(con):
    # 3470/35403 = 9.8014%, 3107/38360 = 8.0996%: 1.7018 pp -> 1.7 (and 9.8 - 8.1 = 1.7 only by luck)
    assert rounding.pp_change(3470, 35403, 3107, 38360) == 1.7
    # 1/8 = 12.5%, 1/16 = 6.25%: rounded rates 12.5 and 6.3 would give 6.2; exact difference 6.25 -> 6.3
    assert rounding.pp_change(1, 8, 1, 16) == 6.3
    assert rounding.rate(1, 16) == 6.3


def test_solved_rate_outcome_date_basis(con):
    # recorded January, solved in February: counts in February on the outcome-date basis
    insert_batch(con, "crime", crime("2025-01", 4, "Burglary", "1", outcome_date="2025-02-10")
                 + crime("2025-02", 10, "Burglary", "18") + crime("2024-01", 4, "Burglary", "18")
                 + crime("2024-02", 10, "Burglary", "3", outcome_date="2024-02-03"))
    feb = make_period("2025-02", "1m")
    cohort = solved.solved_rate(con, period=feb, source="force")
    assert (cohort.solved, cohort.total, cohort.last_year_solved, cohort.last_year_total) == (0, 10, 10, 10)
    by_date = solved.solved_rate(con, period=feb, source="force", basis="outcome_date")
    assert (by_date.solved, by_date.total, by_date.rate, by_date.basis) == (4, 10, 40.0, "outcome_date")
    assert (by_date.last_year_solved, by_date.pp_change) == (10, -60.0)
    series = solved.solved_rate_series(con, source="force", end="2025-02", months=3)
    assert list(series["month"]) == ["2024-12", "2025-01", "2025-02"]
    assert series.iloc[0]["total"] is pd.NA and math.isnan(series.iloc[0]["rate"])
    assert (series.iloc[1]["solved"], series.iloc[1]["total"], series.iloc[1]["rate"]) == (4, 4, 100.0)


def test_outcome_breakdown(con):
    insert_batch(con, "crime", crime("2025-01", 3, "Burglary", "1") + crime("2025-01", 1, "Burglary", "Charged")
                 + crime("2025-01", 2, "Burglary", "Offender given a caution") + crime("2025-01", 6, "Robbery", "18")
                 + crime("2025-01", 2, "Robbery") + crime("2025-01", 9, "Drugs", "1"))
    df = breakdowns.outcome_breakdown(con, period=make_period("2025-01", "1m"), source="force")
    rows = list(df.itertuples(index=False, name=None))
    assert rows == [
        ("Investigation complete – no suspect identified", 6, 42.9, False),
        ("Charge/summons", 4, 28.6, True),
        ("No outcome recorded", 2, 14.3, False),
        ("Out-of-court (formal)", 2, 14.3, True),
    ]


def test_breakdowns_rank_by_change(con):
    insert_batch(con, "asb", asb("2025-01", 10, "Dover", "Fireworks") + asb("2024-01", 4, "Dover", "Fireworks")
                 + asb("2025-01", 3, "Thanet", "Fly-tipping") + asb("2024-01", 9, "Thanet", "Fly-tipping")
                 + asb("2025-01", 2, "Swale", "Graffiti") + asb("2024-01", 2, "Outside force area", None))
    p = make_period("2025-01", "1m")
    types = breakdowns.breakdown(con, measure="asb", by="call_type", period=p, source="force")
    assert list(types["name"]) == ["Fly-tipping", "Not recorded", "Graffiti", "Fireworks"]
    cats = breakdowns.breakdown(con, measure="asb", by="category", period=p, source="force")
    assert list(zip(cats["name"], cats["count"], cats["last_year"], strict=True)) == [
        ("Environmental", 5, 9), ("Not recorded", 0, 2), ("Nuisance", 10, 4)]
    districts = breakdowns.breakdown(con, measure="asb", by="district", period=p, source="force")
    assert len(districts) == 14  # 13 districts plus Outside force area
    assert list(districts["name"][:2]) == ["Thanet", "Outside force area"]
    assert districts.iloc[-1]["name"] == "Dover" and districts.iloc[-1]["change"] == 6
    with pytest.raises(ValueError, match="does not apply"):
        breakdowns.breakdown(con, measure="asb", by="crime_type", period=p, source="force")


def test_call_types_are_empty_for_police_uk(con):
    insert_batch(con, "asb", asb("2025-01", 5) + asb("2024-01", 4), source="police.uk")
    p = make_period("2025-01", "1m")
    assert breakdowns.breakdown(con, measure="asb", by="call_type", period=p, source="police.uk").empty
    assert breakdowns.breakdown(con, measure="asb", by="category", period=p, source="police.uk").empty


def test_crime_type_breakdown(con):
    insert_batch(con, "crime", crime("2025-01", 5, "Domestic burglary") + crime("2025-01", 2, "Burglary")
                 + crime("2024-01", 4, "Burglary") + crime("2024-01", 6, "Vehicle crime"))
    df = breakdowns.breakdown(con, measure="vbc", by="crime_type", period=make_period("2025-01", "1m"), source="force")
    # rows are written as given: "Domestic burglary" is not a reference name (the loader maps it), so not VBC
    names = dict(zip(df["name"], df["change"], strict=True))
    assert names["Vehicle crime"] == -6 and names["Burglary"] == -2


def test_rates_per_1000_only_force_districts(con):
    insert_batch(con, "asb", asb("2025-01", 5, "Dover") + asb("2024-01", 10, "Dover")
                 + asb("2025-01", 7, "Outside force area"))
    df = rates.rates_per_1000(con, measure="asb", period=make_period("2025-01", "1m"), source="force")
    assert len(df) == 13
    dover = df.set_index("district").loc["Dover"]
    assert (dover["code"], dover["population"], dover["count"]) == ("E07000108", 118591, 5)
    assert dover["rate_per_1000"] == 0.04 and dover["last_year"] == 10 and dover["pct_change"] == -50.0
    assert df["count"].sum() == 5


def test_monthly_series_and_rolling_12(con):
    rows = []
    for i, m in enumerate(month_range("2023-01", "2025-03")):
        rows += asb(m, 10 + i)
    insert_batch(con, "asb", rows)
    series = counts.monthly_series(con, measure="asb", source="force", end="2025-03", months=3)
    assert list(series["count"]) == [34, 35, 36] and list(series["last_year"]) == [22, 23, 24]
    roll = counts.rolling_12(con, measure="asb", source="force", end="2025-03", months=2)
    # 12 months to 2025-03: months 15..26 (i) -> sum(25..36) = 366; previous: sum(13..24) = 222
    last = roll.iloc[-1]
    assert (last["rolling_12"], last["previous_12"], last["change"], last["pct_change"]) == (366, 222, 144, 64.9)
    assert roll.iloc[0]["previous_12"] == 210  # 12 months to 2024-02: sum(12..23)
    early = counts.rolling_12(con, measure="asb", source="force", end="2024-06", months=1)
    assert early.iloc[0]["previous_12"] is pd.NA  # needs 2022-07..2023-06


def test_annual_totals_and_year_to_date(con):
    rows = []
    for m in month_range("2023-01", "2025-02"):
        rows += asb(m, 10 if m < "2024-01" else 12 if m < "2025-01" else 20)
    insert_batch(con, "asb", rows)
    cal = counts.annual_totals(con, measure="asb", source="force")
    assert list(cal["year"]) == ["2023", "2024", "2025"]
    assert list(cal["count"]) == [120, 144, 40] and list(cal["months_covered"]) == [12, 12, 2]
    assert cal.iloc[0]["last_year"] is pd.NA
    assert (cal.iloc[1]["last_year"], cal.iloc[1]["pct_change"]) == (120, 20.0)
    assert (cal.iloc[2]["last_year"], cal.iloc[2]["complete"]) == (24, False)  # like for like: Jan-Feb 2024
    fy = counts.annual_totals(con, measure="asb", source="force", basis="financial")
    assert list(fy["year"]) == ["2022/23", "2023/24", "2024/25"]
    assert list(fy["count"]) == [30, 9 * 10 + 3 * 12, 9 * 12 + 2 * 20]
    # year to date: the financial and calendar year-to-date periods' totals
    fytd = make_period("2025-02", "fytd")
    ytd = counts.comparison(con, measure="asb", source="force", period=fytd).iloc[[-1]]
    assert len(ytd) == 1 and fytd.label == "Financial year to date April 2024 – February 2025"
    assert (ytd.iloc[0]["count"], ytd.iloc[0]["last_year"]) == (148, 9 * 10 + 2 * 12)
    cytd = counts.comparison(con, measure="asb", source="force", period=make_period("2025-02", "cytd")).iloc[[-1]]
    assert (cytd.iloc[0]["count"], cytd.iloc[0]["last_year"], cytd.iloc[0]["pct_change"]) == (40, 24, 66.7)


def test_quality_flags_missing_and_partial(con):
    rows = []
    for m in month_range("2024-01", "2024-12"):
        if m == "2024-05":
            continue  # a gap
        rows += asb(m, 20 if m == "2024-09" else 100)  # September looks partial
    insert_batch(con, "asb", rows)
    insert_batch(con, "crime", crime("2024-01", 3) + crime("2024-12", 3))
    flags = coverage.quality_flags(con, source="force")
    asb_flags = [(f.month, f.issue) for f in flags if f.kind == "asb"]
    assert asb_flags == [("2024-05", "missing"), ("2024-09", "partial")]
    crime_missing = [f.month for f in flags if f.kind == "crime"]
    assert crime_missing == list(month_range("2024-02", "2024-11"))
    asked = coverage.quality_flags(con, source="force", months=["2025-01", "2024-09"])
    assert [(f.month, f.kind, f.issue) for f in asked] == [
        ("2024-09", "asb", "partial"), ("2024-09", "crime", "missing"), ("2025-01", "asb", "missing"),
        ("2025-01", "crime", "missing")]
    assert "does not cover this month" in asked[2].detail
    insert_batch(con, "asb", asb("2025-03", 100))
    late = [f for f in coverage.quality_flags(con, source="force") if f.month == "2025-02"]
    assert [(f.kind, f.detail) for f in late] == [
        ("asb", "No ASB rows from force for 2025-02: a gap in its months."),
        ("crime", "No crime rows from force for 2025-02: after its last crime month (2024-12).")]
    assert "20 ASB rows" in asked[0].detail


def test_latest_month_coverage_and_districts(con):
    insert_batch(con, "asb", asb("2025-01", 2) + asb("2025-03", 1))
    insert_batch(con, "crime", crime("2025-01", 1) + crime("2025-02", 4))
    assert coverage.latest_month(con, source="force") == "2025-01"
    assert coverage.latest_month(con, source="nobody") is None
    cov = coverage.coverage(con)
    assert list(cov.itertuples(index=False, name=None)) == [
        ("force", "asb", "2025-01", 2), ("force", "asb", "2025-03", 1),
        ("force", "crime", "2025-01", 1), ("force", "crime", "2025-02", 4)]
    names = rates.district_names(con)
    assert len(names) == 13 and names[0] == "Ashford" and "Medway" in names


def test_unknown_district_and_measure(con):
    p = make_period("2025-01", "1m")
    with pytest.raises(NotFound, match="Valid districts: Ashford"):
        counts.comparison(con, measure="asb", period=p, source="force", district="Atlantis")
    assert common.check_district("shepway") == "Folkestone and Hythe"
    with pytest.raises(ValueError, match="unknown measure"):
        counts.comparison(con, measure="crime", period=p, source="force")


def test_whole_history_counts_follow_every_load_and_roll_back(tmp_path):
    from analytics import store
    from analytics.ingest import load

    con = store.connect(tmp_path / "cache.duckdb")
    insert_batch(con, "asb", asb("2025-01", 2))
    insert_batch(con, "crime", crime("2025-01", 1))
    assert coverage.latest_month(con, source="force") == "2025-01"
    second = insert_batch(con, "asb", asb("2025-02", 3))
    insert_batch(con, "crime", crime("2025-02", 1))
    assert coverage.latest_month(con, source="force") == "2025-02"
    assert list(coverage.coverage(con)["count"]) == [2, 3, 1, 1]
    # a roll-back deletes the rows and stamps the batch, which changes the data version
    load.rollback(con, second, user="test")
    assert coverage.latest_month(con, source="force") == "2025-01"
    assert [f.month for f in coverage.quality_flags(con, source="force")] == ["2025-02"]
    con.close()


def test_district_names_the_reference_does_not_know_show_as_unknown(con):
    # a mis-mapped column (caller references loaded as districts) never reaches a viewer's "By district" verbatim
    insert_batch(con, "asb", asb("2025-01", 2, "CALLER-0001") + asb("2025-01", 1, "CALLER-0002")
                 + asb("2025-01", 4, "Dover") + asb("2025-01", 1, "Outside force area") + asb("2024-01", 3, "Dover"))
    df = breakdowns.breakdown(con, measure="asb", by="district", period=make_period("2025-01", "1m"), source="force")
    shown = dict(zip(df["name"], df["count"], strict=True))
    assert not [n for n in shown if str(n).startswith("CALLER")]
    assert (shown["Unknown"], shown["Dover"], shown["Outside force area"]) == (3, 4, 1)
    assert df["count"].sum() == 8
