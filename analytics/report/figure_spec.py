"""A Plotly figure built as the plain dict plotly.js reads, with the few figure methods the chart builders use.

Plotly's Figure checks every property as it is set and copies the whole figure each time it is read back (to_dict,
update_layout): that was half or more of building a page's views, and the figures are written once and read only
as JSON. A FigureSpec follows Plotly's rules for what it is given — a dict merges into a dict, `a_b=v` is
`a=dict(b=v)`, a title given as text is `title=dict(text=...)`, None leaves a property unset — so `to_dict()` is
what `go.Figure(...).to_dict()` would give. tests/figures.py checks every builder's figure against Plotly's own.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.colors
import plotly.io as pio

# every Plotly property whose name holds an underscore (plotly 7): not split into a nested property
WHOLE_NAMES = frozenset({"copy_ystyle", "copy_zstyle", "error_x", "error_y", "error_z", "paper_bgcolor",
                         "plot_bgcolor"})
# properties whose value is data (a GeoJSON), not more properties: kept as given
DATA_VALUES = frozenset({"geojson"})


class FigureSpec:
    """A figure's traces and layout as plain dicts."""

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}

    def add_trace(self, kind: str, **props: Any) -> FigureSpec:
        self.data.append({"type": kind, **clean(props)})
        return self

    def add_scatter(self, **props: Any) -> FigureSpec:
        return self.add_trace("scatter", **props)

    def add_bar(self, **props: Any) -> FigureSpec:
        return self.add_trace("bar", **props)

    def add_heatmap(self, **props: Any) -> FigureSpec:
        return self.add_trace("heatmap", **props)

    def add_choroplethmap(self, **props: Any) -> FigureSpec:
        return self.add_trace("choroplethmap", **props)

    def add_shape(self, **props: Any) -> FigureSpec:
        self.layout.setdefault("shapes", []).append(clean(props))
        return self

    def add_annotation(self, **props: Any) -> FigureSpec:
        self.layout.setdefault("annotations", []).append(clean(props))
        return self

    def add_hline(self, y: float, *, line: Mapping[str, Any], annotation_text: str | None = None) -> FigureSpec:
        """A line across the plot at y, its text above its left end (Plotly's add_hline, position "top left")."""
        self.add_shape(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, line=line)
        if annotation_text is not None:
            self.add_annotation(text=annotation_text, xref="x domain", x=0, yref="y", y=y, xanchor="left",
                                yanchor="bottom", showarrow=False)
        return self

    def update_layout(self, **props: Any) -> FigureSpec:
        merge(self.layout, expand(props))
        return self

    def update_xaxes(self, **props: Any) -> FigureSpec:
        return self.update_layout(xaxis=props)

    def update_yaxes(self, **props: Any) -> FigureSpec:
        return self.update_layout(yaxis=props)

    def to_dict(self) -> dict[str, Any]:
        """The figure as plotly.js reads it, with the default template as Plotly's Figure sets it (Streamlit's
        theme is such a template). Shares its values with this FigureSpec: read it, never change it."""
        return {"data": self.data, "layout": {**self.layout, "template": default_template()}}


def expand(props: Mapping[str, Any]) -> dict[str, Any]:
    """Plotly's shorthand spelled out: `marker_line_color=c` is marker={line={color=c}}, a title given as text is
    {text: ...}. Dicts are copied (a shared constant such as a font is never changed by a later update); None
    values stay, for merge to read as "unset"."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        path = [key] if key in WHOLE_NAMES or "_" not in key else key.split("_")
        if isinstance(value, Mapping) and key not in DATA_VALUES:
            value = expand(value)
        elif path[-1] == "title" and isinstance(value, str):
            value = {"text": value}
        at = out
        for part in path[:-1]:
            if not isinstance(at.get(part), dict):
                at[part] = {}
            at = at[part]
        if isinstance(value, dict) and isinstance(at.get(path[-1]), dict):
            _combine(at[path[-1]], value)
        else:
            at[path[-1]] = value
    return out


def _combine(into: dict[str, Any], props: dict[str, Any]) -> None:
    # two spellings of one property in one call (yaxis=dict(...), yaxis_title=...): both kept, None too
    for key, value in props.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _combine(into[key], value)
        else:
            into[key] = value


def clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """New properties: spelled out (expand), with the ones given as None left out."""
    return _without_none(expand(props))


def _without_none(props: dict[str, Any]) -> dict[str, Any]:
    return {k: _without_none(v) if isinstance(v, dict) and k not in DATA_VALUES else v
            for k, v in props.items() if v is not None}


def merge(into: dict[str, Any], props: Mapping[str, Any]) -> None:
    """Plotly's update rule: a dict merges into a dict, None unsets, anything else replaces."""
    for key, value in props.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value)
        elif isinstance(value, Mapping):
            into[key] = _without_none(dict(value))
        else:
            into[key] = value


def colorscale(name: str) -> list[list[Any]]:
    """A named Plotly colour scale as the list of [position, colour] pairs plotly.js reads ("RdBu_r" is Plotly's
    own name: plotly.js does not know it)."""
    colours = [colour for _, colour in plotly.colors.get_colorscale(name)]
    # evenly spaced, as Plotly spaces a named scale
    return [[i / (len(colours) - 1), colour] for i, colour in enumerate(colours)]


def typed_array(values: np.ndarray) -> dict[str, str]:
    """A float array as plotly.js's typed array (base64 of its 8-byte floats, NaN a gap), as Plotly writes one:
    a tenth of the size of its numbers written out."""
    array = np.ascontiguousarray(values, dtype="<f8")
    spec = {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in array.shape)
    return spec


def default_template() -> dict[str, Any]:
    return _template(str(pio.templates.default))


@lru_cache(maxsize=4)
def _template(name: str) -> dict[str, Any]:
    # the template a new go.Figure() sets; Streamlit registers its own theme as the default on import
    template: dict[str, Any] = pio.templates[name].to_plotly_json()
    return template
