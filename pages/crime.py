"""Crime & outcomes: victim-based crime against last year, the solved rate, outcomes, crime types, all crime."""

import streamlit as st

from analytics import charts, overview
from analytics import formatting as fmt
from pages import common

f = common.filters()
common.page_header(
    "Crime & outcomes",
    "Victim-based crime by month recorded against the same months a year earlier, how much of it is solved, "
    "and how the crime types moved.",
    f,
)

vbc = common.fetch("comparison", measure="vbc", period=f.period, source=f.source, district=f.district)
left, right = st.columns([3, 2], gap="medium")
with left:
    st.subheader("Victim-based crime by month")
    st.write(overview.comparison_sentence("vbc", vbc, f.period))
    common.table(fmt.comparison_table(vbc), fmt.comparison_table(vbc, formatted=False), key="vbc_table",
                 file_name=f"victim-based-crime-{f.period.start}-to-{f.end}")
with right:
    common.chart(common.figure(charts.comparison_bars, vbc, title="This year against last year"),
                 key="vbc_bars", summary=overview.comparison_sentence("vbc", vbc, f.period))
common.signal_caption()

st.subheader("Solved rate")
rate = common.fetch("solved_rate", period=f.period, source=f.source, district=f.district)
series = common.fetch("solved_rate_series", source=f.source, end=f.end, months=25, district=f.district)
left, right = st.columns([1, 2], gap="large")
with left:
    common.tiles([overview.solved_tile(rate)])
with right:
    columns = ["label", "solved", "total", "rate"]
    common.chart(
        common.figure(charts.solved_rate_trend, series, title="Solved rate by month recorded, 25 months"),
        key="solved_series",
        summary=overview.rate_series_sentence(series),
        shown=fmt.display_table(series, columns, labels={"solved": "Solved", "total": "Victim-based crimes"}),
        raw=fmt.display_table(series, columns, labels={"solved": "Solved", "total": "Victim-based crimes"},
                              formatted=False),
        file_name=f"solved-rate-to-{f.end}",
    )
st.caption(overview.basis_text(rate.basis) + " Recent months rise as investigations finish.")

left, right = st.columns(2, gap="large")
with left:
    st.subheader("Outcomes")
    outcomes = common.fetch("outcome_breakdown", period=f.period, source=f.source, district=f.district)
    common.chart(
        common.figure(charts.share_bars, outcomes, name="outcome_group", value="share_pct",
                      text=overview.outcome_labels(outcomes)),
        key="outcomes",
        summary=overview.outcome_sentence(outcomes),
        shown=fmt.display_table(outcomes, ["outcome_group", "count", "share_pct", "solved"],
                                labels={"count": "Victim-based crimes"}),
        raw=fmt.display_table(outcomes, ["outcome_group", "count", "share_pct", "solved"],
                              labels={"count": "Victim-based crimes"}, formatted=False),
        file_name=f"outcomes-{f.period.start}-to-{f.end}",
    )
    st.caption("Share of victim-based crimes recorded in the period, by latest outcome.")
with right:
    st.subheader("Crime types")
    types = common.fetch("breakdown", measure="all_crime", by="crime_type", period=f.period, source=f.source,
                         district=f.district)
    common.chart(
        common.figure(charts.diverging_change, types, top=14),
        key="crime_types",
        summary=overview.breakdown_sentence(types, "crime types"),
        shown=fmt.breakdown_table(types, name_label="Crime type"),
        raw=fmt.breakdown_table(types, name_label="Crime type", formatted=False),
        file_name=f"crime-types-{f.period.start}-to-{f.end}",
    )
    st.caption("Change in number of crimes on the same months last year: ▼ reductions left, ▲ increases right.")

st.subheader("All crime")
every = common.fetch("comparison", measure="all_crime", period=f.period, source=f.source, district=f.district)
st.write(overview.comparison_sentence("all_crime", every, f.period))
common.table(fmt.comparison_table(every), fmt.comparison_table(every, formatted=False), key="all_crime_table",
             file_name=f"all-crime-{f.period.start}-to-{f.end}")
