"""The command line, python -m analytics: ingest | batches | rollback | demo | summary.

A contract other tools build on: exit status 0 when done (or already done, saying so), 2 when the input is
refused and the database is unchanged, 1 for anything unexpected. Messages go to stderr in plain English.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analytics.errors import DashboardError, translated


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="ASB & crime performance dashboard")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", metavar="PATH", help="database file (default: $ASB_DB or data/asb.duckdb)")
        return p

    ingest = with_db(commands.add_parser(
        "ingest", help="load police.uk files, force extracts or measures files (CSV or XLSX)"))
    ingest.add_argument("--source", choices=["auto", "police-uk", "asb", "crime", "measures"], default="auto",
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
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with translated():
            if args.command == "summary":
                from analytics.cli.summary import run_summary

                return run_summary(args)
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
