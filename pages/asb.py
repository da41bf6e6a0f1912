"""ASB: the report table, this year against last year, call types, categories, districts, rolling 12 months."""

import streamlit as st

from analytics import charts, overview
from analytics import formatting as fmt
from pages import common

f = common.filters()
common.page_header(
    "Anti-social behaviour",
    "ASB incidents by month reported, against the same months a year earlier, and where the change came from.",
    f,
)

comp = common.fetch("comparison", measure="asb", period=f.period, source=f.source, district=f.district)
left, right = st.columns([3, 2], gap="medium")
with left:
    st.subheader("ASB incidents by month")
    st.write(overview.comparison_sentence("asb", comp, f.period))
    common.table(fmt.comparison_table(comp), fmt.comparison_table(comp, formatted=False), key="asb_table",
                 file_name=f"asb-{f.period.start}-to-{f.end}")
with right:
    common.chart(
        common.figure(charts.comparison_bars, comp, title="This year against last year"),
        key="asb_bars",
        summary=overview.comparison_sentence("asb", comp, f.period),
    )
common.signal_caption()

st.subheader("Call types: largest reductions and increases")
calls = common.fetch("breakdown", measure="asb", by="call_type", period=f.period, source=f.source,
                     district=f.district)
if calls.empty:
    st.info("This source records no ASB call types (police.uk publishes ASB incidents without them).")
else:
    common.chart(
        common.figure(charts.diverging_change, calls, top=6),
        key="asb_call_types",
        summary=overview.breakdown_sentence(calls, "call types"),
        shown=fmt.breakdown_table(calls, name_label="Call type"),
        raw=fmt.breakdown_table(calls, name_label="Call type", formatted=False),
        file_name=f"asb-call-types-{f.period.start}-to-{f.end}",
    )
    st.caption("Bars show the change in number of incidents on the same months last year: reductions to the "
               "left (▼), increases to the right (▲).")

left, right = st.columns(2, gap="large")
with left:
    st.subheader("By category")
    cats = common.fetch("breakdown", measure="asb", by="category", period=f.period, source=f.source,
                        district=f.district)
    if cats.empty:
        st.info("No categories: this source records no call types.")
    else:
        st.write(overview.breakdown_sentence(cats, "categories"))
        common.table(fmt.breakdown_table(cats, name_label="Category"),
                     fmt.breakdown_table(cats, name_label="Category", formatted=False), key="asb_categories",
                     file_name=f"asb-categories-{f.period.start}-to-{f.end}")
with right:
    st.subheader("By district")
    dists = common.fetch("breakdown", measure="asb", by="district", period=f.period, source=f.source,
                         district=f.district)
    if not overview.has_comparison(dists):
        st.info("No district changes to show: this period has no comparison with a year earlier.")
    else:
        common.chart(
            common.figure(charts.diverging_change, dists, top=13),
            key="asb_districts",
            summary=overview.breakdown_sentence(dists, "districts"),
            shown=fmt.breakdown_table(dists, name_label="District"),
            raw=fmt.breakdown_table(dists, name_label="District", formatted=False),
            file_name=f"asb-districts-{f.period.start}-to-{f.end}",
        )

st.subheader("Rolling 12 months")
roll = common.fetch("rolling_12", measure="asb", source=f.source, end=f.end, months=13, district=f.district)
if not overview.has_values(roll, "rolling_12"):
    st.info(overview.rolling_sentence("asb", roll) + " A 12-month total needs all 12 months loaded.")
else:
    columns = ["month", "rolling_12", "previous_12", "change", "pct_change", "signal"]
    common.chart(
        common.figure(charts.rolling, roll),
        key="asb_rolling",
        summary=overview.rolling_sentence("asb", roll),
        shown=fmt.display_table(roll, columns, labels={"month": "12 months to"}),
        raw=fmt.display_table(roll, columns, labels={"month": "12 months to"}, formatted=False),
        file_name=f"asb-rolling-12-to-{f.end}",
    )
    st.caption("Each point is the total of the 12 months ending that month; the dotted line is the 12 months "
               "before.")
