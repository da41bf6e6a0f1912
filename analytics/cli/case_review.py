"""`python -m analytics case-review add | update | list | stats | history | settings`: the ASB Case Review register.

Every command prints the record(s) it touched; with --json one JSON value. Dates are YYYY-MM-DD; an empty value
('') clears a field on update. Who made a change is the operating-system user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from analytics import publish
from analytics.casework import reviews
from analytics.errors import InputRefused

# update option -> register field
UPDATE_OPTIONS = {
    "received": "received", "applicant": "applicant", "consent": "consent", "district": "district",
    "caller_ref": "caller_ref", "incidents": "incidents", "threshold_met": "threshold_met",
    "reasons": "threshold_reasons", "panel_date": "panel_date", "agencies": "agencies",
    "recommendations": "recommendations", "response_date": "response_date", "secondary_review": "secondary_review",
    "working_days": "working_days", "due_from": "due_from",
}
YES_NO = "yes|no"


def add_parser(commands: Any, with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("case-review", help="the ASB Case Review register (analysts)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = with_db(actions.add_parser("add", help="add an application"))
    add.add_argument("--received", required=True, metavar="YYYY-MM-DD", help="the date the application was received")
    add.add_argument("--district", required=True, metavar="NAME")
    add.add_argument("--applicant", choices=reviews.APPLICANTS, default="victim",
                     help="the victim, or someone else on their behalf (default victim)")
    add.add_argument("--consent", metavar=YES_NO, help="applicant other: whether the victim consented")
    add.add_argument("--caller-ref", metavar="REF", help="the victim's caller reference: the incidents in the six "
                     "months before are looked up in the loaded extracts")
    add.add_argument("--incidents", metavar="N", help="incidents the decision counts (default: the number found)")
    add.add_argument("--source", metavar="NAME", help="the extract to look the incidents up in, when more than one "
                     "has caller references")
    add.add_argument("--working-days", metavar="N", help="working days to respond (default: the register's setting)")
    add.add_argument("--due-from", choices=reviews.DUE_FROM, help="count the working days from receipt or the panel")
    add.add_argument("--json", action="store_true", help="print the record as JSON")

    update = with_db(actions.add_parser("update", help="change fields of an application"))
    update.add_argument("id", type=int, metavar="ID")
    for option, field in UPDATE_OPTIONS.items():
        update.add_argument(f"--{option.replace('_', '-')}", dest=option, metavar=_metavar(field),
                            help=f"{reviews.field_label(field).lower()} ('' clears it)")
    update.add_argument("--source", metavar="NAME", help="the extract to look incidents up in for a new caller ref")
    update.add_argument("--withdraw", metavar="REASON", help="withdraw the application (it is kept, never deleted)")
    update.add_argument("--withdrawn-on", metavar="YYYY-MM-DD", help="with --withdraw: the date (default today)")
    update.add_argument("--reinstate", action="store_true", help="undo a withdrawal")
    update.add_argument("--json", action="store_true", help="print the record as JSON")

    listing = with_db(actions.add_parser("list", help="every application, oldest first"))
    listing.add_argument("--json", action="store_true", help="print a JSON list")

    stats = with_db(actions.add_parser("stats", help="the yearly statistics by financial year (published form)"))
    stats.add_argument("--json", action="store_true", help='print {"years": [...]}')

    history = with_db(actions.add_parser("history", help="the audit trail: every change, who and when"))
    history.add_argument("id", type=int, nargs="?", metavar="ID", help="one application (default: all)")
    history.add_argument("--json", action="store_true", help="print a JSON list")

    settings = with_db(actions.add_parser("settings", help="show or change the register's settings"))
    settings.add_argument("--working-days", type=int, metavar="N", help="working days to respond (default 25)")
    settings.add_argument("--due-from", choices=reviews.DUE_FROM, help="count them from receipt or the panel")
    settings.add_argument("--min-incidents", type=int, metavar="N", help="case review threshold: incidents")
    settings.add_argument("--months", type=int, metavar="M", help="case review threshold: months")
    settings.add_argument("--json", action="store_true", help="print the settings as JSON")


def _metavar(field: str) -> str:
    kind = reviews.EDITABLE[field]
    return {"date": "YYYY-MM-DD", "bool": YES_NO, "count": "N", "working_days": "N", "list": "'A; B'",
            "applicant": "victim|other", "due_from": "receipt|panel"}.get(kind, "TEXT")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, default=_plain)
    sys.stdout.write("\n")


def _record(r: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in r.items()}


def _say(r: dict[str, Any]) -> str:
    due = r["response_due"].isoformat() if r["response_due"] else "not yet (counted from the panel)"
    flags = [f for f in ("overdue", "due_this_week", "late") if r[f]]
    return (f"Application {r['id']}: received {r['received'].isoformat()} ({r['district']}, {r['applicant']}); "
            f"{r['status']}; response due {due}" + (f" [{', '.join(flags).replace('_', ' ')}]" if flags else ""))


def run_case_review(args: argparse.Namespace) -> int:
    if args.action in {"list", "stats", "history"}:
        con = publish.reading(args.db, create=True)
        try:
            return _ACTIONS[args.action](con, args)
        finally:
            con.close()
    with publish.writing(args.db) as con:  # settings too: it may change them
        return _ACTIONS[args.action](con, args)


def _add(con: Any, args: argparse.Namespace) -> int:
    record = reviews.add(con, received=args.received, district=args.district, applicant=args.applicant,
                         caller_ref=args.caller_ref, consent=args.consent, incidents=args.incidents,
                         source=args.source, working_days=args.working_days, due_from=args.due_from)
    if args.json:
        _json(_record(record))
    else:
        print(_say(record))
    return 0


def _update(con: Any, args: argparse.Namespace) -> int:
    changes = {field: getattr(args, option) for option, field in UPDATE_OPTIONS.items()
               if getattr(args, option) is not None}
    if args.reinstate and args.withdraw:
        raise InputRefused("Withdraw or reinstate?", "Give --withdraw or --reinstate, not both.")
    if args.reinstate:
        changes |= {"withdrawn_on": None, "withdrawn_reason": None}
    if changes:
        record = reviews.update(con, args.id, changes, source=args.source)
    if args.withdraw is not None:
        record = reviews.withdraw(con, args.id, reason=args.withdraw, on=args.withdrawn_on)
    elif not changes:
        raise InputRefused("Nothing to change", "Name at least one field to change, e.g. --panel-date 2025-06-01 "
                           "(`case-review update --help` lists them).")
    if args.json:
        _json(_record(record))
    else:
        print(_say(record))
    return 0


def _list(con: Any, args: argparse.Namespace) -> int:
    found = reviews.records(con)
    if args.json:
        _json([_record(r) for r in found])
        return 0
    print(f"{len(found)} application(s) in the ASB Case Review register", file=sys.stderr)
    for r in found:
        print(_say(r) + (" (SYNTHETIC)" if r["synthetic"] else ""))
    return 0


def _stats(con: Any, args: argparse.Namespace) -> int:
    table = reviews.yearly_statistics(con)
    years = [{c: (str(v) if c == "year" else int(v)) for c, v in row.items()} for row in table.to_dict("records")]
    if args.json:
        _json({"years": years})
        return 0
    labels = reviews.STATISTICS_LABELS
    if not years:
        print("No applications in the register yet.", file=sys.stderr)
    for y in years:
        print(f"{y['year']}: " + "; ".join(f"{labels[c]}: {y[c]}" for c in reviews.STATISTICS_COLUMNS[1:]))
    return 0


def _history(con: Any, args: argparse.Namespace) -> int:
    if args.id is not None:
        reviews.get(con, args.id)  # a clear NotFound for an unknown id
    rows = [_record(r) for r in reviews.change_rows(con, args.id)]
    if args.json:
        _json(rows)
        return 0
    for row in rows:
        what = f"application {row['review_id']}" if row["review_id"] is not None else "settings"
        print(f"{row['changed_at']} {row['changed_by']}: {what} {row['field']}: {row['old_value']!s} -> "
              f"{row['new_value']!s}")
    return 0


def _settings(con: Any, args: argparse.Namespace) -> int:
    now = reviews.change_settings(con, working_days=args.working_days, due_from=args.due_from,
                                  case_review_min_incidents=args.min_incidents, case_review_months=args.months)
    out = {"working_days": now.working_days, "due_from": now.due_from,
           "case_review_min_incidents": now.case_review.min_incidents,
           "case_review_months": now.case_review.months}
    if args.json:
        _json(out)
    else:
        print(f"Responses are due {now.rule}; the case review threshold is {now.case_review.words}.")
    return 0


_ACTIONS: dict[str, Callable[[Any, argparse.Namespace], int]] = {
    "add": _add, "update": _update, "list": _list, "stats": _stats, "history": _history, "settings": _settings,
}
