"""Control charts: has the figure really changed? The verdict first, then the XmR chart, the moving range, the
table, and an intervention's before/after."""

import streamlit as st

from analytics.domain.kinds import Measure
from analytics.views import control
from ui import filters, session, signin, widgets

signin.require("view", "The Control charts page")
sel = filters.current()
state = st.session_state

st.title(control.TITLE)
pick = st.columns([4, 3, 2])
with pick[0]:
    measure = Measure(st.segmented_control("Measure", [m.value for m in control.MEASURES],
                                           format_func=lambda m: Measure(m).label, key="c_measure",
                                           default="asb") or "asb")
with pick[2]:
    months = st.selectbox("Months shown", control.MONTH_CHOICES, index=1, key="c_months",
                          format_func=lambda n: f"{n} months")
choices = session.view(control.choices, sel, measure, months)
with pick[1]:
    options = [control.ALL, *choices.groups]
    key = f"c_group_{measure.value}"
    if state.get(key) not in options:
        state[key] = control.ALL
    if choices.groups:
        group = st.selectbox(choices.group_word, options, key=key, help=choices.group_note)
    else:  # said in words: a disabled control's greyed label is not readable text
        group = control.ALL
        st.markdown(f"**{widgets.md(choices.group_word)}**: {widgets.md(control.ALL)}")
        if choices.group_note:
            st.caption(widgets.md(choices.group_note))
chosen = None if group == control.ALL else group

preview_key = f"c_preview_{sel!r}_{measure.value}_{chosen}_{months}"
v = session.view(control.build, sel, measure, chosen, months, None)
if state.get(preview_key) and v.suggested_month:
    v = session.view(control.build, sel, measure, chosen, months, v.suggested_month)

st.markdown(f"**{widgets.md(v.where)}**")
st.caption(widgets.md(v.what) + " The chart ends at the sidebar's period end; the period length does not apply.")

# the answer first, in words, with an icon and a word for its status: never colour alone
lead = {"signal": ("Signal", ":material/priority_high:", st.warning),
        "no signal": ("No signal", ":material/check_circle:", st.success),
        "data quality": ("Data quality", ":material/report:", st.info),
        "no limits": ("No limits yet", ":material/info:", st.info)}
word, icon, box = lead[v.status]
if v.headline.startswith(f"{word}: "):  # the sentence leads with the word already: bold it, not repeat it
    box(f"**{word}:** {widgets.md(v.headline.removeprefix(word + ': '))}", icon=icon)
else:
    box(f"**{word}.** {widgets.md(v.headline)}", icon=icon)
if v.season_note:
    st.caption(widgets.md(v.season_note))
if v.suggestion:
    st.info(widgets.md(v.suggestion), icon=":material/timeline:")
    st.checkbox(f"Preview the chart re-baselined from {v.suggested_month}", key=preview_key)
if v.previewing:
    st.caption(widgets.md(f"Preview: limits recalculated from {v.previewing}. Nothing is recorded; an analyst "
                          "records a process change on the Interventions page."))

widgets.plot(v.chart, key="control_xmr")
st.caption(widgets.md(v.method))
with st.expander("The rules, and how to read the chart"):
    st.write(widgets.md(v.rules))
if v.quality_note:
    st.caption(widgets.md(v.quality_note))

st.header("Moving range")
widgets.plot(v.moving_range, key="control_mr")
st.caption(widgets.md(v.moving_range.summary))

st.header("Month by month")
widgets.table(v.table, key="control_table")

st.header("Interventions: before and after")
if not choices.interventions:
    st.caption("No intervention in the register falls within these months. Analysts record PSPOs, closure and "
               "dispersal orders and task-force operations on the Interventions page.")
else:
    entry = st.selectbox("Intervention", list(choices.interventions), format_func=choices.interventions.__getitem__,
                         key="c_intervention")
    e = session.view(control.effect, sel, measure, chosen, entry)
    st.markdown(f"**{widgets.md(e.title)}**")
    if e.lead:
        st.info(widgets.md(e.lead), icon=":material/compare_arrows:")
    st.write(widgets.md(e.sentence))
    if e.chart is not None and e.table is not None:
        widgets.plot(e.chart, key="control_effect")
        widgets.table(e.table, key="control_effect_table")

with st.expander("The register of process changes and interventions"):
    st.caption("Every entry, withdrawn and corrected ones too, with who recorded it and when. Analysts keep it on "
               "the Interventions page.")
    widgets.table(v.register, key="control_register")
