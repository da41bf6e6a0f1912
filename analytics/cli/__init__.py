"""The command line, python -m analytics: ingest | batches | rollback | demo | summary | report | control |
intervention | repeat | case-review.

A contract other tools build on: exit status 0 when done (or already done, saying so), 2 when the input is
refused and the database is unchanged, 1 for anything unexpected. Messages go to stderr in plain English.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from analytics.errors import DashboardError, InputRefused, translated
from analytics.report.suppression import DEFAULT_THRESHOLD


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="ASB & crime performance dashboard")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", metavar="PATH", help="database file (default: $ASB_DB or data/asb.duckdb)")
        return p

    ingest = with_db(commands.add_parser(
        "ingest", help="load police.uk files, force extracts or measures files (CSV or XLSX)"))
    ingest.add_argument("--source", choices=["auto", "police-uk", "police-uk-outcomes", "asb", "crime", "measures"],
                        default="auto",
                        help="the file's format (default: detected from the header)")
    ingest.add_argument("--name", metavar="SOURCE_NAME",
                        help="name of the source (default: police.uk for police.uk files, force for force extracts)")
    ingest.add_argument("--sheet", metavar="NAME", help="the worksheet to read (default: the one holding the data)")
    ingest.add_argument("--replace", action="store_true", help="replace months already loaded for this source")
    ingest.add_argument("--accept-valid-rows", action="store_true",
                        help="load the valid rows and keep the invalid ones in the rejects table")
    ingest.add_argument("files", nargs="+", metavar="FILE")

    batches = with_db(commands.add_parser("batches", help="the audit trail of loads, newest first"))
    batches.add_argument("--json", action="store_true", help="print JSON")

    rollback = with_db(commands.add_parser("rollback", help="undo a load"))
    rollback.add_argument("batch_id", type=int, metavar="BATCH_ID")

    demo = with_db(commands.add_parser("demo", help="load the bundled demo data"))
    demo.add_argument("--synthetic", action="store_true",
                      help="also load the generated (synthetic) force extract for Kent's 13 districts")

    summary = with_db(commands.add_parser("summary", help="the performance report's figures"))
    summary.add_argument("--end", required=True, metavar="YYYY-MM", help="last month of the period")
    summary.add_argument("--months", type=int, default=3, metavar="N", help="months in the period (default 3)")
    summary.add_argument("--district", metavar="NAME", help="one district (default: the whole force)")
    summary.add_argument("--source", metavar="NAME", help="the source, needed when more than one is loaded")
    summary.add_argument("--as-at", metavar="YYYY-MM-DD",
                         help="the date the solved rate at the same age is taken at (default: the latest date loaded)")
    summary.add_argument("--json", action="store_true", help="print one JSON object")

    report = with_db(commands.add_parser("report", help="the performance pack as an Excel workbook or a PDF"))
    report.add_argument("--end", required=True, metavar="YYYY-MM", help="last month of the period")
    report.add_argument("--months", type=int, default=3, metavar="N", help="months in the period (default 3)")
    report.add_argument("--district", metavar="NAME", help="one district (default: the whole force)")
    report.add_argument("--source", metavar="NAME", help="the source, needed when more than one is loaded")
    report.add_argument("--public", action="store_true",
                        help="for publication: small counts hidden as * (with whatever would give them away)")
    report.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD, metavar="N",
                        help=f"in public mode, counts from 1 to N are hidden (default {DEFAULT_THRESHOLD})")
    report.add_argument("--out", required=True, metavar="FILE.xlsx|FILE.pdf", help="the file to write")

    control = with_db(commands.add_parser("control", help="the XmR control chart of a monthly count"))
    control.add_argument("--measure", required=True, choices=["asb", "vbc", "all_crime"],
                         help="ASB incidents, victim-based crime or all crime")
    control.add_argument("--source", metavar="NAME", help="the source, needed when more than one is loaded")
    control.add_argument("--district", metavar="NAME", help="one district (default: the whole force)")
    control.add_argument("--call-type", metavar="NAME", help="one ASB call type")
    control.add_argument("--crime-type", metavar="NAME", help="one crime type (with vbc or all_crime)")
    control.add_argument("--end", required=True, metavar="YYYY-MM", help="the last month shown")
    control.add_argument("--months", type=int, default=36, metavar="N",
                         help="months shown, ending at --end (default 36; never before the source's first month)")
    control.add_argument("--baseline", metavar="YYYY-MM:YYYY-MM",
                         help="the baseline months (default: from the first month shown, or the last recorded "
                              "process change, to at most 24 months later)")
    control.add_argument("--screen-outliers", action="store_true",
                         help="leave moving ranges above the upper range limit out of the limits (once)")
    control.add_argument("--json", action="store_true", help="print one JSON object")

    register = commands.add_parser("intervention", help="the register of process changes and interventions")
    actions = register.add_subparsers(dest="action", required=True, metavar="ACTION")
    types = "pspo, closure-order, dispersal-order, task-force, recording-rule, new-system, other"
    add = with_db(actions.add_parser("add", help="record a process change or an intervention"))
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="when it started (YYYY-MM: the 1st)")
    add.add_argument("--type", required=True, metavar="TYPE",
                     help=f"{types}; recording-rule and new-system are process changes, which re-baseline")
    add.add_argument("--district", metavar="NAME", help="one district (default: force-wide)")
    add.add_argument("--affects", default="both", choices=["asb", "crime", "both"], help="default both")
    add.add_argument("--description", required=True, metavar="TEXT")
    add.add_argument("--json", action="store_true", help="print the new entry as JSON")
    listing = with_db(actions.add_parser("list", help="every entry, withdrawn and corrected ones too"))
    listing.add_argument("--active", action="store_true", help="only entries in force")
    listing.add_argument("--json", action="store_true", help="print JSON")
    withdraw = with_db(actions.add_parser("withdraw", help="withdraw an entry (it stays in the register)"))
    withdraw.add_argument("id", type=int, metavar="ID")
    withdraw.add_argument("--reason", required=True, metavar="TEXT")
    withdraw.add_argument("--json", action="store_true", help="print the entry as JSON")
    correct = with_db(actions.add_parser("correct", help="correct an entry: recorded anew, the old one kept"))
    correct.add_argument("id", type=int, metavar="ID")
    correct.add_argument("--date", metavar="YYYY-MM-DD")
    correct.add_argument("--type", metavar="TYPE", help=types)
    place = correct.add_mutually_exclusive_group()
    place.add_argument("--district", metavar="NAME")
    place.add_argument("--force-wide", action="store_true", help="make the entry force-wide")
    correct.add_argument("--affects", choices=["asb", "crime", "both"])
    correct.add_argument("--description", metavar="TEXT")
    correct.add_argument("--json", action="store_true", help="print the new entry as JSON")

    from analytics.cli import case_review, repeat

    repeat.add_parser(commands, with_db)
    case_review.add_parser(commands, with_db)
    return parser


# Loads and roll-backs are background work beside the people using a dashboard on the same machine: they take the
# CPU the dashboard leaves (a lower priority, nice 10 by default).
LOAD_COMMANDS = frozenset({"ingest", "rollback", "demo"})
LOAD_NICE = "ASB_LOAD_NICE"


def yield_to_viewers(command: str) -> int:
    """Lower this process's CPU priority for a load (by $ASB_LOAD_NICE, default 10; 0 keeps it), before DuckDB
    starts its threads, which take the priority they start with. Returns the niceness now."""
    if command not in LOAD_COMMANDS:
        return os.nice(0)
    text = os.environ.get(LOAD_NICE, "10").strip()
    if not text.isdigit() or int(text) > 19:
        raise InputRefused("Bad setting", f"{LOAD_NICE} is {text!r}: it must be a whole number from 0 (the normal "
                           "priority) to 19 (the lowest), how far a load lowers its CPU priority.")
    return os.nice(int(text))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with translated():
            yield_to_viewers(args.command)
            if args.command == "summary":
                from analytics.cli.summary import run_summary

                return run_summary(args)
            if args.command == "report":
                from analytics.cli.report import run_report

                return run_report(args)

            if args.command == "control":
                from analytics.cli.control import run_control

                return run_control(args)
            if args.command == "intervention":
                from analytics.cli.interventions import run_intervention

                return run_intervention(args)

            if args.command == "repeat":
                from analytics.cli.repeat import run_repeat

                return run_repeat(args)
            if args.command == "case-review":
                from analytics.cli.case_review import run_case_review

                return run_case_review(args)
            from analytics.ingest import commands

            return {
                "ingest": commands.run_ingest,
                "batches": commands.run_batches,
                "rollback": commands.run_rollback,
                "demo": commands.run_demo,
            }[args.command](args)
    except DashboardError as e:
        print(f"{e.title}: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("Interrupted: nothing was changed by the unfinished step.", file=sys.stderr)
        return 1
