"""bench/viewers.py against a real `streamlit run dashboard.py` on one month of Kent data: simulated viewers speak
the websocket protocol, every page named is run without errors, and a page the navigation lacks is counted as an
error, not hidden."""

from __future__ import annotations

import asyncio
import importlib.util
import sys

import pytest

from analytics import store
from analytics.ingest.load import load_files
from tests.kent import JAN_2025, ROOT

PAGES = ["overview", "asb", "crime", "districts", "data"]


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_viewers", ROOT / "bench" / "viewers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


viewers = _load_bench()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("viewers")
    db = folder / "asb.duckdb"
    con = store.connect(db)
    load_files(con, [JAN_2025], loaded_by="seed")  # so the demo is not loaded
    con.close()
    with viewers.serve(db, log=folder / "streamlit.log") as running:
        yield running


def test_two_viewers_run_every_page_named_without_errors(server):
    warm, pages, unknown = asyncio.run(viewers.warm_up(server.url, PAGES))
    assert unknown == []
    assert [p.key for p in pages] == PAGES
    assert all(p.script_hash for p in pages)  # found in the navigation the server sent
    assert warm.first_run.error is None
    assert {r.page: r.error for r in warm.tour} == dict.fromkeys(PAGES)

    level = asyncio.run(viewers.run_level(server.url, 2, pages, interval=0.25, duration=5,
                                          server_pid=server.process.pid))
    summary = level.summary(pages)
    assert summary["errors"] == 0, summary["error_kinds"]
    assert summary["runs"] > 0
    assert {name: t["runs"] > 0 for name, t in summary["pages"].items()} == dict.fromkeys(PAGES, True)
    assert summary["runs"] == sum(t["runs"] for t in summary["pages"].values())
    assert len(level.warmup) == 2 and all(r.error is None for r in level.warmup)
    assert summary["server_cpu_cores"] is not None and summary["server_cpu_cores"] > 0


def test_a_page_not_in_the_navigation_is_counted_as_an_error(server):
    _, pages, unknown = asyncio.run(viewers.warm_up(server.url, ["overview", "no-such-page"]))
    assert unknown == ["no-such-page"]
    level = asyncio.run(viewers.run_level(server.url, 1, pages, interval=0.25, duration=2))
    summary = level.summary(pages)
    bad = summary["pages"]["no-such-page"]
    assert bad["runs"] > 0
    assert bad["errors"] == bad["runs"]
    assert summary["pages"]["overview"]["errors"] == 0
    assert summary["errors"] == bad["errors"]
    assert summary["error_kinds"] == {"no-such-page: page not found": bad["errors"]}
