"""The register of process changes and interventions: what changed, or what the force did, when and where.

Two sorts of entry:

- a **process change** (a recording-rule change, a new recording system) changes how the figures are made, so
  the control charts it applies to are re-baselined from its month: limits recalculated from there, trial until
  12 months;
- an **intervention** (a PSPO, closure order, dispersal order, task-force operation, or another action) is marked
  on every trend chart it applies to and gets a before/after comparison with the XmR verdict.

An entry has a start date (charts use its month: the month it starts in is the first month "after"), applies to
ASB, crime or both, and to one district or the whole force. On a district's chart, the force-wide entries and that
district's apply; on a force-wide chart every intervention is marked (a district's named with it) but only
force-wide process changes re-baseline it, since a change in one district moves only part of the total.

Nothing is deleted. An entry is withdrawn (who, when, why), or corrected, which withdraws it and records the
corrected entry in its place (``replaces`` = the old id). Withdrawn entries stay in the list, marked withdrawn,
and mark or re-baseline nothing. Writing needs the ``interventions`` permission (analysts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

from analytics import store
from analytics.domain import access, definitions
from analytics.domain.periods import month_name
from analytics.errors import InputRefused, NotFound

# key -> words; the keys are those schema.sql allows
TYPES: dict[str, str] = {
    "pspo": "PSPO",
    "closure_order": "Closure order",
    "dispersal_order": "Dispersal order",
    "task_force": "Task-force operation",
    "recording_rule": "Recording-rule change",
    "new_system": "New system",
    "other": "Other",
}
PROCESS_CHANGES = frozenset({"recording_rule", "new_system"})
AFFECTS: dict[str, str] = {"both": "ASB and crime", "asb": "ASB", "crime": "Crime"}
FORCE_WIDE = "Force-wide"
MAX_DESCRIPTION = 1000
PERMISSION = "interventions"

_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")
_COLUMNS = ("id", "started", "district", "type", "affects", "description", "recorded_by", "recorded_at", "replaces",
            "withdrawn_by", "withdrawn_at", "withdrawn_reason", "replaced_by")


@dataclass(frozen=True)
class Entry:
    """One entry of the register (see module)."""

    id: int
    started: date
    district: str | None  # None: force-wide
    type: str
    affects: str  # 'asb' | 'crime' | 'both'
    description: str
    recorded_by: str
    recorded_at: datetime
    replaces: int | None = None
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None
    replaced_by: int | None = None

    @property
    def month(self) -> str:
        """'YYYY-MM' of the start date: the first month after, on the charts."""
        return f"{self.started.year:04d}-{self.started.month:02d}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def process_change(self) -> bool:
        return self.type in PROCESS_CHANGES

    @property
    def type_label(self) -> str:
        return TYPES.get(self.type, self.type)

    @property
    def where(self) -> str:
        return self.district or FORCE_WIDE

    @property
    def status(self) -> str:
        """'Active', 'Withdrawn' or 'Corrected (see #N)'."""
        if self.active:
            return "Active"
        return f"Corrected (see #{self.replaced_by})" if self.replaced_by is not None else "Withdrawn"

    @property
    def title(self) -> str:
        """'#3 PSPO, Swale, March 2025' — how lists and charts name the entry."""
        return f"#{self.id} {self.type_label}, {self.where}, {month_name(self.month)}"

    def applies_to(self, kind: str) -> bool:
        """Whether the entry concerns figures of `kind` ('asb' or 'crime')."""
        return self.affects in ("both", kind)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.started.isoformat(),
            "month": self.month,
            "district": self.district,
            "type": self.type,
            "type_label": self.type_label,
            "process_change": self.process_change,
            "affects": self.affects,
            "description": self.description,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(timespec="seconds"),
            "replaces": self.replaces,
            "status": self.status,
            "withdrawn_by": self.withdrawn_by,
            "withdrawn_at": None if self.withdrawn_at is None else self.withdrawn_at.isoformat(timespec="seconds"),
            "withdrawn_reason": self.withdrawn_reason,
            "replaced_by": self.replaced_by,
        }


def entries(con: duckdb.DuckDBPyConnection, *, include_withdrawn: bool = True) -> list[Entry]:
    """The register, by start date then id; withdrawn and corrected entries too unless include_withdrawn=False."""
    rows = con.execute(store.sql("register/entries")).fetchall()
    found = [Entry(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]
    return found if include_withdrawn else [e for e in found if e.active]


def entry(con: duckdb.DuckDBPyConnection, entry_id: int) -> Entry:
    for e in entries(con):
        if e.id == entry_id:
            return e
    raise NotFound("No such entry", f"The register has no entry #{entry_id}. List them with "
                                    "`python -m analytics intervention list`.")


def for_chart(
    found: Iterable[Entry], *, kind: str, district: str | None, first: str, last: str
) -> tuple[list[Entry], list[Entry]]:
    """(process changes that re-baseline, interventions to mark) of a chart of `kind` for `district` (None: the
    force) whose months run first..last, among the active entries `found` (rules: see module)."""
    changes: list[Entry] = []
    marks: list[Entry] = []
    for e in found:
        if not e.active or not e.applies_to(kind) or not first <= e.month <= last:
            continue
        if e.process_change:
            if e.district is None or e.district == district:
                changes.append(e)
        elif district is None or e.district in (None, district):
            marks.append(e)
    return changes, marks


# ---------------------------------------------------------------------------------------------------- input


def parse_date(text: str | date) -> date:
    """'2025-03-14' (or '2025-03', the first of the month) as a date; InputRefused otherwise."""
    if isinstance(text, date):
        return text
    match = _DATE_RE.match(str(text))
    try:
        if not match:
            raise ValueError
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        raise InputRefused("Bad date", f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-03-14 (or "
                                       "YYYY-MM for the first of the month).") from None


def check_type(value: str) -> str:
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for k, label in TYPES.items():
        if key in (k, label.lower().replace("-", "_").replace(" ", "_")):
            return k
    raise InputRefused("Unknown type", f"{value!r} is not a type of entry. Use one of: "
                                       f"{', '.join(k.replace('_', '-') for k in TYPES)}.")


def check_affects(value: str) -> str:
    key = str(value).strip().lower()
    if key not in AFFECTS:
        raise InputRefused("Unknown measure", f"{value!r}: an entry affects one of {', '.join(AFFECTS)}.")
    return key


def check_district(value: str | None) -> str | None:
    """A force district's canonical name; None (or 'force-wide') for the whole force."""
    if value is None or not str(value).strip() or definitions.normalise_key(str(value)) in ("force wide", "force"):
        return None
    name = definitions.match_district(str(value))
    if name is None:
        valid = ", ".join(d.name for d in definitions.districts())
        raise InputRefused("Unknown district", f"There is no district called {value!r}. Valid districts: {valid}; "
                                               "or leave it out for a force-wide entry.")
    return name


def check_description(value: str) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise InputRefused("No description", "Say what the entry is (e.g. 'PSPO covering Sheerness town centre: "
                                             "alcohol and dispersal powers').")
    if len(text) > MAX_DESCRIPTION:
        raise InputRefused("Description too long", f"The description has {len(text):,} characters; keep it to "
                                                   f"{MAX_DESCRIPTION:,}.")
    return text


# ---------------------------------------------------------------------------------------------------- writing


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _insert(con: duckdb.DuckDBPyConnection, who: access.Identity, started: date, district: str | None, type_: str,
            affects: str, description: str, replaces: int | None) -> int:
    row = con.execute(store.sql("register/add"), {
        "started": started, "district": district, "type": type_, "affects": affects, "description": description,
        "recorded_by": who.user, "recorded_at": _now(), "replaces": replaces,
    }).fetchone()
    assert row is not None
    return int(row[0])


def add(
    con: duckdb.DuckDBPyConnection,
    who: access.Identity,
    *,
    started: str | date,
    type: str,
    description: str,
    district: str | None = None,
    affects: str = "both",
) -> Entry:
    """Record a new entry, by `who` now. Bad input is refused and nothing is written."""
    access.require(who, PERMISSION, "Editing the interventions register")
    values = (parse_date(started), check_district(district), check_type(type), check_affects(affects),
              check_description(description))
    with store.transaction(con):
        new_id = _insert(con, who, values[0], values[1], values[2], values[3], values[4], None)
    return entry(con, new_id)


def withdraw(con: duckdb.DuckDBPyConnection, who: access.Identity, entry_id: int, reason: str) -> Entry:
    """Withdraw an entry: it stays in the register, with who withdrew it, when and why."""
    access.require(who, PERMISSION, "Editing the interventions register")
    why = check_description(reason) if str(reason or "").strip() else ""
    if not why:
        raise InputRefused("No reason", "Say why the entry is withdrawn (e.g. 'entered twice', 'order revoked').")
    current = entry(con, entry_id)
    if not current.active:
        raise InputRefused("Already withdrawn", f"Entry #{entry_id} was withdrawn by {current.withdrawn_by} on "
                                                f"{current.withdrawn_at:%Y-%m-%d %H:%M}; nothing was changed.")
    with store.transaction(con):
        con.execute(store.sql("register/withdraw"),
                    {"id": entry_id, "withdrawn_by": who.user, "withdrawn_at": _now(), "reason": why}).fetchall()
    return entry(con, entry_id)


def correct(
    con: duckdb.DuckDBPyConnection,
    who: access.Identity,
    entry_id: int,
    *,
    started: str | date | None = None,
    type: str | None = None,
    description: str | None = None,
    district: str | None = None,
    force_wide: bool = False,
    affects: str | None = None,
) -> Entry:
    """Correct an entry: the old one is withdrawn ("corrected") and a new one, with the changes and the rest as
    before, is recorded in its place (replaces = the old id). Returns the new entry."""
    access.require(who, PERMISSION, "Editing the interventions register")
    old = entry(con, entry_id)
    if not old.active:
        raise InputRefused("Entry withdrawn", f"Entry #{entry_id} is withdrawn ({old.status.lower()}); correct the "
                                              "entry in its place, or add a new one.")
    new = (
        old.started if started is None else parse_date(started),
        None if force_wide else (old.district if district is None else check_district(district)),
        old.type if type is None else check_type(type),
        old.affects if affects is None else check_affects(affects),
        old.description if description is None else check_description(description),
    )
    if new == (old.started, old.district, old.type, old.affects, old.description):
        raise InputRefused("Nothing to correct", f"The corrected entry would be the same as #{entry_id}; nothing "
                                                 "was changed.")
    with store.transaction(con):
        new_id = _insert(con, who, *new, entry_id)
        con.execute(store.sql("register/withdraw"), {"id": entry_id, "withdrawn_by": who.user,
                                                     "withdrawn_at": _now(),
                                                     "reason": f"Corrected: replaced by #{new_id}"}).fetchall()
    return entry(con, new_id)
