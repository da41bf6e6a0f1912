"""The dashboard's entry point: page set-up, the navigation, sign-in, the data and the sidebar filters. No queries.
Imported as a module (by `streamlit run`) it is the app served; each page run runs it as the script.

st.navigation comes first on every run, so no page file ever runs by URL on its own; it offers a signed-out
visitor one page, and each page checks its own permission as well.
"""

import streamlit as st

if __name__ != "__main__":
    # `streamlit run dashboard.py` imports this file to find the app it serves, whose start begins the first
    # start's demo load before any browser connects (ui.server); each page run runs it as __main__, below
    from ui.server import lifespan, prepare

    prepare()

    app = st.App(__file__, lifespan=lifespan)
else:
    from ui import session, signin

    me = signin.identity()
    if not signin.blocked(me):
        session.begin()  # on an empty database the demo starts loading now, while the pages' modules import
    from ui import filters, navigation, widgets

    st.set_page_config(page_title="ASB & crime performance", layout="wide")

    sections, specs = navigation.pages_for(me)
    page = st.navigation(sections, position="hidden")  # drawn as plain links: navigation.sidebar_links
    if specs and not page.url_path:
        page.run()  # the root address goes straight on to /overview (navigation._home), before anything is drawn
    if specs:
        navigation.sidebar_links(sections)
        widgets.responsive()
        signin.sidebar_identity(me)
        widgets.demo_loading(session.start().demo_loading)
        spec = specs.get(page.title)
        if filters.sidebar(show=spec is not None and spec.filters) is None and spec is not None and spec.filters:
            filters.no_data()
    page.run()
    session.page_drawn()
