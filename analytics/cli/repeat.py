"""`python -m analytics repeat`: repeat callers as at a date, as a table or (--json) a list of objects."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from analytics import publish
from analytics.casework import repeat
from analytics.casework.windows import parse_day, window


def add_parser(commands: Any, with_db: Any) -> None:
    p = with_db(commands.add_parser("repeat", help="repeat callers as at a date (analysts: holds caller references)"))
    p.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the date D the window ends on (included)")
    p.add_argument("--min-incidents", type=int, default=repeat.REPEAT.min_incidents, metavar="N",
                   help="incidents needed in the window (default 3)")
    p.add_argument("--months", type=int, default=repeat.REPEAT.months, metavar="M",
                   help="calendar months in the window: from the day after the same date M months earlier "
                        "(default 6)")
    p.add_argument("--source", metavar="NAME", help="the source, needed when more than one has caller references")
    p.add_argument("--json", action="store_true", help="print a JSON list")


def run_repeat(args: argparse.Namespace) -> int:
    threshold = repeat.Threshold(args.min_incidents, args.months)
    con = publish.reading(args.db, create=True)
    try:
        source = repeat.caller_source(con, args.source).name
        found = repeat.repeat_callers(con, source=source, as_of=args.as_of, threshold=threshold)
    finally:
        con.close()
    rows = repeat.as_records(found)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    win = window(parse_day(args.as_of), threshold.months)
    print(f"Repeat callers in {source}: {threshold.words}, {win.label}: {len(rows):,}", file=sys.stderr)
    if rows:
        print(f"{'caller_ref':<16} {'incidents':>9}  {'first':<10}  {'last':<10}  {'vulnerable':<10}  district")
    for r in rows:
        flag = {True: "yes", False: "no", None: "-"}[r["vulnerable"]]
        print(f"{r['caller_ref']:<16} {r['incidents']:>9}  {r['first']}  {r['last']}  {flag:<10}  {r['district']}")
    return 0
