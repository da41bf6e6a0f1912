"""The dashboard's entry point: page set-up, the shared sidebar filters and the navigation. No queries here."""

from pathlib import Path

import streamlit as st

from pages import common

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"

st.set_page_config(page_title="ASB & crime performance", layout="wide")

common.start()

performance = [
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(PAGES / "asb.py", title="ASB", icon=":material/campaign:"),
    st.Page(PAGES / "crime.py", title="Crime & outcomes", icon=":material/gavel:"),
    st.Page(PAGES / "districts.py", title="Districts", icon=":material/map:"),
]
data = [st.Page(PAGES / "data.py", title="Data", icon=":material/database:")]
# Pages for analysts only (loading files, the load history) join the Data section when they exist.
if common.current_role() == "analyst":
    for file, title, icon in (("upload.py", "Upload", ":material/upload:"),
                              ("history.py", "Load history", ":material/history:")):
        if (PAGES / file).exists():
            data.append(st.Page(PAGES / file, title=title, icon=icon))

page = st.navigation({"Performance": performance, "Data": data})
common.sidebar()
page.run()
