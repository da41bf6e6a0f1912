"""One typed view object per dashboard page, built from analytics.figures and analytics.report: the page draws it.

A view holds everything its page shows (headings, tiles, tables, chart specs and their text alternatives), so a
page only lays it out and the same numbers reach the command line and the pack through the same functions.
"""
