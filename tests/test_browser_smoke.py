"""Real-browser smoke test: `streamlit run dashboard.py` on an empty database (the first start loads the demo),
every page opened in headless Chromium at 1366x768, charts drawn, no exception, a full-page screenshot each."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "out"
CHROMIUM = "/usr/bin/chromium"
PAGES = {"overview": "", "asb": "asb", "crime": "crime", "districts": "districts", "data": "data"}
TITLES = {"overview": "Overview", "asb": "Anti-social behaviour", "crime": "Crime & outcomes",
          "districts": "Districts", "data": "Data"}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")


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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = {**os.environ, "ASB_DB": str(folder / "asb.duckdb")}
    log = open(folder / "streamlit.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        print(log.read()[-4000:])
        log.close()


def _full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its main section, so the viewport is made as tall as the content for the shot."""
    height = page.evaluate(
        "() => Math.max(...['[data-testid=\"stMain\"]', '[data-testid=\"stAppViewContainer\"]']"
        ".map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight), 768)"
    )
    page.set_viewport_size({"width": 1366, "height": int(height)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_every_page_renders_in_chromium(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    OUT.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda e: errors.append(str(e)))
            for i, (name, path) in enumerate(PAGES.items()):
                page.goto(f"{server}/{path}")
                # the first page waits for the demo data to load on the empty database
                page.wait_for_selector(".js-plotly-plot", timeout=180_000 if i == 0 else 60_000)
                page.get_by_role("heading", name=TITLES[name]).first.wait_for(timeout=30_000)
                # let the run finish: the running indicator goes away when the script is done
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
                )
                page.wait_for_timeout(800)
                _full_page_screenshot(page, OUT / f"{i + 1}-{name}.png")
                exceptions = page.locator('[data-testid="stException"]')
                assert exceptions.count() == 0, f"{name}: {exceptions.first.inner_text()}"
                assert page.locator(".js-plotly-plot").count() >= 1, name
                if name == "overview":
                    assert page.get_by_text("bundled demo data was loaded").count() == 1
                    assert page.locator('[data-testid="stMetric"]').count() >= 3
        finally:
            browser.close()
    assert not errors, errors
