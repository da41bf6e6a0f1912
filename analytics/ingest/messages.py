"""Text from files put into messages and warnings: always cut short, so a 1 MB value never becomes a 1 MB message
(stored in batches.warnings, shown on every page that lists them)."""

from __future__ import annotations

CLIP = 80  # characters of a value shown in a message


def clip(value: object, limit: int = CLIP) -> str:
    """``value`` as text of at most ``limit`` characters, an ellipsis marking a cut."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rows_word(n: int) -> str:
    """'1 row', '2 rows'."""
    return f"{n:,} {'row' if n == 1 else 'rows'}"
