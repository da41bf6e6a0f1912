"""Accessibility checks in a real browser: every page of `streamlit run dashboard.py`, signed in with a role, at a
laptop's and a phone's width, audited by axe-core (axe-playwright-python).

Sign-in is configured with a test [auth] section and [roles] table; the browser carries the signed user cookie
Streamlit sets after an OIDC sign-in, made with the test cookie secret, so no identity provider is needed.

`python -m tests.a11y FOLDER` writes a screenshot of every page at both widths and prints the violations found.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser import launch, settle, streamlit_server, wait_for_whole_demo
from tests.kent import KENT

COOKIE_SECRET = "a test secret that is long enough for signing"
SECRETS = f"""
[auth]
redirect_uri = "http://127.0.0.1:9/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "test"
client_secret = "test"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[roles]
"admin@kent.police.uk" = "admin"
"analyst@kent.police.uk" = "analyst"
"""

WIDTHS = {"laptop": 1366, "phone": 390}
TALL = 3000  # Streamlit scrolls inside its own container: a tall viewport shows (and audits) the whole page


@dataclass(frozen=True)
class Visit:
    name: str
    path: str  # the address after the server's root
    heading: str  # the page's h1, waited for
    upload: bool = False  # put a file on the Upload page first


VISITS = (
    Visit("overview", "", "Overview"),
    Visit("asb", "asb", "Anti-social behaviour"),
    Visit("crime", "crime", "Crime & outcomes"),
    Visit("districts", "districts", "Districts"),
    Visit("districts-thanet", "districts?district=Thanet", "Districts"),
    Visit("control", "control", "Control charts"),
    Visit("engagement", "engagement", "Engagement"),
    Visit("satisfaction", "satisfaction", "Victim satisfaction"),
    Visit("lookup", "lookup", "Caller lookup"),
    Visit("repeat-callers", "repeat_callers", "Repeat callers"),
    Visit("repeat-locations", "repeat_locations", "Repeat locations"),
    Visit("case-reviews", "case_reviews", "ASB Case Reviews"),
    Visit("data", "data", "Data"),
    Visit("upload", "upload", "Upload extracts"),
    Visit("upload-file", "upload", "Upload extracts", upload=True),
    Visit("history", "history", "Load history"),
    Visit("interventions", "interventions", "Interventions"),
    Visit("admin", "admin", "Admin"),
)

# Violations that come from Streamlit's own markup, which the dashboard cannot change: (rule id, a CSS selector
# axe reports for the element). Each is listed, with why, in the README's accessibility statement.
STREAMLIT_EXCEPTIONS: tuple[tuple[str, str], ...] = ()
# rules counted whatever axe's impact: headings go h1, h2, h3 without skipping a level
ALWAYS = ("heading-order",)


def user_cookie(url: str, email: str) -> dict[str, Any]:
    """The cookie Streamlit sets when `email` has signed in, for the server at `url`."""
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    payload = json.dumps({"origin": url, "is_logged_in": True, "email": email})
    value = create_signed_value(COOKIE_SECRET, "_streamlit_user", payload).decode()
    return {"name": "_streamlit_user", "value": value, "url": url}


@contextmanager
def signed_in_server(folder: Path) -> Iterator[tuple[str, Path]]:
    """A server on an empty database (the first start loads the demo) with sign-in configured: (url, database)."""
    secrets = folder / "secrets.toml"
    secrets.write_text(SECRETS, encoding="utf-8")
    with streamlit_server(folder / "asb.duckdb", folder / "streamlit.log",
                          extra=("--secrets.files", str(secrets))) as (url, _):
        yield url, folder / "asb.duckdb"


def open_page(page: Any, url: str, visit: Visit, *, first: bool = False) -> None:
    page.goto(f"{url}/{visit.path}")
    page.get_by_role("heading", name=visit.heading, level=1).first.wait_for(timeout=240_000 if first else 90_000)
    settle(page)
    if visit.upload:
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            str(KENT / "2025-02-kent-street.csv"))
        page.get_by_text("rows read").first.wait_for(timeout=90_000)
        settle(page)
    page.wait_for_timeout(800)  # charts finish drawing


def excepted(rule: str, node: dict[str, Any]) -> bool:
    target = " ".join(str(t) for t in node.get("target", []))
    return any(rule == r and sel in target for r, sel in STREAMLIT_EXCEPTIONS)


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations (and those of ALWAYS) on the page, each node not excepted:
    [{rule, impact, target, html, summary}]."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    found = []
    for v in results.response["violations"]:
        if v.get("impact") not in ("serious", "critical") and v["id"] not in ALWAYS:
            continue
        for node in v["nodes"]:
            if excepted(v["id"], node):
                continue
            found.append({"rule": v["id"], "impact": v["impact"], "target": node.get("target"),
                          "html": node.get("html", "")[:200], "summary": node.get("failureSummary", "")[:300]})
    return found


SCROLLERS = '["[data-testid=\\"stMain\\"]", "[data-testid=\\"stAppViewContainer\\"]"]'


def shoot(page: Any, path: Path) -> None:
    """The page as the viewport shows it, then each further viewport's height of it (name-2.png, …)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    height = page.evaluate(f"() => Math.max(...{SCROLLERS}.map(s => document.querySelector(s))"
                           ".filter(Boolean).map(e => e.scrollHeight))")
    for k in range(1, -(-int(height) // TALL)):
        page.evaluate(f"() => {SCROLLERS}.map(s => document.querySelector(s)).filter(Boolean)"
                      f".forEach(e => e.scrollTop = {k * TALL})")
        page.wait_for_timeout(400)
        page.screenshot(path=str(path.with_name(f"{path.stem}-{k + 1}.png")))
    page.evaluate(f"() => {SCROLLERS}.map(s => document.querySelector(s)).filter(Boolean)"
                  ".forEach(e => e.scrollTop = 0)")


def audit(url: str, db: Path, *, email: str = "admin@kent.police.uk", shots: Path | None = None,
          visits: tuple[Visit, ...] = VISITS) -> dict[str, list[dict[str, Any]]]:
    """Every visit at every width: {"name@width": violations}; a screenshot of each into `shots` when given. The
    first visit is the first start (the police.uk source drawn while the rest of the demo loads); the others wait
    for the whole demo, so the measures and casework pages have their data."""
    from playwright.sync_api import sync_playwright

    found: dict[str, list[dict[str, Any]]] = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            first = True
            for width_name, width in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": TALL})
                context.add_cookies([user_cookie(url, email)])
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                for visit in visits:
                    open_page(page, url, visit, first=first)
                    if first:
                        wait_for_whole_demo(db)
                    first = False
                    key = f"{visit.name}@{width_name}"
                    exceptions = page.locator('[data-testid="stException"]')
                    assert exceptions.count() == 0, f"{key}: {exceptions.first.inner_text()}"
                    found[key] = violations(page)
                    if shots is not None:
                        shoot(page, shots / f"{visit.name}-{width}.png")
                assert not errors, errors
                context.close()
        finally:
            browser.close()
    return found


def main(argv: list[str]) -> None:
    import tempfile

    shots = Path(argv[0]) if argv else None
    only = set(argv[1:])
    visits = tuple(v for v in VISITS if not only or v.name in only)
    with tempfile.TemporaryDirectory() as tmp, signed_in_server(Path(tmp)) as (url, db):
        found = audit(url, db, shots=shots, visits=visits)
    for key, items in found.items():
        rules: dict[str, int] = {}
        for item in items:
            rules[item["rule"]] = rules.get(item["rule"], 0) + 1
        print(f"{key:32} {len(items):3}  " + ", ".join(f"{r}×{n}" for r, n in sorted(rules.items())))
    if shots is not None:
        (shots / "violations.json").write_text(json.dumps(found, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
