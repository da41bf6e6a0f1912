"""Shared page furniture: the cached connection, cached analytics calls, the sidebar filters, and the way every
chart and table is shown (with its text alternative and a CSV download).

Pages hold no SQL and reshape nothing: each figure is one call to an analytics function through `fetch`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import access, metrics, overview, store
from analytics import formatting as fmt
from analytics.errors import DashboardError
from analytics.periods import Period, make_period

PERIODS = {"1m": "1 month", "3m": "3 months", "12m": "12 months", "fytd": "Financial year to date"}
ALL_DISTRICTS = "All Kent"


def _commentary(con: duckdb.DuckDBPyConnection, **kwargs: Any) -> list[str]:
    from analytics.narrative import commentary
    from analytics.summary import build_summary

    return commentary(build_summary(con, **kwargs))


# The analytics functions pages may call: name -> function(con, **kwargs)
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sources": store.sources,
    "comparison": metrics.comparison,
    "solved_rate": metrics.solved_rate,
    "outcome_breakdown": metrics.outcome_breakdown,
    "breakdown": metrics.breakdown,
    "monthly_series": metrics.monthly_series,
    "rolling_12": metrics.rolling_12,
    "solved_rate_series": metrics.solved_rate_series,
    "rates_per_1000": metrics.rates_per_1000,
    "coverage": metrics.coverage,
    "quality_flags": metrics.quality_flags,
    "district_names": metrics.district_names,
    "headline_tiles": overview.headline_tiles,
    "end_month_options": overview.end_month_options,
    "default_end_month": overview.default_end_month,
    "freshness": overview.freshness,
    "comparable_end_month": overview.comparable_end_month,
    "comparison_note": overview.comparison_note,
    "batch_history": overview.batch_history,
    "commentary": _commentary,
}


def _secrets() -> dict[str, Any]:
    """The [auth] and [roles] sections of .streamlit/secrets.toml; nothing when there is no secrets file."""
    try:
        return {k: st.secrets[k] for k in ("auth", "roles") if k in st.secrets}
    except FileNotFoundError:  # no secrets.toml at all: local mode
        return {}


def identity() -> access.Identity:
    """Who is using the dashboard and their role (rules in analytics/access.py)."""
    return access.identify(_secrets(), st.user.to_dict())


def sign_in_gate() -> access.Identity:
    """Sign-in when [auth] is configured; in local mode, serve localhost only and say who the user is."""
    me = identity()
    if me.mode == access.SIGNED_OUT:
        st.title("ASB & crime performance")
        st.write("Sign in with your force account to see the dashboard.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    if me.mode == access.LOCAL:
        problem = access.local_mode_problem(st.get_option("server.address"))
        if problem:
            st.error(f"**Not serving on the network without sign-in.** {problem}")
            st.stop()
    with st.sidebar:
        if me.mode == access.LOCAL:
            st.info(access.local_banner(me), icon=":material/person:")
        else:
            st.caption(f"Signed in as {me.label}")
            st.button("Sign out", on_click=st.logout, key="sign_out")
    return me


def require(permission: str, what: str) -> access.Identity:
    """Stop the page with a refusal unless the user holds ``permission`` (a viewer reaching an analyst page)."""
    me = identity()
    try:
        access.require(me, permission, what)
    except access.AccessRefused as e:
        st.error(f"**{e.title}.** {e.message}", icon=":material/lock:")
        st.stop()
    return me


def cursor() -> duckdb.DuckDBPyConnection:
    """This script run's cursor on the database, for the pages that load and roll back."""
    return _run().cursor


@st.cache_resource(show_spinner="Opening the database (the first start loads the demo data)…")
def _connection(path: str) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """One connection per process; on a database that has never had a load, the bundled demo is loaded."""
    con = store.connect(path)
    try:
        from analytics.ingest.demo import ensure_demo
    except ImportError:  # a build without the loader still shows whatever the file holds
        return con, False
    return con, ensure_demo(con)


@dataclass
class Run:
    cursor: duckdb.DuckDBPyConnection
    version: str
    demo_loaded: bool


def start() -> Run:
    """Open (or reuse) the connection and give this script run its own cursor and the data version."""
    try:
        path = str(store.resolve_db_path())
        con, demo_loaded = _connection(path)
        cursor = con.cursor()
        # the path is part of the cache key so two database files never share cached figures
        run = Run(cursor, f"{path}:{store.data_version(cursor)}", demo_loaded)
    except DashboardError as e:
        st.error(f"**{e.title}.** {e.message}")
        st.stop()
    st.session_state["_run"] = run
    return run


def _run() -> Run:
    run = st.session_state.get("_run")
    return run if run is not None else start()


def _key(value: Any) -> Any:
    if isinstance(value, Period):
        return ("period", value.end, value.kind)
    if isinstance(value, list | tuple):
        return tuple(_key(v) for v in value)
    return value


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(version: str, name: str, key: tuple, _cursor: duckdb.DuckDBPyConnection, _kwargs: dict) -> Any:
    # `version` changes after every load, so a new load never shows stale figures
    return FUNCTIONS[name](_cursor, **_kwargs)


def fetch(name: str, **kwargs: Any) -> Any:
    """The result of analytics function `name`, cached per data version; DashboardError shown as an error."""
    run = _run()
    key = tuple(sorted((k, _key(v)) for k, v in kwargs.items()))
    try:
        return _cached(run.version, name, key, run.cursor, kwargs)
    except DashboardError as e:
        st.error(f"**{e.title}.** {e.message}")
        st.stop()


# ------------------------------------------------------------------------------------------------ filters


@dataclass(frozen=True)
class Filters:
    source: str
    end: str
    kind: str
    period: Period
    district: str | None  # None for the whole force

    @property
    def area(self) -> str:
        return self.district or "Kent"


def sidebar() -> Filters:
    """The sidebar filters; their state lives in st.session_state so it survives page switches."""
    sources = fetch("sources")
    if not sources:
        st.title("ASB & crime performance")
        st.info("No data is loaded yet. An analyst can load police.uk files or force extracts "
                "(`python -m analytics ingest FILE`, or the Upload page).")
        st.stop()
    state = st.session_state
    with st.sidebar:
        st.markdown("### Show figures for")
        if state.get("f_source") not in sources:
            state["f_source"] = sources[0]
        if len(sources) > 1:
            source = st.selectbox("Source", sources, key="f_source",
                                  help="Figures from different sources are never added together.")
        else:
            source = sources[0]
        months = fetch("end_month_options", source=source)
        if state.get("f_end") not in months:
            state["f_end"] = fetch("default_end_month", source=source)
        end = st.selectbox("Period ending", months, key="f_end", format_func=fmt.month_label,
                           help="The default is the latest complete month loaded that can be compared with a "
                                "year earlier.")
        if state.get("f_kind") not in PERIODS:
            state["f_kind"] = "3m"
        kind = st.radio("Period", list(PERIODS), key="f_kind", format_func=PERIODS.__getitem__)
        districts = [ALL_DISTRICTS, *fetch("district_names")]
        if state.get("f_district") not in districts:
            state["f_district"] = ALL_DISTRICTS
        district = st.selectbox("District", districts, key="f_district")
    filters = Filters(source, end, kind, make_period(end, kind), None if district == ALL_DISTRICTS else district)
    state["filters"] = filters
    return filters


def filters() -> Filters:
    found = st.session_state.get("filters")
    return found if found is not None else sidebar()


# ------------------------------------------------------------------------------------------------ layout


def page_header(title: str, what: str, f: Filters) -> None:
    """Plain title, the period compared, and one sentence saying what the page shows."""
    st.title(title)
    where = f"{f.area}, {f.source} data"
    st.markdown(f"**{fmt.period_heading(f.period.label)}** · {where}")
    st.caption(what)
    note = fetch("comparison_note", period=f.period, source=f.source)
    if note:
        best = fetch("comparable_end_month", source=f.source)
        if best and best != f.end:
            note += f" The latest month that can be compared is {fmt.month_label(best)}."
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].warning(note, icon=":material/warning:")
        if best and best != f.end:
            cols[1].button(f"Show {fmt.month_label(best)}", key=f"goto_{best}", on_click=_set_end, args=(best,))


def _set_end(month: str) -> None:
    st.session_state["f_end"] = month


def tiles(items: list[overview.Tile]) -> None:
    for col, tile in zip(st.columns(len(items)), items, strict=True):
        with col:
            st.metric(tile.label, tile.value, delta=tile.delta, delta_color=tile.color, delta_arrow=tile.direction,
                      help=tile.help, border=True)
            st.caption(f"◆ {tile.signal_text}" if tile.signal else tile.signal_text)


def table(shown: pd.DataFrame, raw: pd.DataFrame, *, key: str, file_name: str, all_rows: bool = False) -> None:
    """A formatted table and a CSV download of the same rows with the numbers unformatted.

    all_rows: tall enough to show every row without scrolling (the 13 districts)."""
    height = 35 * (len(shown) + 1) + 3 if all_rows else "auto"
    st.dataframe(shown, hide_index=True, width="stretch", height=height)
    st.download_button("Download CSV", fmt.to_csv_bytes(raw), file_name=f"{file_name}.csv", mime="text/csv",
                       key=f"dl_{key}", on_click="ignore", icon=":material/download:")


@st.cache_data(show_spinner=False, max_entries=500)
def _figure_spec(name: str, args: tuple, kwargs: dict) -> dict:
    # Building a Plotly figure validates every property (tens of ms); the finished spec is kept instead
    from analytics import charts

    return getattr(charts, name)(*args, **kwargs).to_dict()


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """builder(*args, **kwargs) from analytics.charts, cached on its arguments (the frames it draws)."""
    return go.Figure(_figure_spec(builder.__name__, args, kwargs), _validate=False)


def chart(fig: go.Figure, *, key: str, summary: str, shown: pd.DataFrame | None = None,
          raw: pd.DataFrame | None = None, file_name: str | None = None) -> None:
    """A chart with its text alternative: a one-line summary and the table behind it."""
    st.plotly_chart(fig, key=f"chart_{key}", config={"displaylogo": False}, alt=summary)
    with st.expander("Table and summary"):
        st.write(summary)
        if shown is not None:
            table(shown, raw if raw is not None else shown, key=key, file_name=file_name or key)


def signal_caption() -> None:
    st.caption(fmt.SIGNAL_CAPTION + " ▲ rise, ▼ fall.")


def demo_banner() -> None:
    if _run().demo_loaded:
        st.info("The database was empty, so the bundled demo data was loaded: real police.uk street-level data "
                "for Kent (January – April 2024 and January – December 2025). Load the force's own extracts to "
                "replace it.", icon=":material/info:")
