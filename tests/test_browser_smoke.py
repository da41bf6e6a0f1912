"""Real-browser smoke test: `streamlit run dashboard.py` on an empty database (the first start loads the demo),
every page opened in headless Chromium at 1366x768, charts drawn, no exception, a full-page screenshot each."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser import OUT, launch, needs_chromium, screenshot, settle, streamlit_server

PAGES = {"overview": "", "asb": "asb", "crime": "crime", "districts": "districts", "data": "data"}
TITLES = {"overview": "Overview", "asb": "Anti-social behaviour", "crime": "Crime & outcomes",
          "districts": "Districts", "data": "Data"}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    with streamlit_server(folder / "asb.duckdb", folder / "streamlit.log") as (url, _):
        yield url


def test_every_page_renders_in_chromium(server):
    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda e: errors.append(str(e)))
            for i, (name, path) in enumerate(PAGES.items()):
                page.goto(f"{server}/{path}")
                # the first page waits for the demo data to load on the empty database
                page.wait_for_selector(".js-plotly-plot", timeout=180_000 if i == 0 else 60_000)
                page.get_by_role("heading", name=TITLES[name]).first.wait_for(timeout=30_000)
                settle(page)
                screenshot(page, OUT / f"{i + 1}-{name}.png")
                exceptions = page.locator('[data-testid="stException"]')
                assert exceptions.count() == 0, f"{name}: {exceptions.first.inner_text()}"
                assert page.locator(".js-plotly-plot").count() >= 1, name
                if name == "overview":
                    assert page.get_by_text("bundled demo data was loaded").count() == 1
                    assert page.locator('[data-testid="stMetric"]').count() >= 3
        finally:
            browser.close()
    assert not errors, errors
