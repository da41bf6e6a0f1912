"""Data: months covered per source, gaps and partial months, and the history of loads."""

import streamlit as st

from analytics import charts, overview
from analytics import formatting as fmt
from pages import common

f = common.filters()
st.title("Data")
st.caption("Which months each source covers, where months are missing or look incomplete, and every load.")
common.demo_banner()

cov = common.fetch("coverage")
sources = common.fetch("sources")
flags = {s: common.fetch("quality_flags", source=s) for s in sources}

st.subheader("Months covered")
summary = overview.coverage_sentence(cov, flags)
common.chart(common.figure(charts.coverage_heatmap, cov, flags), key="coverage", summary=summary,
             shown=fmt.display_table(cov, ["source", "measure", "month", "count"],
                                     labels={"source": "Source", "measure": "Holds", "count": "Rows"}),
             raw=fmt.display_table(cov, ["source", "measure", "month", "count"],
                                   labels={"source": "Source", "measure": "Holds", "count": "Rows"},
                                   formatted=False),
             file_name="coverage")
st.caption("Darker cells hold more rows. Blank cells are months with no rows; \"missing\" and \"partial\" are "
           "written in the cell, so the gaps read without colour.")

st.subheader("Gaps and partial months")
issues = overview.quality_table(flags)
if len(issues):
    st.dataframe(issues, hide_index=True, width="stretch")
    st.caption("Partial: far fewer rows than the months around it (below 60% of the median of the 6 nearest "
               "months), probably an incomplete extract. Comparisons with such months are not like for like.")
else:
    st.success("No gaps and no partial months.")

st.subheader("Load history")
history = common.fetch("batch_history")
st.caption("Every file loaded, newest first. Roll-backs and replacements stay in the history.")
st.dataframe(history, hide_index=True, width="stretch", column_config={
    c: st.column_config.NumberColumn(c, format="localized") for c in ("Rows loaded", "Rows refused", "Rows in use")
})
st.download_button("Download CSV", fmt.to_csv_bytes(history), file_name="load-history.csv", mime="text/csv",
                   key="dl_batches", on_click="ignore", icon=":material/download:")
