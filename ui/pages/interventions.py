"""Interventions (analysts): the register of process changes and interventions; add, correct or withdraw entries,
never delete them."""

import streamlit as st

from analytics.views import interventions
from analytics.views.interventions import Draft
from ui import session, signin, widgets

me = signin.require("interventions", "Editing the interventions register")
state = st.session_state

st.title("Interventions")
st.caption(widgets.md(interventions.WHAT))
done = state.pop("_iv_done", None)
if done:
    st.success(widgets.md(done), icon=":material/check_circle:")

v = session.view(interventions.build)
if v.table.shown.empty:
    st.info("The register is empty. Record the first entry below.", icon=":material/info:")
else:
    widgets.table(v.table, key="iv_register")


def fields(prefix: str, draft: Draft | None) -> Draft:
    left, right = st.columns(2)
    with left:
        started = st.date_input("Date it started", value=draft.started if draft else None, key=f"{prefix}_date",
                                format="DD/MM/YYYY")
        types = list(v.types)
        kind = st.selectbox("Type", types, format_func=v.types.__getitem__, key=f"{prefix}_type",
                            index=types.index(draft.type) if draft else 0,
                            help="Recording-rule changes and new systems are process changes: they re-baseline "
                                 "the control charts. The others are marked and get a before/after comparison.")
    with right:
        district = st.selectbox("Where", v.districts, key=f"{prefix}_district",
                                index=v.districts.index(draft.district) if draft and draft.district else 0)
        affects = list(v.affects)
        hits = st.selectbox("Affects", affects, format_func=v.affects.__getitem__, key=f"{prefix}_affects",
                            index=affects.index(draft.affects) if draft else 0)
    text = st.text_area("Description", value=draft.description if draft else "", key=f"{prefix}_text",
                        max_chars=1000)
    return Draft(started, kind, district, hits, text)  # type: ignore[arg-type]


st.header("Record an entry")
with st.form("iv_add", clear_on_submit=True):
    draft = fields("iv_add", None)
    if st.form_submit_button("Record", type="primary", icon=":material/add:"):
        if draft.started is None:
            st.error("Give the date it started.")
        else:
            state["_iv_done"] = session.act(interventions.add, me, draft)
            st.rerun()

if v.active:
    st.header("Correct an entry")
    st.caption("The corrected entry is recorded in its place; the old one stays in the register, marked corrected.")
    chosen = st.selectbox("Entry", list(v.active), format_func=v.active.__getitem__, key="iv_correct_id")
    with st.form(f"iv_correct_{chosen}"):
        draft = fields(f"iv_correct_{chosen}", v.drafts[chosen])
        if st.form_submit_button("Save the correction", icon=":material/edit:"):
            state["_iv_done"] = session.act(interventions.correct, me, chosen, draft)
            st.rerun()

    st.header("Withdraw an entry")
    st.caption("A withdrawn entry stays in the register, with who withdrew it, when and why; it no longer marks or "
               "re-baselines any chart.")
    gone = st.selectbox("Entry", list(v.active), format_func=v.active.__getitem__, key="iv_withdraw_id")
    reason = st.text_input("Why", key=f"iv_withdraw_reason_{gone}", max_chars=500)
    if st.button(f"Withdraw #{gone}", key="iv_withdraw", icon=":material/block:", disabled=not reason.strip()):
        state["_iv_done"] = session.act(interventions.withdraw, me, gone, reason)
        st.rerun()
