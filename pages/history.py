"""Load history: who loaded what, when and how many rows; roll a batch back; rejected rows (analysts only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import formatting as fmt
from analytics import overview
from analytics.errors import DashboardError
from analytics.ingest.load import list_batches, rejected_rows, rollback
from pages import common

me = common.require("history", "The load history")
con = common.cursor()
state = st.session_state

st.title("Load history")
st.caption("Every file loaded, newest first, with who loaded it and when. Roll-backs and replacements stay in the "
           "history, so the audit trail is complete.")

done = state.pop("_hist_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

batches = list_batches(con)
if not batches:
    st.info("No files have been loaded yet. Load one on the Upload page.", icon=":material/info:")
    st.stop()

st.markdown(overview.latest_load_sentence(batches[0]))

table = overview.audit_table(batches)
st.dataframe(table, hide_index=True, width="stretch",
             column_config={c: st.column_config.NumberColumn(format="localized")
                            for c in ("Rows read", "Loaded", "Rejected", "Live now")})
st.download_button("Download the history (CSV)", fmt.to_csv_bytes(table), file_name="load-history.csv",
                   mime="text/csv", key="hist_csv", on_click="ignore", icon=":material/download:")

# ------------------------------------------------------------------------------------------------ roll back

st.subheader("Roll back a batch")
live = [b for b in batches if b["status"] != "rolled back"]
if not me.can("rollback"):
    st.caption("Rolling back needs the analyst role.")
elif not live:
    st.caption("Every batch has been rolled back.")
else:
    st.caption("Rolling back removes the batch's rows from every figure. Rows it had replaced come back. The batch "
               "stays in the history, marked rolled back, with who did it.")
    by_id = {b["id"]: b for b in live}
    chosen = st.selectbox("Batch", list(by_id), format_func=lambda i: overview.batch_label(by_id[i]), key="hist_batch")
    batch = by_id[chosen]
    sure = st.checkbox(f"Yes, remove the {batch['rows_live']:,} live rows of batch {chosen} ({batch['file']})",
                       key=f"hist_sure_{chosen}")
    if st.button(f"Roll back batch {chosen}", type="primary", disabled=not sure, key="hist_rollback",
                 icon=":material/undo:"):
        try:
            result = rollback(con, chosen, user=me.user)
        except DashboardError as e:
            st.error(f"**{e.title}.** {e.message}")
            st.stop()
        restored = result["restored_batches"]
        state["_hist_done"] = (f"Rolled back batch {chosen} ({result['file']})."
                               + (f" Rows it had replaced are live again (batch "
                                  f"{', '.join(map(str, restored))})." if restored else ""))
        st.rerun()

# ------------------------------------------------------------------------------------------------ rejected rows

st.subheader("Rejected rows")
with_rejects = [b for b in batches if b["rows_rejected"]]
if not with_rejects:
    st.caption("No batch was loaded with rejected rows.")
else:
    st.caption("Rows refused when a file was loaded with \"valid rows only\": row number in the file, column, value "
               "and reason.")
    by_id = {b["id"]: b for b in with_rejects}
    chosen = st.selectbox("Batch with rejected rows", list(by_id), format_func=lambda i: overview.batch_label(by_id[i]),
                          key="hist_rejects_batch")
    rejects = pd.DataFrame(rejected_rows(con, chosen), columns=["row", "column", "value", "reason"])
    st.dataframe(rejects, hide_index=True, width="stretch")
    st.download_button("Download the rejected rows (CSV)", fmt.to_csv_bytes(rejects),
                       file_name=f"batch-{chosen}-rejected-rows.csv", mime="text/csv", key="hist_rejects_csv",
                       on_click="ignore", icon=":material/download:")
