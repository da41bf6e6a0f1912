"""Load history: who loaded what, when and how many rows; roll a batch back; rejected rows (analysts only)."""

import streamlit as st

from analytics.views import history
from analytics.views.common import Table
from ui import session, signin, widgets

me = signin.require("history", "The load history")
state = st.session_state

st.title("Load history")
st.caption("Every file loaded, newest first, with who loaded it and when. Roll-backs and replacements stay in the "
           "history, so the audit trail is complete.")

done = state.pop("_hist_done", None)
if done:
    st.success(widgets.md(done), icon=":material/check_circle:")

v = session.view(history.build)
if v.latest is None:
    st.info("No files have been loaded yet. Load one on the Upload page.", icon=":material/info:")
    st.stop()

st.markdown(f"**Latest load:** {widgets.md(v.latest)}")
widgets.frame(v.table, key="history",
              column_config={c: st.column_config.NumberColumn(format="localized")
                            for c in ("Rows read", "Loaded", "Rejected", "Live now")})
widgets.download(v.download, key="hist_csv", label="Download the history (CSV)")

st.header("Roll back a batch")
if not me.can("rollback"):
    st.caption("Rolling back needs the analyst role.")
elif not v.live:
    st.caption("Every batch has been rolled back.")
else:
    st.caption("Rolling back removes the batch's rows from every figure. Rows it had replaced come back. The batch "
               "stays in the history, marked rolled back, with who did it.")
    chosen = st.selectbox("Batch", list(v.live), format_func=v.live.__getitem__, key="hist_batch")
    rows, file = v.live_rows[chosen]
    sure = st.checkbox(widgets.md(f"Yes, remove the {rows:,} live rows of batch {chosen} ({file})"),
                       key=f"hist_sure_{chosen}")
    if st.button(f"Roll back batch {chosen}", type="primary", disabled=not sure, key="hist_rollback",
                 icon=":material/undo:"):
        state["_hist_done"] = session.act(history.roll_back, chosen, me.user)
        st.rerun()

st.header("Rejected rows")
if not v.with_rejects:
    st.caption("No batch was loaded with rejected rows.")
else:
    st.caption("Rows refused when a file was loaded with \"valid rows only\": row number in the file, column, value "
               "and reason.")
    chosen = st.selectbox("Batch with rejected rows", list(v.with_rejects), format_func=v.with_rejects.__getitem__,
                          key="hist_rejects_batch")
    rejects = session.view(history.rejects, chosen)
    st.dataframe(rejects, hide_index=True, width="stretch")
    widgets.download(Table(rejects, rejects, history.rejects_file_name(chosen)), key="hist_rejects_csv",
                     label="Download the rejected rows (CSV)")
