"""Synthetic force extracts for Kent, clearly labelled SYNTHETIC, for the demo, tests and benchmarks.

The force's own ASB incident and recorded-crime extracts are not public, so these files stand in for them. They
have the shape of real extracts (UK day-first dates with times, Home Office outcome numbers, a mix of Home Office
and police.uk offence group names, pseudonymous caller references) and Kent's scale (about 1,600-3,700 ASB
incidents and 13,000-17,000 crimes a month, ASB peaking in summer).

In the months of the force performance report (2021-11..2022-01 and 2022-11..2023-01) the counts are exactly the
report's, so the report can be reproduced end to end; see REPORT_* below. Other months are plausible and seasonal.

Every month is drawn from its own generator seeded by (seed, year, month), so a month's rows are the same whatever
range is asked for, and the same seed always gives byte-identical files.

``write_police_uk_csv`` writes a large police.uk street-level file for benchmarks and crash-safety tests, with
locations and LSOAs drawn from the bundled real Kent demo files.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.domain import definitions
from analytics.ingest import detect

DEFAULT_SEED = 20221101
ASB_FILE = "SYNTHETIC-kent-asb-incidents.csv"
CRIME_FILE = "SYNTHETIC-kent-recorded-crime.csv"
ASB_XLSX_FILE = "SYNTHETIC-kent-asb-incidents.xlsx"
DATE_FORMAT = "%d/%m/%Y %H:%M"

ASB_COLUMNS = ["Incident Number", "Date Reported", "District", "Call Type", "Location", "Caller Ref", "Vulnerable",
               "Repeat Caller"]
CRIME_COLUMNS = ["Crime Number", "Recorded Date", "District", "Offence Group", "Outcome", "Outcome Date"]

# The force performance report's figures, reproduced exactly.
REPORT_ASB = {"2021-11": 1959, "2021-12": 1984, "2022-01": 1991, "2022-11": 1760, "2022-12": 1626, "2023-01": 1784}
REPORT_VBC = {"2021-11": 13731, "2021-12": 12388, "2022-01": 12241, "2022-11": 12706, "2022-12": 11780,
              "2023-01": 10917}
# Victim-based crimes recorded in the month that have a solved outcome: 3107 over 2021-11..2022-01 and 3470 over
# 2022-11..2023-01, split in proportion to the month's victim-based crime.
REPORT_VBC_SOLVED = {"2021-11": 1112, "2021-12": 1004, "2022-01": 991, "2022-11": 1245, "2022-12": 1155,
                     "2023-01": 1070}
MOTOR_VEHICLE_ON_ROAD = "Motor vehicle nuisance on road"
# "Motor vehicle nuisance on road": 658 over 2021-11..2022-01, 749 over 2022-11..2023-01 (+13.8%, up 91).
REPORT_MOTOR_VEHICLE = {"2021-11": 231, "2021-12": 209, "2022-01": 218, "2022-11": 262, "2022-12": 231,
                        "2023-01": 256}

ASB_RANGE = (1600, 3700)
CRIME_RANGE = (13000, 17000)

# Relative frequency of each ASB call type (names as in data/reference/asb_call_types.csv).
_CALL_TYPE_WEIGHTS = {
    "Motor vehicle nuisance on road": 12, "Motor vehicle nuisance off road": 3, "Rowdy or inconsiderate behaviour": 30,
    "Neighbour dispute": 12, "Noise nuisance": 6, "Nuisance calls": 3, "Malicious communications": 2,
    "Intimidation or harassment": 5, "Street drinking": 2, "Begging or vagrancy": 2, "Fireworks": 1, "Trespass": 3,
    "Animal problems": 2, "Hoax calls to emergency services": 1, "Drug related nuisance": 4,
    "Littering or drugs paraphernalia": 2, "Abandoned vehicle": 2, "Fly-tipping": 2, "Graffiti": 1,
    "Environmental damage": 1,
}
# Offence groups as a force extract writes them: Home Office names and some police.uk names, mixed on purpose.
_VBC_GROUPS = {
    "Violence with injury": 14, "Violence without injury": 17, "Stalking and harassment": 14,
    "Violence and sexual offences": 4, "Sexual offences": 3, "Rape": 1, "Robbery": 1, "Residential burglary": 4,
    "Burglary - business and community": 2, "Vehicle offences": 5, "Vehicle crime": 2, "Theft from the person": 1,
    "Shoplifting": 10, "Bicycle theft": 1, "All other theft offences": 6, "Other theft": 2, "Criminal damage": 10,
    "Arson": 1, "Criminal damage and arson": 2,
}
_NON_VBC_GROUPS = {
    "Public order offences": 40, "Public order": 5, "Drug offences": 20, "Drugs": 5,
    "Possession of weapons offences": 8,    "Miscellaneous crimes against society": 17, "Other crime": 5,
}
_SOLVED_OUTCOMES = {"1": 55, "1A": 3, "2": 2, "3": 8, "6": 2, "8": 30}
_NON_VBC_SOLVED_OUTCOMES = {"1": 45, "3": 10, "6": 5, "7": 15, "8": 25}
_UNSOLVED_OUTCOMES = {"14": 20, "15": 15, "16": 12, "18": 32, "20": 4, "21": 2, "10": 2, "22": 1}
_STREETS = [
    "High Street", "Station Road", "Church Road", "London Road", "Park Road", "Victoria Road", "Green Lane",
    "Manor Road", "Church Street", "Queens Road", "New Road", "Grange Road", "Kings Road", "The Street",
    "Canterbury Road", "Maidstone Road", "Dover Road", "Mill Lane", "School Lane", "Sea Road", "Marine Parade",
    "Supermarket", "Shopping Area", "Parking Area", "Petrol Station", "Sports/Recreation Area", "Nightclub",
    "Further/Higher Educational Building", "Hospital", "Bus/Coach Station", "Conference/Exhibition Centre",
]


def month_range(start: str, end: str) -> list[str]:
    """Months "YYYY-MM" from start to end inclusive."""
    first = pd.Period(start, "M")
    last = pd.Period(end, "M")
    if last < first:
        raise ValueError(f"end {end} is before start {start}")
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def _rng(seed: int, month: str, stream: int) -> np.random.Generator:
    year, mon = (int(x) for x in month.split("-"))
    return np.random.default_rng([seed, year, mon, stream])


def _summer(mon: int) -> float:
    """1 in July, 0 in January: the seasonal shape of ASB (and, more gently, of crime)."""
    return float((1 + np.cos(2 * np.pi * (mon - 7) / 12)) / 2)


def _weights(table: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    names = np.array(list(table), dtype=object)
    p = np.array(list(table.values()), dtype=float)
    return names, p / p.sum()


def _district_weights() -> tuple[np.ndarray, np.ndarray]:
    return _weights({d.name: d.population for d in definitions.districts()})


@lru_cache(maxsize=512)
def asb_count(month: str, seed: int = DEFAULT_SEED) -> int:
    """ASB incidents in the month: the report's figure where there is one, else a seasonal draw."""
    if month in REPORT_ASB:
        return REPORT_ASB[month]
    rng = _rng(seed, month, 0)
    mean = 1800 + 1500 * _summer(int(month[5:]))
    return int(np.clip(round(mean + rng.normal(0, 90)), *ASB_RANGE))


@lru_cache(maxsize=512)
def crime_counts(month: str, seed: int = DEFAULT_SEED) -> tuple[int, int, int]:
    """(victim-based crimes, other crimes, solved victim-based crimes) recorded in the month."""
    rng = _rng(seed, month, 1)
    season = _summer(int(month[5:]))
    vbc = REPORT_VBC.get(month) or int(round(11600 + 1700 * season + rng.normal(0, 250)))
    other = int(round(2300 + 400 * season + rng.normal(0, 120)))
    other = int(np.clip(other, CRIME_RANGE[0] - vbc, CRIME_RANGE[1] - vbc))
    solved = REPORT_VBC_SOLVED.get(month)
    if solved is None:
        solved = int(rng.binomial(vbc, 0.085 + 0.015 * rng.random()))
    return vbc, other, solved


def _times(rng: np.random.Generator, month: str, n: int, evening: bool) -> np.ndarray:
    """Sorted datetime64[m] values within the month; ASB leans to afternoons and evenings."""
    year, mon = (int(x) for x in month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    day = rng.integers(0, days, n)
    if evening:
        hours = np.arange(24)
        shape = 1 + 2.5 * np.exp(-((hours - 19) ** 2) / 18)
        hour = rng.choice(hours, n, p=shape / shape.sum())
    else:
        hour = rng.integers(0, 24, n)
    minutes = day * 1440 + hour * 60 + rng.integers(0, 60, n)
    return np.sort(np.datetime64(f"{month}-01T00:00", "m") + minutes.astype("timedelta64[m]"))


POOL_SIZE = 3000


@lru_cache(maxsize=4)
def _pool(seed: int = DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The repeat-caller pool as arrays: home district (index into _district_weights), home street (index into
    _STREETS), vulnerable, and how often each calls (see caller_pool)."""
    rng = np.random.default_rng([seed, 99])
    _, district_p = _district_weights()
    weight = rng.gamma(0.5, 1.0, POOL_SIZE)
    district = rng.choice(len(district_p), POOL_SIZE, p=district_p)
    street = rng.choice(len(_STREETS), POOL_SIZE)
    vulnerable = rng.random(POOL_SIZE) < 0.2
    return district, street, vulnerable, weight / weight.sum()


def caller_pool(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The people who call about ASB again and again, the same for every month: caller number ``i + 1`` has the
    row ``i``'s home district (by population), home street, vulnerability (one in five) and how often they call
    (a heavy-tailed weight: most call a few times a year, a few every week or two)."""
    districts, _ = _district_weights()
    district, street, vulnerable, weight = _pool(seed)
    return pd.DataFrame({
        "district": districts[district],
        "location": np.array([f"On or near {s}" for s in _STREETS], dtype=object)[street],
        "vulnerable": vulnerable,
        "weight": weight,
    })


def _labels(values: np.ndarray | list[str], index: np.ndarray) -> pa.DictionaryArray:
    """Values drawn by index from a short list, as an Arrow dictionary column (no Python string per row)."""
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(list(values), pa.string()))


def _minutes(times: np.ndarray) -> pa.Array:
    """datetime64[m] values (NaT as NULL) as an Arrow timestamp column."""
    return pa.array(np.asarray(times).astype("datetime64[s]"), pa.timestamp("s"), from_pandas=True)


# The extracts' text columns, formatted by DuckDB from the generated values (per-row Python formatting costs
# seconds on the demo's 750,000 crimes). {blank} is how a missing value is written: NULL for the CSV writer
# (an empty field), '' in a DataFrame.
_ASB_SELECT = """
SELECT printf('ASB-%d-%06d', year, serial) AS "Incident Number",
       strftime(reported, '%d/%m/%Y %H:%M') AS "Date Reported",
       CAST(district AS VARCHAR) AS "District", CAST(call_type AS VARCHAR) AS "Call Type",
       CAST(location AS VARCHAR) AS "Location", printf('C%07d', caller) AS "Caller Ref",
       CASE WHEN vulnerable THEN 'Y' ELSE 'N' END AS "Vulnerable",
       CASE WHEN repeat_caller THEN 'Y' ELSE 'N' END AS "Repeat Caller"{extra}
FROM _synthetic
"""
_CRIME_SELECT = """
SELECT printf('46/%06d/%02d', serial, year % 100) AS "Crime Number",
       strftime(recorded, '%d/%m/%Y %H:%M') AS "Recorded Date",
       CAST(district AS VARCHAR) AS "District", CAST(offence_group AS VARCHAR) AS "Offence Group",
       coalesce(nullif(CAST(outcome AS VARCHAR), ''), {blank}) AS "Outcome",
       coalesce(strftime(outcome_date, '%d/%m/%Y %H:%M'), {blank}) AS "Outcome Date"{extra}
FROM _synthetic
"""


def _asb_table(start: str, end: str, seed: int) -> pa.Table:
    """The synthetic ASB incidents as generated values (formatted by _ASB_SELECT)."""
    districts, district_p = _district_weights()
    # a force extract names the incident's own call type, not only its national category
    kinds = [c.call_type for c in definitions.call_types() if not definitions.is_category_call_type(c.call_type)]
    call_types, call_p = _weights({c: _CALL_TYPE_WEIGHTS.get(c, 1) for c in kinds})
    on_road = call_types == MOTOR_VEHICLE_ON_ROAD
    others, others_p = np.flatnonzero(~on_road), call_p[~on_road] / call_p[~on_road].sum()
    motor = int(np.flatnonzero(on_road)[0]) if on_road.any() else -1
    pool_district, pool_street, pool_vulnerable, pool_weight = _pool(seed)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("year", "serial", "reported", "district", "call_type",
                                                           "location", "caller", "vulnerable")}
    for month in month_range(start, end):
        rng = _rng(seed, month, 2)
        n = asb_count(month, seed)
        reported = _times(rng, month, n, evening=True)
        if month in REPORT_MOTOR_VEHICLE:
            k = REPORT_MOTOR_VEHICLE[month]
            rest = others[rng.choice(len(others), n - k, p=others_p)]
            call = rng.permutation(np.concatenate([np.full(k, motor, dtype=np.int64), rest]))
        else:
            call = rng.choice(len(call_types), n, p=call_p)
        year = int(month[:4])
        first = sum(asb_count(f"{year}-{m:02d}", seed) for m in range(1, int(month[5:])))
        district = rng.choice(len(districts), n, p=district_p)
        location = rng.choice(len(_STREETS), n)
        # A quarter of calls come from a pool of people who call again and again (a few of them very often); the
        # rest are one-off callers. A pool caller mostly calls about home: their district and street, and they
        # are vulnerable or not on every call.
        frequent = rng.random(n) < 0.25
        pool_id = rng.choice(POOL_SIZE, n, p=pool_weight)
        caller = np.where(frequent, pool_id + 1, rng.integers(POOL_SIZE + 1, 10_000_000, n))
        home = frequent & (rng.random(n) < 0.9)
        district = np.where(home, pool_district[pool_id], district)
        location = np.where(home & (rng.random(n) < 0.8), pool_street[pool_id], location)
        vulnerable = np.where(frequent, pool_vulnerable[pool_id], rng.random(n) < 0.12)
        for key, value in (("year", np.full(n, year)), ("serial", np.arange(first + 1, first + n + 1)),
                           ("reported", reported), ("district", district), ("call_type", call),
                           ("location", location), ("caller", caller), ("vulnerable", vulnerable)):
            parts[key].append(value)
    cols = {k: np.concatenate(v) if v else np.array([], dtype=np.int64) for k, v in parts.items()}
    # A repeat caller has called before within the extract: every call but the caller's first.
    repeat = np.ones(len(cols["caller"]), dtype=bool)
    repeat[np.unique(cols["caller"], return_index=True)[1]] = False
    return pa.table({
        "year": pa.array(cols["year"], pa.int32()), "serial": pa.array(cols["serial"], pa.int64()),
        "reported": _minutes(cols["reported"].astype("datetime64[m]")),
        "district": _labels(districts, cols["district"]), "call_type": _labels(call_types, cols["call_type"]),
        "location": _labels([f"On or near {s}" for s in _STREETS], cols["location"]),
        "caller": pa.array(cols["caller"], pa.int64()), "vulnerable": pa.array(cols["vulnerable"], pa.bool_()),
        "repeat_caller": pa.array(repeat, pa.bool_()),
    })


def _crime_table(start: str, end: str, seed: int, taken: bool) -> pa.Table:
    """The synthetic recorded crimes as generated values (formatted by _CRIME_SELECT); see synthetic_crimes."""
    districts, district_p = _district_weights()
    vbc_groups, vbc_p = _weights(_VBC_GROUPS)
    other_groups, other_p = _weights(_NON_VBC_GROUPS)
    groups = [*vbc_groups, *other_groups]
    codes = [""]  # the outcome codes drawn from, '' (no outcome yet) first
    for table in (_UNSOLVED_OUTCOMES, _SOLVED_OUTCOMES, _NON_VBC_SOLVED_OUTCOMES):
        codes += [c for c in table if c not in codes]
    at = {c: i for i, c in enumerate(codes)}

    def drawn(table: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        names, p = _weights(table)
        return np.array([at[c] for c in names]), p

    solved_codes, solved_p = drawn(_SOLVED_OUTCOMES)
    other_solved_codes, other_solved_p = drawn(_NON_VBC_SOLVED_OUTCOMES)
    unsolved_codes, unsolved_p = drawn(_UNSOLVED_OUTCOMES)
    months = month_range(start, end)
    range_end = np.datetime64(months[-1], "M") + np.timedelta64(1, "M")
    last_minute = range_end.astype("datetime64[m]") - np.timedelta64(1, "m")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("year", "serial", "recorded", "district",
                                                           "offence_group", "outcome", "outcome_date")}
    for index, month in enumerate(months):
        rng = _rng(seed, month, 3)
        n_vbc, n_other, n_solved = crime_counts(month, seed)
        n = n_vbc + n_other
        # Crimes from the last months of the extract are more often still under investigation.
        open_share = 0.08 + 0.5 * max(0, index - len(months) + 4) / 4
        solved = np.zeros(n, dtype=bool)
        solved[:n_solved] = True
        solved[n_vbc:] = rng.random(n_other) < 0.3
        outcome = unsolved_codes[rng.choice(len(unsolved_codes), n, p=unsolved_p)]
        outcome[rng.random(n) < open_share] = 0
        outcome[:n_vbc][solved[:n_vbc]] = solved_codes[rng.choice(len(solved_codes), n_solved, p=solved_p)]
        outcome[n_vbc:][solved[n_vbc:]] = other_solved_codes[
            rng.choice(len(other_solved_codes), int(solved[n_vbc:].sum()), p=other_solved_p)]
        group = np.concatenate([rng.choice(len(vbc_groups), n_vbc, p=vbc_p),
                                len(vbc_groups) + rng.choice(len(other_groups), n_other, p=other_p)])
        order = rng.permutation(n)
        recorded = _times(rng, month, n, evening=False)
        outcome = outcome[order]
        delay = (rng.exponential(35 * 1440, n) + 60).astype("timedelta64[m]")
        outcome_date = recorded + delay
        if taken:
            outcome[outcome_date > last_minute] = 0
        outcome_date = np.minimum(outcome_date, last_minute)
        outcome_date[outcome == 0] = np.datetime64("NaT")
        year = int(month[:4])
        first = sum(sum(crime_counts(f"{year}-{m:02d}", seed)[:2]) for m in range(1, int(month[5:])))
        for key, value in (("year", np.full(n, year)), ("serial", np.arange(first + 1, first + n + 1)),
                           ("recorded", recorded), ("district", rng.choice(len(districts), n, p=district_p)),
                           ("offence_group", group[order]), ("outcome", outcome), ("outcome_date", outcome_date)):
            parts[key].append(value)
    cols = {k: np.concatenate(v) if v else np.array([], dtype=np.int64) for k, v in parts.items()}
    return pa.table({
        "year": pa.array(cols["year"], pa.int32()), "serial": pa.array(cols["serial"], pa.int64()),
        "recorded": _minutes(cols["recorded"].astype("datetime64[m]")),
        "district": _labels(districts, cols["district"]), "offence_group": _labels(groups, cols["offence_group"]),
        "outcome": _labels(codes, cols["outcome"]),
        "outcome_date": _minutes(cols["outcome_date"].astype("datetime64[m]")),
    })


def _formatted(table: pa.Table, select: str, when: str) -> pd.DataFrame:
    """The extract as a DataFrame of text columns (blanks as ''), with ``when`` (the date as datetime64)."""
    from analytics import store

    con = store.connect(":memory:")
    try:
        con.register("_synthetic", table)
        frame: pd.DataFrame = con.sql(select.format(blank="''", extra=f", CAST({when} AS TIMESTAMP_S) AS {when}")).df()
    finally:
        con.close()
    for column in frame.columns:
        if column != when:
            frame[column] = frame[column].astype(str)
    return frame


def _write_csv(tables: list[tuple[pa.Table, str, Path]]) -> None:
    """Each (values, select, path) as UTF-8 CSV, LF line ends, quotes only where needed, blanks as empty fields;
    formatted and written by DuckDB (the extracts are written on the dashboard's first start)."""
    from analytics import store

    con = store.connect(":memory:")
    try:
        for table, select, path in tables:
            con.register("_synthetic", table)
            target = str(path).replace("'", "''")
            con.execute(f"COPY ({select.format(blank='NULL', extra='')}) TO '{target}' (HEADER, DELIMITER ',')")
            con.unregister("_synthetic")
    finally:
        con.close()


def synthetic_asb(start: str = "2021-11", end: str = "2025-12", seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The synthetic ASB incident extract as a DataFrame with ASB_COLUMNS and a ``reported`` datetime column."""
    return _formatted(_asb_table(start, end, seed), _ASB_SELECT, "reported")


def synthetic_crimes(start: str = "2021-11", end: str = "2025-12", seed: int = DEFAULT_SEED,
                     taken: bool = False) -> pd.DataFrame:
    """The synthetic recorded-crime extract as a DataFrame with CRIME_COLUMNS and a ``recorded`` datetime column.

    Every crime's outcome comes some weeks after it is recorded. ``taken``: the extract is as the force would take
    it at the end of the range, so an outcome that would come later is not known yet (the crime has no outcome,
    and recent months' solved rates are lower, as in real extracts); otherwise every outcome is known, dated at
    the range's end at the latest (the force report's figures, which were counted once outcomes had come)."""
    return _formatted(_crime_table(start, end, seed, taken), _CRIME_SELECT, "recorded")


def write_synthetic_extracts(folder: Path, *, start: str = "2021-11", end: str = "2025-12",
                             seed: int = DEFAULT_SEED, taken: bool = False) -> dict[str, Path]:
    """Write the ASB and crime extracts as UTF-8 CSV into folder; returns {"asb": path, "crime": path}.
    ``taken``: the crime extract as taken at the range's end (see synthetic_crimes)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"asb": folder / ASB_FILE, "crime": folder / CRIME_FILE}
    _write_csv([(_asb_table(start, end, seed), _ASB_SELECT, paths["asb"]),
                (_crime_table(start, end, seed, taken), _CRIME_SELECT, paths["crime"])])
    return paths


def write_asb_xlsx(frame: pd.DataFrame, path: Path, *, title: str) -> Path:
    """Write ASB rows (synthetic_asb's frame) as a worksheet with a title row above the header, dates as dates."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("ASB incidents")
    sheet.append([title])
    sheet.append(ASB_COLUMNS)
    columns = [frame[c].tolist() for c in ASB_COLUMNS if c != "Date Reported"]
    reported = frame["reported"].dt.to_pydatetime().tolist() if len(frame) else []
    for ref, when, *rest in zip(columns[0], reported, *columns[1:], strict=True):
        sheet.append([ref, when, *rest])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_synthetic_xlsx(folder: Path, *, start: str = "2022-11", end: str = "2023-01",
                         seed: int = DEFAULT_SEED) -> Path:
    """Write the ASB extract for start..end as XLSX (a title row, then the header), as a force might send it."""
    frame = synthetic_asb(start, end, seed)
    title = f"SYNTHETIC DATA - Kent ASB incidents {start} to {end} (generated, not real incidents)"
    return write_asb_xlsx(frame, Path(folder) / ASB_XLSX_FILE, title=title)


# police.uk street-level files ------------------------------------------------------------------------------------

POLICE_UK_COLUMNS = list(detect.POLICE_UK_COLUMNS)  # a list: pandas reads a tuple as one column key
_POLICE_UK_TYPES = {
    "Anti-social behaviour": 16, "Violence and sexual offences": 34, "Criminal damage and arson": 8.5,
    "Shoplifting": 7.5, "Other theft": 6, "Vehicle crime": 5, "Public order": 4.5, "Burglary": 3.2,
    "Other crime": 2.8, "Drugs": 2.6, "Possession of weapons": 0.9, "Robbery": 0.6, "Bicycle theft": 0.5,
    "Theft from the person": 0.5,
}
_POLICE_UK_OUTCOMES = {
    "Unable to prosecute suspect": 37, "Investigation complete; no suspect identified": 31,
    "Under investigation": 19.5, "Awaiting court outcome": 5.5, "Action to be taken by another organisation": 2.7,
    "Local resolution": 2.2, "Offender given a caution": 0.8, "Court result unavailable": 0.5,
    "Further investigation is not in the public interest": 0.3, "Offender given penalty notice": 0.1,
}
DEMO_POLICE_UK = definitions.ROOT / "data" / "demo" / "police-uk"


@lru_cache(maxsize=1)
def _places() -> pd.DataFrame:
    """Real (longitude, latitude, location, LSOA) combinations from the bundled Kent demo files."""
    files = sorted(DEMO_POLICE_UK.glob("*.csv*"))
    if not files:
        raise FileNotFoundError(f"no police.uk demo files in {DEMO_POLICE_UK}")
    columns = ["Longitude", "Latitude", "Location", "LSOA code", "LSOA name"]
    frame = pd.concat([pd.read_csv(f, dtype=str, usecols=columns, keep_default_na=False) for f in files])
    return frame.drop_duplicates().reset_index(drop=True)


def police_uk_frame(rows: int, *, months: Iterable[str] = ("2023-01", "2023-12"), seed: int = DEFAULT_SEED,
                    force: str = "Kent Police") -> pd.DataFrame:
    """A police.uk street-level table of ``rows`` rows spread over the months first..last (sorted by month).

    About 16% are ASB rows (no Crime ID, no outcome); crimes have random 64-hex Crime IDs. Places are real Kent
    places from the demo files, so districts, outside-force-area and blank LSOAs occur as they do in real files.
    """
    first, last = tuple(months)
    span = month_range(first, last)
    rng = np.random.default_rng([seed, rows, 7])
    places = _places()
    types, types_p = _weights(_POLICE_UK_TYPES)
    outcomes, outcomes_p = _weights(_POLICE_UK_OUTCOMES)
    crime_type = rng.choice(types, rows, p=types_p)
    asb = crime_type == "Anti-social behaviour"
    ids = np.frombuffer(rng.bytes(32 * rows).hex().encode("ascii"), dtype="S64").astype(str).astype(object)
    ids[asb] = ""
    outcome = rng.choice(outcomes, rows, p=outcomes_p)
    outcome[asb] = ""
    month = np.sort(rng.integers(0, len(span), rows))
    frame = places.iloc[rng.integers(0, len(places), rows)].reset_index(drop=True)
    frame.insert(0, "Crime ID", ids)
    frame.insert(1, "Month", np.array(span, dtype=object)[month])
    frame.insert(2, "Reported by", force)
    frame.insert(3, "Falls within", force)
    frame["Crime type"] = crime_type
    frame["Last outcome category"] = outcome
    frame["Context"] = ""
    return frame[POLICE_UK_COLUMNS]


def write_police_uk_csv(path: Path, rows: int, *, months: Iterable[str] = ("2023-01", "2023-12"),
                        seed: int = DEFAULT_SEED) -> Path:
    """Write police_uk_frame(rows, ...) as a police.uk CSV (LF line ends, quotes only where needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    police_uk_frame(rows, months=months, seed=seed).to_csv(path, index=False, lineterminator="\n")
    return path



# Measures (analytics.measures) -----------------------------------------------------------------------------------

MEASURES_FILE = "SYNTHETIC-kent-measures.csv"
MEASURES_TITLE = "SYNTHETIC DATA - Kent engagement and satisfaction measures (generated, not real figures)"
MEASURES_RANGE = ("2024-01", "2025-12")
# January 2025's first three weeks of MCV sign-ups take the shape the force report describes (70, 256, 550), then
# fall back over two weeks.
REPORT_SIGNUPS = {"2025-W01": 70, "2025-W02": 256, "2025-W03": 550, "2025-W04": 330, "2025-W05": 190}
MEMBERS_START = 5600  # force-wide MCV members before the first week
WEEKLY_LEAVERS = 0.002  # share of members leaving each week


def synthetic_measures(start: str = MEASURES_RANGE[0], end: str = MEASURES_RANGE[1],
                       seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Measures rows (measure, period, district, value, surveyed) for the months start..end, all SYNTHETIC:
    MCV sign-ups and members by district for every ISO week counted in those months (a week counts in its
    Thursday's month), MCV alerts and ASB victim satisfaction force-wide by month, and a quarterly England and
    Wales comparison figure. Districts share sign-ups by their households (households.csv)."""
    from analytics.measures.periods import weeks_of_month

    rng = np.random.default_rng([seed, 15])
    homes = {h.name: h.households for h in definitions.households()}
    names = sorted(homes)
    share = np.array([homes[n] for n in names], dtype=float)
    share /= share.sum()
    members = np.round(MEMBERS_START * share)
    rows: list[tuple[str, str, str, object, object]] = []
    for month in month_range(start, end):
        for week in weeks_of_month(month):
            total = REPORT_SIGNUPS.get(week.code) or int(rng.poisson(60 + 25 * _summer(week.start.month)))
            signups = rng.multinomial(total, share)
            members = members + signups - rng.binomial(members.astype(np.int64), WEEKLY_LEAVERS)
            for name, n, level in zip(names, signups, members, strict=True):
                rows.append(("mcv_signups", week.code, name, int(n), ""))
                rows.append(("mcv_members", week.code, name, int(level), ""))
        mon = int(month[5:])
        rows.append(("mcv_alerts", month, "", int(rng.poisson(40 + 15 * _summer(mon))), ""))
        surveyed = int(rng.integers(140, 220))
        rate = 0.74 + (0.04 if month >= "2025-01" else 0.0)
        rows.append(("asb_victim_satisfaction", month, "", int(rng.binomial(surveyed, rate)), surveyed))
        if mon % 3 == 0:
            rows.append(("asb_victim_satisfaction_ew", month, "", round(float(76 + rng.normal(0, 0.8)), 1), ""))
    return pd.DataFrame(rows, columns=["measure", "period", "district", "value", "surveyed"])


def write_synthetic_measures(folder: Path, *, start: str = MEASURES_RANGE[0], end: str = MEASURES_RANGE[1],
                             seed: int = DEFAULT_SEED) -> Path:
    """Write the synthetic measures as a CSV with a SYNTHETIC title row above the header."""
    path = Path(folder) / MEASURES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(MEASURES_TITLE + "\n")
        synthetic_measures(start, end, seed).to_csv(f, index=False, lineterminator="\n")
    return path
