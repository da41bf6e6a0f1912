"""The layers' import rules (docs/ARCHITECTURE.md), read from the source with ast: a module that breaks one fails
here, naming the module and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# layer -> the analytics layers it may import (besides itself, analytics.errors and the standard library)
MAY_IMPORT = {
    "analytics.domain": set(),
    "analytics.store": {"analytics.domain"},
    "analytics.publish": {"analytics.domain", "analytics.store"},
    "analytics.interventions": {"analytics.domain", "analytics.store"},
    "analytics.figures": {"analytics.domain", "analytics.store", "analytics.interventions"},
    "analytics.casework": {"analytics.domain", "analytics.store"},
    "analytics.measures": {"analytics.domain", "analytics.store", "analytics.figures"},
    # the synthetic demo seeds the case review register from its own repeat callers
    # (and its command-line subcommands write through analytics.publish)
    "analytics.ingest": {"analytics.domain", "analytics.store", "analytics.publish", "analytics.report",
                         "analytics.casework", "analytics.measures"},
    "analytics.report": {"analytics.domain", "analytics.store", "analytics.figures", "analytics.interventions",
                         "analytics.measures"},
    "analytics.views": {"analytics.domain", "analytics.store", "analytics.figures", "analytics.report",
                        "analytics.ingest", "analytics.interventions", "analytics.casework", "analytics.measures"},
}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"{node.module}.{a.name}" for a in node.names]
    return found


def _layer(name: str) -> str | None:
    for layer in MAY_IMPORT:
        if name == layer or name.startswith(layer + "."):
            return layer
    return None


ANALYTICS = sorted((ROOT / "analytics").rglob("*.py"))
PAGES = sorted((ROOT / "ui" / "pages").glob("*.py"))


@pytest.mark.parametrize("path", ANALYTICS, ids=lambda p: str(p.relative_to(ROOT)))
def test_analytics_never_imports_streamlit_or_the_ui(path):
    bad = [i for i in _imports(path) if i.split(".")[0] in {"streamlit", "ui", "plotly_express"}]
    assert not bad, f"{_module(path)} imports {bad}"


@pytest.mark.parametrize("path", ANALYTICS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_layer_imports_only_the_layers_below_it(path):
    layer = _layer(_module(path))
    if layer is None:  # analytics.cli and analytics.errors may import any layer
        return
    allowed = MAY_IMPORT[layer] | {layer}
    bad = [i for i in _imports(path) if i.startswith("analytics.") and _layer(i) not in allowed | {None}]
    assert not bad, f"{_module(path)} ({layer}) imports {bad}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_only_lay_out(path):
    imports = _imports(path)
    bad = [i for i in imports if i.split(".")[0] == "duckdb" or i.startswith(("analytics.store", "analytics.figures"))]
    assert not bad, f"{path.name} imports {bad}: a page draws a view from analytics.views"


def test_the_page_folder_is_not_beside_the_entry_script():
    # Streamlit serves a folder named pages/ beside the entry script by URL, ungated
    assert not (ROOT / "pages").exists()


def test_the_rules_see_every_layer():
    layers = {_layer(_module(p)) for p in ANALYTICS}
    assert set(MAY_IMPORT) <= layers, set(MAY_IMPORT) - layers
    assert len(PAGES) >= 8
