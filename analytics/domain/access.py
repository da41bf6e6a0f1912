"""Who may do what: roles, permissions, and who the current user is.

Three roles, each holding the one before it:

- **viewer** sees the figures only (aggregates: no caller references, no row-level data);
- **analyst** also uploads extracts, rolls batches back, reads the load history and row-level data (previews,
  rejected rows) that may hold caller references, the casework pages (caller lookup, repeat callers and
  locations) and the ASB Case Review register, and keeps the register of process changes and interventions;
- **admin** also manages remembered column mappings and the reference files.

Sign-in is configured in ``.streamlit/secrets.toml``: with an ``[auth]`` section the dashboard signs users in
(OIDC via ``st.login``) and a ``[roles]`` table gives e-mail -> role; signed-in users not listed are viewers.
With no ``[auth]`` section the dashboard runs in **local mode**: no sign-in, the operating-system user is an
analyst, and the server must listen on this machine only. This module decides all of that from plain values
(secrets, the user's claims, the server address), so the rules are tested without a browser.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analytics.errors import DashboardError

ROLES = ("viewer", "analyst", "admin")
VIEWER, ANALYST, ADMIN = ROLES

# permission -> the lowest role that holds it
PERMISSIONS: dict[str, str] = {
    "view": VIEWER,
    "upload": ANALYST,
    "rollback": ANALYST,
    "history": ANALYST,
    "caller_data": ANALYST,
    "interventions": ANALYST,
    "case_reviews": ANALYST,
    "manage_mappings": ADMIN,
    "manage_reference": ADMIN,
}

LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")
LOCAL, SIGNED_IN, SIGNED_OUT = "local", "signed in", "signed out"


class AccessRefused(DashboardError):
    """The current role does not allow this action."""

    exit_code = 2


@dataclass(frozen=True)
class Identity:
    """The current user: ``user`` is what the audit trail records (e-mail when signed in, OS user in local mode)."""

    user: str
    role: str
    mode: str  # LOCAL | SIGNED_IN | SIGNED_OUT
    name: str = ""

    def can(self, permission: str) -> bool:
        return self.mode != SIGNED_OUT and can(self.role, permission)

    @property
    def label(self) -> str:
        """How the sidebar names the user: 'Alice Smith (analyst)'."""
        return f"{self.name or self.user} ({self.role})"


def current_user() -> str:
    """The operating-system user, whom the command line records as loading or rolling back a batch."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _rank(role: str) -> int:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return ROLES.index(role)


def can(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (see PERMISSIONS); an unknown permission is never held."""
    lowest = PERMISSIONS.get(permission)
    return lowest is not None and _rank(role) >= _rank(lowest)


def require(identity: Identity, permission: str, what: str) -> None:
    """Raise AccessRefused, saying which role is needed, unless the identity holds ``permission``."""
    if identity.can(permission):
        return
    needed = PERMISSIONS.get(permission, ADMIN)
    raise AccessRefused(
        "Not allowed",
        f"{what} needs the {needed} role; you are working as {identity.label}. "
        "Ask an administrator to add your e-mail address to the [roles] table in .streamlit/secrets.toml.",
    )


def auth_configured(secrets: Mapping[str, Any]) -> bool:
    """Sign-in is on when secrets.toml has a non-empty [auth] section."""
    section = secrets.get("auth") if hasattr(secrets, "get") else None
    return bool(section)


def role_for(email: str | None, roles: Mapping[str, Any] | None) -> str:
    """The role the [roles] table gives an e-mail address (case-insensitive); unlisted or unknown -> viewer.

    A misspelt role value gives the least access rather than an error, so a typo never grants rights.
    """
    if not email or not roles:
        return VIEWER
    wanted = email.strip().lower()
    for address, role in roles.items():
        if str(address).strip().lower() == wanted:
            value = str(role).strip().lower()
            return value if value in ROLES else VIEWER
    return VIEWER


def is_local_address(address: str | None) -> bool:
    """True when the server listens on this machine only. Streamlit's default (no address) listens everywhere."""
    return bool(address) and str(address).strip().lower().strip("[]") in LOCAL_ADDRESSES


def local_mode_problem(address: str | None) -> str | None:
    """Why local mode must not serve on this address, with what to do; None when it is safe."""
    if is_local_address(address):
        return None
    shown = address or "all network interfaces (server.address is not set)"
    return (
        f"No sign-in is configured, so this dashboard runs in local mode, which serves this machine only; but the "
        f"server is listening on {shown}. Either set `address = \"localhost\"` under [server] in "
        "`.streamlit/config.toml` (or run `streamlit run dashboard.py --server.address localhost`), or configure "
        "sign-in with an [auth] section and a [roles] table in `.streamlit/secrets.toml`."
    )


def identify(
    secrets: Mapping[str, Any],
    user_info: Mapping[str, Any],
    *,
    os_user: str | None = None,
) -> Identity:
    """The current user from the secrets and the sign-in claims (``st.user``).

    Local mode (no [auth]): the OS user, as an analyst. Signed in: the e-mail address, with its role from
    [roles]. Sign-in configured but not signed in: SIGNED_OUT, which holds no permission at all.
    """
    if not auth_configured(secrets):
        return Identity(os_user or current_user(), ANALYST, LOCAL)
    if not user_info.get("is_logged_in"):
        return Identity("", VIEWER, SIGNED_OUT)
    email = str(user_info.get("email") or "").strip()
    roles = secrets.get("roles") if hasattr(secrets, "get") else None
    return Identity(email or str(user_info.get("sub") or "unknown"), role_for(email, roles), SIGNED_IN,
                    str(user_info.get("name") or ""))


def local_banner(identity: Identity) -> str:
    return f"Local mode: no sign-in; you are working as {identity.user} ({identity.role})."
