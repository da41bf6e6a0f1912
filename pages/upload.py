"""Upload: files are checked, mapped, previewed and compared with what is loaded; Load stores them (analysts only).

Nothing touches the database until Load is pressed: checks run in a scratch in-memory database. Loading goes
through analytics.ingest.load.load_files, the same code path as `python -m analytics ingest`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import streamlit as st

from analytics import formatting as fmt
from analytics import store
from analytics.errors import DashboardError
from analytics.ingest import compare, templates
from analytics.ingest.load import FileRequest, RowsRefused, describe_months, load_requests
from analytics.ingest.readers import canonical_columns
from pages import common

me = common.require("upload", "Uploading files")
con = common.cursor()
state = st.session_state

FORMATS = {"auto": "Detect automatically", "police-uk": "police.uk street-level file",
           "asb": "Force ASB incident extract", "crime": "Force recorded-crime extract"}
NOT_MAPPED = "(not in this file)"
UPLOAD_DIR = Path(tempfile.gettempdir()) / "asb-dashboard-uploads"


def _limit_mb() -> int:
    """The loader's upload limit (ASB_MAX_UPLOAD_MB, default 200), also given to the uploader."""
    try:
        return int(os.environ.get("ASB_MAX_UPLOAD_MB", 200))
    except ValueError:
        return 200


STALE_SECONDS = 6 * 3600


def _purge_stale() -> None:
    """Delete uploads checked but never loaded: they may hold caller references, so they must not linger."""
    if not UPLOAD_DIR.is_dir():
        return
    cutoff = time.time() - STALE_SECONDS
    for folder in UPLOAD_DIR.iterdir():
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _saved(upload) -> tuple[Path, str]:
    """The upload written to a private temporary file (the loaders read files); returns (path, sha256)."""
    data = upload.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    folder = UPLOAD_DIR / sha[:32]
    path = folder / Path(upload.name).name
    if not path.exists():
        UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        path.write_bytes(data)
    return path, sha


def _check(path: Path, sha: str, name: str, fmt_choice: str, sheet: str | None, mapping: dict | None,
           source_name: str) -> compare.Check:
    """Check a file once per set of choices and data version (a large file takes a while to read)."""
    key = (sha, fmt_choice, sheet, tuple(sorted(mapping.items())) if mapping is not None else None, source_name,
           store.data_version(con))
    checks = state.setdefault("_up_checks", {})
    if key not in checks:
        with st.spinner(f"Checking {name}…"):
            checks[key] = compare.check_file(con, path, name=name, source_format=fmt_choice, sheet=sheet,
                                             mapping=mapping, source_name=source_name)
    return checks[key]


def _mapping_editor(check: compare.Check, tag: str) -> dict[str, str] | None:
    """Column mapping: one picker per canonical column; returns the mapping when the analyst changed it."""
    assert check.format in compare.FORCE_FORMATS
    st.markdown("**Column mapping** — which column of the file holds each of ours. "
                + ("Remembered from the last file of this source." if check.remembered else
                   "Suggested from the column names; change any that are wrong."))
    used = {canon: col for col, canon in check.mapping.items()}
    chosen: dict[str, str] = {}
    columns = st.columns(3)
    for n, (canon, required) in enumerate(canonical_columns(check.format).items()):
        options = [NOT_MAPPED, *[h for h in check.header if h.strip()]]
        current = used.get(canon, NOT_MAPPED)
        with columns[n % 3]:
            picked = st.selectbox(f"{canon}{' (required)' if required else ''}", options,
                                  index=options.index(current) if current in options else 0,
                                  key=f"up_map_{tag}_{check.format}_{canon}")
        if picked != NOT_MAPPED:
            chosen[canon] = picked
    mapping = {col: canon for canon, col in chosen.items()}
    # a suggested column the analyst unmapped is said explicitly, so the suggestion does not come back
    mapping.update({col: "" for col in check.suggestions if col not in mapping})
    effective = {c: k for c, k in mapping.items() if k}
    return mapping if effective != check.mapping else None


def _show_detected(check: compare.Check) -> None:
    what = FORMATS.get(check.format or "", "format not recognised")
    where = f", sheet **{check.sheet}**" if check.sheet else ""
    st.markdown(f"Detected: **{what}**{where}" + (f" · source **{check.source}**" if check.format else ""))


def _show_check(check: compare.Check, tag: str) -> None:
    if check.refusal:
        st.error(f"**{check.refusal.title}.** {check.refusal.message}", icon=":material/block:")
        if check.format is None and check.refusal.title == "Unknown format":
            st.caption("If this is a force extract with unusual column names, choose its format above: its columns "
                       "can then be mapped here, and the mapping is remembered for the next file.")
    if check.warnings:
        for warning in check.warnings:
            st.warning(warning, icon=":material/warning:")
    if check.comparison is None:
        return
    st.markdown(f"**{check.rows_read:,} rows read**: {check.loadable_rows:,} ready to load, "
                f"{check.rows_rejected:,} with problems.")
    if check.problems:
        st.markdown(f"**Validation report** — {len(check.problems):,} problems:")
        report = compare.problems_frame(check.problems)
        st.dataframe(report.fillna(""), hide_index=True, width="stretch", height=min(400, 38 + 35 * len(report)),
                     column_config={"row": st.column_config.NumberColumn(width="small"),
                                    "reason": st.column_config.TextColumn(width="large")})
        st.download_button("Download the validation report (CSV)", fmt.to_csv_bytes(report),
                           file_name=f"{Path(check.name).stem}-problems.csv", mime="text/csv",
                           key=f"up_report_{tag}", on_click="ignore", icon=":material/download:")
    st.markdown("**What loading it would change**")
    for sentence in check.comparison.sentences():
        st.markdown(f"- {sentence}")
    for kind, frame in check.preview.items():
        label = "ASB incidents" if kind == "asb" else "crimes"
        with st.expander(f"Preview: the first {len(frame)} {label} as they will be stored"):
            st.dataframe(frame, hide_index=True, width="stretch")


# ------------------------------------------------------------------------------------------------ the page

st.title("Upload extracts")
st.caption("Load police.uk street-level files or the force's ASB and crime extracts (CSV or Excel). Each file is "
           "checked first and nothing is stored until you press Load. Every load can be rolled back on the "
           "Load history page.")

done = state.pop("_up_done", None)
if done:
    for line in done:
        st.success(line, icon=":material/check_circle:")

with st.expander("Templates for the force extracts"):
    st.write("A workbook with the columns the loader expects, an example row and notes on each column.")
    left, right = st.columns(2)
    for col, kind in zip((left, right), templates.FORMATS, strict=True):
        col.download_button(f"{templates.TITLES[kind]} template (.xlsx)", templates.template_workbook(kind),
                            file_name=templates.file_name(kind),
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            key=f"up_template_{kind}", on_click="ignore", icon=":material/download:")

source_name = st.text_input("Source name for force extracts", value="force", key="up_source",
                               help="Figures from different sources are never added together. police.uk files "
                                    "are always source police.uk.").strip() or "force"
_purge_stale()
limit = _limit_mb()
uploads = st.file_uploader(f"Files (CSV or Excel, up to {limit} MB each)", type=["csv", "xlsx", "xlsm", "xls", "gz"],
                           accept_multiple_files=True, key=f"up_files_{state.get('_up_round', 0)}",
                           max_upload_size=limit)
if not uploads:
    st.info("Drop one or more files above to check them.", icon=":material/upload_file:")
    st.stop()

checks: list[tuple[compare.Check, Path]] = []
for upload in uploads:
    path, sha = _saved(upload)
    tag = sha[:12]
    with st.container(border=True):
        st.subheader(upload.name)
        fmt_choice = st.selectbox("Format", list(FORMATS), format_func=FORMATS.__getitem__, key=f"up_format_{tag}",
                                  help="Detected from the column names; choose it when the names are unusual.")
        sheet = state.get(f"up_sheet_{tag}")
        mapping = state.get(f"_up_mapping_{tag}")
        check = _check(path, sha, upload.name, fmt_choice, sheet, mapping, source_name)
        _show_detected(check)
        if len(check.sheets) > 1:
            st.selectbox("Sheet", check.sheets, index=check.sheets.index(check.sheet) if check.sheet else 0,
                         key=f"up_sheet_{tag}", help="The sheet holding the data; the first good one is chosen.")
        if check.can_map:
            with st.expander("Column mapping", expanded=check.refusal is not None):
                changed = _mapping_editor(check, tag)
            if changed is not None:
                state[f"_up_mapping_{tag}"] = changed
                st.rerun()
        _show_check(check, tag)
    checks.append((check, path))

# ------------------------------------------------------------------------------------------------ confirm

refused = [c.name for c, _ in checks if c.comparison is None]
with_problems = [c for c, _ in checks if c.comparison is not None and c.problems]
already = [c for c, _ in checks if c.comparison is not None and c.comparison.already_loaded_batch is not None]
replacing = [c for c, _ in checks if c.comparison is not None and c.comparison.needs_replace]

st.subheader("Load")
ready = not refused
if refused:
    st.error("Nothing can be loaded until these files are fixed or removed: " + ", ".join(refused) + ".",
             icon=":material/block:")
accept = False
if with_problems and ready:
    accept = st.checkbox(f"Load the valid rows only and keep the {sum(c.rows_rejected for c in with_problems):,} "
                         "rows with problems in the rejects table (downloadable from Load history)",
                         key="up_accept")
    if not accept:
        st.warning("Some rows have problems: correct the file and upload it again, or tick the box above to load "
                   "the valid rows only.", icon=":material/warning:")
        ready = False
replace = False
if replacing and ready:
    months = sorted({(c.kind, c.month) for check in replacing for c in check.comparison.replaced_months})
    listed = "; ".join(f"{'ASB' if k == 'asb' else 'crime'} {describe_months([m])}" for k, m in months)
    replace = st.checkbox(f"Replace the months already loaded ({listed}). The rows they replace stay in the audit "
                          "trail and come back if this load is rolled back.", key="up_replace")
    if not replace:
        ready = False
if already and len(already) == len(checks):
    st.info("Every file is already loaded; loading adds nothing.", icon=":material/info:")
    ready = False

label = f"Load {len(checks)} file{'s' if len(checks) > 1 else ''}"
if st.button(label, type="primary", disabled=not ready, key="up_load", icon=":material/database_upload:"):
    bar = st.progress(0.0, text="Loading…")
    # every file of this load in one transaction: all of them, or none
    requests = [
        FileRequest(path, check.name, check.format, None if check.format == "police-uk" else check.source,
                    check.sheet, check.mapping if check.format in compare.FORCE_FORMATS else None)
        for check, path in checks
    ]
    try:
        results = load_requests(
            con, requests, replace=replace, accept_valid_rows=accept, loaded_by=me.user,
            progress=lambda fraction, message: bar.progress(min(1.0, fraction), text=message),
        )
        lines = [r.message for r in results]
    except RowsRefused as e:
        bar.empty()
        st.error(f"**{e.title}.** {e.message}", icon=":material/block:")
        st.dataframe(compare.problems_frame(e.problems), hide_index=True, width="stretch")
        st.stop()
    except DashboardError as e:
        bar.empty()
        st.error(f"**{e.title}.** {e.message}", icon=":material/block:")
        st.stop()
    bar.progress(1.0, text="Loaded")
    for _, path in checks:
        shutil.rmtree(path.parent, ignore_errors=True)
    state["_up_done"] = lines
    state["_up_checks"] = {}
    state["_up_round"] = state.get("_up_round", 0) + 1  # a fresh, empty uploader
    st.rerun()
