"""The named measures in words and tables: the summary's ``measures`` entries, commentary sentences, and the
tables the performance pack takes (``pack_tables``). Every number comes from analytics.measures.

Summary entries, for the summary's period and area, measure by measure: one per month of the period with a
figure, one per ISO week counted in those months where the measure has weekly figures, and for a flow or survey
over more than one month the period's total (period "YYYY-MM/YYYY-MM"). ``value`` is a count, or a per cent
(a survey's share satisfied, a comparison figure), rounded once to 1 dp; ``low``/``high`` the 95% Wilson interval
of a survey figure, else null; ``target`` the area's target in the value's unit, else null.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.domain.periods import Period, month_name
from analytics.domain.rounding import round_half_away
from analytics.figures.common import Con
from analytics.measures import catalogue, engagement, satisfaction, targets
from analytics.measures.catalogue import MCV_ALERTS, MCV_MEMBERS, MCV_SIGNUPS, SATISFACTION, MeasureDef, Unit
from analytics.measures.figures import Point, loaded, series
from analytics.measures.periods import MONTH, WEEK, day_label, period_label, previous, week_in_month
from analytics.measures.periods import year_earlier as period_year_earlier
from analytics.report import formatting as fmt
from analytics.report import narrative

ENTRY_FIELDS = ("measure", "period", "value", "target", "low", "high")


def _round1(x: float) -> float:
    return float(round(x + 0.0, 1))


def entry_value(m: MeasureDef, p: Point) -> float | int:
    """A figure as the JSON gives it: a whole count, or a per cent to 1 dp (a share from its exact counts)."""
    if m.unit is Unit.SURVEY and p.surveyed:
        return round_half_away(int(p.value) * 100, p.surveyed, 1)
    if m.unit is Unit.PERCENT:
        return _round1(p.value)
    return int(round(p.value))


def _target(con: Con, m: MeasureDef, district: str | None, last_year: Point | None) -> float | int | None:
    rule = targets.rule_for(con, m.name, district)
    if rule is None:
        return None
    found = targets.target_figure(con, rule, district, last_year)
    if found is None:
        return None
    return int(round(found)) if m.unit is Unit.COUNT else _round1(found)


def _entry(con: Con, m: MeasureDef, district: str | None, p: Point, last_year: Point | None,
           period: str | None = None) -> dict[str, Any]:
    interval = p.interval
    return {"measure": m.name, "period": period or p.period, "value": entry_value(m, p),
            "target": _target(con, m, district, last_year),
            "low": None if interval is None else _round1(100 * interval.low),
            "high": None if interval is None else _round1(100 * interval.high)}


def summary_entries(con: Con, *, period: Period, district: str | None) -> list[dict[str, Any]]:
    """The summary's ``measures`` list (see the module)."""
    present = loaded(con)
    out: list[dict[str, Any]] = []
    for m in catalogue.CATALOGUE:
        if m.name not in present or (m.force_only and district is not None):
            continue
        area = None if m.force_only else district
        monthly = series(con, m.name, area, MONTH)
        for code in period.months:
            if code in monthly:
                out.append(_entry(con, m, area, monthly[code], monthly.get(period_year_earlier(code) or "")))
        if m.unit is not Unit.PERCENT:
            weekly = series(con, m.name, area, WEEK)
            for code, p in weekly.items():
                if p.month in period.months:
                    out.append(_entry(con, m, area, p, weekly.get(period_year_earlier(code) or "")))
        if m.sums and len(period.months) > 1:
            found = engagement.period_figure(con, m.name, area, period)
            if found.figure is not None:
                out.append(_entry(con, m, area, found.figure, found.last_year,
                                  f"{period.months[0]}/{period.months[-1]}"))
    return out


# ---------------------------------------------------------------------------------------------- words


def figure_text(m: MeasureDef, value: float | None) -> str:
    """A figure for a table or tile: '9,512', '78.0%'."""
    if value is None or fmt.is_missing(value):
        return fmt.NA
    return fmt.fmt_int(int(round(value))) if m.unit is Unit.COUNT else f"{value:.1f}%"


def forecast_text(progress: targets.Progress | None) -> str | None:
    """'on course to reach it by March 2027 at the current rate', 'not on course: ...', or None."""
    ahead = None if progress is None else progress.forecast
    if ahead is None:
        return None
    if ahead.status == targets.REACHED:
        return "target reached"
    if ahead.status == targets.TOO_FEW:
        return f"too few values in the last {targets.TREND_DAYS // 7} weeks for a trend (at least {targets.MIN_POINTS})"
    if ahead.status == targets.NOT_ON_COURSE:
        return "not on course: the trend over the last 26 weeks is flat or falling"
    assert ahead.when is not None
    return f"on course to reach it by {month_name(f'{ahead.when.year:04d}-{ahead.when.month:02d}')} at the current rate"


def when_text(p: Point) -> str:
    """The date a level stands at: '31 January 2025'."""
    return day_label(p.end)


def _weekly_jump(con: Con, m: MeasureDef, district: str | None, period: Period) -> str | None:
    """A week of the period against the week before, in words ('more than doubled in the third week of January:
    550 against 256 the week before'): the latest week that at least doubled or halved, else the latest week;
    None without a week and the week before it."""
    weekly = series(con, m.name, district, WEEK)
    pairs = [(code, p.value, weekly[previous(code)].value) for code, p in weekly.items()
             if p.month in period.months and previous(code) in weekly]
    if not pairs:
        return None
    striking = [pair for pair in pairs if narrative.ratio_words(pair[1], pair[2]) is not None]
    code, value, before = (striking or pairs)[-1]
    return narrative.weekly_jump_sentence(m.title, week_in_month(code), value, before)


def commentary_sentences(con: Con, *, period: Period, district: str | None) -> list[str]:
    """Sentences on the measures for the period: MCV members against the target, the largest weekly move in
    sign-ups, alerts sent, and victim satisfaction with its interval and significance."""
    present = loaded(con)
    out: list[str] = []
    where = f" in {district}" if district else ""
    end = period.end
    if MCV_MEMBERS in present:
        found = engagement.members(con, district, end)
        if found.latest is not None:
            m = catalogue.get(MCV_MEMBERS)
            p = found.progress
            out.append(narrative.level_sentence(
                f"{m.title}{where}", found.latest.value, when_text(found.latest),
                None if p is None else p.target, None if p is None else p.rule.describe(), found.share_pct,
                forecast_text(p)))
    for name in (MCV_SIGNUPS, MCV_ALERTS):
        if name not in present:
            continue
        m = catalogue.get(name)
        jump = _weekly_jump(con, m, district, period)
        if jump:
            out.append(jump.replace(m.title, f"{m.title}{where}", 1))
        figure = engagement.period_figure(con, name, district, period)
        if figure.figure is not None:
            last = None if figure.last_year is None else figure.last_year.value
            out.append(narrative.flow_sentence(f"{m.title}{where}", figure.figure.value, period.label, last))
    return out + satisfaction_sentences(con, period=period, district=district)


def satisfaction_sentences(con: Con, *, period: Period, district: str | None) -> list[str]:
    """Victim satisfaction over the period: the share with its interval, the change on last year and whether it
    is significant, and the comparison figure."""
    out: list[str] = []
    where = f" in {district}" if district else ""
    if SATISFACTION in loaded(con):
        s = satisfaction.satisfaction(con, district, period)
        if s.figure is not None and s.interval is not None and s.figure.surveyed:
            i = s.interval
            last = None if s.last_year_interval is None else 100 * s.last_year_interval.share
            comparison = None if s.comparison is None else s.comparison.value
            out += narrative.satisfaction_sentence(
                f"{catalogue.get(SATISFACTION).title}{where}", 100 * i.share, 100 * i.low, 100 * i.high,
                s.figure.surveyed, period.label, last, s.significant, None if s.test is None else s.test.p_value,
                comparison, None if s.comparison is None else f"England and Wales, {period_label(s.comparison.period)}",
                s.against_comparison)
    return out


# ---------------------------------------------------------------------------------------------- the pack


def pack_tables(con: Con, *, period: Period, district: str | None) -> dict[str, pd.DataFrame]:
    """The measures' tables for the performance pack, numbers unformatted: 'MCV members by district',
    'MCV sign-ups by week', 'MCV alerts by month', 'Victim satisfaction by month', 'Measures' (the summary
    entries) and 'Targets' (each target's figure, target and distance). Empty frames where nothing is loaded."""
    end = period.end
    signups = engagement.signups_weekly(con, district, period.end)
    alerts = engagement.alerts_monthly(con, district, period.end, months=13)
    sat = satisfaction.satisfaction_monthly(con, district, period.end)
    entries = pd.DataFrame(summary_entries(con, period=period, district=district), columns=list(ENTRY_FIELDS))
    rows = []
    for rule in targets.rules(con):
        if rule.district != district and not (district is not None and rule.district is None
                                               and rule.target_type == targets.SHARE):
            continue
        m = catalogue.get(rule.measure)
        if m.name == MCV_MEMBERS:
            found = engagement.members(con, district, end)
            progress = found.progress
        else:
            figure = engagement.period_figure(con, m.name, district, period)
            progress = targets.progress(con, m.name, district, figure.figure, figure.last_year, [])
        if progress is None:
            continue
        rows.append({"measure": m.name, "area": district or "Kent", "target": rule.describe(),
                     "figure": progress.figure, "period": progress.period, "target_figure": progress.target,
                     "distance": progress.distance, "trend": forecast_text(progress) or "", "note": rule.note})
    return {
        "MCV members by district": engagement.members_by_district(con, end),
        "MCV sign-ups by week": signups,
        "MCV alerts by month": alerts,
        "Victim satisfaction by month": sat,
        "Measures": entries,
        "Targets": pd.DataFrame(rows, columns=["measure", "area", "target", "figure", "period", "target_figure",
                                               "distance", "trend", "note"]),
    }

