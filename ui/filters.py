"""The sidebar filters: source, period end, period and district. Their state lives in st.session_state, so it
survives page switches; every page reads the same Selection.

The address bar holds the view too (`?end=2025-03&period=12m&district=Thanet&source=police.uk`), on every page:
an address that was opened, reloaded or edited says what to show; a change in the sidebar rewrites it. An unknown
value falls back to the default with a short notice.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics.domain import definitions
from analytics.domain.periods import PERIOD_CHOICES
from analytics.report.formatting import month_label
from analytics.views.common import Selection, sidebar_choices, source_label
from ui import session
from ui.widgets import md

ALL_DISTRICTS = "All Kent"
KEYS = ("f_source", "f_end", "f_kind", "f_district")
# query parameter -> the widget key it sets, in the order they are applied (the source decides the months)
PARAMS = {"source": "f_source", "end": "f_end", "period": "f_kind", "district": "f_district"}
WORDS = {"source": "source", "end": "period end", "period": "period", "district": "district"}


def _from_address(state: Any) -> dict[str, str]:
    """The filters the address gives, when it says something this session has not written itself."""
    given = {p: st.query_params[p] for p in PARAMS if p in st.query_params}
    if given and given != state.get("_qp_written"):
        return given
    return {}


def _district_option(value: str, districts: list[str]) -> str | None:
    """The district an address names ('thanet', 'Shepway' and 'Thanet' all work), None when none."""
    if value in districts:
        return value
    if value.strip().lower() in ("all", "kent", ALL_DISTRICTS.lower()):
        return ALL_DISTRICTS
    name = definitions.match_district(value)
    return name if name in districts else None


def _write_address(state: Any, selection: Selection) -> None:
    wanted = {"source": selection.source, "end": selection.end, "period": selection.kind}
    if selection.district:
        wanted["district"] = selection.district
    # only what differs, the changed values in one message (each assignment would send one)
    changed = {p: wanted[p] for p in PARAMS if p in wanted and st.query_params.get(p) != wanted[p]}
    if changed:
        st.query_params.update(changed)
    for p in PARAMS:
        if p not in wanted and p in st.query_params:
            del st.query_params[p]
    state["_qp_written"] = wanted


def sidebar(*, show: bool = True) -> Selection | None:
    """The sidebar's Selection, drawn when `show` (pages whose figures it changes); None when nothing is loaded."""
    state = st.session_state
    # Streamlit forgets a widget's value on a run that does not draw it: the values are kept under their own keys
    for key in KEYS:
        if key not in state and f"_keep{key}" in state:
            state[key] = state[f"_keep{key}"]
    asked = _from_address(state)
    if "source" in asked:
        state["f_source"] = asked["source"]
    if "period" in asked:
        state["f_kind"] = asked["period"]
    choices = session.view(sidebar_choices, state.get("f_source"), state.get("f_kind"))
    if not choices.sources:
        return None
    districts = [ALL_DISTRICTS, *choices.districts]
    wrong: list[str] = []
    if "source" in asked and asked["source"] not in choices.sources:
        wrong.append("source")
    if "end" in asked:
        state["f_end"] = asked["end"]
        if asked["end"] not in choices.end_months:
            wrong.append("end")
    if "period" in asked and asked["period"] not in PERIOD_CHOICES:
        wrong.append("period")
    if "district" in asked:
        found = _district_option(asked["district"], districts)
        state["f_district"] = found or asked["district"]
        if found is None:
            wrong.append("district")
    if state.get("f_source") not in choices.sources:
        state["f_source"] = choices.sources[0]
    # a period the source does not hold in full is not offered: the kind falls back, and the sidebar says so
    dropped = state.get("f_kind") if state.get("f_kind") in PERIOD_CHOICES and state.get("f_kind") != choices.kind \
        else None
    state["f_kind"] = choices.kind
    if state.get("f_end") not in choices.end_months:
        state["f_end"] = choices.default_end
    if state.get("f_district") not in districts:
        state["f_district"] = ALL_DISTRICTS
    if wrong:
        shown = {"source": state["f_source"], "end": month_label(str(state["f_end"])),
                 "period": PERIOD_CHOICES.get(str(state["f_kind"]), str(state["f_kind"])),
                 "district": state["f_district"]}
        parts = [f"unknown {WORDS[p]} {asked[p]!r}, showing {shown[p]}" for p in wrong]
        st.toast(md(f"The link has {'; '.join(parts)}."), icon=":material/link_off:")
    if show:
        with st.sidebar:
            st.markdown("**Show figures for**")
            if len(choices.sources) > 1:
                st.selectbox("Source", choices.sources, key="f_source", format_func=source_label,
                             help="Figures from different sources are never added together.")
            st.radio("Period", choices.kinds, key="f_kind", format_func=PERIOD_CHOICES.__getitem__,
                     help="Only periods this source holds every month of are offered.")
            missing = [PERIOD_CHOICES[k] for k in PERIOD_CHOICES if k not in choices.kinds]
            if missing:
                st.caption(f"Not offered: {', '.join(missing).lower()} — this source does not hold every month of "
                           "any such period.")
            if dropped:
                st.caption(f"Showing {PERIOD_CHOICES[choices.kind].lower()}: this source holds no "
                           f"{PERIOD_CHOICES[dropped].lower()} in full.")
            st.selectbox("Period ending", choices.end_months, key="f_end", format_func=month_label,
                         help="Only months that end a period this source holds in full. The default is the latest "
                              "complete month that can be compared with a year earlier.")
            st.selectbox("District", districts, key="f_district")
    for key in KEYS:
        state[f"_keep{key}"] = state[key]
    district = state["f_district"]
    selection = Selection(state["f_source"], state["f_end"], state["f_kind"],
                          None if district == ALL_DISTRICTS else district)
    state["selection"] = selection
    _write_address(state, selection)
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
