"""The Engagement page: My Community Voice members (level, share of households, target and the date the trend
reaches it, by district), sign-ups per week and alerts per month."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.domain.periods import Period
from analytics.figures.common import Con
from analytics.measures import catalogue, engagement, targets
from analytics.measures.catalogue import MCV_ALERTS, MCV_MEMBERS, MCV_SIGNUPS
from analytics.measures.figures import loaded
from analytics.measures.periods import period_label, short_label
from analytics.report import formatting as fmt
from analytics.report import measure_charts, narrative
from analytics.report import measures as words
from analytics.report.tiles import Tile
from analytics.views.common import Chart, Header, Selection, Table, chart, one_source

WHAT = ("My Community Voice (MCV), the force's two-way messaging service: members and their share of households "
        "against the target, sign-ups by week and alerts sent by month, from the measures files loaded.")
NOTHING = ("No engagement measures are loaded yet. An analyst can load a measures file (template on the Upload "
           "page; `python -m analytics ingest --source measures FILE`).")
WEEK_RULE = ("Weeks are ISO weeks (Monday to Sunday); a week counts in the month of its Thursday, so a month built "
             "from weeks has four or five of them and a monthly total appears only when every one is loaded.")


@dataclass(frozen=True)
class EngagementView:
    header: Header
    empty: str | None  # set when no engagement measure is loaded
    tiles: list[Tile]
    progress: list[str]
    members: Chart | None
    districts: Table
    households_note: str
    as_at: str | None  # the period every district's members figure stands at, when they share one
    signups: Chart
    alerts: Chart
    week_rule: str


def measures_header(sel: Selection, title: str, what: str) -> Header:
    """A page header for measures: the period and area; measures are not tied to the extracts' source."""
    return Header(title, fmt.period_heading(sel.period.label), f"{sel.area}, measures files", what, None, None)


def flow_tile(con: Con, name: str, district: str | None, period: Period) -> Tile:
    m = catalogue.get(name)
    found = engagement.period_figure(con, name, district, period)
    value = None if found.figure is None else found.figure.value
    last = None if found.last_year is None else found.last_year.value
    change = None if value is None or last is None else value - last
    pct = None if change is None or not last else round(100 * change / last, 1)
    return Tile(
        key=name, label=f"{m.title} in the period", value=words.figure_text(m, value),
        delta=None if change is None else fmt.headline_delta(pct, int(change)), delta_color="normal",
        direction="off" if not change else ("up" if change > 0 else "down"), signal=False,
        signal_text="Not every month of the period is loaded" if value is None else (
            "No comparison: the same months last year are not loaded" if last is None else
            f"Same months last year: {fmt.fmt_int(int(last))}"),
        help=m.help,
    )


def members_tile(con: Con, sel: Selection) -> Tile:
    found = engagement.members(con, sel.district, sel.end)
    m = catalogue.get(MCV_MEMBERS)
    p = found.progress
    share = "" if found.share_pct is None else f"{found.share_pct:.1f}% of households"
    target = "" if p is None or p.target is None else f"target {p.rule.describe()} ({fmt.fmt_int(int(p.target))})"
    return Tile(
        key=MCV_MEMBERS, label=m.title,
        value=fmt.NA if found.latest is None else fmt.fmt_int(int(found.latest.value)),
        delta=None, delta_color="normal", direction="off", signal=False,
        signal_text="; ".join(t for t in (share, target) if t) or "No members figure up to the period's end",
        help=(m.help + ("" if found.latest is None else f" As at {words.when_text(found.latest)}.")),
    )


@one_source
def build(con: Con, sel: Selection) -> EngagementView:
    head = measures_header(sel, "Engagement", WHAT)
    present = loaded(con)
    end = sel.end
    homes = targets.households_sources(con)
    note = "Households: " + "; ".join(homes) + " (data/reference/households.csv, editable by an admin)."
    signups = engagement.signups_weekly(con, sel.district, sel.end)
    alerts = engagement.alerts_monthly(con, sel.district, sel.end, months=13)
    district_rows = engagement.members_by_district(con, end)
    columns = {"district": "District", "members": "Members", "as_at": "As at", "households": "Households",
               "share_pct": "Share of households", "target": "Target", "distance": "Distance from target"}
    shown = district_rows.rename(columns=columns)
    shown_fmt = shown.copy().astype(object)
    for col in ("Members", "Households", "Target"):
        shown_fmt[col] = [fmt.NA if fmt.is_missing(v) else fmt.fmt_int(int(round(v))) for v in shown[col]]
    shown_fmt["Distance from target"] = [fmt.NA if fmt.is_missing(v) else fmt.fmt_change(int(round(v)))
                                         for v in shown["Distance from target"]]
    shown_fmt["Share of households"] = [fmt.NA if fmt.is_missing(v) else f"{v:.2f}%"
                                        for v in shown["Share of households"]]
    periods = {v for v in shown["As at"] if isinstance(v, str)}
    as_at = f"Members as at {period_label(next(iter(periods)))}." if len(periods) == 1 else None
    if as_at:  # every district's figure stands at the same period: said once, not on every row
        shown_fmt = shown_fmt.drop(columns=["As at"])
    else:
        shown_fmt["As at"] = [short_label(v) if isinstance(v, str) else fmt.NA for v in shown["As at"]]
    stem = f"mcv-{sel.period.start}-to-{sel.period.end}"
    if not any(n in present for n in (MCV_MEMBERS, MCV_SIGNUPS, MCV_ALERTS)):
        return EngagementView(head, NOTHING, [], [], None, Table(shown_fmt, shown, f"{stem}-members-by-district"),
                              note, as_at, _signups_chart(signups, stem), _alerts_chart(alerts, stem), WEEK_RULE)
    found = engagement.members(con, sel.district, end)
    progress = []
    if found.latest is not None:
        m = catalogue.get(MCV_MEMBERS)
        p = found.progress
        progress.append(narrative.level_sentence(
            f"{m.title} in {sel.area}", found.latest.value, words.when_text(found.latest),
            None if p is None else p.target, None if p is None else p.rule.describe(), found.share_pct,
            words.forecast_text(p)))
        if p is not None:
            progress.append(f"Target: {p.rule.describe()} — {p.rule.note}.")
    trend = engagement.members_trend(con, sel.district, end)
    p = found.progress
    members_chart = None
    if trend:
        per_day = None if p is None or p.forecast is None else p.forecast.per_day
        fig = measure_charts.members_over_time(trend, target=None if p is None else p.target, per_day=per_day,
                                               title=f"MCV members, {sel.area}")
        summary = progress[0] if progress else "MCV members over time."
        members_chart = chart(fig, summary)
    tiles = [members_tile(con, sel), flow_tile(con, MCV_SIGNUPS, sel.district, sel.period),
             flow_tile(con, MCV_ALERTS, sel.district, sel.period)]
    return EngagementView(head, None, tiles, progress, members_chart,
                          Table(shown_fmt, shown, f"{stem}-members-by-district"), note, as_at,
                          _signups_chart(signups, stem), _alerts_chart(alerts, stem), WEEK_RULE)


def _series_table(df: pd.DataFrame, stem: str, period_word: str) -> Table:
    raw = df[["period", "label", "value", "last_year", "basis"]].rename(columns={
        "period": "Period", "label": period_word, "value": "This year", "last_year": "Same " + period_word.lower()
        + " last year", "basis": "How it was made"})
    shown = raw.copy().astype(object)
    for col in ("This year", "Same " + period_word.lower() + " last year"):
        shown[col] = [fmt.NA if fmt.is_missing(v) else fmt.fmt_int(int(v)) for v in raw[col]]
    shown["How it was made"] = ["" if fmt.is_missing(v) or v is None else str(v) for v in raw["How it was made"]]
    return Table(shown.drop(columns=["Period"]), raw, stem)


def _signups_chart(df: pd.DataFrame, stem: str) -> Chart:
    loaded_weeks = df["value"].notna().sum()
    summary = (f"MCV sign-ups per week over the last {len(df)} weeks: {loaded_weeks} loaded"
               + (f", the latest {fmt.fmt_int(int(df['value'].dropna().iloc[-1]))} "
                  f"({df.loc[df['value'].notna(), 'label'].iloc[-1]})." if loaded_weeks else "."))
    fig = measure_charts.bars_with_last_year(df, title="MCV sign-ups per week", y_title="Sign-ups",
                                             last_label="Same week last year")
    return chart(fig, summary, _series_table(df, f"{stem}-signups-by-week", "Week"))


def _alerts_chart(df: pd.DataFrame, stem: str) -> Chart:
    loaded_months = df["value"].notna().sum()
    summary = (f"MCV alerts sent per month over {len(df)} months: {loaded_months} loaded"
               + (f", the latest {fmt.fmt_int(int(df['value'].dropna().iloc[-1]))} "
                  f"({df.loc[df['value'].notna(), 'label'].iloc[-1]})." if loaded_months else "."))
    fig = measure_charts.bars_with_last_year(df, title="MCV alerts sent per month", y_title="Alerts",
                                             last_label="Same month last year")
    return chart(fig, summary, _series_table(df, f"{stem}-alerts-by-month", "Month"))
