"""Real-browser smoke test: `streamlit run dashboard.py` on an empty database (the first start loads the demo),
every page opened in headless Chromium at 1366x768, charts drawn, no exception, a full-page screenshot each."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser import OUT, launch, needs_chromium, screenshot, settle, streamlit_server, wait_for_whole_demo

PAGES = {"overview": "", "asb": "asb", "crime": "crime", "districts": "districts", "data": "data"}
TITLES = {"overview": "Overview", "asb": "Anti-social behaviour", "crime": "Crime & outcomes",
          "districts": "Districts", "data": "Data"}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    with streamlit_server(folder / "asb.duckdb", folder / "streamlit.log") as (url, _):
        yield url, folder / "asb.duckdb"


@pytest.fixture(scope="module")
def server(served):
    return served[0]


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
                    assert page.get_by_text("dashboard shows the bundled demo data").count() == 1
                    assert page.locator('[data-testid="stMetric"]').count() >= 3
        finally:
            browser.close()
    assert not errors, errors


def test_a_link_opens_its_view_and_a_reload_keeps_the_filters(served):
    server, db = served
    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server)  # the first start, if the test before did not make it
            page.get_by_text("Latest month loaded").first.wait_for(timeout=180_000)
            wait_for_whole_demo(db)  # the synthetic source loads in the background after the Overview is drawn
            # twelve months to March 2025 are held in full only by the synthetic source (police.uk lacks most of 2024)
            page.goto(f"{server}/asb?source=synthetic&end=2025-03&period=12m&district=Thanet")
            heading = "April 2024 – March 2025 compared with the same months a year earlier"
            page.get_by_text(heading).first.wait_for(timeout=180_000)
            settle(page)
            assert page.get_by_text("Thanet, synthetic (generated, not real) data").count() >= 1
            assert "district=Thanet" in page.url and "period=12m" in page.url and "end=2025-03" in page.url
            # a change in the sidebar rewrites the address, and a reload keeps it
            page.locator('[data-testid="stSidebar"]').get_by_text("1 month", exact=True).click()
            page.get_by_text("March 2025 compared with the same month a year earlier").first.wait_for(
                timeout=60_000)
            settle(page)
            page.wait_for_function("() => location.search.includes('period=1m')", timeout=30_000)
            page.reload()
            page.get_by_text("March 2025 compared with the same month a year earlier").first.wait_for(
                timeout=60_000)
            settle(page)
            assert page.get_by_text("Thanet, synthetic (generated, not real) data").count() >= 1
            assert "period=1m" in page.url and "district=Thanet" in page.url
            screenshot(page, OUT / "reloaded-asb.png")
        finally:
            browser.close()
    assert not errors, errors
