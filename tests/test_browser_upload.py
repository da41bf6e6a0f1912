"""Real-browser upload: `streamlit run dashboard.py` on a temporary database, a real police.uk file uploaded
through Chromium's file chooser, checked, loaded, and the new batch seen on the Load history page.
Screenshots of each step go to tests/out/."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from analytics import store
from analytics.domain.access import current_user
from analytics.ingest.load import load_files
from tests.browser import OUT, launch, needs_chromium, screenshot, settle, streamlit_server
from tests.kent import KENT

pytestmark = needs_chromium


@pytest.fixture
def server(tmp_path):
    db = tmp_path / "asb.duckdb"
    con = store.connect(db)
    load_files(con, [KENT / "2025-01-kent-street.csv"], loaded_by="seed")  # so the demo is not loaded
    con.close()
    with streamlit_server(db, tmp_path / "streamlit.log") as (url, proc):
        yield url, db, proc


def test_upload_a_real_file_and_see_it_in_the_history(server):
    url, db, proc = server
    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda e: errors.append(str(e)))
            # the app's entry first: its st.navigation decides the pages (and who may see which)
            page.goto(url)
            page.get_by_role("link", name="Upload").wait_for(timeout=120_000)
            settle(page)
            page.get_by_role("link", name="Upload").click()
            page.get_by_role("heading", name="Upload extracts").wait_for(timeout=60_000)
            settle(page)
            screenshot(page, OUT / "upload-1-empty.png")
            assert page.get_by_text("Local mode: no sign-in; you are working as").count() == 1

            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                str(KENT / "2025-02-kent-street.csv"))
            page.get_by_text("February 2025 is new: 1,645 ASB incidents would be added.").wait_for(timeout=60_000)
            settle(page)
            assert page.get_by_text("13,305 rows read").count() == 1
            screenshot(page, OUT / "upload-2-checked.png")

            page.get_by_role("button", name="Load 1 file").click()
            page.get_by_text("loaded as batch 2 (source police.uk, February 2025)").wait_for(timeout=120_000)
            settle(page)
            screenshot(page, OUT / "upload-3-loaded.png")

            page.get_by_role("link", name="Load history").click()
            page.get_by_role("heading", name="Load history").wait_for(timeout=60_000)
            settle(page)
            latest = page.get_by_text("Latest load: batch 2, 2025-02-kent-street.csv, February 2025: 13,305 rows "
                                      f"loaded by {current_user()}")
            assert latest.count() == 1
            screenshot(page, OUT / "upload-4-history.png")
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
        assert con.execute("SELECT loaded_by FROM batches WHERE id = 2").fetchone()[0] == current_user()
    finally:
        con.close()
