import pytest

from analytics.domain.periods import make_period, month_range, shift_month


def test_shift_month_across_years():
    assert shift_month("2023-01", -12) == "2022-01"
    assert shift_month("2023-01", -1) == "2022-12"
    assert shift_month("2022-12", 1) == "2023-01"
    assert shift_month("2025-04", -27) == "2023-01"


def test_three_months_across_a_year_end():
    p = make_period("2023-01", "3m")
    assert (p.start, p.end, p.kind) == ("2022-11", "2023-01", "3m")
    assert p.months == ("2022-11", "2022-12", "2023-01")
    assert p.last_year == ("2021-11", "2021-12", "2022-01")
    assert p.label == "November 2022 – January 2023"


def test_one_and_twelve_months():
    assert make_period("2025-01", "1m").label == "January 2025"
    assert make_period("2025-01", "1m").months == ("2025-01",)
    p = make_period("2025-03", "12m")
    assert (p.start, len(p.months)) == ("2024-04", 12)
    assert p.label == "April 2024 – March 2025"


def test_any_number_of_months():
    p = make_period("2025-04", "4m")
    assert p.months == ("2025-01", "2025-02", "2025-03", "2025-04")
    assert p.label == "January – April 2025"


def test_financial_year_to_date_starts_in_april():
    assert make_period("2025-06", "fytd").months == ("2025-04", "2025-05", "2025-06")
    assert make_period("2025-06", "fytd").label == "Financial year to date April – June 2025"
    p = make_period("2026-02", "fytd")
    assert (p.start, len(p.months)) == ("2025-04", 11)
    assert p.label == "Financial year to date April 2025 – February 2026"
    assert make_period("2025-04", "fytd").months == ("2025-04",)
    assert make_period("2025-03", "fytd").start == "2024-04"


def test_calendar_year_to_date():
    p = make_period("2025-03", "cytd")
    assert p.months == ("2025-01", "2025-02", "2025-03")
    assert p.label == "Calendar year to date January – March 2025"


@pytest.mark.parametrize("bad", ["2025-13", "2025/01", "25-01", ""])
def test_bad_months_are_refused(bad):
    with pytest.raises(ValueError, match="YYYY-MM"):
        make_period(bad)


@pytest.mark.parametrize("kind", ["0m", "quarter", "m"])
def test_bad_kinds_are_refused(kind):
    with pytest.raises(ValueError, match="unknown period kind"):
        make_period("2025-01", kind)


def test_month_range_is_inclusive():
    assert month_range("2024-11", "2025-02") == ("2024-11", "2024-12", "2025-01", "2025-02")
    assert month_range("2025-02", "2025-01") == ()
