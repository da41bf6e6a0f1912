"""Repeat callers, the caller lookup at first contact, and repeat locations.

**Repeat caller** as at a date D: a caller reference (compared ignoring case and spaces, see
analytics/domain/callers.py) with at least N live incidents of one source reported in the M months up to D (the
window of analytics/casework/windows.py; N = 3, M = 6 by default). Only incidents with a reported date and a
caller reference count; sources are never added together. For each repeat caller: the incidents in the window,
the first and last, the district of the latest (and every district), the call types, **vulnerable** (True when any
incident in the window is flagged vulnerable, False when some are flagged and none vulnerable, None when none is
flagged either way), and whether the caller also meets the **ASB Case Review threshold** (by default three
incidents in six months: the ceiling of the Anti-social Behaviour, Crime and Policing Act 2014, s.104; a local
procedure may set fewer), counted over its own window.

**Became a repeat caller this month**: a repeat caller as at D who was not one as at the last day of the month
before D's month. **Share of incidents from repeat callers** in a month: of the month's incidents that carry a
caller reference (up to D in D's month), those made by callers who are repeat callers as at the month's end.

**Repeat location**: a place with at least K live incidents in the M calendar months ending with a month, for any
source. A place is a location (its text, LSOA and district: two "High Street"s in different districts are two
places) or an LSOA. police.uk locations are snapped to anonymous map points that each stand for many addresses,
so there a "location" is the area around a point, not an address.

Caller references are personal data: the pack-ready counts here hold none, and :func:`pseudonymise` replaces
them with stable pseudonyms (a keyed hash with a secret kept in the database) for an internal summary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics import store
from analytics.casework.windows import Window, parse_day, previous_month_end, window
from analytics.domain.callers import caller_key
from analytics.domain.rounding import rate
from analytics.errors import InputRefused, NotFound

Con = duckdb.DuckDBPyConnection

REPEAT_CALLER_COLUMNS = ["caller_ref", "incidents", "first", "last", "district", "districts", "call_types",
                         "vulnerable", "case_review", "case_review_incidents", "new_this_month"]
TREND_COLUMNS = ["month", "as_at", "repeat_callers", "new_repeat_callers", "vulnerable_repeat_callers",
                 "incidents", "incidents_from_repeat_callers", "share_pct"]
PLACE_KEYS = {
    # by -> (grouping columns, filter, order for ties)
    "location": ("district, lsoa_code, location", "location IS NOT NULL", "district, location, lsoa_code"),
    "lsoa": ("district, lsoa_code", "lsoa_code IS NOT NULL", "district, lsoa_code"),
}
LOCATION_LIMIT = 500


@dataclass(frozen=True)
class Threshold:
    """At least `min_incidents` incidents in the `months` months up to a date."""

    min_incidents: int = 3
    months: int = 6

    def __post_init__(self) -> None:
        if self.min_incidents < 1:
            raise InputRefused("Bad threshold", f"At least one incident is needed, not {self.min_incidents}.")
        if not 1 <= self.months <= 120:
            raise InputRefused("Bad threshold", f"The window is 1 to 120 months, not {self.months}.")

    @property
    def words(self) -> str:
        months = "month" if self.months == 1 else f"{self.months} months"
        return f"{self.min_incidents} or more incidents in {months}"


REPEAT = Threshold(3, 6)
CASE_REVIEW = Threshold(3, 6)


# ------------------------------------------------------------------------------------------------ sources


@dataclass(frozen=True)
class CallerSource:
    name: str
    first: date
    latest: date
    incidents: int  # live incidents with a caller reference and a reported date


def caller_sources(con: Con) -> list[CallerSource]:
    """Sources whose live ASB incidents carry caller references, by name."""
    return [CallerSource(*row) for row in con.execute(store.sql("casework/caller_sources")).fetchall()]


def caller_source(con: Con, source: str | None) -> CallerSource:
    """The source asked for, or the only one with caller references; a clear refusal otherwise."""
    found = caller_sources(con)
    names = [s.name for s in found]
    if not found:
        raise NotFound("No caller references", "No loaded ASB extract has caller references. Load a force ASB "
                       "extract with a caller reference column (e.g. 'Caller Ref') first.")
    if source is None:
        if len(found) > 1:
            raise InputRefused("Which source?", f"More than one source has caller references ({', '.join(names)}): "
                               "name one with --source.")
        return found[0]
    for s in found:
        if s.name == source:
            return s
    raise NotFound("No caller references in that source",
                   f"Source '{source}' has no live ASB incidents with caller references; sources that do: "
                   f"{', '.join(names)}.")


# ------------------------------------------------------------------------------------------------ repeat callers


def _ts(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def repeat_callers(con: Con, *, source: str, as_of: date | str, threshold: Threshold = REPEAT,
                   case_review: Threshold = CASE_REVIEW) -> pd.DataFrame:
    """Every repeat caller of `source` as at `as_of` (see the module), most incidents first.

    Columns: caller_ref (the caller key: the reference in upper case without spaces), incidents (in the window
    only), first, last (dates), district (of the latest incident), districts and call_types ('; '-joined),
    vulnerable (True/False/None), case_review (meets the case review threshold), case_review_incidents,
    new_this_month (became a repeat caller in as_of's month).
    """
    day = parse_day(as_of)
    win = window(day, threshold.months)
    cr = window(day, case_review.months)
    prev = window(previous_month_end(day), threshold.months)
    params = {
        "source": source, "min_incidents": threshold.min_incidents,
        "start": _ts(win.start), "after_end": _ts(win.after_end), "cr_start": _ts(cr.start),
        "prev_start": _ts(prev.start), "prev_after_end": _ts(prev.after_end),
        "span_start": _ts(min(win.start, cr.start, prev.start)),
    }
    rows = con.execute(store.sql("casework/repeat_callers"), params).fetchall()
    out = pd.DataFrame(rows, columns=["caller_ref", "incidents", "first", "last", "district", "districts",
                                      "call_types", "vulnerable", "case_review_incidents", "incidents_before"])
    out["case_review"] = (out["case_review_incidents"] >= case_review.min_incidents).astype(bool)
    out["new_this_month"] = (out["incidents_before"] < threshold.min_incidents).astype(bool)
    out["vulnerable"] = out["vulnerable"].astype("boolean")
    for col in ("incidents", "case_review_incidents"):
        out[col] = out[col].astype("int64")
    return out[REPEAT_CALLER_COLUMNS]


def as_records(callers: pd.DataFrame) -> list[dict[str, Any]]:
    """Repeat callers (from :func:`repeat_callers`) as the command line's JSON objects: caller_ref, incidents,
    first, last ('YYYY-MM-DD'), district, vulnerable (true, false or null)."""
    out: list[dict[str, Any]] = []
    for r in callers.to_dict("records"):
        flag = r["vulnerable"]
        out.append({"caller_ref": str(r["caller_ref"]), "incidents": int(r["incidents"]),
                    "first": r["first"].isoformat(), "last": r["last"].isoformat(), "district": str(r["district"]),
                    "vulnerable": None if flag is None or flag is pd.NA else bool(flag)})
    return out


def trend_points(as_of: date, months_shown: int) -> list[date]:
    """The month ends of the `months_shown` months ending with as_of's month; the last point is as_of itself."""
    points = [as_of]
    while len(points) < months_shown:
        points.insert(0, previous_month_end(points[0]))
    return points


def repeat_trend(con: Con, *, source: str, as_of: date | str, months_shown: int = 13,
                 threshold: Threshold = REPEAT) -> pd.DataFrame:
    """Repeat callers each month: one row per month of the `months_shown` months ending with as_of's month, the
    figures as at the month's end (as at as_of for its own month). Counts only, no caller references.

    Columns: month ('YYYY-MM'), as_at (date), repeat_callers, new_repeat_callers, vulnerable_repeat_callers,
    incidents (the month's incidents with a caller reference, up to as_at), incidents_from_repeat_callers,
    share_pct (of incidents, one decimal place; NaN when the month has none).
    """
    if not 1 <= months_shown <= 120:
        raise InputRefused("Bad trend", f"Show 1 to 120 months, not {months_shown}.")
    day = parse_day(as_of)
    points = [previous_month_end(trend_points(day, months_shown)[0]), *trend_points(day, months_shown)]
    windows = [window(p, threshold.months) for p in points]
    params = {
        "source": source,
        "as_at": points, "starts": [_ts(w.start) for w in windows], "after_ends": [_ts(w.after_end) for w in windows],
        "month_starts": [_ts(date(p.year, p.month, 1)) for p in points],
        "previous": [points[0], *points[:-1]],
        "span_start": _ts(windows[0].start), "span_after_end": _ts(windows[-1].after_end),
    }
    sql = store.sql("casework/repeat_trend").format(min_incidents=int(threshold.min_incidents))
    rows = con.execute(sql, params).fetchall()[1:]  # the first point is only "before"
    out = pd.DataFrame(rows, columns=["as_at", "repeat_callers", "new_repeat_callers", "vulnerable_repeat_callers",
                                      "incidents", "incidents_from_repeat_callers"])
    out.insert(0, "month", [f"{d.year:04d}-{d.month:02d}" for d in out["as_at"]])
    for col in TREND_COLUMNS[2:-1]:
        out[col] = out[col].astype("int64")
    out["share_pct"] = [rate(int(r), int(n)) for r, n in zip(out["incidents_from_repeat_callers"], out["incidents"],
                                                               strict=True)]
    return out[TREND_COLUMNS]


def repeat_caller_counts(con: Con, *, source: str, as_of: date | str, months_shown: int = 12,
                         threshold: Threshold = REPEAT) -> pd.DataFrame:
    """For a pack: repeat callers each month as counts only (never a caller reference), as :func:`repeat_trend`.

    A public pack must still suppress small numbers (analytics/report/suppression.py) before it prints these.
    """
    return repeat_trend(con, source=source, as_of=as_of, months_shown=months_shown, threshold=threshold)


# ------------------------------------------------------------------------------------------------ lookup


@dataclass(frozen=True)
class CallerLookup:
    """What first contact needs to know about one caller, as at a date."""

    key: str  # the reference as compared: upper case, no spaces
    source: str
    as_of: date
    window: Window
    threshold: Threshold
    case_review: Threshold
    incidents: pd.DataFrame  # in the window, newest first: reported, incident_ref, district, call_type, location,
    #                          caller_ref (as written), vulnerable
    earlier: int  # live incidents of this caller before the window
    first_ever: date | None
    in_case_review_window: int
    vulnerable: bool | None  # over the window, as for repeat callers
    vulnerable_before: bool  # flagged vulnerable on an incident before the window

    @property
    def count(self) -> int:
        return len(self.incidents)

    @property
    def repeat(self) -> bool:
        return self.count >= self.threshold.min_incidents

    @property
    def meets_case_review(self) -> bool:
        return self.in_case_review_window >= self.case_review.min_incidents


LOOKUP_COLUMNS = ["reported", "incident_ref", "district", "call_type", "location", "caller_ref", "vulnerable"]


def caller_lookup(con: Con, *, source: str, ref: str, as_of: date | str, threshold: Threshold = REPEAT,
                  case_review: Threshold = CASE_REVIEW) -> CallerLookup:
    """One caller's incidents in the window up to `as_of`, the thresholds met and the vulnerable flag.

    One indexed query fetches every live incident of the caller key; the windows are applied here. Incidents
    after as_of are left out.
    """
    key = caller_key(ref)
    if key is None:
        raise InputRefused("No caller reference", "Type a caller reference to look up.")
    day = parse_day(as_of)
    win, cr = window(day, threshold.months), window(day, case_review.months)
    rows = con.execute(store.sql("casework/caller_incidents"), {"key": key, "source": source}).fetchall()
    frame = pd.DataFrame(rows, columns=LOOKUP_COLUMNS)
    days = [parse_day(t) for t in frame["reported"]]
    in_window = np.array([d in win for d in days], dtype=bool)
    before = np.array([d < win.start for d in days], dtype=bool)
    shown = frame.loc[in_window].reset_index(drop=True)
    shown["vulnerable"] = shown["vulnerable"].astype("boolean")
    earlier = frame.loc[before]
    flags = shown["vulnerable"].dropna()
    return CallerLookup(
        key=key, source=source, as_of=day, window=win, threshold=threshold, case_review=case_review,
        incidents=shown, earlier=int(sum(before)), first_ever=min((d for d in days if d <= day), default=None),
        in_case_review_window=sum(d in cr for d in days),
        vulnerable=None if flags.empty else bool(flags.any()),
        vulnerable_before=bool(earlier["vulnerable"].fillna(False).astype(bool).any()),
    )


@dataclass(frozen=True)
class LocationLookup:
    text: str
    source: str
    window: Window
    incidents: pd.DataFrame  # newest first: reported, incident_ref, district, call_type, location, caller_key,
    #                          vulnerable
    places: pd.DataFrame  # every matching place: location, district, incidents, callers
    truncated: bool  # more than LOCATION_LIMIT incidents matched: only the newest are listed

    @property
    def total(self) -> int:
        return int(self.places["incidents"].sum())


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def location_lookup(con: Con, *, source: str, text: str, as_of: date | str, months: int = 6) -> LocationLookup:
    """Incidents in the window up to `as_of` whose location contains `text` (case ignored), newest first."""
    wanted = " ".join(text.split())
    if len(wanted) < 3:
        raise InputRefused("Location too short", "Type at least three characters of the location.")
    win = window(parse_day(as_of), months)
    params: dict[str, object] = {"source": source, "start": _ts(win.start), "after_end": _ts(win.after_end),
                                 "pattern": _like_pattern(wanted)}
    rows = con.execute(store.sql("casework/location_incidents"), {**params, "limit": LOCATION_LIMIT + 1}).fetchall()
    frame = pd.DataFrame(rows[:LOCATION_LIMIT], columns=["reported", "incident_ref", "district", "call_type",
                                                          "location", "caller_key", "vulnerable"])
    places = pd.DataFrame(con.execute(store.sql("casework/location_places"), params).fetchall(),
                          columns=["location", "district", "incidents", "callers"])
    return LocationLookup(wanted, source, win, frame, places, len(rows) > LOCATION_LIMIT)


# ------------------------------------------------------------------------------------------------ locations


def _month_start(month: str) -> date:
    try:
        year, number = (int(x) for x in month.split("-"))
        return date(year, number, 1)
    except ValueError as e:
        raise InputRefused("Bad month", f"'{month}' is not a month: write it as YYYY-MM.") from e


def repeat_locations(con: Con, *, source: str, end_month: str, months: int = 6, min_incidents: int = 3,
                     by: str = "location") -> pd.DataFrame:
    """Places with at least `min_incidents` live ASB incidents in the `months` calendar months ending with
    `end_month`, most incidents first (see the module). Whole months, so police.uk data (months only) counts the
    same way as a force extract.

    Columns: rank, district, lsoa_code, location (None when by='lsoa'), incidents, months_with_incidents,
    first_month, last_month ('YYYY-MM'), callers (distinct caller references, 0 where there are none).
    """
    if by not in PLACE_KEYS:
        raise InputRefused("Bad grouping", f"Group places by one of {', '.join(PLACE_KEYS)}, not '{by}'.")
    if min_incidents < 1 or not 1 <= months <= 120:
        raise InputRefused("Bad threshold", "Use at least one incident and 1 to 120 months.")
    key, place_filter, order = PLACE_KEYS[by]
    last = first = _month_start(end_month)
    for _ in range(months - 1):
        first = previous_month_end(first).replace(day=1)
    sql = store.sql("casework/repeat_locations").format(key=key, place_filter=place_filter, order=order)
    rows = con.execute(sql, {"source": source, "first": first, "last": last, "min_incidents": min_incidents})
    columns = [c.strip() for c in key.split(",")]
    out = pd.DataFrame(rows.fetchall(), columns=[*columns, "incidents", "months_with_incidents", "first_month",
                                                 "last_month", "callers"])
    if "location" not in out:
        out["location"] = None
    for col in ("first_month", "last_month"):
        out[col] = [f"{d.year:04d}-{d.month:02d}" for d in out[col]]
    out.insert(0, "rank", range(1, len(out) + 1))
    return out[["rank", "district", "lsoa_code", "location", "incidents", "months_with_incidents", "first_month",
                "last_month", "callers"]]


# ------------------------------------------------------------------------------------------------ pseudonyms


def pseudonym_salt(con: Con) -> str:
    rows = con.execute(store.sql("casework/pseudonym_salt")).fetchall()
    if not rows:
        raise NotFound("No pseudonym key", "The database has no pseudonym key; open it read-write once so its "
                       "schema is brought up to date.")
    return str(rows[0][0])


def pseudonyms(con: Con, keys: Sequence[str | None]) -> list[str | None]:
    """A stable pseudonym for each caller key ('P-' and ten hex digits), the same for the same key in this
    database and unguessable without its secret; None stays None."""
    salt = pseudonym_salt(con)

    def one(key: str | None) -> str | None:
        if key is None:
            return None
        return "P-" + hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:10].upper()

    return [one(caller_key(k)) for k in keys]


def pseudonymise(con: Con, frame: pd.DataFrame, column: str = "caller_ref") -> pd.DataFrame:
    """A copy of `frame` with its caller reference column replaced by pseudonyms and renamed 'caller'."""
    out = frame.copy()
    out[column] = pseudonyms(con, [None if pd.isna(v) else str(v) for v in out[column]])
    return out.rename(columns={column: "caller"})
