"""Loads while serving, in real processes and a real browser: two `streamlit run dashboard.py` servers on one
database, command-line loads into it while their pages are open, a writer killed mid-publish (the servers then
publish what it committed), and two servers starting at once on an empty database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from analytics import publish, store
from analytics.ingest.demo import demo_pending
from tests.browser import ROOT, launch, needs_chromium, settle, streamlit_server, wait_for_whole_demo
from ui.session import CATCH_UP_EVERY

pytestmark = needs_chromium

DEMO = ROOT / "data" / "demo" / "police-uk"
# ASB rows in each demo file, counted by hand: zcat FILE | grep -c ",Anti-social behaviour,"
ASB_APRIL_2025 = 2614
ASB_APRIL_2024 = 2434


def cli(*args: str, db: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def latest(page) -> str:
    return page.locator('[data-testid="stMetric"]').filter(has_text="Latest month loaded").inner_text()


def rerun_until(page, text: str) -> None:
    """Rerun the open page (Streamlit's R key: the same session, no reload) until the latest month reads `text`."""
    for _ in range(10):
        page.locator("h1").first.click()
        page.keyboard.press("r")
        settle(page)
        if text in latest(page):
            return
    raise AssertionError(f"{text!r} not shown: {latest(page)!r}")


def test_loads_while_two_servers_serve_show_on_both_and_a_crash_mid_publish_is_caught_up(tmp_path):
    db = tmp_path / "asb.duckdb"
    months = ["2024-01", "2024-02", "2024-03", "2024-04", "2025-01", "2025-02", "2025-03"]
    seeded = cli("ingest", *[str(DEMO / f"{m}-kent-street.csv.gz") for m in months], db=db)
    assert seeded.returncode == 0, seeded.stderr
    out = tmp_path / "published"
    errors: list[str] = []
    with streamlit_server(db, tmp_path / "a.log") as (a, _), streamlit_server(db, tmp_path / "b.log") as (b, _), \
            sync_playwright() as p:
        browser = launch(p)
        try:
            pages = []
            for url in (a, b):
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url)
                page.get_by_text("Latest month loaded").first.wait_for(timeout=120_000)
                settle(page)
                assert "March 2025" in latest(page)
                pages.append(page)

            # a load from the command line while both pages are open
            loaded = cli("ingest", str(DEMO / "2025-04-kent-street.csv.gz"), db=db)
            assert loaded.returncode == 0, loaded.stderr
            assert "loaded as batch 8" in loaded.stderr
            assert publish.current(db) == out / "asb.2.duckdb"
            for page in pages:
                rerun_until(page, "April 2025")  # the open session's next run, no restart
            # and April's figures, only the new file has them, on both servers
            for page, url in zip(pages, (a, b), strict=True):
                page.goto(f"{url}/?end=2025-04&period=1m")
                page.get_by_text("April 2025 compared with the same month a year earlier").first.wait_for(
                    timeout=60_000)
                settle(page)
                asb = page.locator('[data-testid="stMetric"]').filter(has_text="ASB incidents").first.inner_text()
                assert f"{ASB_APRIL_2025:,}" in asb, asb
                assert page.locator('[data-testid="stException"]').count() == 0

            # a writer killed mid-publish: CURRENT still names the copy before, and the servers keep serving it
            crashed = cli("ingest", str(DEMO / "2025-05-kent-street.csv.gz"), db=db,
                          env={publish.FAULT_ENV: "mid-copy"})
            assert crashed.returncode == 70, crashed.stderr
            assert (out / "asb.3.tmp").exists()
            assert (out / "asb.CURRENT").read_text().splitlines()[0] == "asb.2.duckdb"
            for i, page in enumerate(pages):
                page.locator("h1").first.click()
                page.keyboard.press("r")
                settle(page)
                assert page.locator('[data-testid="stException"]').count() == 0
                if i == 0:  # the first run since the crash reads the copy before; the second may read the next
                    assert "April 2025" in latest(page)
                    asb = page.locator('[data-testid="stMetric"]').filter(has_text="ASB incidents").first.inner_text()
                    assert f"{ASB_APRIL_2025:,}" in asb, asb
                else:
                    assert "April 2025" in latest(page) or "May 2025" in latest(page)

            # without waiting for another load, a server's next look (one every session.CATCH_UP_EVERY seconds)
            # finds the master ahead of the copy and publishes what was committed; the partial copy goes
            deadline = time.monotonic() + 3 * CATCH_UP_EVERY
            while publish.current(db) == out / "asb.2.duckdb" and time.monotonic() < deadline:
                for page in pages:
                    page.locator("h1").first.click()
                    page.keyboard.press("r")
                    settle(page)
                time.sleep(1)
            assert sorted(x.name for x in out.iterdir()) == ["asb.2.duckdb", "asb.4.duckdb", "asb.CURRENT"]
            for page in pages:
                rerun_until(page, "May 2025")

            # and the next load publishes as usual
            recovered = cli("ingest", str(DEMO / "2025-06-kent-street.csv.gz"), db=db)
            assert recovered.returncode == 0, recovered.stderr
            assert sorted(x.name for x in out.iterdir()) == ["asb.4.duckdb", "asb.5.duckdb", "asb.CURRENT"]
            for page in pages:
                rerun_until(page, "June 2025")
            batches = json.loads(cli("batches", "--json", db=db).stdout)
            assert [x["file"] for x in batches[:3]] == ["2025-06-kent-street.csv.gz", "2025-05-kent-street.csv.gz",
                                                         "2025-04-kent-street.csv.gz"]
        finally:
            browser.close()
    assert not errors, errors


def test_two_servers_starting_at_once_on_an_empty_database_load_the_demo_once(tmp_path):
    db = tmp_path / "asb.duckdb"
    errors: list[str] = []
    with streamlit_server(db, tmp_path / "a.log") as (a, _), streamlit_server(db, tmp_path / "b.log") as (b, _), \
            sync_playwright() as p:
        browser = launch(p)
        try:
            pages = [browser.new_page(viewport={"width": 1366, "height": 900}) for _ in (a, b)]
            for page, url in zip(pages, (a, b), strict=True):
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url)  # both first runs start before either has loaded anything
            for page in pages:
                page.get_by_text("Latest month loaded").first.wait_for(timeout=240_000)
                settle(page)
                assert page.locator('[data-testid="stException"]').count() == 0
                assert "December 2025" in latest(page)
            # one process loaded it, and its page says so; the other found it loaded
            assert sum(page.get_by_text("dashboard shows the bundled demo data").count() for page in pages) == 1
            # the synthetic source loads in the background (in both processes' threads, once), then both serve it
            wait_for_whole_demo(db)
            for page in pages:
                page.reload()
                page.get_by_text("Latest month loaded").first.wait_for(timeout=60_000)
                settle(page)
                assert page.get_by_text("is still loading").count() == 0
                sidebar = page.locator('[data-testid="stSidebar"]')
                assert sidebar.get_by_text("Source", exact=True).count() == 1  # offered once there are two
        finally:
            browser.close()
    batches = json.loads(cli("batches", "--json", db=db).stdout)
    files = [x["file"] for x in batches]
    assert len(files) == len(set(files))  # each demo file loaded once
    assert sum(f.endswith("-kent-street.csv.gz") for f in files) == 16
    assert sorted(f for f in files if f.startswith("SYNTHETIC-")) == [
        "SYNTHETIC-kent-asb-incidents.csv", "SYNTHETIC-kent-measures.csv", "SYNTHETIC-kent-recorded-crime.csv"]
    assert publish.current(db) is not None


def _published_batches(db: Path) -> list[tuple[str, int]] | None:
    """Batches per source in the copy readers get now; None while there is none."""
    copy = publish.current(db)
    con = publish.open_copy(copy) if copy is not None else None
    if con is None:
        return None
    try:
        return con.execute("SELECT source, count(*) FROM batches GROUP BY ALL ORDER BY 1").fetchall()
    finally:
        con.close()


def _wait_published(db: Path, timeout: float = 180) -> list[tuple[str, int]] | None:
    """Batches per source in the first copy published, waiting up to `timeout` seconds for one."""
    deadline = time.monotonic() + timeout
    while (batches := _published_batches(db)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    return batches


def test_a_server_starting_on_an_empty_database_loads_the_demo_before_any_browser_connects(tmp_path):
    db = tmp_path / "asb.duckdb"
    with streamlit_server(db, tmp_path / "a.log") as (url, _), sync_playwright() as p:
        # nobody has opened a page: only the health check has been asked for
        assert _wait_published(db) == [("police.uk", 16)]  # the synthetic source waits for a page run
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url)
            page.get_by_text("Latest month loaded").first.wait_for(timeout=120_000)
            settle(page)
            assert "December 2025" in latest(page)
            assert page.get_by_text("dashboard shows the bundled demo data").count() == 1  # this process loaded it
            assert page.get_by_text("is still loading").count() == 1
            wait_for_whole_demo(db)
        finally:
            browser.close()
    assert _published_batches(db) == [("measures", 1), ("police.uk", 16), ("synthetic", 2)]


def test_a_server_stopped_while_it_loads_the_demo_files_rolls_them_back_and_the_next_start_loads_them(tmp_path):
    db = tmp_path / "asb.duckdb"
    with streamlit_server(db, tmp_path / "a.log") as (url, _):
        deadline = time.monotonic() + 60
        while not db.exists() and time.monotonic() < deadline:  # the load has taken the writer: stop now
            time.sleep(0.01)
    log = (tmp_path / "a.log").read_text()
    assert "Traceback" not in log and "terminate called" not in log, log[-3000:]
    # interrupted and rolled back, not loaded file by file as the server stopped; were the machine quick enough
    # to finish first, it is whole
    state = _demo_state(db)
    assert state in ((False, [], 0), (True, [("police.uk", 16)], 0)), state
    assert ("stopped while the police.uk demo files loaded" in log) == (state[1] == []), log[-3000:]
    with streamlit_server(db, tmp_path / "b.log") as (url, _):
        assert _wait_published(db) == [("police.uk", 16)]


def test_a_server_stopped_while_its_load_waits_for_the_writer_publishes_nothing(tmp_path):
    # the server's load waits while another process holds the master; the server is stopped meanwhile, then the
    # master is let go: the load takes the writer, finds the dashboard stopping and publishes nothing (an empty
    # copy would leave the next start nothing to load), so the next start loads the demo
    db = tmp_path / "asb.duckdb"
    holder = store.connect(db)
    try:
        with streamlit_server(db, tmp_path / "a.log") as (url, proc):
            time.sleep(2)  # the load has begun (as the server started) and waits for the writer
            proc.terminate()
            time.sleep(1)
            holder.close()
            proc.wait(timeout=30)
    finally:
        holder.close()
    log = (tmp_path / "a.log").read_text()
    assert "Traceback" not in log and "terminate called" not in log, log[-3000:]
    assert publish.current(db) is None
    assert _demo_state(db) == (False, [], 0)
    with streamlit_server(db, tmp_path / "b.log") as (url, _):
        assert _wait_published(db) == [("police.uk", 16)]


def _demo_state(db: Path) -> tuple[bool, list[tuple[str, int]], int]:
    """(pending, batches per source, case reviews) of the master."""
    con = store.connect(db)
    try:
        batches = con.execute("SELECT source, count(*) FROM batches GROUP BY ALL ORDER BY 1").fetchall()
        return demo_pending(con), batches, con.execute("SELECT count(*) FROM case_reviews").fetchone()[0]
    finally:
        con.close()


def test_a_server_stopped_during_the_background_load_leaves_it_undone_and_the_next_start_finishes_it(tmp_path):
    db = tmp_path / "asb.duckdb"
    whole = (False, [("measures", 1), ("police.uk", 16), ("synthetic", 2)], 10)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            with streamlit_server(db, tmp_path / "a.log") as (url, _):
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.goto(url)
                page.get_by_text("Latest month loaded").first.wait_for(timeout=240_000)
                assert page.get_by_text("is still loading").count() == 1
                page.close()
            # stopped while the synthetic source loaded (it takes seconds): the load was interrupted and rolled
            # back, not half applied; were the machine quick enough to finish first, it is whole
            log = (tmp_path / "a.log").read_text()
            assert "terminate called" not in log and "Traceback" not in log, log[-3000:]
            assert _demo_state(db) in ((True, [("police.uk", 16)], 0), whole)
            with streamlit_server(db, tmp_path / "b.log") as (url, _):
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.goto(url)
                page.get_by_text("Latest month loaded").first.wait_for(timeout=240_000)
                wait_for_whole_demo(db)
            assert _demo_state(db) == whole
        finally:
            browser.close()
