"""The pages, who may open them, and the navigation for the current user.

st.navigation runs on every script run before anything else, so no page file ever runs by URL on its own (the page
files live in ui/pages/, where Streamlit's old folder convention cannot find them). A signed-out visitor, or any
visitor in local mode on a network address, gets one page whatever URL they open. A page the user's role cannot
open is kept under its address, hidden, and says which role it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from analytics.domain import access
from ui import signin
from ui.widgets import show_error

PAGES = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    permission: str
    section: str
    what: str  # how the refusal names the page
    filters: bool = True  # the sidebar's period filters act on this page


SPECS = (
    PageSpec("overview.py", "Overview", ":material/dashboard:", "view", "Performance", "The Overview"),
    PageSpec("asb.py", "ASB", ":material/campaign:", "view", "Performance", "The ASB page"),
    PageSpec("crime.py", "Crime & outcomes", ":material/gavel:", "view", "Performance", "The Crime page"),
    PageSpec("districts.py", "Districts", ":material/map:", "view", "Performance", "The Districts page"),
    PageSpec("control.py", "Control charts", ":material/monitoring:", "view", "Performance",
             "The Control charts page"),
    PageSpec("engagement.py", "Engagement", ":material/forum:", "view", "Performance", "The Engagement page"),
    PageSpec("satisfaction.py", "Victim satisfaction", ":material/sentiment_satisfied:", "view", "Performance",
             "The Victim satisfaction page"),
    PageSpec("lookup.py", "Caller lookup", ":material/person_search:", "caller_data", "Casework",
             "The caller lookup", filters=False),
    PageSpec("repeat_callers.py", "Repeat callers", ":material/repeat:", "caller_data", "Casework",
             "The repeat callers page", filters=False),
    PageSpec("repeat_locations.py", "Repeat locations", ":material/location_on:", "caller_data", "Casework",
             "The repeat locations page", filters=False),
    PageSpec("case_reviews.py", "Case reviews", ":material/assignment:", "case_reviews", "Casework",
             "The ASB Case Review register", filters=False),
    PageSpec("data.py", "Data", ":material/database:", "view", "Data", "The Data page", filters=False),
    PageSpec("upload.py", "Upload", ":material/upload:", "upload", "Data", "Uploading files", filters=False),
    PageSpec("history.py", "Load history", ":material/history:", "history", "Data", "The load history",
             filters=False),
    PageSpec("interventions.py", "Interventions", ":material/flag:", "interventions", "Data",
             "Editing the interventions register", filters=False),
    PageSpec("admin.py", "Admin", ":material/admin_panel_settings:", "manage_mappings", "Data", "The admin page",
             filters=False),
)


def _refusal(spec: PageSpec, me: access.Identity) -> Callable[[], None]:
    def page() -> None:
        st.title(spec.title)
        try:
            access.require(me, spec.permission, spec.what)
        except access.AccessRefused as e:
            show_error(e, icon=":material/lock:")

    page.__name__ = f"needs_{Path(spec.file).stem}"
    return page


def url_path(spec: PageSpec) -> str:
    return Path(spec.file).stem


def _home() -> None:
    """The app's root address opens the Overview at its own address, /overview, keeping the link's filters."""
    st.switch_page(PAGES / SPECS[0].file, query_params=st.query_params.to_dict())


def pages_for(me: access.Identity) -> tuple[dict[str, list[StreamlitPage]], dict[str, PageSpec]]:
    """The navigation for this user, and each page's spec by its title; one page only when nothing may be seen.

    The root address is a hidden page that opens the Overview at /overview, so both addresses work."""
    why = signin.blocked(me)
    if why:
        only = signin.sign_in_page if why == "signed out" else signin.not_local_page
        return {"": [st.Page(only, title="ASB & crime performance", url_path="welcome", default=True)]}, {}
    home = st.Page(_home, title=SPECS[0].title, url_path="home", default=True, visibility="hidden")
    sections: dict[str, list[StreamlitPage]] = {"": [home]}
    specs: dict[str, PageSpec] = {}
    for spec in SPECS:
        if me.can(spec.permission):
            page = st.Page(PAGES / spec.file, title=spec.title, icon=spec.icon, url_path=url_path(spec))
        else:
            page = st.Page(_refusal(spec, me), title=spec.title, url_path=url_path(spec), visibility="hidden")
        sections.setdefault(spec.section, []).append(page)
        specs[spec.title] = spec
    return sections, specs


def sidebar_links(sections: dict[str, list[StreamlitPage]]) -> None:
    """The navigation as links in the sidebar, under each section's name: plain links, not Streamlit's own list,
    whose markup screen readers cannot read as a list (axe-core: list, listitem)."""
    with st.sidebar:
        with st.container(key="nav"):
            for section, pages in sections.items():
                shown = [p for p in pages if p.visibility != "hidden"]
                if not shown:
                    continue
                if section:
                    st.markdown(f"**{section}**")
                for p in shown:
                    st.page_link(p, width="stretch")
