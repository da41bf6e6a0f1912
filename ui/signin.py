"""Who is using the dashboard and what they may open (rules: analytics/domain/access.py).

With [auth] configured, users sign in (OIDC via st.login); with none, local mode serves this machine only. Every
page checks its own permission too (require), whatever URL reached it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics.domain import access

# ui.widgets (pandas, Plotly) is imported where it is used: dashboard.py reads the identity before the pages' modules
# are imported, so a first start's load can begin first (session.begin)


def _secrets() -> dict[str, Any]:
    """The [auth] and [roles] sections of .streamlit/secrets.toml; nothing when there is no secrets file."""
    try:
        return {k: st.secrets[k] for k in ("auth", "roles") if k in st.secrets}
    except FileNotFoundError:  # no secrets.toml at all: local mode
        return {}


def identity() -> access.Identity:
    """Who is using the dashboard and their role."""
    return access.identify(_secrets(), st.user.to_dict())


def open_to_all() -> bool:
    """Whether whoever reaches the server may see figures without signing in: local mode (no [auth]) on this
    machine's address. Only then does the server touch the database as it starts (ui.server); otherwise nothing
    opens it until someone who may see it has a page run."""
    return not access.auth_configured(_secrets()) and not access.local_mode_problem(st.get_option("server.address"))


def blocked(me: access.Identity) -> str | None:
    """Why nobody may see anything yet: not signed in, or local mode on a network address; None when open."""
    if me.mode == access.SIGNED_OUT:
        return "signed out"
    if me.mode == access.LOCAL and access.local_mode_problem(st.get_option("server.address")):
        return "not local"
    return None


def sign_in_page() -> None:
    """The only page served to someone not signed in, whatever URL they opened."""
    st.title("ASB & crime performance")
    st.write("Sign in with your force account to see the dashboard.")
    st.button("Sign in", on_click=st.login, type="primary")


def not_local_page() -> None:
    """The only page served in local mode when the server listens beyond this machine."""
    st.title("ASB & crime performance")
    from ui.widgets import md

    problem = access.local_mode_problem(st.get_option("server.address")) or ""
    st.error(f"**Not serving on the network without sign-in.** {md(problem)}")


def sidebar_identity(me: access.Identity) -> None:
    from ui.widgets import md

    with st.sidebar:
        if me.mode == access.LOCAL:
            st.info(md(access.local_banner(me)), icon=":material/person:")
        else:
            st.caption(f"Signed in as {md(me.label)}")
            st.button("Sign out", on_click=st.logout, key="sign_out")


def require(permission: str, what: str) -> access.Identity:
    """Stop the page with a refusal unless the user holds ``permission``; every page calls this first."""
    me = identity()
    if blocked(me):
        st.stop()
    try:
        access.require(me, permission, what)
    except access.AccessRefused as e:
        from ui.widgets import show_error

        show_error(e, icon=":material/lock:")
    return me
