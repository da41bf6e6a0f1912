"""`python -m analytics summary` on the real police.uk Kent files, checked against a direct count of the files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from analytics import store
from analytics.ingest.load import load_file
from tests.kent import CITY_JAN_2025, KENT

ROOT = Path(__file__).resolve().parent.parent
VBC_TYPES = {"Violence and sexual offences", "Burglary", "Robbery", "Vehicle crime", "Theft from the person",
             "Shoplifting", "Bicycle theft", "Other theft", "Criminal damage and arson"}
SOLVED_TEXTS = {"Awaiting court outcome", "Court result unavailable", "Local resolution", "Offender given a caution",
                "Suspect charged as part of another case"}

def direct_counts() -> dict[str, Counter]:
    """Rows per month straight from the files: ASB, victim-based crime, all crime, solved VBC."""
    counts = {"asb": Counter(), "vbc": Counter(), "all_crime": Counter(), "solved": Counter()}
    for path in sorted(KENT.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                month, kind = row["Month"], row["Crime type"]
                if kind == "Anti-social behaviour":
                    counts["asb"][month] += 1
                    continue
                counts["all_crime"][month] += 1
                if kind in VBC_TYPES:
                    counts["vbc"][month] += 1
                    counts["solved"][month] += row["Last outcome category"] in SOLVED_TEXTS
    return counts


@pytest.fixture(scope="module")
def kent_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("kent") / "kent.duckdb"
    con = store.connect(db)
    for path in sorted(KENT.glob("*.csv")):
        load_file(con, path, loaded_by="test")
    con.close()
    return db


@pytest.fixture(scope="module")
def counts() -> dict[str, Counter]:
    return direct_counts()


def summary(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", "summary", "--db", str(db), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_direct_counts_match_the_brief(counts):
    assert (counts["asb"]["2024-01"], counts["all_crime"]["2024-01"]) == (1663, 12803)
    assert (counts["asb"]["2025-01"], counts["all_crime"]["2025-01"]) == (1560, 12641)
    assert (counts["asb"]["2025-04"], counts["all_crime"]["2025-04"]) == (2614, 12377)


def test_summary_json_equals_a_direct_count(kent_db, counts):
    run = summary(kent_db, "--end", "2025-04", "--months", "4", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["period"]["start"] == "2025-01" and out["period"]["end"] == "2025-04"
    assert out["source"] == "police.uk"
    months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    for key, measure in (("asb", "asb"), ("victim_based_crime", "vbc"), ("all_crime", "all_crime")):
        got = [(m["month"], m["count"], m["last_year"]) for m in out[key]["months"]]
        want = [(m, counts[measure][m], counts[measure][m.replace("2025", "2024")]) for m in months]
        assert got == want, key
        total = out[key]["total"]
        assert total["count"] == sum(counts[measure][m] for m in months)
        assert total["change"] == total["count"] - total["last_year"]
    assert out["asb"]["months"][0]["count"] == 1560 and out["asb"]["months"][0]["last_year"] == 1663
    solved = out["victim_based_crime"]["solved"]
    assert solved["count"] == sum(counts["solved"][m] for m in months)
    assert solved["last_year_count"] == sum(counts["solved"][m.replace("2025", "2024")] for m in months)
    assert out["asb"]["call_types"] == []
    assert out["quality"] == []
    assert out["commentary"][0].startswith("ASB ")


def test_uncovered_months_are_null_with_a_quality_entry(kent_db, counts):
    run = summary(kent_db, "--end", "2025-06", "--months", "3", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    asb = {m["month"]: m for m in out["asb"]["months"]}
    assert asb["2025-04"]["last_year"] == counts["asb"]["2024-04"]
    for month in ("2025-05", "2025-06"):
        assert asb[month]["count"] == counts["asb"][month]
        assert asb[month]["last_year"] is None and asb[month]["change"] is None and asb[month]["pct_change"] is None
    # every month of April – June 2025 is loaded, so the total exists; May and June 2024 are not, so no change
    months = ("2025-04", "2025-05", "2025-06")
    assert out["asb"]["total"] == {"count": sum(counts["asb"][m] for m in months), "last_year": None,
                                   "change": None, "pct_change": None, "signal": False}
    assert out["victim_based_crime"]["total"]["count"] == sum(counts["vbc"][m] for m in months)
    solved = out["victim_based_crime"]["solved"]
    assert solved["count"] == sum(counts["solved"][m] for m in months) and solved["last_year_count"] is None
    assert solved["pp_change"] is None and solved["rate"] is not None
    assert out["commentary"][0] == (f"ASB: {out['asb']['total']['count']:,} incidents in April – June 2025. No "
                                    "comparison with a year earlier: May – June 2024 is not loaded.")
    assert not any("normal variation" in s for s in out["commentary"])
    missing = {(q["month"], q["measure"]) for q in out["quality"] if q["issue"] == "missing"}
    assert missing == {("2024-05", "asb"), ("2024-05", "crime"), ("2024-06", "asb"), ("2024-06", "crime")}
    assert any("Caution" in s for s in out["commentary"])


def test_a_period_with_no_year_earlier_still_has_its_totals(kent_db, counts):
    # October – December 2025; no 2024-10..12 loaded
    run = summary(kent_db, "--end", "2025-12", "--months", "3", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [m["count"] for m in out["asb"]["months"]] == [2591, 2589, 2339]
    assert out["asb"]["total"]["count"] == 7519 and out["asb"]["total"]["last_year"] is None
    months = ("2025-10", "2025-11", "2025-12")
    assert out["all_crime"]["total"]["count"] == sum(counts["all_crime"][m] for m in months)
    districts = out["asb"]["districts"]
    assert len(districts) >= 13 and sum(d["count"] for d in districts) == 7519
    assert all(d["last_year"] is None and d["change"] is None for d in districts)
    assert out["commentary"][0] == ("ASB: 7,519 incidents in October – December 2025. No comparison with a year "
                                    "earlier: October – December 2024 is not loaded.")
    assert not any("normal variation" in s for s in out["commentary"])
    run = summary(kent_db, "--end", "2025-12", "--months", "12", "--json")
    out = json.loads(run.stdout)
    # January – April 2024 are loaded but May – December 2024 are not: no four-month sum passed off as a year's
    assert out["asb"]["total"]["count"] == sum(counts["asb"][f"2025-{m:02d}"] for m in range(1, 13))
    assert out["asb"]["total"]["last_year"] is None and out["asb"]["total"]["change"] is None


def test_screen_sentences_without_a_year_earlier_never_claim_normal_variation(kent_db):
    from analytics.domain.periods import make_period
    from analytics.figures import breakdowns, counts, rates, solved
    from analytics.report import text

    period = make_period("2025-12", "3m")
    con = store.connect(kent_db)
    try:
        args = {"period": period, "source": "police.uk"}
        comp = counts.comparison(con, measure="asb", **args)
        dists = breakdowns.breakdown(con, measure="asb", by="district", **args)
        per_1000 = rates.rates_per_1000(con, measure="asb", **args)
        rate = solved.solved_rate(con, **args)
    finally:
        con.close()
    texts = [text.comparison_sentence("asb", comp, period), text.breakdown_sentence(dists, "districts"),
             text.solved_sentence(rate, period), text.district_sentence(per_1000, "asb")]
    assert texts[0] == ("ASB incidents: 7,519 in October – December 2025, no comparison with last year (a month is "
                        "not covered).")
    assert texts[1].endswith("districts: no comparison with last year (a month is not covered).")
    assert texts[2].startswith(f"Solved rate {rate.rate:.1f}% in October – December 2025 ")
    assert texts[2].endswith("no comparison with a year earlier (a month is not covered).")
    assert per_1000["rate_per_1000"].notna().all() and texts[3].startswith("ASB incidents per 1,000 residents: highest")
    assert not any("normal variation" in t for t in texts)


def test_text_output(kent_db, counts):
    run = summary(kent_db, "--end", "2025-04", "--months", "4", "--district", "Shepway")
    assert run.returncode == 0, run.stderr
    assert "January – April 2025" in run.stdout and "Folkestone and Hythe" in run.stdout
    assert "ASB incidents" in run.stdout and "Victim-based crime" in run.stdout and "Commentary" in run.stdout


def test_unknown_district_lists_the_valid_ones(kent_db):
    run = summary(kent_db, "--end", "2025-04", "--district", "Atlantis")
    assert run.returncode == 2
    assert "Atlantis" in run.stderr and "Ashford" in run.stderr and "Tunbridge Wells" in run.stderr


def test_unknown_source_and_bad_month(kent_db):
    run = summary(kent_db, "--end", "2025-04", "--source", "nowhere")
    assert run.returncode == 2 and "police.uk" in run.stderr
    run = summary(kent_db, "--end", "2025-13")
    assert run.returncode == 2 and "YYYY-MM" in run.stderr


def test_a_second_source_must_be_named(tmp_path):
    db = tmp_path / "two.duckdb"
    con = store.connect(db)
    load_file(con, KENT / "2025-01-kent-street.csv", loaded_by="test")
    load_file(con, CITY_JAN_2025, source_name="city", loaded_by="test")
    con.close()
    run = summary(db, "--end", "2025-01", "--months", "1", "--json")
    assert run.returncode == 2
    assert "city" in run.stderr and "police.uk" in run.stderr and "--source" in run.stderr
    run = summary(db, "--end", "2025-01", "--months", "1", "--json", "--source", "city")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["source"] == "city" and out["asb"]["months"][0]["last_year"] is None


def test_real_seasonal_months_are_not_flagged_partial(kent_db):
    from analytics.figures import coverage

    con = store.connect(kent_db)
    flags = coverage.quality_flags(con, source="police.uk")
    con.close()
    assert {f.issue for f in flags} == {"missing"}
    assert sorted({f.month for f in flags}) == [f"2024-{m:02d}" for m in range(5, 13)]


def test_json_nulls_for_zero_last_year_and_the_source_error(con):
    from analytics.domain.periods import make_period
    from analytics.errors import InputRefused
    from analytics.report.summary import build_summary
    from tests.conftest import insert_batch

    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover"}] * 5 + [{"month": "2024-01",
                                                                                   "district": "Thanet"}] * 3)
    out = build_summary(con, period=make_period("2025-01", "1m"), district="Dover")
    assert out["asb"]["total"] == {"count": 5, "last_year": 0, "change": 5, "pct_change": None, "signal": True}
    assert out["victim_based_crime"]["total"]["count"] is None  # no crime rows at all: not covered, not 0
    assert {(q["month"], q["measure"], q["issue"]) for q in out["quality"]} == {
        ("2024-01", "crime", "missing"), ("2025-01", "crime", "missing")}
    json.dumps(out)  # plain JSON types only
    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover"}], source="police.uk")
    with pytest.raises(InputRefused, match=r"more than one source \(police.uk, force\)"):
        build_summary(con, period=make_period("2025-01", "1m"))


PENDING_TEXTS = {"Under investigation", "Status update unavailable", "Awaiting court outcome"}


def test_feb_apr_2025_solved_comparison_is_not_like_for_like(kent_db):
    """The demo's +6.0 pp: 2024's files were published before their outcomes matured. Counted from the files."""
    from analytics.domain.rounding import rate

    pending: Counter = Counter()
    vbc: Counter = Counter()
    for path in sorted(KENT.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                if row["Crime type"] in VBC_TYPES:
                    vbc[row["Month"]] += 1
                    pending[row["Month"]] += row["Last outcome category"] in PENDING_TEXTS
    now, before = ("2025-02", "2025-03", "2025-04"), ("2024-02", "2024-03", "2024-04")
    share_now = rate(sum(pending[m] for m in now), sum(vbc[m] for m in now))
    share_before = rate(sum(pending[m] for m in before), sum(vbc[m] for m in before))
    assert (share_now, share_before) == (3.8, 25.9)

    run = summary(kent_db, "--end", "2025-04", "--months", "3", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    solved = out["victim_based_crime"]["solved"]
    assert solved["pp_change"] == 6.0 and solved["like_for_like"] is False and solved["signal"] is False
    assert solved["pending_share"] == {"this_year": share_now, "last_year": share_before}
    assert "matched" not in solved  # police.uk street files date no outcome
    sentence = ("Not like-for-like: in the data loaded, 3.8% of this period's crimes and 25.9% of last year's still "
                "await an outcome, so the +6.0 pp change reflects how far investigations had got, not performance.")
    assert sentence in out["commentary"]
    assert not any("solved crimes" in s and "beyond normal variation" in s for s in out["commentary"])
    text = summary(kent_db, "--end", "2025-04", "--months", "3")
    assert text.returncode == 0 and sentence in text.stdout
    # January – April 2025 against 2024 is not like-for-like either; a comparison with both years mature would be
    run = summary(kent_db, "--end", "2025-04", "--months", "4", "--json")
    assert json.loads(run.stdout)["victim_based_crime"]["solved"]["like_for_like"] is False
    # no outcome dates: --as-at cannot apply, and the command says so
    refused = summary(kent_db, "--end", "2025-04", "--as-at", "2025-04-30")
    assert refused.returncode == 2 and "records no outcome dates" in refused.stderr


def test_maturity_is_unknown_without_a_year_earlier(kent_db):
    run = summary(kent_db, "--end", "2025-12", "--months", "3", "--json")
    solved = json.loads(run.stdout)["victim_based_crime"]["solved"]
    assert solved["like_for_like"] is None and solved["pending_share"]["last_year"] is None
    assert solved["pending_share"]["this_year"] is not None
