"""assert_same: equality of large values (whole database snapshots) that fails with a short explanation.

A failed `assert a == b` makes pytest pretty-print both sides and run difflib.ndiff over them, in full when the
environment sets CI (a plugin's own explanation does not stop it). For two snapshots of 200,000 rows that takes hours,
so one failing assertion looks like a hung run. assert_same names what differs instead: keys on one side only, lengths,
and the first differing element, followed down nested values (of two files' bytes, the first byte that differs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any

import pytest

SHOWN = 5  # differing keys shown at each level
WIDTH = 240  # characters of one value's repr


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= WIDTH else text[:WIDTH] + f"... ({len(text):,} characters)"


def difference(left: Any, right: Any, where: str = "", depth: int = 0) -> list[str]:
    """Lines saying where `left` and `right` differ, indented by nesting."""
    pad = "  " * depth + (f"{where} " if where else "")
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        lines = []
        only_left = [k for k in left if k not in right]
        only_right = [k for k in right if k not in left]
        if only_left:
            lines.append(f"{pad}keys only on the left: {_short(only_left[:SHOWN])}")
        if only_right:
            lines.append(f"{pad}keys only on the right: {_short(only_right[:SHOWN])}")
        differing = [k for k in left if k in right and left[k] != right[k]]
        for key in differing[:SHOWN]:
            lines += difference(left[key], right[key], f"{where}[{key!r}]", depth + 1)
        if len(differing) > SHOWN:
            lines.append(f"{pad}... and {len(differing) - SHOWN} more differing keys")
        return lines or [f"{pad}equal keys and values but not equal"]
    if isinstance(left, Sequence) and isinstance(right, Sequence) and not isinstance(left, str):
        lines = [f"{pad}lengths {len(left):,} and {len(right):,}"] if len(left) != len(right) else []
        first = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), None)
        if first is not None:
            lines.append(f"{pad}first differs at index {first:,}:")
            lines += difference(left[first], right[first], f"{where}[{first}]", depth + 1)
        elif len(left) != len(right):
            longer, side = (left, "left") if len(left) > len(right) else (right, "right")
            lines.append(f"{pad}the {side} goes on with {_short(longer[min(len(left), len(right))])}")
        return lines
    if isinstance(left, Set) and isinstance(right, Set):
        return [f"{pad}only on the left: {len(left - right):,}, e.g. {_short(list(left - right)[:SHOWN])}",
                f"{pad}only on the right: {len(right - left):,}, e.g. {_short(list(right - left)[:SHOWN])}"]
    return [f"{pad}left:  {_short(left)}", f"{pad}right: {_short(right)}"]


def assert_same(left: Any, right: Any, what: str = "") -> None:
    """Fail, saying where they differ, unless `left == right`; `what` names the values in the message."""
    if left != right:
        pytest.fail("\n".join([f"{what or 'values'} not the same:", *difference(left, right)]))
