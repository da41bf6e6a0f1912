"""Shared pieces of the real-browser tests: a `streamlit run dashboard.py` server and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "out"
CHROMIUM = "/usr/bin/chromium"
# The machine's network is closed: without these flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


def wait_for_whole_demo(db: Path, timeout: float = 240) -> None:
    """Wait until the copy readers get holds the whole demo: the first start publishes the police.uk files first and
    the synthetic source when its background load is done."""
    from analytics import publish
    from analytics.ingest.demo import demo_pending

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        copy = publish.current(db)
        con = publish.open_copy(copy) if copy is not None else None
        if con is not None:
            try:
                if not demo_pending(con):
                    return
            finally:
                con.close()
        time.sleep(0.2)
    raise TimeoutError("the first start's background load did not publish")


@contextmanager
def streamlit_server(db: Path, log_path: Path, *, address: str = "127.0.0.1",
                     extra: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run dashboard.py` on database `db`, listening on `address`, with `extra` options; yields (url,
    process) and stops it afterwards."""
    port = _free_port()
    with open(log_path, "w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", address, "--browser.gatherUsageStats", "false",
             *extra],
            cwd=ROOT, env={**os.environ, "ASB_DB": str(db)}, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.seek(0)
            print(log.read()[-4000:])


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def settle(page) -> None:
    """Wait until the script run is over: Streamlit's running indicator goes away."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(600)


def screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its main section, so the viewport is made as tall as the content for the shot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        "() => Math.max(...['[data-testid=\"stMain\"]', '[data-testid=\"stAppViewContainer\"]']"
        ".map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight), 768)"
    )
    page.set_viewport_size({"width": 1366, "height": int(height)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
