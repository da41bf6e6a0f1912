"""The Case reviews page: the ASB Case Review register, what is overdue or due this week, the yearly statistics
in the published form, adding and updating applications, and the audit trail (analysts only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from analytics.casework import repeat, reviews
from analytics.casework.windows import financial_year
from analytics.domain import definitions
from analytics.figures.common import Con
from analytics.report import casework as words
from analytics.report.export import csv_bytes, csv_file_name
from analytics.views.common import Download, Stat

STATISTICS_NOTE = ("By the financial year (April to March) of the date received; withdrawn applications are not "
                   "counted. A review is carried out when the threshold was met and the panel has sat; it resulted "
                   "in recommendations when any are recorded.")
FLAG_WORDS = {"overdue": "Overdue", "due_this_week": "Due this week", "late": "Responded late"}


@dataclass(frozen=True)
class ReviewsView:
    stats: list[Stat]
    alerts: list[str]  # one line per application overdue or due this week
    register: pd.DataFrame  # as shown, newest first
    register_download: Download | None
    statistics: pd.DataFrame  # the published form, newest year first
    statistics_download: Download | None
    statistics_note: str
    applications: dict[int, str]  # id -> label, for choosing one to update
    synthetic_note: str | None
    rule: str  # the register's due-date rule in words
    settings: reviews.Settings
    districts: list[str]
    sources: list[str]  # extracts with caller references, for looking incidents up


def _flags(r: dict[str, Any]) -> str:
    return ", ".join(w for f, w in FLAG_WORDS.items() if r[f])


def _label(r: dict[str, Any]) -> str:
    return f"{r['id']}: received {words.day(r['received'])}, {r['district']} ({r['status']})"


def _register_table(rows: list[dict[str, Any]], *, formatted: bool) -> pd.DataFrame:
    def d(v: date | None) -> object:
        return words.day(v) if formatted else v

    def yn(v: object) -> object:
        return words.yes_no(v, "") if formatted else v

    # what a reader looks for first (where each application stands) comes first; the details follow
    return pd.DataFrame({
        "Application": [r["id"] for r in rows],
        "Received": [d(r["received"]) for r in rows],
        "District": [r["district"] for r in rows],
        "Status": [r["status"] for r in rows],
        # a withdrawn application is due nothing
        "Response due": [d(r["response_due"]) if r["withdrawn_on"] is None else (None if not formatted else "")
                         for r in rows],
        "Flags": [_flags(r) for r in rows],
        "Responded": [d(r["response_date"]) for r in rows],
        "Threshold met": [words.yes_no(r["threshold_met"], "Not decided") if formatted else r["threshold_met"]
                          for r in rows],
        "Incidents in 6 months": [r["incidents"] for r in rows],
        "Panel": [d(r["panel_date"]) for r in rows],
        "Caller reference": [r["caller_ref"] or "" for r in rows],
        "Applicant": [("Victim" if r["applicant"] == "victim" else "On the victim's behalf") for r in rows],
        "Agencies": ["; ".join(r["agencies"]) for r in rows],
        "Recommendations": [r["recommendations"] or "" for r in rows],
        "Secondary review requested": [yn(r["secondary_review"]) for r in rows],
        "Year": [r["year"] for r in rows],
        "Synthetic": [yn(r["synthetic"]) for r in rows],
    })


def statistics_table(con: Con, today: date) -> pd.DataFrame:
    """The yearly statistics with the published form's headings, newest year first (the CSV's rows too)."""
    table = reviews.yearly_statistics(con, today=today)
    return table.iloc[::-1].reset_index(drop=True).rename(columns=reviews.STATISTICS_LABELS)


def build(con: Con, today: date) -> ReviewsView:
    rows = reviews.records(con, today=today)
    rules = reviews.settings(con)
    newest = list(reversed(rows))
    open_rows = [r for r in rows if r["withdrawn_on"] is None and r["response_date"] is None]
    overdue = [r for r in open_rows if r["overdue"]]
    this_week = [r for r in open_rows if r["due_this_week"]]
    this_year = financial_year(today)
    stats = [
        Stat("Open applications", f"{len(open_rows):,}", "Not withdrawn and no response sent yet."),
        Stat("Overdue", f"{len(overdue):,}", "Open applications past their response due date."),
        Stat("Due this week", f"{len(this_week):,}", "Open applications due from today to Sunday."),
        Stat(f"Received {this_year}", f"{sum(r['year'] == this_year and r['withdrawn_on'] is None for r in rows):,}",
             f"Applications received this financial year ({this_year}), not withdrawn."),
    ]
    alerts = [f"Application {r['id']} ({r['district']}): the response is overdue; it was due on "
              f"{words.day(r['response_due'])}." for r in overdue]
    alerts += [f"Application {r['id']} ({r['district']}): the response is due on {words.day(r['response_due'])}."
               for r in this_week]
    stats_shown = statistics_table(con, today)
    first_day = min((r["received"] for r in rows), default=today)
    register_download = Download(
        "Download the register (CSV)", csv_bytes(_register_table(newest, formatted=False)),
        csv_file_name("asb-case-review-register", None, "register", f"{first_day:%Y-%m}", f"{today:%Y-%m}"))
    statistics_download = None
    if len(stats_shown):
        years = stats_shown[reviews.STATISTICS_LABELS["year"]]
        start, end = f"{str(years.iloc[-1])[:4]}-04", f"{int(str(years.iloc[0])[:4]) + 1}-03"
        statistics_download = Download("Download the yearly statistics (CSV)", csv_bytes(stats_shown),
                                       csv_file_name("asb-case-review-statistics", None, "register", start, end))
    synthetic = sum(bool(r["synthetic"]) for r in rows)
    return ReviewsView(
        stats=stats, alerts=alerts, register=_register_table(newest, formatted=True),
        register_download=register_download if rows else None, statistics=stats_shown,
        statistics_download=statistics_download,
        statistics_note=STATISTICS_NOTE,
        applications={r["id"]: _label(r) for r in newest},
        synthetic_note=(f"{words.plural(synthetic, 'application')} in this register "
                        f"{'is a synthetic demo record' if synthetic == 1 else 'are synthetic demo records'} "
                        "(marked in the Synthetic column), made from the synthetic extract's callers."
                        if synthetic else None),
        rule=rules.rule, settings=rules, districts=[d.name for d in definitions.districts()],
        sources=[s.name for s in repeat.caller_sources(con)],
    )


@dataclass(frozen=True)
class Application:
    """One application for the update form: its fields as they stand, and its audit trail."""

    record: dict[str, Any]
    trail: pd.DataFrame


def application(con: Con, review_id: int, today: date) -> Application:
    trail = reviews.changes(con, review_id)
    shown = pd.DataFrame({
        "When": [t.strftime("%d %b %Y %H:%M") for t in trail["changed_at"]],
        "Who": trail["changed_by"], "Field": [reviews.field_label(f) for f in trail["field"]],
        "From": trail["old_value"].fillna(""), "To": trail["new_value"].fillna(""),
    })
    return Application(reviews.get(con, review_id, today=today), shown)


# ------------------------------------------------------------------------------------------------ actions


def add_application(con: Con, fields: dict[str, Any], source: str | None, user: str, today: date) -> str:
    """Add an application from the page's form; one sentence saying what was done."""
    main = {k: fields.pop(k) for k in ("received", "district", "applicant", "caller_ref", "consent", "incidents")
            if k in fields}
    record = reviews.add(con, **main, source=source, by=user, today=today, fields=fields)
    due = words.day(record["response_due"]) if record["response_due"] else "when the panel date is set"
    found = (f" {record['incidents_found']:,} incidents found in the six months before."
             if record["incidents_found"] is not None else "")
    return f"Added application {record['id']}: the response is due {due}.{found}"


def update_application(con: Con, review_id: int, changes: dict[str, Any], source: str | None, user: str,
                       today: date) -> str:
    before = reviews.get(con, review_id, today=today)
    after = reviews.update(con, review_id, changes, source=source, by=user, today=today)
    changed = [reviews.field_label(f) for f in reviews.EDITABLE if before.get(f) != after.get(f)]
    if not changed:
        return f"Application {review_id}: nothing changed."
    return f"Application {review_id}: changed {', '.join(changed).lower()}."


def withdraw_application(con: Con, review_id: int, reason: str, user: str, today: date) -> str:
    reviews.withdraw(con, review_id, reason=reason, by=user, today=today)
    return f"Application {review_id} withdrawn. It stays in the register, out of the statistics."


def change_settings(con: Con, working_days: int, due_from: str, min_incidents: int, months: int, user: str) -> str:
    now = reviews.change_settings(con, working_days=working_days, due_from=due_from,
                                  case_review_min_incidents=min_incidents, case_review_months=months, by=user)
    return (f"New applications: responses due {now.rule}; case review threshold {now.case_review.words}. "
            "Applications already received keep their own rule.")
