"""How a dashboard process starts: Streamlit's st.App with a start-up lifespan and the security headers.

`serve.py` (beside app.py) holds the st.App that `streamlit run serve.py` discovers; ./scripts/run and
deploy/start.sh start it. Before the server accepts its first connection the lifespan
1. turns Streamlit's legacy pages/ guess off (ui/streamlit_compat.py), so no session ever sees the raw
   page list or runs a page outside app.py's navigation;
2. fills the shared caches with every plan scope's default views (ui/warmup.py);
3. freezes what it built out of the garbage collector's walks (ui/memory.py).
Uvicorn serves only after the lifespan has started, so a process answers its health check, and nginx
reaches it, only when it is warm. Every HTTP response carries ui/security_headers.py's headers.

The process watches no source file (`server.fileWatcherType = "none"` in .streamlit/config.toml, recorded as
FILE_WATCHER_TYPE and checked by tests/ui/test_server.py). With watching on, Streamlit walked every module in
sys.modules after each script run (a realpath per file) and registered a watcher for each one a new session
had not seen: ~0.25 s of CPU on every session's first page load, 50 sessions arriving at once queued 20-30 s
behind it (issue 20). A deployed dashboard never edits its own code; developers who want reload on save pass
`--server.fileWatcherType auto --server.runOnSave true` to ./scripts/run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger("mhmonitor.server")

FILE_WATCHER_TYPE = "none"  # must equal server.fileWatcherType in .streamlit/config.toml


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    from data_access.engine import warehouse_url
    from ui import memory, warmup
    from ui.streamlit_compat import disable_legacy_pages_guess

    disable_legacy_pages_guess()
    seconds = await asyncio.to_thread(warmup.warm, warehouse_url())
    frozen = memory.freeze_long_lived()
    log.warning("warm after %.1f s (%d objects frozen out of garbage collection)", seconds, frozen)
    yield


def middleware() -> list:
    from starlette.middleware import Middleware

    from ui.security_headers import SecurityHeadersMiddleware

    return [Middleware(SecurityHeadersMiddleware)]
