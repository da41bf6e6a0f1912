"""The audit trail and data-quality flags as tables and sentences for the screen and its downloads (no file hashes,
no personal data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analytics.domain.kinds import Kind, batch_kind_title
from analytics.domain.periods import describe_months
from analytics.figures.coverage import QualityFlag
from analytics.report import formatting as fmt

STATUS_WORDS = {"loaded": "Loaded", "partly replaced": "Partly replaced", "replaced": "Replaced",
                "rolled back": "Rolled back"}

Batch = Mapping[str, Any]


def stamp_text(stamp: str | None) -> str:
    """'2025-02-03T14:05:09' -> '2025-02-03 14:05'; '' when there is none."""
    return stamp.replace("T", " ")[:16] if stamp else ""


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def batch_history(batches: Sequence[Batch]) -> pd.DataFrame:
    """The Data page's short table of loads (analytics.ingest.load.list_batches rows), newest first."""
    return pd.DataFrame([{
        "Batch": b["id"], "File": b["file"], "Source": b["source"], "Holds": batch_kind_title(b["kind"]),
        "Loaded at": stamp_text(b["loaded_at"]), "Loaded by": b["loaded_by"], "Rows loaded": b["rows_loaded"],
        "Rows refused": b["rows_rejected"], "Rows in use": b["rows_live"], "Months": describe_months(b["months"]),
        "Status": status_word(b["status"]),
    } for b in batches], columns=["Batch", "File", "Source", "Holds", "Loaded at", "Loaded by", "Rows loaded",
                                  "Rows refused", "Rows in use", "Months", "Status"])


def audit_table(batches: Sequence[Batch]) -> pd.DataFrame:
    """The Load history page's table: the full audit trail, with rows read and roll-backs."""
    return pd.DataFrame([{
        "Batch": b["id"], "File": b["file"], "Source": b["source"], "Holds": batch_kind_title(b["kind"]),
        "Months": describe_months(b["months"]), "Rows read": b["rows_read"], "Loaded": b["rows_loaded"],
        "Rejected": b["rows_rejected"], "Live now": b["rows_live"], "Status": status_word(b["status"]),
        "Loaded by": b["loaded_by"], "Loaded at": stamp_text(b["loaded_at"]),
        "Rolled back by": b["rolled_back_by"] or "", "Rolled back at": stamp_text(b["rolled_back_at"]),
    } for b in batches])


def months_span(batches: Sequence[Batch]) -> tuple[str, str] | None:
    """The first and last month any of the batches holds, None when they hold none."""
    months = sorted(m for b in batches for m in b["months"])
    return (months[0], months[-1]) if months else None


def batch_label(batch: Batch) -> str:
    """How a batch is named in a picker: file, months, when and by whom."""
    return (f"Batch {batch['id']}: {batch['file']} ({describe_months(batch['months'])}, "
            f"loaded {stamp_text(batch['loaded_at'])} by {batch['loaded_by']})")


def latest_load_sentence(batch: Batch) -> str:
    """'batch 7, 2025-02-kent-street.csv, February 2025: 19,830 rows loaded by alice at … — loaded.'"""
    return (f"batch {batch['id']}, {batch['file']}, {describe_months(batch['months'])}: "
            f"{batch['rows_loaded']:,} rows loaded by {batch['loaded_by']} at {stamp_text(batch['loaded_at'])} — "
            f"{status_word(batch['status']).lower()}.")


def quality_table(flags: Mapping[str, Sequence[QualityFlag]]) -> pd.DataFrame:
    """Every source's gaps and partial months (source -> quality_flags) as one table."""
    rows = [{"Source": s, "Month": fmt.month_label(q.month), "Holds": Kind(q.kind).heading,
             "Issue": q.issue.capitalize(), "Detail": q.detail} for s, found in flags.items() for q in found]
    return pd.DataFrame(rows, columns=["Source", "Month", "Holds", "Issue", "Detail"])
