"""Engagement: My Community Voice members against the target, by district; sign-ups by week; alerts by month."""

import streamlit as st

from analytics.views import engagement
from ui import filters, session, signin, widgets

signin.require("view", "The Engagement page")
v = session.view(engagement.build, filters.current())

widgets.page_header(v.header)
if v.empty:
    st.info(widgets.md(v.empty), icon=":material/info:")
    st.stop()
widgets.tiles(v.tiles)
for line in v.progress:
    st.write(widgets.md(line))

st.header("Members over time")
if v.members is None:
    st.info("No MCV members figures are loaded for this area.", icon=":material/info:")
else:
    widgets.chart(v.members, key="eng_members")

st.header("Members by district")
if v.as_at:
    st.caption(widgets.md(v.as_at))
widgets.table(v.districts, key="eng_districts", all_rows=True)
st.caption(widgets.md(v.households_note))

st.header("Sign-ups and alerts")
left, right = st.columns(2, gap="large")
with left:
    widgets.chart(v.signups, key="eng_signups")
with right:
    widgets.chart(v.alerts, key="eng_alerts")
st.caption(widgets.md(v.week_rule))
