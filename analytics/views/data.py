"""The Data page: months covered per source, gaps and partial months, and the history of loads."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.figures import coverage
from analytics.figures.common import Con
from analytics.ingest.load import list_batches
from analytics.report import audit, charts, export, text
from analytics.report import formatting as fmt
from analytics.views.common import Chart, Table, chart

COVERAGE_COLUMNS = ["source", "kind", "month", "count"]
COVERAGE_LABELS = {"source": "Source", "kind": "Holds", "count": "Rows"}


@dataclass(frozen=True)
class DataView:
    coverage: Chart
    quality: pd.DataFrame  # empty when there are no gaps and no partial months
    history: Table


def build(con: Con) -> DataView:
    cov = coverage.coverage(con)
    flags = {s: coverage.quality_flags(con, source=s) for s in coverage.loaded_sources(con)}
    span = (str(cov["month"].min()), str(cov["month"].max())) if len(cov) else None
    cov_table = Table(fmt.display_table(cov, COVERAGE_COLUMNS, labels=COVERAGE_LABELS),
                      fmt.display_table(cov, COVERAGE_COLUMNS, labels=COVERAGE_LABELS, formatted=False),
                      whole_database_name("months-covered", span))
    batches = list_batches(con)
    history = audit.batch_history(batches)
    return DataView(
        coverage=chart(charts.coverage_heatmap(cov, flags), text.coverage_sentence(cov, flags), cov_table),
        quality=audit.quality_table(flags),
        history=Table(history, history, whole_database_name("load-history", audit.months_span(batches))),
    )


def whole_database_name(measure: str, span: tuple[str, str] | None) -> str:
    """A download of every source ('load-history_kent_all-sources_2024-01-to-2025-12.csv'): each row names its
    source, the file name the months the rows cover."""
    if span is None:
        return f"{export.slug(measure)}_kent_all-sources.csv"
    return export.csv_file_name(measure, None, "all sources", *span)
