"""Admin: remembered column mappings and the reference files that define the figures (admins only)."""

import streamlit as st

from analytics.views import admin
from ui import session, signin, widgets

signin.require("manage_mappings", "The admin page")
state = st.session_state

st.title("Admin")
st.caption("Column mappings remembered for each source, and the reference files that decide which offences are "
           "victim-based, which outcomes count as solved, ASB categories, districts, populations, households and "
           "the measures' targets.")

done = state.pop("_admin_done", None)
if done:
    st.success(widgets.md(done), icon=":material/check_circle:")

v = session.view(admin.build)
st.header("Remembered column mappings")
if v.mappings.empty:
    st.caption("None yet. A mapping is remembered when a force extract is loaded on the Upload page.")
else:
    st.dataframe(v.mappings, hide_index=True, width="stretch")
    pair = st.selectbox("Mapping", v.pairs, format_func=lambda p: f"source {p[0]}, {p[1]} extracts",
                        key="admin_mapping")
    if st.button(widgets.md(f"Forget the mapping of source {pair[0]} ({pair[1]})"), key="admin_forget",
                 icon=":material/delete:"):
        state["_admin_done"] = session.act(admin.forget, *pair)
        st.rerun()

st.header("Reference files")
st.caption("Download a file, edit it (keep its columns), and upload it back. A file that cannot be read is refused "
           "and the old one kept. The figures change as soon as the file is saved.")
name = st.selectbox("File", v.reference_files, key="admin_ref")
ref = admin.reference_file(name)
st.dataframe(ref.table, hide_index=True, width="stretch")
st.download_button(f"Download {name}", ref.data, file_name=name, mime="text/csv", key="admin_ref_dl",
                   on_click="ignore", icon=":material/download:")
new = st.file_uploader(f"Replace {name}", type=["csv"], key=f"admin_ref_up_{state.get('_admin_round', 0)}")
if new is not None and st.button(f"Save the new {name}", type="primary", key="admin_ref_save"):
    state["_admin_done"] = session.act(admin.replace_reference, name, new.getvalue())
    state["_admin_round"] = state.get("_admin_round", 0) + 1
    st.rerun()
