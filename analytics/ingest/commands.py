"""The loading subcommands of ``python -m analytics``: ingest, batches, rollback, demo."""

from __future__ import annotations

import argparse
import json
import sys
import time

from analytics import publish
from analytics.ingest.demo import load_demo
from analytics.ingest.load import LoadResult, list_batches, load_files, rollback


class TerminalProgress:
    """A one-line progress bar on stderr, shown only for loads that take more than a moment and only on a terminal."""

    def __init__(self, delay: float = 1.0, width: int = 30) -> None:
        self.start = time.monotonic()
        self.delay = delay
        self.width = width
        self.shown = False
        self.enabled = sys.stderr.isatty()

    def __call__(self, fraction: float, message: str) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        filled = int(self.width * min(max(fraction, 0.0), 1.0))
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {fraction:4.0%} {message[:60]:<60}")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * (self.width + 70) + "\r")
            sys.stderr.flush()


def _report(results: list[LoadResult]) -> None:
    for result in results:
        print(result.message, file=sys.stderr)
        for warning in result.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
        if result.rows_rejected:
            print(f"  {result.rows_rejected:,} rejected rows are kept with batch {result.batch_id}.", file=sys.stderr)


def run_ingest(args: argparse.Namespace) -> int:
    bar = TerminalProgress()
    try:
        with publish.writing(args.db) as con:
            results = load_files(
                con, args.files, source_format=args.source, source_name=args.name, sheet=args.sheet,
                replace=args.replace, accept_valid_rows=args.accept_valid_rows, progress=bar,
            )
    finally:
        bar.close()
    _report(results)
    return 0


def run_batches(args: argparse.Namespace) -> int:
    con = publish.reading(args.db)
    try:
        batches = list_batches(con)
    finally:
        con.close()
    if args.json:
        print(json.dumps(batches, indent=2, default=str))
        return 0
    if not batches:
        print("No batches loaded yet.", file=sys.stderr)
        return 0
    header = f"{'id':>4}  {'loaded at':<19}  {'by':<10}  {'source':<10}  {'kind':<9}  {'status':<15}  " \
             f"{'read':>8}  {'loaded':>8}  {'rejected':>8}  months  file"
    print(header)
    for b in batches:
        months = b["months"]
        span = f"{months[0]}..{months[-1]}" if len(months) > 1 else (months[0] if months else "-")
        print(f"{b['id']:>4}  {b['loaded_at']:<19}  {b['loaded_by'][:10]:<10}  {b['source'][:10]:<10}  "
              f"{b['kind']:<9}  {b['status']:<15}  {b['rows_read']:>8,}  {b['rows_loaded']:>8,}  "
              f"{b['rows_rejected']:>8,}  {span}  {b['file']}")
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    with publish.writing(args.db, create=False) as con:
        done = rollback(con, args.batch_id)
    restored = done["restored_batches"]
    extra = f"; rows it had replaced are live again (batch {', '.join(map(str, restored))})" if restored else ""
    print(f"Rolled back batch {done['id']} ({done['file']}){extra}.", file=sys.stderr)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    bar = TerminalProgress()
    try:
        with publish.writing(args.db) as con:
            results = load_demo(con, synthetic=args.synthetic, progress=bar)
    finally:
        bar.close()
    _report(results)
    return 0
