"""Repeat callers as at a date: who they are, who became one this month, the vulnerable ones, those meeting the
ASB Case Review threshold, and each month's figures (analysts only)."""

import streamlit as st

from analytics.views import callers
from ui import session, signin, widgets

signin.require("caller_data", "The repeat callers page")

st.title("Repeat callers")
st.caption("A repeat caller has at least N incidents in the M months up to the date: from the day after the same "
           "date M months earlier (or that month's last day when it has no such date) up to and including it. "
           "References match whatever their case or spaces. Caller references are personal data: share the "
           "pseudonymised download, never the other.")

opts = session.view(callers.options)
if not opts.sources:
    st.info("No loaded ASB extract has caller references. Load a force ASB extract with a caller reference column "
            "(e.g. \u201cCaller Ref\u201d) on the Upload page.", icon=":material/info:")
    st.stop()

cols = st.columns([2, 2, 1, 1])
source = opts.sources[0]
if len(opts.sources) > 1:
    source = cols[0].selectbox("Source", opts.sources, key="rc_source",
                               help="Sources are never added together.")
else:
    cols[0].markdown(f"**Source**  \n{widgets.md(source)}")
as_of = cols[1].date_input("As at", value=opts.latest[source], min_value=opts.first[source], key=f"rc_as_of_{source}",
                           format="DD/MM/YYYY", help="Defaults to the latest incident loaded for this source.")
n = cols[2].number_input("N incidents", min_value=1, max_value=100, value=3, step=1, key="rc_n")
m = cols[3].number_input("M months", min_value=1, max_value=24, value=6, step=1, key="rc_m")

v = session.view(callers.build, source, as_of, int(n), int(m))
st.header(v.heading)
st.write(widgets.md(v.sentence))
widgets.stats(v.stats)
if v.short:
    st.warning(widgets.md(v.short), icon=":material/warning:")

st.header("Each month")
widgets.chart(v.trend, key="rc_trend")
st.caption("Each point is as at the month's end (the last as at the date chosen); \u201cnew\u201d are repeat "
           "callers at that point who were not at the month before's end. The share is of the month's incidents "
           "that carry a caller reference.")

st.header("Who")
if len(v.callers):
    widgets.frame(v.callers, key="callers")
left, right = st.columns(2)
with left:
    widgets.download_file(v.downloads[0], key="rc_dl_refs")
with right:
    widgets.download_file(v.downloads[1], key="rc_dl_pseudo")
