"""What the figures count, and the words for it.

A **kind** is what a fact row is: an ASB incident or a recorded crime. A source *covers* a month for a kind when it
has rows of that kind in the month (DESIGN §4). A **measure** is what a figure counts: ASB incidents, victim-based
crime (VBC) or all recorded crime; each measure counts rows of one kind. ASB is never counted as crime.

The enums are the allow-list of the identifiers that reach SQL text (a view name and a filter on it).
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    ASB = "asb"
    CRIME = "crime"

    @property
    def word(self) -> str:
        """Inside a sentence: 'no ASB rows', 'no crime rows'."""
        return "ASB" if self is Kind.ASB else "crime"

    @property
    def heading(self) -> str:
        """In a table or heading: 'ASB', 'Crime'."""
        return "ASB" if self is Kind.ASB else "Crime"

    @property
    def nouns(self) -> tuple[str, str]:
        return ("ASB incident", "ASB incidents") if self is Kind.ASB else ("crime", "crimes")

    def counted(self, n: int) -> str:
        """'1 ASB incident', '1,571 crimes'."""
        one, many = self.nouns
        return f"{n:,} {one if n == 1 else many}"

    @property
    def view(self) -> str:
        """The view of live rows (schema.sql)."""
        return "asb" if self is Kind.ASB else "crime"

    @property
    def counts(self) -> str:
        """The monthly aggregate of the live rows (schema.sql) the figures read: the view's columns the figures
        group and filter by, and n, the rows each row stands for."""
        return "asb_counts" if self is Kind.ASB else "crime_monthly"

    @property
    def table(self) -> str:
        """The fact table."""
        return "asb_incidents" if self is Kind.ASB else "crimes"


# batches.kind: a police.uk street-level file holds both kinds; a police.uk outcomes file holds outcomes of crimes
BATCH_KIND_TITLES = {"asb": "ASB", "crime": "Crime", "asb+crime": "ASB and crime", "outcomes": "Crime outcomes"}


def batch_kind_title(kind: str) -> str:
    """'ASB', 'Crime' or 'ASB and crime' for a batch's kind."""
    return BATCH_KIND_TITLES.get(kind, kind)


def kinds_phrase(kinds: set[str]) -> str:
    """'ASB', 'crime' or 'ASB and crime' for a set of kinds, ASB first."""
    return " and ".join(Kind(k).word for k in sorted(kinds, key=lambda k: (k != Kind.ASB, k)))


class Measure(StrEnum):
    ASB = "asb"
    VBC = "vbc"
    ALL_CRIME = "all_crime"

    @property
    def label(self) -> str:
        return {"asb": "ASB incidents", "vbc": "Victim-based crime", "all_crime": "All crime"}[self.value]

    @property
    def kind(self) -> Kind:
        return Kind.ASB if self is Measure.ASB else Kind.CRIME

    @property
    def noun(self) -> str:
        """The thing counted, singular: 'incident' or 'crime'."""
        return "incident" if self is Measure.ASB else "crime"

    @property
    def row_filter(self) -> str:
        """The SQL filter on the kind's view that selects the measure's rows."""
        return "vbc" if self is Measure.VBC else "TRUE"


def measure(value: str) -> Measure:
    """The Measure a name means; ValueError naming the valid ones."""
    try:
        return Measure(value)
    except ValueError:
        raise ValueError(f"unknown measure {value!r}: use one of {', '.join(m.value for m in Measure)}") from None
