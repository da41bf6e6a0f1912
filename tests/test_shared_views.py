"""A page view is built once per data version and then shared by every run and session (ui.view_cache, never
copied): so no page may change a view it is handed. Every page is run, twice for each source, as an administrator
(who reaches them all), and each view a page was handed must still equal a copy taken when it was built."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.views.common import Chart
from tests.figures import _arrays
from tests.test_casework_pages import PAGES, db, downloads, signed_in  # noqa: F401  (fixtures)
from tests.test_roles import AUTH
from ui import session
from ui.navigation import SPECS

ADMIN = next(e for e, role in AUTH["roles"].items() if role == "admin")


def same(a: Any, b: Any) -> bool:
    """Equal as a page would read them: frames cell by cell with their columns, dataclasses field by field."""
    if isinstance(a, pd.DataFrame | pd.Series):
        return type(a) is type(b) and a.equals(b) and list(getattr(a, "columns", [])) == list(
            getattr(b, "columns", []))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(
            a, b, equal_nan=a.dtype.kind in "fc")
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) if not isinstance(a, float) or a == a else b != b  # NaN equals NaN here


def test_same_tells_a_changed_view_from_an_unchanged_one():
    @dataclasses.dataclass(frozen=True)
    class View:
        table: pd.DataFrame
        spec: dict[str, Any]

    built = View(pd.DataFrame({"District": ["Ashford"], "Recorded": ["54"]}), {"data": [{"y": [1.0, float("nan")]}]})
    kept = copy.deepcopy(built)
    assert same(built, kept)
    built.table.loc[0, "Recorded"] = "55"
    assert not same(built, kept)
    built = copy.deepcopy(kept)
    built.spec["data"][0]["y"].append(2.0)
    assert not same(built, kept)
    cells = View(built.table, {"z": np.array([[1.0, np.nan]])})
    kept = copy.deepcopy(cells)
    assert same(cells, kept)
    cells.spec["z"][0, 0] = 2.0
    assert not same(cells, kept)


def test_no_page_changes_a_view_it_is_handed(db, downloads, monkeypatch):  # noqa: F811
    handed: dict[int, tuple[str, Any, Any]] = {}
    real = session._cached

    def recording(version: str, key: str, build: Any, cursor: Any, args: tuple[Any, ...]) -> Any:
        result = real(version, key, build, cursor, args)
        if id(result) not in handed:  # the copy is taken before the page reads it
            handed[id(result)] = (key, result, copy.deepcopy(result))
        return result

    monkeypatch.setattr(session, "_cached", recording)
    at = signed_in(ADMIN)
    pages = [spec.file for spec in SPECS]
    for source in ("police.uk", "force"):
        at.switch_page(str(PAGES / "overview.py"))
        at.run()
        at.sidebar.selectbox(key="f_source").set_value(source)
        for _ in range(2):
            for page in pages:
                at.switch_page(str(PAGES / page))
                at.run()
                assert not at.exception, (page, [e.value for e in at.exception])
    keys = {key.split("(")[0] for key, _, _ in handed.values()}
    # the views of every kind of page were handed out (the Overview, the casework pages, the Data page ...)
    assert {"analytics.views.overview.build", "analytics.views.districts.build", "analytics.views.data.build",
            "analytics.views.callers.build"} <= keys, sorted(keys)
    changed = [key for key, result, kept in handed.values() if not same(result, kept)]
    assert not changed
    # every chart the pages were handed is plain JSON (as the pack writes it) that Plotly's Figure accepts
    figures = [c.figure for _, result, _ in handed.values() for c in _charts(result) if c.figure is not None]
    assert {t["type"] for f in figures for t in f["data"]} >= {"scatter", "bar", "heatmap", "choroplethmap"}
    for figure in figures:
        json.dumps(figure)
        go.Figure(_arrays(figure))


def _charts(value: Any) -> list[Chart]:
    if isinstance(value, Chart):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [c for f in dataclasses.fields(value) for c in _charts(getattr(value, f.name))]
    if isinstance(value, list | tuple):
        return [c for v in value for c in _charts(v)]
    if isinstance(value, dict):
        return [c for v in value.values() for c in _charts(v)]
    return []


def test_a_view_s_table_is_turned_into_arrow_once_as_streamlit_would_and_let_go_with_it():
    import gc

    import pyarrow as pa
    from streamlit import dataframe_util

    from ui import widgets

    made: list[str] = []

    def arrow_of(df: pd.DataFrame) -> object:
        return widgets._once(df, "arrow", lambda: made.append("arrow") or widgets._arrow(df))

    shown = pd.DataFrame({"District": ["Ashford", "Medway"], "Recorded": ["54", "1,020"], "% change": ["+28.6%", "n/a"],
                          "Rate per 1,000": [1.5, float("nan")]})
    first = arrow_of(shown)
    assert arrow_of(shown) is first and made == ["arrow"]
    assert isinstance(first, pa.Table)
    assert dataframe_util.convert_arrow_table_to_arrow_bytes(first) == \
        dataframe_util.convert_pandas_df_to_arrow_bytes(shown)
    kept = len(widgets._PER_FRAME)
    del shown, first
    gc.collect()
    assert len(widgets._PER_FRAME) == kept - 1  # gone with its frame
    # a frame pyarrow cannot convert goes to Streamlit as it is, which fixes its column types first
    mixed = pd.DataFrame({"value": [1, "one"]}, dtype=object)
    assert widgets._arrow(mixed) is mixed
