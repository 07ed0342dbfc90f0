"""The garbage-collection decision lives in ui/memory.py and in the config file, and the two agree."""

from __future__ import annotations

import gc
import tomllib
import weakref
from pathlib import Path

from ui import memory

ROOT = Path(__file__).resolve().parents[2]


def test_the_config_file_turns_the_post_run_collection_off_as_ui_memory_says():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is memory.POST_SCRIPT_GC is False


def test_a_kept_value_is_frozen_out_of_later_collections():
    gc.unfreeze()
    try:
        before = gc.get_freeze_count()
        value = memory.kept({"features": [[1.0, 2.0] for _ in range(1000)]})
        assert gc.get_freeze_count() >= before + 1000  # the value's lists are in the permanent generation
        assert value["features"][0] == [1.0, 2.0]  # and it is returned unchanged
    finally:
        gc.unfreeze()


def test_the_caches_freeze_through_ui_memory_only():
    sources = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
               for folder in ("ui", "pages", "geo", "charts", "data_access", "exports")
               for path in (ROOT / folder).rglob("*.py")}
    sources["app.py"] = (ROOT / "app.py").read_text(encoding="utf-8")
    freezing = sorted(name for name, text in sources.items() if "gc.freeze(" in text)
    assert freezing == ["ui/memory.py"]


class _Node:
    pass


def test_garbage_frozen_by_one_freeze_is_collected_by_a_later_one(monkeypatch):
    # A freeze takes in what running sessions hold; once they end, their reference cycles must not stay for good.
    gc.unfreeze()
    try:
        node = _Node()
        node.itself = node
        probe = weakref.ref(node)
        memory.freeze_long_lived()
        del node
        gc.collect()
        assert probe() is not None  # frozen: no collection sees it
        memory.kept({"figure": []})  # a cache entry within UNFREEZE_SECONDS of that freeze leaves it
        assert probe() is not None
        monkeypatch.setattr(memory, "_unfrozen_at", memory._unfrozen_at - memory.UNFREEZE_SECONDS)
        memory.kept({"figure": []})  # the next one after
        assert probe() is None
    finally:
        gc.unfreeze()
