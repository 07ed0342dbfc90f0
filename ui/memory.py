"""Garbage collection in a dashboard process: the one place that decides it.

Streamlit runs a full `gc.collect(2)` after every script run (`runner.postScriptGC`). A full collection
walks every tracked object of the process: every session's state and widgets, the cached boundaries,
figures and decks. Its cost therefore grows with the number of sessions. With 50 sessions clicking without
pause it was most of each rerun (issue 20: click p95 10.9 s with it, 4.1 s without). So:

- `runner.postScriptGC = false` (.streamlit/config.toml; POST_SCRIPT_GC records the decision and a test
  checks that the two agree). Python's own generational collector still runs as objects are allocated. It
  collects the cyclic garbage of reruns, and its full collections become rare and cheap (below). RSS stays
  flat over a soak with sessions coming and going (scripts/benchmark_load.py --soak, README).
- `freeze_long_lived()` moves what is alive now into the permanent generation, which no collection walks:
  the modules and the boundaries, figures and decks that enter the shared caches (ui/resources.py calls
  it through `kept`), and everything the start-up warm-up built (ui/server.py). Frozen objects are still
  freed by reference counting when a cache drops them; frozen cycles by a later freeze (below).
- Beyond that, a process holds about 1.2 MB per session (measured in the soak): the active ones and those
  kept for a reconnect, for `server.disconnectedSessionTTL` (30 s in .streamlit/config.toml, Streamlit's
  default 120 s let up to 128 of them pile up over minutes), with no file watcher per session.
"""

from __future__ import annotations

import gc
import time
from typing import TypeVar

POST_SCRIPT_GC = False  # must equal runner.postScriptGC in .streamlit/config.toml (tests/ui/test_memory.py)

UNFREEZE_SECONDS = 60.0
_unfrozen_at = float("-inf")

Kept = TypeVar("Kept")


def freeze_long_lived() -> int:
    """Collect once, then freeze everything still alive out of later collections; objects now frozen.

    A freeze also takes in whatever the sessions running at that moment hold: their states, and their page's
    globals with its DataFrames, which sit in reference cycles (a function the page defines points back at them).
    Once such a session ends, that is garbage no collection sees while it is frozen, so each freeze would keep
    some memory for good (about 1 MB per session running then). Hence, at most once every UNFREEZE_SECONDS, the
    collection here first unfreezes and so also walks what earlier freezes took in (0.1-0.35 s with the
    demo's caches, on a cache miss that builds a figure anyway).
    """
    global _unfrozen_at
    if time.monotonic() - _unfrozen_at >= UNFREEZE_SECONDS:
        gc.unfreeze()
        _unfrozen_at = time.monotonic()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def kept(value: Kept) -> Kept:
    """`value` (a long-lived cache entry), after freezing it and everything alive with it."""
    freeze_long_lived()
    return value
