"""Roles and permissions (analytics/access.py); the pages' side is in test_upload_page.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.domain import access
from analytics.domain.access import ADMIN, ANALYST, LOCAL, SIGNED_IN, SIGNED_OUT, VIEWER, AccessRefused, Identity
from analytics.ingest.load import load_files
from tests.conftest import APP, plain
from tests.kent import KENT

AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "x"},
        "roles": {"Alice@Kent.Police.uk": "admin", "bob@kent.police.uk": "analyst", "eve@kent.police.uk": "superuser"}}


def test_each_role_holds_the_permissions_of_the_one_below():
    assert [p for p in access.PERMISSIONS if access.can(VIEWER, p)] == ["view"]
    assert [p for p in access.PERMISSIONS if access.can(ANALYST, p)] == [
        "view", "upload", "rollback", "history", "caller_data", "interventions", "case_reviews"]
    assert all(access.can(ADMIN, p) for p in access.PERMISSIONS)
    assert not access.can(ANALYST, "manage_reference")
    assert not access.can(ADMIN, "no such permission")


def test_unknown_role_is_an_error_not_a_grant():
    with pytest.raises(ValueError, match="unknown role 'root'"):
        access.can("root", "view")


def test_roles_table_is_case_insensitive_and_unlisted_or_misspelt_means_viewer():
    roles = AUTH["roles"]
    assert access.role_for("alice@kent.police.uk", roles) == ADMIN
    assert access.role_for(" BOB@kent.police.uk ", roles) == ANALYST
    assert access.role_for("carol@kent.police.uk", roles) == VIEWER
    assert access.role_for("eve@kent.police.uk", roles) == VIEWER  # 'superuser' is no role
    assert access.role_for(None, roles) == VIEWER
    assert access.role_for("alice@kent.police.uk", None) == VIEWER


def test_local_mode_without_auth_section_is_the_os_user_as_analyst():
    me = access.identify({}, {"email": "test@example.com"}, os_user="jsmith")
    assert me == Identity("jsmith", ANALYST, LOCAL)
    assert me.can("upload") and me.can("rollback") and not me.can("manage_mappings")
    assert access.local_banner(me) == "Local mode: no sign-in; you are working as jsmith (analyst)."
    # an empty [auth] section is no sign-in either
    assert access.identify({"auth": {}}, {}, os_user="jsmith").mode == LOCAL


def test_signed_in_users_get_their_role_and_are_recorded_by_email():
    alice = access.identify(AUTH, {"is_logged_in": True, "email": "alice@kent.police.uk", "name": "Alice"})
    assert (alice.user, alice.role, alice.mode, alice.label) == (
        "alice@kent.police.uk", ADMIN, SIGNED_IN, "Alice (admin)")
    carol = access.identify(AUTH, {"is_logged_in": True, "email": "carol@kent.police.uk"})
    assert carol.role == VIEWER and carol.can("view") and not carol.can("upload")


def test_signed_out_holds_nothing():
    nobody = access.identify(AUTH, {"is_logged_in": False})
    assert nobody.mode == SIGNED_OUT
    assert not nobody.can("view")


def test_require_names_the_role_needed():
    viewer = Identity("carol@kent.police.uk", VIEWER, SIGNED_IN)
    with pytest.raises(AccessRefused) as refused:
        access.require(viewer, "rollback", "Rolling back a batch")
    assert refused.value.message.startswith("Rolling back a batch needs the analyst role; you are working as "
                                            "carol@kent.police.uk (viewer).")
    access.require(Identity("bob", ANALYST, LOCAL), "rollback", "Rolling back a batch")  # no error


@pytest.mark.parametrize("address, local", [
    ("localhost", True), ("127.0.0.1", True), ("::1", True), ("[::1]", True), (" LOCALHOST ", True),
    (None, False), ("", False), ("0.0.0.0", False), ("10.1.2.3", False), ("dashboard.kent.police.uk", False),
])
def test_local_mode_serves_this_machine_only(address, local):
    assert access.is_local_address(address) is local
    problem = access.local_mode_problem(address)
    assert (problem is None) is local
    if not local:
        assert 'address = "localhost"' in problem and "[auth]" in problem


# ------------------------------------------------------------------------------------------------ in the app

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "ui" / "pages"
VIEWER_PAGES = ("overview", "asb", "crime", "districts", "data")
CALLER = "CALLER-"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """police.uk January 2025 and a force ASB extract whose every row carries a caller reference."""
    path = tmp_path / "roles.duckdb"
    extract = tmp_path / "asb-2025-01.csv"
    rows = [f"ASB-{i},{(i % 28) + 1:02d}/01/2025 09:00,{('Ashford', 'Medway')[i % 2]},Noise nuisance,{CALLER}{i:05d}"
            for i in range(40)]
    extract.write_text("Incident Number,Date Reported,District,Call Type,Caller Ref\n" + "\n".join(rows) + "\n",
                       encoding="utf-8")
    con = store.connect(path)
    load_files(con, [KENT / "2025-01-kent-street.csv"], loaded_by="seed")
    load_files(con, [extract], source_name="force", loaded_by="seed")
    assert con.execute("SELECT count(caller_ref) FROM asb WHERE source = 'force'").fetchone()[0] == 40
    con.close()
    monkeypatch.setenv("ASB_DB", str(path))
    return path


def _signed_in(tmp_path: Path, email: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH["auth"]
    at.secrets["roles"] = AUTH["roles"]
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _everything(at: AppTest) -> str:
    """All the page shows: every element's content, dataframes in full."""
    parts = [d.value.to_csv() for d in at.dataframe]

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if children:
            for child in children.values():
                walk(child)
        elif getattr(node, "type", "") not in ("arrow_data_frame", "dataframe"):
            parts.append(str(getattr(node, "proto", "")))

    walk(at._tree)
    return "\n".join(parts)


def test_viewer_cannot_upload_roll_back_or_see_caller_references(db, tmp_path):
    at = _signed_in(tmp_path, "carol@kent.police.uk")
    assert "Signed in as carol@kent.police.uk (viewer)" in [plain(c.value) for c in at.sidebar.caption]
    for page in ("upload", "history", "admin"):  # not in the navigation at all
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(str(PAGES / f"{page}.py"))
    for source in ("police.uk", "force"):
        at.switch_page(str(PAGES / "overview.py"))  # the Data page shows no filters: they do not act there
        at.run()
        at.sidebar.selectbox(key="f_source").set_value(source)
        for page in VIEWER_PAGES:
            at.switch_page(str(PAGES / f"{page}.py"))
            at.run()
            assert not at.exception, (page, [e.value for e in at.exception])
            assert at.title, page
            shown = _everything(at)
            assert CALLER not in shown, (source, page)
            assert not at.file_uploader, page
            assert not [b for b in at.button if "roll back" in b.label.lower()], page
    # reaching a restricted page some other way gets a refusal and nothing else
    for page, what in (("upload", "Uploading files"), ("history", "The load history"), ("admin", "The admin page")):
        alone = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
        alone.secrets["auth"], alone.secrets["roles"] = AUTH["auth"], AUTH["roles"]
        alone.user = {"is_logged_in": True, "email": "carol@kent.police.uk"}
        alone.run()
        assert not alone.exception
        assert [plain(e.value) for e in alone.error] == [
            f"**Not allowed.** {what} needs the {'admin' if page == 'admin' else 'analyst'} role; you are working as "
            "carol@kent.police.uk (viewer). Ask an administrator to add your e-mail address to the [roles] table in "
            ".streamlit/secrets.toml."]
        assert not alone.file_uploader and not alone.button and not alone.dataframe
        assert CALLER not in _everything(alone)


def test_analyst_sees_caller_references_in_the_upload_preview(db, tmp_path):
    # the control for the test above: caller references do reach the analyst's row-level preview
    at = _signed_in(tmp_path, "bob@kent.police.uk")
    at.switch_page(str(PAGES / "upload.py"))
    at.run()
    extract = ("Incident Number,Date Reported,District,Call Type,Caller Ref\n"
               "ASB-100,02/02/2025,Dover,Fly-tipping,CALLER-77\n")  # ASB-1 is loaded already (the seed)
    at.file_uploader[0].set_value(("asb.csv", extract.encode(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert CALLER + "77" in _everything(at)
    at.switch_page(str(PAGES / "history.py"))
    at.run()
    assert at.title[0].value == "Load history"


def test_signed_out_user_sees_only_the_sign_in_button(db, tmp_path):
    at = _signed_in(tmp_path, None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert at.title[0].value == "ASB & crime performance"
    assert not at.dataframe and not at.metric


def test_admin_sees_the_admin_page(db, tmp_path):
    at = _signed_in(tmp_path, "alice@kent.police.uk")
    at.switch_page(str(PAGES / "admin.py"))
    at.run()
    assert not at.exception
    assert at.title[0].value == "Admin"


def test_local_mode_on_a_network_address_refuses_to_serve(tmp_path, monkeypatch, db):
    from streamlit import config

    at = AppTest.from_file(APP, default_timeout=120)
    old = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at.run()
    finally:
        config.set_option("server.address", old)
    assert not at.exception
    assert plain(at.error[0].value).startswith(
        "**Not serving on the network without sign-in.** No sign-in is configured")
    assert not at.metric and not at.dataframe
