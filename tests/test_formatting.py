import math

import pandas as pd
import pytest

from analytics.report import formatting as f

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1760, "1,760"), (0, "0"), (12803, "12,803"), (-174, f"{MINUS}174"), (None, "n/a"), (pd.NA, "n/a")],
)
def test_fmt_int(value, expected):
    assert f.fmt_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(91, "+91"), (-1174, f"{MINUS}1,174"), (0, "0"), (pd.NA, "n/a")],
)
def test_fmt_change(value, expected):
    assert f.fmt_change(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-10.2, f"{MINUS}10.2%"),
        (13.8, "+13.8%"),
        (0.0, "0.0%"),
        (-0.04, "0.0%"),
        (5, "+5.0%"),
        (float("nan"), "n/a"),
        (None, "n/a"),
        (math.inf, "n/a"),
        # 0.05 prints as 0.1: half away from zero, not float's half-to-even
        (0.05, "+0.1%"),
        (-2.25, f"{MINUS}2.3%"),
    ],
)
def test_fmt_pct(value, expected):
    assert f.fmt_pct(value) == expected


def test_fmt_rate_and_pp():
    assert f.fmt_rate(25.3) == "25.3%"
    assert f.fmt_rate(float("nan")) == "n/a"
    assert f.fmt_pp(1.7) == "+1.7 pp"
    assert f.fmt_pp(-0.3) == f"{MINUS}0.3 pp"
    assert f.fmt_pp(0) == "0.0 pp"
    assert f.fmt_pp(None) == "n/a"
    assert f.fmt_decimal(12.345) == "12.35"
    assert f.fmt_decimal(-1.5) == f"{MINUS}1.50"


def test_month_labels_and_heading():
    assert f.month_label("2025-01") == "January 2025"
    assert f.month_short("2022-11") == "Nov 2022"
    assert f.month_label(None) == "n/a"
    assert f.period_heading("November 2022 – January 2023") == (
        "November 2022 – January 2023 compared with the same months a year earlier"
    )
    assert f.period_heading("January 2025") == "January 2025 compared with the same month a year earlier"


def test_arrow_and_signal_words():
    assert f.arrow(5) == "▲"
    assert f.arrow(-1) == "▼"
    assert f.arrow(0) == ""
    assert f.arrow(pd.NA) == ""
    assert f.signal_text(True) == "Signal: beyond normal variation"
    assert f.signal_text(False) == "Within normal variation"
    assert f.headline_delta(-10.2, -174) == f"{MINUS}10.2% ({MINUS}174) on last year"
    assert f.headline_delta(float("nan"), pd.NA) == "no comparison"


def test_comparison_table_uses_report_words_and_formats():
    df = pd.DataFrame(
        {
            "month": ["2025-01", "Total"],
            "label": ["Jan 2025", "Total"],
            "count": pd.array([1560, 1560], dtype="Int64"),
            "last_year": pd.array([1663, 1663], dtype="Int64"),
            "change": pd.array([-103, -103], dtype="Int64"),
            "pct_change": [-6.2, -6.2],
            "z": [-2.6, -2.6],
            "signal": [False, True],
        }
    )
    shown = f.comparison_table(df)
    assert list(shown.columns) == ["Month", "Recorded", "Same month last year", "% change", "Change", "Signal"]
    assert shown.iloc[0].tolist() == ["Jan 2025", "1,560", "1,663", f"{MINUS}6.2%", f"{MINUS}103", ""]
    assert shown.iloc[1]["Signal"] == "◆ signal"
    raw = f.comparison_table(df, formatted=False)
    assert raw["Recorded"].tolist() == [1560, 1560]
    csv = f.to_csv_bytes(raw).decode("utf-8-sig")
    assert csv.splitlines()[0] == "Month,Recorded,Same month last year,% change,Change,Signal"
    assert csv.splitlines()[1].startswith("Jan 2025,1560,1663,-6.2,-103,")
