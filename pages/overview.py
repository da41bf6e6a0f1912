"""Overview: the three headline figures, the commentary, the 25-month trends and how fresh the data is."""

import streamlit as st

from analytics import charts, overview
from analytics import formatting as fmt
from pages import common

f = common.filters()
common.page_header(
    "Overview",
    "The headline figures for the period against the same months a year earlier, and what they mean.",
    f,
)
common.demo_banner()

common.tiles(common.fetch("headline_tiles", period=f.period, source=f.source, district=f.district))
st.caption(overview.basis_text("cohort"))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Commentary")
    st.markdown("\n".join(f"- {s}" for s in common.fetch("commentary", period=f.period, source=f.source,
                                                          district=f.district)))
with right:
    st.subheader("How fresh the data is")
    fresh = common.fetch("freshness", source=f.source)
    st.metric("Latest month loaded", fmt.month_label(fresh.latest))
    st.write(fresh.sentence)

st.subheader("Monthly trend over 25 months")
for col, measure in zip(st.columns(2, gap="large"), ("asb", "vbc"), strict=True):
    series = common.fetch("monthly_series", measure=measure, source=f.source, end=f.end, months=25,
                          district=f.district)
    columns = ["label", "count", "last_year"]
    labels = {"last_year": "Same month last year"}
    with col:
        common.chart(
            common.figure(charts.trend, series, title=overview.MEASURE_NAMES[measure]),
            key=f"trend_{measure}",
            summary=overview.trend_sentence(measure, series),
            shown=fmt.display_table(series, columns, labels=labels),
            raw=fmt.display_table(series, columns, labels=labels, formatted=False),
            file_name=f"{measure}-by-month-to-{f.end}",
        )
st.caption("Dotted line: the same month a year earlier. Gaps are months this source does not cover.")
