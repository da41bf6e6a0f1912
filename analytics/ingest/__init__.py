"""Loading extracts: readers and validation (readers.py), loading into the fact tables (load.py)."""
