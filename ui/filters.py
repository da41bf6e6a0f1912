"""The sidebar filters: source, period end, period and district. Their state lives in st.session_state, so it
survives page switches; every page reads the same Selection."""

from __future__ import annotations

import streamlit as st

from analytics.domain.periods import PERIOD_CHOICES
from analytics.report.formatting import month_label
from analytics.views.common import Selection, sidebar_choices
from ui import session

ALL_DISTRICTS = "All Kent"
KEYS = ("f_source", "f_end", "f_kind", "f_district")


def sidebar(*, show: bool = True) -> Selection | None:
    """The sidebar's Selection, drawn when `show` (pages whose figures it changes); None when nothing is loaded."""
    state = st.session_state
    # Streamlit forgets a widget's value on a run that does not draw it: the values are kept under their own keys
    for key in KEYS:
        if key not in state and f"_keep{key}" in state:
            state[key] = state[f"_keep{key}"]
    choices = session.view(sidebar_choices, state.get("f_source"))
    if not choices.sources:
        return None
    if state.get("f_source") not in choices.sources:
        state["f_source"] = choices.sources[0]
    if state.get("f_end") not in choices.end_months:
        state["f_end"] = choices.default_end
    if state.get("f_kind") not in PERIOD_CHOICES:
        state["f_kind"] = "3m"
    districts = [ALL_DISTRICTS, *choices.districts]
    if state.get("f_district") not in districts:
        state["f_district"] = ALL_DISTRICTS
    if show:
        with st.sidebar:
            st.markdown("### Show figures for")
            if len(choices.sources) > 1:
                st.selectbox("Source", choices.sources, key="f_source",
                             help="Figures from different sources are never added together.")
            st.selectbox("Period ending", choices.end_months, key="f_end", format_func=month_label,
                         help="The default is the latest complete month loaded that can be compared with a year "
                              "earlier.")
            st.radio("Period", list(PERIOD_CHOICES), key="f_kind", format_func=PERIOD_CHOICES.__getitem__)
            st.selectbox("District", districts, key="f_district")
    for key in KEYS:
        state[f"_keep{key}"] = state[key]
    district = state["f_district"]
    selection = Selection(state["f_source"], state["f_end"], state["f_kind"],
                          None if district == ALL_DISTRICTS else district)
    state["selection"] = selection
    return selection


def current() -> Selection:
    """The Selection the sidebar made in this script run (pages call this); stops with a note when nothing is
    loaded."""
    found = st.session_state.get("selection")
    if isinstance(found, Selection):
        return found
    made = sidebar()
    if made is None:
        no_data()
    assert made is not None
    return made


def no_data() -> None:
    st.title("ASB & crime performance")
    st.info("No data is loaded yet. An analyst can load police.uk files or force extracts "
            "(`python -m analytics ingest FILE`, or the Upload page).")
    st.stop()
