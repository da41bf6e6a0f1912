"""The ASB Case Review register: applications, their response due dates, the audit trail, yearly statistics.

An application records when it was received, who applied (the victim, or someone on their behalf with the
victim's consent), the district, the caller reference when one is known (personal data: analysts only), the
incidents in the six months before (looked up in the loaded extracts when a caller reference is given, and the
number the decision counts), whether the threshold was met and why, the panel date, the agencies, the
recommendations, the date the partnership wrote with its findings, and whether a secondary review was requested.

**Response due**: the N-th working day after the starting event (analytics/casework/windows.py): by default
25 working days counted from the day after receipt; the register's settings change the number and the event
(receipt or the panel). Each application keeps the rule it was received under, so a change of settings never
moves a due date already given; an update can change one application's rule. With the panel as the event and no
panel date yet, nothing is due yet.

**Flags** relative to `today` (injectable): *overdue* — no response, not withdrawn, today after the due date;
*due this week* — no response, not withdrawn, due from today to the Sunday of this week; *late* — the response
was sent after the due date.

**Nothing is deleted.** An application entered in error, a duplicate, or one the applicant withdraws is
withdrawn (a date and a reason) and stays in the register. Every change to a field — including each field set
when the application is added, and every change of the register's settings — is a row of the audit trail with
who made it and when.

**Yearly statistics** (the published form), by the UK financial year (April to March) of the date received, over
applications not withdrawn: *applications* received; *threshold not met*; *reviews* carried out (threshold met and
the panel held, i.e. a panel date on or before today); *with recommendations* (reviews whose recommendations are
recorded; leave them blank when a review made none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from analytics import store
from analytics.casework import repeat
from analytics.casework.windows import add_working_days, financial_year, week_end
from analytics.domain import definitions
from analytics.domain.access import current_user
from analytics.domain.callers import caller_key
from analytics.errors import InputRefused, NotFound

Con = duckdb.DuckDBPyConnection

APPLICANTS = ("victim", "other")
DUE_FROM = ("receipt", "panel")
DEFAULT_WORKING_DAYS = 25
SYNTHETIC_BY = "demo (synthetic)"

# Fields an update may change, and their kind.
EDITABLE: dict[str, str] = {
    "received": "date", "applicant": "applicant", "consent": "bool", "district": "district",
    "caller_ref": "text", "incidents": "count", "threshold_met": "bool", "threshold_reasons": "text",
    "panel_date": "date", "agencies": "list", "recommendations": "text", "response_date": "date",
    "secondary_review": "bool", "working_days": "working_days", "due_from": "due_from",
    "withdrawn_on": "date", "withdrawn_reason": "text",
}
# Stored fields written when an application is added (kept in the audit trail as its first values).
STORED = ("received", "applicant", "consent", "district", "caller_ref", "caller_key", "incidents", "incidents_found",
          "lookup_source", "threshold_met", "threshold_reasons", "panel_date", "agencies", "recommendations",
          "response_date", "secondary_review", "working_days", "due_from", "withdrawn_on", "withdrawn_reason",
          "synthetic")
RECORD_FIELDS = ("id", *(f for f in STORED if f != "caller_key"), "created_by", "created_at", "updated_by",
                 "updated_at")

STATISTICS_COLUMNS = ["year", "applications", "threshold_not_met", "reviews", "with_recommendations"]
# The published form's words for each column.
STATISTICS_LABELS = {
    "year": "Financial year",
    "applications": "Applications for an ASB Case Review received",
    "threshold_not_met": "Applications where the threshold for a review was not met",
    "reviews": "ASB Case Reviews carried out",
    "with_recommendations": "ASB Case Reviews that resulted in recommendations",
}


# ------------------------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class Settings:
    working_days: int = DEFAULT_WORKING_DAYS
    due_from: str = "receipt"
    case_review: repeat.Threshold = repeat.CASE_REVIEW

    @property
    def rule(self) -> str:
        event = "receipt" if self.due_from == "receipt" else "the panel"
        return f"{self.working_days} working days from the day after {event}"


_SETTING_NAMES = ("working_days", "due_from", "case_review_min_incidents", "case_review_months")


def settings(con: Con) -> Settings:
    """The register's settings: stored values where they were changed, else the defaults."""
    stored = dict(con.execute(store.sql("casework/settings"), [list(_SETTING_NAMES)]).fetchall())
    return Settings(
        working_days=int(stored.get("working_days", DEFAULT_WORKING_DAYS)),
        due_from=str(stored.get("due_from", "receipt")),
        case_review=repeat.Threshold(int(stored.get("case_review_min_incidents", repeat.CASE_REVIEW.min_incidents)),
                                     int(stored.get("case_review_months", repeat.CASE_REVIEW.months))),
    )


def change_settings(con: Con, *, working_days: int | None = None, due_from: str | None = None,
                    case_review_min_incidents: int | None = None, case_review_months: int | None = None,
                    by: str | None = None, now: datetime | None = None) -> Settings:
    """Change the register's settings (each change in the audit trail); applications already received keep their
    own rule."""
    current = settings(con)
    wanted = {
        "working_days": _working_days(working_days) if working_days is not None else None,
        "due_from": _choice(due_from, DUE_FROM, "due_from") if due_from is not None else None,
        "case_review_min_incidents": case_review_min_incidents,
        "case_review_months": case_review_months,
    }
    if case_review_min_incidents is not None or case_review_months is not None:
        repeat.Threshold(case_review_min_incidents or current.case_review.min_incidents,
                         case_review_months or current.case_review.months)  # validates
    old = {"working_days": current.working_days, "due_from": current.due_from,
           "case_review_min_incidents": current.case_review.min_incidents,
           "case_review_months": current.case_review.months}
    who, when = by or current_user(), _now(now)
    with store.transaction(con):
        for name, value in wanted.items():
            if value is None or value == old[name]:
                continue
            con.execute(store.sql("casework/set_setting"), [name, str(value), who, when])
            _audit(con, None, f"setting: {name}", old[name], value, who, when)
    return settings(con)


# ------------------------------------------------------------------------------------------------ values


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0)


def _date(value: object, field: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as e:
        raise InputRefused("Bad date", f"{field_label(field)}: '{value}' is not a date; write it as YYYY-MM-DD.") from e


def _bool(value: object, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise InputRefused("Bad value", f"{field_label(field)}: '{value}' is not yes or no.")


def _count(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError as e:
        raise InputRefused("Bad number", f"{field_label(field)}: '{value}' is not a whole number.") from e
    if number < 0:
        raise InputRefused("Bad number", f"{field_label(field)} cannot be negative ({number}).")
    return number


def _working_days(value: object) -> int:
    number = _count(value, "working_days")
    if number is None or not 1 <= number <= 260:
        raise InputRefused("Bad number", f"Working days to respond must be 1 to 260, not {value}.")
    return number


def _choice(value: object, choices: Sequence[str], field: str) -> str:
    text = str(value).strip().lower()
    if text not in choices:
        raise InputRefused("Bad value", f"{field_label(field)}: '{value}' is not one of {', '.join(choices)}.")
    return text


def _district(value: object) -> str:
    name = definitions.match_district(str(value or ""))
    if name is None:
        known = ", ".join(d.name for d in definitions.districts())
        raise InputRefused("Unknown district", f"'{value}' is not a district of the force; use one of: {known}.")
    return name


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(";")
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        raise InputRefused("Bad value", f"Agencies: '{value}' is not a list; separate agencies with ';'.")
    return [s for s in (" ".join(i.split()) for i in items) if s]


_LABELS = {
    "received": "Received", "applicant": "Applicant", "consent": "Consent", "district": "District",
    "caller_ref": "Caller reference", "incidents": "Incidents", "threshold_met": "Threshold met",
    "threshold_reasons": "Reasons", "panel_date": "Panel date", "agencies": "Agencies",
    "recommendations": "Recommendations", "response_date": "Response date", "secondary_review": "Secondary review",
    "working_days": "Working days to respond", "due_from": "Due from", "withdrawn_on": "Withdrawn on",
    "withdrawn_reason": "Reason withdrawn", "incidents_found": "Incidents found in the extracts",
    "lookup_source": "Extract looked up", "synthetic": "Synthetic demo record", "created": "Created",
}


def field_label(field: str) -> str:
    return _LABELS.get(field, field)


def _clean(field: str, value: object) -> object:
    kind = EDITABLE[field]
    if kind == "date":
        return _date(value, field)
    if kind == "bool":
        return _bool(value, field)
    if kind == "count":
        return _count(value, field)
    if kind == "district":
        return _district(value)
    if kind == "applicant":
        return _choice(value, APPLICANTS, field)
    if kind == "working_days":
        return _working_days(value)
    if kind == "due_from":
        return _choice(value, DUE_FROM, field)
    if kind == "list":
        return _list(value)
    return _text(value)


def _shown(value: object) -> str | None:
    """How the audit trail writes a value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value)) or None
    return str(value)


# ------------------------------------------------------------------------------------------------ checks


def _check(record: Mapping[str, Any], today: date) -> None:
    """Refuse a record that cannot be true, saying which field and what to do."""
    received = record["received"]
    if received > today:
        raise InputRefused("Date in the future", f"Received {received.isoformat()} is after today "
                           f"({today.isoformat()}).")
    for field in ("panel_date", "response_date", "withdrawn_on"):
        value = record.get(field)
        if value is not None and value < received:
            raise InputRefused("Date before receipt", f"{field_label(field)} {value.isoformat()} is before the "
                               f"application was received ({received.isoformat()}).")
    for field in ("response_date", "withdrawn_on"):
        value = record.get(field)
        if value is not None and value > today:
            raise InputRefused("Date in the future", f"{field_label(field)} {value.isoformat()} is after today "
                               f"({today.isoformat()}).")
    if (record.get("withdrawn_on") is None) != (record.get("withdrawn_reason") is None):
        raise InputRefused("Withdrawal needs a date and a reason",
                           "Give both the date withdrawn and the reason (or clear both to reinstate).")
    if record["applicant"] == "victim" and record.get("consent") is not None:
        raise InputRefused("Consent is for applications on someone's behalf",
                           "Consent is recorded only when someone applies on the victim's behalf (applicant other).")


# ------------------------------------------------------------------------------------------------ writing


def _audit(con: Con, review_id: int | None, field: str, old: object, new: object, who: str, when: datetime) -> None:
    con.execute(store.sql("casework/audit"), [review_id, field, _shown(old), _shown(new), who, when])


def _incidents_found(con: Con, ref: str | None, received: date, source: str | None,
                     threshold: repeat.Threshold) -> tuple[int | None, str | None]:
    """Incidents of the caller in the case review window up to receipt, from the loaded extracts."""
    if caller_key(ref) is None:
        return None, None
    names = [s.name for s in repeat.caller_sources(con)]
    if source is None and len(names) != 1:
        if not names:
            return None, None
        raise InputRefused("Which source?", f"More than one source has caller references ({', '.join(names)}): "
                           "say which one to count the incidents in (--source).")
    chosen = source or names[0]
    if chosen not in names:
        raise NotFound("No caller references in that source",
                       f"Source '{chosen}' has no live ASB incidents with caller references; sources that do: "
                       f"{', '.join(names) or 'none'}.")
    found = repeat.caller_lookup(con, source=chosen, ref=str(ref), as_of=received, case_review=threshold)
    return found.in_case_review_window, chosen


def add(con: Con, *, received: date | str, district: str, applicant: str = "victim", caller_ref: str | None = None,
        consent: bool | str | None = None, incidents: int | str | None = None, source: str | None = None,
        working_days: int | None = None, due_from: str | None = None, by: str | None = None,
        synthetic: bool = False, today: date | None = None, now: datetime | None = None,
        fields: Mapping[str, object] | None = None) -> dict[str, Any]:
    """Add an application and return it as a record (see :func:`record`). The incidents in the six months before
    are looked up when a caller reference is given (`source` names the extract when more than one has caller
    references); `incidents` is the number the decision counts (by default the number found). `fields` may set
    any other editable field (threshold_met, panel_date, ...)."""
    fields = fields or {}
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise InputRefused("Unknown field", f"No field called {', '.join(unknown)}; fields: {', '.join(EDITABLE)}.")
    rules = settings(con)
    values: dict[str, Any] = {
        "received": _date(received, "received"), "district": _district(district),
        "applicant": _choice(applicant, APPLICANTS, "applicant"), "consent": _bool(consent, "consent"),
        "caller_ref": _text(caller_ref), "incidents": _count(incidents, "incidents"),
        "working_days": _working_days(working_days) if working_days is not None else rules.working_days,
        "due_from": _choice(due_from, DUE_FROM, "due_from") if due_from is not None else rules.due_from,
        "agencies": [], "secondary_review": False,
    }
    if values["received"] is None:
        raise InputRefused("No date received", "Give the date the application was received (YYYY-MM-DD).")
    for field, value in fields.items():
        values[field] = _clean(field, value)
    values["secondary_review"] = bool(values.get("secondary_review"))
    values["agencies"] = values.get("agencies") or []
    values["synthetic"] = synthetic
    values["caller_key"] = caller_key(values["caller_ref"])
    found, used = _incidents_found(con, values["caller_ref"], values["received"], source, rules.case_review)
    values["incidents_found"], values["lookup_source"] = found, used
    if values["incidents"] is None:
        values["incidents"] = found
    _check(values, today or date.today())
    who, when = by or current_user(), _now(now)
    row = {f: values.get(f) for f in STORED}
    with store.transaction(con):
        review_id = con.execute(
            f"INSERT INTO case_reviews ({', '.join(STORED)}, created_by, created_at, updated_by, updated_at) "
            f"VALUES ({', '.join('?' * (len(STORED) + 4))}) RETURNING id",
            [*row.values(), who, when, who, when]).fetchall()[0][0]
        _audit(con, review_id, "created", None, f"application {review_id}", who, when)
        for field, value in row.items():
            if value not in (None, [], False) and field != "caller_key":
                _audit(con, review_id, field, None, value, who, when)
    return get(con, review_id, today=today)


def update(con: Con, review_id: int, changes: Mapping[str, object], *, source: str | None = None,
           by: str | None = None, today: date | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Change fields of an application (each change in the audit trail) and return it. A value of None or ''
    clears a field. A new caller reference looks the incidents up again; applicant 'victim' clears consent."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InputRefused("Unknown field", f"No field called {', '.join(unknown)}; fields: {', '.join(EDITABLE)}.")
    if not changes:
        raise InputRefused("Nothing to change", "Name at least one field to change, e.g. --panel-date 2025-06-01.")
    current = _stored(con, review_id)
    new = dict(current)
    for field, value in changes.items():
        new[field] = _clean(field, value)
    if new["received"] is None:
        raise InputRefused("No date received", "An application always has the date it was received.")
    if new["applicant"] == "victim" and "consent" not in changes:
        new["consent"] = None
    new["secondary_review"] = bool(new["secondary_review"])
    if new["caller_ref"] != current["caller_ref"] or new["received"] != current["received"]:
        new["caller_key"] = caller_key(new["caller_ref"])
        found, used = _incidents_found(con, new["caller_ref"], new["received"], source, settings(con).case_review)
        new["incidents_found"], new["lookup_source"] = found, used
        if "incidents" not in changes and current["incidents"] == current["incidents_found"]:
            new["incidents"] = found
    _check(new, today or date.today())
    changed = [f for f in STORED if new.get(f) != current.get(f)]
    if not changed:
        return get(con, review_id, today=today)
    who, when = by or current_user(), _now(now)
    with store.transaction(con):
        assignments = ", ".join(f"{f} = ?" for f in changed)
        con.execute(f"UPDATE case_reviews SET {assignments}, updated_by = ?, updated_at = ? WHERE id = ?",
                    [*(new[f] for f in changed), who, when, review_id])  # field names from STORED only
        for field in changed:
            if field != "caller_key":
                _audit(con, review_id, field, current.get(field), new[field], who, when)
    return get(con, review_id, today=today)


def withdraw(con: Con, review_id: int, *, reason: str, on: date | str | None = None, by: str | None = None,
             today: date | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Withdraw an application (it stays in the register, out of the statistics)."""
    if not _text(reason):
        raise InputRefused("Give a reason", "Say why the application is withdrawn (e.g. 'applicant withdrew', "
                           "'entered in error', 'duplicate of 12').")
    if _stored(con, review_id)["withdrawn_on"] is not None:
        raise InputRefused("Already withdrawn", f"Application {review_id} is already withdrawn.")
    when = _date(on, "withdrawn_on") or today or date.today()
    return update(con, review_id, {"withdrawn_on": when, "withdrawn_reason": reason}, by=by, today=today, now=now)


# ------------------------------------------------------------------------------------------------ reading


def _stored(con: Con, review_id: int) -> dict[str, Any]:
    rows = con.execute(f"SELECT {', '.join(STORED)} FROM case_reviews WHERE id = ?", [review_id]).fetchall()
    if not rows:
        raise NotFound("No such application", f"There is no ASB Case Review application {review_id}; "
                       "`python -m analytics case-review list` lists them.")
    out = dict(zip(STORED, rows[0], strict=True))
    out["agencies"] = list(out["agencies"] or [])
    return out


def response_due(received: date, panel_date: date | None, working_days: int, due_from: str) -> date | None:
    """The date the response is due under an application's rule (None when it counts from a panel not yet set)."""
    event = received if due_from == "receipt" else panel_date
    return None if event is None else add_working_days(event, working_days)


def _status(r: Mapping[str, Any], today: date) -> str:
    if r["withdrawn_on"] is not None:
        return "withdrawn"
    if r["response_date"] is not None:
        return "responded"
    if r["threshold_met"] is None:
        return "awaiting threshold decision"
    if not r["threshold_met"]:
        return "threshold not met: response due"
    if r["panel_date"] is None:
        return "review to be arranged"
    if r["panel_date"] > today:
        return "panel arranged"
    return "review held: response due"


def _with_flags(r: dict[str, Any], today: date) -> dict[str, Any]:
    due = response_due(r["received"], r["panel_date"], r["working_days"], r["due_from"])
    open_ = r["withdrawn_on"] is None and r["response_date"] is None
    r["response_due"] = due
    r["status"] = _status(r, today)
    r["overdue"] = bool(open_ and due is not None and today > due)
    r["due_this_week"] = bool(open_ and due is not None and today <= due <= week_end(today))
    r["late"] = bool(due is not None and r["response_date"] is not None and r["response_date"] > due)
    r["year"] = financial_year(r["received"])
    return r


def _records(con: Con, where: str, params: Sequence[object], today: date | None) -> list[dict[str, Any]]:
    columns = ", ".join(RECORD_FIELDS)
    rows = con.execute(f"SELECT {columns} FROM case_reviews {where} ORDER BY received, id", list(params)).fetchall()
    day = today or date.today()
    out = []
    for row in rows:
        r = dict(zip(RECORD_FIELDS, row, strict=True))
        r["agencies"] = list(r["agencies"] or [])
        out.append(_with_flags(r, day))
    return out


def get(con: Con, review_id: int, *, today: date | None = None) -> dict[str, Any]:
    """One application with its response due date, status and flags."""
    found = _records(con, "WHERE id = ?", [review_id], today)
    if not found:
        _stored(con, review_id)  # raises NotFound
    return found[0]


def records(con: Con, *, today: date | None = None, caller_ref: str | None = None) -> list[dict[str, Any]]:
    """Every application, oldest first (withdrawn ones too), or those of one caller reference."""
    if caller_ref is not None:
        return _records(con, "WHERE caller_key = ?", [caller_key(caller_ref)], today)
    return _records(con, "", [], today)


REGISTER_COLUMNS = ["id", "received", "year", "applicant", "consent", "district", "caller_ref", "incidents",
                    "incidents_found", "lookup_source", "threshold_met", "threshold_reasons", "panel_date",
                    "agencies", "recommendations", "response_due", "response_date", "status", "overdue",
                    "due_this_week", "late", "secondary_review", "working_days", "due_from", "withdrawn_on",
                    "withdrawn_reason", "synthetic", "created_by", "created_at", "updated_by", "updated_at"]


def register(con: Con, *, today: date | None = None) -> pd.DataFrame:
    """The register as a table (REGISTER_COLUMNS), oldest first; agencies '; '-joined."""
    rows = records(con, today=today)
    out = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    out["agencies"] = ["; ".join(a) for a in out["agencies"]]
    return out


CHANGE_COLUMNS = ["review_id", "field", "old_value", "new_value", "changed_by", "changed_at"]


def change_rows(con: Con, review_id: int | None = None) -> list[dict[str, Any]]:
    """The audit trail, oldest first: review_id (None for a change of settings), field, old_value, new_value
    (as text), changed_by, changed_at."""
    where = "WHERE review_id = ?" if review_id is not None else ""
    rows = con.execute(f"SELECT {', '.join(CHANGE_COLUMNS)} FROM case_review_changes {where} ORDER BY id",
                       [review_id] if review_id is not None else []).fetchall()
    return [dict(zip(CHANGE_COLUMNS, r, strict=True)) for r in rows]


def changes(con: Con, review_id: int | None = None) -> pd.DataFrame:
    """The audit trail as a table (see :func:`change_rows`)."""
    # object columns keep a blank value as None, as stored
    return pd.DataFrame(change_rows(con, review_id), columns=CHANGE_COLUMNS, dtype=object)


def yearly_statistics(con: Con, *, today: date | None = None) -> pd.DataFrame:
    """The yearly statistics in the published form (see the module): one row per financial year from the first
    to the last with an application (years between with none show zeros), oldest first.

    Columns STATISTICS_COLUMNS: year ('2025/26'), applications, threshold_not_met, reviews,
    with_recommendations. Counts only, for the screen, a CSV and the pack (STATISTICS_LABELS holds the words).
    """
    rows = con.execute(store.sql("casework/yearly_statistics"), {"today": today or date.today()}).fetchall()
    found = {int(r[0]): r[1:] for r in rows}
    years = range(min(found), max(found) + 1) if found else range(0)
    out = pd.DataFrame(
        [[financial_year(date(y, 4, 1)), *(int(v) for v in found.get(y, (0, 0, 0, 0)))] for y in years],
        columns=STATISTICS_COLUMNS)
    for col in STATISTICS_COLUMNS[1:]:
        out[col] = out[col].astype("int64")
    return out


# ------------------------------------------------------------------------------------------------ demo


@dataclass(frozen=True)
class _Seed:
    received: str
    met: bool | None  # None: not decided yet
    applicant: str = "victim"
    panel: str | None = None
    agencies: tuple[str, ...] = ()
    recommendations: str | None = None
    response: str | None = None
    secondary: bool = False
    withdrawn: str | None = None


_AGENCIES = ("Kent Police", "District council community safety", "Housing provider", "Kent County Council")
_DEMO = (
    _Seed("2024-05-14", True, panel="2024-06-04", agencies=_AGENCIES[:3], response="2024-06-12",
          recommendations="Joint visit by the housing officer and PCSO; mediation offered to both households."),
    _Seed("2024-07-02", False, response="2024-07-16"),
    _Seed("2024-09-18", True, panel="2024-10-08", agencies=_AGENCIES[:2], response="2024-10-15"),
    _Seed("2024-11-05", True, applicant="other", panel="2024-11-26", agencies=_AGENCIES, response="2024-12-20",
          secondary=True, recommendations="Community protection warning to be considered; monthly check-in calls "
          "to the victim for three months."),
    _Seed("2025-01-21", None, withdrawn="2025-01-28"),
    _Seed("2025-03-11", True, panel="2025-04-01", agencies=_AGENCIES[:3], response="2025-04-10",
          recommendations="Noise monitoring equipment installed; the case is kept open at the weekly tasking meeting."),
    _Seed("2025-05-20", False, response="2025-06-03"),
    _Seed("2025-07-08", True, panel="2025-07-29", agencies=_AGENCIES[:2], response="2025-08-06",
          recommendations="Extra patrols at the location at the times of the calls; victim referred to support."),
    _Seed("2025-10-14", True, panel="2025-11-04", agencies=_AGENCIES,
          recommendations="Referral to the multi-agency vulnerability panel."),
    _Seed("2025-12-15", None),
)


def seed_demo(con: Con, *, source: str, today: date | None = None) -> list[int]:
    """A handful of applications, labelled synthetic, for the synthetic demo: each applicant is a real caller of
    `source` (one meeting the case review threshold at receipt, or with fewer incidents where the threshold was
    not met). Nothing is added when the register already has synthetic applications. Returns the new ids."""
    if store.scalar(con, store.sql("casework/synthetic_count")):
        return []
    rules = settings(con)
    used: set[str] = set()
    added: list[int] = []
    for seed in _DEMO:
        received = date.fromisoformat(seed.received)
        callers = repeat.repeat_callers(con, source=source, as_of=received,
                                        threshold=repeat.Threshold(1, rules.case_review.months),
                                        case_review=rules.case_review)
        wanted = callers["case_review"] if seed.met is not False else ~callers["case_review"] & (callers["incidents"]
                                                                                                    >= 2)
        pick = callers[wanted & ~callers["caller_ref"].isin(used)]
        if pick.empty:
            continue
        caller = pick.iloc[len(added) % min(len(pick), 7)]
        used.add(str(caller["caller_ref"]))
        n, months = int(caller["case_review_incidents"]), rules.case_review.months
        reasons = (f"SYNTHETIC demo record. {n} incidents in the {months} months before the application; the "
                   f"threshold is {rules.case_review.min_incidents}.")
        fields: dict[str, object] = {
            "threshold_met": seed.met, "threshold_reasons": reasons if seed.met is not None else None,
            "panel_date": seed.panel, "agencies": list(seed.agencies), "recommendations": seed.recommendations,
            "response_date": seed.response, "secondary_review": seed.secondary,
        }
        if seed.withdrawn:
            fields |= {"withdrawn_on": seed.withdrawn,
                       "withdrawn_reason": "SYNTHETIC demo record: the applicant withdrew the application."}
        record = add(con, received=received, district=str(caller["district"]), applicant=seed.applicant,
                     consent=True if seed.applicant == "other" else None, caller_ref=str(caller["caller_ref"]),
                     source=source, by=SYNTHETIC_BY, synthetic=True, today=today, fields=fields)
        added.append(int(record["id"]))
    return added
