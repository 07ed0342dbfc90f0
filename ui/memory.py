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
  freed by reference counting when a cache drops them.
"""

from __future__ import annotations

import gc
from typing import TypeVar

POST_SCRIPT_GC = False  # must equal runner.postScriptGC in .streamlit/config.toml (tests/ui/test_memory.py)

Kept = TypeVar("Kept")


def freeze_long_lived() -> int:
    """Collect once, then freeze everything still alive out of later collections; objects now frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def kept(value: Kept) -> Kept:
    """`value` (a long-lived cache entry), after freezing it and everything alive with it."""
    freeze_long_lived()
    return value
