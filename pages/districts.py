"""Districts: a map of the 13 Kent districts by rate per 1,000 or by change, the table, and side-by-side bars."""

import streamlit as st

from analytics import charts, overview
from analytics import formatting as fmt
from pages import common

f = common.filters()
common.page_header(
    "Districts",
    "The 13 Kent districts compared: how many incidents or crimes per 1,000 residents, and the change on last year.",
    f,
)

MEASURES = {k: overview.MEASURE_NAMES[k] for k in ("asb", "vbc")}
COLOURS = {"rate_per_1000": "Rate per 1,000 residents", "pct_change": "% change on last year"}
left, right = st.columns(2)
with left:
    measure = st.segmented_control("Measure", list(MEASURES), format_func=MEASURES.__getitem__, key="d_measure",
                                   default="asb") or "asb"
with right:
    colour = st.segmented_control("Colour the map by", list(COLOURS), format_func=COLOURS.__getitem__,
                                  key="d_colour", default="rate_per_1000") or "rate_per_1000"
if f.district:
    st.caption(f"This page always compares all 13 districts; {f.district} is chosen in the sidebar.")

rates = common.fetch("rates_per_1000", measure=measure, period=f.period, source=f.source)
columns = ["district", "count", "rate_per_1000", "pct_change", "signal"]
shown = fmt.display_table(rates, columns)
raw = fmt.display_table(rates, ["district", "population", "count", "rate_per_1000", "last_year", "change",
                                "pct_change", "signal"], labels={"last_year": "Same months last year"},
                        formatted=False)
summary = overview.district_sentence(rates, measure)

map_col, table_col = st.columns([2, 3], gap="medium")
with map_col:
    st.plotly_chart(common.figure(charts.district_map, rates, color_by=colour), key="chart_map",
                    config={"displaylogo": False}, alt=summary)
with table_col:
    st.write(summary)
    common.table(shown, raw, key="districts", file_name=f"districts-{measure}-{f.period.start}-to-{f.end}",
                 all_rows=True)
common.signal_caption()

st.subheader("Districts side by side")
common.chart(
    common.figure(charts.district_bars, rates, title=f"{MEASURES[measure]} per 1,000 residents"),
    key="district_bars",
    summary=summary,
    shown=shown,
    raw=raw,
    file_name=f"districts-{measure}-{f.period.start}-to-{f.end}-bars",
)
st.caption("Rates use ONS mid-2023 resident population. Resident population is a poor denominator for town "
           "centres, which draw visitors: read high rates there with care. Rows outside the force area or with "
           "no district are not in any district's rate.")
