"""The synthetic Kent force extracts: the report's figures exactly, Kent's scale, determinism, loadability."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics import store
from analytics.domain import definitions
from analytics.ingest import synthetic

# The force performance report's figures, typed in from the report (not taken from the module under test).
ASB = {"2021-11": 1959, "2021-12": 1984, "2022-01": 1991, "2022-11": 1760, "2022-12": 1626, "2023-01": 1784}
VBC = {"2021-11": 13731, "2021-12": 12388, "2022-01": 12241, "2022-11": 12706, "2022-12": 11780, "2023-01": 10917}
LAST_YEAR = ("2021-11", "2021-12", "2022-01")
THIS_YEAR = ("2022-11", "2022-12", "2023-01")
SOLVED_HO = {"1", "1A", "2", "3", "4", "6", "7", "8"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return synthetic.write_synthetic_extracts(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="module")
def asb(extracts: dict[str, Path]) -> pd.DataFrame:
    frame = pd.read_csv(extracts["asb"], dtype=str, keep_default_na=False)
    frame["month"] = pd.to_datetime(frame["Date Reported"], dayfirst=True).dt.strftime("%Y-%m")
    return frame


@pytest.fixture(scope="module")
def crimes(extracts: dict[str, Path]) -> pd.DataFrame:
    frame = pd.read_csv(extracts["crime"], dtype=str, keep_default_na=False)
    frame["recorded"] = pd.to_datetime(frame["Recorded Date"], dayfirst=True)
    frame["month"] = frame["recorded"].dt.strftime("%Y-%m")
    victim_based = {g.name: g.victim_based for g in definitions.offence_groups()}
    frame["vbc"] = [victim_based[definitions.match_offence_group(g)] for g in frame["Offence Group"]]
    frame["solved"] = frame["Outcome"].isin(SOLVED_HO)
    return frame


def test_files_are_labelled_synthetic_and_cover_the_range(extracts: dict[str, Path], asb, crimes) -> None:
    assert sorted(extracts) == ["asb", "crime"]
    assert all(p.name.startswith("SYNTHETIC-") and p.suffix == ".csv" for p in extracts.values())
    months = [str(p) for p in pd.period_range("2021-11", "2025-12", freq="M")]
    assert sorted(asb["month"].unique()) == months
    assert sorted(crimes["month"].unique()) == months


def test_headers_are_force_style(extracts: dict[str, Path]) -> None:
    asb_header = extracts["asb"].read_text(encoding="utf-8").split("\n", 1)[0]
    crime_header = extracts["crime"].read_text(encoding="utf-8").split("\n", 1)[0]
    assert asb_header == "Incident Number,Date Reported,District,Call Type,Location,Caller Ref,Vulnerable,Repeat Caller"
    assert crime_header == "Crime Number,Recorded Date,District,Offence Group,Outcome,Outcome Date"


def test_dates_are_uk_day_first_with_times(asb, crimes) -> None:
    pattern = r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"
    assert asb["Date Reported"].str.fullmatch(pattern).all()
    assert crimes["Recorded Date"].str.fullmatch(pattern).all()
    # Day-first: some days exceed 12, which a month-first reading would refuse.
    assert (asb["Date Reported"].str[:2].astype(int) > 12).any()


def test_report_asb_months_exact(asb) -> None:
    counts = asb["month"].value_counts()
    assert {m: int(counts[m]) for m in ASB} == ASB


def test_report_vbc_months_exact(crimes) -> None:
    counts = crimes[crimes["vbc"]]["month"].value_counts()
    assert {m: int(counts[m]) for m in VBC} == VBC


def test_report_vbc_solved_totals(crimes) -> None:
    solved = crimes[crimes["vbc"] & crimes["solved"]]["month"].value_counts()
    assert sum(int(solved[m]) for m in THIS_YEAR) == 3470
    assert sum(int(solved[m]) for m in LAST_YEAR) == 3107


def test_report_motor_vehicle_nuisance_on_road(asb) -> None:
    on_road = asb[asb["Call Type"] == "Motor vehicle nuisance on road"]["month"].value_counts()
    this_year = sum(int(on_road[m]) for m in THIS_YEAR)
    last_year = sum(int(on_road[m]) for m in LAST_YEAR)
    assert (this_year, last_year) == (749, 658)
    # The report's line: "749 incidents, +13.8%, up 91".
    assert this_year - last_year == 91
    assert round((this_year - last_year) / last_year * 100, 1) == 13.8


def test_other_months_at_kent_scale_with_summer_peak(asb, crimes) -> None:
    asb_counts = asb["month"].value_counts()
    crime_counts = crimes["month"].value_counts()
    other_counts = crimes[~crimes["vbc"]]["month"].value_counts()
    for month in asb_counts.index:
        assert 1600 <= asb_counts[month] <= 3700, month
        assert 13000 <= crime_counts[month] <= 17000, month
        assert other_counts[month] >= 1000, month
    for year in ("2022", "2023", "2024", "2025"):
        assert asb_counts[f"{year}-07"] > asb_counts[f"{year}-01"] + 800


def test_every_value_is_known_to_the_reference_files(asb, crimes) -> None:
    names = {d.name for d in definitions.districts()}
    assert set(asb["District"]) == names
    assert set(crimes["District"]) == names
    assert all(definitions.match_call_type(c) for c in asb["Call Type"].unique())
    groups = crimes["Offence Group"].unique()
    assert all(definitions.match_offence_group(g) for g in groups)
    # Both Home Office group names and police.uk category names occur.
    assert {"Violence with injury", "Public order offences", "Vehicle crime", "Other theft"} <= set(groups)
    outcomes = set(crimes["Outcome"].unique())
    assert {"", "1", "1A", "3", "8", "14", "15", "16", "18", "20", "21"} <= outcomes
    assert all(definitions.match_outcome(o) for o in outcomes - {""})


def test_outcome_dates_follow_recorded_dates(crimes) -> None:
    assert ((crimes["Outcome"] == "") == (crimes["Outcome Date"] == "")).all()
    with_outcome = crimes[crimes["Outcome"] != ""]
    outcome_date = pd.to_datetime(with_outcome["Outcome Date"], dayfirst=True)
    assert (outcome_date >= with_outcome["recorded"]).all()
    assert outcome_date.max() <= pd.Timestamp("2025-12-31 23:59")
    # Recent crimes are more often still under investigation.
    open_share = crimes.assign(open=crimes["Outcome"] == "").groupby("month")["open"].mean()
    assert open_share["2025-12"] > 2 * open_share["2024-12"]


def test_references_unique_and_pseudonymous_callers(asb, crimes) -> None:
    assert asb["Incident Number"].is_unique
    assert crimes["Crime Number"].is_unique
    assert asb["Incident Number"].str.fullmatch(r"ASB-\d{4}-\d{6}").all()
    assert (asb["Incident Number"].str[4:8] == asb["month"].str[:4]).all()
    assert asb["Caller Ref"].str.fullmatch(r"C\d{7}").all()
    calls = asb["Caller Ref"].value_counts()
    assert (calls > 1).sum() > 1000
    # A repeat caller has called before within the extract, so the first call of each caller is not a repeat.
    first_calls = ~asb["Caller Ref"].duplicated()
    assert (asb.loc[first_calls, "Repeat Caller"] == "N").all()
    assert (asb.loc[~first_calls, "Repeat Caller"] == "Y").all()
    assert set(asb["Vulnerable"]) == {"Y", "N"}


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    one = synthetic.write_synthetic_extracts(tmp_path / "one", start="2022-10", end="2023-02")
    two = synthetic.write_synthetic_extracts(tmp_path / "two", start="2022-10", end="2023-02")
    other = synthetic.write_synthetic_extracts(tmp_path / "other", start="2022-10", end="2023-02", seed=7)
    for kind in ("asb", "crime"):
        assert sha256(one[kind]) == sha256(two[kind])
        assert sha256(one[kind]) != sha256(other[kind])


def test_a_month_is_the_same_whatever_the_range(extracts: dict[str, Path], tmp_path: Path) -> None:
    short = synthetic.write_synthetic_extracts(tmp_path, start="2022-11", end="2022-11")
    full = pd.read_csv(extracts["asb"], dtype=str, keep_default_na=False)
    november = full[full["Date Reported"].str[3:10] == "11/2022"].reset_index(drop=True)
    part = pd.read_csv(short["asb"], dtype=str, keep_default_na=False)
    # Caller history differs with the range, so compare everything but the repeat flag.
    columns = [c for c in part.columns if c != "Repeat Caller"]
    pd.testing.assert_frame_equal(part[columns], november[columns])


def test_xlsx_variant_has_a_title_row_and_the_same_rows(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    path = synthetic.write_synthetic_xlsx(tmp_path, start="2022-12", end="2022-12")
    assert path.name == "SYNTHETIC-kent-asb-incidents.xlsx"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("ASB incidents").to_python()
    assert "SYNTHETIC" in rows[0][0]
    assert rows[1] == synthetic.ASB_COLUMNS
    assert len(rows) == 2 + 1626
    csv = synthetic.write_synthetic_extracts(tmp_path, start="2022-12", end="2022-12")
    frame = pd.read_csv(csv["asb"], dtype=str, keep_default_na=False)
    assert [r[0] for r in rows[2:]] == frame["Incident Number"].tolist()
    first = rows[2][1]
    assert first.strftime("%d/%m/%Y %H:%M") == frame["Date Reported"][0]


def test_police_uk_frame_is_realistic() -> None:
    frame = synthetic.police_uk_frame(20_000, months=("2023-01", "2023-06"))
    assert list(frame.columns) == synthetic.POLICE_UK_COLUMNS
    asb = frame["Crime type"] == "Anti-social behaviour"
    assert 0.14 < asb.mean() < 0.18
    assert (frame.loc[asb, "Crime ID"] == "").all()
    assert (frame.loc[asb, "Last outcome category"] == "").all()
    ids = frame.loc[~asb, "Crime ID"]
    assert ids.str.fullmatch(r"[0-9a-f]{64}").all() and ids.is_unique
    assert frame["Month"].is_monotonic_increasing
    assert sorted(frame["Month"].unique()) == [f"2023-0{m}" for m in range(1, 7)]
    names = frame["LSOA name"].str.replace(r" \w+$", "", regex=True)
    assert {d.name for d in definitions.districts()} <= set(names)


def test_loaded_extracts_reproduce_the_report(tmp_path: Path) -> None:
    from analytics.ingest.load import load_files

    paths = synthetic.write_synthetic_extracts(tmp_path, start="2021-11", end="2023-01")
    con = store.connect(":memory:")
    results = load_files(con, [paths["asb"], paths["crime"]], source_name="synthetic")
    assert [r.kind for r in results] == ["asb", "crime"]
    assert all(r.rows_read == r.rows_loaded and r.rows_rejected == 0 for r in results)

    asb = dict(con.execute(
        "SELECT strftime(month, '%Y-%m'), count(*) FROM asb WHERE source = 'synthetic' GROUP BY ALL"
    ).fetchall())
    assert {m: asb[m] for m in ASB} == ASB
    vbc = dict(con.execute(
        "SELECT strftime(month, '%Y-%m'), count(*) FROM crime WHERE source = 'synthetic' AND vbc GROUP BY ALL"
    ).fetchall())
    assert {m: vbc[m] for m in VBC} == VBC

    def solved(months: tuple[str, ...]) -> int:
        return con.execute(
            "SELECT count(*) FROM crime WHERE vbc AND solved AND strftime(month, '%Y-%m') IN (SELECT unnest(?))",
            [list(months)],
        ).fetchone()[0]

    assert (solved(THIS_YEAR), solved(LAST_YEAR)) == (3470, 3107)

    def on_road(months: tuple[str, ...]) -> int:
        return con.execute(
            "SELECT count(*) FROM asb WHERE call_type = 'Motor vehicle nuisance on road' "
            "AND strftime(month, '%Y-%m') IN (SELECT unnest(?))",
            [list(months)],
        ).fetchone()[0]

    assert (on_road(THIS_YEAR), on_road(LAST_YEAR)) == (749, 658)
    # The day-first dates were read as such: 13/11/2021 is 13 November.
    first = con.execute(
        "SELECT reported_date FROM asb WHERE incident_ref = ?", [_first_ref_on(paths["asb"], "13/11/2021")]
    ).fetchone()[0]
    assert (first.year, first.month, first.day) == (2021, 11, 13)


def _first_ref_on(path: Path, day: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.search(rf",{re.escape(day)} ", line):
            return line.split(",", 1)[0]
    raise AssertionError(f"no row on {day}")


def test_xlsx_variant_loads_with_its_title_row(tmp_path: Path) -> None:
    from analytics.ingest.load import load_file

    path = synthetic.write_synthetic_xlsx(tmp_path, start="2022-11", end="2023-01")
    con = store.connect(":memory:")
    result = load_file(con, path, source_name="synthetic")
    assert (result.kind, result.rows_read, result.rows_loaded) == ("asb", 1760 + 1626 + 1784, 1760 + 1626 + 1784)
    asb = dict(con.execute("SELECT strftime(month, '%Y-%m'), count(*) FROM asb GROUP BY ALL").fetchall())
    assert asb == {m: ASB[m] for m in THIS_YEAR}
    on_road = con.execute("SELECT count(*) FROM asb WHERE call_type = 'Motor vehicle nuisance on road'").fetchone()[0]
    assert on_road == 749
    # The header is row 2 under the title, so the first incident is spreadsheet row 3.
    assert con.execute("SELECT min(source_row) FROM asb_incidents").fetchone()[0] == 3
