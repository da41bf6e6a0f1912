"""The date arithmetic of casework, worked out by hand: the M-month window, month ends and 29 February, working days
across the Christmas and Easter bank holidays, financial years."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analytics.casework import windows
from analytics.casework.windows import add_working_days, months_before, window
from analytics.errors import InputRefused


@pytest.mark.parametrize("as_of, months, start", [
    # the example: D = 30 June 2023, M = 6 -> 31 December 2022 .. 30 June 2023
    (date(2023, 6, 30), 6, date(2022, 12, 31)),
    (date(2023, 7, 31), 6, date(2023, 2, 1)),  # 31 January + 1 day
    # no 31 February: the same date is February's last day, and the window starts the day after
    (date(2023, 8, 31), 6, date(2023, 3, 1)),  # 28 February 2023 + 1
    (date(2024, 8, 31), 6, date(2024, 3, 1)),  # 29 February 2024 + 1
    (date(2024, 8, 30), 6, date(2024, 3, 1)),  # 30 Feb -> 29 Feb 2024 + 1
    (date(2024, 8, 29), 6, date(2024, 3, 1)),  # 29 February 2024 exists: + 1
    (date(2024, 8, 28), 6, date(2024, 2, 29)),  # 28 February 2024 + 1 is the leap day
    # D on the leap day itself
    (date(2024, 2, 29), 6, date(2023, 8, 30)),  # 29 August 2023 + 1
    (date(2024, 2, 29), 12, date(2023, 3, 1)),  # no 29 February 2023: 28 February + 1
    (date(2025, 2, 28), 12, date(2024, 2, 29)),  # 28 February 2024 + 1: the window holds the leap day
    (date(2023, 3, 31), 1, date(2023, 3, 1)),  # 28 February 2023 + 1
    (date(2023, 1, 15), 6, date(2022, 7, 16)),  # across a year end
])
def test_window_starts_the_day_after_the_same_date_m_months_earlier(as_of, months, start):
    w = window(as_of, months)
    assert (w.start, w.end, w.months) == (start, as_of, months)
    assert w.start in w and w.end in w
    assert date.fromordinal(start.toordinal() - 1) not in w  # one day outside
    assert date.fromordinal(as_of.toordinal() + 1) not in w
    assert w.after_end == date.fromordinal(as_of.toordinal() + 1)


def test_months_before_clamps_to_the_month_end():
    assert months_before(date(2023, 8, 31), 6) == date(2023, 2, 28)
    assert months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)
    assert months_before(date(2023, 5, 31), 1) == date(2023, 4, 30)
    assert months_before(date(2023, 3, 15), 0) == date(2023, 3, 15)
    assert months_before(date(2023, 1, 31), 13) == date(2021, 12, 31)


def test_a_timestamp_on_the_last_day_is_in_the_window():
    w = window(datetime(2023, 6, 30, 8, 0), 6)
    assert w.end == date(2023, 6, 30)
    assert datetime(2023, 6, 30, 23, 59) in w
    assert datetime(2022, 12, 30, 23, 59) not in w
    assert w.label == "31 December 2022 to 30 June 2023"


def test_a_window_needs_a_month():
    with pytest.raises(ValueError, match="at least one month"):
        window(date(2023, 6, 30), 0)


def test_parse_day_says_what_to_write():
    assert windows.parse_day("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(InputRefused, match="YYYY-MM-DD"):
        windows.parse_day("30/06/2023")
    with pytest.raises(InputRefused):
        windows.parse_day("2023-02-29")


# ------------------------------------------------------------------------------------------------ working days


def test_bank_holidays_are_the_england_and_wales_list_with_substitute_days():
    # typed in from the published England and Wales list (gov.uk/bank-holidays)
    published = {
        date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
        date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
        date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),  # 28 December 2026: Boxing Day substitute
        date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19), date(2022, 12, 27),  # jubilee, state funeral,
        date(2023, 1, 2), date(2023, 5, 8),  # New Year substitute, coronation
    }
    for day in published:
        assert not windows.is_working_day(day), day
    assert windows.bank_holiday_name(date(2026, 12, 28)) == "Boxing Day (observed)"
    # ordinary days, and days that are holidays elsewhere in the UK only, are working days
    for day in (date(2025, 12, 24), date(2025, 12, 29), date(2026, 1, 2), date(2025, 3, 17),  # St Patrick's (NI)
                date(2025, 8, 4), date(2025, 1, 2)):  # August and 2 January bank holidays in Scotland
        assert windows.is_working_day(day), day
    assert not windows.is_working_day(date(2025, 12, 27))  # a Saturday


def test_25_working_days_from_the_day_after_receipt_across_christmas():
    # Received Friday 19 December 2025. Counted: 22, 23, 24 Dec (1-3); 25, 26 Dec and 1 Jan are bank holidays;
    # 29, 30, 31 Dec (4-6); 2 Jan (7); 5-9 Jan (8-12); 12-16 Jan (13-17); 19-23 Jan (18-22); 26, 27, 28 Jan (23-25).
    assert add_working_days(date(2025, 12, 19), 25) == date(2026, 1, 28)
    assert add_working_days(date(2025, 12, 19), 3) == date(2025, 12, 24)
    assert add_working_days(date(2025, 12, 19), 4) == date(2025, 12, 29)
    assert add_working_days(date(2025, 12, 19), 7) == date(2026, 1, 2)
    assert windows.working_days_between(date(2025, 12, 19), date(2026, 1, 28)) == 25


def test_25_working_days_across_easter_2025():
    # Received Thursday 10 April 2025. Counted: 11 Apr (1); 14-17 Apr (2-5); Good Friday 18 and Easter Monday 21
    # April are bank holidays; 22-25 Apr (6-9); 28 Apr - 2 May (10-14); Monday 5 May is a bank holiday; 6-9 May
    # (15-18); 12-16 May (19-23); 19, 20 May (24, 25).
    assert add_working_days(date(2025, 4, 10), 25) == date(2025, 5, 20)
    assert add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)  # the day after Thursday is Good Friday


def test_the_day_of_the_event_never_counts():
    # received on a Saturday: Monday is the first working day
    assert add_working_days(date(2025, 6, 14), 1) == date(2025, 6, 16)
    assert add_working_days(date(2025, 6, 16), 1) == date(2025, 6, 17)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 6, 16), 0)


def test_week_end_is_sunday():
    assert windows.week_end(date(2025, 12, 1)) == date(2025, 12, 7)  # Monday
    assert windows.week_end(date(2025, 12, 7)) == date(2025, 12, 7)  # Sunday


@pytest.mark.parametrize("day, year", [
    (date(2025, 3, 31), "2024/25"), (date(2025, 4, 1), "2025/26"), (date(2026, 1, 1), "2025/26"),
    (date(1999, 4, 1), "1999/00"),
])
def test_financial_years_run_april_to_march(day, year):
    assert windows.financial_year(day) == year
