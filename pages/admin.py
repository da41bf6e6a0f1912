"""Admin: remembered column mappings and the reference files that define the figures (admins only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import admin
from analytics import formatting as fmt
from analytics.errors import DashboardError
from pages import common

me = common.require("manage_mappings", "The admin page")
con = common.cursor()
state = st.session_state

st.title("Admin")
st.caption("Column mappings remembered for each source, and the reference files that decide which offences are "
           "victim-based, which outcomes count as solved, ASB categories, districts and populations.")

done = state.pop("_admin_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

st.subheader("Remembered column mappings")
mappings = pd.DataFrame(admin.list_mappings(con),
                        columns=["source", "format", "file_column", "canonical", "updated_by", "updated_at"])
if mappings.empty:
    st.caption("None yet. A mapping is remembered when a force extract is loaded on the Upload page.")
else:
    st.dataframe(mappings.rename(columns={"file_column": "file column", "canonical": "our column",
                                          "updated_by": "saved by", "updated_at": "saved at"}),
                 hide_index=True, width="stretch")
    pairs = sorted({(s, f) for s, f in zip(mappings["source"], mappings["format"], strict=True)})
    pair = st.selectbox("Mapping", pairs, format_func=lambda p: f"source {p[0]}, {p[1]} extracts",
                        key="admin_mapping")
    if st.button(f"Forget the mapping of source {pair[0]} ({pair[1]})", key="admin_forget",
                 icon=":material/delete:"):
        n = admin.forget_mappings(con, *pair)
        state["_admin_done"] = f"Forgot {n} remembered columns of source {pair[0]} ({pair[1]})."
        st.rerun()

st.subheader("Reference files")
st.caption("Download a file, edit it (keep its columns), and upload it back. A file that cannot be read is refused "
           "and the old one kept. The figures change as soon as the file is saved.")
name = st.selectbox("File", admin.REFERENCE_FILES, key="admin_ref")
path = admin.reference_path(name)
current = pd.read_csv(path, dtype=str, keep_default_na=False)
st.dataframe(current, hide_index=True, width="stretch")
st.download_button(f"Download {name}", path.read_bytes(), file_name=name, mime="text/csv", key="admin_ref_dl",
                   on_click="ignore", icon=":material/download:")
new = st.file_uploader(f"Replace {name}", type=["csv"], key=f"admin_ref_up_{state.get('_admin_round', 0)}")
if new is not None and st.button(f"Save the new {name}", type="primary", key="admin_ref_save"):
    try:
        rows = admin.replace_reference(con, name, new.getvalue())
    except DashboardError as e:
        st.error(f"**{e.title}.** {e.message}")
        st.stop()
    state["_admin_done"] = f"Saved {name} ({fmt.fmt_int(rows)} rows); the reference tables are updated."
    state["_admin_round"] = state.get("_admin_round", 0) + 1
    st.rerun()
