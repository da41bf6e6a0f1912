"""The pack's sections drawn from the other pages: the solved rate at the same age, control charts, repeat-caller
counts, the ASB Case Review statistics, engagement and victim satisfaction.

Each is a section builder of analytics.report.pack.content (a function of its Context returning a Section), built
from the functions those pages use (analytics.views.control.pack, analytics.casework, analytics.measures). They
live here, beside the views, because the casework layer sits beside the report layer, not under it. SECTIONS is
the whole pack in print order; build_pack builds it.

Caller-level data never reaches the pack: the repeat-caller section reads repeat.repeat_caller_counts (counts only)
and the case review section the yearly statistics (counts only). Every count is in a table that declares its
relations (model.Suppressible), so public mode hides small numbers here as everywhere else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from analytics import store
from analytics.casework import repeat, reviews
from analytics.domain.kinds import Measure
from analytics.domain.maturity import month_end
from analytics.domain.periods import month_date
from analytics.errors import DashboardError
from analytics.figures import control as control_figures
from analytics.figures import control_series, solved
from analytics.figures.common import Con, cells
from analytics.measures import catalogue, engagement, satisfaction
from analytics.measures.catalogue import MCV_ALERTS, MCV_MEMBERS, MCV_SIGNUPS, SATISFACTION
from analytics.measures.figures import loaded
from analytics.measures.periods import period_label
from analytics.report import casework as casework_words
from analytics.report import control_text, maturity, measure_charts, narrative
from analytics.report import formatting as fmt
from analytics.report import measures as measure_words
from analytics.report.pack import content
from analytics.report.pack.content import Context, SectionBuilder, value
from analytics.report.pack.model import Block, Chart, Column, Pack, Section, Suppressible, Table, Text
from analytics.views import control
from analytics.views.case_reviews import STATISTICS_NOTE
from analytics.views.satisfaction import METHOD as SATISFACTION_METHOD

TREND_MONTHS = 13  # the Repeat callers page's trend: a year and the month before it

# ------------------------------------------------------------------------------------------ solved at the same age


def _maturity_sentence(s: dict[str, Any]) -> str | None:
    """The cohort comparison's maturity in one sentence, as the tile says it (None when it cannot be known)."""
    shares = s["pending_share"]
    if s.get("like_for_like") is False:
        return maturity.not_like_for_like(shares["this_year"], shares["last_year"], s["pp_change"])
    if s.get("like_for_like") is True:
        return "Like-for-like: " + maturity.pending_line(shares["this_year"], shares["last_year"])
    return None


def same_age_section(ctx: Context) -> Section:
    """The solved rate at the same age (analytics.figures.solved.matched_rate) where outcomes are dated."""
    s = ctx.summary["victim_based_crime"]["solved"]
    mature = _maturity_sentence(s)
    maturity_block = (Text((mature,), draws_on=("solved-rate",)),) if mature else ()
    title = "Solved rate at the same age"
    found = solved.matched_rate(ctx.con, period=ctx.period, source=ctx.source, district=ctx.district)
    if found is None:
        return Section("solved-same-age", title, (
            Text((f"{ctx.source} records no outcome dates (no force extract outcome dates, no police.uk outcomes "
                  "files), so there is no solved rate at the same age: the cohort rate is the only one.",)),
            *maturity_block))
    rows = (("This period", maturity.day_label(found.as_at), value(found.solved), value(found.total),
             value(found.rate), value(found.pp_change), bool(found.signal)),
            ("Same period last year", maturity.day_label(found.last_year_as_at), value(found.last_year_solved),
             value(found.last_year_total), value(found.last_year_rate), None, None))
    table = Table("solved-same-age", "Victim-based crime solved at the same age", (
        Column("label", "Period", "text"), Column("as_at", "Outcomes up to", "text"),
        Column("solved", "Solved by then", "count"), Column("total", "Crimes recorded", "count"),
        Column("rate", "Solved rate", "rate"), Column("pp_change", "Change", "pp"),
        Column("signal", "Signal", "signal")), rows,
        suppressible=Suppressible(count_columns=("solved", "total"), rate_columns={"rate": ("solved", "total")},
                                  derived_columns={"signal": ("solved",)}, shown_columns=("pp_change",),
                                  whole_table=("pp_change", "signal"),
                                  links=((0, "total", "vbc:total:count"), (1, "total", "vbc:total:last_year"))))
    sentence = maturity.same_age(found.as_at, found.last_year_as_at, found.rate, found.last_year_rate,
                                 found.pp_change, found.signal)
    blocks: list[Block] = [Text((sentence,), draws_on=("solved-same-age",)), table, *maturity_block]
    if found.missing_months:
        blocks.append(Text((f"Outcomes months not loaded: {', '.join(fmt.month_label(m) for m in found.missing_months)}"
                            ".",), note=True))
    blocks.append(Text((maturity.same_age_basis(found.as_at, found.last_year_as_at) + " The as-at date is the "
                        "latest day a crime of the source was recorded or given an outcome.",), note=True))
    return Section("solved-same-age", title, tuple(blocks))


# ------------------------------------------------------------------------------------------------ control charts

_CONTROL_MEASURES = (Measure.ASB, Measure.VBC)
SHORT_RULES = {control_figures.OUTSIDE_LIMITS: "outside", control_figures.SHIFT: "shift",
               control_figures.TREND: "trend", control_figures.TWO_OF_THREE: "2 of 3"}


def _num(v: Any, places: int = 2) -> float | None:
    v = value(v)
    return None if v is None else round(float(v), places)


def _count(v: Any) -> int | None:
    v = value(v)
    return None if v is None else int(round(float(v)))


def limit_figures(values: list[Any]) -> tuple[str, list[float | int | None]]:
    """A column of means or limits as the page writes them (control_text.range_figure): to the unit when every
    one is 100 or more ('count' column), else to two decimal places ('decimal')."""
    found = [value(v) for v in values]
    if all(v is None or abs(float(v)) >= 100 for v in found):
        return "count", [None if v is None else int(round(float(v))) for v in found]
    return "decimal", [None if v is None else round(float(v), 2) for v in found]


def signals_short(rules: str) -> str:
    """'◆ outside ■ shift' from the download's rule names ('outside_limits shift'); the rules text says more."""
    return " ".join(f"{control_text.RULE_GLYPHS[r]} {SHORT_RULES[r]}" for r in rules.split() if r in SHORT_RULES)


def _against(v: int | None, low: float | None, high: float | None) -> str:
    if v is None:
        return "No figure"
    if low is None or high is None:
        return "No limits"
    if v > high:
        return "Above upper limit"
    if v < low:
        return "Below lower limit"
    return "Within limits"


def _label(measure: Measure) -> str:
    return "ASB" if measure is Measure.ASB else "Victim-based crime"


def control_section(ctx: Context) -> Section:
    """The XmR charts of ASB and victim-based crime to the period's end (analytics.views.control.pack), the latest
    month against its limits and its expected range for the time of year."""
    title = "Control charts"
    try:
        found = control.pack(ctx.con, source=ctx.source, end=ctx.period.end, district=ctx.district)
    except DashboardError as e:
        return Section("control", title, (Text((f"No control charts: {e.message}",)),))
    if not found:
        return Section("control", title, (Text((f"No control charts: {ctx.source} holds no ASB or crime months up "
                                                f"to {fmt.month_label(ctx.period.end)}.",)),))
    report_tables = tuple(f"{m.value}-by-month" for m in _CONTROL_MEASURES)
    latest_rows: list[tuple[Any, ...]] = []
    latest_kinds: list[str] = []
    latest_month = ctx.period.end
    expected: list[str] = []
    blocks: list[Block] = []
    for pc in found:
        raw = pc.raw
        key = f"control-{pc.measure.value}"
        own_report = f"{pc.measure.value}-by-month"  # its months are among these: left out when that hides any
        kinds, limits = [], []
        for col in ("Centre", "Lower limit", "Upper limit"):
            kind, figures = limit_figures(raw[col].tolist())
            kinds.append(kind)
            limits.append(figures)
        rows = [(str(r["Month"]), _count(r["Recorded"]), _count(r["Moving range"]), limits[0][i], limits[1][i],
                 limits[2][i], signals_short(str(r["Signals"] or ""))) for i, r in enumerate(raw.to_dict("records"))]
        month_table = Table(key, f"{_label(pc.measure)}: each month against its limits", (
            Column("month", "Month", "month"), Column("value", "Recorded", "count"),
            Column("moving_range", "Moving range", "count"), Column("centre", "Centre", kinds[0]),
            Column("lower", "Lower limit", kinds[1]), Column("upper", "Upper limit", kinds[2]),
            Column("signals", "Signals", "text")), tuple(rows),
            # the centre, the limits and the moving range are made from the months' counts: hidden with any
            suppressible=Suppressible(count_columns=("value",),
                                      shown_columns=("moving_range", "centre", "lower", "upper"),
                                      whole_table=("moving_range", "centre", "lower", "upper"),
                                      # a month hidden here would follow from the calendar and financial years'
                                      # totals and the months shown, so a table that hides one is left out
                                      left_out_with=(own_report, key)))
        if rows:
            last = rows[-1]
            latest_month = last[0]
            latest_rows.append((_label(pc.measure), last[1], last[3], last[4], last[5],
                                _against(last[1], last[4], last[5]), last[6] or "none"))
            latest_kinds.append("count" if kinds == ["count"] * 3 else "decimal")
            spec = control_series.SeriesSpec(pc.measure, ctx.source, ctx.district)
            expected.append(control_text.expected_sentence(
                _label(pc.measure), control_series.expected_for(ctx.con, spec, end=last[0])))
        counts = tuple(v for v in (r[1] for r in rows) if v is not None)
        draws = (key, own_report)
        blocks.append(Text((pc.verdict,), draws_on=draws))
        if pc.chart is not None:
            # the method, printed under the chart, quotes the centre: it goes with the chart in public mode
            blocks.append(Chart(f"{key}-chart", f"{_label(pc.measure)}: XmR chart", pc.chart, pc.method,
                                draws_on=draws, counts=counts, height=400))
        else:
            blocks += [Text((f"{_label(pc.measure)}: too few months to draw a control chart; the table gives "
                             "the months there are.",)), Text((pc.method,), note=True, draws_on=draws)]
        blocks.append(month_table)
    kind = "count" if all(k == "count" for k in latest_kinds) else "decimal"
    if kind == "decimal":  # one column, one format
        latest_rows = [(*r[:2], *(None if v is None else round(float(v), 2) for v in r[2:5]), *r[5:])
                       for r in latest_rows]
    when = f" ({fmt.month_label(latest_month)})" if latest_rows else ""
    latest = Table("control-latest", f"The latest month{when} against its limits", (
        Column("measure", "Measure", "text"), Column("value", "Recorded", "count"),
        Column("centre", "Centre", kind), Column("lower", "Lower limit", kind), Column("upper", "Upper limit", kind),
        Column("against", "Against the limits", "text"), Column("signals", "Signals", "text")), tuple(latest_rows),
        suppressible=Suppressible(count_columns=("value",), shown_columns=("centre", "lower", "upper"),
                                  whole_table=("centre", "lower", "upper"),
                                  left_out_with=(*report_tables, "control-latest")))
    control_keys = tuple(f"control-{m.value}" for m in _CONTROL_MEASURES)
    head: list[Block] = [
        Text(("Whether a monthly figure has really changed or is moving within its normal range: an XmR control "
              "chart (NHS England's Making Data Count). A month between the lower and upper limits is within normal "
              "variation; the expected range for the time of year comes from the same month in earlier years.",),
             note=True),
        latest,
        Text(tuple(expected), draws_on=(*control_keys, *report_tables)),
    ]
    if ctx.district:
        head.append(Text((f"The charts are for {ctx.district}.",), note=True))
    return Section("control", title, (*head, *blocks, Text((control_text.RULES_TEXT,), note=True)))


# ------------------------------------------------------------------------------------------------ repeat callers


def repeat_callers_section(ctx: Context) -> Section:
    """Repeat callers each month as counts (analytics.casework.repeat.repeat_caller_counts): never a reference."""
    title = "Repeat callers"
    sources = {s.name: s for s in repeat.caller_sources(ctx.con)}
    found = sources.get(ctx.source)
    if found is None:
        return Section("repeat-callers", title, (Text((
            f"The {ctx.source} data holds no caller references, so there are no repeat-caller figures.",)),))
    as_of = min(month_end(month_date(ctx.period.end)), found.latest)
    if as_of < found.first:
        return Section("repeat-callers", title, (Text((
            f"The {ctx.source} incidents with a caller reference begin after {fmt.month_label(ctx.period.end)}.",)),))
    threshold = repeat.REPEAT
    trend = repeat.repeat_caller_counts(ctx.con, source=ctx.source, as_of=as_of, months_shown=TREND_MONTHS,
                                        threshold=threshold)
    fields = ("month", "repeat_callers", "new_repeat_callers", "vulnerable_repeat_callers", "incidents",
              "incidents_from_repeat_callers", "share_pct")
    rows = tuple(tuple(value(r[f]) for f in fields) for _, r in trend.iterrows())
    table = Table("repeat-callers-by-month", "Repeat callers at each month end", (
        Column("month", "Month", "month"), Column("repeat_callers", "Repeat callers", "count"),
        Column("new_repeat_callers", "New that month", "count"),
        Column("vulnerable_repeat_callers", "Vulnerable", "count"),
        Column("incidents", "Incidents with a caller reference", "count"),
        Column("incidents_from_repeat_callers", "From repeat callers", "count"),
        Column("share_pct", "Share", "rate")), rows,
        suppressible=Suppressible(
            count_columns=("repeat_callers", "new_repeat_callers", "vulnerable_repeat_callers", "incidents",
                           "incidents_from_repeat_callers"),
            rate_columns={"share_pct": ("incidents_from_repeat_callers", "incidents")}))
    last = trend.iloc[-1]
    n, new, vulnerable = (int(last[c]) for c in ("repeat_callers", "new_repeat_callers",
                                                 "vulnerable_repeat_callers"))
    headline = (f"{casework_words.plural(n, 'repeat caller')} as at {casework_words.long_day(as_of)} "
                f"({threshold.words}); {new:,} became repeat callers this month and {vulnerable:,} are flagged "
                "vulnerable on a call in the window.")
    blocks: list[Block] = [
        Text((headline, casework_words.trend_sentence(trend)), draws_on=(table.key,)),
        table,
        Chart("repeat-callers-chart", "Repeat callers at each month end",
              casework_words.trend_chart(trend).to_dict(), casework_words.trend_sentence(trend),
              draws_on=(table.key,)),
        Text(("Counts only: caller references are personal data and stay on the Casework pages. A caller counts as "
              f"a repeat caller with {threshold.words} up to the month's end (the as-at day for the last month); "
              "new that month: a repeat caller at the month's end who was not one at the end of the month before.",
              ), note=True),
    ]
    if ctx.district:
        blocks.append(Text((f"Repeat callers are counted across Kent (a caller may call from several districts); the "
                            f"rest of the pack is for {ctx.district}.",), note=True))
    return Section("repeat-callers", title, tuple(blocks))


# ------------------------------------------------------------------------------------------------ case reviews


def case_reviews_section(ctx: Context) -> Section:
    """The ASB Case Review yearly statistics in the published form, newest year first (as on the Case reviews
    page)."""
    title = "ASB Case Reviews"
    today = date.today()
    stats = reviews.yearly_statistics(ctx.con, today=today)
    if stats.empty:
        return Section("case-reviews", title, (Text(("The ASB Case Review register holds no applications.",)),))
    stats = stats.iloc[::-1].reset_index(drop=True)
    columns = reviews.STATISTICS_COLUMNS
    labels = reviews.STATISTICS_LABELS
    rows = tuple((str(r["year"]), *(int(r[c]) for c in columns[1:])) for _, r in stats.iterrows())
    table = Table("case-review-statistics", "ASB Case Review statistics by financial year",
                  (Column("year", labels["year"], "text"), *(Column(c, labels[c], "count") for c in columns[1:])),
                  rows, suppressible=Suppressible(count_columns=tuple(columns[1:])))
    blocks: list[Block] = [table, Text((f"{STATISTICS_NOTE} As at {casework_words.long_day(today)}.",), note=True)]
    synthetic = int(store.scalar(ctx.con, store.sql("casework/synthetic_count")) or 0)
    if synthetic:
        blocks.append(Text(("The register holds synthetic demo records, made from the synthetic extract's callers.",),
                           note=True))
    blocks.append(Text(("The register covers all Kent, whatever the source or district of the rest of the pack.",),
                       note=True))
    return Section("case-reviews", title, tuple(blocks))


# ------------------------------------------------------------------------------------------------ measures

NO_MEASURES = ("No engagement or victim satisfaction measures are loaded (an analyst loads them as a measures "
               "file), so the pack has none.")


def engagement_section(ctx: Context) -> Section | None:
    """MCV members against the target by district and the period's sign-ups and alerts (the Engagement page)."""
    present = loaded(ctx.con)
    if not present:
        return Section("measures", "Measures", (Text((NO_MEASURES,)),))
    title = "Engagement"
    if not any(n in present for n in (MCV_MEMBERS, MCV_SIGNUPS, MCV_ALERTS)):
        return Section("engagement", title, (Text(("No engagement measures are loaded.",)),))
    area = ctx.area
    blocks: list[Block] = []
    found = engagement.members(ctx.con, ctx.district, ctx.period.end)
    p = found.progress
    if found.latest is not None:
        m = catalogue.get(MCV_MEMBERS)
        progress = [narrative.level_sentence(
            f"{m.title} in {area}", found.latest.value, measure_words.when_text(found.latest),
            None if p is None else p.target, None if p is None else p.rule.describe(), found.share_pct,
            measure_words.forecast_text(p))]
        if p is not None:
            progress.append(f"Target: {p.rule.describe()} — {p.rule.note}.")
        blocks.append(Text(tuple(progress), draws_on=("mcv-members-by-district",)))
    flows = []
    for name in (MCV_SIGNUPS, MCV_ALERTS):
        if name not in present:
            continue
        f = engagement.period_figure(ctx.con, name, ctx.district, ctx.period)
        now = None if f.figure is None else int(round(f.figure.value))
        before = None if f.last_year is None else int(round(f.last_year.value))
        c = cells(now, before)
        flows.append((catalogue.get(name).title, now, before, value(c["pct_change"]), c["change"]))
    if flows:
        blocks.append(Table("mcv-period", f"My Community Voice in {ctx.period.label}", (
            Column("measure", "Measure", "text"), Column("count", "This period", "count"),
            Column("last_year", "Same period last year", "count"), Column("pct_change", "% change", "pct"),
            Column("change", "Change", "change")), tuple(flows),
            suppressible=Suppressible(count_columns=("count", "last_year"), difference=("count", "last_year",
                                                                                       "change"),
                                      pct_columns={"pct_change": "last_year"})))
    by_district = engagement.members_by_district(ctx.con, ctx.period.end)
    if by_district["members"].notna().any():
        periods = {str(v) for v in by_district["as_at"] if value(v) is not None}
        one_period = len(periods) == 1  # every district's figure stands at the same period: said once
        rows = tuple((str(r["district"]), _count(r["members"]),
                      *(() if one_period else (period_label(str(r["as_at"])) if value(r["as_at"]) else None,)),
                      _count(r["households"]), _num(r["share_pct"]), _count(r["target"]), _count(r["distance"]))
                     for _, r in by_district.iterrows())
        members = [r[1] for r in rows]
        adds_up = None not in members and sum(members[:-1]) == members[-1]
        blocks.append(Table("mcv-members-by-district", "My Community Voice members by district", (
            Column("district", "District", "text"), Column("members", "Members", "count"),
            *(() if one_period else (Column("as_at", "As at", "text"),)),
            Column("households", "Households", "count"), Column("share_pct", "Share", "rate"),
            Column("target", "Target", "count"), Column("distance", "Distance from target", "change")), rows,
            total=adds_up,
            note=" ".join(x for x in ((f"Members as at {period_label(next(iter(periods)))}." if one_period else ""),
                                      "Share: members as a share of households.") if x),
            suppressible=Suppressible(count_columns=("members",), total_row=adds_up,
                                      rate_columns={"share_pct": ("members", "households")},
                                      derived_columns={"distance": ("members",)},
                                      shown_columns=("households", "target"))))
    trend = engagement.members_trend(ctx.con, ctx.district, ctx.period.end)
    if trend:
        per_day = None if p is None or p.forecast is None else p.forecast.per_day
        fig = measure_charts.members_over_time(trend, target=None if p is None else p.target, per_day=per_day,
                                               title=f"MCV members, {area}")
        blocks.append(Chart("mcv-members-chart", f"My Community Voice members, {area}", fig.to_dict(),
                            "MCV members over time against the target.", draws_on=("mcv-members-by-district",)))
    blocks.append(Text(("From the measures files loaded (not tied to the source of the rest of the pack).",),
                       note=True))
    return Section(title.lower(), title, tuple(blocks))


def satisfaction_section(ctx: Context) -> Section | None:
    """ASB victim satisfaction over the period with its 95% Wilson interval, the change test and each month (the
    Victim satisfaction page)."""
    present = loaded(ctx.con)
    if not present:
        return None  # engagement_section says there are no measures
    title = "Victim satisfaction"
    if SATISFACTION not in present:
        return Section("satisfaction", title, (Text(("No victim satisfaction figures are loaded.",)),))
    s = satisfaction.satisfaction(ctx.con, ctx.district, ctx.period)
    monthly = satisfaction.satisfaction_monthly(ctx.con, ctx.district, ctx.period.end)
    if s.figure is None and s.last_year is None and not monthly["surveyed"].notna().any():
        return Section("satisfaction", title, (Text((
            f"No victim satisfaction figures for {ctx.area} are loaded for the 13 months to "
            f"{fmt.month_label(ctx.period.end)}.",)),))
    tables = ("satisfaction-period", "satisfaction-by-month")
    blocks: list[Block] = []
    sentences = measure_words.satisfaction_sentences(ctx.con, period=ctx.period, district=ctx.district)
    if sentences:
        blocks.append(Text(tuple(sentences), draws_on=tables))

    def row(label: str, point: Any, interval: Any) -> tuple[Any, ...]:
        if point is None or interval is None:
            return (label, None, None, None, None, None)
        return (label, int(point.value), int(point.surveyed), round(100 * interval.share, 1),
                round(100 * interval.low, 1), round(100 * interval.high, 1))

    test = s.test
    pp = None if test is None else round(test.change_pp, 1)
    rows = ((*row("This period", s.figure, s.interval), pp, None if test is None else bool(test.beyond_chance)),
            (*row("A year earlier", s.last_year, s.last_year_interval), None, None))
    rates = {c: ("satisfied", "surveyed") for c in ("share", "low", "high")}
    blocks.append(Table("satisfaction-period", f"ASB victim satisfaction, {ctx.period.label}", (
        Column("label", "Period", "text"), Column("satisfied", "Satisfied", "count"),
        Column("surveyed", "Surveyed", "count"), Column("share", "Share satisfied", "rate"),
        Column("low", "95% low", "rate"), Column("high", "95% high", "rate"), Column("pp_change", "Change", "pp"),
        Column("signal", "Beyond chance", "signal")), rows,
        suppressible=Suppressible(count_columns=("satisfied", "surveyed"), rate_columns=rates,
                                  derived_columns={"signal": ("satisfied", "surveyed")},
                                  shown_columns=("pp_change",), whole_table=("pp_change", "signal"),
                                  left_out_with=("satisfaction-by-month",))))
    fields = ("period", "satisfied", "surveyed", "share_pct", "low_pct", "high_pct", "comparison_pct")
    month_rows = tuple((str(r["period"]), *(value(r[f]) for f in fields[1:3]),
                        *(_num(r[f], 1) for f in fields[3:])) for _, r in monthly.iterrows())
    blocks.append(Table("satisfaction-by-month", "ASB victim satisfaction by month", (
        Column("month", "Month", "month"), Column("satisfied", "Satisfied", "count"),
        Column("surveyed", "Surveyed", "count"), Column("share_pct", "Share satisfied", "rate"),
        Column("low_pct", "95% low", "rate"), Column("high_pct", "95% high", "rate"),
        Column("comparison_pct", "England and Wales", "rate")), month_rows,
        suppressible=Suppressible(count_columns=("satisfied", "surveyed"),
                                  rate_columns={c: ("satisfied", "surveyed") for c in fields[3:6]},
                                  shown_columns=("comparison_pct",), left_out_with=("satisfaction-period",))))
    if monthly["share_pct"].notna().any():
        fig = measure_charts.share_with_intervals(monthly, title="ASB victim satisfaction by month",
                                                  comparison_label="England and Wales")
        blocks.append(Chart("satisfaction-chart", "ASB victim satisfaction by month", fig.to_dict(),
                            sentences[0] if sentences else "ASB victim satisfaction by month with 95% intervals.",
                            draws_on=tables))
    blocks.append(Text((SATISFACTION_METHOD + " From the measures files loaded (not tied to the source of the rest "
                        "of the pack).",), note=True))
    return Section("satisfaction", title, tuple(blocks))


# ------------------------------------------------------------------------------------------------ the pack


def _sections() -> list[SectionBuilder]:
    """The report's sections with these added: the same-age rate after the solved rate, the rest before the data
    quality section (or last)."""
    out = list(content.SECTIONS)
    at = out.index(content.solved_section) + 1 if content.solved_section in out else len(out)
    out.insert(at, same_age_section)
    extra: list[SectionBuilder] = [control_section, repeat_callers_section, case_reviews_section,
                                   engagement_section, satisfaction_section]
    at = out.index(content.quality_section) if content.quality_section in out else len(out)
    out[at:at] = extra
    return out


SECTIONS: list[SectionBuilder] = _sections()


def build_pack(con: Con, **kwargs: Any) -> Pack:
    """The whole pack (analytics.report.pack.content.build_pack with every section of SECTIONS)."""
    kwargs.setdefault("sections", SECTIONS)
    return content.build_pack(con, **kwargs)

