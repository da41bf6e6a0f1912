"""Repeat locations: places with at least K incidents in M months, for any source, ranked (analysts only)."""

import streamlit as st

from analytics.views import locations
from ui import session, signin, widgets

signin.require("caller_data", "The repeat locations page")

st.title("Repeat locations")
st.caption("Places with at least K ASB incidents in the M calendar months ending with the month chosen, most "
           "incidents first. A place is a location with its district (two High Streets in two districts are two "
           "places), or an LSOA.")

opts = session.view(locations.options)
if not opts.sources:
    st.info("No ASB incidents are loaded yet.", icon=":material/info:")
    st.stop()

cols = st.columns([2, 2, 1, 1, 2])
source = cols[0].selectbox("Source", opts.sources, key="rl_source", help="Sources are never added together.")
months_loaded = opts.months[source]
end = cols[1].selectbox("Months ending", months_loaded, key=f"rl_end_{source}",
                        format_func=opts.labels.__getitem__)
m = cols[2].number_input("M months", min_value=1, max_value=24, value=6, step=1, key="rl_m")
k = cols[3].number_input("K incidents", min_value=1, max_value=1000, value=10, step=1, key="rl_k")
by = cols[4].radio("Place", list(locations.BY), format_func=locations.BY.__getitem__, horizontal=True, key="rl_by")

v = session.view(locations.build, source, end, int(m), int(k), by)
st.header(v.heading)
if v.caveat:
    st.info(widgets.md(v.caveat), icon=":material/info:")
if v.gaps:
    st.warning(widgets.md(v.gaps), icon=":material/warning:")
st.write(widgets.md(v.sentence))
if len(v.table):
    widgets.frame(v.table, key="locations")
if v.download:
    widgets.download_file(v.download, key="rl_dl")
