"""The force performance report, November 2022 – January 2023, rebuilt digit for digit from incident-level extracts.

The extracts are generated here with the report's exact monthly counts, in CSV and XLSX with UK dates
(dd/mm/yyyy: 03/01/2023 is 3 January; one workbook holds Excel date cells instead), with non-victim-based crimes
mixed in that must not count, and loaded through the real loader. The same rows written straight into the tables
must give the same answer.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from analytics import store
from analytics.domain.periods import make_period
from analytics.report.summary import build_summary
from tests.conftest import insert_batch

ASB = {"2022-11": 1760, "2022-12": 1626, "2023-01": 1784, "2021-11": 1959, "2021-12": 1984, "2022-01": 1991}
MVN = "Motor vehicle nuisance on road"
MVN_COUNTS = {"2022-11": 250, "2022-12": 249, "2023-01": 250, "2021-11": 220, "2021-12": 219, "2022-01": 219}
VBC = {"2022-11": 12706, "2022-12": 11780, "2023-01": 10917, "2021-11": 13731, "2021-12": 12388, "2022-01": 12241}
SOLVED = {"2022-11": 1157, "2022-12": 1157, "2023-01": 1156, "2021-11": 1036, "2021-12": 1036, "2022-01": 1035}
NON_VBC = {"2022-11": 903, "2022-12": 871, "2023-01": 950, "2021-11": 1012, "2021-12": 845, "2022-01": 990}
THIS_YEAR = ("2022-11", "2022-12", "2023-01")

DISTRICTS = ("Ashford", "Canterbury", "Dartford", "Dover", "Folkestone and Hythe", "Gravesham", "Maidstone",
             "Medway", "Sevenoaks", "Swale", "Thanet", "Tonbridge and Malling", "Tunbridge Wells")
OTHER_CALL_TYPES = ("Rowdy or inconsiderate behaviour", "Neighbour dispute", "Fly-tipping", "Noise nuisance")
VBC_GROUPS = ("Violence against the person", "Burglary", "Shoplifting", "Criminal damage and arson", "Vehicle crime",
              "Theft from the person", "Sexual offences", "Robbery")
NON_VBC_GROUPS = ("Drugs", "Public order", "Possession of weapons", "Other crimes against society")
SOLVED_OUTCOMES = ("1", "8", "3", "1A", "6")
UNSOLVED_OUTCOMES = ("18", "14", "Under investigation", "16", "")


def uk_date(month: str, i: int) -> str:
    year, number = month.split("-")
    return f"{i % 28 + 1:02d}/{number}/{year}"


def asb_rows(months) -> list[dict]:
    rows = []
    for month in months:
        for i in range(ASB[month]):
            call_type = MVN if i < MVN_COUNTS[month] else OTHER_CALL_TYPES[i % len(OTHER_CALL_TYPES)]
            rows.append({"incident_ref": f"ASB-{month}-{i:05d}", "reported_date": uk_date(month, i),
                         "district": DISTRICTS[i % 13], "call_type": call_type, "month": month})
    return rows


def crime_rows(months) -> list[dict]:
    rows = []
    for month in months:
        for i in range(VBC[month]):
            outcome = SOLVED_OUTCOMES[i % 5] if i < SOLVED[month] else UNSOLVED_OUTCOMES[i % 5]
            rows.append({"crime_ref": f"CR-{month}-{i:05d}", "recorded_date": uk_date(month, i),
                         "district": DISTRICTS[i % 13], "offence_group": VBC_GROUPS[i % len(VBC_GROUPS)],
                         "outcome": outcome, "month": month})
        for i in range(NON_VBC[month]):
            # charged drugs and public order offences: solved, but not victim-based, so never in the VBC rate
            rows.append({"crime_ref": f"CR-{month}-N{i:05d}", "recorded_date": uk_date(month, i + 7),
                         "district": DISTRICTS[i % 13], "offence_group": NON_VBC_GROUPS[i % 4],
                         "outcome": "1" if i % 2 else "18", "month": month})
    return rows


def write_csv(path: Path, rows: list[dict]) -> Path:
    columns = [c for c in rows[0] if c != "month"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict], *, date_cells: bool = False) -> Path:
    """An XLSX extract; dates as UK text ('03/01/2023') or, with date_cells, as Excel date cells."""
    columns = [c for c in rows[0] if c != "month"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Extract")
    sheet.append(columns)
    for row in rows:
        values = [row[c] for c in columns]
        if date_cells:
            values = [datetime.strptime(v, "%d/%m/%Y").replace(hour=9) if c.endswith("_date") else v
                      for c, v in zip(columns, values, strict=True)]
        sheet.append(values)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> dict[str, list[dict]]:
    last_year = [m for m in ASB if m not in THIS_YEAR]
    return {"asb_this": asb_rows(THIS_YEAR), "asb_last": asb_rows(last_year),
            "crime_this": crime_rows(THIS_YEAR), "crime_last": crime_rows(last_year)}


@pytest.fixture(scope="module", params=["files", "direct"])
def report(request, extracts, tmp_path_factory) -> dict:
    con = store.connect(":memory:")
    if request.param == "files":
        from analytics.ingest.load import load_file

        folder = tmp_path_factory.mktemp("extracts")
        files = [write_xlsx(folder / "asb-2022-23.xlsx", extracts["asb_this"]),
                 write_csv(folder / "asb-2021-22.csv", extracts["asb_last"]),
                 write_csv(folder / "crime-2022-23.csv", extracts["crime_this"]),
                 write_xlsx(folder / "crime-2021-22.xlsx", extracts["crime_last"], date_cells=True)]
        for path in files:
            result = load_file(con, path, loaded_by="test")
            assert result.status == "loaded" and result.rows_rejected == 0
    else:
        from analytics.domain.definitions import match_offence_group

        for kind in ("asb", "crime"):
            rows = pd.DataFrame(extracts[f"{kind}_this"] + extracts[f"{kind}_last"]).drop(columns="reported_date",
                                                                                          errors="ignore")
            if kind == "crime":
                rows = rows.drop(columns="recorded_date")
                rows["offence_group"] = rows["offence_group"].map(match_offence_group)
                rows["outcome"] = rows["outcome"].replace("", None)
            insert_batch(con, kind, rows)
    summary = build_summary(con, period=make_period("2023-01", "3m"))
    con.close()
    return summary


def cells(block: dict) -> list[tuple]:
    rows = block["months"] + [dict(block["total"], month="Total")]
    return [(r["month"], r["count"], r["last_year"], r["pct_change"], r["change"]) for r in rows]


def test_asb_table(report):
    assert report["period"]["start"] == "2022-11" and report["period"]["end"] == "2023-01"
    assert report["source"] == "force"
    assert cells(report["asb"]) == [
        ("2022-11", 1760, 1959, -10.2, -199),
        ("2022-12", 1626, 1984, -18.0, -358),
        ("2023-01", 1784, 1991, -10.4, -207),
        ("Total", 5170, 5934, -12.9, -764),
    ]


def test_victim_based_crime_table(report):
    assert cells(report["victim_based_crime"]) == [
        ("2022-11", 12706, 13731, -7.5, -1025),
        ("2022-12", 11780, 12388, -4.9, -608),
        ("2023-01", 10917, 12241, -10.8, -1324),
        ("Total", 35403, 38360, -7.7, -2957),
    ]


def test_all_crime_includes_the_rest(report):
    total = report["all_crime"]["total"]
    assert (total["count"], total["last_year"]) == (35403 + 903 + 871 + 950, 38360 + 1012 + 845 + 990)
    assert total["change"] == 38127 - 41207 and total["pct_change"] == -7.5  # −3,080 / 41,207 = −7.47%


def test_solved_rate(report):
    solved = report["victim_based_crime"]["solved"]
    assert (solved["count"], solved["rate"], solved["last_year_count"], solved["last_year_rate"],
            solved["pp_change"]) == (3470, 9.8, 3107, 8.1, 1.7)
    assert solved["basis"] == "cohort"


def test_call_type(report):
    mvn = next(c for c in report["asb"]["call_types"] if c["name"] == MVN)
    assert mvn == {"name": MVN, "count": 749, "last_year": 658, "change": 91, "pct_change": 13.8, "signal": True}
    changes = [c["change"] for c in report["asb"]["call_types"]]
    assert changes == sorted(changes)  # largest reductions first


def test_districts_add_up(report):
    districts = report["asb"]["districts"]
    assert len(districts) == 13
    assert sum(d["count"] for d in districts) == 5170 and sum(d["last_year"] for d in districts) == 5934


def test_signals_quality_and_commentary(report):
    assert all(m["signal"] for m in report["asb"]["months"])  # e.g. December: 2(√1626 − √1984) = −8.4
    assert report["quality"] == []
    text = report["commentary"]
    assert text[0] == ("ASB fell by 12.9% (764 fewer incidents) in November 2022 – January 2023 compared with the "
                       "same period last year, with decreases in all three months, most notably December "
                       "(−358, −18.0%).")
    assert text[1] == "The fall is beyond normal variation (a signal)."
    assert any("Motor vehicle nuisance on road (up 13.8% to 749 incidents, 91 more; a signal)" in s for s in text)
    assert ("Victim-based crime fell by 7.7% (2,957 fewer crimes) in November 2022 – January 2023 compared with the "
            "same period last year, with decreases in all three months, most notably January (−1,324, −10.8%).") in text
    assert any(s.startswith("The victim-based crime solved rate was 9.8% (3,470 of 35,403 crimes), up 1.7 percentage "
                            "points from 8.1%") for s in text)
