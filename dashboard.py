"""The dashboard's entry point: page set-up, the navigation, sign-in, the data and the sidebar filters. No queries.

st.navigation comes first on every run, so no page file ever runs by URL on its own; it offers a signed-out
visitor one page, and each page checks its own permission as well.
"""

import streamlit as st

from ui import filters, navigation, session, signin, widgets

st.set_page_config(page_title="ASB & crime performance", layout="wide")

me = signin.identity()
sections, specs = navigation.pages_for(me)
page = st.navigation(sections, position="hidden")  # drawn as plain links: navigation.sidebar_links
if specs:
    navigation.sidebar_links(sections)
    widgets.responsive()
    signin.sidebar_identity(me)
    widgets.demo_loading(session.start().demo_loading)
    spec = specs.get(page.title)
    if filters.sidebar(show=spec is not None and spec.filters) is None and spec is not None and spec.filters:
        filters.no_data()
page.run()
