"""Overview: the three headline figures, the commentary, the 25-month trends and how fresh the data is."""

import streamlit as st

from analytics.views import overview
from ui import filters, session, signin, widgets
from ui.sections import pack_downloads

signin.require("view", "The Overview")
sel = filters.current()
v = session.view(overview.build, sel)

widgets.page_header(v.header)
widgets.demo_banner(session.current().demo_loaded)
widgets.tiles(v.tiles)
st.caption(widgets.md(v.basis))

st.markdown("**The performance pack for this view**")
pack_downloads(sel)
st.caption("Built when pressed (a few seconds): the report's tables, charts, definitions and commentary for the "
           "period, area and source shown. The public PDF hides counts from 1 to 5 and whatever would give them "
           "away.")

left, right = st.columns([3, 2], gap="large")
with left:
    st.header("Commentary")
    widgets.bullets(v.commentary)
with right:
    st.header("How fresh the data is")
    st.metric("Latest month loaded", v.latest)
    st.write(widgets.md(v.freshness))

if v.measures:
    st.header("Engagement and satisfaction")
    widgets.tiles(v.measures)

st.header("Monthly trend over 25 months")
for col, trend, key in zip(st.columns(2, gap="large"), v.trends, ("trend_asb", "trend_vbc"), strict=True):
    with col:
        widgets.chart(trend, key=key)
for line in v.expected:
    st.caption(widgets.md(line))
st.caption("Dotted line: the same month a year earlier. Shaded band: the expected range. Vertical lines: process "
           "changes and interventions from the register. Gaps are months this source does not cover.")
with st.expander("How the expected range is computed"):
    st.write(widgets.md(v.expected_method))
