"""The dashboard's entry point: page set-up, the shared sidebar filters and the navigation. No queries here."""

from pathlib import Path

import streamlit as st

from pages import common

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"

st.set_page_config(page_title="ASB & crime performance", layout="wide")

me = common.sign_in_gate()

performance = [
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(PAGES / "asb.py", title="ASB", icon=":material/campaign:"),
    st.Page(PAGES / "crime.py", title="Crime & outcomes", icon=":material/gavel:"),
    st.Page(PAGES / "districts.py", title="Districts", icon=":material/map:"),
]
data = [st.Page(PAGES / "data.py", title="Data", icon=":material/database:")]
# Pages for analysts only (loading files, the load history) and admins (mappings, reference files); each page
# also refuses a user without the role, in case it is reached some other way.
for file, title, icon, permission in (("upload.py", "Upload", ":material/upload:", "upload"),
                                      ("history.py", "Load history", ":material/history:", "history"),
                                      ("admin.py", "Admin", ":material/admin_panel_settings:", "manage_mappings")):
    if me.can(permission):
        data.append(st.Page(PAGES / file, title=title, icon=icon))

page = st.navigation({"Performance": performance, "Data": data})
# After the navigation, so a first start that loads the demo data shows the real page list, not the folder's.
common.start()
common.sidebar()
page.run()
