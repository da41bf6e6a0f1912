"""The small error hierarchy every layer raises and every front end (CLI, pages) shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


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


class UnknownFormat(InputRefused):
    """The file's columns are those of none of the formats the loader reads (choosing the format may help)."""


class ColumnsMissing(InputRefused):
    """A required column is missing, or the column mapping given is wrong: a mapping can put it right."""


class DatabaseBusy(DashboardError):
    """Another process holds the database file for writing."""

    exit_code = 2


class NotFound(DashboardError):
    """A batch, source or month asked for does not exist."""

    exit_code = 2


class DatabaseError(DashboardError):
    """DuckDB failed in a way no other error explains (a damaged file, a full disk)."""


@contextmanager
def translated() -> Iterator[None]:
    """The one place a DuckDB error becomes the project's own: every front end (command line, pages) runs its work
    inside this, so a user never sees a raw driver error."""
    try:
        yield
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DatabaseError("Database error", f"The database could not complete the request: {first}. Nothing "
                            "was changed by the unfinished step.") from e
