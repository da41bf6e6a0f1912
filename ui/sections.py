"""Drawing the sections several pages share (analytics.views.sections)."""

from __future__ import annotations

import streamlit as st

from analytics.report.pack import files, images
from analytics.views import pack
from analytics.views.common import Selection
from analytics.views.sections import Breakdown, Comparison, Rolling, Years
from ui import session, widgets


def comparison(c: Comparison, title: str, *, key: str) -> None:
    """A measure's report table beside its bars, and the signal caption. Bars of fewer than three months are not
    drawn: the sentence above the table already says what they would."""
    if c.bars.figure is None:
        st.header(title)
        st.write(widgets.md(c.sentence))
        widgets.table(c.table, key=f"{key}_table")
        widgets.signal_caption()
        return
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.header(title)
        st.write(widgets.md(c.sentence))
        widgets.table(c.table, key=f"{key}_table")
    with right:
        widgets.plot(c.bars, key=f"{key}_bars")
    widgets.signal_caption()


def breakdown(b: Breakdown, *, key: str, caption: str | None = None) -> None:
    if b.chart is not None:
        widgets.chart(b.chart, key=key)
        if caption:
            st.caption(caption)
        return
    st.info(widgets.md(b.message or ""))
    if b.table is not None:
        widgets.table(b.table, key=key)


def rolling(r: Rolling, *, key: str) -> None:
    st.header("Rolling 12 months")
    if r.chart is None:
        st.info(widgets.md(r.sentence))
        return
    widgets.chart(r.chart, key=key)
    st.caption("Each point is the total of the 12 months ending that month; the dotted line is the 12 months "
               "before.")


def years(y: Years, *, key: str) -> None:
    st.header("Calendar and financial years")
    st.caption("Each year's months against the same months a year before; a part year is compared like with like.")
    widgets.table(y.calendar, key=f"{key}_calendar")
    widgets.table(y.financial, key=f"{key}_financial")


def pack_downloads(sel: Selection) -> None:
    """Download buttons for the performance pack of this view; each file is built when its button is pressed."""
    # one browser, opened ahead, draws every pack's charts in this process; not while the first start is still
    # loading the demo (a run after it has loaded opens it), when it would take CPU from the load and the page
    images.keep_browser(warm=session.current().demo_loading is None)
    for col, choice in zip(st.columns(len(pack.CHOICES)), pack.CHOICES, strict=True):
        with col:
            st.download_button(choice.label, session.deferred(pack.build, sel, choice),
                               file_name=pack.file_name(sel, choice), mime=files.FORMATS[choice.kind],
                               key=f"pack_{choice.kind}_{'public' if choice.public else 'internal'}",
                               help=choice.help, on_click="ignore", icon=":material/download:", width="stretch")
