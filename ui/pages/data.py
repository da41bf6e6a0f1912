"""Data: months covered per source, gaps and partial months, and the history of loads."""

import streamlit as st

from analytics.views import data
from ui import session, signin, widgets

signin.require("view", "The Data page")
v = session.view(data.build)

st.title("Data")
st.caption("Which months each source covers, where months are missing or look incomplete, and every load.")
widgets.demo_banner(session.current().demo_loaded)

st.header("Months covered")
widgets.chart(v.coverage, key="coverage")
st.caption("Darker cells hold more rows. Blank cells are months with no rows; \"missing\" and \"partial\" are "
           "written in the cell, so the gaps read without colour.")

st.header("Gaps and partial months")
if len(v.quality):
    widgets.frame(v.quality, key="quality")
    st.caption("Partial: far fewer rows than the months around it (below 60% of the median of the 6 nearest "
               "months), probably an incomplete extract. Comparisons with such months are not like for like.")
else:
    st.success("No gaps and no partial months.")

st.header("Load history")
st.caption("Every file loaded, newest first. Roll-backs and replacements stay in the history.")
widgets.frame(v.history.shown, key="history", column_config={
    c: st.column_config.NumberColumn(c, format="localized") for c in ("Rows loaded", "Rows refused", "Rows in use")
})
widgets.download(v.history, key="dl_batches")
