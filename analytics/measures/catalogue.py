"""The named measures a measures file may hold, and how each one is read.

- A **count** is a whole number: MCV members (a *level*, the number at the end of its period) or sign-ups and
  alerts (a *flow*, the number during its period, which sums over periods).
- A **survey** measure's value is the number of respondents satisfied, given with the number surveyed; its figure
  is the share satisfied, with a 95% Wilson interval. Both numbers sum over periods and districts.
- A **percent** measure is a comparison figure entered as it is published (e.g. the England and Wales average);
  it never sums and is force-wide.

Names match case-, space- and punctuation-insensitively, and by their synonyms ("MCV sign ups" = mcv_signups).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from analytics.domain.definitions import normalise_key


class Unit(StrEnum):
    COUNT = "count"
    SURVEY = "survey"
    PERCENT = "percent"


@dataclass(frozen=True)
class MeasureDef:
    name: str  # as written in a file and in the summary JSON
    title: str
    unit: Unit
    flow: bool  # sums over periods (sign-ups); a level (members) is the figure at its period's end
    nouns: tuple[str, str]
    synonyms: tuple[str, ...]
    help: str
    force_only: bool = False  # has no district figures

    @property
    def sums(self) -> bool:
        """Whether values add up over periods and districts (flows and survey counts)."""
        return self.unit is Unit.SURVEY or (self.unit is Unit.COUNT and self.flow)

    def counted(self, n: float) -> str:
        """'1 member', '9,512 members'."""
        one, many = self.nouns
        return f"{n:,.0f} {one if n == 1 else many}"


MCV_MEMBERS = "mcv_members"
MCV_SIGNUPS = "mcv_signups"
MCV_ALERTS = "mcv_alerts"
SATISFACTION = "asb_victim_satisfaction"
SATISFACTION_EW = "asb_victim_satisfaction_ew"

CATALOGUE: tuple[MeasureDef, ...] = (
    MeasureDef(MCV_MEMBERS, "MCV members", Unit.COUNT, False, ("member", "members"),
               ("MCV members", "My Community Voice members", "members", "MCV membership"),
               "My Community Voice members at the end of the period (a whole number)."),
    MeasureDef(MCV_SIGNUPS, "MCV sign-ups", Unit.COUNT, True, ("sign-up", "sign-ups"),
               ("MCV sign-ups", "MCV sign ups", "MCV signups", "sign-ups", "signups", "new members"),
               "People who joined My Community Voice during the period (a whole number)."),
    MeasureDef(MCV_ALERTS, "MCV alerts sent", Unit.COUNT, True, ("alert", "alerts"),
               ("MCV alerts", "MCV alerts sent", "alerts", "alerts sent", "MCV messages sent"),
               "Alerts (messages) sent through My Community Voice during the period (a whole number)."),
    MeasureDef(SATISFACTION, "ASB victim satisfaction", Unit.SURVEY, True, ("victim satisfied", "victims satisfied"),
               ("ASB victim satisfaction", "victim satisfaction", "satisfaction", "satisfied"),
               "The number of ASB victims surveyed in the period who were satisfied; give the number surveyed in "
               "the surveyed column."),
    MeasureDef(SATISFACTION_EW, "ASB victim satisfaction, England and Wales", Unit.PERCENT, False,
               ("per cent", "per cent"),
               ("ASB victim satisfaction England and Wales", "victim satisfaction England and Wales",
                "England and Wales average", "E&W satisfaction", "England and Wales satisfaction"),
               "A comparison figure: the share satisfied for England and Wales as published, in per cent "
               "(0-100), force-wide.", force_only=True),
)

_BY_KEY = {normalise_key(alias): m for m in CATALOGUE for alias in (m.name, m.title, *m.synonyms)}


def find(name: str) -> MeasureDef | None:
    """The measure a written name means, or None."""
    return _BY_KEY.get(normalise_key(name))


def get(name: str) -> MeasureDef:
    """The measure of a stored name; ValueError naming the known ones."""
    found = find(name)
    if found is None:
        raise ValueError(f"unknown measure {name!r}: use one of {', '.join(m.name for m in CATALOGUE)}")
    return found


def names_listed() -> str:
    """'mcv_members (MCV members), ...' for a message."""
    return ", ".join(f"{m.name} ({m.title})" for m in CATALOGUE)
