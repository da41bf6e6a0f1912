"""The Repeat locations page: places with at least K incidents in M months, for any source, ranked."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.casework import repeat
from analytics.domain import definitions
from analytics.domain.periods import month_range, month_runs, range_label, shift_month
from analytics.figures import coverage
from analytics.figures.common import Con
from analytics.report import casework as words
from analytics.report import formatting as fmt
from analytics.report.export import csv_bytes, csv_file_name
from analytics.views.common import Download, one_source

BY = {"location": "Location", "lsoa": "LSOA"}
SHOWN_LIMIT = 200


@dataclass(frozen=True)
class LocationOptions:
    sources: list[str]
    months: dict[str, list[str]]  # source -> months with ASB rows, newest first
    labels: dict[str, str]  # month -> 'December 2025'


def options(con: Con) -> LocationOptions:
    cov = coverage.coverage(con)
    asb = cov[cov["kind"] == "asb"]
    sources = definitions.sorted_sources(asb["source"].unique())
    months = {s: sorted(asb.loc[asb["source"] == s, "month"].unique(), reverse=True) for s in sources}
    return LocationOptions(sources, months, {m: fmt.month_label(m) for ms in months.values() for m in ms})


@dataclass(frozen=True)
class LocationsView:
    heading: str
    sentence: str
    caveat: str | None  # police.uk's snapped map points
    gaps: str | None  # months of the window this source has no data for
    table: pd.DataFrame  # the first SHOWN_LIMIT places, as shown
    download: Download | None  # every place


LABELS = {"rank": "Rank", "district": "District", "lsoa_code": "LSOA", "location": "Location",
          "incidents": "Incidents", "months_with_incidents": "Months with incidents", "first_month": "First month",
          "last_month": "Last month", "callers": "Callers"}


@one_source
def build(con: Con, source: str, end_month: str, months: int, min_incidents: int, by: str) -> LocationsView:
    found = repeat.repeat_locations(con, source=source, end_month=end_month, months=months,
                                    min_incidents=min_incidents, by=by)
    first = shift_month(end_month, 1 - months)
    columns = [c for c in LABELS if not (by == "lsoa" and c == "location")]
    if source == definitions.POLICE_UK_SOURCE or not int(found["callers"].sum()):
        columns.remove("callers")  # police.uk has no callers
    if found["lsoa_code"].isna().all():
        columns.remove("lsoa_code")  # an extract without LSOAs
    raw = found[columns].rename(columns=LABELS)
    shown = raw.head(SHOWN_LIMIT).copy()
    for col in ("First month", "Last month"):
        shown[col] = [fmt.month_short(m) for m in shown[col]]
    place = "location" if by == "location" else "LSOA"
    span = range_label(first, end_month)
    n = len(found)
    if n:
        top = found.iloc[0]
        where = top["location"] if by == "location" else top["lsoa_code"]
        sentence = (f"{words.plural(n, place)} with {min_incidents} or more incidents in {span}; the most is "
                    f"{int(top['incidents']):,} at {where} ({top['district']}).")
    else:
        sentence = f"No {place} has {min_incidents} or more incidents in {span}."
    if n > SHOWN_LIMIT:
        sentence += f" The first {SHOWN_LIMIT:,} are shown; the download has all {n:,}."
    download = Download("Download every place (CSV)", csv_bytes(raw),
                        csv_file_name(f"repeat-{by}s-{min_incidents}-or-more", None, source, first, end_month))
    caveat = words.POLICE_UK_CAVEAT if source == definitions.POLICE_UK_SOURCE else None
    loaded = set(options(con).months.get(source, []))
    missing = [m for m in month_range(first, end_month) if m not in loaded]
    gaps = None
    if missing:
        gaps = (f"{source} has no ASB data loaded for {month_runs(missing)}: those months count nothing, so a "
                f"place can fall short of {min_incidents} for want of data.")
    return LocationsView(f"Repeat {place}s, {span}", sentence, caveat, gaps, shown, download if n else None)
