"""The Load history page (analysts): the audit trail, batches that can be rolled back, and rejected rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.figures.common import Con
from analytics.ingest.load import list_batches, rejected_rows, rollback
from analytics.report import audit
from analytics.views.common import Table
from analytics.views.data import whole_database_name


@dataclass(frozen=True)
class HistoryView:
    latest: str | None  # the latest load in a sentence; None when nothing was ever loaded
    table: pd.DataFrame
    download: Table  # the audit trail as a CSV that names what it holds
    live: dict[int, str]  # batches that can be rolled back: id -> label
    live_rows: dict[int, tuple[int, str]]  # id -> (live rows, file)
    with_rejects: dict[int, str]  # batches loaded with rejected rows: id -> label


def build(con: Con) -> HistoryView:
    batches = list_batches(con)
    live = [b for b in batches if b["status"] != "rolled back"]
    return HistoryView(
        latest=audit.latest_load_sentence(batches[0]) if batches else None,
        table=audit.audit_table(batches),
        download=Table(audit.audit_table(batches), audit.audit_table(batches),
                       whole_database_name("load-history", audit.months_span(batches))),
        live={b["id"]: audit.batch_label(b) for b in live},
        live_rows={b["id"]: (b["rows_live"], b["file"]) for b in live},
        with_rejects={b["id"]: audit.batch_label(b) for b in batches if b["rows_rejected"]},
    )


def rejects(con: Con, batch_id: int) -> pd.DataFrame:
    """The rejected rows of one batch: row number in the file, column, value and reason."""
    return pd.DataFrame(rejected_rows(con, batch_id), columns=["row", "column", "value", "reason"])


def rejects_file_name(batch_id: int) -> str:
    """'batch-7-rejected-rows.csv': the rows of one batch (a file name from data never names a download)."""
    return f"batch-{batch_id}-rejected-rows.csv"


def roll_back(con: Con, batch_id: int, user: str) -> str:
    """Roll a batch back and say what happened, in one sentence."""
    result = rollback(con, batch_id, user=user)
    restored = result["restored_batches"]
    return (f"Rolled back batch {batch_id} ({result['file']})."
            + (f" Rows it had replaced are live again (batch {', '.join(map(str, restored))})." if restored else ""))
