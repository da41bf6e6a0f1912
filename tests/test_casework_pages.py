"""The casework pages in the app (AppTest with sign-in): a viewer cannot reach them or the lookup, and finds no
caller reference on any page or in any download; an analyst can use them, and the register records who acted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from analytics import store
from analytics.casework import reviews
from analytics.ingest.load import load_files
from tests.conftest import APP, plain
from tests.kent import KENT
from tests.test_roles import AUTH, VIEWER_PAGES, _everything

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "ui" / "pages"
CASEWORK = {"lookup": "The caller lookup", "repeat_callers": "The repeat callers page",
            "repeat_locations": "The repeat locations page", "case_reviews": "The ASB Case Review register"}
CALLER = "CALLER-"
ANALYST, VIEWER = "bob@kent.police.uk", "carol@kent.police.uk"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """police.uk January 2025, a force ASB extract whose rows all carry caller references (CALLER-00000 calls six
    times in January, CALLER-00001 three times, vulnerable), and one case review application with a reference."""
    path = tmp_path / "casework.duckdb"
    extract = tmp_path / "asb-2025-01.csv"
    rows = [f"ASB-{i},{(i % 28) + 1:02d}/01/2025 09:00,{('Ashford', 'Medway')[i % 2]},Noise nuisance,"
            f"On or near High Street,{CALLER}{i % 20 if i < 30 else i:05d},{'Y' if i % 20 == 1 else 'N'}"
            for i in range(40)]
    extract.write_text("Incident Number,Date Reported,District,Call Type,Location,Caller Ref,Vulnerable\n"
                       + "\n".join(rows) + "\n", encoding="utf-8")
    con = store.connect(path)
    load_files(con, [KENT / "2025-01-kent-street.csv"], loaded_by="seed")
    load_files(con, [extract], source_name="force", loaded_by="seed")
    reviews.add(con, received="2025-01-30", district="Ashford", caller_ref=f"{CALLER}00000", by="seed")
    con.close()
    monkeypatch.setenv("ASB_DB", str(path))
    return path


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str | None, bytes]]:
    """Every file a run hands to a download button, as (file name, bytes): the files it holds, and the CSV files it
    writes only when the button is pressed (written here at once, as a press would)."""
    served: list[tuple[str | None, bytes]] = []

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
            if isinstance(path_or_data, bytes):
                served.append((filename, path_or_data))
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        if mimetype == "text/csv":
            served.append((file_name, data_callable()))
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return served


def signed_in(email: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH["auth"]
    at.secrets["roles"] = AUTH["roles"]
    at.user = {"is_logged_in": True, "email": email}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at: AppTest, page: str) -> AppTest:
    at.switch_page(str(PAGES / f"{page}.py"))
    at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return at


def test_a_viewer_cannot_reach_the_casework_pages_or_the_lookup(db, downloads):
    at = signed_in(VIEWER)
    for page in CASEWORK:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(str(PAGES / f"{page}.py"))
    # run some other way, a page refuses and shows nothing else, and offers nothing to download
    downloads.clear()
    for page, what in CASEWORK.items():
        alone = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
        alone.secrets["auth"], alone.secrets["roles"] = AUTH["auth"], AUTH["roles"]
        alone.user = {"is_logged_in": True, "email": VIEWER}
        alone.run()
        assert not alone.exception
        assert [plain(e.value) for e in alone.error] == [
            f"**Not allowed.** {what} needs the analyst role; you are working as {VIEWER} (viewer). Ask an "
            "administrator to add your e-mail address to the [roles] table in .streamlit/secrets.toml."]
        assert not alone.text_input and not alone.button and not alone.dataframe and not alone.metric
        assert CALLER not in _everything(alone)
    assert not downloads


def test_a_viewer_finds_no_caller_reference_on_any_page_or_in_any_download(db, downloads):
    at = signed_in(VIEWER)
    for source in ("police.uk", "force"):
        run(at, "overview")
        at.sidebar.selectbox(key="f_source").set_value(source)
        for page in VIEWER_PAGES:
            run(at, page)
            assert CALLER not in _everything(at), (source, page)
    assert len(downloads) >= 10  # the viewer pages do offer downloads
    for name, data in downloads:
        assert CALLER.encode() not in data.upper(), name
        assert b"CALLER" not in data.upper(), name


def test_an_analyst_looks_a_caller_up(db):
    at = signed_in(ANALYST)
    run(at, "lookup")
    assert at.title[0].value == "Caller lookup"
    at.text_input(key="lk_text").input(" caller - 00000 ")
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # CALLER-00000 made incidents 0 and 20 (i % 20 == 0, i < 30): 1 and 21 January; as at 28 January (the latest
    # incident loaded) both are in the six months
    assert {m.label: m.value for m in at.metric} == {"Incidents in 6 months": "2", "Repeat caller": "No",
                                                     "Case review threshold": "Not met", "Vulnerable": "No"}
    assert plain(at.markdown[0].value).startswith("CALLER-00000: 2 incidents from 29 July 2024 to 28 January 2025.")
    incidents = at.dataframe[-1].value
    assert incidents["Incident"].tolist() == ["ASB-20", "ASB-0"]
    applications = at.dataframe[0].value
    assert applications["Application"].tolist() == [1]


def test_an_analyst_sees_repeat_callers_and_shares_only_pseudonyms(db, downloads):
    at = signed_in(ANALYST)
    run(at, "repeat_callers")
    at.number_input(key="rc_n").set_value(2)
    at.run()
    assert not at.exception
    shown = at.dataframe[-1].value
    # callers 0..9 call at i and i + 20 (< 30 for i < 10): ten callers with two incidents each
    assert len(shown) == 10 and set(shown["Incidents"]) == {2}
    assert shown.loc[shown["Caller reference"] == "CALLER-00001", "Vulnerable"].tolist() == ["Yes"]
    files = dict(downloads)
    refs = [d for n, d in files.items() if n and n.startswith("repeat-callers-as-at")]
    pseudo = [d for n, d in files.items() if n and n.startswith("repeat-callers-pseudonymised")]
    assert len(refs) == 1 and b"CALLER-00001" in refs[0]
    assert len(pseudo) == 1 and b"CALLER" not in pseudo[0] and b'"P-' in pseudo[0]


def test_repeat_locations_for_police_uk_carry_the_caveat(db):
    at = signed_in(ANALYST)
    run(at, "repeat_locations")
    assert any("snapped to anonymous map points" in plain(i.value) for i in at.info)
    assert at.dataframe and "Callers" not in at.dataframe[0].value.columns


def test_an_analyst_adds_an_application_and_the_register_records_who(db):
    at = signed_in(ANALYST)
    run(at, "case_reviews")
    assert at.title[0].value == "ASB Case Reviews"
    at.date_input(key="cr_received").set_value(date(2025, 1, 31))
    at.selectbox(key="cr_district").set_value("Medway")
    at.text_input(key="cr_caller").input("caller-00001")
    [add] = [b for b in at.button if b.label == "Add the application"]
    add.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # 31 January 2025 + 25 working days (no bank holidays): 7 March 2025
    assert plain(at.success[0].value) == ("Added application 2: the response is due 7 Mar 2025. 2 incidents found "
                                          "in the six months before.")
    con = store.connect(db)
    try:
        trail = reviews.changes(con, 2)
        assert set(trail["changed_by"]) == {ANALYST}
        assert reviews.get(con, 2)["caller_ref"] == "caller-00001"
    finally:
        con.close()
