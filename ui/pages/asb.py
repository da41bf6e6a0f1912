"""ASB: the report table, this year against last year, call types, categories, districts, rolling 12 months."""

import streamlit as st

from analytics.views import asb
from ui import filters, session, signin, widgets
from ui.sections import breakdown, comparison, rolling, years

signin.require("view", "The ASB page")
v = session.view(asb.build, filters.current())

widgets.page_header(v.header)
comparison(v.comparison, "ASB incidents by month", key="asb")

st.header("Call types: largest reductions and increases")
breakdown(v.call_types, key="asb_call_types",
          caption="Bars show the change in number of incidents on the same months last year: reductions to the "
                  "left (▼), increases to the right (▲).")

left, right = st.columns(2, gap="large")
with left:
    st.header("By category")
    if v.categories is None:
        st.info("No categories: this source records no call types.")
    else:
        st.write(widgets.md(v.categories_sentence))
        widgets.table(v.categories, key="asb_categories")
with right:
    st.header("By district")
    breakdown(v.districts, key="asb_districts")

rolling(v.rolling, key="asb_rolling")
years(v.years, key="asb_years")
