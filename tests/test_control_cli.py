"""`python -m analytics control` end to end on small hand-built database files: the contract's JSON against a hand
calculation, a partial month as data quality out of the baseline, re-baselining at a recorded process change,
an intervention's before/after, and bad input refused with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import store
from analytics.domain.periods import shift_month
from tests.conftest import insert_batch

ROOT = Path(__file__).resolve().parent.parent


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def control_json(db: Path, *args: str) -> dict:
    done = cli(db, "control", "--measure", "asb", *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def make_db(path: Path, values: list[int], *, start: str = "2024-01", crime: bool = False) -> Path:
    con = store.connect(path)
    rows = []
    for i, n in enumerate(values):
        rows += [{"month": shift_month(start, i), "district": "Dover", "call_type": "Noise nuisance"}] * n
    insert_batch(con, "asb", rows)
    if crime:
        insert_batch(con, "crime", [{"month": start, "district": "Dover", "offence_group": "Burglary"}])
    con.close()
    return path


# 12 months: 100, 104, 98, 102, 106, 100, 96, 102, 104, 98, 100, 102
# centre = 1,212 / 12 = 101; moving ranges 4, 6, 4, 4, 6, 4, 6, 2, 6, 2, 2 → 46 / 11 = 4.181818
# limits 101 ± 2.66 × 4.181818 = 101 ± 11.123636 → 89.876364 and 112.123636; 12 baseline months: not trial
HAND = [100, 104, 98, 102, 106, 100, 96, 102, 104, 98, 100, 102]


def test_limits_match_the_hand_calculation(tmp_path):
    db = make_db(tmp_path / "hand.duckdb", HAND)
    out = control_json(db, "--end", "2024-12")
    assert list(out)[:5] == ["measure", "centre", "lower", "upper", "mr_bar"]
    assert out["measure"] == "asb"
    assert out["centre"] == pytest.approx(101.0)
    assert out["mr_bar"] == pytest.approx(46 / 11)
    assert out["lower"] == pytest.approx(89.876364, abs=1e-6)
    assert out["upper"] == pytest.approx(112.123636, abs=1e-6)
    assert out["baseline"]["start"] == "2024-01" and out["baseline"]["end"] == "2024-12"
    assert out["baseline"]["trial"] is False
    assert [p["value"] for p in out["points"]] == HAND
    assert out["points"][0] == {"month": "2024-01", "value": 100, "signals": [], "data_quality": None,
                                "moving_range": None}
    assert out["verdict"]["status"] == "no signal"


def test_a_given_baseline_and_a_signal_after_it(tmp_path):
    db = make_db(tmp_path / "hand.duckdb", HAND + [113, 101])  # 113 > 112.12
    out = control_json(db, "--end", "2025-02", "--baseline", "2024-01:2024-12")
    assert out["upper"] == pytest.approx(112.123636, abs=1e-6)
    assert [p["signals"] for p in out["points"][-2:]] == [["outside_limits"], []]
    # the default baseline takes all 14 months instead: centre (1,212 + 214) / 14 = 101.857
    default = control_json(db, "--end", "2025-02")
    assert default["centre"] == pytest.approx(1426 / 14)


def test_trial_limits_with_fewer_than_twelve_months(tmp_path):
    db = make_db(tmp_path / "hand.duckdb", HAND)
    out = control_json(db, "--end", "2024-12", "--months", "6")
    # July – December: 96, 102, 104, 98, 100, 102 → centre 602 / 6 = 100.333; ranges 6, 2, 6, 2, 2 → 3.6
    assert out["baseline"]["start"] == "2024-07" and out["baseline"]["trial"] is True
    assert out["centre"] == pytest.approx(602 / 6) and out["mr_bar"] == pytest.approx(3.6)


def test_partial_month_is_data_quality_out_of_the_baseline_end_to_end(tmp_path):
    values = list(HAND) + list(HAND)
    values[18] = 25  # July 2025 (was 96): 25 is under 60% of the median of the months around it
    db = make_db(tmp_path / "partial.duckdb", values)
    out = control_json(db, "--end", "2025-12")
    july = next(p for p in out["points"] if p["month"] == "2025-07")
    assert july["value"] == 25 and july["signals"] == []
    assert july["data_quality"].startswith("Partial month: 25 ASB rows from force for 2025-07")
    assert out["baseline"]["excluded"] == ["2025-07"] and out["baseline"]["count"] == 23
    # 23 months: 2 × 1,212 − 96 = 2,328 → centre 101.217; moving ranges: 2 × 46 + |100 − 102| (Dec–Jan) = 94,
    # less July's two (|96 − 100| = 4 before, |102 − 96| = 6 after) → 84 over 21
    assert out["centre"] == pytest.approx(2328 / 23)
    assert out["mr_bar"] == pytest.approx(84 / 21)
    # ending at the partial month: the verdict says data quality, never a fall
    at_july = control_json(db, "--end", "2025-07")
    assert at_july["verdict"]["status"] == "data quality"
    assert "not a real fall" in at_july["verdict"]["sentence"]
    assert "below its lower limit" not in at_july["verdict"]["sentence"]
    text = cli(db, "control", "--measure", "asb", "--end", "2025-07")
    assert text.returncode == 0 and "a data-quality problem, not a real fall" in text.stdout


def test_commentary_calls_a_partial_month_data_quality_not_a_fall(tmp_path):
    values = list(HAND) + list(HAND)
    values[18] = 25
    db = make_db(tmp_path / "partial.duckdb", values)
    done = cli(db, "summary", "--end", "2025-07", "--months", "1", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["control"]["asb"]["status"] == "data quality"
    asb = [s for s in summary["commentary"] if s.startswith(("ASB", "Caution: July", "Control chart: ASB"))]
    # July 2024 had 96: the year-on-year fall is said to be possibly data quality, not beyond normal variation
    assert asb[0].startswith("ASB fell by 74.0% (71 fewer incidents) in July 2025")
    assert asb[1] == ("Caution: July 2025 looks like a partial extract, so the fall may be a data-quality problem "
                      "rather than a real fall.")
    assert asb[2].startswith("Control chart: ASB in July 2025 (25) is a data-quality problem, not a real fall")
    assert not any("fall is beyond normal variation" in s for s in summary["commentary"])


def test_re_baselining_at_a_recorded_process_change_through_the_cli(tmp_path):
    db = make_db(tmp_path / "change.duckdb", HAND + [v + 50 for v in HAND])
    added = cli(db, "intervention", "add", "--date", "2025-01-01", "--type", "recording-rule", "--affects", "asb",
                "--description", "ASB recorded under the new counting rules")
    assert added.returncode == 0, added.stderr
    assert "re-baselines the charts it applies to" in added.stderr
    out = control_json(db, "--end", "2025-12")
    # the last segment is 2025 alone: the same pattern 50 higher, so centre 151 and the same mR̄
    assert out["baseline"]["start"] == "2025-01" and out["centre"] == pytest.approx(151.0)
    assert out["mr_bar"] == pytest.approx(46 / 11)
    assert [s["start"] for s in out["segments"]] == ["2024-01", "2025-01"]
    assert out["segments"][0]["centre"] == pytest.approx(101.0)
    assert [c["type"] for c in out["process_changes"]] == ["recording_rule"]
    # a baseline across the change is refused: it must end before the next process change
    refused = cli(db, "control", "--measure", "asb", "--end", "2025-12", "--baseline", "2024-06:2025-03", "--json")
    assert refused.returncode == 2 and "crosses the process change of 2025-01" in refused.stderr


def test_intervention_before_after_in_the_json(tmp_path):
    db = make_db(tmp_path / "pspo.duckdb", HAND + [v + 50 for v in HAND])
    assert cli(db, "intervention", "add", "--date", "2025-01-15", "--type", "pspo", "--district", "Dover",
               "--description", "Dover town-centre PSPO").returncode == 0
    out = control_json(db, "--end", "2025-12", "--district", "Dover")
    [entry] = out["interventions"]
    ba = entry["before_after"]
    # 12 months either side: 101 before, 151 after, +50 (+49.5%); every month after is above 112.12
    assert (ba["before_mean"], ba["after_mean"], ba["change"]) == pytest.approx((101.0, 151.0, 50.0))
    assert ba["pct_change"] == pytest.approx(5000 / 101)
    assert ba["shifted"] is True and ba["direction"] == "up" and "outside_limits" in ba["signals"]
    assert ba["upper"] == pytest.approx(112.123636, abs=1e-6)
    assert "the process shifted upwards" in ba["sentence"]


@pytest.mark.parametrize("args, message", [
    (["--end", "2024-13"], "'2024-13' is not a month"),
    (["--end", "2024-12", "--months", "1"], "needs at least 2 months"),
    (["--end", "2024-12", "--baseline", "2024-06"], "is not a baseline"),
    (["--end", "2024-12", "--baseline", "2024-09:2024-03"], "ends before it starts"),
    (["--end", "2024-12", "--baseline", "2023-01:2024-03"], "is not within the chart's months"),
    (["--end", "2024-12", "--district", "Atlantis"], "There is no district called 'Atlantis'"),
    (["--end", "2024-12", "--call-type", "Skateboarding"], "no call type called 'Skateboarding'"),
    (["--end", "2024-12", "--crime-type", "Burglary"], "--crime-type narrows a crime chart"),
    (["--end", "2024-12", "--source", "police.uk"], "There is no source called 'police.uk'"),
    (["--end", "2023-06"], "data starts in January 2024"),
    (["--end", "2025-06"], "data ends in December 2024"),
])
def test_bad_input_exits_2_with_a_clear_message(tmp_path, args, message):
    db = make_db(tmp_path / "hand.duckdb", HAND)
    done = cli(db, "control", "--measure", "asb", *args, "--json")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr and done.stdout == ""
