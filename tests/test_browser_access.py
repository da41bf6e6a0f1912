"""No page runs without the gate, whatever the URL: a real server and a real browser open every page's address
directly, unauthenticated, in local mode on a network address and with sign-in configured, and find no figures
and no data. The database is never even opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser import launch, needs_chromium, settle, streamlit_server
from ui.navigation import SPECS, url_path

pytestmark = needs_chromium

PATHS = ["", *[url_path(s) for s in SPECS], "no-such-page", "pages/history", "history?end=2025-01"]
FIGURES = ['[data-testid="stMetric"]', ".js-plotly-plot", '[data-testid="stDataFrame"]',
           '[data-testid="stFileUploader"]', '[data-testid="stDownloadButton"]']

SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:9/oauth2callback"
cookie_secret = "a test secret that is long enough"
client_id = "test"
client_secret = "test"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[roles]
"admin@kent.police.uk" = "admin"
"""


def _visit_every_page(url: str, expected: str) -> None:
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            for path in PATHS:
                page.goto(f"{url}/{path}")
                if "/" in path:  # not an app address: the app does not even start there
                    page.wait_for_timeout(3000)
                else:
                    page.get_by_text(expected).first.wait_for(timeout=60_000)
                    settle(page)
                for selector in FIGURES:
                    assert page.locator(selector).count() == 0, (path, selector)
                body = page.inner_text("body")
                for word in ("ASB incidents", "Victim-based crime", "Load history", "Roll back", "Upload extracts"):
                    assert word not in body, (path, word)
        finally:
            browser.close()


def test_local_mode_on_a_network_address_serves_nothing_by_any_url(tmp_path):
    db = tmp_path / "asb.duckdb"
    with streamlit_server(db, tmp_path / "log.txt", address="0.0.0.0") as (url, _):
        _visit_every_page(url, "Not serving on the network without sign-in")
    assert not db.exists()  # nothing was served, so the database was never opened


def test_sign_in_configured_serves_only_the_sign_in_page_by_any_url(tmp_path):
    db = tmp_path / "asb.duckdb"
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(SECRETS, encoding="utf-8")
    with streamlit_server(db, tmp_path / "log.txt", address="0.0.0.0",
                          extra=("--secrets.files", str(secrets))) as (url, _):
        _visit_every_page(url, "Sign in with your force account")
    assert not db.exists()


@pytest.mark.parametrize("path", ["history", "upload", "admin"])
def test_pages_check_their_own_role_when_run_alone(path):
    # every page file calls signin.require first: run on its own as a viewer it refuses (see tests/test_roles.py)
    source = next(s for s in SPECS if url_path(s) == path).file
    text = (Path(__file__).resolve().parent.parent / "ui" / "pages" / source).read_text()
    first = next(line for line in text.splitlines() if "signin.require(" in line)
    assert text.index(first) < text.index("st.title(")
