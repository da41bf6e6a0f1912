"""Roles and permissions (analytics/access.py); the pages' side is in test_upload_page.py."""

from __future__ import annotations

import pytest

from analytics import access
from analytics.access import ADMIN, ANALYST, LOCAL, SIGNED_IN, SIGNED_OUT, VIEWER, AccessRefused, Identity

AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "x"},
        "roles": {"Alice@Kent.Police.uk": "admin", "bob@kent.police.uk": "analyst", "eve@kent.police.uk": "superuser"}}


def test_each_role_holds_the_permissions_of_the_one_below():
    assert [p for p in access.PERMISSIONS if access.can(VIEWER, p)] == ["view"]
    assert [p for p in access.PERMISSIONS if access.can(ANALYST, p)] == [
        "view", "upload", "rollback", "history", "caller_data"]
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
