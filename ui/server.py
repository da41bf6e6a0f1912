"""What the dashboard's server does as it starts, before any browser has connected: in local mode on this machine's
address, on an empty database, it begins the first start's police.uk demo load (ui.session.begin), so the first
page run finds it under way or done. As it stops, a demo load under way is interrupted and rolled back.

`streamlit run dashboard.py` imports dashboard.py, which calls ``prepare`` and defines the ``app`` (st.App) that
Streamlit then serves, calling ``lifespan`` as the server starts and stops. The load begins at that import rather
than in the lifespan, which Streamlit calls after its runtime is set up, a third of a second later: the load was
measured done 0.1 to 0.5 s sooner on 2 cores (the command line's options, such as the address, are read before the
import). The pages' modules are left to the first page run to import: importing them here too was measured slower,
as they compete with the load for the GIL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)


def _prepare() -> None:
    try:
        from ui import session, signin

        if signin.open_to_all():  # else (sign-in, or a network address refused) nothing opens the database yet
            session.begin()
    except Exception:  # the first page run calls begin() again and shows what went wrong
        log.exception("the first start's demo load could not begin as the server started")


def prepare() -> None:
    """Begin the first start's load, on a thread (importing the database modules takes a moment): the server goes
    on to listen at once, and the browser fetches Streamlit's scripts meanwhile."""
    threading.Thread(target=_prepare, name="server-start", daemon=True).start()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    yield
    # stopping (SIGTERM, Ctrl-C): the server ends the process by the signal afterwards, so no atexit handler runs
    from ui import session

    session.stop_loading()
