"""Loading extracts: readers and validation (readers.py), loading into the fact tables (load.py).

``check_source_name`` is the one rule for source names, for the command line and the Upload page alike."""

from analytics.ingest.names import check_source_name

__all__ = ["check_source_name"]
