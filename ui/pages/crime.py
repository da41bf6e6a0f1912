"""Crime & outcomes: victim-based crime against last year, the solved rate, outcomes, crime types, all crime."""

import streamlit as st

from analytics.views import crime
from ui import filters, session, signin, widgets
from ui.sections import breakdown, comparison, years

signin.require("view", "The Crime page")
v = session.view(crime.build, filters.current())

widgets.page_header(v.header)
comparison(v.vbc, "Victim-based crime by month", key="vbc")

st.header("Solved rate")
left, right = st.columns([1, 2], gap="large")
with left:
    widgets.tiles([v.solved_tile])
with right:
    widgets.chart(v.solved_series, key="solved_series")
st.caption(widgets.md(v.basis))
st.write(widgets.md(v.change_test))

st.header("Solved rate p-chart")
st.write(widgets.md(v.p_sentence))
if v.immature:
    st.info(widgets.md(v.immature), icon=":material/hourglass_top:")
if v.p_chart is not None:
    widgets.chart(v.p_chart, key="solved_p_chart")
    st.caption("Each month's limits are 3 standard errors of a proportion either side of the average rate, so they "
               "are wider in months with fewer crimes. ◆ a month outside its limits; ■ 7 or more months in a row on "
               "one side of the average; ✕ a data-quality month, left out of the average and never a signal.")

left, right = st.columns(2, gap="large")
with left:
    st.header("Outcomes")
    widgets.chart(v.outcomes, key="outcomes")
    st.caption("Share of victim-based crimes recorded in the period, by latest outcome.")
with right:
    st.header("Crime types")
    breakdown(v.crime_types, key="crime_types",
              caption="Change in number of crimes on the same months last year: ▼ reductions left, ▲ increases "
                      "right.")

st.header("All crime")
st.write(widgets.md(v.all_crime.sentence))
widgets.table(v.all_crime.table, key="all_crime_table")
years(v.years, key="vbc_years")
