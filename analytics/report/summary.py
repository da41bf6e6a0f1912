"""The performance report's figures as one dict: the `summary` command's JSON and text, from analytics.figures
(and the named measures, from analytics.measures through analytics.report.measures).

JSON numbers are exact counts; pct_change, rates and pp_change are already rounded once (1 dp, half away from
zero) and null where they cannot be computed (last year 0, or a month the source does not cover). A total's count
needs every month of the period covered and its last_year every month a year earlier (analytics.figures), so a
period with no year earlier loaded still has its total.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analytics.domain.maturity import year_earlier
from analytics.domain.periods import Period, short_label
from analytics.errors import InputRefused, NotFound
from analytics.figures import breakdowns, control_series, counts, coverage, solved
from analytics.figures.common import Con, check_district
from analytics.report import control_text, maturity, measures
from analytics.report.formatting import fmt_change, fmt_int, fmt_pct, fmt_pp, fmt_rate
from analytics.report.narrative import commentary

CELL_FIELDS = ("count", "last_year", "change", "pct_change", "signal")


def _value(value: Any) -> Any:
    """A JSON value: None for <NA>/NaN, int for integers, float for rounded figures, bool for signals."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return value


def _cells(row: pd.Series) -> dict[str, Any]:
    return {f: _value(row[f]) for f in CELL_FIELDS}


def _comparison(df: pd.DataFrame) -> dict[str, Any]:
    months = [{"month": r["month"], **_cells(r)} for _, r in df.iloc[:-1].iterrows()]
    return {"months": months, "total": _cells(df.iloc[-1])}


def _breakdown(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"name": r["name"], **_cells(r)} for _, r in df.iterrows()]


def choose_source(con: Con, source: str | None) -> str:
    """The source to report on: the one asked for, or the only one loaded."""
    loaded = coverage.loaded_sources(con)
    if source is not None:
        if source not in loaded:
            valid = ", ".join(loaded) if loaded else "none (the database is empty)"
            raise NotFound("Unknown source", f"There is no source called {source!r}. Loaded sources: {valid}.")
        return source
    if not loaded:
        raise NotFound("No data", "The database holds no ASB or crime rows yet: load some files first.")
    if len(loaded) > 1:
        raise InputRefused(
            "Choose a source",
            f"The database holds more than one source ({', '.join(loaded)}); figures from different sources are "
            "never added together. Say which with --source.",
        )
    return loaded[0]


def solved_block(rate: solved.SolvedRate) -> dict[str, Any]:
    """victim_based_crime.solved of the JSON: the cohort rate, its maturity and, where outcomes are dated, the rate
    at the same age. like_for_like is null when maturity cannot be known; signal is false whenever it is false."""
    block: dict[str, Any] = {
        "count": rate.solved, "rate": _value(rate.rate),
        "last_year_count": rate.last_year_solved, "last_year_rate": _value(rate.last_year_rate),
        "pp_change": _value(rate.pp_change),
        "total": rate.total, "last_year_total": rate.last_year_total,
        "basis": rate.basis, "signal": rate.signal,
        "like_for_like": rate.like_for_like,
        "pending_share": {"this_year": _value(rate.pending_share), "last_year": _value(rate.last_year_pending_share)},
    }
    if rate.matched is not None:
        m = rate.matched
        block["matched"] = {"as_at": m.as_at.isoformat(), "rate": _value(m.rate),
                            "last_year_rate": _value(m.last_year_rate), "pp_change": _value(m.pp_change),
                            "signal": m.signal}
    return block


def build_summary(
    con: Con, *, period: Period, source: str | None = None, district: str | None = None, as_at: date | None = None
) -> dict[str, Any]:
    """Exactly the JSON object of `python -m analytics summary --json` for the period, source and district;
    ``as_at`` is the date the solved rate at the same age is taken at (default: the source's data date)."""
    source = choose_source(con, source)
    district = check_district(district)
    args: dict[str, Any] = {"period": period, "source": source, "district": district}
    asb = _comparison(counts.comparison(con, measure="asb", **args))
    asb["call_types"] = _breakdown(breakdowns.breakdown(con, measure="asb", by="call_type", **args))
    asb["districts"] = _breakdown(breakdowns.breakdown(con, measure="asb", by="district", **args))
    vbc = _comparison(counts.comparison(con, measure="vbc", **args))
    vbc["solved"] = solved_block(solved.solved_rate(con, as_at=as_at, **args))
    all_crime = _comparison(counts.comparison(con, measure="all_crime", **args))
    flags = coverage.quality_flags(con, source=source, months=list(period.months) + list(period.last_year))
    summary: dict[str, Any] = {
        "period": {"start": period.start, "end": period.end, "label": period.label},
        "source": source,
        "district": district,
        "asb": asb,
        "victim_based_crime": vbc,
        "all_crime": all_crime,
        # "measure" holds the kind (asb | crime): a key of the JSON contract
        "quality": [{"month": f.month, "measure": f.kind, "issue": f.issue, "detail": f.detail} for f in flags],
        # the named measures (engagement, satisfaction): analytics.report.measures
        "measures": measures.summary_entries(con, period=period, district=district),
    }
    summary["control"] = control_block(con, end=period.end, source=source, district=district)
    summary["commentary"] = commentary(summary) + measures.commentary_sentences(con, period=period,
                                                                              district=district)
    return summary


def control_block(con: Con, *, end: str, source: str, district: str | None) -> dict[str, Any]:
    """The control-chart verdict on the period's last month for ASB and victim-based crime (a measure whose kind
    the source does not hold up to `end` is left out)."""
    out: dict[str, Any] = {}
    for key, measure in (("asb", "asb"), ("victim_based_crime", "vbc")):
        try:
            series = control_series.control_chart(con, measure=measure, source=source, end=end, district=district)
        except (NotFound, InputRefused):
            continue
        verdict = control_text.verdict(series)
        point, segment = series.point(verdict.month), series.segment(verdict.month)
        season = None
        if verdict.status == control_text.SIGNAL:
            [rng] = control_series.expected_for(con, series.spec, end=verdict.month)
            season = control_text.season_note(verdict, rng)
        out[key] = {
            "month": verdict.month, "status": verdict.status, "signals": list(verdict.signals),
            "value": None if point is None else _value(point.value),
            "data_quality": None if point is None else point.data_quality,
            "centre": segment.centre, "lower": segment.lower, "upper": segment.upper,
            "trial": segment.baseline.trial, "sentence": verdict.sentence,
            "short": verdict.short + (" (within its expected range for the time of year)" if season else ""),
            "season_note": season,
        }
    return out


# ---------------------------------------------------------------------------------------------- text output


def _table(title: str, first: str, rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    header = (first, "This year", "Last year", "% change", "Change", "Signal")
    body = [
        (name, fmt_int(c["count"]), fmt_int(c["last_year"]), fmt_pct(c["pct_change"]), fmt_change(c["change"]),
         "signal" if c["signal"] else "")
        for name, c in rows
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded).rstrip()

    return [title, line(header), *(line(r) for r in body), ""]


def _month_rows(block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(short_label(m["month"]), m) for m in block["months"]] + [("Total", block["total"])]


def render_text(summary: dict[str, Any]) -> str:
    """The report's tables as plain text."""
    where = f", {summary['district']}" if summary.get("district") else ""
    out = [f"Performance summary: {summary['period']['label']} against the same period last year "
           f"(source: {summary['source']}{where})", ""]
    out += _table("ASB incidents", "Month", _month_rows(summary["asb"]))
    out += _table("Victim-based crime", "Month", _month_rows(summary["victim_based_crime"]))
    s = summary["victim_based_crime"]["solved"]
    out += [f"VBC solved rate ({s['basis']} basis): {fmt_rate(s['rate'])} ({fmt_int(s['count'])} solved) against "
            f"{fmt_rate(s['last_year_rate'])} ({fmt_int(s['last_year_count'])}) last year, {fmt_pp(s['pp_change'])}"]
    shares = s["pending_share"]
    if s["like_for_like"] is False:
        out.append("  " + maturity.not_like_for_like(shares["this_year"], shares["last_year"], s["pp_change"]))
    elif s["like_for_like"] is True:
        out.append("  Like-for-like: " + maturity.pending_line(shares["this_year"], shares["last_year"]))
    if "matched" in s:
        m = s["matched"]
        as_at = date.fromisoformat(m["as_at"])
        out.append("  " + maturity.same_age(as_at, year_earlier(as_at), m["rate"], m["last_year_rate"],
                                            m["pp_change"], bool(m["signal"])))
    out.append("")
    out += _table("All crime", "Month", _month_rows(summary["all_crime"]))
    if summary["asb"]["call_types"]:
        out += _table("ASB call types (largest reductions first)", "Call type",
                      [(c["name"], c) for c in summary["asb"]["call_types"]])
    out += _table("ASB by district", "District", [(c["name"], c) for c in summary["asb"]["districts"]])
    if summary["quality"]:
        out += ["Data quality"] + [f"  {q['month']} {q['measure']}: {q['issue']} — {q['detail']}"
                                   for q in summary["quality"]] + [""]
    if summary.get("measures"):
        out += ["Measures (value, target, 95% interval)"]
        for e in summary["measures"]:
            target = "" if e["target"] is None else f"  target {e['target']:,}"
            interval = "" if e["low"] is None else f"  ({e['low']:.1f} to {e['high']:.1f})"
            out.append(f"  {e['measure']:<28} {e['period']:<16} {e['value']:>12,}{target}{interval}")
        out.append("")
    out += ["Commentary"] + [f"  {sentence}" for sentence in summary["commentary"]]
    return "\n".join(out) + "\n"
