"""`python -m analytics control`: the XmR control chart of a measure as JSON (--json) or as text.

The JSON keeps the contract's keys first — measure, centre, lower, upper, mr_bar, baseline {start, end, trial},
points [{month, value, signals}] — unrounded, then the rest: every segment's limits, each point's data-quality
reason and moving range, the verdict on the last month, a suggested re-baseline, and the register's process
changes and interventions on the chart (each intervention with its before/after comparison).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from analytics import publish
from analytics.domain.kinds import Kind, Measure
from analytics.domain.periods import month_name, short_label
from analytics.errors import DashboardError, InputRefused
from analytics.figures import control, control_series
from analytics.report import control_text
from analytics.report.summary import choose_source


def _baseline(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    try:
        return control.parse_baseline(text)
    except ValueError as e:
        raise InputRefused("Bad baseline", f"--baseline {e}.") from None


def _group(args: argparse.Namespace, measure: Measure) -> str | None:
    if args.call_type is not None and args.crime_type is not None:
        raise InputRefused("Choose one", "Give --call-type (ASB) or --crime-type (crime), not both.")
    if args.call_type is not None and measure.kind is not Kind.ASB:
        raise InputRefused("Call types are ASB", "--call-type narrows an ASB chart: use it with --measure asb, or "
                                                 "--crime-type with a crime measure.")
    if args.crime_type is not None and measure.kind is not Kind.CRIME:
        raise InputRefused("Crime types are crime", "--crime-type narrows a crime chart: use it with --measure vbc "
                                                    "or all_crime, or --call-type with asb.")
    group: str | None = args.call_type if args.call_type is not None else args.crime_type
    return group


def run_control(args: argparse.Namespace) -> int:
    measure = Measure(args.measure)
    group = _group(args, measure)
    baseline = _baseline(args.baseline)
    con = publish.reading(args.db, create=True)
    try:
        source = choose_source(con, args.source)
        series = control_series.control_chart(con, measure=measure, source=source, end=args.end, months=args.months,
                                              district=args.district, group=group, baseline=baseline,
                                              screen_outliers=args.screen_outliers)
        effects: dict[int, Any] = {}
        for entry in series.interventions:
            try:
                effects[entry.id] = control_series.intervention_effect(con, series.spec, entry, end=series.months[-1])
            except DashboardError as e:
                effects[entry.id] = e.message
    finally:
        con.close()
    verdict = control_text.verdict(series)
    if args.json:
        out = series.to_json_dict()
        out["verdict"] = {"month": verdict.month, "status": verdict.status, "sentence": verdict.sentence}
        for item in out["interventions"]:
            found = effects.get(item["id"])
            item["before_after"] = found.to_json_dict() if isinstance(found, control_series.InterventionEffect) \
                else {"error": found}
        json.dump(out, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    _print_text(series, verdict, effects)
    return 0


def _print_text(series: control_series.ControlSeries, verdict: control_text.Verdict, effects: dict[int, Any]) -> None:
    lines = [f"Control chart: {series.label}, {series.spec.source} data, {month_name(series.months[0])} to "
             f"{month_name(series.months[-1])}", "", verdict.sentence, "", control_text.method_text(series), ""]
    suggestion = control_text.suggestion_text(series)
    if suggestion:
        lines += [suggestion, ""]
    table = control_text.xmr_table(control_series.xmr_frame(series))
    widths = {c: max(len(c), *(len(str(v)) for v in table[c])) for c in ("Month", "Recorded", "Moving range")}
    for _, row in table.iterrows():
        extra = "; ".join(x for x in (row["Signals"] if row["Signals"] != "none" else "", row["Data quality"]) if x)
        lines.append(f"{row['Month']:<{widths['Month']}}  {row['Recorded']:>{widths['Recorded']}}  "
                     f"{row['Moving range']:>{widths['Moving range']}}  {extra}".rstrip())
    for entry in series.process_changes:
        lines += ["", f"Re-baselined from {short_label(entry.month)}: {entry.title} — {entry.description}"]
    for entry in series.interventions:
        found = effects.get(entry.id)
        text = control_text.effect_sentence(found) if isinstance(found, control_series.InterventionEffect) else found
        lines += ["", f"{entry.title} — {entry.description}", f"  {text}"]
    sys.stdout.write("\n".join(lines) + "\n")
