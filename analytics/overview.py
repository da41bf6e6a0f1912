"""What the dashboard's pages show beyond the report's tables: headline tiles, data freshness, the months a
period can end at, the batch history as a table, and one-line text alternatives for every chart.

Every number here comes from analytics.metrics (the functions `python -m analytics summary` uses), so the
screen and the report cannot disagree; this module only picks and words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from analytics import formatting as fmt
from analytics import metrics
from analytics.narrative import flag_runs
from analytics.periods import Period, month_range, month_runs, shift_month

Con = duckdb.DuckDBPyConnection

MEASURE_NAMES = {"asb": "ASB incidents", "vbc": "Victim-based crime", "all_crime": "All crime"}
SOLVED_BASIS_TEXT = {
    "cohort": "Solved rate: crimes recorded in the period with a positive outcome (charge or summons, caution, "
    "taken into consideration, penalty notice, cannabis/khat warning, community resolution) ÷ victim-based "
    "crimes recorded in the period (cohort basis, as the Home Office outcomes statistics).",
    "outcome_date": "Solved rate: victim-based crimes given a positive outcome in the period, whenever recorded "
    "÷ victim-based crimes recorded in the period (outcome-date basis).",
}


@dataclass(frozen=True)
class Tile:
    """One headline tile: st.metric's label, value and delta, and the signal line under it."""

    key: str  # 'asb' | 'vbc' | 'solved'
    label: str
    value: str
    delta: str | None  # None when there is nothing to compare with
    delta_color: str  # 'inverse' where a fall is good, 'normal' for the solved rate
    direction: str  # 'up' | 'down' | 'off' (no change or no comparison)
    signal: bool
    signal_text: str
    help: str

    @property
    def color(self) -> str:
        """The delta's colour. Worked out here because the report's true minus sign (−) is not the ASCII '-'
        st.metric looks for; the arrow (shape) carries the direction as well."""
        if self.direction == "off":
            return "gray"
        good = (self.direction == "down") == (self.delta_color == "inverse")
        return "green" if good else "red"


def _total(df: pd.DataFrame) -> pd.Series:
    return df[df["month"] == "Total"].iloc[0]


NO_COMPARISON = "No comparison: the same months last year are not loaded"


def _direction(change: Any) -> str:
    if fmt.is_missing(change) or change == 0:
        return "off"
    return "up" if change > 0 else "down"


def count_tile(key: str, df: pd.DataFrame) -> Tile:
    """A tile from a metrics.comparison frame's Total row."""
    total = _total(df)
    compared = not fmt.is_missing(total["change"])
    return Tile(
        key=key,
        label=MEASURE_NAMES[key],
        value=fmt.fmt_int(total["count"]),
        delta=fmt.headline_delta(total["pct_change"], total["change"]) if compared else None,
        delta_color="inverse",
        direction=_direction(total["change"]),
        signal=bool(total["signal"]),
        signal_text=fmt.signal_text(total["signal"]) if compared else NO_COMPARISON,
        help=f"Same months last year: {fmt.fmt_int(total['last_year'])}",
    )


def solved_tile(rate: metrics.SolvedRate) -> Tile:
    """The solved-rate tile: rate now, the change in percentage points, a signal on the solved counts."""
    compared = not fmt.is_missing(rate.pp_change)
    return Tile(
        key="solved",
        label="Victim-based crime solved rate",
        value=fmt.fmt_rate(rate.rate),
        delta=f"{fmt.fmt_pp(rate.pp_change)} on last year" if compared else None,
        delta_color="normal",
        direction=_direction(rate.pp_change) if compared else "off",
        signal=bool(rate.signal),
        signal_text=fmt.signal_text(rate.signal) if compared else NO_COMPARISON,
        help=(
            f"{fmt.fmt_int(rate.solved)} solved of {fmt.fmt_int(rate.total)}; same months last year "
            f"{fmt.fmt_rate(rate.last_year_rate)} ({fmt.fmt_int(rate.last_year_solved)} of "
            f"{fmt.fmt_int(rate.last_year_total)}). {basis_text(rate.basis)}"
        ),
    )


def headline_tiles(con: Con, *, period: Period, source: str, district: str | None = None) -> list[Tile]:
    """ASB incidents, victim-based crime and the solved rate for the period against the same months last year."""
    asb = metrics.comparison(con, measure="asb", period=period, source=source, district=district)
    vbc = metrics.comparison(con, measure="vbc", period=period, source=source, district=district)
    rate = metrics.solved_rate(con, period=period, source=source, district=district)
    return [count_tile("asb", asb), count_tile("vbc", vbc), solved_tile(rate)]


def basis_text(basis: str) -> str:
    return SOLVED_BASIS_TEXT.get(basis, basis)


def end_month_options(con: Con, *, source: str) -> list[str]:
    """Months a period can end at, newest first: every month from the source's first to its latest month
    (metrics.latest_month), gaps included so a gap can still be chosen and shown as not covered."""
    latest = metrics.latest_month(con, source=source)
    if latest is None:
        return []
    return list(reversed(month_range(_first_month(con, source) or latest, latest)))


def default_end_month(con: Con, *, source: str) -> str | None:
    """The latest complete month that can be compared with a year earlier.

    Complete: metrics.latest_month, stepping back over trailing months metrics.quality_flags marks partial or
    missing. A performance view is a comparison, so when that month has no same month last year loaded (the
    bundled demo holds 2024 only up to April) the default is the latest month that has one, if any.
    """
    latest = metrics.latest_month(con, source=source)
    if latest is None:
        return None
    flagged = {f.month for f in metrics.quality_flags(con, source=source)}
    complete = next((m for m in end_month_options(con, source=source) if m not in flagged), latest)
    comparable = comparable_end_month(con, source=source)
    return comparable if comparable is not None and comparable < complete else complete


def comparable_end_month(con: Con, *, source: str) -> str | None:
    """The latest month that can be compared with a year earlier: the source covers it and the same month
    last year, for both ASB and crime (for a source with one kind, that kind)."""
    covered = _covered(con, source)
    comparable = [m for m in covered if shift_month(m, -12) in covered]
    return max(comparable) if comparable else None


def _months_by_kind(con: Con, source: str) -> list[set[str]]:
    """The months the source has rows for, one set per kind it holds (ASB, crime)."""
    cov = metrics.coverage(con)
    mine = cov[cov["source"] == source]
    kinds = [set(mine.loc[mine["measure"] == k, "month"]) for k in ("asb", "crime")]
    return [k for k in kinds if k]


def _first_month(con: Con, source: str) -> str | None:
    """The first month with rows of any kind, None when the source has none."""
    kinds = _months_by_kind(con, source)
    return min(set().union(*kinds)) if kinds else None


def _covered(con: Con, source: str) -> set[str]:
    """Months covered for every kind the source holds (for a source with one kind, that kind)."""
    kinds = _months_by_kind(con, source)
    return set.intersection(*kinds) if kinds else set()


def comparison_note(con: Con, *, period: Period, source: str) -> str | None:
    """A warning when some months of the period cannot be compared with a year earlier, else None."""
    covered = _covered(con, source)
    missing_now = [m for m in period.months if m not in covered]
    missing_before = [shift_month(m, -12) for m in period.months if shift_month(m, -12) not in covered]
    if not missing_now and not missing_before:
        return None
    parts = []
    if missing_now:
        parts.append(f"{month_runs(missing_now)} {_is_are(missing_now)} not loaded, so the period has no total")
    if missing_before:
        parts.append(f"{month_runs(missing_before)}, a year earlier, {_is_are(missing_before)} not loaded")
    lead = ("No comparison with a year earlier" if len(missing_before) == len(period.months)
            else "Part of this period cannot be compared with a year earlier")
    tail = "" if missing_now or len(missing_before) == len(period.months) else \
        ", so the totals have no change on last year"
    return f"{lead}: {'; '.join(parts)}{tail}."


def _is_are(months: Sequence[str]) -> str:
    return "is" if len(months) == 1 else "are"


@dataclass(frozen=True)
class Freshness:
    latest: str | None
    first: str | None
    missing: tuple[str, ...]  # 'January 2025 (ASB)'
    partial: tuple[str, ...]

    @property
    def sentence(self) -> str:
        if self.latest is None:
            return "No data loaded for this source."
        parts = [f"Data from {fmt.month_label(self.first)} to {fmt.month_label(self.latest)}."]
        parts.append(f"Gaps: {', '.join(self.missing)}." if self.missing else "No gaps.")
        parts.append(
            f"Partial months (far fewer rows than the months around them): {', '.join(self.partial)}."
            if self.partial else "No partial months."
        )
        return " ".join(parts)


def freshness(con: Con, *, source: str) -> Freshness:
    """How fresh and complete the source is: latest month, its span, gaps and partial months (metrics rules)."""
    flags = metrics.quality_flags(con, source=source)

    def listed(issue: str) -> tuple[str, ...]:
        return tuple(flag_runs((f.month, f.measure) for f in flags if f.issue == issue))

    return Freshness(metrics.latest_month(con, source=source), _first_month(con, source), listed("missing"),
                     listed("partial"))


def quality_table(flags: dict[str, list[metrics.QualityFlag]]) -> pd.DataFrame:
    """Every source's gaps and partial months (source -> metrics.quality_flags) as one table."""
    rows = [{"Source": s, "Month": fmt.month_label(q.month), "Holds": KIND_WORDS.get(q.measure, q.measure),
             "Issue": q.issue.capitalize(), "Detail": q.detail} for s, found in flags.items() for q in found]
    return pd.DataFrame(rows, columns=["Source", "Month", "Holds", "Issue", "Detail"])


BATCH_COLUMNS = {
    "id": "Batch",
    "file": "File",
    "source": "Source",
    "kind": "Holds",
    "loaded_at": "Loaded at",
    "loaded_by": "Loaded by",
    "rows_loaded": "Rows loaded",
    "rows_rejected": "Rows refused",
    "rows_live": "Rows in use",
    "months": "Months",
    "status": "Status",
}


def batch_history(con: Con) -> pd.DataFrame:
    """The audit trail of loads, newest first, with plain column names (no file hashes, no personal data)."""
    from analytics.ingest.load import list_batches

    rows: list[dict[str, Any]] = list_batches(con)
    out = pd.DataFrame([{label: r.get(key) for key, label in BATCH_COLUMNS.items()} for r in rows],
                       columns=list(BATCH_COLUMNS.values()))
    if len(out):
        out["Months"] = [_months_text(m) for m in out["Months"]]
        out["Loaded at"] = [str(v).replace("T", " ") if v else "" for v in out["Loaded at"]]
        out["Holds"] = [KIND_WORDS.get(k, k) for k in out["Holds"]]
    return out


KIND_WORDS = {"asb": "ASB", "crime": "Crime", "asb+crime": "ASB and crime"}
STATUS_WORDS = {"loaded": "Loaded", "partly replaced": "Partly replaced", "replaced": "Replaced",
                "rolled back": "Rolled back"}


def stamp_text(stamp: str | None) -> str:
    """'2025-02-03T14:05:09' -> '2025-02-03 14:05'; '' when there is none."""
    return stamp.replace("T", " ")[:16] if stamp else ""


def batch_label(batch: dict[str, Any]) -> str:
    """How a batch is named in a picker: file, months, when and by whom."""
    from analytics.ingest.load import describe_months

    return (f"Batch {batch['id']}: {batch['file']} ({describe_months(batch['months'])}, "
            f"loaded {stamp_text(batch['loaded_at'])} by {batch['loaded_by']})")


def latest_load_sentence(batch: dict[str, Any]) -> str:
    from analytics.ingest.load import describe_months

    return (f"**Latest load:** batch {batch['id']}, {batch['file']}, {describe_months(batch['months'])}: "
            f"{batch['rows_loaded']:,} rows loaded by {batch['loaded_by']} at {stamp_text(batch['loaded_at'])} — "
            f"{STATUS_WORDS.get(batch['status'], batch['status']).lower()}.")


def audit_table(batches: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The load history page's table of analytics.ingest.load.list_batches rows: the full audit trail, with
    rows read and roll-backs (batch_history is the shorter table the Data page shows)."""
    from analytics.ingest.load import describe_months

    return pd.DataFrame([{
        "Batch": b["id"], "File": b["file"], "Source": b["source"], "Holds": KIND_WORDS.get(b["kind"], b["kind"]),
        "Months": describe_months(b["months"]), "Rows read": b["rows_read"], "Loaded": b["rows_loaded"],
        "Rejected": b["rows_rejected"], "Live now": b["rows_live"],
        "Status": STATUS_WORDS.get(b["status"], b["status"]), "Loaded by": b["loaded_by"],
        "Loaded at": stamp_text(b["loaded_at"]), "Rolled back by": b["rolled_back_by"] or "",
        "Rolled back at": stamp_text(b["rolled_back_at"]),
    } for b in batches])


def _months_text(months: Any) -> str:
    months = sorted(months or [])
    if not months:
        return ""
    if len(months) == 1:
        return fmt.month_short(months[0])
    return f"{fmt.month_short(months[0])} – {fmt.month_short(months[-1])} ({len(months)})"


# ------------------------------------------------------------------------------------------ text alternatives


def _movement(change: Any, pct: Any) -> str:
    if fmt.is_missing(change):
        return "no comparison with last year (a month is not covered)"
    if change == 0:
        return "the same as the same months last year"
    word = "up" if change > 0 else "down"
    return f"{word} {fmt.fmt_int(abs(int(change)))} ({fmt.fmt_pct(pct)}) on the same months last year"


def has_values(df: pd.DataFrame, column: str) -> bool:
    """True when any row of the frame has a value in `column` (a chart would draw something)."""
    return bool(df[column].notna().any()) if column in df and len(df) else False


def has_comparison(df: pd.DataFrame) -> bool:
    """True when any row of a comparison or breakdown frame has a change against last year."""
    return bool(df["change"].notna().any()) if "change" in df else False


def comparison_sentence(measure: str, df: pd.DataFrame, period: Period) -> str:
    """'ASB incidents: 4,321 in November 2024 – January 2025, down 491 (−10.2%) …; within normal variation.'"""
    total = _total(df)
    if fmt.is_missing(total["change"]):  # nothing to compare: no word on variation
        return (f"{MEASURE_NAMES[measure]}: {fmt.fmt_int(total['count'])} in {period.label}, "
                f"{_movement(total['change'], total['pct_change'])}.")
    signal = "a signal: beyond normal variation" if bool(total["signal"]) else "within normal variation"
    return (f"{MEASURE_NAMES[measure]}: {fmt.fmt_int(total['count'])} in {period.label}, "
            f"{_movement(total['change'], total['pct_change'])}; {signal}.")


def trend_sentence(measure: str, df: pd.DataFrame) -> str:
    """The 25-month trend in one line: the latest month against the same month last year, and the peak."""
    covered = df.dropna(subset=["count"])
    if covered.empty:
        return f"{MEASURE_NAMES[measure]}: no months covered in this window."
    last = covered.iloc[-1]
    peak = covered.loc[covered["count"].astype("int64").idxmax()]
    return (f"{MEASURE_NAMES[measure]} by month, {df['label'].iloc[0]} to {df['label'].iloc[-1]}: "
            f"{fmt.fmt_int(last['count'])} in {last['label']} against {fmt.fmt_int(last['last_year'])} a year "
            f"earlier; highest {fmt.fmt_int(peak['count'])} in {peak['label']}. "
            f"{len(df) - len(covered)} of {len(df)} months not covered.")


def breakdown_sentence(df: pd.DataFrame, what: str) -> str:
    """The largest reduction and the largest increase of a metrics.breakdown frame."""
    rows = df.dropna(subset=["change"])
    if rows.empty and has_values(df, "count"):
        return f"{len(df)} {what}: no comparison with last year (a month is not covered)."
    if rows.empty:
        return f"No {what} recorded in this period for this source."
    falls, rises = rows[rows["change"] < 0], rows[rows["change"] > 0]
    parts = []
    if len(falls):
        r = falls.sort_values("change").iloc[0]
        parts.append(f"largest reduction {r['name']}: {fmt.fmt_int(r['count'])}, {fmt.fmt_pct(r['pct_change'])}, "
                     f"down {fmt.fmt_int(-int(r['change']))}")
    if len(rises):
        r = rises.sort_values("change", ascending=False).iloc[0]
        parts.append(f"largest increase {r['name']}: {fmt.fmt_int(r['count'])}, {fmt.fmt_pct(r['pct_change'])}, "
                     f"up {fmt.fmt_int(int(r['change']))}")
    signals = [str(n) for n, s in zip(rows["name"], rows["signal"], strict=True) if bool(s)]
    text = "; ".join(parts) if parts else "no change in any"
    verdict = ("No change is beyond normal variation." if not signals else
               f"Beyond normal variation (a signal): {', '.join(signals)}.")
    return f"{len(rows)} {what}: {text}. {verdict}"


def solved_sentence(rate: metrics.SolvedRate, period: Period) -> str:
    if rate.total is None:
        return "Solved rate: no rate for this period (a month is not covered)."
    if rate.last_year_total is None:  # nothing to compare: no word on variation
        return (f"Solved rate {fmt.fmt_rate(rate.rate)} in {period.label} ({fmt.fmt_int(rate.solved)} of "
                f"{fmt.fmt_int(rate.total)} victim-based crimes); no comparison with a year earlier (a month is "
                "not covered).")
    signal = "a signal" if rate.signal else "within normal variation"
    return (f"Solved rate {fmt.fmt_rate(rate.rate)} in {period.label} ({fmt.fmt_int(rate.solved)} of "
            f"{fmt.fmt_int(rate.total)} victim-based crimes), {fmt.fmt_pp(rate.pp_change)} against "
            f"{fmt.fmt_rate(rate.last_year_rate)} a year earlier; {signal}.")


def rate_series_sentence(df: pd.DataFrame) -> str:
    covered = df.dropna(subset=["rate"])
    if covered.empty:
        return "Solved rate by month: no months covered."
    lo = covered.loc[covered["rate"].idxmin()]
    hi = covered.loc[covered["rate"].idxmax()]
    last = covered.iloc[-1]
    return (f"Solved rate by month: {fmt.fmt_rate(last['rate'])} in {last['label']}; lowest "
            f"{fmt.fmt_rate(lo['rate'])} ({lo['label']}), highest {fmt.fmt_rate(hi['rate'])} ({hi['label']}).")


def rolling_sentence(measure: str, df: pd.DataFrame) -> str:
    covered = df.dropna(subset=["rolling_12"])
    if covered.empty:
        return f"{MEASURE_NAMES[measure]}, rolling 12 months: not enough months loaded for a 12-month total."
    last = covered.iloc[-1]
    return (f"{MEASURE_NAMES[measure]} in the 12 months to {fmt.month_label(last['month'])}: "
            f"{fmt.fmt_int(last['rolling_12'])}, {_movement(last['change'], last['pct_change'])} "
            f"(12 months before: {fmt.fmt_int(last['previous_12'])}).")


def outcome_labels(df: pd.DataFrame) -> list[str]:
    """The bar labels of a metrics.outcome_breakdown frame: '25.3% · solved' for a solved group, else '25.3%'."""
    return [fmt.fmt_rate(v) + (" · solved" if s else "") for v, s in zip(df["share_pct"], df["solved"], strict=True)]


def outcome_sentence(df: pd.DataFrame) -> str:
    if df.empty:
        return "No victim-based crimes recorded in this period."
    top = df.iloc[0]
    solved = df[df["solved"].astype(bool)]
    return (f"{len(df)} outcome groups; the largest is {top['outcome_group']} ({fmt.fmt_rate(top['share_pct'])} of "
            f"victim-based crime). Solved outcomes together: {fmt.fmt_rate(solved['share_pct'].sum())}.")


def district_sentence(df: pd.DataFrame, measure: str) -> str:
    rows = df.dropna(subset=["rate_per_1000"])
    if rows.empty:
        return "No district figures for this period."
    hi = rows.loc[rows["rate_per_1000"].idxmax()]
    lo = rows.loc[rows["rate_per_1000"].idxmin()]
    signals = [d for d, s in zip(rows["district"], rows["signal"], strict=True) if bool(s)]
    return (f"{MEASURE_NAMES[measure]} per 1,000 residents: highest {hi['district']} "
            f"({fmt.fmt_decimal(hi['rate_per_1000'])}), lowest {lo['district']} "
            f"({fmt.fmt_decimal(lo['rate_per_1000'])}). Signals: {', '.join(signals) if signals else 'none'}.")


def coverage_sentence(df: pd.DataFrame, flags: dict[str, list[metrics.QualityFlag]]) -> str:
    if df.empty:
        return "No data loaded."
    parts = []
    for source in sorted(set(df["source"]), key=lambda s: (s != "police.uk", s)):
        months = sorted(set(df.loc[df["source"] == source, "month"]))
        issues = flags.get(source, [])
        missing = sum(1 for f in issues if f.issue == "missing")
        partial = sum(1 for f in issues if f.issue == "partial")
        parts.append(f"{source}: {fmt.month_label(months[0])} to {fmt.month_label(months[-1])}, {len(months)} months "
                     f"with rows, {missing} missing and {partial} partial month flags")
    return "; ".join(parts) + "."
