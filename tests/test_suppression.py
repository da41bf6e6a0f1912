"""Public mode: primary and secondary suppression worked out by hand, and a check on many random tables that no
hidden count can be worked out from what is published."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from analytics.domain.periods import make_period
from analytics.figures import counts
from analytics.report import suppression as sp
from tests.conftest import insert_batch, repeat

H = sp.HIDDEN
YOY = {"count_columns": ["count", "last_year"], "total_row": "Total", "difference": ("count", "last_year", "change"),
       "pct_columns": {"pct_change": "last_year"}}
SUMS = {k: v for k, v in YOY.items() if k != "pct_columns"}  # the relations alone, for tables without % change


def yoy_table(this: list[int], last: list[int]) -> pd.DataFrame:
    """Months m0.. with this year, last year, change and % change, then the Total row."""
    rows = [{"label": f"m{i}", "count": a, "last_year": b, "change": a - b}
            for i, (a, b) in enumerate(zip(this, last, strict=True))]
    rows.append({"label": "Total", "count": sum(this), "last_year": sum(last), "change": sum(this) - sum(last)})
    df = pd.DataFrame(rows)
    df["pct_change"] = [round((a - b) * 100 / b, 1) if b else float("nan")
                        for a, b in zip(df["count"], df["last_year"], strict=True)]
    return df


def cells(published: pd.DataFrame, *cols: str) -> list[list[object]]:
    return published[list(cols)].values.tolist()


# ------------------------------------------------------------------------------------------------ primary


def test_primary_counts_one_to_five_are_hidden_zero_and_larger_counts_are_not():
    df = pd.DataFrame({"name": ["Dover", "Thanet", "Swale", "Dartford", "Ashford"], "count": [12, 3, 0, 5, 6]})
    published, mask = sp.suppress_table(df, count_columns=["count"])
    assert published["count"].tolist() == [12, H, 0, H, 6]
    assert mask["count"].tolist() == [False, True, False, True, False]
    assert published["name"].tolist() == df["name"].tolist()
    assert published["count"].dtype == object and mask["count"].dtype == bool


def test_the_threshold_is_configurable():
    df = pd.DataFrame({"name": list("abcd"), "count": [1, 3, 12, 40]})
    assert sp.suppress_table(df, count_columns=["count"], threshold=2).published["count"].tolist() == [H, 3, 12, 40]
    assert sp.suppress_table(df, count_columns=["count"], threshold=12).published["count"].tolist() == [H, H, H, 40]
    assert sp.suppress_table(df, count_columns=["count"], threshold=0).published["count"].tolist() == [1, 3, 12, 40]


def test_counts_above_the_threshold_are_untouched():
    df = yoy_table([120, 98, 140], [110, 104, 80])
    published, mask = sp.suppress_table(df, **YOY)
    assert not mask.to_numpy().any()
    assert published.values.tolist() == df.astype(object).values.tolist()


def test_missing_values_stay_missing():
    df = pd.DataFrame({"label": ["m0", "m1", "Total"], "count": pd.Series([40, pd.NA, pd.NA], dtype="Int64"),
                       "last_year": pd.Series([3, 50, 53], dtype="Int64"),
                       "change": pd.Series([37, pd.NA, pd.NA], dtype="Int64")})
    published, mask = sp.suppress_table(df, **SUMS)
    # last year m0 = 3 is hidden; the Total of last year (53) would give it back as 53 - 50, so 50 is hidden too;
    # the row m0 would give it back as 40 - 37, so its change is hidden; m1's change is missing, not hidden.
    assert cells(published, "count", "last_year", "change") == [[40, H, H], [pd.NA, H, pd.NA], [pd.NA, 53, pd.NA]]
    assert sp.recoverable_cells(df, published, **SUMS) == []

    # the same with a % change that is missing where a count is, and a missing label
    df["pct_change"] = pd.Series([1233.3, pd.NA, pd.NA], dtype="Float64")
    df.loc[1, "label"] = None
    published = sp.suppress_table(df, **YOY).published
    assert published["pct_change"].tolist() == [H, pd.NA, pd.NA]
    assert sp.recoverable_cells(df, published, **YOY) == []


# ------------------------------------------------------------------------------------------------ secondary


def test_one_hidden_cell_in_a_column_would_come_back_from_the_total():
    # Districts 20, 4, 9, 31 and a Total of 64: the 4 alone would be 64 - 20 - 9 - 31. The smallest other
    # district (9) is hidden with it; the Total stays.
    df = pd.DataFrame({"label": ["Dover", "Thanet", "Swale", "Ashford", "Total"], "count": [20, 4, 9, 31, 64]})
    layout = {"count_columns": ["count"], "total_row": "Total"}
    primary_only = sp.suppress_table(df, **layout, secondary=False).published
    assert primary_only["count"].tolist() == [20, H, 9, 31, 64]
    assert sp.recoverable_cells(df, primary_only, **layout) == [sp.Recovered(1, "count", 4, "sums and differences")]

    published = sp.suppress_table(df, **layout).published
    assert published["count"].tolist() == [20, H, H, 31, 64]
    assert sp.recoverable_cells(df, published, **layout) == []


def test_a_hidden_total_needs_a_hidden_member():
    df = pd.DataFrame({"label": ["m0", "m1", "Total"], "count": [0, 4, 4]})
    # 4 and its Total of 4 are both primary; two hidden cells in the column, nothing to add.
    assert sp.suppress_table(df, count_columns=["count"], total_row="Total").published["count"].tolist() == [0, H, H]
    df = pd.DataFrame({"label": ["m0", "m1", "Total"], "count": [30, 40, 70], "last_year": [0, 0, 0]})
    assert not sp.suppress_table(df, count_columns=["count", "last_year"], total_row="Total").mask.to_numpy().any()


def test_a_zero_is_never_the_complement():
    # 4 needs a partner in its column: the 0 would tell nothing (and "*" promises at least 1), so 30 is hidden.
    df = pd.DataFrame({"label": ["a", "b", "c", "Total"], "count": [4, 0, 30, 34]})
    published = sp.suppress_table(df, count_columns=["count"], total_row="Total").published
    assert published["count"].tolist() == [H, 0, H, 34]


def test_the_change_is_hidden_with_this_or_last_year():
    # m0: 3 this year, 20 last year, change -17. Shown, the change gives the count back: 20 + (-17) = 3.
    df = yoy_table([3, 50], [20, 40]).drop(columns="pct_change")
    wrong = df.astype(object)
    wrong.loc[[0, 1], "count"] = H  # the column rule alone
    assert sp.recoverable_cells(df, wrong, **SUMS) == [sp.Recovered(0, "count", 3, "sums and differences"),
                                                      sp.Recovered(1, "count", 50, "sums and differences")]

    published = sp.suppress_table(df, **SUMS).published
    # count: 3 hidden, 50 its complement (column sum 53); each row's change hidden with its count; the change
    # column then has two hidden cells under a shown total (-17 + 10 = -7); last year stays shown.
    assert cells(published, "count", "last_year", "change") == [[H, 20, H], [H, 40, H], [53, 60, -7]]
    assert sp.recoverable_cells(df, published, **SUMS) == []


def test_the_change_column_adds_up_over_the_rows():
    # Hide m0's count and change, and m1's count but not m1's change: the change column gives m0's change back
    # (-7 - 10 = -17), then m0's row gives the count (20 - 17 = 3).
    df = yoy_table([3, 50], [20, 40]).drop(columns="pct_change")
    leaky = df.astype(object)
    leaky.loc[[0, 1], "count"] = H
    leaky.loc[0, "change"] = H
    found = {(r.row, r.column): r.value for r in sp.recoverable_cells(df, leaky, **SUMS)}
    assert found == {(0, "count"): 3, (0, "change"): -17, (1, "count"): 50}


def test_a_real_comparison_table_from_the_database(con):
    # Dover ASB, Jan-Mar 2025 against Jan-Mar 2024: this year 3, 12, 7 (Total 22); last year 9, 2, 15 (Total 26).
    def asb(month, n):
        return repeat({"month": month, "district": "Dover", "call_type": None}, n)

    insert_batch(con, "asb", asb("2025-01", 3) + asb("2025-02", 12) + asb("2025-03", 7)
                 + asb("2024-01", 9) + asb("2024-02", 2) + asb("2024-03", 15))
    comp = counts.comparison(con, measure="asb", period=make_period("2025-03", "3m"), source="force")
    layout = {**YOY, "derived_columns": {"z": ("count", "last_year"), "signal": ("count", "last_year")}}
    published, mask = sp.suppress_table(comp, **layout)
    # Primary: Jan this year (3), Feb last year (2). Complements by column: Mar this year (7, the smaller of 12
    # and 7), Jan last year (9, the smaller of 9 and 15). Rows: Jan has both counts hidden (change -6 may show);
    # Feb and Mar have one count hidden, so their changes go. Change column: Feb and Mar hidden under -4.
    # Solving what is left: Jan this year lies anywhere from 1 to 4, so nothing can be worked out.
    assert cells(published, "label", "count", "last_year", "change") == [
        ["Jan 2025", H, H, -6], ["Feb 2025", 12, H, H], ["Mar 2025", H, 15, H], ["Total", 22, 26, -4]]
    assert published["pct_change"].tolist() == [H, H, H, -15.4]
    assert published["z"].tolist()[:3] == [H, H, H] and published["signal"].tolist() == [H, H, H, False]
    assert mask.values.sum() == 6 + 3 + 3 + 3
    assert sp.recoverable_cells(comp, published, **layout) == []


def test_the_range_a_star_promises_is_used_too():
    # Two hidden 1s under a Total of 32 with 30 shown: they sum to 2 and each is at least 1, so each is 1.
    df = pd.DataFrame({"label": ["a", "b", "c", "Total"], "count": [1, 1, 30, 32]})
    layout = {"count_columns": ["count"], "total_row": "Total"}
    primary_only = sp.suppress_table(df, **layout, secondary=False).published
    assert [(r.row, r.value) for r in sp.recoverable_cells(df, primary_only, **layout)] == [(0, 1), (1, 1)]
    published = sp.suppress_table(df, **layout).published
    assert published["count"].tolist() == [H, H, H, 32]  # now each lies anywhere from 1 to 30
    assert sp.recoverable_cells(df, published, **layout) == []


# ------------------------------------------------------------------------------------------------ percentages


def test_percentages_on_a_base_below_ten_are_hidden():
    # m0: last year 8 (shown: above the threshold) but a % change on 8 is not; m1: base 10, shown.
    df = yoy_table([20, 13], [8, 10])
    published = sp.suppress_table(df, **YOY).published
    assert published["pct_change"].tolist() == [H, 30.0, 83.3]
    assert cells(published, "count", "last_year") == [[20, 8], [13, 10], [33, 18]]
    published = sp.suppress_table(df, **YOY, min_base=8).published
    assert published["pct_change"].tolist() == [150.0, 30.0, 83.3]


def test_a_percentage_is_hidden_when_a_count_it_comes_from_is_hidden():
    df = yoy_table([3, 50], [20, 40])
    layout = YOY
    published = sp.suppress_table(df, **layout).published
    assert published["pct_change"].tolist() == [H, H, -11.7]
    shown = published.copy()
    shown.loc[0, "pct_change"] = -85.0  # -85% on a shown 20 gives the 3 back
    assert sp.Recovered(0, "count", None, "shown pct_change") in sp.recoverable_cells(df, shown, **layout)


def test_rates_follow_their_numerator_and_base():
    # Solved rate = solved / recorded. Dover: 3 solved of 50 (numerator hidden); Thanet: 7 of 8 (base below 10);
    # Swale: 40 of 80, shown.
    df = pd.DataFrame({"name": ["Dover", "Thanet", "Swale"], "solved": [3, 7, 40], "total": [50, 8, 80],
                       "rate": [6.0, 87.5, 50.0]})
    published = sp.suppress_table(df, count_columns=["solved", "total"], rate_columns={"rate": ("solved", "total")})
    assert cells(published.published, "solved", "total", "rate") == [[H, 50, H], [7, 8, H], [40, 80, 50.0]]


def test_a_rate_per_1000_residents_goes_with_its_count():
    df = pd.DataFrame({"name": ["Dover", "Thanet"], "count": [4, 900], "population": [118000, 141000],
                       "rate_per_1000": [0.03, 6.38]})
    published = sp.suppress_table(df, count_columns=["count"], shown_columns=["population"],
                                  rate_columns={"rate_per_1000": ("count", "population")}).published
    assert cells(published, "count", "population", "rate_per_1000") == [[H, 118000, H], [900, 141000, 6.38]]


# ------------------------------------------------------------------------------------------------ refusals


def test_a_numeric_column_that_is_not_declared_is_refused():
    df = yoy_table([3, 50], [20, 40]).assign(z=0.0)
    with pytest.raises(ValueError, match="'z' holds numbers but is not declared"):
        sp.suppress_table(df, **YOY)


@pytest.mark.parametrize(("frame", "message"), [
    (pd.DataFrame({"label": ["a", "Total"], "count": [3, 4]}), "Total row is not the sum"),
    (pd.DataFrame({"label": ["a", "b"], "count": [3, 4]}), "one row labelled 'Total'"),
    (pd.DataFrame({"label": ["a", "Total"], "count": [-3, -3]}), "cannot be negative"),
    (pd.DataFrame({"label": ["a", "Total"], "count": [2.5, 2.5]}), "whole number"),
])
def test_tables_that_do_not_hold_together_are_refused(frame, message):
    with pytest.raises(ValueError, match=message):
        sp.suppress_table(frame, count_columns=["count"], total_row="Total")


def test_a_bad_threshold_is_refused():
    df = pd.DataFrame({"count": [1]})
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="threshold"):
            sp.suppress_table(df, count_columns=["count"], threshold=bad)


def test_a_change_that_is_not_this_minus_last_is_refused():
    df = yoy_table([3, 50], [20, 40])
    df.loc[0, "change"] = 5
    with pytest.raises(ValueError, match="row 1: change is not this year minus last year"):
        sp.suppress_table(df, **YOY)


# ------------------------------------------------------------------------------------------------ random tables


def random_table(rng: random.Random) -> pd.DataFrame:
    def count() -> int:
        # zeros, counts at and just above the threshold, tens and hundreds
        k = rng.random()
        if k < .15:
            return 0
        return rng.randint(1, 6) if k < .55 else rng.randint(7, 30) if k < .85 else rng.randint(31, 400)

    n = rng.randint(1, 12)
    return yoy_table([count() for _ in range(n)], [count() for _ in range(n)])


def test_nothing_hidden_can_be_worked_out_on_many_random_tables():
    rng = random.Random(20250401)
    layout = YOY
    leaky_without_secondary = 0
    for _ in range(150):
        df = random_table(rng)
        published, mask = sp.suppress_table(df, **layout)
        assert sp.recoverable_cells(df, published, **layout) == [], df
        # every primary cell is hidden, and nothing shown differs from the table
        for col in ("count", "last_year"):
            small = df[col].between(1, sp.DEFAULT_THRESHOLD)
            assert mask.loc[small, col].all()
        assert (published[~mask].fillna(-1) == df.astype(object)[~mask].fillna(-1)).all().all()

        primary_only = sp.suppress_table(df, **layout, secondary=False).published
        found = sp.recoverable_cells(df, primary_only, **layout)
        leaky_without_secondary += bool(found)
        for r in found:  # what the check works out is the true value
            assert r.value is None or r.value == df.loc[r.row, r.column]
    assert leaky_without_secondary > 100  # the check finds what primary suppression alone leaves open


# ------------------------------------------------------------------------------------------------ hidden on request


def test_a_cell_hidden_on_request_gets_its_complements():
    # The Total's count (360) is hidden because another table of the pack hides it: with it gone the months' sum
    # gives it back, so one month's count (the smallest, m1 = 98) goes too; and each row's change then gives the
    # hidden count back, so the Total's and m1's changes are hidden as well (their % changes with them).
    df = yoy_table([120, 98, 142], [110, 104, 80])
    total = len(df) - 1
    published, mask = sp.suppress_table(df, **YOY, hide=[(total, "count")])
    assert cells(published, "count", "last_year", "change") == [
        [120, 110, 10], [H, 104, H], [142, 80, 62], [H, 294, H]]
    assert published["pct_change"].tolist()[1] == H and published["pct_change"].tolist()[3] == H
    assert sp.recoverable_cells(df, published, **YOY) == []


def test_hiding_a_cell_that_is_not_a_count_is_refused():
    with pytest.raises(ValueError, match="not a count or change"):
        sp.suppress_table(yoy_table([12, 13], [14, 15]), **YOY, hide=[(0, "pct_change")])
