"""The pack's content for a period, source and area: a cover and the sections, from the functions the screen uses.

Sections are a registry: SECTIONS lists functions of a Context that return a Section (or None when it has nothing
to show), in the order the pack prints them. A new section is one function added to that list; the Excel and PDF
writers draw whatever the sections hold. Public mode (analytics.report.pack.public) works on the finished sections,
so a section never has to know about suppression beyond declaring its tables' relations (model.Suppressible).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from analytics.domain.kinds import Measure
from analytics.domain.periods import Period, month_name, range_label
from analytics.figures import breakdowns, counts, coverage, solved
from analytics.figures.common import Con, cells, check_district
from analytics.figures.rates import rates_per_1000
from analytics.report import charts, text, tiles
from analytics.report import formatting as fmt
from analytics.report.export import ALL_KENT, csv_file_name
from analytics.report.pack import public as public_mode
from analytics.report.pack.model import (
    Block,
    Chart,
    Column,
    Cover,
    Pack,
    Section,
    Suppressible,
    Table,
    Text,
)
from analytics.report.summary import build_summary, choose_source
from analytics.report.suppression import DEFAULT_THRESHOLD

TITLE = "ASB and crime performance pack"
TOTAL = "Total"
TREND_MONTHS = 25
RATES_CAVEAT = ("Rates use ONS mid-2023 resident population. Resident population is a poor denominator for town "
                "centres, which draw visitors: read high rates there with care. Rows outside the force area or with "
                "no district are in no district's rate.")


@dataclass
class Context:
    """What every section builder is given: the database, the period, source and area, and the summary JSON (the
    figures of `python -m analytics summary --json`), with the frames sections share computed once."""

    con: Con
    period: Period
    source: str
    district: str | None
    summary: dict[str, Any]
    public: bool = False
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @property
    def args(self) -> dict[str, Any]:
        return {"period": self.period, "source": self.source, "district": self.district}

    @property
    def area(self) -> str:
        return self.district or ALL_KENT

    def memo(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def comparison(self, measure: Measure) -> pd.DataFrame:
        frame: pd.DataFrame = self.memo(("comparison", measure), lambda: counts.comparison(
            self.con, measure=measure, **self.args))
        return frame

    def breakdown(self, measure: Measure, by: str) -> pd.DataFrame:
        frame: pd.DataFrame = self.memo(("breakdown", measure, by), lambda: breakdowns.breakdown(
            self.con, measure=measure, by=by, **self.args))
        return frame


SectionBuilder = Callable[[Context], Section | None]


# ------------------------------------------------------------------------------------------------ cells and tables


def value(v: Any) -> Any:
    """A table cell as the pack holds it: None for missing, int for counts, float for rounded figures."""
    if v is None or v is pd.NA:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, bool):
        return v
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    return v


def yoy_columns(last_label: str) -> tuple[Column, ...]:
    return (Column("count", "Recorded", "count"), Column("last_year", last_label, "count"),
            Column("pct_change", "% change", "pct"), Column("change", "Change", "change"),
            Column("signal", "Signal", "signal"))


YOY_FIELDS = ("count", "last_year", "pct_change", "change", "signal")


def yoy_suppressible(*, total: bool, links: Sequence[tuple[int, str, str]] = (), left_out_with: tuple[str, ...] = (),
                     this: str = "count", last: str = "last_year",
                     shown: tuple[str, ...] = ()) -> Suppressible:
    return Suppressible(count_columns=(this, last), total_row=total, difference=(this, last, "change"),
                        pct_columns={"pct_change": last}, derived_columns={"signal": (this, last)},
                        shown_columns=shown, links=tuple(links), left_out_with=left_out_with)


def total_links(row: int, key: str) -> list[tuple[int, str, str]]:
    """The links of a measure's period Total: the same three figures wherever the pack shows them."""
    return [(row, col, f"{key}:total:{col}") for col in ("count", "last_year", "change")]


def comparison_table(ctx: Context, measure: Measure, key: str, title: str) -> Table:
    """A measure's report table: each month of the period against the same month last year, then the Total."""
    df = ctx.comparison(measure)
    rows = [(r["label"], *(value(r[f]) for f in YOY_FIELDS)) for _, r in df.iterrows()]
    return Table(key, title, (Column("label", "Month", "text"), *yoy_columns("Same month last year")), tuple(rows),
                 total=True, suppressible=yoy_suppressible(total=True, links=total_links(len(rows) - 1,
                                                                                          measure.value)))


def _total_row(rows: Sequence[tuple[Any, ...]], label: str) -> tuple[Any, ...]:
    """The Total of breakdown rows (name, count, last_year, ...): a side is None unless every row has it."""
    def sum_of(i: int) -> int | None:
        found = [r[i] for r in rows]
        return None if not found or any(v is None for v in found) else int(sum(found))

    c = cells(sum_of(1), sum_of(2))
    return (label, c["count"], c["last_year"], value(c["pct_change"]), c["change"], bool(c["signal"]))


def breakdown_table(key: str, title: str, df: pd.DataFrame, *, name_label: str, total_key: str,
                    row_key: str | None = None, note: str | None = None) -> Table:
    """A breakdown (name, count, last_year, % change, change, signal) ranked by change, with its Total row.

    total_key: the Total's link (the measure's period total); row_key: rows linked by name (districts)."""
    rows = [(r["name"], *(value(r[f]) for f in YOY_FIELDS)) for _, r in df.iterrows()]
    rows.append(_total_row(rows, TOTAL))
    links = total_links(len(rows) - 1, total_key)
    if row_key:
        links += [(i, col, f"{row_key}:{r[0]}:{col}") for i, r in enumerate(rows[:-1])
                  for col in ("count", "last_year", "change")]
    return Table(key, title, (Column("name", name_label, "text"), *yoy_columns("Same period last year")),
                 tuple(rows), total=True, note=note, suppressible=yoy_suppressible(total=True, links=links))


# ------------------------------------------------------------------------------------------------ the cover


def _day(d: datetime) -> str:
    return f"{d.day} {month_name(f'{d.year:04d}-{d.month:02d}')}"


def data_as_at(con: Con, source: str) -> tuple[str, str]:
    """('Data as at 2 December 2026 (latest month loaded: December 2025)', 'Data as at 2 December 2026'):
    the day the source's rows in use were last loaded, and the latest month they cover."""
    loaded = coverage.last_loaded(con, source=source)
    latest = coverage.latest_month(con, source=source)
    short = f"Data as at {_day(loaded)}" if loaded else "Data as at: nothing loaded"
    return f"{short} (latest month loaded: {fmt.month_label(latest)})", short


def definitions(ctx: Context) -> tuple[tuple[str, str], ...]:
    """The definitions the figures use, as the cover states them (the solved outcomes and victim-based crime types
    from the reference files the figures are counted with)."""
    solved_block = ctx.summary["victim_based_crime"]["solved"]
    basis = str(solved_block.get("basis", "cohort"))
    outcomes = "; ".join(f"{o} {d}" for o, d in coverage.solved_outcomes(ctx.con))
    maturity = ("Outcome maturity: a crime still under investigation counts as not solved, so recent months' rates "
                "rise as investigations finish; a comparison is like-for-like only when both periods' outcomes are "
                "equally mature.")
    like = solved_block.get("like_for_like")
    if like is False:
        maturity += " This period's comparison is not like-for-like: its change is not called a signal."
    vbc_types = ", ".join(coverage.victim_based_crime_types(ctx.con))
    return (
        ("Months compared", f"{ctx.period.label} against the same months a year earlier "
                   f"({range_label(ctx.period.last_year[0], ctx.period.last_year[-1])}). ASB by the month reported, "
                   "crime by the month recorded."),
        ("Solved rate", f"{tiles.basis_text(basis)} {maturity}"),
        ("Outcomes counted as solved", f"From the outcomes reference file: {outcomes}. On police.uk data charged "
                                       "crimes appear as court outcomes, which count as outcome 1."),
        ("Victim-based crime", f"The crime types {vbc_types} (offence groups reference file). Drugs, possession of "
                               "weapons, public order and other crimes against society are not victim-based. ASB is "
                               "never counted as crime."),
        ("Signal test", fmt.SIGNAL_CAPTION),
        ("Changes", "Change = this year − last year; % change = change ÷ last year × 100, rounded once to one "
                    "decimal place, half away from zero. ▲ a rise, ▼ a fall. n/a: cannot be computed (a month the "
                    "source does not cover, or last year 0)."),
        ("Coverage", "A month with no rows from the source is not covered: it has no count (n/a), never 0. A total "
                     "needs every month of its period covered, a change the same months a year earlier too."),
        ("Rates per 1,000", RATES_CAVEAT),
    )


def cover(ctx: Context, built: datetime) -> Cover:
    long, short = data_as_at(ctx.con, ctx.source)
    p = ctx.period
    last = range_label(p.last_year[0], p.last_year[-1])
    facts = (("Period", p.label), ("Compared with", f"{last} (the same months a year earlier)"),
             ("Area", ctx.area), ("Source", ctx.source), ("Data as at", long.removeprefix("Data as at ")),
             ("Prepared", f"{_day(built)} {built:%H:%M}"),
             ("Version", "Public: small numbers hidden" if ctx.public
              else "Internal: small numbers are not hidden; not for publication"))
    return Cover(TITLE, p.label, fmt.period_heading(p.label), p.start, p.end, ctx.area, ctx.source, long, short,
                 facts, definitions(ctx))


# ------------------------------------------------------------------------------------------------ sections


def _trend(ctx: Context, measure: Measure, draws_on: tuple[str, ...]) -> Chart:
    series = counts.monthly_series(ctx.con, measure=measure, source=ctx.source, end=ctx.period.end,
                                   months=TREND_MONTHS, district=ctx.district)
    shown = [int(v) for col in ("count", "last_year") for v in series[col].tolist() if value(v) is not None]
    return Chart(f"{measure.value}-trend", f"{measure.label} by month, {TREND_MONTHS} months",
                 charts.trend(series).to_dict(),
                 text.trend_sentence(measure, series), draws_on=draws_on, counts=tuple(shown))


def commentary_section(ctx: Context) -> Section:
    quoted = ("asb-by-month", "asb-call-types", "vbc-by-month", "solved-rate", "all-crime-by-month")
    return Section("commentary", "Commentary", (
        Text(tuple(ctx.summary["commentary"]), bullets=True, draws_on=quoted),
        _trend(ctx, Measure.ASB, ("asb-by-month", "asb-rolling-12", "asb-calendar-years", "asb-financial-years")),
        _trend(ctx, Measure.VBC, ("vbc-by-month", "vbc-rolling-12", "vbc-calendar-years", "vbc-financial-years")),
    ))


def asb_section(ctx: Context) -> Section:
    comp = ctx.comparison(Measure.ASB)
    sentence = text.comparison_sentence(Measure.ASB, comp, ctx.period)
    districts = breakdown_table("asb-by-district", "ASB incidents by district", ctx.breakdown(Measure.ASB, "district"),
                                name_label="District", total_key="asb", row_key="asb:district")
    return Section("asb", "ASB", (
        Text((sentence,), draws_on=("asb-by-month",)),
        comparison_table(ctx, Measure.ASB, "asb-by-month", "ASB incidents by month"),
        districts,
    ))


def vbc_section(ctx: Context) -> Section:
    comp = ctx.comparison(Measure.VBC)
    all_comp = ctx.comparison(Measure.ALL_CRIME)
    return Section("vbc", "Victim-based crime", (
        Text((text.comparison_sentence(Measure.VBC, comp, ctx.period),), draws_on=("vbc-by-month",)),
        comparison_table(ctx, Measure.VBC, "vbc-by-month", "Victim-based crime by month"),
        Text((text.comparison_sentence(Measure.ALL_CRIME, all_comp, ctx.period),), draws_on=("all-crime-by-month",)),
        comparison_table(ctx, Measure.ALL_CRIME, "all-crime-by-month", "All recorded crime by month"),
    ))


def solved_section(ctx: Context) -> Section:
    rate = solved.solved_rate(ctx.con, **ctx.args)
    s = ctx.summary["victim_based_crime"]["solved"]
    rows = (("This period", s["count"], s["total"], s["rate"], s["pp_change"], bool(s["signal"])),
            ("Same period last year", s["last_year_count"], s["last_year_total"], s["last_year_rate"], None, None))
    table = Table("solved-rate", "Victim-based crime solved rate", (
        Column("label", "Period", "text"), Column("solved", "Solved", "count"),
        Column("total", "Crimes recorded", "count"), Column("rate", "Solved rate", "rate"),
        Column("pp_change", "Change", "pp"), Column("signal", "Signal", "signal")), rows,
        suppressible=Suppressible(count_columns=("solved", "total"), rate_columns={"rate": ("solved", "total")},
                                  derived_columns={"signal": ("solved",)}, shown_columns=("pp_change",),
                                  whole_table=("pp_change", "signal"),
                                  links=((0, "total", "vbc:total:count"), (1, "total", "vbc:total:last_year"))))
    series = solved.solved_rate_series(ctx.con, source=ctx.source, end=ctx.period.end, months=TREND_MONTHS,
                                       district=ctx.district)
    small = [int(v) for col in ("solved", "total") for v in series[col].tolist() if value(v) is not None]
    small += [9] * sum(1 for v in series["total"].tolist() if value(v) is not None and 0 < int(v) < 10)
    basis = tiles.basis_text(rate.basis) + " " + tiles.SERIES_MATURITY
    return Section("solved", "Solved rate", (
        Text((text.solved_sentence(rate, ctx.period),), draws_on=("solved-rate",)),
        table,
        Text((basis,), note=True),
        Chart("solved-trend", "Solved rate by month recorded, 25 months",
              charts.solved_rate_trend(series).to_dict(),
              text.rate_series_sentence(series), draws_on=("solved-rate", "vbc-by-month"), counts=tuple(small)),
    ))


def call_types_section(ctx: Context) -> Section:
    df = ctx.breakdown(Measure.ASB, "call_type")
    if df.empty:
        return Section("call-types", "ASB call types", (Text((
            "This source records no ASB call types (police.uk publishes ASB incidents without them).",)),))
    blocks: list[Block] = [Text((text.breakdown_sentence(df, "call types"),), draws_on=("asb-call-types",)),
                           breakdown_table("asb-call-types", "ASB incidents by call type", df,
                                           name_label="Call type", total_key="asb")]
    if text.has_comparison(df):
        blocks.append(Chart("asb-call-types-chart", "Call types: largest reductions and increases",
                            charts.diverging_change(df, top=6).to_dict(), text.breakdown_sentence(df, "call types"),
                            draws_on=("asb-call-types",), height=420))
    return Section("call-types", "ASB call types", tuple(blocks))


def _crime_types(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(victim-based crime types, other crime types) as breakdown frames: other = all crime − victim-based."""
    vbc = ctx.breakdown(Measure.VBC, "crime_type")
    every = ctx.breakdown(Measure.ALL_CRIME, "crime_type")
    by_name = {r["name"]: (value(r["count"]), value(r["last_year"])) for _, r in vbc.iterrows()}
    rows = []
    for _, r in every.iterrows():
        c, ly = value(r["count"]), value(r["last_year"])
        vc, vly = by_name.get(r["name"], (0 if c is not None else None, 0 if ly is not None else None))
        oc = None if c is None or vc is None else c - vc
        oly = None if ly is None or vly is None else ly - vly
        if (oc or 0) == 0 and (oly or 0) == 0:
            continue
        rows.append({"name": r["name"], **cells(oc, oly)})
    rows.sort(key=lambda x: (0, x["change"], x["name"]) if x["change"] is not None
              else (1, -(x["count"] or 0), x["name"]))
    other = pd.DataFrame(rows, columns=["name", "count", "last_year", "change", "pct_change", "z", "signal"])
    return vbc, other


def crime_types_section(ctx: Context) -> Section:
    vbc, other = _crime_types(ctx)
    if vbc.empty and other.empty:
        return Section("crime-types", "Crime types", (Text(("No crimes recorded in this period for this source.",)),))
    vbc_table = breakdown_table("vbc-crime-types", "Victim-based crime by crime type", vbc, name_label="Crime type",
                                total_key="vbc")
    other_table = breakdown_table("other-crime-types", "Other crime by crime type", other, name_label="Crime type",
                                  total_key="other")
    # victim-based + other = all crime: shown as a table, so public mode sees the relation between the totals
    vbc_total = ctx.comparison(Measure.VBC).iloc[-1]
    all_total = ctx.comparison(Measure.ALL_CRIME).iloc[-1]
    v = [value(vbc_total[f]) for f in ("count", "last_year")]
    a = [value(all_total[f]) for f in ("count", "last_year")]
    o = [None if x is None or y is None else y - x for x, y in zip(v, a, strict=True)]
    split_rows = []
    for label, (this, last) in (("Victim-based crime", v), ("Other crime", o), ("All crime", a)):
        c = cells(this, last)
        split_rows.append((label, this, last, value(c["pct_change"]), c["change"], bool(c["signal"])))
    links = total_links(0, "vbc") + total_links(1, "other") + total_links(2, "all_crime")
    split = Table("crime-split", "Victim-based and other crime", (Column("name", "Crime", "text"),
                                                                  *yoy_columns("Same period last year")),
                  tuple(split_rows), total=True, suppressible=yoy_suppressible(total=True, links=links))
    blocks: list[Block] = [Text((text.breakdown_sentence(vbc, "victim-based crime types"),),
                                draws_on=("vbc-crime-types",)), vbc_table,
                           *((other_table,) if len(other) else ()), split]
    every = ctx.breakdown(Measure.ALL_CRIME, "crime_type")
    if text.has_comparison(every):
        blocks.append(Chart("crime-types-chart", "Crime types: largest reductions and increases",
                            charts.diverging_change(every, top=7).to_dict(),
                            text.breakdown_sentence(every, "crime types"),
                            draws_on=("vbc-crime-types", "other-crime-types"), height=460))
    return Section("crime-types", "Crime types", tuple(blocks))


def _rates_table(ctx: Context, measure: Measure) -> tuple[Table, pd.DataFrame]:
    df = rates_per_1000(ctx.con, measure=measure, period=ctx.period, source=ctx.source)
    fields = ("district", "population", "count", "rate_per_1000", "last_year", "pct_change", "change", "signal")
    rows = tuple(tuple(value(r[f]) for f in fields) for _, r in df.iterrows())
    links = tuple((i, col, f"{measure.value}:district:{r[0]}:{col}") for i, r in enumerate(rows)
                  for col in ("count", "last_year", "change"))
    table = Table(f"{measure.value}-district-rates", f"{measure.label} per 1,000 residents by district", (
        Column("district", "District", "text"), Column("population", "Population (mid-2023)", "count"),
        Column("count", "Recorded", "count"), Column("rate_per_1000", "Rate per 1,000", "decimal"),
        Column("last_year", "Same period last year", "count"), Column("pct_change", "% change", "pct"),
        Column("change", "Change", "change"), Column("signal", "Signal", "signal")), rows,
        suppressible=Suppressible(count_columns=("count", "last_year"), difference=("count", "last_year", "change"),
                                  pct_columns={"pct_change": "last_year"},
                                  rate_columns={"rate_per_1000": ("count", "population")},
                                  derived_columns={"signal": ("count", "last_year")}, shown_columns=("population",),
                                  links=links))
    return table, df


def districts_section(ctx: Context) -> Section:
    blocks: list[Block] = []
    if ctx.district:
        blocks.append(Text((f"This section compares all 13 districts; the rest of the pack is for {ctx.district}.",),
                           note=True))
    for measure in (Measure.ASB, Measure.VBC):
        table, df = _rates_table(ctx, measure)
        summary = text.district_sentence(df, measure)
        blocks += [Text((summary,), draws_on=(table.key,)), table,
                   Chart(f"{measure.value}-district-bars", f"{measure.label} per 1,000 residents",
                         charts.district_bars(df).to_dict(), summary,
                         draws_on=(table.key,), height=460)]
    blocks.append(Text((RATES_CAVEAT,), note=True))
    return Section("districts", "Districts", tuple(blocks))


def rolling_section(ctx: Context) -> Section:
    blocks: list[Block] = []
    for measure in (Measure.ASB, Measure.VBC):
        key = f"{measure.value}-rolling-12"
        roll = counts.rolling_12(ctx.con, measure=measure, source=ctx.source, end=ctx.period.end, months=13,
                                 district=ctx.district)
        sentence = text.rolling_sentence(measure, roll)
        if not text.has_values(roll, "rolling_12"):
            blocks.append(Text((sentence + " A 12-month total needs all 12 months loaded.",)))
            continue
        fields = ("month", "rolling_12", "previous_12", "pct_change", "change", "signal")
        rows = tuple(tuple(value(r[f]) for f in fields) for _, r in roll.iterrows())
        table = Table(key, f"{measure.label}, rolling 12 months", (
            Column("month", "12 months to", "month"), Column("rolling_12", "12 months to here", "count"),
            Column("previous_12", "Previous 12 months", "count"), Column("pct_change", "% change", "pct"),
            Column("change", "Change", "change"), Column("signal", "Signal", "signal")), rows,
            suppressible=yoy_suppressible(total=False, this="rolling_12", last="previous_12",
                                          left_out_with=(f"{measure.value}-by-month",)))
        blocks += [Text((sentence,), draws_on=(key,)), table,
                   Chart(f"{key}-chart", f"{measure.label}, rolling 12 months",
                         charts.rolling(roll).to_dict(), sentence,
                         draws_on=(key, f"{measure.value}-by-month"))]
    return Section("rolling", "Rolling 12 months", tuple(blocks))


def years_section(ctx: Context) -> Section:
    blocks: list[Block] = [Text(("Each year's months against the same months a year before; a part year is "
                                 "compared like with like.",), note=True)]
    for measure in (Measure.ASB, Measure.VBC):
        for basis, word in (("calendar", "Year"), ("financial", "Financial year")):
            df = counts.annual_totals(ctx.con, measure=measure, source=ctx.source, basis=basis,
                                      district=ctx.district)
            fields = ("year", "months_covered", "count", "last_year", "pct_change", "change", "signal")
            rows = tuple(tuple(value(r[f]) for f in fields) for _, r in df.iterrows())
            blocks.append(Table(f"{measure.value}-{basis}-years", f"{measure.label} by {basis} year", (
                Column("year", word, "text"), Column("months_covered", "Months covered", "count"),
                *yoy_columns("Same months a year before")), rows,
                suppressible=yoy_suppressible(total=False, shown=("months_covered",),
                                              left_out_with=(f"{measure.value}-by-month",))))
    return Section("years", "Calendar and financial years", tuple(blocks))


def quality_section(ctx: Context) -> Section:
    flags = ctx.summary["quality"]
    if not flags:
        return Section("quality", "Data quality", (Text((
            "No gaps and no partial months in the period or the same months a year earlier.",)),))
    kinds = {"asb": "ASB", "crime": "Crime"}
    columns = [Column("month", "Month", "month"), Column("holds", "Holds", "text"), Column("issue", "Issue", "text")]
    if not ctx.public:  # the detail quotes row counts, which may be small
        columns.append(Column("detail", "Detail", "text"))
    rows = tuple((q["month"], kinds.get(q["measure"], q["measure"]), str(q["issue"]).capitalize(),
                  *(() if ctx.public else (q["detail"],))) for q in flags)
    sentences = tuple(s for s in ctx.summary["commentary"] if s.startswith("Caution:"))
    return Section("quality", "Data quality", (
        Text(sentences or ("Months that would distort a comparison.",)),
        Table("quality", "Gaps and partial months", tuple(columns), rows),
        Text(("Missing: no rows from the source for the month. Partial: far fewer rows than the months around it "
              "(below 60% of the median of the covered months within two months either side), probably an "
              "incomplete extract.",), note=True),
    ))


# The pack's sections in print order: a new section is a function of a Context added here.
SECTIONS: list[SectionBuilder] = [
    commentary_section,
    asb_section,
    vbc_section,
    solved_section,
    call_types_section,
    crime_types_section,
    districts_section,
    rolling_section,
    years_section,
    quality_section,
]


def build_pack(con: Con, *, period: Period, source: str | None = None, district: str | None = None,
               public: bool = False, threshold: int = DEFAULT_THRESHOLD, built: datetime | None = None,
               sections: Sequence[SectionBuilder] | None = None) -> Pack:
    """The pack for the period, source and area; in public mode with counts from 1 to `threshold` hidden."""
    source = choose_source(con, source)
    district = check_district(district)
    summary = build_summary(con, period=period, source=source, district=district)
    ctx = Context(con, period, source, district, summary, public=public)
    made = [s for s in (build(ctx) for build in (SECTIONS if sections is None else sections)) if s is not None]
    pack = Pack(cover(ctx, built or datetime.now()), tuple(made))
    return public_mode.publish(pack, threshold=threshold) if public else pack


def pack_file_name(pack: Pack, ext: str) -> str:
    """'performance-pack_thanet_police-uk_2024-04-to-2025-03.xlsx' ('performance-pack-public_…' in public mode)."""
    measure = "performance-pack-public" if pack.public else "performance-pack"
    return csv_file_name(measure, pack.cover.area, pack.cover.source, pack.cover.start, pack.cover.end, ext=ext)

