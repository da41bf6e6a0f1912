"""The pack's charts as PNG images: the screen's Plotly figures drawn by kaleido in the machine's Chromium.

kaleido (1.x) drives an installed Chrome or Chromium (Debian's /usr/bin/chromium here) and never downloads one;
MathJax is switched off, since it would be fetched from the internet and the charts use no formulas. Starting the
browser and loading plotly.js into it is most of the cost (about 2.5 s), so a pack's charts are drawn in one browser
session; a long-running process (the dashboard) can keep one browser open for every pack (keep_browser). Each image
is kept by its figure and size, so the same view's next pack reuses it.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from analytics.report.pack.model import Chart

SCALE = 2  # pixels per layout pixel: sharp on paper at the width the pack prints charts
TIMEOUT = 90  # seconds for the whole batch
_KEEP = 128
_IMAGES: OrderedDict[str, bytes] = OrderedDict()


class ChartsUnavailable(Exception):
    """The charts could not be drawn (no Chromium, or it failed): the pack says so in their place."""


def _key(chart: Chart) -> str:
    text = json.dumps([chart.figure, chart.width, chart.height], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _prepared(chart: Chart) -> dict[str, Any]:
    """The figure at the pack's size, with the page's white background (the screen's is transparent)."""
    fig = json.loads(json.dumps(chart.figure, default=str))
    layout = fig.setdefault("layout", {})
    layout.update(width=chart.width, height=chart.height, paper_bgcolor="white")
    return dict(fig)


def _opts(fig: dict[str, Any]) -> dict[str, Any]:
    return {"format": "png", "width": fig["layout"]["width"], "height": fig["layout"]["height"], "scale": SCALE}


def _kaleido() -> Any:
    import kaleido

    # one tab: a second costs more to open (about 2.4 s) than it saves on a pack's few charts
    return kaleido.Kaleido(n=1, mathjax=False, timeout=TIMEOUT)


async def _draw(figures: list[dict[str, Any]]) -> list[bytes]:
    async with _kaleido() as k:
        return [bytes(await k.calc_fig(fig, opts=_opts(fig))) for fig in figures]


class _KeptBrowser:
    """One kaleido session on an event loop of its own thread, shared by every pack of the process."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="pack-charts", daemon=True)
        self.thread.start()
        self.k = _kaleido()
        asyncio.run_coroutine_threadsafe(self.k.open(), self.loop).result(TIMEOUT)

    def draw(self, figures: list[dict[str, Any]]) -> list[bytes]:
        futures = [asyncio.run_coroutine_threadsafe(self.k.calc_fig(f, opts=_opts(f)), self.loop) for f in figures]
        return [bytes(f.result(TIMEOUT)) for f in futures]

    def close(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.k.close(), self.loop).result(TIMEOUT)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)


_kept: _KeptBrowser | None = None
_kept_lock = threading.Lock()
_keep = False
_warming = False


def _kept_browser() -> _KeptBrowser:
    global _kept
    with _kept_lock:
        if _kept is None:
            _kept = _KeptBrowser()
            atexit.register(keep_browser, False)  # the browser is a process of its own: close it on exit
        return _kept


WARM_NICE = 10  # the warm-up's priority (Linux, per thread): below the page runs and the viewer's own browser


def _warm() -> None:
    # Opening the browser costs about two CPU seconds, on the Overview's first run, when the viewer's browser is
    # drawing that page and the first start is loading the rest of the demo: at a lower priority it waits for them.
    # The browser's processes, and the thread that talks to them, keep the priority they were started with.
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARM_NICE)
    except (AttributeError, OSError):
        pass
    try:
        _kept_browser()
    except Exception:  # noqa: BLE001 - a pack will say why its charts could not be drawn
        pass


def keep_browser(keep: bool = True, *, warm: bool = False) -> None:
    """Keep one browser open for every pack this process draws (the dashboard), or close it. `warm` opens it now,
    in the background, so the first pack does not wait for it (tried once per process)."""
    global _keep, _kept, _warming
    if not keep:
        with _kept_lock:
            _keep = False
            if _kept is not None:
                _kept.close()
                _kept = None
        return
    _keep = True
    if warm and not _warming:
        _warming = True
        # kaleido's modules (Pillow among them) imported here first: two threads importing the same package at
        # once can hand one of them a module half initialised
        try:
            import kaleido  # noqa: F401
        except ImportError:  # a pack will say why its charts could not be drawn
            return
        threading.Thread(target=_warm, name="pack-charts-warm", daemon=True).start()


def _run(figures: list[dict[str, Any]]) -> list[bytes]:
    if _keep:
        browser = _kept_browser()
        try:
            return browser.draw(figures)
        except Exception:
            keep_browser(False)  # a browser that failed once is not trusted again; the next pack starts afresh
            keep_browser(True)
            raise
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_draw(figures))
    # called from inside an event loop: draw in a thread of its own
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _draw(figures)).result()


def render(charts: Sequence[Chart]) -> dict[str, bytes]:
    """{chart key: PNG bytes} for every chart; ChartsUnavailable with the reason when they cannot be drawn."""
    keys = {c.key: _key(c) for c in charts}
    todo = {keys[c.key]: c for c in charts if keys[c.key] not in _IMAGES}
    if todo:
        figures = [_prepared(c) for c in todo.values()]
        try:
            images = _run(figures)
        except Exception:  # noqa: BLE001 - once more in a fresh browser: on a busy machine plotly.js can be
            try:  # late to load in the page ("kaleido_scopes is not defined")
                images = _run(figures)
            except Exception as e:  # kaleido and choreographer raise their own classes; the pack says why
                raise ChartsUnavailable(f"{type(e).__name__}: {e}".strip()) from e
        for k, png in zip(todo, images, strict=True):
            _IMAGES[k] = png
            while len(_IMAGES) > _KEEP:
                _IMAGES.popitem(last=False)
    for k in keys.values():
        _IMAGES.move_to_end(k)
    return {key: _IMAGES[k] for key, k in keys.items()}


def clear_cache() -> None:
    """Forget kept images (the benchmark times a pack's first build with it)."""
    _IMAGES.clear()


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("Not a PNG image.")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
