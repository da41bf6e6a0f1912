"""The ASB Case Review register: applications, what is overdue or due this week, the yearly statistics in the
published form, adding and updating applications with every change recorded (analysts only)."""

from datetime import date

import streamlit as st

from analytics.views import case_reviews
from ui import session, signin, widgets

me = signin.require("case_reviews", "The ASB Case Review register")
state = st.session_state
today = date.today()
NOT_SET = "Not recorded"
DECISIONS = {None: "Not decided", True: "Met", False: "Not met"}

st.title("ASB Case Reviews")
v = session.view(case_reviews.build, today)
st.caption(widgets.md(
    "The register of applications for an ASB Case Review (formerly the community trigger). Responses are due "
    f"{v.rule}, England and Wales bank holidays excluded. Nothing is deleted: an application is withdrawn, and "
    "every change is recorded with who made it and when."))

done = state.pop("_cr_done", None)
if done:
    st.success(widgets.md(done), icon=":material/check_circle:")
if v.synthetic_note:
    st.info(widgets.md(v.synthetic_note), icon=":material/science:")
widgets.stats(v.stats)
for alert in v.alerts:
    st.warning(widgets.md(alert), icon=":material/schedule:")


def act(fn, *args) -> None:
    state["_cr_done"] = session.act(fn, *args)
    st.rerun()


register, statistics, add, update, settings = st.tabs(
    ["Register", "Yearly statistics", "Add an application", "Update an application", "Settings"])

with register:
    if not v.applications:
        st.info("No applications yet: add one in the next tab.", icon=":material/info:")
    else:
        widgets.frame(v.register, key="register")
        widgets.download_file(v.register_download, key="cr_dl_register")

with statistics:
    st.caption(widgets.md(v.statistics_note))
    if len(v.statistics):
        st.table(v.statistics, border="horizontal", hide_index=True)
        widgets.download_file(v.statistics_download, key="cr_dl_stats")
    else:
        st.info("No applications yet.", icon=":material/info:")

with add:
    with st.form("cr_add", clear_on_submit=True):
        left, right = st.columns(2)
        received = left.date_input("Received", value=today, max_value=today, format="DD/MM/YYYY", key="cr_received")
        district = right.selectbox("District", v.districts, key="cr_district")
        applicant = left.radio("Applicant", ["victim", "other"], horizontal=True, key="cr_applicant",
                               format_func={"victim": "The victim", "other": "Someone on their behalf"}.get)
        consent = right.selectbox("Victim's consent (applications on their behalf)", [NOT_SET, "Yes", "No"],
                                  key="cr_consent")
        caller_ref = left.text_input("Caller reference (optional)", key="cr_caller",
                                     help="The incidents in the six months before are looked up in the extracts.")
        incidents = right.text_input("Incidents the decision counts (optional)", key="cr_incidents",
                                     help="Leave blank to use the number found in the extracts.")
        source = None
        if len(v.sources) > 1:
            source = st.selectbox("Extract to look incidents up in", v.sources, key="cr_source")
        if st.form_submit_button("Add the application", type="primary", icon=":material/add:"):
            fields = {"received": received, "district": district, "applicant": applicant,
                      "consent": None if applicant == "victim" or consent == NOT_SET else consent,
                      "caller_ref": caller_ref, "incidents": incidents}
            act(case_reviews.add_application, fields, source, me.user, today)

with update:
    if not v.applications:
        st.info("No applications yet.", icon=":material/info:")
    else:
        chosen = st.selectbox("Application", list(v.applications), format_func=v.applications.__getitem__,
                              key="cr_chosen")
        a = session.view(case_reviews.application, chosen, today)
        r = a.record
        with st.form(f"cr_update_{chosen}"):
            left, right = st.columns(2)
            decision = left.selectbox("Threshold", list(DECISIONS), index=list(DECISIONS).index(r["threshold_met"]),
                                      format_func=DECISIONS.__getitem__, key=f"cr_u_met_{chosen}")
            incidents = right.text_input("Incidents the decision counts", value=str(r["incidents"] or ""),
                                         key=f"cr_u_inc_{chosen}")
            reasons = st.text_area("Reasons", value=r["threshold_reasons"] or "", key=f"cr_u_reasons_{chosen}")
            panel = left.date_input("Panel date", value=r["panel_date"], format="DD/MM/YYYY",
                                    key=f"cr_u_panel_{chosen}")
            response = right.date_input("Response sent", value=r["response_date"], max_value=today,
                                        format="DD/MM/YYYY", key=f"cr_u_response_{chosen}")
            agencies = st.text_input("Agencies (separate with ;)", value="; ".join(r["agencies"]),
                                     key=f"cr_u_agencies_{chosen}")
            recommendations = st.text_area("Recommendations (blank when the review made none)",
                                           value=r["recommendations"] or "", key=f"cr_u_recs_{chosen}")
            secondary = st.checkbox("The applicant asked for a secondary review", value=r["secondary_review"],
                                    key=f"cr_u_secondary_{chosen}")
            if st.form_submit_button("Save the changes", type="primary", icon=":material/save:"):
                changes = {"threshold_met": decision, "incidents": incidents, "threshold_reasons": reasons,
                           "panel_date": panel, "response_date": response, "agencies": agencies,
                           "recommendations": recommendations, "secondary_review": secondary}
                act(case_reviews.update_application, chosen, changes, None, me.user, today)
        if r["withdrawn_on"] is None:
            with st.form(f"cr_withdraw_{chosen}"):
                reason = st.text_input("Reason for withdrawing", key=f"cr_w_reason_{chosen}",
                                       placeholder="e.g. applicant withdrew, entered in error, duplicate of 12")
                if st.form_submit_button("Withdraw the application", icon=":material/block:"):
                    act(case_reviews.withdraw_application, chosen, reason, me.user, today)
        else:
            st.caption(widgets.md(f"Withdrawn on {r['withdrawn_on']:%d %b %Y}: {r['withdrawn_reason']}"))
        st.markdown("**Every change to this application**")
        st.dataframe(a.trail, hide_index=True, width="stretch")

with settings:
    s = v.settings
    with st.form("cr_settings"):
        left, right = st.columns(2)
        working_days = left.number_input("Working days to respond", min_value=1, max_value=260,
                                         value=s.working_days, step=1, key="cr_s_days")
        due_from = right.radio("Counted from the day after", ["receipt", "panel"], horizontal=True,
                               index=["receipt", "panel"].index(s.due_from), key="cr_s_from",
                               format_func={"receipt": "receipt", "panel": "the panel"}.get)
        n = left.number_input("Case review threshold: incidents", min_value=1, max_value=3,
                              value=s.case_review.min_incidents, step=1, key="cr_s_n",
                              help="The Act sets three qualifying complaints as the most a local procedure may ask.")
        m = right.number_input("in months", min_value=1, max_value=24, value=s.case_review.months, step=1,
                               key="cr_s_m")
        st.caption("A change applies to applications received from now on; those already received keep their rule.")
        if st.form_submit_button("Save the settings", icon=":material/save:"):
            act(case_reviews.change_settings, int(working_days), due_from, int(n), int(m), me.user)
