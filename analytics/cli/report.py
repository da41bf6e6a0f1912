"""`python -m analytics report`: the performance pack for a period as an Excel workbook or a PDF."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from analytics import publish
from analytics.domain.periods import make_period
from analytics.errors import InputRefused
from analytics.report.pack import files
from analytics.views.pack_sections import build_pack

SUFFIXES = {".xlsx": "xlsx", ".pdf": "pdf"}


def run_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    kind = SUFFIXES.get(out.suffix.lower())
    if kind is None:
        raise InputRefused("Bad output file", f"--out {args.out!r}: the pack is written as an Excel workbook or a "
                                              "PDF, so the file name must end in .xlsx or .pdf.")
    if not out.parent.is_dir():
        raise InputRefused("Bad output file", f"--out {args.out!r}: the folder {str(out.parent)!r} does not exist.")
    if args.threshold < 0:
        raise InputRefused("Bad threshold", f"--threshold {args.threshold}: give a whole number of 0 or more.")
    if args.months < 1:
        raise InputRefused("Bad period", f"--months {args.months}: give a whole number of 1 or more.")
    try:
        period = make_period(args.end, f"{args.months}m")
    except ValueError as e:
        raise InputRefused("Bad period", str(e)) from e
    started = time.perf_counter()
    con = publish.reading(args.db, create=True)
    try:
        pack = build_pack(con, period=period, source=args.source, district=args.district, public=args.public,
                          threshold=args.threshold)
    finally:
        con.close()
    written = files.write(pack, kind)
    # written next to its final name and renamed, so a reader never sees half a file
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(written.data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if written.charts_failed:
        print(f"Charts not drawn ({written.charts_failed}); the pack says so in their place.", file=sys.stderr)
    what = "public " if pack.public else ""
    print(f"Wrote the {what}performance pack for {pack.cover.period}, {pack.cover.area}, {pack.cover.source} to "
          f"{out} ({len(written.data):,} bytes, {time.perf_counter() - started:.1f} s).", file=sys.stderr)
    return 0
