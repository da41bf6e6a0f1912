"""Real-browser upload: `streamlit run dashboard.py` on a temporary database, a real police.uk file uploaded
through Chromium's file chooser, checked, loaded, and the new batch seen on the Load history page.
Screenshots of each step go to tests/out/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analytics import store
from analytics.ingest.load import load_files

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "out"
CHROMIUM = "/usr/bin/chromium"
KENT = ROOT.parent / "shared" / "data" / "police-uk" / "kent"

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


@pytest.fixture
def server(tmp_path):
    db = tmp_path / "asb.duckdb"
    con = store.connect(db)
    load_files(con, [KENT / "2025-01-kent-street.csv"], loaded_by="seed")  # so the demo is not loaded
    con.close()
    port = _free_port()
    log = open(tmp_path / "streamlit.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "ASB_DB": str(db)}, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url, db, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        print(log.read()[-4000:])
        log.close()


def _settle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(600)


def _shot(page, name: str) -> None:
    """Streamlit scrolls inside its main section, so the viewport is made as tall as the content for the shot."""
    height = page.evaluate(
        "() => Math.max(...['[data-testid=\"stMain\"]', '[data-testid=\"stAppViewContainer\"]']"
        ".map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight), 768)"
    )
    page.set_viewport_size({"width": 1366, "height": int(height)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUT / name), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_upload_a_real_file_and_see_it_in_the_history(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, db, proc = server
    OUT.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-background-networking",
                                                                    "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda e: errors.append(str(e)))
            # the app's entry first: its st.navigation decides the pages (and who may see which)
            page.goto(url)
            page.get_by_role("link", name="Upload").wait_for(timeout=120_000)
            _settle(page)
            page.get_by_role("link", name="Upload").click()
            page.get_by_role("heading", name="Upload extracts").wait_for(timeout=60_000)
            _settle(page)
            _shot(page, "upload-1-empty.png")
            assert page.get_by_text("Local mode: no sign-in; you are working as").count() == 1

            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                str(KENT / "2025-02-kent-street.csv"))
            page.get_by_text("February 2025 is new: 1,645 ASB incidents would be added.").wait_for(timeout=60_000)
            _settle(page)
            assert page.get_by_text("13,305 rows read").count() == 1
            _shot(page, "upload-2-checked.png")

            page.get_by_role("button", name="Load 1 file").click()
            page.get_by_text("loaded as batch 2 (source police.uk, February 2025)").wait_for(timeout=120_000)
            _settle(page)
            _shot(page, "upload-3-loaded.png")

            page.get_by_role("link", name="Load history").click()
            page.get_by_role("heading", name="Load history").wait_for(timeout=60_000)
            _settle(page)
            latest = page.get_by_text("Latest load: batch 2, 2025-02-kent-street.csv (February 2025), 13,305 rows "
                                      f"loaded by {store.current_user()}")
            assert latest.count() == 1
            _shot(page, "upload-4-history.png")
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
    assert not errors, errors
    proc.terminate()  # the server holds the database file; stop it to read the result
    proc.wait(timeout=20)
    con = store.connect(db)
    try:
        assert con.execute("SELECT id, file_name, rows_loaded FROM batches ORDER BY id").fetchall() == [
            (1, "2025-01-kent-street.csv", 14201), (2, "2025-02-kent-street.csv", 13305)]
        assert con.execute("SELECT loaded_by FROM batches WHERE id = 2").fetchone()[0] == store.current_user()
    finally:
        con.close()
