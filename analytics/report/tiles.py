"""The headline tiles: a figure, its change on last year, and whether the change is a signal, as st.metric shows
them. Every number comes from analytics.figures; this module only picks and words them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.domain.kinds import Measure
from analytics.figures.solved import SolvedRate
from analytics.report import formatting as fmt
from analytics.report import maturity

NO_COMPARISON = "No comparison: the same months last year are not loaded"
SERIES_MATURITY = ("A month's rate counts the outcomes known when its data was taken: the more of its crimes still "
                   "await an outcome, the lower it is, and it rises as investigations finish.")
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
    control: str | None = None  # the control chart's verdict on the last month, one line (None: not shown)
    lines: tuple[str, ...] = ()  # more lines under the signal line (the solved rate's other basis, its maturity)

    @property
    def color(self) -> str:
        """The delta's colour. Worked out here because the report's true minus sign (−) is not the ASCII '-'
        st.metric looks for; the arrow (shape) carries the direction as well."""
        if self.direction == "off":
            return "gray"
        good = (self.direction == "down") == (self.delta_color == "inverse")
        return "green" if good else "red"


def basis_text(basis: str) -> str:
    return SOLVED_BASIS_TEXT.get(basis, basis)


def total_row(df: pd.DataFrame) -> pd.Series:
    """The Total row of an analytics.figures.counts.comparison frame."""
    return df[df["month"] == "Total"].iloc[0]


def direction(change: Any) -> str:
    if fmt.is_missing(change) or change == 0:
        return "off"
    return "up" if change > 0 else "down"


def count_tile(measure: Measure, df: pd.DataFrame) -> Tile:
    """A tile from a comparison frame's Total row."""
    total = total_row(df)
    compared = not fmt.is_missing(total["change"])
    return Tile(
        key=measure.value,
        label=measure.label,
        value=fmt.fmt_int(total["count"]),
        delta=fmt.headline_delta(total["pct_change"], total["change"]) if compared else None,
        delta_color="inverse",
        direction=direction(total["change"]),
        signal=bool(total["signal"]),
        signal_text=fmt.signal_text(total["signal"]) if compared else NO_COMPARISON,
        help=f"Same months last year: {fmt.fmt_int(total['last_year'])}",
    )


def solved_tile(rate: SolvedRate) -> Tile:
    """The solved-rate tile: rate now, the change in percentage points, a signal on the solved counts.

    When the cohort comparison is not like for like its change is shown grey, without an arrow, and the line
    under it says why in one sentence; where outcomes are dated, the rate at the same age then leads the tile
    (it is like for like by construction) and the cohort rate is given under it. Otherwise the rate at the same
    age, where there is one, is the line under the cohort rate."""
    matched = rate.matched
    lead_matched = rate.like_for_like is False and matched is not None and not fmt.is_missing(matched.pp_change)
    pending = maturity.pending_line(rate.pending_share, rate.last_year_pending_share) \
        if rate.like_for_like is not None else None
    counts = (f"{fmt.fmt_int(rate.solved)} solved of {fmt.fmt_int(rate.total)}; same months last year "
              f"{fmt.fmt_rate(rate.last_year_rate)} ({fmt.fmt_int(rate.last_year_solved)} of "
              f"{fmt.fmt_int(rate.last_year_total)}).")
    same_age = None if matched is None else maturity.same_age(
        matched.as_at, matched.last_year_as_at, matched.rate, matched.last_year_rate, matched.pp_change,
        matched.signal)
    if lead_matched:
        assert matched is not None
        return Tile(
            key="solved",
            label="Victim-based crime solved rate",
            value=fmt.fmt_rate(matched.rate),
            delta=f"{fmt.fmt_pp(matched.pp_change)} on last year at the same age",
            delta_color="normal",
            direction=direction(matched.pp_change),
            signal=bool(matched.signal),
            signal_text=f"{fmt.signal_text(matched.signal)}. "
                        f"{maturity.same_age_basis(matched.as_at, matched.last_year_as_at)}",
            help=" ".join(x for x in (same_age, f"On all outcomes to date: {counts}", pending,
                                      basis_text(rate.basis)) if x),
            lines=(maturity.cohort_line(rate.rate, rate.pp_change, rate.pending_share, rate.last_year_pending_share),),
        )
    compared = not fmt.is_missing(rate.pp_change)
    if rate.like_for_like is False:
        return Tile(
            key="solved",
            label="Victim-based crime solved rate",
            value=fmt.fmt_rate(rate.rate),
            delta=f"{fmt.fmt_pp(rate.pp_change)} on last year — {maturity.NOT_LIKE_FOR_LIKE}",
            delta_color="normal",
            direction="off",
            signal=False,
            signal_text=maturity.not_like_for_like(rate.pending_share, rate.last_year_pending_share, rate.pp_change),
            help=" ".join(x for x in (counts, pending, same_age, basis_text(rate.basis)) if x),
            lines=(same_age,) if same_age else (),
        )
    return Tile(
        key="solved",
        label="Victim-based crime solved rate",
        value=fmt.fmt_rate(rate.rate),
        delta=f"{fmt.fmt_pp(rate.pp_change)} on last year" if compared else None,
        delta_color="normal",
        direction=direction(rate.pp_change) if compared else "off",
        signal=bool(rate.signal),
        signal_text=fmt.signal_text(rate.signal) if compared else NO_COMPARISON,
        help=" ".join(x for x in (counts, pending, basis_text(rate.basis)) if x),
        lines=(same_age,) if same_age else (),
    )
