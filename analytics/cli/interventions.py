"""`python -m analytics intervention add | list | withdraw | correct`: the register of process changes and
interventions (analytics.interventions). The command line works as the operating-system user, an analyst."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from analytics import interventions as register
from analytics import publish
from analytics.domain import access


def _me() -> access.Identity:
    return access.Identity(access.current_user(), access.ANALYST, access.LOCAL)


def run_intervention(args: argparse.Namespace) -> int:
    if args.action != "list":
        with publish.writing(args.db) as con:
            return _change(con, args)
    con = publish.reading(args.db, create=True)
    try:
        found = register.entries(con, include_withdrawn=not args.active)
    finally:
        con.close()
    if args.json:
        print(json.dumps([e.to_json_dict() for e in found], indent=2, ensure_ascii=False))
    elif not found:
        print("The register is empty.", file=sys.stderr)
    else:
        for e in found:
            print(f"#{e.id:<4} {e.started.isoformat()}  {e.type_label:<22} {e.where:<22} "
                  f"{register.AFFECTS[e.affects]:<14} {e.status:<20} {e.description}  "
                  f"(recorded by {e.recorded_by}, {e.recorded_at:%Y-%m-%d %H:%M})")
    return 0


def _change(con: Any, args: argparse.Namespace) -> int:
    if args.action == "add":
        e = register.add(con, _me(), started=args.date, type=args.type, description=args.description,
                         district=args.district, affects=args.affects)
        effect = "re-baselines the charts it applies to" if e.process_change else "is marked on the charts"
        print(f"Recorded {e.title} ({register.AFFECTS[e.affects]}): it {effect}.", file=sys.stderr)
    elif args.action == "withdraw":
        e = register.withdraw(con, _me(), args.id, args.reason)
        print(f"Withdrew {e.title}; it stays in the register, marked withdrawn.", file=sys.stderr)
    else:
        e = register.correct(con, _me(), args.id, started=args.date, type=args.type,
                             description=args.description, district=args.district, force_wide=args.force_wide,
                             affects=args.affects)
        print(f"Corrected #{args.id}: recorded {e.title} in its place; #{args.id} stays in the register, "
              "marked corrected.", file=sys.stderr)
    if args.json:
        print(json.dumps(e.to_json_dict(), ensure_ascii=False))
    return 0
