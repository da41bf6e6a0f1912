"""Caller lookup at first contact: a caller reference (or part of a location) and, at once, the incidents in the
last six months, whether the repeat and ASB Case Review thresholds are met, and the vulnerable flag."""

import streamlit as st

from analytics.views import callers
from ui import session, signin, widgets

signin.require("caller_data", "The caller lookup")
state = st.session_state

st.title("Caller lookup")
st.caption("At first contact: type the caller's reference (or part of a location) to see their incidents in the "
           "last six months, whether they are a repeat caller or meet the ASB Case Review threshold, and whether "
           "they have been flagged vulnerable. References match whatever their case or spaces. Caller references "
           "are personal data: this page is for analysts only.")

opts = session.view(callers.options)
if not opts.sources:
    st.info("No loaded ASB extract has caller references. Load a force ASB extract with a caller reference column "
            "(e.g. \u201cCaller Ref\u201d) on the Upload page.", icon=":material/info:")
    st.stop()

source = opts.sources[0]
if len(opts.sources) > 1:
    source = st.selectbox("Source", opts.sources, key="lk_source",
                          help="Sources are never added together: look a caller up in one extract at a time.")
latest = opts.latest[source]
with st.form("lk_form", border=True):
    by = st.radio("Look up by", [callers.BY_REFERENCE, callers.BY_LOCATION], horizontal=True, key="lk_by",
                  format_func={callers.BY_REFERENCE: "Caller reference", callers.BY_LOCATION: "Location"}.get)
    left, right = st.columns([3, 2])
    text = left.text_input("Caller reference or location", key="lk_text", placeholder="e.g. C0001234")
    as_of = right.date_input("As at", value=latest, min_value=opts.first[source], key=f"lk_as_of_{source}",
                             format="DD/MM/YYYY",
                             help="The window is the six months up to and including this date. It starts at the "
                                  "latest incident loaded for this source.")
    asked = st.form_submit_button("Look up", type="primary", icon=":material/search:")
st.caption(widgets.md(f"{source}: incidents loaded from {opts.first[source]:%d %b %Y} to {latest:%d %b %Y}."))

if asked:
    state["lk_query"] = (source, by, text.strip(), as_of)
query = state.get("lk_query")
if not query or query[0] != source or not query[2]:
    st.stop()

v = session.view(callers.lookup, *query)
st.header(v.heading)
st.write(widgets.md(v.sentence))
widgets.stats(v.stats)
if v.short:
    st.warning(widgets.md(v.short), icon=":material/warning:")
if v.alert:
    st.warning(widgets.md(v.alert), icon=":material/warning:")
if v.applications is not None:
    st.markdown("**ASB Case Review applications of this caller**")
    widgets.frame(v.applications, key="applications")
if v.places is not None and len(v.places):
    st.markdown("**Matching places**, most incidents first")
    widgets.frame(v.places, key="places")
st.markdown("**Incidents in the window**, newest first")
if len(v.incidents):
    widgets.frame(v.incidents, key="incidents")
st.caption(widgets.md(v.note))
