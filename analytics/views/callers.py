"""The Caller lookup and Repeat callers pages (analysts only: they show caller references)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.casework import repeat, reviews
from analytics.casework.windows import window
from analytics.figures.common import Con
from analytics.report import casework as words
from analytics.report import formatting as fmt
from analytics.report.export import csv_bytes, csv_file_name
from analytics.views.common import Chart, Download, Stat, Table, chart, one_source

BY_REFERENCE, BY_LOCATION = "reference", "location"


@dataclass(frozen=True)
class CallerOptions:
    """What the pages can offer: the sources with caller references and the dates their incidents cover."""

    sources: list[str]
    first: dict[str, date]
    latest: dict[str, date]
    case_review: repeat.Threshold


def options(con: Con) -> CallerOptions:
    found = repeat.caller_sources(con)
    return CallerOptions([s.name for s in found], {s.name: s.first for s in found},
                         {s.name: s.latest for s in found}, reviews.settings(con).case_review)


def _short_data(con: Con, source: str, start: date) -> str | None:
    """A warning when the source's incidents begin inside the window, so counts there may be short."""
    first = options(con).first.get(source)
    if first is None or first <= start:
        return None
    return (f"The {source} incidents loaded begin on {words.long_day(first)}, inside the window: calls before then "
            "are not known here, so the counts may be short.")


# ------------------------------------------------------------------------------------------------ lookup


@dataclass(frozen=True)
class LookupView:
    heading: str
    sentence: str
    stats: list[Stat]
    alert: str | None  # the vulnerable flag, shown as a warning
    short: str | None  # the extracts begin inside the window
    incidents: pd.DataFrame  # as shown, newest first
    note: str  # earlier incidents, or how many were listed
    applications: pd.DataFrame | None  # ASB Case Review applications of this caller
    places: pd.DataFrame | None  # location search: the matching places


INCIDENT_LABELS = {"reported": "Reported", "incident_ref": "Incident", "district": "District",
                   "call_type": "Call type", "location": "Location", "caller_ref": "Caller reference as written",
                   "vulnerable": "Vulnerable"}


def _incidents_shown(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(frame)))
    for col in columns:
        values = frame[col].tolist()
        if col == "reported":
            values = [t.strftime("%d %b %Y %H:%M") for t in values]
        elif col == "vulnerable":
            values = [words.yes_no(v, "") for v in values]
        out[INCIDENT_LABELS.get(col, col)] = pd.Series(values, dtype=object)
    return out


@one_source
def lookup(con: Con, source: str, by: str, text: str, as_of: date) -> LookupView:
    """A caller reference (or part of a location) looked up as at a date: the incidents in the last six months,
    whether the repeat and case review thresholds are met, and the vulnerable flag."""
    rules = reviews.settings(con)
    if by == BY_LOCATION:
        return _location_lookup(con, source, text, as_of)
    found = repeat.caller_lookup(con, source=source, ref=text, as_of=as_of, case_review=rules.case_review)
    sentence = words.lookup_sentence(
        key=found.key, count=found.count, window_label=found.window.label, repeat=found.repeat,
        repeat_words=found.threshold.words, case_review=found.meets_case_review,
        case_review_count=found.in_case_review_window, case_review_words=found.case_review.words,
        vulnerable=found.vulnerable, vulnerable_before=found.vulnerable_before)
    stats = [
        Stat("Incidents in 6 months", f"{found.count:,}", f"Live incidents of {source} from {found.window.label}."),
        Stat("Repeat caller", "Yes" if found.repeat else "No", found.threshold.words),
        Stat("Case review threshold", "Met" if found.meets_case_review else "Not met",
             f"{found.case_review.words}: {found.in_case_review_window:,}"),
        Stat("Vulnerable", words.yes_no(found.vulnerable), "Any call in the window flagged vulnerable."),
    ]
    alert = None
    if found.vulnerable:
        alert = "Flagged vulnerable on a call in the last six months: follow the vulnerability procedure."
    elif found.vulnerable_before:
        alert = "Flagged vulnerable on an earlier call (before this window)."
    if found.count == 0 and found.earlier == 0:
        note = f"No incidents of {source} carry this caller reference up to {words.long_day(as_of)}."
    else:
        note = (f"{words.plural(found.earlier, 'earlier incident')} before this window" +
                (f"; the first loaded is {words.long_day(found.first_ever)}." if found.first_ever else "."))
    apps = reviews.records(con, caller_ref=found.key)
    applications = None
    if apps:
        applications = pd.DataFrame({
            "Application": [a["id"] for a in apps], "Received": [words.day(a["received"]) for a in apps],
            "Status": [a["status"] for a in apps],
            "Response due": [words.day(a["response_due"]) for a in apps],
        })
    return LookupView(found.key, sentence, stats, alert, _short_data(con, source, found.window.start),
                      _incidents_shown(found.incidents, list(INCIDENT_LABELS)), note, applications, None)


def _location_lookup(con: Con, source: str, text: str, as_of: date) -> LookupView:
    found = repeat.location_lookup(con, source=source, text=text, as_of=as_of)
    n, places = found.total, len(found.places)
    sentence = (f"Locations containing \u201c{found.text}\u201d: {words.plural(n, 'incident')} at "
                f"{words.plural(places, 'place')} from {found.window.label}."
                + (f" The newest {repeat.LOCATION_LIMIT:,} are listed." if found.truncated else ""))
    incidents = found.incidents.rename(columns={"caller_key": "caller_ref"})
    shown_places = pd.DataFrame({
        "Location": found.places["location"], "District": found.places["district"],
        "Incidents": found.places["incidents"].astype("int64"), "Callers": found.places["callers"].astype("int64"),
    })
    top = found.places.iloc[0] if places else None
    stats = [
        Stat("Incidents in 6 months", f"{n:,}", f"From {found.window.label}."),
        Stat("Places", f"{places:,}", "Distinct locations (with their district) matching the text."),
        Stat("Most incidents at one place", f"{int(top['incidents']):,}" if top is not None else "0",
             str(top["location"]) if top is not None else "No match."),
    ]
    return LookupView(f"Location: {found.text}", sentence, stats, None, _short_data(con, source, found.window.start),
                      _incidents_shown(incidents, list(INCIDENT_LABELS)),
                      "Caller references are shown as compared: upper case without spaces.", None, shown_places)


# ------------------------------------------------------------------------------------------------ repeat callers


@dataclass(frozen=True)
class RepeatView:
    heading: str
    sentence: str
    short: str | None  # the extracts begin inside the window
    stats: list[Stat]
    trend: Chart
    callers: pd.DataFrame  # as shown (with caller references)
    downloads: list[Download]  # with references; pseudonymised for sharing


CALLER_LABELS = {"caller_ref": "Caller reference", "incidents": "Incidents", "first": "First", "last": "Last",
                 "district": "District (latest)", "districts": "Districts", "call_types": "Call types",
                 "vulnerable": "Vulnerable", "case_review": "Case review threshold",
                 "new_this_month": "New this month"}
TREND_LABELS = {"month": "Month", "repeat_callers": "Repeat callers", "new_repeat_callers": "New that month",
                "vulnerable_repeat_callers": "Vulnerable", "incidents": "Incidents with a caller reference",
                "incidents_from_repeat_callers": "From repeat callers", "share_pct": "Share %"}


def _callers_table(found: pd.DataFrame, *, formatted: bool) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(found)))
    for col, label in CALLER_LABELS.items():
        values = found[col].tolist()
        if formatted and col in ("first", "last"):
            values = [words.day(v) for v in values]
        elif col == "vulnerable":
            values = [words.yes_no(v) for v in values]
        elif col in ("case_review", "new_this_month"):
            values = ["Yes" if v else "No" for v in values] if formatted else [bool(v) for v in values]
        out[label] = values
    return out


@one_source
def build(con: Con, source: str, as_of: date, min_incidents: int, months: int,
          trend_months: int = 13) -> RepeatView:
    threshold = repeat.Threshold(min_incidents, months)
    case_review = reviews.settings(con).case_review
    found = repeat.repeat_callers(con, source=source, as_of=as_of, threshold=threshold, case_review=case_review)
    trend = repeat.repeat_trend(con, source=source, as_of=as_of, months_shown=trend_months, threshold=threshold)
    win = window(as_of, months)
    n = len(found)
    new, vulnerable = int(found["new_this_month"].sum()), int(found["vulnerable"].fillna(False).astype(bool).sum())
    meets = int(found["case_review"].sum())
    this_month = trend.iloc[-1]
    share = fmt.fmt_pct(this_month["share_pct"], signed=False)
    stats = [
        Stat("Repeat callers", f"{n:,}", f"Callers with {threshold.words} up to {words.long_day(as_of)}."),
        Stat("New this month", f"{new:,}", "Repeat callers now who were not at the end of last month."),
        Stat("Vulnerable", f"{vulnerable:,}", "Repeat callers flagged vulnerable on a call in the window."),
        Stat("Meet case review", f"{meets:,}", f"Repeat callers meeting the ASB Case Review threshold: "
             f"{case_review.words}."),
        Stat("Share of calls", share,
             f"Of {int(this_month['incidents']):,} incidents with a caller reference in "
             f"{fmt.month_label(str(this_month['month']))}, those from repeat callers."),
    ]
    trend_table = Table(fmt.display_table(trend, list(TREND_LABELS), labels=TREND_LABELS),
                        fmt.display_table(trend, list(TREND_LABELS), labels=TREND_LABELS, formatted=False),
                        csv_file_name("repeat-callers-by-month", None, source, str(trend["month"].iloc[0]),
                                      str(trend["month"].iloc[-1])).removesuffix(".csv"))
    trend_chart = chart(words.trend_chart(trend), words.trend_sentence(trend), trend_table)
    start_month, end_month = f"{win.start:%Y-%m}", f"{as_of:%Y-%m}"
    raw = _callers_table(found, formatted=False)
    pseudo = _callers_table(repeat.pseudonymise(con, found).rename(columns={"caller": "caller_ref"}),
                            formatted=False).rename(columns={"Caller reference": "Caller (pseudonym)"})
    downloads = [
        Download("Download with caller references (CSV)", csv_bytes(raw),
                 csv_file_name(f"repeat-callers-as-at-{as_of.isoformat()}", None, source, start_month, end_month)),
        Download("Download pseudonymised, to share (CSV)", csv_bytes(pseudo),
                 csv_file_name(f"repeat-callers-pseudonymised-as-at-{as_of.isoformat()}", None, source, start_month,
                               end_month)),
    ]
    sentence = words.repeat_sentence(n, new, vulnerable, meets, as_of=as_of, threshold_words=threshold.words,
                                     start=win.start, case_review_words=case_review.words)
    return RepeatView(f"Repeat callers as at {words.long_day(as_of)}", sentence, _short_data(con, source, win.start),
                      stats, trend_chart,
                      _callers_table(found, formatted=True), downloads)

