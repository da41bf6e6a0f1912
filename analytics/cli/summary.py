"""`python -m analytics summary`: the performance report's figures as text, or one JSON object with --json."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from analytics import publish
from analytics.domain.periods import make_period
from analytics.errors import InputRefused
from analytics.report.summary import build_summary, render_text


def run_summary(args: argparse.Namespace) -> int:
    try:
        period = make_period(args.end, f"{args.months}m")
    except ValueError as e:
        raise InputRefused("Bad period", str(e)) from e
    as_at = None
    if args.as_at is not None:
        try:
            as_at = date.fromisoformat(args.as_at)
        except ValueError as e:
            raise InputRefused("Bad date", f"--as-at {args.as_at!r} is not a date: write it as YYYY-MM-DD, "
                               "e.g. 2025-12-31.") from e
    con = publish.reading(args.db)
    try:
        summary = build_summary(con, period=period, source=args.source, district=args.district, as_at=as_at)
    finally:
        con.close()
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(summary))
    return 0
