"""How every page draws: headers, tiles, tables with their CSV download, charts with their text alternative, and
errors. Text from data (file, source, district, call type names) is escaped before Streamlit renders it as
markdown, so a name can never become a link or an image."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any, NoReturn

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from analytics.errors import DashboardError
from analytics.report import export
from analytics.report import formatting as fmt
from analytics.report.tiles import Tile
from analytics.views.common import Chart, Download, Header, Stat, Table, demo_loading_notice

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all also stops
# Streamlit's own :color[...] and :shortcode: directives and GFM autolinks ("www.", "http://").
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")


def md(text: object) -> str:
    """Plain text made safe to render as markdown: it shows exactly as written."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", "  \n")


def error_box(e: DashboardError, *, icon: str = ":material/block:") -> None:
    """A refusal or error in words: its title and message."""
    st.error(f"**{md(e.title)}.** {md(e.message)}", icon=icon)


def show_error(e: DashboardError, *, icon: str = ":material/block:") -> NoReturn:
    """The one way a page shows a refusal or error it cannot go on from: its title and message, then stop."""
    error_box(e, icon=icon)
    st.stop()


def page_header(h: Header, *, on_jump: object = None) -> None:
    """Plain title, the period compared, and one sentence saying what the page shows; a warning when part of the
    period cannot be compared, with a button to the latest month that can."""
    st.title(h.title)
    st.markdown(f"**{md(h.heading)}** · {md(h.where)}")
    st.caption(md(h.what))
    if h.note:
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].warning(md(h.note), icon=":material/warning:")
        if h.best_month:
            cols[1].button(f"Show {fmt.month_label(h.best_month)}", key=f"goto_{h.best_month}",
                           on_click=_set_end, args=(h.best_month,))


def _set_end(month: str) -> None:
    st.session_state["f_end"] = month


def tiles(items: list[Tile]) -> None:
    for col, tile in zip(st.columns(len(items)), items, strict=True):
        with col:
            st.metric(tile.label, tile.value, delta=tile.delta, delta_color=tile.color,  # type: ignore[arg-type]
                      delta_arrow=tile.direction, help=tile.help, border=True)  # type: ignore[arg-type]
            st.caption(md(f"◆ {tile.signal_text}" if tile.signal else tile.signal_text))
            for line in tile.lines:
                st.caption(md(line))
            if tile.control:
                st.caption(md(tile.control))


ROW_PX = 35  # st.dataframe's row (and header) height
FIT_ROWS = 30  # tables up to this many rows are shown whole; longer ones scroll, unless they end in a Total row


def table_height(t: Table, *, all_rows: bool = False) -> int | str:
    """Tall enough to show every row without an inner scroll, so a Total row is never hidden below the fold: for
    every table of up to FIT_ROWS rows, every table with a Total row, and with ``all_rows``; else 'auto'."""
    rows = len(t.shown)
    has_total = bool(rows and len(t.shown.columns)) and "Total" in map(str, t.shown.iloc[:, 0].tolist())
    if all_rows or has_total or rows <= FIT_ROWS:
        return ROW_PX * (rows + 1) + 3
    return "auto"


# the columns a reader needs first, in this order, after the table's first column (month, district, name)
FIRST_NEEDED = ("Rate per 1,000", "Solved rate", "Share of victim-based crime", "Share of households",
                "Control-chart signal", "% change", "Signal", "Recorded", "This month", "Status", "Incidents")
PHONE_WIDTH = 640  # px: Streamlit's own narrow-screen breakpoint, where columns stack
PHONE_TABLE_PX = 358  # a 390 px screen less the page's padding
CHAR_PX, CELL_PX = 6.4, 20  # a character of a table cell, and a cell's padding (Source Sans at 14 px)
RESPONSIVE_CSS = (
    f"<style>@media (max-width: {PHONE_WIDTH}px) {{ [class*='st-key-wide_'] {{ display: none !important; }} }}"
    f"@media (min-width: {PHONE_WIDTH + 1}px) {{ [class*='st-key-narrow_'] {{ display: none !important; }} }}"
    "</style>"
)


def column_px(frame: pd.DataFrame, column: str) -> float:
    """About how wide a column is drawn: its longest cell or its header."""
    cells = [len(str(v)) for v in frame[column]] if len(frame) else []
    return CELL_PX + CHAR_PX * max([len(str(column)), *cells])


def phone_columns(frame: pd.DataFrame) -> list[str]:
    """The columns a phone shows whole: the first column, then those in FIRST_NEEDED (then the rest) while they
    fit PHONE_TABLE_PX, in the table's own order."""
    columns = [str(c) for c in frame.columns]
    if not columns:
        return columns
    rest = columns[1:]
    ranked = sorted(rest, key=lambda c: (FIRST_NEEDED.index(c) if c in FIRST_NEEDED else len(FIRST_NEEDED),
                                         rest.index(c)))
    keep, used = {columns[0]}, column_px(frame, columns[0])
    for c in ranked:
        width = column_px(frame, c)
        if used + width > PHONE_TABLE_PX:
            break
        keep.add(c)
        used += width
    return [c for c in columns if c in keep]


def phone_frame(df: pd.DataFrame, few: list[str]) -> pd.DataFrame:
    """The phone's columns; a Signal column that does not fit is marked in the "% change" cell instead ("−17.1% ◆"),
    so a phone never loses a signal."""
    shown = df[few]
    if "Signal" in df.columns and "Signal" not in few and "% change" in few:
        marks = ["" if not isinstance(s, str) or not s.strip() else " ◆" for s in df["Signal"]]
        shown = shown.assign(**{"% change": [f"{c}{m}" for c, m in zip(df["% change"], marks, strict=True)]})
    return shown


def responsive() -> None:
    """Once a script run: the style that shows a table's phone version only on a narrow screen, and its full
    version only on a wider one (containers keyed wide_… and narrow_…)."""
    st.html(RESPONSIVE_CSS)


def table(t: Table, *, key: str, all_rows: bool = False) -> None:
    """A formatted table and a CSV download of the same rows with the numbers unformatted; see table_height. On a
    phone the table shows the columns a reader needs first (phone_columns), and every column under "All columns"."""
    frame(t.shown, key=key, height=table_height(t, all_rows=all_rows))
    download(t, key=f"dl_{key}")


_PER_FRAME: dict[tuple[int, str], Any] = {}


def _once(df: pd.DataFrame, what: str, make: Callable[[], Any]) -> Any:
    """make(), worked out once per frame: the frames shown are a view's, shared by every run and never changed
    (tests/test_shared_views.py), so their phone columns and Arrow form are too (a sixth of a Districts run)."""
    key = (id(df), what)
    if key not in _PER_FRAME:
        _PER_FRAME[key] = make()
        weakref.finalize(df, _PER_FRAME.pop, key, None)  # gone with the frame, before its id can be reused
    return _PER_FRAME[key]


def _arrow(df: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """The frame as st.dataframe sends it (pyarrow's conversion, as Streamlit's own); a frame pyarrow refuses goes
    to Streamlit as it is, which fixes its column types first."""
    try:
        return pa.Table.from_pandas(df)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError, TypeError):
        return df


def frame(df: pd.DataFrame, *, key: str, height: int | str = "auto", **options: Any) -> None:
    """A table that fits a phone: on a narrow screen the columns a reader needs first (phone_columns), and every
    column under "All columns"; on a wider one, the whole table."""
    columns = [str(c) for c in df.columns]
    few: list[str] = _once(df, "few", lambda: phone_columns(df))
    whole = _once(df, "arrow", lambda: _arrow(df))
    if few == columns:
        st.dataframe(whole, hide_index=True, width="stretch", height=height, **options)  # type: ignore[arg-type]
        return
    with st.container(key=f"wide_{key}"):
        st.dataframe(whole, hide_index=True, width="stretch", height=height, **options)  # type: ignore[arg-type]
    with st.container(key=f"narrow_{key}"):
        st.dataframe(_once(df, "phone", lambda: _arrow(phone_frame(df, few))), hide_index=True, width="stretch",
                     height=height, **options)  # type: ignore[arg-type]
        with st.expander(f"All columns ({', '.join(c for c in columns if c not in few)})"):
            st.dataframe(whole, hide_index=True, width="stretch", height=height, **options)  # type: ignore[arg-type]


def download(t: Table, *, key: str, label: str = "Download CSV") -> None:
    """The table's rows as a CSV file through the one export layer: numbers stay numbers, counts whole, signals
    "signal"/blank, and text that could start a formula stays text; the file name says what the file holds."""
    # the file is written when the button is pressed, not on every page run
    st.download_button(label, partial(export.csv_bytes, t.raw), file_name=t.file_name, mime="text/csv", key=key,
                       on_click="ignore", icon=":material/download:")


class _Checked(go.Figure):
    """A figure spec (analytics.report.figure_spec; the tests check every builder's against Plotly's own Figure)
    handed to Streamlit as it is: given a dict, Streamlit would build a Figure from it, checking and copying it, and
    copy it again (to_dict) before writing it out, tens of ms a page."""

    def __init__(self, spec: dict[str, object]) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict[str, object]:
        return self._spec


def figure(spec: dict[str, object]) -> go.Figure:
    # the spec belongs to a cached view shared by every run: only read here, never copied or changed
    return _Checked(spec)


def without_title(spec: dict[str, object]) -> tuple[str | None, dict[str, object]]:
    """A figure's title and the figure without it: the page writes the title above the chart as text, which wraps
    on a phone and never runs into the legend, as a title drawn inside a narrow chart does."""
    layout = spec.get("layout")
    if not isinstance(layout, dict) or not isinstance(layout.get("title"), dict):
        return None, spec
    title = layout["title"].get("text")
    if not title:
        return None, spec
    margin = layout.get("margin") if isinstance(layout.get("margin"), dict) else {}
    top = margin.get("t") if isinstance(margin.get("t"), int | float) else 70
    rest = {k: v for k, v in layout.items() if k != "title"}
    rest["margin"] = {**margin, "t": max(30, top - 40)}
    return str(title), {**spec, "layout": rest}


def plot(c: Chart, *, key: str) -> None:
    """A chart alone, with its one-line summary as its text alternative; a chart with too few points to draw is
    its sentence instead. Its title is written above it (without_title)."""
    if c.figure is None:
        st.info(md(c.summary), icon=":material/show_chart:")
        return
    title, spec = without_title(c.figure)
    if title:
        st.markdown(f"**{md(title)}**")
    st.plotly_chart(figure(spec), key=f"chart_{key}", config={"displaylogo": False}, alt=c.summary)


TABLE_AND_SUMMARY = "table_and_summary_"  # the start of a chart's expander key: open, it sends the chart's table


def chart(c: Chart, *, key: str) -> None:
    """A chart with its text alternative: the summary and the table behind it (a chart with too few points is its
    sentence and the table). The table is sent only once its expander is opened (which runs the page again): a
    closed expander's table was still drawn: the Overview's two took a fifth to a third of a second of the browser's
    time on 2 cores."""
    plot(c, key=key)
    if c.figure is None:
        if c.table is not None:
            table(c.table, key=key)
        return
    with st.expander("Table and summary", key=f"{TABLE_AND_SUMMARY}{key}", on_change="rerun") as shown:
        st.write(md(c.summary))
        if c.table is not None and shown.open:
            table(c.table, key=key)


def signal_caption() -> None:
    st.caption(md(fmt.SIGNAL_CAPTION + " ▲ rise, ▼ fall."))


def demo_banner(loaded: bool) -> None:
    if loaded:
        st.info("The database was empty, so the dashboard shows the bundled demo data, in two sources (choose one "
                "in the sidebar): "
                "**police.uk** is real police.uk street-level data for Kent (January – April 2024 and January – "
                "December 2025); **synthetic** is a generated force extract for Kent (November 2021 – December "
                "2025), labelled SYNTHETIC: not real incidents or crimes, but with the call types, outcome dates and "
                "full years a force extract has. Load the force's own extracts to replace them.",
                icon=":material/info:")


def preload_charts() -> Any:
    """An empty chart, out of sight, while the first start loads the demo: the browser fetches and runs Plotly's
    script (about 4.7 MB, loaded when a page first has a chart) while it would otherwise wait, so the Overview's
    charts are drawn as soon as they arrive. Returns the slot; its .empty() removes the chart."""
    slot = st.empty()
    with slot.container(key="preload_charts"):
        st.html("<style>.st-key-preload_charts { display: none; }</style>")
        st.plotly_chart({"data": [{"type": "scatter", "x": [0], "y": [0]}]}, key="preload_chart",
                        config={"staticPlot": True})
    return slot


def demo_loading(state: str | None) -> None:
    """While the synthetic demo source loads in the background (state "", or the error that stopped it)."""
    if state is not None:
        st.info(demo_loading_notice(md(state) if state else None), icon=":material/hourglass_top:")


def bullets(lines: list[str]) -> None:
    st.markdown("\n".join(f"- {md(s)}" for s in lines))


def stats(items: list[Stat]) -> None:
    """Headline figures with no comparison, side by side (they wrap on a phone)."""
    for col, item in zip(st.columns(len(items)), items, strict=True):
        with col:
            st.metric(item.label, item.value, help=item.help, border=True)
            if item.note:
                st.caption(md(item.note))


def download_file(d: Download, *, key: str) -> None:
    st.download_button(d.label, d.data, file_name=d.file_name, mime="text/csv", key=key, on_click="ignore",
                       icon=":material/download:")
