"""WCAG 2.2 AA in a real browser: every page of the dashboard, signed in as an admin (so every page opens), at
1366 px and at 390 px, with the demo loaded and with a file on the Upload page, audited by axe-core. Any serious or
critical violation fails, and any heading that skips a level, except the ones Streamlit's own markup makes that
the README's accessibility statement lists (tests/a11y.py, STREAMLIT_EXCEPTIONS, by rule and selector).

Beside it: a page the user's role cannot open says which role it needs, the root address and /overview both open
the Overview, and the sidebar's period filters show only on the pages they act on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import a11y
from tests.browser import launch, needs_chromium, settle

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with a11y.signed_in_server(tmp_path_factory.mktemp("a11y")) as found:
        yield found  # (url, database)


@pytest.fixture(scope="module")
def server(served):
    return served[0]


def test_every_page_at_both_widths_has_no_serious_or_critical_violation(served):
    found = a11y.audit(*served)
    assert len(found) == 2 * len(a11y.VISITS)  # every page was audited at both widths
    failing = {key: [(v["rule"], v["target"], v["html"]) for v in items] for key, items in found.items() if items}
    assert failing == {}


def _open(page, url: str, path: str, heading: str) -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=heading, level=1).first.wait_for(timeout=240_000)
    settle(page)


@pytest.mark.parametrize(("email", "path", "title", "words"), [
    ("analyst@kent.police.uk", "admin", "Admin", "The admin page needs the admin role; you are working as "
                                                 "analyst@kent.police.uk (analyst)."),
    ("someone@kent.police.uk", "upload", "Upload", "Uploading files needs the analyst role; you are working as "
                                                   "someone@kent.police.uk (viewer)."),
    ("someone@kent.police.uk", "lookup", "Caller lookup", "The caller lookup needs the analyst role"),
])
def test_a_page_the_role_cannot_open_says_which_role_it_needs(server, email, path, title, words):
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_cookies([a11y.user_cookie(server, email)])
            page = context.new_page()
            _open(page, server, path, title)
            assert page.get_by_text("Page not found").count() == 0
            assert page.get_by_text(words).count() == 1
            # the page is not offered in the navigation
            assert page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title, exact=True).count() == 0
        finally:
            browser.close()


def test_the_root_address_and_overview_both_open_the_overview_keeping_the_link(server):
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_cookies([a11y.user_cookie(server, "someone@kent.police.uk")])
            page = context.new_page()
            _open(page, server, "overview?period=1m", "Overview")
            assert page.get_by_text("Page not found").count() == 0
            assert page.get_by_text("compared with the same month a year earlier").count() >= 1
            _open(page, server, "?period=1m", "Overview")
            page.wait_for_function("() => location.pathname.endsWith('/overview')", timeout=30_000)
            assert "period=1m" in page.url
            assert page.get_by_text("Page not found").count() == 0
        finally:
            browser.close()


def test_period_filters_show_only_on_pages_they_act_on(server):
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_cookies([a11y.user_cookie(server, "admin@kent.police.uk")])
            page = context.new_page()
            sidebar = page.locator('[data-testid="stSidebar"]')
            for path, heading, shown in [("asb", "Anti-social behaviour", True), ("data", "Data", False),
                                         ("upload", "Upload extracts", False), ("history", "Load history", False),
                                         ("districts", "Districts", True), ("admin", "Admin", False)]:
                _open(page, server, path, heading)
                # the previous page's sidebar goes once this page's run has drawn its own
                expect(sidebar.get_by_text("Period ending")).to_have_count(1 if shown else 0, timeout=30_000)
                expect(sidebar.get_by_text("Show figures for")).to_have_count(1 if shown else 0, timeout=30_000)
        finally:
            browser.close()
