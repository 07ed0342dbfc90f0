"""Python's cyclic garbage collector paused while a file is checked and written.

A 50,000-row registry is 500,000 cells, then as many typed values, views and history lines, all alive until
the import ends and none of them in reference cycles. Each of those allocations counts towards the next
collection, and every full collection walks all of them again: a third of a 50,000-row check's time
(measured: 8.3-8.8 s instead of 10.9-13.5 s on the loaded 2-core machine). Reference counting still frees
everything as usual; cyclic garbage made meanwhile waits until the outermost pause ends.

Process-wide, so nested and concurrent pauses (two sessions importing at once) count: the collector is
enabled again only when the last one ends, and only if it was enabled when the first began. The dashboard's
own collector settings are decided in ui/memory.py.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"depth": 0, "was_enabled": False}


@contextmanager
def collector_paused() -> Iterator[None]:
    with _lock:
        if _state["depth"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["was_enabled"]:
                gc.enable()
