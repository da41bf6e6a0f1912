"""Districts: a map of the 13 Kent districts by rate per 1,000 or by change, the table, and side-by-side bars."""

import streamlit as st

from analytics.domain.kinds import Measure
from analytics.views import districts
from ui import filters, session, signin, widgets

signin.require("view", "The Districts page")
sel = filters.current()
head = st.container()  # the page's title comes first; the choices under it decide what it says
left, right = st.columns(2)
with left:
    measure = st.segmented_control("Measure", [m.value for m in districts.MEASURES],
                                   format_func=lambda m: Measure(m).label, key="d_measure", default="asb") or "asb"
with right:
    colour = st.segmented_control("Colour the map by", list(districts.COLOURS),
                                  format_func=districts.COLOURS.__getitem__, key="d_colour",
                                  default="rate_per_1000") or "rate_per_1000"
v = session.view(districts.build, sel, Measure(measure), colour)

with head:
    widgets.page_header(v.header)
    if v.chosen_note:
        st.caption(widgets.md(v.chosen_note))
map_col, table_col = st.columns([2, 3], gap="medium")
with map_col:
    widgets.plot(v.map, key="map")
with table_col:
    st.write(widgets.md(v.summary))
    widgets.table(v.table, key="districts", all_rows=True)
widgets.signal_caption()

st.header(v.control_heading)
st.write(widgets.md(v.control_sentence))
if v.control_table is not None:
    widgets.table(v.control_table, key="districts_control", all_rows=True)
    st.caption("Each district's own XmR control chart of monthly counts (the Control charts page draws one): "
               "◆ outside its limits, ■ a shift, ▲ a trend, ★ 2 of 3 close to a limit. A data-quality month is never "
               "a signal.")

st.header("Districts side by side")
widgets.chart(v.bars, key="district_bars")
st.caption(districts.CAVEAT)
