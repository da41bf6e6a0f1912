"""What the dashboard's server does as it starts, before any browser has connected: in local mode on this machine's
address, on an empty database, it begins the first start's police.uk demo load (ui.session.begin), so the first
page run finds it under way or done. As it stops, a demo load under way is interrupted and rolled back.

`streamlit run dashboard.py` finds the ``app`` dashboard.py defines when imported (st.App) and serves it, calling
``lifespan`` as the server starts and stops. The pages' modules are left to the first page run to import: importing
them here too was measured slower, as they compete with the load for the GIL.
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


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    # on a thread (importing the database modules takes a moment): the server listens at once, and the browser
    # fetches Streamlit's scripts meanwhile
    threading.Thread(target=_prepare, name="server-start", daemon=True).start()
    yield
    # stopping (SIGTERM, Ctrl-C): the server ends the process by the signal afterwards, so no atexit handler runs
    from ui import session

    session.stop_loading()
