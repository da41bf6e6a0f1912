"""Plain-English commentary from the summary figures, in the words of the force performance report.

Every sentence is built from the numbers in the summary dict (analytics.summary.build_summary), so the text can
never disagree with the tables. Changes are described as signals (|z| ≥ 3, beyond normal variation) or as within
normal variation; when there is nothing to compare with (a year earlier not loaded) the text says so plainly and
says nothing about variation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from analytics.domain.kinds import kinds_phrase
from analytics.domain.maturity import year_earlier
from analytics.domain.periods import MONTH_NAMES, month_runs, parse_month, range_label, shift_month
from analytics.figures.common import NOT_RECORDED
from analytics.report import maturity
from analytics.report.formatting import fmt_change, fmt_pct

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")
TOP_CALL_TYPES = 3


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def plural(n: int, noun: str) -> str:
    """'1 incident', '2 incidents', '1,024 crimes'."""
    return f"{n:,} {noun}" if abs(n) == 1 else f"{n:,} {noun}s"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _month_word(month: str) -> str:
    return MONTH_NAMES[parse_month(month)[1] - 1]


def flag_runs(flags: Iterable[tuple[str, str]]) -> list[str]:
    """(month, measure) pairs as runs of months with the same kinds affected:
    [('2024-05', 'asb'), ('2024-05', 'crime'), ('2024-06', 'asb'), ...] -> ['May – June 2024 (ASB and crime)']."""
    kinds: dict[str, set[str]] = {}
    for month, measure in flags:
        kinds.setdefault(month, set()).add(measure)
    by_kinds: dict[str, list[str]] = {}
    for month, affected in kinds.items():
        by_kinds.setdefault(kinds_phrase(affected), []).append(month)
    return [f"{month_runs(ms)} ({words})" for words, ms in sorted(by_kinds.items(), key=lambda kv: min(kv[1]))]


def _not_loaded(months: list[str], fallback: str) -> str:
    """'October – December 2024 is not loaded' (or the fallback when the months are not known)."""
    if not months:
        return f"{fallback} is not fully loaded"
    runs = month_runs(months)
    return f"{runs} {'are' if ', ' in runs else 'is'} not loaded"


def _month_clause(months: list[dict[str, Any]], falling: bool) -> str:
    """', with decreases in all three months, most notably December (−358, −18.0%)' or ''."""
    compared = [m for m in months if m["change"] is not None]
    if len(compared) < 2:
        return ""
    same = [m for m in compared if (m["change"] < 0 if falling else m["change"] > 0)]
    if not same:
        return ""
    word = "decrease" if falling else "increase"
    n, total = len(same), len(compared)
    notable = min(same, key=lambda m: m["change"]) if falling else max(same, key=lambda m: m["change"])
    figures = f"{_month_word(notable['month'])} ({fmt_change(notable['change'])}, {fmt_pct(notable['pct_change'])})"
    if n == total:
        how = f"{word}s in both months" if n == 2 else f"{word}s in all {number_word(n)} months"
    elif n == 1:
        article = "an" if word[0] in "aeiou" else "a"
        return f", with {article} {word} only in {figures}"
    else:
        how = f"{word}s in {number_word(n)} of the {number_word(total)} months"
    return f", with {how}, most notably {figures}"


def _variation(signal: bool, falling: bool) -> str:
    move = "fall" if falling else "rise"
    if signal:
        return f"The {move} is beyond normal variation (a signal)."
    return f"The {move} is within normal variation."


def measure_sentences(
    name: str, noun: str, block: dict[str, Any], label: str, last_label: str | None = None,
    partial: Iterable[str] = (),
) -> list[str]:
    """The headline sentence for one measure and whether its change is a signal.

    With no total (a month of the period not loaded) or no total a year earlier, say which months are missing and
    nothing about variation. `last_label` names last year's period when the block does not list its months.
    `partial`: months of this period or of last year's that look like partial extracts; a fall (or rise) they
    may explain is said to be a possible data-quality problem, never a real change beyond normal variation.
    """
    total = block["total"]
    count, last, change = total["count"], total["last_year"], total["change"]
    months = [m for m in block.get("months", []) if m.get("month")]
    if count is None:
        gaps = [m["month"] for m in months if m["count"] is None]
        return [f"{name}: no total for {label}: {_not_loaded(gaps, label)}."]
    if last is None:
        gaps = [shift_month(m["month"], -12) for m in months if m["last_year"] is None]
        return [f"{name}: {plural(count, noun)} in {label}. No comparison with a year earlier: "
                f"{_not_loaded(gaps, last_label or 'the same period last year')}."]
    if change == 0:
        return [f"{name} was unchanged at {plural(count, noun)} in {label} compared with the same period last year."]
    falling = change < 0
    if last == 0:
        head = f"{name} rose to {plural(count, noun)} in {label}, from none in the same period last year"
    else:
        verb = "fell" if falling else "rose"
        more = "fewer" if falling else "more"
        pct = fmt_pct(abs(total["pct_change"]), signed=False)
        head = (f"{name} {verb} by {pct} ({abs(change):,} {more} {noun if abs(change) == 1 else noun + 's'}) "
                f"in {label} compared with the same period last year")
    sentence = head + _month_clause(block["months"], falling) + "."
    this_year = {m["month"] for m in months}
    # a partial month this year understates this year (a fall); one a year earlier understates last year (a rise)
    suspect = sorted(m for m in set(partial) if (m in this_year) == falling)
    if suspect:
        move = "fall" if falling else "rise"
        return [sentence, f"Caution: {month_runs(suspect)} {'looks' if len(suspect) == 1 else 'look'} like a partial "
                          f"extract, so the {move} may be a data-quality problem rather than a real {move}."]
    return [sentence, _variation(total["signal"], falling)]


def solved_sentence(solved: dict[str, Any]) -> list[str]:
    """The solved rate's sentences: the cohort rate against last year and whether its change is a signal; when
    the two periods' outcomes are not equally mature, why not (and no word on variation); and where outcomes are
    dated, the rate at the same age, which then comes first."""
    rate, last_rate, pp = solved.get("rate"), solved.get("last_year_rate"), solved.get("pp_change")
    basis = "crimes recorded in the period" if solved.get("basis", "cohort") == "cohort" else "outcomes in the period"
    if rate is None:
        return []
    of = f" ({solved['count']:,} of {solved['total']:,} crimes)" if solved.get("total") is not None else ""
    if last_rate is None or pp is None:
        return [f"The victim-based crime solved rate was {rate:.1f}%{of}; there is no rate for the same period "
                f"last year to compare with (basis: {basis})."]
    if pp == 0:
        move = f"unchanged from {last_rate:.1f}% in the same period last year"
    else:
        points = "percentage point" if abs(pp) == 1 else "percentage points"
        move = f"{'up' if pp > 0 else 'down'} {abs(pp):.1f} {points} from {last_rate:.1f}% in the same period last year"
    sentence = f"The victim-based crime solved rate was {rate:.1f}%{of}, {move} (basis: {basis})."
    out = [sentence]
    if solved.get("signal") and solved.get("last_year_count") is not None:
        diff = solved["count"] - solved["last_year_count"]
        out.append(f"The change in the number of solved crimes ({fmt_change(diff)}) is beyond normal variation.")
    shares = solved.get("pending_share") or {}
    if solved.get("like_for_like") is False:
        out.append(maturity.not_like_for_like(shares.get("this_year"), shares.get("last_year"), pp))
    matched = solved.get("matched")
    if matched:
        as_at = date.fromisoformat(matched["as_at"])
        line = maturity.same_age(as_at, year_earlier(as_at), matched["rate"], matched["last_year_rate"],
                                 matched["pp_change"], bool(matched["signal"]))
        out = [line, *out] if solved.get("like_for_like") is False else [*out, line]
    return out


def _call_type_phrase(c: dict[str, Any]) -> str:
    if c["last_year"] == 0:
        move = f"up to {plural(c['count'], 'incident')} from none"
    elif c["change"] > 0:
        move = f"up {fmt_pct(c['pct_change'], signed=False)} to {plural(c['count'], 'incident')}, {c['change']:,} more"
    else:
        move = (f"down {fmt_pct(abs(c['pct_change']), signed=False)} to {plural(c['count'], 'incident')}, "
                f"{abs(c['change']):,} fewer")
    note = "a signal" if c["signal"] else "within normal variation"
    return f"{c['name']} ({move}; {note})"


def call_type_sentences(call_types: list[dict[str, Any]]) -> list[str]:
    named = [c for c in call_types if c["name"] != NOT_RECORDED and c["change"] is not None]
    falling = sorted((c for c in named if c["change"] < 0), key=lambda c: c["change"])[:TOP_CALL_TYPES]
    rising = sorted((c for c in named if c["change"] > 0), key=lambda c: -c["change"])[:TOP_CALL_TYPES]
    out = []
    if falling:
        out.append(f"The largest reductions were in {join_words([_call_type_phrase(c) for c in falling])}.")
    if rising:
        word = "type" if len(rising) == 1 else "types"
        out.append(f"Rising call {word}: {join_words([_call_type_phrase(c) for c in rising])}.")
    return out


def quality_sentence(quality: list[dict[str, Any]]) -> list[str]:
    if not quality:
        return []
    parts = []
    missing = flag_runs((q["month"], q["measure"]) for q in quality if q["issue"] == "missing")
    partial = flag_runs((q["month"], q["measure"]) for q in quality if q["issue"] == "partial")
    if missing:
        parts.append("no data for " + join_words(missing))
    if partial:
        parts.append("what looks like a partial extract for " + join_words(partial))
    return [f"Caution: the source has {' and '.join(parts)}; a total is given only when every month of the period "
            "is loaded and a change only when the same months a year earlier are loaded too, and a partial month "
            "understates its count."]


def commentary(summary: dict[str, Any]) -> list[str]:
    """Plain-English sentences from a summary dict: ASB and its control-chart verdict, call types, victim-based
    crime and its verdict, the solved rate, all crime, and a caution when months are missing or partial."""
    period = summary["period"]
    label = period.get("label") or f"{period['start']} – {period['end']}"
    last_label = range_label(shift_month(period["start"], -12), shift_month(period["end"], -12))
    where = f" in {summary['district']}" if summary.get("district") else ""
    quality = summary.get("quality", [])
    partial = {kind: [q["month"] for q in quality if q["issue"] == "partial" and q["measure"] == kind]
               for kind in ("asb", "crime")}
    control = summary.get("control", {})
    out: list[str] = []
    out += measure_sentences(f"ASB{where}", "incident", summary["asb"], label, last_label, partial["asb"])
    out += control_sentence(control.get("asb"))
    out += call_type_sentences(summary["asb"].get("call_types", []))
    vbc = summary["victim_based_crime"]
    out += measure_sentences(f"Victim-based crime{where}", "crime", vbc, label, last_label, partial["crime"])
    out += control_sentence(control.get("victim_based_crime"))
    out += solved_sentence(vbc.get("solved", {}))
    out += measure_sentences(f"All recorded crime{where}", "crime", summary["all_crime"], label, last_label,
                             partial["crime"])
    out += quality_sentence(quality)
    return out


def control_sentence(block: dict[str, Any] | None) -> list[str]:
    """The control chart's verdict on the period's last month (a summary's "control" entry), as one sentence."""
    if not block or not block.get("sentence"):
        return []
    sentence = str(block["sentence"])
    if sentence.startswith("No signal: "):
        return ["Control chart, no signal: " + sentence.removeprefix("No signal: ")]
    return ["Control chart: " + sentence + (f" {block['season_note']}" if block.get("season_note") else "")]


# ---------------------------------------------------------------------------------------------- measures
# Sentences about the named measures (analytics.measures), from figures analytics.report.measures works out.


def ratio_words(value: float, before: float) -> str | None:
    """'more than doubled', 'doubled', 'more than trebled', 'more than halved'..., or None for a smaller move."""
    if before <= 0 or value <= 0:
        return None
    ratio = value / before
    for factor, word in ((3, "trebled"), (2, "doubled")):
        if ratio >= factor:
            return word if ratio == factor else f"more than {word}"
    if ratio <= 0.5:
        return "halved" if ratio == 0.5 else "more than halved"
    return None


def weekly_jump_sentence(title: str, week_words: str, value: float, before: float) -> str:
    """'MCV sign-ups more than doubled in the third week of January: 550 against 256 the week before.'"""
    words = ratio_words(value, before)
    if words is None:
        move = "rose" if value > before else ("fell" if value < before else "held")
        return f"{title} {move} in {week_words}: {value:,.0f} against {before:,.0f} the week before."
    return f"{title} {words} in {week_words}: {value:,.0f} against {before:,.0f} the week before."


def level_sentence(title: str, value: float, when: str, target: float | None, target_words: str | None,
                   share_pct: float | None, on_course: str | None) -> str:
    """'MCV members: 9,512 at 31 January 2025 (1.2% of households), 69,518 short of the target of 79,030 (10% of
    households); not on course at the current rate.'"""
    out = f"{title}: {value:,.0f} at {when}"
    if share_pct is not None:
        out += f" ({share_pct:.1f}% of households)"
    if target is not None:
        what = f" ({target_words})" if target_words else ""
        if value >= target:
            out += f", at or above the target of {target:,.0f}{what}"
        else:
            out += f", {target - value:,.0f} short of the target of {target:,.0f}{what}"
    if on_course:
        out += f"; {on_course}"
    return out + "."


def flow_sentence(title: str, value: float, label: str, last_year: float | None) -> str:
    """'MCV alerts sent: 48 in January 2025, against 35 in the same period last year.'"""
    out = f"{title}: {value:,.0f} in {label}"
    if last_year is not None:
        out += f", against {last_year:,.0f} in the same period last year"
    return out + "."


def satisfaction_sentence(title: str, share: float, low: float, high: float, surveyed: int, label: str,
                          last_share: float | None, significant: bool, p_value: float | None,
                          comparison: float | None, comparison_label: str | None, against: str | None) -> list[str]:
    """The share satisfied with its interval, the change on last year (significant or not) and the comparison."""
    out = [f"{title} was {share:.1f}% in {label} (95% confidence interval {low:.1f}% to {high:.1f}%, "
           f"{surveyed:,} surveyed)."]
    if last_share is not None:
        diff = share - last_share
        points = "percentage point" if round(abs(diff), 1) == 1 else "percentage points"
        move = (f"up {abs(diff):.1f} {points}" if diff > 0 else f"down {abs(diff):.1f} {points}") if diff else \
            "unchanged"
        verdict = ("a significant change" if significant else "not a significant change")
        p = f", p = {p_value:.3f}" if p_value is not None else ""
        out.append(f"That is {move} on {last_share:.1f}% a year earlier: {verdict} (two-proportion test at the "
                   f"5% level{p}).")
    if comparison is not None and against is not None:
        out.append(f"It is {against} the comparison figure of {comparison:.1f}% ({comparison_label}).")
    return out
