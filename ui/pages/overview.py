"""Overview: the three headline figures, the commentary, the 25-month trends and how fresh the data is."""

import streamlit as st

from analytics.views import overview
from ui import filters, session, signin, widgets

signin.require("view", "The Overview")
v = session.view(overview.build, filters.current())

widgets.page_header(v.header)
widgets.demo_banner(session.current().demo_loaded)
widgets.tiles(v.tiles)
st.caption(widgets.md(v.basis))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Commentary")
    widgets.bullets(v.commentary)
with right:
    st.subheader("How fresh the data is")
    st.metric("Latest month loaded", v.latest)
    st.write(widgets.md(v.freshness))

if v.measures:
    st.subheader("Engagement and satisfaction")
    widgets.tiles(v.measures)

st.subheader("Monthly trend over 25 months")
for col, trend, key in zip(st.columns(2, gap="large"), v.trends, ("trend_asb", "trend_vbc"), strict=True):
    with col:
        widgets.chart(trend, key=key)
st.caption("Dotted line: the same month a year earlier. Gaps are months this source does not cover.")
