"""What every page view is made of: the selection it shows, its header, tables and charts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from analytics import interventions as register
from analytics.domain.kinds import Kind
from analytics.domain.periods import PERIOD_CHOICES, PERIOD_NOUNS, Period, make_period
from analytics.figures import coverage
from analytics.figures.common import Con
from analytics.figures.rates import district_names
from analytics.ingest.demo import SYNTHETIC_SOURCE
from analytics.report import charts, export, text
from analytics.report import formatting as fmt
from analytics.report.figure_spec import FigureSpec

KENT = "Kent"
SYNTHETIC_LABEL = "generated, not real"


def source_label(source: str) -> str:
    """A source as the sidebar and headers name it: the demo's synthetic source says it is not real data."""
    return f"{source} ({SYNTHETIC_LABEL})" if source == SYNTHETIC_SOURCE else source


F = TypeVar("F", bound=Callable[..., Any])


def one_source(build: F) -> F:
    """Marks a view built from one source's incidents and crimes alone (and what every source shares: reference
    files, registers, outcomes and measures loads): the source is its first argument after the cursor, a Selection
    or the source's name. The dashboard keeps such a view across loads into other sources (store.Versions)."""
    setattr(build, "one_source", True)  # noqa: B010 (a plain attribute on a function)
    return build


def source_of(build: Callable[..., Any], args: Sequence[Any]) -> str | None:
    """The one source a view marked one_source is built from, None for any other view (it depends on them all)."""
    if not getattr(build, "one_source", False) or not args:
        return None
    first = args[0]
    if isinstance(first, Selection):
        return first.source
    return first if isinstance(first, str) else None


def demo_loading_notice(failed: str | None = None) -> str:
    """What every page says while the first start loads the synthetic demo source in the background (the police.uk
    source was loaded and published first, so its figures are shown whole), or, with ``failed``, why it did not
    load."""
    if failed is not None:
        return (f"The **{SYNTHETIC_SOURCE}** demo source could not be loaded: {failed} The **police.uk** figures are "
                "complete; restart the dashboard to try again.")
    return (f"The **{SYNTHETIC_SOURCE}** demo source (a generated force extract, with the engagement and satisfaction "
            "measures and the case review register) is still loading, which takes a few seconds. The **police.uk** "
            f"figures shown are complete. **{SYNTHETIC_SOURCE}** joins the sidebar's source list once it has "
            "loaded: reload the page or change a filter.")


@dataclass(frozen=True)
class Selection:
    """The sidebar's choice: one source, a period (its end month and kind) and the whole force or one district."""

    source: str
    end: str
    kind: str  # a key of analytics.domain.periods.PERIOD_CHOICES
    district: str | None = None

    @property
    def period(self) -> Period:
        return make_period(self.end, self.kind)

    @property
    def area(self) -> str:
        return self.district or KENT


@dataclass(frozen=True)
class Table:
    """A table as shown (report strings) and as downloaded (numbers), and its download's file name, which names
    the measure, area, source and period (analytics.report.export.csv_file_name)."""

    shown: pd.DataFrame
    raw: pd.DataFrame
    file_name: str


def table(shown: pd.DataFrame, raw: pd.DataFrame, sel: Selection, measure: str, *, start: str | None = None,
          end: str | None = None) -> Table:
    """A table whose download says what it holds: every row carries the area and source, and the file name names
    the measure, area, source and period (the selection's period unless `start`/`end` say otherwise)."""
    name = export.csv_file_name(measure, sel.district, sel.source, start or sel.period.start, end or sel.period.end)
    return Table(shown, export.with_context(raw, area=sel.district, source=sel.source), name)


MIN_POINTS = 3  # a chart of fewer points is a sentence: two points make a line, not a trend


@dataclass(frozen=True)
class Chart:
    """A Plotly figure (as a spec) with its text alternative: a one-line summary and, optionally, its table.
    figure is None when there are too few points to draw (fewer than MIN_POINTS): the page shows the summary."""

    figure: dict[str, Any] | None
    summary: str
    table: Table | None = None


def chart(fig: FigureSpec, summary: str, table: Table | None = None, *, points: int | None = None) -> Chart:
    """A chart; with ``points`` (the values it would draw), fewer than MIN_POINTS make it a sentence."""
    if points is not None and points < MIN_POINTS:
        few = "no point" if points == 0 else ("one point" if points == 1 else f"{points} points")
        return Chart(None, f"{summary} (Only {few} to show, too few for a chart.)", table)
    return Chart(fig.to_dict(), summary, table)


def points(df: pd.DataFrame, column: str) -> int:
    """How many rows of a frame have a value in ``column``: the points a chart of it draws."""
    return int(df[column].notna().sum()) if column in df else 0


@dataclass(frozen=True)
class Header:
    """A page's title, the period compared, the area and source, what the page shows, and a warning when part of
    the period cannot be compared with a year earlier (with the latest month that can, when that differs)."""

    title: str
    heading: str
    where: str
    what: str
    note: str | None
    best_month: str | None


def header(con: Con, sel: Selection, title: str, what: str) -> Header:
    """The page's header; when part of the period cannot be compared with a year earlier, the warning names the
    latest month a period of the same length can end at and be compared (the jump button's month), or says there
    is none."""
    note = text.comparison_note(coverage.period_gaps(con, period=sel.period, source=sel.source))
    best = coverage.comparable_end_month(con, source=sel.source, kind=sel.kind) if note else None
    if note and best and best != sel.end:
        note += f" The latest month that can be compared is {fmt.month_label(best)}."
    elif note and best is None:
        noun = PERIOD_NOUNS.get(sel.kind, "period")
        note += f" No {noun} of this source can be compared with a year earlier."
    return Header(title, fmt.period_heading(sel.period.label), f"{sel.area}, {source_label(sel.source)} data", what,
                  note, best if best != sel.end else None)


@dataclass(frozen=True)
class SidebarChoices:
    """What the sidebar offers for a source: the periods it holds in full (the kinds of PERIOD_CHOICES with at least
    one), the months a period of the chosen kind can end at (only those holding every month of it) and the default
    one."""

    sources: list[str]
    kinds: list[str]
    kind: str  # the kind asked for when the source holds a period of it, else the one offered instead
    end_months: list[str]
    default_end: str | None
    districts: list[str]


def sidebar_choices(con: Con, source: str | None, kind: str | None = None) -> SidebarChoices:
    sources = coverage.loaded_sources(con)
    chosen = source if source in sources else (sources[0] if sources else None)
    if chosen is None:
        return SidebarChoices([], [], kind or "3m", [], None, district_names(con))
    kinds = [k for k in PERIOD_CHOICES if coverage.end_month_options(con, source=chosen, kind=k)]
    pick = kind if kind in kinds else ("3m" if "3m" in kinds else (kinds[0] if kinds else "1m"))
    return SidebarChoices(sources, kinds, pick, coverage.end_month_options(con, source=chosen, kind=pick),
                          coverage.default_end_month(con, source=chosen, kind=pick), district_names(con))


def chart_marks(con: Con, sel: Selection, kind: Kind, first: str, last: str) -> list[charts.Mark]:
    """The register's process changes and interventions to mark on a trend chart of `kind` for the selection's
    area, within first..last (rules: analytics.interventions.for_chart)."""
    changes, marks = register.for_chart(register.entries(con, include_withdrawn=False), kind=kind,
                                        district=sel.district, first=first, last=last)
    return charts.marks_for([*changes, *marks], district=sel.district)


@dataclass(frozen=True)
class Stat:
    """A headline figure without a year-on-year comparison: label, value, what it means, and a line under it."""

    label: str
    value: str
    help: str
    note: str = ""


@dataclass(frozen=True)
class Download:
    """A file ready to download: CSV bytes from analytics.report.export and a self-describing name."""

    label: str
    data: bytes
    file_name: str
