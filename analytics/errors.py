"""The small error hierarchy every layer raises and every front end (CLI, pages) shows."""

from __future__ import annotations


class DashboardError(Exception):
    """An error a user can act on: a short title and a plain-English message."""

    exit_code = 1

    def __init__(self, title: str, message: str) -> None:
        super().__init__(f"{title}: {message}")
        self.title = title
        self.message = message


class InputRefused(DashboardError):
    """The input was refused and the database is unchanged (command-line exit status 2)."""

    exit_code = 2


class DatabaseBusy(DashboardError):
    """Another process holds the database file for writing."""

    exit_code = 2


class NotFound(DashboardError):
    """A batch, source or month asked for does not exist."""

    exit_code = 2
