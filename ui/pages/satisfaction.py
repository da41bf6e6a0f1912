"""Victim satisfaction: the share satisfied with its 95% interval, the change on last year, the comparison figure."""

import streamlit as st

from analytics.views import satisfaction
from ui import filters, session, signin, widgets

signin.require("view", "The Victim satisfaction page")
v = session.view(satisfaction.build, filters.current())

widgets.page_header(v.header)
if v.empty:
    st.info(widgets.md(v.empty), icon=":material/info:")
    st.stop()
widgets.tiles(v.tiles)
widgets.bullets(v.sentences)
if v.chart is not None:
    widgets.chart(v.chart, key="sat_monthly")
st.caption(widgets.md(v.method))
