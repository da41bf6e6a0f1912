"""Chart builders' figures read through Plotly's own Figure, which checks every property."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from analytics.report.figure_spec import FigureSpec


def plotly_figure(spec: FigureSpec) -> go.Figure:
    """The spec as a go.Figure (a property Plotly does not know, or a value it refuses, raises ValueError), after
    checking that the JSON the browser is sent is what Plotly itself makes of the same figure."""
    sent = spec.to_dict()
    json.dumps(sent)  # plain JSON, as the pack writes it: a numpy number would need Plotly's encoder
    figure = go.Figure(_arrays(sent))
    ours, plotlys = _plain(json.loads(pio.to_json(sent, validate=False))), _plain(json.loads(figure.to_json()))
    assert ours == plotlys, _first_difference(ours, plotlys)
    return figure


def _arrays(value: Any) -> Any:
    """The figure with its typed arrays as numpy arrays, as a test reads them (heat.z[0])."""
    if isinstance(value, dict):
        if {"dtype", "bdata"} <= set(value):
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<"))
            return array.reshape([int(n) for n in value["shape"].split(",")]) if "shape" in value else array
        return {k: _arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_arrays(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """JSON with plotly.js's typed arrays read back as lists (Plotly writes arrays so; a list is the same figure)."""
    if isinstance(value, dict):
        if {"dtype", "bdata"} <= set(value):
            return _plain(_arrays(value).tolist())
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None  # NaN: a gap, as JSON's null
    return value


def _first_difference(ours: Any, plotlys: Any, path: str = "figure") -> str:
    if isinstance(ours, dict) and isinstance(plotlys, dict):
        for key in sorted(set(ours) | set(plotlys)):
            if key not in ours or key not in plotlys:
                return f"{path}.{key}: ours {str(ours.get(key))[:200]}, Plotly's {str(plotlys.get(key))[:200]}"
            if ours[key] != plotlys[key]:
                return _first_difference(ours[key], plotlys[key], f"{path}.{key}")
    if isinstance(ours, list) and isinstance(plotlys, list) and len(ours) == len(plotlys):
        for i, (a, b) in enumerate(zip(ours, plotlys, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
    return f"{path}: ours {str(ours)[:200]}, Plotly's {str(plotlys)[:200]}"
