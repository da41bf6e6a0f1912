"""Figures: every number the dashboard, the command line and the pack show, from the store, for one source."""
