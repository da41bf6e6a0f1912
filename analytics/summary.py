"""The performance report's figures as one dict: the `summary` command's JSON and text, from analytics.metrics.

JSON numbers are exact counts; pct_change, rates and pp_change are already rounded once (1 dp, half away from
zero) and null where they cannot be computed (last year 0, or a month the source does not cover). A total's count
needs every month of the period covered and its last_year every month a year earlier (analytics.metrics), so a
period with no year earlier loaded still has its total.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd

from analytics import metrics, store
from analytics.errors import InputRefused, NotFound
from analytics.formatting import fmt_change, fmt_int, fmt_pct, fmt_pp, fmt_rate
from analytics.narrative import commentary
from analytics.periods import Period, make_period, short_label

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


def choose_source(con: Any, source: str | None) -> str:
    """The source to report on: the one asked for, or the only one loaded."""
    loaded = metrics.loaded_sources(con)
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


def build_summary(con: Any, *, period: Period, source: str | None = None, district: str | None = None) -> dict:
    """Exactly the JSON object of `python -m analytics summary --json` for the period, source and district."""
    source = choose_source(con, source)
    district = metrics.check_district(district)
    args = {"period": period, "source": source, "district": district}
    asb = _comparison(metrics.comparison(con, measure="asb", **args))
    asb["call_types"] = _breakdown(metrics.breakdown(con, measure="asb", by="call_type", **args))
    asb["districts"] = _breakdown(metrics.breakdown(con, measure="asb", by="district", **args))
    vbc = _comparison(metrics.comparison(con, measure="vbc", **args))
    solved = metrics.solved_rate(con, **args)
    vbc["solved"] = {
        "count": solved.solved, "rate": _value(solved.rate),
        "last_year_count": solved.last_year_solved, "last_year_rate": _value(solved.last_year_rate),
        "pp_change": _value(solved.pp_change),
        "total": solved.total, "last_year_total": solved.last_year_total,
        "basis": solved.basis, "signal": solved.signal,
    }
    all_crime = _comparison(metrics.comparison(con, measure="all_crime", **args))
    flags = metrics.quality_flags(con, source=source, months=list(period.months) + list(period.last_year))
    summary = {
        "period": {"start": period.start, "end": period.end, "label": period.label},
        "source": source,
        "district": district,
        "asb": asb,
        "victim_based_crime": vbc,
        "all_crime": all_crime,
        "quality": [{"month": f.month, "measure": f.measure, "issue": f.issue, "detail": f.detail} for f in flags],
    }
    summary["commentary"] = commentary(summary)
    return summary


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


def render_text(summary: dict) -> str:
    """The report's tables as plain text."""
    where = f", {summary['district']}" if summary.get("district") else ""
    out = [f"Performance summary: {summary['period']['label']} against the same period last year "
           f"(source: {summary['source']}{where})", ""]
    out += _table("ASB incidents", "Month", _month_rows(summary["asb"]))
    out += _table("Victim-based crime", "Month", _month_rows(summary["victim_based_crime"]))
    s = summary["victim_based_crime"]["solved"]
    out += [f"VBC solved rate ({s['basis']} basis): {fmt_rate(s['rate'])} ({fmt_int(s['count'])} solved) against "
            f"{fmt_rate(s['last_year_rate'])} ({fmt_int(s['last_year_count'])}) last year, {fmt_pp(s['pp_change'])}",
            ""]
    out += _table("All crime", "Month", _month_rows(summary["all_crime"]))
    if summary["asb"]["call_types"]:
        out += _table("ASB call types (largest reductions first)", "Call type",
                      [(c["name"], c) for c in summary["asb"]["call_types"]])
    out += _table("ASB by district", "District", [(c["name"], c) for c in summary["asb"]["districts"]])
    if summary["quality"]:
        out += ["Data quality"] + [f"  {q['month']} {q['measure']}: {q['issue']} — {q['detail']}"
                                   for q in summary["quality"]] + [""]
    out += ["Commentary"] + [f"  {sentence}" for sentence in summary["commentary"]]
    return "\n".join(out) + "\n"


def run_summary(args: Any) -> int:
    """`python -m analytics summary`: the figures as text, or one JSON object with --json."""
    try:
        period = make_period(args.end, f"{args.months}m")
    except ValueError as e:
        raise InputRefused("Bad period", str(e)) from e
    con = store.connect(args.db)
    try:
        summary = build_summary(con, period=period, source=args.source, district=args.district)
    finally:
        con.close()
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(summary))
    return 0

