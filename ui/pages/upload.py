"""Upload: files are checked, mapped, previewed and compared with what is loaded; Load stores them (analysts only).

Nothing touches the database until Load is pressed: checks run in a scratch in-memory database. Loading goes
through analytics.ingest.load.load_requests, the same code path as `python -m analytics ingest`.
"""

from functools import partial
from pathlib import Path

import streamlit as st

from analytics.domain.definitions import FORCE_SOURCE, POLICE_UK_SOURCE
from analytics.errors import InputRefused, UnknownFormat
from analytics.ingest import compare, templates, uploads
from analytics.ingest.load import RowsRefused, load_requests
from analytics.ingest.messages import rows_word
from analytics.ingest.names import check_source_name
from analytics.ingest.readers import canonical_columns
from analytics.views.common import Table
from ui import session, signin, widgets

me = signin.require("upload", "Uploading files")
state = st.session_state

FORMATS = {"auto": "Detect automatically", "police-uk": "police.uk street-level file",
           "police-uk-outcomes": "police.uk outcomes file", "asb": "Force ASB incident extract",
           "crime": "Force recorded-crime extract", "measures": "Measures file (engagement, satisfaction)"}
NOT_MAPPED = "(not in this file)"


def check(path: Path, sha: str, name: str, fmt_choice: str, sheet: str | None, mapping: dict[str, str] | None,
          source_name: str, police_uk_source: str) -> compare.Check:
    """Check a file once per set of choices and data version (a large file takes a while to read)."""
    key = (sha, fmt_choice, sheet, tuple(sorted(mapping.items())) if mapping is not None else None, source_name,
           police_uk_source, session.current().version)
    checks = state.setdefault("_up_checks", {})
    if key not in checks:
        with st.spinner(f"Checking {name}…"):
            checks[key] = session.read(compare.check_file, path, name=name, source_format=fmt_choice, sheet=sheet,
                                       mapping=mapping, source_name=source_name, police_uk_source=police_uk_source)
    return checks[key]


def mapping_editor(c: compare.Check, tag: str) -> dict[str, str] | None:
    """Column mapping: one picker per canonical column; returns the mapping when the analyst changed it."""
    assert c.format in compare.FORCE_FORMATS
    st.markdown("**Column mapping** — which column of the file holds each of ours. "
                + ("Remembered from the last file of this source." if c.remembered else
                   "Suggested from the column names; change any that are wrong."))
    used = {canon: col for col, canon in c.mapping.items()}
    chosen: dict[str, str] = {}
    columns = st.columns(3)
    for n, (canon, required) in enumerate(canonical_columns(c.format).items()):
        options = [NOT_MAPPED, *[h for h in c.header if h.strip()]]
        current = used.get(canon, NOT_MAPPED)
        with columns[n % 3]:
            picked = st.selectbox(f"{canon}{' (required)' if required else ''}", options,
                                  index=options.index(current) if current in options else 0,
                                  key=f"up_map_{tag}_{c.format}_{canon}")
        if picked != NOT_MAPPED:
            chosen[canon] = picked
    mapping = {col: canon for canon, col in chosen.items()}
    # a suggested column the analyst unmapped is said explicitly, so the suggestion does not come back
    mapping.update({col: "" for col in c.suggestions if col not in mapping})
    effective = {col: k for col, k in mapping.items() if k}
    return mapping if effective != c.mapping else None


def show_detected(c: compare.Check) -> None:
    what = FORMATS.get(c.format or "", "format not recognised")
    where = f", sheet **{widgets.md(c.sheet)}**" if c.sheet else ""
    st.markdown(f"Detected: **{what}**{where}" + (f" · source **{widgets.md(c.source)}**" if c.format else ""))


def show_check(c: compare.Check, tag: str) -> None:
    if c.refusal:
        widgets.error_box(c.refusal)
        if c.format is None and isinstance(c.refusal, UnknownFormat):
            st.caption("If this is a force extract with unusual column names, choose its format above: its columns "
                       "can then be mapped here, and the mapping is remembered for the next file.")
    for warning in c.warnings:
        st.warning(widgets.md(warning), icon=":material/warning:")
    if c.comparison is None:
        return
    st.markdown(f"**{rows_word(c.rows_read)} read**: {c.loadable_rows:,} ready to load, "
                f"{c.rows_rejected:,} with problems.")
    if c.problems:
        st.markdown(f"**Validation report** — {uploads.plural(len(c.problems), 'problem')}:")
        report = compare.problems_frame(c.problems)
        st.dataframe(report.fillna(""), hide_index=True, width="stretch", height=min(400, 38 + 35 * len(report)),
                     column_config={"row": st.column_config.NumberColumn(width="small"),
                                    "reason": st.column_config.TextColumn(width="large")})
        widgets.download(Table(report, report, uploads.problems_file_name(c.name)), key=f"up_report_{tag}",
                         label="Download the validation report (CSV)")
    st.markdown("**What loading it would change**")
    widgets.bullets(c.comparison.sentences())
    for kind, frame in c.preview.items():
        with st.expander(uploads.preview_title(kind, len(frame))):
            st.dataframe(frame, hide_index=True, width="stretch")


st.title("Upload extracts")
st.caption("Load police.uk street-level and outcomes files, the force's ASB and crime extracts, or a measures file "
           "of engagement and satisfaction figures (CSV or Excel). Each file is checked first and nothing is stored "
           "until you press Load. Every load can be rolled back on the Load history page.")

for line in state.pop("_up_done", None) or []:
    st.success(widgets.md(line), icon=":material/check_circle:")

with st.expander("Templates for the force extracts"):
    st.write("A workbook (or CSV file) with the columns the loader expects, an example row and, in the workbook, "
             "notes on each column.")
    for col, kind in zip(st.columns(2), templates.FORMATS, strict=True):
        # the workbook is written when the button is pressed, not on every page run
        col.download_button(f"{templates.TITLES[kind]} template (.xlsx)", partial(templates.template_workbook, kind),
                            file_name=templates.file_name(kind),
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            key=f"up_template_{kind}", on_click="ignore", icon=":material/download:")
        col.download_button(f"{templates.TITLES[kind]} template (.csv)", templates.template_csv(kind),
                            file_name=templates.file_name(kind, "csv"), mime="text/csv",
                            key=f"up_template_csv_{kind}", on_click="ignore", icon=":material/download:")

with st.expander("Template for a measures file (engagement and satisfaction)"):
    st.write("One row per measure, period (a day, an ISO week such as 2025-W03, or a month) and district (blank "
             "for force-wide), with the value and, for victim satisfaction, the number surveyed. The workbook's "
             "notes list the measures.")
    left, right = st.columns(2)
    left.download_button("Measures template (.xlsx)", templates.measures.workbook(),
                         file_name=templates.measures.file_name(),
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         key="up_template_measures", on_click="ignore", icon=":material/download:")
    right.download_button("Measures template (.csv)", templates.measures.csv_bytes(),
                          file_name=templates.measures.file_name("csv"), mime="text/csv",
                          key="up_template_csv_measures", on_click="ignore", icon=":material/download:")

names = st.columns(2)
source_name = names[0].text_input(
    "Source name for force extracts", value=FORCE_SOURCE, key="up_source",
    help="Figures from different sources are never added together: each source is shown on its own.")
police_uk_source = names[1].text_input(
    "Source name for police.uk files", value=POLICE_UK_SOURCE, key="up_source_police",
    help="A police.uk source holds one force: give another force's files (street-level and outcomes) a source "
         "name of their own.")
try:
    source_name = check_source_name(source_name, "asb")
    police_uk_source = check_source_name(police_uk_source, "police-uk")
except InputRefused as e:
    widgets.show_error(e)
uploads.purge_stale()
limit = uploads.limit_mb()
files = st.file_uploader(f"Files (CSV or Excel, up to {limit} MB each)", type=["csv", "xlsx", "xlsm", "xls", "gz"],
                         accept_multiple_files=True, key=f"up_files_{state.get('_up_round', 0)}",
                         max_upload_size=limit)
if not files:
    st.info("Drop one or more files above to check them.", icon=":material/upload_file:")
    st.stop()

checked: list[tuple[compare.Check, Path]] = []
for upload in files:
    path, sha = uploads.save(upload.name, upload.getvalue())
    tag = sha[:12]
    with st.container(border=True):
        st.header(widgets.md(upload.name))
        fmt_choice = st.selectbox("Format", list(FORMATS), format_func=FORMATS.__getitem__, key=f"up_format_{tag}",
                                  help="Detected from the column names; choose it when the names are unusual.")
        c = check(path, sha, upload.name, fmt_choice, state.get(f"up_sheet_{tag}"), state.get(f"_up_mapping_{tag}"),
                  source_name, police_uk_source)
        show_detected(c)
        if len(c.sheets) > 1:
            st.selectbox("Sheet", c.sheets, index=c.sheets.index(c.sheet) if c.sheet else 0, key=f"up_sheet_{tag}",
                         help="The sheet holding the data; the first good one is chosen.")
        if c.can_map:
            with st.expander("Column mapping", expanded=c.refusal is not None):
                changed = mapping_editor(c, tag)
            if changed is not None:
                state[f"_up_mapping_{tag}"] = changed
                st.rerun()
        show_check(c, tag)
    checked.append((c, path))

st.header("Load")
r = uploads.readiness([c for c, _ in checked])
if r.refused:
    st.error(widgets.md("Nothing can be loaded until these files are fixed or removed: " + ", ".join(r.refused)
                        + "."), icon=":material/block:")
accept = replace = False
if r.rows_with_problems and not r.refused:
    accept = st.checkbox(f"Load the valid rows only and keep the {rows_word(r.rows_with_problems)} with "
                         "problems in the rejects table (downloadable from Load history)", key="up_accept")
    if not accept:
        st.warning("Some rows have problems: correct the file and upload it again, or tick the box above to load "
                   "the valid rows only.", icon=":material/warning:")
if r.replaced_months and not r.refused and (accept or not r.rows_with_problems):
    replace = st.checkbox(f"Replace the months already loaded ({r.replaced_months}). The rows they replace stay in "
                          "the audit trail and come back if this load is rolled back.", key="up_replace")
if r.all_loaded:
    st.info("Every file is already loaded; loading adds nothing.", icon=":material/info:")

label = f"Load {len(checked)} file{'s' if len(checked) > 1 else ''}"
if st.button(label, type="primary", disabled=not r.ready(accept=accept, replace=replace), key="up_load",
             icon=":material/database_upload:"):
    bar = st.progress(0.0, text="Loading…")
    try:
        results = session.act(
            load_requests, [uploads.request(c, path) for c, path in checked], replace=replace,
            accept_valid_rows=accept, loaded_by=me.user,
            progress=lambda fraction, message: bar.progress(min(1.0, fraction), text=message), passing=(RowsRefused,),
        )
    except RowsRefused as e:  # shown with every problem, so the analyst can fix the file
        bar.empty()
        widgets.error_box(e)
        st.dataframe(compare.problems_frame(e.problems), hide_index=True, width="stretch")
        st.stop()
    bar.progress(1.0, text="Loaded")
    uploads.discard([path for _, path in checked])
    state["_up_done"] = [result.message for result in results]
    state["_up_checks"] = {}
    state["_up_round"] = state.get("_up_round", 0) + 1  # a fresh, empty uploader
    st.rerun()
