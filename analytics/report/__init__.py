"""The report: figures worded, formatted, charted and exported (summary, commentary, charts, CSV, the pack)."""
