"""The Interventions page (analysts): the register of process changes and interventions, adding, correcting and
withdrawing entries (analytics.interventions). Nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from analytics import interventions as register
from analytics.domain import access, definitions
from analytics.figures.common import Con
from analytics.report import control_text
from analytics.views.common import Table

WHAT = ("What changed, or what the force did, when and where. A process change (a recording-rule change, a new "
        "system) re-baselines the control charts from its month; an intervention (a PSPO, closure or dispersal "
        "order, task-force operation) is marked on every trend chart and gets a before/after comparison on the "
        "Control charts page. Entries are never deleted: withdraw or correct them.")


@dataclass(frozen=True)
class Draft:
    """An entry's fields as the form shows them."""

    started: date
    type: str
    district: str | None
    affects: str
    description: str


@dataclass(frozen=True)
class RegisterView:
    table: Table
    active: dict[int, str]  # entries that can be corrected or withdrawn: id -> title
    drafts: dict[int, Draft]  # their fields, to fill the correction form
    types: dict[str, str]
    affects: dict[str, str]
    districts: list[str]  # force-wide first


def build(con: Con) -> RegisterView:
    found = register.entries(con)
    live = [e for e in reversed(found) if e.active]
    shown = control_text.register_table(found)
    return RegisterView(
        table=Table(shown, shown, "interventions-register"),
        active={e.id: f"{e.title}: {e.description[:60]}" for e in live},
        drafts={e.id: Draft(e.started, e.type, e.district, e.affects, e.description) for e in live},
        types=dict(register.TYPES),
        affects=dict(register.AFFECTS),
        districts=[register.FORCE_WIDE, *(d.name for d in definitions.districts())],
    )


def _district(value: str | None) -> str | None:
    return None if value in (None, register.FORCE_WIDE) else value


def add(con: Con, who: access.Identity, draft: Draft) -> str:
    e = register.add(con, who, started=draft.started, type=draft.type, description=draft.description,
                     district=_district(draft.district), affects=draft.affects)
    effect = "re-baselines the charts it applies to" if e.process_change else "is marked on the trend charts"
    return f"Recorded {e.title}: it {effect}."


def correct(con: Con, who: access.Identity, entry_id: int, draft: Draft) -> str:
    district = _district(draft.district)
    e = register.correct(con, who, entry_id, started=draft.started, type=draft.type, description=draft.description,
                         district=district, force_wide=district is None, affects=draft.affects)
    return f"Corrected #{entry_id}: {e.title} is recorded in its place; #{entry_id} stays in the register."


def withdraw(con: Con, who: access.Identity, entry_id: int, reason: str) -> str:
    e = register.withdraw(con, who, entry_id, reason)
    return f"Withdrew {e.title}. It stays in the register, marked withdrawn, and no longer marks or re-baselines."
